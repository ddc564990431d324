//! `validate --contract NAME`: a capture checked against a historical contract, the kinds
//! it freezes against its schemas, the others (and the partner platforms) against today's,
//! and the contract named in every report format.

use serde_json::{Value, json};

use crate::support::{Run, ai21};

const PREVIEW_CAPTURE: &str = "tests/fixtures/history/jamba-preview.jsonl";

/// Validates one payload of `kind`, given on standard input, against `contract`.
fn payload(contract: &str, kind: &str, body: &Value) -> Run {
    ai21(
        &[
            "validate",
            "--contract",
            contract,
            "--kind",
            kind,
            "--format",
            "json",
            "-",
        ],
        body.to_string().as_bytes(),
    )
}

/// The `(rule, pointer)` of every finding of a JSON report; an unknown member's pointer is
/// its object's, with the member's name after a `#`.
fn findings(run: &Run) -> Vec<(String, String)> {
    run.stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .filter(|line| line["type"] == "finding")
        .map(|line| {
            let rule = line["rule"].as_str().expect("a rule").to_owned();
            let mut pointer = line["pointer"].as_str().expect("a pointer").to_owned();
            if rule == "schema/additionalProperties" {
                let message = line["message"].as_str().expect("a message");
                let name = message
                    .split('"')
                    .nth(1)
                    .expect("the member's name in quotes");
                pointer = format!("{pointer}#{name}");
            }
            (rule, pointer)
        })
        .collect()
}

/// The summary object of a JSON report.
fn summary(run: &Run) -> Value {
    let last = run.stdout.lines().last().expect("a summary line");
    let summary: Value = serde_json::from_str(last).expect("a JSON line");
    assert_eq!(summary["type"], "summary", "{}", run.transcript());
    summary
}

#[test]
fn a_preview_capture_passes_the_preview_contract_and_fails_todays() {
    let today = ai21(&["validate", PREVIEW_CAPTURE], b"");
    assert_eq!(today.code, 1, "{}", today.transcript());
    assert_eq!(
        today
            .stdout
            .matches("error[schema/maximum] at request /max_tokens: max_tokens must be at most 4096, found 8000")
            .count(),
        2,
        "{}",
        today.transcript()
    );
    assert!(!today.stdout.contains("historical"), "{}", today.stdout);

    let preview = ai21(
        &["validate", "--contract", "jamba-preview", PREVIEW_CAPTURE],
        b"",
    );
    assert_eq!(preview.code, 0, "{}", preview.transcript());
    assert!(
        preview.stdout.starts_with(
            "checked against the historical contract jamba-preview (schemas/history/jamba-preview/), today's for the kinds it does not freeze\n2 records: 2 valid, 0 with errors"
        ),
        "{}",
        preview.transcript()
    );
    // `current`, the default, named: today's contract.
    let current = ai21(&["validate", "--contract", "current", PREVIEW_CAPTURE], b"");
    assert_eq!(current.code, 1, "{}", current.transcript());
}

#[test]
fn what_came_after_the_preview_fails_its_contract() {
    let request = |extra: Value| {
        let mut body = json!({
            "model": "jamba-1.5-mini",
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
        });
        for (name, value) in extra.as_object().expect("an object") {
            body[name] = value.clone();
        }
        body
    };
    let tool = json!({"type": "function", "function": {"name": "weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}});
    for (extra, rule, pointer) in [
        (json!({"n": 2}), "schema/additionalProperties", "#n"),
        (
            json!({"stream": true}),
            "schema/additionalProperties",
            "#stream",
        ),
        (
            json!({"tools": [tool]}),
            "schema/additionalProperties",
            "#tools",
        ),
        (
            json!({"response_format": {"type": "json_object"}}),
            "schema/additionalProperties",
            "#response_format",
        ),
        (json!({"max_tokens": 8000}), "", ""),
    ] {
        let body = request(extra.clone());
        let today = payload("current", "jamba-chat.request", &body);
        let preview = payload("jamba-preview", "jamba-chat.request", &body);
        if rule.is_empty() {
            // The preview's own range: refused today, accepted by the preview.
            assert_eq!(preview.code, 0, "{extra}: {}", preview.transcript());
            assert_eq!(
                findings(&today),
                [("schema/maximum".to_owned(), "/max_tokens".to_owned())],
                "{extra}: {}",
                today.transcript()
            );
            continue;
        }
        assert_eq!(today.code, 0, "{extra}: {}", today.transcript());
        assert_eq!(preview.code, 1, "{extra}: {}", preview.transcript());
        assert_eq!(
            findings(&preview),
            [(rule.to_owned(), pointer.to_owned())],
            "{extra}: {}",
            preview.transcript()
        );
        assert_eq!(summary(&preview)["contract"], "jamba-preview");
        assert!(
            summary(&today).get("contract").is_none(),
            "{}",
            today.stdout
        );
    }

    // A response with a tool call: the preview's message had text content only.
    let response = json!({
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": null,
            "tool_calls": [{"id": "call_1", "type": "function",
                            "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}]}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    });
    let today = payload("current", "jamba-chat.response", &response);
    assert_eq!(today.code, 0, "{}", today.transcript());
    let preview = payload("jamba-preview", "jamba-chat.response", &response);
    assert_eq!(preview.code, 1, "{}", preview.transcript());
    let found = findings(&preview);
    for expected in [
        ("schema/type", "/choices/0/message/content"),
        ("schema/enum", "/choices/0/finish_reason"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {found:?}"
        );
    }
}

#[test]
fn the_older_j2_contract_refuses_what_the_newer_docs_added() {
    let body = json!({"prompt": "Once upon a time", "maxTokens": 16, "logitBias": {"▁the": -5.0}});
    let today = payload("current", "j2-complete.request", &body);
    assert_eq!(today.code, 0, "{}", today.transcript());
    let older = payload("j2-older", "j2-complete.request", &body);
    assert_eq!(older.code, 1, "{}", older.transcript());
    assert_eq!(
        findings(&older),
        [(
            "schema/additionalProperties".to_owned(),
            "#logitBias".to_owned()
        )]
    );
    assert_eq!(summary(&older)["contract"], "j2-older");
    // What it does not freeze, the J2 response, is today's.
    let response = json!({"id": "x", "prompt": {"text": "", "tokens": []}, "completions": []});
    let today = payload("current", "j2-complete.response", &response);
    let older = payload("j2-older", "j2-complete.response", &response);
    assert_eq!(findings(&today), findings(&older), "{}", older.transcript());
}

#[test]
fn partner_platforms_keep_todays_schemas() {
    for capture in [
        "tests/fixtures/captures/bedrock.jsonl",
        "tests/fixtures/captures/vertex.jsonl",
        "tests/fixtures/captures/azure.jsonl",
    ] {
        let run = |contract| {
            ai21(
                &[
                    "validate",
                    "--format",
                    "json",
                    "--contract",
                    contract,
                    capture,
                ],
                b"",
            )
        };
        let today = run("current");
        let preview = run("jamba-preview");
        assert_eq!(today.code, preview.code, "{}", preview.transcript());
        let body = |run: &Run| {
            run.stdout
                .lines()
                .filter(|line| !line.starts_with("{\"type\":\"summary\""))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(body(&today), body(&preview), "{capture}");
        assert_eq!(summary(&preview)["records"], summary(&today)["records"]);
    }
}

#[test]
fn every_format_names_a_historical_contract() {
    for (format, expected) in [
        (
            "junit",
            "<property name=\"contract\" value=\"jamba-preview\"/>",
        ),
        ("sarif", "\"contract\":\"jamba-preview\""),
    ] {
        let run = ai21(
            &[
                "validate",
                "--format",
                format,
                "--contract",
                "jamba-preview",
                PREVIEW_CAPTURE,
            ],
            b"",
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(run.stdout.contains(expected), "{format}: {}", run.stdout);
        let today = ai21(&["validate", "--format", format, PREVIEW_CAPTURE], b"");
        for named in ["name=\"contract\"", "\"contract\":"] {
            assert!(!today.stdout.contains(named), "{format}: {}", today.stdout);
        }
    }
}

#[test]
fn an_unknown_contract_is_refused_with_the_known_names() {
    let run = ai21(
        &["validate", "--contract", "jamba-1999", PREVIEW_CAPTURE],
        b"",
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    for name in ["current", "jamba-preview", "j2-older"] {
        assert!(run.stderr.contains(name), "{}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
