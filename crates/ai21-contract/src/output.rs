//! Where the command line prints: standard output for reports (the formats are
//! `ai21-report`'s), standard error for log lines, errors and the progress line, and the
//! rules for colour. Every line printed goes through [`clean`], so no secret shape is
//! printed, whatever a message quotes.

// This module is where the command line prints; nothing else in the crate may.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the output module is the one place the command line prints"
)]

use std::io::{self, IsTerminal, Write};

mod progress;

pub use ai21_report::clean;
pub use progress::Progress;

/// Standard output, buffered.
pub fn stdout() -> Box<dyn Write + Send> {
    Box::new(io::BufWriter::with_capacity(64 * 1024, io::stdout()))
}

/// Standard output, buffered, hiding the progress line whenever the buffer is written out
/// (standard output and error may be the same terminal).
pub fn stdout_beside(progress: &Progress) -> Box<dyn Write + Send> {
    Box::new(io::BufWriter::with_capacity(
        64 * 1024,
        progress.hiding(Box::new(io::stdout())),
    ))
}

/// Prints a progress or log line of a command (the mock's findings, the runner's plan)
/// to standard error.
pub fn log(line: &str) {
    eprintln!("{}", clean(line));
}

/// Prints an error that stopped a command, with its chain of causes, to standard error:
/// `error: reading capture.jsonl: no such file or directory`.
pub fn error(error: &anyhow::Error) {
    eprintln!("error: {}", clean(&format!("{error:#}")));
}

/// Whether standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Whether the environment asks for plain output: `NO_COLOR` set to anything but the empty
/// string, `TERM=dumb`, or a CI system (`CI` set).
pub fn plain_environment() -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    set("NO_COLOR") || set("CI") || std::env::var_os("TERM").is_some_and(|term| term == "dumb")
}
