//! Conversions between the partner dialects' payloads and AI21's own, where one is the
//! other with a known difference: a body without the model the URL names, an integer J2
//! id, fields a platform adds. Nothing here restates a payload's shape; what a dialect
//! leaves alone is the same Rust type in both (a Bedrock request's messages are
//! [`ChatMessage`](crate::ChatMessage)s), so a conversion moves it as it is.
//!
//! Conversions that lose nothing are `From`; those that drop what the canonical type has
//! no field for (Azure's `created`, Bedrock's invocation metrics) are `into_canonical`
//! methods that say so.
//!
//! ```
//! use ai21_models::{ChatMessage, JambaChatRequest, bedrock};
//!
//! let request = JambaChatRequest::new("jamba-1.5-mini", vec![ChatMessage::user("Hi")]);
//! // Bedrock takes the model from the URL (`/model/ai21.jamba-1-5-mini-v1:0/invoke`).
//! let body = bedrock::JambaChatRequest::from_canonical(request.clone());
//! assert_eq!(serde_json::to_string(&body)?, r#"{"messages":[{"role":"user","content":"Hi"}]}"#);
//! assert_eq!(body.into_canonical("jamba-1.5-mini"), request);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use crate::error_response::ErrorResponse;
use crate::j2_complete_response::{CompletionId, J2CompleteResponse};
use crate::jamba_chat_request::JambaChatRequest;
use crate::jamba_chat_response::JambaChatResponse;
use crate::jamba_chat_stream_chunk::{ChunkChoice, JambaChatStreamChunk};
use crate::{azure, bedrock, vertex};

/// The conversions of a dialect's Jamba request, whose fields are the canonical ones with
/// `model` optional.
macro_rules! jamba_request {
    ($dialect:ident, $title:literal, $from_canonical:literal, keeps_model: $keeps_model:literal) => {
        impl $dialect::JambaChatRequest {
            #[doc = concat!("The body ", $title, " takes for `request`: ", $from_canonical)]
            pub fn from_canonical(request: JambaChatRequest) -> Self {
                let JambaChatRequest {
                    documents,
                    max_tokens,
                    messages,
                    model,
                    n,
                    response_format,
                    stop,
                    stream,
                    temperature,
                    tools,
                    top_p,
                } = request;
                $dialect::JambaChatRequest {
                    documents,
                    max_tokens,
                    messages,
                    model: $keeps_model.then_some(model),
                    n,
                    response_format,
                    stop,
                    stream: if $keeps_model { stream } else { None },
                    temperature,
                    tools,
                    top_p,
                }
            }

            #[doc = concat!(
                "The canonical request of this ", $title, " body, for `model`: the model the \
                 platform serves it with (named by the URL or the deployment), which replaces \
                 a `model` the body may carry. Everything else is kept as it is, `stream` too."
            )]
            pub fn into_canonical(self, model: impl Into<String>) -> JambaChatRequest {
                let $dialect::JambaChatRequest {
                    documents,
                    max_tokens,
                    messages,
                    model: _,
                    n,
                    response_format,
                    stop,
                    stream,
                    temperature,
                    tools,
                    top_p,
                } = self;
                JambaChatRequest {
                    documents,
                    max_tokens,
                    messages,
                    model: model.into(),
                    n,
                    response_format,
                    stop,
                    stream,
                    temperature,
                    tools,
                    top_p,
                }
            }
        }
    };
}

jamba_request!(
    bedrock,
    "Amazon Bedrock",
    "its `model` and `stream` left out, as the AI21 SDK's Bedrock client leaves them: the \
     URL names the model (`/model/{id}/invoke`) and asks for a stream \
     (`invoke-with-response-stream`).",
    keeps_model: false
);
jamba_request!(
    vertex,
    "Google Vertex AI",
    "its `model` and `stream` left out, as the AI21 SDK's Vertex client leaves them: the \
     URL names the model (`.../models/{model}:rawPredict`) and asks for a stream \
     (`:streamRawPredict`).",
    keeps_model: false
);
jamba_request!(
    azure,
    "Azure AI",
    "the same body, `model` and `stream` included, as the AI21 SDK's Azure client sends it \
     (a deployment serving one model ignores the name).",
    keeps_model: true
);

/// Bedrock's integer id (always 1234) as the canonical J2 id, which is an integer or a
/// string: the rest is the same types.
impl From<bedrock::J2CompleteResponse> for J2CompleteResponse {
    fn from(response: bedrock::J2CompleteResponse) -> Self {
        J2CompleteResponse {
            completions: response.completions,
            id: CompletionId::Integer(response.id),
            prompt: response.prompt,
        }
    }
}

/// A canonical stream choice as Bedrock's, without Bedrock's own `stop_reason`.
impl From<ChunkChoice> for bedrock::ChunkChoice {
    fn from(choice: ChunkChoice) -> Self {
        bedrock::ChunkChoice {
            delta: choice.delta,
            finish_reason: choice.finish_reason,
            index: choice.index,
            logprobs: choice.logprobs,
            stop_reason: None,
        }
    }
}

/// A canonical stream chunk as Bedrock's, without `meta` or invocation metrics.
impl From<JambaChatStreamChunk> for bedrock::JambaChatStreamChunk {
    fn from(chunk: JambaChatStreamChunk) -> Self {
        bedrock::JambaChatStreamChunk {
            amazon_bedrock_invocation_metrics: None,
            choices: chunk.choices.into_iter().map(Into::into).collect(),
            id: chunk.id,
            meta: None,
            usage: chunk.usage,
        }
    }
}

impl bedrock::ChunkChoice {
    /// The canonical choice, without Bedrock's `stop_reason`.
    pub fn into_canonical(self) -> ChunkChoice {
        ChunkChoice {
            delta: self.delta,
            finish_reason: self.finish_reason,
            index: self.index,
            logprobs: self.logprobs,
        }
    }
}

impl bedrock::JambaChatStreamChunk {
    /// The canonical chunk, without what Bedrock adds: `meta`, the invocation metrics
    /// (which the SDK merges into the last chunk) and each choice's `stop_reason`.
    pub fn into_canonical(self) -> JambaChatStreamChunk {
        JambaChatStreamChunk {
            choices: self
                .choices
                .into_iter()
                .map(bedrock::ChunkChoice::into_canonical)
                .collect(),
            id: self.id,
            usage: self.usage,
        }
    }
}

/// A canonical answer as Azure's, without `created` or `object`.
impl From<JambaChatResponse> for azure::JambaChatResponse {
    fn from(response: JambaChatResponse) -> Self {
        azure::JambaChatResponse {
            choices: response.choices,
            created: None,
            id: response.id,
            meta: response.meta,
            model: response.model,
            object: None,
            usage: response.usage,
        }
    }
}

impl azure::JambaChatResponse {
    /// The canonical answer, without Azure's `created` and `object`.
    pub fn into_canonical(self) -> JambaChatResponse {
        JambaChatResponse {
            choices: self.choices,
            id: self.id,
            meta: self.meta,
            model: self.model,
            usage: self.usage,
        }
    }
}

/// A canonical stream choice as Azure's, without `created`.
impl From<ChunkChoice> for azure::ChunkChoice {
    fn from(choice: ChunkChoice) -> Self {
        azure::ChunkChoice {
            created: None,
            delta: choice.delta,
            finish_reason: choice.finish_reason,
            index: choice.index,
            logprobs: choice.logprobs,
        }
    }
}

/// A canonical stream chunk as Azure's, without `created` or `object`.
impl From<JambaChatStreamChunk> for azure::JambaChatStreamChunk {
    fn from(chunk: JambaChatStreamChunk) -> Self {
        azure::JambaChatStreamChunk {
            choices: chunk.choices.into_iter().map(Into::into).collect(),
            created: None,
            id: chunk.id,
            object: None,
            usage: chunk.usage,
        }
    }
}

impl azure::ChunkChoice {
    /// The canonical choice, without Azure's `created`.
    pub fn into_canonical(self) -> ChunkChoice {
        ChunkChoice {
            delta: self.delta,
            finish_reason: self.finish_reason,
            index: self.index,
            logprobs: self.logprobs,
        }
    }
}

impl azure::JambaChatStreamChunk {
    /// The canonical chunk, without Azure's `created` and `object` (the chunk's and each
    /// choice's).
    pub fn into_canonical(self) -> JambaChatStreamChunk {
        JambaChatStreamChunk {
            choices: self
                .choices
                .into_iter()
                .map(azure::ChunkChoice::into_canonical)
                .collect(),
            id: self.id,
            usage: self.usage,
        }
    }
}

/// AI21's error body as Vertex passes it through from the model's container.
impl From<ErrorResponse> for vertex::ErrorResponse {
    fn from(error: ErrorResponse) -> Self {
        vertex::ErrorResponse {
            detail: Some(error.detail),
            error: None,
        }
    }
}

/// AI21's error body as Azure passes it through from the model's container.
impl From<ErrorResponse> for azure::ErrorResponse {
    fn from(error: ErrorResponse) -> Self {
        azure::ErrorResponse {
            detail: Some(error.detail),
            error: None,
        }
    }
}

impl bedrock::ErrorResponse {
    /// AI21's error body inside Bedrock's, if Bedrock passed one through (`detail`).
    pub fn canonical(&self) -> Option<ErrorResponse> {
        self.detail.clone().map(|detail| ErrorResponse { detail })
    }
}

impl vertex::ErrorResponse {
    /// AI21's error body, when Vertex passed the container's through (`detail`), rather
    /// than raising its own (`error`).
    pub fn canonical(&self) -> Option<ErrorResponse> {
        self.detail.clone().map(|detail| ErrorResponse { detail })
    }
}

impl azure::ErrorResponse {
    /// AI21's error body, when Azure passed the container's through (`detail`), rather
    /// than raising its own (`error`).
    pub fn canonical(&self) -> Option<ErrorResponse> {
        self.detail.clone().map(|detail| ErrorResponse { detail })
    }
}

impl fmt::Display for bedrock::ErrorResponse {
    /// Bedrock's message (the error's type is in the `x-amzn-ErrorType` header).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl fmt::Display for vertex::ErrorResponse {
    /// Google's `status: message`, or AI21's detail as [`ErrorResponse`] writes it.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(error) = &self.error {
            let status = error.status.as_deref().unwrap_or("error");
            let message = error.message.as_deref().unwrap_or("(no message)");
            return write!(formatter, "{status}: {message}");
        }
        match self.canonical() {
            Some(canonical) => canonical.fmt(formatter),
            None => formatter.write_str("(no detail)"),
        }
    }
}

impl fmt::Display for azure::ErrorResponse {
    /// Azure's `code: message`, or AI21's detail as [`ErrorResponse`] writes it.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(error) = &self.error {
            let code = error.code.as_deref().unwrap_or("error");
            let message = error.message.as_deref().unwrap_or("(no message)");
            return write!(formatter, "{code}: {message}");
        }
        match self.canonical() {
            Some(canonical) => canonical.fmt(formatter),
            None => formatter.write_str("(no detail)"),
        }
    }
}

#[cfg(test)]
mod tests;
