//! The JSONL capture record on the wire: reading a line into an [`Exchange`] and writing one
//! back. `docs/capture-format.md` specifies the format field by field; this
//! is its only reader and writer.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::source::{ErrorPosition, json_message};
use super::{
    Body, Exchange, Headers, Item, Location, Record, Request, Response, Skipped, Unreadable,
};
use crate::Dialect;
use crate::endpoint;
use crate::redact::{self, RedactedJson};

/// The longest URL quoted in a message; HAR files hold `data:` URLs of megabytes.
const QUOTED_URL: usize = 200;

/// Reads one capture record (a JSONL line, or a whole document) into an item.
pub(super) fn exchange_item(
    text: &str,
    location: Location,
    is_line: bool,
    dialect: Option<Dialect>,
) -> Item {
    // serde reads a struct from an array too, by position; a record must be an object.
    if text.trim_start().starts_with('[') {
        return Item::Unreadable(Unreadable::new(
            location,
            "expected a capture record object, found an array",
        ));
    }
    match serde_json::from_str::<WireRecord>(text) {
        Ok(record) => record.into_item(location, dialect),
        Err(error) => {
            let position = if is_line {
                ErrorPosition::Column
            } else {
                ErrorPosition::LineAndColumn
            };
            Item::Unreadable(Unreadable::new(location, json_message(&error, position)))
        }
    }
}

/// Builds the item for an exchange read from any format: skipped when the URL is not an
/// AI21 endpoint in any dialect (`dialect` decides where the URL does not), unreadable when
/// the status is not an HTTP status.
#[allow(
    clippy::too_many_arguments,
    reason = "the parts of a record, each read by the caller"
)]
pub(super) fn exchange(
    location: Location,
    url: &str,
    dialect: Option<Dialect>,
    method: String,
    timestamp: Option<String>,
    request: Request,
    response: Response,
) -> Item {
    let url = redact::url(url).into_owned();
    let recognition = endpoint::recognise(&url, dialect);
    let endpoint::Recognition::Route(route) = recognition else {
        let reason = endpoint::skip_reason(&recognition, &method, &url, &quoted_url(&url))
            .unwrap_or_default();
        return Item::Skipped(Skipped::new(location, reason));
    };
    if !(100..=599).contains(&response.status) {
        return Item::Unreadable(Unreadable::new(
            location,
            format!(
                "response status {} is not an HTTP status (100 to 599)",
                response.status
            ),
        ));
    }
    Item::Record(Record {
        location,
        content: super::Content::Exchange(Box::new(Exchange {
            url,
            route,
            method: redact::text(&method).into_owned(),
            timestamp: timestamp.map(|timestamp| redact::text(&timestamp).into_owned()),
            request,
            response,
            expect_refusal: false,
        })),
    })
}

/// The URL cut to a readable length, for messages.
pub(super) fn quoted_url(url: &str) -> String {
    match url.char_indices().nth(QUOTED_URL) {
        Some((cut, _)) => format!("{}...", &url[..cut]),
        None => url.to_owned(),
    }
}

#[derive(Deserialize)]
#[serde(expecting = "a capture record object")]
struct WireRecord {
    url: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    timestamp: Option<Timestamp>,
    #[serde(default)]
    expect: Option<WireExpect>,
    #[serde(default)]
    dialect: Option<WireDialect>,
    request: WireRequest,
    response: WireResponse,
}

/// The dialect a record names (`"bedrock"`, ...), for a URL that does not tell it.
struct WireDialect(Dialect);

impl<'de> Deserialize<'de> for WireDialect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WireDialect, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse::<Dialect>()
            .map(WireDialect)
            .map_err(|error| de::Error::custom(format!("dialect: {error}")))
    }
}

/// What the request of a record was meant to get: `"refusal"` marks a request that breaks
/// the contract on purpose.
#[derive(Deserialize, Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum WireExpect {
    Refusal,
}

#[derive(Deserialize)]
#[serde(expecting = "a request object")]
struct WireRequest {
    #[serde(default)]
    headers: WireHeaders,
    #[serde(default, deserialize_with = "present")]
    body: Option<Value>,
}

#[derive(Deserialize)]
#[serde(expecting = "a response object")]
struct WireResponse {
    status: u16,
    #[serde(default)]
    headers: WireHeaders,
    #[serde(default, deserialize_with = "present")]
    body: Option<Value>,
}

impl WireRecord {
    fn into_item(self, location: Location, dialect: Option<Dialect>) -> Item {
        let request_headers = self.request.headers.0;
        let request_body = body(self.request.body, &request_headers, false);
        let response_headers = self.response.headers.0;
        let response_body = body(self.response.body, &response_headers, true);
        let item = exchange(
            location,
            &self.url,
            self.dialect.map(|dialect| dialect.0).or(dialect),
            self.method.unwrap_or_else(|| "POST".to_owned()),
            self.timestamp.map(|timestamp| timestamp.0),
            Request {
                headers: request_headers,
                body: request_body,
            },
            Response {
                status: self.response.status,
                headers: response_headers,
                body: response_body,
            },
        );
        match (item, self.expect) {
            (Item::Record(mut record), Some(WireExpect::Refusal)) => {
                if let super::Content::Exchange(exchange) = &mut record.content {
                    exchange.expect_refusal = true;
                }
                Item::Record(record)
            }
            (item, _) => item,
        }
    }
}

/// A body member: a JSON-text string is parsed, any other JSON value is the body.
fn body(value: Option<Value>, headers: &Headers, is_response: bool) -> Body {
    match value {
        None => Body::Absent,
        Some(Value::String(text)) => Body::from_text(text, headers.content_type(), is_response),
        Some(value) => Body::from_json(value),
    }
}

/// Keeps an explicit `null` body apart from a missing one (`Option<Value>` alone maps both
/// to `None`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A timestamp: a string, or a number (such as Unix seconds) kept as its text.
struct Timestamp(String);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => Ok(Timestamp(text)),
            Value::Number(number) => Ok(Timestamp(number.to_string())),
            _ => Err(de::Error::custom(
                "timestamp: expected a string or a number",
            )),
        }
    }
}

/// Headers as an object (`{"name": "value" | ["value", ...]}`) or as a HAR-style array
/// (`[{"name": ..., "value": ...}]`), redacted as they are read.
#[derive(Default)]
struct WireHeaders(Headers);

impl<'de> Deserialize<'de> for WireHeaders {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WireHeaders, D::Error> {
        deserializer.deserialize_any(HeadersVisitor)
    }
}

struct HeadersVisitor;

impl<'de> Visitor<'de> for HeadersVisitor {
    type Value = WireHeaders;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("headers as an object or an array of {name, value}")
    }

    fn visit_unit<E: de::Error>(self) -> Result<WireHeaders, E> {
        Ok(WireHeaders::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireHeaders, A::Error> {
        let mut headers = Headers::new();
        while let Some((name, value)) = map.next_entry::<String, HeaderValue>()? {
            match value {
                HeaderValue::One(value) => headers.push(name, &value),
                HeaderValue::Many(values) => {
                    for value in values {
                        headers.push(name.clone(), &value.0);
                    }
                }
                HeaderValue::None => {}
            }
        }
        Ok(WireHeaders(headers))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<WireHeaders, A::Error> {
        #[derive(Deserialize)]
        #[serde(expecting = "a header object with name and value")]
        struct NamedHeader {
            name: String,
            value: ScalarText,
        }
        let mut headers = Headers::new();
        while let Some(header) = sequence.next_element::<NamedHeader>()? {
            headers.push(header.name, &header.value.0);
        }
        Ok(WireHeaders(headers))
    }
}

/// One header value in the object form.
enum HeaderValue {
    One(String),
    Many(Vec<ScalarText>),
    None,
}

impl<'de> Deserialize<'de> for HeaderValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HeaderValue, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null => Ok(HeaderValue::None),
            Value::Array(values) => values
                .into_iter()
                .map(scalar_text)
                .collect::<Option<Vec<_>>>()
                .map(HeaderValue::Many)
                .ok_or_else(|| de::Error::custom("header value: expected a string or a number")),
            value => scalar_text(value)
                .map(|text| HeaderValue::One(text.0))
                .ok_or_else(|| de::Error::custom("header value: expected a string or a number")),
        }
    }
}

/// A string, number or boolean, as text (loggers write `content-length: 123`).
struct ScalarText(String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ScalarText, D::Error> {
        scalar_text(Value::deserialize(deserializer)?)
            .ok_or_else(|| de::Error::custom("header value: expected a string or a number"))
    }
}

fn scalar_text(value: Value) -> Option<ScalarText> {
    match value {
        Value::String(text) => Some(ScalarText(text)),
        Value::Number(number) => Some(ScalarText(number.to_string())),
        Value::Bool(flag) => Some(ScalarText(flag.to_string())),
        _ => None,
    }
}

/// The exchange as one JSONL line, redacted again on the way out.
pub(super) fn to_json_line(exchange: &Exchange) -> String {
    let record = OutRecord {
        url: &redact::url(&exchange.url),
        method: &redact::text(&exchange.method),
        timestamp: exchange
            .timestamp
            .as_deref()
            .map(|timestamp| redact::text(timestamp).into_owned()),
        expect: exchange.expect_refusal.then_some(WireExpect::Refusal),
        dialect: (exchange.route.dialect != Dialect::Studio).then(|| exchange.route.dialect.name()),
        request: OutRequest {
            headers: OutHeaders(&exchange.request.headers),
            body: OutBody(&exchange.request.body),
        },
        response: OutResponse {
            status: exchange.response.status,
            headers: OutHeaders(&exchange.response.headers),
            body: OutBody(&exchange.response.body),
        },
    };
    serde_json::to_string(&record).expect("a record of strings and JSON values always serialises")
}

#[derive(Serialize)]
struct OutRecord<'a> {
    url: &'a str,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<WireExpect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dialect: Option<&'static str>,
    request: OutRequest<'a>,
    response: OutResponse<'a>,
}

#[derive(Serialize)]
struct OutRequest<'a> {
    #[serde(skip_serializing_if = "OutHeaders::is_empty")]
    headers: OutHeaders<'a>,
    #[serde(skip_serializing_if = "OutBody::is_absent")]
    body: OutBody<'a>,
}

#[derive(Serialize)]
struct OutResponse<'a> {
    status: u16,
    #[serde(skip_serializing_if = "OutHeaders::is_empty")]
    headers: OutHeaders<'a>,
    #[serde(skip_serializing_if = "OutBody::is_absent")]
    body: OutBody<'a>,
}

/// Headers as an object in captured order; a repeated header becomes an array of values.
struct OutHeaders<'a>(&'a Headers);

impl OutHeaders<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for OutHeaders<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut names: Vec<&str> = Vec::new();
        for (name, _) in self.0.iter() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let mut map = serializer.serialize_map(Some(names.len()))?;
        for name in names {
            let values: Vec<_> = self
                .0
                .iter()
                .filter(|(other, _)| *other == name)
                .map(|(_, value)| redact::header_value(name, value))
                .collect();
            match values.as_slice() {
                [value] => map.serialize_entry(name, value)?,
                values => map.serialize_entry(name, values)?,
            }
        }
        map.end()
    }
}

/// A body as written: JSON as itself (a JSON string as its JSON text, so that reading it
/// back gives the same body), text as a string, all redacted.
struct OutBody<'a>(&'a Body);

impl OutBody<'_> {
    fn is_absent(&self) -> bool {
        self.0.is_absent()
    }
}

impl Serialize for OutBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Body::Absent => serializer.serialize_unit(),
            Body::Json(value @ Value::String(_)) => {
                let text = serde_json::to_string(&RedactedJson(value))
                    .expect("a JSON string always serialises");
                serializer.serialize_str(&text)
            }
            Body::Json(value) => RedactedJson(value).serialize(serializer),
            Body::EventStream(text) | Body::Text(text) => {
                serializer.serialize_str(&redact::text(text))
            }
            // Binary: written as base64, which reads back as the same bytes.
            Body::AwsEventStream(bytes) => {
                use base64::Engine;
                serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
            }
        }
    }
}
