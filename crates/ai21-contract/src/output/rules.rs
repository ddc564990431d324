//! Every rule id a report can carry, with what it checks: the command line's own `capture/`
//! rules, the validator's [`RULES`], and one `schema/<keyword>` rule per JSON Schema
//! keyword the validator explains. SARIF lists them as the tool's rules.

use ai21_validate::{RULES, RuleInfo, Severity};

const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> RuleInfo {
    RuleInfo::new(id, severity, summary)
}

/// The rule of an item that could not be read (a malformed line, a truncated gzip
/// stream, invalid UTF-8, a file that is not a HAR, an empty file).
pub const UNREADABLE_RULE: &str = "capture/unreadable";

/// The rules the command line checks itself, before the validator: a capture must be
/// readable and hold JSON bodies.
pub const CAPTURE_RULES: &[RuleInfo] = &[
    rule(
        UNREADABLE_RULE,
        Severity::Error,
        "every line, HAR entry and file of a capture can be read as the capture format says",
    ),
    rule(
        "capture/missing-body",
        Severity::Error,
        "an exchange has a request body and a response body",
    ),
    rule(
        "capture/body-not-json",
        Severity::Error,
        "a request body, and a response body that is not an event stream, is JSON",
    ),
    rule(
        "capture/unexpected-status",
        Severity::Warning,
        "a response status is a success (2xx) or an error (4xx, 5xx): the API neither redirects nor answers 1xx; the response is not checked",
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
        "verify/not-json",
        Severity::Error,
        "an answer that is not an event stream is JSON",
    ),
];

/// The rule of a JSON Schema keyword.
macro_rules! schema_rule {
    ($keyword:literal) => {
        rule(
            concat!("schema/", $keyword),
            Severity::Error,
            concat!(
                "the payload satisfies the `",
                $keyword,
                "` keyword of its canonical JSON Schema (schemas/*.schema.json)"
            ),
        )
    };
}

/// The `schema/<keyword>` rules the validator reports, one per keyword it explains.
const SCHEMA_RULES: &[RuleInfo] = &[
    schema_rule!("additionalItems"),
    schema_rule!("additionalProperties"),
    schema_rule!("anyOf"),
    schema_rule!("const"),
    schema_rule!("contains"),
    schema_rule!("contentEncoding"),
    schema_rule!("contentMediaType"),
    schema_rule!("enum"),
    schema_rule!("exclusiveMaximum"),
    schema_rule!("exclusiveMinimum"),
    schema_rule!("falseSchema"),
    schema_rule!("format"),
    schema_rule!("maxItems"),
    schema_rule!("maxLength"),
    schema_rule!("maxProperties"),
    schema_rule!("maximum"),
    schema_rule!("minItems"),
    schema_rule!("minLength"),
    schema_rule!("minProperties"),
    schema_rule!("minimum"),
    schema_rule!("multipleOf"),
    schema_rule!("not"),
    schema_rule!("oneOf"),
    schema_rule!("other"),
    schema_rule!("pattern"),
    schema_rule!("propertyNames"),
    schema_rule!("required"),
    schema_rule!("type"),
    schema_rule!("unevaluatedItems"),
    schema_rule!("unevaluatedProperties"),
    schema_rule!("uniqueItems"),
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
