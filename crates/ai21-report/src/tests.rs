//! Unit tests of the report layer's pieces; the formats are snapshot-tested end to end in
//! the command line's tests.

use std::path::Path;

use super::*;

#[test]
fn artifact_uris_are_relative_and_encoded() {
    assert_eq!(
        sarif::artifact_uri(Path::new("captures/day 1.jsonl")),
        "captures/day%201.jsonl"
    );
    assert_eq!(sarif::artifact_uri(Path::new("./a.har")), "a.har");
    assert_eq!(
        sarif::artifact_uri(Path::new("/tmp/x#y.jsonl")),
        "file:///tmp/x%23y.jsonl"
    );
}
