//! Unit tests of pointer building and naming.

use super::*;

#[test]
fn builds_escaped_pointers() {
    assert_eq!(PointerBuf::root().into_string(), "");
    let mut pointer = PointerBuf::root();
    pointer.push_key("a/b");
    pointer.push_index(3);
    pointer.push_key("c~d");
    pointer.push_key("plain");
    pointer.push_key("");
    assert_eq!(pointer.into_string(), "/a~1b/3/c~0d/plain/");
    assert_eq!(join_key("/x", "a/b"), "/x/a~1b");
    assert_eq!(join_key("/x", "~/~"), "/x/~0~1~0");
    assert_eq!(join_index("/x", 2), "/x/2");
}

#[test]
fn reads_segments_and_parents() {
    assert_eq!(
        segments("/a~1b/0/c~0d").collect::<Vec<_>>(),
        ["a/b", "0", "c~d"]
    );
    assert_eq!(segments("").count(), 0);
    assert_eq!(parent("/a/b/0"), "/a/b");
    assert_eq!(parent("/a"), "");
    assert_eq!(parent(""), "");
}

#[test]
fn names_values_the_way_messages_say_them() {
    let cases = [
        ("", "the payload"),
        ("/prompt", "prompt"),
        ("/messages/1", "messages[1]"),
        ("/messages/1/content", "content"),
        ("/a/0/1", "a[0][1]"),
        ("/0", "item [0]"),
        ("/logitBias/▁the", "\"▁the\""),
    ];
    for (pointer, expected) in cases {
        assert_eq!(name(pointer), expected, "{pointer}");
    }
}
