//! Property tests of the models against the schemas, on instances generated from the
//! schemas themselves:
//!
//! - every generated valid instance parses into its typed model and serializes back to
//!   the same value (after the documented normalisation);
//! - the **differential check**: every single-edit mutant that the schema rejects is
//!   rejected by typed parsing too, unless every schema rule it breaks is on the codegen's
//!   list of constraints the types do not enforce (`UNENFORCED_CONSTRAINTS`); and no
//!   mutant that the schema accepts is rejected by the types. So the only disagreements
//!   between the types and the schema are the documented ones.

use std::collections::BTreeMap;

use crate::models::{parses, round_trip, same_after_normalisation};
use ai21_generate::{instance, mutate};
use ai21_schemas::PayloadKind;
use ai21_validate::{Severity, Validator};
use proptest::test_runner::{TestCaseError, TestRunner};

fn unenforced(kind: PayloadKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        PayloadKind::J2CompleteRequest => ai21_models::j2_complete_request::UNENFORCED_CONSTRAINTS,
        PayloadKind::J2CompleteResponse => {
            ai21_models::j2_complete_response::UNENFORCED_CONSTRAINTS
        }
        PayloadKind::JambaChatRequest => ai21_models::jamba_chat_request::UNENFORCED_CONSTRAINTS,
        PayloadKind::JambaChatResponse => ai21_models::jamba_chat_response::UNENFORCED_CONSTRAINTS,
        PayloadKind::JambaChatStreamChunk => {
            ai21_models::jamba_chat_stream_chunk::UNENFORCED_CONSTRAINTS
        }
        PayloadKind::ErrorResponse => ai21_models::error_response::UNENFORCED_CONSTRAINTS,
    }
}

/// Splits a schema pointer to a keyword (`/$defs/UserMessage/properties/content/minLength`)
/// into the subschema's pointer and the keyword.
fn split_keyword(schema_pointer: &str) -> (&str, &str) {
    schema_pointer
        .rsplit_once('/')
        .unwrap_or(("", schema_pointer))
}

/// What the differential check saw for one kind.
#[derive(Debug, Default)]
struct Tally {
    instances: usize,
    mutants: usize,
    /// Mutants that the schema and the types both reject.
    both_reject: usize,
    /// Mutants both accept (unknown fields of open response objects: a drift warning).
    both_accept: usize,
    /// Mutants only the schema rejects, by the unenforced (pointer, keyword) they break.
    leniencies: BTreeMap<String, usize>,
}

fn check_kind(kind: PayloadKind, validator: &Validator, tally: &mut Tally) -> Result<(), String> {
    let strategy = instance::strategy(kind).map_err(|error| error.to_string())?;
    let unenforced = unenforced(kind);
    // A runner driven by hand has no source file to persist failures beside.
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    let mut runner = TestRunner::new(config);
    let tally = std::cell::RefCell::new(tally);
    runner
        .run(&strategy, |instance| {
            let mut tally = tally.borrow_mut();
            tally.instances += 1;
            let back = round_trip(kind, &instance).map_err(|error| TestCaseError::fail(format!("{kind}: {error}\n{instance:#}")))?;
            same_after_normalisation(&instance, &back, "").map_err(|difference| TestCaseError::fail(format!("{kind}: {difference}\n{instance:#}")))?;

            for mutation in mutate::mutations(kind, &instance) {
                let mutant = mutation.apply(&instance);
                tally.mutants += 1;
                let schema_rejects = !validator.is_schema_valid(kind, &mutant);
                let types_reject = !parses(kind, &mutant);
                match (schema_rejects, types_reject) {
                    (true, true) => tally.both_reject += 1,
                    (false, false) => tally.both_accept += 1,
                    (false, true) => {
                        return Err(TestCaseError::fail(format!(
                            "{kind}: the types reject a mutant the schema accepts ({}):\n{mutant:#}",
                            mutation.description
                        )));
                    }
                    (true, false) => {
                        let report = validator.validate(kind, &mutant);
                        let broken: Vec<(&str, &str)> = report
                            .findings
                            .iter()
                            .filter(|finding| finding.severity == Severity::Error && finding.rule.starts_with("schema/"))
                            .filter_map(|finding| finding.schema_pointer.as_deref())
                            .map(split_keyword)
                            .collect();
                        let undocumented: Vec<_> = broken.iter().filter(|rule| !unenforced.contains(rule)).collect();
                        if broken.is_empty() || !undocumented.is_empty() {
                            return Err(TestCaseError::fail(format!(
                                "{kind}: the types accept a mutant the schema rejects ({}), and {undocumented:?} is not a documented unenforced constraint:\n{mutant:#}",
                                mutation.description
                            )));
                        }
                        for (pointer, keyword) in broken {
                            *tally.leniencies.entry(format!("{pointer} {keyword}")).or_default() += 1;
                        }
                    }
                }
            }
            Ok(())
        })
        .map_err(|error| error.to_string())
}

#[test]
fn types_and_schemas_disagree_only_where_documented() {
    let validator = Validator::shared();
    let mut report = String::new();
    for kind in PayloadKind::ALL {
        let mut tally = Tally::default();
        if let Err(error) = check_kind(kind, validator, &mut tally) {
            panic!("{error}");
        }
        assert!(
            tally.instances > 0 && tally.mutants > tally.instances,
            "{kind}: {tally:?}"
        );
        assert!(
            tally.both_reject > 0,
            "{kind}: no mutant was rejected by both: {tally:?}"
        );
        report.push_str(&format!(
            "{kind}: {} instances, {} mutants: {} rejected by both, {} accepted by both, {} only by the schema (documented: {:?})\n",
            tally.instances,
            tally.mutants,
            tally.both_reject,
            tally.both_accept,
            tally.leniencies.values().sum::<usize>(),
            tally.leniencies
        ));
    }
    // The counts, for a person reading the test output (`-- --nocapture`).
    #[allow(
        clippy::print_stderr,
        reason = "reports the differential check's counts"
    )]
    {
        eprint!("{report}");
    }
}

#[test]
fn integers_written_as_floats_are_integers_to_the_types_too() {
    // JSON Schema counts 30.0 as an integer, and so do the typed models; 30.5 is an
    // integer to neither. The instance generator writes integers as floats now and then,
    // so the differential check above covers every integer property this way.
    let request = serde_json::json!({"prompt": "x", "maxTokens": 30.0});
    assert!(Validator::shared().is_schema_valid(PayloadKind::J2CompleteRequest, &request));
    assert!(parses(PayloadKind::J2CompleteRequest, &request));
    let back = round_trip(PayloadKind::J2CompleteRequest, &request).expect("round trips");
    assert_eq!(back["maxTokens"], serde_json::json!(30));
    assert!(back["maxTokens"].is_u64(), "written back as an integer");
    let request = serde_json::json!({"prompt": "x", "maxTokens": 30.5});
    assert!(!Validator::shared().is_schema_valid(PayloadKind::J2CompleteRequest, &request));
    assert!(!parses(PayloadKind::J2CompleteRequest, &request));
}
