//! The Python half of the proof that other ecosystems' tools take the contract, on the
//! exported OpenAPI document (`exports/ai21.openapi.json`, which `export openapi` writes):
//!
//! - `openapi-spec-validator` finds no error in it;
//! - Schemathesis, driven by it, fuzzes `ai21-contract serve --strict` on loopback, in
//!   positive and negative modes with every check, and finds no failure;
//! - `datamodel-code-generator` writes pydantic v2 models from it, which read every
//!   documented example into the model of its kind, reject the invalid examples a pydantic
//!   model can state, and read the mock's answers, a stream's chunks and error envelopes
//!   included (`tests/ecosystem/python/pydantic_check.py`).
//!
//! The tools are the exact versions of `tests/ecosystem/python/requirements.txt`, in a
//! virtual environment the test makes under the target directory
//! ([`python::virtual_environment`]). Every subprocess has a deadline, the mock listens on
//! 127.0.0.1 only, and a step that cannot run fails the test with the reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use ai21_schemas::PayloadKind;
use serde_json::Value;

use crate::support::{Server, workspace_root};
use crate::tools::{run, run_ok};
use crate::{python, readme};

/// How long validating the document, or generating the models, may take.
const TOOL_DEADLINE: Duration = Duration::from_secs(120);
/// How long the Schemathesis run may take: its time limit, past which it is killed and the
/// test fails. The bound on examples below sizes the run: about 15 s alone on a 2-core
/// machine. (Schemathesis's own `--max-time` would not bound it: it makes fuzzing repeat
/// until the time is spent.)
const SCHEMATHESIS_DEADLINE: Duration = Duration::from_secs(120);
/// How long the pydantic check may take (each request to the mock gives up after 20 s).
const PYDANTIC_DEADLINE: Duration = Duration::from_secs(180);

/// Schemathesis's bound on the test cases of each operation in its fuzzing phase, and its
/// seed: the same seed and bound generate the same cases.
const SCHEMATHESIS_MAX_EXAMPLES: &str = "300";
const SCHEMATHESIS_SEED: &str = "1";
/// `--checks all` runs every check; these must have run on some case, so that a change
/// that silently skips them fails the test.
const CHECKS_THAT_MUST_RUN: [&str; 7] = [
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "ignored_auth",
    // The check of tests/ecosystem/python/schemathesis_hooks.py.
    "contract_rules_refused",
];

/// The variable `serve --key-env` reads, and the one key it then accepts: Schemathesis's
/// `ignored_auth` check sends other keys, which must get a 401, as with the real API.
const KEY_VARIABLE: &str = "AI21_CONTRACT_ECOSYSTEM_KEYS";
const KEY: &str = "ecosystem-check-key";

fn ecosystem_dir() -> PathBuf {
    workspace_root().join("tests/ecosystem/python")
}

fn document() -> PathBuf {
    workspace_root().join("exports/ai21.openapi.json")
}

/// The Python of the ecosystem checks' virtual environment.
fn ecosystem_python() -> PathBuf {
    python::virtual_environment("ecosystem", &ecosystem_dir().join("requirements.txt"))
}

/// The text of an output, for failure messages.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary folder holding the exported document, written there by the README's
/// `ai21-contract export openapi` command (as `ai21.openapi.json`; `export.rs` proves it
/// is `exports/ai21.openapi.json`).
fn exported() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    readme::run_ai21(&["ai21-contract", "export", "openapi"], folder.path());
    folder
}

/// Runs the README's command of `program`, a script of the virtual environment of
/// `python`, in `folder`, and fails when it fails.
fn run_readme(python: &Path, program: &str, folder: &Path) -> Output {
    let arguments = readme::command(&[program]);
    run_ok(
        Command::new(python::script(python, program))
            .args(&arguments)
            .current_dir(folder),
        TOOL_DEADLINE,
        &format!("the README's {program} {}", arguments.join(" ")),
    )
}

#[test]
fn openapi_spec_validator_finds_no_error_in_the_exported_document() {
    let python = ecosystem_python();
    let folder = exported();
    let output = run_readme(&python, "openapi-spec-validator", folder.path());
    let stdout = text(&output.stdout);
    assert!(
        stdout.trim_end().ends_with(": OK"),
        "openapi-spec-validator did not say OK:\n{stdout}{}",
        text(&output.stderr)
    );
}

#[test]
fn schemathesis_finds_no_failure_in_the_strict_mock() {
    let python = ecosystem_python();
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let reports = scratch.path().join("reports");
    let server = Server::start_with_env(
        &["--strict", "--key-env", KEY_VARIABLE],
        &[(KEY_VARIABLE, KEY)],
    );
    let mut schemathesis = Command::new(python::script(&python, "schemathesis"));
    schemathesis
        .arg("run")
        .arg(document())
        .args(["--url", &server.base_url()])
        .args(["--header", &format!("Authorization: Bearer {KEY}")])
        .args(["--mode", "all", "--checks", "all"])
        .args(["--max-examples", SCHEMATHESIS_MAX_EXAMPLES])
        .args(["--seed", SCHEMATHESIS_SEED, "--workers", "1"])
        .args(["--request-timeout", "30", "--generation-database", "none"])
        .args(["--no-color", "--report", "json,ndjson", "--report-dir"])
        .arg(&reports)
        // A folder of its own, so no `schemathesis.toml` or `.hypothesis` of the
        // workspace is read or written.
        .current_dir(scratch.path())
        .env("PYTHONPATH", ecosystem_dir())
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_COLOR", "1");
    let output = run(&mut schemathesis, SCHEMATHESIS_DEADLINE, "schemathesis run");
    let context = context("schemathesis", &output, server);
    assert!(output.status.success(), "schemathesis failed\n{context}");

    let report = read_report(&reports, "json", &context);
    let report: Value = serde_json::from_str(&report)
        .unwrap_or_else(|error| panic!("the JSON report: {error}\n{context}"));
    assert_eq!(report["exit_code"], 0, "{context}");
    assert_eq!(report["operations"]["tested"], 3, "{context}");
    for phase in ["examples", "coverage", "fuzzing"] {
        assert_eq!(
            report["phases"][phase]["status"], "success",
            "{phase}\n{context}"
        );
    }
    for list in ["failures", "errors"] {
        assert_eq!(report[list], Value::Array(Vec::new()), "{list}\n{context}");
    }
    assert_eq!(report["test_cases"]["with_failures"], 0, "{context}");

    let checks = check_counts(&read_report(&reports, "ndjson", &context), &context);
    for check in CHECKS_THAT_MUST_RUN {
        assert!(
            checks.get(check).is_some_and(|(ran, _)| *ran > 0),
            "the check {check} never ran: {checks:?}\n{context}"
        );
    }
    let failed: Vec<_> = checks
        .iter()
        .filter(|(_, (_, failed))| *failed > 0)
        .collect();
    assert!(failed.is_empty(), "failed checks: {failed:?}\n{context}");
    let generated = &report["test_cases"]["generated"];
    let ran: u64 = checks.values().map(|(ran, _)| ran).sum();
    // The numbers, for a person reading the test output (`-- --nocapture`).
    #[allow(clippy::print_stderr, reason = "reports the run's numbers")]
    {
        eprintln!(
            "schemathesis: {} operations, {generated} test cases generated, {ran} checks run ({} kinds), 0 failures; {} rejections of positive data dropped by the hooks because they break a rule the schema leaves to the validator",
            report["operations"]["tested"],
            checks.len(),
            report["filtered"]
        );
    }
}

/// What a failure message shows of a tool's run against the mock: the tool's output, and
/// the end of the mock's log (the mock is stopped).
fn context(tool: &str, output: &Output, server: Server) -> String {
    format!(
        "--- {tool}'s output ({}):\n{}--- its standard error:\n{}--- the mock's log (its last 4000 bytes):\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr),
        tail(&server.stop(), 4000)
    )
}

/// The last `bytes` bytes of a text, or all of it (cut at a character boundary).
fn tail(text: &str, bytes: usize) -> &str {
    let mut start = text.len().saturating_sub(bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The one report of this extension Schemathesis wrote in `folder`.
fn read_report(folder: &Path, extension: &str, context: &str) -> String {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("reading {}: {error}\n{context}", folder.display()));
    let paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    let [path] = paths.as_slice() else {
        panic!("not one .{extension} report: {paths:?}\n{context}");
    };
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}\n{context}", path.display()))
}

/// How often each check ran, and failed, from the NDJSON events of a run: each finished
/// scenario records its checks' results.
fn check_counts(events: &str, context: &str) -> BTreeMap<String, (u64, u64)> {
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for line in events.lines() {
        let event: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("an NDJSON event ({error}): {line}\n{context}"));
        let Some(checks) = event["ScenarioFinished"]["recorder"]["checks"].as_object() else {
            continue;
        };
        for results in checks.values() {
            for result in results.as_array().into_iter().flatten() {
                let name = result["name"].as_str().unwrap_or("?").to_owned();
                let entry = counts.entry(name).or_default();
                entry.0 += 1;
                if result["status"] != "success" {
                    entry.1 += 1;
                }
            }
        }
    }
    assert!(!counts.is_empty(), "no check ran\n{context}");
    counts
}

#[test]
fn pydantic_models_generated_from_the_export_read_the_examples_and_the_mock() {
    let python = ecosystem_python();
    // The README's commands, in a folder of their own.
    let scratch = exported();
    let generated = run_readme(&python, "datamodel-codegen", scratch.path());
    // A warning would say the generator read the document otherwise than it is meant.
    assert!(
        generated.stderr.is_empty(),
        "datamodel-codegen warned:\n{}",
        text(&generated.stderr)
    );
    assert!(
        scratch.path().join("ai21_models.py").is_file(),
        "the README's datamodel-codegen writes ai21_models.py"
    );

    let kinds: serde_json::Map<String, Value> = PayloadKind::ALL
        .into_iter()
        .map(|kind| (kind.stem().to_owned(), Value::from(kind.type_name())))
        .collect();
    let server = Server::start_with_env(
        &["--strict", "--key-env", KEY_VARIABLE],
        &[(KEY_VARIABLE, KEY)],
    );
    let output = run(
        Command::new(&python)
            .arg(ecosystem_dir().join("pydantic_check.py"))
            .arg("--models")
            .arg(scratch.path())
            .arg("--examples")
            .arg(workspace_root().join("schemas/examples"))
            .args(["--kinds", &Value::Object(kinds).to_string()])
            .args(["--base-url", &server.base_url(), "--key", KEY])
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        PYDANTIC_DEADLINE,
        "pydantic_check.py",
    );
    let context = context("pydantic_check.py", &output, server);
    assert!(
        output.status.success(),
        "the pydantic check failed\n{context}"
    );
    let counts: Value = text(&output.stdout)
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no counts line\n{context}"));
    let valid = ai21_schemas::examples()
        .filter(|example| example.is_valid())
        .count();
    let invalid = ai21_schemas::examples().count() - valid;
    assert_eq!(counts["valid"], valid, "{context}");
    assert_eq!(
        counts["invalid_rejected"].as_u64().unwrap_or_default()
            + counts["left_out"].as_u64().unwrap_or_default(),
        invalid as u64,
        "{context}"
    );
    assert!(
        counts["mock_answers"].as_u64().unwrap_or_default() > 0,
        "{context}"
    );
}
