//! `ai21-contract diff`: breaking and compatible changes found by documents, on edited
//! schemas, on the historical contracts, on this repository's own history, and the
//! declarations that let an intended break pass.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Run, ai21, workspace_root};

/// Few random documents: the boundary probes find range changes whatever the count.
const CASES: &str = "32";

fn schema(name: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join("schemas").join(name))
        .expect("the schema is in the repository");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// A folder holding `schemas` as schema files.
fn side(schemas: &[(&str, &Value)]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    for (name, schema) in schemas {
        std::fs::write(folder.path().join(name), schema.to_string()).expect("writing a schema");
    }
    folder
}

fn path(folder: &tempfile::TempDir) -> &str {
    folder.path().to_str().expect("a UTF-8 temporary path")
}

fn json_diff(arguments: &[&str]) -> (Run, Value) {
    let mut all = vec!["diff", "--format", "json", "--cases", CASES];
    all.extend_from_slice(arguments);
    let run = ai21(&all, b"");
    let report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("the JSON report reads ({error}): {}", run.transcript()));
    (run, report)
}

/// Every change of the report, across subjects.
fn changes(report: &Value) -> Vec<&Value> {
    report["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .flat_map(|subject| subject["changes"].as_array().expect("changes"))
        .collect()
}

fn find<'a>(report: &'a Value, id: &str) -> &'a Value {
    changes(report)
        .into_iter()
        .find(|change| change["id"] == id)
        .unwrap_or_else(|| panic!("no change {id} in {report:#}"))
}

fn with_temperature_maximum(maximum: f64) -> Value {
    let mut edited = schema("jamba-chat.request.schema.json");
    edited["properties"]["temperature"]["maximum"] = json!(maximum);
    edited
}

#[test]
fn narrowing_a_request_range_breaks_clients_and_names_the_property_with_an_example() {
    let today = schema("jamba-chat.request.schema.json");
    let old = side(&[("jamba-chat.request.schema.json", &today)]);
    let new = side(&[(
        "jamba-chat.request.schema.json",
        &with_temperature_maximum(1.0),
    )]);
    let (run, report) = json_diff(&[path(&old), path(&new)]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let change = find(&report, "jamba-chat.request:/temperature:maximum");
    assert_eq!(change["class"], "breaking");
    assert_eq!(change["direction"], "no-longer-accepted");
    assert_eq!(change["schema_location"], "/properties/temperature/maximum");
    let example = &change["example"];
    let temperature = example["temperature"]
        .as_f64()
        .expect("the example has a temperature");
    // The first value past the new bound, in the hundredths the minimiser works in.
    assert_eq!(temperature, 1.01, "{example}");
    assert!(
        change["causes"][0]
            .as_str()
            .expect("as the test set it up")
            .contains("/properties/temperature/maximum: 2 → 1"),
        "{change:#}"
    );
    // Nothing else differs, so nothing else is reported.
    assert_eq!(changes(&report).len(), 1, "{report:#}");

    let run = ai21(&["diff", "--cases", CASES, path(&old), path(&new)], b"");
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("breaking           /temperature maximum"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"temperature\":1.01"),
        "{}",
        run.stdout
    );
}

#[test]
fn widening_a_request_range_is_compatible() {
    let today = schema("jamba-chat.request.schema.json");
    let old = side(&[("jamba-chat.request.schema.json", &today)]);
    let new = side(&[(
        "jamba-chat.request.schema.json",
        &with_temperature_maximum(3.0),
    )]);
    let (run, report) = json_diff(&[path(&old), path(&new)]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let change = find(&report, "jamba-chat.request:/temperature:maximum");
    assert_eq!(change["class"], "compatible");
    assert_eq!(change["direction"], "newly-accepted");
    assert!(
        change["example"]["temperature"]
            .as_f64()
            .expect("as the test set it up")
            > 2.0,
        "{change:#}"
    );
    assert_eq!(report["breaks"], false);
}

#[test]
fn the_jamba_preview_to_today_adds_parameters_compatibly_and_caps_max_tokens() {
    let (run, report) = json_diff(&["schemas/history/jamba-preview", "schemas"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let cap = find(&report, "jamba-chat.request:/max_tokens:maximum");
    assert_eq!(cap["class"], "breaking");
    assert_eq!(cap["example"]["max_tokens"], 4097, "{cap:#}");
    for parameter in ["n", "stream", "tools", "documents", "response_format"] {
        let added = find(
            &report,
            &format!("jamba-chat.request:/{parameter}:additionalProperties"),
        );
        assert_eq!(added["class"], "compatible", "{added:#}");
        assert!(added["example"].get(parameter).is_some(), "{added:#}");
    }
    let tool_role = find(&report, "jamba-chat.request:/messages/*/role:const");
    assert_eq!(tool_role["class"], "compatible");
    // The responses: null content (tool calls) breaks consumers of the preview's answers;
    // new members such as `model` break only those that refuse unknown members.
    assert_eq!(
        find(
            &report,
            "jamba-chat.response:/choices/*/message/content:type[null]"
        )["class"],
        "breaking"
    );
    assert_eq!(
        find(&report, "jamba-chat.response:/model:additionalProperties")["class"],
        "unknown-member"
    );
    // The default that changed is noted in the keyword summary, with no verdict.
    let request = &report["subjects"][0];
    let default = request["keywords"]
        .as_array()
        .expect("as the test set it up")
        .iter()
        .find(|change| change["location"] == "/properties/temperature/default")
        .expect("the changed default is in the summary");
    assert_eq!(
        (default["old"].clone(), default["new"].clone()),
        (json!(1), json!(0.4))
    );
    assert_eq!(default["role"], "annotation");
}

/// The embedded contracts are the folders the program was built from: the same changes,
/// by the same ids, whether a side is named `contract:NAME` or given as a folder; and
/// today's embedded contract, dialects included, against the folder is no change at all.
#[test]
fn the_embedded_contracts_are_their_folders() {
    let ids = |report: &Value| {
        let mut ids: Vec<String> = changes(report)
            .into_iter()
            .map(|change| format!("{} {}", change["id"], change["class"]))
            .collect();
        ids.sort();
        ids
    };
    for (name, folder) in [
        ("jamba-preview", "schemas/history/jamba-preview"),
        ("j2-older", "schemas/history/j2-older"),
    ] {
        let (embedded_run, embedded) =
            json_diff(&[&format!("contract:{name}"), "contract:current"]);
        let (folder_run, folder) = json_diff(&[folder, "schemas"]);
        assert_eq!(
            embedded_run.code,
            folder_run.code,
            "{name}: {}",
            embedded_run.transcript()
        );
        assert!(!ids(&embedded).is_empty(), "{name}: {embedded:#}");
        assert_eq!(ids(&embedded), ids(&folder), "{name}");
    }
    let (run, report) = json_diff(&["contract:current", "schemas"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(changes(&report).is_empty(), "{report:#}");
    let subjects = report["subjects"].as_array().expect("subjects");
    let dialects = subjects
        .iter()
        .filter(|subject| subject["subject"]["dialect"].is_string())
        .count();
    assert!(
        dialects >= 10,
        "the partner dialects are compared too: {report:#}"
    );
}

#[test]
fn the_older_j2_request_to_today_is_compatible() {
    let (run, report) = json_diff(&["schemas/history/j2-older", "schemas"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    for parameter in ["logitBias", "epoch", "customModel", "model"] {
        let added = find(
            &report,
            &format!("j2-complete.request:/{parameter}:additionalProperties"),
        );
        assert_eq!(added["class"], "compatible", "{added:#}");
    }
    assert!(
        report["only_new"]
            .as_array()
            .expect("as the test set it up")
            .contains(&json!("jamba-chat.request")),
        "{:#}",
        report["only_new"]
    );
}

/// The outputs `docs/diff.md` shows are what the command prints.
#[test]
fn the_docs_show_what_diff_prints() {
    let docs =
        std::fs::read_to_string(workspace_root().join("docs/diff.md")).expect("docs/diff.md");
    for (name, old) in [
        ("j2-older", "schemas/history/j2-older"),
        ("jamba-preview", "schemas/history/jamba-preview"),
    ] {
        let run = ai21(&["diff", old, "schemas"], b"");
        assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
        let start = format!("<!-- diff:{name}:start -->\n```text\n");
        let end = format!("```\n<!-- diff:{name}:end -->");
        let shown = docs
            .split_once(&start)
            .and_then(|(_, rest)| rest.split_once(&end))
            .map(|(shown, _)| shown)
            .unwrap_or_else(|| panic!("docs/diff.md has no block {start:?}...{end:?}"));
        assert_eq!(
            shown, run.stdout,
            "docs/diff.md's block {name} is stale; `ai21-contract diff {old} schemas` prints:\n{}",
            run.stdout
        );
    }
}

#[test]
fn markdown_is_a_pull_request_comment() {
    let run = ai21(
        &[
            "diff",
            "--format",
            "markdown",
            "--cases",
            CASES,
            "schemas/history/jamba-preview",
            "schemas",
        ],
        b"",
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .starts_with("### Contract diff: `schemas/history/jamba-preview` → `schemas`")
    );
    assert!(
        run.stdout
            .contains("| **breaking** | `/max_tokens` | `maximum` |"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("<details><summary>"), "{}", run.stdout);
    assert!(
        run.stdout
            .trim_end()
            .ends_with("**3 breaking, 10 compatible, 4 unknown members**"),
        "{}",
        run.stdout
    );
}

#[test]
fn what_cannot_be_compared_exits_2_and_says_where() {
    let run = ai21(&["diff", "no/such/folder", "schemas"], b"");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("no/such/folder: not a folder of schemas"),
        "{}",
        run.stderr
    );

    let empty = side(&[]);
    std::fs::write(empty.path().join("notes.txt"), "hello").expect("as the test set it up");
    let run = ai21(&["diff", path(&empty), "schemas"], b"");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("no payload schema") && run.stderr.contains("notes.txt"),
        "{}",
        run.stderr
    );

    let broken = side(&[]);
    std::fs::write(
        broken.path().join("jamba-chat.request.schema.json"),
        "{\n  \"type\": \"object\",\n}\n",
    )
    .expect("as the test set it up");
    let run = ai21(&["diff", path(&broken), "schemas"], b"");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("jamba-chat.request.schema.json:3:1"),
        "{}",
        run.stderr
    );

    let mut exclusive = schema("jamba-chat.request.schema.json");
    exclusive["properties"]["temperature"]["exclusiveMaximum"] = json!(2);
    let unsupported = side(&[("jamba-chat.request.schema.json", &exclusive)]);
    let run = ai21(
        &["diff", "--cases", CASES, "schemas", path(&unsupported)],
        b"",
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("/properties/temperature/exclusiveMaximum"),
        "the generator's refusal names the keyword's place: {}",
        run.stderr
    );

    let run = ai21(&["diff", "contract:jamba-2020", "schemas"], b"");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("jamba-2020"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("expected one of: current, j2-older, jamba-preview"),
        "{}",
        run.stderr
    );

    let run = ai21(&["diff", "--git", "no-such-revision"], b"");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("no-such-revision"), "{}", run.stderr);
}

/// Two commits of this repository that changed the schemas: one that bounded J2's
/// `numResults` (breaking), one that let requests carry `null` and stream chunks end
/// without choices (compatible for requests, breaking for strict consumers of chunks).
#[test]
fn this_repository_history_tells_breaking_from_compatible() {
    let shallow = std::process::Command::new("git")
        .args(["rev-parse", "--is-shallow-repository"])
        .current_dir(workspace_root())
        .output()
        .expect("git runs");
    assert_eq!(
        String::from_utf8_lossy(&shallow.stdout).trim(),
        "false",
        "this test reads the repository's history: it needs a full clone (not --depth)"
    );
    let (run, report) = json_diff(&["--git", "75ee875~1", "75ee875"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let bound = find(&report, "j2-complete.request:/numResults:maximum");
    assert_eq!(bound["class"], "breaking");
    assert_eq!(bound["example"]["numResults"], 17, "{bound:#}");
    assert_eq!(changes(&report).len(), 1, "{report:#}");

    let (run, report) = json_diff(&["--git", "572eec0~1", "572eec0"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        changes(&report)
            .iter()
            .filter(|change| change["id"]
                .as_str()
                .expect("as the test set it up")
                .starts_with("j2-complete.request:"))
            .all(|change| change["class"] == "compatible")
    );
    assert_eq!(
        find(&report, "j2-complete.request:/maxTokens:type[null]")["class"],
        "compatible"
    );
    assert_eq!(
        find(&report, "jamba-chat.stream-chunk:/choices:minItems")["class"],
        "breaking"
    );
}

fn git(folder: &Path, arguments: &[&str]) {
    let status = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(arguments)
        .current_dir(folder)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {arguments:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The CI recipe: a change that breaks clients fails unless a commit of the change
/// declares it with a `Contract-Break:` trailer; a declaration matching nothing is shown.
#[test]
fn a_declared_break_passes_and_an_undeclared_one_fails() {
    let repository = tempfile::tempdir().expect("as the test set it up");
    let root = repository.path();
    std::fs::create_dir(root.join("schemas")).expect("as the test set it up");
    let write = |schema: &Value| {
        std::fs::write(
            root.join("schemas/jamba-chat.request.schema.json"),
            schema.to_string(),
        )
        .expect("as the test set it up");
    };
    write(&schema("jamba-chat.request.schema.json"));
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "schemas"]);
    git(root, &["commit", "-q", "-m", "The contract"]);
    write(&with_temperature_maximum(1.0));
    git(root, &["commit", "-q", "-am", "Temperature at most 1"]);

    let run_in = |arguments: &[&str]| {
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
            .args(arguments)
            .current_dir(root)
            .output()
            .expect("the binary runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run_in(&[
        "diff",
        "--git",
        "--cases",
        CASES,
        "--accept-from-commits",
        "main~1",
        "main",
    ]);
    assert_eq!(code, Some(1), "undeclared: {stdout}{stderr}");

    git(
        root,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Declare the narrower temperature\n\nContract-Break: jamba-chat.request:/temperature:maximum\nContract-Break: jamba-chat.request:/n:maximum",
        ],
    );
    let (code, stdout, stderr) = run_in(&[
        "diff",
        "--git",
        "--cases",
        CASES,
        "--accept-from-commits",
        "main~2",
        "main",
    ]);
    assert_eq!(code, Some(0), "declared: {stdout}{stderr}");
    assert!(stdout.contains("breaking (declared)"), "{stdout}");
    assert!(
        stdout.contains(
            "declared but not found (stale declarations?): jamba-chat.request:/n:maximum"
        ),
        "{stdout}"
    );
    // Without NEW, the working tree is compared with the revision.
    let (code, stdout, stderr) = run_in(&["diff", "--git", "--cases", CASES, "main~2"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let (code, _, _) = run_in(&[
        "diff",
        "--git",
        "--cases",
        CASES,
        "--accept",
        "jamba-chat.request",
        "main~2",
    ]);
    assert_eq!(code, Some(0));
}

/// What a keyword-only comparison gets wrong both ways: a refactoring that moves every
/// keyword but accepts the same documents, and a lower bound on a definition nothing
/// refers to. The documents decide: neither changes anything.
#[test]
fn keyword_changes_that_no_document_sees_change_nothing() {
    let today = schema("jamba-chat.request.schema.json");
    let mut refactored = today.clone();
    let max_tokens = refactored["properties"]["max_tokens"]
        .as_object_mut()
        .expect("as the test set it up");
    for keyword in ["type", "minimum", "maximum"] {
        max_tokens.remove(keyword);
    }
    max_tokens.insert(
        "anyOf".to_owned(),
        json!([{"type": "integer", "minimum": 0, "maximum": 4096}, {"type": "null"}]),
    );
    let old = side(&[("jamba-chat.request.schema.json", &today)]);
    let new = side(&[("jamba-chat.request.schema.json", &refactored)]);
    let (run, report) = json_diff(&[path(&old), path(&new)]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(changes(&report).is_empty(), "{report:#}");
    let keywords = report["subjects"][0]["keywords"]
        .as_array()
        .expect("as the test set it up");
    assert_eq!(keywords.len(), 4, "{keywords:#?}");

    let mut unused = today.clone();
    unused["$defs"]["Unused"] =
        json!({"type": "object", "properties": {"x": {"type": "integer", "maximum": 100}}});
    let mut narrowed = unused.clone();
    narrowed["$defs"]["Unused"]["properties"]["x"]["maximum"] = json!(10);
    let old = side(&[("jamba-chat.request.schema.json", &unused)]);
    let new = side(&[("jamba-chat.request.schema.json", &narrowed)]);
    let (run, report) = json_diff(&[path(&old), path(&new)]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(changes(&report).is_empty(), "{report:#}");
    assert_eq!(report["subjects"][0]["keywords"][0]["guess"], "narrows");
}

/// A partner dialect's overlay is compared as that platform has the kind: a bound the
/// Bedrock overlay adds to `n` breaks Bedrock's clients only.
#[test]
fn a_change_in_a_dialect_overlay_is_reported_for_that_platform() {
    let root = workspace_root();
    let copy = |folder: &Path| {
        std::fs::create_dir(folder.join("dialects")).expect("as the test set it up");
        std::fs::copy(
            root.join("schemas/jamba-chat.request.schema.json"),
            folder.join("jamba-chat.request.schema.json"),
        )
        .expect("as the test set it up");
        std::fs::copy(
            root.join("schemas/dialects/bedrock.overlay.json"),
            folder.join("dialects/bedrock.overlay.json"),
        )
        .expect("as the test set it up");
    };
    let old = tempfile::tempdir().expect("a temporary folder");
    let new = tempfile::tempdir().expect("a temporary folder");
    copy(old.path());
    copy(new.path());
    let overlay_path = new.path().join("dialects/bedrock.overlay.json");
    let mut overlay: Value = serde_json::from_str(
        &std::fs::read_to_string(&overlay_path).expect("as the test set it up"),
    )
    .expect("as the test set it up");
    overlay["kinds"]["jamba-chat.request"]["patch"]["properties"]["n"] = json!({"maximum": 4});
    std::fs::write(&overlay_path, overlay.to_string()).expect("as the test set it up");

    let (run, report) = json_diff(&[path(&old), path(&new)]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let subjects: Vec<String> = report["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|subject| {
            format!(
                "{}@{}",
                subject["subject"]["kind"], subject["subject"]["dialect"]
            )
        })
        .collect();
    assert_eq!(
        subjects,
        [
            r#""jamba-chat.request"@null"#,
            r#""jamba-chat.request"@"bedrock""#
        ]
    );
    let bound = find(&report, "jamba-chat.request@bedrock:/n:maximum");
    assert_eq!(bound["class"], "breaking");
    assert_eq!(bound["example"]["n"], 5, "{bound:#}");
    assert_eq!(
        bound["example"].get("model"),
        None,
        "Bedrock's body has no model: {bound:#}"
    );
    assert_eq!(
        changes(&report).len(),
        1,
        "the canonical request is unchanged: {report:#}"
    );
}
