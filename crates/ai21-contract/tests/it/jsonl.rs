//! JSONL captures: one exchange per line, blank lines skipped, bad lines reported, reading
//! going on after them.

use ai21_capture::Endpoint;
use ai21_capture::{Body, Format, ReadOptions};
use serde_json::json;

use crate::support::{FIXTURES, check, check_stdin, exchange, read, read_with, summary};

#[test]
fn reads_one_exchange_per_line() {
    check(
        &[&format!("{FIXTURES}/jsonl/capture.jsonl")],
        &[
            "tests/fixtures/jsonl/capture.jsonl:1: POST /studio/v1/j2-mid/complete -> 200, request json, response json",
            "tests/fixtures/jsonl/capture.jsonl:3: POST /studio/v1/chat/completions -> 200, request json, response json",
            "tests/fixtures/jsonl/capture.jsonl:4: POST /studio/v1/chat/completions -> 200, request json, response event-stream",
            "tests/fixtures/jsonl/capture.jsonl:5: POST /studio/v1/j2-ultra/complete -> 401, request json, response json",
            "tests/fixtures/jsonl/capture.jsonl:6: skipped: not an AI21 endpoint: POST https://api.openai.com/v1/chat/completions",
        ],
    );
}

#[test]
fn keeps_reading_after_bad_lines() {
    check(
        &[&format!("{FIXTURES}/jsonl/malformed.jsonl")],
        &[
            "tests/fixtures/jsonl/malformed.jsonl:1: POST /studio/v1/chat/completions -> 200, request json, response json",
            "tests/fixtures/jsonl/malformed.jsonl:2: unreadable: trailing comma at column 84",
            "tests/fixtures/jsonl/malformed.jsonl:3: unreadable: expected ident at column 2",
            "tests/fixtures/jsonl/malformed.jsonl:4: unreadable: missing field `response` at column 53",
            "tests/fixtures/jsonl/malformed.jsonl:5: unreadable: invalid type: string \"[redacted]\", expected u16 at column 111",
            "tests/fixtures/jsonl/malformed.jsonl:6: unreadable: response status 42 is not an HTTP status (100 to 599)",
            "tests/fixtures/jsonl/malformed.jsonl:7: POST /studio/v1/j2-ultra/complete -> 401, request json, response json",
        ],
    );
}

#[test]
fn an_empty_file_is_unreadable() {
    check(
        &[&format!("{FIXTURES}/jsonl/empty.jsonl")],
        &["tests/fixtures/jsonl/empty.jsonl: unreadable: empty file"],
    );
}

#[test]
fn blank_lines_are_not_records_but_count() {
    let line =
        r#"{"url": "/studio/v1/chat/completions", "request": {}, "response": {"status": 200}}"#;
    check_stdin(
        format!("\n  \r\n{line}\n\n\t\n{line}").as_bytes(),
        &[
            "-:3: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-:6: POST /studio/v1/chat/completions -> 200, request absent, response absent",
        ],
    );
    check_stdin(b"\n\n \n", &["-: unreadable: empty input"]);
}

#[test]
fn invalid_utf8_is_reported_on_its_line() {
    let mut bytes =
        br#"{"url": "/studio/v1/chat/completions", "request": {}, "response": {"status": 200}}"#
            .to_vec();
    bytes.extend_from_slice(b"\n{\"url\": \"/studio/v1/chat/\xff\xfe\"}\n");
    bytes.extend_from_slice(b"{\"url\": \"/studio/v1/chat/completions\", \"request\": {}, \"response\": {\"status\": 500}}\n");
    let options = ReadOptions {
        format: Some(Format::Jsonl),
        kind: None,
        dialect: None,
    };
    assert_eq!(
        summary(&read_with(&["-"], options, &bytes)),
        [
            "-:1: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-:2: unreadable: invalid UTF-8 at column 26",
            "-:3: POST /studio/v1/chat/completions -> 500, request absent, response absent",
        ]
    );
}

#[test]
fn fields_are_read_as_documented() {
    let items = read(&[&format!("{FIXTURES}/jsonl/capture.jsonl")]);
    let j2 = exchange(&items[0]);
    assert_eq!(
        j2.endpoint(),
        &Endpoint::J2Complete {
            model: "j2-mid".into(),
            custom_model: None
        }
    );
    assert_eq!(j2.url(), "https://api.ai21.com/studio/v1/j2-mid/complete");
    assert_eq!(j2.method, "POST");
    assert_eq!(j2.timestamp.as_deref(), Some("2024-06-01T12:00:00Z"));
    assert_eq!(
        j2.request.headers.get("content-type"),
        Some("application/json")
    );
    assert_eq!(
        j2.response.headers.get("Request-Id"),
        Some("75a54d20-dda1-6db7-ff99-59b1af4fdfd3")
    );
    let request = j2.request.body.json().expect("a JSON request");
    assert_eq!(request["prompt"], "These are a few of my favorite");
    let response = j2.response.body.json().expect("a JSON response");
    assert_eq!(response["completions"][0]["data"]["text"], " world");

    // A JSON-text string body is parsed; a numeric timestamp is kept as text.
    let jamba = exchange(&items[1]);
    assert_eq!(jamba.timestamp.as_deref(), Some("1717243200"));
    assert_eq!(
        jamba.request.body.json().map(|body| &body["model"]),
        Some(&json!("jamba-instruct-preview"))
    );
    assert_eq!(
        jamba
            .response
            .body
            .json()
            .map(|body| &body["usage"]["total_tokens"]),
        Some(&json!(46))
    );

    // A streamed answer is kept as its raw text; HAR-style header arrays are read.
    let stream = exchange(&items[2]);
    let Body::EventStream(text) = &stream.response.body else {
        panic!("not a stream: {:?}", stream.response.body)
    };
    assert!(text.starts_with("data: {\"id\": \"chat-"), "{text}");
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    assert_eq!(
        stream.request.headers.get("authorization"),
        Some("[redacted]")
    );

    // Repeated headers are kept in order.
    let error = exchange(&items[3]);
    assert_eq!(
        error
            .response
            .headers
            .get_all("set-cookie")
            .collect::<Vec<_>>(),
        ["[redacted]", "[redacted]"]
    );
}

#[test]
fn bodies_are_told_apart() {
    let record = |request_body: &str, response: &str| {
        format!(
            r#"{{"url": "/studio/v1/chat/completions", "request": {{"body": {request_body}}}, "response": {response}}}"#
        )
    };
    let lines = [
        record("null", r#"{"status": 200, "body": ""}"#),
        record(r#""""#, r#"{"status": 200, "body": "data: {}\n\n"}"#),
        record(
            r#""not json""#,
            r#"{"status": 502, "body": "<html>Bad gateway</html>"}"#,
        ),
        record(r#""\"a string\"""#, r#"{"status": 200, "body": [1, 2]}"#),
        record(
            r#"{}"#,
            r#"{"status": 200, "headers": {"content-type": "text/event-stream"}, "body": "\n{}"}"#,
        ),
    ];
    let items = crate::support::read_stdin(lines.join("\n").as_bytes());
    let bodies: Vec<(&Body, &Body)> = items
        .iter()
        .map(|item| {
            let exchange = exchange(item);
            (&exchange.request.body, &exchange.response.body)
        })
        .collect();
    assert_eq!(
        bodies,
        [
            (&Body::Json(json!(null)), &Body::Absent),
            (&Body::Absent, &Body::EventStream("data: {}\n\n".into())),
            (
                &Body::Text("not json".into()),
                &Body::Text("<html>Bad gateway</html>".into())
            ),
            (&Body::Json(json!("a string")), &Body::Json(json!([1, 2]))),
            (&Body::Json(json!({})), &Body::EventStream("\n{}".into())),
        ]
    );
}

#[test]
fn records_need_url_request_and_response() {
    check_stdin(
        concat!(
            "{\"request\": {}, \"response\": {\"status\": 200}}\n",
            "{\"url\": \"/studio/v1/chat/completions\", \"response\": {\"status\": 200}}\n",
            "{\"url\": \"/studio/v1/chat/completions\", \"request\": {}, \"response\": {}}\n",
            "{\"url\": \"/studio/v1/chat/completions\", \"request\": {\"headers\": [1]}, \"response\": {\"status\": 200}}\n",
            "{\"url\": \"/studio/v1/chat/completions\", \"request\": {}, \"response\": {\"status\": 200}, \"extra\": 1}\n",
            "[1, 2]\n",
        )
        .as_bytes(),
        &[
            "-:1: unreadable: missing field `url` at column 44",
            "-:2: unreadable: missing field `request` at column 67",
            "-:3: unreadable: missing field `status` at column 68",
            "-:4: unreadable: invalid type: integer `1`, expected a header object with name and value at column 64",
            "-:5: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-:6: unreadable: expected a capture record object, found an array",
        ],
    );
}

#[test]
fn a_byte_order_mark_and_crlf_endings_are_accepted() {
    check_stdin(
        b"\xEF\xBB\xBF{\"url\": \"/studio/v1/j2-mid/complete\", \"request\": {}, \"response\": {\"status\": 200}}\r\n",
        &["-:1: POST /studio/v1/j2-mid/complete -> 200, request absent, response absent"],
    );
}
