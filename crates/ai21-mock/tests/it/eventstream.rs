//! Bedrock's event-stream framing: what the encoder writes the validator's decoder reads
//! back and checks clean, a real-shaped Bedrock Jamba stream included, and any bytes at
//! all decode into frames that account for every byte, without a panic.

use ai21_generate::proptest_config;
use ai21_mock::eventstream::{encode_chunk, encode_exception};
use ai21_validate::eventstream::{Content, METRICS, decode};
use ai21_validate::{Dialect, KNOWN_FINISH_REASONS, SCHEMA_RULES, StreamReport, Validator};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};

/// The id of the fixture: Bedrock's Jamba 1.5 ids are `chatcmpl-<uuid>` (api-facts
/// section 5).
const ID: &str = "chatcmpl-5d3c1f2e-8a4b-4c7d-9e6f-0a1b2c3d4e5f";

/// The chunks of a streamed Jamba 1.5 answer on Bedrock, shaped as api-facts sections 1, 5
/// and 6 describe it: the role first, `finish_reason: null` until the last chunk, content
/// pieces serialised with Python's separators, and a last chunk with the finish reason,
/// Bedrock's `stop_reason`, the usage and `meta`; then the invocation metrics alone, which
/// the SDK merges into the last chunk.
fn bedrock_jamba_stream() -> Vec<String> {
    let piece = |content: &str| {
        format!(
            r#"{{"id": "{ID}", "choices": [{{"index": 0, "delta": {{"content": {}}}, "finish_reason": null}}]}}"#,
            Value::from(content)
        )
    };
    vec![
        format!(
            r#"{{"id": "{ID}", "choices": [{{"index": 0, "delta": {{"role": "assistant"}}, "finish_reason": null}}]}}"#
        ),
        piece(" Honey"),
        piece(" never"),
        piece(" spoils."),
        format!(
            r#"{{"id": "{ID}", "choices": [{{"index": 0, "delta": {{"content": ""}}, "finish_reason": "stop", "stop_reason": "<|eom|>"}}], "usage": {{"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149}}, "meta": {{"requestDurationMillis": 412}}}}"#
        ),
        format!(
            r#"{{"{METRICS}": {{"inputTokenCount": 144, "outputTokenCount": 5, "invocationLatency": 412, "firstByteLatency": 97}}}}"#
        ),
    ]
}

/// The body of a stream of these chunk texts, one chunk event each.
fn body(chunks: &[String]) -> Vec<u8> {
    chunks
        .iter()
        .flat_map(|chunk| encode_chunk(chunk.as_bytes()))
        .collect()
}

fn check(bytes: &[u8]) -> StreamReport {
    Validator::shared().validate_event_stream(bytes, Dialect::Bedrock)
}

/// The chunk texts a body decodes to, or the first frame that is not a chunk.
fn decoded_chunks(bytes: &[u8]) -> Result<Vec<String>, String> {
    decode(bytes)
        .into_iter()
        .map(|frame| match frame.content {
            Content::Chunk(json) => String::from_utf8(json).map_err(|error| error.to_string()),
            other => Err(format!("frame {}: {other:?}", frame.number)),
        })
        .collect()
}

#[test]
fn a_real_shaped_bedrock_stream_checks_clean() {
    let chunks = bedrock_jamba_stream();
    let bytes = body(&chunks);
    assert_eq!(decoded_chunks(&bytes), Ok(chunks));
    let report = check(&bytes);
    assert!(report.report.is_clean(), "{}", report.report);
    assert_eq!(
        report.reassembled,
        Some(json!({
            "id": ID,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": " Honey never spoils."},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149}
        }))
    );
}

#[test]
fn a_flipped_bit_in_the_stream_is_a_frame_finding_at_its_message() {
    let chunks = bedrock_jamba_stream();
    let bytes = body(&chunks);
    let second = encode_chunk(chunks[0].as_bytes()).len();
    let third = second + encode_chunk(chunks[1].as_bytes()).len();
    // One bit of the second message's payload, and one of the third message's length.
    for (bit, message, offset) in [
        ((third - 20) * 8 + 3, 2, second),
        (third * 8 + 30, 3, third),
    ] {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let report = check(&flipped);
        let frame_findings: Vec<String> = report
            .report
            .with_rule("stream/eventstream-frame")
            .map(|finding| finding.place())
            .collect();
        assert_eq!(
            frame_findings,
            [format!("message {message} (byte {offset})")],
            "bit {bit}:\n{}",
            report.report
        );
        // The stream goes on after the broken message: the last chunk still finishes it.
        assert!(report.reassembled.is_some(), "bit {bit}");
    }
}

#[test]
fn an_exception_ends_the_stream() {
    let chunks = bedrock_jamba_stream();
    let mut bytes = body(&chunks[..2]);
    bytes.extend(encode_exception(
        "throttlingException",
        "Too many requests, please wait before trying again.",
    ));
    let report = check(&bytes);
    let findings: Vec<String> = report
        .report
        .findings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        findings,
        [format!(
            "error[stream/eventstream-exception] at message 3 (byte {}): the stream ends with an exception, throttlingException: \"Too many requests, please wait before trying again.\"",
            bytes.len()
                - encode_exception(
                    "throttlingException",
                    "Too many requests, please wait before trying again."
                )
                .len()
        )]
    );
    assert_eq!(report.reassembled, None);
}

/// A valid stream: its chunk texts and the content they carry.
#[derive(Debug, Clone)]
struct Stream {
    chunks: Vec<String>,
    content: String,
}

/// Valid Bedrock streams: a role chunk, any content pieces (any text), a last chunk with a
/// known finish reason and consistent usage, with or without Bedrock's additions, and the
/// metrics alone, inside the last chunk, or not at all.
fn valid_stream() -> impl Strategy<Value = Stream> {
    (
        "chatcmpl-[0-9a-f]{8}",
        prop::collection::vec(any::<String>(), 0..6),
        prop::sample::select(&KNOWN_FINISH_REASONS[..]),
        (0u64..5000, 0u64..5000),
        any::<bool>(),
        0..3u8,
        any::<bool>(),
    )
        .prop_map(
            |(id, pieces, finish_reason, (prompt, completion), additions, metrics, spaced)| {
                let usage = json!({
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion
                });
                let metrics_value = json!({
                    "inputTokenCount": prompt,
                    "outputTokenCount": completion,
                    "invocationLatency": 300,
                    "firstByteLatency": 90
                });
                let mut values = vec![json!({
                    "id": id,
                    "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": null}]
                })];
                for piece in &pieces {
                    values.push(json!({
                        "id": id,
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]
                    }));
                }
                let mut last = json!({
                    "id": id,
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": finish_reason}],
                    "usage": usage
                });
                if additions {
                    last["choices"][0]["stop_reason"] = json!("<|eom|>");
                    last["meta"] = json!({"requestDurationMillis": 300});
                }
                if metrics == 1 {
                    last[METRICS] = metrics_value.clone();
                }
                values.push(last);
                if metrics == 2 {
                    values.push(json!({ METRICS: metrics_value }));
                }
                let chunks: Vec<String> = values
                    .iter()
                    .map(|value| {
                        let compact = value.to_string();
                        if spaced {
                            // Python's separators, as AI21's streams are written. A piece
                            // holding `\":` gets a space too, and stays valid JSON.
                            compact.replace("\":", "\": ").replace(",\"", ", \"")
                        } else {
                            compact
                        }
                    })
                    .collect();
                let content = chunks
                    .iter()
                    .filter_map(|chunk| {
                        let value: Value = serde_json::from_str(chunk).ok()?;
                        value["choices"][0]["delta"]["content"]
                            .as_str()
                            .map(str::to_owned)
                    })
                    .collect();
                Stream { chunks, content }
            },
        )
}

#[test]
fn valid_chunks_come_back_identical_and_check_clean() {
    let mut runner = TestRunner::new(proptest_config());
    runner
        .run(&valid_stream(), |stream| {
            let bytes = body(&stream.chunks);
            prop_assert_eq!(decoded_chunks(&bytes), Ok(stream.chunks.clone()));
            let report = check(&bytes);
            prop_assert!(
                report.report.is_clean(),
                "{}\n{:#?}",
                report.report,
                stream.chunks
            );
            let content = report
                .reassembled
                .as_ref()
                .and_then(|response| response["choices"][0]["message"]["content"].as_str())
                .map(str::to_owned);
            // The pieces, joined (the last chunk adds an empty piece, so never `null`).
            prop_assert_eq!(content, Some(stream.content.clone()));
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

/// Checks what any bytes give: frames that tile them, findings of catalogued rules only,
/// and for every message that decodes, the same message again when encoded.
fn accounts_for_every_byte(bytes: &[u8]) -> Result<(), TestCaseError> {
    let frames = decode(bytes);
    let mut end = 0;
    for (index, frame) in frames.iter().enumerate() {
        prop_assert_eq!(frame.number, index + 1);
        prop_assert_eq!(frame.offset, end, "a gap or an overlap before {:?}", frame);
        prop_assert!(frame.len > 0, "an empty frame: {:?}", frame);
        end = frame.range().end;
        if let Content::Chunk(json) = &frame.content {
            let again = decode(&encode_chunk(json));
            prop_assert_eq!(again.len(), 1);
            prop_assert_eq!(&again[0].content, &frame.content);
        }
    }
    prop_assert_eq!(end, bytes.len(), "bytes after the last frame");
    let report = check(bytes);
    for finding in &report.report.findings {
        prop_assert!(
            ai21_validate::rule_info(finding.rule).is_some()
                || SCHEMA_RULES.iter().any(|info| info.id == finding.rule),
            "a rule outside the catalogue: {}",
            finding
        );
    }
    if let Some(reassembled) = &report.reassembled {
        prop_assert!(reassembled.is_object());
    }
    Ok(())
}

/// Bytes: arbitrary ones, and valid streams broken by a few flipped, cut or inserted
/// bytes (arbitrary bytes alone rarely get past the first prelude checksum).
fn any_stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<prop::sample::Index>(), any::<u8>(), 0..3u8);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (valid_stream(), prop::collection::vec(edit, 0..4)).prop_map(|(stream, edits)| {
            let mut bytes = body(&stream.chunks);
            for (index, byte, how) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = index.index(bytes.len());
                match how {
                    0 => bytes[at] ^= byte.max(1),
                    1 => bytes.truncate(at),
                    _ => bytes.insert(at, byte),
                }
            }
            bytes
        }),
    ]
}

#[test]
fn any_bytes_decode_into_frames_that_account_for_every_byte() {
    let mut runner = TestRunner::new(proptest_config());
    runner
        .run(&any_stream_bytes(), |bytes| accounts_for_every_byte(&bytes))
        .unwrap_or_else(|failure| panic!("{failure}"));
}
