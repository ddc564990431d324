//! What the request decides about a successful answer, checked by the runner itself,
//! apart from the validator (which the mock is built from): the number of completions or
//! choices, the bound on generated tokens, the stop sequences, and a stream's framing
//! (`text/event-stream`, or Bedrock's AWS event stream).

use ai21_schemas::{Dialect, PayloadKind, Route};
use ai21_validate::eventstream::{self, Content};
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
/// event a valid chunk (in `dialect`'s schema) until a final `data: [DONE]`, one choice,
/// the reassembled content free of stop sequences, and the last usage within
/// `max_tokens`.
pub(crate) fn jamba_stream(
    name: &str,
    request: &Value,
    content_type: Option<&str>,
    body: &str,
    dialect: Dialect,
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
    let mut parsed = Vec::new();
    for (number, text) in chunks.iter().enumerate() {
        let chunk: Value = match serde_json::from_str(text) {
            Ok(chunk) => chunk,
            Err(parse_error) => {
                framing(format!("chunk {} is not JSON: {parse_error}", number + 1));
                continue;
            }
        };
        let report = validator.validate_in(dialect, PayloadKind::JambaChatStreamChunk, &chunk);
        if let Some(first) = report.errors().next() {
            framing(format!(
                "chunk {} is not a valid stream chunk: {} at {:?}",
                number + 1,
                first.message,
                first.pointer
            ));
        }
        parsed.push(chunk);
    }
    findings.extend(streamed_content(name, request, &parsed));
    findings
}

/// The checks of what the request decides over a stream's chunks, whatever framed them:
/// one choice, the last usage within `max_tokens`, and no stop sequence in the content.
fn streamed_content(name: &str, request: &Value, chunks: &[Value]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut content = String::new();
    let mut indices = std::collections::BTreeSet::new();
    let mut usage = None;
    for chunk in chunks {
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
        // Bedrock's invocation metrics count the output tokens too, on the last event.
        if let Some(used) = chunk
            .pointer("/usage/completion_tokens")
            .or_else(|| chunk.pointer(&format!("/{}/outputTokenCount", eventstream::METRICS)))
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

/// Jamba on Bedrock, streamed: an `application/vnd.amazon.eventstream` answer to a path
/// that asks for a stream, every message a `chunk` event whose bytes are JSON (an
/// exception, or bytes that do not decode, break the framing), at least one chunk, and
/// over the chunks what [`jamba_stream`] checks: one choice, the last usage (or Bedrock's
/// invocation metrics) within `max_tokens`, no stop sequence in the content. The chunks'
/// schema and the rules between them are the validator's
/// ([`Validator::validate_event_stream`]).
pub(crate) fn bedrock_stream(
    name: &str,
    route: &Route,
    request: &Value,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut framing = |message: String| {
        findings.push(error(
            "verify/stream-framing",
            "",
            format!("{name}: {message}"),
        ));
    };
    if route.stream != Some(true) {
        framing(format!(
            "the {} path {} asks for one JSON body, but the answer is an AWS event stream",
            route.dialect.short(),
            route.path("", "")
        ));
    }
    let expected = eventstream::CONTENT_TYPE;
    if !content_type.is_some_and(|value| {
        value
            .trim_start()
            .to_ascii_lowercase()
            .starts_with(expected)
    }) {
        framing(format!(
            "a Bedrock stream got Content-Type {}, expected {expected}",
            content_type.map_or_else(|| "(none)".to_owned(), |value| format!("{value:?}"))
        ));
    }
    let mut chunks = Vec::new();
    for frame in eventstream::decode(body) {
        match &frame.content {
            Content::Chunk(bytes) => match serde_json::from_slice::<Value>(bytes) {
                Ok(chunk) => chunks.push(chunk),
                Err(parse_error) => framing(format!(
                    "message {} carries bytes that are not JSON: {parse_error}",
                    frame.number
                )),
            },
            Content::Exception {
                exception_type,
                message,
            } => framing(format!(
                "message {} is an exception ({}): {}",
                frame.number,
                exception_type.as_deref().unwrap_or("no type"),
                message.as_deref().unwrap_or("no message")
            )),
            Content::NotAChunk(why) => {
                framing(format!(
                    "message {} is not a chunk event: {why}",
                    frame.number
                ));
            }
            Content::Undecodable(why) => framing(format!(
                "{} bytes at offset {} do not decode as an event-stream message: {why}",
                frame.len, frame.offset
            )),
        }
    }
    if chunks.is_empty() {
        framing("the stream has no chunk event".to_owned());
    }
    findings.extend(streamed_content(name, request, &chunks));
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
    fn a_bedrock_stream_is_read_from_its_event_stream_messages() {
        use ai21_mock::eventstream::{encode_chunk, encode_exception};
        use ai21_schemas::Endpoint;

        let route = |stream| Route {
            dialect: Dialect::Bedrock,
            endpoint: Endpoint::JambaChat,
            model: Some("ai21.jamba-1-5-mini-v1:0".to_owned()),
            stream: Some(stream),
        };
        let request = json!({"messages": [], "max_tokens": 2, "stop": ["##"]});
        let chunk = |index: u64, content: &str, last: bool| {
            let mut chunk = json!({"id": "chatcmpl-1", "choices": [{"index": index, "delta": {"content": content}, "finish_reason": if last { json!("stop") } else { Value::Null }}]});
            if last {
                chunk["amazon-bedrock-invocationMetrics"] = json!({"outputTokenCount": 2});
            }
            encode_chunk(chunk.to_string().as_bytes())
        };
        let mut good = chunk(0, "Hel", false);
        good.extend(chunk(0, "lo", true));
        let content_type = Some(eventstream::CONTENT_TYPE);
        assert!(
            bedrock_stream("case", &route(true), &request, content_type, &good).is_empty(),
            "{:?}",
            bedrock_stream("case", &route(true), &request, content_type, &good)
        );
        // A stream to the plain path, as text/event-stream: framing twice.
        assert_eq!(
            rules(&bedrock_stream(
                "case",
                &route(false),
                &request,
                Some("text/event-stream"),
                &good
            )),
            ["verify/stream-framing", "verify/stream-framing"]
        );
        // Two choices, a stop sequence across chunks, too many tokens by the metrics, an
        // exception and bytes that do not decode.
        let mut bad = chunk(0, "a #", false);
        bad.extend(chunk(1, "# b", false));
        let mut metrics =
            json!({"choices": [], "amazon-bedrock-invocationMetrics": {"outputTokenCount": 9}})
                .to_string()
                .into_bytes();
        bad.extend(encode_chunk(&metrics));
        bad.extend(encode_exception(
            "modelStreamErrorException",
            "the model failed",
        ));
        metrics.truncate(5);
        bad.extend(&metrics);
        let found = bedrock_stream("case", &route(true), &request, content_type, &bad);
        assert_eq!(
            rules(&found),
            [
                "verify/stream-framing",
                "verify/stream-framing",
                "verify/choice-count",
                "verify/max-tokens",
                "verify/stop-sequence"
            ],
            "{found:#?}"
        );
        assert!(found[0].message.contains("modelStreamErrorException"));
        let empty = bedrock_stream("case", &route(true), &request, content_type, b"");
        assert_eq!(rules(&empty), ["verify/stream-framing"]);
        assert!(empty[0].message.contains("no chunk event"));
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
                Dialect::Studio,
                Validator::shared()
            )
            .is_empty(),
            "{:?}",
            jamba_stream(
                "case",
                &request,
                Some("text/event-stream"),
                &good,
                Dialect::Studio,
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
            Dialect::Studio,
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
