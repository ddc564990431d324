//! One module per subcommand; each `run` takes its arguments ([`crate::args`]) and returns
//! the exit status, or the error that kept it from running (exit 2).
//!
//! Exit status: 0 when nothing failed, 1 when the input breaks the contract, 2 when the
//! command could not run (bad arguments, an input path that cannot be read, a report that
//! cannot be written).

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use ai21_check::Summary;

pub mod diff;
pub mod export;
pub mod generate;
pub mod generate_capture;
pub mod serve;
pub mod validate;
pub mod verify;

/// Exit status: the command ran and nothing failed.
pub const EXIT_OK: u8 = 0;
/// Exit status: the command ran and the input breaks the contract.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: the command could not run.
pub const EXIT_ERROR: u8 = 2;

/// The exit status of a command that wrote a report: 1 when the run failed (an error, an
/// unreadable item, or with `deny_warnings` a warning), else 0; 2 when the reader of the
/// report went away (`| head`: nothing more to say to anyone); an error when writing failed.
fn exit_status(written: io::Result<Summary>, deny_warnings: bool) -> Result<u8> {
    match written {
        Ok(summary) if summary.failed(deny_warnings) => Ok(EXIT_FAILED),
        Ok(_) => Ok(EXIT_OK),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(EXIT_ERROR),
        Err(error) => Err(error).context("writing the report"),
    }
}

/// Writes `text` to the file at `path`, or to standard output without one.
fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            let mut out = crate::output::stdout();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .context("writing to standard output")
        }
    }
}
