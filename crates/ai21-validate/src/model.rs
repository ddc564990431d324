//! The AI21 model names the validator knows, read from `data/models.json` (the one place
//! the list lives), and the drift warnings about model names.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::report::Finding;
use crate::{Error, Result};

const MODELS_JSON: &str = include_str!("../data/models.json");

/// Whether AI21 still serves a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelStatus {
    /// Served.
    Active,
    /// Served, but flagged for removal by AI21 or its SDKs.
    Deprecated,
    /// Switched off (all J1 and J2 models, November 2024).
    Retired,
}

/// A model name AI21 has used, from `data/models.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct KnownModel {
    /// The name as sent in a URL path or a `model` field, such as `j2-mid` or `jamba-large`.
    pub name: String,
    /// `j1`, `j2` or `jamba`.
    pub family: String,
    /// Whether it is still served.
    pub status: ModelStatus,
    /// Where the name and status come from.
    pub note: String,
}

#[derive(Deserialize)]
struct ModelFile {
    models: Vec<KnownModel>,
}

/// Every known model, in the order of `data/models.json`.
pub fn known_models() -> Result<&'static [KnownModel]> {
    static MODELS: OnceLock<std::result::Result<Vec<KnownModel>, String>> = OnceLock::new();
    MODELS
        .get_or_init(|| {
            serde_json::from_str::<ModelFile>(MODELS_JSON)
                .map(|file| file.models)
                .map_err(|error| error.to_string())
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|message| Error::ModelData {
            message: message.clone(),
        })
}

/// The known model with this name. A Vertex-style version suffix (`jamba-1.5-mini@001`)
/// is ignored.
pub fn find_model(name: &str) -> Option<&'static KnownModel> {
    let name = name.split_once('@').map_or(name, |(base, _)| base);
    known_models().ok()?.iter().find(|model| model.name == name)
}

/// Where a model name was used, which decides the warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// Sent by a client: a retired or deprecated model is worth a warning.
    Request,
    /// Reported by a server: only an unknown name is news.
    Response,
}

/// The drift warnings for a model name: `drift/unknown-model`, `drift/retired-model` or
/// `drift/deprecated-model`. `what` says where the name is, for the message.
pub(crate) fn check_model(name: &str, what: &str, pointer: &str, usage: Use) -> Option<Finding> {
    let shown = crate::describe::short_str(name);
    let Some(model) = find_model(name) else {
        return Some(Finding::warning(
            "drift/unknown-model",
            pointer,
            format!("{what} {shown} is not a known AI21 model"),
        ));
    };
    match (usage, model.status) {
        (Use::Request, ModelStatus::Retired) => Some(Finding::warning(
            "drift/retired-model",
            pointer,
            format!(
                "{what} {shown} is retired: AI21 switched {} models off in November 2024",
                model.family.to_uppercase()
            ),
        )),
        (Use::Request, ModelStatus::Deprecated) => Some(Finding::warning(
            "drift/deprecated-model",
            pointer,
            format!("{what} {shown} is deprecated: {}", model.note),
        )),
        _ => None,
    }
}
