//! Reading a canonical schema as data: following `$ref`s into `$defs`, telling which
//! `oneOf`/`anyOf` branch an instance was meant for, and describing a schema in words.
//!
//! The error explanations, the drift walk and the mutations all choose branches the same
//! way, so a mutation's expected finding is the one the validator reports:
//!
//! 1. by discriminator: a property that every branch pins with `const` (`reason` in a J2
//!    finish reason, `role` in a chat message); the branch whose constant the instance
//!    carries is the one meant;
//! 2. otherwise by type: the one branch whose `type` accepts the instance's JSON type.

use ai21_tape::View;
use serde_json::Value;

use crate::describe::{a_type, or_list, type_of, types_plural};

/// How many `$ref`s in a row are followed before giving up (our schemas need one).
const MAX_REF_CHAIN: usize = 16;

/// The node a local reference (`#/$defs/Name`) points at, if any.
pub fn ref_target<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// The node itself, or what its `$ref` chain points at.
pub fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_CHAIN {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| ref_target(root, reference))
        {
            Some(target) => node = target,
            None => return node,
        }
    }
    node
}

/// The JSON types a node accepts, from `type`, `const` or `enum`; `None` when the node
/// does not restrict the type (for example a union, described by its branches).
pub fn accepted_types(root: &Value, node: &Value) -> Option<Vec<&'static str>> {
    let node = resolve(root, node);
    if let Some(types) = node.get("type") {
        return Some(match types {
            Value::String(name) => vec![static_type(name)],
            Value::Array(names) => names
                .iter()
                .filter_map(Value::as_str)
                .map(static_type)
                .collect(),
            _ => return None,
        });
    }
    if let Some(constant) = node.get("const") {
        return Some(vec![type_of(constant)]);
    }
    if let Some(Value::Array(options)) = node.get("enum") {
        let mut types: Vec<&'static str> = options.iter().map(type_of).collect();
        types.dedup();
        return Some(types);
    }
    None
}

fn static_type(name: &str) -> &'static str {
    match name {
        "null" => "null",
        "boolean" => "boolean",
        "integer" => "integer",
        "number" => "number",
        "string" => "string",
        "array" => "array",
        "object" => "object",
        _ => "unknown",
    }
}

/// Whether a value of JSON type `found` (from [`type_of`]) is accepted by `types`;
/// integers are numbers.
pub fn type_accepts(types: &[&str], found: &str) -> bool {
    types
        .iter()
        .any(|accepted| *accepted == found || (*accepted == "number" && found == "integer"))
}

/// The branches of a union node (its `oneOf` or `anyOf`), with the keyword.
pub fn union_branches(node: &Value) -> Option<(&'static str, &Vec<Value>)> {
    if let Some(Value::Array(branches)) = node.get("oneOf") {
        return Some(("oneOf", branches));
    }
    if let Some(Value::Array(branches)) = node.get("anyOf") {
        return Some(("anyOf", branches));
    }
    None
}

/// The constant a branch pins `property` to, if it does.
pub(crate) fn branch_constant<'a>(
    root: &'a Value,
    branch: &'a Value,
    property: &str,
) -> Option<&'a Value> {
    let branch = resolve(root, branch);
    let property = resolve(root, branch.get("properties")?.get(property)?);
    property.get("const")
}

/// The property every branch pins with `const`, if there is one: the union's
/// discriminator.
pub(crate) fn discriminator<'a>(root: &'a Value, branches: &'a [Value]) -> Option<&'a str> {
    let first = resolve(root, branches.first()?);
    let properties = first.get("properties")?.as_object()?;
    properties
        .keys()
        .find(|property| {
            branches
                .iter()
                .all(|branch| branch_constant(root, branch, property).is_some())
        })
        .map(String::as_str)
}

/// How the branch meant for an instance was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Selection<'a> {
    /// The instance's discriminator property has the branch's constant.
    Discriminated {
        /// The discriminator property.
        property: &'a str,
        /// The branch's index.
        index: usize,
    },
    /// The instance carries the discriminator property, but no branch has its value.
    UnknownDiscriminator {
        /// The discriminator property.
        property: &'a str,
    },
    /// The instance is an object without the discriminator property.
    MissingDiscriminator {
        /// The discriminator property.
        property: &'a str,
    },
    /// Exactly one branch accepts the instance's JSON type.
    ByType {
        /// The branch's index.
        index: usize,
    },
    /// No branch accepts the instance's JSON type.
    NoType,
    /// Several branches accept the type and nothing tells them apart.
    Ambiguous,
}

/// Which branch of a union `instance` was meant for.
pub(crate) fn select<'a>(
    root: &'a Value,
    branches: &'a [Value],
    instance: &Value,
) -> Selection<'a> {
    Union::new(root, branches).select(instance)
}

/// A union's branches, read once: what [`select`] needs to choose among them, so a walk
/// that meets the same union many times (every token of a J2 response) reads its schema
/// once.
#[derive(Debug, Clone)]
pub(crate) struct Union<'a> {
    /// The discriminator property, with the constant each branch pins it to.
    discriminator: Option<(&'a str, Vec<Option<&'a Value>>)>,
    /// The JSON types each branch accepts (`None`: it does not restrict the type).
    types: Vec<Option<Vec<&'static str>>>,
}

impl<'a> Union<'a> {
    /// Reads the branches of a union of `root`.
    pub(crate) fn new(root: &'a Value, branches: &'a [Value]) -> Union<'a> {
        Union {
            discriminator: discriminator(root, branches).map(|property| {
                let constants = branches
                    .iter()
                    .map(|branch| branch_constant(root, branch, property))
                    .collect();
                (property, constants)
            }),
            types: branches
                .iter()
                .map(|branch| accepted_types(root, branch))
                .collect(),
        }
    }

    /// Which branch `instance` was meant for.
    pub(crate) fn select<'v>(&self, instance: impl View<'v>) -> Selection<'a> {
        if let (Some((property, constants)), true) = (&self.discriminator, instance.is_object()) {
            let property = *property;
            return match instance.get(property) {
                Some(value) => constants
                    .iter()
                    .position(|constant| constant.is_some_and(|constant| equal(constant, value)))
                    .map_or(Selection::UnknownDiscriminator { property }, |index| {
                        Selection::Discriminated { property, index }
                    }),
                None => Selection::MissingDiscriminator { property },
            };
        }
        let found = type_of(instance);
        let mut accepting = self.types.iter().enumerate().filter(|(_, types)| {
            types
                .as_ref()
                .is_none_or(|types| type_accepts(types, found))
        });
        match (accepting.next(), accepting.next()) {
            (Some((index, _)), None) => Selection::ByType { index },
            (None, _) => Selection::NoType,
            (Some(_), Some(_)) => Selection::Ambiguous,
        }
    }
}

/// Whether `value` is `constant` (as `serde_json::Value`'s `==` says), without building a
/// tree for the usual constant, a string.
fn equal<'v>(constant: &Value, value: impl View<'v>) -> bool {
    match constant {
        Value::String(constant) => value.as_str() == Some(constant.as_str()),
        Value::Bool(constant) => value.as_bool() == Some(*constant),
        Value::Null => value.is_null(),
        _ => value.to_value() == *constant,
    }
}

/// The branch meant for `instance`, resolved, when one can be told apart.
pub fn selected_branch<'a>(
    root: &'a Value,
    branches: &'a [Value],
    instance: &Value,
) -> Option<&'a Value> {
    match select(root, branches, instance) {
        Selection::Discriminated { index, .. } | Selection::ByType { index } => {
            branches.get(index).map(|branch| resolve(root, branch))
        }
        _ => None,
    }
}

/// What a schema node accepts, in words: `a string`, `a list of strings`,
/// `a list of TopToken objects or null`, `a Usage object`, `"stop"`.
pub(crate) fn describe(root: &Value, node: &Value) -> String {
    let node = resolve(root, node);
    if let Some((_, branches)) = union_branches(node) {
        return or_list(branches.iter().map(|branch| describe(root, branch)));
    }
    if let Some(constant) = node.get("const") {
        return constant.to_string();
    }
    if let Some(Value::Array(options)) = node.get("enum") {
        return or_list(options.iter().map(Value::to_string));
    }
    match accepted_types(root, node) {
        Some(types) => or_list(
            types
                .iter()
                .map(|type_name| describe_type(root, node, type_name)),
        ),
        None => "any value".to_owned(),
    }
}

fn describe_type(root: &Value, node: &Value, type_name: &str) -> String {
    match type_name {
        "array" => match node.get("items") {
            Some(items) => format!("a list of {}", describe_plural(root, items)),
            None => "a list".to_owned(),
        },
        "object" => match node.get("title").and_then(Value::as_str) {
            Some(title) => format!("a {title} object"),
            None => "an object".to_owned(),
        },
        other => a_type(other).to_owned(),
    }
}

fn describe_plural(root: &Value, node: &Value) -> String {
    let node = resolve(root, node);
    if let Some((_, branches)) = union_branches(node) {
        return or_list(branches.iter().map(|branch| describe_plural(root, branch)));
    }
    match accepted_types(root, node) {
        Some(types) => or_list(types.iter().map(|type_name| {
            match (*type_name, node.get("title").and_then(Value::as_str)) {
                ("object", Some(title)) => format!("{title} objects"),
                (other, _) => types_plural(other).to_owned(),
            }
        })),
        None => "values".to_owned(),
    }
}

#[cfg(test)]
mod tests;
