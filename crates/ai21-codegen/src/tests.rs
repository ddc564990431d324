//! Unit tests of the projection, the presence pass and panic handling.

use serde_json::json;

use super::*;

fn options() -> Options {
    Options::new("Root", "test.schema.json")
}

#[test]
fn typify_panics_become_errors_naming_the_definition() {
    // typify panics on a reference into a definition's properties; the projection lets it
    // through, so this exercises the catch.
    let schema = json!({
        "title": "Root",
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/Fine"}},
        "$defs": {
            "Fine": {"type": "string"},
            "Broken": {"type": "object", "properties": {"x": {"type": "string"}, "y": {"$ref": "#/$defs/Broken/properties/x"}}}
        }
    });
    let error = generate(&schema, &options()).expect_err("typify cannot follow that reference");
    let message = error.to_string();
    assert!(
        matches!(error, Error::Unsupported { .. } | Error::TypifyPanic { .. }),
        "{message}"
    );
    assert!(
        message.starts_with("test.schema.json: /$defs/Broken"),
        "{message}"
    );
}

#[test]
fn unsupported_keywords_are_errors_with_their_pointer() {
    let schema = json!({"title": "Root", "type": "object", "properties": {"a": {"type": "string", "if": {"minLength": 2}}}});
    let error = generate(&schema, &options()).expect_err("if is unsupported");
    assert_eq!(
        error.to_string(),
        "test.schema.json: /properties/a/if: unsupported keyword \"if\": the code generator cannot follow it; express the rule with a supported keyword or as a validator rule"
    );
}

#[test]
fn anonymous_objects_must_be_named_definitions() {
    let schema = json!({"title": "Root", "type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}}});
    let error = generate(&schema, &options()).expect_err("inline object");
    assert!(
        error
            .to_string()
            .contains("/properties/a: an object with properties must be a named $defs entry"),
        "{error}"
    );
}

#[test]
fn value_constraints_are_recorded_not_silently_dropped() {
    let schema = json!({
        "title": "Root", "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 16},
            "t": {"type": "number", "minimum": 0, "maximum": 2},
            "s": {"type": "string", "minLength": 1, "maxLength": 9, "pattern": "^a"},
            "l": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2, "contains": {"const": "x"}},
            "u": {"type": "integer", "minimum": 0}
        }
    });
    let projection = project(&schema, "Root").expect("projects");
    let recorded: Vec<_> = projection
        .unenforced
        .iter()
        .map(|item| format!("{} {} {}", item.pointer, item.keyword, item.value))
        .collect();
    assert_eq!(
        recorded,
        [
            "/properties/l contains {\"const\":\"x\"}",
            "/properties/l maxItems 2",
            "/properties/l minItems 1",
            "/properties/n maximum 16",
            "/properties/n minimum 1",
            "/properties/s maxLength 9",
            "/properties/s minLength 1",
            "/properties/s pattern \"^a\"",
            "/properties/t maximum 2",
            "/properties/t minimum 0",
        ]
    );
    // Integers stay unsigned: minimum 0 is enforced by the type, so it is not listed.
    assert_eq!(projection.schema["properties"]["n"]["minimum"], 0);
    assert_eq!(projection.schema["properties"]["u"]["minimum"], 0);
}

#[test]
fn discriminated_unions_are_inlined_and_consts_become_enums() {
    let schema = json!({
        "title": "Root", "type": "object", "required": ["r"],
        "properties": {"r": {"$ref": "#/$defs/Reason"}},
        "$defs": {
            "Reason": {"oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]},
            "A": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "a"}}},
            "B": {"type": "object", "required": ["kind", "x"], "properties": {"kind": {"const": "b"}, "x": {"type": ["string", "null"]}}}
        }
    });
    let projection = project(&schema, "Root").expect("projects");
    let definitions = projection.schema["$defs"].as_object().expect("definitions");
    assert_eq!(
        definitions.keys().collect::<Vec<_>>(),
        ["Reason"],
        "the branches are inlined"
    );
    assert_eq!(
        projection.schema["$defs"]["Reason"]["oneOf"][1]["properties"]["kind"],
        json!({"enum": ["b"]})
    );
    assert_eq!(
        projection
            .properties
            .get(&("Reason".to_owned(), "x".to_owned())),
        Some(&projection::PropertyFacts {
            required: true,
            nullable: true
        })
    );
    let generated = generate(&schema, &options()).expect("generates");
    assert!(
        generated.source.contains("#[serde(tag = \"kind\""),
        "{}",
        generated.source
    );
}

#[test]
fn optional_fields_keep_absence_null_and_empty_apart() {
    let schema = json!({
        "title": "Root", "type": "object",
        "properties": {
            "list": {"type": "array", "items": {"type": "string"}},
            "maybe": {"type": ["string", "null"]},
            "plain": {"type": "string"}
        }
    });
    let source = generate(&schema, &options()).expect("generates").source;
    let compact: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        compact.contains("pub list: ::std::option::Option<::std::vec::Vec<::std::string::String>>"),
        "{source}"
    );
    assert!(
        compact.contains(
            "pub maybe: ::std::option::Option< ::std::option::Option<::std::string::String>, >"
        ) || compact.contains(
            "pub maybe: ::std::option::Option<::std::option::Option<::std::string::String>>"
        ),
        "{source}"
    );
    assert!(
        compact.contains("deserialize_with = \"crate::presence::nullable\""),
        "{source}"
    );
    assert!(
        compact.contains("deserialize_with = \"crate::presence::present\""),
        "{source}"
    );
    assert!(!compact.contains("Vec::is_empty"), "{source}");
}

#[test]
fn output_is_deterministic_and_says_it_is_generated() {
    for kind in ai21_schemas::PayloadKind::ALL {
        let options = Options::new(kind.type_name(), format!("schemas/{}", kind.file_name()));
        let first =
            generate(kind.schema(), &options).unwrap_or_else(|error| panic!("{kind}: {error}"));
        let second = generate(kind.schema(), &options).expect("generates twice");
        assert_eq!(first, second, "{kind}");
        let header = first.source.lines().next().unwrap_or_default();
        assert_eq!(
            header,
            format!(
                "//! @generated by `cargo xtask codegen` from `schemas/{}`; do not edit.",
                kind.file_name()
            )
        );
        assert!(
            first
                .source
                .contains(&format!("pub struct {}", kind.type_name())),
            "{kind}"
        );
        assert!(
            !first.source.contains("/work/") && !first.source.contains("typify 0"),
            "{kind}: machine-specific text"
        );
    }
}
