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
//!
//! Both hold for every dialect too: the types of each payload kind as Bedrock, Vertex and
//! Azure have it (their own where the overlay changes the kind's types, the canonical ones
//! elsewhere) against the overlaid schema, on instances generated from that schema.

use std::collections::BTreeMap;

use crate::models::{parses, parses_in, round_trip, round_trip_in, same_after_normalisation};
use ai21_generate::{instance, mutate};
use ai21_models::{azure, bedrock, vertex};
use ai21_schemas::{Dialect, PayloadKind};
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

/// The unenforced constraints of the types of the kinds a dialect's overlay changes the
/// types of; `None` where the dialect's type is the canonical one.
fn own_unenforced(
    dialect: Dialect,
    kind: PayloadKind,
) -> Option<&'static [(&'static str, &'static str)]> {
    Some(match (dialect, kind) {
        (Dialect::Bedrock, PayloadKind::J2CompleteResponse) => {
            bedrock::j2_complete_response::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Bedrock, PayloadKind::JambaChatRequest) => {
            bedrock::jamba_chat_request::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Bedrock, PayloadKind::JambaChatStreamChunk) => {
            bedrock::jamba_chat_stream_chunk::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Bedrock, PayloadKind::ErrorResponse) => {
            bedrock::error_response::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Vertex, PayloadKind::JambaChatRequest) => {
            vertex::jamba_chat_request::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Vertex, PayloadKind::ErrorResponse) => {
            vertex::error_response::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Azure, PayloadKind::JambaChatRequest) => {
            azure::jamba_chat_request::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Azure, PayloadKind::JambaChatResponse) => {
            azure::jamba_chat_response::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Azure, PayloadKind::JambaChatStreamChunk) => {
            azure::jamba_chat_stream_chunk::UNENFORCED_CONSTRAINTS
        }
        (Dialect::Azure, PayloadKind::ErrorResponse) => {
            azure::error_response::UNENFORCED_CONSTRAINTS
        }
        _ => return None,
    })
}

/// The payload kinds whose types the dialect's overlay changes, as its module lists them.
fn changed_kinds(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Studio => &[],
        Dialect::Bedrock => bedrock::CHANGED_KINDS,
        Dialect::Vertex => vertex::CHANGED_KINDS,
        Dialect::Azure => azure::CHANGED_KINDS,
    }
}

/// What the types of `kind` as `dialect` has it leave to the validator.
fn unenforced_in(dialect: Dialect, kind: PayloadKind) -> &'static [(&'static str, &'static str)] {
    own_unenforced(dialect, kind).unwrap_or_else(|| unenforced(kind))
}

/// Splits a schema pointer to a keyword (`/$defs/UserMessage/properties/content/minLength`)
/// into the subschema's pointer and the keyword.
fn split_keyword(schema_pointer: &str) -> (&str, &str) {
    schema_pointer
        .rsplit_once('/')
        .unwrap_or(("", schema_pointer))
}

/// Whether a broken rule, `(subschema pointer, keyword)`, is one the types leave to the
/// validator: listed itself, or inside a union the types leave to it as a whole (the
/// validator explains a failed `anyOf` through the branch it takes as meant, such as
/// `/anyOf/0` `required`).
fn documented(unenforced: &[(&str, &str)], (pointer, keyword): &(&str, &str)) -> bool {
    unenforced.contains(&(pointer, keyword))
        || unenforced.iter().any(|(union, union_keyword)| {
            matches!(*union_keyword, "anyOf" | "oneOf")
                && pointer.starts_with(&format!("{union}/{union_keyword}/"))
        })
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

fn check_kind(
    dialect: Dialect,
    kind: PayloadKind,
    validator: &Validator,
    tally: &mut Tally,
) -> Result<(), String> {
    let strategy = instance::strategy_in(dialect, kind).map_err(|error| error.to_string())?;
    let unenforced = unenforced_in(dialect, kind);
    // A runner driven by hand has no source file to persist failures beside.
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    let mut runner = TestRunner::new(config);
    let tally = std::cell::RefCell::new(tally);
    let name = format!("{dialect} {kind}");
    runner
        .run(&strategy, |instance| {
            let mut tally = tally.borrow_mut();
            tally.instances += 1;
            let back = round_trip_in(dialect, kind, &instance).map_err(|error| TestCaseError::fail(format!("{name}: {error}\n{instance:#}")))?;
            same_after_normalisation(&instance, &back, "").map_err(|difference| TestCaseError::fail(format!("{name}: {difference}\n{instance:#}")))?;

            for mutation in mutate::mutations_in(dialect, kind, &instance) {
                let mutant = mutation.apply(&instance);
                tally.mutants += 1;
                let schema_rejects = !validator.is_schema_valid_in(dialect, kind, &mutant);
                let types_reject = !parses_in(dialect, kind, &mutant);
                match (schema_rejects, types_reject) {
                    (true, true) => tally.both_reject += 1,
                    (false, false) => tally.both_accept += 1,
                    (false, true) => {
                        return Err(TestCaseError::fail(format!(
                            "{name}: the types reject a mutant the schema accepts ({}):\n{mutant:#}",
                            mutation.description
                        )));
                    }
                    (true, false) => {
                        let report = validator.validate_in(dialect, kind, &mutant);
                        let broken: Vec<(&str, &str)> = report
                            .findings
                            .iter()
                            .filter(|finding| finding.severity == Severity::Error && finding.rule.starts_with("schema/"))
                            .filter_map(|finding| finding.schema_pointer.as_deref())
                            .map(split_keyword)
                            .collect();
                        let undocumented: Vec<_> = broken.iter().filter(|rule| !documented(unenforced, rule)).collect();
                        if broken.is_empty() || !undocumented.is_empty() {
                            return Err(TestCaseError::fail(format!(
                                "{name}: the types accept a mutant the schema rejects ({}), and {undocumented:?} is not a documented unenforced constraint:\n{mutant:#}",
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
    for dialect in Dialect::ALL {
        for kind in PayloadKind::ALL
            .into_iter()
            .filter(|kind| dialect.serves(*kind))
        {
            let mut tally = Tally::default();
            if let Err(error) = check_kind(dialect, kind, validator, &mut tally) {
                panic!("{error}");
            }
            assert!(
                tally.instances > 0 && tally.mutants > tally.instances,
                "{dialect} {kind}: {tally:?}"
            );
            assert!(
                tally.both_reject > 0,
                "{dialect} {kind}: no mutant was rejected by both: {tally:?}"
            );
            report.push_str(&format!(
                "{dialect} {kind}: {} instances, {} mutants: {} rejected by both, {} accepted by both, {} only by the schema (documented: {:?})\n",
                tally.instances,
                tally.mutants,
                tally.both_reject,
                tally.both_accept,
                tally.leniencies.values().sum::<usize>(),
                tally.leniencies
            ));
        }
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
fn the_dialect_types_checked_are_the_ones_generated() {
    // `own_unenforced` names a dialect's own types by hand; the generated modules list
    // which kinds have them.
    for dialect in Dialect::ALL {
        for kind in PayloadKind::ALL {
            assert_eq!(
                own_unenforced(dialect, kind).is_some(),
                changed_kinds(dialect).contains(&kind.stem()),
                "{dialect} {kind}"
            );
            // A kind the dialect does not serve (J2 on Vertex and Azure) has no type.
            if !dialect.serves(kind) {
                assert!(
                    round_trip_in(dialect, kind, &serde_json::json!({}))
                        .is_err_and(|error| error.ends_with(&format!("serves no {kind}"))),
                    "{dialect} {kind}"
                );
            }
        }
    }
    // The documented constraints of the dialect types include what the overlays add:
    // Bedrock's J2 id 1234 and the error bodies' "detail or error".
    assert!(
        unenforced_in(Dialect::Bedrock, PayloadKind::J2CompleteResponse)
            .contains(&("/properties/id", "const"))
    );
    for dialect in [Dialect::Vertex, Dialect::Azure] {
        assert!(
            unenforced_in(dialect, PayloadKind::ErrorResponse).contains(&("", "anyOf")),
            "{dialect}"
        );
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
