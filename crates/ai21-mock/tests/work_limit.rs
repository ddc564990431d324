//! The cap on the work one request can ask for: a J2 request whose answer would exceed
//! `synth::MAX_ANSWER_ENTRIES` is refused with 422, quickly and without building the
//! answer. Its own test binary, so the process's peak memory is this test's alone.

use std::time::{Duration, Instant};

use ai21_mock::Config;
use ai21_mock::server::WORK_LIMIT_TYPE;
use ai21_validate::{PayloadKind, Validator};
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const J2: &str = "/studio/v1/j2-ultra/complete";

/// The peak resident memory of this process, in KiB (`VmHWM` in `/proc/self/status`).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_else(|error| panic!("this test measures memory through /proc/self/status, which cannot be read here: {error}"));
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM line in /proc/self/status:\n{status}"))
}

async fn send(router: &axum::Router, body: String) -> (u16, Value, Duration) {
    let request = Request::post(J2)
        .header("authorization", "Bearer test-key")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("a request");
    let started = Instant::now();
    let response = router.clone().oneshot(request).await.expect("answers");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let elapsed = started.elapsed();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", String::from_utf8_lossy(&bytes)));
    (status, body, elapsed)
}

fn located_types(body: &Value) -> Vec<(Value, Value)> {
    body["detail"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of problems: {body}"))
        .iter()
        .map(|problem| (problem["loc"].clone(), problem["type"].clone()))
        .collect()
}

#[tokio::test]
async fn requests_for_huge_answers_are_refused_quickly_in_flat_memory() {
    let router = ai21_mock::router(Config::default());
    // Warm up: the validator's schemas are compiled on first use.
    let (status, _, _) = send(&router, json!({"prompt": "x"}).to_string()).await;
    assert_eq!(status, 200);
    let before = peak_kib();

    // Every bound at the schema's maximum: 16 × 8191 tokens with 10 alternatives each,
    // 1.4 million entries (hundreds of MiB if it were built).
    let huge =
        json!({"prompt": "These are", "numResults": 16, "maxTokens": 8191, "topKReturn": 10});
    for _ in 0..3 {
        let (status, body, elapsed) = send(&router, huge.to_string()).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            !Validator::shared()
                .validate(PayloadKind::ErrorResponse, &body)
                .has_errors(),
            "the error envelope: {body}"
        );
        let located = located_types(&body);
        for field in ["prompt", "numResults", "maxTokens", "topKReturn"] {
            assert!(
                located.contains(&(json!(["body", field]), json!(WORK_LIMIT_TYPE))),
                "{field}: {located:?}"
            );
        }
        let message = body["detail"][0]["msg"].as_str().unwrap_or_default();
        assert!(
            message.contains("1441638 entries") && message.contains("262144"),
            "{message}"
        );
        assert!(elapsed < Duration::from_secs(2), "refused in {elapsed:?}");
    }

    // A long prompt counts too, with or without alternatives: 1.5 million tokens.
    let long = json!({"prompt": "a ".repeat(1_500_000), "maxTokens": 1});
    let (status, body, elapsed) = send(&router, long.to_string()).await;
    assert_eq!(
        status,
        422,
        "{}",
        &body.to_string()[..200.min(body.to_string().len())]
    );
    assert_eq!(
        located_types(&body),
        [
            (json!(["body", "prompt"]), json!(WORK_LIMIT_TYPE)),
            (json!(["body", "maxTokens"]), json!(WORK_LIMIT_TYPE))
        ]
    );
    assert!(elapsed < Duration::from_secs(10), "refused in {elapsed:?}");

    let after_refusals = peak_kib();
    let grown_mib = after_refusals.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 64,
        "the peak memory grew by {grown_mib} MiB while refusing"
    );

    // Just under the limit, the answer is built and sent whole: 245740 entries.
    let largest = json!({"prompt": "x", "numResults": 3, "maxTokens": 8191, "topKReturn": 9});
    // Read as bytes: a `Value` of it would take more memory than the mock does.
    let request = Request::post(J2)
        .header("authorization", "Bearer test-key")
        .body(Body::from(largest.to_string()))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("answers");
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let answer_mib = peak_kib().saturating_sub(after_refusals) / 1024;
    #[allow(clippy::print_stderr, reason = "the measured size, for the docs")]
    {
        eprintln!(
            "peak memory: +{grown_mib} MiB refusing, +{answer_mib} MiB answering 245740 entries in {} MiB",
            bytes.len() / (1024 * 1024)
        );
    }
    assert!(
        answer_mib < 64,
        "the largest answer within the limit took {answer_mib} MiB"
    );
}
