//! Helpers shared by the contract suite's modules.

use std::path::PathBuf;

use ai21_schemas::PayloadKind;
use jsonschema::Validator;

/// The workspace's `schemas/examples/` folder.
pub(crate) fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/examples")
}

/// A draft 2020-12 validator for a canonical schema (built without network or file access).
pub(crate) fn validator(kind: PayloadKind) -> Validator {
    jsonschema::draft202012::new(kind.schema())
        .unwrap_or_else(|error| panic!("{kind}: schema does not compile: {error}"))
}
