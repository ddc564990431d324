//! `ai21-contract verify --dialect` against the embedded mock, which speaks the partner
//! dialects once the `mock` branch (the mock's Bedrock, Vertex and Azure routes) is merged.
//!
//! NOT DECLARED in `main.rs` until then: these tests fail against a mock that answers
//! Studio's paths only (every partner path is a 404). The lead enables them with
//! `mod verify_dialects_mock;` in `tests/it/main.rs` when merging `verify` and `mock`.
//!
//! For each partner, with no `--base-url` (so the embedded mock, every expectation exact)
//! and no credential in the environment (so the mock's stand-ins): the suite passes, says
//! what it did not send, and its recording passes `validate`.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::workspace_root;

/// Every variable a dialect's credentials, region or project could be read from: none is
/// set, so the run is the same on every machine.
const VARIABLES: [&str; 13] = [
    "AI21_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "GOOGLE_OAUTH_ACCESS_TOKEN",
    "GOOGLE_CLOUD_PROJECT",
    "CLOUDSDK_CORE_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "CLOUDSDK_COMPUTE_REGION",
    "AZURE_API_KEY",
    "CI",
];

fn ai21(arguments: &[&str]) -> Output {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"));
    command.args(arguments).current_dir(workspace_root());
    for variable in VARIABLES {
        command.env_remove(variable);
    }
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn summary(stdout: &str) -> Value {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|object| object["type"] == "summary")
        .unwrap_or_else(|| panic!("no summary in {stdout}"))
}

/// Runs `verify --dialect DIALECT` against the embedded mock with `arguments`, checks it
/// passed, and that its recording passes `validate`; returns its standard error and the
/// recording.
fn passes(dialect: &str, arguments: &[&str]) -> (String, String) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let record = folder.path().join("verify.jsonl");
    let record_arg = record.to_str().expect("a UTF-8 path");
    let mut all = vec![
        "verify",
        "--dialect",
        dialect,
        "--generated",
        "4",
        "--format",
        "json",
        "--record",
        record_arg,
    ];
    all.extend_from_slice(arguments);
    let output = ai21(&all);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{dialect}: {stdout}\n{stderr}"
    );
    assert_eq!(summary(&stdout)["with_errors"], 0, "{dialect}: {stdout}");
    assert!(stderr.contains("(embedded mock, "), "{stderr}");

    let recorded = std::fs::read_to_string(&record).expect("the recording exists");
    assert!(
        recorded
            .lines()
            .all(|line| line.contains(&format!(r#""dialect":"{dialect}""#))),
        "{recorded}"
    );
    let validated = ai21(&["validate", record_arg, "--format", "json"]);
    let report = text(&validated.stdout);
    assert_eq!(validated.status.code(), Some(0), "{dialect}: {report}");
    assert_eq!(summary(&report)["with_errors"], 0, "{dialect}: {report}");
    assert_eq!(summary(&report)["unreadable"], 0, "{dialect}: {report}");
    (stderr, recorded)
}

#[test]
fn verify_bedrock_passes_against_the_embedded_mock() {
    let (stderr, recorded) = passes("bedrock", &[]);
    assert!(
        stderr.contains("(embedded mock, Amazon Bedrock)")
            && stderr.contains("to J2 complete and Jamba chat"),
        "{stderr}"
    );
    // The targeted stream went to invoke-with-response-stream and came back as an AWS
    // event stream, recorded in base64, which `validate` read.
    assert!(
        recorded
            .lines()
            .any(|line| line.contains("/invoke-with-response-stream")
                && line.contains("application/vnd.amazon.eventstream")),
        "{recorded}"
    );
}

#[test]
fn verify_bedrock_with_a_large_model_and_a_cross_region_profile_passes() {
    passes(
        "bedrock",
        &[
            "--model",
            "us.ai21.jamba-1-5-large-v1:0",
            "--endpoints",
            "jamba",
        ],
    );
}

#[test]
fn verify_vertex_passes_against_the_embedded_mock() {
    let (stderr, _) = passes("vertex", &[]);
    assert!(
        stderr.contains("not sent to Google Vertex AI: ")
            && stderr.contains("J2 requests (Google Vertex AI serves no J2)"),
        "{stderr}"
    );
    passes(
        "vertex",
        &[
            "--project",
            "my-project",
            "--region",
            "europe-west4",
            "--model",
            "jamba-1.5-large@001",
        ],
    );
}

#[test]
fn verify_azure_passes_against_the_embedded_mock() {
    let (stderr, _) = passes("azure", &[]);
    assert!(
        stderr.contains("J2 requests (Azure AI serves no J2)"),
        "{stderr}"
    );
    passes("azure", &["--api-version", "2024-05-01-preview"]);
}
