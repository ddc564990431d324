//! `ai21-contract validate`: reads captures, checks every record, writes the report.

use std::io;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::args::ValidateArgs;
use ai21_check::CheckOptions;
use ai21_report::Settings;

use crate::output::{self, Progress};
use crate::run::{self, RunOptions};
use ai21_capture::{Input, ReadOptions};

/// Validates the inputs and writes the report; the exit status is 1 when a record has an
/// error or cannot be read (or has warnings, with `--deny-warnings`).
///
/// An input path named on the command line that cannot be read stops the command before
/// anything is checked (exit 2); what cannot be read inside the inputs (a line, an entry,
/// a file in a directory) is a finding, and the run goes on.
pub fn run(args: &ValidateArgs) -> Result<u8> {
    let levels = crate::config::rule_levels(&args.rules)?;
    for input in &args.inputs {
        if input != "-" {
            readable(Path::new(input))?;
        }
    }
    let inputs = args.inputs.iter().map(Input::from_arg);
    let read_options = ReadOptions {
        format: args.input_format.map(Into::into),
        kind: args.kind,
        dialect: args.dialect,
    };
    let items = ai21_capture::read(inputs, read_options);
    let settings = Settings {
        color: args.color.colors(args.format),
        verbose: args.verbose,
        deny_warnings: args.deny_warnings,
        contract: args.contract.is_historical().then(|| args.contract.name()),
    };
    let mut progress = Progress::for_terminal();
    let mut writer = ai21_report::writer(args.format, settings, output::stdout_beside(&progress))
        .context("starting the report")?;
    let options = RunOptions {
        jobs: args.jobs,
        check: CheckOptions {
            redact_content: args.redact_content,
            no_fast_path: args.no_fast_path,
        },
        contract: args.contract,
    };
    let mut outcomes = 0;
    let summary = run::run_with_levels(items, options, &levels, |outcome| {
        outcomes += 1;
        progress.update(outcomes);
        writer.outcome(&outcome)
    })
    .and_then(|summary| {
        progress.finish();
        writer.finish(&summary).map(|()| summary)
    });
    progress.finish();
    super::exit_status(summary, args.deny_warnings)
}

/// Checks that an input named on the command line can be read: a file opened, a
/// directory listed.
fn readable(path: &Path) -> Result<()> {
    let checked = std::fs::metadata(path).and_then(|metadata| {
        if metadata.is_dir() {
            std::fs::read_dir(path).map(drop)
        } else {
            std::fs::File::open(path).map(drop)
        }
    });
    checked.map_err(|error| anyhow!("reading {}: {}", path.display(), io_message(&error)))
}

/// An I/O error as a message: lowercase, without the `(os error 2)` detail.
fn io_message(error: &io::Error) -> String {
    let message = error.to_string();
    let message = match message.find(" (os error") {
        Some(cut) => &message[..cut],
        None => &message,
    };
    let mut characters = message.chars();
    match characters.next() {
        Some(first) => first.to_lowercase().chain(characters).collect(),
        None => "unknown error".to_owned(),
    }
}
