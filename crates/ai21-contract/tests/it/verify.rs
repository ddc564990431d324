//! `ai21-contract verify`: passes against the embedded mock, records a capture that
//! `validate` reads, fails with the right findings against a broken server, and never
//! prints the key.

use std::collections::BTreeSet;
use std::process::{Command, Output};

use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};

use crate::support::{KEY, workspace_root};

#[path = "../../../ai21-verify/tests/lying_proxy/mod.rs"]
#[allow(dead_code, reason = "the proxy's lies, of which these tests use two")]
mod lying_proxy;

use lying_proxy::Lie;

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
        stderr.contains("(embedded mock): 4 documented, 6 generated, 3 targeted and"),
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
    // The negative cases are marked as meant to be refused, and were: `validate` passes.
    assert_eq!(summary["with_errors"], 0, "{report}");
    assert_eq!(validated.status.code(), Some(0), "{report}");
    let refusals = captured
        .lines()
        .filter(|line| line.contains(r#""expect":"refusal""#))
        .count();
    assert!(refusals > 20, "{refusals} records marked as refusals");
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

/// Runs `verify` with `arguments` against a lying proxy in front of a mock, both on
/// loopback.
fn verify_through(lie: Lie, arguments: &[&str]) -> Output {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mock = runtime
        .block_on(ai21_mock::RunningMock::start(
            "127.0.0.1:0".parse().expect("an address"),
            ai21_mock::Config::default(),
        ))
        .expect("the mock starts");
    let base_url = runtime.block_on(lying_proxy::start(mock.base_url(), lie));
    let mut all = vec!["--base-url", base_url.as_str(), "--generated", "1"];
    all.extend_from_slice(arguments);
    let output = verify(&all, Some(KEY));
    runtime.block_on(mock.stop()).expect("the mock stops");
    output
}

#[test]
fn a_proxy_that_answers_with_the_wrong_status_fails_naming_the_expectation() {
    let output = verify_through(Lie::Status, &["--endpoints", "both"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("(live endpoint)"), "{stderr}");
    for expected in [
        "error[verify/expected-status] at response (root): negative request without an API key: got status 403, expected 401 (expectation recorded-401: recorded traffic",
        "error[verify/expected-status] at response (root): negative invalid/jamba-chat.request.n-zero.json: got status 400, expected 422 (expectation recorded-chat-422: recorded traffic",
        // No J2 422 was recorded: live, a warning.
        "warning[verify/expected-status] at response (root): negative invalid/j2-complete.request.top-p-above-one.json: got status 400, expected 422 (expectation j2-422: unconfirmed",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
}

#[test]
fn a_proxy_that_points_the_422_at_another_field_fails_as_a_mock() {
    let output = verify_through(Lie::Loc, &["--target", "mock"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("(a mock, every expectation exact)"),
        "{stderr}"
    );
    let expected = r#"error[verify/expected-loc] at response (root): negative invalid/jamba-chat.request.max-tokens-over-4096.json: the 422 points at ["body","logitBias","elsewhere"], expected a `loc` at "/max_tokens" (expectation validation-loc: unconfirmed"#;
    assert!(stdout.contains(expected), "{stdout}");

    // Live, the shape of a 422 body is unconfirmed: a warning, and the run passes unless
    // warnings are denied.
    let output = verify_through(Lie::Loc, &[]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("warning[verify/expected-loc]"), "{stdout}");
}

#[test]
fn serve_records_the_suite_with_its_refusals_marked_and_validate_passes_it() {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let recording = scratch.path().join("served.jsonl");
    let recording_arg = recording.display().to_string();
    let server = crate::support::Server::start(&["--record", &recording_arg]);
    let base_url = server.base_url();
    let output = verify(
        &[
            "--base-url",
            &base_url,
            "--target",
            "mock",
            "--generated",
            "2",
            "--endpoints",
            "both",
        ],
        Some(KEY),
    );
    server.stop();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let recorded = std::fs::read_to_string(&recording).expect("the recording exists");
    let marked = recorded
        .lines()
        .filter(|line| line.contains(r#""expect":"refusal""#))
        .count();
    assert!(marked > 20, "{marked} marked:\n{recorded}");
    let validated = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .args(["validate", &recording_arg])
        .output()
        .expect("the binary runs");
    assert_eq!(
        validated.status.code(),
        Some(0),
        "{}",
        text(&validated.stdout)
    );
}

/// The text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a page of `docs/`.
fn doc_section(page: &str, name: &str) -> String {
    let text =
        std::fs::read_to_string(workspace_root().join("docs").join(page)).expect("the page exists");
    let start = format!("<!-- {name}:start -->");
    let end = format!("<!-- {name}:end -->");
    let from = text.find(&start).expect("the start marker") + start.len();
    let to = text.find(&end).expect("the end marker");
    text[from..to].to_owned()
}

#[test]
fn the_documented_verify_rules_are_the_reported_ones() {
    let documented: Vec<String> = doc_section("verify.md", "verify-rules")
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|line| line.split('`').next())
        .map(str::to_owned)
        .collect();
    let reported: Vec<String> = ai21_check::VERIFY_RULES
        .iter()
        .map(|rule| rule.id.to_owned())
        .collect();
    assert_eq!(documented, reported);
    // And every source of an expectation is in the page's table.
    let page = std::fs::read_to_string(workspace_root().join("docs/verify.md")).expect("the page");
    for source in ai21_verify::SOURCES {
        assert!(
            page.contains(&format!("| `{}` |", source.id)),
            "{}",
            source.id
        );
    }
}

#[test]
fn verify_deny_warnings_passes_offline_with_the_documented_configuration() {
    let snippet = doc_section("verify.md", "offline-config");
    let config = snippet
        .trim()
        .strip_prefix("```toml")
        .and_then(|rest| rest.strip_suffix("```"))
        .expect("a TOML block");
    let root = tempfile::tempdir().expect("a temporary folder");
    let deep = root.path().join("project").join("sub");
    std::fs::create_dir_all(&deep).expect("folders");
    std::fs::write(root.path().join("ai21-contract.toml"), config).expect("the file");
    let run = |arguments: &[&str]| {
        Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
            .arg("verify")
            .args(arguments)
            .current_dir(&deep)
            .env_remove("CI")
            .env_remove("AI21_API_KEY")
            .output()
            .expect("the binary runs")
    };
    // Found from the working directory up.
    let output = run(&["--deny-warnings", "--generated", "3", "--format", "json"]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    let summary: Value = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|object| object["type"] == "summary")
        .expect("a summary");
    assert_eq!(
        (&summary["warnings"], &summary["errors"]),
        (&json!(0), &json!(0)),
        "{summary}"
    );
    assert!(
        summary["allowed"]
            .as_u64()
            .is_some_and(|allowed| allowed >= 7),
        "{summary}"
    );
    // Without it, the retired models fail the run under --deny-warnings.
    let output = run(&["--deny-warnings", "--generated", "3", "--no-config"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    // The command line can deny what the file allows, as specifically.
    let output = run(&["--generated", "1", "--deny", "drift/retired-model"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[drift/retired-model]"), "{stdout}");
}
