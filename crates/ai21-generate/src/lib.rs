//! One generator of AI21 payloads, for property tests, contract runs, the mock's answers
//! and benchmark captures.
//!
//! Everything in the workspace that makes up J2 `complete` or Jamba `chat/completions`
//! payloads draws on this crate, so each of these exists once:
//!
//! - [`Random`], the deterministic random source (SplitMix64): the same seed gives the
//!   same values on every machine;
//! - [`WORDS`], the words texts are made of (English, a few accented and non-Latin words,
//!   an emoji);
//! - [`tiling`], J2 tokenization: tokens spelled with `▁` and `<|newline|>`, whose text
//!   ranges tile their text in Unicode code points;
//! - [`model`], the J2 and Jamba model names payloads use, read from the validator's
//!   known models;
//! - [`capture`], synthetic JSONL captures for benchmarks, with violations planted where
//!   it says;
//! - [`mutate`], the single-edit breakages of a valid payload, each with the finding the
//!   validator must report;
//! - `instance` (feature `strategies`), proptest strategies of valid payloads built from
//!   the canonical schemas (`ai21_schemas`), and `proptest_config`, the one proptest
//!   configuration every property test of the workspace uses.
//!
//! The feature keeps proptest out of the normal dependencies of what needs no strategies:
//! the mock (`ai21-mock`) writes its answers with the random source, the words and the
//! tiling alone. The validator does not depend on this crate; this crate reads schemas
//! with the validator's own functions ([`ai21_validate::walk`]) and checks nothing
//! itself.
//!
//! ```
//! use ai21_generate::Random;
//! use ai21_generate::tiling::Tiling;
//!
//! // A J2 completion of five words: the same seed always writes the same one, and its
//! // tokens tile its text.
//! let mut random = Random::new(42);
//! let mut tiling = Tiling::new();
//! let tokens: Vec<_> = (0..5).map(|_| tiling.push(&format!(" {}", random.word()))).collect();
//! assert!(tokens.iter().all(|token| token.token.starts_with('▁')));
//! assert_eq!(tokens[0].start, 0);
//! assert!(tokens.windows(2).all(|pair| pair[0].end == pair[1].start));
//! assert_eq!(tokens[4].end, tiling.text().chars().count() as u64);
//!
//! let mut again = Random::new(42);
//! assert_eq!(tiling.text().trim_start().split(' ').next(), Some(again.word()));
//! ```

use ai21_schemas::PayloadKind;

pub mod capture;
#[cfg(feature = "strategies")]
pub mod instance;
pub mod model;
pub mod mutate;
mod random;
pub mod tiling;
mod word;

#[cfg(feature = "strategies")]
pub use instance::{DEFAULT_CASES, proptest_config};
pub use random::Random;
pub use word::WORDS;

/// Why a strategy or a value could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The instance generator met a schema it cannot generate for.
    #[error("schema {pointer}: the instance generator cannot handle {keyword}: {reason}")]
    Unsupported {
        /// JSON Pointer into the schema, to the keyword (or to the schema node, for a
        /// node that is not a schema).
        pointer: String,
        /// The keyword.
        keyword: String,
        /// Why.
        reason: String,
    },
    /// Generating a value failed (for example, too many values were filtered out).
    #[error("generating a {kind} value: {reason}")]
    Generate {
        /// The payload kind.
        kind: PayloadKind,
        /// proptest's reason.
        reason: String,
    },
}

/// The result of generating.
pub type Result<T, E = Error> = std::result::Result<T, E>;
