//! Writing exchanges back as capture lines: the documented shape, and a round trip.

use ai21_capture::{Body, Content, Exchange, Headers, Item, Request, Response};
use serde_json::{Value, json};

use crate::support::{FIXTURES, read, read_stdin};

fn exchanges(items: &[Item]) -> Vec<&Exchange> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Record(record) => match &record.content {
                Content::Exchange(exchange) => Some(&**exchange),
                Content::Payload(_) => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn written_lines_read_back_to_the_same_exchanges() {
    for path in ["jsonl/capture.jsonl", "har/session.har"] {
        let items = read(&[&format!("{FIXTURES}/{path}")]);
        let originals = exchanges(&items);
        assert!(!originals.is_empty());
        let lines: Vec<String> = originals
            .iter()
            .map(|exchange| exchange.to_json_line())
            .collect();
        let reread_items = read_stdin(lines.join("\n").as_bytes());
        let reread = exchanges(&reread_items);
        assert_eq!(reread, originals, "{path}");
    }
}

#[test]
fn lines_have_the_documented_shape() {
    let mut request_headers = Headers::new();
    request_headers.push("Content-Type", "application/json");
    let mut response_headers = Headers::new();
    response_headers.push("set-cookie", "a=1");
    response_headers.push("set-cookie", "b=2");
    response_headers.push("request-id", "r-1");
    let mut exchange = Exchange::new(
        "https://api.ai21.com/studio/v1/j2-mid/complete",
        Request {
            headers: request_headers,
            body: Body::from_json(json!({"prompt": "Hi"})),
        },
        Response {
            status: 200,
            headers: response_headers,
            body: Body::from_json(json!({"id": "x", "completions": []})),
        },
    )
    .expect("an endpoint");
    exchange.timestamp = Some("2024-06-01T12:00:00Z".to_owned());
    let line = exchange.to_json_line();
    assert!(!line.contains('\n'));
    assert_eq!(
        serde_json::from_str::<Value>(&line).expect("JSON"),
        json!({
            "url": "https://api.ai21.com/studio/v1/j2-mid/complete",
            "method": "POST",
            "timestamp": "2024-06-01T12:00:00Z",
            "request": {"headers": {"Content-Type": "application/json"}, "body": {"prompt": "Hi"}},
            "response": {
                "status": 200,
                "headers": {"set-cookie": ["[redacted]", "[redacted]"], "request-id": "r-1"},
                "body": {"id": "x", "completions": []},
            },
        })
    );
    // Header order is kept on the wire, whatever the JSON map type.
    assert!(
        line.find("\"set-cookie\"") < line.find("\"request-id\""),
        "{line}"
    );
    let mut written = Vec::new();
    exchange
        .write_json_line(&mut written)
        .expect("writing to memory");
    assert_eq!(written, format!("{line}\n").into_bytes());
}

#[test]
fn absent_parts_are_left_out_and_odd_bodies_survive() {
    let exchange = Exchange::new(
        "/studio/v1/chat/completions",
        Request {
            headers: Headers::new(),
            body: Body::Json(json!("a JSON string")),
        },
        Response {
            status: 502,
            headers: Headers::new(),
            body: Body::Text("<html>bad gateway</html>".to_owned()),
        },
    )
    .expect("an endpoint");
    let line = exchange.to_json_line();
    assert_eq!(
        serde_json::from_str::<Value>(&line).expect("JSON"),
        json!({
            "url": "/studio/v1/chat/completions",
            "method": "POST",
            "request": {"body": "\"a JSON string\""},
            "response": {"status": 502, "body": "<html>bad gateway</html>"},
        })
    );
    let items = read_stdin(line.as_bytes());
    assert_eq!(exchanges(&items), [&exchange]);
}
