//! How fast the tape parses a JSONL capture, against serde_json.
//!
//! `cargo run --release -p ai21-tape --example tape_speed -- CAPTURE.jsonl [ROUNDS [FILTER]]`
//!
//! Prints MiB/s (of the whole file, best of ROUNDS, default 5; only the measures whose
//! name contains FILTER) for each line parsed by
//! `TapeBuf::parse`, by `serde_json::from_str::<Value>` and by serde_json into
//! `IgnoredAny` (validation only, no tree), then each parse followed by a walk that reads
//! every number as `f64` and every string.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

use ai21_tape::{TapeBuf, View};
use serde::de::IgnoredAny;
use serde_json::Value;

/// Runs `parse` on every line, `rounds` times; prints the best rate and the sum of what
/// `parse` returned (to keep the work, and to compare counts).
fn time(name: &str, text: &str, rounds: u32, mut parse: impl FnMut(&str) -> u64) {
    if std::env::args()
        .nth(3)
        .is_some_and(|filter| !name.contains(&filter))
    {
        return;
    }
    let mut best = f64::MAX;
    let mut sum = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        sum = 0;
        for line in text.lines().filter(|line| !line.is_empty()) {
            sum += parse(line);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let rate = text.len() as f64 / best / (1024.0 * 1024.0);
    println!("{name:44} {rate:8.1} MiB/s  ({sum})");
}

/// Reads every node: numbers as `f64`, strings' lengths, keys' lengths.
fn walk<'a, V: View<'a>>(value: V) -> u64 {
    if let Some(items) = value.items() {
        items.map(walk).sum::<u64>() + 1
    } else if let Some(members) = value.members() {
        members
            .map(|(key, value)| key.len() as u64 + walk(value))
            .sum()
    } else if let Some(text) = value.as_str() {
        text.len() as u64
    } else if let Some(number) = value.as_f64() {
        u64::from(number > 0.5)
    } else {
        1
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: tape_speed CAPTURE.jsonl [ROUNDS]");
        return ExitCode::FAILURE;
    };
    let rounds = args
        .next()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(5);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let lines = text.lines().filter(|line| !line.is_empty()).count();
    println!(
        "{path}: {:.1} MiB, {lines} lines; counts in parentheses",
        text.len() as f64 / 1048576.0
    );

    let mut buf = TapeBuf::default();
    time("tape parse (refused lines)", &text, rounds, |line| {
        u64::from(buf.parse(line).is_err())
    });
    time("serde_json Value (rejected lines)", &text, rounds, |line| {
        u64::from(serde_json::from_str::<Value>(line).is_err())
    });
    time(
        "serde_json IgnoredAny (rejected lines)",
        &text,
        rounds,
        |line| u64::from(serde_json::from_str::<IgnoredAny>(line).is_err()),
    );
    time("tape parse + walk", &text, rounds, |line| {
        match buf.parse(line) {
            Ok(tape) => walk(tape.root()),
            Err(_) => 0,
        }
    });
    time(
        "serde_json Value + walk",
        &text,
        rounds,
        |line| match serde_json::from_str::<Value>(line) {
            Ok(value) => walk(&value),
            Err(_) => 0,
        },
    );
    ExitCode::SUCCESS
}
