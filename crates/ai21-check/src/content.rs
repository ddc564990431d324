//! Masking prompt and completion text, for `--redact-content`: what a report may not show
//! even though it is not a secret.

use ai21_capture::{Body, Content, Record};
use serde_json::Value;

#[cfg(test)]
mod tests;

/// Replaces prompt and completion text in a JSON payload of any kind by
/// `[redacted: N chars]`, for `--redact-content`.
///
/// Masked: J2 `prompt` (a request's string, a response's `prompt.text`), `completions[].
/// data.text`, the `token` of every token (`generatedToken.token`, `topTokens[].token`);
/// Jamba `messages[].content`, `choices[].message.content`, `choices[].delta.content`,
/// tool call `function.arguments`, `documents[].content` and `documents[].metadata[].value`,
/// logprob tokens; the `input` echoed by a validation error in `detail`. Shapes that do not
/// match are left alone: the payload may be invalid, and masking must not fail on it.
///
/// Masking changes text lengths, so it belongs after validation, on what is printed.
pub fn mask_content(value: &mut Value) {
    let Value::Object(members) = value else {
        return;
    };
    match members.get_mut("prompt") {
        Some(Value::Object(prompt)) => {
            mask_member(prompt, "text");
            mask_tokens(prompt.get_mut("tokens"));
        }
        Some(prompt) => mask_string(prompt),
        None => {}
    }
    for completion in array_items(members.get_mut("completions")) {
        if let Some(Value::Object(data)) = completion.get_mut("data") {
            mask_member(data, "text");
            mask_tokens(data.get_mut("tokens"));
        }
    }
    for message in array_items(members.get_mut("messages")) {
        mask_message(message);
    }
    for document in array_items(members.get_mut("documents")) {
        if let Value::Object(document) = document {
            mask_member(document, "content");
            for metadata in array_items(document.get_mut("metadata")) {
                if let Value::Object(metadata) = metadata {
                    mask_member(metadata, "value");
                }
            }
        }
    }
    for choice in array_items(members.get_mut("choices")) {
        if let Value::Object(choice) = choice {
            if let Some(message) = choice.get_mut("message") {
                mask_message(message);
            }
            if let Some(delta) = choice.get_mut("delta") {
                mask_message(delta);
            }
            if let Some(logprobs) = choice.get_mut("logprobs") {
                mask_all_named(logprobs, "token");
            }
        }
    }
    for detail in array_items(members.get_mut("detail")) {
        if let Value::Object(detail) = detail
            && let Some(input) = detail.get_mut("input")
        {
            mask_all_strings(input);
        }
    }
}

/// `[redacted: N chars]`, what masked content is replaced with (`N` counts characters).
pub fn masked(text: &str) -> String {
    format!("[redacted: {} chars]", text.chars().count())
}

/// Masks the content of every `data:` event of a `text/event-stream` body with
/// [`mask_content`]; an event that is not JSON is masked whole, other lines are kept.
pub fn mask_stream(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (content, ending) = match line.strip_suffix("\r\n") {
            Some(content) => (content, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(content) => (content, "\n"),
                None => (line, ""),
            },
        };
        let Some(data) = content.strip_prefix("data:") else {
            output.push_str(line);
            continue;
        };
        let event = data.trim();
        output.push_str("data: ");
        if event == "[DONE]" {
            output.push_str(event);
        } else {
            match serde_json::from_str::<Value>(event) {
                Ok(mut chunk) => {
                    mask_content(&mut chunk);
                    output.push_str(&chunk.to_string());
                }
                Err(_) => output.push_str(&masked(event)),
            }
        }
        output.push_str(ending);
    }
    output
}

/// Masks prompt and completion text in a record's bodies: JSON with [`mask_content`],
/// streams with [`mask_stream`], other text whole.
pub fn mask_record_content(record: &mut Record) {
    match &mut record.content {
        Content::Payload(payload) => mask_content(&mut payload.body),
        Content::Exchange(exchange) => {
            mask_body(&mut exchange.request.body);
            mask_body(&mut exchange.response.body);
        }
    }
}

fn mask_body(body: &mut Body) {
    match body {
        Body::Absent => {}
        Body::Json(value) => mask_content(value),
        Body::EventStream(text) => *text = mask_stream(text),
        Body::Text(text) => *text = masked(text),
    }
}

fn array_items(value: Option<&mut Value>) -> impl Iterator<Item = &mut Value> {
    let items = match value {
        Some(Value::Array(items)) => Some(items),
        _ => None,
    };
    items.into_iter().flatten()
}

fn mask_string(value: &mut Value) {
    if let Value::String(string) = value {
        *string = masked(string);
    }
}

fn mask_member(members: &mut serde_json::Map<String, Value>, name: &str) {
    if let Some(value) = members.get_mut(name) {
        mask_string(value);
    }
}

/// Masks a Jamba message or delta: its content (a string, or parts with `text`) and its
/// tool call arguments.
fn mask_message(message: &mut Value) {
    let Value::Object(message) = message else {
        return;
    };
    match message.get_mut("content") {
        Some(Value::Array(parts)) => {
            for part in parts {
                match part {
                    Value::Object(part) => mask_member(part, "text"),
                    other => mask_string(other),
                }
            }
        }
        Some(content) => mask_string(content),
        None => {}
    }
    for tool_call in array_items(message.get_mut("tool_calls")) {
        if let Some(Value::Object(function)) = tool_call.get_mut("function") {
            mask_member(function, "arguments");
        }
    }
}

/// Masks the J2 token strings of a `tokens` array.
fn mask_tokens(tokens: Option<&mut Value>) {
    for token in array_items(tokens) {
        if let Some(Value::Object(generated)) = token.get_mut("generatedToken") {
            mask_member(generated, "token");
        }
        for top in array_items(token.get_mut("topTokens")) {
            if let Value::Object(top) = top {
                mask_member(top, "token");
            }
        }
    }
}

/// Masks every string member called `name`, at any depth.
fn mask_all_named(value: &mut Value, name: &str) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| mask_all_named(item, name)),
        Value::Object(members) => {
            for (member_name, member) in members.iter_mut() {
                if member_name == name {
                    mask_string(member);
                } else {
                    mask_all_named(member, name);
                }
            }
        }
        _ => {}
    }
}

fn mask_all_strings(value: &mut Value) {
    match value {
        Value::String(_) => mask_string(value),
        Value::Array(items) => items.iter_mut().for_each(mask_all_strings),
        Value::Object(members) => members.values_mut().for_each(mask_all_strings),
        _ => {}
    }
}
