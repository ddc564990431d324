//! Exchanges: a request and the response it got, validated together.
//!
//! The rules are documented on [`Validator::validate_exchange`].

use std::borrow::Cow;

use ai21_schemas::{Dialect, PayloadKind, Route};
use ai21_tape::View;
use serde_json::Value;

use crate::describe::{count, first_difference, found, or_list, short_str};
use crate::model::{Use, check_model};
use crate::report::{Finding, Report, Target};
use crate::rule::{integer, parameter};
use crate::validator::{Payload, retarget};
use crate::{Endpoint, Error, Result, Validator};

/// The rules about a model's name, which the path and the body of a J2 request can both
/// trigger for the same model.
const MODEL_RULES: [&str; 3] = [
    "drift/unknown-model",
    "drift/retired-model",
    "drift/deprecated-model",
];

/// A body as captured, borrowed: JSON, the text of an event stream, other text, or none.
///
/// The JSON is a `serde_json::Value` for the full check; the fast one
/// ([`Validator::fast_exchange`]) reads a tape node (`V` = [`ai21_tape::TapeRef`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Body<'a, V = &'a Value> {
    /// No body: none was captured, or it was empty.
    Absent,
    /// A JSON document.
    Json(V),
    /// The text of a `text/event-stream` response (`data: {...}` events).
    EventStream(&'a str),
    /// The bytes of an AWS event stream (Bedrock's streamed answer), checked by
    /// [`Validator::validate_event_stream`].
    AwsEventStream(&'a [u8]),
    /// Text that is neither JSON nor an event stream.
    Text(&'a str),
}

/// A request and the response it got, as captured, validated together by
/// [`Validator::validate_exchange`]. Everything is borrowed: a capture's bodies are
/// checked where they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exchange<'a, V = &'a Value> {
    /// Where the request was sent, when known (from the URL): the dialect, whose schemas
    /// the exchange is checked against, the canonical endpoint (a J2 model is only named
    /// there), and what the dialect's URL says (its model, whether it asks for a stream).
    /// Without one, the request's members tell the API and the dialect is Studio's.
    pub route: Option<&'a Route>,
    /// When the request was sent, as the capture wrote it (RFC 3339): model lifecycle
    /// dates are compared with it.
    pub timestamp: Option<&'a str>,
    /// The request body.
    pub request: Body<'a, V>,
    /// The response's HTTP status, when known (no status means a success).
    pub status: Option<u16>,
    /// The response body.
    pub response: Body<'a, V>,
}

/// What a response's status says about how to check its body.
enum Answer {
    /// 2xx (or unknown): the endpoint's response, or an event stream.
    Success,
    /// 4xx or 5xx: the error envelope.
    Error,
    /// Anything else: the API never answers so, and the body is not checked.
    Unexpected(u16),
}

fn answer(status: Option<u16>) -> Answer {
    match status {
        None => Answer::Success,
        Some(status) if (200..300).contains(&status) => Answer::Success,
        Some(status) if (400..600).contains(&status) => Answer::Error,
        Some(status) => Answer::Unexpected(status),
    }
}

/// The exchange's endpoint, or the API its request is for when it has none: a request with
/// `messages` is Jamba chat, one with `prompt` J2 (with no model named).
pub(crate) fn route_of<'e, V: View<'e>>(exchange: &Exchange<'e, V>) -> Result<Cow<'e, Route>> {
    let request = match exchange.request {
        Body::Json(request) => Some(request),
        _ => None,
    };
    match (exchange.route, request) {
        (Some(route), _) => Ok(Cow::Borrowed(route)),
        (None, Some(request)) if request.get("messages").is_some() => {
            Ok(Cow::Owned(Route::studio(Endpoint::JambaChat)))
        }
        (None, Some(request)) if request.get("prompt").is_some() => {
            Ok(Cow::Owned(Route::studio(Endpoint::J2Complete {
                model: String::new(),
                custom_model: None,
            })))
        }
        (None, _) => Err(Error::UnknownApi),
    }
}

/// What a response's status says about how to check its body: the kind of a JSON body
/// (`None` for a status the API never answers with).
pub(crate) fn response_kind(endpoint: &Endpoint, status: Option<u16>) -> Option<PayloadKind> {
    match answer(status) {
        Answer::Success => Some(endpoint.kinds().1),
        Answer::Error => Some(PayloadKind::ErrorResponse),
        Answer::Unexpected(_) => None,
    }
}

/// The finding for a body the validator cannot take where JSON is expected (none for a
/// JSON body).
fn body_finding<V>(body: Body<'_, V>, side: &str, target: Target) -> Option<Finding> {
    let finding = match body {
        Body::Json(_) => return None,
        Body::Absent => Finding::error(
            "capture/missing-body",
            "",
            format!("the {side} has no body"),
        ),
        Body::Text(text) => Finding::error(
            "capture/body-not-json",
            "",
            format!(
                "the {side} body is not JSON ({} of text)",
                count(text.len(), "byte")
            ),
        ),
        Body::EventStream(_) => Finding::error(
            "capture/body-not-json",
            "",
            format!("the {side} body is an event stream, not JSON"),
        ),
        Body::AwsEventStream(bytes) => Finding::error(
            "capture/body-not-json",
            "",
            format!(
                "the {side} body is an AWS event stream ({}), not JSON",
                count(bytes.len(), "byte")
            ),
        ),
    };
    Some(finding.with_target(target))
}

impl Validator {
    /// Validates a request sent to `endpoint`: its body (findings with
    /// [`Target::Request`]) and, for J2, the model the URL path names (a drift warning with
    /// [`Target::Endpoint`]). The v2 Python SDK also copies the model into the body; when
    /// the body names the path's model, its model is reported once, at the endpoint.
    pub fn validate_request(&self, endpoint: &Endpoint, request: &Value) -> Report {
        self.validate_request_on(&Route::studio(endpoint.clone()), request)
    }

    /// [`Validator::validate_request`] for a request sent along `route`: its body against
    /// the schema as the route's dialect has it, and the model the URL names (a J2 path's,
    /// Bedrock's model id, Vertex's versioned name) checked as the endpoint's.
    pub fn validate_request_on(&self, route: &Route, request: &Value) -> Report {
        let mut findings = Vec::new();
        self.check_request(route, None, request, &mut findings)
            .unwrap_or_else(|never| match never {});
        Report { findings }
    }

    /// [`Validator::validate_request_on`] on a payload of any representation, into `out`.
    fn check_request<'v, V: Payload<'v>>(
        &self,
        route: &Route,
        _timestamp: Option<&str>,
        request: V,
        out: &mut Vec<Finding>,
    ) -> Result<(), V::Defer> {
        let (request_kind, _) = route.endpoint.kinds();
        let mut findings = Vec::new();
        let path_model = match &route.endpoint {
            Endpoint::J2Complete { model, .. } if !model.is_empty() => Some(model.as_str()),
            _ => route.model.as_deref(),
        };
        if let Some(model) = path_model {
            findings.extend(
                check_model(model, "model", "", Use::Request)
                    .map(|finding| finding.with_target(Target::Endpoint)),
            );
        }
        let start = findings.len();
        request.check(self, route.dialect, request_kind, &mut findings)?;
        retarget(&mut findings[start..], Target::Request);
        if path_model.is_some() && request.get("model").and_then(View::as_str) == path_model {
            findings.retain(|finding| {
                !(finding.target == Target::Request
                    && finding.pointer == "/model"
                    && MODEL_RULES.contains(&finding.rule))
            });
        }
        out.append(&mut findings);
        Ok(())
    }

    /// Validates a response from `endpoint` on its own, without its request: a success
    /// (2xx, or no status) against the endpoint's response schema, or as an event stream
    /// (reassembled and validated like a response); an error (4xx, 5xx) against the error
    /// envelope; any other status is `capture/unexpected-status` (a warning: the API never
    /// answers so) and the body is not checked. A body that is missing or not JSON where
    /// JSON is expected is `capture/missing-body` or `capture/body-not-json`.
    ///
    /// Without an endpoint (a request sent to a path that is none), only an error answer
    /// can be checked: a success is left alone.
    pub fn validate_response(
        &self,
        endpoint: Option<&Endpoint>,
        status: Option<u16>,
        body: Body<'_>,
    ) -> Report {
        self.validate_response_in(Dialect::Studio, endpoint, status, body)
    }

    /// [`Validator::validate_response`] against the schemas as `dialect` has them (a
    /// Bedrock error is `{"message": ...}`, a Bedrock J2 id is 1234, ...).
    pub fn validate_response_in(
        &self,
        dialect: Dialect,
        endpoint: Option<&Endpoint>,
        status: Option<u16>,
        body: Body<'_>,
    ) -> Report {
        let mut findings = Vec::new();
        self.check_response(dialect, endpoint, status, body, &mut findings)
            .unwrap_or_else(|never| match never {});
        Report { findings }
    }

    /// The response's own findings; the reassembled response of a complete stream, for
    /// pairing.
    fn check_response<'v, V: Payload<'v>>(
        &self,
        dialect: Dialect,
        endpoint: Option<&Endpoint>,
        status: Option<u16>,
        body: Body<'v, V>,
        findings: &mut Vec<Finding>,
    ) -> Result<Option<Value>, V::Defer> {
        let kind = match (answer(status), body) {
            (Answer::Unexpected(status), _) => {
                findings.push(
                    Finding::warning(
                        "capture/unexpected-status",
                        "",
                        format!(
                            "status {status} is neither a success (2xx) nor an error (4xx, 5xx): the response is not checked"
                        ),
                    )
                    .with_target(Target::Response),
                );
                return Ok(None);
            }
            (Answer::Success, Body::EventStream(text)) => {
                let stream_report = self.validate_stream_in(dialect, text);
                findings.extend(stream_report.report.findings);
                return Ok(stream_report.reassembled);
            }
            (Answer::Success, Body::AwsEventStream(bytes)) => {
                let stream_report = self.validate_event_stream(bytes, dialect);
                findings.extend(stream_report.report.findings);
                return Ok(stream_report.reassembled);
            }
            (Answer::Success, _) => match endpoint {
                Some(endpoint) => endpoint.kinds().1,
                None => return Ok(None),
            },
            (Answer::Error, _) => PayloadKind::ErrorResponse,
        };
        if let Body::Json(value) = body {
            let start = findings.len();
            value.check(self, dialect, kind, findings)?;
            retarget(&mut findings[start..], Target::Response);
        } else {
            findings.extend(body_finding(body, "response", Target::Response));
        }
        Ok(None)
    }

    /// Validates both sides of an exchange and the pairing rules between them.
    ///
    /// The request is validated as [`Validator::validate_request`] does and the response as
    /// [`Validator::validate_response`] does; a side whose body is missing or not JSON is a
    /// `capture/` finding, and the other side is still checked on its own. Then, when the
    /// request is JSON and the response a success, the pairing rules (`pair/...`) check
    /// that the response answers the request (a streamed answer through its reassembled
    /// response, when the stream reached `[DONE]`). A parameter the request leaves out
    /// takes the default the schema documents. An error answer is not paired.
    ///
    /// The Jamba `pair/length` rule: `usage.completion_tokens` counts the tokens of every
    /// choice, so each choice finishing with `length` produced exactly `max_tokens` of them
    /// and the rule checks `completion_tokens >= max_tokens × (choices finishing with
    /// "length")`; and as no choice can produce more than `max_tokens`, also
    /// `completion_tokens <= max_tokens × n`.
    ///
    /// Errs only when the API cannot be told: no endpoint, and a request with neither
    /// `prompt` (J2) nor `messages` (Jamba).
    pub fn validate_exchange(&self, exchange: &Exchange<'_>) -> Result<Report> {
        self.check_exchange(exchange)
            .unwrap_or_else(|never| match never {})
    }

    /// [`Validator::validate_exchange`] decided the fast way, without building a tree of
    /// either body, from tapes ([`ai21_tape::TapeRef`]): `None` when the fast check cannot
    /// give the full check's report (a payload the schema or a client rule finds fault
    /// with, an undeclared field), so the caller runs
    /// [`Validator::validate_exchange`] on the parsed bodies. A `Some` is exactly the
    /// report `validate_exchange` gives.
    pub fn fast_exchange<'v>(
        &self,
        exchange: &Exchange<'v, ai21_tape::TapeRef<'v>>,
    ) -> Option<Result<Report>> {
        self.check_exchange(exchange).ok()
    }

    /// The exchange's report in the representation's mode: `Err` when the mode defers.
    fn check_exchange<'v, V: Payload<'v>>(
        &self,
        exchange: &Exchange<'v, V>,
    ) -> Result<Result<Report>, V::Defer> {
        let request = match exchange.request {
            Body::Json(request) => Some(request),
            _ => None,
        };
        let route = match route_of(exchange) {
            Ok(route) => route,
            Err(error) => return Ok(Err(error)),
        };
        let route = route.as_ref();
        let endpoint = &route.endpoint;
        let (request_kind, _) = endpoint.kinds();
        let mut findings = Vec::new();
        match request {
            Some(request) => {
                self.check_request(route, exchange.timestamp, request, &mut findings)?;
            }
            None => findings.extend(body_finding(exchange.request, "request", Target::Request)),
        }
        let reassembled = self.check_response(
            route.dialect,
            Some(endpoint),
            exchange.status,
            exchange.response,
            &mut findings,
        )?;
        let Some(request) = request else {
            return Ok(Ok(Report { findings }));
        };
        let jamba = request_kind == PayloadKind::JambaChatRequest;
        // A dialect whose path asks for the stream (Bedrock's invoke-with-response-stream,
        // Vertex's :streamRawPredict) decides by the path; otherwise the body's `stream`.
        let (stream, stream_pointer, stream_target) = match route.stream {
            Some(stream) => (stream, "", Target::Endpoint),
            None => {
                let (stream, _) =
                    parameter(request, "stream", V::as_bool, self.defaults.jamba_stream);
                let pointer = if request.get("stream").is_some() {
                    "/stream"
                } else {
                    ""
                };
                (stream, pointer, Target::Request)
            }
        };
        let asked = match route.stream {
            Some(_) => format!("the {} path asks", route.dialect.short()),
            None => "stream is true, so the request asks".to_owned(),
        };
        match (answer(exchange.status), exchange.response) {
            (Answer::Success, Body::Json(body)) => {
                let start = findings.len();
                if jamba {
                    pair_jamba(request, body, false, self, &mut findings);
                } else {
                    pair_j2(request, body, self, &mut findings);
                }
                retarget(&mut findings[start..], Target::Response);
                if jamba && stream {
                    findings.push(
                        Finding::error(
                            "pair/stream",
                            stream_pointer,
                            format!(
                                "{asked} for an event stream, but the response is a single JSON body"
                            ),
                        )
                        .with_target(stream_target),
                    );
                }
            }
            (Answer::Success, Body::EventStream(_) | Body::AwsEventStream(_)) if !jamba => {
                findings.push(
                    Finding::error(
                        "pair/stream",
                        "",
                        "the response is an event stream, but J2 complete has no streaming mode",
                    )
                    .with_target(Target::Response),
                );
            }
            (Answer::Success, Body::EventStream(_) | Body::AwsEventStream(_)) => {
                if !stream {
                    let message = match route.stream {
                        Some(_) => format!(
                            "the response is an event stream, but the {} path asks for a single JSON body",
                            route.dialect.short()
                        ),
                        None => "the response is an event stream, but the request does not set stream: true"
                            .to_owned(),
                    };
                    findings.push(
                        Finding::error("pair/stream", stream_pointer, message)
                            .with_target(stream_target),
                    );
                }
                if let Some(reassembled) = &reassembled {
                    let start = findings.len();
                    pair_jamba(request, reassembled, true, self, &mut findings);
                    retarget(&mut findings[start..], Target::Reassembled);
                }
            }
            _ => {}
        }
        Ok(Ok(Report { findings }))
    }
}

/// Pairing rules between a J2 request and its success response.
fn pair_j2<'a, 'b, R: View<'a>, S: View<'b>>(
    request: R,
    response: S,
    validator: &Validator,
    out: &mut Vec<Finding>,
) {
    let defaults = &validator.defaults;
    let completions = response.get("completions").and_then(View::items);

    if let Some(completions) = completions.clone() {
        let (wanted, note) = parameter(
            request,
            "numResults",
            |n| integer(n),
            defaults.j2_num_results,
        );
        if completions.len() as u64 != wanted {
            out.push(Finding::error(
                "pair/completion-count",
                "/completions",
                format!(
                    "the request asks for {} (numResults{note}), but the response has {}",
                    count(usize::try_from(wanted).unwrap_or(usize::MAX), "result"),
                    count(completions.len(), "completion")
                ),
            ));
        }
    }

    let (top_k, top_k_note) = parameter(
        request,
        "topKReturn",
        |n| integer(n),
        defaults.j2_top_k_return,
    );
    if let Some(tokens) = response
        .get("prompt")
        .and_then(|prompt| prompt.get("tokens"))
        .and_then(View::items)
    {
        top_tokens(tokens, "/prompt/tokens", top_k, top_k_note, out);
    }
    for (index, completion) in completions.clone().into_iter().flatten().enumerate() {
        if let Some(tokens) = completion
            .get("data")
            .and_then(|data| data.get("tokens"))
            .and_then(View::items)
        {
            top_tokens(
                tokens,
                &format!("/completions/{index}/data/tokens"),
                top_k,
                top_k_note,
                out,
            );
        }
    }

    let (max_tokens, max_note) =
        parameter(request, "maxTokens", |n| integer(n), defaults.j2_max_tokens);
    let stop_sequences: Option<Vec<&str>> = request
        .get("stopSequences")
        .and_then(View::items)
        .map(|sequences| sequences.filter_map(View::as_str).collect());
    for (index, completion) in completions.into_iter().flatten().enumerate() {
        let finish = completion.get("finishReason");
        match finish
            .and_then(|finish| finish.get("reason"))
            .and_then(View::as_str)
        {
            Some("stop") => {
                if let Some(sequence) = finish
                    .and_then(|finish| finish.get("sequence"))
                    .and_then(View::as_str)
                {
                    let pointer = format!("/completions/{index}/finishReason/sequence");
                    match &stop_sequences {
                        Some(sequences) if sequences.contains(&sequence) => {}
                        Some(sequences) if !sequences.is_empty() => out.push(Finding::error(
                            "pair/stop-sequence",
                            pointer,
                            format!(
                                "the completion stopped at {}, which is not one of the request's stopSequences ({})",
                                short_str(sequence),
                                or_list(sequences.iter().map(|sequence| short_str(sequence)))
                            ),
                        )),
                        _ => out.push(Finding::error(
                            "pair/stop-sequence",
                            pointer,
                            format!(
                                "the completion stopped at {}, but the request has no stopSequences",
                                short_str(sequence)
                            ),
                        )),
                    }
                }
            }
            Some("length") => {
                if let Some(length) = finish
                    .and_then(|finish| finish.get("length"))
                    .and_then(integer)
                    && length != max_tokens
                {
                    out.push(Finding::error(
                        "pair/length",
                        format!("/completions/{index}/finishReason/length"),
                        format!(
                            "the completion finished with length {length}, but the request's maxTokens is {max_tokens}{max_note}"
                        ),
                    ));
                }
            }
            _ => {}
        }
        if let Some(tokens) = completion
            .get("data")
            .and_then(|data| data.get("tokens"))
            .and_then(View::items)
            && tokens.len() as u64 > max_tokens
        {
            out.push(Finding::error(
                "pair/length",
                format!("/completions/{index}/data/tokens"),
                format!(
                    "the completion has {}, more than the request's maxTokens ({max_tokens}{max_note})",
                    count(tokens.len(), "token")
                ),
            ));
        }
    }

    if let (Some(sent), Some(echoed)) = (
        request.get("prompt").and_then(View::as_str),
        response
            .get("prompt")
            .and_then(|prompt| prompt.get("text"))
            .and_then(View::as_str),
    ) && sent != echoed
    {
        let (position, echoed_excerpt, sent_excerpt) = first_difference(echoed, sent);
        out.push(Finding::error(
            "pair/prompt-echo",
            "/prompt/text",
            format!(
                "prompt.text is not the request's prompt: at character {position} it has {echoed_excerpt} where the request has {sent_excerpt}"
            ),
        ));
    }
}

/// `topTokens` against the request's `topKReturn`, one finding per token list (the first
/// offending token, and how many more there are).
fn top_tokens<'a, V: View<'a>>(
    tokens: impl Iterator<Item = V>,
    pointer: &str,
    top_k: u64,
    note: &str,
    out: &mut Vec<Finding>,
) {
    let offending: Vec<(usize, V)> = tokens
        .enumerate()
        .filter_map(|(index, token)| {
            let top = token.get("topTokens")?;
            let fine = match top.items() {
                Some(alternatives) => top_k > 0 && alternatives.len() as u64 <= top_k,
                None if top.is_null() => top_k == 0,
                // Another type is the schema's finding.
                None => true,
            };
            (!fine).then_some((index, top))
        })
        .collect();
    let Some(&(index, top)) = offending.first() else {
        return;
    };
    let rest = match offending.len() - 1 {
        0 => String::new(),
        more => format!(" (and {} more in this list)", count(more, "token")),
    };
    let shown = match top.items() {
        Some(alternatives) => {
            format!("a list of {}", count(alternatives.len(), "alternative"))
        }
        None => found(top),
    };
    let message = if top_k == 0 {
        format!(
            "topTokens must be null, as the request's topKReturn is 0{note}, found {shown}{rest}"
        )
    } else {
        format!(
            "topTokens must be a list of at most {} (the request's topKReturn), found {shown}{rest}",
            count(usize::try_from(top_k).unwrap_or(usize::MAX), "alternative")
        )
    };
    out.push(Finding::error(
        "pair/top-tokens",
        format!("{pointer}/{index}/topTokens"),
        message,
    ));
}

/// Pairing rules between a Jamba request and its (non-streamed or reassembled) response.
fn pair_jamba<'a, 'b, R: View<'a>, S: View<'b>>(
    request: R,
    response: S,
    streamed: bool,
    validator: &Validator,
    out: &mut Vec<Finding>,
) {
    let defaults = &validator.defaults;
    let (n, n_note) = parameter(request, "n", |n| integer(n), defaults.jamba_n);
    let Some(choices) = response.get("choices").and_then(View::items) else {
        return;
    };
    // A stream carries one choice whatever n says; jamba/stream-needs-single-choice
    // reports the request.
    if !streamed && choices.len() as u64 != n {
        out.push(Finding::error(
            "pair/choice-count",
            "/choices",
            format!(
                "the request asks for {} (n{n_note}), but the response has {}",
                count(usize::try_from(n).unwrap_or(usize::MAX), "choice"),
                count(choices.len(), "choice")
            ),
        ));
    }
    let (max_tokens, max_note) = parameter(
        request,
        "max_tokens",
        |n| integer(n),
        defaults.jamba_max_tokens,
    );
    let Some(completion_tokens) = response
        .get("usage")
        .and_then(|usage| usage.get("completion_tokens"))
        .and_then(integer)
    else {
        return;
    };
    let by_length = choices
        .filter(|choice| choice.get("finish_reason").and_then(View::as_str) == Some("length"))
        .count() as u64;
    let least = u128::from(max_tokens) * u128::from(by_length);
    if u128::from(completion_tokens) < least {
        let (finished, reached) = if by_length == 1 {
            (
                "the choice finished with \"length\"".to_owned(),
                format!("max_tokens ({max_tokens}{max_note})"),
            )
        } else {
            (
                format!("{by_length} choices finished with \"length\""),
                format!(
                    "{by_length} × max_tokens ({by_length} × {max_tokens}{max_note} = {least})"
                ),
            )
        };
        out.push(Finding::error(
            "pair/length",
            "/usage/completion_tokens",
            format!(
                "{finished}, so completion_tokens must have reached {reached}, found {completion_tokens}"
            ),
        ));
    }
    let most = u128::from(max_tokens) * u128::from(if streamed { 1 } else { n });
    if u128::from(completion_tokens) > most {
        out.push(Finding::error(
            "pair/length",
            "/usage/completion_tokens",
            format!(
                "completion_tokens is {completion_tokens}, more than max_tokens {max_tokens}{max_note} allows for {}",
                count(usize::try_from(n).unwrap_or(usize::MAX), "choice")
            ),
        ));
    }
}
