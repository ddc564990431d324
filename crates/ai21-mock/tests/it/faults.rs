//! Fault injection: every kind, and off by default.

use std::time::Duration;

use ai21_mock::{Config, Fault, Faults};
use serde_json::json;

use crate::support::{KEY, send_with};

const CHAT: &str = "/studio/v1/chat/completions";

fn always(fault: Fault) -> Config {
    Config {
        faults: Faults {
            rate: 1.0,
            kinds: vec![fault],
            slow_delay: Duration::from_millis(300),
        },
        ..Config::default()
    }
}

fn body(stream: bool) -> String {
    json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": stream, "max_tokens": 20}).to_string()
}

#[tokio::test]
async fn status_faults_answer_in_the_error_envelope() {
    let answer = send_with(
        always(Fault::TooManyRequests),
        "POST",
        CHAT,
        Some(KEY),
        body(false),
    )
    .await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert!(answer.json()["detail"].is_string());
    assert_eq!(
        send_with(
            always(Fault::ServerError),
            "POST",
            CHAT,
            Some(KEY),
            body(false)
        )
        .await
        .status,
        500
    );
    assert_eq!(
        send_with(
            always(Fault::Unavailable),
            "POST",
            CHAT,
            Some(KEY),
            body(false)
        )
        .await
        .status,
        503
    );
}

#[tokio::test(start_paused = true)]
async fn slow_answers_wait_then_answer_normally() {
    let started = tokio::time::Instant::now();
    let answer = send_with(always(Fault::Slow), "POST", CHAT, Some(KEY), body(false)).await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn cut_streams_break_off_after_some_events() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mock = ai21_mock::RunningMock::start(
        "127.0.0.1:0".parse().expect("an address"),
        always(Fault::CutStream),
    )
    .await
    .expect("binds loopback");
    // A plain socket shows exactly what reaches the client.
    let mut socket = tokio::net::TcpStream::connect(mock.addr)
        .await
        .expect("connects");
    let streamed = body(true);
    let request = format!(
        "POST {CHAT} HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer {KEY}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{streamed}",
        streamed.len()
    );
    socket.write_all(request.as_bytes()).await.expect("sends");
    let mut received = Vec::new();
    // The server breaks the connection instead of ending the chunked body.
    let _ = socket.read_to_end(&mut received).await;
    let received = String::from_utf8_lossy(&received);
    assert!(received.starts_with("HTTP/1.1 200 OK"), "{received}");
    assert!(received.contains("text/event-stream"), "{received}");
    assert!(
        received.contains("data: {"),
        "some events arrive: {received}"
    );
    assert!(!received.contains("[DONE]"), "{received}");
    assert!(
        !received.ends_with("0\r\n\r\n"),
        "the chunked body is not terminated: {received}"
    );

    // A non-streamed request picked for a cut gets a 503 instead.
    let answer = send_with(
        always(Fault::CutStream),
        "POST",
        CHAT,
        Some(KEY),
        body(false),
    )
    .await;
    assert_eq!(answer.status, 503);
    mock.stop().await.expect("stops cleanly");
}

#[tokio::test]
async fn faults_are_off_by_default_and_follow_the_rate() {
    for _ in 0..20 {
        assert_eq!(
            send_with(Config::default(), "POST", CHAT, Some(KEY), body(false))
                .await
                .status,
            200
        );
    }
    // With rate 0.5 over 200 requests on one router, some but not all fail.
    let config = Config {
        faults: Faults {
            rate: 0.5,
            kinds: vec![Fault::ServerError],
            slow_delay: Duration::ZERO,
        },
        ..Config::default()
    };
    let router = ai21_mock::router(config);
    let mut failures = 0;
    for _ in 0..200 {
        use tower::ServiceExt;
        let request = axum::http::Request::post(CHAT)
            .header("authorization", format!("Bearer {KEY}"))
            .body(axum::body::Body::from(body(false)))
            .expect("a request");
        let response = router.clone().oneshot(request).await.expect("answers");
        if response.status().as_u16() == 500 {
            failures += 1;
        }
    }
    assert!(
        (60..140).contains(&failures),
        "{failures} of 200 failed at rate 0.5"
    );
}
