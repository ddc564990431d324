//! A generator of valid instances, built from a canonical schema's JSON (not from Rust
//! types), for property tests and contract runners (feature `strategies`).
//!
//! [`schema_strategy`] turns a schema into a proptest strategy of `serde_json::Value`s
//! valid against it. It understands exactly the keywords our schemas use: `type`
//! (a name or a list of names), `properties`, `required`, `additionalProperties`,
//! `items`, `minItems`, `maxItems`, `minimum`, `maximum`, `minLength`, `maxLength`,
//! `pattern` (anchored sequences of character classes and literals with `{n}` or `{n,m}`
//! counts, such as the J2 id's hex UUID pattern), `enum`, `const`, `oneOf` (whose
//! branches must be told apart by type or by a `const` discriminator), `anyOf` (beside an
//! object's own keywords only when its branches just require properties, as the partner
//! error bodies' "`detail` or `error`" does), `$ref`
//! into the same document and `contains`; `default`, `deprecated` (which marks the
//! historical schemas), `examples`, `description`, `title`, `$comment`, `$schema`, `$id`,
//! `$defs` and `x-ai21-content` are annotations. Any other keyword is an
//! [`crate::Error::Unsupported`] naming its schema pointer: never
//! silently ignored, as a generator that ignores a constraint generates invalid values.
//!
//! Optional properties are present about half the time. Strings are made of
//! [`WORDS`] (English, some accented and non-Latin words, an emoji), now
//! and then on several lines, not of random code points, so generated payloads look like
//! traffic and still exercise non-ASCII text. Numbers hit their bounds often. Integers
//! are now and then written as floats (`30.0`, about one in seven), which JSON Schema
//! reads as integers, so the tests that compare the schemas with the typed models, the
//! validator and the mock cover that spelling too.
//!
//! [`strategy`] adds, for a payload kind, the API rules the schema cannot express, by
//! adjusting each generated value (still valid against the schema):
//!
//! - J2 response: each text is rebuilt from its tokens with the one J2 tiling
//!   ([`crate::tiling`]), so the ranges tile it (a token list with no tokens gets an
//!   empty text);
//! - Jamba request: an active model ([`crate::model::jamba`]); system messages only first; with `n > 1` a
//!   temperature above 0; with `stream: true`, `n` is 1; tool call arguments hold JSON;
//!   an assistant message without text or tool calls gets text;
//! - Jamba response: choice indexes 0..n, `total_tokens` the sum, tool call arguments
//!   holding JSON, a known finish reason and model;
//! - stream chunk: `total_tokens` the sum and a known finish reason;
//! - J2 request: penalties spell `applyToPunctuations` as documented (the SDK's
//!   `applyToPunctuation` is renamed); a body `model` is a J2 name
//!   ([`crate::model::j2`]), which warns `drift/retired-model`, as every J2 model is
//!   retired.
//!
//! So generated payloads of every kind have no error findings; J2 requests with a body
//! `model` carry that one warning.

use std::sync::Arc;

use ai21_schemas::{Dialect, PayloadKind};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::{BoxedStrategy, Union, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value};

use ai21_validate::walk::{accepted_types, join_key, ref_target, resolve, type_accepts};

use crate::mutate::{compile_with_defs, presence_only};
use crate::word::WORDS;
use crate::{Error, Result};

mod fixup;
mod pattern;

/// Cases per property test when `PROPTEST_CASES` is not set: sized for a 2-core CI run.
pub const DEFAULT_CASES: u32 = 64;

/// The one proptest configuration every property test of the workspace uses:
/// [`DEFAULT_CASES`] cases, or `PROPTEST_CASES` from the environment.
pub fn proptest_config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config::with_cases(cases)
}

/// Values of `kind` valid against its schema and satisfying the API rules (see the
/// module docs for what is adjusted).
pub fn strategy(kind: PayloadKind) -> Result<BoxedStrategy<Value>> {
    strategy_in(Dialect::Studio, kind)
}

/// Values of `kind` as `dialect` has it: valid against the kind's schema with the
/// dialect's overlay applied ([`PayloadKind::schema_in`]), adjusted for the API rules as
/// [`strategy`] adjusts them (each adjustment touches only what is there, so a Bedrock
/// request without `model` stays without one).
pub fn strategy_in(dialect: Dialect, kind: PayloadKind) -> Result<BoxedStrategy<Value>> {
    let raw = schema_strategy(kind.schema_in(dialect))?;
    Ok((raw, any::<Index>())
        .prop_map(move |(mut value, choice)| {
            fixup::satisfy_rules(kind, &mut value, &choice);
            value
        })
        .boxed())
}

/// Values valid against `schema` (a whole schema document; `$ref`s resolve inside it).
pub fn schema_strategy(schema: &Value) -> Result<BoxedStrategy<Value>> {
    let builder = Builder {
        root: Arc::new(schema.clone()),
    };
    builder.build(schema, "", 0)
}

/// `count` values of `kind`, the same ones for the same `seed` on every machine.
pub fn generate(kind: PayloadKind, seed: u64, count: usize) -> Result<Vec<Value>> {
    let strategy = strategy(kind)?;
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .map(|tree| tree.current())
                .map_err(|reason| Error::Generate {
                    kind,
                    reason: reason.to_string(),
                })
        })
        .collect()
}

/// The keywords the generator applies.
const KEYWORDS: [&str; 18] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "$ref",
    "contains",
];

/// The keywords that constrain nothing.
const ANNOTATIONS: [&str; 10] = [
    "default",
    "deprecated",
    "examples",
    "description",
    "title",
    "$comment",
    "$schema",
    "$id",
    "$defs",
    "x-ai21-content",
];

/// How deep `$ref`s and nesting may go before the schema is taken to be recursive.
const MAX_DEPTH: usize = 32;

/// Items an array gets beyond its `minItems` at most, when `maxItems` does not say.
const EXTRA_ITEMS: usize = 3;

/// The width of the range a number gets when a schema gives only one bound, or none.
const INTEGER_SPAN: i64 = 1000;
const NUMBER_SPAN: f64 = 20.0;

struct Builder {
    root: Arc<Value>,
}

/// The error for `keyword` of the schema node at `pointer`.
fn unsupported(pointer: &str, keyword: &str, reason: impl Into<String>) -> Error {
    Error::Unsupported {
        pointer: join_key(pointer, keyword),
        keyword: keyword.to_owned(),
        reason: reason.into(),
    }
}

impl Builder {
    fn build(&self, node: &Value, pointer: &str, depth: usize) -> Result<BoxedStrategy<Value>> {
        if depth > MAX_DEPTH {
            return Err(unsupported(
                pointer,
                "$ref",
                "the schema nests too deep (a recursive $ref?)",
            ));
        }
        let map = match node {
            Value::Bool(true) => return Ok(simple_value()),
            Value::Bool(false) => {
                return Err(Error::Unsupported {
                    pointer: pointer.to_owned(),
                    keyword: "false".to_owned(),
                    reason: "no value is valid against the schema `false`".to_owned(),
                });
            }
            Value::Object(map) => map,
            _ => {
                return Err(Error::Unsupported {
                    pointer: pointer.to_owned(),
                    keyword: "schema".to_owned(),
                    reason: "a schema is an object or a boolean".to_owned(),
                });
            }
        };
        for keyword in map.keys() {
            if !KEYWORDS.contains(&keyword.as_str()) && !ANNOTATIONS.contains(&keyword.as_str()) {
                return Err(unsupported(
                    pointer,
                    keyword,
                    "the instance generator does not know this keyword",
                ));
            }
        }
        if let Some(reference) = map.get("$ref") {
            if let Some(other) = map
                .keys()
                .find(|keyword| *keyword != "$ref" && KEYWORDS.contains(&keyword.as_str()))
            {
                return Err(unsupported(
                    pointer,
                    other,
                    "a keyword beside $ref is not supported",
                ));
            }
            let reference = reference
                .as_str()
                .ok_or_else(|| unsupported(pointer, "$ref", "$ref is not a string"))?;
            let target = ref_target(&self.root, reference).ok_or_else(|| {
                unsupported(
                    pointer,
                    "$ref",
                    format!("{reference} does not resolve inside the document"),
                )
            })?;
            return self.build(target, reference.trim_start_matches('#'), depth + 1);
        }
        if let Some(constant) = map.get("const") {
            return Ok(Just(constant.clone()).boxed());
        }
        if let Some(options) = map.get("enum") {
            let options = options
                .as_array()
                .filter(|options| !options.is_empty())
                .ok_or_else(|| unsupported(pointer, "enum", "enum is not a non-empty list"))?;
            return Ok(select(options.clone()).boxed());
        }
        for keyword in ["oneOf", "anyOf"] {
            let Some(branches) = map.get(keyword) else {
                continue;
            };
            let branches = self.branches(branches, pointer, keyword)?;
            let beside = map
                .keys()
                .find(|other| other.as_str() != keyword && KEYWORDS.contains(&other.as_str()));
            let Some(beside) = beside else { continue };
            if keyword == "anyOf" && branches.iter().all(presence_only) {
                // An object whose branches say which of its properties must be there
                // (`{"required": ["detail"]}` or `{"required": ["error"]}`): the object
                // itself, with one branch's properties required too.
                let strategies = branches
                    .iter()
                    .map(|branch| {
                        let mut merged = map.clone();
                        merged.remove(keyword);
                        let mut required: Vec<Value> = map
                            .get("required")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        for name in branch["required"].as_array().into_iter().flatten() {
                            if !required.contains(name) {
                                required.push(name.clone());
                            }
                        }
                        merged.insert("required".to_owned(), Value::Array(required));
                        self.build(&Value::Object(merged), pointer, depth + 1)
                    })
                    .collect::<Result<Vec<_>>>()?;
                return Ok(Union::new(strategies).boxed());
            }
            return Err(unsupported(
                pointer,
                beside,
                format!(
                    "a keyword beside {keyword} is supported only for an anyOf of branches that only require properties"
                ),
            ));
        }
        if let Some(branches) = map.get("oneOf") {
            let branches = self.branches(branches, pointer, "oneOf")?;
            self.check_disjoint(branches, pointer)?;
            return self.union(branches, &join_key(pointer, "oneOf"), depth);
        }
        if let Some(branches) = map.get("anyOf") {
            let branches = self.branches(branches, pointer, "anyOf")?;
            return self.union(branches, &join_key(pointer, "anyOf"), depth);
        }
        let types: Vec<String> = match map.get("type") {
            Some(Value::String(name)) => vec![name.clone()],
            Some(Value::Array(names)) => names
                .iter()
                .map(|name| {
                    name.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| unsupported(pointer, "type", "a type name is not a string"))
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(unsupported(pointer, "type", "type is not a name or a list")),
            None => implied_types(map),
        };
        if types.is_empty() {
            return Ok(simple_value());
        }
        let strategies = types
            .iter()
            .map(|name| self.typed(map, name, pointer, depth))
            .collect::<Result<Vec<_>>>()?;
        Ok(Union::new(strategies).boxed())
    }

    fn branches<'a>(
        &self,
        branches: &'a Value,
        pointer: &str,
        keyword: &str,
    ) -> Result<&'a Vec<Value>> {
        branches
            .as_array()
            .filter(|branches| !branches.is_empty())
            .ok_or_else(|| unsupported(pointer, keyword, "not a non-empty list"))
    }

    fn union(
        &self,
        branches: &[Value],
        pointer: &str,
        depth: usize,
    ) -> Result<BoxedStrategy<Value>> {
        let strategies = branches
            .iter()
            .enumerate()
            .map(|(index, branch)| self.build(branch, &format!("{pointer}/{index}"), depth + 1))
            .collect::<Result<Vec<_>>>()?;
        Ok(Union::new(strategies).boxed())
    }

    /// A `oneOf` is generated as a union of its branches, which is right only when no
    /// value can match two branches: they must differ in type or in a `const`
    /// discriminator.
    fn check_disjoint(&self, branches: &[Value], pointer: &str) -> Result<()> {
        let root = &*self.root;
        for (left_index, left) in branches.iter().enumerate() {
            for (right_index, right) in branches.iter().enumerate().skip(left_index + 1) {
                let by_type = match (accepted_types(root, left), accepted_types(root, right)) {
                    (Some(left_types), Some(right_types)) => !left_types.iter().any(|name| {
                        type_accepts(&right_types, name)
                            || right_types
                                .iter()
                                .any(|other| type_accepts(&[*name], other))
                    }),
                    _ => false,
                };
                if by_type || by_constant(root, left, right) {
                    continue;
                }
                return Err(unsupported(
                    pointer,
                    "oneOf",
                    format!(
                        "branches {left_index} and {right_index} differ neither in type nor in a const property, so a generated value could match both"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn typed(
        &self,
        map: &Map<String, Value>,
        name: &str,
        pointer: &str,
        depth: usize,
    ) -> Result<BoxedStrategy<Value>> {
        match name {
            "null" => Ok(Just(Value::Null).boxed()),
            "boolean" => Ok(any::<bool>().prop_map(Value::Bool).boxed()),
            "integer" => integer(map, pointer),
            "number" => number(map, pointer),
            "string" => string(map, pointer),
            "array" => self.array(map, pointer, depth),
            "object" => self.object(map, pointer, depth),
            other => Err(unsupported(
                pointer,
                "type",
                format!("unknown type {other:?}"),
            )),
        }
    }

    fn array(
        &self,
        map: &Map<String, Value>,
        pointer: &str,
        depth: usize,
    ) -> Result<BoxedStrategy<Value>> {
        let items = match map.get("items") {
            Some(items) => self.build(items, &join_key(pointer, "items"), depth + 1)?,
            None => simple_value(),
        };
        let min_items = bound_usize(map, "minItems", pointer)?.unwrap_or(0);
        let max_items = bound_usize(map, "maxItems", pointer)?.unwrap_or(min_items + EXTRA_ITEMS);
        if min_items > max_items {
            return Err(unsupported(
                pointer,
                "minItems",
                "minItems is above maxItems",
            ));
        }
        let Some(contains) = map.get("contains") else {
            return Ok(proptest::collection::vec(items, min_items..=max_items)
                .prop_map(Value::Array)
                .boxed());
        };
        if max_items == 0 {
            return Err(unsupported(pointer, "contains", "contains with maxItems 0"));
        }
        let matcher = Arc::new(self.compile(contains, pointer)?);
        let contained = if map.contains_key("items") {
            items
                .clone()
                .prop_filter("an item matching `contains`", move |item| {
                    matcher.is_valid(item)
                })
                .boxed()
        } else {
            self.build(contains, &join_key(pointer, "contains"), depth + 1)?
        };
        Ok((
            proptest::collection::vec(items, min_items.saturating_sub(1)..=max_items - 1),
            contained,
            any::<Index>(),
        )
            .prop_map(|(mut values, contained, position)| {
                let at = position.index(values.len() + 1);
                values.insert(at, contained);
                Value::Array(values)
            })
            .boxed())
    }

    /// A validator for a subschema, with the document's `$defs` so its `$ref`s resolve.
    fn compile(&self, node: &Value, pointer: &str) -> Result<jsonschema::Validator> {
        compile_with_defs(&self.root, node)
            .map_err(|error| unsupported(pointer, "contains", format!("does not compile: {error}")))
    }

    fn object(
        &self,
        map: &Map<String, Value>,
        pointer: &str,
        depth: usize,
    ) -> Result<BoxedStrategy<Value>> {
        let empty = Map::new();
        let properties = match map.get("properties") {
            Some(Value::Object(properties)) => properties,
            Some(_) => {
                return Err(unsupported(
                    pointer,
                    "properties",
                    "properties is not an object",
                ));
            }
            None => &empty,
        };
        let required: Vec<&str> = match map.get("required") {
            Some(Value::Array(names)) => names
                .iter()
                .map(|name| {
                    name.as_str().ok_or_else(|| {
                        unsupported(pointer, "required", "a required name is not a string")
                    })
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(unsupported(pointer, "required", "required is not a list")),
            None => Vec::new(),
        };
        let properties_pointer = join_key(pointer, "properties");
        let mut fields: Vec<BoxedStrategy<(String, Option<Value>)>> = Vec::new();
        for (name, schema) in properties {
            let value = self.build(schema, &join_key(&properties_pointer, name), depth + 1)?;
            let name = name.clone();
            let field = if required.contains(&name.as_str()) {
                value
                    .prop_map(move |value| (name.clone(), Some(value)))
                    .boxed()
            } else {
                proptest::option::weighted(0.5, value)
                    .prop_map(move |value| (name.clone(), value))
                    .boxed()
            };
            fields.push(field);
        }
        for name in required
            .iter()
            .filter(|name| !properties.contains_key(**name))
        {
            let name = (*name).to_owned();
            fields.push(
                simple_value()
                    .prop_map(move |value| (name.clone(), Some(value)))
                    .boxed(),
            );
        }
        let extra = match map.get("additionalProperties") {
            Some(schema @ Value::Object(_)) => {
                let value = self.build(
                    schema,
                    &join_key(pointer, "additionalProperties"),
                    depth + 1,
                )?;
                proptest::collection::vec((key(), value), 0..=2).boxed()
            }
            Some(Value::Bool(true)) if properties.is_empty() => {
                proptest::collection::vec((key(), simple_value()), 0..=2).boxed()
            }
            Some(Value::Bool(_)) | None => Just(Vec::new()).boxed(),
            Some(_) => {
                return Err(unsupported(pointer, "additionalProperties", "not a schema"));
            }
        };
        let declared: Vec<String> = properties.keys().cloned().collect();
        Ok((fields, extra)
            .prop_map(move |(fields, extra)| {
                let mut object = Map::new();
                for (name, value) in extra {
                    if !declared.contains(&name) {
                        object.insert(name, value);
                    }
                }
                for (name, value) in fields {
                    if let Some(value) = value {
                        object.insert(name, value);
                    }
                }
                Value::Object(object)
            })
            .boxed())
    }
}

/// Whether two branches pin a property they both require to different constants.
fn by_constant(root: &Value, left: &Value, right: &Value) -> bool {
    let left = resolve(root, left);
    let right = resolve(root, right);
    let Some(Value::Array(required)) = left.get("required") else {
        return false;
    };
    required.iter().filter_map(Value::as_str).any(|property| {
        let required_right = right
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|names| names.iter().any(|name| name == property));
        let constant = |branch: &Value| {
            branch
                .get("properties")
                .and_then(|properties| properties.get(property))
                .map(|schema| resolve(root, schema))
                .and_then(|schema| schema.get("const"))
                .cloned()
        };
        match (constant(left), constant(right)) {
            (Some(one), Some(other)) => required_right && one != other,
            _ => false,
        }
    })
}

/// The types a schema without `type` constrains by its keywords (none: anything).
fn implied_types(map: &Map<String, Value>) -> Vec<String> {
    let has = |keywords: &[&str]| keywords.iter().any(|keyword| map.contains_key(*keyword));
    let name = if has(&["properties", "required", "additionalProperties"]) {
        "object"
    } else if has(&["items", "minItems", "maxItems", "contains"]) {
        "array"
    } else if has(&["minLength", "maxLength", "pattern"]) {
        "string"
    } else if has(&["minimum", "maximum"]) {
        "number"
    } else {
        return Vec::new();
    };
    vec![name.to_owned()]
}

fn bound_f64(map: &Map<String, Value>, keyword: &str, pointer: &str) -> Result<Option<f64>> {
    match map.get(keyword) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| unsupported(pointer, keyword, "not a number")),
    }
}

fn bound_usize(map: &Map<String, Value>, keyword: &str, pointer: &str) -> Result<Option<usize>> {
    match map.get(keyword) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|value| usize::try_from(value).ok())
            .map(Some)
            .ok_or_else(|| unsupported(pointer, keyword, "not a non-negative integer")),
    }
}

fn integer(map: &Map<String, Value>, pointer: &str) -> Result<BoxedStrategy<Value>> {
    // Bounds are whole numbers in our schemas; a fractional one is rounded inward.
    let minimum = bound_f64(map, "minimum", pointer)?.map(|bound| bound.ceil() as i64);
    let maximum = bound_f64(map, "maximum", pointer)?.map(|bound| bound.floor() as i64);
    let (low, high) = match (minimum, maximum) {
        (Some(low), Some(high)) => (low, high),
        (Some(low), None) => (low, low.saturating_add(INTEGER_SPAN)),
        (None, Some(high)) => (high.saturating_sub(INTEGER_SPAN), high),
        (None, None) => (0, INTEGER_SPAN),
    };
    if low > high {
        return Err(unsupported(pointer, "minimum", "minimum is above maximum"));
    }
    Ok(prop_oneof![
        4 => (low..=high).prop_map(Value::from),
        1 => Just(Value::from(low)),
        1 => Just(Value::from(high)),
        // Written as a float (`30.0`): JSON Schema reads any integral number as an
        // integer, and so must everything the schema is compared with.
        1 => (low..=high).prop_map(integral_float),
    ]
    .boxed())
}

/// `value` written as a JSON float, such as `30.0`: the same integer to JSON Schema.
fn integral_float(value: i64) -> Value {
    // The generator's integers are small (INTEGER_SPAN around the schema's bounds), so the
    // f64 is exact.
    #[allow(
        clippy::cast_precision_loss,
        reason = "small integers are exact in an f64"
    )]
    Value::from(value as f64)
}

fn number(map: &Map<String, Value>, pointer: &str) -> Result<BoxedStrategy<Value>> {
    let minimum = bound_f64(map, "minimum", pointer)?;
    let maximum = bound_f64(map, "maximum", pointer)?;
    let (low, high) = match (minimum, maximum) {
        (Some(low), Some(high)) => (low, high),
        (Some(low), None) => (low, low + NUMBER_SPAN),
        (None, Some(high)) => (high - NUMBER_SPAN, high),
        (None, None) => (-NUMBER_SPAN, NUMBER_SPAN),
    };
    if low > high || !low.is_finite() || !high.is_finite() {
        return Err(unsupported(
            pointer,
            "minimum",
            "the range is empty or not finite",
        ));
    }
    let fraction = (low..=high).prop_map(move |float: f64| {
        // Two decimals, like the temperatures people write; kept inside the bounds.
        let rounded = ((float * 100.0).round() / 100.0).clamp(low, high);
        Value::from(rounded)
    });
    let whole_low = low.ceil() as i64;
    let whole_high = high.floor() as i64;
    let mut options: Vec<(u32, BoxedStrategy<Value>)> = vec![
        (4, fraction.boxed()),
        (1, Just(Value::from(low)).boxed()),
        (1, Just(Value::from(high)).boxed()),
    ];
    if whole_low <= whole_high {
        // Integer-valued numbers written without a fraction, as `"topP": 1` in real bodies.
        options.push((2, (whole_low..=whole_high).prop_map(Value::from).boxed()));
    }
    Ok(Union::new_weighted(options).boxed())
}

fn string(map: &Map<String, Value>, pointer: &str) -> Result<BoxedStrategy<Value>> {
    if let Some(pattern) = map.get("pattern") {
        let pattern = pattern
            .as_str()
            .ok_or_else(|| unsupported(pointer, "pattern", "not a string"))?;
        if map.contains_key("minLength") || map.contains_key("maxLength") {
            return Err(unsupported(
                pointer,
                "pattern",
                "a pattern beside minLength or maxLength is not supported",
            ));
        }
        return pattern::strategy(pattern)
            .map_err(|reason| unsupported(pointer, "pattern", reason));
    }
    let min_length = bound_usize(map, "minLength", pointer)?.unwrap_or(0);
    let max_length = bound_usize(map, "maxLength", pointer)?;
    if max_length.is_some_and(|max_length| max_length < min_length) {
        return Err(unsupported(
            pointer,
            "minLength",
            "minLength is above maxLength",
        ));
    }
    Ok(text(min_length, max_length).prop_map(Value::String).boxed())
}

/// How text may end.
const ENDINGS: &[&str] = &["", ".", "!", "?", ":", "\n"];

/// How often words are separated by a line break rather than a space.
const LINE_BREAKS: f64 = 1.0 / 16.0;

/// Text of `min_length` to `max_length` characters (code points, as JSON Schema counts).
fn text(min_length: usize, max_length: Option<usize>) -> BoxedStrategy<String> {
    // Each word with whether a line break, not a space, comes before it.
    let words = proptest::collection::vec(
        (select(WORDS), proptest::bool::weighted(LINE_BREAKS)),
        0..=12,
    );
    (words, select(ENDINGS), any::<bool>(), select(WORDS))
        .prop_map(move |(words, ending, leading_space, filler)| {
            let mut text = String::new();
            if leading_space && !words.is_empty() {
                // Answers often start with a space (" Hello!").
                text.push(' ');
            }
            for (index, (word, line_break)) in words.iter().enumerate() {
                if index > 0 {
                    text.push(if *line_break { '\n' } else { ' ' });
                }
                text.push_str(word);
            }
            if !text.is_empty() {
                text.push_str(ending);
            }
            while text.chars().count() < min_length {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(filler);
            }
            if let Some(max_length) = max_length
                && text.chars().count() > max_length
            {
                text = text.chars().take(max_length).collect();
            }
            text
        })
        .boxed()
}

/// An object key for free-form maps.
fn key() -> BoxedStrategy<String> {
    select(
        &[
            "source",
            "author",
            "lang",
            "topic",
            "city",
            "unit",
            "▁the",
            "▁a▁box▁of",
            "page",
        ][..],
    )
    .prop_map(str::to_owned)
    .boxed()
}

/// A small value of any type, for schemas that allow anything.
fn simple_value() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-100i64..=100).prop_map(Value::from),
        text(0, Some(20)).prop_map(Value::String),
    ]
    .boxed()
}

#[cfg(test)]
mod tests;
