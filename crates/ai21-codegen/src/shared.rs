//! Definitions shared by several schemas, generated once.
//!
//! Every canonical schema is self-contained (typify cannot follow a reference into another
//! file), so a definition that several payloads use, such as a Jamba `ToolCall` (in a
//! request's assistant message and in a response's message) or `Usage` (in a response and
//! in the last stream chunk), is written in each schema. A definition **name** means one
//! thing across the schemas: definitions with the same name must be written identically,
//! save `$comment`s and closedness (`additionalProperties: false`, which a request's copy
//! has and a response's does not). Each such definition becomes one Rust type in a shared
//! module, which every module that uses it refers to and re-exports, so a value read from
//! a response can be put into the next request as it is.
//!
//! The shared type is open (it ignores unknown properties) when any schema's copy is open;
//! a closed copy's `additionalProperties: false` is then recorded as a constraint the
//! types of that schema leave to the validator.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::{Error, Options, Result, Unenforced};

/// The shared definitions of a set of schemas.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SharedDefinitions {
    /// Every shared definition, by name, as the shared module declares it: the first
    /// schema's copy, open when any copy is open.
    pub(crate) definitions: Map<String, Value>,
    /// For each input (by index), the shared names it uses.
    pub(crate) used_by: Vec<BTreeSet<String>>,
    /// For each input, the closedness constraints its types do not enforce.
    pub(crate) unenforced: Vec<Vec<Unenforced>>,
    /// The sources of the schemas that share at least one definition, in input order.
    pub(crate) sources: Vec<String>,
    /// The definitions from outside the set that shared definitions refer to.
    pub(crate) external: BTreeSet<String>,
}

/// Finds the definitions that several schemas share, and checks that each is written the
/// same in every schema that has it. The definitions `external[index]` names are taken
/// from outside the set by that input, so they are neither shared nor generated.
pub(crate) fn find(
    inputs: &[(&Value, &Options)],
    external: &[BTreeSet<String>],
) -> Result<SharedDefinitions> {
    let mut copies: BTreeMap<&str, Vec<(usize, &Value)>> = BTreeMap::new();
    for (index, (schema, _)) in inputs.iter().enumerate() {
        for (name, definition) in definitions(schema) {
            if external
                .get(index)
                .is_some_and(|names| names.contains(name))
            {
                continue;
            }
            copies
                .entry(name.as_str())
                .or_default()
                .push((index, definition));
        }
    }
    let shared_names: BTreeSet<&str> = copies
        .iter()
        .filter(|(_, copies)| copies.len() > 1)
        .map(|(name, _)| *name)
        .collect();

    let mut shared = SharedDefinitions {
        definitions: Map::new(),
        used_by: vec![BTreeSet::new(); inputs.len()],
        unenforced: vec![Vec::new(); inputs.len()],
        sources: Vec::new(),
        external: BTreeSet::new(),
    };
    for name in &shared_names {
        let copies = &copies[name];
        let (first_index, first) = copies[0];
        let first_normal = normalise(first);
        for &(index, copy) in &copies[1..] {
            if let Some(pointer) = first_difference(&first_normal, &normalise(copy), "") {
                return Err(Error::SharedDefinition {
                    name: (*name).to_owned(),
                    first: inputs[first_index].1.source.clone(),
                    second: inputs[index].1.source.clone(),
                    pointer,
                });
            }
        }
        // A shared definition may only refer to shared definitions, or to definitions
        // taken from outside the set: the shared module holds nothing else.
        let mut references = Vec::new();
        crate::projection::collect_references(first, &mut references);
        let taken = |reference: &str| {
            copies.iter().all(|(index, _)| {
                external
                    .get(*index)
                    .is_some_and(|names| names.contains(reference))
            })
        };
        for reference in &references {
            if !shared_names.contains(reference.as_str()) && taken(reference) {
                shared.external.insert(reference.clone());
            }
        }
        if let Some(missing) = references
            .iter()
            .find(|reference| !shared_names.contains(reference.as_str()) && !taken(reference))
        {
            return Err(Error::Unsupported {
                schema: inputs[first_index].1.source.clone(),
                pointer: format!("/$defs/{name}"),
                message: format!(
                    "{name} is defined in several schemas, so it is shared, but it refers to #/$defs/{missing}, which is not; give {missing} the same definition in the same schemas"
                ),
            });
        }
        let any_open = copies.iter().any(|(_, copy)| !closed(copy));
        let mut declared = first.clone();
        if any_open && let Some(object) = declared.as_object_mut() {
            object.remove("additionalProperties");
        }
        shared.definitions.insert((*name).to_owned(), declared);
        for &(index, copy) in copies {
            shared.used_by[index].insert((*name).to_owned());
            if any_open && closed(copy) {
                shared.unenforced[index].push(Unenforced {
                    pointer: format!("/$defs/{name}"),
                    keyword: "additionalProperties".to_owned(),
                    value: Value::Bool(false),
                });
            }
        }
    }
    shared.sources = inputs
        .iter()
        .enumerate()
        .filter(|(index, _)| !shared.used_by[*index].is_empty())
        .map(|(_, (_, options))| options.source.clone())
        .collect();
    Ok(shared)
}

/// A value without its `$comment`s, at any depth.
pub(crate) fn without_comments(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(key, _)| key.as_str() != "$comment")
                .map(|(key, value)| (key.clone(), without_comments(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_comments).collect()),
        other => other.clone(),
    }
}

pub(crate) fn definitions(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("$defs")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// Whether an object definition rejects unknown properties.
fn closed(definition: &Value) -> bool {
    definition.get("additionalProperties") == Some(&Value::Bool(false))
}

/// A definition without what may differ between copies: `$comment`s anywhere, and the
/// top level's closedness.
fn normalise(definition: &Value) -> Value {
    let mut normal = without_comments(definition);
    if let Some(object) = normal.as_object_mut() {
        object.remove("additionalProperties");
    }
    normal
}

/// The JSON Pointer of the first place where two values differ.
fn first_difference(left: &Value, right: &Value, pointer: &str) -> Option<String> {
    match (left, right) {
        (Value::Object(left), Value::Object(right)) => {
            let keys: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
            keys.into_iter().find_map(|key| {
                let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (left.get(key), right.get(key)) {
                    (Some(left), Some(right)) => first_difference(left, right, &at),
                    _ => Some(at),
                }
            })
        }
        (Value::Array(left), Value::Array(right)) if left.len() == right.len() => left
            .iter()
            .zip(right)
            .enumerate()
            .find_map(|(index, (left, right))| {
                first_difference(left, right, &format!("{pointer}/{index}"))
            }),
        _ => (left != right).then(|| pointer.to_owned()),
    }
}

/// The names of the items of a generated shared module that `roots` need: the roots and
/// every type of the file they refer to, transitively. A module re-exports them, so paths
/// such as `jamba_chat_response::ToolCallType` keep working.
pub(crate) fn closure(file: &syn::File, roots: &BTreeSet<String>) -> BTreeSet<String> {
    use syn::visit::Visit;

    struct Names<'a> {
        known: &'a BTreeSet<String>,
        found: BTreeSet<String>,
    }
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            if let Some(segment) = path.segments.last() {
                let name = segment.ident.to_string();
                if self.known.contains(&name) {
                    self.found.insert(name);
                }
            }
            syn::visit::visit_path(self, path);
        }
    }

    let mut types: BTreeMap<String, Vec<&syn::Item>> = BTreeMap::new();
    for item in &file.items {
        let name = match item {
            syn::Item::Struct(item) => item.ident.to_string(),
            syn::Item::Enum(item) => item.ident.to_string(),
            _ => continue,
        };
        types.entry(name).or_default().push(item);
    }
    let known: BTreeSet<String> = types.keys().cloned().collect();
    let mut needed: BTreeSet<String> = roots.clone();
    let mut queue: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        let mut names = Names {
            known: &known,
            found: BTreeSet::new(),
        };
        for item in types.get(&name).into_iter().flatten() {
            names.visit_item(item);
        }
        for found in names.found {
            if needed.insert(found.clone()) {
                queue.push(found);
            }
        }
    }
    needed
}
