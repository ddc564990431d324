//! Event streams: a streamed Jamba chat response, checked chunk by chunk and reassembled
//! into the response it stands for.
//!
//! Two framings carry the chunks: `text/event-stream` lines, parsed here (the format and the
//! rules are documented on [`Validator::validate_stream`]), and AWS event-stream messages,
//! Bedrock's, decoded by [`crate::eventstream`]. Both feed the same checks: each chunk
//! against the chunk schema of its dialect ([`Validator::check_each_chunk`]), the rules
//! between chunks ([`across_chunks`]), and the reassembled response
//! ([`Validator::reassemble_checked`]); a finding names the event or message it is about
//! through its [`Target`].

use std::cell::RefCell;

use ai21_schemas::{Dialect, PayloadKind};
use ai21_tape::{TapeBuf, View};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Validator;
use crate::describe::{count, short_str};
use crate::report::{Finding, Report, Target};
use crate::validator::retarget;

/// The report on a stream, and the response reassembled from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamReport {
    /// The findings on the events, the stream, and the reassembled response.
    pub report: Report,
    /// The response the stream stands for, when the stream is complete: it reached
    /// `data: [DONE]`, or (an AWS event stream, which has no such sentinel) a chunk named a
    /// finish reason and no exception ended it.
    pub reassembled: Option<Value>,
}

/// One `data:` line.
pub(crate) struct DataLine<'a> {
    event: usize,
    line: usize,
    /// What follows `data: `.
    pub(crate) data: &'a str,
    /// Whether the line had no line ending (the body ends inside it).
    unterminated: bool,
}

/// A chunk that parsed, with where it came from: a `Value`, or a node of a tape.
pub(crate) struct Chunk<V> {
    /// The event or message that carried it.
    pub(crate) target: Target,
    /// The chunk.
    pub(crate) value: V,
}

thread_local! {
    /// Tape buffers for the chunks of a stream, one per chunk, reused from stream to
    /// stream on this thread.
    static CHUNK_TAPES: RefCell<Vec<TapeBuf>> = const { RefCell::new(Vec::new()) };
}

impl Validator {
    /// Validates a `text/event-stream` body of a streamed Jamba chat response and
    /// reassembles it. Never fails: a malformed stream is findings.
    ///
    /// # The format checked
    ///
    /// The body is lines. Lines end with `\n`; a `\r` before it is accepted and dropped, as
    /// the SSE specification and the SDKs' line readers (httpx, fetch) accept `\r\n` line
    /// endings, so a CRLF stream reads exactly like an LF one. Blank lines separate events.
    /// An event is exactly one `data: <json>` line (`stream/event-lines` otherwise); any other
    /// non-empty line (`event:`, `id:`, `retry:`, a `:` comment, or `data:` without its
    /// space) is `stream/line-kind`, because both SDK decoders reject it. Events are numbered
    /// from 1, and every finding names the event and the line (from 1) it is about.
    ///
    /// The data of the last event is the literal `[DONE]` (`stream/missing-done`), nothing
    /// follows it (`stream/after-done`), and every other event's data is a chunk: JSON
    /// (`stream/bad-json`, or `stream/truncated` when the body ends inside that line) valid
    /// against the chunk schema, with the chunk rules and drift warnings of
    /// [`Validator::validate`]. Across chunks: the same `id` in every chunk
    /// (`stream/id-mismatch`), the role in the first delta and only there
    /// (`stream/role-first`), never role and content in one delta
    /// (`stream/delta-role-and-content`, a warning; a `null` role or content counts as
    /// absent), `usage` only on the last chunk (`stream/usage-last`), `finish_reason` only on
    /// the last chunk with a choice (`stream/finish-reason-last`), and one choice in every
    /// chunk but a last one that carries only usage, as OpenAI-compatible servers end a
    /// stream (`stream/choice-missing`). The last event should
    /// be ended by a blank line too (`stream/unterminated-event`, a warning: a strict SSE
    /// parser drops an event that is not).
    ///
    /// # Reassembly
    ///
    /// A stream that reached `[DONE]` is rebuilt into the response it stands for:
    /// `{"id", "choices": [{"index": 0, "message": {"role", "content"}, "finish_reason"}],
    /// "usage"}` with the first chunk's id, the first delta's role (`assistant` when it has
    /// none, which `stream/role-first` already reports), every delta's content concatenated
    /// (`null` when no delta carries content), the `finish_reason` of the last chunk with a
    /// choice, and the last chunk's `usage` (left out when the last chunk has none). That response is validated like a
    /// non-streamed one (schema and rules, no drift: it was built here), with
    /// [`Target::Reassembled`]. An incomplete stream is not reassembled.
    pub fn validate_stream(&self, body: &str) -> StreamReport {
        self.validate_stream_in(Dialect::Studio, body)
    }

    /// [`Validator::validate_stream`] with each chunk, and the reassembled response,
    /// checked against the schemas as `dialect` has them (Vertex and Azure stream
    /// `text/event-stream` too, Azure with a `created` member in its chunks).
    pub fn validate_stream_in(&self, dialect: Dialect, body: &str) -> StreamReport {
        let mut findings = Vec::new();
        let (data_lines, open_event) = split_events(body, &mut findings);
        // Each chunk on a tape of its own, when every one reads on a tape (the findings are
        // the same; a chunk the tape refuses may be JSON serde_json reads differently, or
        // not JSON, whose message is serde_json's): no tree is built for a chunk the fast
        // check passes.
        let on_tapes = CHUNK_TAPES.with_borrow_mut(|buffers| {
            let datas: Vec<&str> = data_lines
                .iter()
                .map(|data_line| data_line.data)
                .filter(|data| !is_done(data))
                .collect();
            if buffers.len() < datas.len() {
                buffers.resize_with(datas.len(), TapeBuf::default);
            }
            let tapes: Option<Vec<ai21_tape::Tape<'_>>> = buffers
                .iter_mut()
                .zip(&datas)
                .map(|(buffer, data)| buffer.parse(data).ok())
                .collect();
            let Some(tapes) = tapes else {
                return Err(findings);
            };
            let mut chunks = tapes
                .iter()
                .map(|tape| Ok::<_, std::convert::Infallible>(tape.root()));
            Ok(
                self.stream_findings_parsed(dialect, &data_lines, open_event, findings, || {
                    chunks.next()
                }),
            )
        });
        match on_tapes {
            Ok(report) => report,
            Err(findings) => self.stream_on_values(dialect, &data_lines, open_event, findings),
        }
    }

    /// [`Validator::validate_stream`] with every chunk parsed into a `Value` (what it does
    /// when a chunk does not read on a tape).
    fn stream_on_values(
        &self,
        dialect: Dialect,
        data_lines: &[DataLine<'_>],
        open_event: Option<(usize, usize)>,
        findings: Vec<Finding>,
    ) -> StreamReport {
        let parsed: Vec<Result<Value, serde_json::Error>> = data_lines
            .iter()
            .filter(|data_line| !is_done(data_line.data))
            .map(|data_line| serde_json::from_str::<Value>(data_line.data))
            .collect();
        let mut parsed = parsed.iter().map(Result::as_ref);
        self.stream_findings_parsed(dialect, data_lines, open_event, findings, || parsed.next())
    }

    /// [`Validator::validate_stream`] with each chunk parsed, in order, by `next_chunk`.
    fn stream_findings_parsed<'v, V: StreamChunk<'v>, E: std::fmt::Display>(
        &self,
        dialect: Dialect,
        data_lines: &[DataLine<'_>],
        open_event: Option<(usize, usize)>,
        mut findings: Vec<Finding>,
        mut next_chunk: impl FnMut() -> Option<Result<V, E>>,
    ) -> StreamReport {
        if data_lines.is_empty() && findings.is_empty() {
            findings.push(
                Finding::error("stream/empty", "", "the body has no events")
                    .with_target(Target::Stream),
            );
            return StreamReport {
                report: Report { findings },
                reassembled: None,
            };
        }

        let mut chunks: Vec<Chunk<V>> = Vec::new();
        let mut done: Option<(usize, usize)> = None;
        for data_line in data_lines {
            let target = Target::StreamEvent {
                event: data_line.event,
                line: data_line.line,
            };
            if let Some((done_event, _)) = done {
                findings.push(
                    Finding::error(
                        "stream/after-done",
                        "",
                        format!("event {done_event} was data: [DONE], so nothing may follow it"),
                    )
                    .with_target(target),
                );
                continue;
            }
            if is_done(data_line.data) {
                done = Some((data_line.event, data_line.line));
                continue;
            }
            let Some(parsed) = next_chunk() else {
                continue;
            };
            match parsed {
                Ok(value) => chunks.push(Chunk { target, value }),
                Err(error) if data_line.unterminated => findings.push(
                    Finding::error(
                        "stream/truncated",
                        "",
                        format!("the body ends in the middle of this event: {error}"),
                    )
                    .with_target(target),
                ),
                Err(error) => findings.push(
                    Finding::error(
                        "stream/bad-json",
                        "",
                        format!("the data is not JSON: {error}"),
                    )
                    .with_target(target),
                ),
            }
        }
        self.check_each_chunk(dialect, &chunks, &mut findings);

        let truncated = findings
            .iter()
            .any(|finding| finding.rule == "stream/truncated");
        if let Some((event, line)) = open_event
            && !truncated
            && !data_lines.is_empty()
        {
            findings.push(
                Finding::warning(
                    "stream/unterminated-event",
                    "",
                    "the last event is not ended by a blank line: a strict SSE parser drops it",
                )
                .with_target(Target::StreamEvent { event, line }),
            );
        }

        if done.is_none()
            && let Some(last) = data_lines.last()
        {
            findings.push(
                Finding::error(
                    "stream/missing-done",
                    "",
                    "the stream ends after this event without data: [DONE]",
                )
                .with_target(Target::StreamEvent {
                    event: last.event,
                    line: last.line,
                }),
            );
        }

        if let (Some((event, line)), true) = (done, chunks.is_empty()) {
            findings.push(
                Finding::error(
                    "stream/empty",
                    "",
                    "the stream has no chunk before data: [DONE]",
                )
                .with_target(Target::StreamEvent { event, line }),
            );
        }
        across_chunks(&chunks, &mut findings);

        let reassembled = (done.is_some() && !chunks.is_empty())
            .then(|| self.reassemble_checked(dialect, &chunks, &mut findings));
        in_stream_order(&mut findings);
        StreamReport {
            report: Report { findings },
            reassembled,
        }
    }

    /// Checks every chunk on its own against the chunk schema of `dialect`, with the chunk
    /// rules and drift warnings of [`Validator::validate`], each finding aimed at the event
    /// or message that carried the chunk. The same for every framing.
    pub(crate) fn check_each_chunk<'v, V: StreamChunk<'v>>(
        &self,
        dialect: Dialect,
        chunks: &[Chunk<V>],
        findings: &mut Vec<Finding>,
    ) {
        for chunk in chunks {
            let start = findings.len();
            self.check_chunk(dialect, chunk.value, findings);
            retarget(&mut findings[start..], chunk.target);
        }
    }

    /// Checks one chunk against the chunk schema of `dialect`: schema, chunk rules, drift.
    fn check_chunk<'v, V: StreamChunk<'v>>(
        &self,
        dialect: Dialect,
        chunk: V,
        out: &mut Vec<Finding>,
    ) {
        let kind = PayloadKind::JambaChatStreamChunk;
        // The fast check gives the same findings when it can (valid, no drift), and adds
        // nothing when it cannot.
        if self.check_fast(dialect, kind, chunk, out).is_err() {
            chunk.check_full(self, dialect, out);
        }
    }

    /// The response the chunks stand for ([`reassemble`]), validated like a response of
    /// `dialect` (schema and rules; no drift, it was built here) with
    /// [`Target::Reassembled`].
    pub(crate) fn reassemble_checked<'v, V: View<'v>>(
        &self,
        dialect: Dialect,
        chunks: &[Chunk<V>],
        findings: &mut Vec<Finding>,
    ) -> Value {
        let kind = PayloadKind::JambaChatResponse;
        let response = reassemble(chunks);
        let start = findings.len();
        self.check_schema(dialect, kind, &response, findings);
        self.check_rules(kind, &response, findings);
        retarget(&mut findings[start..], Target::Reassembled);
        response
    }
}

/// Puts findings in stream order: the whole stream, then event by event (or message by
/// message), then the reassembled response. The sort is stable, so each event keeps the
/// order its checks ran in.
pub(crate) fn in_stream_order(findings: &mut [Finding]) {
    findings.sort_by_key(|finding| match finding.target {
        Target::Stream => (0, 0),
        Target::StreamEvent { event, .. } => (1, event),
        Target::StreamMessage { number, .. } => (1, number),
        _ => (2, 0),
    });
}

/// Splits the body into `data:` lines, reporting lines of other kinds and events with
/// several lines; also returns the last event (number and line) when no blank line ends it.
pub(crate) fn split_events<'a>(
    body: &'a str,
    findings: &mut Vec<Finding>,
) -> (Vec<DataLine<'a>>, Option<(usize, usize)>) {
    let mut data_lines = Vec::new();
    let mut event = 0;
    let mut in_event = false;
    let mut lines_in_event = 0;
    let mut event_line = 0;
    let ends_with_newline = body.ends_with('\n');
    let mut lines = body.split('\n').peekable();
    let mut number = 0;
    while let Some(raw) = lines.next() {
        number += 1;
        let is_last = lines.peek().is_none();
        if is_last && ends_with_newline {
            // The empty text after the final line ending is not a line.
            break;
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            in_event = false;
            continue;
        }
        if !in_event {
            in_event = true;
            event += 1;
            lines_in_event = 0;
            event_line = number;
        }
        lines_in_event += 1;
        let target = Target::StreamEvent {
            event,
            line: number,
        };
        if lines_in_event == 2 {
            findings.push(
                Finding::error(
                    "stream/event-lines",
                    "",
                    "this line continues the event without a blank line before it: an event is exactly one data line",
                )
                .with_target(target),
            );
        }
        match line.strip_prefix("data: ") {
            Some(data) => data_lines.push(DataLine {
                event,
                line: number,
                data,
                unterminated: is_last,
            }),
            None => findings.push(
                Finding::error(
                    "stream/line-kind",
                    "",
                    format!(
                        "not a data line: the SDK decoders reject anything but \"data: <json>\", found {}",
                        short_str(line)
                    ),
                )
                .with_target(target),
            ),
        }
    }
    let open_event = in_event.then_some((event, event_line));
    (data_lines, open_event)
}

/// Whether an event's data is the `[DONE]` sentinel, which ends a stream.
fn is_done(data: &str) -> bool {
    data.trim() == "[DONE]"
}

/// The rules between chunks: one id, the role first, usage and finish reason last. The
/// same for every framing: each finding is aimed at the chunk's event or message.
pub(crate) fn across_chunks<'v, V: View<'v>>(chunks: &[Chunk<V>], findings: &mut Vec<Finding>) {
    let Some(first) = chunks.first() else {
        return;
    };
    let first_id = first.value.get("id").and_then(View::as_str);
    let last_index = chunks.len() - 1;
    // The last chunk with a choice names the finish reason; a final chunk may carry only
    // usage, with no choice.
    let last_with_choice = chunks
        .iter()
        .rposition(|chunk| choice_of(chunk).is_some())
        .unwrap_or(last_index);
    for (position, chunk) in chunks.iter().enumerate() {
        let target = chunk.target;
        let mut push = |finding: Finding| findings.push(finding.with_target(target));
        if let (Some(expected), Some(id)) = (first_id, chunk.value.get("id").and_then(View::as_str))
            && id != expected
        {
            push(Finding::error(
                "stream/id-mismatch",
                "/id",
                format!(
                    "id {} differs from the first chunk's id {}",
                    short_str(id),
                    short_str(expected)
                ),
            ));
        }
        let choice = choice_of(chunk);
        if let Some(choices) = chunk.value.get("choices").and_then(View::items)
            && choices.len() == 0
            && (position != last_index
                || chunk.value.get("usage").is_none_or(|usage| usage.is_null()))
        {
            push(Finding::error(
                "stream/choice-missing",
                "/choices",
                format!(
                    "chunk {} of {} has no choice: only a last chunk that carries usage may have none",
                    position + 1,
                    chunks.len()
                ),
            ));
        }
        let delta = choice.and_then(|choice| choice.get("delta"));
        // `null` is as good as absent: `{"content": null}` carries no content.
        let carries = |key: &str| {
            delta
                .and_then(|delta| delta.get(key))
                .is_some_and(|value| !value.is_null())
        };
        let has_role = carries("role");
        let has_content = carries("content");
        if position == 0 && !has_role && delta.is_some() {
            push(Finding::error(
                "stream/role-first",
                "/choices/0/delta",
                "the first chunk's delta has no role: a stream opens with {\"role\": \"assistant\"}",
            ));
        }
        if position > 0 && has_role {
            push(Finding::error(
                "stream/role-first",
                "/choices/0/delta/role",
                format!(
                    "chunk {} of {} carries a role: only the first delta does",
                    position + 1,
                    chunks.len()
                ),
            ));
        }
        if has_role && has_content {
            push(Finding::warning(
                "stream/delta-role-and-content",
                "/choices/0/delta",
                "the delta carries both the role and content: a delta carries one or the other",
            ));
        }
        if position != last_index
            && chunk
                .value
                .get("usage")
                .is_some_and(|usage| !usage.is_null())
        {
            push(Finding::error(
                "stream/usage-last",
                "/usage",
                format!(
                    "usage on chunk {} of {}: only the last chunk carries usage",
                    position + 1,
                    count(chunks.len(), "chunk")
                ),
            ));
        }
        if position < last_with_choice
            && choice
                .and_then(|choice| choice.get("finish_reason"))
                .is_some_and(|reason| !reason.is_null())
        {
            push(Finding::error(
                "stream/finish-reason-last",
                "/choices/0/finish_reason",
                format!(
                    "finish_reason on chunk {} of {}: only the last chunk with a choice names one",
                    position + 1,
                    count(chunks.len(), "chunk")
                ),
            ));
        }
    }
}

/// The first choice of a chunk.
pub(crate) fn choice_of<'v, V: View<'v>>(chunk: &Chunk<V>) -> Option<V> {
    chunk
        .value
        .get("choices")
        .and_then(View::items)
        .and_then(|mut choices| choices.next())
}

/// The response a complete stream stands for.
fn reassemble<'v, V: View<'v>>(chunks: &[Chunk<V>]) -> Value {
    let id = chunks
        .iter()
        .find_map(|chunk| chunk.value.get("id").filter(|id| id.is_string()))
        .map_or(Value::Null, View::to_value);
    let role = chunks
        .first()
        .and_then(choice_of)
        .and_then(|choice| choice.get("delta"))
        .and_then(|delta| delta.get("role"))
        .map_or_else(|| Value::from("assistant"), View::to_value);
    let mut content: Option<String> = None;
    for chunk in chunks {
        if let Some(piece) = choice_of(chunk)
            .and_then(|choice| choice.get("delta"))
            .and_then(|delta| delta.get("content"))
            .and_then(View::as_str)
        {
            content.get_or_insert_with(String::new).push_str(piece);
        }
    }
    let last = chunks.last();
    let finish_reason = chunks
        .iter()
        .rev()
        .find_map(choice_of)
        .and_then(|choice| choice.get("finish_reason"))
        .map_or(Value::Null, View::to_value);

    let mut message = Map::new();
    message.insert("role".to_owned(), role);
    message.insert(
        "content".to_owned(),
        content.map_or(Value::Null, Value::from),
    );
    let mut choice = Map::new();
    choice.insert("index".to_owned(), Value::from(0));
    choice.insert("message".to_owned(), Value::Object(message));
    choice.insert("finish_reason".to_owned(), finish_reason);
    let mut response = Map::new();
    response.insert("id".to_owned(), id);
    response.insert(
        "choices".to_owned(),
        Value::Array(vec![Value::Object(choice)]),
    );
    if let Some(usage) = last
        .and_then(|chunk| chunk.value.get("usage"))
        .filter(|usage| !usage.is_null())
    {
        response.insert("usage".to_owned(), usage.to_value());
    }
    Value::Object(response)
}

/// A parsed chunk: checked the full way when the fast check gives up on it.
pub(crate) trait StreamChunk<'v>: View<'v> {
    /// [`Validator::check`] of the chunk against the chunk schema of `dialect`, on a
    /// `Value`.
    fn check_full(self, validator: &Validator, dialect: Dialect, out: &mut Vec<Finding>);
}

impl<'v> StreamChunk<'v> for &'v Value {
    fn check_full(self, validator: &Validator, dialect: Dialect, out: &mut Vec<Finding>) {
        validator.check(dialect, PayloadKind::JambaChatStreamChunk, self, out);
    }
}

impl<'v> StreamChunk<'v> for ai21_tape::TapeRef<'v> {
    fn check_full(self, validator: &Validator, dialect: Dialect, out: &mut Vec<Finding>) {
        validator.check(
            dialect,
            PayloadKind::JambaChatStreamChunk,
            &self.to_value(),
            out,
        );
    }
}

#[cfg(test)]
mod tests;
