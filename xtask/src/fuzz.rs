//! `cargo xtask fuzz`: the fuzz targets of `fuzz/` (docs/fuzzing.md), and their seed corpora.
//!
//! - `cargo xtask fuzz [--seconds N] [--engine auto|libfuzzer|stable] [TARGET...]` builds
//!   the targets and runs each for N seconds (default 60), printing its executions; it fails
//!   on a crash, naming the input kept.
//! - `cargo xtask fuzz corpus [--check]` writes the seed corpora (`fuzz/corpus/<target>/seed-*`)
//!   from the documented and invalid examples and the capture fixtures, or checks that the
//!   checked-in ones are what it writes. Other files there (crash inputs kept as
//!   regressions, `crash-*`) are left alone.
//!
//! Engines: libFuzzer through cargo-fuzz (`cargo +nightly fuzz`, with cargo-fuzz
//! [`CARGO_FUZZ_VERSION`] installed under `target/fuzz-tools/` on first use), the default
//! where the nightly toolchain is installed; otherwise the stable engine (random mutations
//! of the corpus, no coverage feedback: `fuzz/src/engine.rs`). The engine that ran is
//! always printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ai21_schemas::{Expectation, PayloadKind};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// The cargo-fuzz release the build installs and uses.
pub(crate) const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The targets, in the order they run (the names of `fuzz/fuzz_targets/*.rs`).
pub(crate) const TARGETS: [&str; 8] = [
    "jsonl",
    "har",
    "stream",
    "eventstream",
    "payload",
    "exchange",
    "redact",
    "mock",
];

/// The seconds each target runs in `cargo xtask ci`.
pub(crate) const CI_SECONDS: u64 = 10;

/// The engine that runs the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// libFuzzer, through cargo-fuzz on the nightly toolchain.
    LibFuzzer,
    /// The stable runner of `fuzz/src/engine.rs`.
    Stable,
}

/// What `cargo xtask fuzz` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) seconds: u64,
    pub(crate) engine: Option<Engine>,
    pub(crate) targets: Vec<String>,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            seconds: 60,
            engine: None,
            targets: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--seconds" => {
                    let value = args.next().context("--seconds needs a number")?;
                    options.seconds = value
                        .parse()
                        .with_context(|| format!("--seconds {value:?} is not a number"))?;
                    if options.seconds == 0 {
                        bail!("--seconds must be at least 1");
                    }
                }
                "--engine" => {
                    options.engine = match args.next().map(String::as_str) {
                        Some("auto") => None,
                        Some("libfuzzer") => Some(Engine::LibFuzzer),
                        Some("stable") => Some(Engine::Stable),
                        other => bail!("--engine takes auto, libfuzzer or stable, not {other:?}"),
                    }
                }
                target if TARGETS.contains(&target) => options.targets.push(target.to_owned()),
                other => bail!(
                    "unknown fuzz argument {other:?}; usage: cargo xtask fuzz [--seconds N] [--engine auto|libfuzzer|stable] [TARGET...], with targets {}",
                    TARGETS.join(", ")
                ),
            }
        }
        if options.targets.is_empty() {
            options.targets = TARGETS.iter().map(|&target| target.to_owned()).collect();
        }
        Ok(options)
    }
}

/// What one target's run did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetRun {
    pub(crate) target: String,
    pub(crate) executions: u64,
    pub(crate) seconds: f64,
    pub(crate) corpus: String,
}

/// Builds and runs the targets; fails on the first crash, naming its input.
pub(crate) fn run(root: &Path, options: &Options) -> Result<Vec<TargetRun>> {
    check_corpus(root)?;
    check_lockfile(root)?;
    let engine = match options.engine {
        Some(engine) => engine,
        None if has_nightly() => Engine::LibFuzzer,
        None => {
            eprintln!(
                "fuzz: no nightly toolchain (`cargo +nightly --version` fails), so cargo-fuzz cannot run: fuzzing with the stable engine (random mutations, no coverage feedback)"
            );
            Engine::Stable
        }
    };
    let mut runs = Vec::new();
    match engine {
        Engine::LibFuzzer => {
            let cargo_fuzz = install_cargo_fuzz(root)?;
            eprintln!("fuzz: engine libFuzzer (cargo-fuzz {CARGO_FUZZ_VERSION}, nightly)");
            eprintln!(
                "$ (cd fuzz && cargo +nightly fuzz build --sanitizer none --debug-assertions --codegen-units 16 --target-dir ../target/fuzz)"
            );
            let status = fuzz_command(root, &cargo_fuzz, "build")
                .status()
                .context("running cargo +nightly fuzz build")?;
            if !status.success() {
                bail!("cargo +nightly fuzz build failed ({status})");
            }
            for target in &options.targets {
                let run = run_libfuzzer(root, &cargo_fuzz, target, options.seconds)?;
                print_run(&run, "libFuzzer");
                runs.push(run);
            }
        }
        Engine::Stable => {
            eprintln!(
                "fuzz: engine stable (fuzz/src/engine.rs: random mutations, no coverage feedback)"
            );
            let runner = build_stable(root)?;
            for target in &options.targets {
                let run = run_stable(root, &runner, target, options.seconds)?;
                print_run(&run, "stable");
                runs.push(run);
            }
        }
    }
    Ok(runs)
}

#[allow(clippy::print_stdout)]
fn print_run(run: &TargetRun, engine: &str) {
    println!(
        "fuzz {:<9} {:>10} executions in {:>4.0} s ({:>7.0} exec/s), engine {engine}, corpus {}",
        run.target,
        run.executions,
        run.seconds,
        run.executions as f64 / run.seconds.max(0.001),
        run.corpus,
    );
}

/// Fails when `fuzz/Cargo.lock` does not hold what the fuzz crate and the workspace crates
/// it reads depend on (a dependency added to one of them): the builds would change it.
pub(crate) fn check_lockfile(root: &Path) -> Result<()> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root.join("fuzz/Cargo.toml"))
        .stdout(Stdio::null())
        .output()
        .context("running cargo metadata on fuzz/Cargo.toml")?;
    if !output.status.success() {
        bail!(
            "fuzz/Cargo.lock is stale (a crate the fuzz targets read has a new dependency?): run `cargo update --workspace --manifest-path fuzz/Cargo.toml` and commit it\n{}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn has_nightly() -> bool {
    Command::new("cargo")
        .args(["+nightly", "--version"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The cargo-fuzz binary of the pinned version under `target/fuzz-tools/`, installed when
/// it is missing or another version.
fn install_cargo_fuzz(root: &Path) -> Result<PathBuf> {
    let tools = root.join("target/fuzz-tools");
    let binary = tools.join("bin/cargo-fuzz");
    let installed = Command::new(&binary)
        .args(["fuzz", "--version"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned());
    if installed
        .as_deref()
        .is_some_and(|version| version.split_whitespace().last() == Some(CARGO_FUZZ_VERSION))
    {
        return Ok(binary);
    }
    eprintln!(
        "$ cargo install cargo-fuzz --locked --version {CARGO_FUZZ_VERSION} --root target/fuzz-tools"
    );
    let status = Command::new(cargo())
        .args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
            "--root",
        ])
        .arg(&tools)
        .status()
        .context("running cargo install cargo-fuzz")?;
    if !status.success() {
        bail!("cargo install cargo-fuzz {CARGO_FUZZ_VERSION} failed ({status})");
    }
    Ok(binary)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// `cargo +nightly fuzz SUBCOMMAND` with the options every call shares (the same ones, so
/// `run` reuses what `build` built): no sanitizer (the code forbids `unsafe`, and the
/// runs are several times faster without AddressSanitizer), debug assertions and overflow
/// checks on, 16 codegen units (a build about twice as fast), the build under `target/fuzz/`.
fn fuzz_command(root: &Path, cargo_fuzz: &Path, subcommand: &str) -> Command {
    let tools = cargo_fuzz.parent().unwrap_or(Path::new("."));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![tools.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new("cargo");
    command
        .current_dir(root.join("fuzz"))
        .env("PATH", std::env::join_paths(paths).unwrap_or(path))
        // What `cargo xtask` set for the stable toolchain must not reach the nightly build.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .args(["+nightly", "fuzz", subcommand])
        .args([
            "--sanitizer",
            "none",
            "--debug-assertions",
            "--codegen-units",
            "16",
        ])
        .arg("--target-dir")
        .arg(root.join("target/fuzz"));
    command
}

/// Runs one target with libFuzzer: new inputs go to `target/fuzz/corpus/<target>/`, the
/// checked-in seeds are read from `fuzz/corpus/<target>/`, crashes are written under
/// `target/fuzz/artifacts/<target>/`.
fn run_libfuzzer(root: &Path, cargo_fuzz: &Path, target: &str, seconds: u64) -> Result<TargetRun> {
    let work = root.join("target/fuzz/corpus").join(target);
    let artifacts = root.join("target/fuzz/artifacts").join(target);
    for directory in [&work, &artifacts] {
        std::fs::create_dir_all(directory)
            .with_context(|| format!("creating {}", directory.display()))?;
    }
    let seeds = root.join("fuzz/corpus").join(target);
    eprintln!(
        "$ (cd fuzz && cargo +nightly fuzz run {target} [the build's options] ../target/fuzz/corpus/{target} corpus/{target} -- -max_total_time={seconds} ...)"
    );
    let output = fuzz_command(root, cargo_fuzz, "run")
        .arg(target)
        .arg(&work)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        // A slow input is a failure too (a hang of a parser on a small input).
        .arg("-timeout=30")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running the fuzz target {target}"))?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(60).collect();
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
        let artifact = log
            .lines()
            .find_map(|line| line.split("Test unit written to ").nth(1))
            .unwrap_or("(no artifact named; see the log above)");
        bail!(
            "fuzz target {target} failed ({}): input kept at {artifact}; run it again with `cd fuzz && cargo +nightly fuzz run {target} -s none -a --codegen-units 16 --target-dir ../target/fuzz {artifact}`",
            output.status
        );
    }
    let stat = |name: &str| {
        log.lines()
            .find_map(|line| line.strip_prefix(&format!("stat::{name}:")))
            .and_then(|value| value.trim().parse::<u64>().ok())
    };
    let executions = stat("number_of_executed_units")
        .with_context(|| format!("libFuzzer printed no executions for {target}:\n{log}"))?;
    // `Done 123456 runs in 61 second(s)`
    let seconds_run = log
        .lines()
        .find_map(|line| line.strip_prefix("Done "))
        .and_then(|rest| rest.split_whitespace().nth(3))
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(seconds);
    let corpus = log
        .lines()
        .rev()
        .find_map(|line| line.split(" corp: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .map_or_else(|| "?".to_owned(), |corp| format!("{corp} inputs/bytes"));
    Ok(TargetRun {
        target: target.to_owned(),
        executions,
        seconds: seconds_run as f64,
        corpus,
    })
}

/// Builds the stable runner (release, with debug assertions and overflow checks) under
/// `target/fuzz-stable/`.
fn build_stable(root: &Path) -> Result<PathBuf> {
    let target_dir = root.join("target/fuzz-stable");
    eprintln!(
        "$ cargo build --release --locked --manifest-path fuzz/Cargo.toml --no-default-features --features stable --bin ai21-fuzz-stable --target-dir target/fuzz-stable"
    );
    let status = Command::new(cargo())
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(root.join("fuzz/Cargo.toml"))
        .args([
            "--no-default-features",
            "--features",
            "stable",
            "--bin",
            "ai21-fuzz-stable",
            "--target-dir",
        ])
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "true")
        .env("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")
        .status()
        .context("building the stable fuzz runner")?;
    if !status.success() {
        bail!("building the stable fuzz runner failed ({status})");
    }
    Ok(target_dir.join("release/ai21-fuzz-stable"))
}

fn run_stable(root: &Path, runner: &Path, target: &str, seconds: u64) -> Result<TargetRun> {
    let artifacts = root.join("target/fuzz-stable/artifacts").join(target);
    let output = Command::new(runner)
        .arg(target)
        .args(["--seconds", &seconds.to_string(), "--artifacts"])
        .arg(&artifacts)
        .arg(root.join("fuzz/corpus").join(target))
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", runner.display()))?;
    let line = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "fuzz target {target} failed on the stable engine ({}); the input is under {}",
            output.status,
            artifacts.display()
        );
    }
    // `TARGET: E executions in S s (R exec/s), C seeds, engine stable`
    let words: Vec<&str> = line.split_whitespace().collect();
    let number = |index: usize| words.get(index).and_then(|word| word.parse::<f64>().ok());
    let (Some(executions), Some(seconds_run), Some(seeds)) = (number(1), number(4), number(8))
    else {
        bail!("the stable runner printed no executions for {target}: {line:?}");
    };
    Ok(TargetRun {
        target: target.to_owned(),
        executions: executions as u64,
        seconds: seconds_run,
        corpus: format!("{seeds} seeds"),
    })
}

/// The longest synthesized capture line kept as a seed, in bytes.
const MAX_SEED_LINE: usize = 6 * 1024;

/// The seed files of every target: name (without `seed-`) to bytes.
pub(crate) fn seed_corpus(
    root: &Path,
) -> Result<BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>> {
    let read =
        |path: &str| std::fs::read(root.join(path)).with_context(|| format!("reading {path}"));
    let mut corpus: BTreeMap<&'static str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut add = |target: &'static str, name: String, bytes: Vec<u8>| {
        corpus.entry(target).or_default().insert(name, bytes);
    };

    let jsonl_files = [
        "tests/fixtures/captures/sample.jsonl",
        "tests/fixtures/captures/bedrock.jsonl",
        "tests/fixtures/captures/vertex.jsonl",
        "tests/fixtures/captures/azure.jsonl",
        "crates/ai21-contract/tests/fixtures/jsonl/capture.jsonl",
        "crates/ai21-contract/tests/fixtures/jsonl/malformed.jsonl",
    ];
    // Every line of the JSONL fixtures, and a line per documented exchange and per
    // invalid example sent in one.
    let mut lines: Vec<(String, String)> = Vec::new();
    for file in jsonl_files {
        let text =
            String::from_utf8(read(file)?).with_context(|| format!("{file} is not UTF-8"))?;
        add("jsonl", file_seed_name(file), text.clone().into_bytes());
        for (number, line) in text.lines().enumerate() {
            if !line.trim().is_empty() {
                lines.push((
                    format!("{}-{}", file_seed_name(file), number + 1),
                    line.to_owned(),
                ));
            }
        }
    }
    let examples: BTreeMap<&str, &ai21_schemas::Example> = ai21_schemas::examples()
        .map(|example| (example.file(), example))
        .collect();
    let mut synthesized = String::new();
    for example in examples.values() {
        let name = file_seed_name(example.file());
        let kind = example.kind();
        let payload = example.payload();
        add("payload", name.clone(), payload.to_string().into_bytes());
        let line = match (example.expectation(), kind) {
            (
                Expectation::Valid(valid),
                PayloadKind::J2CompleteRequest | PayloadKind::JambaChatRequest,
            ) => {
                let path = valid
                    .endpoint()
                    .map_or_else(|| default_path(kind).to_owned(), str::to_owned);
                let response = valid
                    .pairs_with()
                    .and_then(|file| examples.get(file))
                    .map(|response| response.payload());
                Some(exchange_line(
                    &path,
                    &payload,
                    200,
                    response.as_ref(),
                    false,
                ))
            }
            (_, PayloadKind::J2CompleteRequest | PayloadKind::JambaChatRequest) => Some(
                exchange_line(default_path(kind), &payload, 422, None, false),
            ),
            (_, PayloadKind::JambaChatStreamChunk) => Some(exchange_line(
                default_path(kind),
                &json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": true}),
                200,
                Some(&Value::String(format!(
                    "data: {payload}\n\ndata: [DONE]\n\n"
                ))),
                true,
            )),
            (_, kind) => {
                let request = match kind {
                    PayloadKind::J2CompleteResponse => json!({"prompt": "Hello"}),
                    _ => {
                        json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]})
                    }
                };
                let status = if kind == PayloadKind::ErrorResponse {
                    422
                } else {
                    200
                };
                Some(exchange_line(
                    default_path(kind),
                    &request,
                    status,
                    Some(&payload),
                    false,
                ))
            }
        };
        // Long J2 exchanges are left out: the fixtures hold some, and a long seed makes
        // every execution slower.
        if let Some(line) = line.filter(|line| line.len() <= MAX_SEED_LINE) {
            synthesized.push_str(&line);
            synthesized.push('\n');
            lines.push((name.clone(), line));
        }
        // Requests to the mock.
        if matches!(
            kind,
            PayloadKind::J2CompleteRequest | PayloadKind::JambaChatRequest
        ) {
            let path = match example.expectation() {
                Expectation::Valid(valid) => valid.endpoint().unwrap_or(default_path(kind)),
                Expectation::Invalid(_) => default_path(kind),
            };
            let mut request = format!(
                "\u{0}POST {path}\nauthorization: Bearer test-key-0000\ncontent-type: application/json\n\n{payload}"
            )
            .into_bytes();
            add("mock", format!("{name}-lenient"), request.clone());
            // The first byte's low bit asks for strict mode.
            request[0] = 1;
            add("mock", format!("{name}-strict"), request);
        }
    }
    add(
        "jsonl",
        "examples.jsonl".to_owned(),
        synthesized.into_bytes(),
    );
    for (name, bytes) in [
        (
            "no-key",
            "\u{0}POST /studio/v1/chat/completions\ncontent-type: application/json\n\n{}",
        ),
        (
            "get",
            "\u{0}GET /studio/v1/chat/completions\nauthorization: Bearer k\n\n",
        ),
        (
            "unknown-path",
            "\u{1}POST /studio/v1/j2-ultra/custom/x/complete?a=b\nauthorization: Bearer k\n\n{\"prompt\":\"\"}",
        ),
        (
            "not-json",
            "\u{1}POST /studio/v1/j2-mid/complete\nauthorization: Bearer k\ncontent-type: text/plain\n\n{\"prompt\":",
        ),
        // The partner dialects' routes (ai21-mock's dialect module).
        (
            "bedrock-j2",
            "\u{0}POST /model/ai21.j2-mid-v1/invoke\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00\n\n{\"prompt\":\"Hi\",\"maxTokens\":4}",
        ),
        (
            "bedrock-stream",
            "\u{1}POST /model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream\nauthorization: Bearer k\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        ),
        (
            "bedrock-other-provider",
            "\u{0}POST /model/anthropic.claude-v2/invoke\nauthorization: Bearer k\n\n{}",
        ),
        (
            "vertex-stream",
            "\u{0}POST /v1/projects/p/locations/us-central1/publishers/ai21/models/jamba-1.5-mini@001:streamRawPredict\nauthorization: Bearer k\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        ),
        (
            "azure",
            "\u{1}POST /models/chat/completions?api-version=2024-05-01-preview\napi-key: k\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}",
        ),
    ] {
        add("mock", name.to_owned(), bytes.as_bytes().to_vec());
    }

    let mut first_chunks: Option<Vec<String>> = None;
    for (name, line) in &lines {
        add("exchange", name.clone(), line.clone().into_bytes());
        add("redact", name.clone(), line.clone().into_bytes());
        // Event-stream bodies, as the stream target reads them; their chunks framed as
        // Bedrock frames them, as the eventstream target reads them (its first byte: 0 for
        // the bytes as they are, 1 for lines the target frames itself).
        if let Ok(record) = serde_json::from_str::<Value>(line)
            && let Some(body) = record.pointer("/response/body").and_then(Value::as_str)
            && body.trim_start().starts_with("data:")
        {
            add("stream", name.clone(), body.as_bytes().to_vec());
            let chunks: Vec<String> = body
                .lines()
                .filter_map(|line| line.strip_prefix("data: "))
                .filter(|data| data.trim() != "[DONE]")
                .map(str::to_owned)
                .collect();
            add("eventstream", name.clone(), event_stream(&chunks, None));
            add(
                "eventstream",
                format!("{name}-lines"),
                [&[1][..], chunks.join("\n").as_bytes()].concat(),
            );
            first_chunks.get_or_insert(chunks);
        }
    }
    // Bedrock's additions to the first stream: its metrics event, and an exception after
    // its first chunk.
    let chunks = first_chunks.context("no event-stream body among the seeds")?;
    let mut with_metrics = chunks.clone();
    with_metrics.push(
        json!({"amazon-bedrock-invocationMetrics": {"inputTokenCount": 140, "outputTokenCount": 3, "invocationLatency": 412, "firstByteLatency": 97}})
            .to_string(),
    );
    add(
        "eventstream",
        "bedrock-metrics".to_owned(),
        event_stream(&with_metrics, None),
    );
    add(
        "eventstream",
        "bedrock-exception".to_owned(),
        event_stream(
            &chunks[..1],
            Some((
                "throttlingException",
                "Too many requests, please wait before trying again.",
            )),
        ),
    );
    add(
        "redact",
        "plain-text".to_owned(),
        b"data: {\"id\": \"x\"}\n\nnot json at all".to_vec(),
    );

    for file in [
        "tests/fixtures/captures/sample.har",
        "crates/ai21-contract/tests/fixtures/har/session.har",
        "crates/ai21-contract/tests/fixtures/har/broken.har",
        "crates/ai21-contract/tests/fixtures/har/not-a-har.har",
    ] {
        add("har", file_seed_name(file), read(file)?);
    }
    for file in [
        "crates/ai21-contract/tests/fixtures/payload/error.response.json",
        "crates/ai21-contract/tests/fixtures/payload/unknown-kind.json",
    ] {
        add("payload", file_seed_name(file), read(file)?);
    }
    Ok(corpus)
}

/// An eventstream seed of raw bytes: a first byte 0, then the chunks as chunk events
/// and, if given, an exception message, written by the mock's encoder.
fn event_stream(chunks: &[String], exception: Option<(&str, &str)>) -> Vec<u8> {
    let mut bytes = vec![0];
    for chunk in chunks {
        bytes.extend(ai21_mock::eventstream::encode_chunk(chunk.as_bytes()));
    }
    if let Some((kind, message)) = exception {
        bytes.extend(ai21_mock::eventstream::encode_exception(kind, message));
    }
    bytes
}

fn default_path(kind: PayloadKind) -> &'static str {
    match kind {
        PayloadKind::J2CompleteRequest | PayloadKind::J2CompleteResponse => {
            "/studio/v1/j2-ultra/complete"
        }
        _ => "/studio/v1/chat/completions",
    }
}

/// A JSONL capture record of one exchange.
fn exchange_line(
    path: &str,
    request: &Value,
    status: u16,
    response: Option<&Value>,
    stream: bool,
) -> String {
    let content_type = if stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    let mut record = json!({
        "url": format!("https://api.ai21.com{path}"),
        "method": "POST",
        "request": {
            "headers": {"Authorization": "Bearer test-key-0000", "Content-Type": "application/json"},
            "body": request,
        },
        "response": {"status": status, "headers": {"content-type": content_type}},
    });
    if let Some(response) = response {
        record["response"]["body"] = response.clone();
    }
    record.to_string()
}

/// A file name for a seed from a path: its base name, with what a file name cannot hold
/// replaced.
fn file_seed_name(path: &str) -> String {
    let base = path.strip_prefix("invalid/").map_or_else(
        || path.rsplit('/').next().unwrap_or(path).to_owned(),
        |rest| format!("invalid-{rest}"),
    );
    base.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the seed corpora: every `seed-*` file of `fuzz/corpus/<target>/` is replaced by
/// what [`seed_corpus`] makes; other files stay.
pub(crate) fn write_corpus(root: &Path) -> Result<()> {
    let corpus = seed_corpus(root)?;
    let mut total = 0;
    for target in TARGETS {
        let directory = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&directory)
            .with_context(|| format!("creating {}", directory.display()))?;
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            if path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("seed-"))
            {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
        let seeds = corpus
            .get(target)
            .with_context(|| format!("no seed for the target {target}"))?;
        for (name, bytes) in seeds {
            total += bytes.len();
            std::fs::write(directory.join(format!("seed-{name}")), bytes)?;
        }
        eprintln!("fuzz/corpus/{target}: {} seeds", seeds.len());
    }
    eprintln!("{total} bytes of seeds in all");
    Ok(())
}

/// Fails when the checked-in seeds are not what [`write_corpus`] writes.
pub(crate) fn check_corpus(root: &Path) -> Result<()> {
    let corpus = seed_corpus(root)?;
    let mut problems = Vec::new();
    for target in TARGETS {
        let directory = root.join("fuzz/corpus").join(target);
        let empty = BTreeMap::new();
        let expected = corpus.get(target).unwrap_or(&empty);
        let mut found = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(&directory) {
            for entry in entries {
                let path = entry?.path();
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if let Some(seed) = name.strip_prefix("seed-") {
                    found.insert(seed.to_owned(), std::fs::read(&path)?);
                }
            }
        }
        if expected.is_empty() || &found != expected {
            problems.push(format!("fuzz/corpus/{target}"));
        }
    }
    if !problems.is_empty() {
        bail!(
            "the seed corpora are stale or missing ({}): run `cargo xtask fuzz corpus` and commit fuzz/corpus/",
            problems.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_checked_in_seed_corpora_are_fresh() {
        check_corpus(&crate::workspace_root()).expect("fresh corpora");
    }

    #[test]
    fn every_target_has_a_libfuzzer_binary_and_seeds() {
        let root = crate::workspace_root();
        let corpus = seed_corpus(&root).expect("seeds");
        for target in TARGETS {
            let binary = root.join("fuzz/fuzz_targets").join(format!("{target}.rs"));
            assert!(binary.is_file(), "{} is missing", binary.display());
            assert!(
                corpus.get(target).is_some_and(|seeds| seeds.len() >= 2),
                "{target} has fewer than two seeds"
            );
        }
        let listed = std::fs::read_dir(root.join("fuzz/fuzz_targets"))
            .expect("fuzz/fuzz_targets")
            .count();
        assert_eq!(
            listed,
            TARGETS.len(),
            "a target of fuzz/fuzz_targets is not in TARGETS"
        );
    }

    #[test]
    fn ci_and_the_docs_pin_the_same_cargo_fuzz() {
        let root = crate::workspace_root();
        let run = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
        assert!(
            run.contains(&format!("cargo_fuzz_version={CARGO_FUZZ_VERSION}\n")),
            ".ci/run does not install cargo-fuzz {CARGO_FUZZ_VERSION}"
        );
        let docs = std::fs::read_to_string(root.join("docs/fuzzing.md")).expect("docs/fuzzing.md");
        assert!(
            docs.contains(&format!("--version {CARGO_FUZZ_VERSION} ")),
            "docs/fuzzing.md does not name cargo-fuzz {CARGO_FUZZ_VERSION}"
        );
    }

    #[test]
    fn the_fuzz_lockfile_is_fresh() {
        check_lockfile(&crate::workspace_root()).expect("a fresh fuzz/Cargo.lock");
    }

    #[test]
    fn options_parse() {
        let options = Options::parse(&args("--seconds 5 redact mock")).expect("options");
        assert_eq!(options.seconds, 5);
        assert_eq!(options.targets, ["redact", "mock"]);
        assert_eq!(options.engine, None);
        let options = Options::parse(&args("--engine stable")).expect("options");
        assert_eq!(options.engine, Some(Engine::Stable));
        assert_eq!(options.targets.len(), TARGETS.len());
        for bad in [
            "--seconds",
            "--seconds 0",
            "--seconds x",
            "nothing",
            "--engine afl",
        ] {
            assert!(Options::parse(&args(bad)).is_err(), "{bad:?} was accepted");
        }
    }
}
