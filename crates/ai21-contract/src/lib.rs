//! The `ai21-contract` command line, as a library: `src/main.rs` only calls [`cli::main`].
//!
//! `ai21-contract validate` checks captured exchanges against the canonical schemas and
//! the API rules. The pieces, in the order a record goes through them:
//!
//! - [`capture`] turns files, directories and standard input (JSONL captures, HAR files,
//!   single payloads, any of them gzipped) into a stream of [`Item`]s in which every
//!   record is accounted for; [`endpoint`] tells an AI21 endpoint from a URL path;
//!   [`redact`] makes sure no API key, cookie or URL credential survives reading, and
//!   masks prompt and completion text on request;
//! - [`check`] turns an item into an [`output::Outcome`] with the validator
//!   (`ai21_validate`);
//! - [`run`] drives that over all cores in bounded batches, keeping input order;
//! - [`output`] writes the outcomes as a human, JSON Lines, JUnit or SARIF report; it is
//!   the only module that prints;
//! - [`cli`] and [`commands`] are the arguments and one module per subcommand;
//!   [`synthetic`] generates captures for benchmarks.
//!
//! ```
//! use ai21_contract::capture::{self, Content, Input, Item, ReadOptions};
//! use ai21_contract::Endpoint;
//!
//! let capture = concat!(
//!     r#"{"url": "https://api.ai21.com/studio/v1/j2-mid/complete?api_key=Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty", "#,
//!     r#""request": {"headers": {"Authorization": "Bearer Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty"}, "body": {"prompt": "Hi"}}, "#,
//!     r#""response": {"status": 401, "body": "{\"detail\": \"Forbidden: Bad or missing API token.\"}"}}"#,
//! );
//! let items: Vec<Item> =
//!     capture::read_from(vec![Input::Stdin], ReadOptions::default(), capture.as_bytes()).collect();
//! let Item::Record(record) = &items[0] else { panic!("{:?}", items[0]) };
//! assert_eq!(record.location.to_string(), "-:1");
//! let Content::Exchange(exchange) = &record.content else { panic!("not an exchange") };
//! assert_eq!(exchange.endpoint(), &Endpoint::J2Complete { model: "j2-mid".into(), custom_model: None });
//! assert_eq!(exchange.url(), "https://api.ai21.com/studio/v1/j2-mid/complete?api_key=[redacted]");
//! assert_eq!(exchange.request.headers.get("authorization"), Some("[redacted]"));
//! assert_eq!(exchange.response.body.json().map(|body| &body["detail"]), Some(&"Forbidden: Bad or missing API token.".into()));
//! assert!(!format!("{items:?}").contains("Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty"));
//! ```

use std::io;

pub mod capture;
pub mod check;
pub mod cli;
pub mod commands;
pub mod endpoint;
pub mod output;
pub mod redact;
pub mod run;
pub mod synthetic;
pub mod verify;

pub use capture::{Item, Location, Record};
pub use endpoint::Endpoint;
pub use redact::ApiKey;

/// Why an operation of this crate could not be done.
///
/// Reading captures never fails as a whole: a record that cannot be read is an
/// [`Item::Unreadable`] in the stream, not an `Err`. This type is for the calls that have no
/// such stream to report into.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL of an exchange is not one of the AI21 endpoints [`Endpoint`] knows.
    #[error("{url}: not an AI21 endpoint")]
    NotAnEndpoint {
        /// The URL, with its secrets redacted.
        url: String,
    },
    /// The environment variable that should hold the API key is not set.
    #[error("environment variable {variable}: not set")]
    ApiKeyMissing {
        /// The variable's name.
        variable: String,
    },
    /// The environment variable that should hold the API key is set but holds nothing usable.
    #[error("environment variable {variable}: {problem}")]
    ApiKeyInvalid {
        /// The variable's name.
        variable: String,
        /// What is wrong with its value (never the value).
        problem: &'static str,
    },
    /// Writing a capture record failed.
    #[error("writing a capture record: {0}")]
    Write(#[source] io::Error),
}

/// The result of this crate's fallible calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
