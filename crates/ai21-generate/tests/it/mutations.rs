//! Mutations of generated values are reported by the validator with the expected rule at
//! the expected pointer.

use ai21_generate::mutate::{Mutation, mutations, mutations_in};
use ai21_generate::proptest_config;
use ai21_validate::{Dialect, PayloadKind, Target};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use crate::generator::generated;
use crate::support::{example, rules_at, validator};

/// How many mutations of each generated value are checked.
const PER_VALUE: usize = 4;

fn check_mutation(
    kind: PayloadKind,
    value: &Value,
    mutation: &Mutation,
) -> Result<(), TestCaseError> {
    check_mutation_in(Dialect::Studio, kind, value, mutation)
}

/// [`check_mutation`] against the schema of `kind` as `dialect` has it.
fn check_mutation_in(
    dialect: Dialect,
    kind: PayloadKind,
    value: &Value,
    mutation: &Mutation,
) -> Result<(), TestCaseError> {
    let mutated = mutation.apply(value);
    let report = validator().validate_in(dialect, kind, &mutated);
    prop_assert!(
        report
            .findings
            .iter()
            .any(|finding| finding.rule == mutation.rule
                && finding.pointer == mutation.pointer
                && finding.severity == mutation.severity
                && finding.target == Target::Payload),
        "{}: {}: expected {} at {:?}\nmutated: {}\n{}",
        kind,
        mutation.description,
        mutation.rule,
        mutation.pointer,
        mutated,
        report
    );
    Ok(())
}

fn check_some(kind: PayloadKind, value: &Value, picks: &[Index]) -> Result<(), TestCaseError> {
    let all = mutations(kind, value);
    prop_assert!(!all.is_empty(), "{kind}: no mutation of {value}");
    for pick in picks {
        check_mutation(kind, value, &all[pick.index(all.len())])?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn mutated_j2_requests_are_rejected(value in generated(PayloadKind::J2CompleteRequest), picks in prop::collection::vec(any::<Index>(), PER_VALUE)) {
        check_some(PayloadKind::J2CompleteRequest, &value, &picks)?;
    }

    #[test]
    fn mutated_j2_responses_are_rejected(value in generated(PayloadKind::J2CompleteResponse), picks in prop::collection::vec(any::<Index>(), PER_VALUE)) {
        check_some(PayloadKind::J2CompleteResponse, &value, &picks)?;
    }

    #[test]
    fn mutated_jamba_requests_are_rejected(value in generated(PayloadKind::JambaChatRequest), picks in prop::collection::vec(any::<Index>(), PER_VALUE)) {
        check_some(PayloadKind::JambaChatRequest, &value, &picks)?;
    }

    #[test]
    fn mutated_jamba_responses_are_rejected(value in generated(PayloadKind::JambaChatResponse), picks in prop::collection::vec(any::<Index>(), PER_VALUE)) {
        check_some(PayloadKind::JambaChatResponse, &value, &picks)?;
    }

    #[test]
    fn mutated_stream_chunks_are_rejected(value in generated(PayloadKind::JambaChatStreamChunk), picks in prop::collection::vec(any::<Index>(), PER_VALUE)) {
        check_some(PayloadKind::JambaChatStreamChunk, &value, &picks)?;
    }

    #[test]
    fn mutated_error_responses_are_rejected(value in generated(PayloadKind::ErrorResponse), picks in prop::collection::vec(any::<Index>(), PER_VALUE)) {
        check_some(PayloadKind::ErrorResponse, &value, &picks)?;
    }
}

#[test]
fn every_mutation_of_partner_payloads_is_reported_in_their_dialect() {
    let mut rules = std::collections::BTreeSet::new();
    for dialect in [Dialect::Bedrock, Dialect::Vertex, Dialect::Azure] {
        for kind in PayloadKind::ALL
            .into_iter()
            .filter(|kind| dialect.serves(*kind))
        {
            // A runner counts its cases across runs: one per kind.
            let mut runner = proptest::test_runner::TestRunner::new(proptest_config());
            let strategy = ai21_generate::instance::strategy_in(dialect, kind)
                .unwrap_or_else(|error| panic!("{dialect} {kind}: {error}"));
            let rules = std::cell::RefCell::new(&mut rules);
            runner
                .run(&strategy, |value| {
                    let all = mutations_in(dialect, kind, &value);
                    prop_assert!(!all.is_empty(), "{dialect} {kind}: no mutation of {value}");
                    for mutation in &all {
                        rules.borrow_mut().insert((dialect, kind, mutation.rule));
                        check_mutation_in(dialect, kind, &value, mutation)?;
                    }
                    Ok(())
                })
                .unwrap_or_else(|error| panic!("{dialect} {kind}: {error}"));
        }
    }
    // What the overlays add is broken too: Bedrock's J2 id and Bedrock's required
    // `message`, the Vertex and Azure error bodies' "`detail` or `error`".
    for (dialect, kind, rule) in [
        (
            Dialect::Bedrock,
            PayloadKind::J2CompleteResponse,
            "schema/const",
        ),
        (
            Dialect::Bedrock,
            PayloadKind::ErrorResponse,
            "schema/required",
        ),
        (
            Dialect::Vertex,
            PayloadKind::ErrorResponse,
            "schema/required",
        ),
        (
            Dialect::Azure,
            PayloadKind::ErrorResponse,
            "schema/required",
        ),
    ] {
        assert!(
            rules.contains(&(dialect, kind, rule)),
            "{dialect} {kind}: no {rule}"
        );
    }
}

#[test]
fn every_mutation_of_the_documented_examples_is_reported() {
    // The documented examples exercise every kind of mutation at least once.
    let mut kinds_of_rule = std::collections::BTreeSet::new();
    for example_file in [
        "j2-complete.request.001-1.json",
        "j2-complete.response.001-2.json",
        "jamba-chat.request.002-1.json",
        "jamba-chat.response.002-1.json",
    ] {
        let value = example(example_file);
        let kind = ai21_schemas::examples()
            .find(|candidate| candidate.file() == example_file)
            .map(|candidate| candidate.kind())
            .expect("listed");
        for mutation in mutations(kind, &value) {
            kinds_of_rule.insert(mutation.rule);
            check_mutation(kind, &value, &mutation).unwrap_or_else(|error| panic!("{error}"));
        }
    }
    for rule in [
        "schema/required",
        "schema/type",
        "schema/minimum",
        "schema/maximum",
        "schema/minLength",
        "schema/const",
        "schema/oneOf",
        "schema/anyOf",
        "schema/contains",
        "schema/minItems",
        "schema/additionalProperties",
        "drift/unknown-field",
    ] {
        assert!(kinds_of_rule.contains(rule), "no {rule} mutation");
    }
}

#[test]
fn an_emptied_user_message_is_a_min_length_finding() {
    let request = json!({"model": "jamba-large", "messages": [{"role": "user", "content": "Hi"}]});
    let emptied = mutations(PayloadKind::JambaChatRequest, &request)
        .into_iter()
        .find(|mutation| {
            mutation.rule == "schema/minLength" && mutation.pointer == "/messages/0/content"
        })
        .expect("a minLength mutation of the user message");
    let report = validator().validate(PayloadKind::JambaChatRequest, &emptied.apply(&request));
    assert_eq!(
        rules_at(&report),
        [("schema/minLength", "/messages/0/content".to_owned())]
    );
    assert_eq!(
        report.findings[0].message,
        "role is \"user\", so content must not be empty"
    );
}
