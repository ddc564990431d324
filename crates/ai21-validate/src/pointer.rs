//! JSON Pointers (RFC 6901) into instances: building them segment by segment while walking
//! a document, and reading them back for messages.

use std::fmt::Write as _;

/// A JSON Pointer under construction, segment by segment.
#[derive(Debug, Default, Clone)]
pub(crate) struct PointerBuf {
    text: String,
}

impl PointerBuf {
    /// The pointer to the whole document.
    pub(crate) fn root() -> Self {
        PointerBuf::default()
    }

    /// Appends an object key, escaped.
    pub(crate) fn push_key(&mut self, key: &str) {
        self.text.push('/');
        push_escaped(&mut self.text, key);
    }

    /// Appends an array index.
    pub(crate) fn push_index(&mut self, index: usize) {
        write!(self.text, "/{index}").expect("writing to a String");
    }

    /// The pointer as an owned string.
    pub(crate) fn into_string(self) -> String {
        self.text
    }
}

/// `pointer` followed by the key `key`, escaped.
pub fn join_key(pointer: &str, key: &str) -> String {
    let mut text = String::with_capacity(pointer.len() + key.len() + 1);
    text.push_str(pointer);
    text.push('/');
    push_escaped(&mut text, key);
    text
}

/// `pointer` followed by the index `index`.
pub fn join_index(pointer: &str, index: usize) -> String {
    format!("{pointer}/{index}")
}

fn push_escaped(text: &mut String, key: &str) {
    if !key.contains(['~', '/']) {
        text.push_str(key);
        return;
    }
    for character in key.chars() {
        match character {
            '~' => text.push_str("~0"),
            '/' => text.push_str("~1"),
            other => text.push(other),
        }
    }
}

/// The unescaped segments of a pointer (none for the whole document).
pub fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
}

/// The pointer without its last segment (the whole document stays the whole document).
pub fn parent(pointer: &str) -> &str {
    pointer.rfind('/').map_or("", |index| &pointer[..index])
}

/// How a message names the value at `pointer`: its key, with the indexes that follow it
/// (`/messages/1/content` is `content`, `/messages/1` is `messages[1]`), or `the payload`
/// for the whole document.
pub(crate) fn name(pointer: &str) -> String {
    let segments: Vec<String> = segments(pointer).collect();
    let mut indexes = String::new();
    for segment in segments.iter().rev() {
        if !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit()) {
            indexes.insert_str(0, &format!("[{segment}]"));
        } else if segment
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
            && !segment.is_empty()
        {
            return format!("{segment}{indexes}");
        } else {
            // Keys that are not plain names (logit bias tokens such as `▁the`) are quoted.
            return format!("{}{indexes}", serde_json::Value::from(segment.as_str()));
        }
    }
    if indexes.is_empty() {
        "the payload".to_owned()
    } else {
        format!("item {indexes}")
    }
}

#[cfg(test)]
mod tests;
