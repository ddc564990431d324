//! Unit tests of event splitting and reassembly.

use serde_json::json;

use super::*;

#[test]
fn splits_events_and_numbers_their_lines() {
    let mut findings = Vec::new();
    let (lines, open) = split_events("data: 1\n\ndata: 2\r\n\r\ndata: [DONE]\n\n", &mut findings);
    assert!(findings.is_empty());
    assert_eq!(open, None);
    let seen: Vec<(usize, usize, &str, bool)> = lines
        .iter()
        .map(|line| (line.event, line.line, line.data, line.unterminated))
        .collect();
    assert_eq!(
        seen,
        [
            (1, 1, "1", false),
            (2, 3, "2", false),
            (3, 5, "[DONE]", false)
        ]
    );
}

#[test]
fn reports_foreign_lines_and_open_events() {
    let mut findings = Vec::new();
    let (lines, open) = split_events(
        ": keep-alive\ndata: 1\n\nevent: x\n\ndata: 2",
        &mut findings,
    );
    let rules: Vec<&str> = findings.iter().map(|finding| finding.rule).collect();
    assert_eq!(
        rules,
        ["stream/line-kind", "stream/event-lines", "stream/line-kind"]
    );
    assert_eq!(open, Some((3, 6)));
    assert!(lines.last().is_some_and(|line| line.unterminated));
}

#[test]
fn reassembles_content_in_order() {
    let chunk = |event, value| Chunk {
        event,
        line: event,
        value,
    };
    let values = [
        chunk(
            1,
            json!({"id": "c", "choices": [{"index": 0, "delta": {"role": "assistant"}}]}),
        ),
        chunk(
            2,
            json!({"id": "c", "choices": [{"index": 0, "delta": {"content": " Hel"}}]}),
        ),
        chunk(
            3,
            json!({"id": "c", "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}),
        ),
    ];
    let chunks: Vec<Chunk<&Value>> = values
        .iter()
        .map(|chunk| Chunk {
            event: chunk.event,
            line: chunk.line,
            value: &chunk.value,
        })
        .collect();
    assert_eq!(
        reassemble(&chunks),
        json!({
            "id": "c",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": " Hello"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
        })
    );
}
