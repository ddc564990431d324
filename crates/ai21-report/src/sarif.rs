//! The `sarif` format: SARIF 2.1.0, so code-scanning UIs show findings against the capture
//! file.
//!
//! One run; the tool's rules are [`rule_catalogue`](super::rule_catalogue) (the
//! `capture/` rules, the validator's rules, the `schema/<keyword>` rules), each with its
//! summary and default level. Each finding, and each unreadable item, is one result,
//! located by the capture file (`artifactLocation.uri`, relative paths kept relative) and,
//! for a JSONL line, its line (`region.startLine`); a HAR entry's number leads the message.
//! Results are written as they come, one per line, so memory stays bounded; the summary
//! closes the run as the invocation's properties.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use ai21_validate::{Finding, Severity};
use serde_json::{Map, Value, json};

use super::{Settings, clean, entry_of, line_of, target_name};
use ai21_capture::{Location, Origin};
use ai21_check::{Outcome, Summary, UNREADABLE_RULE};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(super) struct Sarif<'w> {
    out: Box<dyn Write + Send + 'w>,
    settings: Settings,
    rule_indexes: HashMap<&'static str, usize>,
    results: u64,
}

impl<'w> Sarif<'w> {
    pub(super) fn new(
        mut out: Box<dyn Write + Send + 'w>,
        settings: Settings,
    ) -> io::Result<Sarif<'w>> {
        let mut rule_indexes = HashMap::new();
        let mut rules = Vec::new();
        for (index, rule) in ai21_check::rule_catalogue().enumerate() {
            rule_indexes.insert(rule.id, index);
            rules.push(json!({
                "id": rule.id,
                "shortDescription": {"text": rule.summary},
                "defaultConfiguration": {"level": level(rule.severity)},
            }));
        }
        // One rule per line, one result per line: the file stays readable and diffable.
        writeln!(
            out,
            "{{\"$schema\":\"{SARIF_SCHEMA}\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{{\"name\":\"ai21-contract\",\"version\":\"{}\",\"rules\":[",
            env!("CARGO_PKG_VERSION")
        )?;
        for (index, rule) in rules.iter().enumerate() {
            if index > 0 {
                out.write_all(b",\n")?;
            }
            serde_json::to_writer(&mut out, rule)?;
        }
        writeln!(out, "\n]}}}},\"results\":[")?;
        Ok(Sarif {
            out,
            settings,
            rule_indexes,
            results: 0,
        })
    }

    fn result(
        &mut self,
        location: &Location,
        rule: &str,
        severity: Severity,
        place: Option<&str>,
        message: &str,
        properties: Map<String, Value>,
    ) -> io::Result<()> {
        let mut text = String::new();
        if let Some(entry) = entry_of(location) {
            text.push_str(&format!("entry {entry}: "));
        }
        if let Some(place) = place {
            text.push_str(place);
            text.push_str(": ");
        }
        text.push_str(message);
        let mut result = Map::new();
        result.insert("ruleId".into(), Value::from(rule));
        if let Some(index) = self.rule_indexes.get(rule) {
            result.insert("ruleIndex".into(), Value::from(*index));
        }
        result.insert("level".into(), Value::from(level(severity)));
        result.insert("message".into(), json!({"text": clean(&text)}));
        if let Origin::File(path) = &location.origin {
            let mut physical = json!({"artifactLocation": {"uri": clean(&artifact_uri(path))}});
            if let Some(line) = line_of(location) {
                physical["region"] = json!({"startLine": line});
            }
            result.insert("locations".into(), json!([{"physicalLocation": physical}]));
        }
        let mut properties = properties;
        properties.insert(
            "record".into(),
            Value::from(clean(&location.to_string()).into_owned()),
        );
        result.insert("properties".into(), Value::Object(properties));
        if self.results > 0 {
            self.out.write_all(b",\n")?;
        }
        self.results += 1;
        serde_json::to_writer(&mut self.out, &result)?;
        Ok(())
    }

    fn finding(&mut self, location: &Location, finding: &Finding) -> io::Result<()> {
        let mut properties = Map::new();
        properties.insert("target".into(), Value::from(target_name(finding.target)));
        properties.insert(
            "pointer".into(),
            Value::from(clean(&finding.pointer).into_owned()),
        );
        if let Some(schema_pointer) = &finding.schema_pointer {
            properties.insert(
                "schemaPointer".into(),
                Value::from(clean(schema_pointer).into_owned()),
            );
        }
        properties.insert(
            "fails".into(),
            Value::from(super::fails(finding, self.settings)),
        );
        self.result(
            location,
            finding.rule,
            finding.severity,
            Some(&finding.place()),
            &finding.message,
            properties,
        )
    }
}

impl super::Writer for Sarif<'_> {
    fn outcome(&mut self, outcome: &Outcome) -> io::Result<()> {
        match outcome {
            Outcome::Checked(checked) => {
                for finding in &checked.report.findings {
                    self.finding(&checked.location, finding)?;
                }
                Ok(())
            }
            Outcome::Unreadable(unreadable) => {
                let mut properties = Map::new();
                properties.insert("fails".into(), Value::from(true));
                self.result(
                    &unreadable.location,
                    UNREADABLE_RULE,
                    Severity::Error,
                    None,
                    &unreadable.message,
                    properties,
                )
            }
            Outcome::Skipped(_) => Ok(()),
        }
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let mut invocation = json!({
            "executionSuccessful": true,
            "properties": {
                "records": summary.records,
                "valid": summary.valid,
                "withErrors": summary.with_errors,
                "warningsOnly": summary.warnings_only,
                "unreadable": summary.unreadable,
                "skipped": summary.skipped,
                "errors": summary.errors,
                "warnings": summary.warnings,
                "denyWarnings": self.settings.deny_warnings,
                "failed": summary.failed(self.settings.deny_warnings),
                "elapsedSeconds": summary.elapsed.as_secs_f64(),
            },
        });
        if summary.allowed > 0 {
            invocation["properties"]["allowed"] = json!(summary.allowed);
        }
        if let Some(contract) = self.settings.contract {
            invocation["properties"]["contract"] = json!(contract);
        }
        if self.results > 0 {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(b"],\"invocations\":[")?;
        serde_json::to_writer(&mut self.out, &invocation)?;
        self.out.write_all(b"]}]}\n")?;
        self.out.flush()
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A path as a SARIF artifact URI: relative paths stay relative (resolved against the
/// directory the command ran in, as code-scanning uploads expect), absolute ones become
/// `file://` URIs; separators are `/`, and anything but unreserved characters and `/` is
/// percent-encoded.
pub(super) fn artifact_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    let mut uri = String::with_capacity(text.len());
    if path.is_absolute() {
        uri.push_str("file://");
        if !text.starts_with('/') {
            // A Windows drive path, `C:/...`.
            uri.push('/');
        }
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            b':' if path.is_absolute() => uri.push(':'),
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri
}
