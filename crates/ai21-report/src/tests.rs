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

#[test]
fn a_message_of_an_aws_event_stream_is_located_by_number_and_byte() {
    use ai21_capture::{Location, Origin};
    use ai21_check::{Checked, Outcome, Subject};
    use ai21_validate::{Finding, PayloadKind, Report, Target};

    let finding = |target| Finding::error("stream/eventstream-frame", "", "m").with_target(target);
    let outcome = Outcome::Checked(Checked {
        location: Location::line(Origin::Stdin, 1),
        subject: Subject::Payload(PayloadKind::JambaChatStreamChunk),
        report: Report {
            findings: vec![
                finding(Target::StreamMessage {
                    number: 3,
                    offset: 412,
                }),
                finding(Target::StreamEvent { event: 2, line: 3 }),
            ],
        },
    });
    let mut buffer = Vec::new();
    {
        let settings = Settings {
            color: false,
            verbose: false,
            deny_warnings: false,
            contract: None,
        };
        let mut writer =
            writer(Format::Json, settings, Box::new(&mut buffer)).expect("writes to memory");
        writer.outcome(&outcome).expect("writes to memory");
    }
    let text = String::from_utf8(buffer).expect("UTF-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines[0]["target"], "stream-message");
    assert_eq!(lines[0]["event"], 3);
    assert_eq!(lines[0]["event_line"], serde_json::Value::Null);
    assert_eq!(lines[0]["byte_offset"], 412);
    // Every other finding's line keeps the fields it had.
    assert_eq!(lines[1]["target"], "stream-event");
    assert!(lines[1].get("byte_offset").is_none(), "{}", lines[1]);
}
