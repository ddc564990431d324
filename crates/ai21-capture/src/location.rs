//! Where an item was read: the file (or standard input) and the line or HAR entry.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Where an item was read.
///
/// Displays as `file:line` for a JSONL line, `file#entry N` for a HAR entry and `file` for a
/// whole file, with `-` standing for standard input (`-:3`). Lines and entries count from 1;
/// blank lines count as lines, so line numbers are the ones an editor shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file or standard input.
    pub origin: Origin,
    /// The place inside it.
    pub position: Position,
}

/// The file an item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Standard input, displayed as `-`.
    Stdin,
    /// A file, as its path was given or found in a directory; shared by all its items.
    File(Arc<Path>),
}

/// The place of an item inside its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// The whole file: a payload, or a problem with the file itself.
    Whole,
    /// A line of a JSONL capture, from 1.
    Line(u64),
    /// An entry of a HAR file's `log.entries`, from 1.
    Entry(u64),
}

impl Location {
    /// The whole of a file.
    pub fn whole(origin: Origin) -> Location {
        Location {
            origin,
            position: Position::Whole,
        }
    }

    /// A line of a file, from 1.
    pub fn line(origin: Origin, line: u64) -> Location {
        Location {
            origin,
            position: Position::Line(line),
        }
    }

    /// An entry of a HAR file, from 1.
    pub fn entry(origin: Origin, entry: u64) -> Location {
        Location {
            origin,
            position: Position::Entry(entry),
        }
    }

    /// The file's path, `None` for standard input.
    pub fn path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::Stdin => None,
            Origin::File(path) => Some(path),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Stdin => formatter.write_str("-"),
            Origin::File(path) => write!(formatter, "{}", path.display()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Position::Whole => write!(formatter, "{}", self.origin),
            Position::Line(line) => write!(formatter, "{}:{line}", self.origin),
            Position::Entry(entry) => write!(formatter, "{}#entry {entry}", self.origin),
        }
    }
}
