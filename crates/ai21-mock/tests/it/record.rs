//! Recording: every exchange on an API path is handed to `Config::record`, answers and
//! refusals alike, with the request's credentials redacted and a stream's full text.

use std::sync::mpsc;

use ai21_mock::{Config, Fault, Faults, RecordedExchange};
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::support::KEY;

const CHAT: &str = "/studio/v1/chat/completions";

/// Sends one request to a recording mock and returns what it recorded.
async fn recorded(
    config: Config,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: String,
) -> Vec<RecordedExchange> {
    let (sender, receiver) = mpsc::channel();
    let config = Config {
        record: Some(sender),
        ..config
    };
    let mut request = Request::builder().method(method).uri(path);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let response = ai21_mock::router(config)
        .oneshot(request.body(Body::from(body)).expect("a request"))
        .await
        .expect("the router answers");
    // Read to the end; a cut stream ends with an error, which is the point.
    let _ = response.into_body().collect().await;
    receiver.try_iter().collect()
}

#[tokio::test]
async fn answers_and_refusals_on_api_paths_are_recorded() {
    let chat = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]});
    let cases = [
        ("POST", CHAT, Some(KEY), chat.to_string(), 200),
        ("POST", CHAT, None, chat.to_string(), 401),
        ("POST", CHAT, Some(KEY), "{".to_owned(), 400),
        (
            "POST",
            CHAT,
            Some(KEY),
            json!({"messages": []}).to_string(),
            422,
        ),
        ("GET", CHAT, Some(KEY), String::new(), 405),
        (
            "POST",
            "/studio/v1/j2-mid/my-model/complete?x=1",
            Some(KEY),
            json!({"prompt": "x"}).to_string(),
            200,
        ),
    ];
    for (method, path, key, body, status) in cases {
        let exchanges = recorded(Config::default(), method, path, key, body.clone()).await;
        assert_eq!(exchanges.len(), 1, "{method} {path}");
        let exchange = &exchanges[0];
        assert_eq!(
            (exchange.method.as_str(), exchange.path_and_query.as_str()),
            (method, path)
        );
        assert_eq!(exchange.status, status, "{method} {path} {body}");
        assert_eq!(exchange.request_body, body.as_bytes(), "{method} {path}");
        assert!(!exchange.response_body.is_empty(), "{method} {path}");
        if let Some(key) = key {
            for (_, value) in &exchange.request_headers {
                assert!(!value.contains(key), "the key was recorded: {value}");
            }
            assert!(
                exchange
                    .request_headers
                    .contains(&("authorization".to_owned(), "[redacted]".to_owned()))
            );
        }
    }
}

#[tokio::test]
async fn other_paths_are_not_recorded() {
    let exchanges = recorded(Config::default(), "POST", "/nope", Some(KEY), String::new()).await;
    assert_eq!(exchanges, []);
}

#[tokio::test]
async fn a_stream_is_recorded_whole_and_a_cut_stream_as_far_as_it_went() {
    let request = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": true});
    let whole = recorded(
        Config::default(),
        "POST",
        CHAT,
        Some(KEY),
        request.to_string(),
    )
    .await;
    let text = String::from_utf8(whole[0].response_body.to_vec()).expect("UTF-8");
    assert!(text.starts_with("data: {"), "{text}");
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    assert!(
        whole[0]
            .response_headers
            .contains(&("content-type".to_owned(), "text/event-stream".to_owned()))
    );

    let cut = Config {
        faults: Faults {
            rate: 1.0,
            kinds: vec![Fault::Cut],
            ..Faults::default()
        },
        ..Config::default()
    };
    let cut = recorded(cut, "POST", CHAT, Some(KEY), request.to_string()).await;
    let sent = String::from_utf8(cut[0].response_body.to_vec()).expect("UTF-8");
    assert!(sent.starts_with("data: {"), "{sent}");
    assert!(!sent.contains("[DONE]"), "{sent}");
    assert!(
        text.starts_with(&sent),
        "what was sent is the start of the stream"
    );
}

#[tokio::test]
async fn a_cut_json_answer_is_recorded_as_far_as_it_went() {
    let cut = Config {
        faults: Faults {
            rate: 1.0,
            kinds: vec![Fault::Cut],
            ..Faults::default()
        },
        ..Config::default()
    };
    let requests = [
        (
            "/studio/v1/j2-mid/complete",
            json!({"prompt": "These are", "maxTokens": 40}),
        ),
        (
            CHAT,
            json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]}),
        ),
    ];
    for (path, request) in requests {
        let whole = recorded(
            Config::default(),
            "POST",
            path,
            Some(KEY),
            request.to_string(),
        )
        .await;
        let whole = &whole[0].response_body;
        let exchanges = recorded(cut.clone(), "POST", path, Some(KEY), request.to_string()).await;
        assert_eq!(exchanges.len(), 1, "{path}");
        let exchange = &exchanges[0];
        assert_eq!(exchange.status, 200, "{path}");
        let declared: usize = exchange
            .response_headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse().ok())
            .expect("the whole body's length is declared");
        assert_eq!(declared, whole.len(), "{path}");
        let sent = &exchange.response_body;
        assert_eq!(
            sent.len(),
            whole.len() / 2,
            "{path}: half the body was sent"
        );
        assert!(whole.starts_with(sent), "{path}: the start of the answer");
        assert!(
            serde_json::from_slice::<serde_json::Value>(sent).is_err(),
            "{path}: what was sent is not a whole JSON answer"
        );
    }
}
