//! Mutations of valid instances, each with the finding the validator must give for it:
//! the other half of property testing a validator (generated values must pass; broken
//! ones must fail with the right rule at the right place).
//!
//! [`mutations`] walks an instance through its schema with the validator's own functions
//! ([`ai21_validate::walk`]: following `$ref`s, into the `oneOf`/`anyOf` branch meant, as
//! its drift walk and error explanations do), and lists every single-edit breakage the
//! schema forbids:
//!
//! - drop a required field: `schema/required` at the object;
//! - change a value's type to one its schema does not accept: `schema/type` (at a union,
//!   a type no branch accepts: `schema/oneOf` or `schema/anyOf`);
//! - step outside a `minimum`/`maximum`, `minLength`/`maxLength` (an empty user message,
//!   for one), `minItems`/`maxItems`: the keyword's rule;
//! - break a `const` (a discriminator too: `role` becomes `user-broken`) or an `enum`,
//!   or a `pattern`: the keyword's rule at the value;
//! - remove every item a `contains` asks for: `schema/contains`;
//! - add an unknown field: `schema/additionalProperties` at a closed (request) object,
//!   the warning `drift/unknown-field` at the new field of an open (response) object;
//! - beside an object's properties, an `anyOf` whose branches only require properties
//!   (a partner's error body: `detail` or `error`): drop every property they name,
//!   `schema/required` at the object (the validator explains the union by the branch
//!   it takes as meant).
//!
//! The validator may report more than the expected finding (an emptied user message can
//! also leave no user message for `contains`); a mutation promises that its finding is
//! among them.

use ai21_schemas::{Dialect, PayloadKind};
use ai21_validate::Severity;
use ai21_validate::walk::{
    accepted_types, join_index, join_key, parent, resolve, segments, selected_branch, type_accepts,
    type_of, union_branches,
};
use serde_json::{Map, Value, json};

/// One edit of an instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Remove the object member at `pointer`.
    Remove {
        /// The member's pointer.
        pointer: String,
    },
    /// Replace the value at `pointer`.
    Replace {
        /// The value's pointer (empty for the whole document).
        pointer: String,
        /// The new value.
        value: Value,
    },
    /// Add the member `key` to the object at `pointer`.
    Insert {
        /// The object's pointer.
        pointer: String,
        /// The new member's key.
        key: String,
        /// The new member's value.
        value: Value,
    },
}

/// A breaking edit and the finding it must produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutation {
    /// The edit.
    pub edit: Edit,
    /// The rule id the validator must report.
    pub rule: &'static str,
    /// The severity of that finding.
    pub severity: Severity,
    /// The pointer of that finding.
    pub pointer: String,
    /// What the edit does, for a failing test's message.
    pub description: String,
}

impl Mutation {
    /// The instance with the edit applied (an edit whose place does not exist changes
    /// nothing).
    pub fn apply(&self, instance: &Value) -> Value {
        let mut mutated = instance.clone();
        match &self.edit {
            Edit::Remove { pointer } => {
                let key = segments(pointer).last().unwrap_or_default();
                if let Some(Value::Object(map)) = mutated.pointer_mut(parent(pointer)) {
                    map.remove(&key);
                }
            }
            Edit::Replace { pointer, value } => {
                if let Some(target) = mutated.pointer_mut(pointer) {
                    *target = value.clone();
                }
            }
            Edit::Insert {
                pointer,
                key,
                value,
            } => {
                if let Some(Value::Object(map)) = mutated.pointer_mut(pointer) {
                    map.insert(key.clone(), value.clone());
                }
            }
        }
        mutated
    }
}

/// Whether a union branch only requires properties (and annotates): it says which
/// properties must be there, not what they are.
pub(crate) fn presence_only(branch: &Value) -> bool {
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

/// The key an unknown-field mutation adds (close to no declared name, so no suggestion).
pub const UNKNOWN_KEY: &str = "x_unexpected";

/// Every single-edit breakage of `instance` (valid against the schema of `kind`), in
/// document order.
pub fn mutations(kind: PayloadKind, instance: &Value) -> Vec<Mutation> {
    mutations_in(Dialect::Studio, kind, instance)
}

/// Every single-edit breakage of `instance` (valid against the schema of `kind` as
/// `dialect` has it, [`PayloadKind::schema_in`]), in document order.
pub fn mutations_in(dialect: Dialect, kind: PayloadKind, instance: &Value) -> Vec<Mutation> {
    let mut walker = Walker {
        root: kind.schema_in(dialect),
        drift: matches!(
            kind,
            PayloadKind::J2CompleteResponse
                | PayloadKind::JambaChatResponse
                | PayloadKind::JambaChatStreamChunk
                | PayloadKind::ErrorResponse
        ),
        out: Vec::new(),
    };
    walker.visit(walker.root, instance, "", false);
    walker.out
}

struct Walker<'a> {
    root: &'a Value,
    /// Whether unknown fields of open objects are drift (responses and chunks).
    drift: bool,
    out: Vec<Mutation>,
}

impl Walker<'_> {
    fn push(&mut self, edit: Edit, rule: &'static str, pointer: &str, description: String) {
        let severity = if rule.starts_with("drift/") {
            Severity::Warning
        } else {
            Severity::Error
        };
        self.out.push(Mutation {
            edit,
            rule,
            severity,
            pointer: pointer.to_owned(),
            description,
        });
    }

    fn replace(&mut self, pointer: &str, value: Value, rule: &'static str, description: String) {
        self.push(
            Edit::Replace {
                pointer: pointer.to_owned(),
                value,
            },
            rule,
            pointer,
            description,
        );
    }

    /// `in_union` says the schema is the branch a union chose for this same value, whose
    /// type change the union already covers.
    fn visit(&mut self, schema: &Value, value: &Value, pointer: &str, in_union: bool) {
        let root = self.root;
        let schema = resolve(root, schema);
        if let Some((keyword, branches)) = union_branches(schema)
            && branches.iter().all(presence_only)
            && let (Some(object), Value::Object(map)) = (schema.as_object(), value)
        {
            // Branches that only say which properties must be there, beside the object's
            // own keywords: drop every property they name, then break the object as the
            // rest of its schema allows.
            let named: Vec<&str> = branches
                .iter()
                .flat_map(|branch| branch["required"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            let rest: Map<String, Value> = map
                .iter()
                .filter(|(key, _)| !named.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            // The validator explains the failed union through the branch it takes as
            // meant: a required field is missing.
            let description = format!(
                "drop from {} every field the {keyword} asks for one of ({})",
                show(pointer),
                named.join(", ")
            );
            self.replace(pointer, Value::Object(rest), "schema/required", description);
            let mut without_union = object.clone();
            without_union.remove(keyword);
            self.visit(&Value::Object(without_union), value, pointer, in_union);
            return;
        }
        if let Some((keyword, branches)) = union_branches(schema) {
            let accepted: Option<Vec<&str>> =
                branches.iter().try_fold(Vec::new(), |mut all, branch| {
                    all.extend(accepted_types(root, branch)?);
                    Some(all)
                });
            if let Some(replacement) = accepted.and_then(|accepted| wrong_type(&accepted)) {
                let rule = if keyword == "oneOf" {
                    "schema/oneOf"
                } else {
                    "schema/anyOf"
                };
                let description = format!(
                    "replace {} by {}, a type no branch of the {keyword} accepts",
                    show(pointer),
                    replacement
                );
                self.replace(pointer, replacement, rule, description);
            }
            if let Some(branch) = selected_branch(root, branches, value) {
                self.visit(branch, value, pointer, true);
            }
            return;
        }

        if !in_union
            && let Some(types) =
                accepted_types(root, schema).filter(|_| schema.get("type").is_some())
            && let Some(replacement) = wrong_type(&types)
        {
            let description = format!(
                "replace {} by {}, a type its schema does not accept",
                show(pointer),
                replacement
            );
            self.replace(pointer, replacement, "schema/type", description);
        }
        if let Some(constant) = schema.get("const") {
            // A value of the constant's own type, so the constant is what breaks (Bedrock's
            // J2 id 1234 becomes 1235), not the type.
            let broken = match constant {
                Value::String(text) => Value::from(format!("{text}-broken")),
                Value::Number(number) => match (number.as_i64(), number.as_f64()) {
                    (Some(whole), _) => Value::from(whole.wrapping_add(1)),
                    (None, Some(float)) => Value::from(float + 1.0),
                    (None, None) => Value::from("broken"),
                },
                Value::Bool(flag) => Value::Bool(!flag),
                _ => Value::from("broken"),
            };
            let description = format!(
                "change the constant {} at {} to {}",
                constant,
                show(pointer),
                broken
            );
            self.replace(pointer, broken, "schema/const", description);
        }
        if let Some(Value::Array(options)) = schema.get("enum") {
            let mut broken = String::from("not-");
            broken.push_str(options.first().and_then(Value::as_str).unwrap_or("listed"));
            while options
                .iter()
                .any(|option| option.as_str() == Some(broken.as_str()))
            {
                broken.push('x');
            }
            let description = format!("set {} to {broken:?}, outside its enum", show(pointer));
            self.replace(pointer, Value::from(broken), "schema/enum", description);
        }
        match value {
            Value::Number(_) => self.numbers(schema, pointer),
            Value::String(_) => self.strings(schema, pointer),
            Value::Object(map) => self.object(schema, map, pointer),
            Value::Array(items) => self.array(schema, items, pointer),
            _ => {}
        }
    }

    fn numbers(&mut self, schema: &Value, pointer: &str) {
        let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
        let step = |bound: &Value, by: f64| -> Value {
            match (bound.as_i64(), integer || bound.as_i64().is_some()) {
                (Some(whole), true) => Value::from(whole + by as i64),
                _ => Value::from(bound.as_f64().unwrap_or(0.0) + by),
            }
        };
        if let Some(minimum) = schema.get("minimum") {
            let below = step(minimum, -1.0);
            let description = format!(
                "set {} to {below}, below its minimum {minimum}",
                show(pointer)
            );
            self.replace(pointer, below, "schema/minimum", description);
        }
        if let Some(maximum) = schema.get("maximum") {
            let above = step(maximum, 1.0);
            let description = format!(
                "set {} to {above}, above its maximum {maximum}",
                show(pointer)
            );
            self.replace(pointer, above, "schema/maximum", description);
        }
    }

    fn strings(&mut self, schema: &Value, pointer: &str) {
        if let Some(min_length) = schema
            .get("minLength")
            .and_then(Value::as_u64)
            .filter(|length| *length > 0)
        {
            let shorter = "a".repeat(usize::try_from(min_length - 1).unwrap_or(0));
            let description = format!(
                "shorten {} to {} characters, below its minLength",
                show(pointer),
                min_length - 1
            );
            self.replace(
                pointer,
                Value::from(shorter),
                "schema/minLength",
                description,
            );
        }
        if let Some(max_length) = schema.get("maxLength").and_then(Value::as_u64) {
            let longer = "a".repeat(usize::try_from(max_length + 1).unwrap_or(0));
            let description = format!(
                "lengthen {} to {} characters, above its maxLength",
                show(pointer),
                max_length + 1
            );
            self.replace(
                pointer,
                Value::from(longer),
                "schema/maxLength",
                description,
            );
        }
        if schema.get("pattern").is_some() {
            let description = format!(
                "set {} to a string that does not match its pattern",
                show(pointer)
            );
            self.replace(
                pointer,
                Value::from("does not match"),
                "schema/pattern",
                description,
            );
        }
    }

    fn object(&mut self, schema: &Value, map: &Map<String, Value>, pointer: &str) {
        let root = self.root;
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if map.contains_key(name) {
                    self.push(
                        Edit::Remove {
                            pointer: join_key(pointer, name),
                        },
                        "schema/required",
                        pointer,
                        format!("drop the required field {name:?} of {}", show(pointer)),
                    );
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        if !map.contains_key(UNKNOWN_KEY) {
            let insert = Edit::Insert {
                pointer: pointer.to_owned(),
                key: UNKNOWN_KEY.to_owned(),
                value: json!(true),
            };
            match additional {
                Some(Value::Bool(false)) => self.push(
                    insert,
                    "schema/additionalProperties",
                    pointer,
                    format!(
                        "add the unknown field {UNKNOWN_KEY:?} to the closed object {}",
                        show(pointer)
                    ),
                ),
                Some(Value::Object(_)) => {}
                _ if self.drift && properties.is_some_and(|properties| !properties.is_empty()) => {
                    let field = join_key(pointer, UNKNOWN_KEY);
                    self.push(
                        insert,
                        "drift/unknown-field",
                        &field,
                        format!(
                            "add the unknown field {UNKNOWN_KEY:?} to the open object {}",
                            show(pointer)
                        ),
                    );
                }
                _ => {}
            }
        }
        for (key, child) in map {
            let child_schema = properties
                .and_then(|properties| properties.get(key))
                .or(additional.filter(|additional| additional.is_object()));
            if let Some(child_schema) = child_schema {
                self.visit(
                    resolve(root, child_schema),
                    child,
                    &join_key(pointer, key),
                    false,
                );
            }
        }
    }

    fn array(&mut self, schema: &Value, items: &[Value], pointer: &str) {
        if let Some(min_items) = schema
            .get("minItems")
            .and_then(Value::as_u64)
            .and_then(|count| usize::try_from(count).ok())
            .filter(|count| *count > 0)
        {
            let fewer: Vec<Value> = items.iter().take(min_items - 1).cloned().collect();
            let description = format!(
                "cut {} to {} items, below its minItems",
                show(pointer),
                fewer.len()
            );
            self.replace(pointer, Value::Array(fewer), "schema/minItems", description);
        }
        if let Some(max_items) = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .and_then(|count| usize::try_from(count).ok())
            && let Some(last) = items.last()
        {
            let mut more = items.to_vec();
            while more.len() <= max_items {
                more.push(last.clone());
            }
            let description = format!(
                "grow {} to {} items, above its maxItems",
                show(pointer),
                more.len()
            );
            self.replace(pointer, Value::Array(more), "schema/maxItems", description);
        }
        if let Some(contains) = schema.get("contains")
            && let Ok(matcher) = compile_with_defs(self.root, contains)
        {
            let kept: Vec<Value> = items
                .iter()
                .filter(|item| !matcher.is_valid(item))
                .cloned()
                .collect();
            let description = format!(
                "remove from {} every item its contains asks for",
                show(pointer)
            );
            self.replace(pointer, Value::Array(kept), "schema/contains", description);
        }
        if let Some(item_schema) = schema.get("items") {
            for (index, item) in items.iter().enumerate() {
                self.visit(item_schema, item, &join_index(pointer, index), false);
            }
        }
    }
}

/// A value of a type `accepted` does not take, if one is left.
fn wrong_type(accepted: &[&str]) -> Option<Value> {
    [
        json!("x"),
        json!(1.5),
        json!(true),
        json!({}),
        json!([]),
        Value::Null,
    ]
    .into_iter()
    .find(|candidate| !type_accepts(accepted, type_of(candidate)))
}

/// A subschema of `root` compiled on its own, with the document's `$defs` so its `$ref`s
/// resolve.
pub(crate) fn compile_with_defs(
    root: &Value,
    node: &Value,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    let mut schema = node.clone();
    if let (Value::Object(map), Some(defs)) = (&mut schema, root.get("$defs")) {
        map.entry("$defs").or_insert_with(|| defs.clone());
    }
    jsonschema::draft202012::new(&schema)
}

/// A pointer for descriptions: `(root)` for the whole document.
fn show(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}
