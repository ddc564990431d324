//! Every input format through the binary, and every kind of input that cannot be read:
//! each becomes a finding with its location, and the run goes on.

use crate::support::{ai21, assert_accounted, assert_transcript, fixture, folder, gzip};

const SAMPLE_JSONL: &str = "tests/fixtures/captures/sample.jsonl";
const SAMPLE_HAR: &str = "tests/fixtures/captures/sample.har";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(crate::support::workspace_root().join(name)).expect("the sample exists")
}

/// The JSON summary of validating `arguments` with `stdin`, checked to add up.
#[track_caller]
fn summary(arguments: &[&str], stdin: &[u8]) -> serde_json::Value {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(arguments);
    let run = ai21(&all, stdin);
    assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
    assert_accounted(&run)
}

/// The counts of a summary: records, valid, with errors, warnings only, unreadable, skipped.
fn counts(summary: &serde_json::Value) -> [u64; 6] {
    [
        "records",
        "valid",
        "with_errors",
        "warnings_only",
        "unreadable",
        "skipped",
    ]
    .map(|name| summary[name].as_u64().expect("a count"))
}

#[test]
fn jsonl_and_har_from_files_stdin_and_gzip_read_alike() {
    let jsonl = [8, 2, 3, 2, 1, 0];
    let har = [6, 2, 2, 0, 0, 2];
    assert_eq!(counts(&summary(&[SAMPLE_JSONL], b"")), jsonl);
    assert_eq!(counts(&summary(&["-"], &sample(SAMPLE_JSONL))), jsonl);
    assert_eq!(
        counts(&summary(&["-"], &gzip(&sample(SAMPLE_JSONL)))),
        jsonl
    );
    assert_eq!(counts(&summary(&[SAMPLE_HAR], b"")), har);
    assert_eq!(counts(&summary(&["-"], &sample(SAMPLE_HAR))), har);
    let folder = folder(&[
        ("day1.jsonl.gz", &gzip(&sample(SAMPLE_JSONL))),
        ("nested/session.har.gz", &gzip(&sample(SAMPLE_HAR))),
        ("notes.txt", b"not a capture"),
    ]);
    let both = summary(&[&folder.path().display().to_string()], b"");
    assert_eq!(counts(&both), [14, 4, 5, 2, 1, 2]);
    // Files and standard input mix, in the order given.
    let run = ai21(
        &["validate", "--format", "json", SAMPLE_HAR, "-"],
        &sample(SAMPLE_JSONL),
    );
    let locations: Vec<String> = run
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|line| line["location"].as_str().map(str::to_owned))
        .collect();
    assert!(
        locations
            .first()
            .is_some_and(|first| first.starts_with(SAMPLE_HAR))
    );
    assert!(locations.last().is_some_and(|last| last.starts_with("-:")));
}

#[test]
fn single_payloads_by_detection_or_kind() {
    let folder = "crates/ai21-contract/tests/fixtures/payload/";
    let run = ai21(&["validate", folder], b"");
    assert_transcript("validate-payloads", &run, None);
    // `--kind` reads a payload whose kind cannot be told.
    let request = br#"{"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "maxTokens": 5}"#;
    let given = summary(
        &[
            "--input-format",
            "payload",
            "--kind",
            "jamba-chat.request",
            "-",
        ],
        request,
    );
    assert_eq!(counts(&given), [1, 0, 1, 0, 0, 0]);
    let unknown = summary(&["--input-format", "payload", "-"], br#"{"text": "Hi"}"#);
    assert_eq!(counts(&unknown), [1, 0, 0, 0, 1, 0]);
}

#[test]
fn inputs_that_cannot_be_read_are_findings_and_the_run_goes_on() {
    let good = sample(SAMPLE_JSONL);
    let first_line = good.split(|&byte| byte == b'\n').next().expect("a line");
    let mut truncated = gzip(&good);
    truncated.truncate(truncated.len() / 2);
    let mut invalid_utf8 = first_line.to_vec();
    invalid_utf8.extend_from_slice(b"\n{\"url\": \"/studio/v1/chat/\xff\"}\n");
    invalid_utf8.extend_from_slice(first_line);
    invalid_utf8.push(b'\n');
    let folder = folder(&[
        ("1-truncated.jsonl.gz", &truncated),
        ("2-invalid-utf8.jsonl", &invalid_utf8),
        ("3-not-a-har.har", br#"{"log": {"version": "1.2"}}"#),
        ("4-empty.jsonl", b""),
        (
            "5-malformed.jsonl",
            b"{\"url\": \"/studio/v1/chat/completions\",}\nnot json\n",
        ),
        ("6-broken.har", &fixture("har/broken.har")),
        ("7-not-json.json", b"<html>"),
    ]);
    let path = folder.path().display().to_string();
    let run = ai21(&["validate", &path], b"");
    assert_eq!(run.code, 1);
    assert_transcript("validate-unreadable-inputs", &run, Some(folder.path()));
    let run = ai21(&["validate", "--format", "json", &path], b"");
    let summary = assert_accounted(&run);
    assert!(summary["unreadable"].as_u64() >= Some(8), "{summary}");
}
