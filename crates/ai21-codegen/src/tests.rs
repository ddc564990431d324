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
    // An object in a list (or a union) has no name to give its type.
    let schema = json!({"title": "Root", "type": "object", "properties": {"a": {"type": "array", "items": {"type": "object", "properties": {"b": {"type": "string"}}}}}});
    let error = generate(&schema, &options()).expect_err("inline object");
    assert!(
        error
            .to_string()
            .contains("/properties/a/items: an object with properties must be a named $defs entry"),
        "{error}"
    );
}

#[test]
fn an_inline_object_of_a_property_is_named_after_its_container_and_property() {
    let schema = json!({
        "title": "Root", "type": "object",
        "properties": {
            "amazon-bedrock-invocationMetrics": {
                "description": "Metrics.", "type": "object",
                "properties": {"inputTokenCount": {"type": "integer", "minimum": 0, "maximum": 9}}
            },
            "named": {"title": "Named", "type": "object", "properties": {"x": {"type": "string"}}}
        }
    });
    let projection = project(&schema, "Root").expect("projects");
    assert_eq!(
        projection.schema["properties"]["amazon-bedrock-invocationMetrics"],
        json!({"description": "Metrics.", "$ref": "#/$defs/RootAmazonBedrockInvocationMetrics"})
    );
    assert_eq!(
        projection.schema["properties"]["named"],
        json!({"$ref": "#/$defs/Named"})
    );
    // Pointers stay pointers into the schema as written.
    assert_eq!(
        projection.unenforced[0].pointer,
        "/properties/amazon-bedrock-invocationMetrics/properties/inputTokenCount"
    );
    assert!(projection.properties.contains_key(&PropertyKey {
        container: "RootAmazonBedrockInvocationMetrics".to_owned(),
        variant: None,
        property: "inputTokenCount".to_owned()
    }));
    let generated = generate(&schema, &options()).expect("generates");
    assert!(
        generated
            .source
            .contains("pub struct RootAmazonBedrockInvocationMetrics {"),
        "{}",
        generated.source
    );
    assert!(
        generated
            .source
            .contains("deserialize_with = \"crate::presence::present_integer\""),
        "{}",
        generated.source
    );

    // A name that is taken is an error naming the property.
    let taken = json!({"title": "Root", "type": "object",
        "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}},
        "$defs": {"RootA": {"type": "string"}}});
    let error = generate(&taken, &options()).expect_err("RootA is taken");
    assert_eq!(
        error.to_string(),
        "test.schema.json: /properties/a: this inline object's type would be named RootA, which is already taken; give it a `title` or make it a named $defs entry"
    );
}

#[test]
fn a_number_constant_is_typed_by_its_value_and_left_to_the_validator() {
    // typify would make `{"const": 1234}` a newtype of f64, written back as 1234.0.
    let schema = json!({"title": "Root", "type": "object", "required": ["id"],
        "properties": {"id": {"const": 1234}, "flag": {"const": true}}});
    let projection = project(&schema, "Root").expect("projects");
    assert_eq!(
        projection.schema["properties"]["id"],
        json!({"type": "integer"})
    );
    assert_eq!(
        projection.schema["properties"]["flag"],
        json!({"type": "boolean"})
    );
    let recorded: Vec<_> = projection
        .unenforced
        .iter()
        .map(|item| format!("{} {} {}", item.pointer, item.keyword, item.value))
        .collect();
    assert_eq!(
        recorded,
        ["/properties/flag const true", "/properties/id const 1234"]
    );
    let generated = generate(&schema, &options()).expect("generates");
    assert!(
        generated.source.contains(
            "#[serde(deserialize_with = \"crate::presence::integer\")]\n    pub id: i64,"
        ),
        "{}",
        generated.source
    );
}

#[test]
fn unions_that_only_require_properties_are_left_to_the_validator() {
    let schema = json!({"title": "Root", "type": "object",
        "anyOf": [{"required": ["detail"]}, {"required": ["error"], "$comment": "either"}],
        "properties": {"detail": {"type": "string"}, "error": {"type": "string"}}});
    let projection = project(&schema, "Root").expect("projects");
    assert!(
        projection.schema.get("anyOf").is_none(),
        "{}",
        projection.schema
    );
    assert_eq!(projection.unenforced.len(), 1);
    assert_eq!(
        (
            projection.unenforced[0].pointer.as_str(),
            projection.unenforced[0].keyword.as_str()
        ),
        ("", "anyOf")
    );
    let generated = generate(&schema, &options()).expect("generates");
    assert!(
        generated
            .source
            .contains("pub detail: ::std::option::Option<::std::string::String>"),
        "{}",
        generated.source
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
        projection.properties.get(&PropertyKey {
            container: "Reason".to_owned(),
            variant: Some("b".to_owned()),
            property: "x".to_owned()
        }),
        Some(&PropertyFacts {
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
fn integer_fields_read_integral_floats_through_the_helpers() {
    let schema = json!({
        "title": "Root", "type": "object", "required": ["count"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "limit": {"type": ["integer", "null"], "minimum": 0},
            "offset": {"type": "integer"},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        }
    });
    let source = generate(&schema, &options()).expect("generates").source;
    let compact: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "#[serde(deserialize_with = \"crate::presence::integer\")] pub count: u64",
        "deserialize_with = \"crate::presence::nullable_integer\" )] pub limit:",
        "deserialize_with = \"crate::presence::present_integer\" )] pub offset:",
        "Integer(#[serde(deserialize_with = \"crate::presence::integer\")] i64)",
    ] {
        assert!(compact.contains(expected), "{expected}\n{source}");
    }
}

#[test]
fn integers_the_pass_cannot_read_are_errors_naming_the_field() {
    let schema = json!({
        "title": "Root", "type": "object",
        "properties": {"counts": {"type": "array", "items": {"type": "integer", "minimum": 0}}}
    });
    let error = generate(&schema, &options()).expect_err("a list of integers");
    let message = error.to_string();
    assert!(
        message.starts_with("test.schema.json: generated code: Root.counts: an integer inside"),
        "{message}"
    );
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

#[test]
fn union_branches_may_differ_in_presence_of_a_common_property() {
    // `content` is required in one branch and optional and nullable in the other (a chat
    // message's user and assistant roles): each variant keeps its own presence.
    let schema = json!({
        "title": "Root", "type": "object", "required": ["m"],
        "properties": {"m": {"$ref": "#/$defs/Message"}},
        "$defs": {
            "Message": {"oneOf": [{"$ref": "#/$defs/User"}, {"$ref": "#/$defs/Assistant"}]},
            "User": {"type": "object", "additionalProperties": false, "required": ["role", "content"],
                "properties": {"role": {"const": "user"}, "content": {"type": "string"}}},
            "Assistant": {"type": "object", "additionalProperties": false, "required": ["role"],
                "properties": {"role": {"const": "assistant"}, "content": {"type": ["string", "null"]}}}
        }
    });
    let generated = generate(&schema, &options()).expect("generates");
    let source = generated.source.replace(char::is_whitespace, "");
    assert!(
        source.contains("User{content:::std::string::String}"),
        "{}",
        generated.source
    );
    assert!(
        source.contains(
            "content:::std::option::Option<::std::option::Option<::std::string::String>>"
        ),
        "{}",
        generated.source
    );
}

fn shared_inputs(response_call: serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let function = json!({"type": "object", "required": ["name"], "properties": {"name": {"description": "The name.", "type": "string"}}});
    let request = json!({
        "title": "Request", "type": "object", "additionalProperties": false,
        "properties": {"calls": {"type": "array", "items": {"$ref": "#/$defs/Call"}}},
        "$defs": {
            "Call": {"$comment": "request copy", "type": "object", "additionalProperties": false, "required": ["function"],
                "properties": {"function": {"$ref": "#/$defs/Function"}, "kind": {"const": "function"}}},
            "Function": {"additionalProperties": false, "type": "object", "required": ["name"], "properties": {"name": {"description": "The name.", "type": "string"}}}
        }
    });
    let response = json!({
        "title": "Response", "type": "object", "required": ["call"],
        "properties": {"call": {"$ref": "#/$defs/Call"}},
        "$defs": {"Call": response_call, "Function": function}
    });
    (request, response)
}

#[test]
fn definitions_with_the_same_name_are_one_shared_type() {
    let (request, response) = shared_inputs(json!({
        "$comment": "response copy: comments may differ", "type": "object", "required": ["function"],
        "properties": {"function": {"$ref": "#/$defs/Function"}, "kind": {"const": "function"}}
    }));
    let request_options = Options::new("Request", "request.schema.json");
    let response_options = Options::new("Response", "response.schema.json");
    let set = generate_set(&[(&request, &request_options), (&response, &response_options)])
        .expect("generates");
    let shared = set.shared.expect("a shared module");
    assert!(shared.source.starts_with("//! @generated by `cargo xtask codegen` from the `$defs` shared by `request.schema.json`, `response.schema.json`; do not edit."), "{}", shared.source);
    assert!(
        shared.source.contains("pub struct Call"),
        "{}",
        shared.source
    );
    assert!(
        shared.source.contains("pub enum CallKind"),
        "{}",
        shared.source
    );
    // The response's copy is open, so the shared type is: no deny_unknown_fields on Call.
    let call = &shared.source[shared.source.find("pub struct Call").expect("Call")..];
    let before_call = &shared.source[..shared.source.find("pub struct Call").expect("Call")];
    assert!(
        !before_call
            .rsplit("#[derive")
            .next()
            .unwrap_or_default()
            .contains("deny_unknown_fields"),
        "{}",
        shared.source
    );
    assert!(!call.is_empty());
    for module in &set.modules {
        assert!(
            !module.source.contains("pub struct Call "),
            "{}",
            module.source
        );
        assert!(
            module
                .source
                .contains("pub use crate::shared::{Call, CallKind, Function};"),
            "{}",
            module.source
        );
        // Fields name the re-exported type, not its path in the shared module.
        assert!(
            !module.source.contains("crate::shared::Call>"),
            "{}",
            module.source
        );
    }
    // The request's copies were closed: the types leave that to the validator, and say so.
    let request_unenforced: Vec<_> = set.modules[0]
        .unenforced
        .iter()
        .map(|item| (item.pointer.as_str(), item.keyword.as_str()))
        .collect();
    assert_eq!(
        request_unenforced,
        [
            ("/$defs/Call", "additionalProperties"),
            ("/$defs/Function", "additionalProperties")
        ]
    );
    assert!(set.modules[1].unenforced.is_empty());
}

#[test]
fn shared_names_with_different_definitions_are_an_error_naming_the_difference() {
    let (request, response) = shared_inputs(json!({
        "type": "object", "required": ["function"],
        "properties": {"function": {"$ref": "#/$defs/Function"}, "kind": {"const": "tool"}}
    }));
    let request_options = Options::new("Request", "request.schema.json");
    let response_options = Options::new("Response", "response.schema.json");
    let error = generate_set(&[(&request, &request_options), (&response, &response_options)])
        .expect_err("the copies differ");
    assert_eq!(
        error.to_string(),
        "#/$defs/Call differs between request.schema.json and response.schema.json at \"/properties/kind/const\": a definition name shared by several schemas is one Rust type, so its copies must be written the same (save $comment and additionalProperties: false); make them equal or rename one"
    );
}

#[test]
fn a_shared_definition_may_only_refer_to_shared_definitions() {
    let request = json!({
        "title": "Request", "type": "object", "required": ["u"],
        "properties": {"u": {"$ref": "#/$defs/Usage"}},
        "$defs": {
            "Usage": {"type": "object", "properties": {"n": {"$ref": "#/$defs/Count"}}},
            "Count": {"type": "integer"}
        }
    });
    let response = json!({
        "title": "Response", "type": "object", "required": ["u"],
        "properties": {"u": {"$ref": "#/$defs/Usage"}},
        "$defs": {
            "Usage": {"type": "object", "properties": {"n": {"$ref": "#/$defs/Count"}}},
            "Count": {"type": "number"}
        }
    });
    let request_options = Options::new("Request", "request.schema.json");
    let response_options = Options::new("Response", "response.schema.json");
    let error = generate_set(&[(&request, &request_options), (&response, &response_options)])
        .expect_err("Count differs, so it cannot be shared");
    assert!(
        error.to_string().starts_with("#/$defs/Count differs between request.schema.json and response.schema.json at \"/type\""),
        "{error}"
    );
}
