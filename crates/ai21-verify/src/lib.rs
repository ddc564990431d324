//! The AI21 contract runner: a suite of requests sent to an AI21 endpoint (a mock, or a
//! live one), and every answer checked. `ai21-contract verify` is a thin command over it;
//! a Rust project can call it from its own tests, against its own mock or endpoint.
//!
//! The suite ([`suite`]) has four parts:
//!
//! - **documented**: the example requests of the seed documentation (`schemas/examples/`);
//! - **generated**: valid requests per endpoint from the schema-driven instance generator
//!   of `ai21-generate`, seeded, with their size bounded (`maxTokens`/`max_tokens` at most
//!   64, `numResults` and `n` at most 3) so a live run stays cheap;
//! - **targeted**: valid requests whose answer the request decides: several completions
//!   or choices, a small token bound, stop sequences, a stream;
//! - **negative**: requests the API must refuse: every invalid request example whose error
//!   the real server does not tolerate (unknown fields it ignores, so those are left out),
//!   a body that is not JSON, a request without a key, and a path that is not an endpoint.
//!
//! A success case passes when the answer is a 2xx that passes the validator's exchange
//! check (both sides, pairing rules, stream rules) and the runner's own checks of what the
//! request decides ([`answer`]: the number of completions or choices, the token bound, the
//! stop sequences, a stream's framing), which do not go through the validator the mock is
//! built from. A negative case states the refusal it expects ([`Refusal`]): the status
//! (401 without a key, 422 for a malformed request, ...) and, for a 422, the field its
//! `loc` must point at (the pointer `schemas/examples/manifest.json` records), each with
//! its [`Source`]; the answer must be that refusal, in the error envelope. Against
//! [`Server::Mock`] every expectation is exact; against [`Server::Live`] a missed
//! expectation that no recorded traffic confirms is a warning. What the runner itself
//! finds is reported with `verify/...` rule ids ([`VERIFY_RULES`](ai21_check::VERIFY_RULES)).
//! Each case ends as an [`ai21_check::Checked`] outcome, which `ai21-report` writes like
//! any other. A negative case is sent with [`EXPECT_HEADER`] and recorded with
//! `"expect": "refusal"`, so `validate` passes a recording whose refusals were meant.
//!
//! **Dialects.** The same suite can be sent to a partner cloud that serves AI21's models
//! ([`Destination`]: Amazon Bedrock, Google Vertex AI, Azure AI): each case along the
//! dialect's route, with the body the AI21 SDK's partner client sends, the refusals the
//! dialect is expected to answer (their sources in [`SOURCES`]), and the dialect's
//! credentials ([`Credentials`]: SigV4 for Bedrock, [`auth`]); every answer is checked in
//! the dialect's schemas.
//!
//! ```
//! use ai21_capture::ApiKey;
//! use ai21_verify::{Credentials, Destination, Plan};
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let mock = ai21_mock::RunningMock::start("127.0.0.1:0".parse()?, ai21_mock::Config::default()).await?;
//! let plan = Plan {
//!     j2: false,
//!     jamba: true,
//!     generated: 2,
//!     seed: 7,
//!     server: ai21_verify::Server::Mock,
//!     destination: Destination::Studio,
//! };
//! let credentials = Credentials::Bearer(ApiKey::new("any-key"));
//! let checked = ai21_verify::run(&mock.base_url(), &credentials, &plan, 4).await?;
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
use ai21_schemas::{Dialect, Expectation, PayloadKind, Route};
use ai21_validate::{Endpoint, Finding, Report, Target, Validator};
use futures_util::StreamExt;
use serde_json::Value;

use ai21_capture::{Body, Headers, Location, Origin, Position};
use ai21_check::{Checked, Subject};

pub mod answer;
pub mod auth;
mod destination;
mod expect;

pub use auth::{Credentials, SigV4, SigningError};
pub use destination::{Destination, bedrock_model, model_is_j2, vertex_model};
use destination::{Negative, Written};
pub use expect::{
    AZURE_401, AZURE_422, BEDROCK_400, BEDROCK_403, ExpectedLoc, J2_422, NOT_FOUND_404,
    NOT_JSON_400, PARTNER_NOT_JSON_400, RECORDED_401, RECORDED_CHAT_422, Refusal, SOURCES, Server,
    Source, VALIDATION_LOC, VERTEX_401, VERTEX_422,
};

/// The request header that marks a request meant to be refused, with the value
/// [`EXPECT_REFUSAL`]: a mock that records (`ai21-contract serve --record`) writes the
/// exchange with `"expect": "refusal"`, so `validate` knows the refusal was the point.
pub const EXPECT_HEADER: &str = "x-ai21-contract-expect";
/// The value of [`EXPECT_HEADER`] on a request meant to be refused.
pub const EXPECT_REFUSAL: &str = "refusal";

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
    /// What the endpoint is: against [`Server::Mock`] every expectation is exact; against
    /// [`Server::Live`], a missed expectation that no recorded traffic confirms is a
    /// warning.
    pub server: Server,
    /// Where the suite is sent: AI21 Studio, or a partner cloud in its dialect.
    pub destination: Destination,
}

/// A request of the suite.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What the case is, such as `documented jamba-chat.request.002-1.json`.
    pub name: String,
    /// The dialect it is sent in.
    pub dialect: Dialect,
    /// The route it is sent along, which its answer is checked along (the dialect's
    /// schemas, the model its URL names, a stream its path asks for); `None` for a path
    /// that is no endpoint.
    pub route: Option<Route>,
    /// The URL path it is sent to, with a query when the dialect wants one.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A 2xx answer that passes the exchange check and honours the request (the number of
    /// completions, the token bound, the stop sequences, a stream's framing).
    Success,
    /// A refusal in the error envelope, with this status (and, for a 422, this `loc`).
    Refusal(Refusal),
}

/// How many cases of each part a suite holds, and how many cases of the canonical suite
/// its destination does not get.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuiteCounts {
    /// Documented example requests.
    pub documented: usize,
    /// Generated valid requests.
    pub generated: usize,
    /// Valid requests whose answer the request decides (several completions, a small
    /// token bound, stop sequences, a stream).
    pub targeted: usize,
    /// Requests that must be refused.
    pub negative: usize,
    /// J2 cases not sent: the dialect serves no J2 (Vertex, Azure).
    pub not_served: usize,
    /// Negative examples not sent: their only fault is in `model` or `stream`, which the
    /// dialect does not need in the body (Bedrock and Vertex leave both out, Azure makes
    /// `model` optional).
    pub not_refused: usize,
    /// The path that is no endpoint, not sent to a partner: its other paths are the cloud's
    /// own API, outside AI21's contract.
    pub studio_only: usize,
}

impl SuiteCounts {
    /// What was not sent, for people: `8 J2 requests (Google Vertex AI serves no J2)`, ...;
    /// `None` when every case was sent.
    pub fn unsent(&self, dialect: Dialect) -> Option<String> {
        let plural = |count: usize, one: &str, many: &str| {
            if count == 1 {
                format!("1 {one}")
            } else {
                format!("{count} {many}")
            }
        };
        let mut parts = Vec::new();
        if self.not_served > 0 {
            parts.push(format!(
                "{} ({} serves no J2)",
                plural(self.not_served, "J2 request", "J2 requests"),
                dialect.title()
            ));
        }
        if self.not_refused > 0 {
            parts.push(format!(
                "{} that {} accepts (the fault is in `model` or `stream`, which it does not need in the body)",
                plural(self.not_refused, "invalid example", "invalid examples"),
                dialect.title()
            ));
        }
        if self.studio_only > 0 {
            parts.push(format!(
                "{} (a partner's other paths are its own API)",
                plural(
                    self.studio_only,
                    "path that is no endpoint",
                    "paths that are no endpoint"
                )
            ));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

const J2_PATH: &str = "/studio/v1/j2-ultra/complete";
const CHAT_PATH: &str = "/studio/v1/chat/completions";

/// Bounds a generated request's size: the contract does not depend on it, and a live run
/// should stay cheap. A bound written as a float (`4096.0`, which the generator writes now
/// and then, as JSON Schema allows) is bounded too. For a live endpoint, every integral
/// float is written as an integer: that the API reads `30.0` as 30 is what the schema says
/// and the mock does, but no recorded traffic shows it, and a case must not fail on it.
fn bounded(mut request: Value, server: Server) -> Value {
    for (key, limit) in [
        ("maxTokens", 64_u64),
        ("max_tokens", 64),
        ("numResults", 3),
        ("n", 3),
    ] {
        if let Some(value) = request.get_mut(key)
            && value.as_f64().is_some_and(|number| number > limit as f64)
        {
            *value = Value::from(limit);
        }
    }
    if server == Server::Live {
        integers_as_integers(&mut request);
    }
    request
}

/// Rewrites every number that is an integer written as a float (`30.0`) as an integer.
fn integers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < 9.007_199_254_740_992e15
            {
                // Below 2^53 in magnitude, the float is exactly this integer.
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integers_as_integers),
        Value::Object(members) => members.values_mut().for_each(integers_as_integers),
        _ => {}
    }
}

/// The part of the suite a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Documented,
    Generated,
    Targeted,
    Negative(Negative),
}

/// A case as Studio has it: sent to `path`, along Studio's route when the path is an
/// endpoint.
fn studio_case(name: String, path: &str, body: CaseBody, authorized: bool, expect: Expect) -> Case {
    Case {
        name,
        dialect: Dialect::Studio,
        route: Endpoint::from_path(path).ok().map(Route::studio),
        path: path.to_owned(),
        body,
        authorized,
        expect,
    }
}

/// The suite for `plan`, in a fixed order: documented, generated, targeted, negative;
/// each case written for the plan's destination (see [`Destination`]), and the cases it
/// does not get counted.
pub fn suite(plan: &Plan) -> Result<(Vec<Case>, SuiteCounts), ai21_generate::Error> {
    let mut cases: Vec<(Part, Case)> = Vec::new();
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
                cases.push((
                    Part::Documented,
                    studio_case(
                        format!("documented {}", example.file()),
                        facts.endpoint().unwrap_or(CHAT_PATH),
                        CaseBody::Json(example.payload()),
                        true,
                        Expect::Success,
                    ),
                ));
            }
            Expectation::Invalid(facts) => {
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
                let (path, source) = if example.kind() == PayloadKind::J2CompleteRequest {
                    (J2_PATH, J2_422)
                } else {
                    (CHAT_PATH, RECORDED_CHAT_422)
                };
                // Where the schema fails: inside a union, the branch that was meant.
                let violation = facts.cause().unwrap_or(facts.violation());
                cases.push((
                    Part::Negative(Negative::Invalid),
                    studio_case(
                        format!("negative {}", example.file()),
                        path,
                        CaseBody::Json(example.payload()),
                        true,
                        Expect::Refusal(Refusal {
                            status: 422,
                            source,
                            loc: Some(ExpectedLoc {
                                pointer: violation.pointer.to_owned(),
                                member: violation.keyword == "required",
                                source: VALIDATION_LOC,
                            }),
                        }),
                    ),
                ));
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
            cases.push((
                Part::Generated,
                studio_case(
                    format!("generated {kind} #{}", index + 1),
                    path,
                    CaseBody::Json(bounded(request, plan.server)),
                    true,
                    Expect::Success,
                ),
            ));
        }
    }
    for (name, path, body) in targeted(plan) {
        cases.push((
            Part::Targeted,
            studio_case(
                name.to_owned(),
                path,
                CaseBody::Json(body),
                true,
                Expect::Success,
            ),
        ));
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
            (400, NOT_JSON_400, Negative::NotJson),
        ),
        (
            "negative request without an API key",
            path,
            CaseBody::Json(minimal.clone()),
            false,
            (401, RECORDED_401, Negative::Unauthorized),
        ),
        (
            "negative path that is not an endpoint",
            "/studio/v1/chat/completion",
            CaseBody::Json(minimal),
            true,
            (404, NOT_FOUND_404, Negative::NotFound),
        ),
    ];
    for (name, path, body, authorized, (status, source, negative)) in fixed {
        cases.push((
            Part::Negative(negative),
            studio_case(
                name.to_owned(),
                path,
                body,
                authorized,
                Expect::Refusal(Refusal {
                    status,
                    source,
                    loc: None,
                }),
            ),
        ));
    }

    let mut counts = SuiteCounts::default();
    let mut written = Vec::with_capacity(cases.len());
    for (part, case) in cases {
        let negative = match part {
            Part::Negative(negative) => Some(negative),
            _ => None,
        };
        match plan.destination.write(case, negative) {
            Written::Case(case) => {
                match part {
                    Part::Documented => counts.documented += 1,
                    Part::Generated => counts.generated += 1,
                    Part::Targeted => counts.targeted += 1,
                    Part::Negative(_) => counts.negative += 1,
                }
                written.push(*case);
            }
            Written::NotServed => counts.not_served += 1,
            Written::NotRefused => counts.not_refused += 1,
            Written::StudioOnly => counts.studio_only += 1,
        }
    }
    Ok((written, counts))
}

/// The valid requests whose answers the request decides, beyond their shape: several
/// completions, a small token bound and stop sequences, and (Jamba) a stream.
fn targeted(plan: &Plan) -> Vec<(&'static str, &'static str, Value)> {
    let mut cases = Vec::new();
    if plan.j2 {
        cases.push((
            "targeted J2 numResults 3, maxTokens 4, stopSequences",
            J2_PATH,
            serde_json::json!({"prompt": "Name three colours:", "numResults": 3, "maxTokens": 4, "temperature": 0.8, "stopSequences": ["\n", "##"]}),
        ));
    }
    if plan.jamba {
        cases.push((
            "targeted Jamba n 3, max_tokens 12, stop",
            CHAT_PATH,
            serde_json::json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Name three colours."}], "n": 3, "temperature": 0.8, "max_tokens": 12, "stop": ["##"]}),
        ));
        cases.push((
            "targeted Jamba stream, max_tokens 10, stop",
            CHAT_PATH,
            serde_json::json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Say hello."}], "stream": true, "max_tokens": 10, "stop": "##"}),
        ));
    }
    cases
}

/// An answer as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as far as it arrived: text, or Bedrock's binary event stream.
    pub body: Vec<u8>,
    /// Why the body broke off, if it did.
    pub broken_off: Option<String>,
}

impl Reply {
    /// The body as text (bytes that are not UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Whether the body is an AWS event stream (Bedrock's streamed answer), by its
    /// `Content-Type`.
    pub fn is_aws_event_stream(&self) -> bool {
        self.content_type.as_deref().is_some_and(|content_type| {
            content_type
                .trim_start()
                .to_ascii_lowercase()
                .starts_with(ai21_validate::eventstream::CONTENT_TYPE)
        })
    }
}

/// A case and what became of it.
#[derive(Debug)]
pub struct Sent {
    /// The case.
    pub case: Case,
    /// The answer, or why there was none.
    pub reply: Result<Reply, String>,
}

/// Sends every case to `base_url` with `credentials` (a case without a key without
/// them), at most `concurrency` at a time, and returns the answers in suite order.
pub async fn send_all(
    client: &reqwest::Client,
    base_url: &str,
    credentials: &Credentials,
    cases: Vec<Case>,
    concurrency: usize,
) -> Vec<Sent> {
    let base_url = base_url.trim_end_matches('/');
    futures_util::stream::iter(cases)
        .map(|case| async move {
            let reply = send(client, base_url, credentials, &case).await;
            Sent { case, reply }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}

async fn send(
    client: &reqwest::Client,
    base_url: &str,
    credentials: &Credentials,
    case: &Case,
) -> Result<Reply, String> {
    let url = format!("{base_url}{}", case.path);
    let body = case.body.text();
    let mut request = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    if case.authorized {
        let headers = credentials
            .headers(
                "POST",
                &url,
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
            .map_err(|error| error.to_string())?;
        for (name, value) in headers {
            let mut value = reqwest::header::HeaderValue::try_from(value).map_err(|_| {
                format!("the credential for the {name} header is not a header value")
            })?;
            // Kept out of the client's own `Debug` output.
            value.set_sensitive(true);
            request = request.header(name, value);
        }
    }
    if matches!(case.expect, Expect::Refusal(_)) {
        request = request.header(EXPECT_HEADER, EXPECT_REFUSAL);
    }
    let mut response = request.body(body).send().await.map_err(describe_error)?;
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
        body: bytes,
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
/// the validator along the case's route, so in its dialect's schemas: a success case as an
/// exchange ([`Validator::validate_exchange`]: both sides, the pairing and stream rules),
/// a negative case by its response alone ([`Validator::validate_response_in`]: the
/// dialect's error envelope), the request being invalid on purpose. A Bedrock stream (an
/// AWS event stream, binary) is kept as its bytes, checked message by message
/// ([`Validator::validate_event_stream`], within the exchange check) and recorded as a
/// capture writes one (base64). On top, the runner's own `verify/` findings: no answer,
/// an answer that broke off, a status of the wrong class, and what the request decides
/// ([`answer`]).
pub fn check(
    sent: &Sent,
    location: Location,
    base_url: &str,
    validator: &Validator,
    server: Server,
) -> (Checked, Option<ai21_capture::Exchange>) {
    let case = &sent.case;
    let route = case.route.as_ref();
    let endpoint = route.map(|route| &route.endpoint);
    let mut report = Report::new();
    let Ok(reply) = &sent.reply else {
        let message = sent.reply.as_ref().err().cloned().unwrap_or_default();
        report.push(transport(format!("{}: no answer: {message}", case.name)));
        let subject = subject(case, 0, false);
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
    let success = (200..300).contains(&reply.status);
    let request_body = match &case.body {
        CaseBody::Json(value) => Body::from_json(value.clone()),
        CaseBody::Raw(text) => Body::Text((*text).to_owned()),
    };
    // An AWS event stream is binary: kept as bytes, by its content type, or on Bedrock by
    // bytes that are not text (the answer may have left its content type out).
    let aws_stream = reply.is_aws_event_stream()
        || case.dialect == Dialect::Bedrock
            && success
            && !reply.body.is_empty()
            && std::str::from_utf8(&reply.body).is_err();
    let response_body = if aws_stream {
        Body::AwsEventStream(reply.body.clone())
    } else {
        Body::from_text(
            reply.text().into_owned(),
            reply.content_type.as_deref(),
            true,
        )
    };
    let response = validated(&response_body);
    match (&case.expect, &request_body) {
        (Expect::Success, _) if !success => report.push(
            Finding::error(
                "verify/expected-success",
                "",
                format!("{}: got status {}, expected a 2xx", case.name, reply.status),
            )
            .with_target(Target::Response),
        ),
        (Expect::Success, Body::Json(request)) => {
            report.findings.extend(answered(
                &case.name,
                route,
                request,
                reply,
                &response_body,
                validator,
            ));
        }
        (Expect::Success, _) => {}
        (Expect::Refusal(refusal), _) => {
            let body = match &response_body {
                Body::Json(value) => Some(value),
                _ => None,
            };
            report.findings.extend(expect::check_refusal(
                &case.name,
                refusal,
                reply.status,
                body,
                server,
            ));
        }
    }
    let checked = match (&case.expect, route) {
        (Expect::Success, Some(route)) => validator
            .validate_exchange(&ai21_validate::Exchange {
                route: Some(route),
                timestamp: None,
                request: validated(&request_body),
                status: Some(reply.status),
                response,
            })
            .expect("the route is given, so the API is known"),
        _ => validator.validate_response_in(case.dialect, endpoint, Some(reply.status), response),
    };
    report.findings.extend(checked.findings);
    let streamed = matches!(
        response_body,
        Body::EventStream(_) | Body::AwsEventStream(_)
    );
    let subject = subject(case, reply.status, streamed);
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

/// The runner's own checks of a successful answer against its request. A stream is asked
/// for by the route's path (Bedrock, Vertex) or by the body's `stream` (Studio, Azure).
fn answered(
    name: &str,
    route: Option<&Route>,
    request: &Value,
    reply: &Reply,
    response: &Body,
    validator: &Validator,
) -> Vec<Finding> {
    let content_type = reply.content_type.as_deref();
    let Some(route) = route else {
        return Vec::new();
    };
    let streamed = route
        .stream
        .unwrap_or(request.get("stream") == Some(&Value::Bool(true)));
    match (&route.endpoint, response) {
        (Endpoint::J2Complete { .. }, Body::Json(response)) => answer::j2(name, request, response),
        (_, Body::AwsEventStream(bytes)) => {
            answer::bedrock_stream(name, route, request, content_type, bytes)
        }
        (Endpoint::JambaChat, _) if streamed => answer::jamba_stream(
            name,
            request,
            content_type,
            &reply.text(),
            route.dialect,
            validator,
        ),
        (Endpoint::JambaChat, Body::Json(response)) => {
            answer::jamba(name, request, content_type, response)
        }
        _ => Vec::new(),
    }
}

/// A captured body as the validator takes it.
fn validated(body: &Body) -> ai21_validate::Body<'_> {
    match body {
        Body::Absent => ai21_validate::Body::Absent,
        Body::Json(value) => ai21_validate::Body::Json(value),
        Body::EventStream(text) => ai21_validate::Body::EventStream(text),
        Body::AwsEventStream(bytes) => ai21_validate::Body::AwsEventStream(bytes),
        Body::Text(text) => ai21_validate::Body::Text(text),
    }
}

/// What a report says a case was: the exchange along its route (a partner's path as
/// sent), or a request to a path that is no endpoint.
fn subject(case: &Case, status: u16, streamed: bool) -> Subject {
    match &case.route {
        Some(route) => Subject::Exchange {
            method: "POST".to_owned(),
            endpoint: route.endpoint.clone(),
            dialect: route.dialect,
            path: (route.dialect != Dialect::Studio).then(|| case.path.clone()),
            status,
            streamed,
        },
        None => Subject::Request {
            method: "POST".to_owned(),
            path: case.path.clone(),
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
    let mut exchange =
        ai21_capture::Exchange::new_in(Some(case.dialect), &url, request, response).ok()?;
    exchange.expect_refusal = matches!(case.expect, Expect::Refusal(_));
    Some(exchange)
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
    credentials: &Credentials,
    plan: &Plan,
    concurrency: usize,
) -> Result<Vec<Checked>, Error> {
    let (cases, _) = suite(plan).map_err(Error::Suite)?;
    let client = http_client().map_err(Error::Client)?;
    let sent = send_all(&client, base_url, credentials, cases, concurrency).await;
    let validator = Validator::shared();
    Ok(sent
        .iter()
        .enumerate()
        .map(|(index, sent)| {
            check(
                sent,
                location(None, base_url, index),
                base_url,
                validator,
                plan.server,
            )
            .0
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Whether `value` holds an integer written as a float anywhere.
    fn has_integral_float(value: &Value) -> bool {
        match value {
            Value::Number(number) => {
                number.is_f64() && number.as_f64().is_some_and(|float| float.fract() == 0.0)
            }
            Value::Array(items) => items.iter().any(has_integral_float),
            Value::Object(members) => members.values().any(has_integral_float),
            _ => false,
        }
    }

    #[test]
    fn bounds_hold_for_numbers_written_as_floats() {
        let request = json!({"maxTokens": 4096.0, "numResults": 16.0, "temperature": 1.0,
            "stopSequences": ["##"], "nested": [2.0, 2.5]});
        let mock = bounded(request.clone(), Server::Mock);
        assert_eq!(mock["maxTokens"], json!(64));
        assert_eq!(mock["numResults"], json!(3));
        assert_eq!(mock["temperature"], json!(1.0));
        assert_eq!(mock["nested"], json!([2.0, 2.5]));
        let live = bounded(request, Server::Live);
        assert_eq!(
            live,
            json!({"maxTokens": 64, "numResults": 3, "temperature": 1,
                "stopSequences": ["##"], "nested": [2, 2.5]})
        );
    }

    #[test]
    fn a_live_suite_sends_integers_as_integers_and_the_mock_suite_floats_too() {
        let plan = |server| Plan {
            j2: true,
            jamba: true,
            generated: 40,
            seed: 5,
            server,
            destination: Destination::Studio,
        };
        let generated = |server| -> Vec<Value> {
            let (cases, _) = suite(&plan(server)).expect("the suite");
            cases
                .into_iter()
                .filter(|case| case.name.starts_with("generated"))
                .filter_map(|case| match case.body {
                    CaseBody::Json(body) => Some(body),
                    CaseBody::Raw(_) => None,
                })
                .collect()
        };
        let mock = generated(Server::Mock);
        assert!(
            mock.iter().any(has_integral_float),
            "the generator writes integers as floats now and then, and the mock is sent them"
        );
        let live = generated(Server::Live);
        assert_eq!(live.len(), mock.len());
        assert!(!live.iter().any(has_integral_float), "{live:#?}");
        for body in mock.iter().chain(&live) {
            for key in ["maxTokens", "max_tokens"] {
                assert!(
                    body[key].as_f64().is_none_or(|tokens| tokens <= 64.0),
                    "{body}"
                );
            }
        }
    }
}
