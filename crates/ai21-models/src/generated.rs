//! The generated types, one module per canonical schema.
//!
//! Every file under `src/generated/` is written by `cargo xtask codegen` from `schemas/`
//! and must not be edited by hand; `cargo xtask codegen --check` (also a test) fails when
//! they are stale.

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
