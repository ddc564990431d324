//! The model names generated payloads use, read from the validator's known models
//! (`ai21_validate::known_models`, its `data/models.json`, the one place the list lives).

use std::sync::OnceLock;

use ai21_schemas::Dialect;
use ai21_validate::{EventKind, KnownModel, known_models};

/// Every J2 model's AI21 Studio name, in the order of the validator's list. All are retired
/// on AI21 Studio, so a J2 request that names one in its body warns `drift/retired-model`.
pub fn j2() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| names("j2", false))
}

/// The Jamba models' AI21 Studio names, but for the ones AI21 deprecated before its Jamba
/// API's sunset (which warn `drift/deprecated-model` on a day before it), in the order of
/// the validator's list. Checked without a timestamp after the sunset (2026-08-09), every one
/// of them warns `drift/retired-model`, as J2 names do.
pub fn jamba() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| names("jamba", true))
}

fn names(family: &str, undeprecated_only: bool) -> Vec<&'static str> {
    known_models()
        .expect("the validator's embedded data/models.json parses (its tests check it)")
        .iter()
        .filter(|model| model.family == family)
        .filter(|model| !undeprecated_only || !deprecated_on_studio(model))
        .map(|model| model.name.as_str())
        .collect()
}

/// Whether AI21 Studio's lifecycle of the model has a deprecation.
fn deprecated_on_studio(model: &KnownModel) -> bool {
    model
        .lifecycle_on(Dialect::Studio)
        .iter()
        .any(|event| event.event == EventKind::Deprecated)
}

#[cfg(test)]
mod tests;
