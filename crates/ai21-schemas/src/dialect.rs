//! The hosting dialects: AI21's own API and the partner clouds that serve the same models
//! with small, known differences around the same bodies.
//!
//! A [`Dialect`] names where an exchange was sent. Each partner's differences from the
//! canonical contract live in `schemas/dialects/{name}.overlay.json`, one JSON Merge Patch
//! (RFC 7396) per payload kind the partner changes, with the source of each change in a
//! `$comment`: [`PayloadKind::schema_in`] is the canonical schema with that patch applied,
//! so the validator and the models read a dialect's schema exactly as they read the
//! canonical one.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::{AZURE_OVERLAY_TEXT, BEDROCK_OVERLAY_TEXT, PayloadKind, VERTEX_OVERLAY_TEXT};

/// Where an exchange was sent: AI21's own API or a partner cloud serving AI21's models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// AI21 Studio, `api.ai21.com/studio/v1/...`: the canonical contract.
    #[default]
    Studio,
    /// Amazon Bedrock's runtime API, `bedrock-runtime.{region}.amazonaws.com/model/{id}/invoke`.
    Bedrock,
    /// Google Vertex AI, `.../publishers/ai21/models/{model}:rawPredict`.
    Vertex,
    /// Azure AI (serverless and AI Foundry deployments), `.../chat/completions`.
    Azure,
}

impl Dialect {
    /// Every dialect, AI21's own first.
    pub const ALL: [Dialect; 4] = [
        Dialect::Studio,
        Dialect::Bedrock,
        Dialect::Vertex,
        Dialect::Azure,
    ];

    /// The name used on the command line, in captures and in overlay file names:
    /// `studio`, `bedrock`, `vertex` or `azure`.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Studio => "studio",
            Dialect::Bedrock => "bedrock",
            Dialect::Vertex => "vertex",
            Dialect::Azure => "azure",
        }
    }

    /// The platform's name for people, such as `Amazon Bedrock`.
    pub const fn title(self) -> &'static str {
        match self {
            Dialect::Studio => "AI21 Studio",
            Dialect::Bedrock => "Amazon Bedrock",
            Dialect::Vertex => "Google Vertex AI",
            Dialect::Azure => "Azure AI",
        }
    }

    /// A short name for findings, such as `Bedrock`.
    pub const fn short(self) -> &'static str {
        match self {
            Dialect::Studio => "Studio",
            Dialect::Bedrock => "Bedrock",
            Dialect::Vertex => "Vertex",
            Dialect::Azure => "Azure",
        }
    }

    /// The dialect's overlay file, parsed: `None` for [`Dialect::Studio`], which is the
    /// canonical contract itself.
    pub fn overlay(self) -> Option<&'static Value> {
        static PARSED: [OnceLock<Value>; 4] = [const { OnceLock::new() }; 4];
        let text = match self {
            Dialect::Studio => return None,
            Dialect::Bedrock => BEDROCK_OVERLAY_TEXT,
            Dialect::Vertex => VERTEX_OVERLAY_TEXT,
            Dialect::Azure => AZURE_OVERLAY_TEXT,
        };
        Some(PARSED[self as usize].get_or_init(|| {
            serde_json::from_str(text).expect("the build script checked that every overlay is JSON")
        }))
    }

    /// The overlay file's name in `schemas/dialects/`, such as `bedrock.overlay.json`.
    pub fn overlay_file(self) -> Option<String> {
        self.overlay()
            .map(|_| format!("{}.overlay.json", self.name()))
    }

    /// The merge patch this dialect applies to the schema of `kind`, if it changes it.
    pub fn patch(self, kind: PayloadKind) -> Option<&'static Value> {
        overlay_patch(self.overlay()?, kind)
    }

    /// Whether this dialect serves `kind` at all (Vertex and Azure serve no J2).
    pub fn serves(self, kind: PayloadKind) -> bool {
        !matches!(
            (self, kind),
            (
                Dialect::Vertex | Dialect::Azure,
                PayloadKind::J2CompleteRequest | PayloadKind::J2CompleteResponse
            )
        )
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|dialect| dialect.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownDialect(name.to_owned()))
    }
}

/// A name that is no dialect's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "unknown dialect {:?}, expected one of: studio, bedrock, vertex, azure",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl PayloadKind {
    /// The schema of this kind as `dialect` has it: the canonical schema with the dialect's
    /// merge patch applied, or the canonical schema itself where the dialect changes
    /// nothing.
    ///
    /// ```
    /// use ai21_schemas::{Dialect, PayloadKind};
    ///
    /// let kind = PayloadKind::JambaChatRequest;
    /// assert_eq!(kind.schema()["required"], serde_json::json!(["model", "messages"]));
    /// // Bedrock takes the model from the URL, not from the body.
    /// assert_eq!(kind.schema_in(Dialect::Bedrock)["required"], serde_json::json!(["messages"]));
    /// ```
    pub fn schema_in(self, dialect: Dialect) -> &'static Value {
        static PATCHED: [[OnceLock<Option<Value>>; 6]; 4] =
            [const { [const { OnceLock::new() }; 6] }; 4];
        PATCHED[dialect as usize][self as usize]
            .get_or_init(|| overlaid_schema(self.schema(), dialect.overlay()?, self))
            .as_ref()
            .unwrap_or_else(|| self.schema())
    }
}

/// The merge patch an overlay document (a `schemas/dialects/<name>.overlay.json`, this
/// program's or another version's) applies to the schema of `kind`, if it changes it:
/// `/kinds/<stem>/patch`.
pub fn overlay_patch(overlay: &Value, kind: PayloadKind) -> Option<&Value> {
    overlay.get("kinds")?.get(kind.stem())?.get("patch")
}

/// The schema of `kind` (`canonical`) with the overlay's merge patch applied, or `None`
/// when the overlay has no patch for it.
pub fn overlaid_schema(canonical: &Value, overlay: &Value, kind: PayloadKind) -> Option<Value> {
    let patch = overlay_patch(overlay, kind)?;
    let mut schema = canonical.clone();
    merge_patch(&mut schema, patch);
    Some(schema)
}

/// Applies a JSON Merge Patch (RFC 7396, section 2) to `target`: an object patch merges
/// member by member, `null` removes a member, anything else replaces the target whole.
///
/// Written out rather than taken from a crate: it is the RFC's ten-line algorithm, and this
/// crate depends on `serde_json` alone.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(target) = target.as_object_mut() else {
        return;
    };
    for (name, value) in patch {
        if value.is_null() {
            target.remove(name);
        } else {
            merge_patch(target.entry(name.clone()).or_insert(Value::Null), value);
        }
    }
}
