//! How messages show values: shortened JSON, type names and lists, so that no message
//! echoes a huge string or a whole token array.

use std::fmt;

use ai21_tape::{Kind, View};
use serde_json::Value;

/// Longest value text a message shows, in characters, before it is cut.
const MAX_SHOWN: usize = 60;

/// The value as compact JSON, cut after about 60 characters with `…` (strings also say how
/// long they are). Serialising stops at the cut, so a 100 KB value costs no more than a
/// short one.
pub(crate) fn short(value: &Value) -> String {
    if let Value::String(text) = value {
        return short_str(text);
    }
    let mut writer = CappedWriter {
        text: String::new(),
        chars: 0,
        cut: false,
    };
    // An error here only means the writer stopped at the cap.
    let _ = serde_json::to_writer(&mut writer, value);
    if writer.cut {
        writer.text.push('…');
    }
    writer.text
}

/// A string as a JSON string literal, cut after about 60 characters, saying how long the
/// whole string is when it is cut.
pub(crate) fn short_str(text: &str) -> String {
    let length = text.chars().count();
    if length <= MAX_SHOWN {
        return Value::from(text).to_string();
    }
    let head: String = text.chars().take(MAX_SHOWN - 10).collect();
    let quoted = Value::from(head).to_string();
    format!("{}…\" ({length} characters)", &quoted[..quoted.len() - 1])
}

struct CappedWriter {
    text: String,
    chars: usize,
    cut: bool,
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // serde_json writes whole UTF-8 sequences per call (tokens, escapes, string
        // fragments split at escapes), so each chunk is valid UTF-8 on its own.
        let chunk = String::from_utf8_lossy(bytes);
        for character in chunk.chars() {
            if self.chars == MAX_SHOWN {
                self.cut = true;
                return Err(std::io::Error::other("cap reached"));
            }
            self.text.push(character);
            self.chars += 1;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The JSON Schema type name of a value: `null`, `boolean`, `integer` (a number with no
/// fraction), `number`, `string`, `array` or `object`.
pub fn type_of<'a>(value: impl View<'a>) -> &'static str {
    match value.kind() {
        Kind::Null => "null",
        Kind::Bool => "boolean",
        Kind::Number => {
            if value.as_i64().is_some()
                || value.as_u64().is_some()
                || value.as_f64().is_some_and(|float| float.fract() == 0.0)
            {
                "integer"
            } else {
                "number"
            }
        }
        Kind::String => "string",
        Kind::Array => "array",
        Kind::Object => "object",
    }
}

/// A type name with its article, as messages say it: `a string`, `an integer`, `a list`,
/// `null`.
pub(crate) fn a_type(type_name: &str) -> &'static str {
    match type_name {
        "null" => "null",
        "boolean" => "a boolean",
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        "object" => "an object",
        _ => "a value of unknown type",
    }
}

/// The plural of a type name: `strings`, `integers`, `lists`.
pub(crate) fn types_plural(type_name: &str) -> &'static str {
    match type_name {
        "null" => "nulls",
        "boolean" => "booleans",
        "integer" => "integers",
        "number" => "numbers",
        "string" => "strings",
        "array" => "lists",
        "object" => "objects",
        _ => "values",
    }
}

/// What a value is, for a `found ...` clause: `a number (3)`, `an empty string`,
/// `null`, `a list of 2 items`.
pub(crate) fn found<'a>(value: impl View<'a>) -> String {
    match &value.to_value() {
        Value::Null => "null".to_owned(),
        Value::String(text) if text.is_empty() => "an empty string".to_owned(),
        Value::Array(items) if items.is_empty() => "an empty list".to_owned(),
        Value::Object(map) if map.is_empty() => "an empty object".to_owned(),
        other => format!("{} {}", a_type(type_of(other)), short(other)),
    }
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn or_list<I, T>(items: I) -> String
where
    I: IntoIterator<Item = T>,
    T: fmt::Display,
{
    let items: Vec<String> = items.into_iter().map(|item| item.to_string()).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// `1 item`, `2 items`.
pub(crate) fn count(number: usize, noun: &str) -> String {
    let mut text = format!("{number} {noun}");
    if number != 1 {
        text.push('s');
    }
    text
}

/// Where two strings first differ: the position in characters, and a quoted excerpt of
/// each around that position (about 20 characters on each side, `…` where text is left
/// out).
pub(crate) fn first_difference(left: &str, right: &str) -> (usize, String, String) {
    let mut position = 0;
    let mut left_chars = left.char_indices();
    let mut right_chars = right.char_indices();
    let (left_at, right_at) = loop {
        match (left_chars.next(), right_chars.next()) {
            (Some((_, one)), Some((_, other))) if one == other => position += 1,
            (left_next, right_next) => {
                break (
                    left_next.map_or(left.len(), |(at, _)| at),
                    right_next.map_or(right.len(), |(at, _)| at),
                );
            }
        }
    };
    (position, excerpt(left, left_at), excerpt(right, right_at))
}

/// About 20 characters before and 20 after `at` (a byte offset on a character boundary),
/// quoted, with `…` where text was left out.
fn excerpt(text: &str, at: usize) -> String {
    const CONTEXT: usize = 20;
    let (before, after) = text.split_at(at);
    let before_count = before.chars().count();
    let start = before
        .char_indices()
        .nth(before_count.saturating_sub(CONTEXT))
        .map_or(before.len(), |(index, _)| index);
    let after_end = after
        .char_indices()
        .nth(CONTEXT)
        .map_or(after.len(), |(index, _)| index);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.push_str(&before[start..]);
    shown.push_str(&after[..after_end]);
    if after_end < after.len() {
        shown.push('…');
    }
    if at == text.len() {
        format!("{} (the end)", Value::from(shown))
    } else {
        Value::from(shown).to_string()
    }
}

#[cfg(test)]
mod tests;
