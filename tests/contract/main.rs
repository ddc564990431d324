//! The contract suite: one test binary, a module per concern.

mod examples;
mod schemas;
mod support;
