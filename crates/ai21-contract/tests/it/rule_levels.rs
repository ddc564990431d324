//! Rule levels on `validate`: `--allow`, `--warn` and `--deny` with ids and prefixes, the
//! configuration file, and the errors of an unknown rule or a malformed file.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::workspace_root;

const SAMPLES: &str = "tests/fixtures/captures/";

fn validate_in(folder: &std::path::Path, arguments: &[&str]) -> Output {
    Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .arg("validate")
        .args(arguments)
        .current_dir(folder)
        .env_remove("CI")
        .output()
        .expect("the binary runs")
}

fn samples() -> String {
    workspace_root().join(SAMPLES).display().to_string()
}

/// The summary and the `(rule, severity)` of every finding of a JSON Lines report.
fn report(output: &Output) -> (Value, Vec<(String, String)>) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON Lines"))
        .collect();
    let summary = lines
        .iter()
        .find(|line| line["type"] == "summary")
        .cloned()
        .expect("a summary");
    let findings = lines
        .iter()
        .filter(|line| line["type"] == "finding")
        .map(|line| {
            (
                line["rule"].as_str().unwrap_or_default().to_owned(),
                line["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (summary, findings)
}

#[test]
fn levels_drop_downgrade_and_upgrade_findings_and_count_the_dropped() {
    let folder = tempfile::tempdir().expect("a folder");
    let samples = samples();
    let plain = validate_in(folder.path(), &[&samples, "--format", "json"]);
    let (summary, findings) = report(&plain);
    assert_eq!(summary.get("allowed"), None, "{summary}");
    let retired = findings
        .iter()
        .filter(|(rule, _)| rule == "drift/retired-model")
        .count();
    let unknown = findings
        .iter()
        .filter(|(rule, _)| rule == "drift/unknown-field")
        .count();
    assert!(retired >= 2 && unknown >= 1, "{findings:?}");
    // Allowed: every drift/ finding but the denied unknown fields.
    let drift = findings
        .iter()
        .filter(|(rule, _)| rule.starts_with("drift/") && rule != "drift/unknown-field")
        .count();

    let levelled = validate_in(
        folder.path(),
        &[
            &samples,
            "--format",
            "json",
            "--allow",
            "drift/",
            "--deny",
            "drift/unknown-field",
            "--warn",
            "j2/",
        ],
    );
    let (summary, findings) = report(&levelled);
    assert_eq!(summary["allowed"].as_u64(), Some(drift as u64), "{summary}");
    assert!(
        !findings
            .iter()
            .any(|(rule, _)| rule == "drift/retired-model")
    );
    assert!(findings.contains(&("drift/unknown-field".to_owned(), "error".to_owned())));
    assert!(findings.contains(&("j2/text-range-tiling".to_owned(), "warning".to_owned())));
    assert_eq!(levelled.status.code(), Some(1));

    // The human summary counts them too.
    let human = validate_in(folder.path(), &[&samples, "--allow", "drift/retired-model"]);
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(
        stdout.contains(&format!(", {retired} allowed in ")),
        "{stdout}"
    );
}

#[test]
fn the_configuration_file_is_found_upwards_and_the_command_line_wins_a_tie() {
    let root = tempfile::tempdir().expect("a folder");
    let deep = root.path().join("a").join("b");
    std::fs::create_dir_all(&deep).expect("folders");
    std::fs::write(
        root.path().join("ai21-contract.toml"),
        "[rules]\nallow = [\"drift/\"]\n",
    )
    .expect("the file");
    let samples = samples();
    let (summary, findings) = report(&validate_in(&deep, &[&samples, "--format", "json"]));
    assert!(
        summary["allowed"]
            .as_u64()
            .is_some_and(|allowed| allowed >= 3),
        "{summary}"
    );
    assert!(!findings.iter().any(|(rule, _)| rule.starts_with("drift/")));
    let (_, findings) = report(&validate_in(
        &deep,
        &[&samples, "--format", "json", "--warn", "drift/"],
    ));
    assert!(findings.iter().any(|(rule, _)| rule.starts_with("drift/")));
    let (summary, _) = report(&validate_in(
        &deep,
        &[&samples, "--format", "json", "--no-config"],
    ));
    assert_eq!(summary.get("allowed"), None, "{summary}");
    // --config names another file.
    let other = root.path().join("other.toml");
    std::fs::write(&other, "[rules]\ndeny = [\"drift/retired-model\"]\n").expect("the file");
    let other_arg = other.display().to_string();
    let (_, findings) = report(&validate_in(
        &deep,
        &[&samples, "--format", "json", "--config", &other_arg],
    ));
    assert!(findings.contains(&("drift/retired-model".to_owned(), "error".to_owned())));
}

#[test]
fn an_unknown_rule_or_a_malformed_file_stops_the_command_with_where_it_is() {
    let folder = tempfile::tempdir().expect("a folder");
    let samples = samples();
    let output = validate_in(folder.path(), &[&samples, "--allow", "drift/retird-model"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(r#"--allow drift/retird-model: unknown rule "drift/retird-model" (did you mean "drift/retired-model"?)"#),
        "{stderr}"
    );
    std::fs::write(
        folder.path().join("ai21-contract.toml"),
        "[rules]\nallow = [\"drift/\"]\nwarn = 3\n",
    )
    .expect("the file");
    let output = validate_in(folder.path(), &[&samples]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "ai21-contract.toml:3:8: at `warn = 3`: invalid type: integer `3`, expected a sequence"
        ),
        "{stderr}"
    );
    let missing = folder.path().join("missing.toml").display().to_string();
    let output = validate_in(folder.path(), &[&samples, "--config", &missing]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("reading the configuration file"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
