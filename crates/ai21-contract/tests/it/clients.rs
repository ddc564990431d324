//! The client conformance suite: the official AI21 Python SDK, unchanged, driven through
//! its public surface (`tests/clients/python/conformance.py`) against
//! `ai21-contract serve --strict --record`, and the recording validated with
//! `ai21-contract validate`.
//!
//! The test prepares what the suite needs itself: one virtual environment per SDK version,
//! made from its pinned requirements by [`python::virtual_environment`] (under the target
//! directory, reused while the requirements are the same). A step that cannot run (no
//! python3, pip failed) fails the test with the reason: it is never skipped.
//!
//! Every case's expected outcome is data, in `tests/clients/python/expectations.json`:
//! "accepted" (every call succeeded, and its recorded exchanges have no error finding) or
//! "flagged: RULE" (the call was refused with 422 naming RULE, and the recorded exchange's
//! errors are exactly RULE). The outcomes observed also make the client × feature table in
//! `docs/clients.md`; the test fails when the table differs, and `AI21_CONTRACT_BLESS=1`
//! rewrites it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::python;
use crate::support::{Server, ai21, workspace_root};
use crate::tools::{lock, run, target_tmp};

/// The header each case's client sends, naming the case.
const CASE_HEADER: &str = "x-ai21-contract-case";
/// How long the whole Python suite may take (each SDK request gives up after 20 s).
const SUITE_DEADLINE: Duration = Duration::from_secs(180);
/// The key the SDK sends; the mock accepts any non-empty key.
const API_KEY: &str = "client-suite-key";
/// The dummy access key id the SDK's Bedrock client signs with.
const AWS_ACCESS_KEY_ID: &str = "AKIACLIENTSUITE00000";
/// The environment variable that makes the test rewrite the table in docs/clients.md.
const BLESS: &str = "AI21_CONTRACT_BLESS";
const TABLE_START: &str =
    "<!-- client-table:start (written by crates/ai21-contract/tests/it/clients.rs) -->";
const TABLE_END: &str = "<!-- client-table:end -->";

#[test]
fn ai21_2_15_2_passes_the_client_conformance_suite() {
    check_client("2.15.2");
}

#[test]
fn ai21_4_3_0_passes_the_client_conformance_suite() {
    check_client("4.3.0");
}

/// `tests/clients/python/expectations.json`.
#[derive(Debug, Deserialize)]
struct Expectations {
    clients: Vec<Client>,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Client {
    package: String,
    version: String,
    requirements: String,
}

impl Client {
    fn name(&self) -> String {
        format!("{}-{}", self.package, self.version)
    }

    /// The table's column header.
    fn column(&self) -> String {
        format!("`{}` {}", self.package, self.version)
    }
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    feature: String,
    /// The outcome per client version the case runs on.
    expect: BTreeMap<String, String>,
}

/// A case's outcome, expected or observed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Every call succeeded, and the recorded exchanges have no error finding.
    Accepted,
    /// The call was refused with 422 naming this rule, and the recorded exchange's errors
    /// are exactly this rule.
    Flagged(String),
    /// Anything else, said in a few words.
    Failed(String),
}

impl Outcome {
    fn parse(text: &str) -> Outcome {
        match text {
            "accepted" => Outcome::Accepted,
            _ => match text.strip_prefix("flagged: ") {
                Some(rule) => Outcome::Flagged(rule.to_owned()),
                None => panic!("expectations.json: unknown outcome {text:?}"),
            },
        }
    }

    /// The table cell.
    fn cell(&self) -> String {
        match self {
            Outcome::Accepted => "accepted".to_owned(),
            Outcome::Flagged(rule) => format!("flagged: `{rule}`"),
            Outcome::Failed(reason) => format!("fails: {reason}"),
        }
    }
}

fn suite_dir() -> PathBuf {
    workspace_root().join("tests/clients/python")
}

fn expectations() -> Expectations {
    let path = suite_dir().join("expectations.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// What one case recorded and what validating the recording found.
#[derive(Debug, Default)]
struct Recorded {
    /// `(line, status)` of each recorded exchange.
    exchanges: Vec<(u64, u64)>,
    /// `(line, rule, pointer, message)` of each error finding.
    errors: Vec<(u64, String, String, String)>,
    /// Every finding, for failure messages.
    findings: Vec<String>,
}

fn check_client(version: &str) {
    let expectations = expectations();
    let client = expectations
        .clients
        .iter()
        .find(|client| client.version == version)
        .unwrap_or_else(|| panic!("expectations.json has no client {version}"));
    let cases: Vec<&Case> = expectations
        .cases
        .iter()
        .filter(|case| case.expect.contains_key(version))
        .collect();
    assert!(!cases.is_empty(), "no case runs on {version}");
    let python =
        python::virtual_environment(&client.name(), &suite_dir().join(&client.requirements));

    let scratch = tempfile::tempdir().expect("a temporary folder");
    let recording = scratch.path().join("recording.jsonl");
    let recording_arg = recording.display().to_string();
    let server = Server::start(&["--strict", "--record", &recording_arg]);
    let mut suite = Command::new(&python);
    suite
        .arg(suite_dir().join("conformance.py"))
        .args(["--base-url", &server.base_url()])
        .args(cases.iter().map(|case| case.id.as_str()))
        .env("AI21_API_KEY", API_KEY)
        // The Bedrock client signs with boto3's credentials: dummy ones, no configuration
        // of the machine's, no instance metadata lookup.
        .env("AWS_ACCESS_KEY_ID", AWS_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", "client-suite-secret-access-key")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    for variable in [
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AI21_API_HOST",
        "AI21_API_VERSION",
        "AI21_TIMEOUT_SEC",
        "AI21_NUM_RETRIES",
        "AI21_LOG_LEVEL",
    ] {
        suite.env_remove(variable);
    }
    let output = run(&mut suite, SUITE_DEADLINE, "the Python suite");
    let server_log = server.stop();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let context = format!(
        "--- the suite's output ({}):\n{stdout}--- its standard error:\n{stderr}--- the mock's log:\n{server_log}",
        output.status
    );
    assert!(
        output.status.success(),
        "the Python suite failed\n{context}"
    );

    let mut lines = stdout.lines();
    let header: Value = lines
        .next()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no version line\n{context}"));
    assert_eq!(
        header["version"], version,
        "the virtual environment holds another SDK version\n{context}"
    );
    let reports: BTreeMap<String, Value> = lines
        .map(|line| {
            let report: Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not a JSON line ({error}): {line}\n{context}"));
            let case = report["case"].as_str().unwrap_or_default().to_owned();
            (case, report)
        })
        .collect();

    let recording_text = std::fs::read_to_string(&recording).unwrap_or_default();
    assert!(
        !recording_text.contains(API_KEY) && !recording_text.contains(AWS_ACCESS_KEY_ID),
        "a credential reached the recording\n{context}"
    );
    let recorded = recorded_by_case(&recording, &context);
    let mut problems = Vec::new();
    for unknown in recorded.keys().filter(|case| !reports.contains_key(*case)) {
        problems.push(format!(
            "recorded exchanges belong to no case of this run: {unknown:?}"
        ));
    }
    let mut observed = BTreeMap::new();
    for case in &cases {
        let expected = Outcome::parse(&case.expect[version]);
        let empty = Recorded::default();
        let records = recorded.get(&case.id).unwrap_or(&empty);
        let Some(report) = reports.get(&case.id) else {
            problems.push(format!("{}: the suite printed no result", case.id));
            observed.insert(case.id.clone(), Outcome::Failed("no result".to_owned()));
            continue;
        };
        let outcome = outcome(report, records);
        if outcome != expected || records.exchanges.is_empty() {
            let mut problem = format!(
                "{} ({}): expected {}, got {}\n  suite: {report}\n  recorded: {} exchange(s), statuses {:?}",
                case.id,
                case.feature,
                expected.cell(),
                outcome.cell(),
                records.exchanges.len(),
                records
                    .exchanges
                    .iter()
                    .map(|(_, status)| *status)
                    .collect::<Vec<_>>(),
            );
            for finding in &records.findings {
                let _ = write!(problem, "\n  {finding}");
            }
            problems.push(problem);
        }
        observed.insert(case.id.clone(), outcome);
    }
    let table_problem = check_table(&expectations, client, &observed);
    problems.extend(table_problem);
    assert!(
        problems.is_empty(),
        "{} problem(s) with {}:\n\n{}\n\n{context}",
        problems.len(),
        client.name(),
        problems.join("\n\n")
    );
}

/// A case's observed outcome, from the suite's report and its recorded exchanges.
fn outcome(report: &Value, records: &Recorded) -> Outcome {
    let error_rules: BTreeSet<&str> = records
        .errors
        .iter()
        .map(|(_, rule, _, _)| rule.as_str())
        .collect();
    let listed = |rules: &BTreeSet<&str>| {
        rules
            .iter()
            .map(|rule| format!("`{rule}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if report["ok"] == true {
        if let Some((_, status)) = records
            .exchanges
            .iter()
            .find(|(_, status)| !(200..300).contains(status))
        {
            return Outcome::Failed(format!("a call got {status}"));
        }
        if !error_rules.is_empty() {
            return Outcome::Failed(listed(&error_rules));
        }
        return Outcome::Accepted;
    }
    let refused = report["status"] == 422;
    let details = report["details"].as_str().unwrap_or_default();
    if refused
        && error_rules.len() == 1
        && let Some(rule) = error_rules.first()
        && rule.starts_with("client/")
        && details.contains(rule)
    {
        return Outcome::Flagged((*rule).to_owned());
    }
    if refused && !error_rules.is_empty() {
        return Outcome::Failed(format!("refused, {}", listed(&error_rules)));
    }
    let error = report["error"].as_str().unwrap_or("an error");
    Outcome::Failed(match report["status"].as_u64() {
        Some(status) => format!("{error} ({status})"),
        None => error.to_owned(),
    })
}

/// Reads the recording, validates it, and groups exchanges and findings by the case
/// header of each recorded request.
fn recorded_by_case(recording: &Path, context: &str) -> BTreeMap<String, Recorded> {
    let text = std::fs::read_to_string(recording)
        .unwrap_or_else(|error| panic!("reading the recording: {error}\n{context}"));
    let mut case_of_line = BTreeMap::new();
    let mut by_case: BTreeMap<String, Recorded> = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        let record: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("recording line {number}: {error}\n{context}"));
        let headers = &record["request"]["headers"];
        let case = headers
            .as_object()
            .and_then(|headers| {
                headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(CASE_HEADER))
            })
            .and_then(|(_, value)| value.as_str())
            .unwrap_or_else(|| {
                panic!("recording line {number} has no {CASE_HEADER} header: {line}\n{context}")
            })
            .to_owned();
        let status = record["response"]["status"].as_u64().unwrap_or_default();
        by_case
            .entry(case.clone())
            .or_default()
            .exchanges
            .push((number, status));
        case_of_line.insert(number, case);
    }

    let recording_arg = recording.display().to_string();
    let run = ai21(&["validate", "--format", "json", &recording_arg], b"");
    assert!(
        run.code == 0 || run.code == 1,
        "validate could not run (exit {}):\n{}{}\n{context}",
        run.code,
        run.stdout,
        run.stderr
    );
    for line in run.stdout.lines() {
        let finding: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("validate wrote a bad line ({error}): {line}"));
        match finding["type"].as_str() {
            Some("finding") => {}
            Some("summary") => {
                assert_eq!(finding["unreadable"], 0, "unreadable records: {line}");
                assert_eq!(finding["skipped"], 0, "skipped records: {line}");
                continue;
            }
            _ => panic!("validate reported {line}\n{context}"),
        }
        let number = finding["line"].as_u64().unwrap_or_default();
        let case = case_of_line
            .get(&number)
            .unwrap_or_else(|| panic!("a finding on no recorded line: {line}"));
        let text = |name: &str| finding[name].as_str().unwrap_or_default().to_owned();
        let recorded = by_case.entry(case.clone()).or_default();
        recorded.findings.push(format!(
            "line {number} ({}): {}[{}] at {} {}: {}",
            finding["status"],
            text("severity"),
            text("rule"),
            text("target"),
            text("pointer"),
            text("message")
        ));
        if finding["severity"] == "error" {
            recorded
                .errors
                .push((number, text("rule"), text("pointer"), text("message")));
        }
    }
    by_case
}

/// Checks this client's column of the table in docs/clients.md against the observed
/// outcomes (rewriting it with `AI21_CONTRACT_BLESS=1`); the problem, if any.
fn check_table(
    expectations: &Expectations,
    client: &Client,
    observed: &BTreeMap<String, Outcome>,
) -> Option<String> {
    let path = workspace_root().join("docs/clients.md");
    // The two clients' tests may rewrite the page at once: one at a time.
    let _lock = lock(&target_tmp().join("docs-clients-md.lock"));
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    let current = page
        .split_once(TABLE_START)
        .and_then(|(_, rest)| rest.split_once(TABLE_END))
        .map(|(table, _)| table.trim().to_owned());
    let cells = current.as_deref().map(table_cells).unwrap_or_default();
    let mut table = format!(
        "| feature | {} |\n|---{}|\n",
        expectations
            .clients
            .iter()
            .map(Client::column)
            .collect::<Vec<_>>()
            .join(" | "),
        "|---".repeat(expectations.clients.len())
    );
    for case in &expectations.cases {
        let row: Vec<String> = expectations
            .clients
            .iter()
            .map(|other| {
                if !case.expect.contains_key(&other.version) {
                    "n/a".to_owned()
                } else if other.version == client.version {
                    observed
                        .get(&case.id)
                        .map_or_else(|| "fails: no result".to_owned(), Outcome::cell)
                } else {
                    // The other client's test owns its column; until it has written
                    // one, the expectation stands in.
                    cells
                        .get(&(case.feature.clone(), other.column()))
                        .cloned()
                        .unwrap_or_else(|| Outcome::parse(&case.expect[&other.version]).cell())
                }
            })
            .collect();
        let _ = writeln!(table, "| {} | {} |", case.feature, row.join(" | "));
    }
    let table = table.trim().to_owned();
    if current.as_deref() == Some(table.as_str()) {
        return None;
    }
    if std::env::var_os(BLESS).is_some() {
        let rewritten = match page.split_once(TABLE_START) {
            Some((before, rest)) if rest.contains(TABLE_END) => {
                let after = rest.split_once(TABLE_END).map_or("", |(_, after)| after);
                format!("{before}{TABLE_START}\n{table}\n{TABLE_END}{after}")
            }
            _ => format!("{page}\n{TABLE_START}\n{table}\n{TABLE_END}\n"),
        };
        std::fs::write(&path, rewritten)
            .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
        return None;
    }
    let mut diff = String::new();
    let old: Vec<&str> = current.as_deref().unwrap_or_default().lines().collect();
    let new: Vec<&str> = table.lines().collect();
    for index in 0..old.len().max(new.len()) {
        let (before, after) = (old.get(index), new.get(index));
        if before != after {
            if let Some(before) = before {
                let _ = writeln!(diff, "- {before}");
            }
            if let Some(after) = after {
                let _ = writeln!(diff, "+ {after}");
            }
        }
    }
    Some(format!(
        "docs/clients.md: the client table differs from what the suite produced for {} (- the page, + the suite):\n{diff}\
         rewrite it with: {BLESS}=1 cargo test -p ai21-contract --test it clients",
        client.name()
    ))
}

/// The cells of a table, by (feature, column header).
fn table_cells(table: &str) -> BTreeMap<(String, String), String> {
    let rows: Vec<Vec<String>> = table
        .lines()
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect();
    let Some(header) = rows.first() else {
        return BTreeMap::new();
    };
    let mut cells = BTreeMap::new();
    for row in rows.iter().skip(2) {
        for (column, cell) in header.iter().zip(row).skip(1) {
            cells.insert((row[0].clone(), column.clone()), cell.clone());
        }
    }
    cells
}
