//! A stand-in for the partner clouds, in front of the Studio mock, for the tests of the
//! dialects: `ai21-verify`'s own (`fooling.rs`, module `dialects`) and the command line's
//! (`crates/ai21-contract/tests/it/verify_partner.rs`, which includes this file by path).
//!
//! It checks each request's credential as the partner would (Bedrock: the SigV4 signature
//! computed again with the secret it expects, at the request's `x-amz-date`; Vertex: the
//! bearer token; Azure: the `api-key`), turns the partner's request into Studio's (the
//! model from the path back into the body, the stream from the path), forwards it to the
//! mock, and writes the mock's answer as the partner does: Bedrock's J2 `"id": 1234`,
//! Jamba's `meta` and `model` without `logprobs`, its stream as AWS event-stream messages
//! with the invocation metrics on the last chunk, its errors `{"message": ...}`; Vertex's
//! `meta` and versioned `model`, Google's errors; Azure's `created` and `object`, Azure's
//! errors; AI21's own 422 passed through by Vertex and Azure. Every request it saw is kept
//! for the tests to look at.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ai21_schemas::{Dialect, Endpoint, Recognition, Route};
use ai21_verify::Credentials;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A request as the stand-in saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// The path and query.
    pub(crate) path: String,
    /// Every header, lowercase names.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// Whether it carried a valid credential (`None`: it carried none).
    pub(crate) authenticated: Option<bool>,
}

impl Seen {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Clone)]
struct StandIn {
    upstream: String,
    dialect: Dialect,
    expected: Arc<Credentials>,
    seen: Arc<Mutex<Vec<Seen>>>,
    client: reqwest::Client,
}

/// Starts a stand-in for `dialect` that takes `expected` and forwards to the Studio mock
/// at `upstream`, on loopback, in the current tokio runtime; returns its base URL and
/// what it sees.
pub(crate) async fn start(
    upstream: String,
    dialect: Dialect,
    expected: Credentials,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds loopback");
    let addr = listener.local_addr().expect("an address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stand_in = StandIn {
        upstream,
        dialect,
        expected: Arc::new(expected),
        seen: Arc::clone(&seen),
        client: ai21_verify::http_client().expect("a client"),
    };
    let app = Router::new().fallback(answer).with_state(stand_in);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

async fn answer(State(stand_in): State<StandIn>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    let path = parts.uri.path_and_query().map_or_else(
        || parts.uri.path().to_owned(),
        |path| path.as_str().to_owned(),
    );
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut seen = Seen {
        path: path.clone(),
        headers,
        body: body.clone(),
        authenticated: None,
    };
    seen.authenticated = authenticated(&stand_in, &seen);
    stand_in
        .seen
        .lock()
        .expect("not poisoned")
        .push(seen.clone());
    let dialect = stand_in.dialect;
    match seen.authenticated {
        Some(true) => {}
        None => return refuse(dialect, 0, "no credential"),
        Some(false) => return refuse(dialect, 1, "the credential does not match"),
    }
    let Recognition::Route(route) = Route::recognise("", &path, Some(dialect)) else {
        return refuse(dialect, 404, "Not Found");
    };
    let (studio_path, body) = studio_request(&route, body);
    let Ok(upstream) = stand_in
        .client
        .post(format!("{}{studio_path}", stand_in.upstream))
        .header("content-type", "application/json")
        .bearer_auth("stand-in")
        .body(body)
        .send()
        .await
    else {
        return (StatusCode::BAD_GATEWAY, "upstream failed").into_response();
    };
    let status = upstream.status().as_u16();
    let content_type = upstream
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let text = upstream.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return partner_error(dialect, status, text);
    }
    if content_type.starts_with("text/event-stream") {
        return partner_stream(&route, &text);
    }
    let mut answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    partner_answer(&route, &mut answer);
    json_response(StatusCode::OK, &answer)
}

/// Whether the request carries the credential expected (`None`: none at all).
fn authenticated(stand_in: &StandIn, seen: &Seen) -> Option<bool> {
    match stand_in.expected.as_ref() {
        Credentials::Bearer(token) => {
            let given = seen.header("authorization")?;
            Some(given == format!("Bearer {}", token.expose()))
        }
        Credentials::AzureKey(key) => Some(seen.header("api-key")? == key.expose()),
        Credentials::SigV4(signer) => {
            let given = seen.header("authorization")?;
            let Some(time) = seen.header("x-amz-date").and_then(amz_date) else {
                return Some(false);
            };
            let host = seen.header("host").unwrap_or_default();
            let url = format!("http://{host}{}", seen.path);
            let mut signed: Vec<(&str, &str)> = Vec::new();
            if let Some(content_type) = seen.header("content-type") {
                signed.push(("content-type", content_type));
            }
            let Ok(expected) = signer
                .clone()
                .at(time)
                .sign("POST", &url, &signed, &seen.body)
            else {
                return Some(false);
            };
            let header = |name: &str| {
                expected
                    .iter()
                    .find(|(found, _)| found == name)
                    .map(|(_, value)| value.as_str())
            };
            Some(
                header("authorization") == Some(given)
                    && header("x-amz-security-token") == seen.header("x-amz-security-token"),
            )
        }
    }
}

/// The time of an `x-amz-date` (`20240923T120000Z`).
fn amz_date(text: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    if text.len() != 16 || text.as_bytes()[8] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// The Studio path and body a partner's request stands for.
fn studio_request(route: &Route, body: Vec<u8>) -> (String, Vec<u8>) {
    let model = route.model.as_deref().unwrap_or("jamba-mini");
    let studio_model = if model.contains("ultra") {
        "j2-ultra"
    } else if model.contains("j2-") {
        "j2-mid"
    } else if model.contains("large") {
        "jamba-1.5-large"
    } else {
        "jamba-1.5-mini"
    };
    let path = match &route.endpoint {
        Endpoint::J2Complete { .. } => format!("/studio/v1/{studio_model}/complete"),
        Endpoint::JambaChat => "/studio/v1/chat/completions".to_owned(),
    };
    let Ok(Value::Object(mut request)) = serde_json::from_slice::<Value>(&body) else {
        return (path, body);
    };
    if route.endpoint == Endpoint::JambaChat && route.dialect != Dialect::Azure {
        request.insert("model".to_owned(), json!(studio_model));
    }
    if route.endpoint == Endpoint::JambaChat && route.dialect == Dialect::Azure {
        request
            .entry("model")
            .or_insert_with(|| json!("jamba-mini"));
    }
    if route.stream == Some(true) {
        request.insert("stream".to_owned(), json!(true));
    }
    (path, Value::Object(request).to_string().into_bytes())
}

/// The model a partner names in its answers.
fn answer_model(route: &Route) -> Value {
    match route.dialect {
        Dialect::Bedrock
            if route
                .model
                .as_deref()
                .is_some_and(|model| model.contains("large")) =>
        {
            json!("jamba-1.5-large")
        }
        Dialect::Bedrock => json!("jamba-1.5-mini"),
        _ => json!(route.model.as_deref().unwrap_or("jamba-1.5-mini")),
    }
}

/// A success answer as the partner writes it.
fn partner_answer(route: &Route, answer: &mut Value) {
    let Value::Object(members) = answer else {
        return;
    };
    match (route.dialect, &route.endpoint) {
        (Dialect::Bedrock, Endpoint::J2Complete { .. }) => {
            members.insert("id".to_owned(), json!(1234));
        }
        (Dialect::Bedrock | Dialect::Vertex, Endpoint::JambaChat) => {
            if route.dialect == Dialect::Bedrock
                && let Some(Value::Array(choices)) = members.get_mut("choices")
            {
                for choice in choices.iter_mut().filter_map(Value::as_object_mut) {
                    choice.remove("logprobs");
                }
            }
            members.insert("meta".to_owned(), json!({"requestDurationMillis": 7}));
            members.insert("model".to_owned(), answer_model(route));
        }
        (Dialect::Azure, _) => {
            members.insert("created".to_owned(), json!(1_733_000_000));
            members.insert("object".to_owned(), json!("chat.completion"));
        }
        _ => {}
    }
}

/// A streamed answer as the partner writes it: Bedrock's in AWS event-stream messages,
/// the others' as the mock's `text/event-stream`.
fn partner_stream(route: &Route, text: &str) -> Response {
    if route.dialect != Dialect::Bedrock {
        return Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/event-stream")
            .body(Body::from(text.to_owned()))
            .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response());
    }
    let mut chunks: Vec<Value> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .filter_map(|data| serde_json::from_str(data).ok())
        .collect();
    if let Some(Value::Object(last)) = chunks.last_mut() {
        last.insert(
            "amazon-bedrock-invocationMetrics".to_owned(),
            json!({"inputTokenCount": 3, "outputTokenCount": 2, "invocationLatency": 9, "firstByteLatency": 4}),
        );
    }
    let mut bytes = Vec::new();
    for chunk in &chunks {
        bytes.extend(ai21_mock::eventstream::encode_chunk(
            chunk.to_string().as_bytes(),
        ));
    }
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", ai21_mock::eventstream::CONTENT_TYPE)
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}

/// A refusal of the stand-in itself: no credential (`0`), a wrong one (`1`), or a status.
fn refuse(dialect: Dialect, status: u16, message: &str) -> Response {
    let status = match (dialect, status) {
        (Dialect::Bedrock, 0 | 1) => 403,
        (_, 0 | 1) => 401,
        (_, status) => status,
    };
    partner_error(dialect, status, json!({"detail": message}).to_string())
}

/// An error as the partner writes it: Bedrock's `{"message"}`; AI21's 422 passed through
/// by Vertex and Azure, their own errors otherwise.
fn partner_error(dialect: Dialect, status: u16, text: String) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let message = text.chars().take(200).collect::<String>();
    match dialect {
        Dialect::Studio => json_response(code, &serde_json::from_str(&text).unwrap_or(Value::Null)),
        Dialect::Bedrock => {
            let (status, kind) = match status {
                403 => (StatusCode::FORBIDDEN, "AccessDeniedException"),
                404 => (StatusCode::NOT_FOUND, "UnknownOperationException"),
                _ => (StatusCode::BAD_REQUEST, "ValidationException"),
            };
            let mut response = json_response(
                status,
                &json!({"message": format!("Malformed input request: {message}")}),
            );
            if let Ok(value) = kind.parse() {
                response.headers_mut().insert("x-amzn-errortype", value);
            }
            response
        }
        Dialect::Vertex | Dialect::Azure if status == 422 => {
            json_response(code, &serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Dialect::Vertex => json_response(
            code,
            &json!({"error": {"code": status, "message": message, "status": "INVALID_ARGUMENT"}}),
        ),
        Dialect::Azure => json_response(
            code,
            &json!({"error": {"code": status.to_string(), "message": message}}),
        ),
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}
