//! Boundary probes: for every place of a schema an instance can reach, the values at the
//! edges of what either version allows there, each planted in a generated document.
//!
//! Random documents rarely sit exactly on a bound, and never beyond a bound only the
//! other version has (a `maximum` the old schema lacks). So for each schema node reached
//! through `properties`, `items` and union branches, the probes pin the node to one
//! value (each bound of this version and of the other at the same place, one step past
//! the other's bounds, each `enum` member and `const` of both, each `type` of this
//! version) or an array to one length, make the path to it present (its properties
//! required, its arrays non-empty, its union branch chosen) and let the generator fill
//! in the rest. A probe that is not valid against its own version is dropped, so every
//! probe kept is a document that version accepts.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::keyword::escape;

/// How to make the path to a node present in generated documents.
#[derive(Debug, Clone)]
enum Force {
    /// The object at `object` must have `property`.
    Require { object: String, property: String },
    /// The array at `array` must have an item.
    NonEmpty { array: String },
    /// The union at `node` (keyword `keyword`) takes only branch `index`.
    Branch {
        node: String,
        keyword: &'static str,
        index: usize,
    },
}

/// What a probe fixes the node to.
#[derive(Debug, Clone, PartialEq)]
enum Pin {
    /// One value.
    Value(Value),
    /// An array of exactly this many items.
    Items(u64),
    /// One of the node's types.
    Type(String),
}

/// A schema place an instance can reach, and how to reach it.
struct Site {
    location: String,
    forces: Vec<Force>,
}

/// How deep the walk follows the schema (the schemas are not recursive; this is a guard).
const MAX_DEPTH: usize = 24;

/// The longest string a probe writes.
const MAX_PROBE_LENGTH: u64 = 4096;

/// Every probe schema of `root` (one version), with `other` (the other version) as the
/// source of the other version's bounds at the same places: copies of `root` each of
/// which only accepts documents with one boundary value at one place.
pub(crate) fn probe_schemas(root: &Value, other: &Value) -> Vec<Value> {
    let mut sites = Vec::new();
    let mut seen = BTreeSet::new();
    walk(root, "", Vec::new(), 0, &mut seen, &mut sites);
    let mut out = Vec::new();
    for site in sites {
        let Some(node) = root.pointer(&site.location).and_then(Value::as_object) else {
            continue;
        };
        let counterpart = other.pointer(&site.location).and_then(Value::as_object);
        for pin in pins(node, counterpart) {
            let mut schema = root.clone();
            // The pin first and the forces innermost first: a force that keeps one
            // branch of a union renumbers the places inside it.
            let Some(Value::Object(target)) = schema.pointer_mut(&site.location) else {
                continue;
            };
            apply_pin(target, &pin);
            if apply_forces(&mut schema, &site.forces) {
                out.push(schema);
            }
        }
    }
    out
}

fn walk(
    root: &Value,
    location: &str,
    forces: Vec<Force>,
    depth: usize,
    seen: &mut BTreeSet<String>,
    sites: &mut Vec<Site>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(node) = root.pointer(location).and_then(Value::as_object) else {
        return;
    };
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        if let Some(target) = reference.strip_prefix('#') {
            walk(root, target, forces, depth + 1, seen, sites);
        }
        return;
    }
    if !seen.insert(location.to_owned()) {
        return;
    }
    sites.push(Site {
        location: location.to_owned(),
        forces: forces.clone(),
    });
    if let Some(Value::Object(properties)) = node.get("properties") {
        for name in properties.keys() {
            let mut inner = forces.clone();
            inner.push(Force::Require {
                object: location.to_owned(),
                property: name.clone(),
            });
            let here = format!("{location}/properties/{}", escape(name));
            walk(root, &here, inner, depth + 1, seen, sites);
        }
    }
    if node.get("items").is_some_and(Value::is_object) {
        let mut inner = forces.clone();
        inner.push(Force::NonEmpty {
            array: location.to_owned(),
        });
        walk(
            root,
            &format!("{location}/items"),
            inner,
            depth + 1,
            seen,
            sites,
        );
    }
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = node.get(keyword) else {
            continue;
        };
        if branches.iter().all(presence_only) {
            continue;
        }
        for index in 0..branches.len() {
            let mut inner = forces.clone();
            inner.push(Force::Branch {
                node: location.to_owned(),
                keyword,
                index,
            });
            let here = format!("{location}/{keyword}/{index}");
            walk(root, &here, inner, depth + 1, seen, sites);
        }
    }
}

/// A union branch that only says which properties must be present.
fn presence_only(branch: &Value) -> bool {
    branch.as_object().is_some_and(|branch| {
        branch.contains_key("required")
            && branch.keys().all(|keyword| {
                matches!(
                    keyword.as_str(),
                    "required" | "description" | "title" | "$comment"
                )
            })
    })
}

fn apply_forces(schema: &mut Value, forces: &[Force]) -> bool {
    for force in forces.iter().rev() {
        match force {
            Force::Require { object, property } => {
                let Some(Value::Object(node)) = schema.pointer_mut(object) else {
                    return false;
                };
                let required = node
                    .entry("required")
                    .or_insert_with(|| Value::Array(Vec::new()));
                let Value::Array(names) = required else {
                    return false;
                };
                let name = Value::String(property.clone());
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            Force::NonEmpty { array } => {
                let Some(Value::Object(node)) = schema.pointer_mut(array) else {
                    return false;
                };
                if node.get("maxItems").and_then(Value::as_u64) == Some(0) {
                    return false;
                }
                let least = node.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                node.insert("minItems".to_owned(), json!(least.max(1)));
            }
            Force::Branch {
                node,
                keyword,
                index,
            } => {
                let Some(Value::Object(union)) = schema.pointer_mut(node) else {
                    return false;
                };
                let Some(Value::Array(branches)) = union.get_mut(*keyword) else {
                    return false;
                };
                let Some(branch) = branches.get(*index).cloned() else {
                    return false;
                };
                *branches = vec![branch];
            }
        }
    }
    true
}

fn apply_pin(node: &mut Map<String, Value>, pin: &Pin) {
    match pin {
        Pin::Value(value) => {
            // `const` wins over every other keyword in the generator; the other keywords
            // stay, so a value the node does not accept makes a document its own
            // version rejects, and the probe is dropped.
            node.insert("const".to_owned(), value.clone());
            node.remove("enum");
        }
        Pin::Items(count) => {
            node.insert("minItems".to_owned(), json!(count));
            node.insert("maxItems".to_owned(), json!(count));
        }
        Pin::Type(name) => {
            node.insert("type".to_owned(), json!(name));
        }
    }
}

/// The pins of a node: its own edges and the other version's, at the same place.
fn pins(node: &Map<String, Value>, other: Option<&Map<String, Value>>) -> Vec<Pin> {
    let mut out: Vec<Pin> = Vec::new();
    let mut push = |pin: Pin| {
        if !out.contains(&pin) {
            out.push(pin);
        }
    };
    let types = types_of(node);
    let numeric = types
        .iter()
        .any(|name| name == "integer" || name == "number")
        || node.contains_key("minimum")
        || node.contains_key("maximum");
    let integer =
        types.iter().any(|name| name == "integer") && !types.iter().any(|name| name == "number");
    let bound = |map: &Map<String, Value>, keyword: &str| map.get(keyword).and_then(Value::as_f64);
    if numeric {
        let step = if integer { 1.0 } else { 0.5 };
        for keyword in ["minimum", "maximum"] {
            if let Some(value) = bound(node, keyword) {
                push(Pin::Value(number(value, integer)));
            }
        }
        if let Some(other) = other {
            for (keyword, beyond) in [("minimum", -step), ("maximum", step)] {
                if let Some(value) = bound(other, keyword) {
                    push(Pin::Value(number(value, integer)));
                    push(Pin::Value(number(value + beyond, integer)));
                }
            }
        }
    }
    let length = |map: &Map<String, Value>, keyword: &str| map.get(keyword).and_then(Value::as_u64);
    if types.iter().any(|name| name == "string") && !node.contains_key("pattern") {
        let mut lengths = Vec::new();
        for keyword in ["minLength", "maxLength"] {
            lengths.extend(length(node, keyword));
        }
        if let Some(other) = other {
            if let Some(value) = length(other, "minLength") {
                lengths.push(value);
                lengths.extend(value.checked_sub(1));
            }
            if let Some(value) = length(other, "maxLength") {
                lengths.push(value);
                lengths.push(value + 1);
            }
        }
        for count in lengths {
            if count <= MAX_PROBE_LENGTH {
                push(Pin::Value(Value::String(text_of_length(count))));
            }
        }
    }
    if types.iter().any(|name| name == "array") {
        let mut counts = Vec::new();
        for keyword in ["minItems", "maxItems"] {
            counts.extend(length(node, keyword));
        }
        if let Some(other) = other {
            if let Some(value) = length(other, "minItems") {
                counts.push(value);
                counts.extend(value.checked_sub(1));
            }
            if let Some(value) = length(other, "maxItems") {
                counts.push(value);
                counts.push(value + 1);
            }
        }
        for count in counts {
            if count <= 64 {
                push(Pin::Items(count));
            }
        }
    }
    for map in std::iter::once(node).chain(other) {
        if let Some(Value::Array(members)) = map.get("enum") {
            for member in members {
                push(Pin::Value(member.clone()));
            }
        }
        if let Some(constant) = map.get("const") {
            push(Pin::Value(constant.clone()));
        }
    }
    if types.len() > 1 {
        for name in types {
            push(Pin::Type(name));
        }
    }
    out
}

fn types_of(node: &Map<String, Value>) -> Vec<String> {
    match node.get("type") {
        Some(Value::String(name)) => vec![name.clone()],
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// `value` as JSON: a whole number without a fraction when the node takes integers.
fn number(value: f64, integer: bool) -> Value {
    if (integer || value.fract() == 0.0) && value.abs() < 9.0e15 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "whole and well inside i64's range"
        )]
        let whole = value.round() as i64;
        json!(whole)
    } else {
        json!(value)
    }
}

/// Text of exactly `count` code points, made of words.
fn text_of_length(count: u64) -> String {
    const FILL: &str = "lorem ipsum dolor sit amet ";
    FILL.chars()
        .cycle()
        .take(usize::try_from(count).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_bound_only_the_other_version_has_is_probed_from_both_sides() {
        let old = json!({"type": "object", "properties": {"t": {"type": "integer", "minimum": 0}}});
        let new = json!({"type": "object", "properties": {"t": {"type": "integer", "minimum": 0, "maximum": 4096}}});
        let probes = probe_schemas(&old, &new);
        let pinned: Vec<&Value> = probes
            .iter()
            .filter_map(|schema| schema.pointer("/properties/t/const"))
            .collect();
        assert!(pinned.contains(&&json!(0)), "{pinned:?}");
        assert!(pinned.contains(&&json!(4096)), "{pinned:?}");
        assert!(pinned.contains(&&json!(4097)), "{pinned:?}");
        let required = probes[1]
            .pointer("/required")
            .expect("as the test set it up");
        assert_eq!(
            required,
            &json!(["t"]),
            "the path to the pinned value is made present"
        );
    }

    #[test]
    fn union_branches_and_references_are_followed() {
        let schema = json!({
            "type": "object",
            "properties": {"m": {"type": "array", "items": {"$ref": "#/$defs/M"}}},
            "$defs": {"M": {"oneOf": [
                {"type": "object", "properties": {"role": {"const": "user"}}},
                {"type": "object", "properties": {"role": {"const": "tool"}, "n": {"maximum": 3}}}
            ]}}
        });
        let probes = probe_schemas(&schema, &schema);
        let deep = probes
            .iter()
            .find(|probe| probe.pointer("/$defs/M/oneOf/0/properties/n/const") == Some(&json!(3)))
            .expect("the second branch's bound is probed");
        assert_eq!(
            deep.pointer("/$defs/M/oneOf")
                .expect("as the test set it up")
                .as_array()
                .expect("as the test set it up")
                .len(),
            1
        );
        assert_eq!(deep.pointer("/properties/m/minItems"), Some(&json!(1)));
    }
}
