//! Fault injection: every kind on every endpoint (J2, Jamba, Jamba streamed), and off by
//! default.

use std::time::Duration;

use ai21_mock::{Config, Fault, Faults};
use serde_json::json;

use crate::support::{KEY, send_with};

const CHAT: &str = "/studio/v1/chat/completions";
const J2: &str = "/studio/v1/j2-mid/complete";

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

/// One valid request of each kind: J2, Jamba, Jamba streamed.
fn requests() -> [(&'static str, &'static str, String); 3] {
    [
        (
            "J2",
            J2,
            json!({"prompt": "These are a few of my favorite", "maxTokens": 40}).to_string(),
        ),
        ("Jamba", CHAT, body(false)),
        ("Jamba streamed", CHAT, body(true)),
    ]
}

#[tokio::test]
async fn status_faults_answer_in_the_error_envelope_on_every_endpoint() {
    for (name, path, request) in requests() {
        for (fault, status) in [
            (Fault::TooManyRequests, 429),
            (Fault::ServerError, 500),
            (Fault::Unavailable, 503),
        ] {
            let answer = send_with(always(fault), "POST", path, Some(KEY), request.clone()).await;
            assert_eq!(answer.status, status, "{name}, {}", fault.name());
            assert!(
                answer.json()["detail"].is_string(),
                "{name}, {}: {}",
                fault.name(),
                answer.body
            );
            let retry_after = answer.header("retry-after");
            if fault == Fault::TooManyRequests {
                assert_eq!(retry_after, Some("1"), "{name}");
            } else {
                assert_eq!(retry_after, None, "{name}, {}", fault.name());
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn slow_answers_wait_then_answer_normally_on_every_endpoint() {
    for (name, path, request) in requests() {
        let started = tokio::time::Instant::now();
        let answer = send_with(
            always(Fault::Slow),
            "POST",
            path,
            Some(KEY),
            request.clone(),
        )
        .await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
        assert!(started.elapsed() >= Duration::from_millis(300), "{name}");
        let normal = send_with(Config::default(), "POST", path, Some(KEY), request).await;
        assert_eq!(answer.body, normal.body, "{name}: the normal answer, late");
    }
}

/// Sends `request` to `path` over a plain socket, which shows exactly what reaches the
/// client, and reads until the server closes the connection.
async fn raw_exchange(mock: &ai21_mock::RunningMock, path: &str, request: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut socket = tokio::net::TcpStream::connect(mock.addr)
        .await
        .expect("connects");
    let sent = format!(
        "POST {path} HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer {KEY}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{request}",
        request.len()
    );
    socket.write_all(sent.as_bytes()).await.expect("sends");
    let mut received = Vec::new();
    // The server breaks the connection instead of ending the body.
    let _ = tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut received))
        .await
        .expect("the server closes the connection");
    received
}

#[tokio::test]
async fn cut_streams_break_off_after_some_events() {
    let mock = ai21_mock::RunningMock::start(
        "127.0.0.1:0".parse().expect("an address"),
        always(Fault::Cut),
    )
    .await
    .expect("binds loopback");
    let received = raw_exchange(&mock, CHAT, &body(true)).await;
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
    mock.stop().await.expect("stops cleanly");
}

#[tokio::test]
async fn cut_json_answers_close_before_the_declared_body_is_complete() {
    let mock = ai21_mock::RunningMock::start(
        "127.0.0.1:0".parse().expect("an address"),
        always(Fault::Cut),
    )
    .await
    .expect("binds loopback");
    for (name, path, request) in requests()
        .into_iter()
        .filter(|(name, ..)| !name.contains("streamed"))
    {
        let received = raw_exchange(&mock, path, &request).await;
        let received = String::from_utf8_lossy(&received);
        let (head, body) = received
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("{name}: no header end: {received}"));
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{name}: {head}");
        assert!(
            !head.to_ascii_lowercase().contains("transfer-encoding"),
            "{name}: a declared length, not chunks: {head}"
        );
        let declared: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())
                    .flatten()
            })
            .unwrap_or_else(|| panic!("{name}: no content-length: {head}"));
        assert!(
            !body.is_empty() && body.len() < declared,
            "{name}: {} of {declared} bytes arrive before the connection closes",
            body.len()
        );
        assert!(body.starts_with('{'), "{name}: {body}");
        assert!(
            serde_json::from_str::<serde_json::Value>(body).is_err(),
            "{name}: a broken answer: {body}"
        );
    }

    // A client sees a broken answer, not a success.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    for (name, path, request) in requests() {
        let outcome = async {
            let response = client
                .post(format!("{}{path}", mock.base_url()))
                .bearer_auth(KEY)
                .header("content-type", "application/json")
                .body(request)
                .send()
                .await?;
            response.bytes().await
        }
        .await;
        assert!(outcome.is_err(), "{name}: the body fails to arrive whole");
    }
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
