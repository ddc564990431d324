//! The count of a run: every item read ends up in exactly one bucket.

use std::time::Duration;

use crate::{Outcome, Verdict};

/// How many items a run read, and what became of them.
///
/// `records` is counted where items are read; the buckets where outcomes are classified.
/// [`Summary::is_balanced`] checks that they agree: `records == valid + with_errors +
/// warnings_only + unreadable + skipped`, always. The command line's run counts `records` as
/// it reads; a command that makes its outcomes itself counts them as it makes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Items read: every JSONL line that is not blank, every HAR entry, every payload
    /// file, every input that could not be read at all.
    pub records: u64,
    /// Checked records without any finding.
    pub valid: u64,
    /// Checked records with at least one error.
    pub with_errors: u64,
    /// Checked records with warnings and no error.
    pub warnings_only: u64,
    /// Items that could not be read.
    pub unreadable: u64,
    /// Items skipped by design (not AI21 traffic, CORS preflights, requests without a
    /// response).
    pub skipped: u64,
    /// Error findings in checked records (unreadable items not included).
    pub errors: u64,
    /// Warning findings in checked records.
    pub warnings: u64,
    /// Findings dropped by an `allow` rule level ([`RuleLevels`](crate::RuleLevels)): in
    /// neither `errors` nor `warnings`, but counted, so none vanishes silently.
    pub allowed: u64,
    /// How long the run took.
    pub elapsed: Duration,
}

impl Summary {
    /// Puts an outcome in its bucket and counts its findings (not `records`: the reader
    /// counts those).
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Checked(checked) => {
                let errors = checked.report.errors().count() as u64;
                self.errors += errors;
                self.warnings += checked.report.findings.len() as u64 - errors;
                match checked.verdict() {
                    Verdict::Valid => self.valid += 1,
                    Verdict::Errors => self.with_errors += 1,
                    Verdict::WarningsOnly => self.warnings_only += 1,
                }
            }
            Outcome::Unreadable(_) => self.unreadable += 1,
            Outcome::Skipped(_) => self.skipped += 1,
        }
    }

    /// Checked records, whatever their verdict.
    pub fn checked(&self) -> u64 {
        self.valid + self.with_errors + self.warnings_only
    }

    /// Whether every record read is in exactly one bucket.
    pub fn is_balanced(&self) -> bool {
        self.records == self.checked() + self.unreadable + self.skipped
    }

    /// Whether the run fails (exit status 1): a record with errors, an unreadable item,
    /// or, with `deny_warnings`, a record with warnings.
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.with_errors > 0 || self.unreadable > 0 || (deny_warnings && self.warnings_only > 0)
    }
}
