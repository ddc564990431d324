//! Unit tests of the report's text.

use super::*;

#[test]
fn displays_each_target_with_its_pointer() {
    let cases = [
        (Target::Payload, "/n", "error[r/x] at /n: m"),
        (Target::Payload, "", "error[r/x] at (root): m"),
        (Target::Request, "/n", "error[r/x] at request /n: m"),
        (Target::Response, "", "error[r/x] at response (root): m"),
        (
            Target::Reassembled,
            "/usage",
            "error[r/x] at reassembled response /usage: m",
        ),
        (Target::Endpoint, "", "error[r/x] at endpoint: m"),
        (Target::Stream, "", "error[r/x] at stream: m"),
        (
            Target::StreamEvent { event: 3, line: 5 },
            "",
            "error[r/x] at event 3 (line 5): m",
        ),
        (
            Target::StreamEvent { event: 3, line: 5 },
            "/id",
            "error[r/x] at event 3 (line 5) /id: m",
        ),
        (
            Target::StreamMessage {
                number: 2,
                offset: 180,
            },
            "",
            "error[r/x] at message 2 (byte 180): m",
        ),
        (
            Target::StreamMessage {
                number: 2,
                offset: 180,
            },
            "/choices/0",
            "error[r/x] at message 2 (byte 180) /choices/0: m",
        ),
    ];
    for (target, pointer, expected) in cases {
        let finding = Finding::error("r/x", pointer, "m").with_target(target);
        assert_eq!(finding.to_string(), expected);
    }
}

#[test]
fn shows_the_schema_pointer_on_a_second_line() {
    let finding =
        Finding::warning("schema/type", "/a", "m").with_schema_pointer("/properties/a/type");
    assert_eq!(
        finding.to_string(),
        "warning[schema/type] at /a: m\n  schema: /properties/a/type"
    );
}

#[test]
fn summarises_counts_with_plurals() {
    let mut report = Report::new();
    assert_eq!(report.to_string(), "no findings");
    report.push(Finding::error("r/x", "", "m"));
    report.push(Finding::warning("r/y", "", "m"));
    report.push(Finding::warning("r/y", "", "m"));
    assert!(report.to_string().ends_with("1 error, 2 warnings"));
    assert!(report.has_errors());
    assert!(!report.is_clean());
    assert_eq!(report.errors().count(), 1);
    assert_eq!(report.warnings().count(), 2);
    assert_eq!(report.with_rule("r/y").count(), 2);
}

#[test]
fn serialises_the_target_flat() {
    let finding =
        Finding::error("r/x", "/a", "m").with_target(Target::StreamEvent { event: 1, line: 2 });
    let json = serde_json::to_value(&finding).expect("a finding serialises");
    assert_eq!(
        json,
        serde_json::json!({
            "severity": "error",
            "rule": "r/x",
            "target": "stream-event",
            "event": 1,
            "line": 2,
            "pointer": "/a",
            "schema_pointer": null,
            "message": "m"
        })
    );
    let finding = Finding::error("r/x", "", "m").with_target(Target::StreamMessage {
        number: 3,
        offset: 412,
    });
    let json = serde_json::to_value(&finding).expect("a finding serialises");
    assert_eq!(json["target"], "stream-message");
    assert_eq!(json["message"], "m");
    assert_eq!(json["number"], 3);
    assert_eq!(json["offset"], 412);
}
