//! Helpers shared by the test modules: reading inputs and summarising the items, one line
//! each, so a test states what reading gives as a list of lines.

use std::io::Write;

use ai21_contract::capture::{self, Body, Content, Input, Item, ReadOptions};

/// A fake key shaped like an AI21 one; the fixtures use it wherever a credential goes.
pub(crate) const KEY: &str = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";

/// The fixture folder, relative to the crate (where cargo runs the tests), so that
/// locations in the summaries do not depend on the machine.
pub(crate) const FIXTURES: &str = "tests/fixtures";

/// Reads paths (`-` is `stdin`) with the given options.
pub(crate) fn read_with(arguments: &[&str], options: ReadOptions, stdin: &[u8]) -> Vec<Item> {
    let inputs = arguments.iter().map(Input::from_arg);
    capture::read_from(inputs, options, stdin).collect()
}

/// Reads paths with default options and an empty standard input.
pub(crate) fn read(arguments: &[&str]) -> Vec<Item> {
    read_with(arguments, ReadOptions::default(), b"")
}

/// Reads bytes given on standard input.
pub(crate) fn read_stdin(bytes: &[u8]) -> Vec<Item> {
    read_with(&["-"], ReadOptions::default(), bytes)
}

/// One line per item, such as `x.jsonl:1: POST /studio/v1/j2-mid/complete -> 200, request
/// json, response json`.
pub(crate) fn summary(items: &[Item]) -> Vec<String> {
    items.iter().map(summarise).collect()
}

fn summarise(item: &Item) -> String {
    match item {
        Item::Record(record) => match &record.content {
            Content::Exchange(exchange) => format!(
                "{}: {} {} -> {}, request {}, response {}",
                record.location,
                exchange.method,
                exchange.endpoint(),
                exchange.response.status,
                body_kind(&exchange.request.body),
                body_kind(&exchange.response.body),
            ),
            Content::Payload(payload) => {
                format!("{}: payload {}", record.location, payload.kind)
            }
        },
        Item::Unreadable(unreadable) => format!(
            "{}: unreadable: {}",
            unreadable.location, unreadable.message
        ),
        Item::Skipped(skipped) => format!("{}: skipped: {}", skipped.location, skipped.reason),
    }
}

fn body_kind(body: &Body) -> &'static str {
    match body {
        Body::Absent => "absent",
        Body::Json(_) => "json",
        Body::EventStream(_) => "event-stream",
        Body::Text(_) => "text",
    }
}

/// Checks that reading the arguments summarises to the expected lines.
#[track_caller]
pub(crate) fn check(arguments: &[&str], expected: &[&str]) {
    assert_eq!(summary(&read(arguments)), expected);
}

/// Checks that reading bytes from standard input summarises to the expected lines.
#[track_caller]
pub(crate) fn check_stdin(bytes: &[u8], expected: &[&str]) {
    assert_eq!(summary(&read_stdin(bytes)), expected);
}

/// The gzip compression of some bytes.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// A fixture's bytes.
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).expect("the fixture exists")
}

/// The only record of the items, as an exchange.
#[track_caller]
pub(crate) fn exchange(item: &Item) -> &ai21_contract::capture::Exchange {
    match item {
        Item::Record(record) => match &record.content {
            Content::Exchange(exchange) => exchange,
            Content::Payload(_) => panic!("a payload, not an exchange: {item:?}"),
        },
        _ => panic!("not a record: {item:?}"),
    }
}

/// A temporary folder holding the given files.
pub(crate) fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        let path = folder.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating a folder");
        }
        std::fs::write(path, bytes).expect("writing a file");
    }
    folder
}

/// Checks that reading these paths of a folder summarises to the expected lines, with the
/// folder's path written `TMP`.
#[track_caller]
pub(crate) fn check_in(folder: &std::path::Path, names: &[&str], expected: &[&str]) {
    let paths: Vec<String> = names
        .iter()
        .map(|name| folder.join(name).display().to_string())
        .collect();
    let arguments: Vec<&str> = paths.iter().map(String::as_str).collect();
    let prefix = folder.display().to_string();
    let lines: Vec<String> = summary(&read(&arguments))
        .into_iter()
        .map(|line| line.replace(&prefix, "TMP"))
        .collect();
    assert_eq!(lines, expected);
}
