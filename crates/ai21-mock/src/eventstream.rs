//! Bedrock's streamed answers, framed: AWS event-stream messages
//! (`application/vnd.amazon.eventstream`) written with `aws-smithy-eventstream`, the AWS
//! SDK's own encoder, so what the mock streams is what Bedrock's clients decode.
//!
//! [`encode_chunk`] writes one `chunk` event, [`encode_exception`] one exception message;
//! a stream is their bytes back to back, with nothing at the end (the stream ends with the
//! connection). `ai21_validate::eventstream` is the decoder and the check of what these
//! write.
//!
//! ```
//! use ai21_mock::eventstream::{encode_chunk, encode_exception};
//! use ai21_validate::eventstream::{Content, decode};
//!
//! let mut body = encode_chunk(br#"{"id":"chatcmpl-1","choices":[]}"#);
//! body.extend(encode_exception("throttlingException", "Too many requests"));
//! let frames = decode(&body);
//! assert_eq!(frames[0].content, Content::Chunk(br#"{"id":"chatcmpl-1","choices":[]}"#.to_vec()));
//! assert!(matches!(frames[1].content, Content::Exception { .. }));
//! ```

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The `Content-Type` of a Bedrock stream.
pub use ai21_validate::eventstream::CONTENT_TYPE;

/// One `event` message of type `chunk` carrying `json` (one Jamba stream chunk): headers
/// `:event-type: chunk`, `:content-type: application/json`, `:message-type: event`, and
/// the payload `{"bytes": "<base64 of json>"}`, as Bedrock writes them.
pub fn encode_chunk(json: &[u8]) -> Vec<u8> {
    let payload = serde_json::json!({ "bytes": STANDARD.encode(json) }).to_string();
    encode(
        vec![
            string_header(":event-type", "chunk"),
            string_header(":content-type", "application/json"),
            string_header(":message-type", "event"),
        ],
        payload.into_bytes(),
    )
}

/// One `exception` message: headers `:exception-type: <kind>` (such as
/// `throttlingException` or `modelStreamErrorException`), `:content-type:
/// application/json`, `:message-type: exception`, and the payload `{"message": ...}`.
///
/// # Panics
///
/// When `kind` is longer than 32767 bytes, the longest header value the framing has.
pub fn encode_exception(kind: &str, message: &str) -> Vec<u8> {
    let payload = serde_json::json!({ "message": message }).to_string();
    encode(
        vec![
            string_header(":exception-type", kind),
            string_header(":content-type", "application/json"),
            string_header(":message-type", "exception"),
        ],
        payload.into_bytes(),
    )
}

fn string_header(name: &'static str, value: &str) -> Header {
    Header::new(name, HeaderValue::String(value.to_owned().into()))
}

fn encode(headers: Vec<Header>, payload: Vec<u8>) -> Vec<u8> {
    let mut bytes = Vec::new();
    // The writer fails only on a header value over 32767 bytes (an exception kind that
    // long, see `encode_exception`) or a message over 4 GiB, which no chunk is.
    write_message_to(&Message::new_from_parts(headers, payload), &mut bytes)
        .expect("an event-stream message with short headers and a payload under 4 GiB is written");
    bytes
}

#[cfg(test)]
mod tests;
