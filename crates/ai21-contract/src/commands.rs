//! One module per subcommand; each `run` returns the exit status, or the error that kept
//! it from running (exit 2).

use std::io;

use anyhow::{Context, Result};

use crate::cli::{EXIT_ERROR, EXIT_FAILED, EXIT_OK};
use ai21_check::Summary;

pub mod generate_capture;
pub mod serve;
pub mod validate;
pub mod verify;

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
