//! The contract suite: one test binary, a module per concern.

mod differential;
mod examples;
mod history;
mod models;
mod rust_client;
mod schemas;
mod support;
