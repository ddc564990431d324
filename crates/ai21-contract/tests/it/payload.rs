//! Single payload files: the kind is detected from the members, or given.

use ai21_capture::{Content, Format, Item, ReadOptions, detect_kind};
use ai21_schemas::PayloadKind;
use serde_json::json;

use crate::support::{FIXTURES, check, check_stdin, read_with, summary};

#[test]
fn detects_every_kind() {
    check(
        &[&format!("{FIXTURES}/payload")],
        &[
            "tests/fixtures/payload/error.response.json: payload error.response",
            "tests/fixtures/payload/j2-complete.request.json: payload j2-complete.request",
            "tests/fixtures/payload/j2-complete.response.json: payload j2-complete.response",
            "tests/fixtures/payload/jamba-chat.request.json: payload jamba-chat.request",
            "tests/fixtures/payload/jamba-chat.response.json: payload jamba-chat.response",
            "tests/fixtures/payload/jamba-chat.stream-chunk.json: payload jamba-chat.stream-chunk",
            "tests/fixtures/payload/unknown-kind.json: unreadable: cannot tell the payload kind: none of `prompt`, `completions`, `messages`, `choices` or `detail` is present; give the kind",
        ],
    );
}

#[test]
fn does_not_guess_an_unclear_kind() {
    for (payload, expected) in [
        (
            json!({"prompt": "Hi", "messages": []}),
            "cannot tell the payload kind: it could be any of j2-complete.request, jamba-chat.request; give the kind",
        ),
        (
            json!({"choices": []}),
            "cannot tell the payload kind: `choices` has no first item with either `message` (a Jamba response) or `delta` (a stream chunk); give the kind",
        ),
        (
            json!({"choices": [{"message": {}, "delta": {}}]}),
            "cannot tell the payload kind: `choices` has no first item with either `message` (a Jamba response) or `delta` (a stream chunk); give the kind",
        ),
        (
            json!({"detail": "x", "completions": []}),
            "cannot tell the payload kind: it could be any of j2-complete.response, error.response; give the kind",
        ),
        (
            json!([1]),
            "cannot tell the payload kind: expected a JSON object, found an array",
        ),
        (
            json!("text"),
            "cannot tell the payload kind: expected a JSON object, found a string",
        ),
    ] {
        assert_eq!(detect_kind(&payload), Err(expected.to_owned()), "{payload}");
    }
}

#[test]
fn a_given_kind_is_used_as_is() {
    let options = ReadOptions {
        format: None,
        kind: Some(PayloadKind::JambaChatStreamChunk),
        dialect: None,
    };
    let items = read_with(
        &[&format!("{FIXTURES}/payload/unknown-kind.json")],
        options,
        b"",
    );
    assert_eq!(
        summary(&items),
        ["tests/fixtures/payload/unknown-kind.json: payload jamba-chat.stream-chunk"]
    );
    let Item::Record(record) = &items[0] else {
        panic!("{items:?}")
    };
    let Content::Payload(payload) = &record.content else {
        panic!("{record:?}")
    };
    assert_eq!(payload.body, json!({"text": "Hello", "model": "j2-mid"}));
}

#[test]
fn payloads_on_stdin_are_told_from_captures() {
    // Compact on one line, as curl prints it.
    check_stdin(
        br#"{"detail": "Forbidden: Bad or missing API token."}"#,
        &["-: payload error.response"],
    );
    // Pretty-printed, after blank lines.
    check_stdin(
        b"\n\n{\n  \"prompt\": \"Hi\"\n}\n",
        &["-: payload j2-complete.request"],
    );
    check_stdin(
        b"[1, 2]\n",
        &["-: unreadable: cannot tell the payload kind: expected a JSON object, found an array"],
    );
}

#[test]
fn broken_payloads_are_unreadable_with_their_position() {
    check_stdin(
        b"\n{\n  \"prompt\": \"Hi\",\n}\n",
        &["-: unreadable: trailing comma at line 4 column 1"],
    );
    check_stdin(
        b"{\"prompt\": \"Hi\"}\n{\"prompt\": \"again\"}\n",
        &["-: unreadable: trailing characters at line 2 column 1"],
    );
    check_stdin(
        b"{\n\"prompt\": \"\xff\"}",
        &["-: unreadable: invalid UTF-8 at line 2 column 12"],
    );
    let options = ReadOptions {
        format: Some(Format::Payload),
        kind: None,
        dialect: None,
    };
    assert_eq!(
        summary(&read_with(&["-"], options, b"  ")),
        ["-: unreadable: empty input"]
    );
}

#[test]
fn one_pretty_printed_exchange_is_a_record() {
    check_stdin(
        b"{\n  \"url\": \"/studio/v1/chat/completions\",\n  \"request\": {},\n  \"response\": {\"status\": 200}\n}\n",
        &["-: POST /studio/v1/chat/completions -> 200, request absent, response absent"],
    );
    check_stdin(
        b"{\n  \"url\": \"/studio/v1/chat/completions\",\n  \"request\": {}\n}\n",
        &["-: unreadable: missing field `response` at line 4 column 1"],
    );
}
