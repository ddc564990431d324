//! Helpers shared by the test modules.

use ai21_validate::Report;
use serde_json::Value;

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
