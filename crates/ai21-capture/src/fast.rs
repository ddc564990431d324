//! The fast read of a JSONL capture line: the record read off a tape ([`ai21_tape`])
//! instead of parsed into `serde_json::Value`s, for a caller that can check it there.
//!
//! [`read_line`] reads exactly what [`Pending::parse`](crate::Pending::parse) reads, or
//! gives up (`None`) and leaves the line to it. It gives up on anything it would have to
//! read differently, so that whatever it gives is the same exchange:
//!
//! - text the tape does not read as serde_json does ([`ai21_tape::Unsupported`]: invalid
//!   JSON, duplicate keys, lone surrogates, very deep nesting);
//! - a record the full read reports as unreadable or skipped (a missing or mistyped member,
//!   a status that is not an HTTP status, a URL that is not an AI21 endpoint), so its
//!   message is the full read's;
//! - a JSON body that redaction would change (a string member with a credential's name, a
//!   string that is a key as a whole, a secret shape in a string: a bearer token, `Basic`
//!   credentials, a JSON Web Token, a private-key block, an AWS or Google key) or that
//!   holds a key-shaped word anywhere (a finding message quoting a piece of it would be
//!   masked): the tape is borrowed and cannot be redacted in place
//!   ([`redact::json_is_plain`] decides, on the strings the tape lists as it parses).
//!
//! Text bodies and event streams are redacted as the full read redacts them
//! ([`redact::text`]).

use std::borrow::Cow;

use ai21_schemas::{Dialect, Route};
use ai21_tape::{Kind, TapeBuf, TapeRef, View};

use crate::{TextBody, endpoint, redact};

/// The buffers the fast read reuses from line to line: one tape for the record and one for
/// each body given as JSON text in a string.
#[derive(Default)]
pub struct Scratch {
    record: TapeBuf,
    request: TapeBuf,
    response: TapeBuf,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Scratch")
    }
}

/// A body read the fast way: what [`Body`](crate::Body) would hold, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum FastBody<'t> {
    /// No body.
    Absent,
    /// A JSON document, which redaction leaves as it is.
    Json(TapeRef<'t>),
    /// The text of an event stream, redacted.
    EventStream(&'t str),
    /// Other text, redacted.
    Text(&'t str),
}

/// An exchange read the fast way: what [`Exchange`](crate::Exchange) would hold, borrowed.
#[derive(Debug)]
pub struct FastExchange<'t> {
    /// Where the URL says the request was sent.
    pub route: Route,
    /// The URL's path, redacted.
    pub path: String,
    /// When the request was sent, as the full read keeps it: a string as written, a
    /// number as its text.
    pub timestamp: Option<Cow<'t, str>>,
    /// The method, redacted.
    pub method: Cow<'t, str>,
    /// The response's status.
    pub status: u16,
    /// The request body.
    pub request: FastBody<'t>,
    /// The response body.
    pub response: FastBody<'t>,
}

/// Reads a JSONL capture line (without its line ending) the fast way and calls `check`
/// with the exchange; `None`, without calling it, when the line is left to the full read.
pub fn read_line<R>(
    scratch: &mut Scratch,
    line: &str,
    dialect: Option<Dialect>,
    check: impl FnOnce(&FastExchange<'_>) -> Option<R>,
) -> Option<R> {
    let Scratch {
        record,
        request: request_buf,
        response: response_buf,
    } = scratch;
    let tape = record.parse(line).ok()?;
    let root = tape.root();
    let wire = Wire::read(root)?;
    let url = redact::url(wire.url);
    let dialect = match wire.dialect {
        Some(name) => Some(name.parse::<Dialect>().ok()?),
        None => dialect,
    };
    let endpoint::Recognition::Route(route) = endpoint::recognise(&url, dialect) else {
        return None;
    };
    if !(100..=599).contains(&wire.status) {
        return None;
    }

    // Each side: its tape (for a body given as JSON text), or its redacted text.
    let request_side = Side::read(wire.request_body, wire.request_type.as_deref(), false)?;
    let response_side = Side::read(wire.response_body, wire.response_type.as_deref(), true)?;
    let request_tape = request_side.json_text().map(|text| request_buf.parse(text));
    let response_tape = response_side
        .json_text()
        .map(|text| response_buf.parse(text));
    let request_text = request_side.text(request_tape.as_ref())?;
    let response_text = response_side.text(response_tape.as_ref())?;
    let request = request_side.body(request_tape.as_ref(), request_text.as_deref())?;
    let response = response_side.body(response_tape.as_ref(), response_text.as_deref())?;
    let exchange = FastExchange {
        route,
        path: endpoint::path_of(&url).to_owned(),
        timestamp: wire.timestamp,
        method: match wire.method {
            Some(method) => redact::text(method),
            None => Cow::Borrowed("POST"),
        },
        status: wire.status,
        request,
        response,
    };
    check(&exchange)
}

/// What a side's body is before its tape is made.
enum Side<'t> {
    Absent,
    /// A JSON value in the record.
    Json(TapeRef<'t>),
    /// A string holding JSON text (to parse on a tape of its own).
    JsonText(&'t str),
    EventStream(&'t str),
}

impl<'t> Side<'t> {
    /// The body member as [`Body::from_text`](crate::Body::from_text) and
    /// [`Body::from_json`](crate::Body::from_json) read it.
    fn read(
        body: Option<TapeRef<'t>>,
        content_type: Option<&str>,
        is_response: bool,
    ) -> Option<Side<'t>> {
        let Some(body) = body else {
            return Some(Side::Absent);
        };
        let Some(text) = body.as_str() else {
            return redact::json_is_plain(body).then_some(Side::Json(body));
        };
        Some(match TextBody::of(text, content_type, is_response) {
            TextBody::Absent => Side::Absent,
            TextBody::EventStream => Side::EventStream(text),
            // The full read keeps its bytes; the fast one leaves it to it.
            TextBody::AwsEventStream(_) => return None,
            TextBody::Json => Side::JsonText(text),
        })
    }

    /// The JSON text to parse on a tape of its own.
    fn json_text(&self) -> Option<&'t str> {
        match self {
            Side::JsonText(text) => Some(text),
            _ => None,
        }
    }

    /// The redacted text of a text body (`Some(None)` for a JSON one); `None` when the
    /// line is left to the full read.
    #[allow(clippy::option_option)]
    fn text(&self, tape: Option<&TapeResult<'_>>) -> Option<Option<Cow<'t, str>>> {
        Some(match (self, tape) {
            (Side::EventStream(text), _) => Some(redact::text(text)),
            (Side::JsonText(text), Some(Err(_))) => {
                // The tape gave up: the text is either not JSON (a text body, as serde_json
                // says) or JSON the tape does not read, left to the full read.
                if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
                    return None;
                }
                Some(redact::text(text))
            }
            _ => None,
        })
    }

    /// The body, from the side's tape and redacted text.
    fn body<'b>(
        &self,
        tape: Option<&'b TapeResult<'b>>,
        text: Option<&'b str>,
    ) -> Option<FastBody<'b>>
    where
        't: 'b,
    {
        Some(match (self, tape, text) {
            (Side::Absent, _, _) => FastBody::Absent,
            (Side::Json(body), _, _) => FastBody::Json(*body),
            (Side::JsonText(_), Some(Ok(tape)), _) => {
                let body = tape.root();
                if !redact::json_is_plain(body) {
                    return None;
                }
                FastBody::Json(body)
            }
            (Side::EventStream(_), _, Some(text)) => FastBody::EventStream(text),
            (Side::JsonText(_), _, Some(text)) => FastBody::Text(text),
            _ => return None,
        })
    }
}

/// A tape, or why the tape gave up.
type TapeResult<'t> = Result<ai21_tape::Tape<'t>, ai21_tape::Unsupported>;

/// The members of a record the check needs, read as the serde reader reads them.
struct Wire<'t> {
    url: &'t str,
    method: Option<&'t str>,
    timestamp: Option<Cow<'t, str>>,
    dialect: Option<&'t str>,
    request_body: Option<TapeRef<'t>>,
    request_type: Option<Cow<'t, str>>,
    status: u16,
    response_body: Option<TapeRef<'t>>,
    response_type: Option<Cow<'t, str>>,
}

impl<'t> Wire<'t> {
    fn read(root: TapeRef<'t>) -> Option<Wire<'t>> {
        if !root.is_object() {
            return None;
        }
        let url = root.get("url")?.as_str()?;
        let method = match root.get("method") {
            None => None,
            Some(method) if method.is_null() => None,
            Some(method) => Some(method.as_str()?),
        };
        // As the full read keeps it: a string redacted, a number as serde_json writes it.
        let timestamp = match root.get("timestamp") {
            None => None,
            Some(timestamp) => match timestamp.kind() {
                Kind::Null => None,
                Kind::String => Some(redact::text(timestamp.as_str()?)),
                Kind::Number => Some(Cow::Owned(timestamp.to_value().to_string())),
                _ => return None,
            },
        };
        let dialect = match root.get("dialect") {
            None => None,
            Some(dialect) => Some(dialect.as_str()?),
        };
        // A record meant to be refused (`"expect": "refusal"`) goes the full way.
        if root.get("expect").is_some() {
            return None;
        }
        let request = root.get("request")?;
        let response = root.get("response")?;
        if !request.is_object() || !response.is_object() {
            return None;
        }
        let status = u16::try_from(response.get("status")?.as_u64()?).ok()?;
        Some(Wire {
            url,
            method,
            timestamp,
            dialect,
            request_body: request.get("body"),
            request_type: content_type(request.get("headers"))?,
            status,
            response_body: response.get("body"),
            response_type: content_type(response.get("headers"))?,
        })
    }
}

/// The first `Content-Type` header value, redacted as headers are, from headers in either
/// form; `None` (outer) when the headers are not read as the serde reader reads them.
#[allow(clippy::option_option)]
fn content_type(headers: Option<TapeRef<'_>>) -> Option<Option<Cow<'_, str>>> {
    let Some(headers) = headers else {
        return Some(None);
    };
    let mut found: Option<(&str, Cow<'_, str>)> = None;
    let mut take = |name, value| -> Option<()> {
        let text = scalar_text(value)?;
        if found.is_none() && str::eq_ignore_ascii_case(name, "content-type") {
            found = Some((name, text));
        }
        Some(())
    };
    match headers.kind() {
        Kind::Null => {}
        Kind::Object => {
            for (name, value) in headers.members()? {
                match value.kind() {
                    Kind::Null => {}
                    Kind::Array => {
                        for value in value.items()? {
                            take(name, value)?;
                        }
                    }
                    _ => take(name, value)?,
                }
            }
        }
        Kind::Array => {
            for header in headers.items()? {
                if !header.is_object() {
                    return None;
                }
                let name = header.get("name")?.as_str()?;
                take(name, header.get("value")?)?;
            }
        }
        _ => return None,
    }
    Some(
        found.map(|(name, value)| match redact::header_value(name, &value) {
            Cow::Borrowed(_) => value,
            Cow::Owned(redacted) => Cow::Owned(redacted),
        }),
    )
}

/// A header value as the serde reader takes it: a string, a number or a boolean, as text.
fn scalar_text(value: TapeRef<'_>) -> Option<Cow<'_, str>> {
    match value.kind() {
        Kind::String => value.as_str().map(Cow::Borrowed),
        Kind::Number | Kind::Bool => Some(Cow::Owned(value.to_value().to_string())),
        _ => None,
    }
}
