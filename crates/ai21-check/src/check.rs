//! Checking one item read from a capture: what goes to the validator, and what the command
//! line checks itself.
//!
//! An exchange goes through [`Validator::validate_exchange`] with its endpoint (so the J2
//! model named by the URL path is checked too): both sides, the pairing rules, the stream
//! rules, drift. A response with status 400 or more is checked against the error envelope
//! and not paired (as `validate_exchange` does). What the validator cannot take is a
//! `capture/` finding instead (see [`CAPTURE_RULES`](crate::CAPTURE_RULES)): a body
//! missing or not JSON (the other side is then validated on its own), a status that is
//! neither a success nor an error (the request is validated on its own). A payload goes
//! through [`Validator::validate`].
//!
//! # Keys in content
//!
//! Reading masks keys in credential slots and strings that are a key as a whole, but a key
//! pasted into a prompt is content and stays (masking it would shift the text ranges). A
//! finding that quotes such a prompt may cut the key short, below the length the output's
//! redaction recognises, so every piece of a key-shaped word of the record (six letters
//! and digits or more) is masked in the messages of its findings.
//!
//! # Content masking
//!
//! With `--redact-content`, prompt and completion text must not reach the output. The
//! validator sees the unmasked payload (text ranges are offsets into the text, so masked
//! text would fail every tiling check), and then every quoted string in a finding message
//! that is part of a prompt or completion text (the validator quotes values, shortened)
//! becomes `"[redacted: N chars]"`. Messages of unreadable items quote what could not be
//! parsed, so every quoted string in them is masked.

use ai21_validate::{
    Exchange as ValidatorExchange, Finding, PayloadKind, Report, ResponseBody, Target, Validator,
};
use serde_json::Value;

use crate::{Checked, Outcome, Subject};
use ai21_capture::redact;
use ai21_capture::{Body, Content, Exchange, Item, Record};

/// How items are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Mask prompt and completion text quoted by finding messages (`--redact-content`).
    pub redact_content: bool,
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

/// Checks a readable record. The record is taken, not borrowed: its bodies move into the
/// validator's exchange instead of being copied (a J2 response is a tree of thousands of
/// nodes).
pub fn check_record(record: Record, validator: &Validator, options: CheckOptions) -> Checked {
    let Record { location, content } = record;
    let (subject, mut report, bodies) = match content {
        Content::Payload(payload) => {
            let report = validator.validate(payload.kind, &payload.body);
            (
                Subject::Payload(payload.kind),
                report,
                vec![Body::Json(payload.body)],
            )
        }
        Content::Exchange(exchange) => {
            let subject = Subject::Exchange {
                method: exchange.method.clone(),
                endpoint: exchange.endpoint().clone(),
                status: exchange.response.status,
                streamed: matches!(exchange.response.body, Body::EventStream(_)),
            };
            let (report, bodies) = check_exchange(*exchange, validator);
            (subject, report, bodies)
        }
    };
    if !report.is_clean() {
        let keys = key_words(&bodies);
        if !keys.is_empty() {
            for finding in &mut report.findings {
                finding.message = mask_key_fragments(&finding.message, &keys);
            }
        }
        if options.redact_content {
            let content = content_strings(&bodies);
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

/// The findings of an exchange, and its bodies back (for masking the messages).
fn check_exchange(exchange: Exchange, validator: &Validator) -> (Report, Vec<Body>) {
    let endpoint = exchange.endpoint().clone();
    let (_, response_kind) = endpoint.kinds();
    let status = exchange.response.status;
    let mut report = Report::new();
    let mut bodies = Vec::with_capacity(2);

    let request = match exchange.request.body {
        Body::Json(value) => Some(value),
        other => {
            report.extend(body_finding(&other, "request", Target::Request));
            bodies.push(other);
            None
        }
    };
    let response = if (200..300).contains(&status) || status >= 400 {
        match exchange.response.body {
            Body::Json(body) => Some(ResponseBody::Json {
                status: Some(status),
                body,
            }),
            Body::EventStream(text) => Some(ResponseBody::EventStream(text)),
            other => {
                report.extend(body_finding(&other, "response", Target::Response));
                bodies.push(other);
                None
            }
        }
    } else {
        report.push(
            Finding::warning(
                "capture/unexpected-status",
                "",
                format!(
                    "status {status} is neither a success (2xx) nor an error (4xx, 5xx): the response is not checked"
                ),
            )
            .with_target(Target::Response),
        );
        bodies.push(exchange.response.body);
        None
    };

    match (request, response) {
        (Some(request), Some(response)) => {
            let exchange = ValidatorExchange {
                endpoint: Some(endpoint),
                request,
                response,
            };
            let exchange_report = validator
                .validate_exchange(&exchange)
                .expect("the endpoint is given, so the API is known");
            report.extend(exchange_report.findings);
            bodies.push(Body::Json(exchange.request));
            bodies.push(response_body(exchange.response));
        }
        (Some(request), None) => {
            report.extend(validator.validate_request(&endpoint, &request).findings);
            bodies.push(Body::Json(request));
        }
        (None, Some(response)) => {
            match &response {
                ResponseBody::Json { status, body } => {
                    let kind = if status.is_some_and(|status| status >= 400) {
                        PayloadKind::ErrorResponse
                    } else {
                        response_kind
                    };
                    report.extend(retarget(validator.validate(kind, body), Target::Response));
                }
                ResponseBody::EventStream(text) => {
                    report.extend(validator.validate_stream(text).report.findings);
                }
            }
            bodies.push(response_body(response));
        }
        (None, None) => {}
    }
    (report, bodies)
}

/// A response body handed to the validator, as a capture body again.
fn response_body(response: ResponseBody) -> Body {
    match response {
        ResponseBody::Json { body, .. } => Body::Json(body),
        ResponseBody::EventStream(text) => Body::EventStream(text),
    }
}

/// The finding for a body the validator cannot take (none for a JSON body).
fn body_finding(body: &Body, side: &str, target: Target) -> Option<Finding> {
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
                if text.len() == 1 {
                    "1 byte".to_owned()
                } else {
                    format!("{} bytes", text.len())
                }
            ),
        ),
        Body::EventStream(_) => Finding::error(
            "capture/body-not-json",
            "",
            format!("the {side} body is an event stream, not JSON"),
        ),
    };
    Some(finding.with_target(target))
}

fn retarget(report: Report, target: Target) -> impl Iterator<Item = Finding> {
    report
        .findings
        .into_iter()
        .map(move |finding| finding.with_target(target))
}

/// The shortest piece of a key a message may not show: shorter runs of letters and
/// digits are ordinary words.
const KEY_FRAGMENT: usize = 6;

/// The key-shaped words ([`redact::is_key_shaped`]) anywhere in a record's text. Reading
/// masked the keys standing in credential slots or as whole strings; a key pasted into a
/// prompt is content and stays, and a message quoting that prompt cut short may show a
/// piece of it too short to look like a key on its own.
fn key_words(bodies: &[Body]) -> Vec<String> {
    fn scan(text: &str, keys: &mut Vec<String>) {
        // Most strings (every J2 token) are too short to hold a key.
        if text.len() < redact::MIN_KEY_LEN {
            return;
        }
        for word in text.split(|character: char| !character.is_ascii_alphanumeric()) {
            if redact::is_key_shaped(word) && !keys.iter().any(|key| key == word) {
                keys.push(word.to_owned());
            }
        }
    }
    fn walk(value: &Value, keys: &mut Vec<String>) {
        match value {
            Value::String(text) => scan(text, keys),
            Value::Array(items) => items.iter().for_each(|item| walk(item, keys)),
            Value::Object(members) => {
                for (name, member) in members {
                    scan(name, keys);
                    walk(member, keys);
                }
            }
            _ => {}
        }
    }
    let mut keys = Vec::new();
    for body in bodies {
        match body {
            Body::Absent => {}
            Body::Json(value) => walk(value, &mut keys),
            Body::Text(text) | Body::EventStream(text) => scan(text, &mut keys),
        }
    }
    keys
}

/// The message with every run of letters and digits that is a piece of one of `keys`
/// (at least [`KEY_FRAGMENT`] long) replaced by `[redacted]`.
pub(crate) fn mask_key_fragments(message: &str, keys: &[String]) -> String {
    let mut output = String::with_capacity(message.len());
    let mut run_start = None;
    let flush = |output: &mut String, run: &str| {
        if run.len() >= KEY_FRAGMENT && keys.iter().any(|key| key.contains(run)) {
            output.push_str(redact::REDACTED);
        } else {
            output.push_str(run);
        }
    };
    for (index, character) in message.char_indices() {
        if character.is_ascii_alphanumeric() {
            run_start.get_or_insert(index);
            continue;
        }
        if let Some(start) = run_start.take() {
            flush(&mut output, &message[start..index]);
        }
        output.push(character);
    }
    if let Some(start) = run_start {
        flush(&mut output, &message[start..]);
    }
    output
}

/// The prompt and completion texts of a record: every string [`crate::content::mask_content`]
/// would mask, and, for an event stream, the content of its deltas joined (the
/// reassembled response quotes that).
fn content_strings(bodies: &[Body]) -> Vec<String> {
    let mut strings = Vec::new();
    let json = |value: &Value, strings: &mut Vec<String>| {
        let mut masked = value.clone();
        crate::content::mask_content(&mut masked);
        changed_strings(value, &masked, strings);
    };
    for body in bodies {
        match body {
            Body::Absent => {}
            Body::Json(value) => json(value, &mut strings),
            Body::Text(text) => strings.push(text.clone()),
            Body::EventStream(text) => {
                let mut joined = String::new();
                for line in text.lines() {
                    let Some(data) = line.strip_prefix("data:") else {
                        continue;
                    };
                    let data = data.trim();
                    match serde_json::from_str::<Value>(data) {
                        Ok(chunk) => {
                            let start = strings.len();
                            json(&chunk, &mut strings);
                            for piece in &strings[start..] {
                                joined.push_str(piece);
                            }
                        }
                        Err(_) => strings.push(data.to_owned()),
                    }
                }
                strings.push(joined);
            }
        }
    }
    strings.retain(|text| !text.is_empty());
    strings
}

/// The strings of `original` that masking changed.
fn changed_strings(original: &Value, masked: &Value, out: &mut Vec<String>) {
    match (original, masked) {
        (Value::String(original), Value::String(masked)) if original != masked => {
            out.push(original.clone());
        }
        (Value::Array(originals), Value::Array(maskeds)) => {
            for (original, masked) in originals.iter().zip(maskeds) {
                changed_strings(original, masked, out);
            }
        }
        (Value::Object(originals), Value::Object(maskeds)) => {
            for (name, original) in originals {
                if let Some(masked) = maskeds.get(name) {
                    changed_strings(original, masked, out);
                }
            }
        }
        _ => {}
    }
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
            output.push_str(&crate::content::masked(&text));
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
