//! `ai21-contract verify`: passes against the embedded mock, records a capture that
//! `validate` reads, fails with the right findings against a broken server, and never
//! prints the key.

use std::collections::BTreeSet;
use std::process::{Command, Output};

use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};

use crate::support::{KEY, workspace_root};

fn verify(arguments: &[&str], key: Option<&str>) -> Output {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"));
    command
        .arg("verify")
        .args(arguments)
        .current_dir(workspace_root())
        .env_remove("CI")
        .env_remove("AI21_API_KEY");
    if let Some(key) = key {
        command.env("AI21_API_KEY", key);
    }
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The rule ids of the findings in a `--format json` report.
fn rules(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|object| object["type"] == "finding")
        .filter_map(|object| object["rule"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_suite_passes_against_the_embedded_mock_and_records_a_readable_capture() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let record = folder.path().join("verify.jsonl");
    let record_arg = record.to_str().expect("a UTF-8 path");
    let output = verify(
        &[
            "--generated",
            "3",
            "--record",
            record_arg,
            "--format",
            "json",
        ],
        Some(KEY),
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("(embedded mock): 4 documented, 6 generated and"),
        "{stderr}"
    );
    assert!(stderr.contains("to J2 complete and Jamba chat"), "{stderr}");
    let summary: Value = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|object| object["type"] == "summary")
        .expect("a summary");
    assert_eq!(summary["with_errors"], 0, "{summary}");

    let captured = std::fs::read_to_string(&record).expect("the record exists");
    for (place, content) in [
        ("stdout", &stdout),
        ("stderr", &stderr),
        ("record", &captured),
    ] {
        assert!(
            !content.contains(KEY) && !content.contains(&KEY[..12]),
            "the key is in {place}"
        );
    }
    // Every exchange to an AI21 endpoint is recorded (the one to a non-endpoint path is
    // not a capture record), and `validate` reads all of them.
    let records = summary["records"].as_u64().expect("a count");
    assert_eq!(captured.lines().count() as u64, records - 1);
    let validated = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .args(["validate", record_arg, "--format", "json"])
        .output()
        .expect("the binary runs");
    let report = text(&validated.stdout);
    let summary: Value = report
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|object| object["type"] == "summary")
        .expect("a summary");
    assert_eq!(summary["records"].as_u64(), Some(records - 1), "{summary}");
    assert_eq!(summary["unreadable"], 0, "{summary}");
}

/// A server that answers everything with 200 and a broken body: Jamba usage that does not
/// add up, J2 text ranges that leave a gap.
fn broken_server() -> Router {
    Router::new()
        .route(
            "/studio/v1/chat/completions",
            post(|| async {
                axum::Json(json!({
                    "id": "chat-0123456789abcdef0123456789abcdef",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 99}
                }))
            }),
        )
        .fallback(|| async {
            axum::Json(json!({
                "id": "01234567-89ab-cdef-0123-456789abcdef",
                "prompt": {"text": "Hello", "tokens": []},
                "completions": [{"data": {"text": "ab", "tokens": [
                    {"generatedToken": {"token": "a", "logprob": -1.0}, "topTokens": null, "textRange": {"start": 0, "end": 1}},
                    {"generatedToken": {"token": "b", "logprob": -1.0}, "topTokens": null, "textRange": {"start": 5, "end": 6}}
                ]}, "finishReason": {"reason": "endoftext"}}]
            }))
        })
}

#[test]
fn the_suite_fails_with_the_right_findings_against_a_broken_server() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds loopback");
    let addr = listener.local_addr().expect("an address");
    runtime.spawn(async move { axum::serve(listener, broken_server()).await });
    let base_url = format!("http://{addr}");
    let output = verify(
        &[
            "--base-url",
            &base_url,
            "--endpoints",
            "both",
            "--generated",
            "2",
            "--format",
            "json",
        ],
        Some(KEY),
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("(live endpoint)"), "{stderr}");
    let found = rules(&stdout);
    for rule in [
        "jamba/usage-total",
        "j2/text-range-tiling",
        "pair/prompt-echo",
        "verify/expected-client-error",
    ] {
        assert!(found.contains(rule), "{rule} missing from {found:?}");
    }
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));

    // Against a live endpoint the default is Jamba only, and it says so.
    let output = verify(&["--base-url", &base_url, "--generated", "1"], Some(KEY));
    assert!(
        text(&output.stderr).contains("Jamba chat only (J2 was switched off in November 2024"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_live_endpoint_needs_a_key_and_says_which_variable() {
    let output = verify(&["--base-url", "http://127.0.0.1:9"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("a live endpoint needs an API key") && stderr.contains("AI21_API_KEY"),
        "{stderr}"
    );
}
