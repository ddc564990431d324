//! `ai21-contract validate` on the sample captures of `tests/fixtures/captures/`, in every
//! report format; the snapshots are what a person or a CI system reads.

use crate::support::{ai21, assert_accounted, assert_transcript};

const SAMPLES: &str = "tests/fixtures/captures/";

#[track_caller]
fn check(name: &str, arguments: &[&str]) {
    let mut all = vec!["validate", SAMPLES];
    all.extend_from_slice(arguments);
    let run = ai21(&all, b"");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_transcript(name, &run, None);
}

#[test]
fn human() {
    check("validate-human", &[]);
}

#[test]
fn human_verbose_lists_valid_and_skipped_records() {
    check("validate-human-verbose", &["--verbose"]);
}

#[test]
fn human_in_colour_only_when_asked_or_on_a_terminal() {
    check("validate-human-color", &["--color", "always"]);
    let run = ai21(&["validate", SAMPLES], b"");
    assert!(!run.stdout.contains('\x1b'), "no colour in a pipe");
}

#[test]
fn json_lines() {
    check("validate-json", &["--format", "json"]);
    let run = ai21(&["validate", SAMPLES, "--format", "json"], b"");
    let summary = assert_accounted(&run);
    assert_eq!(summary["records"], 26);
}

#[test]
fn junit() {
    check("validate-junit", &["--format", "junit"]);
}

#[test]
fn sarif() {
    check("validate-sarif", &["--format", "sarif"]);
    let run = ai21(&["validate", SAMPLES, "--format", "sarif"], b"");
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run_object = &sarif["runs"][0];
    let rules = run_object["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let results = run_object["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("every rule is known") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("a uri");
        if uri.ends_with(".jsonl") {
            assert!(
                location["region"]["startLine"].as_u64().is_some(),
                "{result}"
            );
        } else {
            assert!(uri.ends_with(".har"), "{uri}");
            assert!(
                result["message"]["text"]
                    .as_str()
                    .is_some_and(|text| text.starts_with("entry ")),
                "{result}"
            );
        }
    }
}
