//! Unit tests of checking records: what goes to the validator, and content masking.

use ai21_validate::Validator;
use serde_json::json;

use super::*;
use ai21_capture::{Input, ReadOptions};

/// The shared validator, with today pinned so that no test depends on the clock: after
/// J2's retirement on AI21 Studio (2024-11-11), before its Jamba API's sunset (2026-08-09).
fn validator() -> &'static Validator {
    ai21_validate::pin_today("2026-01-01").expect("every test of this binary pins the same day");
    Validator::shared()
}

/// Checks one JSONL line and gives `rule at place` per finding.
fn findings(line: &serde_json::Value, options: CheckOptions) -> Vec<String> {
    let text = line.to_string();
    let items: Vec<Item> =
        ai21_capture::read_from([Input::Stdin], ReadOptions::default(), text.as_bytes()).collect();
    let [item] = <[Item; 1]>::try_from(items).expect("one item");
    match check(item, validator(), options) {
        Outcome::Checked(checked) => checked
            .report
            .findings
            .iter()
            .map(|finding| {
                // The finding's first line: without the schema pointer.
                let text = finding.to_string();
                text.lines().next().unwrap_or_default().to_owned()
            })
            .collect(),
        other => panic!("not checked: {other:?}"),
    }
}

const CHAT: &str = "https://api.ai21.com/studio/v1/chat/completions";

fn chat_response(content: &str) -> serde_json::Value {
    json!({"id": "chat-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
}

#[test]
fn bodies_the_validator_cannot_take_are_capture_findings() {
    let request = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]});
    assert_eq!(
        findings(
            &json!({"url": CHAT, "request": {}, "response": {"status": 200, "body": chat_response("Hello")}}),
            CheckOptions::default()
        ),
        ["error[capture/missing-body] at request (root): the request has no body"]
    );
    assert_eq!(
        findings(
            &json!({"url": CHAT, "request": {"body": request}, "response": {"status": 502, "body": "<html>Bad gateway</html>"}}),
            CheckOptions::default()
        ),
        [
            "error[capture/body-not-json] at response (root): the response body is not JSON (24 bytes of text)"
        ]
    );
    // Without a request, the response is still checked on its own.
    assert_eq!(
        findings(
            &json!({"url": CHAT, "request": {"body": "not json"}, "response": {"status": 200, "body": {"id": "chat-1", "choices": []}}}),
            CheckOptions::default()
        ),
        [
            "error[capture/body-not-json] at request (root): the request body is not JSON (8 bytes of text)",
            "error[schema/required] at response (root): \"usage\" is required",
            "error[schema/minItems] at response /choices: choices must not be empty",
        ]
    );
}

#[test]
fn a_redirect_is_not_checked_but_its_request_is() {
    assert_eq!(
        findings(
            &json!({"url": "/studio/v1/j2-mid/complete", "request": {"body": {"prompt": "Hi", "max_tokens": 4}}, "response": {"status": 302}}),
            CheckOptions::default()
        ),
        [
            "warning[drift/retired-model] at endpoint: model \"j2-mid\" is retired on AI21 Studio since 2024-11-11",
            "error[schema/additionalProperties] at request (root): \"max_tokens\" is not a known field (did you mean \"maxTokens\"?)",
            "warning[capture/unexpected-status] at response (root): status 302 is neither a success (2xx) nor an error (4xx, 5xx): the response is not checked",
        ]
    );
}

#[test]
fn error_statuses_are_checked_against_the_error_envelope() {
    let request = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]});
    assert_eq!(
        findings(
            &json!({"url": CHAT, "request": {"body": request}, "response": {"status": 401, "body": {"detail": "Forbidden: Bad or missing API token."}}}),
            CheckOptions::default()
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(
            &json!({"url": CHAT, "request": {"body": request}, "response": {"status": 500, "body": {"message": "oops"}}}),
            CheckOptions::default()
        ),
        [
            "error[schema/required] at response (root): \"detail\" is required",
            "warning[drift/unknown-field] at response /message: \"message\" is not in the schema: a field the server added, or one the contract does not know yet",
        ]
    );
}

#[test]
fn redacted_content_is_not_quoted_by_messages() {
    // The J2 prompt echo quotes both texts; the tiling check still sees the real text.
    let line = json!({
        "url": "/studio/v1/j2-mid/complete",
        "request": {"body": {"prompt": "my secret plan is to win"}},
        "response": {"status": 200, "body": {
            "id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3",
            "prompt": {"text": "my public plan", "tokens": [{"generatedToken": {"token": "my", "logprob": -1.0}, "topTokens": null, "textRange": {"start": 0, "end": 14}}]},
            "completions": [{"data": {"text": " ok", "tokens": [{"generatedToken": {"token": "ok", "logprob": -1.0}, "topTokens": null, "textRange": {"start": 0, "end": 3}}]}, "finishReason": {"reason": "endoftext"}}],
        }},
    });
    let plain = findings(&line, CheckOptions::default());
    assert!(
        plain.iter().any(|finding| finding.contains("secret plan")),
        "{plain:#?}"
    );
    let masked = findings(
        &line,
        CheckOptions {
            redact_content: true,
            ..CheckOptions::default()
        },
    );
    assert_eq!(plain.len(), masked.len());
    for finding in &masked {
        assert!(!finding.contains("secret"), "{finding}");
        assert!(!finding.contains("public"), "{finding}");
    }
    assert!(
        masked
            .iter()
            .any(|finding| finding.contains("\"[redacted: ")),
        "{masked:#?}"
    );
    // Field names are not content.
    let camel = json!({"url": CHAT, "request": {"body": {"model": "jamba-mini", "messages": [{"role": "user", "content": "maxTokens please"}], "maxTokens": 4}}, "response": {"status": 200, "body": chat_response("ok")}});
    let masked = findings(
        &camel,
        CheckOptions {
            redact_content: true,
            ..CheckOptions::default()
        },
    );
    assert_eq!(
        masked[0],
        "error[schema/additionalProperties] at request (root): \"[redacted: 9 chars]\" is not a known field (did you mean \"max_tokens\"?)"
    );
}

#[test]
fn quoted_strings_are_found_and_masked() {
    let all = |_: &str| true;
    let none = |_: &str| false;
    for (message, expected) in [
        ("plain words", "plain words"),
        (r#"has "abc" here"#, r#"has "[redacted: 3 chars]" here"#),
        (
            r#"cut "abcdefgh…" (120 characters)"#,
            r#"cut "[redacted: 8 chars]" (120 characters)"#,
        ),
        (
            r#"escaped "a\"b" end"#,
            r#"escaped "[redacted: 3 chars]" end"#,
        ),
        (
            r#"found {"content":"hi"…"#,
            r#"found {"[redacted: 7 chars]":"[redacted: 2 chars]"…"#,
        ),
        (
            r#"unterminated "abc"#,
            r#"unterminated "[redacted: 3 chars]""#,
        ),
        (r#"empty "" stays"#, r#"empty "" stays"#),
    ] {
        assert_eq!(mask_quoted(message, all), expected, "{message}");
        assert_eq!(mask_quoted(message, none), message, "{message}");
    }
    assert_eq!(
        mask_quoted(r#""role" and "secret""#, |text| text == "secret"),
        r#""role" and "[redacted: 6 chars]""#
    );
}

#[test]
fn unreadable_messages_are_masked_whole_with_redact_content() {
    let text = b"{\"url\": \"/studio/v1/chat/completions\", \"request\": {}, \"response\": {\"status\": \"my prompt\"}}\n";
    let items: Vec<Item> =
        ai21_capture::read_from([Input::Stdin], ReadOptions::default(), &text[..]).collect();
    let outcome = check(
        items[0].clone(),
        validator(),
        CheckOptions {
            redact_content: true,
            ..CheckOptions::default()
        },
    );
    let Outcome::Unreadable(unreadable) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        unreadable.message,
        "invalid type: string \"[redacted: 9 chars]\", expected u16 at column 88"
    );
}

#[test]
fn pieces_of_a_key_pasted_into_a_prompt_are_not_quoted() {
    let key = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";
    // The echo differs at its start, so the message quotes the request's prompt, cut short
    // in the middle of the key.
    let prompt = format!("Please use the key {key} for the next call");
    let line = json!({
        "url": "/studio/v1/j2-mid/complete",
        "request": {"body": {"prompt": prompt}},
        "response": {"status": 200, "body": {
            "id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3",
            "prompt": {"text": "x", "tokens": []},
            "completions": [{"data": {"text": "", "tokens": []}, "finishReason": {"reason": "endoftext"}}],
        }},
    });
    let found = findings(&line, CheckOptions::default()).join("\n");
    assert!(found.contains("pair/prompt-echo"), "{found}");
    assert!(
        !found.contains(&key[..ai21_capture::redact::KEY_FRAGMENT]),
        "{found}"
    );
}
