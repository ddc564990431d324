//! Unit tests of the validator's construction.

use super::*;

#[test]
fn is_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Validator>();
    assert!(std::ptr::eq(Validator::shared(), Validator::shared()));
}

#[test]
fn reads_the_defaults_from_the_schemas() {
    let defaults = Defaults::from_schemas().expect("every default is documented");
    assert_eq!(
        defaults,
        Defaults {
            j2_num_results: 1,
            j2_max_tokens: 16,
            j2_top_k_return: 0,
            jamba_n: 1,
            jamba_max_tokens: 4096,
            jamba_temperature: 0.4,
            jamba_stream: false,
        }
    );
}

#[test]
fn retargets_findings() {
    let mut findings = vec![Finding::error("r/x", "", "m")];
    retarget(&mut findings, Target::Request);
    assert_eq!(findings[0].target, Target::Request);
}
