//! A partner dialect's schemas, compiled for the stream checks until [`Validator`] compiles
//! them itself.
//!
//! `Validator` holds one compiled schema per payload kind, the canonical one. A stream from
//! a partner (Bedrock's AWS event stream) is checked against the partner's schema
//! ([`PayloadKind::schema_in`]): its chunks carry fields the canonical schema does not
//! declare, which would otherwise be drift. Each function here does what the validator's
//! method of the same name does, on the dialect's schema where the dialect patches the
//! kind, and calls that method where it does not.
//!
//! dialect: when `Validator` compiles every dialect's schemas, the stream checks call its
//! per-dialect methods instead and this module goes.

use std::sync::OnceLock;

use ai21_schemas::{Dialect, PayloadKind};
use ai21_tape::View;
use serde_json::Value;

use crate::Validator;
use crate::fast_schema::FastSchema;
use crate::report::Finding;
use crate::rule::client;
use crate::validator::{Defer, remove_pointer};
use crate::{drift, explain};

/// One dialect's schema of one kind, compiled the three ways the validator compiles the
/// canonical ones.
struct Compiled {
    schema: &'static Value,
    compiled: jsonschema::Validator,
    drift: drift::Plan<'static>,
    fast: FastSchema,
}

/// The compiled schema of `kind` in `dialect`, or `None` where the dialect does not patch
/// the kind (the canonical schema, which the validator holds, is the dialect's).
fn compiled(dialect: Dialect, kind: PayloadKind) -> Option<&'static Compiled> {
    static TABLE: [[OnceLock<Compiled>; 6]; 4] = [const { [const { OnceLock::new() }; 6] }; 4];
    dialect.patch(kind)?;
    Some(TABLE[dialect as usize][kind as usize].get_or_init(|| {
        let schema = kind.schema_in(dialect);
        Compiled {
            schema,
            compiled: jsonschema::draft202012::new(schema).unwrap_or_else(|error| {
                panic!(
                    "the {} schema of {kind} compiles (tested by stream::dialect_schema's tests): {error}",
                    dialect.name()
                )
            }),
            drift: drift::Plan::new(schema),
            fast: FastSchema::new(schema),
        }
    }))
}

/// Whether the validator reports drift (undeclared fields) on payloads of `kind`: on what
/// servers send.
fn reports_drift(kind: PayloadKind) -> bool {
    matches!(
        kind,
        PayloadKind::J2CompleteResponse
            | PayloadKind::JambaChatResponse
            | PayloadKind::JambaChatStreamChunk
            | PayloadKind::ErrorResponse
    )
}

/// [`Validator::check`] against the schema of `kind` in `dialect`.
pub(super) fn check(
    validator: &Validator,
    dialect: Dialect,
    kind: PayloadKind,
    payload: &Value,
    out: &mut Vec<Finding>,
) {
    let Some(compiled) = compiled(dialect, kind) else {
        validator.check(kind, payload, out);
        return;
    };
    let client = client::check(kind, payload);
    if client.claimed.is_empty() {
        compiled.check_schema(payload, out);
    } else {
        let mut rest = payload.clone();
        for pointer in &client.claimed {
            remove_pointer(&mut rest, pointer);
        }
        compiled.check_schema(&rest, out);
    }
    validator.check_rules(kind, payload, out);
    out.extend(client.findings);
    if reports_drift(kind) {
        drift::unknown_fields(&compiled.drift, payload, out);
    }
}

/// [`Validator::check_fast`] against the schema of `kind` in `dialect`: the same findings
/// as [`check`], or `Err` (and nothing added) when they could differ.
pub(super) fn check_fast<'v>(
    validator: &Validator,
    dialect: Dialect,
    kind: PayloadKind,
    payload: impl View<'v>,
    out: &mut Vec<Finding>,
) -> Result<(), Defer> {
    let Some(compiled) = compiled(dialect, kind) else {
        return validator.check_fast(kind, payload, out);
    };
    let (valid, drift) = compiled.fast.check_drift(payload);
    if valid != Some(true) || (drift && reports_drift(kind)) {
        return Err(Defer);
    }
    let client = client::check(kind, payload);
    if !client.findings.is_empty() || !client.claimed.is_empty() {
        return Err(Defer);
    }
    validator.check_rules(kind, payload, out);
    Ok(())
}

/// [`Validator::check_schema`] against the schema of `kind` in `dialect`.
pub(super) fn check_schema(
    validator: &Validator,
    dialect: Dialect,
    kind: PayloadKind,
    payload: &Value,
    out: &mut Vec<Finding>,
) {
    match compiled(dialect, kind) {
        Some(compiled) => compiled.check_schema(payload, out),
        None => validator.check_schema(kind, payload, out),
    }
}

impl Compiled {
    /// The schema findings, explained through the dialect's schema (so their schema
    /// pointers point into it).
    fn check_schema(&self, payload: &Value, out: &mut Vec<Finding>) {
        match self.fast.check_drift(payload).0 {
            Some(true) => return,
            Some(false) => {}
            None if self.compiled.is_valid(payload) => return,
            None => {}
        }
        for error in self.compiled.iter_errors(payload) {
            explain::explain(self.schema, &error, out);
        }
    }
}

#[cfg(test)]
mod tests;
