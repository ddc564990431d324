//! Sending requests to the mock in-process, without a socket.

use ai21_mock::Config;
use ai21_validate::Validator;
use axum::body::Body;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Pins today for the model checks of this process (the mock's own, and the tests'), so
/// that no test depends on the clock: after J2's retirement on AI21 Studio (2024-11-11),
/// before its Jamba API's sunset (2026-08-09).
pub(crate) fn pin_today() {
    ai21_validate::pin_today("2026-01-01").expect("every test of this binary pins the same day");
}

/// The shared validator, with today pinned.
pub(crate) fn validator() -> &'static Validator {
    pin_today();
    Validator::shared()
}

/// A test API key (not a real one).
pub(crate) const KEY: &str = "test-key-0000";

/// An answer: status, headers, body text and bytes (Bedrock's event stream is binary).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) response: Response<()>,
    pub(crate) body: String,
    pub(crate) bytes: Vec<u8>,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    }
}

/// Sends `method path` with `body` and the test key (unless `key` is `None`).
pub(crate) async fn send_with(
    config: Config,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: impl Into<Body>,
) -> Answer {
    let authorization = key.map(|key| format!("Bearer {key}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    send_headers(config, method, path, &headers, body).await
}

/// Sends `method path` with `body` and exactly these headers (and a JSON content type).
pub(crate) async fn send_headers(
    config: Config,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Answer {
    pin_today();
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = ai21_mock::router(config)
        .oneshot(request.body(body.into()).expect("a request"))
        .await
        .expect("the router answers");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("a body").to_bytes();
    Answer {
        status: parts.status.as_u16(),
        response: Response::from_parts(parts, ()),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// Sends a POST with the test key and the default configuration.
pub(crate) async fn post(path: &str, body: &Value) -> Answer {
    send_with(Config::default(), "POST", path, Some(KEY), body.to_string()).await
}
