//! The hand-written layer beside the generated types: constructors for the common cases
//! and `Display` where a value reads as text. Nothing here restates a payload's shape.

use std::fmt;

use crate::error_response::{ErrorDetail, ErrorResponse};
use crate::j2_complete_request::J2CompleteRequest;
use crate::j2_complete_response::{FinishReason, J2CompleteResponse};
use crate::jamba_chat_request::{
    ChatMessage, FunctionDefinition, FunctionParameters, JambaChatRequest, ToolDefinition,
    ToolDefinitionType,
};
use crate::jamba_chat_response::{JambaChatResponse, ResponseMessage};
use crate::jamba_chat_stream_chunk::JambaChatStreamChunk;
use crate::shared::{ToolCall, ToolCallFunction, ToolCallType, Usage};

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
    ///
    /// To replay an answer exactly as it came, tool calls included, convert the response's
    /// message instead: `ChatMessage::from(response.choices[0].message.clone())`.
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage::Assistant {
            content: Some(Some(content.into())),
            tool_calls: None,
        }
    }

    /// An earlier answer of the model that only made tool calls (its `content` is left
    /// out).
    pub fn assistant_tool_calls(tool_calls: Vec<ToolCall>) -> Self {
        ChatMessage::Assistant {
            content: None,
            tool_calls: Some(Some(tool_calls)),
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

    /// The message's text; `None` for an assistant message without text (one that only
    /// made tool calls).
    pub fn content(&self) -> Option<&str> {
        match self {
            ChatMessage::System { content }
            | ChatMessage::User { content }
            | ChatMessage::Tool { content, .. } => Some(content),
            ChatMessage::Assistant { content, .. } => content.as_ref()?.as_deref(),
        }
    }

    /// The tool calls of an assistant message (empty for every other message).
    pub fn tool_calls(&self) -> &[ToolCall] {
        match self {
            ChatMessage::Assistant {
                tool_calls: Some(Some(tool_calls)),
                ..
            } => tool_calls,
            _ => &[],
        }
    }
}

/// A response's answer, replayed as the next request's assistant message exactly as it
/// came: its text (`null` stays `null`) and its tool calls (the same [`ToolCall`] type).
///
/// ```
/// use ai21_models::{ChatMessage, JambaChatRequest, JambaChatResponse};
///
/// let response: JambaChatResponse = serde_json::from_str(r#"{"id": "chat-1", "choices": [{"index": 0,
///     "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null, "tool_calls": [
///     {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}],
///     "usage": {"prompt_tokens": 80, "completion_tokens": 12, "total_tokens": 92}}"#)?;
/// let mut messages = vec![ChatMessage::user("What is the weather in Paris?")];
/// let answer = ChatMessage::from(response.choices[0].message.clone());
/// let call_id = answer.tool_calls()[0].id.clone();
/// messages.push(answer);
/// messages.push(ChatMessage::tool(call_id, r#"{"celsius": 18}"#));
/// let request = JambaChatRequest::new("jamba-mini", messages);
/// assert_eq!(
///     serde_json::to_value(&request)?["messages"][1],
///     serde_json::json!({"role": "assistant", "content": null, "tool_calls": [
///         {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
impl From<ResponseMessage> for ChatMessage {
    fn from(message: ResponseMessage) -> Self {
        ChatMessage::Assistant {
            content: Some(message.content),
            tool_calls: message.tool_calls,
        }
    }
}

impl ToolDefinition {
    /// A function the model may call: its name, what it does, and its parameters as a
    /// JSON Schema object (`None` for a function without parameters).
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Option<FunctionParameters>,
    ) -> Self {
        ToolDefinition {
            type_: ToolDefinitionType::Function,
            function: FunctionDefinition {
                name: name.into(),
                description: Some(description.into()),
                parameters,
            },
        }
    }
}

impl ToolCall {
    /// A call of the function `name` with `arguments`, a JSON-encoded string.
    pub fn function(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        ToolCall {
            id: id.into(),
            type_: ToolCallType::Function,
            function: ToolCallFunction {
                name: name.into(),
                arguments: arguments.into(),
            },
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

    /// The tool calls of the first choice (empty when it made none).
    pub fn tool_calls(&self) -> &[ToolCall] {
        match self
            .choices
            .first()
            .map(|choice| &choice.message.tool_calls)
        {
            Some(Some(Some(tool_calls))) => tool_calls,
            _ => &[],
        }
    }
}

impl JambaChatStreamChunk {
    /// The piece of text this chunk adds to the answer, if any.
    pub fn content(&self) -> Option<&str> {
        self.choices.first()?.delta.content.as_ref()?.as_deref()
    }

    /// The token counts, which only the last chunk carries.
    pub fn usage(&self) -> Option<&Usage> {
        self.usage.as_ref()?.as_ref()
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
