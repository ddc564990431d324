//! AWS event streams: Amazon Bedrock's streamed answers
//! (`POST /model/{modelId}/invoke-with-response-stream`, `Content-Type:
//! application/vnd.amazon.eventstream`), decoded into the Jamba chunks they carry and
//! checked like a `text/event-stream` body.
//!
//! # The framing
//!
//! The body is binary messages, back to back, with no sentinel at the end: the stream ends
//! with the connection. A message is a 12-byte prelude (its total length and its headers'
//! length, big-endian `u32`s, and the CRC32 of those eight bytes), typed headers, the
//! payload, and the CRC32 of everything before it. [`decode`] reads them with
//! `aws-smithy-eventstream`, the AWS SDK's own decoder, and accounts for every byte: each
//! stretch of the body is a [`Frame`], a message or bytes that do not decode, and the frames
//! tile the body.
//!
//! Bedrock sends two kinds of message:
//!
//! - an **event** (`:message-type` `event`, `:event-type` `chunk`, `:content-type`
//!   `application/json`) whose payload is JSON `{"bytes": "<base64>"}`; the bytes are one
//!   Jamba stream chunk, the JSON of a `data:` event of AI21's own stream with Bedrock's
//!   additions (`schemas/dialects/bedrock.overlay.json`). A last event may carry only
//!   `{"amazon-bedrock-invocationMetrics": {...}}`, which the official SDK's
//!   `_stream_decoder.py` merges into the last model chunk; the check does the same.
//! - an **exception** (`:message-type` `exception`, with `:exception-type` such as
//!   `modelStreamErrorException`, `throttlingException` or `validationException`) whose
//!   payload is JSON `{"message": ...}`; it ends the stream with an error. The protocol's
//!   generic `error` message (`:error-code`, `:error-message` headers) is read as one too.
//!
//! [`Validator::validate_event_stream`] checks a body: the rules are on it.

use std::ops::Range;

use ai21_schemas::Dialect;
use aws_smithy_eventstream::frame::read_message_from;
use aws_smithy_types::event_stream::{HeaderValue, Message};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::Validator;
use crate::describe::{count, found, short, short_str};
use crate::report::{Finding, Report, Target};
use crate::stream::{Chunk, StreamReport, across_chunks, choice_of, in_stream_order};

/// The `Content-Type` of an AWS event stream.
pub const CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

/// The member of Bedrock's invocation metrics, which a last event may carry alone.
pub const METRICS: &str = "amazon-bedrock-invocationMetrics";

/// The prelude's length: total length, headers length, prelude CRC32.
const PRELUDE: usize = 12;

/// The shortest message: a prelude and the message CRC32, no headers, no payload.
const SHORTEST: usize = PRELUDE + 4;

/// A stretch of an event stream's bytes: one message, or bytes that do not decode as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Its number in the stream, counting from 1.
    pub number: usize,
    /// The offset of its first byte, counting from 0.
    pub offset: usize,
    /// Its length in bytes (never 0).
    pub len: usize,
    /// What it is.
    pub content: Content,
}

/// What a [`Frame`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A `chunk` event: the bytes its payload's `bytes` decode to, which should be one
    /// chunk's JSON.
    Chunk(Vec<u8>),
    /// An `exception` (or `error`) message, which ends the stream with an error.
    Exception {
        /// The `:exception-type` header (or `:error-code`), if it has one.
        exception_type: Option<String>,
        /// The payload's `message` (or the `:error-message` header), if it has one.
        message: Option<String>,
    },
    /// A message that decodes but is neither a chunk event nor an exception, and why
    /// (`stream/eventstream-event`).
    NotAChunk(String),
    /// Bytes that do not decode as a message, and why (`stream/eventstream-frame`).
    Undecodable(String),
}

impl Frame {
    /// The bytes of the stream it covers.
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len
    }

    /// Where findings about it point.
    pub fn target(&self) -> Target {
        Target::StreamMessage {
            number: self.number,
            offset: self.offset,
        }
    }

    /// The framing finding of a frame that is not a chunk: `stream/eventstream-frame`,
    /// `stream/eventstream-event` or `stream/eventstream-exception`.
    pub fn finding(&self) -> Option<Finding> {
        let finding = match &self.content {
            Content::Chunk(_) => return None,
            Content::Undecodable(why) => Finding::error(
                "stream/eventstream-frame",
                "",
                format!("{} bytes do not decode as a message: {why}", self.len),
            ),
            Content::NotAChunk(why) => Finding::error(
                "stream/eventstream-event",
                "",
                format!("not a chunk event: {why}"),
            ),
            Content::Exception {
                exception_type,
                message,
            } => Finding::error(
                "stream/eventstream-exception",
                "",
                format!(
                    "the stream ends with an exception, {}: {}",
                    exception_type.as_deref().unwrap_or("of no :exception-type"),
                    message
                        .as_deref()
                        .map_or_else(|| "no message".to_owned(), short_str)
                ),
            ),
        };
        Some(finding.with_target(self.target()))
    }
}

/// Decodes an AWS event stream into frames that tile it: every byte is in exactly one
/// frame, in order. Never fails: bytes that do not decode are a frame too.
///
/// A message is read where the previous one ends. When its prelude's checksum is wrong or
/// its lengths are impossible, its lengths cannot be trusted, so the bytes up to the next
/// offset where a prelude checks out (or to the end) are one undecodable frame; when its
/// prelude checks out but the rest does not (a wrong message checksum, malformed
/// headers), the message's own bytes are. A message longer than what is left of the body
/// is a truncated one: an undecodable frame to the end.
pub fn decode(bytes: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let (len, content) = frame_at(bytes, offset);
        frames.push(Frame {
            number: frames.len() + 1,
            offset,
            len,
            content,
        });
        offset += len;
    }
    frames
}

/// The frame at `offset` (before the end of `bytes`): its length (at least 1) and content.
fn frame_at(bytes: &[u8], offset: usize) -> (usize, Content) {
    let rest = &bytes[offset..];
    let Some(prelude) = Prelude::read(rest) else {
        return (
            rest.len(),
            Content::Undecodable(format!(
                "the stream ends {} into a message's prelude, which is {PRELUDE} bytes",
                count(rest.len(), "byte")
            )),
        );
    };
    if let Err(why) = prelude.check() {
        let next = next_prelude(bytes, offset + 1);
        let skipped = next - offset;
        let after = if next == bytes.len() {
            "no message follows".to_owned()
        } else {
            format!("the next message starts at byte {next}")
        };
        return (skipped, Content::Undecodable(format!("{why}; {after}")));
    }
    if prelude.total > rest.len() {
        return (
            rest.len(),
            Content::Undecodable(format!(
                "truncated: the message is {} long, but the stream ends {} into it",
                count(prelude.total, "byte"),
                count(rest.len(), "byte")
            )),
        );
    }
    let content = match read_message_from(&rest[..prelude.total]) {
        Ok(message) => classify(&message),
        Err(error) => Content::Undecodable(error.to_string()),
    };
    (prelude.total, content)
}

/// A message's prelude, read but not yet checked.
struct Prelude {
    total: usize,
    headers: usize,
    crc: u32,
    computed_crc: u32,
}

impl Prelude {
    /// The prelude at the start of `bytes`, if there are 12 bytes.
    fn read(bytes: &[u8]) -> Option<Prelude> {
        let word = |at: usize| -> Option<u32> {
            let four: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
            Some(u32::from_be_bytes(four))
        };
        Some(Prelude {
            total: usize::try_from(word(0)?).ok()?,
            headers: usize::try_from(word(4)?).ok()?,
            crc: word(8)?,
            computed_crc: crc32fast::hash(bytes.get(..8)?),
        })
    }

    /// Whether its checksum is right and its lengths possible; why not otherwise.
    fn check(&self) -> Result<(), String> {
        if self.crc != self.computed_crc {
            return Err(format!(
                "the prelude's checksum is 0x{:08X}, but the CRC32 of its lengths is 0x{:08X}",
                self.crc, self.computed_crc
            ));
        }
        if self.total < SHORTEST {
            return Err(format!(
                "the prelude gives a length of {}, shorter than a prelude and a checksum ({SHORTEST} bytes)",
                count(self.total, "byte")
            ));
        }
        if self.headers > self.total - SHORTEST || self.headers == 1 {
            return Err(format!(
                "the prelude gives headers of {} in a message of {}",
                count(self.headers, "byte"),
                count(self.total, "byte")
            ));
        }
        Ok(())
    }
}

/// The first offset from `start` where a prelude checks out, or the end of `bytes`.
fn next_prelude(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|&offset| {
            Prelude::read(&bytes[offset..]).is_some_and(|prelude| prelude.check().is_ok())
        })
        .unwrap_or(bytes.len())
}

/// What a decoded message is.
fn classify(message: &Message) -> Content {
    match string_header(message, ":message-type") {
        Ok("event") => event(message),
        Ok("exception") => Content::Exception {
            exception_type: string_header(message, ":exception-type")
                .ok()
                .map(str::to_owned),
            message: serde_json::from_slice::<Value>(message.payload())
                .ok()
                .and_then(|payload| {
                    payload
                        .get("message")
                        .or_else(|| payload.get("Message"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }),
        },
        Ok("error") => Content::Exception {
            exception_type: string_header(message, ":error-code")
                .ok()
                .map(str::to_owned),
            message: string_header(message, ":error-message")
                .ok()
                .map(str::to_owned),
        },
        Ok(other) => Content::NotAChunk(format!(
            ":message-type is {}, not \"event\" or \"exception\"",
            short_str(other)
        )),
        Err(why) => Content::NotAChunk(why),
    }
}

/// What an `event` message is: a chunk, or not (and why).
fn event(message: &Message) -> Content {
    match string_header(message, ":event-type") {
        Ok("chunk") => {}
        Ok(other) => {
            return Content::NotAChunk(format!(
                ":event-type is {}, not \"chunk\"",
                short_str(other)
            ));
        }
        Err(why) => return Content::NotAChunk(why),
    }
    // Bedrock sends `:content-type`; a message without it is read as JSON all the same.
    if has_header(message, ":content-type") {
        match string_header(message, ":content-type") {
            Ok("application/json") => {}
            Ok(other) => {
                return Content::NotAChunk(format!(
                    ":content-type is {}, not \"application/json\"",
                    short_str(other)
                ));
            }
            Err(why) => return Content::NotAChunk(why),
        }
    }
    let payload = match serde_json::from_slice::<Value>(message.payload()) {
        Ok(payload) => payload,
        Err(error) => {
            return Content::NotAChunk(format!("the payload is not JSON: {error}"));
        }
    };
    // Other members are ignored, as the AWS SDK's deserializer of a `PayloadPart` ignores
    // members it does not know.
    let Some(encoded) = payload.get("bytes") else {
        return Content::NotAChunk(format!("the payload has no \"bytes\": {}", short(&payload)));
    };
    let Some(encoded) = encoded.as_str() else {
        return Content::NotAChunk(format!(
            "the payload's \"bytes\" is {}, not a base64 string",
            found(encoded)
        ));
    };
    match STANDARD.decode(encoded) {
        Ok(bytes) => Content::Chunk(bytes),
        Err(error) => Content::NotAChunk(format!("the payload's \"bytes\" is not base64: {error}")),
    }
}

/// Whether the message has a header of this name.
fn has_header(message: &Message, name: &str) -> bool {
    message
        .headers()
        .iter()
        .any(|header| header.name().as_str() == name)
}

/// The value of a string header, or why there is none.
fn string_header<'m>(message: &'m Message, name: &str) -> Result<&'m str, String> {
    let header = message
        .headers()
        .iter()
        .find(|header| header.name().as_str() == name)
        .ok_or_else(|| format!("the message has no {name} header"))?;
    match header.value() {
        HeaderValue::String(value) => Ok(value.as_str()),
        _ => Err(format!("the {name} header is not a string")),
    }
}

impl Validator {
    /// Validates an AWS event stream (Bedrock's `application/vnd.amazon.eventstream`) of a
    /// streamed Jamba chat response and reassembles it, checking its chunks against the
    /// chunk schema of `dialect` ([`Dialect::Bedrock`] for Bedrock's streams). Never fails:
    /// a malformed stream is findings, each aimed at a message ([`Target::StreamMessage`]:
    /// its number and the byte where it starts) or at the stream.
    ///
    /// # The format checked
    ///
    /// Every byte belongs to a message that decodes ([`decode`]): lengths that fit, both
    /// checksums right, well-formed headers, not cut off (`stream/eventstream-frame`, which
    /// says which and where). Every message is a `chunk` event whose payload is JSON
    /// `{"bytes": <base64>}` (`stream/eventstream-event`; an `:event-type` or
    /// `:message-type` of another kind, a `:content-type` other than `application/json`, a
    /// payload without base64 `bytes`), and the bytes are JSON (`stream/eventstream-event`
    /// too), or the message is an exception, which ends the stream with an error
    /// (`stream/eventstream-exception`, naming its `:exception-type` and message; the
    /// messages after it are not checked, as a client stops reading there, and the finding
    /// counts them).
    ///
    /// A chunk that carries only `amazon-bedrock-invocationMetrics` is merged into the chunk
    /// before it, as the official SDK does; findings about the metrics point at the message
    /// that carried them. Then the chunks are checked as those of a `text/event-stream`
    /// body are ([`Validator::validate_stream`]): each against the chunk schema, and the
    /// rules between chunks (`stream/id-mismatch`, `stream/role-first`,
    /// `stream/delta-role-and-content`, `stream/usage-last`, `stream/finish-reason-last`,
    /// `stream/choice-missing`).
    ///
    /// There is no `[DONE]`: the stream ends with the connection, so a stream that is cut
    /// off is told by its last chunk. A stream without exception must have a chunk that
    /// names a `finish_reason` (`stream/eventstream-unfinished` otherwise, at the last
    /// message), and one without any chunk is `stream/empty`.
    ///
    /// # Reassembly
    ///
    /// A stream that names a finish reason and has no exception is rebuilt into the
    /// response it stands for and validated like one, exactly as
    /// [`Validator::validate_stream`] does.
    pub fn validate_event_stream(&self, bytes: &[u8], dialect: Dialect) -> StreamReport {
        let frames = decode(bytes);
        let mut findings = Vec::new();
        let mut values: Vec<(Target, Value)> = Vec::new();
        // For each chunk that a metrics event was merged into, the metrics event's target.
        let mut metrics_from: Vec<Option<Target>> = Vec::new();
        let mut exception = false;
        for (position, frame) in frames.iter().enumerate() {
            if let Some(mut finding) = frame.finding() {
                if matches!(frame.content, Content::Exception { .. }) {
                    exception = true;
                    let after = frames.len() - position - 1;
                    if after > 0 {
                        finding.message.push_str(&format!(
                            "; {} after it {} not read, as a client stops at the exception",
                            count(after, "message"),
                            if after == 1 { "is" } else { "are" }
                        ));
                    }
                    findings.push(finding);
                    break;
                }
                findings.push(finding);
                continue;
            }
            let Content::Chunk(json) = &frame.content else {
                continue;
            };
            let value = match serde_json::from_slice::<Value>(json) {
                Ok(value) => value,
                Err(error) => {
                    findings.push(
                        Finding::error(
                            "stream/eventstream-event",
                            "",
                            format!("the chunk's bytes are not JSON: {error}"),
                        )
                        .with_target(frame.target()),
                    );
                    continue;
                }
            };
            if let Some(metrics) = metrics_only(&value)
                && let Some((_, last)) = values.last_mut()
                && let Some(last) = last.as_object_mut()
                && !last.contains_key(METRICS)
                && let Some(merged_into) = metrics_from.last_mut()
            {
                last.insert(METRICS.to_owned(), metrics.clone());
                *merged_into = Some(frame.target());
                continue;
            }
            values.push((frame.target(), value));
            metrics_from.push(None);
        }

        let chunks: Vec<Chunk<&Value>> = values
            .iter()
            .map(|(target, value)| Chunk {
                target: *target,
                value,
            })
            .collect();
        let start = findings.len();
        self.check_each_chunk(dialect, &chunks, &mut findings);
        for finding in &mut findings[start..] {
            if let Some((_, Some(metrics))) = chunks
                .iter()
                .zip(&metrics_from)
                .find(|(chunk, _)| chunk.target == finding.target)
                && (finding.pointer == format!("/{METRICS}")
                    || finding.pointer.starts_with(&format!("/{METRICS}/")))
            {
                finding.target = *metrics;
            }
        }
        across_chunks(&chunks, &mut findings);

        let finished = chunks.iter().any(|chunk| {
            choice_of(chunk)
                .and_then(|choice| choice.get("finish_reason"))
                .is_some_and(|reason| !reason.is_null())
        });
        if !exception {
            match (chunks.is_empty(), frames.last()) {
                (true, _) => findings.push(
                    Finding::error(
                        "stream/empty",
                        "",
                        if frames.is_empty() {
                            "the body has no messages"
                        } else {
                            "no message of the stream carries a chunk"
                        },
                    )
                    .with_target(Target::Stream),
                ),
                (false, Some(last)) if !finished => findings.push(
                    Finding::error(
                        "stream/eventstream-unfinished",
                        "",
                        "the stream ends after this message, and no chunk names a finish_reason: an event stream has no [DONE], so it was cut off",
                    )
                    .with_target(last.target()),
                ),
                _ => {}
            }
        }
        let reassembled = (finished && !exception)
            .then(|| self.reassemble_checked(dialect, &chunks, &mut findings));
        in_stream_order(&mut findings);
        StreamReport {
            report: Report { findings },
            reassembled,
        }
    }
}

/// The metrics of a chunk that carries only Bedrock's invocation metrics.
fn metrics_only(chunk: &Value) -> Option<&Value> {
    let object = chunk.as_object()?;
    if object.len() != 1 {
        return None;
    }
    object.get(METRICS)
}

#[cfg(test)]
mod tests;
