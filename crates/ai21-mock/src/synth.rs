//! Deterministic answers that honour the request.
//!
//! Every answer is a function of the seed and the request (hashed in its canonical
//! serialization, so whitespace and key order do not matter). Its random source, its
//! words and its J2 tokenization are `ai21_generate`'s, the ones every generator of the
//! workspace uses. The answers pass every pairing rule of the validator:
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

use ai21_generate::Random;
use ai21_generate::tiling::{self, END_OF_TEXT, SPACE, Tiling, Token};
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

/// The J2 default of `maxTokens`, per the schema.
const J2_DEFAULT_MAX_TOKENS: u64 = 16;
/// The Jamba default of `max_tokens`, per the schema.
const JAMBA_DEFAULT_MAX_TOKENS: u64 = 4096;

/// The random source of one answer: the seed and the request, in its canonical
/// serialization.
fn request_random<T: serde::Serialize>(seed: u64, request: &T) -> Random {
    let canonical = serde_json::to_vec(request).unwrap_or_default();
    Random::from_parts(seed, &[&canonical])
}

// ---------------------------------------------------------------------------------------
// J2

/// The prompt's tokens, cut by the one J2 tiling (`▁` for spaces, `<|newline|>` for line
/// breaks, ranges in code points), each with its log probabilities.
fn tokenize_prompt(text: &str, random: &mut Random, top_k: u64) -> Vec<TokenData> {
    tiling::tokenize(text)
        .into_iter()
        .map(|token| {
            let logprob = random.logprob();
            token_data(token, logprob, logprob, random, top_k)
        })
        .collect()
}

fn token_data(
    token: Token,
    logprob: f64,
    raw_logprob: f64,
    random: &mut Random,
    top_k: u64,
) -> TokenData {
    let top_tokens = (top_k > 0).then(|| {
        // The token itself first, then alternatives, most probable first.
        let mut alternatives = vec![TopToken {
            logprob,
            token: token.token.clone(),
        }];
        let mut current = logprob;
        while (alternatives.len() as u64) < top_k {
            current -= random.unit() * 2.0 + 0.01;
            alternatives.push(TopToken {
                logprob: current,
                token: format!("{SPACE}{}", random.word()),
            });
        }
        alternatives
    });
    TokenData {
        generated_token: GeneratedToken {
            logprob,
            raw_logprob: Some(raw_logprob),
            token: token.token,
        },
        text_range: TextRange {
            end: token.end,
            start: token.start,
        },
        top_tokens,
    }
}

/// Builds one completion of `content_tokens` words, then an optional zero-width final
/// token (`<|endoftext|>` or the matched stop sequence).
fn completion(
    random: &mut Random,
    content_tokens: u64,
    final_token: Option<String>,
    finish_reason: FinishReason,
    top_k: u64,
) -> Completion {
    let mut tiling = Tiling::new();
    let mut tokens = Vec::new();
    for index in 0..content_tokens {
        let piece = match random.below(12) {
            0 if index > 0 => ",".to_owned(),
            1 if index > 0 => "\n".to_owned(),
            _ => format!(" {}", random.word()),
        };
        let token = tiling.push(&piece);
        let logprob = random.logprob();
        let raw = random.logprob().min(logprob);
        tokens.push(token_data(token, logprob, raw, random, top_k));
    }
    if let Some(final_token) = final_token {
        let token = tiling.push_empty(&final_token);
        let logprob = random.logprob();
        tokens.push(token_data(token, logprob, logprob, random, top_k));
    }
    Completion {
        data: CompletionData {
            text: tiling.into_text(),
            tokens,
        },
        finish_reason,
    }
}

/// The most entries one J2 answer may hold: tokens (of the prompt and of every
/// completion) plus their top-token alternatives. See [`J2Work`].
pub const MAX_ANSWER_ENTRIES: u64 = 262_144;

/// What a J2 answer costs, counted from the request before anything is written.
///
/// A J2 answer holds every prompt token and up to `maxTokens` tokens in each of the
/// `numResults` completions, and each token carries `topKReturn` alternatives. Each bound
/// is small on its own (the schema allows 16 results, 8191 tokens, 10 alternatives, and a
/// prompt as long as the body limit), but their product is not: 16 × 8191 × 11 is 1.4
/// million entries, hundreds of megabytes for one request. The mock refuses a request
/// whose answer would hold more than [`MAX_ANSWER_ENTRIES`] (the server answers 422).
/// Jamba answers need no such limit: a choice says 8 to 48 tokens whatever `max_tokens`
/// is, so `n` (at most 16) bounds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct J2Work {
    /// Tokens of the prompt, as the answer cuts it.
    pub prompt_tokens: u64,
    /// Completions (`numResults`, default 1).
    pub num_results: u64,
    /// The most tokens of each completion (`maxTokens`, default 16).
    pub max_tokens: u64,
    /// Alternatives per token (`topKReturn`, default 0).
    pub top_k_return: u64,
}

impl J2Work {
    /// The work of answering `request`.
    pub fn of(request: &J2CompleteRequest) -> J2Work {
        J2Work {
            prompt_tokens: tiling::token_count(&request.prompt),
            num_results: request.num_results.flatten().unwrap_or(1).max(1),
            max_tokens: request
                .max_tokens
                .flatten()
                .unwrap_or(J2_DEFAULT_MAX_TOKENS),
            top_k_return: request.top_k_return.flatten().unwrap_or(0),
        }
    }

    /// The most tokens the answer holds: the prompt's and every completion's.
    pub fn tokens(&self) -> u64 {
        self.num_results
            .saturating_mul(self.max_tokens)
            .saturating_add(self.prompt_tokens)
    }

    /// The most entries the answer holds: every token and its alternatives.
    pub fn entries(&self) -> u64 {
        self.tokens()
            .saturating_mul(self.top_k_return.saturating_add(1))
    }

    /// Whether the answer stays within [`MAX_ANSWER_ENTRIES`].
    pub fn within_limit(&self) -> bool {
        self.entries() <= MAX_ANSWER_ENTRIES
    }

    /// Why the request is refused, naming the fields that make the answer this large.
    pub fn explain(&self) -> String {
        format!(
            "the answer would hold {} entries: (prompt {} tokens + numResults {} × maxTokens {}) tokens × (1 + topKReturn {}), more than the mock's limit of {MAX_ANSWER_ENTRIES}; lower numResults, maxTokens or topKReturn, or shorten the prompt",
            self.entries(),
            self.prompt_tokens,
            self.num_results,
            self.max_tokens,
            self.top_k_return
        )
    }
}

/// The answer to a J2 completion request.
///
/// Its size is [`J2Work::entries`]; the server refuses requests over
/// [`MAX_ANSWER_ENTRIES`] before calling this.
pub fn j2_complete(request: &J2CompleteRequest, seed: u64) -> J2CompleteResponse {
    let mut random = request_random(seed, request);
    let top_k = request.top_k_return.flatten().unwrap_or(0);
    let max_tokens = request
        .max_tokens
        .flatten()
        .unwrap_or(J2_DEFAULT_MAX_TOKENS);
    let min_tokens = request.min_tokens.flatten().unwrap_or(0).min(max_tokens);
    let stops: Vec<&String> = request.stop_sequences.iter().flatten().flatten().collect();
    let id = random.j2_id();
    let prompt_tokens = tokenize_prompt(&request.prompt, &mut random, top_k);
    let completions = (0..request.num_results.flatten().unwrap_or(1).max(1))
        .map(|_| {
            let can_end_early = max_tokens > min_tokens;
            match random.below(4) {
                2 if can_end_early && !stops.is_empty() => {
                    let content = random.between(min_tokens, max_tokens - 1);
                    let sequence = (*random.pick(&stops)).clone();
                    let token = tiling::spell(&sequence);
                    completion(
                        &mut random,
                        content,
                        Some(token),
                        FinishReason::Stop { sequence },
                        top_k,
                    )
                }
                2 | 3 if can_end_early => {
                    let content = random.between(min_tokens, max_tokens - 1);
                    completion(
                        &mut random,
                        content,
                        Some(END_OF_TEXT.to_owned()),
                        FinishReason::Endoftext,
                        top_k,
                    )
                }
                _ => completion(
                    &mut random,
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

fn answer(
    request: &JambaChatRequest,
    random: &mut Random,
    max_tokens: u64,
    allow_tools: bool,
) -> Answer {
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
                id: format!("call_{}", random.between(1_000_000, 9_999_999)),
                type_: ToolCallType::Function,
            },
            tokens,
        };
    }
    let target = random.between(8, 48);
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
            let word = random.word();
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

fn chat_id(random: &mut Random) -> String {
    format!("chat-{}", random.hex(32))
}

/// The answer to a non-streamed Jamba chat request.
pub fn jamba_chat(request: &JambaChatRequest, seed: u64) -> JambaChatResponse {
    let mut random = request_random(seed, request);
    let id = chat_id(&mut random);
    let max_tokens = request
        .max_tokens
        .flatten()
        .unwrap_or(JAMBA_DEFAULT_MAX_TOKENS);
    let answers: Vec<Answer> = (0..request.n.flatten().unwrap_or(1).max(1))
        .map(|_| answer(request, &mut random, max_tokens, true))
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
    let mut random = request_random(seed, request);
    let id = chat_id(&mut random);
    let max_tokens = request
        .max_tokens
        .flatten()
        .unwrap_or(JAMBA_DEFAULT_MAX_TOKENS);
    let Answer::Text {
        pieces,
        finish_reason,
    } = answer(request, &mut random, max_tokens, false)
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
