//! Adjusts a schema-generated value so it also satisfies the API rules of its kind (see
//! the [module docs](super) for the list). Every adjustment keeps the value valid against
//! the schema.

use ai21_schemas::PayloadKind;
use ai21_validate::KNOWN_FINISH_REASONS;
use proptest::sample::Index;
use serde_json::{Value, json};

use crate::model;
use crate::tiling::{Tiling, unspell};

/// Makes `value` satisfy the API rules of `kind`; `choice` picks among fitting values.
pub(super) fn satisfy_rules(kind: PayloadKind, value: &mut Value, choice: &Index) {
    match kind {
        PayloadKind::J2CompleteRequest => {
            if let Some(name) = value.get_mut("model") {
                *name = Value::from(pick(model::j2(), choice));
            }
            for penalty in ["frequencyPenalty", "presencePenalty", "countPenalty"] {
                if let Some(Value::Object(flags)) = value.get_mut(penalty)
                    && let Some(flag) = flags.remove("applyToPunctuation")
                {
                    flags.entry("applyToPunctuations").or_insert(flag);
                }
            }
        }
        PayloadKind::J2CompleteResponse => j2_response(value),
        PayloadKind::JambaChatRequest => jamba_request(value, choice),
        PayloadKind::JambaChatResponse => jamba_response(value, choice),
        PayloadKind::JambaChatStreamChunk => {
            if let Some(usage) = value.get_mut("usage") {
                fix_usage(usage);
            }
            if let Some(Value::Array(choices)) = value.get_mut("choices") {
                for chunk_choice in choices {
                    if let Some(reason @ Value::String(_)) = chunk_choice.get_mut("finish_reason") {
                        *reason = Value::from(pick(&KNOWN_FINISH_REASONS, choice));
                    }
                }
            }
        }
        PayloadKind::ErrorResponse => {}
    }
}

fn pick<'a>(options: &[&'a str], choice: &Index) -> &'a str {
    options[choice.index(options.len())]
}

/// Texts rebuilt from their tokens with the one J2 tiling, so the ranges tile them.
fn j2_response(value: &mut Value) {
    if let Some(prompt) = value.get_mut("prompt") {
        tile(prompt);
    }
    if let Some(Value::Array(completions)) = value.get_mut("completions") {
        for completion in completions {
            if let Some(data) = completion.get_mut("data") {
                tile(data);
            }
        }
    }
}

/// Makes `holder`'s text the text its tokens stand for, each token spelled and ranged as
/// the tiling says (a holder without tokens gets an empty text).
fn tile(holder: &mut Value) {
    let Some(Value::Array(tokens)) = holder.get_mut("tokens") else {
        return;
    };
    let mut tiling = Tiling::new();
    for token in tokens.iter_mut() {
        let piece = token
            .pointer("/generatedToken/token")
            .and_then(Value::as_str)
            .map(unspell)
            .unwrap_or_default();
        let tiled = tiling.push(&piece);
        if let Some(generated) = token.get_mut("generatedToken") {
            set(generated, "token", Value::from(tiled.token));
        }
        set(
            token,
            "textRange",
            json!({"start": tiled.start, "end": tiled.end}),
        );
    }
    set(holder, "text", Value::from(tiling.into_text()));
}

fn jamba_request(value: &mut Value, choice: &Index) {
    if let Some(name) = value.get_mut("model") {
        *name = Value::from(pick(model::jamba(), choice));
    }
    if let Some(Value::Array(messages)) = value.get_mut("messages") {
        let mut position = 0;
        messages.retain(|message| {
            let keep =
                position == 0 || message.get("role").and_then(Value::as_str) != Some("system");
            position += 1;
            keep
        });
        for message in messages.iter_mut() {
            if let Some(Value::Array(calls)) = message.get_mut("tool_calls") {
                fix_tool_calls(calls);
            }
            if message.get("role").and_then(Value::as_str) == Some("assistant") {
                let has_text = message
                    .get("content")
                    .and_then(Value::as_str)
                    .is_some_and(|text| !text.is_empty());
                let has_calls = message
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .is_some_and(|calls| !calls.is_empty());
                if !has_text && !has_calls {
                    set(message, "content", Value::from("Sure."));
                }
            }
        }
    }
    let n = value.get("n").and_then(integer).unwrap_or(1);
    if n > 1 && value.get("temperature").and_then(Value::as_f64) == Some(0.0) {
        set(value, "temperature", Value::from(0.7));
    }
    if value.get("stream").and_then(Value::as_bool) == Some(true) && n != 1 {
        set(value, "n", Value::from(1));
    }
}

fn jamba_response(value: &mut Value, choice: &Index) {
    if let Some(usage) = value.get_mut("usage") {
        fix_usage(usage);
    }
    if let Some(name) = value.get_mut("model") {
        *name = Value::from(pick(model::jamba(), choice));
    }
    if let Some(Value::Array(choices)) = value.get_mut("choices") {
        for (index, response_choice) in choices.iter_mut().enumerate() {
            set(response_choice, "index", Value::from(index));
            if let Some(reason @ Value::String(_)) = response_choice.get_mut("finish_reason") {
                *reason = Value::from(pick(&KNOWN_FINISH_REASONS, choice));
            }
            if let Some(Value::Array(calls)) = response_choice
                .get_mut("message")
                .and_then(|message| message.get_mut("tool_calls"))
            {
                fix_tool_calls(calls);
            }
        }
    }
}

/// `total_tokens` is the sum of the other two.
fn fix_usage(usage: &mut Value) {
    let get = |name: &str| usage.get(name).and_then(integer);
    if let (Some(prompt), Some(completion)) = (get("prompt_tokens"), get("completion_tokens")) {
        set(
            usage,
            "total_tokens",
            Value::from(prompt.saturating_add(completion)),
        );
    }
}

/// Tool call arguments hold JSON: the generated text becomes a value in a JSON object.
fn fix_tool_calls(calls: &mut [Value]) {
    for call in calls {
        if let Some(arguments @ Value::String(_)) = call
            .get_mut("function")
            .and_then(|function| function.get_mut("arguments"))
        {
            let text = arguments.as_str().unwrap_or_default().to_owned();
            *arguments = Value::from(json!({ "query": text }).to_string());
        }
    }
}

/// An integer however it is written: `3` or `3.0` (the generator writes both).
fn integer(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "an integral f64 within u64's range converts exactly"
        )]
        value
            .as_f64()
            .filter(|float| {
                float.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(float)
            })
            .map(|float| float as u64)
    })
}

/// Sets `key` of an object (anything else is left alone).
fn set(value: &mut Value, key: &str, new: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_owned(), new);
    }
}
