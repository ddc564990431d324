//! Unit tests of the generator's building blocks.

use serde_json::json;

use super::*;

fn one(schema: &Value) -> Value {
    let strategy = schema_strategy(schema).expect("supported schema");
    let mut runner = TestRunner::deterministic();
    strategy.new_tree(&mut runner).expect("a value").current()
}

#[test]
fn the_default_case_count_is_sized_for_ci() {
    assert_eq!(DEFAULT_CASES, 64);
    if std::env::var_os("PROPTEST_CASES").is_none() {
        assert_eq!(proptest_config().cases, 64);
    }
}

#[test]
fn refuses_unknown_keywords_naming_their_pointer() {
    let schema =
        json!({"type": "object", "properties": {"a": {"type": "string", "format": "email"}}});
    let error = schema_strategy(&schema).expect_err("format is not supported");
    assert_eq!(
        error.to_string(),
        "schema /properties/a/format: the instance generator cannot handle format: the instance generator does not know this keyword"
    );
}

#[test]
fn deprecated_is_an_annotation() {
    let schema = json!({"deprecated": true, "type": "object", "required": ["a"],
                        "properties": {"a": {"const": 1, "deprecated": false}}});
    assert_eq!(one(&schema), json!({"a": 1}));
}

#[test]
fn refuses_unsupported_patterns_and_overlapping_one_ofs() {
    let error = schema_strategy(&json!({"type": "string", "pattern": "^a+$"})).expect_err("a+");
    assert!(error.to_string().starts_with("schema /pattern:"), "{error}");
    let error = schema_strategy(&json!({"oneOf": [{"type": "number"}, {"type": "integer"}]}))
        .expect_err("overlapping");
    assert!(error.to_string().starts_with("schema /oneOf:"), "{error}");
    let error = schema_strategy(&json!({"$ref": "#/$defs/Missing"})).expect_err("dangling");
    assert!(error.to_string().contains("does not resolve"), "{error}");
    let error =
        schema_strategy(&json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}}))
            .expect_err("recursive");
    assert!(error.to_string().contains("too deep"), "{error}");
}

#[test]
fn keeps_values_inside_their_bounds() {
    let mut runner = TestRunner::deterministic();
    let schema = json!({"type": "object", "required": ["i", "f", "s"], "properties": {
        "i": {"type": "integer", "minimum": 3, "maximum": 5},
        "f": {"type": "number", "maximum": 0},
        "s": {"type": "string", "minLength": 2, "maxLength": 4}
    }});
    let strategy = schema_strategy(&schema).expect("supported");
    for _ in 0..200 {
        let value = strategy.new_tree(&mut runner).expect("a value").current();
        let integer = value["i"].as_f64().expect("a number");
        assert!(integer.fract() == 0.0, "an integral number: {value}");
        assert!((3.0..=5.0).contains(&integer), "{value}");
        assert!(
            value["f"].as_f64().is_some_and(|float| float <= 0.0),
            "{value}"
        );
        let length = value["s"].as_str().map_or(0, |text| text.chars().count());
        assert!((2..=4).contains(&length), "{value}");
    }
}

#[test]
fn writes_integers_sometimes_as_floats() {
    // JSON Schema reads `30.0` as the integer 30; the generator writes both spellings so
    // the differential tests see both.
    let mut runner = TestRunner::deterministic();
    let strategy = schema_strategy(&json!({"type": "integer", "minimum": 0})).expect("supported");
    let values: Vec<Value> = (0..200)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect();
    assert!(values.iter().any(Value::is_u64), "plain integers");
    let floats: Vec<&Value> = values.iter().filter(|value| value.is_f64()).collect();
    assert!(!floats.is_empty(), "integers written as floats");
    for float in floats {
        assert!(float.to_string().ends_with(".0"), "{float}");
    }
}

#[test]
fn generates_constants_and_enums_as_they_are() {
    assert_eq!(one(&json!({"const": {"a": 1}})), json!({"a": 1}));
    let value = one(&json!({"enum": ["text", "json_object"]}));
    assert!(value == "text" || value == "json_object");
}
