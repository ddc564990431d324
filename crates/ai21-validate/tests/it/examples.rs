//! The documented and invalid examples of `schemas/examples/`: what the validator says
//! about each, checked against the manifest and snapshotted for review.

use ai21_schemas::Expectation;

use crate::support::{is, snapshot, validate};

#[test]
fn documented_examples_have_no_findings() {
    let mut checked = 0;
    for example in ai21_schemas::examples().filter(|example| example.is_valid()) {
        let report = validate(example.kind(), &example.payload());
        assert!(report.is_clean(), "{}:\n{report}", example.file());
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn invalid_examples_are_reported_at_the_precise_cause() {
    let mut checked = 0;
    for example in ai21_schemas::examples() {
        let Expectation::Invalid(expected) = example.expectation() else {
            continue;
        };
        let precise = expected.cause().unwrap_or(expected.violation());
        let rule = format!("schema/{}", precise.keyword);
        let report = validate(example.kind(), &example.payload());
        assert!(
            report
                .findings
                .iter()
                .any(|finding| finding.is_error() && is(finding, &rule, precise.pointer)),
            "{}: breaks {:?}; expected {rule} at {:?}, got:\n{report}",
            example.file(),
            expected.breaks(),
            precise.pointer
        );
        checked += 1;
    }
    assert_eq!(checked, 60);
}

#[test]
fn every_example_report_reads_well() {
    for example in ai21_schemas::examples() {
        let report = validate(example.kind(), &example.payload());
        let name = format!(
            "example-{}",
            example
                .file()
                .trim_end_matches(".json")
                .replace("invalid/", "invalid-")
        );
        let description = match example.expectation() {
            Expectation::Valid(_) => format!("{} ({})", example.file(), example.source()),
            Expectation::Invalid(invalid) => {
                format!("{}: breaks {}", example.file(), invalid.breaks())
            }
        };
        snapshot(&name, &description, &report.to_string());
    }
}
