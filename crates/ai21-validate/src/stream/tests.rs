//! Unit tests of event splitting and reassembly.

use serde_json::json;

use super::*;
use ai21_schemas::Dialect;

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
        target: Target::StreamEvent { event, line: event },
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
            target: chunk.target,
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

/// A stream's report is the same whether its chunks are read on tapes or parsed into
/// `Value`s: on generated chunks, mutated ones (schema errors, drift), chunks with fields
/// added, and events broken into text that is not JSON.
#[test]
fn tapes_and_values_give_the_same_report() {
    use proptest::prelude::*;

    let validator = Validator::shared();
    let kind = PayloadKind::JambaChatStreamChunk;
    let chunk = ai21_generate::instance::strategy(kind).expect("the chunk schema reads");
    let strategy = (
        proptest::collection::vec((chunk, any::<usize>(), 0u8..8), 1..5),
        any::<bool>(),
    );
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let taken = std::cell::Cell::new(0);
    let result = runner.run(&strategy, |(chunks, done)| {
        let mut body = String::new();
        for (chunk, mutation, how) in &chunks {
            let mutations = ai21_generate::mutate::mutations(kind, chunk);
            let mut chunk = chunk.clone();
            let data = match how {
                0 if !mutations.is_empty() => {
                    chunk = mutations[mutation % mutations.len()].apply(&chunk);
                    chunk.to_string()
                }
                1 => {
                    if let Value::Object(members) = &mut chunk {
                        members.insert("added".into(), json!(1));
                    }
                    chunk.to_string()
                }
                2 => {
                    let text = chunk.to_string();
                    let mut cut = text.len() / 2;
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text[..cut].to_owned()
                }
                3 => chunk.to_string().replacen('{', "{\"id\": 1, ", 1),
                _ => chunk.to_string(),
            };
            body.push_str(&format!("data: {data}\n\n"));
        }
        if done {
            body.push_str("data: [DONE]\n\n");
        }
        let mut findings = Vec::new();
        let (data_lines, open_event) = split_events(&body, &mut findings);
        let on_values =
            validator.stream_on_values(Dialect::Studio, &data_lines, open_event, findings);
        let report = validator.validate_stream(&body);
        prop_assert_eq!(&report, &on_values, "{}", body);
        let all_on_tapes = data_lines
            .iter()
            .filter(|line| !is_done(line.data))
            .all(|line| ai21_tape::TapeBuf::default().parse(line.data).is_ok());
        taken.set(taken.get() + usize::from(all_on_tapes));
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    // Most streams are read on tapes: the comparison is not of one route with itself.
    assert!(
        taken.get() * 4 >= ai21_generate::proptest_config().cases as usize,
        "{}",
        taken.get()
    );
}

/// A Bedrock chunk is checked against Bedrock's chunk schema, the full way and the fast
/// way alike (carried over from the event-stream branch's `dialect_schema` tests, onto
/// the validator's own per-dialect schemas).
#[test]
fn a_bedrock_chunk_is_checked_against_the_bedrock_schema() {
    let validator = Validator::shared();
    let kind = PayloadKind::JambaChatStreamChunk;
    let chunk = json!({
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "delta": {"content": "."}, "finish_reason": "stop", "stop_reason": "<|eom|>"}],
        "meta": {"requestDurationMillis": 120},
        "amazon-bedrock-invocationMetrics": {"inputTokenCount": 1}
    });
    let rules = |dialect: Dialect| {
        let mut full = Vec::new();
        validator.check(dialect, kind, &chunk, &mut full);
        let mut fast = Vec::new();
        let fast = validator
            .check_fast(dialect, kind, &chunk, &mut fast)
            .map(|()| fast);
        let full: Vec<(&str, String)> = full
            .into_iter()
            .map(|finding| (finding.rule, finding.pointer))
            .collect();
        (full, fast.is_ok())
    };
    assert_eq!(rules(Dialect::Bedrock), (vec![], true));
    let (studio, fast) = rules(Dialect::Studio);
    assert!(!fast, "the fast check defers on drift");
    assert_eq!(
        studio,
        [
            (
                "drift/unknown-field",
                "/amazon-bedrock-invocationMetrics".to_owned()
            ),
            ("drift/unknown-field", "/choices/0/stop_reason".to_owned()),
            ("drift/unknown-field", "/meta".to_owned()),
        ]
    );

    let mut broken = chunk.clone();
    broken["amazon-bedrock-invocationMetrics"]["inputTokenCount"] = json!(-1);
    let mut findings = Vec::new();
    validator.check(Dialect::Bedrock, kind, &broken, &mut findings);
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|finding| (finding.rule, finding.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "schema/minimum",
            "/amazon-bedrock-invocationMetrics/inputTokenCount"
        )]
    );
    let mut fast = Vec::new();
    assert!(
        validator
            .check_fast(Dialect::Bedrock, kind, &broken, &mut fast)
            .is_err()
    );
    assert!(fast.is_empty());
}
