//! Checking captured AI21 traffic: every item of a capture through the validator, into an
//! [`Outcome`] in which every record is accounted for.
//!
//! [`check`] takes one item read by `ai21-capture` (a record, an unreadable item, or one
//! skipped by design) and gives its outcome: a record goes through `ai21-validate` (an
//! exchange with its endpoint, both sides, the pairing and stream rules, drift; a payload on
//! its own), and what the validator cannot take is a `capture/` finding of this crate
//! ([`CAPTURE_RULES`]). Finding messages never show a secret: every piece of a key-shaped
//! word of the record is masked in them, and with [`CheckOptions::redact_content`] every
//! quoted piece of prompt or completion text too (the places the schemas mark as content,
//! from `ai21_validate::Validator::exchange_content`). [`Summary`] counts outcomes
//! into buckets that always add up to the records read. Reports are written from outcomes
//! by `ai21-report`; this crate prints nothing.
//!
//! ```
//! use ai21_capture::{Input, ReadOptions};
//! use ai21_check::{CheckOptions, Outcome, Summary, Verdict, check};
//! use ai21_validate::Validator;
//!
//! let capture = concat!(
//!     r#"{"url": "https://api.ai21.com/studio/v1/chat/completions", "request": {"body": {"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]}}, "#,
//!     r#""response": {"status": 200, "body": {"id": "chat-1", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello"}}], "#,
//!     r#""usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 11}}}}"#,
//! );
//! let mut summary = Summary { records: 1, ..Summary::default() };
//! for item in ai21_capture::read_from(vec![Input::Stdin], ReadOptions::default(), capture.as_bytes()) {
//!     let outcome = check(item, Validator::shared(), CheckOptions::default());
//!     let Outcome::Checked(checked) = &outcome else { panic!("{outcome:?}") };
//!     assert_eq!(checked.verdict(), Verdict::Errors);
//!     assert!(checked.report.findings.iter().any(|finding| finding.rule == "jamba/usage-total"));
//!     summary.add(&outcome);
//! }
//! assert!(summary.is_balanced() && summary.failed(false));
//! ```

use std::fmt;

use ai21_capture::{Location, Skipped, Unreadable};
use ai21_validate::{Dialect, Endpoint, PayloadKind, Report};

mod check;
mod levels;
mod rules;
mod summary;

pub use check::{CheckOptions, check, check_line_fast, check_pending, check_record};
pub use levels::{Level, RuleLevels, UnknownRule, check_spec};
pub use rules::{
    CAPTURE_RULES, EXPECTED_REFUSAL_RULE, UNREADABLE_RULE, VERIFY_RULES, rule_catalogue,
};
pub use summary::Summary;

#[cfg(test)]
mod tests;

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
        /// The canonical endpoint the URL calls.
        endpoint: Endpoint,
        /// Where it was sent: AI21 Studio or a partner cloud.
        dialect: Dialect,
        /// For a partner's exchange, the URL path as captured (the canonical endpoint's
        /// path is not where it was sent); `None` for AI21 Studio's.
        path: Option<String>,
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
    /// `POST /studio/v1/chat/completions -> 200 (event stream)`, `POST
    /// /model/ai21.jamba-1-5-mini-v1:0/invoke (Bedrock) -> 200` (a partner's path as
    /// captured), or `j2-complete.request payload`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Exchange {
                method,
                endpoint,
                dialect,
                path,
                status,
                streamed,
            } => {
                match path {
                    Some(path) if *dialect != Dialect::Studio => {
                        write!(formatter, "{method} {path} ({})", dialect.short())?;
                    }
                    _ => write!(formatter, "{method} {}", endpoint.path())?,
                }
                write!(formatter, " -> {status}")?;
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
