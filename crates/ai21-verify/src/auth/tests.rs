use std::time::{Duration, SystemTime};

use super::*;

/// AWS's documented example credentials (the SigV4 test suite's).
const KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

fn signer(session_token: Option<&str>, region: &str) -> SigV4 {
    SigV4::new(
        ApiKey::new(KEY_ID),
        ApiKey::new(SECRET),
        session_token.map(ApiKey::new),
        region,
    )
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(found, _)| found.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

#[test]
fn signs_the_aws_test_suite_get_vanilla_request_as_aws_documents() {
    // AWS's SigV4 test suite, `get-vanilla`: GET / on example.amazonaws.com, service
    // `service`, us-east-1, at 2015-08-30T12:36:00Z.
    let headers = signer(None, "us-east-1")
        .with_service("service")
        .at(at(1_440_938_160))
        .sign("GET", "https://example.amazonaws.com/", &[], b"")
        .expect("signs");
    assert_eq!(header(&headers, "x-amz-date"), Some("20150830T123600Z"));
    assert_eq!(
        header(&headers, "authorization"),
        Some(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
    );
    assert_eq!(header(&headers, "x-amz-security-token"), None);
}

#[test]
fn signs_a_bedrock_invoke_as_the_sigv4_algorithm_computes_it() {
    // The expected signature was computed apart from aws-sigv4, by the SigV4 algorithm
    // written out (HMAC-SHA256 chain over the canonical request): the path's `%3A`
    // encoded again (`%253A`), `content-type`, `host`, `x-amz-date` and the session token
    // signed, the body hashed.
    let body = br#"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":5}"#;
    let headers = signer(Some("FwoGZXIvYXdzEXAMPLEsessiontoken"), "us-east-1")
        .at(at(1_727_092_800))
        .sign(
            "POST",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/ai21.jamba-1-5-mini-v1%3A0/invoke",
            &[("content-type", "application/json")],
            body,
        )
        .expect("signs");
    assert_eq!(
        header(&headers, "authorization"),
        Some(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240923/us-east-1/bedrock/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, \
             Signature=e19d3346d6e239d4dc64b8aefecd2b3ae04af778535252ab0331780892e2db98"
        )
    );
    assert_eq!(header(&headers, "x-amz-date"), Some("20240923T120000Z"));
    assert_eq!(
        header(&headers, "x-amz-security-token"),
        Some("FwoGZXIvYXdzEXAMPLEsessiontoken")
    );
}

#[test]
fn a_signature_is_a_function_of_the_request_and_the_time() {
    let sign = |time: u64, body: &[u8], region: &str| {
        let headers = signer(None, region)
            .at(at(time))
            .sign(
                "POST",
                "http://127.0.0.1:8021/model/ai21.j2-mid-v1/invoke",
                &[("content-type", "application/json")],
                body,
            )
            .expect("signs");
        header(&headers, "authorization")
            .expect("an Authorization header")
            .to_owned()
    };
    let first = sign(1_727_092_800, b"{}", "us-east-1");
    assert_eq!(first, sign(1_727_092_800, b"{}", "us-east-1"));
    assert!(first.contains("Credential=AKIDEXAMPLE/20240923/us-east-1/bedrock/aws4_request"));
    // The port is part of the signed host.
    assert!(first.contains("SignedHeaders=content-type;host;x-amz-date,"));
    assert_ne!(first, sign(1_727_092_801, b"{}", "us-east-1"));
    assert_ne!(first, sign(1_727_092_800, b"{ }", "us-east-1"));
    assert_ne!(first, sign(1_727_092_800, b"{}", "eu-west-1"));
}

#[test]
fn no_credential_reaches_debug_output() {
    let credentials = [
        Credentials::SigV4(signer(Some("SessionTokenThatMustNotShow"), "us-east-1")),
        Credentials::Bearer(ApiKey::new("ya29.TokenThatMustNotShow")),
        Credentials::AzureKey(ApiKey::new("AzureKeyThatMustNotShow")),
    ];
    for credentials in credentials {
        let shown = format!("{credentials:?}");
        for secret in [KEY_ID, SECRET, "MustNotShow"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}

#[test]
fn bearer_and_azure_credentials_are_one_header_each() {
    let bearer = Credentials::Bearer(ApiKey::new("token"))
        .headers("POST", "http://127.0.0.1/", &[], b"{}")
        .expect("no signing");
    assert_eq!(
        bearer,
        [("authorization".to_owned(), "Bearer token".to_owned())]
    );
    let azure = Credentials::AzureKey(ApiKey::new("key"))
        .headers("POST", "http://127.0.0.1/", &[], b"{}")
        .expect("no signing");
    assert_eq!(azure, [("api-key".to_owned(), "key".to_owned())]);
}
