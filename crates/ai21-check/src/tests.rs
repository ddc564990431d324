//! Unit tests of the outcome types: every outcome in one bucket, and the rule catalogue.

use std::path::Path;
use std::sync::Arc;

use ai21_capture::{Origin, Skipped, Unreadable};
use ai21_validate::{Finding, Report};

use super::*;

fn checked(findings: Vec<Finding>) -> Outcome {
    Outcome::Checked(Checked {
        location: Location::line(Origin::File(Arc::from(Path::new("a.jsonl"))), 1),
        subject: Subject::Payload(PayloadKind::JambaChatRequest),
        report: Report { findings },
    })
}

#[test]
fn summaries_put_every_outcome_in_one_bucket() {
    let location = Location::whole(Origin::Stdin);
    let outcomes = [
        checked(vec![]),
        checked(vec![Finding::warning("drift/unknown-field", "/a", "w")]),
        checked(vec![
            Finding::warning("drift/unknown-field", "/a", "w"),
            Finding::error("schema/required", "", "e"),
        ]),
        Outcome::Unreadable(Unreadable::new(location.clone(), "empty input")),
        Outcome::Skipped(Skipped::new(location, "not an AI21 endpoint")),
    ];
    let mut summary = Summary::default();
    for outcome in &outcomes {
        summary.add(outcome);
    }
    assert!(!summary.is_balanced(), "records are counted by the reader");
    summary.records = outcomes.len() as u64;
    assert!(summary.is_balanced());
    assert_eq!(
        (
            summary.valid,
            summary.with_errors,
            summary.warnings_only,
            summary.unreadable,
            summary.skipped
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!((summary.errors, summary.warnings), (1, 2));
    assert!(summary.failed(false));
}

#[test]
fn a_run_fails_on_errors_and_unreadable_items_and_denied_warnings() {
    let warned = Summary {
        records: 1,
        warnings_only: 1,
        warnings: 1,
        ..Summary::default()
    };
    assert!(!warned.failed(false));
    assert!(warned.failed(true));
    let unreadable = Summary {
        records: 1,
        unreadable: 1,
        ..Summary::default()
    };
    assert!(unreadable.failed(false));
    assert!(!Summary::default().failed(true));
}

#[test]
fn every_rule_the_reports_name_is_in_the_catalogue_once() {
    let ids: Vec<&str> = rule_catalogue().map(|rule| rule.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate rule ids");
    for rule in ai21_validate::RULES {
        assert!(ids.contains(&rule.id), "{}", rule.id);
    }
    for id in [
        "capture/unreadable",
        "schema/required",
        "schema/additionalProperties",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
}

/// The rules of each outcome of a JSONL capture, checked the fast way where it can be.
fn rules_of(capture: &str) -> Vec<Vec<&'static str>> {
    let inputs = vec![ai21_capture::Input::Stdin];
    let mut items = ai21_capture::read_from(
        inputs,
        ai21_capture::ReadOptions::default(),
        capture.as_bytes(),
    );
    let mut rules = Vec::new();
    // Today pinned as check/tests.rs pins it, so that no test depends on the clock.
    ai21_validate::pin_today("2026-01-01").expect("every test of this binary pins the same day");
    while let Some(pending) = items.next_pending() {
        let outcome = check_pending(
            pending,
            ai21_validate::Validator::shared(),
            CheckOptions::default(),
        );
        let Outcome::Checked(checked) = outcome else {
            panic!("{outcome:?}")
        };
        rules.push(
            checked
                .report
                .findings
                .iter()
                .map(|finding| finding.rule)
                .collect(),
        );
    }
    rules
}

#[test]
fn a_record_meant_to_be_refused_passes_when_refused_and_fails_when_answered() {
    let request = r#"{"model": "jamba-mini", "messages": [], "n": 0}"#;
    let refusal = r#"{"detail": [{"loc": ["body", "n"], "msg": "n must be at least 1", "type": "schema/minimum"}]}"#;
    let answer = r#"{"id": "chat-1", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello"}}], "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}}"#;
    let line = |expect: &str, status: u16, response: &str| {
        format!(
            r#"{{"url": "/studio/v1/chat/completions", {expect}"request": {{"body": {request}}}, "response": {{"status": {status}, "body": {response}}}}}"#
        )
    };
    let capture = [
        line(r#""expect": "refusal", "#, 422, refusal),
        line("", 422, refusal),
        line(r#""expect": "refusal", "#, 200, answer),
    ]
    .join("\n");
    let rules = rules_of(&capture);
    assert_eq!(rules[0], Vec::<&str>::new(), "refused as meant");
    assert!(rules[1].contains(&"schema/minimum"), "{:?}", rules[1]);
    assert!(
        rules[2].contains(&"capture/expected-refusal"),
        "{:?}",
        rules[2]
    );
    assert!(rules[2].contains(&"schema/minimum"), "{:?}", rules[2]);
}
