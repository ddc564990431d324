//! Unit tests of the encoder: what it writes, the decoder reads back.

use ai21_validate::eventstream::{Content, decode};
use ai21_validate::{Dialect, Validator};

use super::*;

#[test]
fn a_chunk_reads_back_as_written() {
    let json = br#"{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"\u00e9 \ud83d\ude42"},"finish_reason":null}]}"#;
    let bytes = encode_chunk(json);
    let frames = decode(&bytes);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].range(), 0..bytes.len());
    assert_eq!(frames[0].content, Content::Chunk(json.to_vec()));
    // Bedrock's header order and values.
    let total = u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes"));
    assert_eq!(usize::try_from(total), Ok(bytes.len()));
    let text = String::from_utf8_lossy(&bytes);
    let event_type = text.find(":event-type").expect("the event type");
    let content_type = text.find(":content-type").expect("the content type");
    let message_type = text.find(":message-type").expect("the message type");
    assert!(event_type < content_type && content_type < message_type);
}

#[test]
fn an_exception_reads_back_as_written() {
    let bytes = encode_exception("modelStreamErrorException", "the model \"failed\"");
    assert_eq!(
        decode(&bytes)
            .into_iter()
            .map(|frame| frame.content)
            .collect::<Vec<_>>(),
        [Content::Exception {
            exception_type: Some("modelStreamErrorException".to_owned()),
            message: Some("the model \"failed\"".to_owned()),
        }]
    );
    let report = Validator::shared().validate_event_stream(&bytes, Dialect::Bedrock);
    let rules: Vec<&str> = report.report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["stream/eventstream-exception"]);
    assert_eq!(
        report.report.findings[0].message,
        "the stream ends with an exception, modelStreamErrorException: \"the model \\\"failed\\\"\""
    );
}

#[test]
fn every_flipped_bit_of_a_chunk_is_a_frame_finding() {
    let bytes = encode_chunk(br#"{"id":"chatcmpl-1","choices":[]}"#);
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let frames = decode(&flipped);
        assert!(
            frames
                .iter()
                .all(|frame| matches!(frame.content, Content::Undecodable(_))),
            "bit {bit}: {frames:?}"
        );
        let report = Validator::shared().validate_event_stream(&flipped, Dialect::Bedrock);
        assert!(
            report
                .report
                .with_rule("stream/eventstream-frame")
                .any(|finding| finding.pointer.is_empty() && finding.target == frames[0].target()),
            "bit {bit}: {}",
            report.report
        );
    }
}
