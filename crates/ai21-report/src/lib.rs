//! Reports of checked AI21 traffic, for a person or a machine: human, JSON Lines, JUnit XML
//! and SARIF 2.1.0.
//!
//! A caller hands a [`Writer`] the [`Outcome`]s of a run in input
//! order, one per item read (a checked record with the validator's findings, an unreadable
//! item, or an item skipped by design), then the run's [`Summary`].
//! The formats are specified field by field in `docs/reports.md`. Every string that
//! reaches a report goes through `ai21_capture::redact::text` on the way out, on top of
//! the redaction done while reading: no key-shaped word, bearer token or URL credential is
//! written, whatever a message quotes. The writers write to any [`std::io::Write`]; this
//! crate prints nothing by itself.
//!
//! ```
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! use ai21_capture::{Location, Origin};
//! use ai21_check::{Checked, Outcome, Subject, Summary};
//! use ai21_report::{Format, Settings};
//! use ai21_validate::{Finding, PayloadKind, Report};
//!
//! let outcome = Outcome::Checked(Checked {
//!     location: Location::line(Origin::File(Arc::from(Path::new("capture.jsonl"))), 3),
//!     subject: Subject::Payload(PayloadKind::JambaChatRequest),
//!     report: Report { findings: vec![Finding::error("schema/required", "", "\"model\" is required")] },
//! });
//! let mut summary = Summary { records: 1, ..Summary::default() };
//! summary.add(&outcome);
//! let mut out = Vec::new();
//! let mut writer = ai21_report::writer(Format::Json, Settings::default(), Box::new(&mut out))?;
//! writer.outcome(&outcome)?;
//! writer.finish(&summary)?;
//! drop(writer);
//! let text = String::from_utf8(out).expect("UTF-8");
//! assert!(text.starts_with(r#"{"type":"finding","location":"capture.jsonl:3""#));
//! # Ok::<(), std::io::Error>(())
//! ```

use std::borrow::Cow;
use std::io::{self, Write};

use ai21_capture::redact;
use ai21_capture::{Location, Origin, Position};
use ai21_check::{Outcome, Summary};
use ai21_validate::{Finding, Severity, Target};

mod human;
mod json;
mod junit;
mod sarif;

#[cfg(test)]
mod tests;

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
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
    /// The historical contract the records were checked against (`validate --contract`),
    /// named in every format's summary; `None` for today's contract, which no format
    /// names.
    pub contract: Option<&'static str>,
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

/// Text on its way out: any secret shape left is masked. Log lines of a command go through
/// it too.
pub fn clean(text: &str) -> Cow<'_, str> {
    redact::text(text)
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
        Target::StreamMessage { .. } => "stream-message",
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
