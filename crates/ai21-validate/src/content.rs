//! Where prompt and completion text stands in a payload, read from the schemas' marks.
//!
//! The canonical schemas mark every place that holds text a person wrote or a model
//! generated with `"x-ai21-content": true`: a J2 prompt and completion texts and their
//! tokens, Jamba message contents, tool call arguments, documents, log-probability tokens,
//! the input a validation error echoes. A report that must not show content
//! (`--redact-content`) asks for those strings here, so that the list of places is the
//! schemas' and is written nowhere else.

use serde_json::Value;

use crate::exchange::{Body, Exchange, response_kind, route_of};
use crate::report::Finding;
use crate::stream::split_events;
use crate::{PayloadKind, Validator};

impl Validator {
    /// The prompt and completion text of a payload of `kind`: every string of a value its
    /// schema marks as content, in document order (object members in key order). A value of a union whose branch cannot
    /// be told (an invalid payload) is read through every branch: what is content must
    /// not depend on the payload being valid.
    ///
    /// ```
    /// use ai21_validate::{PayloadKind, Validator};
    /// use serde_json::json;
    ///
    /// let request = json!({"model": "jamba-mini", "temperature": 0.5, "messages": [
    ///     {"role": "system", "content": "Be brief."},
    ///     {"role": "user", "content": "Tell me a secret"}]});
    /// let content = Validator::shared().content(PayloadKind::JambaChatRequest, &request);
    /// assert_eq!(content, ["Be brief.", "Tell me a secret"]);
    /// ```
    pub fn content<'v>(&self, kind: PayloadKind, payload: &'v Value) -> Vec<&'v str> {
        let mut out = Vec::new();
        self.plan(kind).content(payload, &mut out);
        out
    }

    /// The prompt and completion text of an exchange, its bodies read as
    /// [`Validator::validate_exchange`] reads them: the request; a response as the
    /// endpoint's answer or as the error envelope, by its status; every chunk of an event
    /// stream, and the pieces of the stream joined (as its reassembled response quotes
    /// them); text that is neither, whole. Empty strings are left out.
    pub fn exchange_content(&self, exchange: &Exchange<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let route = route_of(exchange).ok();
        let endpoint = route.as_deref().map(|route| &route.endpoint);
        let request_kind = endpoint.map(|endpoint| endpoint.kinds().0);
        let response_kind = endpoint.and_then(|endpoint| response_kind(endpoint, exchange.status));
        self.body_content(request_kind, exchange.request, &mut out);
        self.body_content(response_kind, exchange.response, &mut out);
        out.retain(|text| !text.is_empty());
        out
    }

    fn body_content(&self, kind: Option<PayloadKind>, body: Body<'_>, out: &mut Vec<String>) {
        match body {
            Body::Absent => {}
            Body::Text(text) => out.push(text.to_owned()),
            Body::Json(value) => {
                if let Some(kind) = kind {
                    out.extend(self.content(kind, value).into_iter().map(str::to_owned));
                }
            }
            Body::EventStream(text) => {
                let mut ignored: Vec<Finding> = Vec::new();
                let (data_lines, _) = split_events(text, &mut ignored);
                let mut joined = String::new();
                for data_line in data_lines {
                    let data = data_line.data.trim();
                    if data == "[DONE]" {
                        continue;
                    }
                    match serde_json::from_str::<Value>(data) {
                        Ok(chunk) => {
                            for piece in self.content(PayloadKind::JambaChatStreamChunk, &chunk) {
                                joined.push_str(piece);
                                out.push(piece.to_owned());
                            }
                        }
                        Err(_) => out.push(data.to_owned()),
                    }
                }
                out.push(joined);
            }
            Body::AwsEventStream(bytes) => {
                let mut joined = String::new();
                for frame in crate::eventstream::decode(bytes) {
                    match frame.content {
                        crate::eventstream::Content::Chunk(chunk) => {
                            match serde_json::from_slice::<Value>(&chunk) {
                                Ok(chunk) => {
                                    for piece in
                                        self.content(PayloadKind::JambaChatStreamChunk, &chunk)
                                    {
                                        joined.push_str(piece);
                                        out.push(piece.to_owned());
                                    }
                                }
                                Err(_) => out.push(String::from_utf8_lossy(&chunk).into_owned()),
                            }
                        }
                        crate::eventstream::Content::Exception {
                            message: Some(message),
                            ..
                        } => out.push(message),
                        _ => {}
                    }
                }
                out.push(joined);
            }
        }
    }
}

#[cfg(test)]
mod tests;
