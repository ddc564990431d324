//! Helpers shared by the test modules.

use ai21_validate::{Report, Validator};
use serde_json::Value;

/// The shared validator, with today pinned so that no test depends on the clock: after
/// J2's retirement on AI21 Studio (2024-11-11), before its Jamba API's sunset (2026-08-09).
pub(crate) fn validator() -> &'static Validator {
    ai21_validate::pin_today("2026-01-01").expect("every test of this binary pins the same day");
    Validator::shared()
}

/// The rule ids and pointers of a report, in order.
pub(crate) fn rules_at(report: &Report) -> Vec<(&'static str, String)> {
    report
        .findings
        .iter()
        .map(|finding| (finding.rule, finding.pointer.clone()))
        .collect()
}

/// The payload of an example by file name.
pub(crate) fn example(file: &str) -> Value {
    ai21_schemas::examples()
        .find(|example| example.file() == file)
        .unwrap_or_else(|| panic!("no example {file}"))
        .payload()
}
