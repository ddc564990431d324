//! Unit tests of the word list.

use super::*;

#[test]
fn every_word_is_one_plain_token() {
    for word in WORDS {
        assert!(!word.is_empty());
        assert!(
            !word.chars().any(|character| character.is_whitespace()
                || character.is_control()
                || matches!(character, '"' | '\\' | '▁')),
            "{word:?}"
        );
    }
}

#[test]
fn words_are_listed_once_and_some_are_not_ascii() {
    let unique: std::collections::BTreeSet<&str> = WORDS.iter().copied().collect();
    assert_eq!(unique.len(), WORDS.len());
    assert!(WORDS.iter().any(|word| !word.is_ascii()));
    assert!(
        WORDS
            .iter()
            .any(|word| word.chars().any(|character| character.len_utf16() == 2))
    );
}
