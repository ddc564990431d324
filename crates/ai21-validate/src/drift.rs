//! Drift: fields a response carries that its schema does not declare.
//!
//! Responses and stream chunks accept unknown properties (servers add fields over time),
//! so the schema cannot report them. This walk does: it follows the instance through the
//! schema's `properties`, `items` and `additionalProperties`, through `$ref`s, and into
//! the `oneOf`/`anyOf` branch meant for each value (chosen as the error explanations
//! choose it), and warns for every key of an object whose schema declares `properties`
//! without closing it. Objects that declare no properties (free-form maps) are not
//! reported. The walk builds one pointer buffer and clones nothing, so it is linear in
//! the size of the document.

use serde_json::Value;

use crate::describe::short_str;
use crate::pointer::PointerBuf;
use crate::report::Finding;
use crate::schema::{resolve, selected_branch, union_branches};

/// Appends a `drift/unknown-field` warning for every undeclared field of `instance` in an
/// open object (closed objects are the schema's business).
pub(crate) fn unknown_fields(root: &Value, instance: &Value, out: &mut Vec<Finding>) {
    let mut pointer = PointerBuf::root();
    walk(
        root,
        root,
        instance,
        &mut pointer,
        &mut |pointer, key, closed| {
            if !closed {
                out.push(Finding::warning(
                "drift/unknown-field",
                pointer,
                format!(
                    "{} is not in the schema: a field the server added, or one the contract does not know yet",
                    short_str(key)
                ),
            ));
            }
        },
    );
}

/// The pointers of every undeclared field of `instance`, in open and closed objects.
pub(crate) fn undeclared_fields(root: &Value, instance: &Value) -> Vec<String> {
    let mut pointers = Vec::new();
    let mut pointer = PointerBuf::root();
    walk(root, root, instance, &mut pointer, &mut |pointer, _, _| {
        pointers.push(pointer.to_owned())
    });
    pointers
}

/// Calls `found(pointer, key, closed)` for every key of an object whose schema declares
/// `properties` and not this key.
fn walk(
    root: &Value,
    schema: &Value,
    instance: &Value,
    pointer: &mut PointerBuf,
    found: &mut dyn FnMut(&str, &str, bool),
) {
    let schema = resolve(root, schema);
    if let Some((_, branches)) = union_branches(schema) {
        if let Some(branch) = selected_branch(root, branches, instance) {
            walk(root, branch, instance, pointer, found);
        }
        return;
    }
    match instance {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            for (key, value) in map {
                let declared = properties.and_then(|properties| properties.get(key));
                let mark = pointer.push_key(key);
                match (declared, additional) {
                    (Some(child), _) => walk(root, child, value, pointer, found),
                    (None, Some(Value::Object(_))) => {
                        if let Some(child) = additional {
                            walk(root, child, value, pointer, found);
                        }
                    }
                    (None, Some(Value::Bool(false))) => found(pointer.as_str(), key, true),
                    // Open objects without declared properties are free-form.
                    (None, _) if properties.is_some() => found(pointer.as_str(), key, false),
                    (None, _) => {}
                }
                pointer.truncate(mark);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    let mark = pointer.push_index(index);
                    walk(root, item_schema, item, pointer, found);
                    pointer.truncate(mark);
                }
            }
        }
        _ => {}
    }
}
