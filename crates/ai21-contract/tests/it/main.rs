//! Integration tests of the `ai21-contract` library, one module per feature.

mod directory;
mod gzip;
mod har;
mod jsonl;
mod payload;
mod record_format;
mod secrets;
mod stdin;
mod support;
