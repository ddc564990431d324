//! The diff for people (plain text, Markdown for a pull-request comment) and for
//! programs (JSON).

use std::fmt::Write as _;

use crate::keyword::{Guess, KeywordRole, short};
use crate::{Change, Class, Diff, Direction, Role, SubjectDiff};

/// The longest example shown inline; longer ones are cut (the JSON report has them whole).
const EXAMPLE_WIDTH: usize = 160;

/// What the change means, in words, for its role and direction.
pub fn meaning(role: Role, change: &Change) -> &'static str {
    match (role, change.direction, change.class) {
        (_, _, Class::UnknownMember) => {
            "the new version may send a member the old one did not declare (breaks consumers that refuse unknown members)"
        }
        (Role::Request, Direction::NoLongerAccepted, _) => {
            "the old version accepted it, the new one rejects it (breaks clients)"
        }
        (Role::Request, Direction::NewlyAccepted, _) => {
            "the new version accepts it, the old one rejected it"
        }
        (Role::Response, Direction::NewlyAccepted, _) => {
            "the new version may send it, the old one did not (breaks strict consumers)"
        }
        (Role::Response, Direction::NoLongerAccepted, _) => {
            "the old version could send it, the new one does not"
        }
    }
}

/// The one-line verdict.
pub fn verdict(diff: &Diff) -> String {
    let count = |class| {
        diff.subjects
            .iter()
            .map(|subject| subject.count(class))
            .sum::<usize>()
    };
    let declared: usize = diff
        .subjects
        .iter()
        .map(|subject| {
            subject
                .changes
                .iter()
                .filter(|change| change.declared)
                .count()
        })
        .sum();
    let mut line = format!(
        "{} breaking, {} compatible, {} unknown member{}",
        count(Class::Breaking),
        count(Class::Compatible),
        count(Class::UnknownMember),
        if count(Class::UnknownMember) == 1 {
            ""
        } else {
            "s"
        },
    );
    if declared > 0 {
        let _ = write!(line, ", {declared} declared");
    }
    line
}

fn keyword_tally(subject: &SubjectDiff) -> String {
    let constraints = subject
        .keywords
        .iter()
        .filter(|change| change.role != KeywordRole::Annotation)
        .count();
    let guesses = |guess| {
        subject
            .keywords
            .iter()
            .filter(|change| change.guess == Some(guess))
            .count()
    };
    let annotations = subject.keywords.len() - constraints;
    format!(
        "{} keyword change{}: {constraints} to constraints ({} narrowing, {} widening, {} unclear by the keyword alone), {annotations} to annotations",
        subject.keywords.len(),
        if subject.keywords.len() == 1 { "" } else { "s" },
        guesses(Guess::Narrows),
        guesses(Guess::Widens),
        guesses(Guess::Unclear),
    )
}

/// The keyword summary as lines: each change to a constraint with the keyword-only
/// verdict, each changed default; definitions added or removed, changed descriptions and
/// the other annotations gathered on a line each.
pub fn keyword_lines(subject: &SubjectDiff) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let mut definitions_added = Vec::new();
    let mut definitions_removed = Vec::new();
    let mut descriptions = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for change in &subject.keywords {
        if change.keyword == "$defs" {
            let name = change.location.rsplit('/').next().unwrap_or("").to_owned();
            if change.new.is_some() {
                definitions_added.push(name);
            } else {
                definitions_removed.push(name);
            }
        } else if change.role != KeywordRole::Annotation {
            lines.push((
                guess_label(subject.role, change.guess).to_owned(),
                change.describe(),
            ));
        } else if change.keyword == "default" {
            lines.push(("default".to_owned(), change.describe()));
        } else if change.keyword == "description" {
            let place = change.location.trim_end_matches("/description");
            descriptions.push(if place.is_empty() {
                "(root)".to_owned()
            } else {
                place.to_owned()
            });
        } else {
            others.push(change.keyword.clone());
        }
    }
    if !definitions_added.is_empty() {
        lines.push((
            "definitions".to_owned(),
            format!("added: {}", definitions_added.join(", ")),
        ));
    }
    if !definitions_removed.is_empty() {
        lines.push((
            "definitions".to_owned(),
            format!("removed: {}", definitions_removed.join(", ")),
        ));
    }
    if !descriptions.is_empty() {
        lines.push((
            "description".to_owned(),
            format!("changed at {}", descriptions.join(", ")),
        ));
    }
    if !others.is_empty() {
        let mut counted: Vec<(String, usize)> = Vec::new();
        for keyword in others {
            match counted.iter_mut().find(|(name, _)| *name == keyword) {
                Some((_, count)) => *count += 1,
                None => counted.push((keyword, 1)),
            }
        }
        let listed: Vec<String> = counted
            .into_iter()
            .map(|(name, count)| {
                if count == 1 {
                    name
                } else {
                    format!("{name} ×{count}")
                }
            })
            .collect();
        lines.push((
            "annotation".to_owned(),
            format!("changed: {}", listed.join(", ")),
        ));
    }
    lines
}

fn guess_label(role: Role, guess: Option<Guess>) -> &'static str {
    match (role, guess) {
        (_, None) => "note",
        (_, Some(Guess::Unclear)) => "unclear",
        (Role::Request, Some(Guess::Narrows)) | (Role::Response, Some(Guess::Widens)) => {
            "breaking?"
        }
        (Role::Request, Some(Guess::Widens)) | (Role::Response, Some(Guess::Narrows)) => {
            "compatible?"
        }
    }
}

fn documents(subject: &SubjectDiff) -> String {
    let old = subject.from_old;
    let new = subject.from_new;
    format!(
        "{} documents from the old version ({} random, {} boundary probes; the new one rejects {}), {} from the new ({} random, {} probes; the old one rejects {})",
        old.random + old.probes,
        old.random,
        old.probes,
        old.rejected,
        new.random + new.probes,
        new.random,
        new.probes,
        new.rejected,
    )
}

/// Plain text for a terminal.
pub fn human(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "contract diff: {} -> {}", diff.old, diff.new);
    for subject in &diff.subjects {
        let role = match subject.role {
            Role::Request => "request",
            Role::Response => "response",
        };
        let _ = writeln!(
            out,
            "\n{} ({role}): {} breaking, {} compatible, {} unknown members",
            subject.subject,
            subject.count(Class::Breaking),
            subject.count(Class::Compatible),
            subject.count(Class::UnknownMember)
        );
        let _ = writeln!(out, "  {}", documents(subject));
        for change in &subject.changes {
            let label = if change.declared {
                format!("{} (declared)", change.class.label())
            } else {
                change.class.label().to_owned()
            };
            let _ = writeln!(
                out,
                "  {label:<18} {} {}: {}",
                change.pointer,
                change.keyword,
                meaning(subject.role, change)
            );
            let _ = writeln!(out, "  {:18}   {}", "", change.message);
            let _ = writeln!(
                out,
                "  {:18}   example: {}",
                "",
                short(&change.example, EXAMPLE_WIDTH)
            );
            let _ = writeln!(out, "  {:18}   id: {}", "", change.id);
            for cause in &change.causes {
                let _ = writeln!(out, "  {:18}   schema: {cause}", "");
            }
        }
        if subject.changes.is_empty() {
            let _ = writeln!(out, "  no document tells the versions apart");
        }
        let _ = writeln!(out, "  {}", keyword_tally(subject));
        for (label, line) in keyword_lines(subject) {
            let _ = writeln!(out, "    {label:<11} {line}");
        }
    }
    footer(diff, &mut out, false);
    out
}

fn footer(diff: &Diff, out: &mut String, markdown: bool) {
    let bullet = if markdown { "- " } else { "" };
    let mut notes = Vec::new();
    if !diff.only_old.is_empty() {
        notes.push(format!(
            "only in the old version, not compared: {}",
            diff.only_old.join(", ")
        ));
    }
    if !diff.only_new.is_empty() {
        notes.push(format!(
            "only in the new version, not compared: {}",
            diff.only_new.join(", ")
        ));
    }
    if !diff.ignored.is_empty() {
        notes.push(format!(
            "not schemas, not read: {}",
            diff.ignored.join(", ")
        ));
    }
    if !diff.unmatched_declarations.is_empty() {
        notes.push(format!(
            "declared but not found (stale declarations?): {}",
            diff.unmatched_declarations.join(", ")
        ));
    }
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "{bullet}{note}");
        }
    }
    let _ = writeln!(
        out,
        "\n{}{}{}",
        if markdown { "**" } else { "" },
        verdict(diff),
        if markdown { "**" } else { "" }
    );
}

/// Markdown, for a pull-request comment.
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Contract diff: `{}` → `{}`", diff.old, diff.new);
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    for subject in &diff.subjects {
        let _ = writeln!(
            out,
            "\n#### `{}` ({}): {} breaking, {} compatible, {} unknown members\n",
            subject.subject,
            match subject.role {
                Role::Request => "request",
                Role::Response => "response",
            },
            subject.count(Class::Breaking),
            subject.count(Class::Compatible),
            subject.count(Class::UnknownMember)
        );
        let _ = writeln!(out, "{}.\n", documents(subject));
        if subject.changes.is_empty() {
            let _ = writeln!(out, "No document tells the versions apart.");
        } else {
            let _ = writeln!(out, "| | where | keyword | what | example | schema |");
            let _ = writeln!(out, "|---|---|---|---|---|---|");
            for change in &subject.changes {
                let class = match (change.class, change.declared) {
                    (Class::Breaking, false) => "**breaking**".to_owned(),
                    (class, true) => format!("{} (declared)", class.label()),
                    (class, false) => class.label().to_owned(),
                };
                let _ = writeln!(
                    out,
                    "| {class} | `{}` | `{}` | {} | `{}` | {} |",
                    cell(&change.pointer),
                    change.keyword,
                    cell(&format!(
                        "{}: {}",
                        meaning(subject.role, change),
                        change.message
                    )),
                    cell(&short(&change.example, EXAMPLE_WIDTH)),
                    cell(
                        &change
                            .causes
                            .iter()
                            .map(|cause| format!("`{cause}`"))
                            .collect::<Vec<_>>()
                            .join("<br>")
                    ),
                );
            }
        }
        let _ = writeln!(
            out,
            "\n<details><summary>{}</summary>\n",
            keyword_tally(subject)
        );
        for (label, line) in keyword_lines(subject) {
            let _ = writeln!(out, "- {label}: `{}`", cell(&line));
        }
        let _ = writeln!(out, "\n</details>");
    }
    footer(diff, &mut out, true);
    out
}

/// JSON, one document.
pub fn json(diff: &Diff) -> String {
    let mut value = serde_json::to_value(diff).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("breaks".to_owned(), serde_json::Value::Bool(diff.breaks()));
        map.insert(
            "verdict".to_owned(),
            serde_json::Value::String(verdict(diff)),
        );
    }
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}
