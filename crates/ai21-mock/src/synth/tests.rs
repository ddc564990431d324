//! Unit tests of the answer synthesis; the property test against every pairing rule is in
//! the crate's integration tests.

use ai21_models::j2_complete_request::J2CompleteRequest;
use ai21_models::j2_complete_response::FinishReason;
use ai21_models::jamba_chat_request::{ChatMessage, JambaChatRequest};
use serde_json::json;

use super::*;

fn j2(body: serde_json::Value) -> J2CompleteRequest {
    serde_json::from_value(body).expect("a valid J2 request")
}

fn jamba(body: serde_json::Value) -> JambaChatRequest {
    serde_json::from_value(body).expect("a valid Jamba request")
}

#[test]
fn answers_are_deterministic_per_seed_and_request() {
    let request = j2(json!({"prompt": "These are a few of my favorite", "numResults": 3}));
    assert_eq!(j2_complete(&request, 7), j2_complete(&request, 7));
    assert_ne!(j2_complete(&request, 7), j2_complete(&request, 8));
    let chat = JambaChatRequest::new("jamba-mini", vec![ChatMessage::user("Hi")]);
    assert_eq!(jamba_chat(&chat, 1), jamba_chat(&chat, 1));
    assert_ne!(
        jamba_chat(&chat, 1).id,
        jamba_chat(
            &JambaChatRequest::new("jamba-large", vec![ChatMessage::user("Hi")]),
            1
        )
        .id
    );
}

#[test]
fn prompt_tokens_tile_the_prompt_in_code_points() {
    let request = j2(json!({"prompt": "Caf\u{e9} \u{1F600} ok\n  end  "}));
    let response = j2_complete(&request, 1);
    let mut position = 0;
    for token in &response.prompt.tokens {
        assert_eq!(token.text_range.start, position);
        position = token.text_range.end;
    }
    assert_eq!(position, request.prompt.chars().count() as u64);
    assert_eq!(response.prompt.text, request.prompt);
}

#[test]
fn every_j2_ending_honours_the_limits() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let request = j2(
            json!({"prompt": "x", "maxTokens": 6, "minTokens": 2, "stopSequences": ["##"], "topKReturn": 3}),
        );
        for completion in j2_complete(&request, seed).completions {
            let tokens = completion.data.tokens.len() as u64;
            assert!(tokens <= 6, "{tokens} tokens");
            match &completion.finish_reason {
                FinishReason::Length { length } => assert_eq!((*length, tokens), (6, 6)),
                FinishReason::Stop { sequence } => {
                    assert_eq!(sequence, "##");
                    assert!(tokens > 2 && !completion.data.text.contains("##"));
                }
                FinishReason::Endoftext => assert!(tokens > 2),
            }
            let top = completion.data.tokens[0]
                .top_tokens
                .as_ref()
                .expect("topKReturn 3");
            assert_eq!(top.len(), 3);
            seen.insert(completion.finish_reason.to_string());
        }
    }
    assert_eq!(seen.len(), 3, "all three endings occur: {seen:?}");
}

#[test]
fn jamba_choices_usage_and_length_agree() {
    let request = jamba(
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Tell me a fact"}], "n": 4, "temperature": 0.9, "max_tokens": 20}),
    );
    let response = jamba_chat(&request, 3);
    assert_eq!(response.choices.len(), 4);
    let mut total = 0;
    for (index, choice) in response.choices.iter().enumerate() {
        assert_eq!(choice.index, index as u64);
        let tokens = words(choice.message.content.as_deref().unwrap_or(""));
        assert!(tokens <= 20);
        assert_eq!(choice.finish_reason == "length", tokens == 20, "{choice:?}");
        total += tokens;
    }
    assert_eq!(response.usage.completion_tokens, total);
    assert_eq!(
        response.usage.total_tokens,
        response.usage.prompt_tokens + total
    );
}

#[test]
fn a_named_tool_is_called_with_json_arguments() {
    let request = jamba(json!({
        "model": "jamba-large",
        "messages": [{"role": "user", "content": "What is the weather in Paris? Use get_weather."}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}}]
    }));
    let response = jamba_chat(&request, 1);
    let choice = &response.choices[0];
    assert_eq!(choice.finish_reason, "tool_calls");
    assert_eq!(choice.message.content, None);
    let calls = choice
        .message
        .tool_calls
        .clone()
        .flatten()
        .expect("a tool call");
    assert_eq!(calls[0].function.name, "get_weather");
    let arguments: serde_json::Value =
        serde_json::from_str(&calls[0].function.arguments).expect("JSON arguments");
    assert_eq!(arguments, json!({"city": "example city"}));
    // Without naming it, the model answers in text.
    let request = jamba(
        json!({"model": "jamba-large", "messages": [{"role": "user", "content": "Hello"}],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}]}),
    );
    assert_eq!(jamba_chat(&request, 1).choices[0].finish_reason, "stop");
}

#[test]
fn json_mode_answers_with_a_json_object() {
    let request = jamba(
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Fact?"}], "response_format": {"type": "json_object"}}),
    );
    let content = jamba_chat(&request, 5).choices[0]
        .message
        .content
        .clone()
        .expect("text");
    let parsed: serde_json::Value = serde_json::from_str(&content).expect("JSON content");
    assert!(parsed["answer"].is_string());
}

#[test]
fn streams_start_with_the_role_and_end_with_usage() {
    let request = jamba(
        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": true, "max_tokens": 5}),
    );
    let chunks = jamba_chat_stream(&request, 2);
    assert_eq!(
        chunks[0].choices[0].delta.role,
        Some(ChunkDeltaRole::Assistant)
    );
    let last = chunks.last().expect("chunks");
    assert_eq!(
        last.choices[0].finish_reason,
        Some(Some("length".to_owned()))
    );
    let usage = last
        .usage
        .clone()
        .flatten()
        .expect("usage on the last chunk");
    assert_eq!(usage.completion_tokens, 5);
    assert!(
        chunks[..chunks.len() - 1]
            .iter()
            .all(|chunk| chunk.usage.is_none())
    );
    assert!(chunks.iter().all(|chunk| chunk.id == chunks[0].id));
}

#[test]
fn the_work_of_a_j2_answer_bounds_its_size() {
    // Defaults: 1 result of 16 tokens, no alternatives.
    let work = J2Work::of(&j2(json!({"prompt": "These are"})));
    assert_eq!(
        work,
        J2Work {
            prompt_tokens: 2,
            num_results: 1,
            max_tokens: 16,
            top_k_return: 0
        }
    );
    assert_eq!(work.entries(), 18);
    // The answer holds no more entries than the work says, whatever its endings.
    for seed in 0..20 {
        let request = j2(
            json!({"prompt": "a b\nc", "numResults": 3, "maxTokens": 7, "topKReturn": 2, "stopSequences": ["##"]}),
        );
        let work = J2Work::of(&request);
        let answer = j2_complete(&request, seed);
        let tokens = answer.prompt.tokens.len()
            + answer
                .completions
                .iter()
                .map(|completion| completion.data.tokens.len())
                .sum::<usize>();
        let alternatives: usize = answer
            .prompt
            .tokens
            .iter()
            .chain(answer.completions.iter().flat_map(|c| &c.data.tokens))
            .map(|token| token.top_tokens.as_ref().map_or(0, Vec::len))
            .sum();
        assert!(tokens as u64 <= work.tokens(), "seed {seed}");
        assert!(
            (tokens + alternatives) as u64 <= work.entries(),
            "seed {seed}"
        );
    }
}

#[test]
fn the_work_limit_sits_between_the_largest_documented_request_and_the_schema_maximum() {
    // The pairing test's largest documented request is answered.
    let documented = J2Work::of(&j2(
        json!({"prompt": "x", "maxTokens": 8191, "numResults": 2, "topKReturn": 10}),
    ));
    assert!(documented.within_limit(), "{}", documented.entries());
    // Every bound at the schema's maximum is not: 1.4 million entries.
    let maximum = J2Work::of(&j2(
        json!({"prompt": "x", "maxTokens": 8191, "numResults": 16, "topKReturn": 10}),
    ));
    assert_eq!(maximum.entries(), (1 + 16 * 8191) * 11);
    assert!(!maximum.within_limit());
    assert!(
        maximum.explain().contains("numResults 16 × maxTokens 8191")
            && maximum.explain().contains("262144"),
        "{}",
        maximum.explain()
    );
    // Exactly at the limit is within it; one more entry is not.
    let at = J2Work {
        prompt_tokens: MAX_ANSWER_ENTRIES - 16,
        num_results: 1,
        max_tokens: 16,
        top_k_return: 0,
    };
    assert!(at.within_limit());
    assert!(
        !J2Work {
            prompt_tokens: at.prompt_tokens + 1,
            ..at
        }
        .within_limit()
    );
    // No overflow at absurd sizes.
    let absurd = J2Work {
        prompt_tokens: u64::MAX,
        num_results: u64::MAX,
        max_tokens: u64::MAX,
        top_k_return: u64::MAX,
    };
    assert_eq!(absurd.entries(), u64::MAX);
    assert!(!absurd.within_limit());
}
