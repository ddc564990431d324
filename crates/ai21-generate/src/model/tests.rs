//! Unit tests of the model lists.

use ai21_validate::find_model;

use super::*;

#[test]
fn the_lists_come_from_the_validators_known_models() {
    assert!(j2().contains(&"j2-mid") && j2().contains(&"j2-ultra"));
    assert!(jamba().contains(&"jamba-mini") && jamba().contains(&"jamba-large"));
    let retired = |model: &KnownModel| {
        model
            .lifecycle_on(Dialect::Studio)
            .iter()
            .any(|event| event.event == EventKind::Retired)
    };
    for name in j2() {
        let model = find_model(name).expect("known");
        assert_eq!((model.family.as_str(), retired(model)), ("j2", true));
    }
    for name in jamba() {
        let model = find_model(name).expect("known");
        assert_eq!(model.family, "jamba");
        assert!(!deprecated_on_studio(model), "{name}");
    }
    // The deprecated ones are left out, and only they.
    assert!(!jamba().contains(&"jamba-1.6-mini") && !jamba().contains(&"jamba-1.6-large"));
    assert_eq!(jamba().len(), 11, "{:?}", jamba());
}
