//! Keeping secrets out of everything the tool reads, reports or writes.
//!
//! Captured traffic carries credentials: the `Authorization: Bearer` header with the AI21
//! API key, API-key headers, cookies, and keys put into URLs by proxies and gateways.
//! Capture readers pass every header, URL and body through this module as they read, so a
//! record holds no secret by the time anyone can print it, and serialising an
//! [`Exchange`](crate::Exchange) passes through it again. What counts as a secret
//! is specified in `docs/capture-format.md` (section *Secrets*):
//!
//! - a header whose name is a credential (`Authorization`, `Proxy-Authorization`, `api-key`,
//!   `x-api-key`, `Cookie`, `Set-Cookie`, any name containing `apikey`, `token`, `secret`,
//!   `password`, `cookie`, compared case-insensitively with `-` and `_` ignored) has its
//!   value replaced by [`REDACTED`];
//! - in a URL, the userinfo (`user:password@`) and the value of every query or fragment
//!   parameter with a credential name (`key`, `api_key`, `token`, `access_token`, `sig`, ...)
//!   are replaced by [`REDACTED`];
//! - anywhere (header values, URLs, bodies), a `Bearer` token and any string shaped like an
//!   AI21 key (see [`is_key_shaped`]) are replaced by [`REDACTED`]: in raw text, such a
//!   word; in a JSON body, a string value that is such a key as a whole, so that redaction
//!   never changes prompt or completion text (the validator checks token offsets into it);
//! - in a JSON body, a string member with a credential name (`api_key`, `authorization`,
//!   `access_token`, `password`, ...) is replaced by [`REDACTED`].
//!
//! Masking prompt and completion text (`--redact-content`) is not redaction of secrets and
//! is not done here: it is a choice of what a report shows, made by the report's writer.

use std::borrow::Cow;
use std::fmt;

use ai21_tape::{TapeRef, TapeString};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::endpoint::UrlParts;
use crate::{Error, Result};

#[cfg(test)]
mod tests;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// An AI21 API key, for the commands that call a live endpoint; its `Debug` and `Display`
/// print [`REDACTED`], so it cannot reach a log line or a report by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// Reads the key from an environment variable, ignoring surrounding whitespace.
    pub fn from_env(variable: &str) -> Result<ApiKey> {
        let value = std::env::var_os(variable).ok_or_else(|| Error::ApiKeyMissing {
            variable: variable.to_owned(),
        })?;
        let invalid = |problem| Error::ApiKeyInvalid {
            variable: variable.to_owned(),
            problem,
        };
        let value = value.into_string().map_err(|_| invalid("not UTF-8"))?;
        let key = value.trim();
        if key.is_empty() {
            return Err(invalid("empty"));
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The key itself, for the one place that needs it: the request's `Authorization`
    /// header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(REDACTED)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(REDACTED)
    }
}

/// Whether a header with this name carries a credential (compared case-insensitively, with
/// `-` and `_` ignored).
pub fn is_secret_header(name: &str) -> bool {
    with_normalized(name, |name| {
        is_secret_member_normalized(name)
            || name.contains("token")
            || name.contains("cookie")
            || name.contains("subscriptionkey")
    })
}

/// A header's value as it may be kept: [`REDACTED`] for a credential header, otherwise the
/// value with any bearer token or key-shaped word masked.
pub fn header_value<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_header(name) {
        Cow::Borrowed(REDACTED)
    } else {
        text(value)
    }
}

/// The URL without credentials: userinfo, credential query and fragment parameters, and
/// key-shaped words anywhere masked; everything else is kept byte for byte.
pub fn url(url: &str) -> Cow<'_, str> {
    let parts = UrlParts::split(url);
    let path = mask_secrets(parts.path, true);
    let query = parts.query.map(parameters);
    let fragment = parts.fragment.map(parameters);
    let changed = parts.userinfo.is_some()
        || matches!(path, Cow::Owned(_))
        || matches!(query, Some(Cow::Owned(_)))
        || matches!(fragment, Some(Cow::Owned(_)));
    if !changed {
        return Cow::Borrowed(url);
    }
    let mut redacted = String::with_capacity(url.len());
    redacted.push_str(parts.scheme);
    if parts.userinfo.is_some() {
        redacted.push_str(REDACTED);
        redacted.push('@');
    }
    redacted.push_str(parts.host);
    redacted.push_str(&path);
    if let Some(query) = query {
        redacted.push('?');
        redacted.push_str(&query);
    }
    if let Some(fragment) = fragment {
        redacted.push('#');
        redacted.push_str(&fragment);
    }
    Cow::Owned(redacted)
}

/// Raw text (a non-JSON body, a `text/event-stream` body, a message) with every bearer
/// token and every key-shaped word replaced by [`REDACTED`].
pub fn text(text: &str) -> Cow<'_, str> {
    mask_secrets(text, true)
}

/// Redacts a JSON body in place: string members with a credential name, strings that are a
/// key as a whole, and bearer tokens inside strings. Other text is left exactly as it was.
pub fn json(value: &mut Value) {
    match value {
        Value::String(string) => {
            if is_key_shaped(string.trim()) {
                *string = REDACTED.to_owned();
            } else if let Cow::Owned(redacted) = mask_secrets(string, false) {
                *string = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                match member {
                    Value::String(string) if string != REDACTED && is_secret_member(name) => {
                        *string = REDACTED.to_owned();
                    }
                    _ => json(member),
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Whether [`json`] would leave the value exactly as it is, and no string or member name in
/// it holds a key-shaped word ([`KeyWords`] would stay empty): what a reader that cannot
/// redact in place (the fast read of a capture line) checks before using the value as it
/// is. The same tests as [`json`] and [`KeyWords::add_json`], made only on the strings
/// the tape lists as long as it parses ([`TapeRef::long_strings`]): no member name shorter
/// than six bytes is a credential's, and no string shorter than 23 bytes holds a bearer
/// token (or 32, a key).
pub fn json_is_plain(value: TapeRef<'_>) -> bool {
    // The strings the tape lists as long are all those the tests below can fail on.
    const _: () = assert!(
        ai21_tape::LONG_STRING <= "bearer ".len() + MIN_BEARER_TOKEN
            && ai21_tape::LONG_STRING <= MIN_KEY_LEN
            && ai21_tape::NAMED_STRING <= "secret".len()
    );
    value.long_strings().all(|string| match string {
        TapeString::Key { name, value } => {
            !has_key_word(name)
                && !value.is_some_and(|value| value != REDACTED && is_secret_member(name))
        }
        TapeString::Value(text) => string_is_plain(text),
    })
}

/// Whether [`json_string`] keeps a string as it is and it holds no key-shaped word.
fn string_is_plain(text: &str) -> bool {
    // Most strings (every J2 token) are too short for a bearer token or a key.
    if text.len() < "bearer ".len() + MIN_BEARER_TOKEN {
        return true;
    }
    !has_key_word(text) && matches!(mask_secrets(text, false), Cow::Borrowed(_))
}

/// Whether a text holds a key-shaped word, as [`KeyWords::add_text`] splits it (a string
/// that is a key as a whole, trimmed, is one such word).
fn has_key_word(text: &str) -> bool {
    let bytes = text.as_bytes();
    // `start` is where a run of letters and digits may begin (0, or after a byte that is
    // none). A run long enough ends at `start + MIN_KEY_LEN - 1` or later, so the window
    // is read from its end back: the first byte that is no letter or digit moves `start`
    // past it, skipping most of a text of ordinary words unread.
    let mut start = 0;
    while start + MIN_KEY_LEN <= bytes.len() {
        let window = &bytes[start..start + MIN_KEY_LEN];
        match window
            .iter()
            .rposition(|byte| !byte.is_ascii_alphanumeric())
        {
            Some(offset) => start += offset + 1,
            None => {
                let end = start
                    + bytes[start..]
                        .iter()
                        .position(|byte| !byte.is_ascii_alphanumeric())
                        .unwrap_or(bytes.len() - start);
                // The run is ASCII, so both ends are character boundaries.
                if is_key_shaped(&text[start..end]) {
                    return true;
                }
                start = end + 1;
            }
        }
    }
    false
}

/// The length of the shortest key-shaped word ([`is_key_shaped`]): shorter text holds no key.
pub const MIN_KEY_LEN: usize = 32;

/// Whether a word looks like an AI21 API key: at least 32 ASCII letters and digits, with at
/// least one digit, one upper-case and one lower-case letter.
///
/// AI21 keys are 32 random letters and digits. Requiring all three classes keeps
/// lower-case hex identifiers (`chat-` ids, request ids, hashes) and long camel-case names
/// (tool names) from being taken for keys; the price is that a key without a digit (about
/// one in 280) is only caught where it stands in a credential header, parameter or member,
/// or after `Bearer`.
pub fn is_key_shaped(word: &str) -> bool {
    if word.len() < MIN_KEY_LEN {
        return false;
    }
    let (mut digit, mut upper, mut lower) = (false, false, false);
    for byte in word.bytes() {
        match byte {
            b'0'..=b'9' => digit = true,
            b'A'..=b'Z' => upper = true,
            b'a'..=b'z' => lower = true,
            _ => return false,
        }
    }
    digit && upper && lower
}

/// The shortest piece of a key a message may not show: shorter runs of letters and
/// digits are ordinary words.
pub const KEY_FRAGMENT: usize = 6;

/// The key-shaped words ([`is_key_shaped`]) of a record, to mask any piece of them in what
/// is said about the record.
///
/// Reading masks the keys standing in credential slots or as whole strings; a key pasted
/// into a prompt is content and stays (masking it would shift the text ranges the
/// validator checks). A message quoting that prompt, cut short, may show a piece of the key
/// too short to look like a key on its own: [`KeyWords::mask_pieces`] masks every run of
/// letters and digits of at least [`KEY_FRAGMENT`] that is a piece of one of the words.
///
/// ```
/// use ai21_capture::redact::KeyWords;
///
/// let mut keys = KeyWords::default();
/// keys.add_json(&serde_json::json!({"prompt": "my key is Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty, keep it"}));
/// assert_eq!(
///     keys.mask_pieces("prompt.text is \"my key is Zx9Qv7Lp2R…\""),
///     "prompt.text is \"my key is [redacted]…\""
/// );
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KeyWords(Vec<String>);

impl fmt::Debug for KeyWords {
    /// The count only: the words are keys.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "KeyWords({} words)", self.0.len())
    }
}

impl KeyWords {
    /// Adds the key-shaped words of a text.
    pub fn add_text(&mut self, text: &str) {
        // Most strings (every J2 token) are too short to hold a key.
        if text.len() < MIN_KEY_LEN {
            return;
        }
        for word in text.split(|character: char| !character.is_ascii_alphanumeric()) {
            if is_key_shaped(word) && !self.0.iter().any(|key| key == word) {
                self.0.push(word.to_owned());
            }
        }
    }

    /// Adds the key-shaped words of every string and member name of a JSON value.
    pub fn add_json(&mut self, value: &Value) {
        match value {
            Value::String(text) => self.add_text(text),
            Value::Array(items) => items.iter().for_each(|item| self.add_json(item)),
            Value::Object(members) => {
                for (name, member) in members {
                    self.add_text(name);
                    self.add_json(member);
                }
            }
            _ => {}
        }
    }

    /// Whether no key-shaped word was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message with every run of letters and digits that is a piece of one of the
    /// words (at least [`KEY_FRAGMENT`] long) replaced by [`REDACTED`].
    pub fn mask_pieces(&self, message: &str) -> String {
        let mut output = String::with_capacity(message.len());
        let mut run_start = None;
        let flush = |output: &mut String, run: &str| {
            if run.len() >= KEY_FRAGMENT && self.0.iter().any(|key| key.contains(run)) {
                output.push_str(REDACTED);
            } else {
                output.push_str(run);
            }
        };
        for (index, character) in message.char_indices() {
            if character.is_ascii_alphanumeric() {
                run_start.get_or_insert(index);
                continue;
            }
            if let Some(start) = run_start.take() {
                flush(&mut output, &message[start..index]);
            }
            output.push(character);
        }
        if let Some(start) = run_start {
            flush(&mut output, &message[start..]);
        }
        output
    }
}

/// A JSON value that serialises redacted (as [`json`] would leave it) without being copied.
pub(crate) struct RedactedJson<'a>(pub(crate) &'a Value);

impl Serialize for RedactedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Value::String(string) => serializer.serialize_str(&json_string(string)),
            Value::Array(items) => {
                let mut sequence = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    sequence.serialize_element(&RedactedJson(item))?;
                }
                sequence.end()
            }
            Value::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, member) in members {
                    if member.is_string() && is_secret_member(name) {
                        map.serialize_entry(name, REDACTED)?;
                    } else {
                        map.serialize_entry(name, &RedactedJson(member))?;
                    }
                }
                map.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// A JSON string as it may be kept: [`REDACTED`] when it is a key as a whole, otherwise
/// with bearer tokens masked.
fn json_string(string: &str) -> Cow<'_, str> {
    if is_key_shaped(string.trim()) {
        Cow::Borrowed(REDACTED)
    } else {
        mask_secrets(string, false)
    }
}

/// Whether a JSON member with this name holds a credential. Plain `token` is not one: it
/// is the J2 token text.
fn is_secret_member(name: &str) -> bool {
    // Normalising only removes characters, and the shortest name is six long.
    if name.len() < "secret".len() {
        return false;
    }
    with_normalized(name, is_secret_member_normalized)
}

fn is_secret_member_normalized(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "authorization",
        "proxyauthorization",
        "cookie",
        "setcookie",
        "apikey",
        "xapikey",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "authtoken",
        "apitoken",
        "bearertoken",
        "sessiontoken",
        "secret",
        "clientsecret",
        "password",
        "passwd",
    ];
    const PARTS: &[&str] = &["apikey", "secret", "password", "authorization"];
    NAMES.contains(&name) || PARTS.iter().any(|part| name.contains(part))
}

/// Whether a query or fragment parameter with this name holds a credential.
fn is_secret_parameter(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "key",
        "token",
        "auth",
        "sig",
        "signature",
        "code",
        "pass",
        "pwd",
        "session",
        "sessionid",
        "credential",
        "credentials",
    ];
    is_secret_header(name) || with_normalized(name, |name| NAMES.contains(&name))
}

/// Runs `check` on the name in lower case with `-`, `_`, `.` and spaces removed, without
/// allocating for names of ordinary length (this runs for every string member of a body).
fn with_normalized<R>(name: &str, check: impl FnOnce(&str) -> R) -> R {
    const STACK: usize = 64;
    let mut stack = [0u8; STACK];
    let mut heap = Vec::new();
    let buffer: &mut [u8] = if name.len() <= STACK {
        &mut stack
    } else {
        heap.resize(name.len(), 0);
        &mut heap
    };
    let mut length = 0;
    for byte in name.bytes() {
        if matches!(byte, b'-' | b'_' | b'.' | b' ') {
            continue;
        }
        buffer[length] = byte.to_ascii_lowercase();
        length += 1;
    }
    let normalized = std::str::from_utf8(&buffer[..length])
        .expect("removing and lower-casing ASCII bytes keeps UTF-8 valid");
    check(normalized)
}

/// Masks the values of credential parameters in `name=value&...`, and secrets in any value.
fn parameters(query: &str) -> Cow<'_, str> {
    let mut changed = false;
    let mut pairs = Vec::new();
    for pair in query.split('&') {
        let Some((name, value)) = pair.split_once('=') else {
            let masked = mask_secrets(pair, true);
            changed |= matches!(masked, Cow::Owned(_));
            pairs.push(masked);
            continue;
        };
        if !value.is_empty() && value != REDACTED && is_secret_parameter(&percent_decode(name)) {
            changed = true;
            pairs.push(Cow::Owned(format!("{name}={REDACTED}")));
            continue;
        }
        match mask_secrets(value, true) {
            Cow::Borrowed(_) => pairs.push(Cow::Borrowed(pair)),
            Cow::Owned(value) => {
                changed = true;
                pairs.push(Cow::Owned(format!("{name}={value}")));
            }
        }
    }
    if changed {
        Cow::Owned(pairs.join("&"))
    } else {
        Cow::Borrowed(query)
    }
}

/// Decodes `%XX` escapes and `+` in a parameter name, so `api%5Fkey` is seen as `api_key`.
fn percent_decode(name: &str) -> Cow<'_, str> {
    if !name.contains(['%', '+']) {
        return Cow::Borrowed(name);
    }
    let bytes = name.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let escaped = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (b'%', Some(escaped)) => {
                decoded.push(escaped);
                index += 3;
            }
            (b'+', _) => {
                decoded.push(b' ');
                index += 1;
            }
            _ => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&decoded).into_owned())
}

/// The shortest credential taken after `Bearer`: shorter words are ordinary text.
const MIN_BEARER_TOKEN: usize = 16;

/// Masks bearer tokens, and also key-shaped words when `words` is set.
///
/// A bearer token is the word after `bearer` (any case) and blanks: at least
/// [`MIN_BEARER_TOKEN`] characters of letters, digits and `-._~+/=`, with a digit or an
/// upper-case letter after its first character (so `the bearer instruments...` stays prose).
fn mask_secrets(text: &str, mut words: bool) -> Cow<'_, str> {
    // Nothing shorter than `bearer` and a token can hold a secret (a key is longer still).
    if text.len() < "bearer ".len() + MIN_BEARER_TOKEN {
        return Cow::Borrowed(text);
    }
    // Without a key-shaped word, only bearer tokens are left to mask: the scan then goes
    // from one `b` to the next instead of word by word.
    if words && !has_key_word(text) {
        words = false;
    }
    let bytes = text.as_bytes();
    let mut output: Option<String> = None;
    // Everything before `copied` is already in `output` (or unchanged, while it is None).
    let mut copied = 0;
    let mut index = 0;
    while index < bytes.len() {
        if !words {
            // Only the word `bearer` matters: go straight to the next `b` that starts a
            // word (most text has none).
            let Some(offset) = memchr::memchr2(b'b', b'B', &bytes[index..]) else {
                break;
            };
            index += offset;
            if index > 0 && bytes[index - 1].is_ascii_alphanumeric() {
                index += 1;
                continue;
            }
        }
        if !bytes[index].is_ascii_alphanumeric() {
            index += 1;
            continue;
        }
        let word_end = index
            + bytes[index..]
                .iter()
                .position(|byte| !byte.is_ascii_alphanumeric())
                .unwrap_or(bytes.len() - index);
        let word = &text[index..word_end];
        let secret = if word.eq_ignore_ascii_case("bearer") {
            bearer_token(bytes, word_end)
        } else if words && is_key_shaped(word) {
            Some((index, word_end))
        } else {
            None
        };
        match secret {
            Some((start, end)) => {
                let output = output.get_or_insert_with(|| String::with_capacity(text.len()));
                output.push_str(&text[copied..start]);
                output.push_str(REDACTED);
                copied = end;
                index = end;
            }
            None => index = word_end,
        }
    }
    match output {
        Some(mut output) => {
            output.push_str(&text[copied..]);
            Cow::Owned(output)
        }
        None => Cow::Borrowed(text),
    }
}

/// The byte range of the bearer token after the word `bearer` that ends at `after`.
fn bearer_token(bytes: &[u8], after: usize) -> Option<(usize, usize)> {
    let start = after
        + bytes[after..]
            .iter()
            .position(|byte| !matches!(byte, b' ' | b'\t'))?;
    if start == after {
        return None;
    }
    let length = bytes[start..]
        .iter()
        .position(|&byte| !is_token_byte(byte))
        .unwrap_or(bytes.len() - start);
    let token = &bytes[start..start + length];
    let prose = !token
        .iter()
        .skip(1)
        .any(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase());
    (length >= MIN_BEARER_TOKEN && !prose).then_some((start, start + length))
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}
