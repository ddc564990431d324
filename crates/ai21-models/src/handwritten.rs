//! The hand-written layer beside the generated types: constructors for the common cases
//! and `Display` where a value reads as text. Nothing here restates a payload's shape.

use std::fmt;

use crate::error_response::{ErrorDetail, ErrorResponse};
use crate::j2_complete_request::J2CompleteRequest;
use crate::j2_complete_response::{FinishReason, J2CompleteResponse};
use crate::jamba_chat_request::{ChatMessage, JambaChatRequest};
use crate::jamba_chat_response::JambaChatResponse;

impl ChatMessage {
    /// A system message: instructions for the model, sent first.
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage::System {
            content: content.into(),
        }
    }

    /// A user message. The API rejects an empty one.
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage::User {
            content: content.into(),
        }
    }

    /// An earlier answer of the model, without tool calls.
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage::Assistant {
            content: content.into(),
            tool_calls: None,
        }
    }

    /// The output of the tool call with id `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        ChatMessage::Tool {
            content: content.into(),
            tool_call_id: tool_call_id.into(),
        }
    }

    /// The message's role as the API spells it: `system`, `user`, `assistant` or `tool`.
    pub fn role(&self) -> &'static str {
        match self {
            ChatMessage::System { .. } => "system",
            ChatMessage::User { .. } => "user",
            ChatMessage::Assistant { .. } => "assistant",
            ChatMessage::Tool { .. } => "tool",
        }
    }

    /// The message's text.
    pub fn content(&self) -> &str {
        match self {
            ChatMessage::System { content }
            | ChatMessage::User { content }
            | ChatMessage::Assistant { content, .. }
            | ChatMessage::Tool { content, .. } => content,
        }
    }
}

impl JambaChatRequest {
    /// A request for `model` with `messages` and every optional parameter left out, so the
    /// API's defaults apply.
    pub fn new(model: impl Into<String>, messages: Vec<ChatMessage>) -> Self {
        JambaChatRequest {
            documents: None,
            max_tokens: None,
            messages,
            model: model.into(),
            n: None,
            response_format: None,
            stop: None,
            stream: None,
            temperature: None,
            tools: None,
            top_p: None,
        }
    }
}

impl JambaChatResponse {
    /// The text of the first choice, when there is one and it has text (it has none when
    /// the model only made tool calls).
    pub fn content(&self) -> Option<&str> {
        self.choices.first()?.message.content.as_deref()
    }
}

impl J2CompleteRequest {
    /// A request to complete `prompt`, with every optional parameter left out, so the
    /// API's defaults apply.
    pub fn new(prompt: impl Into<String>) -> Self {
        J2CompleteRequest {
            count_penalty: None,
            custom_model: None,
            epoch: None,
            frequency_penalty: None,
            logit_bias: None,
            max_tokens: None,
            min_tokens: None,
            model: None,
            num_results: None,
            presence_penalty: None,
            prompt: prompt.into(),
            stop_sequences: None,
            temperature: None,
            top_k_return: None,
            top_p: None,
        }
    }
}

impl J2CompleteResponse {
    /// The text of each completion, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.completions
            .iter()
            .map(|completion| completion.data.text.as_str())
    }
}

impl fmt::Display for FinishReason {
    /// `length 30`, `endoftext`, or `stop "##"`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FinishReason::Length { length } => write!(formatter, "length {length}"),
            FinishReason::Endoftext => formatter.write_str("endoftext"),
            FinishReason::Stop { sequence } => write!(formatter, "stop {sequence:?}"),
        }
    }
}

impl fmt::Display for ErrorResponse {
    /// The detail message, or each validation problem as `location: message`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            ErrorDetail::String(message) => formatter.write_str(message),
            ErrorDetail::Array(problems) => {
                for (index, problem) in problems.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str("; ")?;
                    }
                    let location: Vec<String> =
                        problem.loc.iter().map(ToString::to_string).collect();
                    write!(formatter, "{}: {}", location.join("."), problem.msg)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
