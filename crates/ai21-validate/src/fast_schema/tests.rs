//! Tests of the fast schema check: each keyword against `jsonschema` on the same schema
//! and instance, the canonical schemas and their examples, random mutations of the
//! examples, and (ignored, given a capture) real traffic and its timing.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use ai21_schemas::PayloadKind;
use ai21_tape::{Kind, View};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::FastSchema;

/// `jsonschema`'s answer: the reference the fast check must agree with.
fn reference(schema: &Value, instance: &Value) -> bool {
    jsonschema::draft202012::new(schema)
        .expect("the test schema compiles")
        .is_valid(instance)
}

/// Parses JSON text, keeping its number representation (`3.0` stays a float).
fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the test instance is JSON")
}

/// Asserts that the fast check decides every instance (JSON texts) as `jsonschema` does,
/// and that `jsonschema` decides as `expected` says.
fn assert_decides(schema: &Value, cases: &[(&str, bool)]) {
    let fast = FastSchema::new(schema);
    assert!(fast.unknowns().is_empty(), "{:?}", fast.unknowns());
    for &(text, expected) in cases {
        let instance = parse(text);
        assert_eq!(
            reference(schema, &instance),
            expected,
            "jsonschema on {text} against {schema}"
        );
        assert_eq!(
            fast.check(&instance),
            Some(expected),
            "fast check on {text} against {schema}"
        );
    }
}

#[test]
fn boolean_schemas() {
    assert_decides(&json!(true), &[("1", true), ("null", true), ("{}", true)]);
    assert_decides(
        &json!(false),
        &[("1", false), ("null", false), ("{}", false)],
    );
    assert_decides(&json!({}), &[("[1]", true), ("\"a\"", true)]);
    assert_decides(
        &json!({"properties": {"a": false, "b": true}}),
        &[
            ("{}", true),
            ("{\"b\": 1}", true),
            ("{\"a\": 1}", false),
            ("1", true),
        ],
    );
}

#[test]
fn type_names_every_json_type() {
    let cases = [
        ("null", "null"),
        ("boolean", "true"),
        ("string", "\"a\""),
        ("array", "[]"),
        ("object", "{}"),
        ("number", "1.5"),
        ("integer", "2"),
    ];
    for (name, matching) in cases {
        let schema = json!({ "type": name });
        let mut instances: Vec<(&str, bool)> = cases
            .iter()
            .map(|&(other, text)| {
                let matches = other == name || (name == "number" && other == "integer");
                (text, matches)
            })
            .collect();
        instances.push((matching, true));
        assert_decides(&schema, &instances);
    }
    assert_decides(
        &json!({"type": ["integer", "null"]}),
        &[
            ("null", true),
            ("3", true),
            ("3.5", false),
            ("\"3\"", false),
        ],
    );
}

#[test]
fn integer_is_any_number_without_fraction() {
    assert_decides(
        &json!({"type": "integer"}),
        &[
            ("3", true),
            ("3.0", true),
            ("-0", true),
            ("-0.0", true),
            ("0.0", true),
            ("1e20", true),
            ("1e300", true),
            ("-1e300", true),
            ("1.7976931348623157e308", true),
            ("18446744073709551615", true),
            ("18446744073709551616", true),
            ("-9223372036854775808", true),
            ("-9223372036854775809", true),
            ("3.5", false),
            ("-0.5", false),
            ("5e-324", false),
            ("1e-7", false),
            ("\"3\"", false),
            ("true", false),
        ],
    );
}

#[test]
fn bounds_compare_exactly() {
    // u64::MAX is below 2^64 = 1.8446744073709552e19, the float nearest to it.
    assert_decides(
        &json!({"maximum": u64::MAX}),
        &[
            ("18446744073709551615", true),
            ("1.8446744073709552e19", false),
            ("1.8446744073709550e19", true),
            ("-1e308", true),
            ("1e308", false),
        ],
    );
    assert_decides(
        &parse(r#"{"maximum": 1.8446744073709552e19}"#),
        &[
            ("18446744073709551615", true),
            ("1.8446744073709552e19", true),
            ("1e20", false),
        ],
    );
    assert_decides(
        &json!({"exclusiveMaximum": u64::MAX}),
        &[
            ("18446744073709551615", false),
            ("18446744073709551614", true),
        ],
    );
    // 2^53 + 1 is no float: rounding the limit would make 2^53 equal to it.
    assert_decides(
        &json!({"minimum": 9_007_199_254_740_993_u64}),
        &[
            ("9007199254740992.0", false),
            ("9007199254740992", false),
            ("9007199254740993", true),
            ("9007199254740994.0", true),
        ],
    );
    assert_decides(
        &json!({"exclusiveMaximum": 9_007_199_254_740_993_u64}),
        &[("9007199254740992.0", true), ("9007199254740993", false)],
    );
    assert_decides(
        &json!({"minimum": i64::MIN, "exclusiveMaximum": -1}),
        &[
            ("-9223372036854775808", true),
            ("-9.223372036854775808e18", true),
            ("-9.223372036854777e18", false),
            // Read as the float -2^63, the limit itself.
            ("-9223372036854775809", true),
            ("-1", false),
            ("-1.0000000000000002", true),
            ("-0.9999999999999999", false),
        ],
    );
    assert_decides(
        &json!({"exclusiveMinimum": i64::MIN}),
        &[
            ("-9223372036854775808", false),
            ("-9.223372036854775808e18", false),
            ("0", true),
        ],
    );
    assert_decides(
        &json!({"minimum": 0, "maximum": 1}),
        &[
            ("0", true),
            ("-0", true),
            ("-0.0", true),
            ("0.0", true),
            ("1", true),
            ("1.0", true),
            ("5e-324", true),
            ("-5e-324", false),
            ("1.0000000000000002", false),
            ("0.9999999999999999", true),
            ("-1", false),
            ("2", false),
            ("\"2\"", true),
        ],
    );
    assert_decides(
        &json!({"maximum": 0}),
        &[
            ("-0.12", true),
            ("0", true),
            ("-0.0", true),
            ("1e-320", false),
        ],
    );
    assert_decides(
        &json!({"minimum": 0.1, "maximum": 0.30000000000000004}),
        &[
            ("0.1", true),
            ("0.09999999999999999", false),
            ("0.3", true),
            ("0.30000000000000004", true),
        ],
    );
    assert_decides(
        &json!({"exclusiveMinimum": -2.5, "exclusiveMaximum": 2.5}),
        &[
            ("-2.5", false),
            ("-2", true),
            ("2", true),
            ("2.5", false),
            ("-3", false),
            ("3", false),
        ],
    );
}

#[test]
fn lengths_count_code_points() {
    assert_decides(
        &json!({"minLength": 2, "maxLength": 3}),
        &[
            ("\"a\"", false),
            ("\"ab\"", true),
            ("\"abc\"", true),
            ("\"abcd\"", false),
            ("\"\u{1F642}\"", false),
            ("\"\u{1F642}\u{1F642}\"", true),
            ("\"\u{1F642}\u{1F642}\u{1F642}\"", true),
            ("\"\u{1F642}\u{1F642}\u{1F642}\u{1F642}\"", false),
            ("\"é\u{301}\"", true),
            ("\"\u{2581}the\"", false),
            ("\"\u{2581}th\"", true),
            ("3", true),
        ],
    );
    assert_decides(
        &json!({"minLength": 1}),
        &[("\"\"", false), ("\"\u{1F642}\"", true)],
    );
    assert_decides(
        &json!({"maxLength": 0}),
        &[("\"\"", true), ("\"\\u0000\"", false)],
    );
}

#[test]
fn pattern_is_matched_as_jsonschema_matches_it() {
    let uuid = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
    assert_decides(
        &json!({ "pattern": uuid }),
        &[
            ("\"4b3c4f7a-0d1e-4c52-9f3a-2b7e8c9d0a1f\"", true),
            ("\"4B3C4F7A-0D1E-4C52-9F3A-2B7E8C9D0A1F\"", false),
            ("\"4b3c4f7a-0d1e-4c52-9f3a-2b7e8c9d0a1f\\n\"", false),
            ("\"x4b3c4f7a-0d1e-4c52-9f3a-2b7e8c9d0a1f\"", false),
            ("\"\"", false),
            ("42", true),
        ],
    );
    assert_decides(
        &json!({"pattern": "\\d+"}),
        &[("\"a1\"", true), ("\"a\"", false), ("\"\u{0663}\"", false)],
    );
    assert_decides(
        &json!({"pattern": "^\\w+$"}),
        &[("\"é\"", false), ("\"a_1\"", true)],
    );
}

#[test]
fn const_and_enum_compare_numbers_mathematically() {
    assert_decides(
        &json!({"const": 1}),
        &[
            ("1", true),
            ("1.0", true),
            ("1.5", false),
            ("true", false),
            ("\"1\"", false),
            ("[1]", false),
        ],
    );
    assert_decides(
        &json!({"const": 0}),
        &[("-0.0", true), ("false", false), ("null", false)],
    );
    assert_decides(
        &json!({"const": false}),
        &[("false", true), ("0", false), ("null", false)],
    );
    assert_decides(
        &json!({"const": null}),
        &[("null", true), ("0", false), ("\"\"", false)],
    );
    assert_decides(
        &json!({"const": "stop"}),
        &[("\"stop\"", true), ("\"Stop\"", false)],
    );
    assert_decides(
        &json!({"const": [1, {"a": [2.0]}]}),
        &[
            ("[1.0, {\"a\": [2]}]", true),
            ("[1, {\"a\": [2], \"b\": 1}]", false),
            ("[1]", false),
        ],
    );
    assert_decides(
        &json!({"enum": [1.5, "a", null, [1, 2], {"a": 1}, 18_446_744_073_709_551_615_u64]}),
        &[
            ("1.5", true),
            ("\"a\"", true),
            ("null", true),
            ("[1.0, 2.0]", true),
            ("{\"a\": 1.0}", true),
            ("18446744073709551615", true),
            ("1.8446744073709552e19", false),
            ("[2, 1]", false),
            ("{\"a\": 1, \"b\": 2}", false),
            ("{}", false),
            ("1", false),
            ("\"b\"", false),
            ("false", false),
        ],
    );
    assert_decides(&json!({"enum": [1]}), &[("1.0", true), ("1.5", false)]);
    assert_decides(
        &json!({"enum": ["user", "assistant"], "const": "user"}),
        &[("\"user\"", true), ("\"assistant\"", false)],
    );
}

#[test]
fn object_keywords() {
    let schema = json!({
        "type": "object",
        "required": ["a", "c"],
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "additionalProperties": {"type": "boolean"}
    });
    assert_decides(
        &schema,
        &[
            ("{\"a\": 1, \"c\": true}", true),
            ("{\"a\": 1, \"b\": \"x\", \"c\": false, \"d\": true}", true),
            ("{\"a\": 1}", false),
            ("{\"c\": true}", false),
            ("{\"a\": 1.5, \"c\": true}", false),
            ("{\"a\": 1, \"c\": 1}", false),
            ("{\"a\": 1, \"b\": 2, \"c\": true}", false),
            ("[]", false),
        ],
    );
    assert_decides(
        &json!({"properties": {"a": {}}, "additionalProperties": false, "required": ["a"]}),
        &[
            ("{\"a\": 1}", true),
            ("{\"a\": 1, \"b\": 1}", false),
            ("{}", false),
            ("1", true),
        ],
    );
    assert_decides(
        &json!({"additionalProperties": {"type": "number"}}),
        &[
            ("{}", true),
            ("{\"x\": 1, \"y\": 2.5}", true),
            ("{\"x\": \"1\"}", false),
        ],
    );
    assert_decides(
        &json!({"required": ["a", "b"]}),
        &[
            ("{\"a\": 1, \"b\": null}", true),
            ("{\"a\": 1}", false),
            ("[\"a\", \"b\"]", true),
        ],
    );
    // More than 64 declared properties, required beyond the bitmask.
    let mut properties = serde_json::Map::new();
    for index in 0..70 {
        properties.insert(format!("p{index}"), json!({"type": "integer"}));
    }
    let schema = json!({"properties": properties, "required": ["p0", "p63", "p64", "p69"]});
    assert_decides(
        &schema,
        &[
            ("{\"p0\": 1, \"p63\": 2, \"p64\": 3, \"p69\": 4}", true),
            ("{\"p0\": 1, \"p63\": 2, \"p64\": 3}", false),
            ("{\"p0\": 1, \"p64\": 3, \"p69\": 4}", false),
            ("{\"p0\": 1, \"p63\": 2, \"p64\": 3, \"p69\": 4.5}", false),
        ],
    );
}

#[test]
fn array_keywords() {
    assert_decides(
        &json!({"items": {"type": "string"}, "minItems": 1, "maxItems": 2}),
        &[
            ("[\"a\"]", true),
            ("[\"a\", \"b\"]", true),
            ("[]", false),
            ("[\"a\", \"b\", \"c\"]", false),
            ("[\"a\", 1]", false),
            ("{}", true),
        ],
    );
    assert_decides(&json!({"items": false}), &[("[]", true), ("[1]", false)]);
    let contains = json!({"contains": {"enum": ["user", "assistant"]}});
    assert_decides(
        &contains,
        &[
            ("[\"system\", \"user\"]", true),
            ("[\"system\"]", false),
            ("[]", false),
            ("\"user\"", true),
        ],
    );
    assert_decides(
        &json!({"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}),
        &[
            ("[1]", false),
            ("[1, 2]", true),
            ("[1, \"a\", 2, 3]", true),
            ("[1, 2, 3, 4]", false),
            ("[]", false),
        ],
    );
    assert_decides(
        &json!({"contains": {"type": "integer"}, "minContains": 0}),
        &[("[]", true), ("[\"a\"]", true)],
    );
    assert_decides(
        &json!({"contains": {"type": "integer"}, "maxContains": 1}),
        &[("[]", false), ("[1]", true), ("[1, 2]", false)],
    );
    assert_decides(
        &json!({"minContains": 2, "maxContains": 0}),
        &[("[]", true), ("[1]", true)],
    );
}

#[test]
fn combinations() {
    let one_of = json!({"oneOf": [{"type": "integer"}, {"minimum": 2}]});
    assert_decides(
        &one_of,
        &[
            ("1", true),
            ("2.5", true),
            ("3", false),
            ("1.5", false),
            ("\"a\"", true),
        ],
    );
    assert_decides(
        &json!({"anyOf": [{"type": "integer"}, {"minimum": 2}]}),
        &[("1", true), ("2.5", true), ("3", true), ("1.5", false)],
    );
    assert_decides(
        &json!({"allOf": [{"type": "integer"}, {"minimum": 2}]}),
        &[("1", false), ("2.5", false), ("3", true)],
    );
    assert_decides(
        &json!({"not": {"type": "string"}}),
        &[("1", true), ("\"a\"", false)],
    );
    assert_decides(
        &json!({"oneOf": [{"const": "a"}, {"const": "a"}]}),
        &[("\"a\"", false), ("\"b\"", false)],
    );
}

#[test]
fn branches_picked_by_a_tag() {
    let branch = |tag: &str, extra: &str| {
        json!({
            "type": "object",
            "required": ["kind", extra],
            "properties": {"kind": {"const": tag}, extra: {"type": "integer"}}
        })
    };
    for keyword in ["oneOf", "anyOf"] {
        let schema = json!({ keyword: [branch("a", "x"), branch("b", "y"), {"$ref": "#/$defs/C"}], "$defs": {"C": branch("c", "z")} });
        let fast = FastSchema::new(&schema);
        let dispatched = fast.nodes.iter().any(|node| match node {
            super::Node::Check(checks) => checks.one_of_by.is_some() || checks.any_of_by.is_some(),
            _ => false,
        });
        assert!(dispatched, "{schema}");
        assert_decides(
            &schema,
            &[
                ("{\"kind\": \"a\", \"x\": 1}", true),
                ("{\"kind\": \"a\", \"y\": 1}", false),
                ("{\"kind\": \"b\", \"y\": 1, \"x\": \"s\"}", true),
                ("{\"kind\": \"c\", \"z\": 1.5}", false),
                ("{\"kind\": \"c\", \"z\": 2}", true),
                ("{\"kind\": \"d\", \"x\": 1}", false),
                ("{\"kind\": 1, \"x\": 1}", false),
                ("{\"x\": 1}", false),
                ("{}", false),
                ("[]", false),
                ("\"a\"", false),
            ],
        );
    }
    // Without a type, a non-object matches every branch.
    let untyped = json!({"oneOf": [
        {"required": ["kind"], "properties": {"kind": {"const": "a"}}},
        {"required": ["kind"], "properties": {"kind": {"const": "b"}}}
    ]});
    assert_decides(
        &untyped,
        &[("3", false), ("{\"kind\": \"a\"}", true), ("{}", false)],
    );
    let any_of = json!({"anyOf": untyped["oneOf"].clone()});
    assert_decides(
        &any_of,
        &[
            ("3", true),
            ("{\"kind\": \"b\"}", true),
            ("{\"kind\": \"c\"}", false),
        ],
    );
    // The same tag twice: no dispatch, and both branches match.
    let twice = json!({"oneOf": [
        {"required": ["kind"], "properties": {"kind": {"const": "a"}}},
        {"required": ["kind"], "properties": {"kind": {"const": "a"}}, "minProperties": 0}
    ]});
    assert_eq!(FastSchema::new(&twice).check(&json!({"kind": "a"})), None);
    let twice = json!({"oneOf": [
        {"required": ["kind"], "properties": {"kind": {"const": "a"}}},
        {"required": ["kind"], "properties": {"kind": {"const": "a"}, "x": {}}}
    ]});
    assert_decides(&twice, &[("{\"kind\": \"a\"}", false)]);
}

#[test]
fn references() {
    let tree = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.com/tree.schema.json",
        "$ref": "#/$defs/Node",
        "$defs": {
            "Node": {
                "type": "object",
                "required": ["value"],
                "properties": {
                    "value": {"$ref": "#/$defs/Value"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    "parent": {"$ref": "https://example.com/tree.schema.json#/$defs/Node"}
                }
            },
            "Value": {"description": "an alias", "$ref": "#/$defs/Integer"},
            "Integer": {"type": "integer"}
        }
    });
    assert_decides(
        &tree,
        &[
            ("{\"value\": 1}", true),
            (
                "{\"value\": 1, \"children\": [{\"value\": 2, \"children\": []}]}",
                true,
            ),
            ("{\"value\": 1, \"children\": [{\"value\": 2.5}]}", false),
            ("{\"value\": 1, \"children\": [{\"children\": []}]}", false),
            ("{\"value\": 1, \"parent\": {\"value\": \"x\"}}", false),
        ],
    );
    // In 2020-12 the keywords beside `$ref` apply too.
    assert_decides(
        &json!({"$ref": "#/$defs/Small", "type": "integer", "$defs": {"Small": {"maximum": 3}}}),
        &[("2", true), ("2.5", false), ("4", false)],
    );
    assert_decides(
        &json!({"properties": {"self": {"$ref": "#"}}, "required": ["a"]}),
        &[
            ("{\"a\": 1, \"self\": {\"a\": 2}}", true),
            ("{\"a\": 1, \"self\": {}}", false),
        ],
    );
}

#[test]
fn annotations_assert_nothing() {
    assert_decides(
        &json!({
            "title": "t", "description": "d", "$comment": "c", "default": 1, "examples": [1],
            "deprecated": true, "readOnly": true, "writeOnly": false, "x-ai21-content": true,
            "format": "email", "contentMediaType": "application/json",
            "contentEncoding": "base64", "contentSchema": {"type": "object"}
        }),
        &[
            ("\"not an email\"", true),
            ("\"{not json\"", true),
            ("3", true),
        ],
    );
    assert_decides(
        &json!({"format": "uuid", "type": "string"}),
        &[("\"not a uuid\"", true), ("1", false)],
    );
}

/// The fast check's answer on a schema it does not fully implement.
fn fast_check(schema: &Value, text: &str) -> Option<bool> {
    FastSchema::new(schema).check(&parse(text))
}

#[test]
fn unimplemented_keywords_are_unknown() {
    for schema in [
        json!({"multipleOf": 2}),
        json!({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}),
        json!({"patternProperties": {"^a": {"type": "string"}}, "additionalProperties": false}),
        json!({"unevaluatedProperties": false}),
        json!({"definitions": {}}),
        json!({"additionalItems": false}),
        json!({"type": "number", "minimum": "0"}),
        json!({"minLength": 1.0}),
        json!({"type": "decimal"}),
        json!({"type": []}),
        json!({"enum": []}),
        json!({"$ref": "other.json#/a"}),
        json!({"$ref": "#/$defs/Missing"}),
        json!({"$ref": "#/$defs/A%20B", "$defs": {"A B": {}}}),
        json!({"$schema": "http://json-schema.org/draft-07/schema#"}),
        json!({"properties": {"a": {"$id": "https://example.com/a"}}}),
        json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}}),
    ] {
        let fast = FastSchema::new(&schema);
        assert!(!fast.unknowns().is_empty(), "{schema}");
        assert_eq!(fast.check(&json!({"a": 3})), None, "{schema}");
    }
}

#[test]
fn unknown_branches_decide_only_when_the_answer_does_not_depend_on_them() {
    let any_of = json!({"anyOf": [{"multipleOf": 2}, {"type": "string"}]});
    assert_eq!(fast_check(&any_of, "\"a\""), Some(true));
    assert_eq!(fast_check(&any_of, "3"), None);
    let one_of = json!({"oneOf": [{"multipleOf": 2}, {"type": "integer"}, {"minimum": 0}]});
    assert_eq!(fast_check(&one_of, "3"), Some(false));
    assert_eq!(fast_check(&one_of, "-3"), None);
    assert_eq!(fast_check(&one_of, "-3.5"), None);
    let one_of = json!({"oneOf": [{"multipleOf": 2}, {"type": "string"}]});
    assert_eq!(fast_check(&one_of, "\"a\""), None);
    let all_of = json!({"allOf": [{"multipleOf": 2}, {"type": "string"}]});
    assert_eq!(fast_check(&all_of, "3"), Some(false));
    assert_eq!(fast_check(&all_of, "\"a\""), None);
    let object = json!({"properties": {"a": {"multipleOf": 2}}, "required": ["b"]});
    assert_eq!(fast_check(&object, "{\"a\": 2}"), Some(false));
    assert_eq!(fast_check(&object, "{\"a\": 2, \"b\": 1}"), None);
    assert_eq!(fast_check(&object, "{\"b\": 1}"), Some(true));
    let contains = json!({"contains": {"multipleOf": 2}, "maxContains": 1});
    assert_eq!(fast_check(&contains, "[]"), Some(false));
    assert_eq!(fast_check(&contains, "[1]"), None);
    let not = json!({"not": {"multipleOf": 2}});
    assert_eq!(fast_check(&not, "1"), None);
}

#[test]
fn deep_instances_are_left_to_jsonschema() {
    let schema = json!({"$defs": {"List": {"type": "array", "items": {"$ref": "#/$defs/List"}}}, "$ref": "#/$defs/List"});
    let fast = FastSchema::new(&schema);
    let mut deep = json!([]);
    for _ in 0..super::MAX_DEPTH + 10 {
        deep = Value::Array(vec![deep]);
    }
    assert_eq!(fast.check(&deep), None);
    let mut shallow = json!([]);
    for _ in 0..100 {
        shallow = Value::Array(vec![shallow]);
    }
    assert_eq!(fast.check(&shallow), Some(true));
    assert!(reference(&schema, &shallow));
}

/// A view of a `Value` whose objects list every member twice, a `null` first: what a tape
/// of text with duplicate keys may give, its [`View::get`] reading the last one as a
/// `Value` keeps it.
#[derive(Debug, Clone, Copy)]
struct Doubled<'a>(&'a Value);

/// The `null` of the first copy of each member.
static NULL: Value = Value::Null;

impl<'a> View<'a> for Doubled<'a> {
    type Items = std::iter::Map<std::slice::Iter<'a, Value>, fn(&'a Value) -> Doubled<'a>>;
    type Members = std::vec::IntoIter<(&'a str, Doubled<'a>)>;

    fn kind(self) -> Kind {
        self.0.kind()
    }
    fn get(self, key: &str) -> Option<Self> {
        self.0.get(key).map(Doubled)
    }
    fn as_str(self) -> Option<&'a str> {
        self.0.as_str()
    }
    fn as_bool(self) -> Option<bool> {
        self.0.as_bool()
    }
    fn as_u64(self) -> Option<u64> {
        self.0.as_u64()
    }
    fn as_i64(self) -> Option<i64> {
        self.0.as_i64()
    }
    fn as_f64(self) -> Option<f64> {
        self.0.as_f64()
    }
    fn items(self) -> Option<Self::Items> {
        let wrap: fn(&'a Value) -> Doubled<'a> = Doubled;
        self.0.as_array().map(|items| items.iter().map(wrap))
    }
    fn members(self) -> Option<Self::Members> {
        let map = self.0.as_object()?;
        let members: Vec<_> = map
            .iter()
            .flat_map(|(key, value)| {
                [
                    (key.as_str(), Doubled(&NULL)),
                    (key.as_str(), Doubled(value)),
                ]
            })
            .collect();
        Some(members.into_iter())
    }
    fn to_value(self) -> Value {
        self.0.clone()
    }
}

#[test]
fn a_member_written_twice_is_judged_by_the_value_kept() {
    let schema = json!({
        "properties": {"a": {"type": "integer"}},
        "additionalProperties": {"type": "string"}
    });
    let fast = FastSchema::new(&schema);
    // The dropped copy (`null`) fails, the kept one passes: undecided, never invalid.
    assert_eq!(fast.check(Doubled(&json!({"a": 1, "b": "x"}))), None);
    // Both copies fail: invalid.
    assert_eq!(fast.check(Doubled(&json!({"a": "x"}))), Some(false));
    assert_eq!(fast.check(Doubled(&json!({"b": 1}))), Some(false));
    let nullable = json!({"properties": {"a": {"type": ["integer", "null"]}}, "required": ["a"]});
    assert_eq!(
        FastSchema::new(&nullable).check(Doubled(&json!({"a": 1}))),
        Some(true)
    );
}

/// The canonical schemas, each with its fast plan and its `jsonschema` validator.
fn compiled() -> &'static [(PayloadKind, FastSchema, jsonschema::Validator)] {
    static COMPILED: OnceLock<Vec<(PayloadKind, FastSchema, jsonschema::Validator)>> =
        OnceLock::new();
    COMPILED.get_or_init(|| {
        PayloadKind::ALL
            .into_iter()
            .map(|kind| {
                let validator = jsonschema::draft202012::new(kind.schema())
                    .expect("every canonical schema compiles");
                (kind, FastSchema::new(kind.schema()), validator)
            })
            .collect()
    })
}

/// The fast plan and the validator of `kind`.
fn compiled_kind(kind: PayloadKind) -> (&'static FastSchema, &'static jsonschema::Validator) {
    let (_, fast, validator) = compiled()
        .iter()
        .find(|(other, _, _)| *other == kind)
        .expect("every kind is compiled");
    (fast, validator)
}

#[test]
fn the_canonical_schemas_are_fully_implemented() {
    for (kind, fast, _) in compiled() {
        assert!(fast.unknowns().is_empty(), "{kind}: {:?}", fast.unknowns());
    }
}

#[test]
fn the_historical_schemas_are_fully_implemented() {
    let mut checked = 0;
    for contract in ai21_schemas::Contract::ALL {
        for kind in contract.kinds() {
            let schema = contract.schema_or_today(kind);
            let fast = FastSchema::new(schema);
            assert!(
                fast.unknowns().is_empty(),
                "{contract} {kind}: {:?}",
                fast.unknowns()
            );
            checked += usize::from(contract.is_historical());
        }
    }
    assert_eq!(checked, 3);
}

#[test]
fn every_example_is_decided_as_jsonschema_decides_it() {
    let mut checked = 0;
    for example in ai21_schemas::examples() {
        let (fast, validator) = compiled_kind(example.kind());
        let payload = example.payload();
        let expected = validator.is_valid(&payload);
        assert_eq!(expected, example.is_valid(), "{}", example.file());
        assert_eq!(fast.check(&payload), Some(expected), "{}", example.file());
        let mut buffer = ai21_tape::TapeBuf::new();
        let tape = buffer
            .parse(example.text())
            .expect("the tape reads every example");
        assert_eq!(
            fast.check(tape.root()),
            Some(expected),
            "{} on a tape",
            example.file()
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} examples");
}

/// The fast check of `instance` written as JSON text and read on a tape; `None` if the
/// tape does not read it.
fn on_tape(fast: &FastSchema, instance: &Value) -> Option<Option<bool>> {
    let text = instance.to_string();
    let mut buffer = ai21_tape::TapeBuf::new();
    let tape = buffer.parse(&text).ok()?;
    Some(fast.check(tape.root()))
}

/// The documents the mutations start from: the valid examples, then the invalid ones,
/// each with its kind.
fn documents(valid: bool) -> &'static [(PayloadKind, Value)] {
    static DOCUMENTS: OnceLock<[Vec<(PayloadKind, Value)>; 2]> = OnceLock::new();
    let [invalid_ones, valid_ones] = DOCUMENTS.get_or_init(|| {
        [false, true].map(|valid| {
            ai21_schemas::examples()
                .filter(|example| example.is_valid() == valid)
                .map(|example| (example.kind(), example.payload()))
                .collect()
        })
    });
    if valid { valid_ones } else { invalid_ones }
}

/// Every JSON pointer of `value` (the root's is empty).
fn pointers(value: &Value, prefix: String, into: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{prefix}/{index}"), into);
            }
        }
        Value::Object(map) => {
            for (key, member) in map {
                pointers(member, format!("{prefix}/{}", super::escape(key)), into);
            }
        }
        _ => {}
    }
    into.push(prefix);
}

/// One random change to a document.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value with this one.
    Replace(Value),
    /// A number becomes a float of the same value (`3` → `3.0`) or loses a half (`3.5`).
    Floaten { half: bool },
    /// A number changes sign.
    Negate,
    /// A string becomes a number, a number a string.
    Retype,
    /// An object loses one member.
    DropKey(usize),
    /// An object gains a member.
    AddKey(String, Value),
    /// An array loses an element.
    DropItem(usize),
    /// An array repeats an element.
    RepeatItem(usize),
}

/// Values and keys that the schemas care about.
fn interesting_value() -> impl Strategy<Value = Value> {
    let numbers = prop_oneof![
        Just(parse("-0.0")),
        Just(parse("0")),
        Just(parse("1e308")),
        Just(parse("-1e308")),
        Just(parse("5e-324")),
        Just(parse("1e20")),
        Just(parse("3.0")),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(parse("1.8446744073709552e19")),
        Just(json!(4096)),
        Just(json!(4097)),
        Just(json!(8191)),
        Just(json!(8192)),
        Just(json!(16)),
        Just(json!(17)),
        Just(json!(10)),
        Just(json!(11)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(-1)),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(
            |float| serde_json::Number::from_f64(float).map_or(Value::Null, Value::Number)
        ),
        (-2.0..2.0_f64).prop_map(Value::from),
    ];
    let strings = prop_oneof![
        Just(""),
        Just("stop"),
        Just("length"),
        Just("endoftext"),
        Just("user"),
        Just("assistant"),
        Just("system"),
        Just("tool"),
        Just("function"),
        Just("object"),
        Just("text"),
        Just("json_object"),
        Just("\u{1F642}"),
        Just("4b3c4f7a-0d1e-4c52-9f3a-2b7e8c9d0a1f"),
        Just("4B3C4F7A-0D1E-4C52-9F3A-2B7E8C9D0A1F"),
        Just("4b3c4f7a-0d1e-4c52-9f3a-2b7e8c9d0a1f\n"),
    ]
    .prop_map(|text| Value::String(text.to_owned()));
    prop_oneof![
        numbers,
        strings,
        Just(Value::Null),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(Value::String("x".repeat(128))),
        Just(Value::String("\u{1F642}".repeat(129))),
        Just(json!({"role": "user", "content": "hi"})),
        Just(json!({"reason": "length", "length": 3})),
        Just(json!({"token": "a", "logprob": -0.5})),
    ]
}

/// A random key: one the schemas declare somewhere, or not.
fn interesting_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x"),
        Just("role"),
        Just("content"),
        Just("length"),
        Just("sequence"),
        Just("reason"),
        Just("id"),
        Just("tool_calls"),
        Just("tool_call_id"),
        Just("maxTokens"),
        Just("max_tokens"),
        Just("usage"),
        Just("raw_logprob"),
        Just("topTokens"),
        Just("input"),
        Just("logprobs"),
    ]
    .prop_map(str::to_owned)
}

/// A random mutation.
fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => interesting_value().prop_map(Mutation::Replace),
        2 => any::<bool>().prop_map(|half| Mutation::Floaten { half }),
        1 => Just(Mutation::Negate),
        1 => Just(Mutation::Retype),
        2 => any::<usize>().prop_map(Mutation::DropKey),
        2 => (interesting_key(), interesting_value()).prop_map(|(key, value)| Mutation::AddKey(key, value)),
        1 => any::<usize>().prop_map(Mutation::DropItem),
        1 => any::<usize>().prop_map(Mutation::RepeatItem),
    ]
}

/// Applies `mutation` to `value` where it applies; otherwise leaves it.
fn mutate(value: &mut Value, mutation: &Mutation) {
    match (mutation, &mut *value) {
        (Mutation::Replace(new), _) => *value = new.clone(),
        (Mutation::Floaten { half }, Value::Number(number)) => {
            let float = number.as_f64().unwrap_or(0.0) + if *half { 0.5 } else { 0.0 };
            if let Some(number) = serde_json::Number::from_f64(float) {
                *value = Value::Number(number);
            }
        }
        (Mutation::Negate, Value::Number(number)) => {
            *value = if let Some(int) = number.as_i64() {
                json!(int.wrapping_neg())
            } else {
                serde_json::Number::from_f64(-number.as_f64().unwrap_or(0.0))
                    .map_or(Value::Null, Value::Number)
            };
        }
        (Mutation::Retype, Value::Number(number)) => *value = Value::String(number.to_string()),
        (Mutation::Retype, Value::String(text)) => {
            *value = text
                .parse::<serde_json::Number>()
                .map_or(json!(text.len()), Value::Number);
        }
        (Mutation::DropKey(index), Value::Object(map)) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(index % map.len())
                .cloned()
                .unwrap_or_default();
            map.remove(&key);
        }
        (Mutation::AddKey(key, new), Value::Object(map)) => {
            map.insert(key.clone(), new.clone());
        }
        (Mutation::DropItem(index), Value::Array(items)) if !items.is_empty() => {
            let len = items.len();
            items.remove(index % len);
        }
        (Mutation::RepeatItem(index), Value::Array(items)) if !items.is_empty() => {
            let item = items[index % items.len()].clone();
            items.push(item);
        }
        _ => {}
    }
}

#[test]
fn mutated_examples_are_decided_as_jsonschema_decides_them() {
    let (valid, invalid) = (AtomicUsize::new(0), AtomicUsize::new(0));
    // Three in four start from a valid example, which the mutations mostly break.
    let strategy = (
        proptest::bool::weighted(0.75),
        any::<usize>(),
        proptest::collection::vec((any::<usize>(), mutation()), 1..4),
    );
    // The workspace's one configuration, eight times over: each case is cheap.
    let mut config = ai21_generate::proptest_config();
    config.cases *= 8;
    config.failure_persistence = None;
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&strategy, |(from_valid, document, mutations)| {
        let documents = documents(from_valid);
        let (kind, original) = &documents[document % documents.len()];
        let mut instance = original.clone();
        for (target, mutation) in &mutations {
            let mut all = Vec::new();
            pointers(&instance, String::new(), &mut all);
            let pointer = &all[target % all.len()];
            if let Some(value) = instance.pointer_mut(pointer) {
                mutate(value, mutation);
            }
        }
        let (fast, validator) = compiled_kind(*kind);
        let expected = validator.is_valid(&instance);
        let counter = if expected { &valid } else { &invalid };
        counter.fetch_add(1, AtomicOrdering::Relaxed);
        // Every canonical schema is fully implemented: no mutation may leave it undecided.
        prop_assert_eq!(
            fast.check(&instance),
            Some(expected),
            "{} {}",
            kind,
            instance
        );
        prop_assert_eq!(
            on_tape(fast, &instance),
            Some(Some(expected)),
            "{} {}",
            kind,
            instance
        );
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    let (valid, invalid) = (valid.into_inner(), invalid.into_inner());
    // The mutations reach both sides of the schemas.
    assert!(
        valid * 5 > valid + invalid && invalid * 5 > valid + invalid,
        "{valid} valid, {invalid} invalid"
    );
}

/// The payloads of the capture the ignored tests read: the JSONL file of exchanges
/// `{"url", "request": {"body"}, "response": {"status", "body"}}` that
/// `FAST_SCHEMA_CAPTURE` names, or else the benchmark capture generator's (4 MB, seed 1).
fn capture() -> Vec<(PayloadKind, Value)> {
    let text = match std::env::var_os("FAST_SCHEMA_CAPTURE") {
        Some(path) => std::fs::read_to_string(path).expect("the capture is readable"),
        None => {
            let mut bytes = Vec::new();
            ai21_generate::capture::write(
                &mut bytes,
                ai21_generate::capture::Options {
                    size: 4_000_000,
                    seed: 1,
                    ..ai21_generate::capture::Options::default()
                },
            )
            .expect("writing to memory");
            String::from_utf8(bytes).expect("the generator writes UTF-8")
        }
    };
    let limit: usize = std::env::var("FAST_SCHEMA_CAPTURE_BYTES")
        .ok()
        .and_then(|bytes| bytes.parse().ok())
        .unwrap_or(usize::MAX);
    let mut payloads = Vec::new();
    let mut read = 0;
    for line in text.lines() {
        read += line.len() + 1;
        if read > limit {
            break;
        }
        let Ok(exchange) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let chat = exchange["url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/chat/completions"));
        let (request_kind, response_kind) = if chat {
            (
                PayloadKind::JambaChatRequest,
                PayloadKind::JambaChatResponse,
            )
        } else {
            (
                PayloadKind::J2CompleteRequest,
                PayloadKind::J2CompleteResponse,
            )
        };
        let mut exchange = exchange;
        let request = exchange["request"]["body"].take();
        if !request.is_null() {
            payloads.push((request_kind, request));
        }
        let status = exchange["response"]["status"].as_u64().unwrap_or(0);
        let response = exchange["response"]["body"].take();
        if status < 300 && response.is_object() {
            payloads.push((response_kind, response));
        }
    }
    assert!(
        payloads.len() > 100,
        "{} payloads in the capture",
        payloads.len()
    );
    payloads
}

#[test]
#[ignore = "long: every payload of a capture (FAST_SCHEMA_CAPTURE, or a generated one)"]
#[allow(
    clippy::print_stderr,
    reason = "reports how many payloads were checked"
)]
fn captured_payloads_are_decided_as_jsonschema_decides_them() {
    let payloads = capture();
    let (mut valid, mut invalid) = (0, 0);
    for (kind, payload) in &payloads {
        let (fast, validator) = compiled_kind(*kind);
        let expected = validator.is_valid(payload);
        assert_eq!(fast.check(payload), Some(expected), "{kind}: {payload}");
        assert_eq!(
            on_tape(fast, payload),
            Some(Some(expected)),
            "{kind} on a tape: {payload}"
        );
        if expected { valid += 1 } else { invalid += 1 }
    }
    eprintln!(
        "{} payloads: {valid} valid, {invalid} invalid",
        payloads.len()
    );
}

#[test]
#[ignore = "times the plan against jsonschema on a capture (FAST_SCHEMA_CAPTURE, or a generated one); run with --release"]
#[allow(clippy::print_stderr, reason = "reports the times")]
fn time_against_jsonschema() {
    use std::time::{Duration, Instant};

    /// The best of five runs of `run`.
    fn best(mut run: impl FnMut() -> usize) -> (Duration, usize) {
        let mut best = Duration::MAX;
        let mut count = 0;
        for _ in 0..5 {
            let start = Instant::now();
            count = std::hint::black_box(run());
            best = best.min(start.elapsed());
        }
        (best, count)
    }

    let payloads = capture();
    for kind in PayloadKind::ALL {
        let selected: Vec<&Value> = payloads
            .iter()
            .filter(|(other, _)| *other == kind)
            .map(|(_, payload)| payload)
            .collect();
        if selected.is_empty() {
            continue;
        }
        let texts: Vec<String> = selected.iter().map(|payload| payload.to_string()).collect();
        let mut buffers: Vec<ai21_tape::TapeBuf> =
            texts.iter().map(|_| ai21_tape::TapeBuf::new()).collect();
        let tapes: Vec<ai21_tape::Tape<'_>> = buffers
            .iter_mut()
            .zip(&texts)
            .map(|(buffer, text)| {
                buffer
                    .parse(text)
                    .expect("the tape reads serde_json's output")
            })
            .collect();
        let (fast, validator) = compiled_kind(kind);
        let (reference_time, valid) = best(|| {
            selected
                .iter()
                .filter(|payload| validator.is_valid(payload))
                .count()
        });
        let (value_time, value_valid) = best(|| {
            selected
                .iter()
                .filter(|payload| fast.check(**payload) == Some(true))
                .count()
        });
        let (tape_time, tape_valid) = best(|| {
            tapes
                .iter()
                .filter(|tape| fast.check(tape.root()) == Some(true))
                .count()
        });
        assert_eq!((value_valid, tape_valid), (valid, valid), "{kind}");
        let (parse_value, _) = best(|| {
            texts
                .iter()
                .map(|text| serde_json::from_str::<Value>(text).map_or(0, |_| 1))
                .sum()
        });
        let mut buffer = ai21_tape::TapeBuf::new();
        let (parse_tape, _) = best(|| {
            texts
                .iter()
                .map(|text| buffer.parse(text).map_or(0, |tape| tape.len()))
                .sum()
        });
        // What a caller does per payload: parse, then check.
        let (both_value, _) = best(|| {
            texts
                .iter()
                .filter(|text| {
                    serde_json::from_str::<Value>(text)
                        .is_ok_and(|value| validator.is_valid(&value))
                })
                .count()
        });
        let (both_tape, _) = best(|| {
            texts
                .iter()
                .filter(|text| {
                    buffer
                        .parse(text)
                        .is_ok_and(|tape| fast.check(tape.root()) == Some(true))
                })
                .count()
        });
        let megabytes = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
        eprintln!(
            "{kind}: {} payloads ({megabytes:.1} MB, {valid} valid): jsonschema on Value {reference_time:?}; \
             fast on Value {value_time:?} ({:.2}x); fast on tape {tape_time:?} ({:.2}x); \
             parse to Value {parse_value:?}, to tape {parse_tape:?}; \
             parse and check, Value and jsonschema {both_value:?}, tape and fast {both_tape:?} ({:.2}x)",
            selected.len(),
            reference_time.as_secs_f64() / value_time.as_secs_f64(),
            reference_time.as_secs_f64() / tape_time.as_secs_f64(),
            both_value.as_secs_f64() / both_tape.as_secs_f64(),
        );
    }
}

/// The drift flag of `check_drift` is what the validator's drift walk finds, on generated
/// responses and stream chunks with fields added anywhere, mutated or not: for a valid
/// payload, no flag means no `drift/unknown-field` warning (the fast check relies on it),
/// and (for these schemas) a flag means one.
#[test]
fn the_drift_flag_is_what_the_drift_walk_finds() {
    let validator = crate::Validator::shared();
    let kinds = [
        PayloadKind::J2CompleteResponse,
        PayloadKind::JambaChatResponse,
        PayloadKind::JambaChatStreamChunk,
        PayloadKind::ErrorResponse,
    ];
    let strategy = (0..kinds.len()).prop_flat_map(move |index| {
        let kind = kinds[index];
        (
            Just(kind),
            ai21_generate::instance::strategy(kind).expect("the schema reads"),
            any::<usize>(),
            proptest::collection::vec(any::<usize>(), 0..3),
        )
    });
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let (flagged, clean) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let result = runner.run(&strategy, |(kind, instance, mutation, additions)| {
        let mut instance = instance;
        let mutations = ai21_generate::mutate::mutations(kind, &instance);
        if mutation % 3 == 0 && !mutations.is_empty() {
            instance = mutations[mutation % mutations.len()].apply(&instance);
        }
        for (number, target) in additions.iter().enumerate() {
            let mut all = Vec::new();
            pointers(&instance, String::new(), &mut all);
            all.push(String::new());
            let pointer = &all[target % all.len()];
            if let Some(Value::Object(members)) = instance.pointer_mut(pointer) {
                members.insert(format!("added_{number}"), json!(1));
            }
        }
        let fast = &FastSchema::new(kind.schema());
        let mut warnings = Vec::new();
        crate::drift::unknown_fields(validator.plan(kind), &instance, &mut warnings);
        let text = instance.to_string();
        let mut buffer = ai21_tape::TapeBuf::new();
        let Ok(tape) = buffer.parse(&text) else {
            return Ok(());
        };
        for (verdict, drift) in [fast.check_drift(&instance), fast.check_drift(tape.root())] {
            if verdict == Some(true) {
                prop_assert_eq!(
                    drift,
                    !warnings.is_empty(),
                    "{} {} {:?}",
                    kind,
                    instance,
                    warnings
                );
                let counter = if drift { &flagged } else { &clean };
                counter.fetch_add(1, AtomicOrdering::Relaxed);
            }
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    let (flagged, clean) = (flagged.into_inner(), clean.into_inner());
    assert!(
        flagged > 10 && clean > 10,
        "{flagged} flagged, {clean} clean"
    );
}
