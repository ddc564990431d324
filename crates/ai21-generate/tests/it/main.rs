//! Integration tests of ai21-generate, one binary with a module per feature.

mod generator;
mod mutations;
mod support;
