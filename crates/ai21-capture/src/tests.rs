//! Unit tests of the capture types and of telling formats apart.

use std::path::Path;

use serde_json::json;

use super::source::{ErrorPosition, format_of, house_message, json_message};
use super::*;

#[test]
fn locations_display_as_documented() {
    let file = Origin::File(Arc::from(Path::new("captures/day1.jsonl")));
    for (location, expected) in [
        (Location::line(file.clone(), 42), "captures/day1.jsonl:42"),
        (
            Location::entry(file.clone(), 3),
            "captures/day1.jsonl#entry 3",
        ),
        (Location::whole(file.clone()), "captures/day1.jsonl"),
        (Location::line(Origin::Stdin, 7), "-:7"),
        (Location::entry(Origin::Stdin, 1), "-#entry 1"),
        (Location::whole(Origin::Stdin), "-"),
    ] {
        assert_eq!(location.to_string(), expected);
    }
    assert_eq!(
        Location::whole(file).path(),
        Some(Path::new("captures/day1.jsonl"))
    );
    assert_eq!(Location::whole(Origin::Stdin).path(), None);
}

#[test]
fn unreadable_and_skipped_items_display_with_their_location() {
    let location = Location::line(Origin::Stdin, 2);
    let unreadable = Unreadable::new(location.clone(), "expected value at column 1");
    assert_eq!(unreadable.to_string(), "-:2: expected value at column 1");
    let skipped = Skipped::new(location, "not an AI21 endpoint: GET /");
    assert_eq!(skipped.to_string(), "-:2: not an AI21 endpoint: GET /");
    assert_eq!(
        Item::Skipped(skipped).location(),
        &Location::line(Origin::Stdin, 2)
    );
}

#[test]
fn headers_redact_as_they_are_added_and_match_names_case_insensitively() {
    let mut headers = Headers::new();
    headers.push("Authorization", "Bearer abc");
    headers.push("Content-Type", "text/event-stream");
    headers.push("Set-Cookie", "a=1");
    headers.push("set-cookie", "b=2");
    assert_eq!(headers.len(), 4);
    assert!(!headers.is_empty());
    assert_eq!(headers.get("authorization"), Some("[redacted]"));
    assert_eq!(headers.content_type(), Some("text/event-stream"));
    assert_eq!(headers.get("x-missing"), None);
    assert_eq!(
        headers.get_all("SET-COOKIE").collect::<Vec<_>>(),
        ["[redacted]", "[redacted]"]
    );
    let collected: Headers = [("api-key", "k"), ("accept", "*/*")].into_iter().collect();
    assert_eq!(
        collected.iter().collect::<Vec<_>>(),
        [("api-key", "[redacted]"), ("accept", "*/*")]
    );
}

#[test]
fn bodies_are_classified_from_their_text() {
    let check = |text: &str, content_type: Option<&str>, is_response: bool, expected: Body| {
        assert_eq!(
            Body::from_text(text.to_owned(), content_type, is_response),
            expected,
            "{text:?}"
        );
    };
    check("", None, true, Body::Absent);
    check(" \n", None, false, Body::Absent);
    check("{\"a\": 1}", None, false, Body::Json(json!({"a": 1})));
    check("null", None, true, Body::Json(json!(null)));
    check(
        "data: {}\n\n",
        None,
        true,
        Body::EventStream("data: {}\n\n".into()),
    );
    check(
        "{\"a\": 1}",
        Some("Text/Event-Stream; charset=utf-8"),
        true,
        Body::EventStream("{\"a\": 1}".into()),
    );
    // A request is never a stream.
    check(
        "data: {}",
        Some("text/event-stream"),
        false,
        Body::Text("data: {}".into()),
    );
    check("<html>", None, true, Body::Text("<html>".into()));
    check(
        "{\"api_key\": \"k\"}",
        None,
        false,
        Body::Json(json!({"api_key": "[redacted]"})),
    );
    assert_eq!(Body::Json(json!(1)).json(), Some(&json!(1)));
    assert_eq!(Body::Text("x".into()).json(), None);
    assert!(Body::default().is_absent());
}

#[test]
fn formats_are_told_from_file_names() {
    for (name, expected) in [
        ("a.jsonl", Some(Format::Jsonl)),
        ("a.JSONL", Some(Format::Jsonl)),
        ("a.ndjson.gz", Some(Format::Jsonl)),
        ("a.jsonlines", Some(Format::Jsonl)),
        ("dir/a.har", Some(Format::Har)),
        ("a.har.GZ", Some(Format::Har)),
        ("a.json", None),
        ("a.json.gz", None),
        ("a.log", None),
        ("a", None),
        ("a.gz", None),
    ] {
        assert_eq!(format_of(Path::new(name)), expected, "{name}");
    }
}

#[test]
fn messages_from_other_libraries_follow_the_house_style() {
    assert_eq!(
        house_message("Invalid symbol 33, offset 9."),
        "invalid symbol 33, offset 9"
    );
    assert_eq!(house_message(""), "unknown error");
    let error = serde_json::from_str::<serde_json::Value>("{\n  \"a\": 1,\n}")
        .expect_err("a trailing comma");
    assert_eq!(
        json_message(&error, ErrorPosition::LineAndColumn),
        "trailing comma at line 3 column 1"
    );
    assert_eq!(
        json_message(&error, ErrorPosition::Column),
        "trailing comma at column 1"
    );
    assert_eq!(json_message(&error, ErrorPosition::None), "trailing comma");
}

#[test]
fn exchanges_need_an_ai21_endpoint() {
    let response = Response {
        status: 200,
        headers: Headers::new(),
        body: Body::Absent,
    };
    let exchange = Exchange::new(
        "https://api.ai21.com/studio/v1/chat/completions?token=t",
        Request::default(),
        response.clone(),
    )
    .expect("an endpoint");
    assert_eq!(exchange.endpoint(), &Endpoint::JambaChat);
    assert_eq!(
        exchange.url(),
        "https://api.ai21.com/studio/v1/chat/completions?token=[redacted]"
    );
    assert_eq!(exchange.method, "POST");
    let error = Exchange::new("https://example.com/v1/chat", Request::default(), response)
        .expect_err("not an endpoint");
    assert_eq!(
        error.to_string(),
        "https://example.com/v1/chat: not an AI21 endpoint"
    );
}

#[test]
fn a_record_meant_to_be_refused_reads_and_writes_its_marker() {
    let line = r#"{"url": "/studio/v1/chat/completions", "expect": "refusal", "request": {"body": {"model": "jamba-mini"}}, "response": {"status": 422, "body": {"detail": []}}}"#;
    let items: Vec<Item> =
        read_from(vec![Input::Stdin], ReadOptions::default(), line.as_bytes()).collect();
    let Item::Record(Record {
        content: Content::Exchange(exchange),
        ..
    }) = &items[0]
    else {
        panic!("{items:?}")
    };
    assert!(exchange.expect_refusal);
    let written = exchange.to_json_line();
    assert!(written.contains(r#""expect":"refusal""#), "{written}");
    let again: Vec<Item> = read_from(
        vec![Input::Stdin],
        ReadOptions::default(),
        written.as_bytes(),
    )
    .collect();
    assert_eq!(again, items);
    // Without the marker, nothing is written; with another value, the line is unreadable.
    let mut plain = (**exchange).clone();
    plain.expect_refusal = false;
    assert!(!plain.to_json_line().contains("expect"));
    let other = line.replace(r#""refusal""#, r#""success""#);
    let items: Vec<Item> =
        read_from(vec![Input::Stdin], ReadOptions::default(), other.as_bytes()).collect();
    let Item::Unreadable(unreadable) = &items[0] else {
        panic!("{items:?}")
    };
    assert!(
        unreadable
            .message
            .contains("unknown variant `success`, expected `refusal`"),
        "{}",
        unreadable.message
    );
}
