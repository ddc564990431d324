//! Directories: read recursively in sorted order, capture files only, hidden ones skipped.

use crate::support::{FIXTURES, check, check_in, fixture, folder, gzip, read, summary};

#[test]
fn folders_are_read_recursively_in_sorted_order() {
    let line = fixture("jsonl/capture.jsonl");
    let first_line = line
        .split(|&byte| byte == b'\n')
        .next()
        .expect("a line")
        .to_vec();
    let folder = folder(&[
        ("b/z.jsonl", &first_line),
        ("b/a.json", &fixture("payload/error.response.json")),
        ("a.har", &fixture("har/not-a-har.har")),
        ("c.jsonl.gz", &gzip(&first_line)),
        ("B.ndjson", &first_line),
        ("notes.txt", b"not a capture"),
        ("README.md", b"# captures"),
        (".hidden.jsonl", b"not read"),
        (".git/x.jsonl", b"not read"),
        ("empty/.keep", b""),
    ]);
    check_in(
        folder.path(),
        &[""],
        &[
            "TMP/B.ndjson:1: POST /studio/v1/j2-mid/complete -> 200, request json, response json",
            "TMP/a.har: unreadable: not a HAR file: missing field `log` at line 1 column 33",
            "TMP/b/a.json: payload error.response",
            "TMP/b/z.jsonl:1: POST /studio/v1/j2-mid/complete -> 200, request json, response json",
            "TMP/c.jsonl.gz:1: POST /studio/v1/j2-mid/complete -> 200, request json, response json",
        ],
    );
    // A file named explicitly is read whatever its name.
    check_in(
        folder.path(),
        &["notes.txt", ".hidden.jsonl"],
        &[
            "TMP/notes.txt:1: unreadable: expected ident at column 2",
            "TMP/.hidden.jsonl:1: unreadable: expected ident at column 2",
        ],
    );
}

#[test]
fn the_fixture_folder_reads_in_a_fixed_order() {
    let lines = summary(&read(&[FIXTURES]));
    // har/: 1 + 1 + 8 entries; jsonl/: 5 + 1 + 7 lines; payload/: 7 files.
    assert_eq!(lines.len(), 30, "{lines:#?}");
    assert!(
        lines[0].starts_with("tests/fixtures/har/broken.har: "),
        "{lines:#?}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|line| line.starts_with("tests/fixtures/payload/unknown-kind.json: "))
    );
    assert_eq!(lines, summary(&read(&[FIXTURES])));
}

#[test]
fn missing_paths_are_unreadable_and_reading_goes_on() {
    check(
        &[
            "tests/fixtures/no-such-file.jsonl",
            "tests/fixtures/payload/error.response.json",
        ],
        &[
            "tests/fixtures/no-such-file.jsonl: unreadable: no such file or directory (os error 2)",
            "tests/fixtures/payload/error.response.json: payload error.response",
        ],
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported() {
    use std::os::unix::fs::PermissionsExt;

    let folder = folder(&[("locked/a.jsonl", b"{}"), ("secret.jsonl", b"{}")]);
    let locked = folder.path().join("locked");
    let secret = folder.path().join("secret.jsonl");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads anything: then there is nothing to report, and the test says so.
    let root = std::fs::read_dir(&locked).is_ok();
    let prefix = folder.path().display().to_string();
    let lines: Vec<String> = summary(&read(&[&prefix]))
        .into_iter()
        .map(|line| line.replace(&prefix, "TMP"))
        .collect();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if root {
        assert_eq!(
            lines,
            [
                "TMP/locked/a.jsonl:1: unreadable: missing field `url` at column 2",
                "TMP/secret.jsonl:1: unreadable: missing field `url` at column 2",
            ]
        );
    } else {
        assert_eq!(
            lines,
            [
                "TMP/locked: unreadable: listing the directory: permission denied (os error 13)",
                "TMP/secret.jsonl: unreadable: permission denied (os error 13)",
            ]
        );
    }
}
