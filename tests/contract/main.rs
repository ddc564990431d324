//! The contract suite: one test binary, a module per concern.

mod examples;
mod models;
mod schemas;
mod support;
