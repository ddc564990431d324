//! A mock of AI21's HTTP API that answers like the real service.
//!
//! [`server`] is the HTTP side (axum on tokio): routes, authentication, validation of
//! every request, errors in the API's envelope, streaming and fault injection; its module
//! documentation has the table of answers, the lenient/strict rules and recording. [`synth`] writes
//! the answers: deterministic for a given seed and request, valid
//! against the canonical schemas, and honouring the request (result counts, token limits
//! with the right finish reason, stop sequences, top-K alternatives, text ranges that
//! tile the text, usage arithmetic, tool calls, streaming). [`eventstream`] frames
//! streamed answers as Bedrock does, in AWS event-stream messages.

pub mod eventstream;
pub mod server;
pub mod synth;

pub use server::{Config, Fault, Faults, RecordedExchange, RunningMock, router, serve};
