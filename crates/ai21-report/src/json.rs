//! The `json` format: JSON Lines, one object per finding and per skipped item, in input
//! order, then one summary object. `docs/reports.md` documents every field.

use std::io::{self, Write};

use ai21_validate::{Finding, Severity, Target};
use serde::Serialize;

use super::{Settings, clean, entry_of, file_name, line_of, target_name};
use ai21_capture::Location;
use ai21_check::{Checked, Outcome, Subject, Summary, UNREADABLE_RULE};

pub(super) struct Json<'w> {
    out: Box<dyn Write + Send + 'w>,
    settings: Settings,
}

impl<'w> Json<'w> {
    pub(super) fn new(out: Box<dyn Write + Send + 'w>, settings: Settings) -> Json<'w> {
        Json { out, settings }
    }

    fn line(&mut self, object: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, object)?;
        self.out.write_all(b"\n")
    }
}

/// Where a record is, in every object about it.
#[derive(Serialize)]
struct Place {
    location: String,
    file: String,
    line: Option<u64>,
    entry: Option<u64>,
}

impl Place {
    fn of(location: &Location) -> Place {
        Place {
            location: clean(&location.to_string()).into_owned(),
            file: clean(&file_name(location)).into_owned(),
            line: line_of(location),
            entry: entry_of(location),
        }
    }
}

/// What the record was.
#[derive(Serialize)]
struct Record {
    record: &'static str,
    method: Option<String>,
    endpoint: Option<String>,
    /// The dialect of an exchange sent to a partner cloud; left out for AI21 Studio's.
    #[serde(skip_serializing_if = "Option::is_none")]
    dialect: Option<&'static str>,
    status: Option<u16>,
    payload_kind: Option<String>,
}

impl Record {
    fn of(subject: &Subject) -> Record {
        match subject {
            Subject::Exchange {
                method,
                endpoint,
                dialect,
                path: _,
                status,
                streamed: _,
            } => Record {
                record: "exchange",
                method: Some(clean(method).into_owned()),
                endpoint: Some(clean(&endpoint.path()).into_owned()),
                dialect: (*dialect != ai21_validate::Dialect::Studio).then(|| dialect.name()),
                status: Some(*status),
                payload_kind: None,
            },
            Subject::Request {
                method,
                path,
                status,
            } => Record {
                record: "exchange",
                method: Some(clean(method).into_owned()),
                endpoint: Some(clean(path).into_owned()),
                dialect: None,
                status: Some(*status),
                payload_kind: None,
            },
            Subject::Payload(kind) => Record {
                record: "payload",
                method: None,
                endpoint: None,
                dialect: None,
                status: None,
                payload_kind: Some(kind.to_string()),
            },
        }
    }

    fn unreadable() -> Record {
        Record {
            record: "unreadable",
            method: None,
            endpoint: None,
            dialect: None,
            status: None,
            payload_kind: None,
        }
    }
}

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    place: &'a Place,
    #[serde(flatten)]
    record: &'a Record,
    severity: Severity,
    fails: bool,
    rule: &'a str,
    target: &'static str,
    event: Option<usize>,
    event_line: Option<usize>,
    /// Only for a message of an AWS event stream, so the lines of every other finding keep
    /// their fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    pointer: String,
    schema_pointer: Option<String>,
    message: String,
}

#[derive(Serialize)]
struct SkippedLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    place: &'a Place,
    reason: String,
}

#[derive(Serialize)]
struct SummaryLine {
    #[serde(rename = "type")]
    kind: &'static str,
    records: u64,
    valid: u64,
    with_errors: u64,
    warnings_only: u64,
    unreadable: u64,
    skipped: u64,
    errors: u64,
    warnings: u64,
    #[serde(skip_serializing_if = "is_zero")]
    allowed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract: Option<&'static str>,
    deny_warnings: bool,
    failed: bool,
    elapsed_seconds: f64,
}

impl Json<'_> {
    fn checked(&mut self, checked: &Checked) -> io::Result<()> {
        if checked.report.is_clean() {
            return Ok(());
        }
        let place = Place::of(&checked.location);
        let record = Record::of(&checked.subject);
        for finding in &checked.report.findings {
            let line = self.finding_line(&place, &record, finding);
            self.line(&line)?;
        }
        Ok(())
    }

    fn finding_line<'a>(
        &self,
        place: &'a Place,
        record: &'a Record,
        finding: &'a Finding,
    ) -> FindingLine<'a> {
        let (event, event_line, byte_offset) = match finding.target {
            Target::StreamEvent { event, line } => (Some(event), Some(line), None),
            Target::StreamMessage { number, offset } => (Some(number), None, Some(offset)),
            _ => (None, None, None),
        };
        FindingLine {
            kind: "finding",
            place,
            record,
            severity: finding.severity,
            fails: super::fails(finding, self.settings),
            rule: finding.rule,
            target: target_name(finding.target),
            event,
            event_line,
            byte_offset,
            pointer: clean(&finding.pointer).into_owned(),
            schema_pointer: finding
                .schema_pointer
                .as_deref()
                .map(|pointer| clean(pointer).into_owned()),
            message: clean(&finding.message).into_owned(),
        }
    }
}

impl super::Writer for Json<'_> {
    fn outcome(&mut self, outcome: &Outcome) -> io::Result<()> {
        match outcome {
            Outcome::Checked(checked) => self.checked(checked),
            Outcome::Unreadable(unreadable) => {
                let place = Place::of(&unreadable.location);
                let record = Record::unreadable();
                self.line(&FindingLine {
                    kind: "finding",
                    place: &place,
                    record: &record,
                    severity: Severity::Error,
                    fails: true,
                    rule: UNREADABLE_RULE,
                    target: "record",
                    event: None,
                    event_line: None,
                    byte_offset: None,
                    pointer: String::new(),
                    schema_pointer: None,
                    message: clean(&unreadable.message).into_owned(),
                })
            }
            Outcome::Skipped(skipped) => {
                let place = Place::of(&skipped.location);
                self.line(&SkippedLine {
                    kind: "skipped",
                    place: &place,
                    reason: clean(&skipped.reason).into_owned(),
                })
            }
        }
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.line(&SummaryLine {
            kind: "summary",
            records: summary.records,
            valid: summary.valid,
            with_errors: summary.with_errors,
            warnings_only: summary.warnings_only,
            unreadable: summary.unreadable,
            skipped: summary.skipped,
            errors: summary.errors,
            warnings: summary.warnings,
            allowed: summary.allowed,
            contract: self.settings.contract,
            deny_warnings: self.settings.deny_warnings,
            failed: summary.failed(self.settings.deny_warnings),
            elapsed_seconds: summary.elapsed.as_secs_f64(),
        })?;
        self.out.flush()
    }
}

/// Whether a count is zero (a member left out of the summary line then).
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_zero(count: &u64) -> bool {
    *count == 0
}
