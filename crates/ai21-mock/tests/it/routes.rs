//! Every route and status the mock answers with.

use std::collections::BTreeSet;

use ai21_mock::Config;
use ai21_mock::server::{FINDINGS_HEADER, UNAUTHORIZED_DETAIL};
use ai21_validate::{Body, Endpoint, Exchange, PayloadKind, Route};
use serde_json::{Value, json};

use crate::support::{KEY, post, send_with, validator};

const CHAT: &str = "/studio/v1/chat/completions";
const J2: &str = "/studio/v1/j2-mid/complete";

fn chat_request() -> Value {
    json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Tell me something I don't know"}], "max_tokens": 50})
}

/// Every error body is the API's envelope.
fn assert_error_envelope(body: &Value) {
    let report = validator().validate(PayloadKind::ErrorResponse, body);
    assert!(
        !report.has_errors(),
        "not the error envelope: {body}\n{report}"
    );
}

#[tokio::test]
async fn j2_and_jamba_requests_get_valid_answers() {
    let request = json!({"prompt": "These are a few of my favorite", "maxTokens": 30, "numResults": 2, "stopSequences": ["##"]});
    let answer = post(J2, &request).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(
        answer.header("request-id"),
        body["id"].as_str(),
        "request-id is the body id"
    );
    let endpoint = Endpoint::from_path(J2).expect("a J2 path");
    let exchange = Exchange {
        route: Some(&Route::studio(endpoint.clone())),
        timestamp: None,
        request: Body::Json(&request),
        status: Some(200),
        response: Body::Json(&body),
    };
    let report = validator().validate_exchange(&exchange).expect("checkable");
    assert!(!report.has_errors(), "{report}");

    let answer = post(CHAT, &chat_request()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (request, body) = (chat_request(), answer.json());
    let exchange = Exchange {
        route: Some(&Route::studio(Endpoint::JambaChat)),
        timestamp: None,
        request: Body::Json(&request),
        status: Some(200),
        response: Body::Json(&body),
    };
    assert!(
        validator()
            .validate_exchange(&exchange)
            .expect("checkable")
            .is_clean()
    );
}

#[tokio::test]
async fn custom_model_paths_are_served() {
    let answer = post(
        "/studio/v1/j2-ultra/my-fine-tune/complete",
        &json!({"prompt": "Hello"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn streams_are_framed_as_server_sent_events() {
    let mut request = chat_request();
    request["stream"] = json!(true);
    let answer = post(CHAT, &request).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("text/event-stream"));
    assert!(answer.body.starts_with("data: {"), "{}", answer.body);
    assert!(
        answer.body.ends_with("\n\ndata: [DONE]\n\n"),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .lines()
            .all(|line| line.is_empty() || line.starts_with("data: "))
    );
    let stream = validator().validate_stream(&answer.body);
    assert!(stream.report.is_clean(), "{}", stream.report);
    let exchange = Exchange {
        route: Some(&Route::studio(Endpoint::JambaChat)),
        timestamp: None,
        request: Body::Json(&request),
        status: Some(200),
        response: Body::EventStream(&answer.body),
    };
    assert!(
        validator()
            .validate_exchange(&exchange)
            .expect("checkable")
            .is_clean()
    );
}

#[tokio::test]
async fn answers_are_deterministic_per_seed() {
    let first = post(CHAT, &chat_request()).await.body;
    assert_eq!(first, post(CHAT, &chat_request()).await.body);
    let reseeded = Config {
        seed: 42,
        ..Config::default()
    };
    let other = send_with(
        reseeded,
        "POST",
        CHAT,
        Some(KEY),
        chat_request().to_string(),
    )
    .await
    .body;
    assert_ne!(first, other);
}

#[tokio::test]
async fn a_missing_empty_or_unknown_key_gets_401() {
    let body = chat_request().to_string();
    for key in [None, Some(""), Some("  ")] {
        let answer = send_with(Config::default(), "POST", CHAT, key, body.clone()).await;
        assert_eq!(answer.status, 401, "{key:?}");
        assert_eq!(answer.json(), json!({"detail": UNAUTHORIZED_DETAIL}));
    }
    let keys = Config {
        keys: Some(BTreeSet::from(["the-right-key".to_owned()])),
        ..Config::default()
    };
    assert_eq!(
        send_with(
            keys.clone(),
            "POST",
            CHAT,
            Some("a-wrong-key"),
            body.clone()
        )
        .await
        .status,
        401
    );
    assert_eq!(
        send_with(keys, "POST", CHAT, Some("the-right-key"), body)
            .await
            .status,
        200
    );
}

/// Sends `body` to `path` with `authorization` as the whole header value.
async fn with_authorization(
    config: Config,
    path: &str,
    authorization: &str,
    body: String,
) -> (u16, Option<String>, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let request = axum::http::Request::post(path)
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .body(axum::body::Body::from(body))
        .expect("a request");
    let response = ai21_mock::router(config)
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    )
}

/// RFC 9110: the auth scheme is case-insensitive, and one or more spaces separate it
/// from the token.
#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_spaces_may_repeat() {
    let mut streamed = chat_request();
    streamed["stream"] = json!(true);
    let keys = Config {
        keys: Some(BTreeSet::from([KEY.to_owned()])),
        ..Config::default()
    };
    let accepted = [
        format!("Bearer {KEY}"),
        format!("bearer {KEY}"),
        format!("BEARER {KEY}"),
        format!("bEaReR {KEY}"),
        format!("Bearer   {KEY}"),
        format!("bearer \t {KEY}"),
        format!("  Bearer {KEY}  "),
    ];
    for authorization in &accepted {
        for config in [Config::default(), keys.clone()] {
            let (status, _, body) =
                with_authorization(config, CHAT, authorization, chat_request().to_string()).await;
            assert_eq!(status, 200, "{authorization:?}: {body}");
        }
        let (status, _, body) = with_authorization(
            keys.clone(),
            J2,
            authorization,
            json!({"prompt": "x"}).to_string(),
        )
        .await;
        assert_eq!(status, 200, "J2, {authorization:?}: {body}");
        // The streaming path authenticates the same way.
        let (status, content_type, body) =
            with_authorization(keys.clone(), CHAT, authorization, streamed.to_string()).await;
        assert_eq!(status, 200, "streamed, {authorization:?}: {body}");
        assert_eq!(content_type.as_deref(), Some("text/event-stream"));
        assert!(body.ends_with("data: [DONE]\n\n"), "{body}");
    }
    let refused = [
        KEY.to_owned(),
        format!("Basic {KEY}"),
        format!("Token {KEY}"),
        format!("Bearer{KEY}"),
        format!("Bearers {KEY}"),
        "Bearer".to_owned(),
        "bearer   ".to_owned(),
        format!("Bearer {KEY} extra"),
    ];
    for authorization in &refused {
        for body in [chat_request(), streamed.clone()] {
            let (status, _, answer) =
                with_authorization(Config::default(), CHAT, authorization, body.to_string()).await;
            assert_eq!(status, 401, "{authorization:?}: {answer}");
            assert_eq!(
                serde_json::from_str::<Value>(&answer).expect("JSON"),
                json!({"detail": UNAUTHORIZED_DETAIL})
            );
        }
    }
    // The scheme's case does not let a wrong key in.
    let (status, _, _) =
        with_authorization(keys, CHAT, "bearer not-the-key", chat_request().to_string()).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn client_mistakes_get_their_status_in_the_error_envelope() {
    let cases: Vec<(&str, &str, String, u16)> = vec![
        ("POST", CHAT, "{\"model\": ".to_owned(), 400),
        ("POST", CHAT, "not json".to_owned(), 400),
        ("GET", CHAT, String::new(), 405),
        ("PUT", J2, String::new(), 405),
        ("POST", "/studio/v1/chat", String::new(), 404),
        // Azure's OpenAI-style paths are served (tests/it/dialects.rs); others are not.
        ("POST", "/v1/embeddings", String::new(), 404),
        (
            "POST",
            CHAT,
            json!({"model": "jamba-mini", "messages": []}).to_string(),
            422,
        ),
        ("POST", J2, json!({"prompt": 7}).to_string(), 422),
    ];
    for (method, path, body, status) in cases {
        let answer = send_with(Config::default(), method, path, Some(KEY), body.clone()).await;
        assert_eq!(
            answer.status, status,
            "{method} {path} {body}: {}",
            answer.body
        );
        assert_error_envelope(&answer.json());
    }
    let small = Config {
        body_limit: 64,
        ..Config::default()
    };
    let answer = send_with(small, "POST", CHAT, Some(KEY), chat_request().to_string()).await;
    assert_eq!(answer.status, 413);
    assert_error_envelope(&answer.json());
}

#[tokio::test]
async fn a_422_lists_every_finding_with_its_location() {
    let request =
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": ""}], "n": 20});
    let answer = post(CHAT, &request).await;
    assert_eq!(answer.status, 422);
    let problems = answer.json()["detail"]
        .as_array()
        .cloned()
        .expect("a list of problems");
    let located: Vec<(Value, Value)> = problems
        .iter()
        .map(|problem| (problem["loc"].clone(), problem["type"].clone()))
        .collect();
    assert!(
        located.contains(&(
            json!(["body", "messages", 0, "content"]),
            json!("schema/minLength")
        )),
        "{located:?}"
    );
    assert!(
        located.contains(&(json!(["body", "n"]), json!("schema/maximum"))),
        "{located:?}"
    );
}

#[tokio::test]
async fn unknown_fields_are_tolerated_and_reported_unless_strict() {
    let mut request = chat_request();
    request["maxTokens"] = json!(20);
    let answer = post(CHAT, &request).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let findings = answer.header(FINDINGS_HEADER).expect("the findings header");
    assert!(
        findings.starts_with("1: schema/additionalProperties"),
        "{findings}"
    );

    let answer = send_with(strict(), "POST", CHAT, Some(KEY), request.to_string()).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("did you mean"), "{}", answer.body);
}

fn strict() -> Config {
    Config {
        strict: true,
        ..Config::default()
    }
}

#[tokio::test]
async fn warnings_never_refuse_a_request_and_are_reported_once() {
    // A retired J2 model, named by the path and by the body: answered in both modes, with
    // one drift/retired-model finding in the header.
    for config in [Config::default(), strict()] {
        let strict = config.strict;
        let body = json!({"model": "j2-mid", "prompt": "x"});
        let answer = send_with(config, "POST", J2, Some(KEY), body.to_string()).await;
        assert_eq!(answer.status, 200, "strict {strict}: {}", answer.body);
        let findings = answer.header(FINDINGS_HEADER).expect("the findings header");
        assert_eq!(
            findings.matches("drift/retired-model").count(),
            1,
            "strict {strict}: {findings}"
        );
    }
    // Named by the path only, the finding is at the endpoint.
    let answer = send_with(
        strict(),
        "POST",
        J2,
        Some(KEY),
        json!({"prompt": "x"}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer
            .header(FINDINGS_HEADER)
            .is_some_and(|findings| findings.contains("drift/retired-model")),
        "{:?}",
        answer.header(FINDINGS_HEADER)
    );
}

#[tokio::test]
async fn contract_errors_are_refused_in_both_modes() {
    let request =
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "n": 20});
    for config in [Config::default(), strict()] {
        let answer = send_with(config, "POST", CHAT, Some(KEY), request.to_string()).await;
        assert_eq!(answer.status, 422, "{}", answer.body);
        assert_eq!(answer.json()["detail"][0]["type"], "schema/maximum");
    }
}

/// JSON has one number type: an integral number written with a fraction or an exponent
/// is an integer (`3806.0`; the typed models read it as one), and an integer past what
/// the typed models hold (2^64 and more) is a valid one. Both are answered as the numbers
/// they are, in strict mode; Schemathesis found both refused (issue 12). `30.5` is not an
/// integer, to the schema or the types: 422.
#[tokio::test]
async fn integers_are_read_however_they_are_written() {
    let count = |json: &Value, list: &str| json[list].as_array().map_or(0, Vec::len);
    type Answered<'a> = &'a dyn Fn(&Value) -> bool;
    let cases: [(&str, &str, Answered); 3] = [
        (
            J2,
            r#"{"prompt": "x", "maxTokens": 5.0, "numResults": 2e0}"#,
            &|json| count(json, "completions") == 2,
        ),
        (
            // minTokens past maxTokens is capped at it: the completion reaches 5 tokens.
            J2,
            r#"{"prompt": "x", "maxTokens": 5, "minTokens": 264048208733748670804211962197758181376, "epoch": 1e30}"#,
            &|json| {
                json["completions"][0]["finishReason"] == json!({"reason": "length", "length": 5})
            },
        ),
        (
            CHAT,
            r#"{"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "n": 2.0, "max_tokens": 3.0}"#,
            &|json| count(json, "choices") == 2,
        ),
    ];
    for (path, body, answered) in cases {
        let answer = send_with(strict(), "POST", path, Some(KEY), body).await;
        assert_eq!(answer.status, 200, "{body}: {}", answer.body);
        assert!(answered(&answer.json()), "{body}: {}", answer.body);
    }
    let body = r#"{"prompt": "x", "maxTokens": 30.5}"#;
    let answer = send_with(Config::default(), "POST", J2, Some(KEY), body).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.json()["detail"][0]["loc"],
        json!(["body", "maxTokens"])
    );
    // Read as integers, the rules see them too: n = 2.0 needs a temperature above 0.
    let body = r#"{"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "n": 2.0, "temperature": 0}"#;
    let answer = send_with(Config::default(), "POST", CHAT, Some(KEY), body).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.json()["detail"][0]["type"],
        "jamba/n-needs-temperature"
    );
}

#[tokio::test]
async fn the_key_never_appears_in_an_answer() {
    let key = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";
    for (path, body) in [
        (CHAT, chat_request().to_string()),
        (CHAT, "{".to_owned()),
        ("/nope", String::new()),
    ] {
        let answer = send_with(Config::default(), "POST", path, Some(key), body).await;
        assert!(!answer.body.contains(key), "{}", answer.body);
        for (_, value) in answer.response.headers() {
            assert!(!value.to_str().unwrap_or_default().contains(key));
        }
    }
}

#[tokio::test]
async fn a_real_socket_on_loopback_serves_clients() {
    let mock = ai21_mock::RunningMock::start(
        "127.0.0.1:0".parse().expect("an address"),
        Config::default(),
    )
    .await
    .expect("binds loopback");
    assert!(mock.addr.ip().is_loopback());
    // The workspace's reqwest has rustls without a provider of its own (no C/cmake build).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}{CHAT}", mock.base_url()))
        .bearer_auth(KEY)
        .json(&chat_request())
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
    mock.stop().await.expect("stops cleanly");
}
