//! Opening one input: unwrapping gzip, telling its format, and listing directories.
//!
//! The format comes from [`ReadOptions::format`], else from the file name (after any `.gz`:
//! `.jsonl`, `.ndjson`, `.jsonlines` are JSONL, `.har` is HAR), else from the content, as
//! `docs/capture-format.md` specifies: the first non-blank line decides. A line that is a
//! complete JSON object with `url` or `response` starts a JSONL capture, and so does a line
//! that is not JSON at all (its error is then reported on that line); anything else (an
//! object with `log`, a payload, the first line of a pretty-printed document) starts a
//! document read whole, which is a HAR if it has `log`, a single exchange record if it has
//! `url` or `response`, and a payload otherwise.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::har::HarEntries;
use super::jsonl::Lines;
use super::{Format, Item, Location, Origin, ReadOptions, Unreadable, payload, wire};

/// The read buffer: large enough that reading costs few system calls.
const BUFFER: usize = 256 * 1024;

/// A byte stream, decompressed if it was gzipped.
pub(super) type Stream<'a> = Box<dyn BufRead + Send + 'a>;

/// What opening an input gave.
pub(super) enum Opened<'a> {
    /// A JSONL capture, read line by line.
    Lines(Lines<'a>),
    /// A HAR file, read entry by entry.
    Har(HarEntries),
    /// A single item: a payload, or why the input cannot be read.
    Item(Item),
    /// Nothing to read (a directory, listed onto the pending inputs).
    Nothing,
}

/// Opens a raw byte stream in the format given, or told from its name or its content.
pub(super) fn open<'a>(
    raw: Box<dyn Read + Send + 'a>,
    origin: Origin,
    format: Option<Format>,
    options: ReadOptions,
) -> Opened<'a> {
    let (stream, gzip) = match decompress(raw) {
        Ok(opened) => opened,
        Err(error) => return unreadable(origin, io_message(&error)),
    };
    let lines = Lines::new(stream, origin, gzip);
    match options.format.or(format) {
        Some(Format::Jsonl) => Opened::Lines(lines),
        Some(Format::Har) => match lines.into_document() {
            Ok((origin, text)) => super::har::open(&text, origin),
            Err(unreadable) => Opened::Item(Item::Unreadable(unreadable)),
        },
        Some(Format::Payload) => match lines.into_document() {
            Ok((origin, text)) => Opened::Item(payload::item(
                &text,
                Location::whole(origin),
                options.kind,
                options.dialect,
            )),
            Err(unreadable) => Opened::Item(Item::Unreadable(unreadable)),
        },
        None => sniff(lines, options),
    }
}

/// Tells a JSONL capture from a document by the first non-blank line.
fn sniff(mut lines: Lines<'_>, options: ReadOptions) -> Opened<'_> {
    let first = match lines.first_line() {
        Ok(Some(first)) => first,
        Ok(None) => return Opened::Item(Item::Unreadable(lines.empty())),
        Err(unreadable) => return Opened::Item(Item::Unreadable(unreadable)),
    };
    let line_mode = match std::str::from_utf8(first) {
        Err(_) => true,
        Ok(first) => match serde_json::from_str::<Probe>(first) {
            Ok(probe) => probe.log.is_none() && probe.is_record(),
            // The first line of a pretty-printed document.
            Err(error) if error.is_eof() => false,
            // JSON, but not an object: a payload of the wrong shape, reported as such.
            Err(error) if error.is_data() => false,
            Err(_) => true,
        },
    };
    if line_mode {
        lines.replay();
        return Opened::Lines(lines);
    }
    match lines.into_document() {
        Ok((origin, text)) => document(&text, origin, options),
        Err(unreadable) => Opened::Item(Item::Unreadable(unreadable)),
    }
}

/// A whole document whose format was not given: a HAR, one exchange record, or a payload.
fn document(text: &str, origin: Origin, options: ReadOptions) -> Opened<'static> {
    match serde_json::from_str::<Probe>(text) {
        Ok(probe) if probe.log.is_some() => super::har::open(text, origin),
        Ok(probe) if probe.is_record() => Opened::Item(wire::exchange_item(
            text,
            Location::whole(origin),
            false,
            options.dialect,
        )),
        // A payload, or not JSON: the payload reader says which.
        _ => Opened::Item(payload::item(
            text,
            Location::whole(origin),
            options.kind,
            options.dialect,
        )),
    }
}

/// The top-level members that tell the formats apart, found without building a tree.
#[derive(Deserialize)]
struct Probe {
    log: Option<IgnoredAny>,
    url: Option<IgnoredAny>,
    response: Option<IgnoredAny>,
}

impl Probe {
    fn is_record(&self) -> bool {
        self.url.is_some() || self.response.is_some()
    }
}

/// Wraps the stream in a gzip decoder when it starts with the gzip magic bytes.
fn decompress<'a>(mut raw: Box<dyn Read + Send + 'a>) -> io::Result<(Stream<'a>, bool)> {
    let mut magic = [0_u8; 2];
    let mut filled = 0;
    while filled < magic.len() {
        match raw.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    let raw = io::Cursor::new(magic).take(filled as u64).chain(raw);
    if magic[..filled] == [0x1f, 0x8b] {
        let decoder = MultiGzDecoder::new(raw);
        Ok((Box::new(BufReader::with_capacity(BUFFER, decoder)), true))
    } else {
        Ok((Box::new(BufReader::with_capacity(BUFFER, raw)), false))
    }
}

/// The format a file's name tells, after any `.gz`.
pub(super) fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if [".jsonl", ".ndjson", ".jsonlines"]
        .iter()
        .any(|extension| name.ends_with(extension))
    {
        Some(Format::Jsonl)
    } else if name.ends_with(".har") {
        Some(Format::Har)
    } else {
        None
    }
}

/// Whether a file found in a directory is read: its name ends (before any `.gz`) in
/// `.jsonl`, `.ndjson`, `.jsonlines`, `.har` or `.json`.
fn is_capture_file(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".jsonl", ".ndjson", ".jsonlines", ".har", ".json"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// The capture files and subdirectories of a directory, sorted by name.
///
/// Hidden entries (starting with `.`) and files of other types are left out, and so are
/// symbolic links to directories (they could loop); links to files are followed.
pub(super) fn list_directory(directory: &Path) -> io::Result<Vec<PathBuf>> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir(directory)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if name_text.starts_with('.') {
            continue;
        }
        let file_type = entry.file_type()?;
        let path = entry.path();
        let is_directory = file_type.is_dir();
        let is_file = if file_type.is_symlink() {
            std::fs::metadata(&path).is_ok_and(|metadata| metadata.is_file())
        } else {
            file_type.is_file()
        };
        if is_directory || (is_file && is_capture_file(&name_text)) {
            children.push((name, path));
        }
    }
    children.sort();
    Ok(children.into_iter().map(|(_, path)| path).collect())
}

/// An I/O error as a message: lowercase, without the final period some systems add.
pub(super) fn io_message(error: &io::Error) -> String {
    house_message(&error.to_string())
}

/// A message from another library in this crate's style: lowercase first letter, no final
/// period.
pub(super) fn house_message(message: &str) -> String {
    let mut characters = message.chars();
    let lowercase: String = match characters.next() {
        Some(first) => first.to_lowercase().chain(characters).collect(),
        None => return String::from("unknown error"),
    };
    lowercase.trim_end_matches('.').to_owned()
}

/// An error reading a stream as a message, naming gzip when the stream was gzipped.
pub(super) fn read_message(error: &io::Error, gzip: bool) -> String {
    if gzip {
        format!("reading the gzip stream: {}", io_message(error))
    } else {
        io_message(error)
    }
}

/// Where a serde_json error is reported.
#[derive(Clone, Copy)]
pub(super) enum ErrorPosition {
    /// In a JSONL line: the column only.
    Column,
    /// In a document: line and column.
    LineAndColumn,
    /// Nowhere: the position would be inside a fragment the reader cannot point at.
    None,
}

/// A serde_json error as a message, such as `expected value at column 1`.
pub(super) fn json_message(error: &serde_json::Error, position: ErrorPosition) -> String {
    let full = error.to_string();
    if error.line() == 0 {
        return full;
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    match position {
        ErrorPosition::Column => format!("{message} at column {}", error.column()),
        ErrorPosition::LineAndColumn => full,
        ErrorPosition::None => message.to_owned(),
    }
}

fn unreadable(origin: Origin, message: String) -> Opened<'static> {
    Opened::Item(Item::Unreadable(Unreadable::new(
        Location::whole(origin),
        message,
    )))
}
