//! Turns `jsonschema` errors into findings a person understands.
//!
//! Each error becomes one finding (one per unexpected property for
//! `additionalProperties`) with rule `schema/<keyword>`, the instance pointer, the
//! keyword's schema pointer and a message naming the value. A failed `oneOf`/`anyOf` is
//! explained through the branch that was meant (see [`crate::schema`]): its own errors
//! are reported, with their own keywords and pointers, prefixed by why that branch was
//! chosen (`reason is "stop", so "sequence" is required`). Only when no branch accepts
//! the instance's type does the union keyword itself become the rule
//! (`stop must be a string, a list of strings or null, found a number 3`).

use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::describe::{count, found, or_list, short, short_str};
use crate::pointer::{join_key, name, parent};
use crate::report::Finding;
use crate::rule::keyword_rule;
use crate::schema::{Selection, branch_constant, describe, resolve, select, union_branches};

/// The findings for `instance` against any schema document `root`, compiled as `compiled`:
/// every error of the JSON Schema check, explained as the validator explains its own
/// (rule `schema/<keyword>`, the instance pointer, the keyword's schema pointer, a message
/// naming the value; a failed `oneOf`/`anyOf` through the branch that was meant).
///
/// For schemas that are not the embedded ones, such as an older version of a contract
/// (`ai21-diff` compares two versions by the documents each accepts). No API rules and no
/// drift: only the schema.
///
/// ```
/// use serde_json::json;
///
/// let schema = json!({"type": "object", "properties": {"temperature": {"maximum": 1}}});
/// let compiled = jsonschema::draft202012::new(&schema).unwrap();
/// let findings = ai21_validate::explain_schema_errors(&schema, &compiled, &json!({"temperature": 2}));
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].rule, "schema/maximum");
/// assert_eq!(findings[0].pointer, "/temperature");
/// assert_eq!(findings[0].schema_pointer.as_deref(), Some("/properties/temperature/maximum"));
/// ```
pub fn explain_schema_errors(
    root: &Value,
    compiled: &jsonschema::Validator,
    instance: &Value,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for error in compiled.iter_errors(instance) {
        explain(root, &error, &mut out);
    }
    out
}

/// Appends the findings explaining `error` (validated against `root`) to `out`.
pub(crate) fn explain(root: &Value, error: &ValidationError<'_>, out: &mut Vec<Finding>) {
    explain_with_prefix(root, error, "", out);
}

fn explain_with_prefix(
    root: &Value,
    error: &ValidationError<'_>,
    prefix: &str,
    out: &mut Vec<Finding>,
) {
    let pointer = error.instance_path().as_str();
    let schema_pointer = error.schema_path().as_str();
    let instance: &Value = error.instance();
    let subject = name(pointer);
    let push = |out: &mut Vec<Finding>, rule: &'static str, message: String| {
        out.push(
            Finding::error(rule, pointer, format!("{prefix}{message}"))
                .with_schema_pointer(schema_pointer),
        );
    };
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().map_or_else(|| short(property), short_str);
            push(out, "schema/required", format!("{property} is required"));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let declared = root
                .pointer(parent(schema_pointer))
                .and_then(|node| node.get("properties"))
                .and_then(Value::as_object);
            for property in unexpected {
                let mut message = format!("{} is not a known field", short_str(property));
                if let Some(suggestion) =
                    declared.and_then(|declared| suggest(property, declared.keys()))
                {
                    message.push_str(&format!(" (did you mean {}?)", short_str(suggestion)));
                }
                push(out, "schema/additionalProperties", message);
            }
        }
        ValidationErrorKind::Type { .. } => {
            let expected = root
                .pointer(parent(schema_pointer))
                .map_or_else(|| "another type".to_owned(), |node| describe(root, node));
            push(
                out,
                "schema/type",
                format!("{subject} must be {expected}, found {}", found(instance)),
            );
        }
        ValidationErrorKind::Minimum { limit } => push(
            out,
            "schema/minimum",
            format!(
                "{subject} must be at least {limit}, found {}",
                short(instance)
            ),
        ),
        ValidationErrorKind::Maximum { limit } => push(
            out,
            "schema/maximum",
            format!(
                "{subject} must be at most {limit}, found {}",
                short(instance)
            ),
        ),
        ValidationErrorKind::ExclusiveMinimum { limit } => push(
            out,
            "schema/exclusiveMinimum",
            format!("{subject} must be above {limit}, found {}", short(instance)),
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => push(
            out,
            "schema/exclusiveMaximum",
            format!("{subject} must be below {limit}, found {}", short(instance)),
        ),
        ValidationErrorKind::MinLength { limit } => {
            let message = if *limit == 1 {
                format!("{subject} must not be empty")
            } else {
                format!(
                    "{subject} must be at least {} long, found {}",
                    count(usize::try_from(*limit).unwrap_or(usize::MAX), "character"),
                    found(instance)
                )
            };
            push(out, "schema/minLength", message);
        }
        ValidationErrorKind::MaxLength { limit } => {
            let length = instance.as_str().map_or(0, |text| text.chars().count());
            push(
                out,
                "schema/maxLength",
                format!(
                    "{subject} must be at most {} long, found {length}",
                    count(usize::try_from(*limit).unwrap_or(usize::MAX), "character")
                ),
            );
        }
        ValidationErrorKind::MinItems { limit } => {
            let message = if *limit == 1 {
                format!("{subject} must not be empty")
            } else {
                format!(
                    "{subject} must have at least {}, found {}",
                    count(usize::try_from(*limit).unwrap_or(usize::MAX), "item"),
                    array_length(instance)
                )
            };
            push(out, "schema/minItems", message);
        }
        ValidationErrorKind::MaxItems { limit } => push(
            out,
            "schema/maxItems",
            format!(
                "{subject} must have at most {}, found {}",
                count(usize::try_from(*limit).unwrap_or(usize::MAX), "item"),
                array_length(instance)
            ),
        ),
        ValidationErrorKind::Constant { expected_value } => push(
            out,
            "schema/const",
            format!(
                "{subject} must be {expected_value}, found {}",
                found(instance)
            ),
        ),
        ValidationErrorKind::Enum { options } => {
            let options = match &**options {
                Value::Array(options) => or_list(options.iter().map(short)),
                other => short(other),
            };
            push(
                out,
                "schema/enum",
                format!(
                    "{subject} must be one of {options}, found {}",
                    found(instance)
                ),
            );
        }
        ValidationErrorKind::Pattern { pattern } => push(
            out,
            "schema/pattern",
            format!(
                "{subject} must match the pattern {pattern}, found {}",
                found(instance)
            ),
        ),
        ValidationErrorKind::Contains => {
            let noun = item_noun(&subject);
            let wanted = root.pointer(schema_pointer).map_or_else(
                || format!("one {noun} matching the schema"),
                |node| describe_contained(root, noun, node),
            );
            let seen = match instance {
                Value::Array(items) if items.is_empty() => "found an empty list".to_owned(),
                Value::Array(items) => format!("found none among {}", count(items.len(), noun)),
                other => format!("found {}", found(other)),
            };
            push(
                out,
                "schema/contains",
                format!("{subject} must contain at least {wanted}, {seen}"),
            );
        }
        ValidationErrorKind::OneOfNotValid { context } => {
            explain_union(root, error, "oneOf", context, prefix, out);
        }
        ValidationErrorKind::AnyOf { context } => {
            explain_union(root, error, "anyOf", context, prefix, out);
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => push(
            out,
            "schema/oneOf",
            format!("{subject} matches more than one of the alternatives of a oneOf"),
        ),
        other => {
            let mut message = error.to_string();
            if let Some(first) = message.get(..1) {
                message.replace_range(..1, &first.to_lowercase());
            }
            if message.chars().count() > 120 {
                message = message.chars().take(120).collect::<String>() + "…";
            }
            push(out, keyword_rule(other.keyword()), message);
        }
    }
}

/// The finding for a `oneOf`/`anyOf` failure: the meant branch's errors, or the union's own.
fn explain_union(
    root: &Value,
    error: &ValidationError<'_>,
    keyword: &'static str,
    context: &[Vec<ValidationError<'static>>],
    prefix: &str,
    out: &mut Vec<Finding>,
) {
    let pointer = error.instance_path().as_str();
    let schema_pointer = error.schema_path().as_str();
    let instance: &Value = error.instance();
    let subject = name(pointer);
    let rule = keyword_rule(keyword);
    let Some((union, branches)) = root
        .pointer(parent(schema_pointer))
        .map(|node| resolve(root, node))
        .and_then(|union| union_branches(union).map(|(_, branches)| (union, branches)))
    else {
        out.push(
            Finding::error(
                rule,
                pointer,
                format!("{prefix}{subject} matches none of the alternatives"),
            )
            .with_schema_pointer(schema_pointer),
        );
        return;
    };
    let own = |message: String| {
        Finding::error(rule, pointer, format!("{prefix}{message}"))
            .with_schema_pointer(schema_pointer)
    };
    match select(root, branches, instance) {
        Selection::Discriminated { property, index } => {
            let value = instance.get(property).map_or_else(String::new, short);
            let prefix = format!("{prefix}{property} is {value}, so ");
            for inner in context.get(index).into_iter().flatten() {
                explain_with_prefix(root, inner, &prefix, out);
            }
        }
        Selection::UnknownDiscriminator { property } => {
            let options = or_list(
                branches
                    .iter()
                    .filter_map(|branch| branch_constant(root, branch, property))
                    .map(short),
            );
            let value = instance
                .get(property)
                .map_or_else(|| "nothing".to_owned(), found);
            out.push(
                Finding::error(
                    "schema/const",
                    join_key(pointer, property),
                    format!("{prefix}{property} must be one of {options}, found {value}"),
                )
                .with_schema_pointer(schema_pointer),
            );
        }
        Selection::MissingDiscriminator { property } => {
            let options = or_list(
                branches
                    .iter()
                    .filter_map(|branch| branch_constant(root, branch, property))
                    .map(short),
            );
            out.push(
                Finding::error(
                    "schema/required",
                    pointer,
                    format!(
                        "{prefix}{} is required: it says which kind of {subject} this is ({options})",
                        short_str(property)
                    ),
                )
                .with_schema_pointer(schema_pointer),
            );
        }
        Selection::ByType { index } => {
            let others: Vec<String> = branches
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .map(|(_, branch)| describe(root, branch))
                .collect();
            let start = out.len();
            for inner in context.get(index).into_iter().flatten() {
                explain_with_prefix(root, inner, prefix, out);
            }
            // Say what else would have been accepted when the failure is about the union's
            // value itself (an id that is neither a hex string nor an integer), not about
            // a member of an object (a missing or unknown field of a penalty that may also
            // be null).
            for finding in &mut out[start..] {
                let about_a_member = matches!(
                    finding.rule,
                    "schema/required" | "schema/additionalProperties"
                );
                if finding.pointer == pointer && !others.is_empty() && !about_a_member {
                    finding
                        .message
                        .push_str(&format!(" (or be {})", or_list(&others)));
                }
            }
        }
        Selection::NoType => out.push(own(format!(
            "{subject} must be {}, found {}",
            describe(root, union),
            found(instance)
        ))),
        Selection::Ambiguous => {
            // Several branches take this type: report the branch that came closest (the
            // fewest errors), which is the likeliest intent.
            let closest = context
                .iter()
                .enumerate()
                .min_by_key(|(_, errors)| errors.len())
                .map(|(index, _)| index);
            match closest.and_then(|index| context.get(index)) {
                Some(errors) if !errors.is_empty() => {
                    for inner in errors {
                        explain_with_prefix(root, inner, prefix, out);
                    }
                }
                _ => out.push(own(format!(
                    "{subject} must be {}, found {}",
                    describe(root, union),
                    found(instance)
                ))),
            }
        }
    }
}

/// How many items an array value has, for messages.
fn array_length(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// What one item of a list is called: `message` for `messages`, else `item`.
fn item_noun(subject: &str) -> &str {
    subject
        .strip_suffix('s')
        .filter(|noun| !noun.is_empty() && !noun.contains(['[', '"']))
        .unwrap_or("item")
}

/// `one message with role "user" or "assistant"` for a `contains` schema that pins a
/// property with `enum` or `const`; `an item matching ...` otherwise.
fn describe_contained(root: &Value, noun: &str, node: &Value) -> String {
    let node = resolve(root, node);
    let pinned = node
        .get("properties")
        .and_then(Value::as_object)
        .and_then(|properties| {
            properties.iter().find_map(|(property, schema)| {
                let schema = resolve(root, schema);
                let values = match (schema.get("const"), schema.get("enum")) {
                    (Some(constant), _) => vec![short(constant)],
                    (None, Some(Value::Array(options))) => options.iter().map(short).collect(),
                    _ => return None,
                };
                Some(format!("{property} {}", or_list(values)))
            })
        });
    match pinned {
        Some(pinned) => format!("one {noun} with {pinned}"),
        None => format!("one {noun} that is {}", describe(root, node)),
    }
}

/// A declared property that `unexpected` is probably a misspelling of: the same name up
/// to case, `_` and `-` (`max_tokens` for `maxTokens`), or one or two edits away.
fn suggest<'a>(unexpected: &str, declared: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    let normal = |name: &str| {
        name.chars()
            .filter(|character| *character != '_' && *character != '-')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let wanted = normal(unexpected);
    let mut best: Option<(usize, &str)> = None;
    for candidate in declared {
        let distance = if normal(candidate) == wanted {
            0
        } else {
            edit_distance(&wanted, &normal(candidate))
        };
        // Short names are too close to too many others to guess from edits.
        let allowed = match wanted.chars().count() {
            0..4 => 0,
            4..6 => 1,
            _ => 2,
        };
        if distance <= allowed && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two short names.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (row, left_char) in left.chars().enumerate() {
        let mut current = vec![row + 1; right.len() + 1];
        for (column, right_char) in right.iter().enumerate() {
            let substitution = previous[column] + usize::from(left_char != *right_char);
            current[column + 1] = substitution
                .min(previous[column + 1] + 1)
                .min(current[column] + 1);
        }
        previous = current;
    }
    previous[right.len()]
}

#[cfg(test)]
mod tests;
