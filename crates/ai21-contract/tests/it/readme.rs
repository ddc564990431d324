//! The README shows what its main command prints: the text block after the command is the
//! output of `validate tests/fixtures/captures/`, durations aside.
//!
//! And the tests run what its section "Using the contract from other projects" shows, as
//! written: its commands (through [`command`] and [`run_ai21`], by the test named for each
//! in [`RUN_BY`]) and its Rust lines (`export.rs` builds a crate of them).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{TODAY, ai21, workspace_root};
use crate::tools::run_ok;

/// The heading of the section whose every command and code block a test runs.
const OTHER_PROJECTS: &str = "## Using the contract from other projects";

/// How each command of that section begins, and the tests that run it. A command no test
/// runs, or a test that is gone, fails [`every_command_for_other_projects_is_run_by_a_test`].
const RUN_BY: [(&[&str], &[&str]); 6] = [
    (
        &["ai21-contract", "generate", "rust"],
        &[
            "export::the_readme_rust_lines_build_and_the_generated_module_reads_every_documented_example",
        ],
    ),
    (
        &["ai21-contract", "export", "openapi"],
        &[
            "ecosystem_python::openapi_spec_validator_finds_no_error_in_the_exported_document",
            "ecosystem_python::pydantic_models_generated_from_the_export_read_the_examples_and_the_mock",
            "ecosystem_typescript::openapi_typescript_types_compile_the_documented_examples_and_reject_wrong_ones",
        ],
    ),
    (
        &["ai21-contract", "export", "schemas"],
        &["export::export_schemas_writes_the_canonical_files_and_a_catalog"],
    ),
    (
        &["datamodel-codegen"],
        &[
            "ecosystem_python::pydantic_models_generated_from_the_export_read_the_examples_and_the_mock",
        ],
    ),
    (
        &["npx"],
        &[
            "ecosystem_typescript::openapi_typescript_types_compile_the_documented_examples_and_reject_wrong_ones",
        ],
    ),
    (
        &["openapi-spec-validator"],
        &["ecosystem_python::openapi_spec_validator_finds_no_error_in_the_exported_document"],
    ),
];

fn readme() -> String {
    std::fs::read_to_string(workspace_root().join("README.md")).expect("the README is readable")
}

/// The README's section on other projects, up to the next `## ` heading.
fn other_projects() -> String {
    let readme = readme();
    let start = readme
        .find(&format!("{OTHER_PROJECTS}\n"))
        .unwrap_or_else(|| panic!("the README has no section {OTHER_PROJECTS:?}"));
    let section = &readme[start + OTHER_PROJECTS.len()..];
    let end = section.find("\n## ").unwrap_or(section.len());
    section[..end].to_owned()
}

/// The code blocks of the section fenced with this language, in order.
pub(crate) fn code_blocks(language: &str) -> Vec<String> {
    let section = other_projects();
    let fence = format!("```{language}\n");
    let mut blocks = Vec::new();
    let mut rest = section.as_str();
    while let Some(start) = rest.find(&fence) {
        let after = &rest[start + fence.len()..];
        let end = after.find("```").expect("a code block of the README ends");
        blocks.push(after[..end].to_owned());
        rest = &after[end..];
        // Past the closing fence.
        rest = &rest[3..];
    }
    blocks
}

/// The section's commands: each line of its `sh` blocks split into words as a POSIX shell
/// splits them, comments and empty lines dropped.
fn commands() -> Vec<Vec<String>> {
    code_blocks("sh")
        .iter()
        .flat_map(|block| block.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| {
            let words = shlex::split(&line)
                .unwrap_or_else(|| panic!("the README's command {line:?} is not shell words"));
            (!words.is_empty()).then_some(words)
        })
        .collect()
}

/// The words after `start` of the one command of the section that begins with it.
pub(crate) fn command(start: &[&str]) -> Vec<String> {
    let mut found: Vec<Vec<String>> = commands()
        .into_iter()
        .filter(|words| begins_with(words, start))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "the README's section {OTHER_PROJECTS:?} should have one command beginning with {start:?}: {found:?}"
    );
    found.remove(0).split_off(start.len())
}

fn begins_with(words: &[String], start: &[&str]) -> bool {
    words.len() >= start.len() && words.iter().zip(start).all(|(word, start)| word == start)
}

/// Runs the section's `ai21-contract` command that begins with `start` in `folder`, with the
/// binary under test, as a user in their own project would, and fails when it fails.
pub(crate) fn run_ai21(start: &[&str], folder: &Path) {
    assert_eq!(start.first(), Some(&"ai21-contract"), "{start:?}");
    let mut arguments: Vec<String> = start[1..].iter().map(|word| (*word).to_owned()).collect();
    arguments.extend(command(start));
    run_ok(
        Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
            .args(&arguments)
            .current_dir(folder)
            .env(ai21_validate::TODAY_VARIABLE, TODAY),
        Duration::from_secs(120),
        &format!("the README's `ai21-contract {}`", arguments.join(" ")),
    );
}

#[test]
fn every_command_for_other_projects_is_run_by_a_test() {
    let commands = commands();
    assert!(
        commands.len() >= RUN_BY.len(),
        "the README's section {OTHER_PROJECTS:?} lost commands: {commands:?}"
    );
    for words in &commands {
        let starts = RUN_BY
            .iter()
            .filter(|(start, _)| begins_with(words, start))
            .count();
        assert_eq!(
            starts, 1,
            "the README's command {words:?} should begin as one entry of RUN_BY, which names the tests that run it"
        );
    }
    // Each start begins one command (`command` fails otherwise), and each test named exists.
    let listed = run_ok(
        Command::new(std::env::current_exe().expect("the test binary's path"))
            .args(["--list", "--format", "terse"]),
        Duration::from_secs(60),
        "listing the tests",
    );
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    for (start, tests) in RUN_BY {
        command(start);
        for test in tests {
            assert!(
                listed.lines().any(|line| line == format!("{test}: test")),
                "RUN_BY names {test}, which is not a test"
            );
        }
    }
    // The Rust lines: the crate's manifest and program, and the vendored module's `mod`.
    assert_eq!(code_blocks("toml").len(), 1);
    assert_eq!(code_blocks("rust").len(), 1);
    assert!(other_projects().contains("add `mod ai21;`"));
}

/// The first `text` block after the README's main command: what it claims the command
/// prints.
fn readme_output() -> String {
    let readme = readme();
    let command = readme
        .find("cargo run --release -p ai21-contract -- validate tests/fixtures/captures/")
        .expect("the README gives the main command");
    let after = &readme[command..];
    let start = after.find("```text\n").expect("a text block follows") + "```text\n".len();
    let end = after[start..].find("```").expect("the text block ends");
    after[start..start + end].to_owned()
}

/// The text with the summary's duration (` in 0.01s:`) replaced by ` in [TIME]:`.
fn without_durations(text: &str) -> String {
    text.lines()
        .map(without_duration)
        .collect::<Vec<_>>()
        .join("\n")
}

fn without_duration(line: &str) -> String {
    if let Some((start, end)) = line.find(" in ").zip(line.rfind("s:")) {
        let seconds = line.get(start + 4..end).unwrap_or_default();
        if !seconds.is_empty()
            && seconds
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte == b'.')
        {
            return format!("{} in [TIME]{}", &line[..start], &line[end + 1..]);
        }
    }
    line.to_owned()
}

#[test]
fn the_readme_shows_what_the_main_command_prints() {
    let run = ai21(&["validate", "tests/fixtures/captures/"], b"");
    assert_eq!(
        run.code,
        1,
        "the samples hold violations: {}",
        run.transcript()
    );
    let shown = without_durations(&readme_output());
    let printed = without_durations(&run.stdout);
    assert!(
        shown.contains("[TIME]"),
        "the README's block ends with a summary: {shown}"
    );
    assert_eq!(
        shown.trim_end(),
        printed.trim_end(),
        "README.md's sample output is stale: paste the new output under the main command"
    );
}
