//! Rules for Jamba `chat/completions` payloads that the schema cannot express.

use ai21_tape::{Kind, View};

use crate::describe::{count, or_list, short_str};
use crate::model::{Use, check_body_model};
use crate::report::Finding;
use crate::rule::{Defaults, integer, parameter};
use crate::validator::On;

/// The finish reasons the contract knows (api-facts section 5 and section 8 item 7); the
/// schema keeps the set open, and anything else is drift.
pub(crate) const KNOWN_FINISH_REASONS: [&str; 4] =
    ["stop", "length", "tool_calls", "content_filter"];

/// Rules for a Jamba request on its own.
pub(crate) fn request<'a, V: View<'a>>(
    request: V,
    defaults: &Defaults,
    on: On<'_>,
    out: &mut Vec<Finding>,
) {
    let (n, _) = parameter(request, "n", integer, defaults.jamba_n);
    let (temperature, temperature_note) = parameter(
        request,
        "temperature",
        V::as_f64,
        defaults.jamba_temperature,
    );
    let (stream, _) = parameter(request, "stream", V::as_bool, defaults.jamba_stream);
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
    if let Some(messages) = request.get("messages").and_then(View::items) {
        for (index, message) in messages.enumerate() {
            if index > 0 && message.get("role").and_then(View::as_str) == Some("system") {
                out.push(Finding::warning(
                    "jamba/system-message-first",
                    format!("/messages/{index}"),
                    format!(
                        "messages[{index}] is a system message: a system message only comes first"
                    ),
                ));
            }
            if let Some(calls) = message.get("tool_calls").and_then(View::items) {
                tool_arguments(calls, &format!("/messages/{index}/tool_calls"), out);
            }
            if message.get("role").and_then(View::as_str) == Some("assistant") {
                assistant_message(message, index, out);
            }
        }
    }
    check_body_model(request, Use::Request, on, out);
}

/// An assistant message has text or tool calls. Its `content` may be `null` or absent
/// beside tool calls (how clients replay an answer that only called tools), and an answer
/// without tool calls keeps the preview docs' rule that content is not empty. A `content`
/// or `tool_calls` of another type is the schema's finding, so the rule says nothing then.
fn assistant_message<'a>(message: impl View<'a>, index: usize, out: &mut Vec<Finding>) {
    let content = message.get("content");
    let text = match content.map(View::kind) {
        None | Some(Kind::Null) => None,
        Some(Kind::String) => content.and_then(View::as_str),
        Some(_) => return,
    };
    let tool_calls = message.get("tool_calls");
    let calls = match tool_calls.map(View::kind) {
        None | Some(Kind::Null) => 0,
        Some(Kind::Array) => tool_calls
            .and_then(View::items)
            .map_or(0, |calls| calls.len()),
        Some(_) => return,
    };
    if calls > 0 || text.is_some_and(|text| !text.is_empty()) {
        return;
    }
    let tool_calls = match tool_calls.map(View::kind) {
        None => "absent",
        Some(Kind::Null) => "null",
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
pub(crate) fn response<'a>(response: impl View<'a>, on: On<'_>, out: &mut Vec<Finding>) {
    if let Some(usage) = response.get("usage") {
        usage_total(usage, "/usage", out);
    }
    if let Some(choices) = response.get("choices").and_then(View::items) {
        choice_indexes(choices.clone(), out);
        for (index, choice) in choices.enumerate() {
            if let Some(calls) = choice
                .get("message")
                .and_then(|message| message.get("tool_calls"))
                .and_then(View::items)
            {
                tool_arguments(calls, &format!("/choices/{index}/message/tool_calls"), out);
            }
            finish_reason(choice, &format!("/choices/{index}/finish_reason"), out);
        }
    }
    check_body_model(response, Use::Response, on, out);
}

/// Rules for one stream chunk on its own.
pub(crate) fn chunk<'a>(chunk: impl View<'a>, out: &mut Vec<Finding>) {
    if let Some(usage) = chunk.get("usage") {
        usage_total(usage, "/usage", out);
    }
    if let Some(choices) = chunk.get("choices").and_then(View::items) {
        for (index, choice) in choices.enumerate() {
            finish_reason(choice, &format!("/choices/{index}/finish_reason"), out);
        }
    }
}

fn usage_total<'a>(usage: impl View<'a>, pointer: &str, out: &mut Vec<Finding>) {
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

fn choice_indexes<'a, V: View<'a>>(
    choices: impl ExactSizeIterator<Item = V>,
    out: &mut Vec<Finding>,
) {
    let n = choices.len();
    let mut seen: Vec<Option<usize>> = vec![None; n];
    for (position, choice) in choices.enumerate() {
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

fn tool_arguments<'a, V: View<'a>>(
    calls: impl Iterator<Item = V>,
    pointer: &str,
    out: &mut Vec<Finding>,
) {
    for (index, call) in calls.enumerate() {
        let Some(arguments) = call
            .get("function")
            .and_then(|function| function.get("arguments"))
            .and_then(View::as_str)
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

fn finish_reason<'a>(choice: impl View<'a>, pointer: &str, out: &mut Vec<Finding>) {
    if let Some(reason) = choice.get("finish_reason").and_then(View::as_str)
        && !KNOWN_FINISH_REASONS.contains(&reason)
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
