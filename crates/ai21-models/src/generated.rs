//! The generated types, one module per canonical schema, and one module per partner
//! dialect with a submodule per payload kind whose types its overlay changes.
//!
//! Every file under `src/generated/` is written by `cargo xtask codegen` from `schemas/`
//! (the dialects' from `schemas/dialects/`) and must not be edited by hand;
//! `cargo xtask codegen --check` (also a test) fails when they are stale.

#[rustfmt::skip]
pub mod j2_complete_request;
#[rustfmt::skip]
pub mod j2_complete_response;
#[rustfmt::skip]
pub mod jamba_chat_request;
#[rustfmt::skip]
pub mod jamba_chat_response;
#[rustfmt::skip]
pub mod jamba_chat_stream_chunk;
#[rustfmt::skip]
pub mod error_response;
#[rustfmt::skip]
pub mod shared;
#[rustfmt::skip]
pub mod bedrock;
#[rustfmt::skip]
pub mod vertex;
#[rustfmt::skip]
pub mod azure;
