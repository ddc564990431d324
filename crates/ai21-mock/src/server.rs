//! The HTTP side of the mock: routes, authentication, request validation, errors in the
//! API's envelope, streaming, fault injection, and the hand-over of every exchange to a
//! recorder.
//!
//! | request | answer |
//! |---|---|
//! | `POST /studio/v1/{model}/complete`, `POST /studio/v1/{model}/{custom}/complete` | a J2 completion |
//! | `POST /studio/v1/chat/completions` | a Jamba chat completion, or a `text/event-stream` with `stream: true` |
//! | Bedrock: `POST /model/{modelId}/invoke`, `POST /model/{modelId}/invoke-with-response-stream` (an AI21 model id, its `:` as written or `%3A`) | the J2 or Jamba answer the model id names, as Bedrock sends it; the stream in AWS event-stream frames |
//! | Vertex: `POST /v1/projects/{project}/locations/{region}/publishers/ai21/models/{model}:rawPredict`, `:streamRawPredict` | a Jamba answer as Vertex sends it; the stream as `text/event-stream` |
//! | Azure: `POST /v1/chat/completions`, `/chat/completions`, `/models/chat/completions` (any `api-version` query) | a Jamba answer as Azure sends it |
//! | no or empty `Authorization: Bearer <key>` (the scheme in any case, RFC 9110), or a key outside the configured set | 401 |
//! | a body that is not JSON | 400 |
//! | a body larger than the limit | 413 |
//! | a request that breaks the contract | 422, `{"detail": [{"loc", "msg", "type"}]}` listing the findings |
//! | a J2 request whose answer would exceed [`synth::MAX_ANSWER_ENTRIES`] | 422, one problem per field that makes it large, of type [`WORK_LIMIT_TYPE`] |
//! | another method on an API path | 405 |
//! | any other path | 404 |
//!
//! Every error body is the API's envelope `{"detail": ...}`; a client mistake never gets
//! a 500 (only fault injection sends one).
//!
//! **Dialects.** The partner routes answer what Studio's would, checked against the
//! dialect's schemas (`Validator::validate_request_on` along the route) and written as the
//! partner writes it, with its own credentials and errors: [`crate::dialect`] has the
//! table. The URL's model and, on Bedrock and Vertex, the path's choice of stream decide
//! as the body's would on Studio. A J2 model id on Bedrock's stream path and another
//! provider's model id are refused with Bedrock's 400 `ValidationException`.
//!
//! **Faults.** With [`Config::faults`], a share of the requests that would be answered get
//! a [`Fault`] instead, on every route of every dialect: 429, 500 or 503 in the dialect's
//! error shape (Bedrock's `ThrottlingException`, `InternalServerException`,
//! `ServiceUnavailableException`; Google's `RESOURCE_EXHAUSTED`, `INTERNAL`,
//! `UNAVAILABLE`; Azure's `{"error": ...}`), the normal answer late, or the normal answer
//! cut off mid-way (a stream after half its events or event-stream messages, a JSON body
//! after half its declared `Content-Length`), the connection then closed. Bedrock's
//! in-stream exceptions are not injected: a cut stream stands for a broken one.
//!
//! **Lenient and strict.** The real server ignores request fields it does not know (clients
//! that sent extra keys got normal answers), and warnings do not stop it. By default the
//! mock does the same: it refuses with 422 a request with an error finding the real server
//! would not ignore ([`Finding::ignored_by_server`]: not a warning, not an unknown field,
//! not a `client/` rule about field names the server ignores), and answers the others.
//! With `strict`, every error is refused, unknown request fields included. Warnings
//! (drift: a retired, unknown or deprecated model, an unknown finish reason; suspicious
//! spellings) never refuse a request, in either mode, so a J2 mock can be used strictly.
//! An answered request with findings carries them in the `x-ai21-contract-findings`
//! response header, and they are logged (see [`Config::log`]).
//!
//! **Recording.** With [`Config::record`], every exchange on an API path (a path one of
//! the routes above names, whatever the method: answers and refusals alike) is handed to
//! the caller as a [`RecordedExchange`] once its response has been sent: a streamed answer
//! with every byte of its `text/event-stream` (or Bedrock's event stream), a cut answer with
//! what was sent before the cut, with the dialect of its route. The library writes nothing itself; `ai21-contract serve --record` writes the
//! exchanges as a JSONL capture.
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ai21_capture::redact::{self, KeyWords};
use ai21_generate::Random;
use ai21_models::j2_complete_request::J2CompleteRequest;
use ai21_models::jamba_chat_request::JambaChatRequest;
use ai21_validate::{
    Dialect, Endpoint, Finding, Recognition, Report, Route, Target, Validator, walk,
};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::Uri;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::dialect::{self, Failure};
use crate::{eventstream, synth};

/// The header that reports the findings of an answered request.
pub const FINDINGS_HEADER: &str = "x-ai21-contract-findings";

/// The body of a 401, as the real service sends it.
pub const UNAUTHORIZED_DETAIL: &str = "Forbidden: Bad or missing API token.";

/// How the mock behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed of every answer: the same seed and request give the same answer.
    pub seed: u64,
    /// The API keys accepted; `None` accepts any non-empty key. On Bedrock a SigV4
    /// credential's access key id stands for the key, on Azure the `api-key` header's value.
    pub keys: Option<BTreeSet<String>>,
    /// Refuse every error finding with 422, unknown request fields included; when `false`
    /// (lenient), only the errors the real server would not ignore. Warnings never refuse.
    pub strict: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Fault injection, off by default.
    pub faults: Faults,
    /// Where to send one line per request that had findings (the library prints nothing
    /// itself; `ai21-contract serve` prints these lines).
    pub log: Option<std::sync::mpsc::Sender<String>>,
    /// Where to hand every exchange on an API path, once its response has been sent (the
    /// library writes nothing itself; `ai21-contract serve --record` writes a capture).
    pub record: Option<std::sync::mpsc::Sender<RecordedExchange>>,
}

/// One exchange the mock handled on an API path, as [`Config::record`] receives it.
///
/// Header values that carry credentials (`Authorization`, `Proxy-Authorization`,
/// `api-key`, `x-api-key`, `X-Amz-Security-Token`, `Cookie`) are replaced by `[redacted]`, so the API key a client
/// sent never leaves the mock; a writer should still redact what it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedExchange {
    /// The dialect of the route the request was sent to ([`Dialect::Studio`] for Studio's
    /// paths).
    pub dialect: Dialect,
    /// The request method, such as `POST`.
    pub method: String,
    /// The request path with its query string, if any (`/studio/v1/chat/completions`).
    pub path_and_query: String,
    /// The request headers, in the order received, credentials redacted.
    pub request_headers: Vec<(String, String)>,
    /// The request body as received (empty when it was over the body limit).
    pub request_body: Bytes,
    /// The response status.
    pub status: u16,
    /// The response headers, in the order sent.
    pub response_headers: Vec<(String, String)>,
    /// The response body as sent: the whole `text/event-stream` text (or Bedrock's binary
    /// event stream) of a streamed answer, or the part sent before a cut.
    pub response_body: Bytes,
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
            record: None,
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
    /// The normal answer (200 and its headers), cut off mid-way: a stream after half its
    /// events, a JSON answer after half its bytes (its `Content-Length` is the whole
    /// body's); the connection then closes, as a dropped one does.
    Cut,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 5] = [
        Fault::TooManyRequests,
        Fault::ServerError,
        Fault::Unavailable,
        Fault::Slow,
        Fault::Cut,
    ];

    /// The name used on the command line: `429`, `500`, `503`, `slow`, `cut`.
    pub const fn name(self) -> &'static str {
        match self {
            Fault::TooManyRequests => "429",
            Fault::ServerError => "500",
            Fault::Unavailable => "503",
            Fault::Slow => "slow",
            Fault::Cut => "cut",
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
    /// Answers decided so far: the number each one's fault is drawn with.
    requests: AtomicU64,
    /// Refusals so far: the number each one's Bedrock request id is drawn with.
    refusals: AtomicU64,
}

impl Shared {
    /// The answer to a failure in `dialect`.
    fn fail(&self, dialect: Dialect, failure: &Failure) -> Response {
        let number = self.refusals.fetch_add(1, Ordering::Relaxed);
        let request_id = Random::from_parts(
            self.config.seed,
            &[b"x-amzn-requestid", &number.to_le_bytes()],
        )
        .j2_id();
        dialect::failure_response(dialect, failure, &request_id)
    }
}

/// The mock's routes, ready to serve.
pub fn router(config: Config) -> Router {
    let shared = Arc::new(Shared {
        config,
        validator: Validator::shared(),
        requests: AtomicU64::new(0),
        refusals: AtomicU64::new(0),
    });
    let routes = Router::new()
        .route("/studio/v1/chat/completions", post(chat))
        .route("/studio/v1/{model}/complete", post(complete))
        .route(
            "/studio/v1/{model}/{custom}/complete",
            post(complete_custom),
        )
        .route("/model/{model}/invoke", post(bedrock))
        .route("/model/{model}/invoke-with-response-stream", post(bedrock))
        .route(
            "/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}",
            post(vertex),
        )
        .route(
            "/v1beta1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}",
            post(vertex),
        )
        .route("/v1/chat/completions", post(azure))
        .route("/chat/completions", post(azure))
        .route("/models/chat/completions", post(azure))
        .method_not_allowed_fallback(
            |State(shared): State<Arc<Shared>>, uri: Uri| async move {
                shared.fail(dialect_of_path(uri.path()), &Failure::MethodNotAllowed)
            },
        )
        .fallback(|State(shared): State<Arc<Shared>>, uri: Uri| async move {
            shared.fail(dialect_of_path(uri.path()), &Failure::NotFound)
        })
        .with_state(Arc::clone(&shared));
    if shared.config.record.is_some() {
        routes.layer(middleware::from_fn_with_state(shared, record))
    } else {
        routes
    }
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

/// The dialect whose shape a path has, for the answers of paths no route serves: a
/// partner's path gets the partner's 404 and 405.
fn dialect_of_path(path: &str) -> Dialect {
    match Route::recognise("", path, None) {
        Recognition::Route(route) => route.dialect,
        Recognition::Outside { dialect, .. } => dialect,
        Recognition::Unknown => match Route::recognise("", path, Some(Dialect::Azure)) {
            Recognition::Route(route) if route.dialect == Dialect::Azure => Dialect::Azure,
            _ => Dialect::Studio,
        },
    }
}

/// The route of an API path as the mock serves it, with its dialect: Studio's paths,
/// Bedrock's and Vertex's (told by their shape) and Azure's OpenAI-style paths (which only
/// the mock's own routes make Azure's); `None` for any other path.
fn route_of_path(path: &str) -> Option<Route> {
    if let Ok(endpoint) = Endpoint::from_path(path) {
        return Some(Route::studio(endpoint));
    }
    match Route::recognise("", path, None) {
        Recognition::Route(route) => Some(route),
        Recognition::Outside { .. } => None,
        Recognition::Unknown => match Route::recognise("", path, Some(Dialect::Azure)) {
            Recognition::Route(route) if route.dialect == Dialect::Azure => Some(route),
            _ => None,
        },
    }
}

async fn chat(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    handle(&shared, request, Route::studio(Endpoint::JambaChat)).await
}

async fn bedrock(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    partner(&shared, request, Dialect::Bedrock).await
}

async fn vertex(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    partner(&shared, request, Dialect::Vertex).await
}

async fn azure(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    partner(&shared, request, Dialect::Azure).await
}

/// A request on a partner's route: its route told from the path, as a checker of captures
/// tells it; a path outside AI21's contract (another provider's model id on Bedrock,
/// another publisher or method on Vertex) is refused, once the caller is authenticated.
async fn partner(shared: &Shared, request: Request, dialect: Dialect) -> Response {
    match Route::recognise("", request.uri().path(), Some(dialect)) {
        Recognition::Route(route) if route.dialect == dialect => {
            handle(shared, request, route).await
        }
        recognition => {
            if let Err(failure) = authorize(dialect, request.headers(), shared.config.keys.as_ref())
            {
                return shared.fail(dialect, &failure);
            }
            let failure = match recognition {
                Recognition::Outside { .. } if dialect == Dialect::Bedrock => {
                    Failure::NotServed("The provided model identifier is invalid.".to_owned())
                }
                Recognition::Outside { reason, .. } => Failure::NotServed(reason),
                _ => Failure::NotFound,
            };
            shared.fail(dialect, &failure)
        }
    }
}

async fn complete(
    State(shared): State<Arc<Shared>>,
    Path(model): Path<String>,
    request: Request,
) -> Response {
    let endpoint = Endpoint::J2Complete {
        model,
        custom_model: None,
    };
    handle(&shared, request, Route::studio(endpoint)).await
}

async fn complete_custom(
    State(shared): State<Arc<Shared>>,
    Path((model, custom)): Path<(String, String)>,
    request: Request,
) -> Response {
    let endpoint = Endpoint::J2Complete {
        model,
        custom_model: Some(custom),
    };
    handle(&shared, request, Route::studio(endpoint)).await
}

/// Whether the request carries a credential `dialect` takes ([`dialect::credential`]),
/// with a key among `keys` when they are set; the failure otherwise.
fn authorize(
    dialect: Dialect,
    headers: &HeaderMap,
    keys: Option<&BTreeSet<String>>,
) -> Result<(), Failure> {
    match dialect::credential(dialect, headers) {
        Some(key) if keys.is_none_or(|keys| keys.contains(key)) => Ok(()),
        _ => Err(Failure::Unauthorized {
            present: dialect::has_credential_header(dialect, headers),
        }),
    }
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

/// The log entry of a request with findings, redacted exactly as `validate` reports the
/// request in the recording: the findings of the body with its secrets removed
/// ([`redact::json`], as a capture reader removes them; the body's own findings when it
/// holds none), each message through [`redact::message`] with the body's key-shaped
/// words, and the whole entry through [`redact::text`].
fn log_entry(
    validator: &Validator,
    route: &Route,
    body: &Value,
    report: &Report,
    path: &str,
    verdict: &str,
) -> String {
    let mut redacted = body.clone();
    redact::json(&mut redacted);
    let redacted_report;
    let report = if redacted == *body {
        report
    } else {
        redacted_report = validator.validate_request_on(route, &redacted);
        &redacted_report
    };
    let mut keys = KeyWords::default();
    keys.add_json(&redacted);
    let mut entry = format!(
        "POST {path}: {verdict}, {} finding(s)",
        report.findings.len()
    );
    for finding in &report.findings {
        entry.push_str(&format!(
            "\n  {}[{}] at {:?}: {}",
            finding.severity,
            finding.rule,
            finding.pointer,
            redact::message(&finding.message, &keys)
        ));
    }
    redact::text(&entry).into_owned()
}

/// Whether a finding refuses the request: in strict mode every error, in lenient mode the
/// errors the real server would not ignore. Warnings never do.
fn refuses(strict: bool, finding: &Finding) -> bool {
    finding.is_error() && (strict || !finding.ignored_by_server())
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

/// Answers a request on `route`: authentication in its dialect, the body checked against
/// the dialect's schemas along the route, the answer synthesised from the typed request
/// and written as the dialect sends it.
async fn handle(shared: &Shared, request: Request, route: Route) -> Response {
    let config = &shared.config;
    let dialect = route.dialect;
    let (parts, body) = request.into_parts();
    if let Err(failure) = authorize(dialect, &parts.headers, config.keys.as_ref()) {
        return shared.fail(dialect, &failure);
    }
    let bytes = match axum::body::to_bytes(body, config.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => return shared.fail(dialect, &Failure::TooLarge(config.body_limit)),
    };
    // J2 on Bedrock has no stream, whatever the body says.
    if route.stream == Some(true) && route.endpoint != Endpoint::JambaChat {
        return shared.fail(
            dialect,
            &Failure::NotServed("The model is unsupported for streaming.".to_owned()),
        );
    }
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(parse_error) => {
            return shared.fail(dialect, &Failure::MalformedJson(parse_error.to_string()));
        }
    };
    let (kind, _) = route.endpoint.kinds();
    // The body against the dialect's schema, and the model the URL names (a J2 path's,
    // Bedrock's model id, Vertex's versioned name; reported once when the body names it
    // too, as the v2 Python SDK's bodies do).
    let report = shared.validator.validate_request_on(&route, &body);
    let rejected: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| refuses(config.strict, finding))
        .collect();
    if let Some(log) = &config.log
        && !report.findings.is_empty()
    {
        let verdict = match (rejected.is_empty(), dialect) {
            (true, _) => "answered",
            // Bedrock validates bodies itself, with its ValidationException.
            (false, Dialect::Bedrock) => "refused with 400",
            (false, _) => "refused with 422",
        };
        let entry = log_entry(
            shared.validator,
            &route,
            &body,
            &report,
            parts.uri.path(),
            verdict,
        );
        // A closed log (its reader went away) is not the client's problem.
        let _ = log.send(entry);
    }
    if !rejected.is_empty() {
        let failure = Failure::Refused {
            problems: rejected.iter().map(|finding| problem(finding)).collect(),
            findings: rejected.into_iter().cloned().collect(),
        };
        return shared.fail(dialect, &failure);
    }
    let reported: Vec<&Finding> = report.findings.iter().collect();
    let findings = findings_header(&reported);

    // The answer is built from the typed request, without the fields the server ignores,
    // with what the dialect's URL says (the model, whether to stream) filled in.
    let body_model = body.get("model").and_then(Value::as_str).map(str::to_owned);
    let mut cleaned = body;
    shared
        .validator
        .remove_unknown_fields_in(dialect, kind, &mut cleaned);
    let schema = kind.schema_in(dialect);
    saturate_integers(schema, schema, &mut cleaned);
    dialect::complete_request(&route, &mut cleaned);
    let typed = match route.endpoint {
        Endpoint::J2Complete { .. } => serde_json::from_value(cleaned).map(Typed::J2),
        Endpoint::JambaChat => serde_json::from_value(cleaned).map(Typed::Chat),
    };
    let typed = match typed {
        Ok(typed) => typed,
        Err(parse_error) => {
            return shared.fail(dialect, &Failure::TypedParse(parse_error.to_string()));
        }
    };
    // A request whose answer would be too large is refused before any work is done.
    if let Typed::J2(request) = &typed {
        let work = synth::J2Work::of(request);
        if !work.within_limit() {
            return shared.fail(dialect, &work_limit(request, &work));
        }
    }

    let number = shared.requests.fetch_add(1, Ordering::Relaxed);
    let fault = pick_fault(&config.faults, config.seed, number);
    if let Some(fault @ (Fault::TooManyRequests | Fault::ServerError | Fault::Unavailable)) = fault
    {
        return shared.fail(dialect, &Failure::Fault(fault));
    }
    if fault == Some(Fault::Slow) {
        tokio::time::sleep(config.faults.slow_delay).await;
    }
    let cut = fault == Some(Fault::Cut);
    let mut response = match typed {
        Typed::J2(request) => {
            let mut answer = synth::j2_complete(&request, config.seed);
            let request_id = answer_id(&answer.id);
            if dialect == Dialect::Bedrock {
                // Bedrock's J2 answers all carry this id.
                answer.id = ai21_models::j2_complete_response::CompletionId::Integer(1234);
            }
            json_response(dialect, &answer, &request_id, cut)
        }
        Typed::Chat(request) if request.stream == Some(Some(true)) => {
            if dialect == Dialect::Bedrock {
                bedrock_stream_response(&request, config.seed, cut)
            } else {
                stream_response(dialect, &request, config.seed, cut)
            }
        }
        Typed::Chat(request) => {
            let answer = synth::jamba_chat(&request, config.seed);
            let shaped = dialect::chat_answer(&route, body_model.as_deref(), &answer);
            let request_id = dialect::chat_request_id(dialect, &answer.id);
            json_response(dialect, &shaped, &request_id, cut)
        }
    };
    if let Some(findings) = findings {
        response.headers_mut().insert(FINDINGS_HEADER, findings);
    }
    response
}

/// A request, typed.
enum Typed {
    J2(J2CompleteRequest),
    Chat(JambaChatRequest),
}

/// The refusal of a J2 request whose answer would exceed [`synth::MAX_ANSWER_ENTRIES`]:
/// one problem for each field that makes it large (the prompt, and those of
/// `numResults`, `maxTokens` and `topKReturn` the request gives), each with the whole
/// reckoning.
fn work_limit(request: &J2CompleteRequest, work: &synth::J2Work) -> Failure {
    let message = work.explain();
    let problems: Vec<Value> = [
        ("prompt", true),
        ("numResults", request.num_results.is_some()),
        ("maxTokens", request.max_tokens.is_some()),
        ("topKReturn", request.top_k_return.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(field, _)| json!({"loc": ["body", field], "msg": message, "type": WORK_LIMIT_TYPE}))
    .collect();
    Failure::WorkLimit { problems, message }
}

/// The `type` of the problems of a request refused for the size of its answer.
pub const WORK_LIMIT_TYPE: &str = "mock/work-limit";

/// Writes every integer of a request that the typed models cannot hold (one of 2^64 or
/// more, where the schema takes integers only) as the largest they hold, `u64::MAX`.
///
/// The schemas bound the J2 `minTokens` and `epoch` from below only, so any integer is
/// valid there, but the typed request the answer is built from holds a `u64`. No answer
/// changes past that size (`minTokens` is capped at `maxTokens`, `epoch` is not read), so
/// the mock answers as for the largest value its types hold, where it would otherwise
/// refuse a valid request. Schemathesis found this: an `epoch` of
/// 264048208733748670804211962197758181376 was refused with 422.
fn saturate_integers(root: &Value, schema: &Value, value: &mut Value) {
    let schema = walk::resolve(root, schema);
    if let Some((_, branches)) = walk::union_branches(schema) {
        if let Some(branch) = walk::selected_branch(root, branches, value) {
            saturate_integers(root, branch, value);
        }
        return;
    }
    match value {
        Value::Number(number) if number.as_f64().is_some_and(|float| float >= U64_END) => {
            let integers_only = walk::accepted_types(root, schema)
                .is_some_and(|types| types.contains(&"integer") && !types.contains(&"number"));
            if integers_only {
                *value = Value::from(u64::MAX);
            }
        }
        Value::Object(object) => {
            for (name, item) in object.iter_mut() {
                if let Some(property) = schema.get("properties").and_then(|p| p.get(name)) {
                    saturate_integers(root, property, item);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    saturate_integers(root, item_schema, item);
                }
            }
        }
        _ => {}
    }
}

/// 2^64, the first integer a `u64` cannot hold (exact in an `f64`).
const U64_END: f64 = 18_446_744_073_709_551_616.0;

fn answer_id(id: &ai21_models::j2_complete_response::CompletionId) -> String {
    match id {
        ai21_models::j2_complete_response::CompletionId::String(id) => id.clone(),
        ai21_models::j2_complete_response::CompletionId::Integer(id) => id.to_string(),
    }
}

/// A JSON answer with the dialect's request-id header (`x-amzn-requestid` on Bedrock,
/// `request-id` elsewhere); with `cut`, the connection breaks after half its body (see
/// [`cut_body`]).
fn json_response<T: serde::Serialize>(
    dialect: Dialect,
    answer: &T,
    request_id: &str,
    cut: bool,
) -> Response {
    let body = serde_json::to_string(answer).unwrap_or_else(|_| "{}".to_owned());
    let mut response = if cut {
        let length = body.len();
        let mut response = Response::new(cut_body(Bytes::from(body)));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        response
    } else {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    };
    insert_request_id(dialect, &mut response, request_id);
    response
}

/// The request id header of an answer in `dialect`.
fn insert_request_id(dialect: Dialect, response: &mut Response, request_id: &str) {
    let name = if dialect == Dialect::Bedrock {
        "x-amzn-requestid"
    } else {
        "request-id"
    };
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(name, value);
    }
}

/// A streamed Jamba answer as `text/event-stream` (Studio, Vertex and Azure), each chunk
/// as `dialect` writes it, then `data: [DONE]`.
fn stream_response(dialect: Dialect, request: &JambaChatRequest, seed: u64, cut: bool) -> Response {
    let chunks = synth::jamba_chat_stream(request, seed);
    let request_id = chunks
        .first()
        .map(|chunk| chunk.id.clone())
        .unwrap_or_default();
    let mut events: Vec<Bytes> = chunks
        .iter()
        .map(|chunk| {
            Bytes::from(format!(
                "data: {}\n\n",
                dialect::stream_chunk(dialect, chunk)
            ))
        })
        .collect();
    events.push(Bytes::from_static(b"data: [DONE]\n\n"));
    let mut response = Response::new(stream_body(events, cut));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    insert_request_id(dialect, &mut response, &request_id);
    response
}

/// A streamed Jamba answer as Bedrock sends it: one AWS event-stream `chunk` message per
/// chunk (Bedrock's shape, base64 in `{"bytes": ...}`), then one carrying only the
/// invocation metrics; `application/vnd.amazon.eventstream`. Each message is a piece of
/// the body of its own, so an HTTP/1.1 client reads it as a chunk of its own: the
/// official SDK's decoder takes one message from each piece it reads.
fn bedrock_stream_response(request: &JambaChatRequest, seed: u64, cut: bool) -> Response {
    let chunks = synth::jamba_chat_stream(request, seed);
    let request_id = chunks
        .first()
        .map(|chunk| dialect::chat_request_id(Dialect::Bedrock, &chunk.id))
        .unwrap_or_default();
    let mut messages: Vec<Bytes> = chunks
        .iter()
        .map(|chunk| {
            let json = dialect::stream_chunk(Dialect::Bedrock, chunk).to_string();
            Bytes::from(eventstream::encode_chunk(json.as_bytes()))
        })
        .collect();
    let metrics = dialect::bedrock_metrics(&chunks).to_string();
    messages.push(Bytes::from(eventstream::encode_chunk(metrics.as_bytes())));
    let mut response = Response::new(stream_body(messages, cut));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(eventstream::CONTENT_TYPE),
    );
    headers.insert(
        "x-amzn-bedrock-content-type",
        HeaderValue::from_static("application/json"),
    );
    insert_request_id(Dialect::Bedrock, &mut response, &request_id);
    response
}

/// A streamed body, one piece per event; with `cut`, half the events reach the client,
/// then the connection breaks. Each event of a cut stream is its own write (the task
/// pauses between them, as a real token stream does), so the headers and those events
/// are on the wire before the failure.
fn stream_body(mut events: Vec<Bytes>, cut: bool) -> Body {
    if cut {
        events.truncate(events.len() / 2);
        let paced =
            futures_util::StreamExt::then(futures_util::stream::iter(events), |event| async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                Ok::<_, std::io::Error>(event)
            });
        Body::from_stream(futures_util::StreamExt::chain(paced, connection_failure()))
    } else {
        Body::from_stream(futures_util::stream::iter(
            events.into_iter().map(Ok::<_, std::io::Error>),
        ))
    }
}

/// A body that sends the first half of `whole`, then breaks the connection: with the
/// `Content-Length` of the whole body set by the caller, the client sees the connection
/// close before the declared body is complete, as with a dropped connection.
fn cut_body(whole: Bytes) -> Body {
    let half = whole.slice(..whole.len() / 2);
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(half) });
    Body::from_stream(futures_util::StreamExt::chain(first, connection_failure()))
}

/// The end of a cut body: an error after a pause, so what was sent before it is on the
/// wire first; the server then closes the connection without ending the body.
fn connection_failure() -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injection: connection cut",
        ))
    })
}

/// The fault of the answer numbered `number`, if it gets one.
fn pick_fault(faults: &Faults, seed: u64, number: u64) -> Option<Fault> {
    if faults.rate <= 0.0 || faults.kinds.is_empty() {
        return None;
    }
    let mut random = Random::from_parts(seed, &[b"fault", &number.to_le_bytes()]);
    if random.unit() >= faults.rate {
        return None;
    }
    faults.kinds.get(random.index(faults.kinds.len())).copied()
}

/// The recording middleware: hands every exchange on an API path to [`Config::record`]
/// once its response body has been sent (or given up: a cut stream, a client gone).
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let Some(sender) = shared.config.record.clone() else {
        return next.run(request).await;
    };
    let Some(route) = route_of_path(request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let method = parts.method.to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
    let request_headers = header_list(&parts.headers, true);
    let (request_body, response) = match axum::body::to_bytes(body, shared.config.body_limit).await
    {
        Ok(bytes) => {
            let request = Request::from_parts(parts, Body::from(bytes.clone()));
            (bytes, next.run(request).await)
        }
        Err(_) => (
            Bytes::new(),
            shared.fail(route.dialect, &Failure::TooLarge(shared.config.body_limit)),
        ),
    };
    let (parts, body) = response.into_parts();
    let mut recording = Recording {
        exchange: Some(RecordedExchange {
            dialect: route.dialect,
            method,
            path_and_query,
            request_headers,
            request_body,
            status: parts.status.as_u16(),
            response_headers: header_list(&parts.headers, false),
            response_body: Bytes::new(),
        }),
        sent: Vec::new(),
        sender,
    };
    // A body of known size (every answer but a stream) is complete already: it is kept
    // whole, so the answer goes out as it would unrecorded, and handed over first.
    if axum::body::HttpBody::size_hint(&body).exact().is_some() {
        // A body held in memory cannot fail to be read.
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        recording.sent.extend_from_slice(&bytes);
        drop(recording);
        return Response::from_parts(parts, Body::from(bytes));
    }
    // A stream goes out as it comes, and a copy of every piece is kept; the exchange is
    // handed over when the body is dropped: at its end, after an error (a cut stream), or
    // when the client goes away.
    let teed = futures_util::stream::unfold(
        (body.into_data_stream(), recording),
        |(mut stream, mut recording)| async move {
            let piece = futures_util::StreamExt::next(&mut stream).await?;
            if let Ok(bytes) = &piece {
                recording.sent.extend_from_slice(bytes);
            }
            Some((piece, (stream, recording)))
        },
    );
    Response::from_parts(parts, Body::from_stream(teed))
}

/// An exchange being recorded, handed over when dropped.
struct Recording {
    exchange: Option<RecordedExchange>,
    sent: Vec<u8>,
    sender: std::sync::mpsc::Sender<RecordedExchange>,
}

impl Drop for Recording {
    fn drop(&mut self) {
        if let Some(mut exchange) = self.exchange.take() {
            exchange.response_body = Bytes::from(std::mem::take(&mut self.sent));
            // A recorder that went away is not the client's problem.
            let _ = self.sender.send(exchange);
        }
    }
}

/// Headers as `(name, value)` pairs in order; with `redact`, credential values become
/// `[redacted]`.
fn header_list(headers: &HeaderMap, redact: bool) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let credential = matches!(
                name.as_str(),
                "authorization"
                    | "proxy-authorization"
                    | "api-key"
                    | "x-api-key"
                    | "x-amz-security-token"
                    | "cookie"
            );
            let value = if redact && credential {
                "[redacted]".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}
