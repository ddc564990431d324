//! The benchmark's capture generator plants violations where it says, and validating a
//! generated capture finds exactly those, no more.

use std::collections::BTreeSet;

use ai21_capture::{Input, Position, ReadOptions};
use ai21_contract::run::{self, RunOptions};
use ai21_generate::capture::{self, Options, Plant};

use crate::support::ai21;

/// The lines of the records with errors, and of the unreadable ones.
fn failing_lines(bytes: &[u8], jobs: usize) -> BTreeSet<u64> {
    let items = ai21_capture::read_from([Input::Stdin], ReadOptions::default(), bytes);
    let mut failing = BTreeSet::new();
    let mut previous = 0;
    let summary = run::run(
        items,
        RunOptions {
            jobs,
            ..RunOptions::default()
        },
        |outcome| {
            let Position::Line(line) = outcome.location().position else {
                panic!("a JSONL line: {outcome:?}")
            };
            assert!(line > previous, "outcomes in input order");
            previous = line;
            if outcome.has_errors() {
                failing.insert(line);
            }
            Ok(())
        },
    )
    .expect("no output to fail");
    assert!(summary.is_balanced());
    failing
}

#[test]
fn the_invalid_records_found_are_exactly_the_planted_ones() {
    let mut bytes = Vec::new();
    let generated = capture::write(
        &mut bytes,
        Options {
            size: 1_000_000,
            seed: 11,
            invalid_per_mille: 150,
        },
    )
    .expect("writing to memory");
    let planted: BTreeSet<u64> = generated.planted.iter().map(|(line, _)| *line).collect();
    assert!(planted.len() >= 5, "{generated:?}");
    // Every kind of plant is there.
    for plant in [
        Plant::TextRangeTiling,
        Plant::CamelCaseMaxTokens,
        Plant::MissingDone,
        Plant::UsageTotal,
        Plant::MalformedJson,
    ] {
        assert!(
            generated.planted.iter().any(|(_, kind)| *kind == plant),
            "{plant:?} missing from {:?}",
            generated.planted
        );
    }
    // Real clients' shapes are there, and none of them is found invalid (issue 10): the
    // SDK's nulls, its replayed answers and tool-call loops, a usage-only last chunk.
    let text = String::from_utf8_lossy(&bytes);
    for shape in [
        r#""epoch":null"#,
        r#""stopSequences":null"#,
        r#""tool_calls":null"#,
        r#""content":null,"role":"assistant","tool_calls":["#,
        r#"{\"choices\":[],"#,
    ] {
        assert!(text.contains(shape), "no {shape} in the capture");
    }
    assert_eq!(failing_lines(&bytes, 1), planted);
    assert_eq!(failing_lines(&bytes, 2), planted);
}

#[test]
fn the_hidden_generate_command_writes_the_same_capture() {
    let run = ai21(&["generate-capture", "--size", "100KB", "--seed", "5"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut bytes = Vec::new();
    capture::write(
        &mut bytes,
        Options {
            size: 100 * 1024,
            seed: 5,
            ..Options::default()
        },
    )
    .expect("writing to memory");
    assert_eq!(run.stdout.as_bytes(), bytes);
}
