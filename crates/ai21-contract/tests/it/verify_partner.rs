//! `ai21-contract verify --dialect`: against a stand-in for each partner in front of the
//! mock (`ai21-verify`'s `tests/partner_stand_in`, included by path), the suite passes in
//! every dialect and its recording passes `validate`; no credential (an AWS secret access
//! key and session token, the signatures made with them, a token, a key) reaches any
//! output or the recording; and a credential, region or project a live partner needs is
//! named when it is missing.

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use ai21_capture::ApiKey;
use ai21_schemas::Dialect;
use ai21_verify::{Credentials, SigV4};
use serde_json::Value;

use crate::support::workspace_root;

#[path = "../../../ai21-verify/tests/partner_stand_in/mod.rs"]
mod partner_stand_in;

use partner_stand_in::Seen;

/// Distinctive credentials, to look for in every output.
const ACCESS_KEY_ID: &str = "AKIDVERIFYPARTNER7Q3";
const SECRET_ACCESS_KEY: &str = "Zq8/VerifyPartner+SecretAccessKey0xR2w9Kd";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luVerifyPartnerSessionToken7Fh2Lm9Pq4";
const VERTEX_TOKEN: &str = "ya29.VerifyPartnerAccessToken8Kd3Lw0Qz";
const AZURE_KEY: &str = "9f3c7a1e5b2d4f6a8c0e2b4d6f8a0c2e";

/// Every variable a dialect's credentials, region or project could be read from.
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

/// Runs `verify` with `arguments` and exactly the variables `env` of those above.
fn verify(arguments: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"));
    command
        .arg("verify")
        .args(arguments)
        .current_dir(workspace_root());
    for variable in VARIABLES {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn aws_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ("AWS_REGION", "eu-west-1"),
    ]
}

/// The credentials the stand-in of `dialect` expects: the ones [`aws_env`] and the
/// constants give.
fn expected(dialect: Dialect) -> Credentials {
    match dialect {
        Dialect::Bedrock => Credentials::SigV4(SigV4::new(
            ApiKey::new(ACCESS_KEY_ID),
            ApiKey::new(SECRET_ACCESS_KEY),
            Some(ApiKey::new(SESSION_TOKEN)),
            "eu-west-1",
        )),
        Dialect::Vertex => Credentials::Bearer(ApiKey::new(VERTEX_TOKEN)),
        Dialect::Azure => Credentials::AzureKey(ApiKey::new(AZURE_KEY)),
        Dialect::Studio => unreachable!("the stand-in is for partners"),
    }
}

/// Runs `verify --dialect` against a stand-in for `dialect` in front of a mock, with
/// `arguments` and `env`; returns its output and what the stand-in saw.
fn verify_partner(
    dialect: Dialect,
    arguments: &[&str],
    env: &[(&str, &str)],
) -> (Output, Vec<Seen>) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mock = runtime
        .block_on(ai21_mock::RunningMock::start(
            "127.0.0.1:0".parse().expect("an address"),
            ai21_mock::Config::default(),
        ))
        .expect("the mock starts");
    let (base_url, seen): (String, Arc<Mutex<Vec<Seen>>>) = runtime.block_on(
        partner_stand_in::start(mock.base_url(), dialect, expected(dialect)),
    );
    let mut all = vec![
        "--dialect",
        dialect.name(),
        "--base-url",
        base_url.as_str(),
        "--target",
        "mock",
        "--generated",
        "2",
    ];
    all.extend_from_slice(arguments);
    let output = verify(&all, env);
    runtime.block_on(mock.stop()).expect("the mock stops");
    let seen = seen.lock().expect("not poisoned").clone();
    (output, seen)
}

/// The summary of a `--format json` report.
fn summary(stdout: &str) -> Value {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|object| object["type"] == "summary")
        .unwrap_or_else(|| panic!("no summary in {stdout}"))
}

/// `validate` on a recording: its output.
fn validate(record: &str) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .args(["validate", record, "--format", "json"])
        .output()
        .expect("the binary runs")
}

#[test]
fn bedrock_signs_every_request_and_no_secret_reaches_any_output() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let record = folder.path().join("bedrock.jsonl");
    let record_arg = record.to_str().expect("a UTF-8 path");
    let mut outputs = Vec::new();
    let mut signatures = Vec::new();
    for format in [
        &["--format", "json", "--record", record_arg][..],
        &["--format", "human", "--verbose"][..],
        &["--format", "sarif"][..],
        &["--format", "junit"][..],
    ] {
        let mut arguments = vec!["--endpoints", "both"];
        arguments.extend_from_slice(format);
        let (output, seen) = verify_partner(Dialect::Bedrock, &arguments, &aws_env());
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
        // Every request but the one meant to go without was signed with the secret.
        let unsigned: Vec<&Seen> = seen
            .iter()
            .filter(|seen| seen.authenticated != Some(true))
            .collect();
        assert_eq!(unsigned.len(), 1, "{unsigned:#?}");
        assert_eq!(unsigned[0].authenticated, None);
        for seen in &seen {
            if let Some(authorization) = seen.header("authorization") {
                assert!(
                    authorization.contains("/eu-west-1/bedrock/aws4_request"),
                    "{authorization}"
                );
                let signature = authorization
                    .rsplit_once("Signature=")
                    .expect("a signature")
                    .1
                    .to_owned();
                signatures.push(signature);
            }
        }
        outputs.push(("stdout", stdout));
        outputs.push(("stderr", stderr));
    }
    let first_stderr = &outputs[1].1;
    assert!(
        first_stderr.contains("(a mock, every expectation exact, Amazon Bedrock)"),
        "{first_stderr}"
    );
    assert!(
        first_stderr.contains("to J2 complete and Jamba chat"),
        "{first_stderr}"
    );
    assert!(
        first_stderr.contains("not sent to Amazon Bedrock: "),
        "{first_stderr}"
    );
    let recorded = std::fs::read_to_string(&record).expect("the recording exists");
    outputs.push(("record", recorded.clone()));
    assert!(signatures.len() > 60, "{}", signatures.len());
    for (place, content) in &outputs {
        for secret in [SECRET_ACCESS_KEY, SESSION_TOKEN, ACCESS_KEY_ID]
            .into_iter()
            .chain(signatures.iter().map(String::as_str))
        {
            assert!(
                !content.contains(secret),
                "{secret} is in {place}:\n{content}"
            );
        }
        for header in [
            "AWS4-HMAC-SHA256",
            "x-amz-security-token",
            "x-amz-date",
            "Signature=",
        ] {
            assert!(
                !content
                    .to_ascii_lowercase()
                    .contains(&header.to_ascii_lowercase()),
                "{header} is in {place}:\n{content}"
            );
        }
    }

    // The recording is Bedrock's, with its paths, and `validate` passes it.
    assert!(
        recorded
            .lines()
            .all(|line| line.contains(r#""dialect":"bedrock""#))
    );
    assert!(recorded.contains("/model/ai21.j2-ultra-v1/invoke"));
    assert!(recorded.contains("/model/ai21.jamba-1-5-mini-v1%3A0/invoke"));
    // The stream is recorded too, its bytes in base64.
    let stream = recorded
        .lines()
        .find(|line| line.contains("/invoke-with-response-stream"))
        .expect("the Bedrock stream is recorded");
    assert!(
        stream.contains("application/vnd.amazon.eventstream"),
        "{stream}"
    );
    let validated = validate(record_arg);
    let report = text(&validated.stdout);
    assert_eq!(validated.status.code(), Some(0), "{report}");
    assert_eq!(summary(&report)["with_errors"], 0, "{report}");
    assert_eq!(
        summary(&report)["records"].as_u64(),
        Some(recorded.lines().count() as u64)
    );
}

#[test]
fn vertex_and_azure_pass_and_their_recordings_validate() {
    for (dialect, env, extra) in [
        (
            Dialect::Vertex,
            vec![
                ("GOOGLE_OAUTH_ACCESS_TOKEN", VERTEX_TOKEN),
                ("GOOGLE_CLOUD_PROJECT", "verify-partner"),
            ],
            vec!["--region", "europe-west4"],
        ),
        (
            Dialect::Azure,
            vec![("AZURE_API_KEY", AZURE_KEY)],
            vec!["--api-version", "2024-05-01-preview"],
        ),
    ] {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let record = folder.path().join("partner.jsonl");
        let record_arg = record.to_str().expect("a UTF-8 path");
        let mut arguments = vec![
            "--endpoints",
            "both",
            "--format",
            "json",
            "--record",
            record_arg,
        ];
        arguments.extend(extra);
        let (output, seen) = verify_partner(dialect, &arguments, &env);
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{dialect}: {stdout}\n{stderr}"
        );
        assert_eq!(summary(&stdout)["with_errors"], 0, "{stdout}");
        assert!(
            stderr.contains(&format!("not sent to {}: ", dialect.title()))
                && stderr.contains(" J2 requests ("),
            "{stderr}"
        );
        // Every request but the one meant to go without carried the credential.
        assert_eq!(
            seen.iter()
                .filter(|seen| seen.authenticated != Some(true))
                .map(|seen| seen.authenticated)
                .collect::<Vec<_>>(),
            [None],
            "{dialect}"
        );
        if dialect == Dialect::Vertex {
            assert!(seen.iter().all(|seen| seen.path.starts_with(
                "/v1/projects/verify-partner/locations/europe-west4/publishers/ai21/models/"
            )));
        }
        let recorded = std::fs::read_to_string(&record).expect("the recording exists");
        for (place, content) in [
            ("stdout", &stdout),
            ("stderr", &stderr),
            ("record", &recorded),
        ] {
            for secret in [VERTEX_TOKEN, AZURE_KEY] {
                assert!(!content.contains(secret), "{secret} is in {place}");
            }
        }
        assert!(
            recorded
                .lines()
                .all(|line| line.contains(&format!(r#""dialect":"{}""#, dialect.name())))
        );
        let validated = validate(record_arg);
        let report = text(&validated.stdout);
        assert_eq!(validated.status.code(), Some(0), "{dialect}: {report}");
        assert_eq!(summary(&report)["with_errors"], 0, "{report}");
    }
}

/// `verify` with `arguments` against a port nothing listens on: it must stop before
/// sending anything.
fn refused(arguments: &[&str], env: &[(&str, &str)]) -> String {
    let mut all = vec!["--base-url", "http://127.0.0.1:9"];
    all.extend_from_slice(arguments);
    let output = verify(&all, env);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
    assert!(!stderr.contains("verifying"), "{stderr}");
    stderr
}

#[test]
fn what_a_live_partner_needs_is_named_when_it_is_missing() {
    let key_id = [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("AWS_REGION", "us-east-1"),
    ];
    for (arguments, env, needles) in [
        (
            &["--dialect", "bedrock", "--region", "us-east-1"][..],
            &[][..],
            &[
                "Amazon Bedrock needs AWS credentials",
                "AWS_ACCESS_KEY_ID: not set",
                "aws configure export-credentials",
            ][..],
        ),
        (
            &["--dialect", "bedrock"],
            &key_id,
            &["AWS_SECRET_ACCESS_KEY: not set"],
        ),
        (
            &["--dialect", "bedrock"],
            &[],
            &[
                "Amazon Bedrock needs a region: give --region, or set AWS_REGION or AWS_DEFAULT_REGION",
            ],
        ),
        (
            &[
                "--dialect",
                "bedrock",
                "--region",
                "us-east-1",
                "--api-key-env",
                "X",
            ],
            &[],
            &["--api-key-env does not apply to --dialect bedrock"],
        ),
        (
            &["--dialect", "vertex", "--region", "us-central1"],
            &[("GOOGLE_OAUTH_ACCESS_TOKEN", VERTEX_TOKEN)],
            &["Google Vertex AI needs a project: give --project, or set GOOGLE_CLOUD_PROJECT"],
        ),
        (
            &["--dialect", "vertex", "--project", "p"],
            &[],
            &[
                "Google Vertex AI needs a region: give --region, or set GOOGLE_CLOUD_LOCATION or CLOUDSDK_COMPUTE_REGION",
            ],
        ),
        (
            &[
                "--dialect",
                "vertex",
                "--project",
                "p",
                "--region",
                "us-central1",
            ],
            &[],
            &[
                "Google Vertex AI needs an access token",
                "GOOGLE_OAUTH_ACCESS_TOKEN: not set",
                "gcloud auth print-access-token",
            ],
        ),
        (
            &[
                "--dialect",
                "vertex",
                "--project",
                "my/project",
                "--region",
                "us-central1",
            ],
            &[],
            &["the project \"my/project\" is not a name"],
        ),
        (
            &["--dialect", "azure"],
            &[],
            &[
                "Azure AI needs the deployment's key",
                "AZURE_API_KEY: not set",
            ],
        ),
        (
            &["--dialect", "azure", "--project", "p"],
            &[("AZURE_API_KEY", AZURE_KEY)],
            &["--project applies to --dialect vertex only"],
        ),
        (
            &["--dialect", "studio", "--api-version", "1"],
            &[("AI21_API_KEY", "key")],
            &["--api-version applies to --dialect azure only"],
        ),
        (
            &["--model", "jamba-mini"],
            &[("AI21_API_KEY", "key")],
            &["--model applies to the partner dialects"],
        ),
        (
            &["--dialect", "bedrock", "--model", "anthropic.claude-v2"],
            &aws_env(),
            &["--model \"anthropic.claude-v2\": it is not an AI21 model id on Bedrock"],
        ),
        (
            &[
                "--dialect",
                "vertex",
                "--endpoints",
                "j2",
                "--project",
                "p",
                "--region",
                "r",
            ],
            &[("GOOGLE_OAUTH_ACCESS_TOKEN", VERTEX_TOKEN)],
            &["Google Vertex AI serves no J2"],
        ),
    ] {
        let stderr = refused(arguments, env);
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{arguments:?}: {needle:?} not in {stderr}"
            );
        }
        for secret in [
            ACCESS_KEY_ID,
            SECRET_ACCESS_KEY,
            SESSION_TOKEN,
            VERTEX_TOKEN,
            AZURE_KEY,
        ] {
            assert!(!stderr.contains(secret), "{stderr}");
        }
    }
}
