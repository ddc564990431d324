//! The AI21 contract runner: a suite of requests sent to an AI21 endpoint (a mock, or a
//! live one), and every answer checked. `ai21-contract verify` is a thin command over it;
//! a Rust project can call it from its own tests, against its own mock or endpoint.
//!
//! The suite ([`suite`]) has three parts:
//!
//! - **documented**: the example requests of the seed documentation (`schemas/examples/`);
//! - **generated**: valid requests per endpoint from the schema-driven instance generator
//!   of `ai21-generate`, seeded, with their size bounded (`maxTokens`/`max_tokens` at most
//!   64, `numResults` and `n` at most 3) so a live run stays cheap;
//! - **negative**: requests the API must refuse with a 4xx in its error envelope: every
//!   invalid request example whose error the real server does not tolerate (unknown fields
//!   it ignores, so those are left out), a body that is not JSON, a request without a key,
//!   and a path that is not an endpoint.
//!
//! A success case passes when the answer is a 2xx that passes the validator's exchange
//! check (both sides, pairing rules, stream rules). A negative case passes when the answer
//! is a 4xx whose body is the error envelope. What the runner itself finds is reported
//! with `verify/...` rule ids ([`VERIFY_RULES`](ai21_check::VERIFY_RULES)). Each case ends
//! as an [`ai21_check::Checked`] outcome, which `ai21-report` writes like any other.
//!
//! ```
//! use ai21_capture::ApiKey;
//! use ai21_verify::Plan;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let mock = ai21_mock::RunningMock::start("127.0.0.1:0".parse()?, ai21_mock::Config::default()).await?;
//! let plan = Plan { j2: false, jamba: true, generated: 2, seed: 7 };
//! let checked = ai21_verify::run(&mock.base_url(), &ApiKey::new("any-key"), &plan, 4).await?;
//! assert!(checked.iter().all(|checked| !checked.report.has_errors()), "{checked:#?}");
//! mock.stop().await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ai21_generate::instance as generate;
use ai21_schemas::{Expectation, PayloadKind};
use ai21_validate::{Endpoint, Finding, Report, Target, Validator};
use futures_util::StreamExt;
use serde_json::Value;

use ai21_capture::redact::ApiKey;
use ai21_capture::{Body, Headers, Location, Origin, Position};
use ai21_check::{Checked, Subject};

/// Which requests the suite holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Include the J2 `complete` endpoint (switched off live since November 2024).
    pub j2: bool,
    /// Include the Jamba `chat/completions` endpoint.
    pub jamba: bool,
    /// Generated requests per endpoint.
    pub generated: usize,
    /// Seed of the generated requests.
    pub seed: u64,
}

/// A request of the suite.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What the case is, such as `documented jamba-chat.request.002-1.json`.
    pub name: String,
    /// The URL path it is sent to.
    pub path: String,
    /// The body sent.
    pub body: CaseBody,
    /// Whether the API key is sent.
    pub authorized: bool,
    /// What the answer must be.
    pub expect: Expect,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseBody {
    /// A JSON body.
    Json(Value),
    /// Raw text, for a body that is deliberately not JSON.
    Raw(&'static str),
}

impl CaseBody {
    fn text(&self) -> String {
        match self {
            CaseBody::Json(value) => value.to_string(),
            CaseBody::Raw(text) => (*text).to_owned(),
        }
    }
}

/// What an answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A 2xx answer that passes the exchange check.
    Success,
    /// A 4xx answer in the error envelope.
    ClientError,
}

/// How many cases of each part a suite holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuiteCounts {
    /// Documented example requests.
    pub documented: usize,
    /// Generated valid requests.
    pub generated: usize,
    /// Requests that must be refused.
    pub negative: usize,
}

const J2_PATH: &str = "/studio/v1/j2-ultra/complete";
const CHAT_PATH: &str = "/studio/v1/chat/completions";

/// Bounds a generated request's size: the contract does not depend on it, and a live run
/// should stay cheap.
fn bounded(mut request: Value) -> Value {
    for (key, limit) in [
        ("maxTokens", 64),
        ("max_tokens", 64),
        ("numResults", 3),
        ("n", 3),
    ] {
        if let Some(value) = request.get_mut(key)
            && value.as_u64().is_some_and(|number| number > limit)
        {
            *value = Value::from(limit);
        }
    }
    request
}

/// The suite for `plan`, in a fixed order: documented, generated, negative.
pub fn suite(plan: &Plan) -> Result<(Vec<Case>, SuiteCounts), ai21_generate::Error> {
    let mut cases = Vec::new();
    let mut counts = SuiteCounts::default();
    let wanted = |kind: PayloadKind| match kind {
        PayloadKind::J2CompleteRequest => plan.j2,
        PayloadKind::JambaChatRequest => plan.jamba,
        _ => false,
    };
    for example in ai21_schemas::examples() {
        if !wanted(example.kind()) {
            continue;
        }
        match example.expectation() {
            Expectation::Valid(facts) => {
                cases.push(Case {
                    name: format!("documented {}", example.file()),
                    path: facts.endpoint().unwrap_or(CHAT_PATH).to_owned(),
                    body: CaseBody::Json(example.payload()),
                    authorized: true,
                    expect: Expect::Success,
                });
                counts.documented += 1;
            }
            Expectation::Invalid(_) => {
                // The real server ignores unknown fields (and the client/ rules about field
                // names it does not know): not a refusal to expect. The validator says
                // which findings those are, wherever the schema reports them (an unknown
                // penalty flag sits inside an `anyOf`).
                let report = Validator::shared().validate(example.kind(), &example.payload());
                let refused = report
                    .findings
                    .iter()
                    .any(|finding| finding.is_error() && !finding.ignored_by_server());
                if !refused {
                    continue;
                }
                let path = if example.kind() == PayloadKind::J2CompleteRequest {
                    J2_PATH
                } else {
                    CHAT_PATH
                };
                cases.push(Case {
                    name: format!("negative {}", example.file()),
                    path: path.to_owned(),
                    body: CaseBody::Json(example.payload()),
                    authorized: true,
                    expect: Expect::ClientError,
                });
                counts.negative += 1;
            }
        }
    }
    for (kind, path) in [
        (PayloadKind::J2CompleteRequest, J2_PATH),
        (PayloadKind::JambaChatRequest, CHAT_PATH),
    ] {
        if !wanted(kind) || plan.generated == 0 {
            continue;
        }
        for (index, request) in generate::generate(kind, plan.seed, plan.generated)?
            .into_iter()
            .enumerate()
        {
            cases.push(Case {
                name: format!("generated {kind} #{}", index + 1),
                path: path.to_owned(),
                body: CaseBody::Json(bounded(request)),
                authorized: true,
                expect: Expect::Success,
            });
            counts.generated += 1;
        }
    }
    let path = if plan.jamba { CHAT_PATH } else { J2_PATH };
    let minimal = if plan.jamba {
        serde_json::json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hello"}]})
    } else {
        serde_json::json!({"prompt": "Hello"})
    };
    let fixed = [
        (
            "negative body that is not JSON",
            path,
            CaseBody::Raw("{\"model\": "),
            true,
        ),
        (
            "negative request without an API key",
            path,
            CaseBody::Json(minimal.clone()),
            false,
        ),
        (
            "negative path that is not an endpoint",
            "/studio/v1/chat/completion",
            CaseBody::Json(minimal),
            true,
        ),
    ];
    for (name, path, body, authorized) in fixed {
        cases.push(Case {
            name: name.to_owned(),
            path: path.to_owned(),
            body,
            authorized,
            expect: Expect::ClientError,
        });
        counts.negative += 1;
    }
    Ok((cases, counts))
}

/// An answer as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as far as it arrived.
    pub body: String,
    /// Why the body broke off, if it did.
    pub broken_off: Option<String>,
}

/// A case and what became of it.
#[derive(Debug)]
pub struct Sent {
    /// The case.
    pub case: Case,
    /// The answer, or why there was none.
    pub reply: Result<Reply, String>,
}

/// Sends every case to `base_url`, at most `concurrency` at a time, and returns the
/// answers in suite order.
pub async fn send_all(
    client: &reqwest::Client,
    base_url: &str,
    key: &ApiKey,
    cases: Vec<Case>,
    concurrency: usize,
) -> Vec<Sent> {
    let base_url = base_url.trim_end_matches('/');
    futures_util::stream::iter(cases)
        .map(|case| async move {
            let reply = send(client, base_url, key, &case).await;
            Sent { case, reply }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}

async fn send(
    client: &reqwest::Client,
    base_url: &str,
    key: &ApiKey,
    case: &Case,
) -> Result<Reply, String> {
    let mut request = client
        .post(format!("{base_url}{}", case.path))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(case.body.text());
    if case.authorized {
        request = request.bearer_auth(key.expose());
    }
    let mut response = request.send().await.map_err(describe_error)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let mut bytes = Vec::new();
    let mut broken_off = None;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(error) => {
                broken_off = Some(describe_error(error));
                break;
            }
        }
    }
    Ok(Reply {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        broken_off,
    })
}

/// A reqwest error and its causes, without the URL (which may carry a key).
fn describe_error(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    ai21_capture::redact::text(&message).into_owned()
}

/// Where a case's outcome is reported: the line of the recorded capture when there is
/// one, otherwise the case's number at the base URL.
pub fn location(record: Option<&Path>, base_url: &str, index: usize) -> Location {
    let number = index as u64 + 1;
    match record {
        Some(path) => Location {
            origin: Origin::File(Arc::from(path)),
            position: Position::Line(number),
        },
        None => Location {
            origin: Origin::File(Arc::from(Path::new(
                &ai21_capture::redact::url(base_url).into_owned(),
            ))),
            position: Position::Entry(number),
        },
    }
}

fn transport(message: String) -> Finding {
    Finding::error("verify/transport", "", message).with_target(Target::Response)
}

/// Checks one answer, and returns it also as a capture record (secrets removed) for
/// `--record`.
///
/// The answer's body is read as a capture reader reads one ([`Body::from_text`]: an event
/// stream by its content type or its `data:` lines, else JSON, else text), and checked by
/// the validator: a success case as an exchange ([`Validator::validate_exchange`]: both
/// sides, the pairing and stream rules), a negative case by its response alone
/// ([`Validator::validate_response`]: the error envelope), the request being invalid on
/// purpose. On top, the runner's own `verify/` findings: no answer, an answer that broke
/// off, or a status of the wrong class.
pub fn check(
    sent: &Sent,
    location: Location,
    base_url: &str,
    validator: &Validator,
) -> (Checked, Option<ai21_capture::Exchange>) {
    let case = &sent.case;
    let endpoint = Endpoint::from_path(&case.path).ok();
    let mut report = Report::new();
    let Ok(reply) = &sent.reply else {
        let message = sent.reply.as_ref().err().cloned().unwrap_or_default();
        report.push(transport(format!("{}: no answer: {message}", case.name)));
        let subject = subject(endpoint.as_ref(), &case.path, 0, false);
        return (
            Checked {
                location,
                subject,
                report,
            },
            None,
        );
    };
    if let Some(reason) = &reply.broken_off {
        report.push(transport(format!(
            "{}: the answer broke off: {reason}",
            case.name
        )));
    }
    let response_body = Body::from_text(reply.body.clone(), reply.content_type.as_deref(), true);
    let response = validated(&response_body);
    let request_body = match &case.body {
        CaseBody::Json(value) => Body::from_json(value.clone()),
        CaseBody::Raw(text) => Body::Text((*text).to_owned()),
    };
    let (wanted, rule, expected) = match case.expect {
        Expect::Success => (200..300, "verify/expected-success", "a 2xx"),
        Expect::ClientError => (400..500, "verify/expected-client-error", "a 4xx refusal"),
    };
    if !wanted.contains(&reply.status) {
        report.push(
            Finding::error(
                rule,
                "",
                format!(
                    "{}: got status {}, expected {expected}",
                    case.name, reply.status
                ),
            )
            .with_target(Target::Response),
        );
    }
    let checked = match (case.expect, &endpoint) {
        (Expect::Success, Some(endpoint)) => validator
            .validate_exchange(&ai21_validate::Exchange {
                endpoint: Some(endpoint),
                request: validated(&request_body),
                status: Some(reply.status),
                response,
            })
            .expect("the endpoint is given, so the API is known"),
        _ => validator.validate_response(endpoint.as_ref(), Some(reply.status), response),
    };
    report.findings.extend(checked.findings);
    let streamed = matches!(response_body, Body::EventStream(_));
    let subject = subject(endpoint.as_ref(), &case.path, reply.status, streamed);
    let recorded = record(case, reply, base_url, request_body, response_body);
    (
        Checked {
            location,
            subject,
            report,
        },
        recorded,
    )
}

/// A captured body as the validator takes it.
fn validated(body: &Body) -> ai21_validate::Body<'_> {
    match body {
        Body::Absent => ai21_validate::Body::Absent,
        Body::Json(value) => ai21_validate::Body::Json(value),
        Body::EventStream(text) => ai21_validate::Body::EventStream(text),
        Body::Text(text) => ai21_validate::Body::Text(text),
    }
}

fn subject(endpoint: Option<&Endpoint>, path: &str, status: u16, streamed: bool) -> Subject {
    match endpoint {
        Some(endpoint) => Subject::Exchange {
            method: "POST".to_owned(),
            endpoint: endpoint.clone(),
            status,
            streamed,
        },
        None => Subject::Request {
            method: "POST".to_owned(),
            path: path.to_owned(),
            status,
        },
    }
}

fn record(
    case: &Case,
    reply: &Reply,
    base_url: &str,
    request_body: Body,
    response_body: Body,
) -> Option<ai21_capture::Exchange> {
    let mut request_headers = Headers::new();
    request_headers.push("content-type", "application/json");
    let mut response_headers = Headers::new();
    if let Some(content_type) = &reply.content_type {
        response_headers.push("content-type", content_type);
    }
    let request = ai21_capture::Request {
        headers: request_headers,
        body: request_body,
    };
    let response = ai21_capture::Response {
        status: reply.status,
        body: response_body,
        headers: response_headers,
    };
    let url = format!("{}{}", base_url.trim_end_matches('/'), case.path);
    ai21_capture::Exchange::new(&url, request, response).ok()
}

/// How long one request may take before it counts as a transport failure.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The HTTP client the runner sends its cases with: TLS by rustls with the `ring` crypto
/// provider (installed as the process default unless one is already), [`REQUEST_TIMEOUT`]
/// per request.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    // An Err means a provider is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build()
}

/// Why the runner could not run at all (a failing case is an outcome, not an error).
#[derive(Debug)]
pub enum Error {
    /// The generated part of the suite could not be made.
    Suite(ai21_generate::Error),
    /// The HTTP client could not be built.
    Client(reqwest::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Suite(error) => write!(formatter, "building the suite: {error}"),
            Error::Client(error) => write!(formatter, "building the HTTP client: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Suite(error) => Some(error),
            Error::Client(error) => Some(error),
        }
    }
}

/// Runs the suite of `plan` against `base_url` (such as `http://127.0.0.1:8021` or
/// `https://api.ai21.com`) with `key`, at most `concurrency` requests at a time, and
/// checks every answer: one [`Checked`] outcome per case, in suite order, located at the
/// case's number under the base URL.
pub async fn run(
    base_url: &str,
    key: &ApiKey,
    plan: &Plan,
    concurrency: usize,
) -> Result<Vec<Checked>, Error> {
    let (cases, _) = suite(plan).map_err(Error::Suite)?;
    let client = http_client().map_err(Error::Client)?;
    let sent = send_all(&client, base_url, key, cases, concurrency).await;
    let validator = Validator::shared();
    Ok(sent
        .iter()
        .enumerate()
        .map(|(index, sent)| check(sent, location(None, base_url, index), base_url, validator).0)
        .collect())
}
