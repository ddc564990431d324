//! Rules for Jurassic-2 `complete` payloads that the schema cannot express.
//!
//! The text range rules are documented in the crate docs (`# Text ranges`).

use ai21_tape::View;

use crate::describe::count;
use crate::model::{Use, check_body_model};
use crate::pointer::{join_index, join_key};
use crate::report::Finding;
use crate::rule::integer;
use crate::validator::On;

/// The penalty objects of a request.
const PENALTIES: [&str; 3] = ["frequencyPenalty", "presencePenalty", "countPenalty"];

/// Rules for a J2 request on its own.
pub(crate) fn request<'a>(request: impl View<'a>, on: On<'_>, out: &mut Vec<Finding>) {
    for penalty in PENALTIES {
        let Some(flags) = request.get(penalty).filter(|flags| flags.is_object()) else {
            continue;
        };
        if flags.contains_key("applyToPunctuation") {
            out.push(Finding::warning(
                "j2/penalty-flag-spelling",
                join_key(&join_key("", penalty), "applyToPunctuation"),
                "applyToPunctuation is the v2 Python SDK's spelling: the documented flag is applyToPunctuations, and the server may ignore this one",
            ));
        }
    }
    check_body_model(request, Use::Request, on, out);
}

/// Rules for a J2 response on its own.
pub(crate) fn response<'a>(response: impl View<'a>, out: &mut Vec<Finding>) {
    if let Some(completions) = response.get("completions").and_then(View::items) {
        if completions.len() == 0 {
            out.push(Finding::error(
                "j2/completion-count",
                "/completions",
                "completions is empty: a response has at least one completion",
            ));
        }
        for (index, completion) in completions.enumerate() {
            if let Some(data) = completion.get("data") {
                let pointer = format!("/completions/{index}/data");
                text_ranges(data, &pointer, out);
            }
        }
    }
    if let Some(prompt) = response.get("prompt") {
        text_ranges(prompt, "/prompt", out);
    }
}

/// One way a token list fails to tile its text.
enum Mismatch {
    /// Token `index` starts at `start` where `expected` was due.
    Start {
        index: usize,
        start: u64,
        expected: u64,
    },
    /// The last token ends at `end`, not at the text's `length`.
    End { index: usize, end: u64, length: u64 },
}

/// Checks the text ranges of `{text, tokens}` at `pointer`.
fn text_ranges<'a>(holder: impl View<'a>, pointer: &str, out: &mut Vec<Finding>) {
    let (Some(text), Some(tokens)) = (
        holder.get("text").and_then(View::as_str),
        holder.get("tokens").and_then(View::items),
    ) else {
        return;
    };
    let tokens_pointer = join_key(pointer, "tokens");
    let mut ranges = Vec::with_capacity(tokens.len());
    for token in tokens {
        let range = token.get("textRange");
        let start = range.and_then(|range| range.get("start")).and_then(integer);
        let end = range.and_then(|range| range.get("end")).and_then(integer);
        match (start, end) {
            (Some(start), Some(end)) => ranges.push((start, end)),
            // A range that is not two non-negative integers is the schema's finding.
            _ => return,
        }
    }
    let length = text.chars().count() as u64;

    let disordered: Vec<usize> = ranges
        .iter()
        .enumerate()
        .filter(|(_, (start, end))| start > end)
        .map(|(index, _)| index)
        .collect();
    if let Some(&first) = disordered.first() {
        let (start, end) = ranges[first];
        out.push(Finding::error(
            "j2/text-range-order",
            join_key(&join_index(&tokens_pointer, first), "textRange"),
            format!(
                "textRange starts at {start} but ends at {end}: start must not be after end{}",
                more(disordered.len() - 1, "token")
            ),
        ));
    }

    if ranges.is_empty() {
        if length > 0 {
            out.push(Finding::error(
                "j2/text-range-tiling",
                tokens_pointer,
                format!(
                    "tokens is empty, but the text is {} long: the token ranges must cover it",
                    count(length as usize, "code point")
                ),
            ));
        }
        return;
    }
    let mut mismatches = Vec::new();
    let mut expected = 0;
    for (index, &(start, end)) in ranges.iter().enumerate() {
        if start != expected {
            mismatches.push(Mismatch::Start {
                index,
                start,
                expected,
            });
        }
        expected = end;
    }
    if expected != length {
        mismatches.push(Mismatch::End {
            index: ranges.len() - 1,
            end: expected,
            length,
        });
    }
    let Some(first) = mismatches.first() else {
        return;
    };
    let others = more(mismatches.len() - 1, "place");
    let finding = match *first {
        Mismatch::Start {
            index: 0, start, ..
        } => Finding::error(
            "j2/text-range-tiling",
            format!("{tokens_pointer}/0/textRange/start"),
            format!("the first token starts at {start}, but the ranges must start at 0{others}"),
        ),
        Mismatch::Start {
            index,
            start,
            expected,
        } => Finding::error(
            "j2/text-range-tiling",
            format!("{tokens_pointer}/{index}/textRange/start"),
            format!(
                "the token starts at {start}, but the previous one ends at {expected}: the ranges leave {} in the text{others}",
                if start > expected {
                    "a gap"
                } else {
                    "an overlap"
                }
            ),
        ),
        Mismatch::End { index, end, length } => Finding::error(
            "j2/text-range-tiling",
            format!("{tokens_pointer}/{index}/textRange/end"),
            format!(
                "the last token ends at {end}, but the text is {} long{others}",
                count(length as usize, "code point")
            ),
        ),
    };
    out.push(finding);
}

/// ` (and 3 more tokens in this list)`, or nothing for none.
fn more(others: usize, noun: &str) -> String {
    if others == 0 {
        String::new()
    } else {
        let plural = if others == 1 { "" } else { "s" };
        format!(" (and {others} more {noun}{plural} in this list)")
    }
}
