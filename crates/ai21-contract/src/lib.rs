//! The `ai21-contract` command line, as a library: `src/main.rs` only calls [`main`].
//!
//! `ai21-contract validate` checks captured exchanges against the canonical schemas and
//! the API rules. The pieces, in the order a record goes through them:
//!
//! - `ai21_capture` turns files, directories and standard input (JSONL captures, HAR
//!   files, single payloads, any of them gzipped) into a stream of items in which every
//!   record is accounted for, with no API key, cookie or URL credential left;
//! - `ai21_check` turns an item into an outcome with the validator (`ai21_validate`),
//!   masking keys and, on request, prompt and completion text in finding messages;
//! - [`run`] drives that over all cores in bounded batches, keeping input order;
//! - `ai21_report` writes the outcomes as a human, JSON Lines, JUnit or SARIF report, and
//!   [`output`] is the only module that prints;
//! - [`args`] and [`commands`] are the arguments and one module per subcommand (the
//!   hidden `generate-capture` writes `ai21_generate`'s benchmark captures), and
//!   [`config`] the rule levels of `validate` and `verify`, from `ai21-contract.toml` and
//!   the command line.
//!

pub mod args;
pub mod commands;
pub mod config;
pub mod output;
pub mod run;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::commands::EXIT_ERROR;

/// Runs the command line of this process and returns its exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Validate(args) => commands::validate::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Generate(args) => commands::generate::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::GenerateCapture(args) => commands::generate_capture::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            output::error(&error);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
