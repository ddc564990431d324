//! Helpers shared by the test modules.

use ai21_validate::{Finding, PayloadKind, Report, Validator};
use serde_json::{Value, json};

/// The day these tests check model names without a timestamp on, so that none depends on
/// the clock: after J2's retirement on AI21 Studio (2024-11-11), before the sunset of its
/// Jamba API (2026-08-09).
pub(crate) const TODAY: &str = "2026-01-01";

/// The shared validator, with today pinned to [`TODAY`].
pub(crate) fn validator() -> &'static Validator {
    ai21_validate::pin_today(TODAY).expect("every test of this binary pins the same day");
    Validator::shared()
}

/// The report on a payload validated on its own.
pub(crate) fn validate(kind: PayloadKind, payload: &Value) -> Report {
    validator().validate(kind, payload)
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

/// Snapshots `text` as `snapshots/<name>.snap`, with a description and no expression
/// line (the name says which feature it belongs to).
pub(crate) fn snapshot(name: &str, description: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_description(description);
    settings.set_omit_expression(true);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// Whether a finding is the one expected: rule and pointer.
pub(crate) fn is(finding: &Finding, rule: &str, pointer: &str) -> bool {
    finding.rule == rule && finding.pointer == pointer
}

/// `value` with the value at `pointer` replaced.
pub(crate) fn with(value: &Value, pointer: &str, new: Value) -> Value {
    let mut value = value.clone();
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the value")) = new;
    value
}

/// A J2 token with its text range.
pub(crate) fn token(text: &str, start: u64, end: u64) -> Value {
    json!({
        "generatedToken": {"token": text, "logprob": -1.5, "raw_logprob": -1.5},
        "topTokens": null,
        "textRange": {"start": start, "end": end}
    })
}

/// A J2 response with non-ASCII text: `héllo 🙂` is 7 code points (8 UTF-16 units, 11
/// UTF-8 bytes), and zero-width tokens at the start and the end of the completion.
pub(crate) fn j2_response() -> Value {
    json!({
        "id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3",
        "prompt": {"text": "héllo 🙂", "tokens": [token("▁héllo", 0, 5), token("▁🙂", 5, 7)]},
        "completions": [{
            "data": {"text": " ok", "tokens": [token("▁", 0, 0), token("ok", 0, 3), token("<|endoftext|>", 3, 3)]},
            "finishReason": {"reason": "endoftext"}
        }]
    })
}

/// A minimal Jamba request.
pub(crate) fn jamba_request() -> Value {
    json!({"model": "jamba-large", "messages": [{"role": "user", "content": "Hi"}]})
}

/// A Jamba response as Studio sends it.
pub(crate) fn jamba_response() -> Value {
    json!({
        "id": "chat-0b5a0c1f2e3d4c5b6a7980a1b2c3d4e5",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": " Hello!", "tool_calls": null},
            "logprobs": null,
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 144, "completion_tokens": 3, "total_tokens": 147}
    })
}
