//! boto3 against the mock's Bedrock routes: the AWS SDK's own `bedrock-runtime` client,
//! unchanged (`tests/clients/python/boto3_bedrock.py`), pointed at
//! `ai21-contract serve --strict --record` with `endpoint_url`, signing with dummy
//! credentials from the environment; then the recording validated with
//! `ai21-contract validate`.
//!
//! boto3 is pinned with the 4.x SDK in `tests/clients/python/requirements-ai21-4.3.0.txt`
//! (the SDK's Bedrock client runs on it), so this test makes or reuses the client suite's
//! virtual environment ([`python::virtual_environment`]). A step that cannot run (no
//! python3, pip failed) fails the test with the reason: it is never skipped.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::python;
use crate::support::{Server, ai21, workspace_root};
use crate::tools::run;

/// The header each case's client sends, naming the case.
const CASE_HEADER: &str = "x-ai21-contract-case";
/// How long the whole script may take (each call gives up after 20 s).
const SUITE_DEADLINE: Duration = Duration::from_secs(120);
/// A dummy access key id, shaped like a real one so that a leak would show.
const ACCESS_KEY_ID: &str = "AKIAMOCKBOTO3TEST000";
/// The cases of the script, in order: `(case, what it does)`.
const CASES: [(&str, &str); 4] = [
    ("bedrock-j2-invoke", "invoke_model of ai21.j2-mid-v1"),
    (
        "bedrock-jamba-invoke",
        "invoke_model of ai21.jamba-1-5-mini-v1:0",
    ),
    (
        "bedrock-jamba-stream",
        "invoke_model_with_response_stream of ai21.jamba-1-5-mini-v1:0",
    ),
    (
        "bedrock-j2-stream-refused",
        "invoke_model_with_response_stream of a J2 model: ValidationException",
    ),
];
/// The case whose recorded answer is Bedrock's binary event stream.
const STREAM_CASE: &str = "bedrock-jamba-stream";

/// The version pinned for `package` in the requirements file.
fn pinned(requirements: &str, package: &str) -> String {
    requirements
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{package}==")))
        .unwrap_or_else(|| panic!("the requirements pin no {package}"))
        .trim()
        .to_owned()
}

#[test]
fn boto3_invokes_j2_and_jamba_and_streams_jamba_on_the_mock() {
    let requirements_path =
        workspace_root().join("tests/clients/python/requirements-ai21-4.3.0.txt");
    let requirements = std::fs::read_to_string(&requirements_path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", requirements_path.display()));
    let python = python::virtual_environment("ai21-4.3.0", &requirements_path);

    let scratch = tempfile::tempdir().expect("a temporary folder");
    let recording = scratch.path().join("recording.jsonl");
    let recording_arg = recording.display().to_string();
    let server = Server::start(&["--strict", "--record", &recording_arg]);
    let mut script = Command::new(&python);
    script
        .arg(workspace_root().join("tests/clients/python/boto3_bedrock.py"))
        .args(["--base-url", &server.base_url()])
        .args(CASES.iter().map(|(case, _)| *case))
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "mock-secret-access-key-not-a-real-one",
        )
        .env("AWS_DEFAULT_REGION", "us-east-1")
        // No configuration of the machine's, and no instance metadata lookup.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    for variable in ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"] {
        script.env_remove(variable);
    }
    let output = run(&mut script, SUITE_DEADLINE, "the boto3 script");
    let server_log = server.stop();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let context = format!(
        "--- the script's output ({}):\n{stdout}--- its standard error:\n{}--- the mock's log:\n{server_log}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "the boto3 script failed\n{context}"
    );

    let mut lines = stdout.lines();
    let header: Value = lines
        .next()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no version line\n{context}"));
    assert_eq!(
        header["version"],
        pinned(&requirements, "boto3"),
        "{context}"
    );
    assert_eq!(
        header["botocore"],
        pinned(&requirements, "botocore"),
        "{context}"
    );
    let reports: BTreeMap<String, Value> = lines
        .map(|line| {
            let report: Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not a JSON line ({error}): {line}\n{context}"));
            (
                report["case"].as_str().unwrap_or_default().to_owned(),
                report,
            )
        })
        .collect();
    for (case, what) in CASES {
        let report = reports
            .get(case)
            .unwrap_or_else(|| panic!("{case}: no result\n{context}"));
        assert_eq!(report["ok"], true, "{case} ({what}): {report}\n{context}");
    }

    // The recording: one exchange per call, each tied to its case, no credential in it.
    let text = std::fs::read_to_string(&recording)
        .unwrap_or_else(|error| panic!("reading the recording: {error}\n{context}"));
    assert!(
        !text.contains(ACCESS_KEY_ID) && !text.contains("AWS4-HMAC-SHA256"),
        "a credential reached the recording:\n{text}"
    );
    let mut case_of_line = BTreeMap::new();
    let mut readable = String::new();
    for (index, line) in text.lines().enumerate() {
        let record: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("recording line {}: {error}", index + 1));
        assert_eq!(record["dialect"], "bedrock", "{line}");
        let case = record["request"]["headers"][CASE_HEADER]
            .as_str()
            .unwrap_or_else(|| panic!("recording line {} has no case: {line}", index + 1))
            .to_owned();
        if case != STREAM_CASE {
            readable.push_str(line);
            readable.push('\n');
        }
        case_of_line.insert(index as u64 + 1, case);
    }
    let recorded: Vec<&str> = case_of_line.values().map(String::as_str).collect();
    assert_eq!(
        recorded,
        CASES.map(|(case, _)| case),
        "one exchange per case, in order\n{text}"
    );

    // The whole recording validates, the binary event stream of the streamed case
    // included (written as base64 and read back as its bytes).
    let run = ai21(&["validate", "--format", "json", &recording_arg], b"");
    assert_eq!(
        run.code, 0,
        "validate on the boto3 recording:\n{}{}",
        run.stdout, run.stderr
    );
    let streamed = text
        .lines()
        .find(|line| line.contains(STREAM_CASE) && line.contains("invoke-with-response-stream"));
    assert!(
        streamed.is_some_and(|line| line.contains("application/vnd.amazon.eventstream")),
        "the streamed case is recorded with its event stream:\n{text}"
    );
    assert!(!run.stdout.contains(ACCESS_KEY_ID), "{}", run.stdout);
}
