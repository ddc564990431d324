//! A proxy in front of the mock that lies, for the tests that show the contract runner
//! cannot be fooled: `ai21-verify`'s own (`fooling.rs`) and the command line's
//! (`crates/ai21-contract/tests/it/verify.rs`, which includes this file by path).

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// How the proxy lies.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lie {
    /// 422 becomes 400 and 401 becomes 403.
    Status,
    /// Every `loc` of a 422 points at another field.
    Loc,
    /// Success answers ignore the request: a J2 answer loses its last completion, a Jamba
    /// message ends with the stop sequence `##`, a stream loses its `data: [DONE]`.
    Answers,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    lie: Lie,
    client: reqwest::Client,
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut outgoing = proxy
        .client
        .post(format!("{}{}", proxy.upstream, parts.uri.path()))
        .body(bytes);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
    }
    let Ok(answer) = outgoing.send().await else {
        return (StatusCode::BAD_GATEWAY, "upstream failed").into_response();
    };
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let mut text = answer.text().await.unwrap_or_default();
    let status = match (proxy.lie, status) {
        (Lie::Status, 422) => 400,
        (Lie::Status, 401) => 403,
        (Lie::Loc, 422) => {
            let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if let Some(problems) = body.get_mut("detail").and_then(Value::as_array_mut) {
                for problem in problems {
                    problem["loc"] = json!(["body", "logitBias", "elsewhere"]);
                }
            }
            text = body.to_string();
            422
        }
        (Lie::Answers, 200) if content_type.starts_with("text/event-stream") => {
            text = text.replace("data: [DONE]\n\n", "");
            200
        }
        (Lie::Answers, 200) => {
            let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if let Some(completions) = body.get_mut("completions").and_then(Value::as_array_mut) {
                completions.pop();
            }
            if let Some(choices) = body.get_mut("choices").and_then(Value::as_array_mut) {
                for choice in choices {
                    if let Some(Value::String(content)) = choice.pointer_mut("/message/content") {
                        content.push_str(" ##");
                    }
                }
            }
            text = body.to_string();
            200
        }
        (_, status) => status,
    };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::from(text))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}

/// Starts a proxy that forwards every request to `upstream` and lies as `lie` says, on
/// loopback, in the current tokio runtime; returns its base URL.
pub(crate) async fn start(upstream: String, lie: Lie) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds loopback");
    let addr = listener.local_addr().expect("an address");
    let proxy = Proxy {
        upstream,
        lie,
        client: ai21_verify::http_client().expect("a client"),
    };
    let app = Router::new().fallback(forward).with_state(proxy);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
