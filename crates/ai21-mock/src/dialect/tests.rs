//! Unit tests of the dialects' credentials, names and additions.

use axum::http::HeaderMap;
use serde_json::json;

use super::*;

/// Header pairs as a test case lists them.
type Pairs<'a> = &'a [(&'static str, &'a str)];

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_str(value).expect("a header value"));
    }
    map
}

#[test]
fn each_dialect_takes_its_own_credential() {
    let sigv4 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc";
    let cases: [(Dialect, Pairs<'_>, Option<&str>); 12] = [
        (
            Dialect::Bedrock,
            &[("authorization", sigv4)],
            Some("AKIDEXAMPLE"),
        ),
        (
            Dialect::Bedrock,
            &[("authorization", "Bearer k")],
            Some("k"),
        ),
        (
            Dialect::Bedrock,
            &[("authorization", "AWS4-HMAC-SHA256 SignedHeaders=host")],
            None,
        ),
        (
            Dialect::Bedrock,
            &[("authorization", "AWS4-HMAC-SHA256 Credential=/x")],
            None,
        ),
        (Dialect::Bedrock, &[], None),
        (Dialect::Studio, &[("authorization", sigv4)], None),
        (
            Dialect::Vertex,
            &[("authorization", "Bearer ya29.x")],
            Some("ya29.x"),
        ),
        (Dialect::Vertex, &[("api-key", "k")], None),
        (Dialect::Azure, &[("api-key", "k")], Some("k")),
        (Dialect::Azure, &[("api-key", "a b")], None),
        (Dialect::Azure, &[("authorization", "Bearer t")], Some("t")),
        (
            Dialect::Azure,
            &[("api-key", ""), ("authorization", "Bearer t")],
            Some("t"),
        ),
    ];
    for (dialect, pairs, expected) in cases {
        assert_eq!(
            credential(dialect, &headers(pairs)),
            expected,
            "{dialect} {pairs:?}"
        );
    }
}

#[test]
fn bedrock_names_its_models_without_prefix_and_version() {
    for (id, name) in [
        ("ai21.jamba-1-5-mini-v1:0", "jamba-1.5-mini"),
        ("ai21.jamba-1-5-large-v1:0", "jamba-1.5-large"),
        ("ai21.jamba-instruct-v1:0", "jamba-instruct"),
        ("ai21.j2-ultra-v1", "j2-ultra"),
        ("eu.ai21.jamba-1-5-mini-v1:0", "jamba-1.5-mini"),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/ai21.jamba-1-5-mini-v1:0",
            "jamba-1.5-mini",
        ),
        ("ai21.v2", "v2"),
    ] {
        assert_eq!(bedrock_model_name(id), name, "{id}");
    }
}

#[test]
fn ids_and_clocks_are_derived_from_the_answer() {
    let id = "chat-0123456789abcdef0123456789abcdef";
    assert_eq!(uuid_of(id), "01234567-89ab-cdef-0123-456789abcdef");
    assert_eq!(
        bedrock_chat_id(id),
        "chatcmpl-01234567-89ab-cdef-0123-456789abcdef"
    );
    assert_eq!(chat_request_id(Dialect::Studio, id), id);
    let created = created(id);
    assert!((CLOCK_START..CLOCK_START + 31_536_000).contains(&created));
    assert_eq!(created, super::created(id));
    assert_ne!(created, super::created("chat-ffffffff0000"));
    // A short id still gives a UUID shape.
    assert_eq!(uuid_of("chat-ab").len(), 36);
}

#[test]
fn the_url_fills_in_the_model_and_the_stream() {
    let bedrock = Route {
        dialect: Dialect::Bedrock,
        endpoint: Endpoint::JambaChat,
        model: Some("ai21.jamba-1-5-mini-v1:0".to_owned()),
        stream: Some(true),
    };
    let mut body = json!({"messages": [], "stream": false});
    complete_request(&bedrock, &mut body);
    assert_eq!(
        body,
        json!({"messages": [], "model": "jamba-1.5-mini", "stream": true})
    );

    let azure = Route {
        dialect: Dialect::Azure,
        endpoint: Endpoint::JambaChat,
        model: None,
        stream: None,
    };
    let mut named = json!({"messages": [], "model": "jamba-large"});
    complete_request(&azure, &mut named);
    assert_eq!(named, json!({"messages": [], "model": "jamba-large"}));
    let mut unnamed = json!({"messages": []});
    complete_request(&azure, &mut unnamed);
    assert_eq!(unnamed["model"], AZURE_DEFAULT_MODEL);

    // J2 takes nothing from the URL: its model is the path's, and it has no stream.
    let j2 = Route {
        dialect: Dialect::Bedrock,
        endpoint: Endpoint::J2Complete {
            model: "ai21.j2-mid-v1".to_owned(),
            custom_model: None,
        },
        model: Some("ai21.j2-mid-v1".to_owned()),
        stream: Some(false),
    };
    let mut prompt = json!({"prompt": "Hi"});
    complete_request(&j2, &mut prompt);
    assert_eq!(prompt, json!({"prompt": "Hi"}));
}

#[test]
fn bedrock_metrics_count_the_streams_tokens() {
    let chunk: JambaChatStreamChunk = serde_json::from_value(json!({
        "id": "chat-1",
        "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}
    }))
    .expect("a chunk");
    let metrics = bedrock_metrics(&[chunk]);
    assert_eq!(metrics[BEDROCK_METRICS]["inputTokenCount"], 20);
    assert_eq!(metrics[BEDROCK_METRICS]["outputTokenCount"], 3);
    assert_eq!(
        metrics[BEDROCK_METRICS]["invocationLatency"],
        duration_millis(20, 3)
    );
}
