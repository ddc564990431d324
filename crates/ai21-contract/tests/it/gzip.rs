//! Gzipped inputs, recognised by their magic bytes whatever their name, and truncated ones.

use ai21_capture::{Item, Position};

use crate::support::{check_in, check_stdin, fixture, folder, gzip, read, read_stdin};

const LINE: &str = r#"{"url": "/studio/v1/j2-mid/complete", "request": {"body": {"prompt": "Hi"}}, "response": {"status": 200}}"#;

#[test]
fn gzipped_inputs_of_every_format_are_read() {
    let folder = folder(&[
        ("capture.jsonl.gz", &gzip(&fixture("jsonl/capture.jsonl"))),
        ("session.har.gz", &gzip(&fixture("har/session.har"))),
        (
            "error.json.gz",
            &gzip(&fixture("payload/error.response.json")),
        ),
    ]);
    check_in(
        folder.path(),
        &["capture.jsonl.gz", "session.har.gz", "error.json.gz"],
        &[
            "TMP/capture.jsonl.gz:1: POST /studio/v1/j2-mid/complete -> 200, request json, response json",
            "TMP/capture.jsonl.gz:3: POST /studio/v1/chat/completions -> 200, request json, response json",
            "TMP/capture.jsonl.gz:4: POST /studio/v1/chat/completions -> 200, request json, response event-stream",
            "TMP/capture.jsonl.gz:5: POST /studio/v1/j2-ultra/complete -> 401, request json, response json",
            "TMP/capture.jsonl.gz:6: skipped: not an AI21 endpoint: POST https://api.openai.com/v1/chat/completions",
            "TMP/session.har.gz#entry 1: skipped: not an AI21 endpoint: GET https://app.example.com/index.html",
            "TMP/session.har.gz#entry 2: skipped: CORS preflight: OPTIONS https://api.ai21.com/studio/v1/chat/completions",
            "TMP/session.har.gz#entry 3: POST /studio/v1/chat/completions -> 200, request json, response json",
            "TMP/session.har.gz#entry 4: POST /studio/v1/chat/completions -> 200, request json, response event-stream",
            "TMP/session.har.gz#entry 5: POST /studio/v1/j2-mid/complete -> 401, request json, response json",
            "TMP/session.har.gz#entry 6: skipped: no response was captured (status 0): POST https://api.ai21.com/studio/v1/j2-mid/complete",
            "TMP/session.har.gz#entry 7: unreadable: not a HAR entry: missing field `request`",
            "TMP/session.har.gz#entry 8: unreadable: response content: invalid base64: invalid symbol 33, offset 9",
            "TMP/error.json.gz: payload error.response",
        ],
    );
}

#[test]
fn gzip_is_told_by_its_magic_bytes_not_its_name() {
    let folder = folder(&[
        ("capture.log", &gzip(format!("{LINE}\n").as_bytes())),
        ("plain.jsonl.gz", format!("{LINE}\n").as_bytes()),
    ]);
    check_in(
        folder.path(),
        &["capture.log", "plain.jsonl.gz"],
        &[
            "TMP/capture.log:1: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
            "TMP/plain.jsonl.gz:1: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
        ],
    );
    check_stdin(
        &gzip(format!("{LINE}\n{LINE}\n").as_bytes()),
        &[
            "-:1: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
            "-:2: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
        ],
    );
}

#[test]
fn concatenated_gzip_members_are_all_read() {
    let mut bytes = gzip(format!("{LINE}\n").as_bytes());
    bytes.extend(gzip(format!("\n{LINE}\n").as_bytes()));
    check_stdin(
        &bytes,
        &[
            "-:1: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
            "-:3: POST /studio/v1/j2-mid/complete -> 200, request json, response absent",
        ],
    );
}

#[test]
fn a_truncated_gzip_keeps_the_lines_before_the_cut() {
    let capture: String = (0..2000)
        .map(|index| {
            format!(
                r#"{{"url": "/studio/v1/j2-mid/complete", "timestamp": {index}, "request": {{}}, "response": {{"status": 200}}}}"#
            ) + "\n"
        })
        .collect();
    let compressed = gzip(capture.as_bytes());
    let truncated = &compressed[..compressed.len() / 2];
    let items = read_stdin(truncated);
    let (last, records) = items.split_last().expect("items");
    assert!(
        records.len() > 100,
        "{} records before the cut",
        records.len()
    );
    assert!(records.len() < 2000);
    for (index, record) in records.iter().enumerate() {
        assert!(matches!(record, Item::Record(_)), "{record:?}");
        assert_eq!(record.location().position, Position::Line(index as u64 + 1));
    }
    let Item::Unreadable(unreadable) = last else {
        panic!("{last:?}")
    };
    assert_eq!(
        unreadable.location.position,
        Position::Line(records.len() as u64 + 1)
    );
    assert!(
        unreadable.message.starts_with("reading the gzip stream: "),
        "{unreadable}"
    );
}

#[test]
fn truncated_and_corrupt_gzip_documents_are_unreadable() {
    let compressed = gzip(&fixture("har/session.har"));
    let folder = folder(&[
        ("cut.har.gz", &compressed[..compressed.len() / 2]),
        ("magic-only.json", b"\x1f\x8b"),
        (
            "corrupt.jsonl",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage",
        ),
    ]);
    let paths: Vec<String> = ["cut.har.gz", "magic-only.json", "corrupt.jsonl"]
        .iter()
        .map(|name| folder.path().join(name).display().to_string())
        .collect();
    let items = read(&paths.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(items.len(), 3, "{items:?}");
    for (item, position) in
        items
            .iter()
            .zip([Position::Whole, Position::Line(1), Position::Line(1)])
    {
        let Item::Unreadable(unreadable) = item else {
            panic!("{item:?}")
        };
        assert_eq!(unreadable.location.position, position, "{unreadable}");
        assert!(
            unreadable.message.starts_with("reading the gzip stream: "),
            "{unreadable}"
        );
    }
}
