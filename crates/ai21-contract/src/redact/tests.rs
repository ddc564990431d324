//! Unit tests of redaction and content masking.

use serde_json::json;

use super::*;

/// A fake key shaped like an AI21 one: 32 letters and digits.
const KEY: &str = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";

#[track_caller]
fn check_header(name: &str, value: &str, expected: &str) {
    assert_eq!(header_value(name, value), expected, "{name}: {value}");
}

#[test]
fn credential_headers_are_redacted_whatever_their_case() {
    for name in [
        "Authorization",
        "authorization",
        "AUTHORIZATION",
        "Proxy-Authorization",
        "api-key",
        "Api-Key",
        "x-api-key",
        "X-API-KEY",
        "x_api_key",
        "apikey",
        "Cookie",
        "cookie",
        "Set-Cookie",
        "set-cookie",
        "x-auth-token",
        "X-Amz-Security-Token",
        "Ocp-Apim-Subscription-Key",
        "x-goog-api-key",
        "x-client-secret",
    ] {
        check_header(name, "Bearer abc", REDACTED);
        check_header(name, "session=1", REDACTED);
    }
}

#[test]
fn other_headers_keep_their_values() {
    check_header("Content-Type", "application/json", "application/json");
    check_header(
        "request-id",
        "c3e5117c-8d76-5f9e-79cd-91051f840d8a",
        "c3e5117c-8d76-5f9e-79cd-91051f840d8a",
    );
    check_header(
        "x-request-id",
        "chat-0123456789abcdef0123456789abcdef",
        "chat-0123456789abcdef0123456789abcdef",
    );
    check_header("User-Agent", "ai21/2.15.1 python", "ai21/2.15.1 python");
}

#[test]
fn secrets_in_other_headers_are_masked_by_shape() {
    check_header(
        "x-forwarded-credentials",
        &format!("Bearer {KEY}"),
        "Bearer [redacted]",
    );
    check_header("x-custom", &format!("key={KEY};v=1"), "key=[redacted];v=1");
}

#[track_caller]
fn check_url(input: &str, expected: &str) {
    assert_eq!(url(input), expected, "{input}");
}

#[test]
fn urls_lose_credential_parameters_and_userinfo() {
    let base = "https://api.ai21.com/studio/v1/j2-mid/complete";
    for name in [
        "api_key",
        "apiKey",
        "api-key",
        "API_KEY",
        "key",
        "token",
        "access_token",
        "auth_token",
        "x-api-key",
        "sig",
        "api%5Fkey",
    ] {
        check_url(
            &format!("{base}?{name}=secret-value&x=1"),
            &format!("{base}?{name}=[redacted]&x=1"),
        );
    }
    check_url(
        &format!("https://user:{KEY}@api.ai21.com/studio/v1/chat/completions"),
        "https://[redacted]@api.ai21.com/studio/v1/chat/completions",
    );
    check_url(
        "https://user@api.ai21.com/studio/v1/chat/completions",
        "https://[redacted]@api.ai21.com/studio/v1/chat/completions",
    );
    check_url(
        &format!("/studio/v1/chat/completions?q=1#access_token={KEY}"),
        "/studio/v1/chat/completions?q=1#access_token=[redacted]",
    );
    check_url(
        &format!("https://gateway.example/{KEY}/studio/v1/chat/completions"),
        "https://gateway.example/[redacted]/studio/v1/chat/completions",
    );
    check_url(
        &format!("/studio/v1/chat/completions?x={KEY}"),
        "/studio/v1/chat/completions?x=[redacted]",
    );
}

#[test]
fn urls_without_secrets_are_kept_byte_for_byte() {
    for input in [
        "https://api.ai21.com/studio/v1/j2-mid/complete",
        "/studio/v1/chat/completions?stream=true&n=2",
        "https://api.ai21.com/studio/v1/chat/completions?q=a%20b&&flag#frag",
        "https://api.ai21.com/studio/v1/chat/completions?key=",
        "",
    ] {
        assert!(matches!(url(input), Cow::Borrowed(_)), "{input}");
    }
    // Already redacted: redacting again changes nothing.
    check_url(
        "https://[redacted]@h/p?api_key=[redacted]",
        "https://[redacted]@h/p?api_key=[redacted]",
    );
}

#[test]
fn key_shapes() {
    assert!(is_key_shaped(KEY));
    assert!(is_key_shaped(&format!("{KEY}{KEY}")));
    for word in [
        "",
        &KEY[..31],
        "0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",
        "getCurrentWeatherForecastForTheLocation",
        "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0T-",
        "c3e5117c-8d76-5f9e-79cd-91051f840d8a",
    ] {
        assert!(!is_key_shaped(word), "{word}");
    }
}

#[track_caller]
fn check_text(input: &str, expected: &str) {
    assert_eq!(text(input), expected, "{input}");
}

#[test]
fn text_loses_bearer_tokens_and_key_shaped_words() {
    check_text(
        &format!("Authorization: Bearer {KEY}"),
        "Authorization: Bearer [redacted]",
    );
    check_text(
        "authorization: bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x",
        "authorization: bearer [redacted]",
    );
    check_text(
        &format!("invalid type: string \"{KEY}\", expected u16"),
        "invalid type: string \"[redacted]\", expected u16",
    );
    check_text(&format!("{KEY} and {KEY}"), "[redacted] and [redacted]");
    check_text(&format!("sk-{KEY}!"), "sk-[redacted]!");
    check_text("é ü Bearer Zx9Qv7Lp2Rt5Wm8K ✓", "é ü Bearer [redacted] ✓");
}

#[test]
fn prose_is_not_taken_for_secrets() {
    for input in [
        "the bearer of bad news is the messenger",
        "Bearer instruments-of-the-state are old",
        "Bearer short",
        "chat-0123456789abcdef0123456789abcdef",
        "▁These▁are a few of my favorite things",
        "",
    ] {
        assert!(matches!(text(input), Cow::Borrowed(_)), "{input}");
    }
}

#[test]
fn json_bodies_lose_credential_members_keys_and_bearer_tokens() {
    let mut body = json!({
        "prompt": "Hi",
        "api_key": KEY,
        "apiKey": "not-shaped",
        "headers": {"Authorization": "Basic dXNlcjpwYXNz", "x-api-key": "abc"},
        "access_token": "t",
        "nested": [KEY, {"note": format!("Bearer {KEY} leaked")}],
        "token": "▁Hi",
        "generatedToken": {"token": "▁Hi", "logprob": -0.5},
        "maxTokens": 16,
    });
    json(&mut body);
    assert_eq!(
        body,
        json!({
            "prompt": "Hi",
            "api_key": "[redacted]",
            "apiKey": "[redacted]",
            "headers": {"Authorization": "[redacted]", "x-api-key": "[redacted]"},
            "access_token": "[redacted]",
            "nested": ["[redacted]", {"note": "Bearer [redacted] leaked"}],
            "token": "▁Hi",
            "generatedToken": {"token": "▁Hi", "logprob": -0.5},
            "maxTokens": 16,
        })
    );
}

#[test]
fn bearer_tokens_in_json_strings_are_found_wherever_the_word_stands() {
    let token = "eyJhbGciOiJIUzI1NiJ9.Payload123";
    for (text, masked) in [
        (format!("Bearer {token}"), "Bearer [redacted]".to_owned()),
        (
            format!("x BEARER\t{token}!"),
            "x BEARER\t[redacted]!".to_owned(),
        ),
        (
            format!("(bEaReR {token})"),
            "(bEaReR [redacted])".to_owned(),
        ),
        (
            format!("a-bearer {token}"),
            "a-bearer [redacted]".to_owned(),
        ),
        (
            format!("bob abba Bearer {token} and bearer {token}b"),
            "bob abba Bearer [redacted] and bearer [redacted]".to_owned(),
        ),
    ] {
        let mut body = json!({"note": text});
        json(&mut body);
        assert_eq!(body, json!({"note": masked}));
    }
    // `bearer` inside a longer word, or at the very end, is not the word.
    for text in [
        format!("unbearer {token}"),
        format!("2bearer {token}"),
        format!("bearers {token}"),
        format!("bearer2 {token}"),
        format!("beare {token}"),
        format!("b bb {token} bearer"),
    ] {
        let mut body = json!({"note": text.clone()});
        json(&mut body);
        assert_eq!(body, json!({"note": text}));
    }
}

#[test]
fn json_text_around_a_key_is_left_alone() {
    // Redaction must not change the length of prompt or completion text: the validator
    // checks token offsets into it. A key inside prose is masked with the content instead.
    let original = json!({"completions": [{"data": {"text": format!("my key is {KEY}")}}]});
    let mut body = original.clone();
    json(&mut body);
    assert_eq!(body, original);
}

#[test]
fn redacted_json_serialises_like_redacted_json_values() {
    let original = json!({"a": KEY, "password": "p", "b": [1, {"c": format!("Bearer {KEY}")}]});
    let mut redacted = original.clone();
    json(&mut redacted);
    let serialised = serde_json::to_value(RedactedJson(&original)).expect("serialises");
    assert_eq!(serialised, redacted);
}

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

#[test]
fn api_keys_never_print() {
    let api_key = ApiKey::new(KEY);
    assert_eq!(format!("{api_key}"), REDACTED);
    assert_eq!(format!("{api_key:?}"), REDACTED);
    assert_eq!(format!("{:?}", Some(&api_key)), "Some([redacted])");
    assert_eq!(api_key.expose(), KEY);
}

#[test]
fn api_keys_come_from_the_environment() {
    // Unlikely names, so that the test does not depend on the machine.
    let error = ApiKey::from_env("AI21_CONTRACT_TEST_KEY_THAT_IS_NEVER_SET")
        .expect_err("the variable is not set");
    assert_eq!(
        error.to_string(),
        "environment variable AI21_CONTRACT_TEST_KEY_THAT_IS_NEVER_SET: not set"
    );
    let key = ApiKey::from_env("PATH").expect("PATH is set in tests");
    assert_eq!(key.to_string(), REDACTED);
}
