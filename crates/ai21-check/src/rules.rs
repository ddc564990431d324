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

/// The rule of a record marked `"expect": "refusal"` whose request was not refused.
pub const EXPECTED_REFUSAL_RULE: &str = "capture/expected-refusal";

/// The rules checked here, beside the validator: a capture must be readable, and a record
/// meant to be refused was. (An exchange whose body is missing or not JSON, or whose status
/// the API never answers with, is the validator's `capture/` finding: see its `RULES`.)
pub const CAPTURE_RULES: &[RuleInfo] = &[
    rule(
        UNREADABLE_RULE,
        Severity::Error,
        "every line, HAR entry and file of a capture can be read as the capture format says",
    ),
    rule(
        EXPECTED_REFUSAL_RULE,
        Severity::Error,
        "a record marked \"expect\": \"refusal\" (a request that breaks the contract on purpose) got a 4xx refusal",
    ),
];

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
    rule(
        "verify/expected-status",
        Severity::Error,
        "a refusal has the status the API gives for it (401 without a key, 422 for a malformed request, ...); against a live endpoint, a warning when no recorded traffic confirms the status",
    ),
    rule(
        "verify/expected-loc",
        Severity::Error,
        "a 422 lists a problem whose `loc` points at the field that was broken; against a live endpoint a warning, as no recorded traffic shows the body of a 422",
    ),
    rule(
        "verify/choice-count",
        Severity::Error,
        "a valid request gets as many completions (J2 numResults) or choices (Jamba n) as it asks for, and a stream one choice",
    ),
    rule(
        "verify/max-tokens",
        Severity::Error,
        "no J2 completion has more tokens than maxTokens; Jamba completion_tokens is at most n times max_tokens",
    ),
    rule(
        "verify/stop-sequence",
        Severity::Error,
        "the generated text does not contain a stop sequence of the request, and a J2 `stop` finish names one of them",
    ),
    rule(
        "verify/stream-framing",
        Severity::Error,
        "a request with stream: true gets text/event-stream of `data:` lines, valid chunks and a final `data: [DONE]`; any other request gets no event stream",
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
