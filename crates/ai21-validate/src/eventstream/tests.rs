//! Unit tests of the event-stream decoder: frames tile the bytes, and each way a message
//! can be broken is named.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::Header;

use super::*;

/// A message with these string headers and payload, framed by the AWS SDK's writer.
fn message(headers: &[(&'static str, &str)], payload: &[u8]) -> Vec<u8> {
    let headers = headers
        .iter()
        .map(|(name, value)| Header::new(*name, HeaderValue::String((*value).to_owned().into())))
        .collect();
    let mut bytes = Vec::new();
    write_message_to(
        &Message::new_from_parts(headers, payload.to_vec()),
        &mut bytes,
    )
    .expect("a small message frames");
    bytes
}

/// A chunk event carrying `json`.
fn chunk(json: &str) -> Vec<u8> {
    let payload = serde_json::json!({"bytes": STANDARD.encode(json)}).to_string();
    message(
        &[
            (":event-type", "chunk"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload.as_bytes(),
    )
}

/// What each frame is, shortly: `chunk <json>`, `exception`, `event: <why>`,
/// `frame: <why>`, with its range.
fn frames(bytes: &[u8]) -> Vec<(Range<usize>, String)> {
    let frames = decode(bytes);
    let mut end = 0;
    for (index, frame) in frames.iter().enumerate() {
        assert_eq!(frame.number, index + 1);
        assert_eq!(frame.offset, end, "frames tile the bytes");
        assert!(frame.len > 0);
        end = frame.range().end;
    }
    assert_eq!(end, bytes.len(), "frames cover every byte");
    frames
        .into_iter()
        .map(|frame| {
            let what = match &frame.content {
                Content::Chunk(json) => format!("chunk {}", String::from_utf8_lossy(json)),
                Content::Exception {
                    exception_type,
                    message,
                } => format!("exception {exception_type:?} {message:?}"),
                Content::NotAChunk(why) => format!("event: {why}"),
                Content::Undecodable(why) => format!("frame: {why}"),
            };
            (frame.range(), what)
        })
        .collect()
}

#[test]
fn decodes_chunks_and_exceptions_in_order() {
    let first = chunk(r#"{"id":"a"}"#);
    let second = chunk(r#"{"id":"b"}"#);
    let exception = message(
        &[
            (":exception-type", "throttlingException"),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        br#"{"message":"Too many requests, please wait before trying again."}"#,
    );
    let error = message(
        &[
            (":message-type", "error"),
            (":error-code", "InternalFailure"),
            (":error-message", "oops"),
        ],
        b"",
    );
    let bytes = [
        first.clone(),
        second.clone(),
        exception.clone(),
        error.clone(),
    ]
    .concat();
    let a = first.len();
    let b = a + second.len();
    let c = b + exception.len();
    assert_eq!(
        frames(&bytes),
        [
            (0..a, r#"chunk {"id":"a"}"#.to_owned()),
            (a..b, r#"chunk {"id":"b"}"#.to_owned()),
            (
                b..c,
                r#"exception Some("throttlingException") Some("Too many requests, please wait before trying again.")"#
                    .to_owned()
            ),
            (
                c..bytes.len(),
                r#"exception Some("InternalFailure") Some("oops")"#.to_owned()
            ),
        ]
    );
    assert_eq!(decode(&[]), []);
}

#[test]
fn names_what_is_wrong_with_a_frame() {
    let good = chunk(r#"{"id":"a"}"#);
    let len = good.len();
    // A flipped bit in the payload: the prelude holds, the message checksum does not.
    let mut payload_bit = good.clone();
    payload_bit[len - 10] ^= 0x01;
    // A flipped bit in the total length: the prelude checksum catches it, and the next
    // message is found again.
    let mut length_bit = good.clone();
    length_bit[3] ^= 0x04;
    let length_bit = [length_bit, good.clone()].concat();
    // Fewer bytes than a prelude, and a message cut off.
    /// A frame's range and the start of its description.
    type Expected = (Range<usize>, &'static str);
    let cases: Vec<(&str, Vec<u8>, Vec<Expected>)> = vec![
        (
            "a payload bit",
            payload_bit,
            vec![(0..len, "frame: message checksum")],
        ),
        (
            "a length bit",
            length_bit,
            vec![
                (0..len, "frame: the prelude's checksum is 0x"),
                (len..2 * len, "chunk "),
            ],
        ),
        (
            "a stub",
            good[..5].to_vec(),
            vec![(
                0..5,
                "frame: the stream ends 5 bytes into a message's prelude, which is 12 bytes",
            )],
        ),
        (
            "cut off",
            good[..len - 1].to_vec(),
            vec![(0..len - 1, "frame: truncated: the message is ")],
        ),
        (
            "garbage",
            b"not an event stream at all".to_vec(),
            vec![(0..26, "frame: the prelude's checksum is 0x")],
        ),
    ];
    for (what, bytes, expected) in cases {
        let found = frames(&bytes);
        assert_eq!(found.len(), expected.len(), "{what}: {found:?}");
        for ((range, text), (expected_range, expected_text)) in found.iter().zip(&expected) {
            assert_eq!(range, expected_range, "{what}: {text}");
            assert!(
                text.starts_with(expected_text),
                "{what}: {text:?} does not start with {expected_text:?}"
            );
        }
    }
}

#[test]
fn names_what_is_wrong_with_an_event() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            message(
                &[(":message-type", "event"), (":event-type", "metadata")],
                b"{}",
            ),
            ":event-type is \"metadata\", not \"chunk\"",
        ),
        (
            message(&[(":event-type", "chunk")], b"{}"),
            "the message has no :message-type header",
        ),
        (
            message(&[(":message-type", "weird")], b"{}"),
            ":message-type is \"weird\", not \"event\" or \"exception\"",
        ),
        (
            message(
                &[
                    (":message-type", "event"),
                    (":event-type", "chunk"),
                    (":content-type", "text/plain"),
                ],
                b"{}",
            ),
            ":content-type is \"text/plain\", not \"application/json\"",
        ),
        (
            message(
                &[(":message-type", "event"), (":event-type", "chunk")],
                b"{",
            ),
            "the payload is not JSON: EOF while parsing an object at line 1 column 1",
        ),
        (
            message(
                &[(":message-type", "event"), (":event-type", "chunk")],
                b"{}",
            ),
            "the payload has no \"bytes\": {}",
        ),
        (
            message(
                &[(":message-type", "event"), (":event-type", "chunk")],
                br#"{"bytes": 3}"#,
            ),
            "the payload's \"bytes\" is an integer 3, not a base64 string",
        ),
        (
            message(
                &[(":message-type", "event"), (":event-type", "chunk")],
                br#"{"bytes": "*"}"#,
            ),
            "the payload's \"bytes\" is not base64: Invalid symbol 42, offset 0.",
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            frames(&bytes),
            [(0..bytes.len(), format!("event: {expected}"))]
        );
    }
    // Without `:content-type` an event is read as JSON all the same, and members other than
    // `bytes` are ignored.
    let bare = message(
        &[(":message-type", "event"), (":event-type", "chunk")],
        format!(r#"{{"bytes": "{}", "p": "abc"}}"#, STANDARD.encode("{}")).as_bytes(),
    );
    assert_eq!(frames(&bare), [(0..bare.len(), "chunk {}".to_owned())]);
}

#[test]
fn a_frame_finding_names_the_message_and_its_byte() {
    let good = chunk("{}");
    let mut bytes = [good.clone(), good.clone()].concat();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    let frames = decode(&bytes);
    assert_eq!(frames[0].finding(), None);
    let finding = frames[1].finding().expect("a finding");
    assert_eq!(finding.rule, "stream/eventstream-frame");
    assert_eq!(
        finding.target,
        Target::StreamMessage {
            number: 2,
            offset: good.len()
        }
    );
    assert!(
        finding
            .to_string()
            .starts_with(&format!(
                "error[stream/eventstream-frame] at message 2 (byte {}): {} bytes do not decode as a message: message checksum 0x",
                good.len(),
                good.len()
            )),
        "{finding}"
    );
}

// The check of a whole stream.

const ID: &str = "chatcmpl-0b1ec1d7-4c1e-4a6e-9d2f-6a8e5c3b2a10";

/// The chunks of a Bedrock Jamba stream, as api-facts sections 1 and 6 describe it: the
/// role, two pieces of content, then the last chunk with the finish reason, Bedrock's
/// `stop_reason`, the usage and `meta`.
fn bedrock_chunks() -> Vec<Value> {
    let choice = |delta: Value, finish_reason: Value| serde_json::json!({"index": 0, "delta": delta, "finish_reason": finish_reason});
    let mut last = choice(serde_json::json!({"content": ""}), "stop".into());
    last["stop_reason"] = "<|eom|>".into();
    vec![
        serde_json::json!({"id": ID, "choices": [choice(serde_json::json!({"role": "assistant"}), Value::Null)]}),
        serde_json::json!({"id": ID, "choices": [choice(serde_json::json!({"content": "Honey"}), Value::Null)]}),
        serde_json::json!({"id": ID, "choices": [choice(serde_json::json!({"content": " never spoils."}), Value::Null)]}),
        serde_json::json!({
            "id": ID,
            "choices": [last],
            "usage": {"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149},
            "meta": {"requestDurationMillis": 312}
        }),
    ]
}

/// Bedrock's last event: the invocation metrics alone.
fn metrics() -> Value {
    serde_json::json!({METRICS: {
        "inputTokenCount": 144,
        "outputTokenCount": 5,
        "invocationLatency": 312,
        "firstByteLatency": 88
    }})
}

/// The stream of these chunks, one chunk event each.
fn stream(chunks: &[Value]) -> Vec<u8> {
    chunks
        .iter()
        .flat_map(|value| chunk(&value.to_string()))
        .collect()
}

/// A finding's rule, where it is (`message N` or the target) and its pointer.
type Located = (&'static str, String, String);

/// Where each finding of a report is.
fn located(report: &StreamReport) -> Vec<Located> {
    report
        .report
        .findings
        .iter()
        .map(|finding| {
            let target = match finding.target {
                Target::StreamMessage { number, .. } => format!("message {number}"),
                other => format!("{other:?}"),
            };
            (finding.rule, target, finding.pointer.clone())
        })
        .collect()
}

fn at(rule: &'static str, target: &str, pointer: &str) -> Located {
    (rule, target.to_owned(), pointer.to_owned())
}

fn check(bytes: &[u8]) -> StreamReport {
    Validator::shared().validate_event_stream(bytes, Dialect::Bedrock)
}

#[test]
fn a_bedrock_stream_checks_clean_and_reassembles() {
    let mut chunks = bedrock_chunks();
    chunks.push(metrics());
    let report = check(&stream(&chunks));
    assert!(report.report.is_clean(), "{}", report.report);
    assert_eq!(
        report.reassembled,
        Some(serde_json::json!({
            "id": ID,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": "Honey never spoils."},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149}
        }))
    );
    // The metrics may come inside the last chunk too.
    let mut inside = bedrock_chunks();
    inside[3][METRICS] = metrics()[METRICS].clone();
    let report = check(&stream(&inside));
    assert!(report.report.is_clean(), "{}", report.report);
}

#[test]
fn the_chunks_are_checked_against_the_dialects_schema() {
    // Against AI21's own chunk schema Bedrock's additions are drift, and the metrics'
    // drift points at the message that carried them.
    let mut chunks = bedrock_chunks();
    chunks.push(metrics());
    let report = Validator::shared().validate_event_stream(&stream(&chunks), Dialect::Studio);
    assert_eq!(
        located(&report),
        [
            at("drift/unknown-field", "message 4", "/choices/0/stop_reason"),
            at("drift/unknown-field", "message 4", "/meta"),
            at(
                "drift/unknown-field",
                "message 5",
                "/amazon-bedrock-invocationMetrics"
            ),
        ],
        "{}",
        report.report
    );
}

#[test]
fn malformed_streams_are_findings_at_a_message() {
    let good = bedrock_chunks();
    let bytes = stream(&good);
    let sizes: Vec<usize> = good
        .iter()
        .map(|value| chunk(&value.to_string()).len())
        .collect();

    let mut bad_metrics = metrics();
    bad_metrics[METRICS]["inputTokenCount"] = (-1).into();
    let mut other_id = good.clone();
    other_id[2]["id"] = "chatcmpl-other".into();
    let mut index_one = good.clone();
    index_one[1]["choices"][0]["index"] = 1.into();
    let mut corrupted = bytes.clone();
    corrupted[sizes[0] + sizes[1] - 6] ^= 0x10;
    let exception = message(
        &[
            (":exception-type", "modelStreamErrorException"),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        br#"{"message":"The model failed to respond."}"#,
    );

    let cases: Vec<(&str, Vec<u8>, Vec<Located>)> = vec![
        (
            "cut off before the finish reason",
            stream(&good[..3]),
            vec![at("stream/eventstream-unfinished", "message 3", "")],
        ),
        (
            "cut off in the middle of a message",
            bytes[..bytes.len() - 7].to_vec(),
            vec![
                at("stream/eventstream-frame", "message 4", ""),
                at("stream/eventstream-unfinished", "message 4", ""),
            ],
        ),
        (
            "an exception after two chunks, with a chunk after it",
            [stream(&good[..2]), exception.clone(), stream(&good[2..3])].concat(),
            vec![at("stream/eventstream-exception", "message 3", "")],
        ),
        (
            "a corrupted message",
            corrupted,
            vec![at("stream/eventstream-frame", "message 2", "")],
        ),
        (
            "bytes that are not JSON",
            [stream(&good[..1]), chunk("{\"id\": "), stream(&good[1..])].concat(),
            vec![at("stream/eventstream-event", "message 2", "")],
        ),
        (
            "metrics out of range",
            [stream(&good), stream(&[bad_metrics])].concat(),
            vec![at(
                "schema/minimum",
                "message 5",
                "/amazon-bedrock-invocationMetrics/inputTokenCount",
            )],
        ),
        (
            "metrics with no chunk before them",
            stream(&[metrics()]),
            vec![
                at("schema/required", "message 1", ""),
                at("schema/required", "message 1", ""),
                at("stream/eventstream-unfinished", "message 1", ""),
            ],
        ),
        (
            "another id",
            stream(&other_id),
            vec![at("stream/id-mismatch", "message 3", "/id")],
        ),
        (
            "a second choice index",
            stream(&index_one),
            vec![at("schema/maximum", "message 2", "/choices/0/index")],
        ),
        (
            "an empty body",
            Vec::new(),
            vec![at("stream/empty", "Stream", "")],
        ),
        (
            "garbage",
            b"data: {}\n\n".to_vec(),
            vec![
                at("stream/empty", "Stream", ""),
                at("stream/eventstream-frame", "message 1", ""),
            ],
        ),
    ];
    for (what, bytes, expected) in cases {
        let report = check(&bytes);
        assert_eq!(located(&report), expected, "{what}:\n{}", report.report);
        let complete = expected.iter().all(|(rule, _, _)| {
            !matches!(
                *rule,
                "stream/eventstream-unfinished" | "stream/eventstream-exception" | "stream/empty"
            )
        });
        assert_eq!(report.reassembled.is_some(), complete, "{what}");
    }
}

#[test]
fn event_stream_reports_read_well() {
    let good = bedrock_chunks();
    let mut with_metrics = good.clone();
    with_metrics.push(metrics());
    let bytes = stream(&with_metrics);
    let mut flipped = bytes.clone();
    flipped[3] ^= 0x01;
    let exception = message(
        &[
            (":exception-type", "throttlingException"),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        br#"{"message":"Too many requests, please wait before trying again."}"#,
    );
    let cases = [
        (
            "eventstream-good",
            "a complete Bedrock stream, its metrics merged into the last chunk",
            bytes.clone(),
        ),
        (
            "eventstream-flipped-length",
            "a bit of the first message's length flipped: the prelude checksum catches it and the next message is found",
            flipped,
        ),
        (
            "eventstream-cut",
            "the connection dropped before the last chunk",
            stream(&good[..3]),
        ),
        (
            "eventstream-exception",
            "Bedrock throttled the stream after the first chunk",
            [stream(&good[..1]), exception].concat(),
        ),
    ];
    for (name, description, bytes) in cases {
        let report = check(&bytes);
        let reassembled = report
            .reassembled
            .as_ref()
            .map_or_else(|| "none".to_owned(), |value| value.to_string());
        let mut settings = insta::Settings::clone_current();
        settings.set_description(description);
        settings.set_omit_expression(true);
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            insta::assert_snapshot!(
                name,
                format!("{}\n\nreassembled: {reassembled}", report.report)
            );
        });
    }
}
