//! Integration tests of the `ai21-contract` library and binary, one module per feature;
//! the `validate_*` modules run the binary end to end.

mod boto3;
mod clients;
mod directory;
mod ecosystem_python;
mod ecosystem_typescript;
mod export;
mod gzip;
mod har;
mod jsonl;
mod payload;
mod python;
mod readme;
mod record_format;
mod rule_levels;
mod secret_shapes;
mod secrets;
mod serve;
mod stdin;
mod support;
mod synthetic;
mod tools;
mod validate_exit;
mod validate_formats;
mod validate_inputs;
mod validate_secrets;
mod verify;
