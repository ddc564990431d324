//! Unit tests of the conversions between the dialects' payloads and AI21's.

use serde_json::{Value, json};

use crate::j2_complete_response::{CompletionId, J2CompleteResponse};
use crate::jamba_chat_request::{ChatMessage, JambaChatRequest};
use crate::jamba_chat_response::JambaChatResponse;
use crate::jamba_chat_stream_chunk::JambaChatStreamChunk;
use crate::{ErrorResponse, azure, bedrock, vertex};

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("parses")
}

fn canonical_request() -> JambaChatRequest {
    let mut request = JambaChatRequest::new(
        "jamba-1.5-mini",
        vec![ChatMessage::system("Be brief."), ChatMessage::user("Hi")],
    );
    request.stream = Some(Some(true));
    request.max_tokens = Some(Some(32));
    request
}

#[test]
fn bedrock_and_vertex_bodies_leave_model_and_stream_to_the_url() {
    let request = canonical_request();
    let bedrock_body = bedrock::JambaChatRequest::from_canonical(request.clone());
    let vertex_body = vertex::JambaChatRequest::from_canonical(request.clone());
    let expected = json!({"max_tokens": 32, "messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]});
    assert_eq!(
        serde_json::to_value(&bedrock_body).expect("serializes"),
        expected
    );
    assert_eq!(
        serde_json::to_value(&vertex_body).expect("serializes"),
        expected
    );
    // Back, given the model: the stream was the URL's to say, so it is not restored.
    let back = bedrock_body.into_canonical("jamba-1.5-mini");
    assert_eq!(back.model, "jamba-1.5-mini");
    assert_eq!(back.stream, None);
    assert_eq!(back.messages, request.messages);
    // The model of the URL wins over one the body carries (LiteLLM's Vertex body).
    let litellm: vertex::JambaChatRequest = parse(json!({"model": "jamba-1.5-mini@001",
        "messages": [{"role": "user", "content": "Hi"}]}));
    assert_eq!(
        litellm.into_canonical("jamba-1.5-mini").model,
        "jamba-1.5-mini"
    );
}

#[test]
fn an_azure_body_is_the_canonical_one() {
    let request = canonical_request();
    let body = azure::JambaChatRequest::from_canonical(request.clone());
    assert_eq!(
        serde_json::to_value(&body).expect("serializes"),
        serde_json::to_value(&request).expect("serializes")
    );
    assert_eq!(body.into_canonical("jamba-1.5-mini"), request);
}

#[test]
fn a_bedrock_j2_answer_keeps_its_integer_id() {
    let body = json!({"id": 1234, "prompt": {"text": "Hi", "tokens": []},
        "completions": [{"data": {"text": "", "tokens": []}, "finishReason": {"reason": "endoftext"}}]});
    let bedrock_answer: bedrock::J2CompleteResponse = parse(body.clone());
    assert_eq!(bedrock_answer.id, 1234);
    let canonical = J2CompleteResponse::from(bedrock_answer);
    assert_eq!(canonical.id, CompletionId::Integer(1234));
    assert_eq!(serde_json::to_value(&canonical).expect("serializes"), body);
}

#[test]
fn a_bedrock_stream_chunk_drops_what_bedrock_adds_on_its_way_to_the_canonical_one() {
    let last = json!({"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": "."},
            "finish_reason": "stop", "stop_reason": "<|eom|>"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
        "meta": {"requestDurationMillis": 120},
        "amazon-bedrock-invocationMetrics": {"inputTokenCount": 10, "outputTokenCount": 2,
            "invocationLatency": 120, "firstByteLatency": 40}});
    let chunk: bedrock::JambaChatStreamChunk = parse(last.clone());
    let metrics = chunk
        .amazon_bedrock_invocation_metrics
        .clone()
        .expect("the last chunk's metrics");
    assert_eq!(metrics.output_token_count, Some(2));
    assert_eq!(
        chunk.choices[0].stop_reason,
        Some(Some("<|eom|>".to_owned()))
    );
    assert_eq!(serde_json::to_value(&chunk).expect("serializes"), last);
    let canonical = chunk.into_canonical();
    assert_eq!(canonical.content(), Some("."));
    assert_eq!(canonical.usage().map(|usage| usage.total_tokens), Some(12));
    // And back: nothing Bedrock-specific is invented.
    let again = bedrock::JambaChatStreamChunk::from(canonical.clone());
    assert_eq!(again.meta, None);
    assert_eq!(again.choices[0].stop_reason, None);
    assert_eq!(again.into_canonical(), canonical);
}

#[test]
fn azure_answers_and_chunks_drop_created_and_object_on_their_way_to_the_canonical_ones() {
    let answer = json!({"id": "cmpl-1", "object": "chat.completion", "created": 1733126400,
        "model": "jamba-1.5-mini", "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Tides.", "tool_calls": null}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}});
    let azure_answer: azure::JambaChatResponse = parse(answer.clone());
    assert_eq!(azure_answer.created, Some(1_733_126_400));
    let canonical: JambaChatResponse = azure_answer.into_canonical();
    assert_eq!(canonical.content(), Some("Tides."));
    let again = azure::JambaChatResponse::from(canonical);
    assert_eq!((again.created, again.object), (None, None));

    let chunk = json!({"id": "cmpl-2", "object": "chat.completion.chunk", "created": 1,
        "choices": [{"index": 0, "created": 1, "delta": {"content": "Hi"}, "finish_reason": null}]});
    let azure_chunk: azure::JambaChatStreamChunk = parse(chunk.clone());
    assert_eq!(
        serde_json::to_value(&azure_chunk).expect("serializes"),
        chunk
    );
    let canonical: JambaChatStreamChunk = azure_chunk.into_canonical();
    assert_eq!(canonical.content(), Some("Hi"));
    assert_eq!(
        azure::JambaChatStreamChunk::from(canonical).choices[0].created,
        None
    );
}

#[test]
fn partner_error_bodies_read_as_text_and_hand_over_ai21_s_own() {
    let bedrock_error: bedrock::ErrorResponse =
        parse(json!({"message": "The provided model identifier is invalid."}));
    assert_eq!(
        bedrock_error.to_string(),
        "The provided model identifier is invalid."
    );
    assert_eq!(bedrock_error.canonical(), None);
    let azure_error: azure::ErrorResponse =
        parse(json!({"error": {"code": "Unauthorized", "message": "Access denied."}}));
    assert_eq!(azure_error.to_string(), "Unauthorized: Access denied.");
    let vertex_error: vertex::ErrorResponse =
        parse(json!({"error": {"code": 404, "message": "Not found.", "status": "NOT_FOUND"}}));
    assert_eq!(vertex_error.to_string(), "NOT_FOUND: Not found.");
    // AI21's body passed through by the model's container.
    let ai21: ErrorResponse = parse(json!({"detail": "Forbidden: Bad or missing API token."}));
    let through = vertex::ErrorResponse::from(ai21.clone());
    assert_eq!(through.canonical(), Some(ai21.clone()));
    assert_eq!(through.to_string(), ai21.to_string());
    assert_eq!(
        azure::ErrorResponse::from(ai21.clone()).to_string(),
        ai21.to_string()
    );
}

#[test]
fn what_a_dialect_leaves_alone_is_the_canonical_type() {
    // These compile only because the types are the same.
    let answer: JambaChatResponse = parse(json!({"id": "chat-1", "choices": [],
        "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}}));
    let _: bedrock::JambaChatResponse = answer.clone();
    let _: vertex::JambaChatStreamChunk =
        parse::<JambaChatStreamChunk>(json!({"id": "c", "choices": []}));
    let _: crate::J2CompleteRequest = bedrock::J2CompleteRequest::new("Hi");
    let messages: Vec<crate::ChatMessage> =
        bedrock::JambaChatRequest::from_canonical(canonical_request()).messages;
    let _: Vec<crate::jamba_chat_request::ChatMessage> = vertex::JambaChatRequest {
        messages,
        ..vertex::JambaChatRequest::from_canonical(canonical_request())
    }
    .messages;
    let _: Option<crate::Usage> = azure::JambaChatStreamChunk::from(parse::<JambaChatStreamChunk>(
        json!({"id": "c", "choices": []}),
    ))
    .usage
    .flatten();
}
