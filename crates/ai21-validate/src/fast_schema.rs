//! [`FastSchema`]: a fast check that an instance is valid against a canonical schema, read
//! through a [`View`], so that a payload held on a tape is never built into a
//! `serde_json::Value` just to learn that it is valid.
//!
//! `jsonschema` stays the authority. This check answers the common question ("is it
//! valid?") for the payloads of this project's schemas, and answers exactly as
//! `jsonschema::draft202012::new(schema)?.is_valid(&value)` would on the `Value` parsed
//! from the same text, or it says it cannot tell:
//!
//! - `Some(true)`: valid. Never given where `jsonschema` finds the instance invalid.
//! - `Some(false)`: invalid. Never given where `jsonschema` finds it valid.
//! - `None`: the check reached a keyword it does not implement (or a case it does not
//!   decide, listed below); the caller runs `jsonschema`.
//!
//! # How it works
//!
//! [`FastSchema::new`] compiles the schema once into a flat plan: a `Vec` of nodes indexed
//! by `u32`, one per subschema reached from the root. A local `$ref` is followed at compile
//! time: it becomes the id of its target's node (the reference alone, beside annotations,
//! is replaced by its target; beside other keywords it is applied as one more conjunct, as
//! draft 2020-12 says), so a cycle of references is a cycle of ids and costs nothing at
//! check time. A subschema holding a keyword the plan does not implement compiles to an
//! *unknown* node, which answers `None` whatever the instance: a later edit of a schema
//! can make the check slower (the caller falls back to `jsonschema`), never wrong.
//!
//! Checking an object walks its members once: each key is looked up among the node's
//! declared properties (a short scan comparing the key's length and its first and last
//! 8 bytes as integers, starting after the previous member's property, since members
//! come in the same order every time), the required ones seen are marked in a `u64`
//! bitmask, each value is checked with its property's node and the other keys with
//! `additionalProperties`. A `oneOf` or `anyOf` whose branches all require one key and
//! fix it to a string of their own with `const` (a tagged union: a chat message's
//! `role`, a J2 finish reason's `reason`) checks an object against the one branch its tag
//! names, as `jsonschema` does; the others cannot match it. Nothing is allocated per node
//! or per value, except for `pattern` (one `String` per string checked) and for `const`
//! and `enum` against an array or object instance.
//!
//! # Keywords
//!
//! Implemented, with `jsonschema` 0.60's semantics (draft 2020-12):
//!
//! | keyword | what it does here |
//! | --- | --- |
//! | `true`, `false` | boolean schemas: everything, nothing |
//! | `type` | a name or a list of `null`, `boolean`, `integer`, `number`, `string`, `array`, `object`; `integer` is any number whose fractional part is zero (`3.0`, `-0.0`, `1e300`), as `jsonschema` decides it |
//! | `const`, `enum` | JSON equality as `jsonschema` has it: numbers compared mathematically (`1` equals `1.0`), arrays item by item, objects key by key; an array or object instance is built into a `Value` to be compared (rare) |
//! | `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` | exact comparison of the instance (`u64`, `i64` or `f64`, read in that order) with the limit (likewise), as `jsonschema` (`num-cmp`) does |
//! | `minLength`, `maxLength` | length in Unicode code points |
//! | `pattern` | the string is matched by a `jsonschema` validator compiled from `{"pattern": P}` alone, so the regex dialect, its translation and its engine are `jsonschema`'s own |
//! | `properties`, `required`, `additionalProperties` | `additionalProperties` (a schema, `true` or `false`) applies to the keys `properties` does not declare |
//! | `items` | a schema applied to every element |
//! | `minItems`, `maxItems` | element count |
//! | `contains`, `minContains`, `maxContains` | how many elements match `contains` (1 or more without bounds); the bounds alone, without `contains`, do nothing, as in `jsonschema` |
//! | `allOf`, `anyOf`, `oneOf`, `not` | combinations; `oneOf` is valid when exactly one branch is |
//! | `$ref` | a local reference `#...` (a JSON pointer into the root document), or the root's `$id` followed by one |
//!
//! Ignored, as `jsonschema` ignores them in draft 2020-12 by default: `title`,
//! `description`, `$comment`, `default`, `examples`, `deprecated`, `readOnly`, `writeOnly`,
//! `$defs` (only what a `$ref` reaches is compiled), `$id` on the root, `$schema` when it
//! names draft 2020-12, every `x-...` extension keyword, `format` (an annotation unless the
//! dialect asserts it; `jsonschema` 0.60 asserts it by default only for drafts 4, 6 and 7),
//! and `contentMediaType`, `contentEncoding`, `contentSchema` (annotations only in 2019-09
//! and later: `jsonschema` compiles them to annotation-only validators).
//!
//! Everything else makes its subschema unknown: every other keyword (`prefixItems`,
//! `patternProperties`, `unevaluatedProperties`, `if`, `dependentRequired`, `multipleOf`,
//! `uniqueItems`, `definitions`, `additionalItems`, which `jsonschema` also applies in
//! 2020-12, and names not in the specification), a known keyword whose value is malformed
//! (a bound that is not a non-negative integer, a `type` name that does not exist, an empty
//! `enum`, a `pattern` that `jsonschema` does not compile, ...), a `$ref` that is not
//! local, holds `%`, does not resolve or only leads to references, an `$id` below the root,
//! a `$schema` naming another dialect.
//!
//! # Undecided cases at check time
//!
//! `None` is also the answer, whatever the schema, for an instance nested deeper than
//! [`MAX_DEPTH`], a number a `View` reads as neither `u64`, `i64` nor `f64` (only possible
//! with `serde_json/arbitrary_precision`), and a member that fails while the object's
//! [`View::get`] of the same key (the value a `serde_json::Value` keeps of a key written
//! twice) passes: a tape that keeps duplicate keys is judged as the `Value` of its text.

use std::cmp::Ordering;

use ai21_tape::{Kind, View};
use serde_json::{Map, Number, Value};

#[cfg(test)]
mod tests;

/// Instances nested deeper than this are left to `jsonschema` (`None`); it bounds the
/// recursion of the check whatever the schema and the instance.
pub(crate) const MAX_DEPTH: u32 = 256;

/// The schema dialect the plan implements, as `$schema` names it.
const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// Node id of the schema `true`.
const TRUE: u32 = 0;
/// Node id of the schema `false`.
const FALSE: u32 = 1;
/// Node id of a subschema the plan cannot decide.
const UNKNOWN: u32 = 2;

/// Type bit of `null`.
const T_NULL: u8 = 1;
/// Type bit of `boolean`.
const T_BOOLEAN: u8 = 1 << 1;
/// Type bit of `integer` (a number with no fractional part).
const T_INTEGER: u8 = 1 << 2;
/// Type bit of `number` (any number).
const T_NUMBER: u8 = 1 << 3;
/// Type bit of `string`.
const T_STRING: u8 = 1 << 4;
/// Type bit of `array`.
const T_ARRAY: u8 = 1 << 5;
/// Type bit of `object`.
const T_OBJECT: u8 = 1 << 6;
/// Every type: no `type` keyword.
const T_ANY: u8 = 0x7f;

/// Annotation keywords, which assert nothing (besides `x-...` names, `$defs`, `$schema`
/// and `$id`, handled apart).
const ANNOTATIONS: [&str; 12] = [
    "title",
    "description",
    "$comment",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "format",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// A schema compiled for the fast check; see the [module documentation](self).
#[derive(Debug)]
pub(crate) struct FastSchema {
    /// The plan; ids [`TRUE`], [`FALSE`] and [`UNKNOWN`] are the three fixed nodes.
    nodes: Vec<Node>,
    /// The root schema's node.
    root: u32,
    /// Why subschemas compiled to unknown nodes: a JSON pointer into the schema and the
    /// reason, in the order met.
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "for the tests and for debugging a schema edit")
    )]
    unknowns: Vec<String>,
}

/// What a subschema says of an instance: the three outcomes of [`FastSchema::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    /// Valid.
    Yes,
    /// Invalid.
    No,
    /// Not decided by the plan.
    Unknown,
}

/// A JSON number as `jsonschema` reads it: `u64` if it fits, else `i64`, else `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    /// A non-negative integer that fits `u64`.
    U(u64),
    /// A negative integer that fits `i64`.
    I(i64),
    /// Any other number.
    F(f64),
}

/// One subschema of the plan.
#[derive(Debug)]
enum Node {
    /// A boolean schema `true` or a subschema without assertions.
    True,
    /// The boolean schema `false`.
    False,
    /// A subschema the plan does not decide.
    Unknown,
    /// A subschema that only refers to another one (removed once the plan is built).
    Alias(u32),
    /// A subschema with assertions.
    Check(Box<Checks>),
}

/// The assertions of one subschema; an absent keyword asserts nothing.
#[derive(Debug, Default)]
struct Checks {
    /// `type`, as type bits ([`T_ANY`] without the keyword).
    types: u8,
    /// `minimum`.
    minimum: Option<Num>,
    /// `maximum`.
    maximum: Option<Num>,
    /// `exclusiveMinimum`.
    exclusive_minimum: Option<Num>,
    /// `exclusiveMaximum`.
    exclusive_maximum: Option<Num>,
    /// Whether any of the four numeric bounds is present.
    has_bounds: bool,
    /// Whether `minLength`, `maxLength` or `pattern` is present.
    has_string: bool,
    /// Whether `const`, `enum`, `allOf`, `$ref`, `anyOf`, `oneOf` or `not` is present.
    has_rest: bool,
    /// `minLength`.
    min_length: Option<u64>,
    /// `maxLength`.
    max_length: Option<u64>,
    /// `pattern`, as a `jsonschema` validator of `{"pattern": P}`.
    pattern: Option<Box<jsonschema::Validator>>,
    /// `const`.
    const_value: Option<Value>,
    /// `enum`.
    enum_values: Option<Box<[Value]>>,
    /// `properties`, `required` and `additionalProperties`, when any is present.
    object: Option<Box<ObjectChecks>>,
    /// `items`, `minItems`, `maxItems`, `contains`, when any is present.
    array: Option<Box<ArrayChecks>>,
    /// `allOf`, with a `$ref` beside other keywords.
    all_of: Box<[u32]>,
    /// `anyOf`.
    any_of: Option<Box<[u32]>>,
    /// How to pick the one `anyOf` branch an object can match, when there is a way.
    any_of_by: Option<Box<Dispatch>>,
    /// `oneOf`.
    one_of: Option<Box<[u32]>>,
    /// How to pick the one `oneOf` branch an object can match, when there is a way.
    one_of_by: Option<Box<Dispatch>>,
    /// `not`.
    not: Option<u32>,
}

/// The object keywords of a subschema.
#[derive(Debug)]
struct ObjectChecks {
    /// `properties`: each declared key and its node, in the schema's order.
    properties: Box<[Property]>,
    /// Bit `i` is set when `properties[i]` (`i < 64`) is required.
    required_mask: u64,
    /// Required keys not among the first 64 declared properties.
    required_other: Box<[Box<str>]>,
    /// `additionalProperties`, as a node ([`TRUE`] without the keyword).
    additional: u32,
    /// Whether the members must be walked (some property declared, a constraint on the
    /// others, or [`ObjectChecks::open`]); otherwise only `required_other` is looked up.
    walk: bool,
    /// Whether a key the object does not declare is drift, as the validator's drift walk
    /// says: the subschema has `properties` and no `additionalProperties` (or `true`).
    open: bool,
}

/// A declared property of an object.
#[derive(Debug)]
struct Property {
    /// The key's first 8 bytes (fewer, zero-padded, for a shorter key): compared first.
    head: u64,
    /// The key's last 8 bytes, for a key longer than 8 bytes (0 otherwise): with `head`,
    /// the whole of a key of up to 16 bytes.
    tail: u64,
    /// The key.
    key: Box<str>,
    /// The node of the property's value.
    node: u32,
}

impl Property {
    /// The property `key`, checked by `node`.
    fn new(key: &str, node: u32) -> Property {
        Property {
            head: head(key.as_bytes()),
            tail: tail(key.as_bytes()).unwrap_or(0),
            key: key.into(),
            node,
        }
    }

    /// Whether `key`, whose [`head`] is `key_head`, is this property's key.
    #[inline(always)]
    fn is(&self, key: &[u8], key_head: u64) -> bool {
        self.head == key_head
            && self.key.len() == key.len()
            && (key.len() <= 8
                || (tail(key) == Some(self.tail)
                    && (key.len() <= 16 || self.key.as_bytes() == key)))
    }
}

/// The last 8 bytes of `bytes` as a little-endian integer, if it has more than 8.
#[inline(always)]
fn tail(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 8 {
        bytes
            .last_chunk::<8>()
            .map(|last| u64::from_le_bytes(*last))
    } else {
        None
    }
}

/// The first 8 bytes of `bytes` as a little-endian integer, zero-padded.
#[inline(always)]
fn head(bytes: &[u8]) -> u64 {
    if let Some(first) = bytes.first_chunk::<8>() {
        u64::from_le_bytes(*first)
    } else {
        let mut head = 0_u64;
        for (index, &byte) in bytes.iter().enumerate() {
            head |= u64::from(byte) << (8 * index);
        }
        head
    }
}

/// The branch of an `anyOf` or `oneOf` that an object can match, picked by one member:
/// every branch requires the key and fixes it to its own string with `const`, so against
/// an object every branch but the one of the member's value fails (and all do when the
/// member is missing or has another value). The branches are checked in full for any
/// other instance.
#[derive(Debug)]
struct Dispatch {
    /// The member that tells the branches apart.
    key: Box<str>,
    /// Each branch's string and node.
    cases: Box<[(Box<str>, u32)]>,
}

/// The array keywords of a subschema.
#[derive(Debug)]
struct ArrayChecks {
    /// `items`.
    items: Option<u32>,
    /// `minItems`.
    min_items: Option<u64>,
    /// `maxItems`.
    max_items: Option<u64>,
    /// `contains`.
    contains: Option<u32>,
    /// `minContains` (1 without the keyword).
    min_contains: u64,
    /// `maxContains`.
    max_contains: Option<u64>,
}

impl FastSchema {
    /// Compiles `root`, a draft 2020-12 schema document; never fails: what the plan cannot
    /// read becomes unknown nodes ([`unknowns`](Self::unknowns) says which and why).
    pub(crate) fn new(root: &Value) -> FastSchema {
        let mut compiler = Compiler {
            root,
            root_id: root.get("$id").and_then(Value::as_str),
            nodes: vec![Node::True, Node::False, Node::Unknown],
            ids: Vec::new(),
            unknowns: Vec::new(),
        };
        let root_node = compiler.compile(root, String::new(), true);
        let Compiler {
            mut nodes,
            mut unknowns,
            ..
        } = compiler;
        let root_node = settle(&mut nodes, root_node, &mut unknowns);
        FastSchema {
            nodes,
            root: root_node,
            unknowns,
        }
    }

    /// Checks `instance`: `Some(true)` valid and `Some(false)` invalid, exactly as
    /// `jsonschema` decides it on the `Value` of the same JSON; `None` when the plan cannot
    /// tell (a keyword it does not implement was reached), and the caller runs
    /// `jsonschema`.
    #[cfg(test)]
    pub(crate) fn check<'a, V: View<'a>>(&self, instance: V) -> Option<bool> {
        self.check_drift(instance).0
    }

    /// [`FastSchema::check`], and whether the instance may have a field the validator's
    /// drift walk warns about (`drift/unknown-field`): a key an object does not declare
    /// where its subschema declares `properties` and leaves the others open. For a valid
    /// instance, `false` means the drift walk finds nothing: it follows the instance
    /// through `properties`, `items`, `additionalProperties`, `$ref`s and the union branch
    /// meant for each value, and every subschema it reaches on the way is one this check
    /// evaluates on the same value and that holds (for a union, the branch it picks by its
    /// discriminator or by the value's type is the one that holds). `true` may be
    /// conservative: an undeclared key seen where the drift walk does not look.
    pub(crate) fn check_drift<'a, V: View<'a>>(&self, instance: V) -> (Option<bool>, bool) {
        let mut drift = false;
        let verdict = match self.eval(self.root, instance, 0, &mut drift) {
            Tri::Yes => Some(true),
            Tri::No => Some(false),
            Tri::Unknown => None,
        };
        (verdict, drift)
    }

    /// Why parts of the schema compiled to unknown nodes: one line per subschema, a JSON
    /// pointer into the schema and the keyword or value the plan does not implement.
    /// Empty when the plan implements the whole schema.
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "for the tests and for debugging a schema edit")
    )]
    pub(crate) fn unknowns(&self) -> &[String] {
        &self.unknowns
    }

    /// What node `id` says of `value`, `depth` levels below the root instance.
    ///
    /// Inlined into its callers (the object, array and combination checks, which are
    /// not), so that checking a member's scalar value costs no call.
    #[inline(always)]
    fn eval<'a, V: View<'a>>(&self, id: u32, value: V, depth: u32, drift: &mut bool) -> Tri {
        let checks = match self.nodes.get(id as usize) {
            Some(Node::Check(checks)) => checks,
            Some(Node::True) => return Tri::Yes,
            Some(Node::False) => return Tri::No,
            Some(Node::Unknown | Node::Alias(_)) | None => return Tri::Unknown,
        };
        if depth > MAX_DEPTH {
            return Tri::Unknown;
        }
        // `type`, and the keywords of the instance's own type.
        let own = match value.kind() {
            Kind::Null => type_is(checks, T_NULL),
            Kind::Bool => type_is(checks, T_BOOLEAN),
            Kind::Number => eval_number(checks, value),
            Kind::String => match type_is(checks, T_STRING) {
                Tri::Yes if checks.has_string => eval_string(checks, value),
                own => own,
            },
            Kind::Array => match (type_is(checks, T_ARRAY), &checks.array) {
                (Tri::Yes, Some(array)) => self.eval_array(array, value, depth, drift),
                (own, _) => own,
            },
            Kind::Object => match (type_is(checks, T_OBJECT), &checks.object) {
                (Tri::Yes, Some(object)) => self.eval_object(object, value, depth, drift),
                (own, _) => own,
            },
        };
        if own == Tri::No || !checks.has_rest {
            return own;
        }
        match self.eval_rest(checks, value, depth, drift) {
            Tri::Yes => own,
            rest => rest,
        }
    }

    /// `const`, `enum`, `allOf` (and `$ref`), `anyOf`, `oneOf` and `not`.
    fn eval_rest<'a, V: View<'a>>(
        &self,
        checks: &Checks,
        value: V,
        depth: u32,
        drift: &mut bool,
    ) -> Tri {
        let mut unknown = false;
        if let Some(expected) = &checks.const_value
            && !equals(value, expected)
        {
            return Tri::No;
        }
        if let Some(options) = &checks.enum_values
            && !options.iter().any(|option| equals(value, option))
        {
            return Tri::No;
        }
        for &branch in &checks.all_of {
            match self.eval(branch, value, depth, drift) {
                Tri::Yes => {}
                Tri::No => return Tri::No,
                Tri::Unknown => unknown = true,
            }
        }
        if let Some(branches) = &checks.any_of {
            match self.eval_any_of(branches, checks.any_of_by.as_deref(), value, depth, drift) {
                Tri::Yes => {}
                Tri::No => return Tri::No,
                Tri::Unknown => unknown = true,
            }
        }
        if let Some(branches) = &checks.one_of {
            match self.eval_one_of(branches, checks.one_of_by.as_deref(), value, depth, drift) {
                Tri::Yes => {}
                Tri::No => return Tri::No,
                Tri::Unknown => unknown = true,
            }
        }
        if let Some(negated) = checks.not {
            // What `not` reads is no part of the instance's shape: its fields are not drift.
            match self.eval(negated, value, depth, &mut false) {
                Tri::Yes => return Tri::No,
                Tri::No => {}
                Tri::Unknown => unknown = true,
            }
        }
        if unknown { Tri::Unknown } else { Tri::Yes }
    }

    /// `properties`, `required` and `additionalProperties` on an object.
    fn eval_object<'a, V: View<'a>>(
        &self,
        object: &ObjectChecks,
        value: V,
        depth: u32,
        drift: &mut bool,
    ) -> Tri {
        let mut unknown = false;
        if object.walk {
            let Some(members) = value.members() else {
                return Tri::Unknown;
            };
            let mut seen = 0_u64;
            let mut next = 0;
            for (key, member) in members {
                let node = match object.find(key, next) {
                    Some(index) => {
                        if index < 64 {
                            seen |= 1 << index;
                        }
                        next = index + 1;
                        object
                            .properties
                            .get(index)
                            .map_or(UNKNOWN, |property| property.node)
                    }
                    None => {
                        *drift |= object.open;
                        object.additional
                    }
                };
                match self.eval(node, member, depth + 1, drift) {
                    Tri::Yes => {}
                    Tri::Unknown => unknown = true,
                    // A key written twice is kept once, last, by a `Value`, which `get`
                    // reads: the member that failed may be one `jsonschema` never sees.
                    Tri::No => match value
                        .get(key)
                        .map(|kept| self.eval(node, kept, depth + 1, &mut false))
                    {
                        Some(Tri::No) => return Tri::No,
                        _ => unknown = true,
                    },
                }
            }
            if seen & object.required_mask != object.required_mask {
                return Tri::No;
            }
        }
        if object
            .required_other
            .iter()
            .any(|key| !value.contains_key(key))
        {
            return Tri::No;
        }
        if unknown { Tri::Unknown } else { Tri::Yes }
    }

    /// `items`, `minItems`, `maxItems` and `contains` on an array.
    fn eval_array<'a, V: View<'a>>(
        &self,
        array: &ArrayChecks,
        value: V,
        depth: u32,
        drift: &mut bool,
    ) -> Tri {
        let Some(elements) = value.items() else {
            return Tri::Unknown;
        };
        let len = elements.len() as u64;
        if array.min_items.is_some_and(|min| len < min)
            || array.max_items.is_some_and(|max| len > max)
        {
            return Tri::No;
        }
        let mut unknown = false;
        if let Some(items) = array.items {
            for element in elements {
                match self.eval(items, element, depth + 1, drift) {
                    Tri::Yes => {}
                    Tri::No => return Tri::No,
                    Tri::Unknown => unknown = true,
                }
            }
        }
        if let Some(contains) = array.contains {
            let Some(elements) = value.items() else {
                return Tri::Unknown;
            };
            // `matched` elements match surely, `undecided` more may.
            let (mut matched, mut undecided) = (0_u64, 0_u64);
            for element in elements {
                match self.eval(contains, element, depth + 1, &mut false) {
                    Tri::Yes => matched += 1,
                    Tri::No => {}
                    Tri::Unknown => undecided += 1,
                }
            }
            let at_most = matched + undecided;
            if array.max_contains.is_some_and(|max| matched > max) || at_most < array.min_contains {
                return Tri::No;
            }
            if matched < array.min_contains || array.max_contains.is_some_and(|max| at_most > max) {
                unknown = true;
            }
        }
        if unknown { Tri::Unknown } else { Tri::Yes }
    }

    /// The branch `dispatch` picks for `value`: `Some(None)` when no branch can match,
    /// `None` when `value` is not an object (every branch must be checked).
    #[inline]
    fn dispatch<'a, V: View<'a>>(dispatch: &Dispatch, value: V) -> Option<Option<u32>> {
        if value.kind() != Kind::Object {
            return None;
        }
        let tag = value.get(&dispatch.key).and_then(View::as_str);
        Some(tag.and_then(|tag| {
            let case = dispatch.cases.iter().find(|(name, _)| **name == *tag);
            case.map(|&(_, branch)| branch)
        }))
    }

    /// `anyOf`: valid when one branch is, invalid when none can be.
    fn eval_any_of<'a, V: View<'a>>(
        &self,
        branches: &[u32],
        by: Option<&Dispatch>,
        value: V,
        depth: u32,
        drift: &mut bool,
    ) -> Tri {
        if let Some(picked) = by.and_then(|by| Self::dispatch(by, value)) {
            return picked.map_or(Tri::No, |branch| self.eval(branch, value, depth, drift));
        }
        let mut unknown = false;
        for &branch in branches {
            // Only the branch that holds is the instance's shape.
            let mut branch_drift = false;
            match self.eval(branch, value, depth, &mut branch_drift) {
                Tri::Yes => {
                    *drift |= branch_drift;
                    return Tri::Yes;
                }
                Tri::No => {}
                Tri::Unknown => unknown = true,
            }
        }
        if unknown { Tri::Unknown } else { Tri::No }
    }

    /// `oneOf`: valid when exactly one branch is, invalid when two are or none can be.
    fn eval_one_of<'a, V: View<'a>>(
        &self,
        branches: &[u32],
        by: Option<&Dispatch>,
        value: V,
        depth: u32,
        drift: &mut bool,
    ) -> Tri {
        if let Some(picked) = by.and_then(|by| Self::dispatch(by, value)) {
            return picked.map_or(Tri::No, |branch| self.eval(branch, value, depth, drift));
        }
        let (mut valid, mut unknown) = (0_u32, false);
        for &branch in branches {
            // Only the branch that holds is the instance's shape.
            let mut branch_drift = false;
            match self.eval(branch, value, depth, &mut branch_drift) {
                Tri::Yes => {
                    *drift |= branch_drift;
                    valid += 1;
                    if valid > 1 {
                        return Tri::No;
                    }
                }
                Tri::No => {}
                Tri::Unknown => unknown = true,
            }
        }
        match (valid, unknown) {
            (_, true) => Tri::Unknown,
            (1, false) => Tri::Yes,
            _ => Tri::No,
        }
    }
}

/// Whether `type` admits the instance's type, `bit` (not a number's).
#[inline(always)]
fn type_is(checks: &Checks, bit: u8) -> Tri {
    if checks.types & bit == 0 {
        Tri::No
    } else {
        Tri::Yes
    }
}

/// `type` and the numeric bounds on a number.
#[inline(always)]
fn eval_number<'a, V: View<'a>>(checks: &Checks, value: V) -> Tri {
    let any_number = checks.types & T_NUMBER != 0;
    if !any_number && checks.types & T_INTEGER == 0 {
        return Tri::No;
    }
    if any_number && !checks.has_bounds {
        return Tri::Yes;
    }
    let Some(num) = number(value) else {
        return Tri::Unknown;
    };
    if (any_number || num.is_integer()) && checks.bounds_hold(num) {
        Tri::Yes
    } else {
        Tri::No
    }
}

/// `minLength`, `maxLength` and `pattern` on a string.
fn eval_string<'a, V: View<'a>>(checks: &Checks, value: V) -> Tri {
    let Some(text) = value.as_str() else {
        return Tri::Unknown;
    };
    if !checks.lengths_hold(text) {
        return Tri::No;
    }
    if let Some(pattern) = &checks.pattern
        && !pattern.is_valid(&Value::String(text.to_owned()))
    {
        return Tri::No;
    }
    Tri::Yes
}

impl Checks {
    /// Whether `num` satisfies the four numeric bounds.
    #[inline(always)]
    fn bounds_hold(&self, num: Num) -> bool {
        self.minimum
            .is_none_or(|limit| num.cmp(limit) != Ordering::Less)
            && self
                .maximum
                .is_none_or(|limit| num.cmp(limit) != Ordering::Greater)
            && self
                .exclusive_minimum
                .is_none_or(|limit| num.cmp(limit) == Ordering::Greater)
            && self
                .exclusive_maximum
                .is_none_or(|limit| num.cmp(limit) == Ordering::Less)
    }

    /// Whether `text` satisfies `minLength` and `maxLength`, counted in code points.
    fn lengths_hold(&self, text: &str) -> bool {
        // A code point takes 1 to 4 bytes: the byte length settles most strings uncounted.
        let bytes = text.len() as u64;
        if let Some(min) = self.min_length {
            if bytes < min {
                return false;
            }
            if bytes.div_ceil(4) < min && (text.chars().count() as u64) < min {
                return false;
            }
        }
        if let Some(max) = self.max_length
            && bytes > max
            && text.chars().count() as u64 > max
        {
            return false;
        }
        true
    }
}

impl ObjectChecks {
    /// The index of the declared property `key`, searched from `from` on (the one after
    /// the previous member's: members usually come in the same order every time) and
    /// then from the start.
    #[inline(always)]
    fn find(&self, key: &str, from: usize) -> Option<usize> {
        let key = key.as_bytes();
        let key_head = head(key);
        let (before, after) = self.properties.split_at(from.min(self.properties.len()));
        if let Some(index) = after.iter().position(|property| property.is(key, key_head)) {
            return Some(from + index);
        }
        before
            .iter()
            .position(|property| property.is(key, key_head))
    }
}

impl Num {
    /// The number of a JSON number literal in a schema, read as `jsonschema` reads it.
    fn of(number: &Number) -> Option<Num> {
        if let Some(u) = number.as_u64() {
            Some(Num::U(u))
        } else if let Some(i) = number.as_i64() {
            Some(Num::I(i))
        } else {
            number.as_f64().map(Num::F)
        }
    }

    /// Whether the number has no fractional part (draft 6 and later: `1.0` is an integer).
    #[inline(always)]
    fn is_integer(self) -> bool {
        match self {
            Num::U(_) | Num::I(_) => true,
            Num::F(float) => float.fract() == 0.0,
        }
    }

    /// The exact mathematical order of two numbers, whatever their representations.
    #[inline(always)]
    fn cmp(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::F(a), Num::F(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            (Num::F(a), Num::U(b)) => cmp_float_int(a, i128::from(b)),
            (Num::F(a), Num::I(b)) => cmp_float_int(a, i128::from(b)),
            (Num::U(a), Num::F(b)) => cmp_float_int(b, i128::from(a)).reverse(),
            (Num::I(a), Num::F(b)) => cmp_float_int(b, i128::from(a)).reverse(),
            (Num::U(a), Num::U(b)) => a.cmp(&b),
            (Num::U(a), Num::I(b)) => i128::from(a).cmp(&i128::from(b)),
            (Num::I(a), Num::U(b)) => i128::from(a).cmp(&i128::from(b)),
            (Num::I(a), Num::I(b)) => a.cmp(&b),
        }
    }
}

/// The exact order of the float `float` against the integer `int` (which fits `u64` or
/// `i64`), as `num-cmp` computes it: by the float's integer part, then its fraction.
#[inline(always)]
fn cmp_float_int(float: f64, int: i128) -> Ordering {
    /// 2^53: every integer up to it in magnitude is a float.
    const EXACT: i128 = 1 << 53;
    if (-EXACT..=EXACT).contains(&int) {
        // Exact: the integer converts without rounding.
        return float.partial_cmp(&(int as f64)).unwrap_or(Ordering::Equal);
    }
    cmp_float_big_int(float, int)
}

/// [`cmp_float_int`] for an integer past 2^53 in magnitude.
fn cmp_float_big_int(float: f64, int: i128) -> Ordering {
    /// 2^64, past every `u64`.
    const TWO_TO_64: f64 = 18_446_744_073_709_551_616.0;
    if float >= TWO_TO_64 {
        return Ordering::Greater;
    }
    if float < -TWO_TO_64 {
        return Ordering::Less;
    }
    let whole = float.trunc();
    // Exact: `whole` is an integer of magnitude at most 2^64.
    let whole_int = whole as i128;
    match whole_int.cmp(&int) {
        Ordering::Equal => (float - whole).partial_cmp(&0.0).unwrap_or(Ordering::Equal),
        order => order,
    }
}

/// The number `value` holds (`None` when it is no number or a `View` cannot read it).
#[inline(always)]
fn number<'a, V: View<'a>>(value: V) -> Option<Num> {
    if let Some(u) = value.as_u64() {
        Some(Num::U(u))
    } else if let Some(i) = value.as_i64() {
        Some(Num::I(i))
    } else {
        value.as_f64().map(Num::F)
    }
}

/// Whether `value` equals `expected` as `const` and `enum` compare them.
fn equals<'a, V: View<'a>>(value: V, expected: &Value) -> bool {
    match (value.kind(), expected) {
        (Kind::Null, Value::Null) => true,
        (Kind::Bool, Value::Bool(expected)) => value.as_bool() == Some(*expected),
        (Kind::String, Value::String(expected)) => value.as_str() == Some(expected.as_str()),
        (Kind::Number, Value::Number(expected)) => match (number(value), Num::of(expected)) {
            (Some(left), Some(right)) => left.cmp(right) == Ordering::Equal,
            _ => false,
        },
        (Kind::Array, Value::Array(_)) | (Kind::Object, Value::Object(_)) => {
            values_equal(&value.to_value(), expected)
        }
        _ => false,
    }
}

/// JSON equality of two values, numbers compared mathematically (`jsonschema`'s `equal`).
fn values_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(left), Value::Bool(right)) => left == right,
        (Value::String(left), Value::String(right)) => left == right,
        (Value::Number(left), Value::Number(right)) => match (Num::of(left), Num::of(right)) {
            (Some(left), Some(right)) => left.cmp(right) == Ordering::Equal,
            _ => false,
        },
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| values_equal(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, left)| {
                    right
                        .get(key)
                        .is_some_and(|right| values_equal(left, right))
                })
        }
        _ => false,
    }
}

/// The compilation of a schema document into a plan.
struct Compiler<'s> {
    /// The schema document, which local references point into.
    root: &'s Value,
    /// The root's `$id`, which may prefix a local reference.
    root_id: Option<&'s str>,
    /// The plan built so far.
    nodes: Vec<Node>,
    /// The node of every subschema compiled so far, by address in `root`: the same
    /// subschema, reached twice (a cycle of references), is one node.
    ids: Vec<(*const Value, u32)>,
    /// See [`FastSchema::unknowns`].
    unknowns: Vec<String>,
}

impl<'s> Compiler<'s> {
    /// The node of `schema`, found at `path` in the document (`root` when it is the
    /// document itself).
    fn compile(&mut self, schema: &'s Value, path: String, root: bool) -> u32 {
        let map = match schema {
            Value::Bool(true) => return TRUE,
            Value::Bool(false) => return FALSE,
            Value::Object(map) => map,
            _ => return self.unknown(path, "a schema that is neither an object nor a boolean"),
        };
        let address: *const Value = schema;
        if let Some(&(_, id)) = self.ids.iter().find(|(seen, _)| *seen == address) {
            return id;
        }
        let id = u32::try_from(self.nodes.len()).unwrap_or(UNKNOWN);
        if id == UNKNOWN {
            return UNKNOWN;
        }
        self.nodes.push(Node::Unknown);
        self.ids.push((address, id));
        let node = self.build(map, &path, root);
        self.nodes[id as usize] = node;
        id
    }

    /// Records that the subschema at `path` is unknown, and why; returns [`UNKNOWN`].
    fn unknown(&mut self, path: String, why: &str) -> u32 {
        self.unknowns.push(format!("{path}: {why}"));
        UNKNOWN
    }

    /// The node of the schema object `map`, at `path`.
    fn build(&mut self, map: &'s Map<String, Value>, path: &str, root: bool) -> Node {
        match self.read(map, path, root) {
            Ok(checks) => {
                if checks.asserts_nothing() {
                    Node::True
                } else if let [target] = *checks.all_of
                    && checks.is_only_all_of()
                {
                    Node::Alias(target)
                } else {
                    Node::Check(Box::new(checks))
                }
            }
            Err(why) => {
                self.unknowns.push(format!("{path}: {why}"));
                Node::Unknown
            }
        }
    }

    /// The checks of the schema object `map`, at `path`, or why the plan cannot have them.
    fn read(
        &mut self,
        map: &'s Map<String, Value>,
        path: &str,
        root: bool,
    ) -> Result<Checks, String> {
        let mut checks = Checks {
            types: T_ANY,
            ..Checks::default()
        };
        // Every keyword is read before any subschema is compiled, so that an unknown
        // keyword makes the node unknown without compiling its neighbours.
        for (keyword, value) in map {
            let known = match keyword.as_str() {
                "$schema" => value
                    .as_str()
                    .is_some_and(|dialect| dialect.trim_end_matches('#') == DRAFT_2020_12),
                "$id" => root,
                "$defs" | "minContains" | "maxContains" => true,
                "type"
                | "const"
                | "enum"
                | "minimum"
                | "maximum"
                | "exclusiveMinimum"
                | "exclusiveMaximum"
                | "minLength"
                | "maxLength"
                | "pattern"
                | "properties"
                | "required"
                | "additionalProperties"
                | "items"
                | "minItems"
                | "maxItems"
                | "contains"
                | "allOf"
                | "anyOf"
                | "oneOf"
                | "not"
                | "$ref" => true,
                name => name.starts_with("x-") || ANNOTATIONS.contains(&name),
            };
            if !known {
                return Err(format!("keyword {keyword:?} is not implemented"));
            }
        }
        let malformed = |keyword: &str| format!("malformed {keyword:?}");
        if let Some(value) = map.get("type") {
            checks.types = type_bits(value).ok_or_else(|| malformed("type"))?;
        }
        for (keyword, slot) in [
            ("minimum", &mut checks.minimum),
            ("maximum", &mut checks.maximum),
            ("exclusiveMinimum", &mut checks.exclusive_minimum),
            ("exclusiveMaximum", &mut checks.exclusive_maximum),
        ] {
            if let Some(value) = map.get(keyword) {
                let limit = value.as_number().and_then(Num::of);
                *slot = Some(limit.ok_or_else(|| malformed(keyword))?);
                checks.has_bounds = true;
            }
        }
        let size = |keyword: &str| -> Result<Option<u64>, String> {
            map.get(keyword)
                .map(|value| value.as_u64().ok_or_else(|| malformed(keyword)))
                .transpose()
        };
        checks.min_length = size("minLength")?;
        checks.max_length = size("maxLength")?;
        let min_items = size("minItems")?;
        let max_items = size("maxItems")?;
        let min_contains = size("minContains")?;
        let max_contains = size("maxContains")?;
        if let Some(value) = map.get("pattern") {
            let pattern = value.as_str().ok_or_else(|| malformed("pattern"))?;
            let validator =
                jsonschema::draft202012::new(&serde_json::json!({ "pattern": pattern }))
                    .map_err(|error| format!("pattern {pattern:?} does not compile: {error}"))?;
            checks.pattern = Some(Box::new(validator));
        }
        checks.has_string =
            checks.min_length.is_some() || checks.max_length.is_some() || checks.pattern.is_some();
        checks.const_value = map.get("const").cloned();
        if let Some(value) = map.get("enum") {
            match value.as_array() {
                Some(options) if !options.is_empty() => {
                    checks.enum_values = Some(options.clone().into_boxed_slice());
                }
                _ => return Err(malformed("enum")),
            }
        }
        let required: Vec<&'s str> = match map.get("required") {
            None => Vec::new(),
            Some(value) => value
                .as_array()
                .and_then(|keys| keys.iter().map(Value::as_str).collect::<Option<_>>())
                .ok_or_else(|| malformed("required"))?,
        };
        let declared = match map.get("properties") {
            None => None,
            Some(value) => Some(value.as_object().ok_or_else(|| malformed("properties"))?),
        };
        for keyword in ["allOf", "anyOf", "oneOf"] {
            if map
                .get(keyword)
                .is_some_and(|value| value.as_array().is_none_or(Vec::is_empty))
            {
                return Err(malformed(keyword));
            }
        }
        if map
            .get("items")
            .is_some_and(|items| !items.is_object() && !items.is_boolean())
        {
            return Err(malformed("items"));
        }
        let reference = match map.get("$ref") {
            None => None,
            Some(value) => {
                let reference = value.as_str().ok_or_else(|| malformed("$ref"))?;
                Some((reference, self.resolve(reference)?))
            }
        };

        // Subschemas, now that the node is known to be implemented.
        let mut all_of = Vec::new();
        if let Some((reference, target)) = reference {
            all_of.push(self.compile(target, reference.to_owned(), false));
        }
        if let Some(branches) = map.get("allOf").and_then(Value::as_array) {
            for (index, branch) in branches.iter().enumerate() {
                all_of.push(self.compile(branch, format!("{path}/allOf/{index}"), false));
            }
        }
        checks.all_of = all_of.into_boxed_slice();
        checks.has_rest = checks.const_value.is_some()
            || checks.enum_values.is_some()
            || !checks.all_of.is_empty()
            || map.contains_key("anyOf")
            || map.contains_key("oneOf")
            || map.contains_key("not");
        for (keyword, slot) in [("anyOf", &mut checks.any_of), ("oneOf", &mut checks.one_of)] {
            if let Some(branches) = map.get(keyword).and_then(Value::as_array) {
                let ids = branches
                    .iter()
                    .enumerate()
                    .map(|(index, branch)| {
                        self.compile(branch, format!("{path}/{keyword}/{index}"), false)
                    })
                    .collect();
                *slot = Some(ids);
            }
        }
        if let Some(negated) = map.get("not") {
            checks.not = Some(self.compile(negated, format!("{path}/not"), false));
        }
        let additional = map.get("additionalProperties");
        if declared.is_some() || !required.is_empty() || additional.is_some() {
            let mut properties = Vec::new();
            for (key, schema) in declared.into_iter().flatten() {
                let id = self.compile(schema, format!("{path}/properties/{}", escape(key)), false);
                properties.push(Property::new(key, id));
            }
            let mut required_mask = 0_u64;
            let mut required_other = Vec::new();
            for key in required {
                match properties.iter().position(|property| *property.key == *key) {
                    Some(index) if index < 64 => required_mask |= 1 << index,
                    _ => required_other.push(Box::<str>::from(key)),
                }
            }
            let additional_keyword = additional;
            let additional = match additional {
                None => TRUE,
                Some(schema) => self.compile(schema, format!("{path}/additionalProperties"), false),
            };
            let open =
                declared.is_some() && matches!(additional_keyword, None | Some(Value::Bool(true)));
            let walk = !properties.is_empty() || additional != TRUE || open;
            checks.object = Some(Box::new(ObjectChecks {
                properties: properties.into_boxed_slice(),
                required_mask,
                required_other: required_other.into_boxed_slice(),
                additional,
                walk,
                open,
            }));
        }
        let items = map
            .get("items")
            .map(|schema| self.compile(schema, format!("{path}/items"), false));
        let contains = map
            .get("contains")
            .map(|schema| self.compile(schema, format!("{path}/contains"), false));
        if items.is_some() || min_items.is_some() || max_items.is_some() || contains.is_some() {
            checks.array = Some(Box::new(ArrayChecks {
                items,
                min_items,
                max_items,
                contains,
                min_contains: min_contains.unwrap_or(1),
                max_contains,
            }));
        }
        Ok(checks)
    }

    /// The subschema a `$ref` names: a local reference, a JSON pointer into the root
    /// document after `#` (or after the root's `$id` and `#`).
    fn resolve(&self, reference: &str) -> Result<&'s Value, String> {
        let local = match self.root_id {
            Some(id) => reference.strip_prefix(id).unwrap_or(reference),
            None => reference,
        };
        let pointer = local
            .strip_prefix('#')
            .filter(|pointer| !pointer.contains('%'))
            .ok_or_else(|| format!("$ref {reference:?} is not a local reference the plan reads"))?;
        self.root
            .pointer(pointer)
            .ok_or_else(|| format!("$ref {reference:?} does not resolve"))
    }
}

impl Checks {
    /// Whether the subschema asserts nothing at all (annotations only).
    fn asserts_nothing(&self) -> bool {
        self.all_of.is_empty() && self.is_only_all_of()
    }

    /// Whether `allOf` (and `$ref`) is all the subschema asserts.
    fn is_only_all_of(&self) -> bool {
        self.types == T_ANY
            && !self.has_bounds
            && !self.has_string
            && self.const_value.is_none()
            && self.enum_values.is_none()
            && self.object.is_none()
            && self.array.is_none()
            && self.any_of.is_none()
            && self.one_of.is_none()
            && self.not.is_none()
    }
}

/// The type bits of a `type` keyword's value, `None` when malformed.
fn type_bits(value: &Value) -> Option<u8> {
    let bit = |name: &str| match name {
        "null" => Some(T_NULL),
        "boolean" => Some(T_BOOLEAN),
        "integer" => Some(T_INTEGER),
        "number" => Some(T_NUMBER),
        "string" => Some(T_STRING),
        "array" => Some(T_ARRAY),
        "object" => Some(T_OBJECT),
        _ => None,
    };
    match value {
        Value::String(name) => bit(name),
        Value::Array(names) if !names.is_empty() => names
            .iter()
            .try_fold(0, |bits, name| Some(bits | bit(name.as_str()?)?)),
        _ => None,
    }
}

/// `key` escaped as a JSON pointer token.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Replaces every reference to an alias node by its final target, so that no
/// [`Node::Alias`] is reachable; a cycle of aliases becomes unknown (recorded in
/// `unknowns`). Returns the final id of `root`.
fn settle(nodes: &mut [Node], root: u32, unknowns: &mut Vec<String>) -> u32 {
    let target = |nodes: &[Node], mut id: u32| -> u32 {
        for _ in 0..=nodes.len() {
            match nodes.get(id as usize) {
                Some(Node::Alias(next)) => id = *next,
                Some(_) => return id,
                None => return UNKNOWN,
            }
        }
        UNKNOWN
    };
    let finals: Vec<u32> = (0..nodes.len())
        .map(|id| target(nodes, u32::try_from(id).unwrap_or(UNKNOWN)))
        .collect();
    if nodes
        .iter()
        .zip(&finals)
        .any(|(node, &id)| matches!(node, Node::Alias(_)) && id == UNKNOWN)
    {
        unknowns.push("a cycle of references that only refer".to_owned());
    }
    let settled = |id: u32| finals.get(id as usize).copied().unwrap_or(UNKNOWN);
    for node in nodes.iter_mut() {
        if let Node::Check(checks) = node {
            for id in checks.all_of.iter_mut() {
                *id = settled(*id);
            }
            for branches in [&mut checks.any_of, &mut checks.one_of]
                .into_iter()
                .flatten()
            {
                for id in branches.iter_mut() {
                    *id = settled(*id);
                }
            }
            if let Some(id) = &mut checks.not {
                *id = settled(*id);
            }
            if let Some(object) = &mut checks.object {
                for property in object.properties.iter_mut() {
                    property.node = settled(property.node);
                }
                object.additional = settled(object.additional);
                object.walk =
                    !object.properties.is_empty() || object.additional != TRUE || object.open;
            }
            if let Some(array) = &mut checks.array {
                for id in [&mut array.items, &mut array.contains]
                    .into_iter()
                    .flatten()
                {
                    *id = settled(*id);
                }
            }
        }
    }
    let dispatches: Vec<[Option<Box<Dispatch>>; 2]> = nodes
        .iter()
        .map(|node| match node {
            Node::Check(checks) => [&checks.any_of, &checks.one_of].map(|branches| {
                branches
                    .as_deref()
                    .and_then(|branches| dispatch(nodes, branches))
            }),
            _ => [None, None],
        })
        .collect();
    for (node, [any_of_by, one_of_by]) in nodes.iter_mut().zip(dispatches) {
        if let Node::Check(checks) = node {
            checks.any_of_by = any_of_by;
            checks.one_of_by = one_of_by;
        }
    }
    // Unreachable now; unknown, should anything still reach one.
    for node in nodes.iter_mut() {
        if matches!(node, Node::Alias(_)) {
            *node = Node::Unknown;
        }
    }
    settled(root)
}

/// A [`Dispatch`] for `branches` (settled node ids), if they have one: a key that every
/// branch requires and fixes to a string of its own with a `const` of its property.
fn dispatch(nodes: &[Node], branches: &[u32]) -> Option<Box<Dispatch>> {
    let objects: Vec<&ObjectChecks> = branches
        .iter()
        .map(|&branch| match nodes.get(branch as usize) {
            Some(Node::Check(checks)) => checks.object.as_deref(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = objects.first()?;
    'keys: for property in first.properties.iter().take(64) {
        let mut cases: Vec<(Box<str>, u32)> = Vec::with_capacity(branches.len());
        for (object, &branch) in objects.iter().zip(branches) {
            let Some(index) = object
                .properties
                .iter()
                .position(|other| other.key == property.key)
            else {
                continue 'keys;
            };
            let required = index < 64 && object.required_mask & (1 << index) != 0;
            let tag = match object
                .properties
                .get(index)
                .and_then(|other| nodes.get(other.node as usize))
            {
                Some(Node::Check(checks)) => match &checks.const_value {
                    Some(Value::String(tag)) => tag.as_str(),
                    _ => continue 'keys,
                },
                _ => continue 'keys,
            };
            if !required || cases.iter().any(|(other, _)| **other == *tag) {
                continue 'keys;
            }
            cases.push((tag.into(), branch));
        }
        return Some(Box::new(Dispatch {
            key: property.key.clone(),
            cases: cases.into_boxed_slice(),
        }));
    }
    None
}
