//! Unit tests of the hand-written layer.

use serde_json::json;

use crate::error_response::ErrorResponse;
use crate::j2_complete_request::J2CompleteRequest;
use crate::j2_complete_response::FinishReason;
use crate::jamba_chat_request::{ChatMessage, JambaChatRequest};
use crate::jamba_chat_response::JambaChatResponse;
use crate::jamba_chat_stream_chunk::JambaChatStreamChunk;
use crate::shared::ToolCall;

#[test]
fn constructors_write_the_minimal_payloads() {
    let request = JambaChatRequest::new(
        "jamba-large",
        vec![
            ChatMessage::user("Hi"),
            ChatMessage::assistant("Hello"),
            ChatMessage::tool("call_1", "18C"),
        ],
    );
    assert_eq!(
        serde_json::to_value(&request).expect("serializes"),
        json!({"model": "jamba-large", "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "tool", "content": "18C", "tool_call_id": "call_1"}
        ]})
    );
    let request = J2CompleteRequest::new("These are a few of my favorite");
    assert_eq!(
        serde_json::to_value(&request).expect("serializes"),
        json!({"prompt": "These are a few of my favorite"})
    );
}

#[test]
fn chat_message_accessors_name_role_and_content() {
    let message = ChatMessage::system("Be terse.");
    assert_eq!(
        (message.role(), message.content()),
        ("system", Some("Be terse."))
    );
    let calls =
        ChatMessage::assistant_tool_calls(vec![ToolCall::function("call_1", "get_weather", "{}")]);
    assert_eq!((calls.role(), calls.content()), ("assistant", None));
    assert_eq!(calls.tool_calls()[0].function.name, "get_weather");
    assert!(ChatMessage::user("Hi").tool_calls().is_empty());
}

#[test]
fn finish_reasons_and_errors_display_as_text() {
    let reasons: Vec<FinishReason> = serde_json::from_value(json!([
        {"reason": "length", "length": 30}, {"reason": "endoftext"}, {"reason": "stop", "sequence": "##"}
    ]))
    .expect("parses");
    let shown: Vec<String> = reasons.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["length 30", "endoftext", "stop \"##\""]);

    let error: ErrorResponse =
        serde_json::from_value(json!({"detail": "Forbidden: Bad or missing API token."}))
            .expect("parses");
    assert_eq!(error.to_string(), "Forbidden: Bad or missing API token.");
    let error: ErrorResponse = serde_json::from_value(json!({"detail": [
        {"loc": ["body", "messages", 0, "content"], "msg": "must not be empty", "type": "value_error"},
        {"loc": ["body", "n"], "msg": "must be at most 16", "type": "value_error"}
    ]}))
    .expect("parses");
    assert_eq!(
        error.to_string(),
        "body.messages.0.content: must not be empty; body.n: must be at most 16"
    );
}

#[test]
fn presence_is_kept_for_optional_properties() {
    // `stop` may be null: absent, null and a value are three different things.
    for body in [json!({}), json!({"stop": null}), json!({"stop": "##"})] {
        let mut full =
            json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]});
        full.as_object_mut()
            .expect("an object")
            .extend(body.as_object().expect("an object").clone());
        let request: JambaChatRequest = serde_json::from_value(full.clone()).expect("parses");
        assert_eq!(serde_json::to_value(&request).expect("serializes"), full);
    }
    // `max_tokens` may be null too (a client's `None`), and stays null.
    let with_null = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": null});
    let request: JambaChatRequest = serde_json::from_value(with_null.clone()).expect("parses");
    assert_eq!(request.max_tokens, Some(None));
    assert_eq!(
        serde_json::to_value(&request).expect("serializes"),
        with_null
    );
    // A user message's content may not be null.
    let null_content =
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": null}]});
    assert!(serde_json::from_value::<JambaChatRequest>(null_content).is_err());
    // An empty optional list survives.
    let empty = json!({"prompt": "x", "stopSequences": []});
    let request: J2CompleteRequest = serde_json::from_value(empty.clone()).expect("parses");
    assert_eq!(serde_json::to_value(&request).expect("serializes"), empty);
}

#[test]
fn misspelt_request_parameters_are_rejected() {
    let misspelt = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "maxTokens": 10});
    let error = serde_json::from_value::<JambaChatRequest>(misspelt).expect_err("unknown field");
    assert!(
        error.to_string().contains("unknown field `maxTokens`"),
        "{error}"
    );
}

#[test]
fn a_response_answer_goes_back_into_the_next_request_as_it_came() {
    // The ai21 SDK's replay shapes: text with `tool_calls: null`, and tool calls with
    // `content: null`. Both come back out byte for byte.
    for message in [
        json!({"role": "assistant", "content": "Honey never spoils.", "tool_calls": null}),
        json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}
        ]}),
    ] {
        let response: JambaChatResponse = serde_json::from_value(json!({
            "id": "chat-1",
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        }))
        .expect("parses");
        let replayed = ChatMessage::from(response.choices[0].message.clone());
        assert_eq!(
            serde_json::to_value(&replayed).expect("serializes"),
            message
        );
        assert_eq!(replayed.tool_calls(), response.tool_calls());
    }
}

#[test]
fn stream_chunks_give_their_text_and_usage() {
    let chunks: Vec<JambaChatStreamChunk> = serde_json::from_value(json!([
        {"id": "chat-1", "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": null}]},
        {"id": "chat-1", "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": null}]},
        {"id": "chat-1", "choices": [{"index": 0, "delta": {"content": null}, "finish_reason": "stop"}]},
        {"id": "chat-1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}
    ]))
    .expect("parses");
    let text: String = chunks
        .iter()
        .filter_map(JambaChatStreamChunk::content)
        .collect();
    assert_eq!(text, "Hello");
    let usage = chunks.iter().find_map(JambaChatStreamChunk::usage);
    assert_eq!(usage.map(|usage| usage.total_tokens), Some(4));
}
