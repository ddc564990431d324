//! Unit tests of the hand-written layer.

use serde_json::json;

use crate::error_response::ErrorResponse;
use crate::j2_complete_request::J2CompleteRequest;
use crate::j2_complete_response::FinishReason;
use crate::jamba_chat_request::{ChatMessage, JambaChatRequest};

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
    assert_eq!((message.role(), message.content()), ("system", "Be terse."));
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
    // `max_tokens` may not be null, and an empty optional list survives.
    let with_null = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": null});
    assert!(serde_json::from_value::<JambaChatRequest>(with_null).is_err());
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
