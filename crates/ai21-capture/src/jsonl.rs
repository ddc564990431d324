//! JSONL captures, read line by line through one reused buffer.

use std::io;

use super::source::{Stream, read_message};
use super::{Dialect, Item, Location, Origin, Pending, Unreadable, wire};

/// The buffer's starting size, and what it shrinks back to after a very long line.
const INITIAL_LINE: usize = 64 * 1024;
/// A buffer grown past this by one long line is given back before the next line.
const LARGE_LINE: usize = 16 * 1024 * 1024;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// A JSONL capture being read.
pub(crate) struct Lines<'a> {
    stream: Stream<'a>,
    origin: Origin,
    gzip: bool,
    /// The number of the line in `buffer` (0 before the first).
    line_number: u64,
    buffer: Vec<u8>,
    /// Whether `buffer` holds a line read ahead that is still to be turned into an item.
    replay: bool,
    /// Non-blank lines seen.
    records: u64,
    done: bool,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(stream: Stream<'a>, origin: Origin, gzip: bool) -> Lines<'a> {
        Lines {
            stream,
            origin,
            gzip,
            line_number: 0,
            buffer: Vec::with_capacity(INITIAL_LINE),
            replay: false,
            records: 0,
            done: false,
        }
    }

    /// The next line still to parse, or the item an unreadable stream gives; `None` at
    /// the end.
    pub(crate) fn next_pending(&mut self) -> Option<Pending> {
        if self.done {
            return None;
        }
        loop {
            if self.replay {
                self.replay = false;
            } else {
                match self.read_line() {
                    Ok(true) => {}
                    Ok(false) => {
                        self.done = true;
                        return (self.records == 0)
                            .then(|| Pending::ready(Item::Unreadable(self.empty())));
                    }
                    Err(unreadable) => {
                        self.done = true;
                        return Some(Pending::ready(Item::Unreadable(unreadable)));
                    }
                }
            }
            let line = content(&self.buffer, self.line_number);
            if is_blank(line) {
                continue;
            }
            self.records += 1;
            let location = Location::line(self.origin.clone(), self.line_number);
            return Some(Pending::line(location, line.to_vec()));
        }
    }

    /// Reads up to the first non-blank line and returns it (without its line ending);
    /// `None` when there is none.
    pub(crate) fn first_line(&mut self) -> Result<Option<&[u8]>, Unreadable> {
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if !is_blank(content(&self.buffer, self.line_number)) {
                return Ok(Some(content(&self.buffer, self.line_number)));
            }
        }
    }

    /// Makes the line read by [`Lines::first_line`] the next one read.
    pub(crate) fn replay(&mut self) {
        self.replay = true;
    }

    /// Reads the rest of the input, and the line read ahead, as one text (the blank lines
    /// before it are kept as newlines so error line numbers stay right).
    pub(crate) fn into_document(mut self) -> Result<(Origin, String), Unreadable> {
        let mut document = vec![b'\n'; self.line_number.saturating_sub(1) as usize];
        document.append(&mut self.buffer);
        if let Err(error) = self.stream.read_to_end(&mut document) {
            let message = read_message(&error, self.gzip);
            return Err(Unreadable::new(Location::whole(self.origin), message));
        }
        let start = if document.starts_with(BYTE_ORDER_MARK) {
            BYTE_ORDER_MARK.len()
        } else {
            0
        };
        if is_blank(&document[start..]) {
            return Err(self.empty());
        }
        match std::str::from_utf8(&document[start..]) {
            Ok(_) => {
                document.drain(..start);
                let text = String::from_utf8(document).expect("checked to be UTF-8 just above");
                Ok((self.origin, text))
            }
            Err(error) => {
                let before = &document[start..start + error.valid_up_to()];
                let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
                let column = before.len()
                    - before
                        .iter()
                        .rposition(|&byte| byte == b'\n')
                        .map_or(0, |newline| newline + 1)
                    + 1;
                Err(Unreadable::new(
                    Location::whole(self.origin),
                    format!("invalid UTF-8 at line {line} column {column}"),
                ))
            }
        }
    }

    /// What to say about an input with nothing in it.
    pub(crate) fn empty(&self) -> Unreadable {
        let message = match self.origin {
            Origin::Stdin => "empty input",
            Origin::File(_) => "empty file",
        };
        Unreadable::new(Location::whole(self.origin.clone()), message)
    }

    /// Reads the next line into the buffer; `false` at the end of the input. An error is
    /// reported on the line being read, and ends the input.
    fn read_line(&mut self) -> Result<bool, Unreadable> {
        if self.buffer.capacity() > LARGE_LINE {
            self.buffer = Vec::with_capacity(INITIAL_LINE);
        }
        self.buffer.clear();
        loop {
            match self.stream.read_until(b'\n', &mut self.buffer) {
                Ok(0) => return Ok(false),
                Ok(_) => {
                    self.line_number += 1;
                    return Ok(true);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.done = true;
                    return Err(Unreadable::new(
                        Location::line(self.origin.clone(), self.line_number + 1),
                        read_message(&error, self.gzip),
                    ));
                }
            }
        }
    }
}

/// The line without its line ending, and without the byte order mark on line 1.
fn content(buffer: &[u8], line_number: u64) -> &[u8] {
    let line = buffer.strip_suffix(b"\n").unwrap_or(buffer);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line_number == 1 {
        line.strip_prefix(BYTE_ORDER_MARK).unwrap_or(line)
    } else {
        line
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// Parses one non-blank line of a capture into its item.
pub(super) fn parse_line(location: Location, line: &[u8], dialect: Option<Dialect>) -> Item {
    match std::str::from_utf8(line) {
        Ok(line) => wire::exchange_item(line, location, true, dialect),
        Err(error) => Item::Unreadable(Unreadable::new(
            location,
            format!("invalid UTF-8 at column {}", error.valid_up_to() + 1),
        )),
    }
}
