//! Throughput of `ai21-contract validate` on a synthetic J2- and Jamba-heavy capture, on one
//! thread and on every core, the fast path and the full one (`--no-fast-path`), beside
//! baselines over the same bytes: a syntax-only scan (`serde::de::IgnoredAny`); parses into
//! serde_json's and sonic-rs's `Value`; a parse into `serde_json::Value` followed by
//! `jsonschema` validation of each payload against its canonical schema (on one thread,
//! and on every core with the lines dealt out in turn: the most a parse-bound job scales on
//! the machine); and the same validation by the tools a user would pick in other
//! languages: jsonschema-rs from Python with orjson, and ajv on Node.js (pinned in
//! `benches/baselines/`, installed under the target directory like the ecosystem tests'
//! tools; a tool that cannot run fails the bench with the reason).
//!
//! `cargo bench -p ai21-contract --bench validate`; the capture's size is
//! `AI21_BENCH_SIZE` (default `16MB`, any size `generate-capture --size` takes). Criterion
//! reports MB/s and records/s for each. `cargo test --benches` runs each once on 256 KB.
//! Before measuring, the bench checks that `validate` finds exactly the planted violations,
//! on one thread and on every core, by either path, and that the Python and Node baselines
//! find as many invalid records as the Rust one.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ai21_capture::{Input, Position, ReadOptions};
use ai21_check::CheckOptions;
use ai21_contract::run::{self, RunOptions};
use ai21_generate::capture::{self, Options};
use ai21_schemas::PayloadKind;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::IgnoredAny;
use serde_json::Value;

#[path = "../tests/it/tools.rs"]
#[allow(
    dead_code,
    reason = "the tests' helpers, of which the bench uses a few"
)]
mod tools;

#[path = "../tests/it/python.rs"]
#[allow(
    dead_code,
    reason = "the tests' helpers, of which the bench uses a few"
)]
mod python;

/// How long one run of an external baseline may take.
const BASELINE_DEADLINE: Duration = Duration::from_secs(900);

/// The binary's allocator, so the numbers are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The capture, with its number of records and the lines of its planted violations.
fn capture() -> (Vec<u8>, u64, BTreeSet<u64>) {
    // `cargo test --benches` runs each benchmark once, without `--bench`: a small capture
    // keeps that quick in a debug build.
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let default = if measuring { "16MB" } else { "256KB" };
    let size = std::env::var("AI21_BENCH_SIZE").unwrap_or_else(|_| default.to_owned());
    let size = capture::parse_size(&size).expect("AI21_BENCH_SIZE is a size such as 16MB");
    let mut bytes = Vec::new();
    let generated = capture::write(
        &mut bytes,
        Options {
            size,
            seed: 1,
            ..Options::default()
        },
    )
    .expect("writing to memory");
    let planted = generated.planted.iter().map(|(line, _)| *line).collect();
    (bytes, generated.records, planted)
}

/// How a run checks records: `jobs` threads, the fast path or not.
fn options(jobs: usize, fast: bool) -> RunOptions {
    RunOptions {
        jobs,
        check: CheckOptions {
            no_fast_path: !fast,
            ..CheckOptions::default()
        },
        ..RunOptions::default()
    }
}

/// The lines of the records `validate` finds errors in or cannot read.
fn failing_lines(bytes: &[u8], options: RunOptions) -> BTreeSet<u64> {
    let items = ai21_capture::read_from([Input::Stdin], ReadOptions::default(), bytes);
    let mut failing = BTreeSet::new();
    run::run(items, options, |outcome| {
        if let (true, Position::Line(line)) = (outcome.has_errors(), outcome.location().position) {
            failing.insert(line);
        }
        Ok(())
    })
    .expect("no output to fail");
    failing
}

/// Validates the capture the way the binary does; returns the number of records with
/// errors so nothing is optimised away.
fn validate(bytes: &[u8], options: RunOptions) -> u64 {
    let items = ai21_capture::read_from([Input::Stdin], ReadOptions::default(), bytes);
    let summary = run::run(items, options, |outcome| {
        black_box(outcome);
        Ok(())
    })
    .expect("no output to fail");
    summary.with_errors + summary.unreadable
}

/// Checks that every line is JSON, building nothing.
fn syntax_only(bytes: &[u8]) -> u64 {
    let mut bad = 0;
    for line in bytes.split(|&byte| byte == b'\n') {
        if !line.is_empty() && serde_json::from_slice::<IgnoredAny>(line).is_err() {
            bad += 1;
        }
    }
    bad
}

/// Parses every line into `T` (a tree), checking nothing else.
fn parse_only<T>(bytes: &[u8], parse: impl Fn(&[u8]) -> Option<T>) -> u64 {
    let mut bad = 0;
    for line in bytes.split(|&byte| byte == b'\n') {
        if !line.is_empty() {
            match parse(line) {
                Some(tree) => drop(black_box(tree)),
                None => bad += 1,
            }
        }
    }
    bad
}

/// An external baseline: a script run by `program` in a prepared environment, which reads
/// the capture once and then times its own passes over it, so that neither its start nor
/// its schema compilation is measured.
struct External {
    program: PathBuf,
    script: PathBuf,
    capture: PathBuf,
    what: &'static str,
}

impl External {
    /// Runs `passes` passes; the time they took and the invalid records one pass found.
    fn run(&self, passes: u64) -> (Duration, u64) {
        let schemas = workspace().join("schemas");
        let output = tools::run_ok(
            Command::new(&self.program)
                .arg(&self.script)
                .arg(&schemas)
                .arg(&self.capture)
                .arg(passes.to_string()),
            BASELINE_DEADLINE,
            self.what,
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        match (fields.next(), fields.next()) {
            (Some(Ok(nanos)), Some(Ok(invalid))) => (Duration::from_nanos(nanos), invalid),
            _ => panic!(
                "{}: expected nanoseconds and a count, got {text:?}",
                self.what
            ),
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn baselines_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/baselines")
}

/// jsonschema-rs from Python with orjson, in a virtual environment of its own.
fn python_baseline(capture: &Path) -> External {
    let dir = baselines_dir();
    let python = python::virtual_environment("bench-baselines", &dir.join("requirements.txt"));
    External {
        program: python,
        script: dir.join("jsonschema_rs_baseline.py"),
        capture: capture.to_owned(),
        what: "the jsonschema-rs (Python) baseline",
    }
}

/// ajv on Node.js, installed by `npm ci`.
fn node_baseline(capture: &Path) -> External {
    let dir = baselines_dir();
    let packages = tools::npm_ci(
        "bench-baselines-node",
        &dir,
        "the ajv baseline of the validate bench needs Node.js and npm",
    );
    let script = packages.join("ajv_baseline.mjs");
    std::fs::copy(dir.join("ajv_baseline.mjs"), &script)
        .unwrap_or_else(|error| panic!("copying the ajv baseline: {error}"));
    External {
        program: PathBuf::from("node"),
        script,
        capture: capture.to_owned(),
        what: "the ajv (Node.js) baseline",
    }
}

/// The compiled canonical schemas, in `PayloadKind::ALL` order.
struct Schemas(Vec<jsonschema::Validator>);

impl Schemas {
    fn new() -> Schemas {
        Schemas(
            PayloadKind::ALL
                .into_iter()
                .map(|kind| {
                    jsonschema::draft202012::new(kind.schema()).expect("the schema compiles")
                })
                .collect(),
        )
    }

    fn is_valid(&self, kind: PayloadKind, value: &Value) -> bool {
        let index = PayloadKind::ALL
            .iter()
            .position(|candidate| *candidate == kind)
            .expect("every kind is listed");
        self.0[index].is_valid(value)
    }
}

/// Parses every line into a `Value` and validates its request and response (each event of
/// a stream) against their schemas; no API rules, no pairing, no redaction, no report.
fn value_and_jsonschema(bytes: &[u8], schemas: &Schemas) -> u64 {
    value_and_jsonschema_lines(bytes.split(|&byte| byte == b'\n'), schemas)
}

/// The same on `threads` threads, each taking every `threads`-th line: how far the parse
/// and the schema check scale on this machine, with no reading, ordering or reporting.
fn value_and_jsonschema_parallel(bytes: &[u8], schemas: &Schemas, threads: usize) -> u64 {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                scope.spawn(move || {
                    let lines = bytes
                        .split(|&byte| byte == b'\n')
                        .skip(first)
                        .step_by(threads);
                    value_and_jsonschema_lines(lines, schemas)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a baseline thread does not panic"))
            .sum()
    })
}

fn value_and_jsonschema_lines<'a>(lines: impl Iterator<Item = &'a [u8]>, schemas: &Schemas) -> u64 {
    let mut invalid = 0;
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let Ok(record) = serde_json::from_slice::<Value>(line) else {
            invalid += 1;
            continue;
        };
        let url = record["url"].as_str().unwrap_or_default();
        let (request_kind, response_kind) = if url.ends_with("/chat/completions") {
            (
                PayloadKind::JambaChatRequest,
                PayloadKind::JambaChatResponse,
            )
        } else {
            (
                PayloadKind::J2CompleteRequest,
                PayloadKind::J2CompleteResponse,
            )
        };
        let mut valid = schemas.is_valid(request_kind, &record["request"]["body"]);
        let response = &record["response"];
        match &response["body"] {
            Value::String(stream) => {
                for data in stream
                    .lines()
                    .filter_map(|line| line.strip_prefix("data: "))
                {
                    if data != "[DONE]" {
                        let chunk = serde_json::from_str::<Value>(data).unwrap_or(Value::Null);
                        valid &= schemas.is_valid(PayloadKind::JambaChatStreamChunk, &chunk);
                    }
                }
            }
            body if response["status"].as_u64() >= Some(400) => {
                valid &= schemas.is_valid(PayloadKind::ErrorResponse, body);
            }
            body => valid &= schemas.is_valid(response_kind, body),
        }
        invalid += u64::from(!valid);
    }
    invalid
}

fn bench(criterion: &mut Criterion) {
    let (bytes, records, planted) = capture();
    let schemas = Schemas::new();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    // What is measured finds what it should: exactly the planted violations.
    for jobs in [1, cores] {
        for fast in [true, false] {
            assert_eq!(
                failing_lines(&bytes, options(jobs, fast)),
                planted,
                "the records found invalid on {jobs} threads (fast path: {fast}) are the planted ones"
            );
        }
    }
    // The external baselines read the capture from a file, and agree with the Rust one.
    let capture_file = tools::target_tmp().join("bench-capture.jsonl");
    std::fs::write(&capture_file, &bytes)
        .unwrap_or_else(|error| panic!("writing {}: {error}", capture_file.display()));
    let externals = [python_baseline(&capture_file), node_baseline(&capture_file)];
    let invalid = value_and_jsonschema(&bytes, &schemas);
    for external in &externals {
        assert_eq!(
            external.run(1).1,
            invalid,
            "{} finds as many invalid records as the Rust baseline",
            external.what
        );
    }
    // Compile the validator's schemas before measuring.
    black_box(validate(&bytes[..bytes.len().min(4096)], options(1, true)));

    let mut group = criterion.benchmark_group("validate");
    group.throughput(Throughput::ElementsAndBytes {
        elements: records,
        bytes: bytes.len() as u64,
    });
    group.sample_size(10);
    group.bench_function("syntax-only scan (IgnoredAny)", |bencher| {
        bencher.iter(|| syntax_only(black_box(&bytes)))
    });
    group.bench_function("sonic-rs Value, parse only", |bencher| {
        bencher.iter(|| {
            parse_only(black_box(&bytes), |line| {
                sonic_rs::from_slice::<sonic_rs::Value>(line).ok()
            })
        })
    });
    group.bench_function("serde_json Value, parse only", |bencher| {
        bencher.iter(|| {
            parse_only(black_box(&bytes), |line| {
                serde_json::from_slice::<Value>(line).ok()
            })
        })
    });
    group.bench_function("Value + jsonschema", |bencher| {
        bencher.iter(|| value_and_jsonschema(black_box(&bytes), &schemas))
    });
    group.bench_function(format!("Value + jsonschema, {cores} threads"), |bencher| {
        bencher.iter(|| value_and_jsonschema_parallel(black_box(&bytes), &schemas, cores))
    });
    for external in &externals {
        group.bench_function(external.what, |bencher| {
            bencher.iter_custom(|passes| external.run(passes).0)
        });
    }
    group.bench_function(
        "ai21-contract validate --no-fast-path, 1 thread",
        |bencher| bencher.iter(|| validate(black_box(&bytes), options(1, false))),
    );
    group.bench_function("ai21-contract validate, 1 thread", |bencher| {
        bencher.iter(|| validate(black_box(&bytes), options(1, true)))
    });
    group.bench_function(
        format!("ai21-contract validate, {cores} threads"),
        |bencher| bencher.iter(|| validate(black_box(&bytes), options(cores, true))),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
