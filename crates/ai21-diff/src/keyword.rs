//! The keyword-level summary: what changed where in the schema documents, keyword by
//! keyword, as a reviewer reads a schema's diff, with the verdict a keyword-only
//! comparison (such as oasdiff's) would give each change.

use serde::Serialize;
use serde_json::{Map, Value};

/// What a keyword is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeywordRole {
    /// It constrains instances (`maximum`, `required`, a property's schema, ...).
    Constraint,
    /// It constrains nothing (`description`, `default`, `$comment`, `title`, ...).
    Annotation,
    /// It moves or names schemas (`$ref`, a `$defs` entry): what it changes shows only
    /// through the constraints it reaches.
    Structure,
}

/// What a keyword-only comparison concludes from one change, before anyone asks which
/// documents it affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Guess {
    /// The keyword accepts less than before (a lower `maximum`, a new `required` name).
    Narrows,
    /// The keyword accepts more than before.
    Widens,
    /// The keyword changed in a way a keyword rule cannot call (a new `pattern`, a moved
    /// `$ref`).
    Unclear,
}

/// One keyword that differs between the two schema documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeywordChange {
    /// JSON Pointer into the schema documents to the keyword (or to the named member of
    /// `properties` or `$defs`), such as `/properties/temperature/maximum`.
    pub location: String,
    /// The keyword, such as `maximum` (`properties` for a property added or removed).
    pub keyword: String,
    /// Its value in the old document, absent when the old document does not have it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// Its value in the new document, absent when the new document does not have it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// What the keyword is for.
    pub role: KeywordRole,
    /// What a keyword-only comparison concludes (annotations: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guess: Option<Guess>,
}

impl KeywordChange {
    /// One line for a person: `/properties/temperature/maximum: 2 → 1`.
    pub fn describe(&self) -> String {
        let show = |value: &Value| short(&without_annotations(value), 60);
        match (&self.old, &self.new) {
            (None, Some(new)) if self.keyword == "properties" || self.keyword == "$defs" => {
                format!("{} added: {}", self.location, show(new))
            }
            (Some(_), None) if self.keyword == "properties" || self.keyword == "$defs" => {
                format!("{} removed", self.location)
            }
            (None, Some(new)) => format!("{} added: {}", self.location, show(new)),
            (Some(old), None) => format!("{} removed (was {})", self.location, show(old)),
            (Some(old), Some(new)) => match (set_of(old), set_of(new)) {
                (Some(old_set), Some(new_set)) if is_set_keyword(&self.keyword) => {
                    let added: Vec<String> = new_set
                        .iter()
                        .filter(|value| !old_set.contains(value))
                        .map(|value| show(value))
                        .collect();
                    let removed: Vec<String> = old_set
                        .iter()
                        .filter(|value| !new_set.contains(value))
                        .map(|value| show(value))
                        .collect();
                    let mut parts = Vec::new();
                    if !added.is_empty() {
                        parts.push(format!("+{}", added.join(", +")));
                    }
                    if !removed.is_empty() {
                        parts.push(format!("-{}", removed.join(", -")));
                    }
                    format!("{}: {}", self.location, parts.join(" "))
                }
                _ if self.role == KeywordRole::Annotation
                    && matches!(self.keyword.as_str(), "description" | "$comment") =>
                {
                    format!("{} changed", self.location)
                }
                _ => format!("{}: {} → {}", self.location, show(old), show(new)),
            },
            (None, None) => self.location.clone(),
        }
    }
}

/// Every keyword that differs between `old` and `new`, in document order, descending into
/// the subschemas both have.
pub fn compare(old: &Value, new: &Value) -> Vec<KeywordChange> {
    let mut out = Vec::new();
    walk(old, new, "", &mut out);
    out
}

/// The keywords whose values are subschemas keyed by name.
pub(crate) const SCHEMA_MAPS: [&str; 4] = [
    "properties",
    "$defs",
    "patternProperties",
    "dependentSchemas",
];
/// The keywords whose values are one subschema.
pub(crate) const SCHEMA_ONE: [&str; 9] = [
    "items",
    "additionalProperties",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
];
/// The keywords whose values are lists of subschemas.
pub(crate) const SCHEMA_LISTS: [&str; 4] = ["oneOf", "anyOf", "allOf", "prefixItems"];
/// The keywords that constrain nothing.
const ANNOTATIONS: [&str; 11] = [
    "description",
    "title",
    "$comment",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$id",
    "$schema",
    "x-ai21-content",
];

fn role(keyword: &str) -> KeywordRole {
    if ANNOTATIONS.contains(&keyword) || keyword.starts_with("x-") {
        KeywordRole::Annotation
    } else if keyword == "$ref" || keyword == "$defs" {
        KeywordRole::Structure
    } else {
        KeywordRole::Constraint
    }
}

fn walk(old: &Value, new: &Value, location: &str, out: &mut Vec<KeywordChange>) {
    let (Value::Object(old_map), Value::Object(new_map)) = (old, new) else {
        if old != new {
            out.push(change(location, "schema", Some(old), Some(new)));
        }
        return;
    };
    let mut keywords: Vec<&String> = old_map.keys().chain(new_map.keys()).collect();
    keywords.sort();
    keywords.dedup();
    for keyword in keywords {
        let here = format!("{location}/{}", escape(keyword));
        let (old_value, new_value) = (old_map.get(keyword), new_map.get(keyword));
        if old_value == new_value {
            continue;
        }
        match (old_value, new_value) {
            (Some(Value::Object(olds)), Some(Value::Object(news)))
                if SCHEMA_MAPS.contains(&keyword.as_str()) =>
            {
                let mut names: Vec<&String> = olds.keys().chain(news.keys()).collect();
                names.sort();
                names.dedup();
                for name in names {
                    let member = format!("{here}/{}", escape(name));
                    match (olds.get(name), news.get(name)) {
                        (Some(one), Some(other)) => walk(one, other, &member, out),
                        (one, other) => out.push(KeywordChange {
                            location: member,
                            keyword: keyword.clone(),
                            old: one.cloned(),
                            new: other.cloned(),
                            role: if keyword == "$defs" {
                                KeywordRole::Structure
                            } else {
                                KeywordRole::Constraint
                            },
                            guess: member_guess(keyword, one.is_some(), old_map, new_map),
                        }),
                    }
                }
            }
            (
                Some(one @ (Value::Object(_) | Value::Bool(_))),
                Some(other @ (Value::Object(_) | Value::Bool(_))),
            ) if SCHEMA_ONE.contains(&keyword.as_str()) => {
                if one.is_object() && other.is_object() {
                    walk(one, other, &here, out);
                } else {
                    out.push(change(&here, keyword, old_value, new_value));
                }
            }
            (Some(Value::Array(olds)), Some(Value::Array(news)))
                if SCHEMA_LISTS.contains(&keyword.as_str()) && olds.len() == news.len() =>
            {
                for (index, (one, other)) in olds.iter().zip(news).enumerate() {
                    walk(one, other, &format!("{here}/{index}"), out);
                }
            }
            _ => out.push(change(&here, keyword, old_value, new_value)),
        }
    }
}

fn change(
    location: &str,
    keyword: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> KeywordChange {
    let role = role(keyword);
    let guess = (role != KeywordRole::Annotation).then(|| guess(keyword, old, new));
    KeywordChange {
        location: location.to_owned(),
        keyword: keyword.to_owned(),
        old: old.cloned(),
        new: new.cloned(),
        role,
        guess,
    }
}

/// The keyword-only verdict on a property (or definition) added or removed: a property
/// added to a closed object widens it, removed narrows it; on an open object, it
/// constrains what was already allowed, so the rule cannot tell.
fn member_guess(
    keyword: &str,
    existed: bool,
    old_node: &Map<String, Value>,
    new_node: &Map<String, Value>,
) -> Option<Guess> {
    if keyword == "$defs" {
        return None;
    }
    let closed =
        |node: &Map<String, Value>| node.get("additionalProperties") == Some(&Value::Bool(false));
    Some(match (existed, closed(old_node), closed(new_node)) {
        (false, _, true) => Guess::Widens,
        (true, true, _) => Guess::Narrows,
        _ => Guess::Unclear,
    })
}

/// The keyword-only verdict, as oasdiff's rules give it: bounds that tighten, names that
/// become required, enum members and types that go narrow; the reverse widens.
fn guess(keyword: &str, old: Option<&Value>, new: Option<&Value>) -> Guess {
    let number = |value: Option<&Value>| value.and_then(Value::as_f64);
    match keyword {
        "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties" => {
            match (number(old), number(new)) {
                (None, Some(_)) => Guess::Narrows,
                (Some(_), None) => Guess::Widens,
                (Some(one), Some(other)) if other < one => Guess::Narrows,
                (Some(one), Some(other)) if other > one => Guess::Widens,
                _ => Guess::Unclear,
            }
        }
        "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties" => {
            match (number(old), number(new)) {
                (None, Some(_)) => Guess::Narrows,
                (Some(_), None) => Guess::Widens,
                (Some(one), Some(other)) if other > one => Guess::Narrows,
                (Some(one), Some(other)) if other < one => Guess::Widens,
                _ => Guess::Unclear,
            }
        }
        "required" => set_guess(old, new, Guess::Narrows),
        "enum" | "type" => match (old, new) {
            (None, Some(_)) => Guess::Narrows,
            (Some(_), None) => Guess::Widens,
            _ => set_guess(old, new, Guess::Widens),
        },
        "const" | "contains" | "not" => match (old, new) {
            (None, Some(_)) => Guess::Narrows,
            (Some(_), None) => Guess::Widens,
            _ => Guess::Unclear,
        },
        "additionalProperties" => match (old, new) {
            (Some(Value::Bool(false)), None | Some(Value::Bool(true))) => Guess::Widens,
            (None | Some(Value::Bool(true)), Some(Value::Bool(false))) => Guess::Narrows,
            _ => Guess::Unclear,
        },
        "oneOf" | "anyOf" => match (old.and_then(Value::as_array), new.and_then(Value::as_array)) {
            (Some(one), Some(other))
                if other.len() > one.len() && one.iter().all(|branch| other.contains(branch)) =>
            {
                Guess::Widens
            }
            (Some(one), Some(other))
                if other.len() < one.len() && other.iter().all(|branch| one.contains(branch)) =>
            {
                Guess::Narrows
            }
            _ => Guess::Unclear,
        },
        _ => Guess::Unclear,
    }
}

/// For a keyword whose value is a set (`required`, `enum`, `type`): `added` when the new
/// set only adds members, the opposite when it only removes some.
fn set_guess(old: Option<&Value>, new: Option<&Value>, added: Guess) -> Guess {
    let opposite = match added {
        Guess::Narrows => Guess::Widens,
        Guess::Widens => Guess::Narrows,
        Guess::Unclear => Guess::Unclear,
    };
    let (Some(old), Some(new)) = (old.and_then(set_of), new.and_then(set_of)) else {
        return match (old, new) {
            (None, Some(_)) => added,
            (Some(_), None) => opposite,
            _ => Guess::Unclear,
        };
    };
    let grows = new.iter().any(|value| !old.contains(value));
    let shrinks = old.iter().any(|value| !new.contains(value));
    match (grows, shrinks) {
        (true, false) => added,
        (false, true) => opposite,
        _ => Guess::Unclear,
    }
}

fn is_set_keyword(keyword: &str) -> bool {
    matches!(keyword, "required" | "enum" | "type" | "oneOf" | "anyOf")
}

/// A keyword's value as a set: a list's members, or a single value.
fn set_of(value: &Value) -> Option<Vec<&Value>> {
    match value {
        Value::Array(values) => Some(values.iter().collect()),
        Value::String(_) => Some(vec![value]),
        _ => None,
    }
}

/// A schema without the keywords that constrain nothing, to show what it accepts.
fn without_annotations(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(keyword, _)| role(keyword) != KeywordRole::Annotation)
                .map(|(keyword, inner)| {
                    let inner = if SCHEMA_MAPS.contains(&keyword.as_str()) {
                        match inner {
                            Value::Object(members) => Value::Object(
                                members
                                    .iter()
                                    .map(|(name, schema)| {
                                        (name.clone(), without_annotations(schema))
                                    })
                                    .collect(),
                            ),
                            other => other.clone(),
                        }
                    } else if SCHEMA_ONE.contains(&keyword.as_str())
                        || SCHEMA_LISTS.contains(&keyword.as_str())
                    {
                        match inner {
                            Value::Array(branches) => {
                                Value::Array(branches.iter().map(without_annotations).collect())
                            }
                            other => without_annotations(other),
                        }
                    } else {
                        inner.clone()
                    };
                    (keyword.clone(), inner)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A JSON value on one line, cut to about `limit` characters.
pub(crate) fn short(value: &Value, limit: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= limit {
        text
    } else {
        text.chars().take(limit).collect::<String>() + "…"
    }
}

/// A JSON Pointer segment (RFC 6901).
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_lower_maximum_narrows_and_a_higher_one_widens() {
        let old = json!({"properties": {"t": {"maximum": 2}}});
        let new = json!({"properties": {"t": {"maximum": 1}}});
        let changes = compare(&old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].location, "/properties/t/maximum");
        assert_eq!(changes[0].guess, Some(Guess::Narrows));
        assert_eq!(changes[0].describe(), "/properties/t/maximum: 2 → 1");
        assert_eq!(compare(&new, &old)[0].guess, Some(Guess::Widens));
    }

    #[test]
    fn a_property_added_to_a_closed_object_widens_it() {
        let old = json!({"additionalProperties": false, "properties": {"a": {}}});
        let new = json!({"additionalProperties": false, "properties": {"a": {}, "b": {"type": "integer", "description": "B."}}});
        let changes = compare(&old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].location, "/properties/b");
        assert_eq!(changes[0].guess, Some(Guess::Widens));
        assert_eq!(
            changes[0].describe(),
            r#"/properties/b added: {"type":"integer"}"#
        );
    }

    #[test]
    fn set_keywords_show_members_added_and_removed() {
        let old = json!({"required": ["a"], "enum": ["x", "y"]});
        let new = json!({"required": ["a", "b"], "enum": ["x", "z"]});
        let changes = compare(&old, &new);
        let required = changes
            .iter()
            .find(|change| change.keyword == "required")
            .expect("as the test set it up");
        assert_eq!(required.guess, Some(Guess::Narrows));
        assert_eq!(required.describe(), "/required: +\"b\"");
        let members = changes
            .iter()
            .find(|change| change.keyword == "enum")
            .expect("as the test set it up");
        assert_eq!(members.guess, Some(Guess::Unclear));
        assert_eq!(members.describe(), "/enum: +\"z\" -\"y\"");
    }

    #[test]
    fn annotations_have_no_verdict() {
        let changes = compare(
            &json!({"default": 1, "description": "a"}),
            &json!({"default": 0.4, "description": "b"}),
        );
        assert_eq!(changes.len(), 2);
        assert!(
            changes
                .iter()
                .all(|change| change.role == KeywordRole::Annotation && change.guess.is_none())
        );
        assert_eq!(changes[0].describe(), "/default: 1 → 0.4");
        assert_eq!(changes[1].describe(), "/description changed");
    }
}
