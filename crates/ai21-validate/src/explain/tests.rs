//! Unit tests of the explanation helpers.

use super::*;

#[test]
fn suggests_the_declared_spelling_of_a_misspelt_field() {
    let declared: Vec<String> = ["maxTokens", "minTokens", "applyToEmojis", "n"]
        .map(str::to_owned)
        .to_vec();
    let cases = [
        ("max_tokens", Some("maxTokens")),
        ("MAX-TOKENS", Some("maxTokens")),
        ("applyToEmoji", Some("applyToEmojis")),
        ("maxTokenz", Some("maxTokens")),
        ("x_unexpected", None),
        ("m", None),
    ];
    for (unexpected, expected) in cases {
        assert_eq!(
            suggest(unexpected, declared.iter()),
            expected,
            "{unexpected}"
        );
    }
}

#[test]
fn measures_edit_distance() {
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("same", "same"), 0);
}

#[test]
fn maps_keywords_to_rule_ids() {
    assert_eq!(keyword_rule("minLength"), "schema/minLength");
    assert_eq!(keyword_rule("oneOf"), "schema/oneOf");
    assert_eq!(keyword_rule("whatever"), "schema/other");
}
