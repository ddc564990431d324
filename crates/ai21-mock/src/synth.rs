//! Deterministic answers that honour the request.
//!
//! Every answer is a function of the seed and the request (hashed in its canonical
//! serialization, so whitespace and key order do not matter). The answers pass every
//! pairing rule of the validator:
//!
//! - **J2**: `numResults` completions (default 1). Each ends in one of three ways: it
//!   reaches `maxTokens` (default 16) and finishes with `length` carrying that number; it
//!   generates `<|endoftext|>` (a zero-width last token) before the limit; or, when the
//!   request has stop sequences, it generates one of them (a zero-width last token, the
//!   sequence not included in the text) and finishes with `stop` naming it. Endings other
//!   than `length` leave at least `minTokens` tokens. `topKReturn` alternatives are given
//!   for every prompt and completion token (`null` when it is 0). Text ranges count
//!   Unicode code points and tile the text.
//! - **Jamba**: `n` choices (default 1), each answering in 8 to 48 tokens, or reaching
//!   `max_tokens` (default 4096) and finishing with `length`. With `response_format`
//!   `json_object` the content is a JSON object. Usage adds up.
//! - **Tools** (the documented rule): when the request has `tools` and its last message
//!   is a user message that names one of the functions (case-insensitively), every choice
//!   calls that function instead of answering: `content` is `null`, `tool_calls` holds
//!   one call whose `arguments` is a JSON string with a placeholder value for each
//!   required parameter, and `finish_reason` is `tool_calls`. Streams never call tools.
//! - **Streams**: one choice; a first chunk with the role, one chunk per token, the last
//!   one carrying `finish_reason` and `usage`.

use ai21_models::j2_complete_request::J2CompleteRequest;
use ai21_models::j2_complete_response::{
    Completion, CompletionData, CompletionId, FinishReason, GeneratedToken, J2CompleteResponse,
    Prompt, TextRange, TokenData, TopToken,
};
use ai21_models::jamba_chat_request::{
    ChatMessage, JambaChatRequest, ResponseFormatType, ToolDefinition,
};
use ai21_models::jamba_chat_response::{
    ChatChoice, JambaChatResponse, ResponseMessage, ResponseMessageRole, ToolCall,
    ToolCallFunction, ToolCallType, Usage,
};
use ai21_models::jamba_chat_stream_chunk::{
    self as chunk, ChunkChoice, ChunkDelta, ChunkDeltaRole, JambaChatStreamChunk,
};
use serde_json::{Map, Value};

/// Words the mock speaks.
const WORDS: [&str; 48] = [
    "honey",
    "never",
    "spoils",
    "because",
    "its",
    "low",
    "moisture",
    "and",
    "high",
    "acidity",
    "keep",
    "bacteria",
    "away",
    "archaeologists",
    "found",
    "pots",
    "in",
    "ancient",
    "tombs",
    "that",
    "were",
    "still",
    "good",
    "to",
    "eat",
    "the",
    "ocean",
    "holds",
    "most",
    "of",
    "earth's",
    "water",
    "while",
    "octopuses",
    "have",
    "three",
    "hearts",
    "bananas",
    "are",
    "berries",
    "but",
    "strawberries",
    "not",
    "a",
    "day",
    "on",
    "venus",
    "is",
];

/// The J2 default of `maxTokens`, per the schema.
const J2_DEFAULT_MAX_TOKENS: u64 = 16;
/// The Jamba default of `max_tokens`, per the schema.
const JAMBA_DEFAULT_MAX_TOKENS: u64 = 4096;

/// A small deterministic generator (SplitMix64): the mock needs reproducibility, not
/// cryptographic quality.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` and the hash of `parts`.
    pub fn new(seed: u64, parts: &[&[u8]]) -> Self {
        // FNV-1a over the parts, mixed with the seed.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for part in parts {
            for byte in *part {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            hash = hash.wrapping_mul(0x0100_0000_01b3) ^ 0xff;
        }
        Rng(hash)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // 53 random bits make every f64 in [0, 1) with that spacing; exact by construction.
        #[allow(
            clippy::cast_precision_loss,
            reason = "a 53-bit integer is exact in an f64"
        )]
        let numerator = (self.next_u64() >> 11) as f64;
        numerator / (1u64 << 53) as f64
    }

    /// A log probability in `(-9, 0]`, never `-0.0`.
    fn logprob(&mut self) -> f64 {
        let value = -(self.unit() * 9.0);
        if value == 0.0 { 0.0 } else { value }
    }

    fn word(&mut self) -> &'static str {
        WORDS[usize::try_from(self.below(WORDS.len() as u64)).unwrap_or(0)]
    }

    fn hex(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| {
                char::from_digit(u32::try_from(self.below(16)).unwrap_or(0), 16).unwrap_or('0')
            })
            .collect()
    }
}

fn request_rng<T: serde::Serialize>(seed: u64, request: &T) -> Rng {
    let canonical = serde_json::to_vec(request).unwrap_or_default();
    Rng::new(seed, &[&canonical])
}

// ---------------------------------------------------------------------------------------
// J2

/// Splits a prompt into J2-style tokens (`▁` for spaces, `<|newline|>` for line breaks)
/// whose ranges, in code points, tile the text.
fn tokenize_prompt(text: &str, rng: &mut Rng, top_k: u64) -> Vec<TokenData> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let start = index;
        let token = if characters[index] == '\n' {
            index += 1;
            "<|newline|>".to_owned()
        } else {
            while index < characters.len() && characters[index] == ' ' {
                index += 1;
            }
            while index < characters.len() && characters[index] != ' ' && characters[index] != '\n'
            {
                index += 1;
            }
            characters[start..index]
                .iter()
                .map(|&c| if c == ' ' { '\u{2581}' } else { c })
                .collect()
        };
        let logprob = rng.logprob();
        tokens.push(token_data(
            token, logprob, logprob, start, index, rng, top_k,
        ));
    }
    tokens
}

fn token_data(
    token: String,
    logprob: f64,
    raw_logprob: f64,
    start: usize,
    end: usize,
    rng: &mut Rng,
    top_k: u64,
) -> TokenData {
    let top_tokens = (top_k > 0).then(|| {
        // The token itself first, then alternatives, most probable first.
        let mut alternatives = vec![TopToken {
            logprob,
            token: token.clone(),
        }];
        let mut current = logprob;
        while (alternatives.len() as u64) < top_k {
            current -= rng.unit() * 2.0 + 0.01;
            alternatives.push(TopToken {
                logprob: current,
                token: format!("\u{2581}{}", rng.word()),
            });
        }
        alternatives
    });
    TokenData {
        generated_token: GeneratedToken {
            logprob,
            raw_logprob: Some(raw_logprob),
            token,
        },
        text_range: TextRange {
            end: end as u64,
            start: start as u64,
        },
        top_tokens,
    }
}

/// Builds one completion of `content_tokens` words, then an optional zero-width final
/// token (`<|endoftext|>` or the matched stop sequence).
fn completion(
    rng: &mut Rng,
    content_tokens: u64,
    final_token: Option<String>,
    finish_reason: FinishReason,
    top_k: u64,
) -> Completion {
    let mut text = String::new();
    let mut position = 0usize;
    let mut tokens = Vec::new();
    for index in 0..content_tokens {
        let (token, piece) = match rng.below(12) {
            0 if index > 0 => (",".to_owned(), ",".to_owned()),
            1 if index > 0 => ("<|newline|>".to_owned(), "\n".to_owned()),
            _ => {
                let word = rng.word();
                (format!("\u{2581}{word}"), format!(" {word}"))
            }
        };
        let width = piece.chars().count();
        text.push_str(&piece);
        let logprob = rng.logprob();
        let raw = rng.logprob().min(logprob);
        tokens.push(token_data(
            token,
            logprob,
            raw,
            position,
            position + width,
            rng,
            top_k,
        ));
        position += width;
    }
    if let Some(token) = final_token {
        let logprob = rng.logprob();
        tokens.push(token_data(
            token, logprob, logprob, position, position, rng, top_k,
        ));
    }
    Completion {
        data: CompletionData { text, tokens },
        finish_reason,
    }
}

/// The answer to a J2 completion request.
pub fn j2_complete(request: &J2CompleteRequest, seed: u64) -> J2CompleteResponse {
    let mut rng = request_rng(seed, request);
    let top_k = request.top_k_return.flatten().unwrap_or(0);
    let max_tokens = request
        .max_tokens
        .flatten()
        .unwrap_or(J2_DEFAULT_MAX_TOKENS);
    let min_tokens = request.min_tokens.flatten().unwrap_or(0).min(max_tokens);
    let stops: Vec<&String> = request.stop_sequences.iter().flatten().flatten().collect();
    let id = format!(
        "{}-{}-{}-{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(4),
        rng.hex(4),
        rng.hex(12)
    );
    let prompt_tokens = tokenize_prompt(&request.prompt, &mut rng, top_k);
    let completions = (0..request.num_results.flatten().unwrap_or(1).max(1))
        .map(|_| {
            let can_end_early = max_tokens > min_tokens;
            match rng.below(4) {
                2 if can_end_early && !stops.is_empty() => {
                    let content = rng.between(min_tokens, max_tokens - 1);
                    let sequence =
                        stops[usize::try_from(rng.below(stops.len() as u64)).unwrap_or(0)].clone();
                    let token = sequence.replace(' ', "\u{2581}");
                    completion(
                        &mut rng,
                        content,
                        Some(token),
                        FinishReason::Stop { sequence },
                        top_k,
                    )
                }
                2 | 3 if can_end_early => {
                    let content = rng.between(min_tokens, max_tokens - 1);
                    completion(
                        &mut rng,
                        content,
                        Some("<|endoftext|>".to_owned()),
                        FinishReason::Endoftext,
                        top_k,
                    )
                }
                _ => completion(
                    &mut rng,
                    max_tokens,
                    None,
                    FinishReason::Length { length: max_tokens },
                    top_k,
                ),
            }
        })
        .collect();
    J2CompleteResponse {
        completions,
        id: CompletionId::String(id),
        prompt: Prompt {
            text: request.prompt.clone(),
            tokens: prompt_tokens,
        },
    }
}

// ---------------------------------------------------------------------------------------
// Jamba

/// What one choice says.
enum Answer {
    Text {
        pieces: Vec<String>,
        finish_reason: &'static str,
    },
    Call {
        call: ToolCall,
        tokens: u64,
    },
}

impl Answer {
    fn tokens(&self) -> u64 {
        match self {
            Answer::Text { pieces, .. } => pieces.len() as u64,
            Answer::Call { tokens, .. } => *tokens,
        }
    }
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

fn prompt_tokens(request: &JambaChatRequest) -> u64 {
    // Formatting overhead, as the real service counts hidden tokens.
    8 + request
        .messages
        .iter()
        .map(|message| words(message.content().unwrap_or_default()) + 4)
        .sum::<u64>()
}

/// The tool the last user message names, per the documented rule.
fn called_tool(request: &JambaChatRequest) -> Option<&ToolDefinition> {
    let tools = request.tools.as_ref()?.as_ref()?;
    let Some(ChatMessage::User { content }) = request.messages.last() else {
        return None;
    };
    let content = content.to_lowercase();
    tools
        .iter()
        .find(|tool| content.contains(&tool.function.name.to_lowercase()))
}

fn placeholder_arguments(tool: &ToolDefinition) -> String {
    let mut arguments = Map::new();
    if let Some(parameters) = &tool.function.parameters {
        let names: Vec<String> = match &parameters.required {
            Some(required) => required.clone(),
            None => parameters.properties.keys().cloned().collect(),
        };
        for name in names {
            let kind = parameters
                .properties
                .get(&name)
                .and_then(|schema| schema.get("type"))
                .and_then(Value::as_str);
            let value = match kind {
                Some("integer") => Value::from(1),
                Some("number") => Value::from(1.5),
                Some("boolean") => Value::Bool(true),
                Some("array") => Value::Array(Vec::new()),
                Some("object") => Value::Object(Map::new()),
                _ => Value::from(format!("example {name}")),
            };
            arguments.insert(name, value);
        }
    }
    Value::Object(arguments).to_string()
}

fn answer(request: &JambaChatRequest, rng: &mut Rng, max_tokens: u64, allow_tools: bool) -> Answer {
    if allow_tools && let Some(tool) = called_tool(request) {
        let arguments = placeholder_arguments(tool);
        let tokens = (arguments.len() as u64 / 4)
            .clamp(1, max_tokens.max(1))
            .min(max_tokens);
        return Answer::Call {
            call: ToolCall {
                function: ToolCallFunction {
                    arguments,
                    name: tool.function.name.clone(),
                },
                id: format!("call_{}", rng.between(1_000_000, 9_999_999)),
                type_: ToolCallType::Function,
            },
            tokens,
        };
    }
    let target = rng.between(8, 48);
    let (count, finish_reason) = if target >= max_tokens {
        (max_tokens, "length")
    } else {
        (target, "stop")
    };
    let json_mode = request
        .response_format
        .as_ref()
        .and_then(Option::as_ref)
        .is_some_and(|format| format.type_ == ResponseFormatType::JsonObject);
    let mut pieces: Vec<String> = (0..count)
        .map(|index| {
            let word = rng.word();
            if index == 0 {
                capitalize(word)
            } else {
                format!(" {word}")
            }
        })
        .collect();
    if json_mode
        && let (Some(first), Some(last)) = (pieces.first().cloned(), pieces.last().cloned())
    {
        // The same tokens, wrapped as a JSON object: {"answer": "..."}.
        let count = pieces.len();
        pieces[0] = format!("{{\"answer\": \"{first}");
        let tail = if count == 1 { pieces[0].clone() } else { last };
        pieces[count - 1] = format!("{tail}\"}}");
    }
    Answer::Text {
        pieces,
        finish_reason,
    }
}

fn capitalize(word: &str) -> String {
    let mut characters = word.chars();
    characters
        .next()
        .map(|first| first.to_uppercase().chain(characters).collect())
        .unwrap_or_default()
}

fn chat_id(rng: &mut Rng) -> String {
    format!("chat-{}", rng.hex(32))
}

/// The answer to a non-streamed Jamba chat request.
pub fn jamba_chat(request: &JambaChatRequest, seed: u64) -> JambaChatResponse {
    let mut rng = request_rng(seed, request);
    let id = chat_id(&mut rng);
    let max_tokens = request
        .max_tokens
        .flatten()
        .unwrap_or(JAMBA_DEFAULT_MAX_TOKENS);
    let answers: Vec<Answer> = (0..request.n.flatten().unwrap_or(1).max(1))
        .map(|_| answer(request, &mut rng, max_tokens, true))
        .collect();
    let completion_tokens = answers.iter().map(Answer::tokens).sum::<u64>();
    let prompt_tokens = prompt_tokens(request);
    let choices = answers
        .into_iter()
        .enumerate()
        .map(|(index, answer)| {
            let (content, tool_calls, finish_reason) = match answer {
                Answer::Text {
                    pieces,
                    finish_reason,
                } => (Some(pieces.concat()), None, finish_reason),
                Answer::Call { call, .. } => (None, Some(vec![call]), "tool_calls"),
            };
            ChatChoice {
                finish_reason: finish_reason.to_owned(),
                index: index as u64,
                // Studio sends both keys, as null, even without tools.
                logprobs: Some(None),
                message: ResponseMessage {
                    content,
                    role: ResponseMessageRole::Assistant,
                    tool_calls: Some(tool_calls),
                },
            }
        })
        .collect();
    JambaChatResponse {
        choices,
        id,
        meta: None,
        model: None,
        usage: Usage {
            completion_tokens,
            prompt_tokens,
            total_tokens: prompt_tokens + completion_tokens,
        },
    }
}

/// The chunks of a streamed Jamba chat answer (one choice), without the final
/// `data: [DONE]`.
pub fn jamba_chat_stream(request: &JambaChatRequest, seed: u64) -> Vec<JambaChatStreamChunk> {
    let mut rng = request_rng(seed, request);
    let id = chat_id(&mut rng);
    let max_tokens = request
        .max_tokens
        .flatten()
        .unwrap_or(JAMBA_DEFAULT_MAX_TOKENS);
    let Answer::Text {
        pieces,
        finish_reason,
    } = answer(request, &mut rng, max_tokens, false)
    else {
        unreachable!("tools are not allowed in streams")
    };
    let prompt_tokens = prompt_tokens(request);
    let completion_tokens = pieces.len() as u64;
    let chunk = |delta: ChunkDelta, finish_reason: Option<&str>, usage: Option<chunk::Usage>| {
        JambaChatStreamChunk {
            choices: vec![ChunkChoice {
                delta,
                finish_reason: Some(finish_reason.map(str::to_owned)),
                index: 0,
                logprobs: Some(None),
            }],
            id: id.clone(),
            usage: usage.map(Some),
        }
    };
    let mut chunks = vec![chunk(
        ChunkDelta {
            content: None,
            role: Some(ChunkDeltaRole::Assistant),
        },
        None,
        None,
    )];
    let last = pieces.len().saturating_sub(1);
    let pieces = if pieces.is_empty() {
        vec![String::new()]
    } else {
        pieces
    };
    for (index, piece) in pieces.into_iter().enumerate() {
        let is_last = index == last;
        chunks.push(chunk(
            ChunkDelta {
                content: Some(Some(piece)),
                role: None,
            },
            is_last.then_some(finish_reason),
            is_last.then_some(chunk::Usage {
                completion_tokens,
                prompt_tokens,
                total_tokens: prompt_tokens + completion_tokens,
            }),
        ));
    }
    chunks
}

#[cfg(test)]
mod tests;
