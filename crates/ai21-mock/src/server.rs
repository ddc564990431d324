//! The HTTP side of the mock: routes, authentication, request validation, errors in the
//! API's envelope, streaming, and fault injection.
//!
//! | request | answer |
//! |---|---|
//! | `POST /studio/v1/{model}/complete`, `POST /studio/v1/{model}/{custom}/complete` | a J2 completion |
//! | `POST /studio/v1/chat/completions` | a Jamba chat completion, or a `text/event-stream` with `stream: true` |
//! | no or empty `Authorization: Bearer <key>`, or a key outside the configured set | 401 |
//! | a body that is not JSON | 400 |
//! | a body larger than the limit | 413 |
//! | a request that breaks the contract | 422, `{"detail": [{"loc", "msg", "type"}]}` listing the findings |
//! | another method on an API path | 405 |
//! | any other path | 404 |
//!
//! Every error body is the API's envelope `{"detail": ...}`; a client mistake never gets
//! a 500 (only fault injection sends one).
//!
//! **Lenient and strict.** The real server ignores unknown request fields (clients that
//! sent extra keys got normal answers). By default the mock does the same: a request
//! whose only errors are unknown fields, or that only has warnings, is answered normally,
//! and its findings are reported in the `x-ai21-contract-findings` response header and
//! logged. Any other error is rejected with 422. With `strict`, every finding, warnings
//! included, is rejected with 422.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ai21_models::j2_complete_request::J2CompleteRequest;
use ai21_models::jamba_chat_request::JambaChatRequest;
use ai21_validate::{Finding, PayloadKind, Severity, Target, Validator};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::synth::{self, Rng};

/// The header that reports the findings of a request answered in lenient mode.
pub const FINDINGS_HEADER: &str = "x-ai21-contract-findings";

/// The body of a 401, as the real service sends it.
pub const UNAUTHORIZED_DETAIL: &str = "Forbidden: Bad or missing API token.";

/// How the mock behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed of every answer: the same seed and request give the same answer.
    pub seed: u64,
    /// The API keys accepted; `None` accepts any non-empty key.
    pub keys: Option<BTreeSet<String>>,
    /// Reject every finding, warnings included, with 422.
    pub strict: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Fault injection, off by default.
    pub faults: Faults,
    /// Where to send one line per request that had findings (the library prints nothing
    /// itself; `ai21-contract serve` prints these lines).
    pub log: Option<std::sync::mpsc::Sender<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 0,
            keys: None,
            strict: false,
            body_limit: 4 * 1024 * 1024,
            faults: Faults::default(),
            log: None,
        }
    }
}

/// Fault injection, for testing client resilience.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// The share of requests, 0 to 1, that get a fault instead of a normal answer.
    pub rate: f64,
    /// The faults to choose from, uniformly.
    pub kinds: Vec<Fault>,
    /// How long a slow answer waits before it is sent.
    pub slow_delay: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate: 0.0,
            kinds: Fault::ALL.to_vec(),
            slow_delay: Duration::from_secs(2),
        }
    }
}

/// A fault the mock can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// 429 with `Retry-After: 1`.
    TooManyRequests,
    /// 500.
    ServerError,
    /// 503.
    Unavailable,
    /// The normal answer, after [`Faults::slow_delay`].
    Slow,
    /// For a streamed answer, the connection is cut after half the events; other
    /// requests get a 503 instead.
    CutStream,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 5] = [
        Fault::TooManyRequests,
        Fault::ServerError,
        Fault::Unavailable,
        Fault::Slow,
        Fault::CutStream,
    ];

    /// The name used on the command line: `429`, `500`, `503`, `slow`, `cut`.
    pub const fn name(self) -> &'static str {
        match self {
            Fault::TooManyRequests => "429",
            Fault::ServerError => "500",
            Fault::Unavailable => "503",
            Fault::Slow => "slow",
            Fault::CutStream => "cut",
        }
    }

    /// The fault with this [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|fault| fault.name() == name)
    }
}

struct Shared {
    config: Config,
    validator: &'static Validator,
    requests: AtomicU64,
}

/// The mock's routes, ready to serve.
pub fn router(config: Config) -> Router {
    let shared = Arc::new(Shared {
        config,
        validator: Validator::shared(),
        requests: AtomicU64::new(0),
    });
    Router::new()
        .route("/studio/v1/chat/completions", post(chat))
        .route("/studio/v1/{model}/complete", post(complete))
        .route(
            "/studio/v1/{model}/{custom}/complete",
            post(complete_custom),
        )
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, json!("Method Not Allowed"))
        })
        .fallback(|| async { error(StatusCode::NOT_FOUND, json!("Not Found")) })
        .with_state(shared)
}

/// Serves the mock on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A mock running on a background task, for tests and the contract runner.
#[derive(Debug)]
pub struct RunningMock {
    /// The address it listens on.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningMock {
    /// Starts a mock on `addr` (port 0 picks a free port) in the current tokio runtime.
    pub async fn start(addr: SocketAddr, config: Config) -> std::io::Result<RunningMock> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(serve(listener, config, async {
            // A dropped sender stops the server too.
            let _ = receiver.await;
        }));
        Ok(RunningMock {
            addr,
            shutdown: Some(sender),
            task,
        })
    }

    /// The base URL to give a client, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.task)
            .await
            .unwrap_or_else(|error| Err(std::io::Error::other(error)))
    }
}

fn error(status: StatusCode, detail: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "detail": detail }).to_string(),
    )
        .into_response()
}

async fn chat(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    handle(&shared, request, Api::Chat).await
}

async fn complete(
    State(shared): State<Arc<Shared>>,
    Path(model): Path<String>,
    request: Request,
) -> Response {
    handle(&shared, request, Api::Complete { model }).await
}

async fn complete_custom(
    State(shared): State<Arc<Shared>>,
    Path((model, _custom)): Path<(String, String)>,
    request: Request,
) -> Response {
    handle(&shared, request, Api::Complete { model }).await
}

enum Api {
    Complete { model: String },
    Chat,
}

/// Whether the request carries an accepted `Authorization: Bearer <key>`.
fn authorized(headers: &HeaderMap, keys: Option<&BTreeSet<String>>) -> bool {
    let Some(key) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|key| !key.is_empty())
    else {
        return false;
    };
    keys.is_none_or(|keys| keys.contains(key))
}

/// A finding as a FastAPI-style validation problem: `loc` is `body` and the pointer's
/// parts, or `path` and `model` for the model a J2 URL names.
fn problem(finding: &Finding) -> Value {
    if finding.target == Target::Endpoint {
        return json!({"loc": ["path", "model"], "msg": finding.message, "type": finding.rule});
    }
    let mut location = vec![json!("body")];
    for part in finding.pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        location.push(
            part.parse::<u64>()
                .map_or_else(|_| json!(part), |index| json!(index)),
        );
    }
    json!({"loc": location, "msg": finding.message, "type": finding.rule})
}

/// The findings the real server tolerates: it ignores unknown request fields, and warnings
/// do not stop it.
fn tolerated(finding: &Finding) -> bool {
    finding.severity == Severity::Warning || finding.rule == "schema/additionalProperties"
}

fn findings_header(findings: &[&Finding]) -> Option<HeaderValue> {
    if findings.is_empty() {
        return None;
    }
    let listed: Vec<String> = findings
        .iter()
        .map(|finding| format!("{} at {:?}", finding.rule, finding.pointer))
        .collect();
    let mut text = format!("{}: {}", findings.len(), listed.join("; "));
    text.truncate(2000);
    // Rules and pointers are ASCII in practice; anything else is replaced.
    let text: String = text
        .chars()
        .map(|character| {
            if character.is_ascii_graphic() || character == ' ' {
                character
            } else {
                '?'
            }
        })
        .collect();
    HeaderValue::from_str(&text).ok()
}

async fn handle(shared: &Shared, request: Request, api: Api) -> Response {
    let config = &shared.config;
    let (parts, body) = request.into_parts();
    if !authorized(&parts.headers, config.keys.as_ref()) {
        return error(StatusCode::UNAUTHORIZED, json!(UNAUTHORIZED_DETAIL));
    }
    let bytes = match axum::body::to_bytes(body, config.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!(format!(
                    "request body is larger than the limit of {} bytes",
                    config.body_limit
                )),
            );
        }
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(parse_error) => {
            return error(
                StatusCode::BAD_REQUEST,
                json!(format!("malformed JSON body: {parse_error}")),
            );
        }
    };
    let kind = match api {
        Api::Complete { .. } => PayloadKind::J2CompleteRequest,
        Api::Chat => PayloadKind::JambaChatRequest,
    };
    let mut report = shared.validator.validate(kind, &body);
    if let Api::Complete { model } = &api {
        // The path names the J2 model; the validator checks its name like a body `model`.
        let finding = shared.validator.check_model_name(model, "");
        report
            .findings
            .extend(finding.map(|finding| finding.with_target(Target::Endpoint)));
    }
    let rejected: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| config.strict || !tolerated(finding))
        .collect();
    if let Some(log) = &config.log
        && !report.findings.is_empty()
    {
        let verdict = if rejected.is_empty() {
            "answered"
        } else {
            "refused with 422"
        };
        let mut line = format!(
            "POST {}: {verdict}, {} finding(s)",
            parts.uri.path(),
            report.findings.len()
        );
        for finding in &report.findings {
            line.push_str(&format!(
                "\n  {}[{}] at {:?}: {}",
                finding.severity, finding.rule, finding.pointer, finding.message
            ));
        }
        // A closed log (its reader went away) is not the client's problem.
        let _ = log.send(line);
    }
    if !rejected.is_empty() {
        let problems: Vec<Value> = rejected.iter().map(|finding| problem(finding)).collect();
        return error(StatusCode::UNPROCESSABLE_ENTITY, Value::Array(problems));
    }
    let reported: Vec<&Finding> = report.findings.iter().collect();
    let findings = findings_header(&reported);

    let number = shared.requests.fetch_add(1, Ordering::Relaxed);
    let fault = pick_fault(&config.faults, config.seed, number);
    if let Some(fault @ (Fault::TooManyRequests | Fault::ServerError | Fault::Unavailable)) = fault
    {
        return fault_response(fault);
    }
    if fault == Some(Fault::Slow) {
        tokio::time::sleep(config.faults.slow_delay).await;
    }

    // The answer is built from the typed request, without the fields the server ignores.
    let mut cleaned = body;
    for pointer in shared.validator.unknown_fields(kind, &cleaned) {
        remove_pointer(&mut cleaned, &pointer);
    }
    let mut response = match api {
        Api::Complete { .. } => match serde_json::from_value::<J2CompleteRequest>(cleaned) {
            Ok(request) => {
                let answer = synth::j2_complete(&request, config.seed);
                json_response(&answer, answer_id(&answer.id))
            }
            Err(parse_error) => typed_parse_failure(&parse_error),
        },
        Api::Chat => match serde_json::from_value::<JambaChatRequest>(cleaned) {
            Ok(request) if request.stream == Some(true) => {
                let cut = fault == Some(Fault::CutStream);
                stream_response(&request, config.seed, cut)
            }
            Ok(_) if fault == Some(Fault::CutStream) => fault_response(Fault::Unavailable),
            Ok(request) => {
                let answer = synth::jamba_chat(&request, config.seed);
                let id = answer.id.clone();
                json_response(&answer, id)
            }
            Err(parse_error) => typed_parse_failure(&parse_error),
        },
    };
    if let Some(findings) = findings {
        response.headers_mut().insert(FINDINGS_HEADER, findings);
    }
    response
}

/// A request the schema accepts but the typed model does not: a disagreement between the
/// two, which the differential test rules out; answered with 422 rather than a 500.
fn typed_parse_failure(parse_error: &serde_json::Error) -> Response {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!([{"loc": ["body"], "msg": format!("the typed model rejects the request: {parse_error}"), "type": "model"}]),
    )
}

fn answer_id(id: &ai21_models::j2_complete_response::CompletionId) -> String {
    match id {
        ai21_models::j2_complete_response::CompletionId::String(id) => id.clone(),
        ai21_models::j2_complete_response::CompletionId::Integer(id) => id.to_string(),
    }
}

fn json_response<T: serde::Serialize>(answer: &T, request_id: String) -> Response {
    let body = serde_json::to_string(answer).unwrap_or_else(|_| "{}".to_owned());
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

fn stream_response(request: &JambaChatRequest, seed: u64, cut: bool) -> Response {
    let chunks = synth::jamba_chat_stream(request, seed);
    let request_id = chunks
        .first()
        .map(|chunk| chunk.id.clone())
        .unwrap_or_default();
    let mut events: Vec<Result<Bytes, std::io::Error>> = chunks
        .iter()
        .map(|chunk| {
            Ok(Bytes::from(format!(
                "data: {}\n\n",
                serde_json::to_string(chunk).unwrap_or_default()
            )))
        })
        .collect();
    events.push(Ok(Bytes::from_static(b"data: [DONE]\n\n")));
    let body = if cut {
        // Half the events reach the client, then the connection breaks. Each event is its
        // own write (the task pauses between them, as a real token stream does), so the
        // headers and those events are on the wire before the failure.
        events.truncate(events.len() / 2);
        let failure = std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injection: stream cut",
        );
        let paced =
            futures_util::StreamExt::then(futures_util::stream::iter(events), |event| async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                event
            });
        let failure = futures_util::stream::once(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(failure)
        });
        Body::from_stream(futures_util::StreamExt::chain(paced, failure))
    } else {
        Body::from_stream(futures_util::stream::iter(events))
    };
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

fn pick_fault(faults: &Faults, seed: u64, number: u64) -> Option<Fault> {
    if faults.rate <= 0.0 || faults.kinds.is_empty() {
        return None;
    }
    let mut rng = Rng::new(seed, &[b"fault", &number.to_le_bytes()]);
    if rng.unit() >= faults.rate {
        return None;
    }
    let index = usize::try_from(rng.below(faults.kinds.len() as u64)).unwrap_or(0);
    faults.kinds.get(index).copied()
}

fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::TooManyRequests => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                json!("Too many requests (fault injection)"),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Fault::ServerError => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!("Internal server error (fault injection)"),
        ),
        Fault::Unavailable | Fault::Slow | Fault::CutStream => error(
            StatusCode::SERVICE_UNAVAILABLE,
            json!("Service unavailable (fault injection)"),
        ),
    }
}

/// Removes the value at a JSON Pointer, if there is one.
fn remove_pointer(value: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(object)) = value.pointer_mut(parent) {
        object.remove(&last);
    }
}
