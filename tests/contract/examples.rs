//! The documented examples validate, the invalid ones fail exactly where the manifest says,
//! and every documented text differs from its strict JSON only by the errata's repairs.

use std::collections::BTreeSet;
use std::fs;

use ai21_schemas::{Expectation, PayloadKind, Repair, Violation};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::support::{examples_dir, validator};

#[test]
fn documented_examples_validate_against_their_schemas() {
    let mut checked = 0;
    for example in ai21_schemas::examples().filter(|example| example.is_valid()) {
        let validator = validator(example.kind());
        let payload = example.payload();
        let errors: Vec<String> = validator
            .iter_errors(&payload)
            .map(|error| {
                format!(
                    "{} at {:?} ({})",
                    error,
                    error.instance_path().as_str(),
                    error.kind().keyword()
                )
            })
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", example.file());
        checked += 1;
    }
    assert_eq!(checked, 8);
}

/// Whether `error`, or an error inside one of its `oneOf`/`anyOf` branches, is `cause`.
fn contains_cause(error: &ValidationError<'_>, cause: Violation) -> bool {
    if error.instance_path().as_str() == cause.pointer && error.kind().keyword() == cause.keyword {
        return true;
    }
    match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
                .iter()
                .flatten()
                .any(|inner| contains_cause(inner, cause))
        }
        _ => false,
    }
}

#[test]
fn invalid_examples_fail_at_the_recorded_pointer_with_the_recorded_keyword() {
    let mut checked = 0;
    let mut keywords = BTreeSet::new();
    for example in ai21_schemas::examples() {
        let Expectation::Invalid(expected) = example.expectation() else {
            continue;
        };
        let validator = validator(example.kind());
        let payload = example.payload();
        let errors: Vec<_> = validator.iter_errors(&payload).collect();
        let found: Vec<_> = errors
            .iter()
            .map(|error| {
                (
                    error.instance_path().as_str().to_owned(),
                    error.kind().keyword().to_owned(),
                )
            })
            .collect();
        let violation = expected.violation();
        assert_eq!(
            found,
            [(violation.pointer.to_owned(), violation.keyword.to_owned())],
            "{}: breaks {:?}; expected exactly one error",
            example.file(),
            expected.breaks()
        );
        if let Some(cause) = expected.cause() {
            assert!(
                contains_cause(&errors[0], cause),
                "{}: the {} error has no {} failure at {:?} in the branch meant",
                example.file(),
                violation.keyword,
                cause.keyword,
                cause.pointer
            );
            keywords.insert(cause.keyword);
        }
        keywords.insert(violation.keyword);
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} invalid examples");
    for keyword in [
        "required",
        "type",
        "minimum",
        "maximum",
        "enum",
        "const",
        "additionalProperties",
        "oneOf",
        "minItems",
        "contains",
        "minLength",
        "maxLength",
    ] {
        assert!(
            keywords.contains(keyword),
            "no invalid example breaks a {keyword} rule"
        );
    }
}

#[test]
fn every_kind_accepts_a_valid_payload() {
    // An invalid example only shows something if its schema accepts valid payloads: the
    // documented examples for the four documented kinds, and a hand-written payload for the
    // stream chunk and the error envelope, which the seeds do not show.
    let chunk = serde_json::json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": " Hello"}, "logprobs": null, "finish_reason": null}]});
    let error = serde_json::json!({"detail": [{"loc": ["body", "messages", 0], "msg": "field required", "type": "value_error"}]});
    for kind in PayloadKind::ALL {
        let payloads: Vec<Value> = match kind {
            PayloadKind::JambaChatStreamChunk => vec![chunk.clone()],
            PayloadKind::ErrorResponse => vec![error.clone()],
            _ => kind
                .examples()
                .filter(|example| example.is_valid())
                .map(|example| example.payload())
                .collect(),
        };
        assert!(!payloads.is_empty(), "{kind}: no valid payload");
        let validator = validator(kind);
        for payload in payloads {
            assert!(validator.is_valid(&payload), "{kind}: {payload}");
        }
    }
}

/// The `Repair: <name> x<count> in <example>` lines of ERRATA.md, with the id of the entry
/// each stands under.
fn errata_repairs() -> BTreeSet<(String, String, usize, String)> {
    let errata = fs::read_to_string(examples_dir().join("ERRATA.md")).expect("reading ERRATA.md");
    let mut current = String::new();
    let mut repairs = BTreeSet::new();
    for line in errata.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            current = heading.split_whitespace().next().unwrap_or("").to_owned();
        } else if let Some(rest) = line.strip_prefix("- Repair: ") {
            let words: Vec<_> = rest.split_whitespace().collect();
            let [name, count, "in", example] = words[..] else {
                panic!("ERRATA.md: malformed repair line {line:?}")
            };
            let count = count
                .strip_prefix('x')
                .and_then(|count| count.parse().ok())
                .unwrap_or_else(|| panic!("ERRATA.md: bad count in {line:?}"));
            repairs.insert((current.clone(), name.to_owned(), count, example.to_owned()));
        }
    }
    repairs
}

#[test]
fn documented_examples_differ_only_by_listed_repairs() {
    let mut from_manifest = BTreeSet::new();
    for example in ai21_schemas::examples() {
        let Expectation::Valid(facts) = example.expectation() else {
            continue;
        };
        let documented = facts.documented().expect("valid examples are documented");
        let strict: Value = example.payload();

        // Applying the listed repairs, in order, gives the strict payload: the same value,
        // and the same text.
        let mut text = documented.text().to_owned();
        for applied in documented.repairs() {
            let repaired = applied.repair.apply(&text);
            assert_eq!(
                repaired.count,
                applied.count,
                "{}: {} made {} edits, the manifest says {}",
                example.file(),
                applied.repair.name(),
                repaired.count,
                applied.count
            );
            text = repaired.text;
            if let Some(erratum) = applied.erratum {
                let stem = example.file().trim_end_matches(".json");
                from_manifest.insert((
                    erratum.to_owned(),
                    applied.repair.name().to_owned(),
                    applied.count,
                    stem.to_owned(),
                ));
            } else {
                assert_eq!(
                    applied.repair,
                    Repair::ExtractFetchBody,
                    "{}: only extracting a code sample's payload is not an erratum",
                    example.file()
                );
            }
        }
        assert_eq!(text, documented.repaired());
        let parsed: Value = serde_json::from_str(&text).unwrap_or_else(|error| {
            panic!("{}: the repaired text is not JSON: {error}", example.file())
        });
        assert_eq!(
            parsed,
            strict,
            "{}: the repaired text is not the strict payload",
            example.file()
        );
        assert_eq!(
            text.trim_end(),
            example.text().trim_end(),
            "{}: the strict file is not the repaired text",
            example.file()
        );

        // Every repair is needed: leaving any one out breaks the result.
        for skipped in 0..documented.repairs().len() {
            let partial = documented
                .repairs()
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != skipped)
                .fold(documented.text().to_owned(), |text, (_, applied)| {
                    applied.repair.apply(&text).text
                });
            let still_equal =
                serde_json::from_str::<Value>(&partial).is_ok_and(|value| value == strict);
            assert!(
                !still_equal,
                "{}: repair {} is not needed",
                example.file(),
                documented.repairs()[skipped].repair.name()
            );
        }

        // Without any repair the text is not the payload; J2 responses are the exception,
        // as they are documented as strict JSON.
        let unrepaired = serde_json::from_str::<Value>(documented.text()).ok();
        assert_eq!(
            unrepaired.as_ref() == Some(&strict),
            documented.repairs().is_empty(),
            "{}",
            example.file()
        );
    }
    assert_eq!(
        from_manifest,
        errata_repairs(),
        "the manifest's repairs and ERRATA.md's repair lines differ"
    );
    assert_eq!(from_manifest.len(), 4, "E01 to E04");
}

#[test]
fn documented_texts_appear_verbatim_in_their_seed_documents() {
    let sources = examples_dir().join("sources");
    for example in ai21_schemas::examples() {
        let Expectation::Valid(facts) = example.expectation() else {
            continue;
        };
        let documented = facts.documented().expect("valid examples are documented");
        let seed = &example.source()["seed ".len().."seed 001".len()];
        let path = fs::read_dir(&sources)
            .expect("reading schemas/examples/sources")
            .map(|entry| entry.expect("listing sources").path())
            .find(|path| {
                path.file_name().is_some_and(|name| {
                    name.to_string_lossy().starts_with(&format!("seed-{seed}-"))
                })
            })
            .unwrap_or_else(|| panic!("{}: no source file for seed {seed}", example.file()));
        let source = fs::read_to_string(&path).expect("reading a seed document");
        assert!(
            source.contains(documented.text().trim_end_matches('\n')),
            "{}: not found verbatim in {}",
            documented.file(),
            path.display()
        );
    }
}

#[test]
fn every_erratum_is_numbered_once_and_in_order() {
    let errata = fs::read_to_string(examples_dir().join("ERRATA.md")).expect("reading ERRATA.md");
    let ids: Vec<_> = errata
        .lines()
        .filter_map(|line| line.strip_prefix("### E"))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .and_then(|number| number.parse::<usize>().ok())
                .expect("an erratum number")
        })
        .collect();
    assert_eq!(ids, (1..=ids.len()).collect::<Vec<_>>());
    assert!(ids.len() >= 20);
}
