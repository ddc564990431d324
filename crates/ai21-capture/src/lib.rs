//! Reading and writing captures of AI21 traffic, with every secret removed as it is read.
//!
//! A capture is what a proxy, a gateway log, a browser or a test recorder kept of the
//! traffic: JSON Lines with one exchange per line (the project's capture format), HAR
//! files, or single payload files, any of them gzipped (recognised by the gzip magic bytes,
//! whatever the file is called). Inputs are paths (files, or directories read recursively in
//! sorted order) and standard input, in any mix. [`read`] turns them into one stream of
//! [`Item`]s in input order: a [`Record`] for each readable exchange or payload, an
//! [`Unreadable`] for each thing that could not be read (a malformed line, a truncated gzip
//! stream, a missing file), and a [`Skipped`] for each HAR entry or capture line that is not
//! AI21 traffic. Reading never stops early, and every record is accounted for: after an
//! unreadable line the next one is read. [`Exchange::write_json_line`] writes the format
//! back. The format is specified in `docs/capture-format.md`.
//!
//! JSONL is streamed line by line through one reused buffer, so a capture of any size
//! needs memory for its longest line, not for the file; each body is parsed once, straight
//! into the [`serde_json::Value`] a validator needs. HAR files and single payloads are read
//! whole (a HAR keeps each entry as text until it is read, so it takes about twice its size
//! in memory). Records are redacted as they are read ([`redact`]): no API key, cookie or
//! URL credential survives reading, and serialising an exchange redacts again.
//!
//! The stream is sequential and [`Send`]. [`Items::next_pending`] gives the next item read
//! but not parsed yet, so that parsing, the costly part, can run on other threads (the
//! `ai21-contract` command line takes batches of [`Pending`] items off the stream in turn,
//! parses and checks them on all cores, and puts the outcomes back in input order).
//! [`endpoint`] tells an AI21 endpoint from a URL.
//!
//! ```
//! use ai21_capture::{Content, Endpoint, Input, Item, ReadOptions};
//!
//! let capture = concat!(
//!     r#"{"url": "https://api.ai21.com/studio/v1/j2-mid/complete?api_key=Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty", "#,
//!     r#""request": {"headers": {"Authorization": "Bearer Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty"}, "body": {"prompt": "Hi"}}, "#,
//!     r#""response": {"status": 401, "body": "{\"detail\": \"Forbidden: Bad or missing API token.\"}"}}"#,
//! );
//! let items: Vec<Item> =
//!     ai21_capture::read_from(vec![Input::Stdin], ReadOptions::default(), capture.as_bytes()).collect();
//! let Item::Record(record) = &items[0] else { panic!("{:?}", items[0]) };
//! assert_eq!(record.location.to_string(), "-:1");
//! let Content::Exchange(exchange) = &record.content else { panic!("not an exchange") };
//! assert_eq!(exchange.endpoint(), &Endpoint::J2Complete { model: "j2-mid".into(), custom_model: None });
//! assert_eq!(exchange.url(), "https://api.ai21.com/studio/v1/j2-mid/complete?api_key=[redacted]");
//! assert_eq!(exchange.request.headers.get("authorization"), Some("[redacted]"));
//! assert_eq!(exchange.response.body.json().map(|body| &body["detail"]), Some(&"Forbidden: Bad or missing API token.".into()));
//! assert!(!format!("{items:?}").contains("Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty"));
//! ```

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ai21_schemas::PayloadKind;
use serde_json::Value;
use serde_json::value::RawValue;

pub use ai21_schemas::{Dialect, Endpoint, Route};

pub mod endpoint;
pub mod fast;
pub mod redact;

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
pub use redact::ApiKey;

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
    /// JSON Lines, one exchange per line (`docs/capture-format.md`).
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
    /// The dialect of exchanges whose URL does not tell it (`--dialect`): a bare path, or a
    /// host that is no platform's own (a proxy, a mock). A record's own `dialect` member
    /// wins over it, and a platform's host over both.
    pub dialect: Option<Dialect>,
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
    /// The dialect it is checked in (`--dialect`; Studio by default).
    pub dialect: Dialect,
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
    route: Route,
    /// The HTTP method, `POST` unless the capture says otherwise.
    pub method: String,
    /// When the request was sent, as the capture wrote it (RFC 3339 recommended).
    pub timestamp: Option<String>,
    /// The request.
    pub request: Request,
    /// The response.
    pub response: Response,
    /// Whether the request was meant to be refused (the record's `"expect": "refusal"`): a
    /// contract runner's negative case, whose request breaks the contract on purpose.
    pub expect_refusal: bool,
}

impl Exchange {
    /// An exchange with the `POST` method and no timestamp; fails when the URL is not an
    /// AI21 endpoint in any dialect (see [`endpoint::recognise`]).
    pub fn new(url: &str, request: Request, response: Response) -> Result<Exchange> {
        Exchange::new_in(None, url, request, response)
    }

    /// [`Exchange::new`], with `dialect` deciding for a URL whose host does not tell it (a
    /// mock's, a proxy's).
    pub fn new_in(
        dialect: Option<Dialect>,
        url: &str,
        request: Request,
        response: Response,
    ) -> Result<Exchange> {
        let url = redact::url(url).into_owned();
        let endpoint::Recognition::Route(route) = endpoint::recognise(&url, dialect) else {
            return Err(Error::NotAnEndpoint { url });
        };
        Ok(Exchange {
            url,
            route,
            method: "POST".to_owned(),
            timestamp: None,
            request,
            response,
            expect_refusal: false,
        })
    }

    /// The request URL (or path, as captured), redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The canonical endpoint the URL calls.
    pub fn endpoint(&self) -> &Endpoint {
        &self.route.endpoint
    }

    /// Where the request was sent: the dialect, the canonical endpoint and what the
    /// dialect's URL says.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The dialect the exchange is read in.
    pub fn dialect(&self) -> Dialect {
        self.route.dialect
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
    /// The bytes of an AWS event stream (`application/vnd.amazon.eventstream`): Bedrock's
    /// streamed answer, each message carrying one chunk. Read from base64 text, or from text
    /// whose characters stand for bytes (U+0000 to U+00FF), as loggers write binary bodies;
    /// kept as captured (see [`aws_event_stream`] for how it is told, and
    /// `docs/capture-format.md` for what redaction does to it).
    AwsEventStream(Vec<u8>),
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
        match TextBody::of(&text, content_type, is_response) {
            TextBody::Absent => Body::Absent,
            TextBody::EventStream => Body::EventStream(into_redacted(text)),
            TextBody::AwsEventStream(bytes) => Body::AwsEventStream(bytes),
            TextBody::Json => match serde_json::from_str::<Value>(&text) {
                Ok(value) => Body::from_json(value),
                Err(_) => Body::Text(into_redacted(text)),
            },
        }
    }

    /// A JSON body, redacted.
    pub fn from_json(mut value: Value) -> Body {
        redact::json(&mut value);
        Body::Json(value)
    }
}

/// What a body given as text is, before it is parsed (the one reading of it, for
/// [`Body::from_text`] and for the fast read).
pub(crate) enum TextBody {
    /// Blank: no body.
    Absent,
    /// An event stream: a response whose content type says so, or whose text starts with
    /// `data:`.
    EventStream,
    /// An AWS event stream, decoded into its bytes.
    AwsEventStream(Vec<u8>),
    /// Anything else: JSON text, or text that is not JSON.
    Json,
}

impl TextBody {
    pub(crate) fn of(text: &str, content_type: Option<&str>, is_response: bool) -> TextBody {
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            return TextBody::Absent;
        }
        let event_stream = content_type.is_some_and(|content_type| {
            content_type
                .to_ascii_lowercase()
                .contains("text/event-stream")
        }) || trimmed.starts_with("data:");
        if is_response && event_stream {
            return TextBody::EventStream;
        }
        if is_response && let Some(bytes) = aws_event_stream(text, content_type) {
            return TextBody::AwsEventStream(bytes);
        }
        TextBody::Json
    }
}

/// The bytes of a response body given as text, when it is an AWS event stream
/// (`application/vnd.amazon.eventstream`, Bedrock's streamed answer): base64 text (line
/// breaks and blanks ignored), or text whose every character stands for one byte
/// (U+0000 to U+00FF). Told by the content type, or, without one, by the bytes starting
/// with a message prelude whose checksum holds (a 12-byte prelude: total length, headers
/// length, CRC32 of the eight bytes before it), which no JSON or event-stream text does.
/// `None` for any other text.
pub fn aws_event_stream(text: &str, content_type: Option<&str>) -> Option<Vec<u8>> {
    use base64::Engine;
    let declared = content_type.is_some_and(|content_type| {
        content_type
            .to_ascii_lowercase()
            .contains("application/vnd.amazon.eventstream")
    });
    let compact: String = text
        .chars()
        .filter(|character| !character.is_ascii_whitespace())
        .collect();
    let from_base64 = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok();
    let from_chars = || -> Option<Vec<u8>> {
        text.chars()
            .map(|character| u8::try_from(u32::from(character)).ok())
            .collect()
    };
    match from_base64 {
        Some(bytes) if starts_with_prelude(&bytes) => Some(bytes),
        _ => match from_chars() {
            Some(bytes) if declared || starts_with_prelude(&bytes) => Some(bytes),
            _ if declared => Some(text.as_bytes().to_vec()),
            _ => None,
        },
    }
}

/// Whether `bytes` start with an AWS event-stream message prelude whose CRC32 holds.
pub(crate) fn starts_with_prelude(bytes: &[u8]) -> bool {
    let Some(prelude) = bytes.get(..12) else {
        return false;
    };
    let word = |at: usize| {
        u32::from_be_bytes([
            prelude[at],
            prelude[at + 1],
            prelude[at + 2],
            prelude[at + 3],
        ])
    };
    let total = word(0) as usize;
    let headers = word(4) as usize;
    total >= 16 && headers + 16 <= total && crc32fast::hash(&prelude[..8]) == word(8)
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
                        return Some(pending.in_dialect(self.options.dialect));
                    }
                }
                source::Opened::Har(entries) => {
                    if let Some(pending) = entries.next_pending() {
                        return Some(pending.in_dialect(self.options.dialect));
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
pub struct Pending(PendingContent, Option<Dialect>);

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
        Pending(PendingContent::Ready(item), None)
    }

    fn line(location: Location, line: Vec<u8>) -> Pending {
        Pending(PendingContent::Line { location, line }, None)
    }

    fn entry(location: Location, entry: Box<RawValue>) -> Pending {
        Pending(PendingContent::Entry { location, entry }, None)
    }

    /// The item, read with `dialect` deciding for URLs that do not tell theirs.
    fn in_dialect(self, dialect: Option<Dialect>) -> Pending {
        Pending(self.0, dialect)
    }

    /// The dialect for URLs that do not tell theirs ([`ReadOptions::dialect`]).
    pub fn dialect(&self) -> Option<Dialect> {
        self.1
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

    /// The JSONL line still to parse, with where it was read; `None` for a HAR entry or an
    /// item already made. A reader that can check the line without parsing it into an
    /// [`Item`] ([`fast::read_line`]) takes it from here, and leaves the rest to
    /// [`Pending::parse`].
    pub fn as_line(&self) -> Option<(&Location, &[u8])> {
        match &self.0 {
            PendingContent::Line { location, line } => Some((location, line)),
            _ => None,
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
            PendingContent::Line { location, line } => jsonl::parse_line(location, &line, self.1),
            PendingContent::Entry { location, entry } => har::parse_entry(location, &entry, self.1),
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

/// Why an operation of this crate could not be done.
///
/// Reading captures never fails as a whole: a record that cannot be read is an
/// [`Item::Unreadable`] in the stream, not an `Err`. This type is for the calls that have no
/// such stream to report into.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL of an exchange is not one of the AI21 endpoints [`Endpoint`] knows.
    #[error("{url}: not an AI21 endpoint")]
    NotAnEndpoint {
        /// The URL, with its secrets redacted.
        url: String,
    },
    /// The environment variable that should hold the API key is not set.
    #[error("environment variable {variable}: not set")]
    ApiKeyMissing {
        /// The variable's name.
        variable: String,
    },
    /// The environment variable that should hold the API key is set but holds nothing usable.
    #[error("environment variable {variable}: {problem}")]
    ApiKeyInvalid {
        /// The variable's name.
        variable: String,
        /// What is wrong with its value (never the value).
        problem: &'static str,
    },
    /// Writing a capture record failed.
    #[error("writing a capture record: {0}")]
    Write(#[source] io::Error),
}

/// The result of this crate's fallible calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
