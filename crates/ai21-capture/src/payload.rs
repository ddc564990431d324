//! Single payload files: one JSON body whose kind is given or told from its members.

use ai21_schemas::{Dialect, PayloadKind};
use serde_json::Value;

use super::source::{ErrorPosition, json_message};
use super::{Content, Item, Location, Payload, Record, Unreadable};
use crate::redact;

/// Reads a payload document into an item; a document that is not JSON, or whose kind is not
/// given and cannot be told, is unreadable.
pub(super) fn item(
    text: &str,
    location: Location,
    kind: Option<PayloadKind>,
    dialect: Option<Dialect>,
) -> Item {
    let value = match serde_json::from_str::<Value>(text) {
        Ok(value) => value,
        Err(error) => {
            return Item::Unreadable(Unreadable::new(
                location,
                json_message(&error, ErrorPosition::LineAndColumn),
            ));
        }
    };
    let kind = match kind.map_or_else(|| detect_kind(&value), Ok) {
        Ok(kind) => kind,
        Err(problem) => return Item::Unreadable(Unreadable::new(location, problem)),
    };
    let mut body = value;
    redact::json(&mut body);
    Item::Record(Record {
        location,
        content: Content::Payload(Payload {
            kind,
            dialect: dialect.unwrap_or_default(),
            body,
        }),
    })
}

/// The kind of a payload, told from its members; an error message when it cannot be told.
///
/// | member | kind |
/// |---|---|
/// | `completions` | J2 response (it also has `prompt`) |
/// | `prompt` | J2 request |
/// | `messages` | Jamba request |
/// | `choices` whose first item has `delta` | Jamba stream chunk |
/// | `choices` whose first item has `message` | Jamba response |
/// | `detail` | error |
///
/// A payload that matches none of these, or more than one, is not guessed at.
///
/// ```
/// use ai21_capture::detect_kind;
/// use ai21_schemas::PayloadKind;
///
/// let chunk = serde_json::json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": "Hi"}}]});
/// assert_eq!(detect_kind(&chunk), Ok(PayloadKind::JambaChatStreamChunk));
/// assert!(detect_kind(&serde_json::json!({"text": "Hi"})).is_err());
/// ```
pub fn detect_kind(payload: &Value) -> Result<PayloadKind, String> {
    let Value::Object(members) = payload else {
        return Err(format!(
            "cannot tell the payload kind: expected a JSON object, found {}",
            json_type(payload)
        ));
    };
    let mut kinds = Vec::new();
    if members.contains_key("completions") {
        kinds.push(PayloadKind::J2CompleteResponse);
    } else if members.contains_key("prompt") {
        kinds.push(PayloadKind::J2CompleteRequest);
    }
    if members.contains_key("messages") {
        kinds.push(PayloadKind::JambaChatRequest);
    }
    if let Some(choices) = members.get("choices") {
        let first = choices.as_array().and_then(|choices| choices.first());
        let has = |name| first.and_then(|first| first.get(name)).is_some();
        match (has("delta"), has("message")) {
            (true, false) => kinds.push(PayloadKind::JambaChatStreamChunk),
            (false, true) => kinds.push(PayloadKind::JambaChatResponse),
            _ => {
                return Err(String::from(
                    "cannot tell the payload kind: `choices` has no first item with either `message` (a Jamba response) or `delta` (a stream chunk); give the kind",
                ));
            }
        }
    }
    if members.contains_key("detail") {
        kinds.push(PayloadKind::ErrorResponse);
    }
    match kinds.as_slice() {
        [kind] => Ok(*kind),
        [] => Err(String::from(
            "cannot tell the payload kind: none of `prompt`, `completions`, `messages`, `choices` or `detail` is present; give the kind",
        )),
        kinds => {
            let names: Vec<String> = kinds.iter().map(ToString::to_string).collect();
            Err(format!(
                "cannot tell the payload kind: it could be any of {}; give the kind",
                names.join(", ")
            ))
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
