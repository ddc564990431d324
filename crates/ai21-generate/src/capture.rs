//! A deterministic generator of realistic JSONL captures, for benchmarks and memory
//! measurements (`cargo bench -p ai21-contract`, and the command line's hidden
//! `ai21-contract generate-capture`).
//!
//! The capture is J2- and Jamba-heavy, as real traffic of the last years was: about 40% of
//! the records are J2 `complete` exchanges whose responses carry token arrays (2 to 110 KB
//! each, most of the bytes), 45% Jamba chat exchanges, 10% streamed Jamba answers and 5%
//! error answers (401, 422). Every request carries a credential header with a fake
//! key-shaped token, as real captures do, so redaction runs as it would.
//!
//! A quarter of the J2 and Jamba requests are shaped as the official Python SDK sends them
//! (`ai21` 2.x and 4.x): optional parameters given as `None` are `null`, a J2 body repeats
//! the path's `model`, a chat body always has `stream`, and replayed assistant messages
//! carry `"tool_calls": null`, or `"content": null` beside the tool calls of a tool-call
//! loop. A fifth of the streams end as OpenAI-compatible servers end them, with a last
//! chunk that has no choice and carries the usage. All of that is valid traffic.
//!
//! Texts are made of the crate's [`WORDS`](crate::WORDS), J2 tokens are cut by its
//! [`tiling`](crate::tiling) (ranges in code points, as a few words are not ASCII), and the
//! models are the validator's known J2 models and active Jamba models
//! ([`crate::model`]).
//!
//! About 2% of the records are planted violations, at places the same seed always
//! chooses, each of one [`Plant`] kind; [`Generated::planted`] lists them. Every other
//! record is valid: it has no error, only the drift warnings every J2 exchange gets (the
//! J2 models are retired). So the records a run finds errors in are exactly the planted
//! ones, which the command line's tests and its benchmark check.
//!
//! ```
//! use ai21_generate::capture::{self, Options};
//!
//! let mut bytes = Vec::new();
//! let options = Options { size: 64 * 1024, seed: 7, invalid_per_mille: 100 };
//! let generated = capture::write(&mut bytes, options)?;
//! assert_eq!(generated.bytes, bytes.len() as u64);
//! assert!(generated.bytes >= 64 * 1024);
//! let (line, _plant) = generated.planted[0];
//! assert!(line <= generated.records);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::Random;
use crate::model;
use crate::tiling::Tiling;

/// How one planted record breaks the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plant {
    /// A J2 response whose completion token ranges do not tile its text
    /// (`j2/text-range-tiling`).
    TextRangeTiling,
    /// A Jamba request with `maxTokens`, J2's spelling (`schema/additionalProperties`).
    CamelCaseMaxTokens,
    /// A streamed Jamba answer without `data: [DONE]` (`stream/missing-done`).
    MissingDone,
    /// A Jamba response whose `usage.total_tokens` is not the sum (`jamba/usage-total`).
    UsageTotal,
    /// A line cut in the middle of its JSON (unreadable).
    MalformedJson,
}

impl Plant {
    const ALL: [Plant; 5] = [
        Plant::TextRangeTiling,
        Plant::CamelCaseMaxTokens,
        Plant::MissingDone,
        Plant::UsageTotal,
        Plant::MalformedJson,
    ];
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Stop once at least this many bytes are written.
    pub size: u64,
    /// The seed: the same seed and size give the same bytes.
    pub seed: u64,
    /// Planted violations per thousand records (20 gives the 2% of the benchmarks).
    pub invalid_per_mille: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            size: 1024 * 1024,
            seed: 1,
            invalid_per_mille: 20,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Records (lines) written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
    /// The planted violations: line number (from 1) and kind, in line order.
    pub planted: Vec<(u64, Plant)>,
}

/// Writes a capture to `out`.
pub fn write(mut out: impl Write, options: Options) -> io::Result<Generated> {
    let mut random = Random::new(options.seed);
    let mut generated = Generated::default();
    let mut line = String::new();
    while generated.bytes < options.size {
        let number = generated.records + 1;
        let plant = (random.below(1000) < u64::from(options.invalid_per_mille))
            .then(|| *random.pick(&Plant::ALL));
        line.clear();
        match plant {
            Some(Plant::TextRangeTiling) => j2_exchange(&mut random, true, &mut line),
            Some(Plant::CamelCaseMaxTokens) => jamba_exchange(&mut random, plant, &mut line),
            Some(Plant::UsageTotal) => jamba_exchange(&mut random, plant, &mut line),
            Some(Plant::MissingDone) => jamba_stream(&mut random, true, &mut line),
            Some(Plant::MalformedJson) => {
                jamba_exchange(&mut random, None, &mut line);
                let cut = line.floor_char_boundary(line.len() / 2);
                line.truncate(cut);
            }
            None => match random.below(100) {
                0..40 => j2_exchange(&mut random, false, &mut line),
                40..85 => jamba_exchange(&mut random, None, &mut line),
                85..95 => jamba_stream(&mut random, false, &mut line),
                _ => error_exchange(&mut random, &mut line),
            },
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        generated.records = number;
        generated.bytes += line.len() as u64;
        if let Some(plant) = plant {
            generated.planted.push((number, plant));
        }
    }
    out.flush()?;
    Ok(generated)
}

/// Parses a size such as `50MB`, `1GB`, `512KB`, `2GiB` or `1048576` (bytes); `KB`, `MB`
/// and `GB` are powers of 1024 too, as people mean them for files.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|character: char| !character.is_ascii_digit() && character != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 50MB"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?}: use B, KB, MB or GB")),
    };
    Ok((number * multiplier as f64) as u64)
}

/// A fake credential shaped like an AI21 key: 32 letters and digits of every class.
fn key(random: &mut Random) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut key: String = (0..29)
        .map(|_| char::from(*random.pick(ALPHABET)))
        .collect();
    key.push_str("Qz7");
    key
}

/// Between `low` and `high` words (fewer likelier), joined by spaces.
fn words(random: &mut Random, low: u64, high: u64) -> String {
    let count = random.log_between(low, high);
    random.sentence(count)
}

/// A J2 text of `count` words and its tokens, one per word (with the space before it),
/// which tile it.
fn j2_tokens(random: &mut Random, count: u64, top_k: u64, leading_space: bool) -> (String, Value) {
    let mut tiling = Tiling::new();
    let mut tokens = Vec::with_capacity(count as usize);
    let mut piece = String::new();
    for index in 0..count {
        piece.clear();
        if leading_space || index > 0 {
            piece.push(' ');
        }
        piece.push_str(random.word());
        let token = tiling.push(&piece);
        let logprob = random.logprob();
        let top_tokens = if top_k == 0 {
            Value::Null
        } else {
            Value::Array(
                (0..top_k)
                    .map(|_| json!({"token": format!("\u{2581}{}", random.word()), "logprob": random.logprob()}))
                    .collect(),
            )
        };
        tokens.push(json!({
            "generatedToken": {"token": token.token, "logprob": logprob, "raw_logprob": logprob - 0.25},
            "topTokens": top_tokens,
            "textRange": {"start": token.start, "end": token.end},
        }));
    }
    (tiling.into_text(), Value::Array(tokens))
}

fn headers(random: &mut Random) -> Value {
    json!({
        "Authorization": format!("Bearer {}", key(random)),
        "Content-Type": "application/json",
    })
}

fn record(url: &str, request: Value, response: Value, out: &mut String) {
    let record = json!({
        "url": url,
        "method": "POST",
        "timestamp": "2024-06-01T12:00:00Z",
        "request": request,
        "response": response,
    });
    out.push_str(&record.to_string());
}

/// A J2 exchange; its response is 2 to 110 KB of token arrays.
fn j2_exchange(random: &mut Random, break_tiling: bool, out: &mut String) {
    let model = *random.pick(model::j2());
    let top_k = if random.below(10) == 0 { 2 } else { 0 };
    let prompt_tokens = random.between(5, 60);
    let (prompt, prompt_token_list) = j2_tokens(random, prompt_tokens, top_k, false);
    let num_results = if random.below(5) == 0 { 2 } else { 1 };
    let max_tokens = random.log_between(8, 400 / num_results);
    let with_stop = random.below(4) == 0;
    let mut request = json!({
        "prompt": prompt,
        "numResults": num_results,
        "maxTokens": max_tokens,
        "temperature": 0.7,
        "topKReturn": top_k,
    });
    if with_stop {
        request["stopSequences"] = json!(["##"]);
    }
    if random.below(4) == 0 {
        // As the ai21 SDK 2.x sends it: the model copied into the body, and the optional
        // parameters the caller gave as `None` sent as `null`.
        request["model"] = Value::from(model);
        for name in ["minTokens", "topP", "epoch", "logitBias", "customModel"] {
            request[name] = Value::Null;
        }
        if !with_stop {
            request["stopSequences"] = Value::Null;
        }
    }
    let mut completions = Vec::new();
    for _ in 0..num_results {
        let (count, finish) = match random.below(10) {
            0..7 => (
                max_tokens,
                json!({"reason": "length", "length": max_tokens}),
            ),
            7 if with_stop => (
                random.between(1, max_tokens),
                json!({"reason": "stop", "sequence": "##"}),
            ),
            _ => (
                random.between(1, max_tokens),
                json!({"reason": "endoftext"}),
            ),
        };
        let (text, tokens) = j2_tokens(random, count, top_k, true);
        completions.push(json!({"data": {"text": text, "tokens": tokens}, "finishReason": finish}));
    }
    if break_tiling {
        let tokens = &mut completions[0]["data"]["tokens"];
        let last = tokens.as_array().map_or(0, Vec::len) - 1;
        let range = &mut tokens[last]["textRange"];
        let start = range["start"].as_u64().unwrap_or_default();
        range["start"] = Value::from(start + 1);
    }
    let id = random.j2_id();
    let response = json!({
        "id": id,
        "prompt": {"text": request["prompt"].clone(), "tokens": prompt_token_list},
        "completions": completions,
    });
    record(
        &format!("https://api.ai21.com/studio/v1/{model}/complete"),
        json!({"headers": headers(random), "body": request}),
        json!({"status": 200, "headers": {"content-type": "application/json"}, "body": response}),
        out,
    );
}

/// The messages of a Jamba request: sometimes a system message and earlier turns. With
/// `sdk`, replayed answers are shaped as the ai21 SDK dumps its `AssistantMessage`
/// (`"tool_calls": null`), and a tool-call loop may precede the last question.
fn jamba_messages(random: &mut Random, sdk: bool) -> Value {
    let mut messages = Vec::new();
    if random.below(3) == 0 {
        messages.push(json!({"role": "system", "content": words(random, 8, 40)}));
    }
    for _ in 0..random.below(3) {
        messages.push(json!({"role": "user", "content": words(random, 4, 60)}));
        let mut answer = json!({"role": "assistant", "content": words(random, 10, 200)});
        if sdk {
            answer["tool_calls"] = Value::Null;
        }
        messages.push(answer);
    }
    messages.push(json!({"role": "user", "content": words(random, 4, 80)}));
    if sdk && random.below(2) == 0 {
        let id = format!("call_{}", random.between(1000, 9999));
        let arguments = json!({"city": random.word()}).to_string();
        messages.push(json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": id, "type": "function", "function": {"name": "get_weather", "arguments": arguments}}
        ]}));
        messages.push(json!({"role": "tool", "tool_call_id": id, "content": json!({"celsius": random.between(0, 35)}).to_string()}));
    }
    Value::Array(messages)
}

/// The optional parameters the ai21 SDK sends for arguments given as `None`, and its
/// `stream`, which it always sends.
fn sdk_nulls(request: &mut Value, stream: bool) {
    for name in ["top_p", "stop", "n", "documents", "response_format"] {
        request[name] = Value::Null;
    }
    request["stream"] = Value::from(stream);
}

/// A Jamba chat exchange answered with one JSON body.
fn jamba_exchange(random: &mut Random, plant: Option<Plant>, out: &mut String) {
    let max_tokens = random.log_between(16, 1024);
    let sdk = random.below(4) == 0;
    let mut request = json!({
        "model": *random.pick(model::jamba()),
        "messages": jamba_messages(random, sdk),
        "temperature": 0.4,
    });
    if sdk {
        sdk_nulls(&mut request, false);
    }
    let max_tokens_name = if plant == Some(Plant::CamelCaseMaxTokens) {
        "maxTokens"
    } else {
        "max_tokens"
    };
    request[max_tokens_name] = Value::from(max_tokens);
    let (completion_tokens, finish_reason) = if random.below(5) == 0 {
        (max_tokens, "length")
    } else {
        (random.between(1, max_tokens), "stop")
    };
    let prompt_tokens = random.between(10, 2000);
    let total_tokens =
        prompt_tokens + completion_tokens + u64::from(plant == Some(Plant::UsageTotal));
    let response = json!({
        "id": format!("chat-{}", random.hex(32)),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": random.sentence(completion_tokens.min(600))},
            "finish_reason": finish_reason,
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total_tokens},
    });
    record(
        "https://api.ai21.com/studio/v1/chat/completions",
        json!({"headers": headers(random), "body": request}),
        json!({"status": 200, "headers": {"content-type": "application/json"}, "body": response}),
        out,
    );
}

/// A streamed Jamba answer, written as the event-stream text it was.
fn jamba_stream(random: &mut Random, missing_done: bool, out: &mut String) {
    let sdk = random.below(4) == 0;
    let mut request = json!({
        "model": *random.pick(model::jamba()),
        "messages": jamba_messages(random, sdk),
        "max_tokens": 512,
        "stream": true,
    });
    if sdk {
        sdk_nulls(&mut request, true);
    }
    // OpenAI-compatible servers send the usage in a last chunk of its own, with no choice.
    let usage_alone = random.below(5) == 0;
    let id = format!("chat-{}", random.hex(32));
    let pieces = random.between(2, 60);
    let mut body = String::new();
    let mut event = |chunk: Value| {
        body.push_str("data: ");
        body.push_str(&chunk.to_string());
        body.push_str("\n\n");
    };
    event(
        json!({"id": id, "choices": [{"index": 0, "delta": {"role": "assistant"}, "logprobs": null, "finish_reason": null}], "usage": null}),
    );
    for piece in 0..pieces {
        let last = piece + 1 == pieces;
        let content = format!(" {}", random.word());
        let finish_reason = if last { json!("stop") } else { Value::Null };
        let usage = if last {
            let prompt_tokens = random.between(10, 2000);
            json!({"prompt_tokens": prompt_tokens, "completion_tokens": pieces, "total_tokens": prompt_tokens + pieces})
        } else {
            Value::Null
        };
        if last && usage_alone {
            event(
                json!({"id": id, "choices": [{"index": 0, "delta": {"content": content}, "logprobs": null, "finish_reason": finish_reason}], "usage": null}),
            );
            event(json!({"id": id, "choices": [], "usage": usage}));
        } else {
            event(
                json!({"id": id, "choices": [{"index": 0, "delta": {"content": content}, "logprobs": null, "finish_reason": finish_reason}], "usage": usage}),
            );
        }
    }
    if !missing_done {
        body.push_str("data: [DONE]\n\n");
    }
    record(
        "https://api.ai21.com/studio/v1/chat/completions",
        json!({"headers": headers(random), "body": request}),
        json!({"status": 200, "headers": {"content-type": "text/event-stream; charset=utf-8"}, "body": body}),
        out,
    );
}

/// An error answer: a 401 for a missing key, or a 422 for a bad request.
fn error_exchange(random: &mut Random, out: &mut String) {
    if random.below(2) == 0 {
        let model = *random.pick(model::j2());
        record(
            &format!("https://api.ai21.com/studio/v1/{model}/complete"),
            json!({"headers": {"Content-Type": "application/json"}, "body": {"prompt": random.sentence(6), "maxTokens": 16}}),
            json!({"status": 401, "body": {"detail": "Forbidden: Bad or missing API token."}}),
            out,
        );
    } else {
        record(
            "https://api.ai21.com/studio/v1/chat/completions",
            json!({"headers": headers(random), "body": {"model": *random.pick(model::jamba()), "messages": jamba_messages(random, false), "max_tokens": 4096}}),
            json!({"status": 422, "body": {"detail": [{"loc": ["body", "messages", 0, "content"], "msg": "ensure this value has at most 100000 characters", "type": "value_error.any_str.max_length"}]}}),
            out,
        );
    }
}

#[cfg(test)]
mod tests;
