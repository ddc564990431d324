//! The stable engine's runner ([`ai21_fuzz::engine`]), for machines without nightly:
//!
//! ```text
//! ai21-fuzz-stable TARGET --seconds N --artifacts DIR [--seed S] CORPUS_DIR...
//! ```
//!
//! Prints one line, `TARGET: E executions in S s (R exec/s), C seeds, engine stable`, and
//! exits 0; on a crash it names the input written under `--artifacts` and exits 1; on bad
//! arguments it exits 2.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ai21_fuzz::engine;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ai21-fuzz-stable: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let name = args.next().ok_or(
        "usage: ai21-fuzz-stable TARGET --seconds N --artifacts DIR [--seed S] CORPUS_DIR...",
    )?;
    let target = ai21_fuzz::target(&name).ok_or_else(|| format!("no target {name:?}"))?;
    let (mut seconds, mut seed, mut artifacts, mut corpora) = (60, 1, None, Vec::new());
    while let Some(arg) = args.next() {
        let mut value = |option: &str| args.next().ok_or(format!("{option} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                seconds = value("--seconds")?
                    .parse()
                    .map_err(|error| format!("--seconds: {error}"))?;
            }
            "--seed" => {
                seed = value("--seed")?
                    .parse()
                    .map_err(|error| format!("--seed: {error}"))?
            }
            "--artifacts" => artifacts = Some(PathBuf::from(value("--artifacts")?)),
            _ => corpora.push(PathBuf::from(arg)),
        }
    }
    let artifacts = artifacts.ok_or("--artifacts DIR is needed")?;
    let seeds =
        engine::read_seeds(&corpora).map_err(|error| format!("reading the corpus: {error}"))?;
    if seeds.is_empty() {
        return Err(format!("no seed in {corpora:?}"));
    }
    match engine::run(
        target,
        &seeds,
        Duration::from_secs(seconds),
        seed,
        &artifacts,
    ) {
        Ok(run) => {
            let elapsed = run.elapsed.as_secs_f64();
            println!(
                "{name}: {} executions in {elapsed:.0} s ({:.0} exec/s), {} seeds, engine stable",
                run.executions,
                run.executions as f64 / elapsed.max(0.001),
                run.seeds,
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(crash) => {
            eprintln!(
                "{name}: crash after {} executions; input written to {}",
                crash.executions,
                crash.artifact.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
