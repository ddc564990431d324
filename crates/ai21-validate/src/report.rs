//! Findings and reports: what validation says about a payload, an exchange or a stream.
//!
//! A contract violation is data, not an `Err`. Every check appends [`Finding`]s to a
//! [`Report`]; its `Display` is the text a person reads (and the snapshots review).

use std::fmt;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The payload breaks the contract: a client or server that sends it is wrong.
    Error,
    /// The payload is allowed but suspicious: drift from what the contract knows, or a
    /// spelling the server may ignore.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Which document a finding's pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "target", rename_all = "kebab-case")]
pub enum Target {
    /// A payload validated on its own ([`Validator::validate`](crate::Validator::validate)).
    Payload,
    /// The request of an exchange.
    Request,
    /// The (non-streamed) response of an exchange.
    Response,
    /// The response rebuilt from the chunks of an event stream.
    Reassembled,
    /// The endpoint (URL path) of an exchange; the pointer is empty.
    Endpoint,
    /// An event stream as a whole (for example an empty body); the pointer is empty.
    Stream,
    /// One event of an event stream; the pointer points into the event's JSON.
    StreamEvent {
        /// The event's number, counting from 1 (events are separated by blank lines).
        event: usize,
        /// The line the finding is about, counting from 1: the event's `data:` line, or
        /// the offending line of a malformed event.
        line: usize,
    },
    /// One message of an AWS event stream (Bedrock's `application/vnd.amazon.eventstream`);
    /// the pointer points into the JSON chunk the message carries.
    StreamMessage {
        /// The message's number, counting from 1 (a run of bytes that does not decode as a
        /// message counts as one). Named `number`, not `message`, because a finding
        /// serialises its target flat beside its own `message`.
        number: usize,
        /// The byte offset of the message's first byte in the stream, counting from 0.
        offset: usize,
    },
}

/// One thing validation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The stable rule id, such as `schema/required`, `j2/text-range-tiling` or
    /// `drift/unknown-field`; [`RULES`](crate::RULES) lists the non-schema ones.
    pub rule: &'static str,
    /// The document the pointer points into.
    #[serde(flatten)]
    pub target: Target,
    /// JSON Pointer (RFC 6901) to the offending value; empty for the whole document.
    pub pointer: String,
    /// For schema findings, the JSON Pointer of the failing keyword in the canonical schema.
    pub schema_pointer: Option<String>,
    /// What is wrong, for a person: lowercase, no final period, long values shortened.
    pub message: String,
}

impl Finding {
    /// An error finding on a payload validated on its own.
    pub fn error(
        rule: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Error,
            rule,
            target: Target::Payload,
            pointer: pointer.into(),
            schema_pointer: None,
            message: message.into(),
        }
    }

    /// A warning finding on a payload validated on its own.
    pub fn warning(
        rule: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(rule, pointer, message)
        }
    }

    /// The same finding about another document.
    pub fn with_target(self, target: Target) -> Self {
        Finding { target, ..self }
    }

    /// The same finding with the schema pointer of its keyword.
    pub fn with_schema_pointer(self, schema_pointer: impl Into<String>) -> Self {
        Finding {
            schema_pointer: Some(schema_pointer.into()),
            ..self
        }
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Whether the real server still answers a request despite this finding: warnings
    /// (drift, suspicious spellings) and request fields the server does not know, which it
    /// ignores: `schema/additionalProperties`, and the `client/` rules whose substance is
    /// field names a client gets wrong (the [`RuleInfo::ignored_by_server`] flag).
    /// A lenient mock answers such requests; a strict one refuses the errors among them.
    ///
    /// [`RuleInfo::ignored_by_server`]: crate::RuleInfo::ignored_by_server
    pub fn ignored_by_server(&self) -> bool {
        self.severity == Severity::Warning
            || self.rule == "schema/additionalProperties"
            || crate::rule_info(self.rule).is_some_and(|info| info.ignored_by_server)
    }
}

impl Finding {
    /// Where in its record the finding points, as reports say it: `response /completions/0`,
    /// `request (root)`, `endpoint`, `event 3 (line 5) /choices/0`,
    /// `message 3 (byte 412) /choices/0`.
    pub fn place(&self) -> String {
        let pointer = self.pointer.as_str();
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
        match self.target {
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
            Target::StreamMessage { number, offset } => {
                if pointer.is_empty() {
                    format!("message {number} (byte {offset})")
                } else {
                    format!("message {number} (byte {offset}) {pointer}")
                }
            }
        }
    }
}

impl fmt::Display for Finding {
    /// `error[schema/minimum] at /numResults: numResults must be at least 1, found 0`, then
    /// the schema pointer on an indented second line when there is one.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}[{}] at {}: {}",
            self.severity,
            self.rule,
            self.place(),
            self.message
        )?;
        if let Some(schema_pointer) = &self.schema_pointer {
            write!(formatter, "\n  schema: {schema_pointer}")?;
        }
        Ok(())
    }
}

/// Everything validation found about one payload, exchange or stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The findings, in the order the checks ran: schema, then API rules, then drift.
    pub findings: Vec<Finding>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Report::default()
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// The error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|finding| finding.is_error())
    }

    /// The warning findings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|finding| !finding.is_error())
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }

    /// Whether there is no finding at all, not even a warning.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings with this rule id.
    pub fn with_rule<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .iter()
            .filter(move |finding| finding.rule == rule)
    }
}

impl Extend<Finding> for Report {
    fn extend<T: IntoIterator<Item = Finding>>(&mut self, findings: T) {
        self.findings.extend(findings);
    }
}

impl fmt::Display for Report {
    /// One finding per paragraph, then a summary line such as `2 errors, 1 warning`
    /// (or `no findings`).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(formatter, "{finding}")?;
        }
        let errors = self.errors().count();
        let warnings = self.findings.len() - errors;
        if self.findings.is_empty() {
            formatter.write_str("no findings")
        } else {
            write!(
                formatter,
                "{} {}, {} {}",
                errors,
                if errors == 1 { "error" } else { "errors" },
                warnings,
                if warnings == 1 { "warning" } else { "warnings" }
            )
        }
    }
}

#[cfg(test)]
mod tests;
