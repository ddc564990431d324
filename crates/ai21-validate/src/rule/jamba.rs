//! Rules for Jamba `chat/completions` payloads that the schema cannot express.

use serde_json::Value;

use crate::describe::{count, or_list, short_str};
use crate::model::{Use, check_model};
use crate::report::Finding;
use crate::rule::{Defaults, integer, parameter};

/// The finish reasons the contract knows (api-facts section 5 and section 8 item 7); the
/// schema keeps the set open, and anything else is drift.
pub(crate) const KNOWN_FINISH_REASONS: [&str; 4] =
    ["stop", "length", "tool_calls", "content_filter"];

/// Rules for a Jamba request on its own.
pub(crate) fn request(request: &Value, defaults: &Defaults, out: &mut Vec<Finding>) {
    let (n, _) = parameter(request, "n", integer, defaults.jamba_n);
    let (temperature, temperature_note) = parameter(
        request,
        "temperature",
        Value::as_f64,
        defaults.jamba_temperature,
    );
    let (stream, _) = parameter(request, "stream", Value::as_bool, defaults.jamba_stream);
    if n > 1 && temperature <= 0.0 {
        let pointer = if request.get("temperature").is_some() {
            "/temperature"
        } else {
            "/n"
        };
        out.push(Finding::error(
            "jamba/n-needs-temperature",
            pointer,
            format!(
                "n is {n}, so temperature must be above 0, found {temperature}{temperature_note}: the server rejects several choices at temperature 0, as they would all be the same"
            ),
        ));
    }
    if stream && n != 1 {
        out.push(Finding::error(
            "jamba/stream-needs-single-choice",
            "/n",
            format!("stream is true, so n must be 1, found {n}: a stream carries a single choice"),
        ));
    }
    if let Some(Value::Array(messages)) = request.get("messages") {
        for (index, message) in messages.iter().enumerate() {
            if index > 0 && message.get("role").and_then(Value::as_str) == Some("system") {
                out.push(Finding::warning(
                    "jamba/system-message-first",
                    format!("/messages/{index}"),
                    format!(
                        "messages[{index}] is a system message: a system message only comes first"
                    ),
                ));
            }
            if let Some(Value::Array(calls)) = message.get("tool_calls") {
                tool_arguments(calls, &format!("/messages/{index}/tool_calls"), out);
            }
            if message.get("role").and_then(Value::as_str) == Some("assistant") {
                assistant_message(message, index, out);
            }
        }
    }
    if let Some(Value::String(model)) = request.get("model") {
        out.extend(check_model(model, "model", "/model", Use::Request));
    }
}

/// An assistant message has text or tool calls. Its `content` may be `null` or absent
/// beside tool calls (how clients replay an answer that only called tools), and an answer
/// without tool calls keeps the preview docs' rule that content is not empty. A `content`
/// or `tool_calls` of another type is the schema's finding, so the rule says nothing then.
fn assistant_message(message: &Value, index: usize, out: &mut Vec<Finding>) {
    let text = match message.get("content") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.as_str()),
        Some(_) => return,
    };
    let calls = match message.get("tool_calls") {
        None | Some(Value::Null) => 0,
        Some(Value::Array(calls)) => calls.len(),
        Some(_) => return,
    };
    if calls > 0 || text.is_some_and(|text| !text.is_empty()) {
        return;
    }
    let tool_calls = match message.get("tool_calls") {
        None => "absent",
        Some(Value::Null) => "null",
        Some(_) => "empty",
    };
    let (pointer, content) = match text {
        Some(_) => (format!("/messages/{index}/content"), "empty"),
        None if message.get("content").is_some() => (format!("/messages/{index}"), "null"),
        None => (format!("/messages/{index}"), "absent"),
    };
    out.push(Finding::error(
        "jamba/assistant-message-empty",
        pointer,
        format!(
            "messages[{index}] is an assistant message with no text and no tool call: content is {content} and tool_calls is {tool_calls}; an assistant message needs non-empty content or at least one tool call"
        ),
    ));
}

/// Rules for a (non-streamed or reassembled) Jamba response on its own.
pub(crate) fn response(response: &Value, out: &mut Vec<Finding>) {
    if let Some(usage) = response.get("usage") {
        usage_total(usage, "/usage", out);
    }
    if let Some(Value::Array(choices)) = response.get("choices") {
        choice_indexes(choices, out);
        for (index, choice) in choices.iter().enumerate() {
            if let Some(Value::Array(calls)) = choice
                .get("message")
                .and_then(|message| message.get("tool_calls"))
            {
                tool_arguments(calls, &format!("/choices/{index}/message/tool_calls"), out);
            }
            finish_reason(choice, &format!("/choices/{index}/finish_reason"), out);
        }
    }
    if let Some(Value::String(model)) = response.get("model") {
        out.extend(check_model(model, "model", "/model", Use::Response));
    }
}

/// Rules for one stream chunk on its own.
pub(crate) fn chunk(chunk: &Value, out: &mut Vec<Finding>) {
    if let Some(usage) = chunk.get("usage") {
        usage_total(usage, "/usage", out);
    }
    if let Some(Value::Array(choices)) = chunk.get("choices") {
        for (index, choice) in choices.iter().enumerate() {
            finish_reason(choice, &format!("/choices/{index}/finish_reason"), out);
        }
    }
}

fn usage_total(usage: &Value, pointer: &str, out: &mut Vec<Finding>) {
    let get = |name: &str| usage.get(name).and_then(integer);
    let (Some(prompt), Some(completion), Some(total)) = (
        get("prompt_tokens"),
        get("completion_tokens"),
        get("total_tokens"),
    ) else {
        return;
    };
    let sum = u128::from(prompt) + u128::from(completion);
    if u128::from(total) != sum {
        out.push(Finding::error(
            "jamba/usage-total",
            format!("{pointer}/total_tokens"),
            format!(
                "total_tokens is {total}, but prompt_tokens + completion_tokens is {prompt} + {completion} = {sum}"
            ),
        ));
    }
}

fn choice_indexes(choices: &[Value], out: &mut Vec<Finding>) {
    let n = choices.len();
    let mut seen: Vec<Option<usize>> = vec![None; n];
    for (position, choice) in choices.iter().enumerate() {
        let Some(index) = choice.get("index").and_then(integer) else {
            continue;
        };
        let pointer = format!("/choices/{position}/index");
        match usize::try_from(index).ok().filter(|index| *index < n) {
            None => out.push(Finding::error(
                "jamba/choice-index",
                pointer,
                format!(
                    "index {index} leaves a gap: {} are numbered 0 to {}",
                    count(n, "choice"),
                    n - 1
                ),
            )),
            Some(index) => match seen[index] {
                Some(first) => out.push(Finding::error(
                    "jamba/choice-index",
                    pointer,
                    format!("index {index} is used twice, also by choices[{first}]"),
                )),
                None => seen[index] = Some(position),
            },
        }
    }
}

fn tool_arguments(calls: &[Value], pointer: &str, out: &mut Vec<Finding>) {
    for (index, call) in calls.iter().enumerate() {
        let Some(Value::String(arguments)) = call
            .get("function")
            .and_then(|function| function.get("arguments"))
        else {
            continue;
        };
        if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(arguments) {
            out.push(Finding::error(
                "jamba/tool-arguments-json",
                format!("{pointer}/{index}/function/arguments"),
                format!(
                    "arguments {} is not valid JSON: {error}",
                    short_str(arguments)
                ),
            ));
        }
    }
}

fn finish_reason(choice: &Value, pointer: &str, out: &mut Vec<Finding>) {
    if let Some(Value::String(reason)) = choice.get("finish_reason")
        && !KNOWN_FINISH_REASONS.contains(&reason.as_str())
    {
        out.push(Finding::warning(
            "drift/unknown-finish-reason",
            pointer,
            format!(
                "finish_reason {} is not one of the known values {}",
                short_str(reason),
                or_list(KNOWN_FINISH_REASONS.iter().map(|known| short_str(known)))
            ),
        ));
    }
}
