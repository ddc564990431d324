//! Integration tests of ai21-validate, one binary with a module per feature.

mod examples;
mod exchanges;
mod robustness;
mod rules;
mod streams;
mod support;
