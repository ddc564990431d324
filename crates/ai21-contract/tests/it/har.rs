//! HAR files: AI21 entries become exchanges, the others are skipped, bad entries are
//! reported on their own.

use ai21_capture::Body;

use crate::support::{FIXTURES, check, check_stdin, exchange, read};

#[test]
fn reads_ai21_entries_and_skips_the_others() {
    check(
        &[&format!("{FIXTURES}/har/session.har")],
        &[
            "tests/fixtures/har/session.har#entry 1: skipped: not an AI21 endpoint: GET https://app.example.com/index.html",
            "tests/fixtures/har/session.har#entry 2: skipped: CORS preflight: OPTIONS https://api.ai21.com/studio/v1/chat/completions",
            "tests/fixtures/har/session.har#entry 3: POST /studio/v1/chat/completions -> 200, request json, response json",
            "tests/fixtures/har/session.har#entry 4: POST /studio/v1/chat/completions -> 200, request json, response event-stream",
            "tests/fixtures/har/session.har#entry 5: POST /studio/v1/j2-mid/complete -> 401, request json, response json",
            "tests/fixtures/har/session.har#entry 6: skipped: no response was captured (status 0): POST https://api.ai21.com/studio/v1/j2-mid/complete",
            "tests/fixtures/har/session.har#entry 7: unreadable: not a HAR entry: missing field `request`",
            "tests/fixtures/har/session.har#entry 8: unreadable: response content: invalid base64: invalid symbol 33, offset 9",
        ],
    );
}

#[test]
fn base64_content_is_decoded() {
    let items = read(&[&format!("{FIXTURES}/har/session.har")]);
    let stream = exchange(&items[3]);
    let Body::EventStream(text) = &stream.response.body else {
        panic!("not a stream: {:?}", stream.response.body)
    };
    assert!(text.starts_with("data: {\"id\": \"chat-"), "{text}");
    assert_eq!(text.matches("data: ").count(), 4);
    assert_eq!(
        stream.timestamp.as_deref(),
        Some("2024-06-01T12:00:00.000Z")
    );
    let request = stream.request.body.json().expect("a JSON request");
    assert_eq!(request["stream"], true);
}

#[test]
fn files_that_are_not_har_are_unreadable() {
    check(
        &[
            &format!("{FIXTURES}/har/not-a-har.har"),
            &format!("{FIXTURES}/har/broken.har"),
        ],
        &[
            "tests/fixtures/har/not-a-har.har: unreadable: not a HAR file: missing field `log` at line 1 column 33",
            "tests/fixtures/har/broken.har: unreadable: not a HAR file: EOF while parsing a list at line 2 column 0",
        ],
    );
    check_stdin(
        br#"{"log": {"entries": []}}"#,
        &["-: unreadable: HAR file without entries"],
    );
    check_stdin(
        br#"{"log": {"entries": {}}}"#,
        &[
            "-: unreadable: not a HAR file: invalid type: map, expected a sequence at line 1 column 20",
        ],
    );
}

#[test]
fn entries_are_checked_one_by_one() {
    let entry = |request: &str, response: &str| {
        format!(
            r#"{{"startedDateTime": "2024-01-01T00:00:00Z", "request": {request}, "response": {response}}}"#
        )
    };
    let ok_request = r#"{"method": "POST", "url": "https://api.ai21.com/studio/v1/chat/completions", "headers": []}"#;
    let entries = [
        entry(
            ok_request,
            r#"{"status": 200, "headers": [], "content": {"text": "{}"}}"#,
        ),
        entry(ok_request, r#"{"status": 200, "headers": []}"#),
        entry(
            ok_request,
            r#"{"status": 999, "headers": [], "content": {"text": "{}"}}"#,
        ),
        entry(
            ok_request,
            r#"{"status": -1, "headers": [], "content": {"text": "{}"}}"#,
        ),
        entry(
            ok_request,
            r#"{"status": 200, "content": {"text": "eA==", "encoding": "gzip"}}"#,
        ),
        entry(
            ok_request,
            r#"{"status": 200, "content": {"text": "/w==", "encoding": "base64"}}"#,
        ),
        entry(
            ok_request,
            r#"{"status": 200, "content": {"text": "e30=\n", "encoding": "base64"}}"#,
        ),
        entry(
            r#"{"method": "POST", "url": "/studio/v1/j2-mid/complete", "postData": {"text": "e30=", "encoding": "base64"}}"#,
            r#"{"status": 200}"#,
        ),
        entry(
            r#"{"method": "POST", "url": "/studio/v1/j2-mid/complete", "headers": {}}"#,
            r#"{"status": 200}"#,
        ),
        "3".to_owned(),
    ];
    let har = format!(
        r#"{{"log": {{"version": "1.2", "entries": [{}]}}}}"#,
        entries.join(",")
    );
    check_stdin(
        har.as_bytes(),
        &[
            "-#entry 1: POST /studio/v1/chat/completions -> 200, request absent, response json",
            "-#entry 2: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-#entry 3: unreadable: response status 999 is not an HTTP status (100 to 599)",
            "-#entry 4: unreadable: response status -1 is not an HTTP status (100 to 599)",
            "-#entry 5: unreadable: response content: unsupported encoding \"gzip\"",
            "-#entry 6: unreadable: response content: base64 text is not UTF-8 (invalid at byte 1)",
            "-#entry 7: POST /studio/v1/chat/completions -> 200, request absent, response json",
            "-#entry 8: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
            "-#entry 9: unreadable: not a HAR entry: invalid type: map, expected a sequence",
            "-#entry 10: unreadable: not a HAR entry: invalid type: integer `3`, expected an entry object",
        ],
    );
}
