//! Unit tests of how messages show values.

use serde_json::json;

use super::*;

#[test]
fn shows_short_values_whole() {
    assert_eq!(short(&json!("stop")), "\"stop\"");
    assert_eq!(short(&json!(3)), "3");
    assert_eq!(short(&json!({"a": [1, 2]})), "{\"a\":[1,2]}");
}

#[test]
fn cuts_long_values_without_serialising_them_whole() {
    let long = "x".repeat(100_000);
    let shown = short(&json!(long));
    assert!(shown.chars().count() < 80, "{shown}");
    assert!(shown.ends_with("…\" (100000 characters)"), "{shown}");
    let big = json!({"tokens": vec![json!({"token": "▁a"}); 10_000]});
    let shown = short(&big);
    assert_eq!(shown.chars().count(), 61, "{shown}");
    assert!(shown.ends_with('…'));
}

#[test]
fn names_types_and_found_values() {
    assert_eq!(type_of(&json!(1)), "integer");
    assert_eq!(type_of(&json!(1.0)), "integer");
    assert_eq!(type_of(&json!(1.5)), "number");
    assert_eq!(found(&json!("")), "an empty string");
    assert_eq!(found(&json!([])), "an empty list");
    assert_eq!(found(&json!(null)), "null");
    assert_eq!(found(&json!(3)), "an integer 3");
    assert_eq!(a_type("array"), "a list");
    assert_eq!(types_plural("object"), "objects");
}

#[test]
fn joins_lists_and_counts() {
    assert_eq!(or_list(["a"]), "a");
    assert_eq!(or_list(["a", "b"]), "a or b");
    assert_eq!(or_list(["a", "b", "c"]), "a, b or c");
    assert_eq!(or_list(Vec::<String>::new()), "");
    assert_eq!(count(1, "token"), "1 token");
    assert_eq!(count(2, "token"), "2 tokens");
}

#[test]
fn finds_the_first_difference_with_context() {
    let (position, left, right) = first_difference(
        "Each step should not exceed a length of 8 words.",
        "Each step should not exceed a length of 13 words.",
    );
    assert_eq!(position, 40);
    assert_eq!(left, "\"… exceed a length of 8 words.\"");
    assert_eq!(right, "\"… exceed a length of 13 words.\"");
    let (position, left, right) = first_difference("abc", "abcd");
    assert_eq!(position, 3);
    assert_eq!(left, "\"abc\" (the end)");
    assert_eq!(right, "\"abcd\"");
}
