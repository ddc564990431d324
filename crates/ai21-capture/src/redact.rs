//! Keeping secrets out of everything the tool reads, reports or writes.
//!
//! Captured traffic carries credentials: the `Authorization: Bearer` header with the AI21
//! API key, API-key headers of the partner clouds, cookies, keys and signatures put into
//! URLs by proxies, gateways and presigned links, and now and then a token, a password or
//! a private key pasted into a body. Capture readers pass every header, URL and body
//! through this module as they read, so a record holds no secret by the time anyone can
//! print it, and serialising an [`Exchange`](crate::Exchange) passes through it again.
//! What counts as a secret is specified, shape by shape with its source, in
//! `docs/capture-format.md` (section *Secrets*):
//!
//! - a header whose name is a credential ([`is_secret_header`]: `Authorization`,
//!   `Proxy-Authorization`, `api-key`, `x-api-key`, `Cookie`, `Set-Cookie`,
//!   `Ocp-Apim-Subscription-Key`, `x-goog-api-key`, `x-amz-security-token`, any name
//!   containing `token`, `secret`, `password`, `cookie`, `credential`, `signature` or
//!   ending in `key`, compared case-insensitively with `-`, `_` and `.` ignored) has its
//!   value replaced by [`REDACTED`];
//! - in a URL, the userinfo (`user:password@`) and the value of every query or fragment
//!   parameter with a credential name (`key`, `api_key`, `token`, `sig`, `code`,
//!   `X-Amz-Signature`, `X-Amz-Credential`, `X-Goog-Signature`, ...) are replaced by
//!   [`REDACTED`];
//! - anywhere (header values, URLs, bodies), the secret shapes that cannot be mistaken for
//!   anything else are replaced by [`REDACTED`]: a `Bearer` token, `Basic` credentials, a
//!   JSON Web Token, a PEM private-key block, an AWS access key id, a Google API key
//!   (in a JSON body, the words of a secret taken out of one string are masked in every
//!   other string too: J2's token strings hold it cut into pieces). Inside a string of a
//!   JSON body the mask has as many characters as the secret had (`[redacted]` and `*`s,
//!   only `*`s for a piece shorter than that), so a J2 text keeps its length in code
//!   points and its token ranges still tile it: masking never makes a finding;
//! - a word shaped like an AI21 key ([`is_key_shaped`]) is replaced in raw text, and in a
//!   JSON body when it is a string as a whole: a key inside prompt or completion text is
//!   content, kept so that the validator's token offsets into the text stay right (and its
//!   pieces are masked in messages: [`KeyWords`]);
//! - in a JSON body, a string member with a credential name ([`is_secret_member`]: `key`,
//!   `api_key`, `private_key`, `password`, `client_secret`, `access_token`, ...) is
//!   replaced by [`REDACTED`]. A member whose value is an object or an array is walked,
//!   not replaced, so a tool's JSON Schema that declares a `key` or `password` property
//!   keeps its schema; and plain `token` is no credential (it is J2's token text).
//!
//! What is said about a record (a finding message, a log line of the mock) goes through
//! [`message`], the one function `validate`'s report and `serve`'s log lines share.
//!
//! Masking prompt and completion text (`--redact-content`) is not redaction of secrets and
//! is not done here: it is a choice of what a report shows, made by the report's writer.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use ai21_tape::{TapeRef, TapeString};
use memchr::memmem;
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
/// `-`, `_` and `.` ignored): a credential member name ([`is_secret_member`]), or a name
/// containing `token`, `cookie`, `signature` or `credential`, or ending in `key`
/// (`x-api-key`, `Ocp-Apim-Subscription-Key`, `x-goog-api-key`, `x-functions-key`).
pub fn is_secret_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("key")
        || name.eq_ignore_ascii_case("pwd")
        || with_normalized(name, |name| {
            is_secret_member_normalized(name)
                || name.ends_with("key")
                || ["token", "cookie", "signature", "credential"]
                    .iter()
                    .any(|part| name.contains(part))
        })
}

/// A header's value as it may be kept: [`REDACTED`] for a credential header, otherwise the
/// value with every secret shape and key-shaped word masked ([`text`]).
pub fn header_value<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_header(name) {
        Cow::Borrowed(REDACTED)
    } else {
        text(value)
    }
}

/// The URL without credentials: userinfo, credential query and fragment parameters, and
/// secret shapes and key-shaped words anywhere (also once percent-decoded) masked;
/// everything else is kept byte for byte.
pub fn url(url: &str) -> Cow<'_, str> {
    let parts = UrlParts::split(url);
    let path = url_path(parts.path);
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

/// Raw text (a non-JSON body, a `text/event-stream` body, a message) with every secret
/// shape (a bearer token, `Basic` credentials, a JSON Web Token, a PEM private-key block,
/// an AWS access key id, a Google API key; see the module docs) and every key-shaped word
/// replaced by [`REDACTED`].
pub fn text(text: &str) -> Cow<'_, str> {
    mask_secrets(text, true)
}

/// What is said about a record (a finding's message, a log line), as it may be printed:
/// every piece of one of the record's key-shaped words masked ([`KeyWords::mask_pieces`]),
/// then every secret shape ([`text`]). The one redaction of what `validate` reports about a
/// record and of what `serve` logs about a request.
///
/// ```
/// use ai21_capture::redact::{self, KeyWords};
///
/// let mut keys = KeyWords::default();
/// keys.add_text("my key is Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty");
/// assert_eq!(
///     redact::message("\"my key is Zx9Qv7Lp2R…\" with Bearer eyJhbGciOiJIUzI1NiJ9", &keys),
///     "\"my key is [redacted]…\" with Bearer [redacted]"
/// );
/// ```
pub fn message(message: &str, keys: &KeyWords) -> String {
    let masked = if keys.is_empty() {
        Cow::Borrowed(message)
    } else {
        Cow::Owned(keys.mask_pieces(message))
    };
    match text(&masked) {
        Cow::Borrowed(_) => masked.into_owned(),
        Cow::Owned(redacted) => redacted,
    }
}

/// Redacts a JSON body in place: string members with a credential name, strings that are a
/// key as a whole, and every other secret shape inside strings; then, when a secret was
/// taken out of a string, every piece of it left in another string (a J2 token holding a
/// word of it) is masked as [`KeyWords::mask_pieces`] masks pieces of keys. Other text is
/// left exactly as it was.
pub fn json(value: &mut Value) {
    let mut pieces = KeyWords::default();
    redact_json(value, &mut pieces);
    if !pieces.is_empty() {
        mask_json_pieces(value, &pieces);
    }
}

/// [`json`]'s first pass: collects in `pieces` the words of the secrets it takes out of
/// strings.
fn redact_json(value: &mut Value, pieces: &mut KeyWords) {
    match value {
        Value::String(string) => {
            if let Cow::Owned(redacted) = json_string(string, Some(pieces)) {
                *string = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact_json(item, pieces)),
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                match member {
                    Value::String(string) if string != REDACTED && is_secret_member(name) => {
                        *string = REDACTED.to_owned();
                    }
                    _ => redact_json(member, pieces),
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// [`json`]'s second pass: the pieces of the secrets taken out, masked in every string.
fn mask_json_pieces(value: &mut Value, pieces: &KeyWords) {
    match value {
        Value::String(string) => {
            let masked = pieces.mask_pieces_keeping_length(string);
            if masked != *string {
                *string = masked;
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| mask_json_pieces(item, pieces)),
        Value::Object(members) => members
            .values_mut()
            .for_each(|member| mask_json_pieces(member, pieces)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Whether [`json`] would leave the value exactly as it is, and no string or member name in
/// it holds a key-shaped word ([`KeyWords`] would stay empty): what a reader that cannot
/// redact in place (the fast read of a capture line) checks before using the value as it
/// is. The same tests as [`json`] and [`KeyWords::add_json`], made only on the strings
/// the tape lists as long as it parses ([`TapeRef::long_strings`]): no credential member
/// name but `key` and `pwd` is shorter than six bytes, and no string shorter than
/// [`MIN_SECRET_LEN`] bytes holds a secret shape (or 32, a key).
pub fn json_is_plain(value: TapeRef<'_>) -> bool {
    // The strings the tape lists as long are all those the tests below can fail on.
    const _: () = assert!(
        ai21_tape::LONG_STRING <= MIN_SECRET_LEN
            && ai21_tape::LONG_STRING <= MIN_KEY_LEN
            && ai21_tape::NAMED_STRING <= SHORTEST_LONG_MEMBER
            && ai21_tape::SHORT_NAMED_STRING == "key".len()
            && ai21_tape::SHORT_NAMED_STRING == "pwd".len()
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
    // Most strings (every J2 token) are too short for any secret shape.
    if text.len() < MIN_SECRET_LEN {
        return true;
    }
    // Below 23 bytes (a bearer token), a secret is `Basic` credentials (a blank after
    // `basic`), a JSON Web Token (dots) or an AWS key id (an `A`): most strings this short
    // (J2 tokens, `▁`-joined words) have none of these bytes.
    if text.len() < "bearer ".len() + MIN_BEARER_TOKEN
        && !text
            .bytes()
            .any(|byte| matches!(byte, b' ' | b'\t' | b'.' | b'A'))
    {
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
        self.mask_pieces_with(message, |output, _| output.push_str(REDACTED))
    }

    /// [`KeyWords::mask_pieces`] with each piece replaced by a mask of as many characters,
    /// for the strings of a JSON body (see [`mask_spans_keeping_length`]).
    fn mask_pieces_keeping_length(&self, message: &str) -> String {
        self.mask_pieces_with(message, same_length_mask)
    }

    /// The message with every piece replaced by what `mask` writes for it.
    fn mask_pieces_with(&self, message: &str, mask: impl Fn(&mut String, &str)) -> String {
        let mut output = String::with_capacity(message.len());
        let mut run_start = None;
        let flush = |output: &mut String, run: &str| {
            if run.len() >= KEY_FRAGMENT && self.0.iter().any(|key| key.contains(run)) {
                mask(output, run);
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

/// A JSON value that serialises redacted, as [`json`] would leave it: without being copied
/// when no secret is taken out of a string (so no piece of one is left to mask).
pub(crate) struct RedactedJson<'a>(pub(crate) &'a Value);

impl Serialize for RedactedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if holds_secret_shape(self.0) {
            let mut redacted = self.0.clone();
            json(&mut redacted);
            redacted.serialize(serializer)
        } else {
            WithoutShapes(self.0).serialize(serializer)
        }
    }
}

/// Whether a string of the value (not one a credential member holds) has a secret shape in
/// it, which [`json`] takes out and then masks the pieces of.
fn holds_secret_shape(value: &Value) -> bool {
    match value {
        Value::String(string) => {
            !is_key_shaped(string.trim()) && !secret_spans(string, false).is_empty()
        }
        Value::Array(items) => items.iter().any(holds_secret_shape),
        Value::Object(members) => members.iter().any(|(name, member)| {
            !(member.is_string() && is_secret_member(name)) && holds_secret_shape(member)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// A JSON value without secret shapes in its strings, serialised as [`json`] would leave it.
struct WithoutShapes<'a>(&'a Value);

impl Serialize for WithoutShapes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Value::String(string) => serializer.serialize_str(&json_string(string, None)),
            Value::Array(items) => {
                let mut sequence = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    sequence.serialize_element(&WithoutShapes(item))?;
                }
                sequence.end()
            }
            Value::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, member) in members {
                    if member.is_string() && is_secret_member(name) {
                        map.serialize_entry(name, REDACTED)?;
                    } else {
                        map.serialize_entry(name, &WithoutShapes(member))?;
                    }
                }
                map.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// A JSON string as it may be kept (owned when changed): [`REDACTED`] when it is a key as
/// a whole, otherwise with every secret shape masked, the words of each added to `pieces`
/// (those with a digit or both cases, of [`KEY_FRAGMENT`] characters or more).
fn json_string<'s>(string: &'s str, pieces: Option<&mut KeyWords>) -> Cow<'s, str> {
    if is_key_shaped(string.trim()) {
        return Cow::Owned(REDACTED.to_owned());
    }
    let spans = secret_spans(string, false);
    if let Some(pieces) = pieces {
        for &(start, end) in &spans {
            let secret = &string[start..end];
            for word in secret.split(|character: char| !character.is_ascii_alphanumeric()) {
                let digit = word.bytes().any(|byte| byte.is_ascii_digit());
                let cases = word.bytes().any(|byte| byte.is_ascii_uppercase())
                    && word.bytes().any(|byte| byte.is_ascii_lowercase());
                if word.len() >= KEY_FRAGMENT
                    && (digit || cases)
                    && !pieces.0.iter().any(|known| known == word)
                {
                    pieces.0.push(word.to_owned());
                }
            }
        }
    }
    mask_spans_keeping_length(string, spans)
}

/// The shortest member name [`is_secret_member`] takes but `key` and `pwd`.
const SHORTEST_LONG_MEMBER: usize = "secret".len();

/// Whether a JSON member with this name holds a credential (when its value is a string).
///
/// The name is compared case-insensitively with `-`, `_`, `.` and spaces ignored: one of
/// the credential names (`key` and `pwd` only as written, in any case; `apikey`,
/// `privatekey`, `accesskey`, `secretaccesskey`, `subscriptionkey`, `clientsecret`,
/// `password`, `passwd`, `credentials`, `accesstoken`, `sessiontoken`, `refreshtoken`,
/// `connectionstring`, ...), or a name containing `apikey`, `secret`, `password`,
/// `passwd`, `passphrase`, `authorization`, `credential`, `privatekey`, `accesskey`,
/// `subscriptionkey` or a credential's token (`accesstoken`, `sessiontoken`, ...).
/// Plain `token` is not one: it is the J2 token text; nor `code` or `signature`, which
/// payloads and tool schemas use for other things.
pub fn is_secret_member(name: &str) -> bool {
    if name.len() == "key".len() {
        return name.eq_ignore_ascii_case("key") || name.eq_ignore_ascii_case("pwd");
    }
    // Normalising only removes characters, and the shortest other name is six long.
    if name.len() < SHORTEST_LONG_MEMBER {
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
        "secret",
        "clientsecret",
        "password",
        "passwd",
        "passphrase",
        "credential",
        "credentials",
        "privatekey",
        "accesskey",
        "accesskeyid",
        "secretkey",
        "secretaccesskey",
        "subscriptionkey",
        "signingkey",
        "encryptionkey",
        "masterkey",
        "accountkey",
        "sharedkey",
        "sharedaccesskey",
        "connectionstring",
        "idtoken",
        "sessionid",
    ];
    const PARTS: &[&str] = &[
        "apikey",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "authorization",
        "credential",
        "privatekey",
        "accesskey",
        "subscriptionkey",
        "accesstoken",
        "refreshtoken",
        "authtoken",
        "apitoken",
        "bearertoken",
        "sessiontoken",
        "securitytoken",
        "oauthtoken",
        "csrftoken",
        "xsrftoken",
    ];
    NAMES.contains(&name) || PARTS.iter().any(|part| name.contains(part))
}

/// Whether a query or fragment parameter with this name holds a credential: a credential
/// header's name ([`is_secret_header`]: `X-Amz-Signature`, `X-Amz-Credential`,
/// `X-Amz-Security-Token`, `X-Goog-Signature`, `X-Goog-Credential`, `AWSAccessKeyId`, ...)
/// or one of `key`, `token`, `auth`, `sig` (Azure SAS), `signature`, `code` (an OAuth
/// authorization code), `pass`, `pwd`, `session`, `sessionid`, `jwt`. `api-version` and
/// the other parameters of a presigned URL (`X-Amz-Date`, `X-Amz-SignedHeaders`,
/// `Expires`, ...) are not.
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
        "jwt",
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
            let masked = url_piece(pair);
            changed |= matches!(masked, Cow::Owned(_));
            pairs.push(masked);
            continue;
        };
        if !value.is_empty() && value != REDACTED && is_secret_parameter(&percent_decode(name)) {
            changed = true;
            pairs.push(Cow::Owned(format!("{name}={REDACTED}")));
            continue;
        }
        match url_piece(value) {
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

/// A URL's path with the secrets of each segment masked ([`url_piece`]).
fn url_path(path: &str) -> Cow<'_, str> {
    if !path.contains(['%', '+']) {
        return mask_secrets(path, true);
    }
    let segments: Vec<Cow<'_, str>> = path.split('/').map(url_piece).collect();
    if segments
        .iter()
        .all(|segment| matches!(segment, Cow::Borrowed(_)))
    {
        return Cow::Borrowed(path);
    }
    Cow::Owned(segments.join("/"))
}

/// A piece of a URL (a path segment, a parameter's value) as it may be kept (owned when
/// changed): its secrets masked where they stand, or the whole piece [`REDACTED`] when a
/// secret shows only once it is percent-decoded (`Bearer%20...`, `Basic+...`, a key
/// with an escaped character in it).
fn url_piece(piece: &str) -> Cow<'_, str> {
    let masked = mask_secrets(piece, true);
    if matches!(masked, Cow::Owned(_)) || !piece.contains(['%', '+']) {
        return masked;
    }
    if matches!(mask_secrets(&percent_decode(piece), true), Cow::Owned(_)) {
        Cow::Owned(REDACTED.to_owned())
    } else {
        masked
    }
}

/// Decodes `%XX` escapes and `+` in a parameter name, so `api%5Fkey` is seen as `api_key`
/// (and in a piece of a URL, to look for secrets).
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

/// The length of the shortest secret shape [`text`] masks (a JSON Web Token with a short
/// header and payload and no signature): shorter text holds none.
pub const MIN_SECRET_LEN: usize = 16;

/// The shortest credential taken after `Bearer`: shorter words are ordinary text.
const MIN_BEARER_TOKEN: usize = 16;

/// The shortest credentials taken after `Basic`: `user:pass`, base64-encoded.
const MIN_BASIC_TOKEN: usize = 12;

/// The shortest first part of a JSON Web Token: `eyJ` and nine more characters
/// (`{"alg":"none"}` is `eyJhbGciOiJub25lIn0`).
const MIN_JWT_HEADER: usize = 12;

/// Masks every secret shape, and also key-shaped words when `words` is set.
///
/// The shapes, each a credential whatever it stands in:
///
/// - a bearer token: the word after `bearer` (any case) and blanks, at least
///   [`MIN_BEARER_TOKEN`] characters of letters, digits and `-._~+/=`, with a digit or an
///   upper-case letter after its first character (so `the bearer instruments...` stays
///   prose);
/// - `Basic` credentials: the word after `basic` (any case) and blanks, at least
///   [`MIN_BASIC_TOKEN`] characters of base64 that decode to text holding a `:` (RFC 7617's
///   `user-id:password`; so `basic instructions` stays prose);
/// - a JSON Web Token: `eyJ` (a base64url JSON object) starting a word, then two more
///   base64url parts after dots, the last possibly empty (RFC 7519; five parts, an
///   encrypted one);
/// - a PEM private-key block: from `-----BEGIN ...PRIVATE KEY...-----` to the matching
///   `-----END ...-----`, or to the end of the text when the block is cut (RFC 7468;
///   certificates and public keys are kept);
/// - an AWS access key id: `AKIA` or `ASIA` and 16 upper-case letters and digits, a word
///   of its own;
/// - a Google API key: `AIza` and 35 letters, digits, `-` and `_`.
fn mask_secrets(text: &str, words: bool) -> Cow<'_, str> {
    mask_spans(text, secret_spans(text, words))
}

/// The byte ranges of the secrets [`mask_secrets`] masks, in no order, possibly
/// overlapping; each starts and ends at an ASCII byte or the end of the text.
fn secret_spans(text: &str, words: bool) -> Vec<(usize, usize)> {
    if text.len() < MIN_SECRET_LEN {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    // One scan per shape, each going straight from one candidate start to the next, so
    // long text without one (almost all) costs a few vectorised searches. A short string
    // (most are J2 tokens and ids) is read once for the bytes a shape must hold (`b` of
    // `bearer` and `basic`, `J` of `eyJ`, `-` of `-----BEGIN`, `A` of `AKIA`, `ASIA` and
    // `AIza`), and only the scans of the shapes it may hold are made.
    const SHORT: usize = 96;
    let (mut scheme, mut jwt, mut pem, mut prefixed) = (true, true, true, true);
    if bytes.len() < SHORT {
        (scheme, jwt, pem, prefixed) = (false, false, false, false);
        for &byte in bytes {
            match byte {
                b'b' | b'B' => scheme = true,
                b'J' => jwt = true,
                b'-' => pem = true,
                b'A' => prefixed = true,
                _ => {}
            }
        }
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    if scheme {
        scheme_credentials(bytes, &mut spans);
    }
    if jwt {
        json_web_tokens(bytes, &mut spans);
    }
    if pem {
        private_key_blocks(bytes, &mut spans);
    }
    if prefixed {
        prefixed_keys(bytes, &mut spans);
    }
    if words && has_key_word(text) {
        key_shaped_words(bytes, &mut spans);
    }
    spans
}

/// The text with each span replaced by [`REDACTED`] (overlapping spans by one).
fn mask_spans(text: &str, spans: Vec<(usize, usize)>) -> Cow<'_, str> {
    mask_spans_with(text, spans, |output, _| output.push_str(REDACTED))
}

/// The text with each span replaced by a mask of as many characters ([`same_length_mask`]):
/// what a string of a JSON body gets, so that the J2 text ranges, counted in code points
/// of the text, still tile it after a secret in the text is masked.
fn mask_spans_keeping_length(text: &str, spans: Vec<(usize, usize)>) -> Cow<'_, str> {
    mask_spans_with(text, spans, same_length_mask)
}

/// The text with each span (merged with those it overlaps) replaced by what `mask` writes
/// for the span's text.
fn mask_spans_with(
    text: &str,
    mut spans: Vec<(usize, usize)>,
    mask: impl Fn(&mut String, &str),
) -> Cow<'_, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut output = String::with_capacity(text.len());
    // Everything before `copied` is in `output`; `open` is the span being merged.
    let mut copied = 0;
    let mut open: Option<(usize, usize)> = None;
    for (start, end) in spans {
        match open {
            Some((from, to)) if start < to => open = Some((from, to.max(end))),
            _ => {
                if let Some((from, to)) = open {
                    // Every span starts and ends at an ASCII byte or the end of the text.
                    output.push_str(&text[copied..from]);
                    mask(&mut output, &text[from..to]);
                    copied = to;
                }
                open = Some((start.max(copied), end.max(copied)));
            }
        }
    }
    if let Some((from, to)) = open {
        output.push_str(&text[copied..from]);
        mask(&mut output, &text[from..to]);
        copied = to;
    }
    output.push_str(&text[copied..]);
    Cow::Owned(output)
}

/// Writes a mask of as many characters as `secret` has: [`REDACTED`] followed by `*`s, or
/// only `*`s for a secret shorter than [`REDACTED`].
fn same_length_mask(output: &mut String, secret: &str) {
    let length = secret.chars().count();
    if length >= REDACTED.len() {
        output.push_str(REDACTED);
        output.extend(std::iter::repeat_n('*', length - REDACTED.len()));
    } else {
        output.extend(std::iter::repeat_n('*', length));
    }
}

/// The end of the run of bytes from `from` that `keep` accepts.
fn run_end(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&byte| !keep(byte))
        .map_or(bytes.len(), |offset| from + offset)
}

/// The bearer tokens and `Basic` credentials: the words `bearer` and `basic` both start
/// with a `b`, so the scan goes from one `b` starting a word to the next.
fn scheme_credentials(bytes: &[u8], spans: &mut Vec<(usize, usize)>) {
    let mut index = 0;
    while let Some(offset) = memchr::memchr2(b'b', b'B', &bytes[index..]) {
        let start = index + offset;
        index = start + 1;
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let word_end = run_end(bytes, start, |byte| byte.is_ascii_alphanumeric());
        let word = &bytes[start..word_end];
        let credential = if word.eq_ignore_ascii_case(b"bearer") {
            bearer_token(bytes, word_end)
        } else if word.eq_ignore_ascii_case(b"basic") {
            basic_credentials(bytes, word_end)
        } else {
            None
        };
        if let Some(span) = credential {
            spans.push(span);
            index = span.1;
        } else {
            index = word_end;
        }
    }
}

/// Where the word after a scheme name that ends at `after` starts: after one blank or
/// more.
fn after_blanks(bytes: &[u8], after: usize) -> Option<usize> {
    let start = run_end(bytes, after, |byte| matches!(byte, b' ' | b'\t'));
    (start > after && start < bytes.len()).then_some(start)
}

/// The byte range of the bearer token after the word `bearer` that ends at `after`.
fn bearer_token(bytes: &[u8], after: usize) -> Option<(usize, usize)> {
    let start = after_blanks(bytes, after)?;
    let end = run_end(bytes, start, is_token_byte);
    let token = &bytes[start..end];
    let prose = !token
        .iter()
        .skip(1)
        .any(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase());
    (token.len() >= MIN_BEARER_TOKEN && !prose).then_some((start, end))
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// The byte range of the `Basic` credentials after the word `basic` that ends at `after`:
/// base64 (padded or not) of text holding a `:` and no control character.
fn basic_credentials(bytes: &[u8], after: usize) -> Option<(usize, usize)> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const BASE64: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let start = after_blanks(bytes, after)?;
    let end = run_end(bytes, start, |byte| {
        byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=')
    });
    if end - start < MIN_BASIC_TOKEN {
        return None;
    }
    let decoded = BASE64.decode(&bytes[start..end]).ok()?;
    let decoded = std::str::from_utf8(&decoded).ok()?;
    (decoded.contains(':') && !decoded.chars().any(char::is_control)).then_some((start, end))
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')
}

/// The JSON Web Tokens: `eyJ...` starting a word, and at least two more dotted base64url
/// parts (the last may be empty: an unsecured token).
fn json_web_tokens(bytes: &[u8], spans: &mut Vec<(usize, usize)>) {
    static START: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("eyJ"));
    for start in START.find_iter(bytes) {
        if start > 0 && is_base64url(bytes[start - 1]) {
            continue;
        }
        let header_end = run_end(bytes, start, is_base64url);
        if header_end - start < MIN_JWT_HEADER || bytes.get(header_end) != Some(&b'.') {
            continue;
        }
        let payload_end = run_end(bytes, header_end + 1, is_base64url);
        if payload_end - header_end < 3 || bytes.get(payload_end) != Some(&b'.') {
            continue;
        }
        let mut end = run_end(bytes, payload_end + 1, is_base64url);
        // The two more parts of an encrypted token.
        while bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(|&b| is_base64url(b))
        {
            end = run_end(bytes, end + 1, is_base64url);
        }
        spans.push((start, end));
    }
}

/// The PEM private-key blocks, from `-----BEGIN` to the end of the matching `-----END`
/// line, or to the end of the text when it is cut before.
fn private_key_blocks(bytes: &[u8], spans: &mut Vec<(usize, usize)>) {
    static BEGIN: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("-----BEGIN "));
    const DASHES: &[u8] = b"-----";
    // The longest label read (`ENCRYPTED PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`, ...).
    const LABEL: usize = 64;
    let label_end = |from: usize| {
        let window = &bytes[from..bytes.len().min(from + LABEL)];
        memmem::find(window, DASHES).map(|length| from + length)
    };
    for start in BEGIN.find_iter(bytes) {
        let label_start = start + "-----BEGIN ".len();
        let Some(label_stop) = label_end(label_start) else {
            continue;
        };
        if memmem::find(&bytes[label_start..label_stop], b"PRIVATE KEY").is_none() {
            continue;
        }
        let body = label_stop + DASHES.len();
        let end = memmem::find(&bytes[body..], b"-----END ")
            .and_then(|offset| {
                let after = body + offset + "-----END ".len();
                label_end(after).map(|stop| stop + DASHES.len())
            })
            .unwrap_or(bytes.len());
        spans.push((start, end));
    }
}

/// The keys with a prefix of their own, each a word: AWS access key ids (`AKIA` or `ASIA`
/// and 16 upper-case letters and digits) and Google API keys (`AIza` and 35 letters,
/// digits, `-` and `_`).
fn prefixed_keys(bytes: &[u8], spans: &mut Vec<(usize, usize)>) {
    const AWS: usize = 20;
    const GOOGLE: usize = 39;
    let mut index = 0;
    while let Some(offset) = memchr::memchr(b'A', &bytes[index..]) {
        let start = index + offset;
        index = start + 1;
        if start > 0 && is_base64url(bytes[start - 1]) {
            continue;
        }
        let rest = &bytes[start..];
        let length = if rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA") {
            let end = run_end(bytes, start, |byte| {
                byte.is_ascii_uppercase() || byte.is_ascii_digit()
            });
            let end_of_word = !bytes.get(end).is_some_and(u8::is_ascii_alphanumeric);
            (end - start == AWS && end_of_word).then_some(AWS)
        } else if rest.starts_with(b"AIza") {
            (run_end(bytes, start, is_base64url) - start == GOOGLE).then_some(GOOGLE)
        } else {
            None
        };
        if let Some(length) = length {
            spans.push((start, start + length));
            index = start + length;
        }
    }
}

/// The key-shaped words ([`is_key_shaped`]).
fn key_shaped_words(bytes: &[u8], spans: &mut Vec<(usize, usize)>) {
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_alphanumeric() {
            index += 1;
            continue;
        }
        let end = run_end(bytes, index, |byte| byte.is_ascii_alphanumeric());
        // The word is ASCII, so it is UTF-8.
        if std::str::from_utf8(&bytes[index..end]).is_ok_and(is_key_shaped) {
            spans.push((index, end));
        }
        index = end;
    }
}
