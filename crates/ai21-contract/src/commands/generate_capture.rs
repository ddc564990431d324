//! `ai21-contract generate-capture` (hidden): a synthetic capture on standard output, see
//! [`ai21_generate::capture`].

use ai21_generate::capture;
use anyhow::{Context, Result};

use crate::args::GenerateCaptureArgs;
use crate::commands::EXIT_OK;
use crate::output;

/// Writes the capture.
pub fn run(args: &GenerateCaptureArgs) -> Result<u8> {
    let options = capture::Options {
        size: args.size,
        seed: args.seed,
        invalid_per_mille: args.invalid_per_mille,
    };
    capture::write(output::stdout(), options).context("writing the capture")?;
    Ok(EXIT_OK)
}
