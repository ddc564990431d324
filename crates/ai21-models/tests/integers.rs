//! Integers written as JSON Schema reads them: `30.0` and `3e1` are the integer 30 in
//! every integer field of the generated types (required, optional, nullable, in a struct
//! variant or an untagged union), `30.5` and out-of-range values are refused, and values
//! are written back as integers.

use ai21_models::error_response::LocationPart;
use ai21_models::j2_complete_response::{CompletionId, FinishReason, TextRange};
use ai21_models::{J2CompleteRequest, JambaChatRequest, JambaChatResponse, Usage};
use serde_json::{Value, json};

#[test]
fn integral_floats_are_integers_in_every_kind_of_integer_field() {
    // Optional and nullable (J2 and Jamba requests).
    let request: J2CompleteRequest =
        serde_json::from_value(json!({"prompt": "x", "maxTokens": 30.0, "numResults": 2e0, "topKReturn": null, "epoch": 1e3}))
            .expect("integral floats are integers");
    assert_eq!(request.max_tokens, Some(Some(30)));
    assert_eq!(request.num_results, Some(Some(2)));
    assert_eq!(request.top_k_return, Some(None));
    assert_eq!(request.epoch, Some(Some(1000)));
    let back = serde_json::to_value(&request).expect("serializes");
    assert_eq!(back["maxTokens"], json!(30));
    assert!(back["maxTokens"].is_u64(), "written as an integer: {back}");

    let chat: JambaChatRequest = serde_json::from_str(
        r#"{"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "n": 2.0, "max_tokens": 1.0e2}"#,
    )
    .expect("parses from text too");
    assert_eq!((chat.n, chat.max_tokens), (Some(Some(2)), Some(Some(100))));
    assert_eq!(
        serde_json::to_string(&chat).expect("serializes"),
        r#"{"max_tokens":100,"messages":[{"role":"user","content":"Hi"}],"model":"jamba-mini","n":2}"#
    );

    // Required fields, in a struct and in a struct variant of an internally tagged enum.
    let usage: Usage = serde_json::from_value(
        json!({"prompt_tokens": 3.0, "completion_tokens": 4, "total_tokens": 7e0}),
    )
    .expect("parses");
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (3, 4, 7)
    );
    let range: TextRange =
        serde_json::from_value(json!({"start": 0.0, "end": 5.0})).expect("parses");
    assert_eq!((range.start, range.end), (0, 5));
    let reason: FinishReason =
        serde_json::from_value(json!({"reason": "length", "length": 16.0})).expect("parses");
    assert_eq!(reason, FinishReason::Length { length: 16 });
    assert_eq!(
        serde_json::to_value(&reason).expect("serializes"),
        json!({"reason": "length", "length": 16})
    );

    // Untagged unions: the integer branch takes an integral float, signed too.
    let id: CompletionId = serde_json::from_value(json!(-42.0)).expect("parses");
    assert_eq!(id, CompletionId::Integer(-42));
    let part: LocationPart = serde_json::from_value(json!(3.0)).expect("parses");
    assert_eq!(part, LocationPart::Integer(3));
    assert_eq!(serde_json::to_value(&part).expect("serializes"), json!(3));

    // A whole response whose integers are all written as floats.
    let response: JambaChatResponse = serde_json::from_value(json!({
        "id": "chat-1",
        "choices": [{"index": 0.0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi"}}],
        "usage": {"prompt_tokens": 1.0, "completion_tokens": 1.0, "total_tokens": 2.0}
    }))
    .expect("parses");
    assert_eq!(response.choices[0].index, 0);
}

#[test]
fn fractions_nulls_and_out_of_range_values_are_refused_with_a_reason() {
    let refused = |body: Value| {
        serde_json::from_value::<J2CompleteRequest>(body.clone())
            .expect_err(&format!("refused: {body}"))
            .to_string()
    };
    let message = refused(json!({"prompt": "x", "maxTokens": 30.5}));
    assert!(
        message.contains("floating point `30.5`") && message.contains("an integer"),
        "{message}"
    );
    let message = refused(json!({"prompt": "x", "maxTokens": -1.0}));
    assert!(message.contains("in the range"), "{message}");
    let message = refused(json!({"prompt": "x", "maxTokens": -1}));
    assert!(message.contains("in the range"), "{message}");
    let message = refused(json!({"prompt": "x", "epoch": 1e30}));
    assert!(message.contains("in the range"), "{message}");
    let message = refused(json!({"prompt": "x", "maxTokens": "30"}));
    assert!(message.contains("an integer"), "{message}");

    // A required integer may not be null; a non-nullable optional one neither.
    assert!(
        serde_json::from_value::<Usage>(
            json!({"prompt_tokens": null, "completion_tokens": 1, "total_tokens": 1})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<TextRange>(json!({"start": 0.5, "end": 1})).is_err(),
        "a fraction in a required field"
    );
    assert!(
        serde_json::from_value::<CompletionId>(json!(1.5)).is_err(),
        "neither a string nor an integer"
    );
}
