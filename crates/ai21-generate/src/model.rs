//! The model names generated payloads use, read from the validator's known models
//! (`ai21_validate::known_models`, its `data/models.json`, the one place the list lives).

use std::sync::OnceLock;

use ai21_validate::{ModelStatus, known_models};

/// Every J2 model name, in the order of the validator's list. All are retired, so a J2
/// request that names one in its body warns `drift/retired-model`.
pub fn j2() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| names("j2", false))
}

/// The Jamba model names AI21 serves (no deprecated ones, which would warn), in the order
/// of the validator's list.
pub fn jamba() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| names("jamba", true))
}

fn names(family: &str, active_only: bool) -> Vec<&'static str> {
    known_models()
        .expect("the validator's embedded data/models.json parses (its tests check it)")
        .iter()
        .filter(|model| model.family == family)
        .filter(|model| !active_only || model.status == ModelStatus::Active)
        .map(|model| model.name.as_str())
        .collect()
}

#[cfg(test)]
mod tests;
