//! Checking one item read from a capture.
//!
//! A record goes to the validator as it is: an exchange through
//! [`Validator::validate_exchange`] with its endpoint and status (both sides, the J2 model
//! named by the URL path, the pairing and stream rules, drift, and the validator's
//! `capture/` findings for a body missing or not JSON and for a status the API never
//! answers with), a payload through [`Validator::validate`]. An unreadable item is an
//! outcome of its own, with the rule [`UNREADABLE_RULE`](crate::UNREADABLE_RULE).
//!
//! # Keys in content
//!
//! Reading masks keys in credential slots and strings that are a key as a whole, but a key
//! pasted into a prompt is content and stays (masking it would shift the text ranges). A
//! finding that quotes such a prompt may cut the key short, below the length the output's
//! redaction recognises, so every piece of a key-shaped word of the record (six letters
//! and digits or more) is masked in the messages of its findings, and so is every secret
//! shape: [`redact::message`], the redaction `serve`'s log lines get too.
//!
//! # Content masking
//!
//! With `--redact-content`, prompt and completion text must not reach the output. The
//! validator sees the unmasked payload (text ranges are offsets into the text, so masked
//! text would fail every tiling check), and then every quoted string in a finding message
//! that is part of a prompt or completion text (the places the canonical schemas mark with
//! `x-ai21-content`; the validator quotes values, shortened) becomes
//! `"[redacted: N chars]"`. Messages of unreadable items quote what could not be
//! parsed, so every quoted string in them is masked.

use std::cell::RefCell;

use ai21_capture::fast::{self, FastBody};
use ai21_capture::redact::{self, KeyWords};
use ai21_capture::{Body, Content, Exchange, Item, Location, Pending, Record};
use ai21_validate::Validator;

use crate::{Checked, EXPECTED_REFUSAL_RULE, Outcome, Subject};

/// How items are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Mask prompt and completion text quoted by finding messages (`--redact-content`).
    pub redact_content: bool,
    /// Check every JSONL line the full way, parsed into `serde_json::Value`s
    /// (`--no-fast-path`): for comparing the two paths, which give the same outcomes.
    pub no_fast_path: bool,
}

/// Checks one item still to parse: a JSONL line the fast way when it can be (see
/// [`check_line_fast`]), anything else parsed and [`check`]ed. The outcome is the same
/// either way.
pub fn check_pending(pending: Pending, validator: &Validator, options: CheckOptions) -> Outcome {
    if !options.no_fast_path
        && let Some((location, line)) = pending.as_line()
        && let Some(checked) =
            check_line_fast(location, line, pending.dialect(), validator, options)
    {
        return Outcome::Checked(checked);
    }
    check(pending.parse(), validator, options)
}

thread_local! {
    /// The fast read's buffers, one set per thread, reused from line to line.
    static SCRATCH: RefCell<fast::Scratch> = RefCell::new(fast::Scratch::default());
}

/// Checks a JSONL capture line without parsing it into `serde_json::Value`s: read off a tape
/// ([`fast::read_line`]) and validated there ([`Validator::fast_exchange`]). `None` when the
/// fast path cannot give exactly the outcome [`check`] gives on the parsed line: the line is
/// not read the fast way (not JSON the tape reads as serde_json does, not a readable AI21
/// exchange, a body that reading would redact or that holds a key-shaped word), the fast
/// check gives up (a finding of the schema or a client rule, an undeclared field), or
/// content is masked (`--redact-content`) in a report with findings.
pub fn check_line_fast(
    location: &Location,
    line: &[u8],
    dialect: Option<ai21_capture::Dialect>,
    validator: &Validator,
    options: CheckOptions,
) -> Option<Checked> {
    let line = simdutf8::basic::from_utf8(line).ok()?;
    SCRATCH.with_borrow_mut(|scratch| {
        fast::read_line(scratch, line, dialect, |exchange| {
            let mut report = validator
                .fast_exchange(&ai21_validate::Exchange {
                    route: Some(&exchange.route),
                    timestamp: exchange.timestamp.as_deref(),
                    request: fast_body(exchange.request),
                    status: Some(exchange.status),
                    response: fast_body(exchange.response),
                })?
                .ok()?;
            if !report.is_clean() {
                if options.redact_content {
                    return None;
                }
                // JSON bodies read the fast way hold no key-shaped word.
                let mut keys = KeyWords::default();
                for body in [exchange.request, exchange.response] {
                    if let FastBody::Text(text) | FastBody::EventStream(text) = body {
                        keys.add_text(text);
                    }
                }
                for finding in &mut report.findings {
                    finding.message = redact::message(&finding.message, &keys);
                }
            }
            Some(Checked {
                location: location.clone(),
                subject: Subject::Exchange {
                    method: exchange.method.clone().into_owned(),
                    endpoint: exchange.route.endpoint.clone(),
                    dialect: exchange.route.dialect,
                    path: (exchange.route.dialect != ai21_capture::Dialect::Studio)
                        .then(|| exchange.path.clone()),
                    status: exchange.status,
                    streamed: matches!(exchange.response, FastBody::EventStream(_)),
                },
                report,
            })
        })
    })
}

/// A body read the fast way as the validator takes it.
fn fast_body(body: FastBody<'_>) -> ai21_validate::Body<'_, ai21_tape::TapeRef<'_>> {
    match body {
        FastBody::Absent => ai21_validate::Body::Absent,
        FastBody::Json(value) => ai21_validate::Body::Json(value),
        FastBody::EventStream(text) => ai21_validate::Body::EventStream(text),
        FastBody::Text(text) => ai21_validate::Body::Text(text),
    }
}

/// Checks one item.
pub fn check(item: Item, validator: &Validator, options: CheckOptions) -> Outcome {
    match item {
        Item::Record(record) => Outcome::Checked(check_record(record, validator, options)),
        Item::Unreadable(mut unreadable) => {
            if options.redact_content {
                unreadable.message = mask_quoted(&unreadable.message, |_| true);
            }
            Outcome::Unreadable(unreadable)
        }
        Item::Skipped(skipped) => Outcome::Skipped(skipped),
    }
}

/// Checks a readable record: a payload with [`Validator::validate`], an exchange with
/// [`Validator::validate_exchange`] on its bodies where they are.
///
/// An exchange marked as meant to be refused ([`Exchange::expect_refusal`], a contract
/// runner's negative case) that was refused with a 4xx is checked by its answer alone
/// ([`Validator::validate_response`]): its request breaks the contract on purpose. One
/// that was not refused is checked in full and gets an [`EXPECTED_REFUSAL_RULE`] error.
pub fn check_record(record: Record, validator: &Validator, options: CheckOptions) -> Checked {
    let Record { location, content } = record;
    let (subject, mut report) = match &content {
        Content::Payload(payload) => (
            Subject::Payload(payload.kind),
            validator.validate_in(payload.dialect, payload.kind, &payload.body),
        ),
        Content::Exchange(exchange) => {
            let subject = Subject::Exchange {
                method: exchange.method.clone(),
                endpoint: exchange.endpoint().clone(),
                dialect: exchange.dialect(),
                path: (exchange.dialect() != ai21_capture::Dialect::Studio)
                    .then(|| ai21_capture::endpoint::path_of(exchange.url()).to_owned()),
                status: exchange.response.status,
                streamed: matches!(
                    exchange.response.body,
                    Body::EventStream(_) | Body::AwsEventStream(_)
                ),
            };
            let view = view(exchange);
            let status = exchange.response.status;
            let report = if exchange.expect_refusal && (400..500).contains(&status) {
                // Refused as it was meant to be: the request breaks the contract on
                // purpose, so only the answer is checked (the error envelope).
                validator.validate_response_in(
                    exchange.dialect(),
                    Some(exchange.endpoint()),
                    view.status,
                    view.response,
                )
            } else {
                let mut report = validator
                    .validate_exchange(&view)
                    .expect("the endpoint is given, so the API is known");
                if exchange.expect_refusal {
                    report.push(
                        ai21_validate::Finding::error(
                            EXPECTED_REFUSAL_RULE,
                            "",
                            format!(
                                "the record is marked \"expect\": \"refusal\", but the request got status {status}, not a 4xx refusal"
                            ),
                        )
                        .with_target(ai21_validate::Target::Response),
                    );
                }
                report
            };
            (subject, report)
        }
    };
    if !report.is_clean() {
        let keys = match &content {
            Content::Payload(payload) => key_words(&[ai21_validate::Body::Json(&payload.body)]),
            Content::Exchange(exchange) => {
                let view = view(exchange);
                key_words(&[view.request, view.response])
            }
        };
        for finding in &mut report.findings {
            finding.message = redact::message(&finding.message, &keys);
        }
        if options.redact_content {
            let content = match &content {
                Content::Payload(payload) => validator
                    .content(payload.kind, &payload.body)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                Content::Exchange(exchange) => validator.exchange_content(&view(exchange)),
            };
            for finding in &mut report.findings {
                finding.message = mask_quoted(&finding.message, |quoted| {
                    content.iter().any(|text| text.contains(quoted))
                });
            }
        }
    }
    Checked {
        location,
        subject,
        report,
    }
}

/// A captured exchange as the validator reads it, borrowed.
fn view(exchange: &Exchange) -> ai21_validate::Exchange<'_> {
    ai21_validate::Exchange {
        route: Some(exchange.route()),
        timestamp: exchange.timestamp.as_deref(),
        request: body(&exchange.request.body),
        status: Some(exchange.response.status),
        response: body(&exchange.response.body),
    }
}

/// A captured body as the validator takes it.
fn body(body: &Body) -> ai21_validate::Body<'_> {
    match body {
        Body::Absent => ai21_validate::Body::Absent,
        Body::Json(value) => ai21_validate::Body::Json(value),
        Body::EventStream(text) => ai21_validate::Body::EventStream(text),
        Body::AwsEventStream(bytes) => ai21_validate::Body::AwsEventStream(bytes),
        Body::Text(text) => ai21_validate::Body::Text(text),
    }
}

/// The key-shaped words of a record's bodies ([`KeyWords`]).
fn key_words(bodies: &[ai21_validate::Body<'_>]) -> KeyWords {
    let mut keys = KeyWords::default();
    for body in bodies {
        match body {
            ai21_validate::Body::Absent => {}
            ai21_validate::Body::Json(value) => keys.add_json(value),
            ai21_validate::Body::Text(text) | ai21_validate::Body::EventStream(text) => {
                keys.add_text(text);
            }
            // The words of every message's text: the chunks a finding may quote.
            ai21_validate::Body::AwsEventStream(bytes) => {
                for frame in ai21_validate::eventstream::decode(bytes) {
                    match frame.content {
                        ai21_validate::eventstream::Content::Chunk(chunk) => {
                            keys.add_text(&String::from_utf8_lossy(&chunk));
                        }
                        ai21_validate::eventstream::Content::Exception {
                            message: Some(message),
                            ..
                        } => keys.add_text(&message),
                        _ => {}
                    }
                }
            }
        }
    }
    keys
}

/// `[redacted: N chars]`, what masked content is replaced with (`N` counts characters).
pub(crate) fn masked(text: &str) -> String {
    format!("[redacted: {} chars]", text.chars().count())
}

/// The message with every double-quoted string for which `is_content` holds replaced by
/// `"[redacted: N chars]"`. A quoted string is JSON-escaped, and may be cut short with
/// `…` (the validator's shortening) or by the end of the message; `is_content` gets it
/// unescaped, without the `…`.
pub(crate) fn mask_quoted(message: &str, is_content: impl Fn(&str) -> bool) -> String {
    let mut output = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('"') {
        output.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        // The closing quote: the first one not escaped by a backslash.
        let mut close = None;
        let mut escaped = false;
        for (index, character) in after.char_indices() {
            match character {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    close = Some(index);
                    break;
                }
                _ => escaped = false,
            }
        }
        let literal = &after[..close.unwrap_or(after.len())];
        let shown = literal.strip_suffix('…').unwrap_or(literal);
        let text = serde_json::from_str::<String>(&format!("\"{shown}\""))
            .unwrap_or_else(|_| shown.to_owned());
        if !text.is_empty() && is_content(&text) {
            output.push('"');
            output.push_str(&masked(&text));
            output.push('"');
        } else {
            output.push('"');
            output.push_str(literal);
            if close.is_some() {
                output.push('"');
            }
        }
        rest = match close {
            Some(close) => &after[close + 1..],
            None => "",
        };
    }
    output.push_str(rest);
    output
}

#[cfg(test)]
mod tests;
