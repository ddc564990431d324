//! Unit tests of content masking.

use serde_json::json;

use super::*;

#[test]
fn j2_content_is_masked() {
    let mut request = json!({"prompt": "These are a few of my favorite", "maxTokens": 30, "stopSequences": ["##"]});
    mask_content(&mut request);
    assert_eq!(
        request,
        json!({"prompt": "[redacted: 30 chars]", "maxTokens": 30, "stopSequences": ["##"]})
    );
    let mut response = json!({
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
    mask_content(&mut response);
    assert_eq!(
        response,
        json!({
            "id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3",
            "prompt": {"text": "[redacted: 5 chars]", "tokens": [{
                "generatedToken": {"token": "[redacted: 6 chars]", "logprob": -1.0},
                "topTokens": [{"token": "[redacted: 3 chars]", "logprob": -2.0}],
                "textRange": {"start": 0, "end": 5},
            }]},
            "completions": [{
                "data": {"text": "[redacted: 6 chars]", "tokens": [{"generatedToken": {"token": "[redacted: 6 chars]"}, "topTokens": null}]},
                "finishReason": {"reason": "length", "length": 1},
            }],
        })
    );
}

#[test]
fn jamba_content_is_masked() {
    let mut request = json!({
        "model": "jamba-large",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
            ]},
            {"role": "tool", "content": "sunny", "tool_call_id": "call_1"},
        ],
        "documents": [{"content": "The quarterly report", "metadata": [{"key": "author", "value": "Dana"}]}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather"}}],
    });
    mask_content(&mut request);
    assert_eq!(
        request,
        json!({
            "model": "jamba-large",
            "messages": [
                {"role": "system", "content": "[redacted: 8 chars]"},
                {"role": "user", "content": [{"type": "text", "text": "[redacted: 2 chars]"}]},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "[redacted: 16 chars]"}}
                ]},
                {"role": "tool", "content": "[redacted: 5 chars]", "tool_call_id": "call_1"},
            ],
            "documents": [{"content": "[redacted: 20 chars]", "metadata": [{"key": "author", "value": "[redacted: 4 chars]"}]}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather"}}],
        })
    );
    let mut response = json!({
        "id": "chat-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": " Hello!", "tool_calls": null},
                     "logprobs": {"content": {"token": "Hello", "logprob": -0.1, "top_logprobs": [{"token": "Hi", "logprob": -2.0}]}},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    });
    mask_content(&mut response);
    assert_eq!(
        response["choices"][0]["message"]["content"],
        "[redacted: 7 chars]"
    );
    assert_eq!(
        response["choices"][0]["logprobs"]["content"]["token"],
        "[redacted: 5 chars]"
    );
    assert_eq!(
        response["choices"][0]["logprobs"]["content"]["top_logprobs"][0]["token"],
        "[redacted: 2 chars]"
    );
    assert_eq!(response["choices"][0]["finish_reason"], "stop");
    let mut chunk = json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": null}]});
    mask_content(&mut chunk);
    assert_eq!(
        chunk["choices"][0]["delta"]["content"],
        "[redacted: 3 chars]"
    );
}

#[test]
fn error_inputs_are_masked_and_messages_kept() {
    let mut error = json!({"detail": [{"loc": ["body", "messages"], "msg": "field required", "type": "missing", "input": {"prompt": "secret plan"}}]});
    mask_content(&mut error);
    assert_eq!(
        error,
        json!({"detail": [{"loc": ["body", "messages"], "msg": "field required", "type": "missing", "input": {"prompt": "[redacted: 11 chars]"}}]})
    );
    let mut forbidden = json!({"detail": "Forbidden: Bad or missing API token."});
    mask_content(&mut forbidden);
    assert_eq!(
        forbidden,
        json!({"detail": "Forbidden: Bad or missing API token."})
    );
}

#[test]
fn masking_leaves_odd_shapes_alone() {
    for original in [
        json!(null),
        json!([1, 2]),
        json!("text"),
        json!({"prompt": 3, "completions": "x", "messages": [1, null], "choices": [{"message": 1, "delta": [2]}]}),
    ] {
        let mut value = original.clone();
        mask_content(&mut value);
        assert_eq!(value, original);
    }
}

#[test]
fn streams_are_masked_event_by_event() {
    let stream = concat!(
        "data: {\"id\": \"chat-1\", \"choices\": [{\"index\": 0, \"delta\": {\"role\": \"assistant\"}}]}\n\n",
        "data: {\"id\": \"chat-1\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"Hi there\"}}]}\r\n\r\n",
        "data: not json\n\n",
        "data: [DONE]\n",
    );
    let masked = mask_stream(stream);
    let lines: Vec<&str> = masked.split('\n').collect();
    assert_eq!(lines.len(), 8, "{masked}");
    assert_eq!([lines[1], lines[3]], ["", "\r"]);
    assert_eq!(
        lines[4..],
        ["data: [redacted: 8 chars]", "", "data: [DONE]", ""]
    );
    let event = |line: &str| -> Value {
        let data = line.trim_end().strip_prefix("data: ").expect("a data line");
        serde_json::from_str(data).expect("JSON")
    };
    assert_eq!(
        event(lines[0]),
        json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
    );
    assert!(lines[2].ends_with('\r'));
    assert_eq!(
        event(lines[2]),
        json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": "[redacted: 8 chars]"}}]})
    );
}
