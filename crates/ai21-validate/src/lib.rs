//! The contract validator for AI21's J2 `complete` and Jamba `chat/completions` APIs.
//!
//! It checks payloads, request/response exchanges and event streams against the canonical
//! schemas (`ai21_schemas`) and against the API rules a schema cannot express, and
//! returns a [`Report`] of [`Finding`]s: a contract violation is data, and `Err` only
//! means a check could not run at all. [`Validator::for_contract`] checks against a
//! historical [`Contract`] instead (the Jamba preview, the older J2 documents): its
//! schemas for the kinds it freezes, today's for the others.
//!
//! ```
//! use ai21_validate::{PayloadKind, Validator};
//! use serde_json::json;
//!
//! let validator = Validator::shared();
//! let report = validator.validate(
//!     PayloadKind::J2CompleteRequest,
//!     &json!({"prompt": "These are a few of my favorite", "max_tokens": 30}),
//! );
//! assert!(report.has_errors());
//! assert_eq!(report.findings[0].rule, "schema/additionalProperties");
//! assert_eq!(
//!     report.findings[0].message,
//!     r#""max_tokens" is not a known field (did you mean "maxTokens"?)"#
//! );
//! ```
//!
//! # What is checked
//!
//! - **Schema** (`schema/<keyword>`, errors): the raw JSON value against the canonical
//!   schema of its kind, with `jsonschema`. A failed `oneOf`/`anyOf` is reported through
//!   the branch that was meant (`reason is "stop", so "sequence" is required`).
//! - **API rules** (`j2/...`, `jamba/...`): text ranges, usage arithmetic, choice
//!   indexes, tool call arguments, request parameter combinations; [`RULES`] lists them.
//!   They run whether or not the schema passes (a capture with one schema error may
//!   still hide an arithmetic one), and each reads only values of the type it expects,
//!   so a wrong type is reported once, by the schema. A parameter a request leaves out
//!   takes the `default` its schema documents.
//! - **Drift** (`drift/...`, warnings): fields a response carries that the schema does
//!   not know, unknown, deprecated and retired model names (`data/models.json`), unknown
//!   finish reasons.
//! - **Exchanges** (`pair/...`): a response against its request
//!   ([`Validator::validate_exchange`]).
//! - **Streams** (`stream/...`): a `text/event-stream` body, event by event, and the
//!   response reassembled from it ([`Validator::validate_stream`]); Bedrock's binary AWS
//!   event stream, message by message, with the same chunk checks and reassembly
//!   ([`Validator::validate_event_stream`], [`eventstream`]).
//!
//! Generating payloads, valid ones and ones broken in ways the validator must report, is
//! the job of `ai21-generate`, which reads the schemas with this crate's [`walk`].
//!
//! # Text ranges
//!
//! A token's `textRange` holds offsets into the text it belongs to (`prompt.text` or a
//! completion's `data.text`), counted in Unicode code points: the server is Python, whose
//! string indexes are code points. So `🙂` is one position wide; counted in UTF-16 code
//! units (JavaScript's `length`) it would be two, and counted in UTF-8 bytes four. Every
//! documented and captured example is ASCII, where all three agree; the unit for text
//! beyond the Basic Multilingual Plane is unverified (api-facts section 9).
//!
//! The ranges of a token list tile the text: the first starts at 0, each starts where
//! the previous one ends, and the last ends at the text's length. Zero-width ranges are
//! allowed (a leading `▁`, `<|endoftext|>`, a matched stop token). A non-empty text with
//! no tokens at all is not tiled either. A list holding a range that is not two
//! non-negative integers is left to the schema.

mod content;
mod describe;
mod drift;
pub mod eventstream;
mod exchange;
mod explain;
mod fast_schema;
mod model;
mod pointer;
mod report;
mod rule;
mod schema;
mod stream;
mod validator;
pub mod walk;

pub use ai21_schemas::{
    Contract, Dialect, Endpoint, PayloadKind, Recognition, Route, UnknownContract,
};
pub use exchange::{Body, Exchange};
pub use explain::explain_schema_errors;
pub use model::{
    EventKind, KnownModel, LifecycleEvent, ModelStatus, Platform, Platforms, TODAY_VARIABLE,
    find_model, find_model_on, known_models, pin_today,
};
pub use report::{Finding, Report, Severity, Target};
pub use rule::{RULES, RuleInfo, SCHEMA_RULES, rule_info};
pub use stream::StreamReport;
pub use validator::Validator;

/// The Jamba finish reasons the contract knows. The schema keeps the set open; any other
/// reason is drift (`drift/unknown-finish-reason`, a warning).
pub const KNOWN_FINISH_REASONS: [&str; 4] = rule::jamba::KNOWN_FINISH_REASONS;

/// Why a check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A canonical schema, or a dialect's overlaid one, does not compile.
    #[error("compiling the {kind} schema of the {dialect} dialect: {message}")]
    Compile {
        /// The schema's kind.
        kind: PayloadKind,
        /// The dialect whose overlay it has ([`Dialect::Studio`] for the canonical one).
        dialect: Dialect,
        /// The compiler's message.
        message: String,
    },
    /// A historical contract's schema does not compile.
    #[error("compiling the {kind} schema of the historical contract {contract}: {message}")]
    CompileHistorical {
        /// The contract.
        contract: Contract,
        /// The schema's kind.
        kind: PayloadKind,
        /// The compiler's message.
        message: String,
    },
    /// A default the rules need is missing from a schema.
    #[error("{}: /properties/{property}/default is missing or has the wrong type", kind.file_name())]
    MissingDefault {
        /// The schema's kind.
        kind: PayloadKind,
        /// The property whose default is missing.
        property: &'static str,
    },
    /// `data/models.json` does not parse, or breaks one of its rules.
    #[error("crates/ai21-validate/data/models.json: {message}")]
    ModelData {
        /// The parser's message, with line and column, or the rule broken and where.
        message: String,
    },
    /// A day given for today ([`pin_today`]) is not an ISO date, or another day is pinned.
    #[error("pinning today to {day:?}: {message}")]
    Today {
        /// The day as given.
        day: String,
        /// What is wrong with it.
        message: String,
    },
    /// A URL path names no known endpoint.
    #[error(transparent)]
    UnknownEndpoint(#[from] ai21_schemas::UnknownEndpoint),
    /// An exchange has no endpoint and its request does not say which API it is for.
    #[error(
        "cannot tell which API the exchange is for: no endpoint, and the request has neither `prompt` (J2) nor `messages` (Jamba)"
    )]
    UnknownApi,
}

/// The result of a check that may not run.
pub type Result<T, E = Error> = std::result::Result<T, E>;
