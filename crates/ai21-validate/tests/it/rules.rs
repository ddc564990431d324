//! The API rules beyond the schema and the drift warnings: for each rule id, payloads
//! that pass and payloads that fail, one line of data each.

use ai21_validate::{PayloadKind, RULES, Severity, rule_info};
use serde_json::{Value, json};

use crate::support::{j2_response, jamba_request, jamba_response, rules_at, token, validate, with};

/// Validates `payload` and compares the (rule, pointer) list of the report.
fn check(kind: PayloadKind, payload: &Value, expected: &[(&str, &str)]) {
    let report = validate(kind, payload);
    let expected: Vec<(&str, String)> = expected
        .iter()
        .map(|(rule, pointer)| (*rule, (*pointer).to_owned()))
        .collect();
    assert_eq!(rules_at(&report), expected, "{payload}\n{report}");
}

const J2_RESPONSE: PayloadKind = PayloadKind::J2CompleteResponse;
const J2_REQUEST: PayloadKind = PayloadKind::J2CompleteRequest;
const JAMBA_REQUEST: PayloadKind = PayloadKind::JambaChatRequest;
const JAMBA_RESPONSE: PayloadKind = PayloadKind::JambaChatResponse;
const CHUNK: PayloadKind = PayloadKind::JambaChatStreamChunk;

#[test]
fn j2_completion_count() {
    check(J2_RESPONSE, &j2_response(), &[]);
    check(
        J2_RESPONSE,
        &with(&j2_response(), "/completions", json!([])),
        &[
            ("schema/minItems", "/completions"),
            ("j2/completion-count", "/completions"),
        ],
    );
}

#[test]
fn j2_text_range_order() {
    let response = with(
        &j2_response(),
        "/completions/0/data/tokens/1/textRange",
        json!({"start": 3, "end": 0}),
    );
    check(
        J2_RESPONSE,
        &response,
        &[
            (
                "j2/text-range-order",
                "/completions/0/data/tokens/1/textRange",
            ),
            (
                "j2/text-range-tiling",
                "/completions/0/data/tokens/1/textRange/start",
            ),
        ],
    );
}

#[test]
fn j2_text_range_tiling_counts_code_points() {
    // Zero-width tokens at the start and the end tile.
    check(J2_RESPONSE, &j2_response(), &[]);
    let cases: &[(&str, Value, &str)] = &[
        // UTF-16 offsets: the emoji counted as two units overshoots the 7 code points.
        (
            "/prompt/tokens/1/textRange/end",
            json!(8),
            "/prompt/tokens/1/textRange/end",
        ),
        // UTF-8 byte offsets: `héllo` is 6 bytes.
        (
            "/prompt/tokens/0/textRange/end",
            json!(6),
            "/prompt/tokens/1/textRange/start",
        ),
        // A gap between tokens.
        (
            "/prompt/tokens/1/textRange/start",
            json!(6),
            "/prompt/tokens/1/textRange/start",
        ),
        // The first token does not start at 0.
        (
            "/prompt/tokens/0/textRange/start",
            json!(1),
            "/prompt/tokens/0/textRange/start",
        ),
        // The last token stops short of the text's end.
        (
            "/completions/0/data/text",
            json!(" ok!"),
            "/completions/0/data/tokens/2/textRange/end",
        ),
        // No tokens for a non-empty text.
        (
            "/completions/0/data/tokens",
            json!([]),
            "/completions/0/data/tokens",
        ),
    ];
    for (pointer, value, expected) in cases {
        let response = with(&j2_response(), pointer, value.clone());
        check(
            J2_RESPONSE,
            &response,
            &[("j2/text-range-tiling", expected)],
        );
    }
    // An empty text with no tokens is tiled.
    let empty = with(
        &with(&j2_response(), "/completions/0/data/tokens", json!([])),
        "/completions/0/data/text",
        json!(""),
    );
    check(J2_RESPONSE, &empty, &[]);
}

#[test]
fn j2_text_range_tiling_reports_one_finding_per_list() {
    let mut response = j2_response();
    response["prompt"]["tokens"] = json!([token("a", 1, 2), token("b", 3, 4), token("c", 5, 6)]);
    let report = validate(J2_RESPONSE, &response);
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(
        report.findings[0].message,
        "the first token starts at 1, but the ranges must start at 0 (and 3 more places in this list)"
    );
}

#[test]
fn j2_penalty_flag_spelling() {
    let request =
        json!({"prompt": "Hi", "presencePenalty": {"scale": 1, "applyToPunctuations": false}});
    check(J2_REQUEST, &request, &[]);
    let request =
        json!({"prompt": "Hi", "presencePenalty": {"scale": 1, "applyToPunctuation": false}});
    check(
        J2_REQUEST,
        &request,
        &[(
            "j2/penalty-flag-spelling",
            "/presencePenalty/applyToPunctuation",
        )],
    );
}

#[test]
fn jamba_usage_total() {
    check(JAMBA_RESPONSE, &jamba_response(), &[]);
    check(
        JAMBA_RESPONSE,
        &with(&jamba_response(), "/usage/total_tokens", json!(150)),
        &[("jamba/usage-total", "/usage/total_tokens")],
    );
    let chunk = json!({"id": "c", "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 3}});
    check(
        CHUNK,
        &chunk,
        &[("jamba/usage-total", "/usage/total_tokens")],
    );
}

#[test]
fn jamba_choice_index() {
    let choice = |index: u64| {
        let mut choice = jamba_response()["choices"][0].clone();
        choice["index"] = json!(index);
        choice
    };
    let response = |indexes: &[u64]| {
        with(
            &jamba_response(),
            "/choices",
            Value::Array(indexes.iter().map(|index| choice(*index)).collect()),
        )
    };
    check(JAMBA_RESPONSE, &response(&[0, 1, 2]), &[]);
    check(JAMBA_RESPONSE, &response(&[1, 0]), &[]);
    check(
        JAMBA_RESPONSE,
        &response(&[0, 2]),
        &[("jamba/choice-index", "/choices/1/index")],
    );
    check(
        JAMBA_RESPONSE,
        &response(&[0, 0]),
        &[("jamba/choice-index", "/choices/1/index")],
    );
    check(
        JAMBA_RESPONSE,
        &response(&[1]),
        &[("jamba/choice-index", "/choices/0/index")],
    );
}

#[test]
fn jamba_tool_arguments_json() {
    let call = |arguments: &str| json!([{"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": arguments}}]);
    let response = with(
        &jamba_response(),
        "/choices/0/message/tool_calls",
        call(r#"{"city": "Paris"}"#),
    );
    check(JAMBA_RESPONSE, &response, &[]);
    let response = with(
        &jamba_response(),
        "/choices/0/message/tool_calls",
        call(r#"{"city": "Paris""#),
    );
    check(
        JAMBA_RESPONSE,
        &response,
        &[(
            "jamba/tool-arguments-json",
            "/choices/0/message/tool_calls/0/function/arguments",
        )],
    );
    // The same rule holds for tool calls replayed in a request.
    let request = json!({"model": "jamba-large", "messages": [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": "Checking", "tool_calls": call("city=Paris")},
        {"role": "tool", "content": "18C", "tool_call_id": "call_1"}
    ]});
    check(
        JAMBA_REQUEST,
        &request,
        &[(
            "jamba/tool-arguments-json",
            "/messages/1/tool_calls/0/function/arguments",
        )],
    );
}

#[test]
fn jamba_n_needs_temperature() {
    let request = |extra: Value| {
        let mut request = jamba_request();
        if let (Value::Object(map), Value::Object(extra)) = (&mut request, extra) {
            map.extend(extra);
        }
        request
    };
    check(
        JAMBA_REQUEST,
        &request(json!({"n": 3, "temperature": 0.5})),
        &[],
    );
    // Absent, the temperature takes the schema's default, 0.4.
    check(JAMBA_REQUEST, &request(json!({"n": 3})), &[]);
    check(
        JAMBA_REQUEST,
        &request(json!({"n": 1, "temperature": 0})),
        &[],
    );
    check(
        JAMBA_REQUEST,
        &request(json!({"n": 3, "temperature": 0})),
        &[("jamba/n-needs-temperature", "/temperature")],
    );
    // 3.0 is the integer 3 to JSON Schema and to the server, and so to the rules.
    check(
        JAMBA_REQUEST,
        &request(json!({"n": 3.0, "temperature": 0})),
        &[("jamba/n-needs-temperature", "/temperature")],
    );
    check(
        JAMBA_REQUEST,
        &request(json!({"n": 1.0, "temperature": 0})),
        &[],
    );
}

#[test]
fn jamba_stream_needs_single_choice() {
    let mut request = jamba_request();
    request["stream"] = json!(true);
    check(JAMBA_REQUEST, &request, &[]);
    request["n"] = json!(2);
    check(
        JAMBA_REQUEST,
        &request,
        &[("jamba/stream-needs-single-choice", "/n")],
    );
    request["n"] = json!(2.0);
    check(
        JAMBA_REQUEST,
        &request,
        &[("jamba/stream-needs-single-choice", "/n")],
    );
}

#[test]
fn jamba_system_message_first() {
    let system = json!({"role": "system", "content": "Be terse."});
    let user = json!({"role": "user", "content": "Hi"});
    let request = json!({"model": "jamba-large", "messages": [system, user]});
    check(JAMBA_REQUEST, &request, &[]);
    let request = json!({"model": "jamba-large", "messages": [user, system]});
    check(
        JAMBA_REQUEST,
        &request,
        &[("jamba/system-message-first", "/messages/1")],
    );
    assert_eq!(
        validate(JAMBA_REQUEST, &request).findings[0].severity,
        Severity::Warning
    );
}

#[test]
fn drift_unknown_field() {
    // Bedrock's meta and model are declared.
    let mut response = jamba_response();
    response["meta"] = json!({"requestDurationMillis": 120});
    response["model"] = json!("jamba-1.5-mini");
    check(JAMBA_RESPONSE, &response, &[]);
    // Azure's created and object are not; neither is a field inside a choice.
    response["created"] = json!(1_718_000_000);
    response["choices"][0]["message"]["refusal"] = json!(null);
    check(
        JAMBA_RESPONSE,
        &response,
        &[
            ("drift/unknown-field", "/choices/0/message/refusal"),
            ("drift/unknown-field", "/created"),
        ],
    );
    // The J2 finish reason's branch is chosen by its `reason`.
    let mut response = j2_response();
    response["completions"][0]["finishReason"] =
        json!({"reason": "stop", "sequence": "\n", "index": 3});
    response["timestamp"] = json!("2023-01-01");
    check(
        J2_RESPONSE,
        &response,
        &[
            ("drift/unknown-field", "/completions/0/finishReason/index"),
            ("drift/unknown-field", "/timestamp"),
        ],
    );
    // Requests are closed: an unknown field is a schema error, not drift.
    let mut request = jamba_request();
    request["user"] = json!("u-1");
    check(
        JAMBA_REQUEST,
        &request,
        &[("schema/additionalProperties", "")],
    );
}

#[test]
fn drift_model_names() {
    let request = |model: &str| with(&jamba_request(), "/model", json!(model));
    for known in [
        "jamba-large",
        "jamba-1.5-mini",
        "jamba-mini-1.6-2025-03",
        "jamba-instruct-preview",
    ] {
        check(JAMBA_REQUEST, &request(known), &[]);
    }
    check(
        JAMBA_REQUEST,
        &request("jamba-9000"),
        &[("drift/unknown-model", "/model")],
    );
    check(
        JAMBA_REQUEST,
        &request("jamba-1.6-mini"),
        &[("drift/deprecated-model", "/model")],
    );
    let j2 = |model: &str| json!({"prompt": "Hi", "model": model});
    check(
        J2_REQUEST,
        &j2("j2-ultra"),
        &[("drift/retired-model", "/model")],
    );
    check(
        J2_REQUEST,
        &j2("j1-jumbo"),
        &[("drift/retired-model", "/model")],
    );
    check(
        J2_REQUEST,
        &j2("j3-huge"),
        &[("drift/unknown-model", "/model")],
    );
    // A response names the model that answered: Vertex's version suffix is fine, a
    // retired name is not news.
    let response = |model: &str| {
        let mut response = jamba_response();
        response["model"] = json!(model);
        response
    };
    check(JAMBA_RESPONSE, &response("jamba-1.5-mini@001"), &[]);
    check(
        JAMBA_RESPONSE,
        &response("mystery"),
        &[("drift/unknown-model", "/model")],
    );
}

#[test]
fn drift_unknown_finish_reason() {
    for known in ["stop", "length", "tool_calls", "content_filter"] {
        check(
            JAMBA_RESPONSE,
            &with(&jamba_response(), "/choices/0/finish_reason", json!(known)),
            &[],
        );
    }
    check(
        JAMBA_RESPONSE,
        &with(&jamba_response(), "/choices/0/finish_reason", json!("eos")),
        &[("drift/unknown-finish-reason", "/choices/0/finish_reason")],
    );
    let chunk = json!({"id": "c", "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "eos"}]});
    check(
        CHUNK,
        &chunk,
        &[("drift/unknown-finish-reason", "/choices/0/finish_reason")],
    );
}

#[test]
fn the_catalogue_lists_each_rule_once() {
    let mut ids: Vec<&str> = RULES.iter().map(|info| info.id).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "duplicate rule ids");
    for info in RULES {
        let (family, name) = info.id.split_once('/').expect("family/name");
        assert!(
            [
                "j2", "jamba", "drift", "pair", "stream", "client", "capture"
            ]
            .contains(&family),
            "{}",
            info.id
        );
        assert!(
            name.chars().all(|character| character.is_ascii_lowercase()
                || character.is_ascii_digit()
                || character == '-'),
            "{}",
            info.id
        );
        if family == "drift" {
            assert_eq!(info.severity, Severity::Warning, "{}", info.id);
        }
        // Only client defects about field names the server ignores are tolerated by it.
        assert_eq!(info.ignored_by_server, family == "client", "{}", info.id);
    }
    assert!(rule_info("pair/prompt-echo").is_some());
    assert!(rule_info("schema/required").is_none());
}

#[test]
fn jamba_assistant_message_empty() {
    let call = json!({"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}});
    let request = |assistant: Value| {
        json!({"model": "jamba-mini", "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            assistant,
            {"role": "user", "content": "And tomorrow?"}
        ]})
    };
    // What clients replay: text with `tool_calls: null`, tool calls with `content: null`
    // or no content, text with tool calls.
    for assistant in [
        json!({"role": "assistant", "content": "Sunny.", "tool_calls": null}),
        json!({"role": "assistant", "content": null, "tool_calls": [call]}),
        json!({"role": "assistant", "tool_calls": [call]}),
        json!({"role": "assistant", "content": "", "tool_calls": [call]}),
    ] {
        check(JAMBA_REQUEST, &request(assistant), &[]);
    }
    for (assistant, pointer) in [
        (json!({"role": "assistant"}), "/messages/1"),
        (
            json!({"role": "assistant", "content": null, "tool_calls": null}),
            "/messages/1",
        ),
        (
            json!({"role": "assistant", "content": null, "tool_calls": []}),
            "/messages/1",
        ),
        (
            json!({"role": "assistant", "content": ""}),
            "/messages/1/content",
        ),
    ] {
        check(
            JAMBA_REQUEST,
            &request(assistant),
            &[("jamba/assistant-message-empty", pointer)],
        );
    }
    // A content of another type is the schema's finding alone.
    check(
        JAMBA_REQUEST,
        &request(json!({"role": "assistant", "content": 3})),
        &[("schema/type", "/messages/1/content")],
    );
}

#[test]
fn every_optional_request_parameter_may_be_null() {
    // What the official SDK sends for arguments given as `None`.
    let jamba = json!({
        "model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": null, "temperature": null, "top_p": null, "stop": null, "n": null,
        "stream": null, "tools": null, "documents": null, "response_format": null
    });
    check(JAMBA_REQUEST, &jamba, &[]);
    let j2 = json!({
        "prompt": "These are a few of my favorite", "numResults": null, "maxTokens": null,
        "minTokens": null, "temperature": null, "topP": null, "stopSequences": null,
        "topKReturn": null, "frequencyPenalty": null, "presencePenalty": null,
        "countPenalty": null, "logitBias": null, "epoch": null, "customModel": null,
        "model": null
    });
    check(J2_REQUEST, &j2, &[]);
    let penalty = json!({"prompt": "x", "countPenalty": {"scale": 1, "applyToWhitespaces": null, "applyToNumbers": true}});
    check(J2_REQUEST, &penalty, &[]);
    // The values a parameter takes are still checked, and `null` is not a message.
    check(
        JAMBA_REQUEST,
        &with(&jamba, "/n", json!(0)),
        &[("schema/minimum", "/n")],
    );
    check(
        JAMBA_REQUEST,
        &with(
            &jamba,
            "/messages/0",
            json!({"role": "user", "content": null}),
        ),
        &[("schema/type", "/messages/0/content")],
    );
}

#[test]
fn client_ai21_python_penalty_snake_case() {
    // The ai21 SDK 2.10 to 3.0 dumps its Penalty model without aliases.
    let sdk_penalty = json!({"scale": 1.0, "apply_to_whitespaces": null, "apply_to_punctuation": null, "apply_to_numbers": false, "apply_to_stopwords": null, "apply_to_emojis": null});
    let request = json!({"model": "j2-ultra", "prompt": "x", "presencePenalty": sdk_penalty, "countPenalty": {"scale": 0}});
    let report = validate(J2_REQUEST, &request);
    // One finding for the fact, none for each field the schema does not know.
    assert_eq!(
        rules_at(&report),
        [
            ("drift/retired-model", "/model".to_owned()),
            (
                "client/ai21-python-penalty-snake-case",
                "/presencePenalty".to_owned()
            ),
        ],
        "{report}"
    );
    let finding = report
        .with_rule("client/ai21-python-penalty-snake-case")
        .next()
        .expect("the client finding");
    assert_eq!(finding.severity, Severity::Error);
    for needle in [
        "2.10.0 to 3.0.x",
        "apply_to_numbers (for applyToNumbers)",
        "so apply_to_numbers is not applied",
        "presencePenalty={\"scale\": 1.0, \"applyToNumbers\": false}",
        "presence_penalty=Penalty(...)",
    ] {
        assert!(finding.message.contains(needle), "{needle}: {finding}");
    }
    assert!(finding.ignored_by_server(), "the API ignores those fields");
    // Other problems of the same penalty are still the schema's, and an unknown field
    // that is not the SDK's is still unknown.
    let mut broken = request.clone();
    broken["presencePenalty"]
        .as_object_mut()
        .expect("an object")
        .remove("scale");
    broken["presencePenalty"]["applyToEmoji"] = json!(true);
    check(
        J2_REQUEST,
        &broken,
        &[
            ("schema/additionalProperties", "/presencePenalty"),
            ("schema/required", "/presencePenalty"),
            ("drift/retired-model", "/model"),
            ("client/ai21-python-penalty-snake-case", "/presencePenalty"),
        ],
    );
}
