//! The report layer: what a run found, written for a person or a machine, and the only
//! place the command line prints.
//!
//! A command hands this module a sequence of [`Outcome`]s in input order, one per item
//! read: a [`Checked`] record (where it was, what was checked, and the validator's
//! [`Report`]), an unreadable item, or an item skipped by design. `validate` makes them
//! from captures; a command that makes its own exchanges (a contract runner) makes them
//! the same way, locating each exchange at the line of the capture it writes. A
//! [`Writer`] turns them into one of the [`Format`]s, and [`Summary`] counts them.
//!
//! Every string that reaches the output goes through [`redact::text`] on the way out, on
//! top of the redaction done while reading: no key-shaped word, bearer token or URL
//! credential is printed, whatever a message quotes.

// This module is where the command line prints; nothing else in the crate may.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the output module is the one place the command line prints"
)]

use std::borrow::Cow;
use std::fmt;
use std::io::{self, IsTerminal, Write};

use ai21_validate::{Endpoint, Finding, PayloadKind, Report, Severity, Target};

use ai21_capture::redact;
use ai21_capture::{Location, Origin, Position, Skipped, Unreadable};

mod human;
mod json;
mod junit;
mod progress;
mod rules;
mod sarif;
mod summary;

#[cfg(test)]
mod tests;

pub use progress::Progress;
pub use rules::{CAPTURE_RULES, UNREADABLE_RULE, VERIFY_RULES, rule_catalogue};
pub use summary::Summary;

/// What became of one item of the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A record that was checked, with what the validator found (possibly nothing).
    Checked(Checked),
    /// Something that could not be read: a contract error of the input itself.
    Unreadable(Unreadable),
    /// Something read that is, by design, not checked (not AI21 traffic).
    Skipped(Skipped),
}

impl Outcome {
    /// Where the item was read.
    pub fn location(&self) -> &Location {
        match self {
            Outcome::Checked(checked) => &checked.location,
            Outcome::Unreadable(unreadable) => &unreadable.location,
            Outcome::Skipped(skipped) => &skipped.location,
        }
    }

    /// Whether the item fails the capture whatever the warnings: a checked record with an
    /// error, or an item that could not be read.
    pub fn has_errors(&self) -> bool {
        match self {
            Outcome::Checked(checked) => checked.report.has_errors(),
            Outcome::Unreadable(_) => true,
            Outcome::Skipped(_) => false,
        }
    }
}

/// A record that was checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Where the record was read (or, for a contract runner, written).
    pub location: Location,
    /// What was checked.
    pub subject: Subject,
    /// What the validator found, in its order.
    pub report: Report,
}

impl Checked {
    /// Whether the record is valid, has errors, or has warnings only.
    pub fn verdict(&self) -> Verdict {
        if self.report.has_errors() {
            Verdict::Errors
        } else if self.report.is_clean() {
            Verdict::Valid
        } else {
            Verdict::WarningsOnly
        }
    }
}

/// How a checked record fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No finding at all.
    Valid,
    /// At least one error.
    Errors,
    /// Warnings, no error.
    WarningsOnly,
}

/// What a checked record was.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// An exchange: a request and its response.
    Exchange {
        /// The HTTP method, as captured.
        method: String,
        /// The endpoint the URL calls.
        endpoint: Endpoint,
        /// The response's HTTP status.
        status: u16,
        /// Whether the response is an event stream.
        streamed: bool,
    },
    /// A single payload of this kind.
    Payload(PayloadKind),
    /// A request to a path that is no AI21 endpoint (a contract runner's negative case)
    /// and the status it got.
    Request {
        /// The HTTP method.
        method: String,
        /// The URL path.
        path: String,
        /// The response's HTTP status.
        status: u16,
    },
}

impl fmt::Display for Subject {
    /// `POST /studio/v1/chat/completions -> 200 (event stream)`, or `j2-complete.request
    /// payload`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Exchange {
                method,
                endpoint,
                status,
                streamed,
            } => {
                write!(formatter, "{method} {} -> {status}", endpoint.path())?;
                if *streamed {
                    formatter.write_str(" (event stream)")?;
                }
                Ok(())
            }
            Subject::Payload(kind) => write!(formatter, "{kind} payload"),
            Subject::Request {
                method,
                path,
                status,
            } => write!(formatter, "{method} {path} -> {status}"),
        }
    }
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped per record, then a summary, for a person.
    #[default]
    Human,
    /// JSON Lines: one object per finding and per skipped item, then one summary object.
    Json,
    /// JUnit XML, one test case per record, for CI systems.
    Junit,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
}

/// How reports are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Use ANSI colours (human format only).
    pub color: bool,
    /// List valid records and skipped items too (human format only).
    pub verbose: bool,
    /// Warnings fail the run (JUnit reports warning-only records as failures).
    pub deny_warnings: bool,
}

/// Writes outcomes, in input order, then the summary.
pub trait Writer {
    /// Writes one outcome.
    fn outcome(&mut self, outcome: &Outcome) -> io::Result<()>;
    /// Writes the end of the report, with the summary, and flushes.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// The writer for a format, writing to `out`.
pub fn writer<'w>(
    format: Format,
    settings: Settings,
    out: Box<dyn Write + Send + 'w>,
) -> io::Result<Box<dyn Writer + 'w>> {
    Ok(match format {
        Format::Human => Box::new(human::Human::new(out, settings)),
        Format::Json => Box::new(json::Json::new(out, settings)),
        Format::Junit => Box::new(junit::Junit::new(out, settings)?),
        Format::Sarif => Box::new(sarif::Sarif::new(out, settings)?),
    })
}

/// Standard output, buffered.
pub fn stdout() -> Box<dyn Write + Send> {
    Box::new(io::BufWriter::with_capacity(64 * 1024, io::stdout()))
}

/// Standard output, buffered, hiding the progress line whenever the buffer is written out
/// (standard output and error may be the same terminal).
pub fn stdout_beside(progress: &Progress) -> Box<dyn Write + Send> {
    Box::new(io::BufWriter::with_capacity(
        64 * 1024,
        progress.hiding(Box::new(io::stdout())),
    ))
}

/// Prints a progress or log line of a command (the mock's findings, the runner's plan)
/// to standard error.
pub fn log(line: &str) {
    eprintln!("{}", clean(line));
}

/// Prints an error that stopped a command, with its chain of causes, to standard error:
/// `error: reading capture.jsonl: no such file or directory`.
pub fn error(error: &anyhow::Error) {
    eprintln!("error: {}", clean(&format!("{error:#}")));
}

/// Whether standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Whether the environment asks for plain output: `NO_COLOR` set to anything but the empty
/// string, `TERM=dumb`, or a CI system (`CI` set).
pub fn plain_environment() -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    set("NO_COLOR") || set("CI") || std::env::var_os("TERM").is_some_and(|term| term == "dumb")
}

/// Text on its way out: any secret shape left is masked.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    redact::text(text)
}

/// Where in its record a finding points, as the human and SARIF formats say it:
/// `response /completions/0`, `request (root)`, `endpoint`, `event 3 (line 5) /choices/0`.
pub(crate) fn finding_place(finding: &Finding) -> String {
    let pointer = finding.pointer.as_str();
    let document = |name: &str| {
        let pointer = if pointer.is_empty() {
            "(root)"
        } else {
            pointer
        };
        if name.is_empty() {
            pointer.to_owned()
        } else {
            format!("{name} {pointer}")
        }
    };
    match finding.target {
        Target::Payload => document(""),
        Target::Request => document("request"),
        Target::Response => document("response"),
        Target::Reassembled => document("reassembled response"),
        Target::Endpoint => "endpoint".to_owned(),
        Target::Stream => "stream".to_owned(),
        Target::StreamEvent { event, line } => {
            if pointer.is_empty() {
                format!("event {event} (line {line})")
            } else {
                format!("event {event} (line {line}) {pointer}")
            }
        }
    }
}

/// The name of a finding's target, as the JSON and SARIF formats write it.
pub(crate) fn target_name(target: Target) -> &'static str {
    match target {
        Target::Payload => "payload",
        Target::Request => "request",
        Target::Response => "response",
        Target::Reassembled => "reassembled",
        Target::Endpoint => "endpoint",
        Target::Stream => "stream",
        Target::StreamEvent { .. } => "stream-event",
    }
}

/// The file of a location as text: its path, or `-` for standard input.
pub(crate) fn file_name(location: &Location) -> String {
    match &location.origin {
        Origin::Stdin => "-".to_owned(),
        Origin::File(path) => path.display().to_string(),
    }
}

/// The line of a JSONL record.
pub(crate) fn line_of(location: &Location) -> Option<u64> {
    match location.position {
        Position::Line(line) => Some(line),
        _ => None,
    }
}

/// The entry of a HAR record.
pub(crate) fn entry_of(location: &Location) -> Option<u64> {
    match location.position {
        Position::Entry(entry) => Some(entry),
        _ => None,
    }
}

/// How many of a thing: `1 error`, `2 errors`.
pub(crate) fn count(number: u64, noun: &str) -> String {
    if number == 1 {
        format!("{number} {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

/// Whether a finding fails the run under these settings.
pub(crate) fn fails(finding: &Finding, settings: Settings) -> bool {
    finding.severity == Severity::Error || settings.deny_warnings
}
