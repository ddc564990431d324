//! The suite in each partner dialect, end to end against a stand-in for the partner
//! (`partner_stand_in`) in front of the mock: every request arrives with the dialect's
//! credential (a SigV4 signature that checks out against the secret, a bearer token, an
//! `api-key`), on the dialect's path, with the body its official client sends, and every
//! answer, written as the partner writes it, passes the checks in the dialect's schemas.

use std::sync::{Arc, Mutex};

use ai21_capture::ApiKey;
use ai21_check::{Checked, Subject};
use ai21_schemas::Dialect;
use ai21_verify::{Credentials, Destination, Plan, Server, SigV4};
use serde_json::Value;

use crate::partner_stand_in::{self, Seen};

/// A secret access key and session token that appear nowhere but in the signing.
const SECRET: &str = "Dialect/Test/Secret+AccessKey0000000000";
const SESSION: &str = "DialectTestSessionToken0000";

fn sigv4(secret: &str) -> Credentials {
    Credentials::SigV4(SigV4::new(
        ApiKey::new("AKIDDIALECTTEST"),
        ApiKey::new(secret),
        Some(ApiKey::new(SESSION)),
        "us-east-1",
    ))
}

/// Runs the suite for `destination` with `sent` against a stand-in for its dialect that
/// expects `expected`; returns the outcomes and what the stand-in saw.
fn run(
    destination: Destination,
    sent: Credentials,
    expected: Credentials,
) -> (Vec<Checked>, Vec<Seen>) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let mock = ai21_mock::RunningMock::start(
            "127.0.0.1:0".parse().expect("an address"),
            ai21_mock::Config::default(),
        )
        .await
        .expect("the mock starts");
        let (base_url, seen): (String, Arc<Mutex<Vec<Seen>>>) =
            partner_stand_in::start(mock.base_url(), destination.dialect(), expected).await;
        let plan = Plan {
            j2: true,
            jamba: true,
            generated: 3,
            seed: 9,
            server: Server::Mock,
            destination,
        };
        let checked = ai21_verify::run(&base_url, &sent, &plan, 4)
            .await
            .expect("the suite runs");
        mock.stop().await.expect("the mock stops");
        let seen = seen.lock().expect("not poisoned").clone();
        (checked, seen)
    })
}

fn errors(checked: &[Checked]) -> Vec<String> {
    checked
        .iter()
        .flat_map(|checked| {
            checked
                .report
                .errors()
                .map(move |finding| format!("{}: {finding:?}", checked.subject))
        })
        .collect()
}

/// Every request carried a valid credential, but the one sent without.
fn assert_authenticated(seen: &[Seen]) {
    let unauthenticated: Vec<&Seen> = seen
        .iter()
        .filter(|seen| seen.authenticated != Some(true))
        .collect();
    assert_eq!(unauthenticated.len(), 1, "{unauthenticated:#?}");
    assert_eq!(unauthenticated[0].authenticated, None);
}

/// The JSON bodies the stand-in got.
fn bodies(seen: &[Seen]) -> Vec<Value> {
    seen.iter()
        .filter_map(|seen| serde_json::from_slice(&seen.body).ok())
        .collect()
}

#[test]
fn bedrock_requests_arrive_signed_and_every_answer_passes() {
    let (checked, seen) = run(
        Destination::Bedrock { model: None },
        sigv4(SECRET),
        sigv4(SECRET),
    );
    assert!(errors(&checked).is_empty(), "{:#?}", errors(&checked));
    assert_eq!(checked.len(), seen.len());
    assert_authenticated(&seen);
    for seen in seen.iter().filter(|seen| seen.authenticated == Some(true)) {
        let authorization = seen.header("authorization").expect("signed");
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDDIALECTTEST/")
                && authorization.contains("/us-east-1/bedrock/aws4_request, ")
                && authorization
                    .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"),
            "{authorization}"
        );
        assert_eq!(seen.header("x-amz-security-token"), Some(SESSION));
        assert!(seen.path.starts_with("/model/ai21."), "{}", seen.path);
    }
    for body in bodies(&seen) {
        assert!(
            body.get("model").is_none() && body.get("stream").is_none(),
            "{body}"
        );
    }
    let streams: Vec<&Checked> = checked
        .iter()
        .filter(|checked| matches!(checked.subject, Subject::Exchange { streamed: true, .. }))
        .collect();
    assert!(!streams.is_empty());
    assert!(
        seen.iter().any(
            |seen| seen.path == "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream"
        )
    );
    assert!(
        seen.iter()
            .any(|seen| seen.path == "/model/ai21.j2-ultra-v1/invoke")
    );
    // The negative cases were refused as Bedrock refuses.
    assert!(checked.iter().any(|checked| matches!(
        checked.subject,
        Subject::Exchange {
            dialect: Dialect::Bedrock,
            status: 400,
            ..
        }
    )));
}

#[test]
fn a_wrong_secret_is_refused_by_the_stand_in_and_fails_every_case() {
    let (checked, seen) = run(
        Destination::Bedrock { model: None },
        sigv4("Another/Secret+AccessKey0000000000000000"),
        sigv4(SECRET),
    );
    // Signed, but not with the secret the stand-in knows.
    assert!(seen.iter().any(|seen| seen.authenticated == Some(false)));
    assert!(
        seen.iter().all(|seen| seen.authenticated != Some(true)),
        "the signature depends on the secret"
    );
    let expected_success = checked
        .iter()
        .flat_map(|checked| &checked.report.findings)
        .filter(|finding| finding.rule == "verify/expected-success")
        .count();
    assert!(expected_success > 5, "{expected_success}");
}

#[test]
fn vertex_requests_carry_the_bearer_token_and_no_j2_is_sent() {
    let token = || Credentials::Bearer(ApiKey::new("ya29.dialect-test-token"));
    let destination = Destination::Vertex {
        project: "dialect-test".to_owned(),
        region: "us-central1".to_owned(),
        model: None,
    };
    let (checked, seen) = run(destination, token(), token());
    assert!(errors(&checked).is_empty(), "{:#?}", errors(&checked));
    assert_authenticated(&seen);
    assert!(seen.iter().all(|seen| seen.path.starts_with(
        "/v1/projects/dialect-test/locations/us-central1/publishers/ai21/models/jamba-1.5-"
    )));
    assert!(
        seen.iter()
            .any(|seen| seen.path.ends_with(":streamRawPredict"))
    );
    for body in bodies(&seen) {
        assert!(
            body.get("model").is_none() && body.get("stream").is_none(),
            "{body}"
        );
        assert!(body.get("prompt").is_none(), "no J2 on Vertex: {body}");
    }
}

#[test]
fn azure_requests_carry_the_api_key_and_the_api_version() {
    let key = || Credentials::AzureKey(ApiKey::new("dialect-test-azure-key"));
    let destination = Destination::Azure {
        api_version: Some("2024-05-01-preview".to_owned()),
        model: None,
    };
    let (checked, seen) = run(destination, key(), key());
    assert!(errors(&checked).is_empty(), "{:#?}", errors(&checked));
    assert_authenticated(&seen);
    assert!(
        seen.iter()
            .all(|seen| seen.path == "/v1/chat/completions?api-version=2024-05-01-preview")
    );
    assert!(
        seen.iter()
            .all(|seen| seen.header("authorization").is_none())
    );
    // Azure's bodies are AI21's: the stream is asked for in the body.
    assert!(
        bodies(&seen)
            .iter()
            .any(|body| body.get("stream") == Some(&Value::Bool(true)))
    );
}
