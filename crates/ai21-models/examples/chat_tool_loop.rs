//! A Jamba chat conversation with `ai21-models`: the tool-call loop, then a streamed
//! follow-up, each answer going back into the next request as it came.
//!
//! 1. Ask a question with a `get_weather` tool; the model answers with a tool call.
//! 2. Put that answer into the conversation as it is (`ChatMessage::from`), run the tool,
//!    add its result as a tool message, and ask again: the model answers in text.
//! 3. Ask a follow-up with `stream: true`, put the streamed pieces together, and replay
//!    them as an assistant message.
//!
//! Run it against the mock (any key is accepted):
//!
//! ```sh
//! cargo run -p ai21-contract -- serve --strict --addr 127.0.0.1:8021 &
//! AI21_BASE_URL=http://127.0.0.1:8021 AI21_API_KEY=any cargo run -p ai21-models --example chat_tool_loop
//! ```
//!
//! or against a live endpoint with `AI21_BASE_URL` and `AI21_API_KEY` set. The
//! workspace's contract suite runs [`run`] against the mock in strict mode, so every
//! request here is one the contract accepts.

// An example prints what it did.
#![allow(clippy::print_stdout)]

use std::error::Error;

use ai21_models::jamba_chat_request::{FunctionParameters, ToolDefinition};
use ai21_models::{ChatMessage, JambaChatRequest, JambaChatResponse, JambaChatStreamChunk};
use serde_json::json;

/// What a conversation produced.
#[derive(Debug)]
pub(crate) struct Transcript {
    /// Every request sent, in order.
    pub(crate) requests: Vec<JambaChatRequest>,
    /// The tool calls the model made, as (function name, arguments).
    pub(crate) tool_calls: Vec<(String, String)>,
    /// The text answer after the tool ran.
    pub(crate) answer: String,
    /// The streamed follow-up, put together.
    pub(crate) streamed: String,
}

/// Runs the conversation against `base_url` (such as `https://api.ai21.com`).
pub(crate) async fn run(base_url: &str, api_key: &str) -> Result<Transcript, Box<dyn Error>> {
    // This workspace builds reqwest's TLS with rustls and no crypto provider of its own
    // (so no C/cmake build); a project using reqwest's default features skips this line.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{base_url}/studio/v1/chat/completions");
    let post =
        |request: JambaChatRequest| client.post(&url).bearer_auth(api_key).json(&request).send();

    let parameters: FunctionParameters = serde_json::from_value(json!({
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city, in English"}},
        "required": ["city"]
    }))?;
    let mut request = JambaChatRequest::new(
        "jamba-mini",
        vec![
            ChatMessage::system("You are a concise assistant."),
            ChatMessage::user("What is the weather in Paris? Use get_weather."),
        ],
    );
    request.tools = Some(Some(vec![ToolDefinition::function(
        "get_weather",
        "The current weather in a city",
        Some(parameters),
    )]));
    let mut requests = vec![request.clone()];

    // 1. The model asks for the tool.
    let response: JambaChatResponse = post(request.clone())
        .await?
        .error_for_status()?
        .json()
        .await?;
    let answer = response.choices.first().ok_or("no choice")?.message.clone();
    let calls = ChatMessage::from(answer.clone()).tool_calls().to_vec();
    if calls.is_empty() {
        return Err("the model answered without calling the tool".into());
    }

    // 2. Its answer goes back as it came; each call gets the tool's result.
    request.messages.push(ChatMessage::from(answer));
    let mut tool_calls = Vec::new();
    for call in &calls {
        let arguments: serde_json::Value = serde_json::from_str(&call.function.arguments)?;
        let result = get_weather(arguments["city"].as_str().unwrap_or("Paris"));
        request
            .messages
            .push(ChatMessage::tool(call.id.clone(), result.to_string()));
        tool_calls.push((call.function.name.clone(), call.function.arguments.clone()));
    }
    requests.push(request.clone());
    let response: JambaChatResponse = post(request.clone())
        .await?
        .error_for_status()?
        .json()
        .await?;
    let text = response
        .content()
        .ok_or("no text in the answer")?
        .to_owned();
    request.messages.push(ChatMessage::assistant(text.clone()));

    // 3. A streamed follow-up: chunks until `data: [DONE]`.
    request
        .messages
        .push(ChatMessage::user("And should I take an umbrella?"));
    request.tools = None;
    request.stream = Some(Some(true));
    requests.push(request.clone());
    let body = post(request.clone())
        .await?
        .error_for_status()?
        .text()
        .await?;
    let mut streamed = String::new();
    for line in body.lines() {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        if data == "[DONE]" {
            break;
        }
        let chunk: JambaChatStreamChunk = serde_json::from_str(data)?;
        streamed.push_str(chunk.content().unwrap_or_default());
    }
    request
        .messages
        .push(ChatMessage::assistant(streamed.clone()));

    Ok(Transcript {
        requests,
        tool_calls,
        answer: text,
        streamed,
    })
}

/// The tool: a fixed forecast, as JSON.
fn get_weather(city: &str) -> serde_json::Value {
    json!({"city": city, "celsius": 18, "sky": "light rain"})
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let base_url =
        std::env::var("AI21_BASE_URL").unwrap_or_else(|_| "https://api.ai21.com".to_owned());
    let api_key = std::env::var("AI21_API_KEY").map_err(|_| "set AI21_API_KEY")?;
    let transcript = run(base_url.trim_end_matches('/'), &api_key).await?;
    for (name, arguments) in &transcript.tool_calls {
        println!("tool call: {name}({arguments})");
    }
    println!("answer: {}", transcript.answer);
    println!("streamed: {}", transcript.streamed);
    println!("{} requests sent", transcript.requests.len());
    Ok(())
}
