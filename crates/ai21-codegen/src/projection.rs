//! The projection: a canonical schema rewritten into the form typify handles, plus the
//! record of every constraint left out and the facts the presence pass needs.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::Unenforced;

/// A schema in the form typify handles, and what the rewrite left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The projected schema: the root object with its remaining `$defs`.
    pub schema: Value,
    /// The constraints removed because the types do not enforce them, sorted by pointer.
    pub unenforced: Vec<Unenforced>,
    /// For every property of every named object: whether it is required and whether it
    /// may be `null`.
    pub properties: BTreeMap<PropertyKey, PropertyFacts>,
}

/// Where a property is: its object's Rust type name, the union variant it belongs to (the
/// discriminator's value, for a branch of a discriminated union inlined into an enum),
/// and its JSON name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PropertyKey {
    /// The Rust type the property's object becomes (the union's, for an inlined branch).
    pub container: String,
    /// The discriminator value of the inlined union branch holding the property.
    pub variant: Option<String>,
    /// The property's JSON name.
    pub property: String,
}

/// What the schema says about one property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyFacts {
    /// The property is in its object's `required` list.
    pub required: bool,
    /// The property's schema accepts `null`.
    pub nullable: bool,
}

/// A problem with the schema: (JSON Pointer, message).
type Problem = (String, String);

/// Keywords removed from the projection and recorded as unenforced, whatever their value.
const VALUE_CONSTRAINTS: [&str; 12] = [
    "contains",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Annotations typify would act on, or that mean nothing to it; dropped silently because
/// they constrain nothing. (`default` would make the types invent values on read;
/// `x-ai21-content` marks prompt and completion text for `--redact-content`.)
const DROPPED_ANNOTATIONS: [&str; 6] = [
    "$schema",
    "$id",
    "$comment",
    "default",
    "examples",
    "x-ai21-content",
];

/// Keywords copied unchanged.
const KEPT: [&str; 5] = ["title", "description", "type", "enum", "required"];

/// Rewrites `schema` into the form typify handles; see the crate documentation.
///
/// Errors name the pointer of the offending subschema.
pub fn project(schema: &Value, root_type_name: &str) -> Result<Projection, Problem> {
    let root = schema
        .as_object()
        .ok_or_else(|| (String::new(), "the schema is not an object".to_owned()))?;
    let empty = Map::new();
    let definitions = match root.get("$defs") {
        None => &empty,
        Some(Value::Object(definitions)) => definitions,
        Some(_) => return Err(("/$defs".to_owned(), "$defs is not an object".to_owned())),
    };
    let mut projector = Projector {
        definitions,
        root_type_name,
        inlined: BTreeSet::new(),
        hoisted: Map::new(),
        unenforced: Vec::new(),
        properties: BTreeMap::new(),
        variant: None,
    };
    projector.find_inlined(schema)?;

    let mut projected_definitions = Map::new();
    for (name, definition) in definitions {
        if projector.inlined.contains(name) {
            continue;
        }
        let projected = projector.schema(definition, &format!("/$defs/{name}"), Some(name))?;
        projected_definitions.insert(name.clone(), projected);
    }
    let mut without_definitions = root.clone();
    without_definitions.remove("$defs");
    // A schema of definitions alone (the shared module's) has no root type to project.
    let mut projected = if without_definitions.is_empty() {
        json!({})
    } else {
        projector.schema(
            &Value::Object(without_definitions),
            "",
            Some(root_type_name),
        )?
    };
    projected_definitions.append(&mut projector.hoisted);
    if !projected_definitions.is_empty() {
        projected["$defs"] = Value::Object(projected_definitions);
    }
    let mut unenforced = projector.unenforced;
    unenforced.sort_by(|left, right| {
        (&left.pointer, &left.keyword).cmp(&(&right.pointer, &right.keyword))
    });
    Ok(Projection {
        schema: projected,
        unenforced,
        properties: projector.properties,
    })
}

impl Projection {
    /// Every definition to give typify, the root last under `root_type_name`.
    pub(crate) fn definitions(&self, root_type_name: &str) -> Vec<(String, Value)> {
        let mut definitions: Vec<(String, Value)> = self
            .schema
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, definition)| (name.clone(), definition.clone()))
            .collect();
        let mut root = self.schema.clone();
        if let Some(root) = root.as_object_mut() {
            root.remove("$defs");
        }
        // A projection of definitions alone (the shared module's) has no root type.
        if root.as_object().is_none_or(|root| !root.is_empty()) {
            definitions.push((root_type_name.to_owned(), root));
        }
        definitions
    }

    /// For each definition (the root last, with pointer ""), the definitions it needs:
    /// itself and everything it references, transitively. Used to find which definition
    /// makes typify panic.
    pub(crate) fn closures(&self, root_type_name: &str) -> Vec<(String, Vec<(String, Value)>)> {
        let definitions = self.definitions(root_type_name);
        let by_name: BTreeMap<&str, &Value> = definitions
            .iter()
            .map(|(name, schema)| (name.as_str(), schema))
            .collect();
        definitions
            .iter()
            .map(|(name, _)| {
                let mut needed = BTreeSet::from([name.as_str()]);
                let mut queue = vec![name.as_str()];
                while let Some(current) = queue.pop() {
                    let mut references = Vec::new();
                    if let Some(schema) = by_name.get(current) {
                        collect_references(schema, &mut references);
                    }
                    for reference in references {
                        if let Some((target, _)) = by_name.get_key_value(reference.as_str())
                            && needed.insert(target)
                        {
                            queue.push(target);
                        }
                    }
                }
                let closure = definitions
                    .iter()
                    .filter(|(candidate, _)| needed.contains(candidate.as_str()))
                    .cloned()
                    .collect();
                let pointer = if name == root_type_name {
                    String::new()
                } else {
                    format!("/$defs/{name}")
                };
                (pointer, closure)
            })
            .collect()
    }
}

pub(crate) fn collect_references(schema: &Value, references: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            for (keyword, value) in object {
                if keyword == "$ref" {
                    if let Some(target) = value
                        .as_str()
                        .and_then(|reference| reference.strip_prefix("#/$defs/"))
                    {
                        references.push(target.to_owned());
                    }
                } else {
                    collect_references(value, references);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, references)),
        _ => {}
    }
}

struct Projector<'a> {
    definitions: &'a Map<String, Value>,
    root_type_name: &'a str,
    /// Definitions that are branches of a discriminated union, inlined at their one use.
    inlined: BTreeSet<String>,
    /// Objects with properties written inline in a property, projected as definitions of
    /// their own (see [`Projector::hoist`]).
    hoisted: Map<String, Value>,
    unenforced: Vec<Unenforced>,
    properties: BTreeMap<PropertyKey, PropertyFacts>,
    /// The discriminator value of the union branch being projected, if any.
    variant: Option<String>,
}

impl Projector<'_> {
    /// Finds the discriminated unions and checks that each branch is used only there.
    fn find_inlined(&mut self, schema: &Value) -> Result<(), Problem> {
        let mut references = Vec::new();
        collect_references(schema, &mut references);
        let mut uses: BTreeMap<String, usize> = BTreeMap::new();
        for reference in references {
            *uses.entry(reference).or_default() += 1;
        }
        let mut unions = Vec::new();
        find_unions(schema, "", &mut unions);
        for (pointer, branches) in unions {
            if let Some(targets) = self.discriminated(branches) {
                for (target, _) in targets {
                    if uses.get(&target).copied().unwrap_or(0) != 1 {
                        return Err((
                            pointer,
                            format!(
                                "the union branch #/$defs/{target} is also used elsewhere; a discriminated branch is inlined into its union, so it must have one use"
                            ),
                        ));
                    }
                    self.inlined.insert(target);
                }
            }
        }
        Ok(())
    }

    /// For a `oneOf`/`anyOf` whose branches are all references to objects with a required
    /// `const` property in common (the discriminator, with distinct values), the branch
    /// definitions' names with their discriminator values.
    fn discriminated(&self, branches: &[Value]) -> Option<Vec<(String, String)>> {
        let targets: Vec<(String, &Map<String, Value>)> = branches
            .iter()
            .map(|branch| {
                let object = branch.as_object().filter(|object| object.len() == 1)?;
                let target = object.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
                let definition = self.definitions.get(target)?.as_object()?;
                Some((target.to_owned(), definition))
            })
            .collect::<Option<_>>()?;
        let (_, first) = targets.first()?;
        let candidates = first.get("properties")?.as_object()?.keys();
        candidates.into_iter().find_map(|property| {
            let mut values = BTreeSet::new();
            targets
                .iter()
                .map(|(name, definition)| {
                    let required = definition
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|required| {
                            required.iter().any(|name| name == property.as_str())
                        });
                    let constant = definition
                        .get("properties")
                        .and_then(|properties| properties.get(property))
                        .and_then(|schema| schema.get("const"))?;
                    let tag = match constant {
                        Value::String(tag) => tag.clone(),
                        other => other.to_string(),
                    };
                    (required && values.insert(tag.clone())).then(|| (name.clone(), tag))
                })
                .collect::<Option<Vec<_>>>()
        })
    }

    fn record(&mut self, pointer: &str, keyword: &str, value: &Value) {
        self.unenforced.push(Unenforced {
            pointer: pointer.to_owned(),
            keyword: keyword.to_owned(),
            value: value.clone(),
        });
    }

    /// Projects one subschema. `container` names the Rust type that an object with
    /// properties here becomes; `None` where typify would invent a name.
    fn schema(
        &mut self,
        schema: &Value,
        pointer: &str,
        container: Option<&str>,
    ) -> Result<Value, Problem> {
        let object = match schema {
            Value::Bool(_) => return Ok(schema.clone()),
            Value::Object(object) => object,
            _ => {
                return Err((
                    pointer.to_owned(),
                    "a subschema must be an object or a boolean".to_owned(),
                ));
            }
        };
        // An integer, or an integer or null (a nullable optional parameter).
        let is_integer = match object.get("type") {
            Some(Value::String(name)) => name == "integer",
            Some(Value::Array(names)) => {
                names.iter().any(|name| name == "integer")
                    && names.iter().all(|name| name == "integer" || name == "null")
            }
            None => object
                .get("const")
                .is_some_and(|value| json_type(value) == "integer"),
            _ => false,
        };
        let mut out = Map::new();
        for (keyword, value) in object {
            let at = format!("{pointer}/{keyword}");
            match keyword.as_str() {
                keyword if DROPPED_ANNOTATIONS.contains(&keyword) => {}
                keyword if KEPT.contains(&keyword) => {
                    out.insert(keyword.to_owned(), value.clone());
                }
                keyword if VALUE_CONSTRAINTS.contains(&keyword) => {
                    self.record(pointer, keyword, value)
                }
                "const" => match value {
                    Value::Number(_) | Value::Bool(_) => {
                        // typify makes a one-value enum of a number a newtype of `f64`
                        // (written back as `1234.0`) whose own deserializer bypasses the
                        // integer helpers, so a number or boolean constant is typed by its
                        // value's JSON type and the value is left to the validator.
                        if !object.contains_key("type") {
                            out.insert("type".to_owned(), json!(json_type(value)));
                        }
                        self.record(pointer, keyword, value);
                    }
                    _ => {
                        // typify enforces a one-value enum, but not a const on a struct
                        // field.
                        out.insert("enum".to_owned(), json!([value]));
                    }
                },
                "minimum" if is_integer && value.as_f64() == Some(0.0) => {
                    // Keeps the type unsigned (u64): the types enforce non-negative integers.
                    out.insert(keyword.to_owned(), value.clone());
                }
                "minimum" => {
                    self.record(pointer, keyword, value);
                    if is_integer && value.as_f64().is_some_and(|minimum| minimum > 0.0) {
                        // Still unsigned; the exact minimum (such as 1, which typify would
                        // turn into an awkward `NonZeroU64`) is left to the validator.
                        out.insert(keyword.to_owned(), json!(0));
                    }
                }
                "maximum" => self.record(pointer, keyword, value),
                "$ref" => {
                    let target = value
                        .as_str()
                        .and_then(|reference| reference.strip_prefix("#/$defs/"))
                        .filter(|target| !target.contains('/'))
                        .ok_or_else(|| (at.clone(), "only references to a top-level #/$defs/ entry of the same file are supported".to_owned()))?;
                    if !self.definitions.contains_key(target) {
                        return Err((at, format!("#/$defs/{target} does not exist")));
                    }
                    out.insert(keyword.to_owned(), value.clone());
                }
                "properties" => {
                    let Some(container) = container else {
                        return Err((pointer.to_owned(), "an object with properties must be a named $defs entry (or the root), so its type has a stable name".to_owned()));
                    };
                    let properties = value
                        .as_object()
                        .ok_or_else(|| (at.clone(), "properties is not an object".to_owned()))?;
                    let required: BTreeSet<&str> = object
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let mut projected = Map::new();
                    for (name, property) in properties {
                        let facts = PropertyFacts {
                            required: required.contains(name.as_str()),
                            nullable: self.allows_null(property),
                        };
                        let key = PropertyKey {
                            container: container.to_owned(),
                            variant: self.variant.clone(),
                            property: name.clone(),
                        };
                        self.properties.insert(key, facts);
                        let property_pointer = format!("{at}/{name}");
                        let projected_property = if inline_object(property) {
                            self.hoist(property, &property_pointer, container, name)?
                        } else {
                            self.schema(property, &property_pointer, None)?
                        };
                        projected.insert(name.clone(), projected_property);
                    }
                    out.insert(keyword.to_owned(), Value::Object(projected));
                }
                "additionalProperties" | "items" => {
                    out.insert(keyword.to_owned(), self.schema(value, &at, None)?);
                }
                "oneOf" | "anyOf" => {
                    let branches = value
                        .as_array()
                        .ok_or_else(|| (at.clone(), format!("{keyword} is not an array")))?;
                    if branches.iter().all(presence_only) {
                        // Branches that only require properties (`{"required": ["detail"]}`
                        // or `{"required": ["error"]}`) say which properties must be
                        // there, not what they are: typify cannot express it, so the
                        // properties stay optional and the rule is left to the validator.
                        self.record(pointer, keyword, value);
                        continue;
                    }
                    let projected = if let Some(targets) = self.discriminated(branches) {
                        let outer = self.variant.take();
                        let projected = targets
                            .into_iter()
                            .map(|(target, tag)| {
                                self.variant = Some(tag);
                                self.schema(
                                    &self.definitions[&target],
                                    &format!("/$defs/{target}"),
                                    container,
                                )
                            })
                            .collect::<Result<Vec<_>, _>>();
                        self.variant = outer;
                        projected?
                    } else {
                        branches
                            .iter()
                            .enumerate()
                            .map(|(index, branch)| {
                                self.schema(branch, &format!("{at}/{index}"), None)
                            })
                            .collect::<Result<Vec<_>, _>>()?
                    };
                    out.insert(keyword.to_owned(), Value::Array(projected));
                }
                other => {
                    return Err((
                        at,
                        format!(
                            "unsupported keyword {other:?}: the code generator cannot follow it; express the rule with a supported keyword or as a validator rule"
                        ),
                    ));
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// Projects an object with properties written inline in the property `property` of
    /// `container` as a definition of its own, and returns the reference to it that
    /// takes its place. The definition is named by the object's `title`, or after its
    /// container and property (`ErrorResponse` and `error` give `ErrorResponseError`, as
    /// typify names an inline type), so the name is stable; a name that is already a
    /// definition's is an error.
    fn hoist(
        &mut self,
        schema: &Value,
        pointer: &str,
        container: &str,
        property: &str,
    ) -> Result<Value, Problem> {
        let name = schema
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{container}{}", pascal_case(property)));
        if self.definitions.contains_key(&name)
            || self.hoisted.contains_key(&name)
            || name == self.root_type_name
        {
            return Err((
                pointer.to_owned(),
                format!(
                    "this inline object's type would be named {name}, which is already taken; give it a `title` or make it a named $defs entry"
                ),
            ));
        }
        let outer = self.variant.take();
        let projected = self.schema(schema, pointer, Some(&name));
        self.variant = outer;
        let projected = projected?;
        let mut reference = Map::new();
        if let Some(description) = projected.get("description") {
            reference.insert("description".to_owned(), description.clone());
        }
        reference.insert("$ref".to_owned(), json!(format!("#/$defs/{name}")));
        self.hoisted.insert(name, projected);
        Ok(Value::Object(reference))
    }

    fn allows_null(&self, schema: &Value) -> bool {
        let Some(object) = schema.as_object() else {
            return schema == &Value::Bool(true);
        };
        let type_allows = match object.get("type") {
            Some(Value::String(name)) => name == "null",
            Some(Value::Array(names)) => names.iter().any(|name| name == "null"),
            _ => false,
        };
        let reference_allows = object
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix("#/$defs/"))
            .and_then(|target| self.definitions.get(target))
            .is_some_and(|definition| self.allows_null(definition));
        let branch_allows = ["oneOf", "anyOf"].iter().any(|keyword| {
            object
                .get(*keyword)
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.iter().any(|branch| self.allows_null(branch)))
        });
        // A schema that says nothing of the type (`{}` with annotations) accepts null too.
        let unconstrained = ![
            "type", "enum", "const", "$ref", "oneOf", "anyOf", "allOf", "not",
        ]
        .iter()
        .any(|keyword| object.contains_key(*keyword));
        type_allows || reference_allows || branch_allows || unconstrained
    }
}

/// The JSON Schema type name of a constant: `integer` for an integral number.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a property's schema is an object with properties of its own, written inline
/// rather than as a reference.
fn inline_object(schema: &Value) -> bool {
    schema.get("properties").is_some() && schema.get("$ref").is_none()
}

/// Whether a union branch only requires properties (and annotates): it constrains which
/// properties are present, not their shape.
fn presence_only(branch: &Value) -> bool {
    branch.as_object().is_some_and(|branch| {
        branch.contains_key("required")
            && branch.keys().all(|keyword| {
                keyword == "required"
                    || DROPPED_ANNOTATIONS.contains(&keyword.as_str())
                    || keyword == "description"
                    || keyword == "title"
            })
    })
}

/// `amazon-bedrock-invocationMetrics` as `AmazonBedrockInvocationMetrics`: each run of
/// letters and digits with its first letter upper-cased.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split(|character: char| !character.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut characters = part.chars();
            characters
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + characters.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Every `oneOf`/`anyOf` in the schema, with its pointer.
fn find_unions<'a>(schema: &'a Value, pointer: &str, unions: &mut Vec<(String, &'a [Value])>) {
    match schema {
        Value::Object(object) => {
            for (keyword, value) in object {
                let at = format!("{pointer}/{keyword}");
                if let ("oneOf" | "anyOf", Value::Array(branches)) = (keyword.as_str(), value) {
                    unions.push((at.clone(), branches));
                }
                find_unions(value, &at, unions);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_unions(item, &format!("{pointer}/{index}"), unions);
            }
        }
        _ => {}
    }
}
