//! The partner routes: Bedrock, Vertex and Azure answer as each platform does, and every
//! answer, refusal included, validates against the dialect's schemas along its route.

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;

use ai21_mock::dialect::{AZURE_DEFAULT_MODEL, BEDROCK_METRICS};
use ai21_mock::{Config, Fault, Faults, RecordedExchange};
use ai21_validate::eventstream::{Content, decode};
use ai21_validate::{Body, Dialect, Exchange, PayloadKind, Recognition, Report, Route, Validator};
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{Answer, send_headers};

/// A SigV4 `Authorization` as botocore writes it (AWS's documented example key id; the
/// signature is made up: the mock does not check it).
const SIGV4: &str = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4cb4b1e37a3f1c1e0f4b8a3d";
/// A Google access token (not a real one).
const GOOGLE: &str = "Bearer ya29.test-token";
/// A Vertex model path without its method.
const VERTEX: &str =
    "/v1/projects/test-project/locations/us-central1/publishers/ai21/models/jamba-1.5-mini@001";

fn chat() -> Value {
    json!({"messages": [{"role": "user", "content": "Tell me something about honey."}], "max_tokens": 64})
}

fn j2() -> Value {
    json!({"prompt": "These are a few of my favorite", "maxTokens": 8, "numResults": 2})
}

/// The route of a path the mock serves in `dialect`.
fn route(dialect: Dialect, path: &str) -> Route {
    match Route::recognise("", path, Some(dialect)) {
        Recognition::Route(route) => {
            assert_eq!(route.dialect, dialect, "{path}");
            route
        }
        other => panic!("{path}: {other:?}"),
    }
}

async fn send(dialect_headers: &[(&str, &str)], path: &str, body: &Value) -> Answer {
    send_headers(
        Config::default(),
        "POST",
        path,
        dialect_headers,
        body.to_string(),
    )
    .await
}

/// Checks the exchange along its route with the validator, as `validate` checks a
/// capture: a Bedrock stream with the event-stream check, and the request on its own.
fn check(route: &Route, request: &Value, answer: &Answer) -> Report {
    let validator = Validator::shared();
    let content_type = answer.header("content-type").unwrap_or_default().to_owned();
    if content_type == "application/vnd.amazon.eventstream" {
        let mut report = validator.validate_request_on(route, request);
        let stream = validator.validate_event_stream(&answer.bytes, route.dialect);
        assert!(
            stream.reassembled.is_some(),
            "the stream is not reassembled: {}",
            stream.report
        );
        report.findings.extend(stream.report.findings);
        return report;
    }
    let response_json;
    let response = if content_type == "text/event-stream" {
        Body::EventStream(&answer.body)
    } else {
        response_json = answer.json();
        Body::Json(&response_json)
    };
    let exchange = Exchange {
        route: Some(route),
        timestamp: None,
        request: Body::Json(request),
        status: Some(answer.status),
        response,
    };
    validator
        .validate_exchange(&exchange)
        .expect("the exchange can be checked")
}

/// An answer that checks without an error along its route (warnings, such as Bedrock's
/// model ids being unknown to the model list, are allowed).
fn assert_valid(route: &Route, request: &Value, answer: &Answer) {
    let report = check(route, request, answer);
    assert!(
        !report.has_errors(),
        "{} {}: {}\n{report}",
        route.dialect,
        answer.status,
        answer.body
    );
}

/// An error body that is the dialect's error shape.
fn assert_error_shape(dialect: Dialect, answer: &Answer) {
    let report =
        Validator::shared().validate_in(dialect, PayloadKind::ErrorResponse, &answer.json());
    assert!(
        !report.has_errors(),
        "{dialect} {}: not the error shape: {}\n{report}",
        answer.status,
        answer.body
    );
}

fn is_uuid(text: &str) -> bool {
    let lengths: Vec<usize> = text.split('-').map(str::len).collect();
    lengths == [8, 4, 4, 4, 12] && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

// --- Bedrock --------------------------------------------------------------------------

#[tokio::test]
async fn bedrock_answers_j2_with_its_integer_id() {
    let path = "/model/ai21.j2-mid-v1/invoke";
    let answer = send(&[("authorization", SIGV4)], path, &j2()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["id"], 1234);
    assert_eq!(body["completions"].as_array().map(Vec::len), Some(2));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(
        answer.header("x-amzn-requestid").is_some_and(is_uuid),
        "{:?}",
        answer.header("x-amzn-requestid")
    );
    assert_valid(&route(Dialect::Bedrock, path), &j2(), &answer);
    // The check is the dialect's: Bedrock's schema refuses Studio's string id.
    let mut studio_id = body.clone();
    studio_id["id"] = json!("c3e5117c-8d76-5f9e-79cd-91051f840d8a");
    assert!(
        Validator::shared()
            .validate_in(
                Dialect::Bedrock,
                PayloadKind::J2CompleteResponse,
                &studio_id
            )
            .has_errors()
    );
}

#[tokio::test]
async fn bedrock_answers_jamba_with_meta_and_model_and_no_logprobs() {
    for path in [
        "/model/ai21.jamba-1-5-mini-v1%3A0/invoke",
        "/model/ai21.jamba-1-5-mini-v1:0/invoke",
    ] {
        let answer = send(&[("authorization", SIGV4)], path, &chat()).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let body = answer.json();
        assert_eq!(body["model"], "jamba-1.5-mini", "{path}");
        assert!(body["meta"]["requestDurationMillis"].is_u64(), "{body}");
        assert!(
            body["id"]
                .as_str()
                .and_then(|id| id.strip_prefix("chatcmpl-"))
                .is_some_and(is_uuid),
            "{body}"
        );
        for choice in body["choices"].as_array().expect("choices") {
            assert!(choice.get("logprobs").is_none(), "{choice}");
        }
        assert!(answer.header("x-amzn-requestid").is_some_and(is_uuid));
        assert_valid(&route(Dialect::Bedrock, path), &chat(), &answer);
    }
    let large = send(
        &[("authorization", SIGV4)],
        "/model/ai21.jamba-1-5-large-v1:0/invoke",
        &chat(),
    )
    .await;
    assert_eq!(large.json()["model"], "jamba-1.5-large");
}

#[tokio::test]
async fn bedrock_streams_event_stream_frames_ending_with_the_metrics() {
    let path = "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream";
    // The path asks for the stream: the body says nothing of it, as the SDK sends it.
    let answer = send(&[("authorization", SIGV4)], path, &chat()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("application/vnd.amazon.eventstream")
    );
    let frames = decode(&answer.bytes);
    let chunks: Vec<Value> = frames
        .iter()
        .map(|frame| match &frame.content {
            Content::Chunk(bytes) => serde_json::from_slice(bytes).expect("a JSON chunk"),
            other => panic!("not a chunk event: {other:?}"),
        })
        .collect();
    assert!(chunks.len() >= 4, "{chunks:?}");
    let (metrics, model_chunks) = chunks.split_last().expect("chunks");
    assert_eq!(
        metrics
            .as_object()
            .map(|object| object.keys().collect::<Vec<_>>()),
        Some(vec![&BEDROCK_METRICS.to_owned()]),
        "the last event carries the metrics alone: {metrics}"
    );
    let last = model_chunks.last().expect("a model chunk");
    assert!(last["choices"][0]["finish_reason"].is_string(), "{last}");
    assert!(last["usage"]["total_tokens"].is_u64(), "{last}");
    assert_eq!(
        metrics[BEDROCK_METRICS]["outputTokenCount"],
        last["usage"]["completion_tokens"]
    );
    for chunk in model_chunks {
        assert!(chunk["choices"][0].get("logprobs").is_none(), "{chunk}");
        assert_eq!(chunk["id"], model_chunks[0]["id"]);
    }
    assert_valid(&route(Dialect::Bedrock, path), &chat(), &answer);
}

#[tokio::test]
async fn bedrock_path_decides_the_stream_whatever_the_body_says() {
    let mut body = chat();
    body["stream"] = json!(true);
    let path = "/model/ai21.jamba-1-5-mini-v1:0/invoke";
    let answer = send(&[("authorization", SIGV4)], path, &body).await;
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_valid(&route(Dialect::Bedrock, path), &body, &answer);
}

#[tokio::test]
async fn bedrock_refuses_in_its_own_error_shape() {
    let validation = |answer: &Answer| {
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert!(
            answer
                .header("x-amzn-errortype")
                .is_some_and(|kind| kind.starts_with("ValidationException:")),
            "{:?}",
            answer.header("x-amzn-errortype")
        );
        assert!(answer.header("x-amzn-requestid").is_some_and(is_uuid));
        assert_error_shape(Dialect::Bedrock, answer);
    };

    // A broken request field.
    let mut broken = chat();
    broken["max_tokens"] = json!("many");
    let path = "/model/ai21.jamba-1-5-mini-v1:0/invoke";
    let answer = send(&[("authorization", SIGV4)], path, &broken).await;
    validation(&answer);
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.starts_with("Malformed input request: #/max_tokens: "),
        "{message}"
    );
    // The refusal is what the contract expects of Bedrock: only the request has errors.
    let report = check(&route(Dialect::Bedrock, path), &broken, &answer);
    assert!(report.has_errors());
    assert!(
        report
            .errors()
            .all(|finding| finding.pointer == "/max_tokens"),
        "{report}"
    );

    // J2 does not stream on Bedrock.
    let answer = send(
        &[("authorization", SIGV4)],
        "/model/ai21.j2-ultra-v1/invoke-with-response-stream",
        &j2(),
    )
    .await;
    validation(&answer);
    assert_eq!(
        answer.json()["message"],
        "The model is unsupported for streaming."
    );

    // Another provider's model.
    let answer = send(
        &[("authorization", SIGV4)],
        "/model/anthropic.claude-v2/invoke",
        &chat(),
    )
    .await;
    validation(&answer);
    assert_eq!(
        answer.json()["message"],
        "The provided model identifier is invalid."
    );

    // A body that is not JSON.
    let answer = send_headers(
        Config::default(),
        "POST",
        path,
        &[("authorization", SIGV4)],
        "{not json",
    )
    .await;
    validation(&answer);
}

#[tokio::test]
async fn bedrock_takes_any_sigv4_credential_and_denies_none() {
    let path = "/model/ai21.jamba-1-5-mini-v1:0/invoke";
    for missing in [
        send(&[], path, &chat()).await,
        send(&[], "/model/anthropic.claude-v2/invoke", &chat()).await,
    ] {
        assert_eq!(missing.status, 403, "{}", missing.body);
        assert!(
            missing
                .header("x-amzn-errortype")
                .is_some_and(|kind| kind.starts_with("AccessDeniedException:"))
        );
        assert_error_shape(Dialect::Bedrock, &missing);
    }
    // Bedrock's API keys are Bearer tokens.
    let bearer = send(
        &[("authorization", "Bearer bedrock-api-key")],
        path,
        &chat(),
    )
    .await;
    assert_eq!(bearer.status, 200, "{}", bearer.body);

    // With keys configured, the access key id is the key.
    let keys = Config {
        keys: Some(BTreeSet::from(["AKIAIOSFODNN7EXAMPLE".to_owned()])),
        ..Config::default()
    };
    let accepted = send_headers(
        keys.clone(),
        "POST",
        path,
        &[("authorization", SIGV4)],
        chat().to_string(),
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let other = SIGV4.replace("AKIAIOSFODNN7EXAMPLE", "AKIAOTHERKEYEXAMPLE0");
    let refused = send_headers(
        keys,
        "POST",
        path,
        &[("authorization", other.as_str())],
        chat().to_string(),
    )
    .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .header("x-amzn-errortype")
            .is_some_and(|kind| kind.starts_with("UnrecognizedClientException:"))
    );
    assert_error_shape(Dialect::Bedrock, &refused);
    assert!(!refused.body.contains("AKIA"), "{}", refused.body);
}

// --- Vertex ---------------------------------------------------------------------------

#[tokio::test]
async fn vertex_answers_raw_predict_with_its_versioned_model() {
    let path = format!("{VERTEX}:rawPredict");
    let answer = send(&[("authorization", GOOGLE)], &path, &chat()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["model"], "jamba-1.5-mini@001");
    assert!(body["meta"]["requestDurationMillis"].is_u64(), "{body}");
    assert!(
        body["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("chat-"))
    );
    assert_valid(&route(Dialect::Vertex, &path), &chat(), &answer);

    // LiteLLM keeps the model in the body.
    let mut with_model = chat();
    with_model["model"] = json!("jamba-1.5-mini@001");
    let answer = send(&[("authorization", GOOGLE)], &path, &with_model).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_valid(&route(Dialect::Vertex, &path), &with_model, &answer);
}

#[tokio::test]
async fn vertex_streams_server_sent_events_on_stream_raw_predict() {
    let path = format!("{VERTEX}:streamRawPredict");
    let answer = send(&[("authorization", GOOGLE)], &path, &chat()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("text/event-stream"));
    assert!(answer.body.ends_with("data: [DONE]\n\n"), "{}", answer.body);
    assert_valid(&route(Dialect::Vertex, &path), &chat(), &answer);
}

#[tokio::test]
async fn vertex_refuses_in_its_own_error_shapes() {
    let path = format!("{VERTEX}:rawPredict");
    let missing = send(&[], &path, &chat()).await;
    assert_eq!(missing.status, 401, "{}", missing.body);
    assert_eq!(missing.json()["error"]["status"], "UNAUTHENTICATED");
    assert_error_shape(Dialect::Vertex, &missing);

    // The model's container refuses a broken field, and Vertex passes its answer on.
    let mut broken = chat();
    broken["temperature"] = json!("hot");
    let refused = send(&[("authorization", GOOGLE)], &path, &broken).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.json()["detail"][0]["loc"],
        json!(["body", "temperature"])
    );
    assert_error_shape(Dialect::Vertex, &refused);

    // Another publisher's model is not AI21's.
    let other = send(
        &[("authorization", GOOGLE)],
        "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-pro:rawPredict",
        &chat(),
    )
    .await;
    assert_eq!(other.status, 404, "{}", other.body);
    assert_error_shape(Dialect::Vertex, &other);
}

// --- Azure ----------------------------------------------------------------------------

#[tokio::test]
async fn azure_answers_with_created_and_object_for_an_api_key() {
    let path = "/v1/chat/completions";
    let answer = send(&[("api-key", "azure-test-key")], path, &chat()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["object"], "chat.completion");
    assert!(
        body["created"]
            .as_u64()
            .is_some_and(|created| created >= 1_735_689_600)
    );
    // No model in the body: the deployment's.
    assert_eq!(body["model"], AZURE_DEFAULT_MODEL);
    assert_valid(&route(Dialect::Azure, path), &chat(), &answer);

    // The same request gets the same answer, `created` included.
    let again = send(&[("api-key", "azure-test-key")], path, &chat()).await;
    assert_eq!(again.body, answer.body);

    let mut named = chat();
    named["model"] = json!("jamba-1.5-large");
    let answer = send(
        &[("api-key", "azure-test-key")],
        "/chat/completions",
        &named,
    )
    .await;
    assert_eq!(answer.json()["model"], "jamba-1.5-large");
    assert_valid(&route(Dialect::Azure, "/chat/completions"), &named, &answer);
}

#[tokio::test]
async fn azure_streams_chunks_with_their_object_behind_an_api_version() {
    let path = "/models/chat/completions?api-version=2024-05-01-preview";
    let mut body = chat();
    body["stream"] = json!(true);
    let answer = send(&[("authorization", "Bearer entra-token")], path, &body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("text/event-stream"));
    assert!(
        answer.body.contains(r#""object":"chat.completion.chunk""#),
        "{}",
        answer.body
    );
    assert_valid(&route(Dialect::Azure, path), &body, &answer);
}

#[tokio::test]
async fn azure_refuses_in_its_own_error_shapes() {
    let missing = send(&[], "/v1/chat/completions", &chat()).await;
    assert_eq!(missing.status, 401, "{}", missing.body);
    assert!(missing.json()["error"]["message"].is_string());
    assert_error_shape(Dialect::Azure, &missing);
    let empty = send(&[("api-key", " ")], "/v1/chat/completions", &chat()).await;
    assert_eq!(empty.status, 401);

    let mut broken = chat();
    broken["n"] = json!(0);
    let refused = send(
        &[("api-key", "azure-test-key")],
        "/v1/chat/completions",
        &broken,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_error_shape(Dialect::Azure, &refused);
    let report = check(
        &route(Dialect::Azure, "/v1/chat/completions"),
        &broken,
        &refused,
    );
    assert!(
        report.errors().all(|finding| finding.pointer == "/n"),
        "{report}"
    );
}

// --- Faults and recording -------------------------------------------------------------

fn always(fault: Fault) -> Config {
    Config {
        faults: Faults {
            rate: 1.0,
            kinds: vec![fault],
            slow_delay: Duration::from_millis(10),
        },
        ..Config::default()
    }
}

/// One valid request per partner route: `(dialect, path, credential header, body)`.
fn partner_requests() -> Vec<(Dialect, String, (&'static str, &'static str), Value)> {
    let mut azure_stream = chat();
    azure_stream["stream"] = json!(true);
    vec![
        (
            Dialect::Bedrock,
            "/model/ai21.j2-mid-v1/invoke".to_owned(),
            ("authorization", SIGV4),
            j2(),
        ),
        (
            Dialect::Bedrock,
            "/model/ai21.jamba-1-5-mini-v1%3A0/invoke".to_owned(),
            ("authorization", SIGV4),
            chat(),
        ),
        (
            Dialect::Bedrock,
            "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream".to_owned(),
            ("authorization", SIGV4),
            chat(),
        ),
        (
            Dialect::Vertex,
            format!("{VERTEX}:rawPredict"),
            ("authorization", GOOGLE),
            chat(),
        ),
        (
            Dialect::Vertex,
            format!("{VERTEX}:streamRawPredict"),
            ("authorization", GOOGLE),
            chat(),
        ),
        (
            Dialect::Azure,
            "/v1/chat/completions".to_owned(),
            ("api-key", "azure-test-key"),
            chat(),
        ),
        (
            Dialect::Azure,
            "/v1/chat/completions".to_owned(),
            ("api-key", "azure-test-key"),
            azure_stream,
        ),
    ]
}

#[tokio::test]
async fn status_faults_answer_in_each_dialects_error_shape() {
    for (dialect, path, credential, body) in partner_requests() {
        for (fault, status) in [
            (Fault::TooManyRequests, 429),
            (Fault::ServerError, 500),
            (Fault::Unavailable, 503),
        ] {
            let answer = send_headers(
                always(fault),
                "POST",
                &path,
                &[credential],
                body.to_string(),
            )
            .await;
            assert_eq!(answer.status, status, "{path} {}", fault.name());
            assert_error_shape(dialect, &answer);
            if fault == Fault::TooManyRequests {
                assert_eq!(answer.header("retry-after"), Some("1"), "{path}");
            }
            if dialect == Dialect::Bedrock {
                let kind = answer.header("x-amzn-errortype").unwrap_or_default();
                let expected = match fault {
                    Fault::TooManyRequests => "ThrottlingException:",
                    Fault::ServerError => "InternalServerException:",
                    _ => "ServiceUnavailableException:",
                };
                assert!(kind.starts_with(expected), "{kind}");
            }
        }
        // A slow answer is the normal answer.
        let slow = send_headers(
            always(Fault::Slow),
            "POST",
            &path,
            &[credential],
            body.to_string(),
        )
        .await;
        assert_eq!(slow.status, 200, "{path}");
        assert_valid(&route(dialect, &path), &body, &slow);
    }
}

/// Sends one request to a recording mock and returns what it recorded, reading the
/// answer to its end (a cut one ends with an error, which is the point).
async fn recorded(
    config: Config,
    path: &str,
    header: (&str, &str),
    body: &Value,
) -> RecordedExchange {
    let (sender, receiver) = mpsc::channel();
    let config = Config {
        record: Some(sender),
        ..config
    };
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header(header.0, header.1)
        .body(axum::body::Body::from(body.to_string()))
        .expect("a request");
    let response = ai21_mock::router(config)
        .oneshot(request)
        .await
        .expect("the router answers");
    let _ = response.into_body().collect().await;
    let mut exchanges: Vec<RecordedExchange> = receiver.try_iter().collect();
    assert_eq!(exchanges.len(), 1, "{path}");
    exchanges.remove(0)
}

#[tokio::test]
async fn a_cut_bedrock_stream_breaks_off_between_messages() {
    let path = "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream";
    let whole = recorded(Config::default(), path, ("authorization", SIGV4), &chat()).await;
    let cut = recorded(always(Fault::Cut), path, ("authorization", SIGV4), &chat()).await;
    assert_eq!(cut.status, 200);
    assert!(!cut.response_body.is_empty());
    assert!(whole.response_body.starts_with(&cut.response_body));
    assert!(cut.response_body.len() < whole.response_body.len());
    let report = Validator::shared().validate_event_stream(&cut.response_body, Dialect::Bedrock);
    let rules: Vec<&str> = report.report.errors().map(|finding| finding.rule).collect();
    assert_eq!(
        rules,
        ["stream/eventstream-unfinished"],
        "{}",
        report.report
    );
}

#[tokio::test]
async fn partner_exchanges_are_recorded_with_their_dialect_and_real_path() {
    for (dialect, path, credential, body) in partner_requests() {
        let exchange = recorded(Config::default(), &path, credential, &body).await;
        assert_eq!(exchange.dialect, dialect, "{path}");
        assert_eq!(exchange.path_and_query, path);
        assert_eq!(exchange.status, 200, "{path}");
        for (name, value) in &exchange.request_headers {
            if name == credential.0 {
                assert_eq!(value, "[redacted]", "{path}");
            }
        }
        assert!(
            !format!("{exchange:?}").contains("AKIAIOSFODNN7EXAMPLE"),
            "the access key id was recorded"
        );
    }
    // Studio's paths are Studio's.
    let studio = recorded(
        Config::default(),
        "/studio/v1/chat/completions",
        ("authorization", "Bearer test-key-0000"),
        &json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]}),
    )
    .await;
    assert_eq!(studio.dialect, Dialect::Studio);
}

#[tokio::test]
async fn a_partner_path_outside_the_routes_gets_the_partners_404() {
    let answer = send(
        &[("authorization", SIGV4)],
        "/model/ai21.jamba-1-5-mini-v1:0/converse",
        &chat(),
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_error_shape(Dialect::Bedrock, &answer);
    let get = send_headers(
        Config::default(),
        "GET",
        "/model/ai21.jamba-1-5-mini-v1:0/invoke",
        &[("authorization", SIGV4)],
        "",
    )
    .await;
    assert_eq!(get.status, 405, "{}", get.body);
    assert_error_shape(Dialect::Bedrock, &get);
    // Studio's own paths keep Studio's envelope.
    let studio = send(&[], "/studio/v1/models", &chat()).await;
    assert_eq!(studio.status, 404);
    assert!(studio.json()["detail"].is_string());
}

#[tokio::test]
async fn partner_routes_keep_the_lenient_and_strict_modes() {
    let mut unknown = chat();
    unknown["maxTokens"] = json!(9);
    let path = "/model/ai21.jamba-1-5-mini-v1:0/invoke";
    let lenient = send(&[("authorization", SIGV4)], path, &unknown).await;
    assert_eq!(lenient.status, 200, "{}", lenient.body);
    assert!(
        lenient
            .header(ai21_mock::server::FINDINGS_HEADER)
            .is_some_and(|findings| findings.contains("schema/additionalProperties")),
        "{:?}",
        lenient.header(ai21_mock::server::FINDINGS_HEADER)
    );
    let strict = Config {
        strict: true,
        ..Config::default()
    };
    for (path, header, status) in [
        (path.to_owned(), ("authorization", SIGV4), 400),
        (
            format!("{VERTEX}:rawPredict"),
            ("authorization", GOOGLE),
            422,
        ),
        ("/v1/chat/completions".to_owned(), ("api-key", "k"), 422),
    ] {
        let refused = send_headers(
            strict.clone(),
            "POST",
            &path,
            &[header],
            unknown.to_string(),
        )
        .await;
        assert_eq!(refused.status, status, "{path}: {}", refused.body);
        assert!(refused.body.contains("maxTokens"), "{}", refused.body);
    }
}
