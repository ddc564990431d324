//! Event streams: a good stream reassembles into a valid response; each way of breaking
//! one is a finding naming the event and the line, never a panic.

use ai21_validate::{StreamReport, Target};
use serde_json::{Value, json};

use crate::support::{snapshot, validator};

const ID: &str = "chat-3f2a9c1be0d84a7f9e6b5c4d3a2b1c0d";

fn chunk(delta: Value, finish_reason: Value, usage: Option<Value>) -> Value {
    let mut chunk = json!({
        "id": ID,
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]
    });
    if let Some(usage) = usage {
        chunk["usage"] = usage;
    }
    chunk
}

/// The chunks of a good stream: role, two pieces of content, the last with finish
/// reason and usage.
fn good_chunks() -> Vec<Value> {
    vec![
        chunk(json!({"role": "assistant"}), Value::Null, None),
        chunk(json!({"content": " Honey"}), Value::Null, Some(Value::Null)),
        chunk(json!({"content": " never spoils."}), Value::Null, None),
        chunk(
            json!({"content": ""}),
            json!("stop"),
            Some(json!({"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149})),
        ),
    ]
}

/// A body with one `data:` event per chunk, then `data: [DONE]`, the way Studio writes it
/// (Python's `", "` separators).
fn body(chunks: &[Value]) -> String {
    let mut text = String::new();
    for chunk in chunks {
        let compact = chunk.to_string();
        let spaced = compact.replace("\",\"", "\", \"").replace("\":", "\": ");
        text.push_str(&format!("data: {spaced}\n\n"));
    }
    text.push_str("data: [DONE]\n\n");
    text
}

fn validate(body: &str) -> StreamReport {
    validator().validate_stream(body)
}

/// A finding's rule, where it is (`event N line L`, or the target), and its pointer.
type Located = (&'static str, String, String);

/// Where every finding of a report is.
fn located(report: &StreamReport) -> Vec<Located> {
    report
        .report
        .findings
        .iter()
        .map(|finding| {
            let target = match finding.target {
                Target::StreamEvent { event, line } => format!("event {event} line {line}"),
                other => format!("{other:?}"),
            };
            (finding.rule, target, finding.pointer.clone())
        })
        .collect()
}

fn at(rule: &'static str, event: usize, line: usize, pointer: &str) -> Located {
    (
        rule,
        format!("event {event} line {line}"),
        pointer.to_owned(),
    )
}

#[test]
fn a_good_stream_reassembles_into_a_valid_response() {
    let report = validate(&body(&good_chunks()));
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
fn crlf_line_endings_read_like_lf() {
    let lf = body(&good_chunks());
    let crlf = lf.replace('\n', "\r\n");
    let report = validate(&crlf);
    assert!(report.report.is_clean(), "{}", report.report);
    assert_eq!(report.reassembled, validate(&lf).reassembled);
}

#[test]
fn malformed_streams_are_findings_with_event_and_line() {
    let good = body(&good_chunks());
    let cases: Vec<(&str, String, Vec<Located>)> = vec![
        (
            "truncated in the middle of a chunk",
            good[..good.find("never").expect("a word")].to_owned(),
            vec![
                at("stream/truncated", 3, 5, ""),
                at("stream/missing-done", 3, 5, ""),
            ],
        ),
        (
            "missing [DONE]",
            good.replace("data: [DONE]\n\n", ""),
            vec![at("stream/missing-done", 4, 7, "")],
        ),
        (
            "bad JSON",
            good.replace("{\"content\": \" Honey\"}", "{\"content\": \" Honey\",}"),
            vec![at("stream/bad-json", 2, 3, "")],
        ),
        (
            "a comment line",
            format!(": keep-alive\n\n{good}"),
            vec![at("stream/line-kind", 1, 1, "")],
        ),
        (
            "data without its space",
            good.replacen("data: {", "data:{", 1),
            vec![
                at("stream/line-kind", 1, 1, ""),
                at("stream/role-first", 2, 3, "/choices/0/delta"),
            ],
        ),
        (
            "two data lines in one event",
            good.replacen("\n\ndata: ", "\ndata: ", 1),
            vec![at("stream/event-lines", 1, 2, "")],
        ),
        (
            "a chunk after [DONE]",
            format!("{good}{}", body(&good_chunks()[1..2])),
            vec![
                at("stream/after-done", 6, 11, ""),
                at("stream/after-done", 7, 13, ""),
            ],
        ),
        (
            "[DONE] not ended by a blank line",
            good.trim_end().to_owned(),
            vec![at("stream/unterminated-event", 5, 9, "")],
        ),
        (
            "an empty body",
            String::new(),
            vec![("stream/empty", "Stream".to_owned(), String::new())],
        ),
    ];
    for (what, text, expected) in cases {
        let report = validate(&text);
        assert_eq!(located(&report), expected, "{what}:\n{}", report.report);
    }
}

#[test]
fn chunks_agree_with_each_other() {
    let mut other_id = good_chunks();
    other_id[2]["id"] = json!("chat-other");
    let mut no_role = good_chunks();
    no_role.remove(0);
    let mut late_role = good_chunks();
    late_role[2]["choices"][0]["delta"]["role"] = json!("assistant");
    let mut early_usage = good_chunks();
    early_usage[1]["usage"] =
        json!({"prompt_tokens": 144, "completion_tokens": 1, "total_tokens": 145});
    let mut early_finish = good_chunks();
    early_finish[1]["choices"][0]["finish_reason"] = json!("stop");
    let mut no_usage = good_chunks();
    no_usage[3]
        .as_object_mut()
        .expect("an object")
        .remove("usage");
    // Only a last chunk that carries usage may have no choice, and the finish reason is on
    // the last chunk with a choice.
    let usage = json!({"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149});
    let mut early = good_chunks();
    early.insert(2, json!({"id": ID, "choices": []}));
    let mut last_without_usage = good_chunks();
    last_without_usage[3]["usage"] = Value::Null;
    last_without_usage.push(json!({"id": ID, "choices": []}));
    let mut finish_before_the_last_choice = good_chunks();
    finish_before_the_last_choice[3]["usage"] = Value::Null;
    finish_before_the_last_choice[2]["choices"][0]["finish_reason"] = json!("stop");
    finish_before_the_last_choice.push(json!({"id": ID, "choices": [], "usage": usage}));
    let cases: Vec<(&str, Vec<Value>, Vec<Located>)> = vec![
        (
            "another id",
            other_id,
            vec![at("stream/id-mismatch", 3, 5, "/id")],
        ),
        (
            "no role first",
            no_role,
            vec![at("stream/role-first", 1, 1, "/choices/0/delta")],
        ),
        (
            "a role later",
            late_role,
            vec![
                at("stream/role-first", 3, 5, "/choices/0/delta/role"),
                at("stream/delta-role-and-content", 3, 5, "/choices/0/delta"),
            ],
        ),
        (
            "usage early",
            early_usage,
            vec![at("stream/usage-last", 2, 3, "/usage")],
        ),
        (
            "finish reason early",
            early_finish,
            vec![at(
                "stream/finish-reason-last",
                2,
                3,
                "/choices/0/finish_reason",
            )],
        ),
        (
            "no usage on the last chunk",
            no_usage,
            vec![("schema/required", "Reassembled".to_owned(), String::new())],
        ),
        (
            "no choice in the middle",
            early,
            vec![at("stream/choice-missing", 3, 5, "/choices")],
        ),
        (
            "a last chunk with neither choice nor usage",
            last_without_usage,
            vec![
                at("stream/choice-missing", 5, 9, "/choices"),
                ("schema/required", "Reassembled".to_owned(), String::new()),
            ],
        ),
        (
            "a finish reason before the last chunk with a choice",
            finish_before_the_last_choice,
            vec![at(
                "stream/finish-reason-last",
                3,
                5,
                "/choices/0/finish_reason",
            )],
        ),
    ];
    for (what, chunks, expected) in cases {
        let report = validate(&body(&chunks));
        assert_eq!(located(&report), expected, "{what}:\n{}", report.report);
    }
}

#[test]
fn chunks_are_validated_against_the_chunk_schema() {
    let mut chunks = good_chunks();
    chunks[2]["choices"][0]["index"] = json!(1);
    chunks[2]["created"] = json!(1_718_000_000);
    let report = validate(&body(&chunks));
    assert_eq!(
        located(&report),
        [
            at("schema/maximum", 3, 5, "/choices/0/index"),
            at("drift/unknown-field", 3, 5, "/created"),
        ],
        "{}",
        report.report
    );
}

#[test]
fn the_reassembled_response_is_validated_like_a_response() {
    let mut chunks = good_chunks();
    chunks[3]["usage"]["total_tokens"] = json!(150);
    let report = validate(&body(&chunks));
    assert_eq!(
        located(&report),
        [
            at("jamba/usage-total", 4, 7, "/usage/total_tokens"),
            (
                "jamba/usage-total",
                "Reassembled".to_owned(),
                "/usage/total_tokens".to_owned()
            ),
        ],
        "{}",
        report.report
    );
}

#[test]
fn garbage_never_panics() {
    for text in [
        "data: ",
        "data: [DONE]",
        "\n\n\n",
        "data: null\n\ndata: [DONE]\n\n",
        "data: []\n\ndata: [DONE]\n\n",
        "data: {\"choices\": 3}\n\ndata: [DONE]\n\n",
        "\u{feff}data: x",
        "data: \"\u{0}\"\r\r\n",
    ] {
        let report = validate(text);
        assert!(report.report.has_errors(), "{text:?}:\n{}", report.report);
    }
}

#[test]
fn stream_reports_read_well() {
    let good = body(&good_chunks());
    let cases = [
        (
            "stream-good",
            "a complete stream as Studio writes it",
            good.clone(),
        ),
        (
            "stream-truncated",
            "the connection dropped in the middle of the third event",
            good[..good.find("never").expect("a word")].to_owned(),
        ),
        (
            "stream-missing-done",
            "the stream ends without data: [DONE]",
            good.replace("data: [DONE]\n\n", ""),
        ),
        (
            "stream-bad-json",
            "the second event's JSON has a trailing comma",
            good.replace("{\"content\": \" Honey\"}", "{\"content\": \" Honey\",}"),
        ),
        (
            "stream-foreign-lines",
            "an SSE comment and an event: line, which the SDK decoders reject",
            format!(": keep-alive\n\nevent: message\n{}", &good),
        ),
    ];
    for (name, description, text) in cases {
        let report = validate(&text);
        let reassembled = report
            .reassembled
            .as_ref()
            .map_or_else(|| "none".to_owned(), |value| value.to_string());
        snapshot(
            name,
            description,
            &format!("{}\n\nreassembled: {reassembled}", report.report),
        );
    }
}

#[test]
fn streams_as_servers_send_them_are_valid() {
    // A final chunk with no choice that carries only the usage (OpenAI-compatible servers),
    // a `null` content piece, and a logprobs object shaped like the response's.
    let usage = json!({"prompt_tokens": 144, "completion_tokens": 5, "total_tokens": 149});
    let mut chunks = good_chunks();
    chunks[3] = chunk(json!({"content": null}), json!("stop"), None);
    chunks[2]["choices"][0]["logprobs"] =
        json!({"content": {"token": " spoils", "logprob": -0.25, "top_logprobs": []}});
    chunks.push(json!({"id": ID, "choices": [], "usage": usage}));
    let report = validate(&body(&chunks));
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
            "usage": usage
        }))
    );
}
