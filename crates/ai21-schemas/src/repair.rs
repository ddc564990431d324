//! Repairs that turn a documented example into its strict JSON payload.
//!
//! The seed documents show payloads as code samples (a JavaScript `fetch` call, a Python
//! dict literal), some with errors (`None`, trailing commas). Each repair is a small text
//! transformation that counts its edits, so a test can prove that the strict `*.json`
//! differs from the `*.documented.txt` by exactly the edits `ERRATA.md` records.

/// A text transformation from a documented example towards strict JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repair {
    /// Keep only the object literal passed to `JSON.stringify(...)` in a JavaScript
    /// `fetch` call. Not a documentation error: the docs show the request as code.
    ExtractFetchBody,
    /// Drop the Python lines (`import ...`, `url = ...`) before the payload's opening brace.
    StripPythonPreamble,
    /// Replace Python's `None` (outside strings) with JSON's `null`.
    PythonNoneToNull,
    /// Remove commas that directly precede a closing `}` or `]` (outside strings).
    RemoveTrailingCommas,
}

/// The result of applying a [`Repair`]: the new text and how many edits were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The repaired text.
    pub text: String,
    /// How many edits the repair made; 0 when it did not apply.
    pub count: usize,
}

impl Repair {
    /// Every repair.
    pub const ALL: [Repair; 4] = [
        Repair::ExtractFetchBody,
        Repair::StripPythonPreamble,
        Repair::PythonNoneToNull,
        Repair::RemoveTrailingCommas,
    ];

    /// The name used in `schemas/examples/manifest.json`, such as `remove-trailing-commas`.
    pub const fn name(self) -> &'static str {
        match self {
            Repair::ExtractFetchBody => "extract-fetch-body",
            Repair::StripPythonPreamble => "strip-python-preamble",
            Repair::PythonNoneToNull => "python-none-to-null",
            Repair::RemoveTrailingCommas => "remove-trailing-commas",
        }
    }

    /// Applies the repair to `text`.
    pub fn apply(self, text: &str) -> Repaired {
        match self {
            Repair::ExtractFetchBody => extract_fetch_body(text),
            Repair::StripPythonPreamble => strip_python_preamble(text),
            Repair::PythonNoneToNull => python_none_to_null(text),
            Repair::RemoveTrailingCommas => remove_trailing_commas(text),
        }
    }
}

fn unchanged(text: &str) -> Repaired {
    Repaired {
        text: text.to_owned(),
        count: 0,
    }
}

fn extract_fetch_body(text: &str) -> Repaired {
    const CALL: &str = "JSON.stringify(";
    let Some(call) = text.find(CALL) else {
        return unchanged(text);
    };
    let after_call = call + CALL.len();
    let Some(open) = text[after_call..]
        .find('{')
        .map(|offset| after_call + offset)
    else {
        return unchanged(text);
    };
    let mut depth = 0usize;
    for (offset, kind) in scan(&text[open..]) {
        match kind {
            Lexeme::Code('{') => depth += 1,
            Lexeme::Code('}') => {
                depth -= 1;
                if depth == 0 {
                    return Repaired {
                        text: text[open..=open + offset].to_owned(),
                        count: 1,
                    };
                }
            }
            _ => {}
        }
    }
    unchanged(text)
}

fn strip_python_preamble(text: &str) -> Repaired {
    let mut count = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('{') {
            return Repaired {
                text: text[start..].to_owned(),
                count,
            };
        }
        if !line.trim().is_empty() {
            count += 1;
        }
        start += line.len();
    }
    unchanged(text)
}

fn python_none_to_null(text: &str) -> Repaired {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut last = 0;
    for (offset, kind) in scan(text) {
        if kind != Lexeme::Code('N') || !text[offset..].starts_with("None") {
            continue;
        }
        let before = text[..offset].chars().next_back();
        let after = text[offset + 4..].chars().next();
        let is_word =
            |character: Option<char>| character.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if is_word(before) || is_word(after) {
            continue;
        }
        out.push_str(&text[last..offset]);
        out.push_str("null");
        last = offset + 4;
        count += 1;
    }
    out.push_str(&text[last..]);
    Repaired { text: out, count }
}

fn remove_trailing_commas(text: &str) -> Repaired {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut last = 0;
    for (offset, kind) in scan(text) {
        if kind != Lexeme::Code(',') {
            continue;
        }
        let next = text[offset + 1..]
            .chars()
            .find(|character| !character.is_whitespace());
        if matches!(next, Some('}' | ']')) {
            out.push_str(&text[last..offset]);
            last = offset + 1;
            count += 1;
        }
    }
    out.push_str(&text[last..]);
    Repaired { text: out, count }
}

/// A character of a JSON-like text, classified as code or as part of a string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    Code(char),
    InString,
}

/// Classifies each character (by byte offset) as code or string content, honouring
/// backslash escapes inside double-quoted strings.
fn scan(text: &str) -> impl Iterator<Item = (usize, Lexeme)> + '_ {
    let mut in_string = false;
    let mut escaped = false;
    text.char_indices().map(move |(offset, character)| {
        if in_string {
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_string = false;
            }
            (offset, Lexeme::InString)
        } else if character == '"' {
            in_string = true;
            (offset, Lexeme::InString)
        } else {
            (offset, Lexeme::Code(character))
        }
    })
}
