//! The contract suite: one test binary, a module per concern.

mod differential;
mod examples;
mod models;
mod schemas;
mod support;
