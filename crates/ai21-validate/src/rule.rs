//! The API rules a JSON Schema cannot express, and the catalogue of every rule id the
//! validator reports besides `schema/<keyword>`.
//!
//! The rules run on every payload, valid against its schema or not, because a capture
//! with one schema error may still hide an arithmetic one. Each rule reads only values of
//! the type it expects and skips anything else: a wrong type is the schema's finding, so
//! it is never reported twice.

use ai21_schemas::PayloadKind;
use ai21_tape::View;
use serde_json::Value;

use crate::report::Severity;
use crate::{Error, Result};

pub(crate) mod client;
pub(crate) mod j2;
pub(crate) mod jamba;

/// A rule id the validator reports, with its severity and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// The stable id, such as `j2/text-range-tiling`.
    pub id: &'static str,
    /// The severity of its findings.
    pub severity: Severity,
    /// What the rule checks, in one line.
    pub summary: &'static str,
    /// Whether the real server answers a request despite a finding of this rule, because
    /// what the rule reports is a field the server does not know and ignores (see
    /// [`Finding::ignored_by_server`](crate::Finding::ignored_by_server)).
    pub ignored_by_server: bool,
}

impl RuleInfo {
    /// A rule whose findings the server does not ignore.
    pub const fn new(id: &'static str, severity: Severity, summary: &'static str) -> RuleInfo {
        RuleInfo {
            id,
            severity,
            summary,
            ignored_by_server: false,
        }
    }
}

const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> RuleInfo {
    RuleInfo::new(id, severity, summary)
}

/// Every rule id besides the schema's own `schema/<keyword>` ones (`schema/required`,
/// `schema/minimum`, ...: one per JSON Schema keyword, always errors).
pub const RULES: &[RuleInfo] = &[
    rule(
        "j2/completion-count",
        Severity::Error,
        "a J2 response has at least one completion (restating the schema's minItems in the J2 family, beside pair/completion-count)",
    ),
    rule(
        "j2/text-range-order",
        Severity::Error,
        "every J2 textRange has start <= end",
    ),
    rule(
        "j2/text-range-tiling",
        Severity::Error,
        "the textRanges of a J2 token list tile its text: the first starts at 0, each starts where the previous ends, the last ends at the text's length, counted in Unicode code points",
    ),
    rule(
        "j2/penalty-flag-spelling",
        Severity::Warning,
        "a J2 penalty uses the v2 Python SDK's `applyToPunctuation`, not the documented `applyToPunctuations`",
    ),
    rule(
        "jamba/usage-total",
        Severity::Error,
        "usage.total_tokens equals prompt_tokens + completion_tokens",
    ),
    rule(
        "jamba/choice-index",
        Severity::Error,
        "the choice indexes of a Jamba response are 0..n, without gaps or duplicates",
    ),
    rule(
        "jamba/tool-arguments-json",
        Severity::Error,
        "a tool call's function.arguments string holds valid JSON",
    ),
    rule(
        "jamba/n-needs-temperature",
        Severity::Error,
        "a Jamba request with n > 1 has a temperature above 0 (the schema's default when absent)",
    ),
    rule(
        "jamba/stream-needs-single-choice",
        Severity::Error,
        "a Jamba request with stream: true asks for n = 1",
    ),
    rule(
        "jamba/assistant-message-empty",
        Severity::Error,
        "an assistant message in a Jamba request has non-empty content or at least one tool call",
    ),
    rule(
        "jamba/system-message-first",
        Severity::Warning,
        "a system message only comes first in a Jamba request",
    ),
    RuleInfo {
        ignored_by_server: true,
        ..rule(
            client::PENALTY_SNAKE_CASE,
            Severity::Error,
            "a J2 penalty has the ai21 Python SDK's snake_case field names (apply_to_numbers, ...), which versions 2.10.0 to 3.0.x send instead of the documented camelCase ones: the API ignores them, so the options are not applied",
        )
    },
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
    rule(
        "drift/unknown-field",
        Severity::Warning,
        "a response or stream chunk has a field the schema does not declare",
    ),
    rule(
        "drift/unknown-model",
        Severity::Warning,
        "a model name is not in data/models.json",
    ),
    rule(
        "drift/retired-model",
        Severity::Warning,
        "a request uses a retired model (all J1 and J2 models)",
    ),
    rule(
        "drift/deprecated-model",
        Severity::Warning,
        "a request uses a model AI21 flags as deprecated",
    ),
    rule(
        "drift/unknown-finish-reason",
        Severity::Warning,
        "a Jamba finish_reason is not stop, length, tool_calls or content_filter",
    ),
    rule(
        "pair/completion-count",
        Severity::Error,
        "a J2 response has as many completions as the request's numResults (default 1)",
    ),
    rule(
        "pair/top-tokens",
        Severity::Error,
        "with topKReturn 0 every topTokens is null; with topKReturn K > 0 every topTokens is a list of at most K",
    ),
    rule(
        "pair/stop-sequence",
        Severity::Error,
        "a J2 finish reason `stop` names one of the request's stopSequences",
    ),
    rule(
        "pair/length",
        Severity::Error,
        "J2: a `length` finish carries length == maxTokens and no completion has more than maxTokens tokens; Jamba: completion_tokens is at least max_tokens times the choices finishing with `length`, and at most n times max_tokens",
    ),
    rule(
        "pair/prompt-echo",
        Severity::Error,
        "a J2 response's prompt.text equals the request's prompt",
    ),
    rule(
        "pair/choice-count",
        Severity::Error,
        "a Jamba response has as many choices as the request's n (default 1)",
    ),
    rule(
        "pair/stream",
        Severity::Error,
        "a Jamba request with stream: true gets an event stream, and only such a request does",
    ),
    rule(
        "stream/empty",
        Severity::Error,
        "an event stream has at least one chunk (before `data: [DONE]`, in `text/event-stream`)",
    ),
    rule(
        "stream/line-kind",
        Severity::Error,
        "every non-empty line of an event stream starts with `data: ` (the SDK decoders reject anything else)",
    ),
    rule(
        "stream/event-lines",
        Severity::Error,
        "an event is exactly one `data: ` line, ended by a blank line",
    ),
    rule(
        "stream/bad-json",
        Severity::Error,
        "the data of an event is JSON (or the `[DONE]` sentinel)",
    ),
    rule(
        "stream/truncated",
        Severity::Error,
        "the body does not end in the middle of an event",
    ),
    rule(
        "stream/unterminated-event",
        Severity::Warning,
        "the last event is ended by a blank line (strict SSE parsers drop an unended event)",
    ),
    rule(
        "stream/missing-done",
        Severity::Error,
        "the stream ends with `data: [DONE]`",
    ),
    rule(
        "stream/after-done",
        Severity::Error,
        "nothing follows `data: [DONE]`",
    ),
    rule(
        "stream/id-mismatch",
        Severity::Error,
        "every chunk has the first chunk's id",
    ),
    rule(
        "stream/role-first",
        Severity::Error,
        "the first chunk's delta carries the role, and no later one does",
    ),
    rule(
        "stream/delta-role-and-content",
        Severity::Warning,
        "a delta carries the role or a piece of content, never both",
    ),
    rule(
        "stream/usage-last",
        Severity::Error,
        "only the last chunk carries usage",
    ),
    rule(
        "stream/finish-reason-last",
        Severity::Error,
        "only the last chunk with a choice carries a finish_reason",
    ),
    rule(
        "stream/choice-missing",
        Severity::Error,
        "every chunk has one choice, except a last chunk that carries only usage",
    ),
    rule(
        "stream/eventstream-frame",
        Severity::Error,
        "every byte of an AWS event stream (Bedrock's) belongs to a message that decodes: lengths that fit, both CRC32 checksums right, well-formed headers, not cut off",
    ),
    rule(
        "stream/eventstream-event",
        Severity::Error,
        "every message of an AWS event stream is a `chunk` event whose payload is JSON `{\"bytes\": <base64>}` of one JSON chunk, or an exception",
    ),
    rule(
        "stream/eventstream-exception",
        Severity::Error,
        "an AWS event stream does not end with an exception message (`modelStreamErrorException`, `throttlingException`, ...)",
    ),
    rule(
        "stream/eventstream-unfinished",
        Severity::Error,
        "an AWS event stream, which has no `[DONE]`, has a chunk that names a finish_reason (otherwise it was cut off)",
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

/// The `schema/<keyword>` rules, one per JSON Schema keyword a finding can name, and
/// `schema/other` for a keyword not listed.
pub const SCHEMA_RULES: &[RuleInfo] = &[
    schema_rule!("$ref"),
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

/// The catalogue entry of a rule id, if it is not a `schema/<keyword>` id.
pub fn rule_info(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|info| info.id == id)
}

/// The rule id of a JSON Schema keyword: `schema/<keyword>`, or `schema/other`.
pub(crate) fn keyword_rule(keyword: &str) -> &'static str {
    SCHEMA_RULES
        .iter()
        .find(|info| info.id.strip_prefix("schema/") == Some(keyword))
        .map_or("schema/other", |info| info.id)
}

/// Values the rules use when a request leaves a parameter out, read from the schemas'
/// `default` keywords so they are never restated here.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Defaults {
    pub(crate) j2_num_results: u64,
    pub(crate) j2_max_tokens: u64,
    pub(crate) j2_top_k_return: u64,
    pub(crate) jamba_n: u64,
    pub(crate) jamba_max_tokens: u64,
    pub(crate) jamba_temperature: f64,
    pub(crate) jamba_stream: bool,
}

impl Defaults {
    /// Reads every default the rules need from the canonical schemas.
    pub(crate) fn from_schemas() -> Result<Defaults> {
        let j2 = PayloadKind::J2CompleteRequest;
        let jamba = PayloadKind::JambaChatRequest;
        Ok(Defaults {
            j2_num_results: read(j2, "numResults", |value| integer(value))?,
            j2_max_tokens: read(j2, "maxTokens", |value| integer(value))?,
            j2_top_k_return: read(j2, "topKReturn", |value| integer(value))?,
            jamba_n: read(jamba, "n", |value| integer(value))?,
            jamba_max_tokens: read(jamba, "max_tokens", |value| integer(value))?,
            jamba_temperature: read(jamba, "temperature", Value::as_f64)?,
            jamba_stream: read(jamba, "stream", Value::as_bool)?,
        })
    }
}

fn read<T>(
    kind: PayloadKind,
    property: &'static str,
    get: impl Fn(&Value) -> Option<T>,
) -> Result<T> {
    kind.schema()
        .get("properties")
        .and_then(|properties| properties.get(property))
        .and_then(|schema| schema.get("default"))
        .and_then(get)
        .ok_or(Error::MissingDefault { kind, property })
}

/// A non-negative integer as JSON Schema reads one: `3` and `3.0` alike (`"type": "integer"`
/// accepts both, and so does the real server), `None` for anything else.
///
/// Every rule reads counts, indexes and token numbers through it, so `{"n": 2.0,
/// "temperature": 0}` breaks `jamba/n-needs-temperature` as `{"n": 2, ...}` does.
pub(crate) fn integer<'a>(value: impl View<'a>) -> Option<u64> {
    /// 2^64, the first integer a `u64` cannot hold (exact in an `f64`).
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|float| float.fract() == 0.0 && (0.0..U64_END).contains(float))
            // Exact: an integral f64 below 2^64 is a u64.
            .map(|float| float as u64)
    })
}

/// A request parameter, or its documented default, with a note for messages saying which.
pub(crate) fn parameter<'a, V: View<'a>, T>(
    request: V,
    property: &str,
    get: fn(V) -> Option<T>,
    default: T,
) -> (T, &'static str) {
    match request.get(property).and_then(get) {
        Some(value) => (value, ""),
        None => (default, " (the default)"),
    }
}
