//! Exit statuses (0, 1, 2, and `--deny-warnings`) and the `--help` texts.

use crate::support::{ai21, assert_transcript, folder};

const VALID_JAMBA: &str = r#"{"url": "https://api.ai21.com/studio/v1/chat/completions", "request": {"body": {"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]}}, "response": {"status": 200, "body": {"id": "chat-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3}}}}"#;
const WARNED_J2: &str = r#"{"url": "https://api.ai21.com/studio/v1/j2-mid/complete", "request": {"body": {"prompt": "Hi", "maxTokens": 1}}, "response": {"status": 401, "body": {"detail": "Forbidden: Bad or missing API token."}}}"#;

#[track_caller]
fn check(arguments: &[&str], stdin: &str, expected: i32) {
    let run = ai21(arguments, stdin.as_bytes());
    assert_eq!(run.code, expected, "{}", run.transcript());
}

#[test]
fn zero_when_every_record_is_valid() {
    check(&["validate", "-"], VALID_JAMBA, 0);
    check(
        &[
            "validate",
            "crates/ai21-contract/tests/fixtures/payload/jamba-chat.request.json",
        ],
        "",
        0,
    );
}

#[test]
fn one_when_a_record_breaks_the_contract_or_cannot_be_read() {
    check(&["validate", "tests/fixtures/captures/"], "", 1);
    check(&["validate", "-"], "{\"url\": ", 1);
    check(&["validate", "-"], "", 1);
}

#[test]
fn warnings_fail_only_when_denied() {
    check(&["validate", "-"], WARNED_J2, 0);
    check(&["validate", "--deny-warnings", "-"], WARNED_J2, 1);
    let run = ai21(&["validate", "--deny-warnings", "-"], WARNED_J2.as_bytes());
    assert_transcript("validate-deny-warnings", &run, None);
}

#[test]
fn two_when_the_command_cannot_run() {
    let run = ai21(
        &["validate", "tests/fixtures/captures/", "missing.jsonl"],
        b"",
    );
    assert_transcript("validate-missing-path", &run, None);
    let run = ai21(&["validate", "--format", "xml", "-"], b"");
    assert_transcript("validate-bad-format", &run, None);
    check(&["validate"], "", 2);
    check(&["validate", "--kind", "j3-request", "-"], "", 2);
    check(&["frobnicate"], "", 2);
}

#[test]
fn an_unreadable_file_inside_a_directory_is_a_finding_not_a_stop() {
    let folder = folder(&[("a.jsonl", VALID_JAMBA.as_bytes()), ("b.jsonl", b"")]);
    let run = ai21(&["validate", &folder.path().display().to_string()], b"");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_transcript("validate-empty-file-in-folder", &run, Some(folder.path()));
}

#[test]
fn help() {
    let run = ai21(&["--help"], b"");
    assert_eq!(run.code, 0);
    assert_transcript("help", &run, None);
    let run = ai21(&["validate", "--help"], b"");
    assert_eq!(run.code, 0);
    assert_transcript("validate-help", &run, None);
    for command in ["serve", "verify", "diff"] {
        let run = ai21(&[command, "--help"], b"");
        assert_eq!(run.code, 0);
        assert_transcript(&format!("{command}-help"), &run, None);
    }
}
