//! No secret comes out of reading: a realistic fake key is pushed through every input
//! format and every place a key can stand, and must not appear in anything produced.

use ai21_capture::{
    Body, Content, Exchange, Format, Headers, Input, Item, ReadOptions, Request, Response,
};
use serde_json::json;

use crate::support::{FIXTURES, KEY, exchange, fixture, folder, gzip, read, read_with, summary};

/// Everything a reader produces that anyone could print or write.
fn printed(items: &[Item]) -> String {
    let mut printed = format!("{items:#?}\n");
    for line in summary(items) {
        printed.push_str(&line);
        printed.push('\n');
    }
    for item in items {
        match item {
            Item::Record(record) => {
                if let Content::Exchange(exchange) = &record.content {
                    printed.push_str(&exchange.to_json_line());
                    printed.push('\n');
                }
            }
            Item::Unreadable(unreadable) => printed.push_str(&format!("{unreadable}\n")),
            Item::Skipped(skipped) => printed.push_str(&format!("{skipped}\n")),
        }
    }
    printed
}

#[track_caller]
fn assert_no_key(items: &[Item]) {
    assert!(!items.is_empty());
    let printed = printed(items);
    assert!(!printed.contains(KEY), "the key leaked:\n{printed}");
    // Not even a part of it.
    assert!(
        !printed.contains(&KEY[..12]),
        "part of the key leaked:\n{printed}"
    );
}

/// Capture lines putting the key everywhere a key can stand.
fn leaky_lines() -> Vec<String> {
    let record = |url: &str, request: serde_json::Value, response: serde_json::Value| {
        json!({"url": url, "request": request, "response": response}).to_string()
    };
    let chat = "https://api.ai21.com/studio/v1/chat/completions";
    vec![
        record(
            &format!("https://user:{KEY}@api.ai21.com/studio/v1/chat/completions?api_key={KEY}&key={KEY}&token={KEY}&access_token={KEY}"),
            json!({"headers": {
                "Authorization": format!("Bearer {KEY}"),
                "api-key": KEY,
                "X-Api-Key": KEY,
                "Cookie": format!("session={KEY}"),
                "X-Custom-Auth": KEY,
                "x-forwarded": format!("Bearer {KEY}"),
            }, "body": {"model": "jamba-mini", "api_key": KEY, "messages": [{"role": "user", "content": KEY}]}}),
            json!({"status": 200, "headers": {"Set-Cookie": [format!("a={KEY}"), format!("b={KEY}")]}, "body": {"echo": format!("Bearer {KEY}")}}),
        ),
        record(
            chat,
            json!({"headers": [{"name": "authorization", "value": format!("bearer {KEY}")}], "body": format!("{{\"apiKey\": \"{KEY}\"}}")}),
            json!({"status": 500, "body": format!("upstream said: Authorization: Bearer {KEY}")}),
        ),
        record(
            chat,
            json!({"body": {"stream": true}}),
            json!({"status": 200, "headers": {"content-type": "text/event-stream"}, "body": format!("data: {{\"key\": \"{KEY}\"}}\n\ndata: [DONE]\n\n")}),
        ),
        json!({"url": chat, "method": format!("POST {KEY}"), "timestamp": KEY, "request": {}, "response": {"status": 200}}).to_string(),
        record(&format!("https://api.example.com/v1/complete?token={KEY}"), json!({}), json!({"status": 200})),
        record(&format!("https://api.example.com/{KEY}/complete"), json!({}), json!({"status": 200})),
        format!(r#"{{"url": "{chat}", "request": {{}}, "response": {{"status": "{KEY}"}}}}"#),
        format!(r#"{{"url": "{chat}", "request": {{"headers": {{"a": {{"b": "{KEY}"}}}}}}, "response": {{"status": 200}}}}"#),
        format!(r#"{{"url": "{chat}", "request": {{}}, "response": {{"status": 200}}, "timestamp": ["{KEY}"]}}"#),
    ]
}

fn leaky_har() -> String {
    let header = |name: &str, value: String| json!({"name": name, "value": value});
    let entries = json!([
        {"startedDateTime": "2024-01-01T00:00:00Z",
         "request": {"method": "POST", "url": format!("https://api.ai21.com/studio/v1/j2-mid/complete?key={KEY}"),
                     "headers": [header("Authorization", format!("Bearer {KEY}")), header("cookie", format!("s={KEY}"))],
                     "cookies": [{"name": "s", "value": KEY}],
                     "queryString": [{"name": "key", "value": KEY}],
                     "postData": {"mimeType": "application/json", "text": format!("{{\"prompt\": \"Hi\", \"api_key\": \"{KEY}\"}}")}},
         "response": {"status": 200, "headers": [header("set-cookie", format!("t={KEY}"))], "cookies": [{"name": "t", "value": KEY}],
                      "content": {"mimeType": "application/json", "text": base64_text(&format!("{{\"detail\": \"{KEY}\"}}")), "encoding": "base64"}}},
        {"request": {"method": "GET", "url": format!("https://example.com/?access_token={KEY}"), "headers": []}, "response": {"status": 200}},
        {"request": {"method": "POST", "url": "https://api.ai21.com/studio/v1/chat/completions"}, "response": {"status": KEY}},
    ]);
    json!({"log": {"version": "1.2", "entries": entries}}).to_string()
}

fn base64_text(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn the_key_never_comes_out_of_any_input_format() {
    let lines = leaky_lines().join("\n");
    let har = leaky_har();
    let payload = json!({"prompt": KEY, "api_key": KEY, "headers": {"authorization": format!("Bearer {KEY}")}}).to_string();
    let pretty_record = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&leaky_lines()[0]).expect("JSON"),
    )
    .expect("JSON");
    let not_a_har = format!(r#"{{"log": "{KEY}"}}"#);
    for text in [&lines, &har, &payload, &pretty_record] {
        assert!(text.contains(KEY) || text.contains(&base64_text(KEY)[..8]));
    }
    let folder = folder(&[
        ("leaky.jsonl", lines.as_bytes()),
        ("leaky.jsonl.gz", &gzip(lines.as_bytes())),
        ("leaky.har", har.as_bytes()),
        ("leaky.har.gz", &gzip(har.as_bytes())),
        ("payload.json", payload.as_bytes()),
        ("record.json", pretty_record.as_bytes()),
        ("not-a-har.har", not_a_har.as_bytes()),
    ]);
    let items = read(&[&folder.path().display().to_string()]);
    assert_eq!(
        items.len(),
        2 * 9 + 2 * 3 + 1 + 1 + 1,
        "{:#?}",
        summary(&items)
    );
    assert_no_key(&items);

    for bytes in [
        lines.as_bytes(),
        har.as_bytes(),
        payload.as_bytes(),
        &gzip(lines.as_bytes()),
    ] {
        assert_no_key(&read_with(&["-"], ReadOptions::default(), bytes));
    }
    let as_payload = ReadOptions {
        format: Some(Format::Payload),
        kind: Some(ai21_schemas::PayloadKind::J2CompleteRequest),
        dialect: None,
    };
    assert_no_key(&read_with(&["-"], as_payload, payload.as_bytes()));
}

#[test]
fn the_fixtures_hold_the_key_and_reading_them_drops_it() {
    for path in [
        "jsonl/capture.jsonl",
        "jsonl/malformed.jsonl",
        "har/session.har",
    ] {
        let text = String::from_utf8(fixture(path)).expect("UTF-8");
        assert!(text.contains(KEY), "{path} should hold the key");
    }
    assert_no_key(&read(&[FIXTURES]));
}

#[test]
fn exchanges_built_by_a_contract_runner_are_written_without_secrets() {
    let headers: Headers = [
        ("Authorization", format!("Bearer {KEY}")),
        ("Content-Type", "application/json".to_owned()),
    ]
    .into_iter()
    .collect();
    let exchange = Exchange::new(
        &format!("https://api.ai21.com/studio/v1/chat/completions?api_key={KEY}"),
        Request {
            headers,
            // Built directly, not through Body::from_json: serialisation still redacts it.
            body: Body::Json(
                json!({"model": "jamba-mini", "api_key": KEY, "messages": [], "note": KEY}),
            ),
        },
        Response {
            status: 200,
            headers: Headers::new(),
            body: Body::Text(format!("Bearer {KEY}")),
        },
    )
    .expect("an AI21 endpoint");
    let line = exchange.to_json_line();
    assert!(!line.contains(KEY), "{line}");
    let mut written = Vec::new();
    exchange
        .write_json_line(&mut written)
        .expect("writing to memory");
    assert!(!String::from_utf8_lossy(&written).contains(KEY));

    let error = Exchange::new(
        &format!("https://user:{KEY}@api.example.com/?key={KEY}"),
        Request::default(),
        Response {
            status: 200,
            headers: Headers::new(),
            body: Body::Absent,
        },
    )
    .expect_err("not an AI21 endpoint");
    assert_eq!(
        error.to_string(),
        "https://[redacted]@api.example.com/?key=[redacted]: not an AI21 endpoint"
    );
    assert!(!format!("{error:?}").contains(KEY));
}

#[test]
fn stdin_given_as_input_is_redacted_too() {
    let items: Vec<Item> = ai21_capture::read_from(
        [Input::Stdin],
        ReadOptions::default(),
        leaky_lines()[0].as_bytes(),
    )
    .collect();
    let exchange = exchange(&items[0]);
    assert_eq!(
        exchange.url(),
        "https://[redacted]@api.ai21.com/studio/v1/chat/completions?api_key=[redacted]&key=[redacted]&token=[redacted]&access_token=[redacted]"
    );
    // `json!` may sort the members, so the order is not checked here.
    let mut headers: Vec<(&str, &str)> = exchange.request.headers.iter().collect();
    headers.sort_unstable();
    assert_eq!(
        headers,
        [
            ("Authorization", "[redacted]"),
            ("Cookie", "[redacted]"),
            ("X-Api-Key", "[redacted]"),
            ("X-Custom-Auth", "[redacted]"),
            ("api-key", "[redacted]"),
            ("x-forwarded", "Bearer [redacted]"),
        ]
    );
    // The prompt text is content, not a credential slot: a key as a whole string is still
    // masked, because it is shaped like one.
    assert_eq!(
        exchange
            .request
            .body
            .json()
            .map(|body| body["messages"][0]["content"].clone()),
        Some(json!("[redacted]"))
    );
}
