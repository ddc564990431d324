//! The historical contracts under `schemas/history/`: each schema is a valid draft 2020-12
//! schema, marked historical, self-contained, closed where today's is closed; the seed's
//! documented examples it describes are valid against it; and the instance generator
//! reads it, every instance it generates valid against it.

use ai21_generate::instance;
use ai21_schemas::{Contract, PayloadKind};
use ai21_validate::Validator;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::Value;

use crate::schemas::{Role, walk};

/// Every historical schema, with its contract and kind.
fn historical() -> Vec<(Contract, PayloadKind, &'static Value)> {
    let all: Vec<_> = Contract::ALL
        .into_iter()
        .filter(|contract| contract.is_historical())
        .flat_map(|contract| {
            contract
                .kinds()
                .map(move |kind| (contract, kind, contract.schema(kind).expect("frozen")))
        })
        .collect();
    // Seed 002's Jamba request and response, seed 003's J2 request.
    assert_eq!(all.len(), 3, "{all:?}");
    all
}

/// The compiled historical schema.
fn compiled(contract: Contract, kind: PayloadKind, schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::new(schema)
        .unwrap_or_else(|error| panic!("{contract} {kind}: does not compile: {error}"))
}

#[test]
fn every_historical_schema_is_valid_against_the_2020_12_meta_schema() {
    for (contract, kind, schema) in historical() {
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{contract} {kind}"
        );
        if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
            panic!(
                "{contract} {kind}: not a valid draft 2020-12 schema: {error} at {}",
                error.instance_path()
            );
        }
    }
}

#[test]
fn every_historical_schema_is_marked_historical() {
    for (contract, kind, schema) in historical() {
        let at = format!("{contract} {kind}");
        assert_eq!(schema["deprecated"], true, "{at}");
        assert_eq!(
            schema["$id"],
            format!(
                "https://ai21-contract.dev/schemas/history/{contract}/{}",
                kind.file_name()
            ),
            "{at}"
        );
        let title = schema["title"].as_str().unwrap_or_default();
        assert!(title.starts_with(kind.type_name()), "{at}: title {title:?}");
        assert!(title.ends_with("historical)"), "{at}: title {title:?}");
        let description = schema["description"].as_str().unwrap_or_default();
        assert!(
            description.starts_with("Historical:") && description.contains("Not today's contract"),
            "{at}: the description says it is not today's contract: {description:?}"
        );
        assert_ne!(schema, kind.schema(), "{at}");
        assert_ne!(schema["$id"], kind.schema()["$id"], "{at}");
    }
}

#[test]
fn every_historical_schema_is_self_contained_and_closed_as_today_s() {
    for (contract, kind, schema) in historical() {
        let request = kind.stem().ends_with(".request");
        let mut objects = 0;
        walk(schema, &mut |pointer, role, subschema| {
            let at = format!("{contract} {kind}{pointer}");
            if let Some(reference) = subschema.get("$ref") {
                let target = reference
                    .as_str()
                    .and_then(|reference| reference.strip_prefix("#/$defs/"))
                    .unwrap_or_else(|| panic!("{at}: $ref {reference} is not into #/$defs/"));
                assert!(
                    schema["$defs"].get(target).is_some(),
                    "{at}: $ref does not resolve"
                );
            }
            if matches!(role, Role::Root | Role::Property | Role::Definition) {
                let comment = subschema["$comment"].as_str().unwrap_or_default();
                assert!(
                    comment.contains("seed 00") || comment.contains("api-facts section"),
                    "{at}: the $comment names no source: {comment:?}"
                );
            }
            if role == Role::Condition || subschema.get("properties").is_none() {
                return;
            }
            objects += 1;
            let closed = subschema["additionalProperties"] == false;
            assert_eq!(
                closed, request,
                "{at}: requests reject unknown properties, responses accept them"
            );
        });
        assert!(objects > 0, "{contract} {kind}");
    }
}

#[test]
fn the_seed_examples_are_valid_against_the_historical_schemas_of_their_time() {
    let cases = [
        ("jamba-preview", "jamba-chat.request.002-1.json"),
        ("jamba-preview", "jamba-chat.response.002-1.json"),
        ("j2-older", "j2-complete.request.003-1.json"),
    ];
    for (name, file) in cases {
        let contract = Contract::by_name(name).expect("a known contract");
        let example = ai21_schemas::examples()
            .find(|example| example.file() == file)
            .unwrap_or_else(|| panic!("{file} is in the manifest"));
        assert!(example.is_valid(), "{file}");
        let kind = example.kind();
        let schema = contract
            .schema(kind)
            .unwrap_or_else(|| panic!("{contract} freezes {kind}"));
        let validator = compiled(contract, kind, schema);
        let payload = example.payload();
        let errors: Vec<String> = validator
            .iter_errors(&payload)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{contract} {file}: {errors:?}");
        // The contract's validator agrees, schema, rules and drift together.
        let report = Validator::shared_for(contract).validate(kind, &payload);
        assert!(!report.has_errors(), "{contract} {file}: {report:?}");
    }
}

#[test]
fn the_historical_schemas_reject_what_the_later_documents_added() {
    // One check that the cases above could fail: today's J2 request (with `logitBias`) and
    // today's Jamba request (with `n`) are not the older documents'.
    let cases = [
        (
            "j2-older",
            PayloadKind::J2CompleteRequest,
            serde_json::json!({"prompt": "Hi", "logitBias": {"a": 1.0}}),
        ),
        (
            "jamba-preview",
            PayloadKind::JambaChatRequest,
            serde_json::json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "n": 2, "temperature": 0.5}),
        ),
    ];
    for (name, kind, payload) in cases {
        let contract = Contract::by_name(name).expect("a known contract");
        assert!(
            jsonschema::draft202012::new(kind.schema())
                .expect("compiles")
                .is_valid(&payload),
            "{kind}: valid today"
        );
        let schema = contract.schema(kind).expect("frozen");
        assert!(
            !compiled(contract, kind, schema).is_valid(&payload),
            "{contract} {kind}: {payload}"
        );
    }
}

#[test]
fn the_instance_generator_reads_every_historical_schema_and_its_instances_are_valid() {
    for (contract, kind, schema) in historical() {
        let strategy = instance::schema_strategy(schema)
            .unwrap_or_else(|error| panic!("{contract} {kind}: {error}"));
        let validator = compiled(contract, kind, schema);
        let contract_validator = Validator::shared_for(contract);
        let mut config = ai21_generate::proptest_config();
        config.failure_persistence = None;
        let mut runner = TestRunner::new(config);
        let generated = std::cell::Cell::new(0);
        runner
            .run(&strategy, |instance| {
                generated.set(generated.get() + 1);
                if let Some(error) = validator.iter_errors(&instance).next() {
                    return Err(TestCaseError::fail(format!(
                        "{contract} {kind}: {error} at {}\n{instance:#}",
                        error.instance_path()
                    )));
                }
                if !contract_validator.is_schema_valid(kind, &instance) {
                    return Err(TestCaseError::fail(format!(
                        "{contract} {kind}: the contract's validator rejects\n{instance:#}"
                    )));
                }
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{failure}"));
        let generated = generated.get();
        assert!(generated > 10, "{contract} {kind}: {generated} instances");
    }
}
