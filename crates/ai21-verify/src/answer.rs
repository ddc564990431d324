//! What the request decides about a successful answer, checked by the runner itself,
//! apart from the validator (which the mock is built from): the number of completions or
//! choices, the bound on generated tokens, the stop sequences, and a stream's framing.

use ai21_schemas::PayloadKind;
use ai21_validate::{Finding, Target as Place, Validator};
use serde_json::Value;

/// The J2 `maxTokens` default (the schema's `default`).
const J2_DEFAULT_MAX_TOKENS: u64 = 16;
/// The Jamba `max_tokens` default (the schema's `default`).
const JAMBA_DEFAULT_MAX_TOKENS: u64 = 4096;

fn error(rule: &'static str, pointer: &str, message: String) -> Finding {
    Finding::error(rule, pointer, message).with_target(Place::Response)
}

/// A number member of the request, or its default when absent or `null`.
fn number(request: &Value, key: &str, default: u64) -> u64 {
    request.get(key).and_then(Value::as_u64).unwrap_or(default)
}

/// The stop sequences of a request: J2's `stopSequences` list, Jamba's `stop` string or
/// list.
fn stops(request: &Value, key: &str) -> Vec<String> {
    let stops: Vec<String> = match request.get(key) {
        Some(Value::String(stop)) => vec![stop.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    // An empty stop sequence is in every text; it stops nothing.
    stops.into_iter().filter(|stop| !stop.is_empty()).collect()
}

fn stop_in_text(name: &str, pointer: &str, text: &str, stops: &[String]) -> Option<Finding> {
    let stop = stops.iter().find(|stop| text.contains(stop.as_str()))?;
    Some(error(
        "verify/stop-sequence",
        pointer,
        format!(
            "{name}: the generated text contains the stop sequence {stop:?}, where generation should have stopped"
        ),
    ))
}

/// J2: `numResults` completions, at most `maxTokens` tokens each, no stop sequence in the
/// text, and a `stop` finish naming one of the request's stop sequences.
pub(crate) fn j2(name: &str, request: &Value, response: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(completions) = response.get("completions").and_then(Value::as_array) else {
        return findings;
    };
    let wanted = number(request, "numResults", 1);
    if completions.len() as u64 != wanted {
        findings.push(error(
            "verify/choice-count",
            "/completions",
            format!(
                "{name}: {} completions for numResults {wanted}",
                completions.len()
            ),
        ));
    }
    let max_tokens = number(request, "maxTokens", J2_DEFAULT_MAX_TOKENS);
    let stops = stops(request, "stopSequences");
    for (index, completion) in completions.iter().enumerate() {
        let data = completion.get("data");
        if let Some(tokens) = data
            .and_then(|data| data.get("tokens"))
            .and_then(Value::as_array)
            && tokens.len() as u64 > max_tokens
        {
            findings.push(error(
                "verify/max-tokens",
                &format!("/completions/{index}/data/tokens"),
                format!(
                    "{name}: completion {index} has {} tokens, more than maxTokens {max_tokens}",
                    tokens.len()
                ),
            ));
        }
        if let Some(text) = data
            .and_then(|data| data.get("text"))
            .and_then(Value::as_str)
        {
            findings.extend(stop_in_text(
                name,
                &format!("/completions/{index}/data/text"),
                text,
                &stops,
            ));
        }
        let reason = completion.get("finishReason");
        if reason
            .and_then(|reason| reason.get("reason"))
            .and_then(Value::as_str)
            == Some("stop")
        {
            let sequence = reason
                .and_then(|reason| reason.get("sequence"))
                .and_then(Value::as_str);
            if !sequence.is_some_and(|sequence| stops.iter().any(|stop| stop == sequence)) {
                findings.push(error(
                    "verify/stop-sequence",
                    &format!("/completions/{index}/finishReason"),
                    format!(
                        "{name}: completion {index} finishes with `stop` on {}, which is not one of the request's stopSequences {stops:?}",
                        sequence.map_or_else(|| "no sequence".to_owned(), |sequence| format!("{sequence:?}"))
                    ),
                ));
            }
        }
    }
    findings
}

/// Jamba, not streamed: `n` choices, `completion_tokens` at most `n` times `max_tokens`,
/// no stop sequence in a message's content, a JSON answer.
pub(crate) fn jamba(
    name: &str,
    request: &Value,
    content_type: Option<&str>,
    response: &Value,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if is_event_stream(content_type) {
        findings.push(error(
            "verify/stream-framing",
            "",
            format!("{name}: a request without `stream: true` got a text/event-stream answer"),
        ));
    }
    let Some(choices) = response.get("choices").and_then(Value::as_array) else {
        return findings;
    };
    let n = number(request, "n", 1);
    if choices.len() as u64 != n {
        findings.push(error(
            "verify/choice-count",
            "/choices",
            format!("{name}: {} choices for n {n}", choices.len()),
        ));
    }
    let max_tokens = number(request, "max_tokens", JAMBA_DEFAULT_MAX_TOKENS);
    if let Some(used) = response
        .pointer("/usage/completion_tokens")
        .and_then(Value::as_u64)
        && used > n.saturating_mul(max_tokens)
    {
        findings.push(error(
            "verify/max-tokens",
            "/usage/completion_tokens",
            format!(
                "{name}: {used} completion tokens, more than n {n} times max_tokens {max_tokens}"
            ),
        ));
    }
    let stops = stops(request, "stop");
    for (index, choice) in choices.iter().enumerate() {
        if let Some(content) = choice.pointer("/message/content").and_then(Value::as_str) {
            findings.extend(stop_in_text(
                name,
                &format!("/choices/{index}/message/content"),
                content,
                &stops,
            ));
        }
    }
    findings
}

fn is_event_stream(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|content_type| {
        content_type
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    })
}

/// Jamba, streamed: a `text/event-stream` answer, every line `data: ` or blank, every
/// event a valid chunk until a final `data: [DONE]`, one choice, the reassembled content
/// free of stop sequences, and the last usage within `max_tokens`.
pub(crate) fn jamba_stream(
    name: &str,
    request: &Value,
    content_type: Option<&str>,
    body: &str,
    validator: &Validator,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut framing = |message: String| {
        findings.push(error(
            "verify/stream-framing",
            "",
            format!("{name}: {message}"),
        ));
    };
    if !is_event_stream(content_type) {
        framing(format!(
            "a request with `stream: true` got Content-Type {}, expected text/event-stream",
            content_type.map_or_else(|| "(none)".to_owned(), |value| format!("{value:?}"))
        ));
    }
    let mut data = Vec::new();
    for (number, line) in body.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        match line.strip_prefix("data:") {
            Some(rest) => data.push(rest.strip_prefix(' ').unwrap_or(rest)),
            None => framing(format!(
                "line {} of the stream is not a `data:` line: {:?}",
                number + 1,
                line.chars().take(60).collect::<String>()
            )),
        }
    }
    match data.last() {
        Some(&"[DONE]") => {}
        _ => framing("the stream does not end with `data: [DONE]`".to_owned()),
    }
    if data.iter().filter(|data| **data == "[DONE]").count() > 1 {
        framing("the stream has more than one `data: [DONE]`".to_owned());
    }
    let chunks: Vec<&str> = data.into_iter().filter(|data| *data != "[DONE]").collect();
    if chunks.is_empty() {
        framing("the stream has no chunk".to_owned());
    }
    let mut content = String::new();
    let mut indices = std::collections::BTreeSet::new();
    let mut usage = None;
    for (number, text) in chunks.iter().enumerate() {
        let chunk: Value = match serde_json::from_str(text) {
            Ok(chunk) => chunk,
            Err(parse_error) => {
                framing(format!("chunk {} is not JSON: {parse_error}", number + 1));
                continue;
            }
        };
        let report = validator.validate(PayloadKind::JambaChatStreamChunk, &chunk);
        if let Some(first) = report.errors().next() {
            framing(format!(
                "chunk {} is not a valid stream chunk: {} at {:?}",
                number + 1,
                first.message,
                first.pointer
            ));
        }
        for choice in chunk
            .get("choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(index) = choice.get("index").and_then(Value::as_u64) {
                indices.insert(index);
            }
            if let Some(piece) = choice.pointer("/delta/content").and_then(Value::as_str) {
                content.push_str(piece);
            }
        }
        if let Some(used) = chunk
            .pointer("/usage/completion_tokens")
            .and_then(Value::as_u64)
        {
            usage = Some(used);
        }
    }
    if indices.len() > 1 {
        findings.push(error(
            "verify/choice-count",
            "",
            format!(
                "{name}: a stream carries choices {indices:?}, expected the one choice a stream has"
            ),
        ));
    }
    let max_tokens = number(request, "max_tokens", JAMBA_DEFAULT_MAX_TOKENS);
    if let Some(used) = usage
        && used > max_tokens
    {
        findings.push(error(
            "verify/max-tokens",
            "",
            format!(
                "{name}: {used} completion tokens in the stream, more than max_tokens {max_tokens}"
            ),
        ));
    }
    findings.extend(stop_in_text(name, "", &content, &stops(request, "stop")));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|finding| finding.rule).collect()
    }

    #[test]
    fn a_j2_answer_that_ignores_the_request_is_caught() {
        let request =
            json!({"prompt": "Hi", "numResults": 2, "maxTokens": 1, "stopSequences": ["."]});
        let response = json!({"completions": [{"data": {"text": "a. b", "tokens": [{}, {}]}, "finishReason": {"reason": "stop", "sequence": "!"}}]});
        let found = rules(&j2("case", &request, &response));
        assert_eq!(
            found,
            [
                "verify/choice-count",
                "verify/max-tokens",
                "verify/stop-sequence",
                "verify/stop-sequence"
            ]
        );
        let good = json!({"completions": [
            {"data": {"text": "a", "tokens": [{}]}, "finishReason": {"reason": "stop", "sequence": "."}},
            {"data": {"text": "b", "tokens": [{}]}, "finishReason": {"reason": "length", "length": 1}}
        ]});
        assert!(j2("case", &request, &good).is_empty());
    }

    #[test]
    fn a_jamba_answer_that_ignores_the_request_is_caught() {
        let request = json!({"n": 2, "max_tokens": 3, "stop": "##"});
        let response = json!({"choices": [{"message": {"content": "a ## b"}}], "usage": {"completion_tokens": 7}});
        let found = rules(&jamba(
            "case",
            &request,
            Some("text/event-stream"),
            &response,
        ));
        assert_eq!(
            found,
            [
                "verify/stream-framing",
                "verify/choice-count",
                "verify/max-tokens",
                "verify/stop-sequence"
            ]
        );
    }

    #[test]
    fn a_badly_framed_stream_is_caught() {
        let request = json!({"stream": true, "max_tokens": 2, "stop": ["##"]});
        let chunk = |content: &str| {
            json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]})
                .to_string()
        };
        let good = format!("data: {}\n\ndata: [DONE]\n\n", chunk("hi"));
        assert!(
            jamba_stream(
                "case",
                &request,
                Some("text/event-stream"),
                &good,
                Validator::shared()
            )
            .is_empty(),
            "{:?}",
            jamba_stream(
                "case",
                &request,
                Some("text/event-stream"),
                &good,
                Validator::shared()
            )
        );
        let bad = format!(
            "data: {}\n\nevent: x\ndata: {}\n\n",
            chunk("a #"),
            chunk("# b")
        );
        let found = jamba_stream(
            "case",
            &request,
            Some("application/json"),
            &bad,
            Validator::shared(),
        );
        assert_eq!(
            rules(&found),
            [
                "verify/stream-framing",
                "verify/stream-framing",
                "verify/stream-framing",
                "verify/stop-sequence"
            ],
            "{found:?}"
        );
    }
}
