//! The canonical schemas are well-formed, self-contained, documented, and follow the
//! strictness policy.

use ai21_schemas::PayloadKind;
use serde_json::Value;

/// What a subschema is to the schema that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Root,
    /// The schema of a named property.
    Property,
    /// A named `$defs` entry.
    Definition,
    /// The condition of a `contains`: not a shape, a test.
    Condition,
    /// Anything else: items, branches, map values.
    Other,
}

/// Calls `visit(pointer, role, subschema)` for every subschema of `schema`, itself included.
pub(crate) fn walk(schema: &Value, visit: &mut dyn FnMut(&str, Role, &Value)) {
    walk_at("", Role::Root, schema, visit);
}

fn walk_at(pointer: &str, role: Role, schema: &Value, visit: &mut dyn FnMut(&str, Role, &Value)) {
    visit(pointer, role, schema);
    let Some(object) = schema.as_object() else {
        return;
    };
    for (keyword, value) in object {
        let at = format!("{pointer}/{keyword}");
        let inner = |own: Role| {
            if role == Role::Condition {
                Role::Condition
            } else {
                own
            }
        };
        match keyword.as_str() {
            "properties" | "$defs" => {
                let own = if keyword == "$defs" {
                    Role::Definition
                } else {
                    Role::Property
                };
                for (name, subschema) in value.as_object().into_iter().flatten() {
                    walk_at(&format!("{at}/{name}"), inner(own), subschema, visit);
                }
            }
            "oneOf" | "anyOf" | "allOf" => {
                for (index, subschema) in value.as_array().into_iter().flatten().enumerate() {
                    walk_at(
                        &format!("{at}/{index}"),
                        inner(Role::Other),
                        subschema,
                        visit,
                    );
                }
            }
            "contains" => walk_at(&at, Role::Condition, value, visit),
            "items" | "additionalProperties" | "not" => {
                walk_at(&at, inner(Role::Other), value, visit)
            }
            _ => {}
        }
    }
}

fn is_request(kind: PayloadKind) -> bool {
    matches!(
        kind,
        PayloadKind::J2CompleteRequest | PayloadKind::JambaChatRequest
    )
}

#[test]
fn every_schema_is_valid_against_the_2020_12_meta_schema() {
    for kind in PayloadKind::ALL {
        let schema = kind.schema();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{kind}"
        );
        if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
            panic!(
                "{kind}: not a valid draft 2020-12 schema: {error} at {}",
                error.instance_path()
            );
        }
    }
}

#[test]
fn a_broken_schema_fails_the_meta_schema_check() {
    // The check above must be able to fail.
    let broken = serde_json::json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "strnig"});
    assert!(jsonschema::draft202012::meta::validate(&broken).is_err());
}

#[test]
fn every_reference_is_local_and_resolves() {
    for kind in PayloadKind::ALL {
        let schema = kind.schema();
        walk(schema, &mut |pointer, _, subschema| {
            let Some(reference) = subschema.get("$ref") else {
                return;
            };
            let reference = reference
                .as_str()
                .unwrap_or_else(|| panic!("{kind}{pointer}: $ref is not a string"));
            let target = reference.strip_prefix("#/$defs/").unwrap_or_else(|| {
                panic!("{kind}{pointer}: $ref {reference} is not a local #/$defs/ reference")
            });
            assert!(
                schema["$defs"].get(target).is_some(),
                "{kind}{pointer}: $ref {reference} does not resolve"
            );
        });
    }
}

#[test]
fn no_schema_uses_keywords_the_code_generator_cannot_follow() {
    // typify panics on if/then/else and silently ignores the others; each has a supported
    // form that says the same.
    const AVOIDED: [&str; 7] = [
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "prefixItems",
        "dependentRequired",
        "dependentSchemas",
    ];
    for kind in PayloadKind::ALL {
        walk(kind.schema(), &mut |pointer, _, subschema| {
            for keyword in AVOIDED {
                assert!(
                    subschema.get(keyword).is_none(),
                    "{kind}{pointer}: uses {keyword}"
                );
            }
        });
    }
}

#[test]
fn every_property_and_definition_is_described_and_sourced() {
    for kind in PayloadKind::ALL {
        let schema = kind.schema();
        let mut checked = 0;
        walk(schema, &mut |pointer, role, subschema| {
            let is_definition = role == Role::Definition;
            if !matches!(role, Role::Root | Role::Property | Role::Definition) {
                return;
            }
            checked += 1;
            let description = subschema["description"].as_str().unwrap_or("");
            assert!(description.len() > 10, "{kind}{pointer}: no description");
            let comment = subschema["$comment"].as_str().unwrap_or("");
            assert!(
                comment.contains("seed 00") || comment.contains("api-facts section"),
                "{kind}{pointer}: the $comment does not name a source (seed file and section, or api-facts section): {comment:?}"
            );
            if role != Role::Property {
                let title = subschema["title"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{kind}{pointer}: no title"));
                let name = pointer.rsplit('/').next().unwrap_or("");
                if is_definition {
                    assert_eq!(title, name, "{kind}{pointer}: the title names the type");
                }
            }
        });
        assert!(checked > 5, "{kind}: walked only {checked} subschemas");
    }
}

#[test]
fn requests_reject_unknown_properties_and_responses_accept_them() {
    // The one open object in a request is a tool's parameter schema: a user-written JSON
    // Schema, with keywords of its own.
    const OPEN_IN_REQUESTS: [&str; 2] = [
        "/$defs/FunctionParameters",
        "/$defs/FunctionParameters/properties/properties",
    ];
    for kind in PayloadKind::ALL {
        let mut objects = 0;
        walk(kind.schema(), &mut |pointer, role, subschema| {
            if role == Role::Condition {
                return;
            }
            let is_object = subschema["type"] == "object"
                || subschema["type"]
                    .as_array()
                    .is_some_and(|types| types.contains(&"object".into()));
            if !is_object
                || subschema.get("properties").is_none()
                    && subschema.get("additionalProperties").is_some()
            {
                // Maps (`additionalProperties` with a value schema) are not records.
                return;
            }
            objects += 1;
            let closed = subschema["additionalProperties"] == false;
            if is_request(kind) && !OPEN_IN_REQUESTS.contains(&pointer) {
                assert!(
                    closed,
                    "{kind}{pointer}: a request object must reject unknown properties"
                );
            } else if !is_request(kind) {
                assert!(
                    !closed,
                    "{kind}{pointer}: a response object must accept unknown properties"
                );
            }
        });
        assert!(objects > 0, "{kind}");
        let description = kind.schema()["description"].as_str().unwrap_or("");
        assert!(
            description.contains("Strictness policy"),
            "{kind}: the root description states the strictness policy"
        );
    }
}
