//! The contract runner behind `ai21-contract verify`: a suite of requests sent to an AI21
//! endpoint (the embedded mock, or a live one), and every answer checked.
//!
//! The suite ([`suite`]) has three parts:
//!
//! - **documented**: the example requests of the seed documentation (`schemas/examples/`);
//! - **generated**: valid requests per endpoint from the validator's instance generator,
//!   seeded, with their size bounded (`maxTokens`/`max_tokens` at most 64, `numResults`
//!   and `n` at most 3) so a live run stays cheap;
//! - **negative**: requests the API must refuse with a 4xx in its error envelope: every
//!   invalid request example whose error the real server does not tolerate (unknown fields
//!   it ignores, so those are left out), a body that is not JSON, a request without a key,
//!   and a path that is not an endpoint.
//!
//! A success case passes when the answer is a 2xx that passes the validator's exchange
//! check (both sides, pairing rules, stream rules). A negative case passes when the answer
//! is a 4xx whose body is the error envelope. What the runner itself finds is reported
//! with `verify/...` rule ids ([`VERIFY_RULES`](ai21_check::VERIFY_RULES)).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ai21_generate::instance as generate;
use ai21_schemas::{Expectation, PayloadKind};
use ai21_validate::{Endpoint, Finding, Report, ResponseBody, Target, Validator};
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
pub fn check(
    sent: &Sent,
    location: Location,
    base_url: &str,
    validator: &Validator,
) -> (Checked, Option<ai21_capture::Exchange>) {
    let case = &sent.case;
    let endpoint = Endpoint::from_path(&case.path).ok();
    let request_body = match &case.body {
        CaseBody::Json(value) => value.clone(),
        CaseBody::Raw(text) => Value::String((*text).to_owned()),
    };
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
    let streamed = reply
        .content_type
        .as_deref()
        .is_some_and(|kind| kind.starts_with("text/event-stream"));
    let parsed: Option<Value> = if streamed {
        None
    } else {
        serde_json::from_str(&reply.body).ok()
    };
    if !streamed && parsed.is_none() {
        report.push(
            Finding::error(
                "verify/not-json",
                "",
                format!(
                    "{}: the answer (status {}) is not JSON",
                    case.name, reply.status
                ),
            )
            .with_target(Target::Response),
        );
    }
    match case.expect {
        Expect::Success => {
            if !(200..300).contains(&reply.status) {
                report.push(
                    Finding::error(
                        "verify/expected-success",
                        "",
                        format!(
                            "{}: a valid request got status {}, expected a 2xx",
                            case.name, reply.status
                        ),
                    )
                    .with_target(Target::Response),
                );
            }
            let response = match (&parsed, streamed) {
                (_, true) => Some(ResponseBody::EventStream(reply.body.clone())),
                (Some(body), false) => Some(ResponseBody::Json {
                    status: Some(reply.status),
                    body: body.clone(),
                }),
                (None, false) => None,
            };
            if let Some(response) = response {
                let exchange = ai21_validate::Exchange {
                    endpoint: endpoint.clone(),
                    request: request_body.clone(),
                    response,
                };
                match validator.validate_exchange(&exchange) {
                    Ok(checked) => report.findings.extend(checked.findings),
                    Err(error) => report.push(transport(format!("{}: {error}", case.name))),
                }
            }
        }
        Expect::ClientError => {
            if !(400..500).contains(&reply.status) {
                report.push(
                    Finding::error(
                        "verify/expected-client-error",
                        "",
                        format!(
                            "{}: got status {}, expected a 4xx refusal",
                            case.name, reply.status
                        ),
                    )
                    .with_target(Target::Response),
                );
            }
            if let Some(body) = &parsed {
                let envelope = validator.validate(PayloadKind::ErrorResponse, body);
                report.findings.extend(
                    envelope
                        .findings
                        .into_iter()
                        .map(|finding| finding.with_target(Target::Response)),
                );
            }
        }
    }
    let subject = subject(endpoint.as_ref(), &case.path, reply.status, streamed);
    let recorded = record(case, reply, base_url, request_body);
    (
        Checked {
            location,
            subject,
            report,
        },
        recorded,
    )
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
    request_body: Value,
) -> Option<ai21_capture::Exchange> {
    let mut request_headers = Headers::new();
    request_headers.push("content-type", "application/json");
    let mut response_headers = Headers::new();
    if let Some(content_type) = &reply.content_type {
        response_headers.push("content-type", content_type);
    }
    let request = ai21_capture::Request {
        headers: request_headers,
        body: match request_body {
            Value::String(text) => Body::Text(text),
            value => Body::from_json(value),
        },
    };
    let response = ai21_capture::Response {
        status: reply.status,
        body: Body::from_text(reply.body.clone(), reply.content_type.as_deref(), true),
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
