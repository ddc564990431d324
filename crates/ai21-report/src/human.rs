//! The `human` format: findings grouped per record, then a summary.
//!
//! ```text
//! captures/day1.jsonl:3: POST /studio/v1/chat/completions -> 200
//!   error[schema/additionalProperties] at request /maxTokens: "maxTokens" is not a known field (did you mean "max_tokens"?)
//!     schema: /additionalProperties
//!
//! 7 records: 5 valid, 1 with errors, 0 with warnings only, 1 unreadable, 0 skipped
//! 1 error, 0 warnings in 0.01s: failed
//! ```

use std::io::{self, Write};

use ai21_validate::{Finding, Severity};

use super::{Settings, clean, count};
use ai21_check::{Checked, Outcome, Summary, UNREADABLE_RULE, Verdict};

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

pub(super) struct Human<'w> {
    out: Box<dyn Write + Send + 'w>,
    settings: Settings,
}

impl<'w> Human<'w> {
    pub(super) fn new(out: Box<dyn Write + Send + 'w>, settings: Settings) -> Human<'w> {
        Human { out, settings }
    }

    /// `text` in a style, when colours are on.
    fn paint<'a>(&self, style: &str, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.settings.color {
            format!("{style}{text}{RESET}").into()
        } else {
            text.into()
        }
    }

    fn checked(&mut self, checked: &Checked) -> io::Result<()> {
        let header = format!("{}: {}", checked.location, checked.subject);
        let header = clean(&header);
        if checked.verdict() == Verdict::Valid {
            if self.settings.verbose {
                let ok = self.paint(GREEN, "ok");
                writeln!(self.out, "{header}: {ok}")?;
            }
            return Ok(());
        }
        let header = self.paint(BOLD, &header).into_owned();
        writeln!(self.out, "{header}")?;
        for finding in &checked.report.findings {
            self.finding(finding)?;
        }
        writeln!(self.out)
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        let severity = match finding.severity {
            Severity::Error => self.paint(RED, "error"),
            Severity::Warning => self.paint(YELLOW, "warning"),
        };
        writeln!(
            self.out,
            "  {severity}[{}] at {}: {}",
            finding.rule,
            clean(&finding.place()),
            clean(&finding.message)
        )?;
        if let Some(schema_pointer) = &finding.schema_pointer {
            writeln!(self.out, "    schema: {}", clean(schema_pointer))?;
        }
        Ok(())
    }
}

impl super::Writer for Human<'_> {
    fn outcome(&mut self, outcome: &Outcome) -> io::Result<()> {
        match outcome {
            Outcome::Checked(checked) => self.checked(checked),
            Outcome::Unreadable(unreadable) => {
                let header = clean(&format!("{}: unreadable", unreadable.location)).into_owned();
                let header = self.paint(BOLD, &header).into_owned();
                let severity = self.paint(RED, "error");
                writeln!(self.out, "{header}")?;
                writeln!(
                    self.out,
                    "  {severity}[{UNREADABLE_RULE}]: {}",
                    clean(&unreadable.message)
                )?;
                writeln!(self.out)
            }
            Outcome::Skipped(skipped) => {
                if self.settings.verbose {
                    let line = clean(&format!(
                        "{}: skipped: {}",
                        skipped.location, skipped.reason
                    ))
                    .into_owned();
                    let line = self.paint(DIM, &line);
                    writeln!(self.out, "{line}")?;
                }
                Ok(())
            }
        }
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if let Some(contract) = self.settings.contract {
            writeln!(
                self.out,
                "checked against the historical contract {contract} (schemas/history/{contract}/), today's for the kinds it does not freeze"
            )?;
        }
        writeln!(
            self.out,
            "{}: {} valid, {} with errors, {} with warnings only, {} unreadable, {} skipped",
            count(summary.records, "record"),
            summary.valid,
            summary.with_errors,
            summary.warnings_only,
            summary.unreadable,
            summary.skipped,
        )?;
        let verdict = if summary.failed(false) {
            self.paint(RED, "failed")
        } else if summary.failed(self.settings.deny_warnings) {
            self.paint(RED, "failed (warnings denied)")
        } else {
            self.paint(GREEN, "ok")
        };
        // Findings an `allow` rule level dropped are counted, never silently gone.
        let allowed = if summary.allowed > 0 {
            format!(", {} allowed", summary.allowed)
        } else {
            String::new()
        };
        writeln!(
            self.out,
            "{}, {}{allowed} in {:.2}s: {verdict}",
            count(summary.errors, "error"),
            count(summary.warnings, "warning"),
            summary.elapsed.as_secs_f64(),
        )?;
        self.out.flush()
    }
}
