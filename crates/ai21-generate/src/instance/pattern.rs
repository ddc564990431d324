//! Strings matching a `pattern`, for the small pattern language our schemas use: an
//! optionally anchored sequence of literal characters and character classes (`[0-9a-f]`),
//! each optionally followed by a count `{n}` or `{n,m}`. Anything else (alternation,
//! groups, escapes, `.`, `*`, `+`, `?`, negated classes) is refused with a reason, so a
//! new pattern in a schema fails loudly instead of generating non-matching strings.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

/// One position of the pattern: the characters it may be, and how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Atom {
    pub(super) characters: Vec<char>,
    pub(super) min: usize,
    pub(super) max: usize,
}

/// Strings matching `pattern`, or why the pattern is not supported.
pub(super) fn strategy(pattern: &str) -> Result<BoxedStrategy<Value>, String> {
    let atoms = parse(pattern)?;
    let parts: Vec<BoxedStrategy<String>> = atoms
        .into_iter()
        .map(|atom| {
            proptest::collection::vec(select(atom.characters), atom.min..=atom.max)
                .prop_map(|characters| characters.into_iter().collect::<String>())
                .boxed()
        })
        .collect();
    Ok(parts
        .prop_map(|parts| Value::String(parts.concat()))
        .boxed())
}

/// The atoms of a supported pattern.
pub(super) fn parse(pattern: &str) -> Result<Vec<Atom>, String> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').unwrap_or(body);
    let mut characters = body.chars().peekable();
    let mut atoms: Vec<Atom> = Vec::new();
    while let Some(character) = characters.next() {
        match character {
            '[' => {
                let mut class = Vec::new();
                let mut previous: Option<char> = None;
                loop {
                    match characters.next() {
                        None => return Err(format!("unclosed character class in {pattern:?}")),
                        Some(']') => break,
                        Some('^') if class.is_empty() && previous.is_none() => {
                            return Err(format!("negated character class in {pattern:?}"));
                        }
                        Some('\\') => {
                            return Err(format!("escape in a character class in {pattern:?}"));
                        }
                        Some('-') if previous.is_some() && characters.peek() != Some(&']') => {
                            let (Some(low), Some(high)) = (previous.take(), characters.next())
                            else {
                                return Err(format!("bad range in {pattern:?}"));
                            };
                            if low > high {
                                return Err(format!("reversed range {low}-{high} in {pattern:?}"));
                            }
                            class.pop();
                            class.extend(low..=high);
                        }
                        Some(member) => {
                            class.push(member);
                            previous = Some(member);
                        }
                    }
                }
                if class.is_empty() {
                    return Err(format!("empty character class in {pattern:?}"));
                }
                atoms.push(Atom {
                    characters: class,
                    min: 1,
                    max: 1,
                });
            }
            '{' => {
                let mut count = String::new();
                loop {
                    match characters.next() {
                        None => return Err(format!("unclosed count in {pattern:?}")),
                        Some('}') => break,
                        Some(digit) => count.push(digit),
                    }
                }
                let atom = atoms
                    .last_mut()
                    .ok_or_else(|| format!("a count with nothing before it in {pattern:?}"))?;
                if atom.min != 1 || atom.max != 1 {
                    return Err(format!("two counts in a row in {pattern:?}"));
                }
                let parse_count = |text: &str| {
                    text.trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad count {{{count}}} in {pattern:?}"))
                };
                let (min, max) = match count.split_once(',') {
                    Some((min, max)) => (parse_count(min)?, parse_count(max)?),
                    None => {
                        let exact = parse_count(&count)?;
                        (exact, exact)
                    }
                };
                if min > max {
                    return Err(format!(
                        "count {{{count}}} has min above max in {pattern:?}"
                    ));
                }
                atom.min = min;
                atom.max = max;
            }
            '\\' | '.' | '(' | ')' | '|' | '*' | '+' | '?' | '^' | '$' | ']' | '}' => {
                return Err(format!(
                    "{character:?} in {pattern:?} is beyond the generator's pattern language"
                ));
            }
            literal => atoms.push(Atom {
                characters: vec![literal],
                min: 1,
                max: 1,
            }),
        }
    }
    Ok(atoms)
}

#[cfg(test)]
mod tests;
