//! Every rule id an outcome can carry, with what it checks: the `capture/` rules of this
//! crate, the contract runner's `verify/` rules, the validator's [`RULES`], and its
//! [`SCHEMA_RULES`], one per JSON Schema keyword. SARIF lists them as the tool's rules.

use ai21_validate::{RULES, RuleInfo, SCHEMA_RULES, Severity};

const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> RuleInfo {
    RuleInfo::new(id, severity, summary)
}

/// The rule of an item that could not be read (a malformed line, a truncated gzip
/// stream, invalid UTF-8, a file that is not a HAR, an empty file).
pub const UNREADABLE_RULE: &str = "capture/unreadable";

/// The rules checked here, before the validator: a capture must be readable. (An exchange
/// whose body is missing or not JSON, or whose status the API never answers with, is the
/// validator's `capture/` finding: see its `RULES`.)
pub const CAPTURE_RULES: &[RuleInfo] = &[rule(
    UNREADABLE_RULE,
    Severity::Error,
    "every line, HAR entry and file of a capture can be read as the capture format says",
)];

/// The rules `verify` checks itself, beside the validator's checks of each exchange.
pub const VERIFY_RULES: &[RuleInfo] = &[
    rule(
        "verify/transport",
        Severity::Error,
        "every request of the suite gets a complete answer (the request could be sent and the answer did not break off)",
    ),
    rule(
        "verify/expected-success",
        Severity::Error,
        "a valid request gets a 2xx answer",
    ),
    rule(
        "verify/expected-client-error",
        Severity::Error,
        "a request the API must refuse gets a 4xx answer",
    ),
];

/// Every rule a report can carry: the `capture/` rules, the validator's, then the schema
/// keywords, in that order.
pub fn rule_catalogue() -> impl Iterator<Item = &'static RuleInfo> {
    CAPTURE_RULES
        .iter()
        .chain(VERIFY_RULES)
        .chain(RULES)
        .chain(SCHEMA_RULES)
}
