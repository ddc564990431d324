//! Reading captured traffic into records, accounting for every one of them.
//!
//! Inputs are paths (files, or directories read recursively in sorted order) and standard
//! input, in any mix. Each input is a JSONL capture (one exchange per line, the format the
//! README's *Capture format* section specifies), a HAR file, or a single payload, any of
//! them gzipped (recognised by the gzip magic bytes, whatever the file is called). [`read`] turns them into one stream of
//! [`Item`]s in input order: a [`Record`] for each readable exchange or payload, an
//! [`Unreadable`] for each thing that could not be read (a malformed line, a truncated gzip
//! stream, a missing file), and a [`Skipped`] for each HAR entry or capture line that is not
//! AI21 traffic. Reading never stops early: after an unreadable line the next one is read.
//!
//! JSONL is streamed line by line through one reused buffer, so a capture of any size
//! needs memory for its longest line, not for the file; each body is parsed once, straight
//! into the [`serde_json::Value`] the validator needs. HAR files and single payloads are
//! read whole (a HAR keeps each entry as text until it is read, so it takes about twice its
//! size in memory). Records are redacted as they are read (see [`crate::redact`]).
//!
//! The stream is sequential and [`Send`]. [`Items::next_pending`] gives the next item read
//! but not parsed yet, so that parsing, the costly part, can run on other threads:
//! in [`crate::run`], threads take batches of [`Pending`] items off the stream in turn and
//! parse and check them on all cores, and the outcomes are put back in input order.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ai21_schemas::PayloadKind;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::endpoint::{self, Endpoint};
use crate::{Error, Result, redact};

mod har;
mod jsonl;
mod location;
mod payload;
mod source;
mod wire;

#[cfg(test)]
mod tests;

pub use location::{Location, Origin, Position};
pub use payload::detect_kind;

/// One input: a path, or standard input (`-` on the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file, or a directory read recursively.
    Path(PathBuf),
}

impl Input {
    /// The input a command-line argument names: `-` is standard input, anything else a path.
    pub fn from_arg(argument: impl Into<OsString>) -> Input {
        let argument = argument.into();
        if argument == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(argument))
        }
    }
}

/// What an input holds, when it should not be told from the file name and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON Lines, one exchange per line (the README's *Capture format*).
    Jsonl,
    /// An HTTP Archive (HAR 1.2).
    Har,
    /// One JSON payload: a request or response body, a stream chunk or an error.
    Payload,
}

/// How to read inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format of every input; when `None`, each input's format is told from its name
    /// (`.jsonl`, `.ndjson`, `.har`, after any `.gz`) or else from its content.
    pub format: Option<Format>,
    /// The kind of every single payload (`--kind`); when `None` it is detected from the
    /// payload's members, and a payload whose kind cannot be told is unreadable.
    pub kind: Option<PayloadKind>,
}

/// One thing read from the inputs; every line, entry and file ends up as exactly one item
/// (blank lines of a JSONL capture are not records and give none).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A readable exchange or payload.
    Record(Record),
    /// Something that could not be read.
    Unreadable(Unreadable),
    /// A HAR entry or capture line that is, by design, not checked (not AI21 traffic, a CORS
    /// preflight, a request that got no response).
    Skipped(Skipped),
}

impl Item {
    /// Where the item was read.
    pub fn location(&self) -> &Location {
        match self {
            Item::Record(record) => &record.location,
            Item::Unreadable(unreadable) => &unreadable.location,
            Item::Skipped(skipped) => &skipped.location,
        }
    }
}

/// A readable exchange or payload, with where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Where it was read.
    pub location: Location,
    /// What was read.
    pub content: Content,
}

/// What a record holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A request and its response, from a JSONL capture or a HAR entry (boxed: it is
    /// several times the size of the other items).
    Exchange(Box<Exchange>),
    /// A single payload, from a payload file.
    Payload(Payload),
}

/// A single JSON payload and its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// Its kind, as given or detected.
    pub kind: PayloadKind,
    /// The payload, redacted.
    pub body: Value,
}

/// One request to an AI21 endpoint and the response it got.
///
/// Built by reading (already redacted) or by [`Exchange::new`] (which redacts the URL; the
/// headers redact themselves). Serialised with [`Exchange::to_json_line`], which redacts
/// everything again, so a record written by a contract runner holds no secret either.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    url: String,
    endpoint: Endpoint,
    /// The HTTP method, `POST` unless the capture says otherwise.
    pub method: String,
    /// When the request was sent, as the capture wrote it (RFC 3339 recommended).
    pub timestamp: Option<String>,
    /// The request.
    pub request: Request,
    /// The response.
    pub response: Response,
}

impl Exchange {
    /// An exchange with the `POST` method and no timestamp; fails when the URL is not an
    /// AI21 endpoint.
    pub fn new(url: &str, request: Request, response: Response) -> Result<Exchange> {
        let url = redact::url(url).into_owned();
        let Some(endpoint) = endpoint::from_url(&url) else {
            return Err(Error::NotAnEndpoint { url });
        };
        Ok(Exchange {
            url,
            endpoint,
            method: "POST".to_owned(),
            timestamp: None,
            request,
            response,
        })
    }

    /// The request URL (or path, as captured), redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The endpoint the URL calls.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The exchange as one line of the JSONL capture format, without the final newline and
    /// with every secret redacted.
    pub fn to_json_line(&self) -> String {
        wire::to_json_line(self)
    }

    /// Writes the exchange as one line of the JSONL capture format, newline included.
    pub fn write_json_line(&self, mut writer: impl io::Write) -> Result<()> {
        let mut line = self.to_json_line();
        line.push('\n');
        writer.write_all(line.as_bytes()).map_err(Error::Write)
    }
}

/// The request half of an exchange.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Its headers, redacted.
    pub headers: Headers,
    /// Its body.
    pub body: Body,
}

/// The response half of an exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The HTTP status, 100 to 599.
    pub status: u16,
    /// Its headers, redacted.
    pub headers: Headers,
    /// Its body: JSON, or the raw text of a `text/event-stream`.
    pub body: Body,
}

/// A request or response body as captured.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    /// No body was captured, or it was empty.
    #[default]
    Absent,
    /// A JSON document, parsed and redacted.
    Json(Value),
    /// The raw text of a `text/event-stream` response (`data: {...}` events), redacted.
    EventStream(String),
    /// Text that is not JSON, kept (redacted) so the validator can say what is wrong.
    Text(String),
}

impl Body {
    /// The JSON document, when the body is one.
    pub fn json(&self) -> Option<&Value> {
        match self {
            Body::Json(value) => Some(value),
            _ => None,
        }
    }

    /// Whether no body was captured.
    pub fn is_absent(&self) -> bool {
        matches!(self, Body::Absent)
    }

    /// A body from its text, as captured: empty is [`Body::Absent`]; a response marked
    /// `text/event-stream` (by `content_type`, or by starting with `data:`) is
    /// [`Body::EventStream`]; JSON is parsed; anything else is [`Body::Text`]. The result is
    /// redacted.
    pub fn from_text(text: String, content_type: Option<&str>, is_response: bool) -> Body {
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            return Body::Absent;
        }
        let event_stream = content_type.is_some_and(|content_type| {
            content_type
                .to_ascii_lowercase()
                .contains("text/event-stream")
        }) || trimmed.starts_with("data:");
        if is_response && event_stream {
            return Body::EventStream(into_redacted(text));
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(value) => Body::from_json(value),
            Err(_) => Body::Text(into_redacted(text)),
        }
    }

    /// A JSON body, redacted.
    pub fn from_json(mut value: Value) -> Body {
        redact::json(&mut value);
        Body::Json(value)
    }
}

fn into_redacted(text: String) -> String {
    match redact::text(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(redacted) => redacted,
    }
}

/// HTTP headers in captured order; a credential header's value is replaced by
/// `[redacted]` as it is added (see [`redact::header_value`]), so no secret is ever held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// No headers.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Adds a header, redacting its value.
    pub fn push(&mut self, name: impl Into<String>, value: &str) {
        let name = name.into();
        let value = redact::header_value(&name, value).into_owned();
        self.0.push((name, value));
    }

    /// The first value of the header with this name (compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every value of the header with this name (compared case-insensitively).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.get("content-type")
    }

    /// Every header as `(name, value)`, in captured order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<N: Into<String>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(headers: I) -> Headers {
        let mut collected = Headers::new();
        for (name, value) in headers {
            collected.push(name, value.as_ref());
        }
        collected
    }
}

/// Something that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Where.
    pub location: Location,
    /// Why, lowercase and without a final period, such as `expected value at column 1`;
    /// redacted.
    pub message: String,
}

impl Unreadable {
    /// An unreadable item; the message is redacted.
    pub fn new(location: Location, message: impl AsRef<str>) -> Unreadable {
        Unreadable {
            location,
            message: redact::text(message.as_ref()).into_owned(),
        }
    }
}

impl fmt::Display for Unreadable {
    /// `capture.jsonl:42: expected value at column 1`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.location, self.message)
    }
}

/// Something read that is not checked, by design, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where.
    pub location: Location,
    /// Why, such as `not an AI21 endpoint: GET https://example.com/`; redacted.
    pub reason: String,
}

impl Skipped {
    /// A skipped item; the reason is redacted.
    pub fn new(location: Location, reason: impl AsRef<str>) -> Skipped {
        Skipped {
            location,
            reason: redact::text(reason.as_ref()).into_owned(),
        }
    }
}

impl fmt::Display for Skipped {
    /// `session.har#entry 3: not an AI21 endpoint: GET https://example.com/`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.location, self.reason)
    }
}

/// Reads the inputs, with `-` meaning the process's standard input.
pub fn read(inputs: impl IntoIterator<Item = Input>, options: ReadOptions) -> Items<'static> {
    read_from(inputs, options, io::stdin())
}

/// Reads the inputs, with [`Input::Stdin`] read from `stdin` (at most once: a second
/// [`Input::Stdin`] is unreadable).
pub fn read_from<'a>(
    inputs: impl IntoIterator<Item = Input>,
    options: ReadOptions,
    stdin: impl Read + Send + 'a,
) -> Items<'a> {
    let mut pending: Vec<Input> = inputs.into_iter().collect();
    pending.reverse();
    Items {
        options,
        pending,
        stdin: Some(Box::new(stdin)),
        current: source::Opened::Nothing,
    }
}

/// The items of some inputs, in input order; see [`read`].
pub struct Items<'a> {
    options: ReadOptions,
    /// Inputs still to read, the next one last.
    pending: Vec<Input>,
    stdin: Option<Box<dyn Read + Send + 'a>>,
    /// The input being read.
    current: source::Opened<'a>,
}

impl fmt::Debug for Items<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Items")
            .field("options", &self.options)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Iterator for Items<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.next_pending().map(Pending::parse)
    }
}

impl<'a> Items<'a> {
    /// The next item, read but not yet parsed: reading is sequential, and parsing (the
    /// costly part) can then run on another thread. `Iterator::next` is this, parsed.
    pub fn next_pending(&mut self) -> Option<Pending> {
        loop {
            match &mut self.current {
                source::Opened::Lines(lines) => {
                    if let Some(pending) = lines.next_pending() {
                        return Some(pending);
                    }
                }
                source::Opened::Har(entries) => {
                    if let Some(pending) = entries.next_pending() {
                        return Some(pending);
                    }
                }
                source::Opened::Item(_) | source::Opened::Nothing => {}
            }
            self.current = source::Opened::Nothing;
            let opened = match self.pending.pop()? {
                Input::Stdin => match self.stdin.take() {
                    Some(stdin) => source::open(stdin, Origin::Stdin, None, self.options),
                    None => source::Opened::Item(Item::Unreadable(Unreadable::new(
                        Location::whole(Origin::Stdin),
                        "standard input was already read",
                    ))),
                },
                Input::Path(path) => self.open_path(&path),
            };
            match opened {
                source::Opened::Item(item) => return Some(Pending::ready(item)),
                opened => self.current = opened,
            }
        }
    }
}

/// An item read but not parsed yet: a JSONL line or a HAR entry as text, or an item that
/// needed no parsing (a payload file, an unreadable input). [`Pending::parse`] gives the
/// item; it is [`Send`], so batches of them can be parsed in parallel while the stream is
/// read on, and their text size bounds the memory a batch holds.
#[derive(Debug)]
pub struct Pending(PendingContent);

#[derive(Debug)]
enum PendingContent {
    Line {
        location: Location,
        line: Vec<u8>,
    },
    Entry {
        location: Location,
        entry: Box<RawValue>,
    },
    Ready(Item),
}

impl Pending {
    fn ready(item: Item) -> Pending {
        Pending(PendingContent::Ready(item))
    }

    fn line(location: Location, line: Vec<u8>) -> Pending {
        Pending(PendingContent::Line { location, line })
    }

    fn entry(location: Location, entry: Box<RawValue>) -> Pending {
        Pending(PendingContent::Entry { location, entry })
    }

    /// Where the item was read.
    pub fn location(&self) -> &Location {
        match &self.0 {
            PendingContent::Line { location, .. } | PendingContent::Entry { location, .. } => {
                location
            }
            PendingContent::Ready(item) => item.location(),
        }
    }

    /// The size in bytes of the text still to parse (0 for an item already made).
    pub fn text_len(&self) -> usize {
        match &self.0 {
            PendingContent::Line { line, .. } => line.len(),
            PendingContent::Entry { entry, .. } => entry.get().len(),
            PendingContent::Ready(_) => 0,
        }
    }

    /// Parses the text into the item, as [`Items`] does.
    pub fn parse(self) -> Item {
        match self.0 {
            PendingContent::Line { location, line } => jsonl::parse_line(location, &line),
            PendingContent::Entry { location, entry } => har::parse_entry(location, &entry),
            PendingContent::Ready(item) => item,
        }
    }
}

impl<'a> Items<'a> {
    /// Opens a file, or lists a directory onto the pending inputs.
    fn open_path(&mut self, path: &Path) -> source::Opened<'a> {
        let origin = Origin::File(Arc::from(path));
        let unreadable = |message: String| {
            source::Opened::Item(Item::Unreadable(Unreadable::new(
                Location::whole(origin.clone()),
                message,
            )))
        };
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => return unreadable(source::io_message(&error)),
        };
        if metadata.is_dir() {
            return match source::list_directory(path) {
                Ok(children) => {
                    self.pending
                        .extend(children.into_iter().rev().map(Input::Path));
                    source::Opened::Nothing
                }
                Err(error) => unreadable(format!(
                    "listing the directory: {}",
                    source::io_message(&error)
                )),
            };
        }
        match std::fs::File::open(path) {
            Ok(file) => source::open(
                Box::new(file),
                origin.clone(),
                source::format_of(path),
                self.options,
            ),
            Err(error) => unreadable(source::io_message(&error)),
        }
    }
}
