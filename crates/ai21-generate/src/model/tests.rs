//! Unit tests of the model lists.

use ai21_validate::find_model;

use super::*;

#[test]
fn the_lists_come_from_the_validators_known_models() {
    assert!(j2().contains(&"j2-mid") && j2().contains(&"j2-ultra"));
    assert!(jamba().contains(&"jamba-mini") && jamba().contains(&"jamba-large"));
    for name in j2() {
        let model = find_model(name).expect("known");
        assert_eq!(
            (model.family.as_str(), model.status),
            ("j2", ModelStatus::Retired)
        );
    }
    for name in jamba() {
        let model = find_model(name).expect("known");
        assert_eq!(
            (model.family.as_str(), model.status),
            ("jamba", ModelStatus::Active)
        );
    }
}
