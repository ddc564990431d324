//! The canonical JSON Schemas of AI21's HTTP APIs, embedded at compile time.
//!
//! `schemas/` at the root of the workspace is the single hand-written description of every
//! payload shape: the Jurassic-2 `complete` request and response, the Jamba
//! `chat/completions` request, response and stream chunk, and the error envelope. This
//! crate embeds those files and the examples beside them, and serves them: each
//! [`PayloadKind`] knows its schema (parsed once), its file name and its `$id`, and
//! iterates over its documented and deliberately invalid [`Example`]s; an [`Endpoint`] is
//! where each kind is sent and answered. A [`Contract`] names today's schemas or one of
//! the historical contracts frozen under `schemas/history/` (the Jamba chat preview, the
//! older J2 documents), each marked deprecated and served beside today's.
//!
//! ```
//! use ai21_schemas::PayloadKind;
//!
//! let kind = PayloadKind::JambaChatRequest;
//! assert_eq!(kind.file_name(), "jamba-chat.request.schema.json");
//! assert_eq!(kind.schema()["title"], "JambaChatRequest");
//! assert!(kind.examples().any(|example| example.is_valid()));
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde_json::Value;

mod contract;
mod dialect;
mod endpoint;
mod repair;
mod route;

pub use contract::{Contract, UnknownContract};
use contract::{Frozen, FrozenSchema};
pub use dialect::{Dialect, UnknownDialect, merge_patch, overlaid_schema, overlay_patch};
pub use endpoint::{Endpoint, UnknownEndpoint};
pub use repair::{Repair, Repaired};
pub use route::{Recognition, Route};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The kind of an AI21 payload, one per canonical schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PayloadKind {
    /// Body of `POST /studio/v1/{model}/complete` (Jurassic-2).
    J2CompleteRequest,
    /// Successful answer of the J2 `complete` endpoint.
    J2CompleteResponse,
    /// Body of `POST /studio/v1/chat/completions` (Jamba).
    JambaChatRequest,
    /// Successful, non-streamed answer of the Jamba chat endpoint.
    JambaChatResponse,
    /// One `data:` event of a streamed Jamba chat answer.
    JambaChatStreamChunk,
    /// The error envelope `{"detail": ...}` of either endpoint.
    ErrorResponse,
}

impl PayloadKind {
    /// Every payload kind, in a fixed order.
    pub const ALL: [PayloadKind; 6] = [
        PayloadKind::J2CompleteRequest,
        PayloadKind::J2CompleteResponse,
        PayloadKind::JambaChatRequest,
        PayloadKind::JambaChatResponse,
        PayloadKind::JambaChatStreamChunk,
        PayloadKind::ErrorResponse,
    ];

    /// The schema's file name without `.schema.json`, such as `jamba-chat.request`; also
    /// the prefix of every example file of this kind.
    pub const fn stem(self) -> &'static str {
        match self {
            PayloadKind::J2CompleteRequest => "j2-complete.request",
            PayloadKind::J2CompleteResponse => "j2-complete.response",
            PayloadKind::JambaChatRequest => "jamba-chat.request",
            PayloadKind::JambaChatResponse => "jamba-chat.response",
            PayloadKind::JambaChatStreamChunk => "jamba-chat.stream-chunk",
            PayloadKind::ErrorResponse => "error.response",
        }
    }

    /// The schema's file name in `schemas/`, such as `jamba-chat.request.schema.json`.
    pub const fn file_name(self) -> &'static str {
        match self {
            PayloadKind::J2CompleteRequest => "j2-complete.request.schema.json",
            PayloadKind::J2CompleteResponse => "j2-complete.response.schema.json",
            PayloadKind::JambaChatRequest => "jamba-chat.request.schema.json",
            PayloadKind::JambaChatResponse => "jamba-chat.response.schema.json",
            PayloadKind::JambaChatStreamChunk => "jamba-chat.stream-chunk.schema.json",
            PayloadKind::ErrorResponse => "error.response.schema.json",
        }
    }

    /// The Rust type name the models use for this payload, such as `JambaChatRequest`.
    pub const fn type_name(self) -> &'static str {
        match self {
            PayloadKind::J2CompleteRequest => "J2CompleteRequest",
            PayloadKind::J2CompleteResponse => "J2CompleteResponse",
            PayloadKind::JambaChatRequest => "JambaChatRequest",
            PayloadKind::JambaChatResponse => "JambaChatResponse",
            PayloadKind::JambaChatStreamChunk => "JambaChatStreamChunk",
            PayloadKind::ErrorResponse => "ErrorResponse",
        }
    }

    /// The schema's `$id`.
    pub const fn id(self) -> &'static str {
        match self {
            PayloadKind::J2CompleteRequest => J2_COMPLETE_REQUEST_ID,
            PayloadKind::J2CompleteResponse => J2_COMPLETE_RESPONSE_ID,
            PayloadKind::JambaChatRequest => JAMBA_CHAT_REQUEST_ID,
            PayloadKind::JambaChatResponse => JAMBA_CHAT_RESPONSE_ID,
            PayloadKind::JambaChatStreamChunk => JAMBA_CHAT_STREAM_CHUNK_ID,
            PayloadKind::ErrorResponse => ERROR_RESPONSE_ID,
        }
    }

    /// The schema file's text, exactly as it is in `schemas/`.
    pub const fn schema_text(self) -> &'static str {
        match self {
            PayloadKind::J2CompleteRequest => J2_COMPLETE_REQUEST_TEXT,
            PayloadKind::J2CompleteResponse => J2_COMPLETE_RESPONSE_TEXT,
            PayloadKind::JambaChatRequest => JAMBA_CHAT_REQUEST_TEXT,
            PayloadKind::JambaChatResponse => JAMBA_CHAT_RESPONSE_TEXT,
            PayloadKind::JambaChatStreamChunk => JAMBA_CHAT_STREAM_CHUNK_TEXT,
            PayloadKind::ErrorResponse => ERROR_RESPONSE_TEXT,
        }
    }

    /// The schema as a JSON value, parsed on first use and shared afterwards.
    pub fn schema(self) -> &'static Value {
        static PARSED: [OnceLock<Value>; 6] = [const { OnceLock::new() }; 6];
        PARSED[self as usize].get_or_init(|| {
            serde_json::from_str(self.schema_text())
                .expect("the build script checked that every schema is JSON")
        })
    }

    /// The documented and invalid examples of this kind, in manifest order.
    pub fn examples(self) -> impl Iterator<Item = &'static Example> {
        EXAMPLES.iter().filter(move |example| example.kind == self)
    }

    /// The kind whose [`stem`](Self::stem) or [`file_name`](Self::file_name) this is.
    pub fn from_name(name: &str) -> Option<PayloadKind> {
        PayloadKind::ALL
            .into_iter()
            .find(|kind| kind.stem() == name || kind.file_name() == name)
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.stem())
    }
}

impl FromStr for PayloadKind {
    type Err = UnknownKind;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        PayloadKind::from_name(name).ok_or_else(|| UnknownKind(name.to_owned()))
    }
}

/// A name that is not the stem or file name of any canonical schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "unknown payload kind {:?}, expected one of:",
            self.0
        )?;
        for kind in PayloadKind::ALL {
            write!(formatter, " {kind}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownKind {}

/// Every example of every kind, valid ones first, in manifest order.
pub fn examples() -> impl Iterator<Item = &'static Example> {
    EXAMPLES.iter()
}

/// An example payload from `schemas/examples/`, with what it is expected to do.
#[derive(Debug)]
pub struct Example {
    file: &'static str,
    kind: PayloadKind,
    source: &'static str,
    text: &'static str,
    expectation: Expectation,
}

impl Example {
    /// The file's path relative to `schemas/examples/`, such as
    /// `jamba-chat.request.002-1.json` or `invalid/jamba-chat.request.empty-user-message.json`.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The kind of payload this is an example of.
    pub fn kind(&self) -> PayloadKind {
        self.kind
    }

    /// Where the example comes from: a seed document and section, or the rule an invalid
    /// example breaks.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The payload's JSON text, exactly as in the file.
    pub fn text(&self) -> &'static str {
        self.text
    }

    /// The payload parsed as JSON.
    pub fn payload(&self) -> Value {
        serde_json::from_str(self.text)
            .expect("the build script checked that every example is JSON")
    }

    /// What validating this example must give.
    pub fn expectation(&self) -> &Expectation {
        &self.expectation
    }

    /// Whether the example is valid against its schema.
    pub fn is_valid(&self) -> bool {
        matches!(self.expectation, Expectation::Valid(_))
    }
}

/// What validating an example must give.
#[derive(Debug)]
pub enum Expectation {
    /// The example is valid against its schema.
    Valid(ValidExample),
    /// The example breaks exactly one schema rule.
    Invalid(InvalidExample),
}

/// Facts about a valid example.
#[derive(Debug)]
pub struct ValidExample {
    documented: Option<Documented>,
    endpoint: Option<&'static str>,
    pairs_with: Option<&'static str>,
}

impl ValidExample {
    /// The text as the documentation shows it, when the example comes from a seed document.
    pub fn documented(&self) -> Option<&Documented> {
        self.documented.as_ref()
    }

    /// The URL path the documentation sends a request example to, such as
    /// `/studio/v1/j2-mid/complete`.
    pub fn endpoint(&self) -> Option<&'static str> {
        self.endpoint
    }

    /// For a request, the file of the response the documentation shows for it.
    pub fn pairs_with(&self) -> Option<&'static str> {
        self.pairs_with
    }
}

/// The text of an example exactly as a seed document shows it, and the repairs that turn it
/// into the strict JSON payload.
#[derive(Debug)]
pub struct Documented {
    file: &'static str,
    text: &'static str,
    repairs: &'static [AppliedRepair],
}

impl Documented {
    /// The `*.documented.txt` file's path relative to `schemas/examples/`.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The documented text, byte for byte.
    pub fn text(&self) -> &'static str {
        self.text
    }

    /// The repairs, in the order they are applied; `schemas/examples/ERRATA.md` explains each.
    pub fn repairs(&self) -> &'static [AppliedRepair] {
        self.repairs
    }

    /// The documented text with every listed repair applied, in order.
    pub fn repaired(&self) -> String {
        self.repairs
            .iter()
            .fold(self.text.to_owned(), |text, applied| {
                applied.repair.apply(&text).text
            })
    }
}

/// A repair applied to a documented example, how many edits it makes, and the erratum
/// that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedRepair {
    /// The repair.
    pub repair: Repair,
    /// How many edits it makes on this example.
    pub count: usize,
    /// The id of the entry in `ERRATA.md` (`E01`, ...) that records the documentation error,
    /// or `None` when the repair only extracts the payload from a code sample.
    pub erratum: Option<&'static str>,
}

/// Facts about an invalid example.
#[derive(Debug)]
pub struct InvalidExample {
    breaks: &'static str,
    violation: Violation,
    cause: Option<Violation>,
}

impl InvalidExample {
    /// The one rule the example breaks, in words.
    pub fn breaks(&self) -> &'static str {
        self.breaks
    }

    /// Where a JSON Schema validator reports the failure: the instance pointer and keyword
    /// of the top-level error.
    pub fn violation(&self) -> Violation {
        self.violation
    }

    /// For a failure inside a `oneOf` or `anyOf`, the failure in the branch that was meant
    /// (the one whose discriminator matches): the precise cause.
    pub fn cause(&self) -> Option<Violation> {
        self.cause
    }
}

/// Where a schema rule fails: an instance JSON Pointer and the failing keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation {
    /// JSON Pointer (RFC 6901) into the instance; empty for the whole document.
    pub pointer: &'static str,
    /// The JSON Schema keyword that fails, such as `required` or `minLength`.
    pub keyword: &'static str,
}

#[cfg(test)]
mod tests;
