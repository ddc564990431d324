//! The comparison by documents: instances generated from one version (random ones and
//! boundary probes) that the other version rejects, grouped by where and why they are
//! rejected, each group with a minimal example.

use std::collections::BTreeMap;

use ai21_validate::{Finding, explain_schema_errors};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value};

use crate::probe::probe_schemas;
use crate::{Direction, Error};

/// One version's schema, compiled, with the documents generated from it.
pub(crate) struct Version<'a> {
    pub(crate) schema: &'a Value,
    compiled: jsonschema::Validator,
    /// The schema with every object that declares properties closed to others: what a
    /// consumer that refuses unknown members accepts.
    closed: Option<(Value, jsonschema::Validator)>,
}

impl<'a> Version<'a> {
    pub(crate) fn new(schema: &'a Value, place: &str, with_closed: bool) -> Result<Self, Error> {
        let compile = |schema: &Value| {
            jsonschema::draft202012::new(schema).map_err(|error| Error::Schema {
                place: place.to_owned(),
                reason: error.to_string(),
            })
        };
        let compiled = compile(schema)?;
        let closed = if with_closed {
            let mut closed = schema.clone();
            close(&mut closed);
            let compiled = compile(&closed)?;
            Some((closed, compiled))
        } else {
            None
        };
        Ok(Version {
            schema,
            compiled,
            closed,
        })
    }

    fn accepts(&self, document: &Value) -> bool {
        self.compiled.is_valid(document)
    }

    fn findings(&self, document: &Value) -> Vec<Finding> {
        explain_schema_errors(self.schema, &self.compiled, document)
    }

    /// The members of `document` this version does not declare and accepts only because
    /// its objects are open: what the closed schema reports beyond `findings` (the open
    /// schema's).
    fn unknown_members(&self, document: &Value, findings: &[Finding]) -> Vec<Finding> {
        let Some((schema, compiled)) = &self.closed else {
            return Vec::new();
        };
        if compiled.is_valid(document) {
            return Vec::new();
        }
        explain_schema_errors(schema, compiled, document)
            .into_iter()
            .filter(|finding| finding.rule == "schema/additionalProperties")
            .filter(|finding| {
                !findings.iter().any(|open| {
                    open.rule == finding.rule
                        && open.pointer == finding.pointer
                        && open.message == finding.message
                })
            })
            .collect()
    }
}

/// Closes every object schema that declares properties and says nothing of others.
fn close(node: &mut Value) {
    use crate::keyword::{SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONE};
    let Value::Object(map) = node else { return };
    if map.contains_key("properties") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    for (keyword, value) in map.iter_mut() {
        match value {
            Value::Object(members) if SCHEMA_MAPS.contains(&keyword.as_str()) => {
                members.values_mut().for_each(close);
            }
            Value::Array(branches) if SCHEMA_LISTS.contains(&keyword.as_str()) => {
                branches.iter_mut().for_each(close);
            }
            _ if SCHEMA_ONE.contains(&keyword.as_str()) => close(value),
            _ => {}
        }
    }
}

/// How many documents were generated from one version and how many the other rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Random documents generated (all valid against their version).
    pub random: usize,
    /// Boundary probes kept (valid against their version).
    pub probes: usize,
    /// Of all those, the documents the other version rejects.
    pub rejected: usize,
    /// Of the others, the documents only a consumer refusing unknown members would reject
    /// (responses only).
    pub unknown_members: usize,
}

/// A group of documents one version accepts and the other rejects for the same reason.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) direction: Direction,
    /// Only a consumer that refuses unknown members rejects these.
    pub(crate) unknown_member: bool,
    pub(crate) rule: String,
    pub(crate) pointer: String,
    pub(crate) detail: Option<String>,
    pub(crate) seen: usize,
    /// The minimal example, the finding on it, and the rejecting schema's location.
    pub(crate) example: Value,
    pub(crate) finding: Finding,
}

/// Candidate examples kept per group before minimising.
const CANDIDATES: usize = 4;

/// Documents generated from `from` that `to` rejects, grouped.
pub(crate) fn rejected(
    from: &Version<'_>,
    to: &Version<'_>,
    other_schema: &Value,
    direction: Direction,
    cases: usize,
    seed: u64,
    place: &str,
) -> Result<(Vec<Group>, Tally), Error> {
    let mut tally = Tally::default();
    let mut documents = draw(from.schema, seed, cases).map_err(|reason| Error::Generate {
        place: place.to_owned(),
        reason,
    })?;
    tally.random = documents.len();
    for (index, probe) in probe_schemas(from.schema, other_schema).iter().enumerate() {
        // A probe the generator cannot satisfy (a pinned value its own version refuses
        // elsewhere) is simply not a document of that version.
        let Ok(found) = draw(
            probe,
            seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9),
            2,
        ) else {
            continue;
        };
        for document in found {
            if from.accepts(&document) {
                tally.probes += 1;
                documents.push(document);
            }
        }
    }
    let mut groups: BTreeMap<Key, (usize, Vec<(usize, Value)>)> = BTreeMap::new();
    for document in &documents {
        let mut keys: Vec<Key> = Vec::new();
        let findings = if to.accepts(document) {
            Vec::new()
        } else {
            tally.rejected += 1;
            to.findings(document)
        };
        keys.extend(
            findings
                .iter()
                .map(|finding| Key::of(finding, document, false)),
        );
        let unknown = to.unknown_members(document, &findings);
        if !unknown.is_empty() && findings.is_empty() {
            tally.unknown_members += 1;
        }
        keys.extend(
            unknown
                .iter()
                .map(|finding| Key::of(finding, document, true)),
        );
        keys.sort();
        keys.dedup();
        let weight = keys.len();
        for key in keys {
            let entry = groups.entry(key).or_default();
            entry.0 += 1;
            entry.1.push((weight, document.clone()));
            // The candidates rejected for the fewest other reasons, then the smallest.
            entry
                .1
                .sort_by_key(|(weight, candidate)| (*weight, candidate.to_string().len()));
            entry.1.truncate(CANDIDATES);
        }
    }
    let mut out = Vec::new();
    for (key, (seen, candidates)) in groups {
        let mut best: Option<(usize, usize, Value)> = None;
        for (_, candidate) in candidates {
            // A candidate rejected for this reason alone stays so while it shrinks.
            let alone = key.alone_in(to, &candidate);
            let holds = |document: &Value| -> bool {
                from.accepts(document)
                    && if alone {
                        key.alone_in(to, document)
                    } else {
                        key.found_in(to, document)
                    }
            };
            let small = minimise(candidate, &holds);
            let others = key.others_in(to, &small);
            let size = small.to_string().len();
            if best
                .as_ref()
                .is_none_or(|(fewest, smallest, _)| (others, size) < (*fewest, *smallest))
            {
                best = Some((others, size, small));
            }
        }
        let Some((_, _, example)) = best else {
            continue;
        };
        let Some(finding) = key.findings_in(to, &example).into_iter().next() else {
            continue;
        };
        out.push(Group {
            direction,
            unknown_member: key.unknown_member,
            rule: key.rule.clone(),
            pointer: key.pointer.clone(),
            detail: key.detail.clone(),
            seen,
            example,
            finding,
        });
    }
    Ok((out, tally))
}

/// What makes two rejections the same change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    unknown_member: bool,
    rule: String,
    /// The instance pointer with array indexes as `*`.
    pointer: String,
    /// What else tells rejections at one place apart: the unknown or missing member's
    /// message, or the type found.
    detail: Option<String>,
}

impl Key {
    fn of(finding: &Finding, document: &Value, unknown_member: bool) -> Key {
        let detail = match finding.rule {
            "schema/additionalProperties" | "schema/required" => Some(finding.message.clone()),
            "schema/type" => document
                .pointer(&finding.pointer)
                .map(|value| ai21_validate::walk::type_of(value).to_owned()),
            _ => None,
        };
        Key {
            unknown_member,
            rule: finding.rule.to_owned(),
            pointer: wildcard(&finding.pointer, document),
            detail,
        }
    }

    /// Every finding of `to` on `document`, the unknown members among them.
    fn all_in(to: &Version<'_>, document: &Value) -> Vec<(Finding, bool)> {
        let findings = if to.accepts(document) {
            Vec::new()
        } else {
            to.findings(document)
        };
        let unknown = to.unknown_members(document, &findings);
        findings
            .into_iter()
            .map(|finding| (finding, false))
            .chain(unknown.into_iter().map(|finding| (finding, true)))
            .collect()
    }

    fn findings_in(&self, to: &Version<'_>, document: &Value) -> Vec<Finding> {
        Key::all_in(to, document)
            .into_iter()
            .filter(|(finding, unknown)| Key::of(finding, document, *unknown) == *self)
            .map(|(finding, _)| finding)
            .collect()
    }

    fn found_in(&self, to: &Version<'_>, document: &Value) -> bool {
        !self.findings_in(to, document).is_empty()
    }

    /// How many findings of `to` on `document` are for other reasons.
    fn others_in(&self, to: &Version<'_>, document: &Value) -> usize {
        Key::all_in(to, document)
            .iter()
            .filter(|(finding, unknown)| Key::of(finding, document, *unknown) != *self)
            .count()
    }

    /// Whether `to` rejects `document` for this reason and no other.
    fn alone_in(&self, to: &Version<'_>, document: &Value) -> bool {
        self.found_in(to, document) && self.others_in(to, document) == 0
    }
}

/// `pointer` with every index into an array of `document` written `*`.
pub(crate) fn wildcard(pointer: &str, document: &Value) -> String {
    let mut out = String::new();
    let mut node = Some(document);
    for segment in pointer.split('/').skip(1) {
        let is_array = matches!(node, Some(Value::Array(_)));
        node = node.and_then(|value| match value {
            Value::Array(items) => segment
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get(index)),
            Value::Object(map) => map.get(&segment.replace("~1", "/").replace("~0", "~")),
            _ => None,
        });
        out.push('/');
        out.push_str(if is_array { "*" } else { segment });
    }
    out
}

/// `count` documents from the generator for `schema`, the same for the same seed.
fn draw(schema: &Value, seed: u64, count: usize) -> Result<Vec<Value>, String> {
    let strategy =
        ai21_generate::instance::schema_strategy(schema).map_err(|error| error.to_string())?;
    // XorShift, not ChaCha: the same documents on every machine either way, and ChaCha's
    // rounds were most of a debug build's time (the tests run one).
    let mut seed_bytes = [0x5Au8; 16];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::XorShift, &seed_bytes),
    );
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .map(|tree| tree.current())
                .map_err(|reason| reason.to_string())
        })
        .collect()
}

/// Attempts at a smaller document before the minimiser stops.
const MAX_ATTEMPTS: usize = 2000;

/// The smallest document found from `document` for which `holds` stays true: members and
/// items removed, texts cut to their first word, one edit at a time.
fn minimise(mut document: Value, holds: &dyn Fn(&Value) -> bool) -> Value {
    let mut attempts = 0;
    'outer: loop {
        for edit in edits(&document) {
            attempts += 1;
            if attempts > MAX_ATTEMPTS {
                break 'outer;
            }
            let mut smaller = document.clone();
            if edit.apply(&mut smaller) && holds(&smaller) {
                document = smaller;
                continue 'outer;
            }
        }
        break;
    }
    smallest_numbers(document, holds)
}

enum Edit {
    Remove(String),
    Shorten(String, String),
}

impl Edit {
    fn apply(&self, document: &mut Value) -> bool {
        match self {
            Edit::Remove(pointer) => {
                let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
                let key = last.replace("~1", "/").replace("~0", "~");
                match document.pointer_mut(parent) {
                    Some(Value::Object(map)) => map.remove(&key).is_some(),
                    Some(Value::Array(items)) => match key.parse::<usize>() {
                        Ok(index) if index < items.len() => {
                            items.remove(index);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                }
            }
            Edit::Shorten(pointer, text) => match document.pointer_mut(pointer) {
                Some(value) => {
                    *value = Value::String(text.clone());
                    true
                }
                None => false,
            },
        }
    }
}

/// `document` with each number brought as close to zero as `holds` allows: by bisection
/// over whole numbers, then over hundredths below the whole number found, so an example
/// shows the first value that crosses a bound (`4097` past a `maximum` of 4096, `1.01`
/// past a `maximum` of 1) rather than a random one. A field that takes only integers
/// refuses the hundredths, so it keeps the whole number.
fn smallest_numbers(mut document: Value, holds: &dyn Fn(&Value) -> bool) -> Value {
    let mut numbers = Vec::new();
    numbers_in(&document, String::new(), &mut numbers);
    for (pointer, value) in numbers {
        if !value.is_finite() || value.abs() > 1e13 || value == 0.0 {
            continue;
        }
        let sign = value.signum();
        let write = |document: &Value, hundredths: f64| {
            let mut trial = document.clone();
            if let Some(slot) = trial.pointer_mut(&pointer) {
                *slot = if hundredths % 100.0 == 0.0 {
                    #[allow(clippy::cast_possible_truncation, reason = "whole and below 1e13")]
                    let whole = (sign * hundredths / 100.0) as i64;
                    Value::from(whole)
                } else {
                    Value::from(sign * hundredths / 100.0)
                };
            }
            trial
        };
        // The value in hundredths, and the smallest number of them that still holds,
        // first in steps of a whole number, then of a hundredth.
        let exact = (value.abs() * 100.0).round();
        let mut best = exact;
        for step in [100.0, 1.0] {
            let mut low = if step == 100.0 { -100.0 } else { best - 100.0 };
            let mut high = if step == 100.0 {
                (exact / 100.0).ceil() * 100.0
            } else {
                best
            };
            if low < -step {
                low = -step;
            }
            let trial = write(&document, high);
            if high != best && !holds(&trial) {
                continue;
            }
            while high - low > step {
                let middle = low + ((high - low) / step / 2.0).floor().max(1.0) * step;
                if middle >= high {
                    break;
                }
                let trial = write(&document, middle);
                if middle >= 0.0 && holds(&trial) {
                    high = middle;
                } else {
                    low = middle;
                }
            }
            let trial = write(&document, high);
            if holds(&trial) {
                best = high;
                document = trial;
            }
        }
    }
    document
}

fn numbers_in(value: &Value, pointer: String, out: &mut Vec<(String, f64)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                numbers_in(
                    inner,
                    format!("{pointer}/{}", crate::keyword::escape(key)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                numbers_in(inner, format!("{pointer}/{index}"), out);
            }
        }
        Value::Number(number) => {
            if let Some(float) = number.as_f64() {
                out.push((pointer, float));
            }
        }
        _ => {}
    }
}

/// Every single edit that makes `document` smaller, largest first.
fn edits(document: &Value) -> Vec<Edit> {
    let mut out = Vec::new();
    collect(document, String::new(), &mut out);
    out
}

fn collect(value: &Value, pointer: String, out: &mut Vec<Edit>) {
    match value {
        Value::Object(map) => {
            let members: &Map<String, Value> = map;
            for (key, inner) in members {
                let here = format!("{pointer}/{}", crate::keyword::escape(key));
                out.push(Edit::Remove(here.clone()));
                collect(inner, here, out);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate().rev() {
                let here = format!("{pointer}/{index}");
                out.push(Edit::Remove(here.clone()));
                collect(inner, here, out);
            }
        }
        Value::String(text) => {
            let first: String = text.split_whitespace().next().unwrap_or("").to_owned();
            if first.len() < text.len() {
                out.push(Edit::Shorten(pointer.clone(), first.clone()));
            }
            if first.chars().count() > 1 {
                out.push(Edit::Shorten(pointer, first.chars().take(1).collect()));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn indexes_into_arrays_become_wildcards() {
        let document = json!({"messages": [{"content": 1}, {"content": 2}], "3": {"a": 1}});
        assert_eq!(
            wildcard("/messages/1/content", &document),
            "/messages/*/content"
        );
        assert_eq!(wildcard("/3/a", &document), "/3/a");
    }

    #[test]
    fn the_minimiser_keeps_only_what_the_property_needs() {
        let document = json!({"a": "one two three", "b": [1, 2, 3], "t": 2});
        let small = minimise(document, &|document: &Value| {
            document.get("t") == Some(&json!(2))
        });
        assert_eq!(small, json!({"t": 2}));
        let past = minimise(json!({"t": 49817, "u": 1.77}), &|document: &Value| {
            document["t"].as_i64().is_some_and(|t| t > 4096)
                && document["u"].as_f64().is_some_and(|u| u > 1.0)
        });
        assert_eq!(past, json!({"t": 4097, "u": 1.01}));
    }

    #[test]
    fn closing_a_schema_closes_every_object_with_properties() {
        let mut schema = json!({
            "properties": {"a": {"properties": {"b": {}, "properties": {"type": "object"}}}},
            "$defs": {"D": {"properties": {}, "additionalProperties": true}}
        });
        close(&mut schema);
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(
            schema["properties"]["a"]["additionalProperties"],
            json!(false)
        );
        assert_eq!(schema["$defs"]["D"]["additionalProperties"], json!(true));
        // A property named `properties` is a schema, not a keyword.
        assert_eq!(
            schema["properties"]["a"]["properties"]["properties"],
            json!({"type": "object"})
        );
    }
}
