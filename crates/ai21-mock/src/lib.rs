//! A mock of AI21's HTTP API that answers like the real service, on AI21 Studio's paths
//! and on the partner clouds' (Amazon Bedrock, Google Vertex AI, Azure AI).
//!
//! [`server`] is the HTTP side (axum on tokio): routes, authentication, validation of
//! every request, errors in the API's envelope, streaming and fault injection; its module
//! documentation has the table of answers, the lenient/strict rules and recording. [`synth`] writes
//! the answers: deterministic for a given seed and request, valid
//! against the canonical schemas, and honouring the request (result counts, token limits
//! with the right finish reason, stop sequences, top-K alternatives, text ranges that
//! tile the text, usage arithmetic, tool calls, streaming). [`dialect`] writes them as each
//! partner does (its credentials, its additions to the bodies, its errors), and
//! [`eventstream`] frames streamed answers as Bedrock does, in AWS event-stream messages.

pub mod dialect;
pub mod eventstream;
pub mod server;
pub mod synth;

pub use server::{Config, Fault, Faults, RecordedExchange, RunningMock, router, serve};
