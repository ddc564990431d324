//! The README shows what its main command prints: the text block after the command is the
//! output of `validate tests/fixtures/captures/`, durations aside.

use crate::support::{ai21, workspace_root};

/// The first `text` block after the README's main command: what it claims the command
/// prints.
fn readme_output() -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md"))
        .expect("the README is readable");
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
