//! Standard input, injected as any reader, mixed with paths in input order.

use std::io::{self, Read};

use ai21_capture::{Input, Items, ReadOptions};

use crate::support::{FIXTURES, check_stdin, fixture, read_with, summary};

const LINE: &str =
    r#"{"url": "/studio/v1/chat/completions", "request": {}, "response": {"status": 200}}"#;

#[test]
fn stdin_and_paths_are_read_in_the_order_given() {
    let items = read_with(
        &[
            &format!("{FIXTURES}/payload/error.response.json"),
            "-",
            "-",
            &format!("{FIXTURES}/jsonl/empty.jsonl"),
        ],
        ReadOptions::default(),
        format!("{LINE}\n{LINE}\n").as_bytes(),
    );
    assert_eq!(
        summary(&items),
        [
            "tests/fixtures/payload/error.response.json: payload error.response",
            "-:1: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-:2: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-: unreadable: standard input was already read",
            "tests/fixtures/jsonl/empty.jsonl: unreadable: empty file",
        ]
    );
}

#[test]
fn har_on_stdin_is_recognised() {
    let items = read_with(
        &["-"],
        ReadOptions::default(),
        fixture("har/session.har").as_slice(),
    );
    let lines = summary(&items);
    assert_eq!(lines.len(), 8);
    assert_eq!(
        lines[2],
        "-#entry 3: POST /studio/v1/chat/completions -> 200, request json, response json"
    );
}

#[test]
fn an_empty_stdin_is_unreadable() {
    check_stdin(b"", &["-: unreadable: empty input"]);
}

/// A reader that gives some bytes, then fails.
struct Failing(io::Cursor<Vec<u8>>);

impl Read for Failing {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buffer)? {
            0 => Err(io::Error::other("Connection reset by peer.")),
            read => Ok(read),
        }
    }
}

#[test]
fn a_failing_reader_is_reported_where_it_failed() {
    let reader = Failing(io::Cursor::new(
        format!("{LINE}\n{LINE}\n{{\"url\"").into_bytes(),
    ));
    let items: Vec<_> =
        ai21_capture::read_from([Input::Stdin], ReadOptions::default(), reader).collect();
    assert_eq!(
        summary(&items),
        [
            "-:1: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-:2: POST /studio/v1/chat/completions -> 200, request absent, response absent",
            "-:3: unreadable: connection reset by peer",
        ]
    );
}

#[test]
fn items_can_be_sent_to_another_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let items: Items<'static> = ai21_capture::read([Input::from_arg("-")], ReadOptions::default());
    assert_send(&items);
    let handle = std::thread::spawn(move || {
        ai21_capture::read_from([Input::Stdin], ReadOptions::default(), LINE.as_bytes()).count()
    });
    assert_eq!(handle.join().expect("the thread finishes"), 1);
    drop(items);
}

#[test]
fn dash_is_stdin_and_anything_else_a_path() {
    assert_eq!(Input::from_arg("-"), Input::Stdin);
    assert_eq!(Input::from_arg("--"), Input::Path("--".into()));
    assert_eq!(Input::from_arg("./-"), Input::Path("./-".into()));
}
