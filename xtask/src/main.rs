//! Project automation, run as `cargo xtask <task>` (the alias is in `.cargo/config.toml`).
//!
//! - `cargo xtask ci`: everything CI checks, in the order a person fixes them: formatting,
//!   clippy, the tests, and rustdoc with warnings denied. The README's test command (`docs/ci.md`).
//! - `cargo xtask examples`: validates every example in `schemas/examples/` against its
//!   canonical schema and prints what each gives.
//! - `cargo xtask codegen [--check]`: regenerates the typed models from `schemas/`, or
//!   checks that the checked-in ones are fresh.
//! - `cargo xtask fuzz [--seconds N] [--engine auto|libfuzzer|stable] [TARGET...]`: runs
//!   the fuzz targets of `fuzz/`; `cargo xtask fuzz corpus [--check]` writes or checks
//!   their seed corpora (`docs/fuzzing.md`).

// xtask is a command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use ai21_schemas::Expectation;
use anyhow::{Context, Result, bail};

mod architecture;
mod codegen;
mod fuzz;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("examples") => examples(),
        Some("codegen") => match args.get(1).map(String::as_str) {
            None => codegen::write(&workspace_root()),
            Some("--check") => codegen::check(&workspace_root()),
            Some(other) => {
                eprintln!("unknown codegen option {other:?}; usage: cargo xtask codegen [--check]");
                return ExitCode::from(2);
            }
        },
        Some("fuzz") => match args.get(1).map(String::as_str) {
            Some("corpus") => match args.get(2).map(String::as_str) {
                None => fuzz::write_corpus(&workspace_root()),
                Some("--check") => fuzz::check_corpus(&workspace_root()),
                Some(other) => {
                    eprintln!(
                        "unknown fuzz corpus option {other:?}; usage: cargo xtask fuzz corpus [--check]"
                    );
                    return ExitCode::from(2);
                }
            },
            _ => match fuzz::Options::parse(&args[1..]) {
                Ok(options) => fuzz::run(&workspace_root(), &options).map(drop),
                Err(error) => {
                    eprintln!("error: {error:#}");
                    return ExitCode::from(2);
                }
            },
        },
        _ => {
            eprintln!(
                "usage: cargo xtask <ci|examples|codegen [--check]|fuzz [--seconds N] [TARGET...]|fuzz corpus [--check]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn ci() -> Result<()> {
    cargo(&["fmt", "--all", "--check"], &[])?;
    eprintln!("$ cargo xtask codegen --check");
    codegen::check(&workspace_root())?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(&["test", "--workspace", "--locked"], &[])?;
    // The validate benchmark once, briefly (a 256 KB capture, each measurement run once):
    // that it finds the planted violations by both paths, and that its Python and Node.js
    // baselines install, run and agree with the Rust one.
    cargo(
        &[
            "test",
            "-p",
            "ai21-contract",
            "--bench",
            "validate",
            "--locked",
        ],
        &[],
    )?;
    // The diff benchmark once: each pair of contract versions compared once by documents
    // and once by keywords, and each pair's verdict checked.
    cargo(
        &["test", "-p", "ai21-diff", "--bench", "diff", "--locked"],
        &[],
    )?;
    cargo(
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    // The fuzz crate is a workspace of its own: formatted like the rest, and every target
    // fuzzed briefly (libFuzzer on nightly, the stable engine where nightly is missing).
    cargo(
        &["fmt", "--manifest-path", "fuzz/Cargo.toml", "--check"],
        &[],
    )?;
    // Its own tests (every target passes its seeds, the redaction target plants its secret,
    // the mock property can fail, the stable engine finds a planted crash), with the stable
    // engine's features and the workspace's target directory, so its dependencies are the
    // ones the workspace's tests built.
    cargo(
        &[
            "test",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--no-default-features",
            "--features",
            "stable",
            "--locked",
            "--target-dir",
            "target",
        ],
        &[],
    )?;
    eprintln!("$ cargo xtask fuzz --seconds {}", fuzz::CI_SECONDS);
    fuzz::run(
        &workspace_root(),
        &fuzz::Options {
            seconds: fuzz::CI_SECONDS,
            engine: None,
            targets: fuzz::TARGETS
                .iter()
                .map(|&target| target.to_owned())
                .collect(),
        },
    )?;
    Ok(())
}

fn examples() -> Result<()> {
    let mut failures = 0;
    let mut count = 0;
    for example in ai21_schemas::examples() {
        count += 1;
        let validator = jsonschema::draft202012::new(example.kind().schema())
            .with_context(|| format!("compiling {}", example.kind().file_name()))?;
        let payload = example.payload();
        let errors: Vec<_> = validator.iter_errors(&payload).collect();
        let outcome = match (example.expectation(), errors.as_slice()) {
            (Expectation::Valid(_), []) => "valid, as documented".to_owned(),
            (Expectation::Invalid(expected), [error])
                if error.instance_path().as_str() == expected.violation().pointer
                    && error.kind().keyword() == expected.violation().keyword =>
            {
                format!(
                    "invalid, as expected: {error} (at {:?}, {})",
                    error.instance_path().as_str(),
                    error.kind().keyword()
                )
            }
            (_, errors) => {
                failures += 1;
                let found: Vec<_> = errors
                    .iter()
                    .map(|error| {
                        format!(
                            "{error} (at {:?}, {})",
                            error.instance_path().as_str(),
                            error.kind().keyword()
                        )
                    })
                    .collect();
                format!("UNEXPECTED: {found:?}")
            }
        };
        println!("{:<65} {outcome}", example.file());
    }
    println!("{count} examples, {failures} unexpected");
    if failures > 0 {
        bail!("{failures} examples did not validate as the manifest says");
    }
    Ok(())
}
