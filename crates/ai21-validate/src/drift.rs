//! Drift: fields a response carries that its schema does not declare; and, over the same
//! plan of a schema, where prompt and completion text stands.
//!
//! Responses and stream chunks accept unknown properties (servers add fields over time),
//! so the schema cannot report them. This walk does: it follows the instance through the
//! schema's `properties`, `items` and `additionalProperties`, through `$ref`s, and into
//! the `oneOf`/`anyOf` branch meant for each value (chosen as the error explanations
//! choose it), and warns for every key of an object whose schema declares `properties`
//! without closing it. Objects that declare no properties (free-form maps) are not
//! reported.
//!
//! The schema is read once into a [`Plan`] (references followed, unions read, properties
//! indexed), and the walk keeps the path as borrowed segments, writing a pointer only for
//! a field it reports: a J2 response is thousands of token objects, and the walk is linear
//! in the size of the document with a small constant.

use std::collections::HashMap;

use ai21_tape::View;
use serde_json::Value;

use crate::describe::short_str;
use crate::pointer::PointerBuf;
use crate::report::Finding;
use crate::schema::{Selection, Union, resolve, union_branches};

/// A schema read for the drift walk: one node per schema node the walk can reach, every
/// `$ref` followed, and every union's branches read ahead of time.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    /// The nodes; the schema's root is the first.
    nodes: Vec<Node<'a>>,
}

type NodeId = usize;

/// What the walk needs of one (resolved) schema node.
#[derive(Debug, Default)]
struct Node<'a> {
    /// The branches of a union, with their nodes; nothing else of a union is read.
    union: Option<(Union<'a>, Vec<NodeId>)>,
    /// The declared properties, when the node declares `properties`, in key order. A
    /// list, not a map: a schema object declares a dozen properties at most, and a scan
    /// that compares lengths first beats a tree's string comparisons (the walk looks up
    /// every key of every token of a J2 response).
    properties: Option<Vec<(&'a str, NodeId)>>,
    /// What `additionalProperties` says of the other keys.
    additional: Additional,
    /// The schema of array items, when the node has `items`.
    items: Option<NodeId>,
    /// The node marks prompt or completion text (`"x-ai21-content": true`): every string
    /// of a value here is content.
    content: bool,
}

impl Node<'_> {
    /// The schema of the member `key` of an object here: its declared property, or the
    /// schema `additionalProperties` gives the others.
    fn child(&self, key: &str) -> Option<NodeId> {
        match (
            self.properties.as_ref().and_then(|properties| {
                properties
                    .iter()
                    .find(|(name, _)| name.len() == key.len() && *name == key)
                    .map(|(_, child)| child)
            }),
            self.additional,
        ) {
            (Some(&child), _) | (None, Additional::Schema(child)) => Some(child),
            _ => None,
        }
    }
}

/// What a schema says of keys it does not declare.
#[derive(Debug, Default, Clone, Copy)]
enum Additional {
    /// Nothing, or `true`: allowed, and drift when the node declares properties.
    #[default]
    Open,
    /// `false`: the schema rejects them itself.
    Closed,
    /// A schema: each value is walked with it.
    Schema(NodeId),
}

impl<'a> Plan<'a> {
    /// Reads the schema `root` (a self-contained canonical schema).
    pub(crate) fn new(root: &'a Value) -> Plan<'a> {
        let mut builder = Builder {
            root,
            nodes: Vec::new(),
            seen: HashMap::new(),
        };
        builder.node(root);
        Plan {
            nodes: builder.nodes,
        }
    }

    /// Calls `found(path, key, closed)` for every key of an object whose schema declares
    /// `properties` and not this key (`path` ends with the key).
    fn walk<'v, V: View<'v>>(
        &self,
        id: NodeId,
        instance: V,
        path: &mut Vec<Segment<'v>>,
        found: &mut dyn FnMut(&[Segment<'v>], &str, bool),
    ) {
        let node = &self.nodes[id];
        if let Some((union, branches)) = &node.union {
            if let Selection::Discriminated { index, .. } | Selection::ByType { index } =
                union.select(instance)
            {
                self.walk(branches[index], instance, path, found);
            }
            return;
        }
        if let Some(members) = instance.members() {
            {
                for (key, value) in members {
                    path.push(Segment::Key(key));
                    match (node.child(key), node.additional) {
                        (Some(child), _) => self.walk(child, value, path, found),
                        (None, Additional::Closed) => found(path, key, true),
                        // Open objects without declared properties are free-form.
                        (None, Additional::Open) if node.properties.is_some() => {
                            found(path, key, false);
                        }
                        (None, _) => {}
                    }
                    path.pop();
                }
            }
        } else if let (Some(items), Some(item)) = (instance.items(), node.items) {
            for (index, value) in items.enumerate() {
                path.push(Segment::Index(index));
                self.walk(item, value, path, found);
                path.pop();
            }
        }
    }
}

impl Plan<'_> {
    /// Appends every string of `instance` that stands where the schema marks content
    /// (`"x-ai21-content": true`): all the strings of a marked value, keys aside, in
    /// document order (object members in key order). Where the
    /// schema cannot tell which union branch a value is meant for, every branch is walked:
    /// masking content must not depend on the payload being valid.
    pub(crate) fn content<'v>(&self, instance: &'v Value, out: &mut Vec<&'v str>) {
        self.content_at(0, instance, out);
    }

    fn content_at<'v>(&self, id: NodeId, instance: &'v Value, out: &mut Vec<&'v str>) {
        let node = &self.nodes[id];
        if node.content {
            strings(instance, out);
            return;
        }
        if let Some((union, branches)) = &node.union {
            match union.select(instance) {
                Selection::Discriminated { index, .. } | Selection::ByType { index } => {
                    self.content_at(branches[index], instance, out);
                }
                _ => {
                    // Each string once, whichever branches find it.
                    let start = out.len();
                    for branch in branches {
                        let mut found = Vec::new();
                        self.content_at(*branch, instance, &mut found);
                        for text in found {
                            if !out[start..].iter().any(|known| std::ptr::eq(*known, text)) {
                                out.push(text);
                            }
                        }
                    }
                }
            }
            return;
        }
        match instance {
            Value::Object(map) => {
                for (key, value) in map {
                    if let Some(child) = node.child(key) {
                        self.content_at(child, value, out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = node.items {
                    for value in items {
                        self.content_at(item, value, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The annotation that marks prompt and completion text in the canonical schemas.
pub(crate) const CONTENT_MARK: &str = "x-ai21-content";

/// Every string in `value`, in document order (object keys aside).
fn strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(members) => members.values().for_each(|member| strings(member, out)),
        _ => {}
    }
}

/// Builds a [`Plan`], one node per resolved schema node (so recursive schemas end).
struct Builder<'a> {
    root: &'a Value,
    nodes: Vec<Node<'a>>,
    seen: HashMap<*const Value, NodeId>,
}

/// Whether every branch of a union only says which members must be present (`required`,
/// with annotations): such a union (the Vertex and Azure error bodies' "`detail` or
/// `error`") declares nothing, and the object's own `properties` are what the walk reads.
fn presence_only(branches: &[Value]) -> bool {
    branches.iter().all(|branch| {
        branch.as_object().is_some_and(|branch| {
            branch.keys().all(|key| {
                matches!(
                    key.as_str(),
                    "required" | "$comment" | "description" | "title"
                )
            })
        })
    })
}

impl<'a> Builder<'a> {
    fn node(&mut self, schema: &'a Value) -> NodeId {
        let schema = resolve(self.root, schema);
        if let Some(&id) = self.seen.get(&std::ptr::from_ref(schema)) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(Node::default());
        self.seen.insert(std::ptr::from_ref(schema), id);
        let content = schema.get(CONTENT_MARK) == Some(&Value::Bool(true));
        let node = if let Some((_, branches)) =
            union_branches(schema).filter(|(_, branches)| !presence_only(branches))
        {
            let nodes = branches.iter().map(|branch| self.node(branch)).collect();
            Node {
                union: Some((Union::new(self.root, branches), nodes)),
                content,
                ..Node::default()
            }
        } else {
            Node {
                union: None,
                properties: schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|properties| {
                        properties
                            .iter()
                            .map(|(key, child)| (key.as_str(), self.node(child)))
                            .collect()
                    }),
                additional: match schema.get("additionalProperties") {
                    Some(additional @ Value::Object(_)) => {
                        Additional::Schema(self.node(additional))
                    }
                    Some(Value::Bool(false)) => Additional::Closed,
                    _ => Additional::Open,
                },
                items: schema.get("items").map(|items| self.node(items)),
                content,
            }
        };
        self.nodes[id] = node;
        id
    }
}

/// A step of the path to a value: an object key or an array index.
#[derive(Debug, Clone, Copy)]
enum Segment<'v> {
    Key(&'v str),
    Index(usize),
}

/// The JSON Pointer of a path.
fn pointer(path: &[Segment<'_>]) -> String {
    let mut pointer = PointerBuf::root();
    for segment in path {
        match *segment {
            Segment::Key(key) => pointer.push_key(key),
            Segment::Index(index) => pointer.push_index(index),
        }
    }
    pointer.into_string()
}

/// Appends a `drift/unknown-field` warning for every undeclared field of `instance` in an
/// open object (closed objects are the schema's business).
pub(crate) fn unknown_fields<'v>(plan: &Plan<'_>, instance: impl View<'v>, out: &mut Vec<Finding>) {
    plan.walk(0, instance, &mut Vec::new(), &mut |path, key, closed| {
        if !closed {
            out.push(Finding::warning(
                "drift/unknown-field",
                pointer(path),
                format!(
                    "{} is not in the schema: a field the server added, or one the contract does not know yet",
                    short_str(key)
                ),
            ));
        }
    });
}

/// The pointers of every undeclared field of `instance`, in open and closed objects.
pub(crate) fn undeclared_fields(plan: &Plan<'_>, instance: &Value) -> Vec<String> {
    let mut pointers = Vec::new();
    plan.walk(0, instance, &mut Vec::new(), &mut |path, _, _| {
        pointers.push(pointer(path));
    });
    pointers
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn walks_references_recursion_unions_maps_and_arrays() {
        let schema = json!({
            "$defs": {
                "Tree": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}}
                },
                "Cat": {"type": "object", "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}}},
                "Dog": {"type": "object", "properties": {"kind": {"const": "dog"}}, "additionalProperties": false}
            },
            "type": "object",
            "properties": {
                "tree": {"$ref": "#/$defs/Tree"},
                "pet": {"oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}]},
                "either": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"a": {}}}]},
                "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"x": {}}}},
                "free": {"type": "object"}
            }
        });
        let instance = json!({
            "tree": {"name": "root", "children": [{"name": "leaf", "children": [], "a/b~c": 1}]},
            "pet": {"kind": "cat", "lives": 9, "whiskers": true},
            "either": {"a": 1, "b": 2},
            "map": {"k": {"x": 1, "y": 2}},
            "free": {"anything": 1},
            "extra": null
        });
        let plan = Plan::new(&schema);
        let mut found = undeclared_fields(&plan, &instance);
        found.sort();
        assert_eq!(
            found,
            [
                "/either/b",
                "/extra",
                "/map/k/y",
                "/pet/whiskers",
                "/tree/children/0/a~1b~0c"
            ]
        );

        // A closed object's extra key is found, but is not drift: the schema reports it.
        let dog = json!({"pet": {"kind": "dog", "bark": "loud"}});
        assert_eq!(undeclared_fields(&plan, &dog), ["/pet/bark"]);
        let mut warnings = Vec::new();
        unknown_fields(&plan, &dog, &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");

        // A value no branch is meant for (an unknown discriminator) is not walked.
        let bird = json!({"pet": {"kind": "bird", "wings": 2}});
        assert!(undeclared_fields(&plan, &bird).is_empty());

        unknown_fields(&plan, &instance, &mut warnings);
        assert_eq!(warnings.len(), 5);
        assert!(
            warnings
                .iter()
                .all(|warning| warning.rule == "drift/unknown-field")
        );
    }
}
