//! How much of a JSONL capture the fast path checks: records and bytes it takes, and
//! the records it leaves to the full path, by why (the first finding's rule, or what the
//! record is). `cargo run --release -p ai21-check --example fast_coverage -- FILE`.

#![allow(
    clippy::print_stdout,
    reason = "an example that reports on standard output"
)]

use std::collections::BTreeMap;

use ai21_capture::{Item, Location, Origin};
use ai21_check::{CheckOptions, Outcome, check, check_line_fast};
use ai21_validate::Validator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: fast_coverage FILE")?;
    let text = std::fs::read(&path)?;
    let validator = Validator::shared();
    let options = CheckOptions::default();
    let (mut records, mut fast, mut bytes, mut fast_bytes) = (0u64, 0u64, 0usize, 0usize);
    let mut left: BTreeMap<String, (u64, usize)> = BTreeMap::new();
    for (number, line) in text.split(|&byte| byte == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        records += 1;
        bytes += line.len();
        let location = Location::line(Origin::Stdin, number as u64 + 1);
        if check_line_fast(&location, line, None, validator, options).is_some() {
            fast += 1;
            fast_bytes += line.len();
            continue;
        }
        let item = ai21_capture::read_from(
            vec![ai21_capture::Input::Stdin],
            ai21_capture::ReadOptions::default(),
            line,
        )
        .next();
        let why = match item.map(|item| check(item, validator, options)) {
            Some(Outcome::Checked(checked)) => {
                let streamed = matches!(
                    checked.subject,
                    ai21_check::Subject::Exchange { streamed: true, .. }
                );
                let rules: Vec<&str> = checked
                    .report
                    .findings
                    .iter()
                    .map(|finding| finding.rule)
                    .filter(|rule| {
                        !rule.starts_with("drift/retired") && !rule.starts_with("drift/deprecated")
                    })
                    .collect();
                format!(
                    "{}{}",
                    if streamed { "stream " } else { "" },
                    rules.first().copied().unwrap_or("no finding")
                )
            }
            Some(Outcome::Unreadable(_)) => "unreadable".to_owned(),
            Some(Outcome::Skipped(_)) => "skipped".to_owned(),
            None => "nothing read".to_owned(),
        };
        let entry = left.entry(why).or_default();
        entry.0 += 1;
        entry.1 += line.len();
    }
    let _ = Item::Skipped;
    println!(
        "records: {records}, fast: {fast} ({:.1}%)",
        100.0 * fast as f64 / records as f64
    );
    println!(
        "bytes: {bytes}, fast: {fast_bytes} ({:.1}%)",
        100.0 * fast_bytes as f64 / bytes as f64
    );
    for (why, (count, size)) in left {
        println!("  left to the full path: {count:6} records, {size:10} bytes: {why}");
    }
    Ok(())
}
