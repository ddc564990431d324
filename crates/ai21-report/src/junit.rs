//! The `junit` format: JUnit XML with one test case per record, for CI systems.
//!
//! A record with errors is a `<failure>` (so is one with warnings under
//! `--deny-warnings`), an unreadable item an `<error>`, a skipped item `<skipped>`, and a
//! record with warnings only passes with its warnings in `<system-out>`. The counts open
//! the document, so the test cases wait in an unnamed temporary file until the end: memory
//! stays bounded whatever the number of records.

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

use ai21_validate::Finding;

use super::{Settings, clean, count};
use ai21_capture::Location;
use ai21_check::{Checked, Outcome, Summary, UNREADABLE_RULE, Verdict};

const SUITE: &str = "ai21-contract validate";

pub(super) struct Junit<'w> {
    out: Box<dyn Write + Send + 'w>,
    settings: Settings,
    cases: BufWriter<File>,
}

impl<'w> Junit<'w> {
    pub(super) fn new(
        out: Box<dyn Write + Send + 'w>,
        settings: Settings,
    ) -> io::Result<Junit<'w>> {
        Ok(Junit {
            out,
            settings,
            cases: BufWriter::new(tempfile::tempfile()?),
        })
    }

    fn open_case(&mut self, location: &Location, name: &str) -> io::Result<()> {
        let class = match location.path() {
            Some(path) => path.display().to_string(),
            None => "-".to_owned(),
        };
        write!(
            self.cases,
            "    <testcase name=\"{}\" classname=\"{}\"",
            escape(&clean(name)),
            escape(&clean(&class))
        )
    }

    fn checked(&mut self, checked: &Checked) -> io::Result<()> {
        let name = format!("{}: {}", checked.location, checked.subject);
        self.open_case(&checked.location, &name)?;
        let verdict = checked.verdict();
        if verdict == Verdict::Valid {
            return writeln!(self.cases, "/>");
        }
        writeln!(self.cases, ">")?;
        let errors = checked.report.errors().count() as u64;
        let warnings = checked.report.findings.len() as u64 - errors;
        let text = findings_text(&checked.report.findings);
        let failed = verdict == Verdict::Errors || self.settings.deny_warnings;
        if failed {
            writeln!(
                self.cases,
                "      <failure type=\"contract\" message=\"{}, {}\">{}</failure>",
                count(errors, "error"),
                count(warnings, "warning"),
                escape(&text)
            )?;
        } else {
            writeln!(
                self.cases,
                "      <system-out>{}</system-out>",
                escape(&text)
            )?;
        }
        writeln!(self.cases, "    </testcase>")
    }
}

/// One line per finding, as the human format writes them (without colours).
fn findings_text(findings: &[Finding]) -> String {
    let mut text = String::new();
    for finding in findings {
        text.push_str(&format!(
            "{}[{}] at {}: {}\n",
            finding.severity,
            finding.rule,
            clean(&finding.place()),
            clean(&finding.message)
        ));
        if let Some(schema_pointer) = &finding.schema_pointer {
            text.push_str(&format!("  schema: {}\n", clean(schema_pointer)));
        }
    }
    text
}

impl super::Writer for Junit<'_> {
    fn outcome(&mut self, outcome: &Outcome) -> io::Result<()> {
        match outcome {
            Outcome::Checked(checked) => self.checked(checked),
            Outcome::Unreadable(unreadable) => {
                let name = format!("{}: unreadable", unreadable.location);
                self.open_case(&unreadable.location, &name)?;
                writeln!(
                    self.cases,
                    ">\n      <error type=\"{UNREADABLE_RULE}\" message=\"{}\"/>\n    </testcase>",
                    escape(&clean(&unreadable.message))
                )
            }
            Outcome::Skipped(skipped) => {
                let name = format!("{}: skipped", skipped.location);
                self.open_case(&skipped.location, &name)?;
                writeln!(
                    self.cases,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape(&clean(&skipped.reason))
                )
            }
        }
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let failures = summary.with_errors
            + if self.settings.deny_warnings {
                summary.warnings_only
            } else {
                0
            };
        let counts = format!(
            "tests=\"{}\" failures=\"{failures}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\"",
            summary.records,
            summary.unreadable,
            summary.skipped,
            summary.elapsed.as_secs_f64()
        );
        writeln!(self.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(self.out, "<testsuites name=\"{SUITE}\" {counts}>")?;
        writeln!(self.out, "  <testsuite name=\"{SUITE}\" {counts}>")?;
        if let Some(contract) = self.settings.contract {
            writeln!(
                self.out,
                "    <properties><property name=\"contract\" value=\"{}\"/></properties>",
                escape(contract)
            )?;
        }
        self.cases.flush()?;
        let mut cases = self.cases.get_ref().try_clone()?;
        cases.rewind()?;
        io::copy(&mut cases, &mut self.out)?;
        writeln!(self.out, "  </testsuite>")?;
        writeln!(self.out, "</testsuites>")?;
        self.out.flush()
    }
}

/// Text escaped for XML attributes and content; characters XML 1.0 cannot hold become
/// U+FFFD.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(character),
            control if (control as u32) < 0x20 => escaped.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => escaped.push('\u{FFFD}'),
            other => escaped.push(other),
        }
    }
    escaped
}
