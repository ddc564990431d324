//! Unit tests of what counts as content: each kind's marked places, streams event by
//! event, odd shapes, and the bodies of an exchange read as its status says.

use serde_json::json;

use crate::{Body, Endpoint, Exchange, PayloadKind, Route, Validator};

fn content(kind: PayloadKind, value: &serde_json::Value) -> Vec<&str> {
    Validator::shared().content(kind, value)
}

#[test]
fn j2_prompts_completions_and_tokens_are_content() {
    let request = json!({"prompt": "These are a few of my favorite", "maxTokens": 30, "stopSequences": ["##"], "model": "j2-mid"});
    assert_eq!(
        content(PayloadKind::J2CompleteRequest, &request),
        ["These are a few of my favorite"]
    );
    let response = json!({
        "id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3",
        "prompt": {"text": "Hello", "tokens": [{
            "generatedToken": {"token": "▁Hello", "logprob": -1.0},
            "topTokens": [{"token": "▁Hi", "logprob": -2.0}],
            "textRange": {"start": 0, "end": 5},
        }]},
        "completions": [{
            "data": {"text": " world", "tokens": [{"generatedToken": {"token": "▁world"}, "topTokens": null}]},
            "finishReason": {"reason": "length", "length": 1},
        }],
    });
    assert_eq!(
        content(PayloadKind::J2CompleteResponse, &response),
        // Members in key order: completions before prompt, data's text before its tokens.
        [" world", "▁world", "Hello", "▁Hello", "▁Hi"]
    );
}

#[test]
fn jamba_messages_arguments_documents_and_logprob_tokens_are_content() {
    let request = json!({
        "model": "jamba-large",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
            ]},
            {"role": "tool", "content": "sunny", "tool_call_id": "call_1"},
        ],
        "documents": [{"content": "The quarterly report", "metadata": {"author": "Dana"}}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather"}}],
    });
    assert_eq!(
        content(PayloadKind::JambaChatRequest, &request),
        [
            "The quarterly report",
            "Dana",
            "Be brief",
            // A content of another shape (OpenAI-style parts) is content all the same.
            "Hi",
            "text",
            "{\"city\":\"Paris\"}",
            "sunny",
        ]
    );
    let response = json!({
        "id": "chat-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": " Hello!", "tool_calls": null},
                     "logprobs": {"content": {"token": "Hello", "logprob": -0.1, "top_logprobs": [{"token": "Hi", "logprob": -2.0}]}},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    });
    assert_eq!(
        content(PayloadKind::JambaChatResponse, &response),
        ["Hello", "Hi", " Hello!"]
    );
    let chunk = json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": null}]});
    assert_eq!(content(PayloadKind::JambaChatStreamChunk, &chunk), ["Hel"]);
}

#[test]
fn error_inputs_are_content_and_messages_are_not() {
    let error = json!({"detail": [{"loc": ["body", "messages"], "msg": "field required", "type": "missing", "input": {"prompt": "secret plan"}}]});
    assert_eq!(content(PayloadKind::ErrorResponse, &error), ["secret plan"]);
    let forbidden = json!({"detail": "Forbidden: Bad or missing API token."});
    assert!(content(PayloadKind::ErrorResponse, &forbidden).is_empty());
}

#[test]
fn odd_shapes_give_what_they_hold_and_never_fail() {
    for value in [
        json!(null),
        json!([1, 2]),
        json!("text"),
        json!({"prompt": 3, "completions": "x", "messages": [1, null], "choices": [{"message": 1, "delta": [2]}]}),
    ] {
        for kind in PayloadKind::ALL {
            assert!(content(kind, &value).is_empty(), "{kind}: {value}");
        }
    }
    // A message whose role no branch knows is read through every branch.
    let unknown_role = json!({"model": "m", "messages": [{"role": "robot", "content": "beep"}]});
    assert_eq!(
        content(PayloadKind::JambaChatRequest, &unknown_role),
        ["beep"]
    );
}

#[test]
fn an_exchange_is_read_as_its_status_says_and_a_stream_event_by_event() {
    let request = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi there"}], "stream": true});
    let stream = concat!(
        "data: {\"id\": \"chat-1\", \"choices\": [{\"index\": 0, \"delta\": {\"role\": \"assistant\"}}]}\n\n",
        "data: {\"id\": \"chat-1\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"Hello\"}}]}\r\n\r\n",
        "data: {\"id\": \"chat-1\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \" you\"}}]}\n\n",
        "data: not json\n\n",
        "data: [DONE]\n",
    );
    let jamba = Route::studio(Endpoint::JambaChat);
    let exchange = Exchange {
        route: Some(&jamba),
        timestamp: None,
        request: Body::Json(&request),
        status: Some(200),
        response: Body::EventStream(stream),
    };
    assert_eq!(
        Validator::shared().exchange_content(&exchange),
        ["Hi there", "Hello", " you", "not json", "Hello you"]
    );
    let error =
        json!({"detail": [{"loc": ["body"], "msg": "bad", "type": "x", "input": "echoed prompt"}]});
    let refused = Exchange {
        route: None,
        timestamp: None,
        request: Body::Text("not json at all"),
        status: Some(422),
        response: Body::Json(&error),
    };
    // No endpoint and no JSON request: the API is unknown, so only text is content.
    assert_eq!(
        Validator::shared().exchange_content(&refused),
        ["not json at all"]
    );
    let refused = Exchange {
        route: Some(&jamba),
        timestamp: None,
        ..refused
    };
    assert_eq!(
        Validator::shared().exchange_content(&refused),
        ["not json at all", "echoed prompt"]
    );
}
