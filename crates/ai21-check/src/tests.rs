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
