//! `ai21-contract diff OLD [NEW]`: two versions of the contract compared by the documents
//! each accepts (`ai21_diff`), from folders, embedded contracts or git revisions.

use std::path::{Path, PathBuf};
use std::process::Command;

use ai21_diff::{Options, SchemaSet, render};
use ai21_schemas::{Contract, Dialect};
use anyhow::{Context, Result, bail};

use crate::args::{DiffArgs, DiffFormat};
use crate::commands::{EXIT_FAILED, EXIT_OK, write_output};

/// The prefix of a side that names an embedded contract.
const CONTRACT_PREFIX: &str = "contract:";

/// The folder `--git` reads when a side names only a revision.
const SCHEMAS_FOLDER: &str = "schemas";

/// The trailer that declares a breaking change in a commit message.
pub const TRAILER: &str = "Contract-Break";

/// Compares the two sides and writes the report.
pub fn run(args: &DiffArgs) -> Result<u8> {
    let repository = if args.git { Some(toplevel()?) } else { None };
    let old = side(&args.old, repository.as_deref())?;
    let new = match (&args.new, &repository) {
        (Some(new), _) => side(new, repository.as_deref())?,
        (None, Some(top)) => SchemaSet::from_folder(&top.join(SCHEMAS_FOLDER))?,
        (None, None) => embedded("current")?,
    };
    let options = Options {
        cases: args.cases,
        seed: args.seed,
        strict_consumers: args.strict_consumers,
    };
    if options.cases == 0 {
        bail!("--cases must be at least 1");
    }
    let mut diff = ai21_diff::diff(&old, &new, &options)?;
    let mut accepted = args.accept.clone();
    if args.accept_from_commits
        && let Some(top) = &repository
    {
        let from = revision_of(&args.old);
        let to = args.new.as_deref().map_or("HEAD", revision_of);
        accepted.extend(declared_in_commits(top, from, to)?);
    }
    diff.declare(&accepted);
    let text = match args.format {
        DiffFormat::Human => render::human(&diff),
        DiffFormat::Json => render::json(&diff),
        DiffFormat::Markdown => render::markdown(&diff),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(if diff.breaks() { EXIT_FAILED } else { EXIT_OK })
}

/// One side: `contract:NAME`, a folder, or with a repository a revision (`REV[:PATH]`).
fn side(spec: &str, repository: Option<&Path>) -> Result<SchemaSet> {
    if let Some(name) = spec.strip_prefix(CONTRACT_PREFIX) {
        return embedded(name);
    }
    match repository {
        Some(top) => {
            let (revision, path) = spec.split_once(':').unwrap_or((spec, SCHEMAS_FOLDER));
            Ok(SchemaSet::from_git(top, revision, path)?)
        }
        None => {
            let folder = PathBuf::from(spec);
            if !folder.is_dir() {
                bail!(
                    "{spec}: not a folder of schemas (a side is a folder, {CONTRACT_PREFIX}NAME, or with --git a revision)"
                );
            }
            Ok(SchemaSet::from_folder(&folder)?)
        }
    }
}

/// The revision part of a `--git` side.
fn revision_of(spec: &str) -> &str {
    spec.split_once(':').map_or(spec, |(revision, _)| revision)
}

/// An embedded contract: `current` (today's schemas and the partner overlays) or a
/// historical one (the kinds it freezes, as AI21 Studio had them: no overlays).
fn embedded(name: &str) -> Result<SchemaSet> {
    let contract = Contract::by_name(name)?;
    let set = SchemaSet::from_values(
        format!("{CONTRACT_PREFIX}{}", contract.name()),
        contract
            .kinds()
            .filter_map(|kind| Some((kind, contract.schema(kind)?.clone()))),
    );
    Ok(if contract.is_historical() {
        set
    } else {
        set.with_overlays(
            Dialect::ALL
                .into_iter()
                .filter_map(|dialect| Some((dialect, dialect.overlay()?.clone()))),
        )
    })
}

/// The top folder of the git repository around the working directory.
fn toplevel() -> Result<PathBuf> {
    let output = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .context("running git (--git needs git on the PATH)")?;
    if !output.status.success() {
        bail!(
            "--git: the working directory is not in a git repository ({})",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// The change ids declared by `Contract-Break:` trailers in the commits `from..to`.
fn declared_in_commits(top: &Path, from: &str, to: &str) -> Result<Vec<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(top)
        .args([
            "log",
            &format!("--format=%(trailers:key={TRAILER},valueonly,separator=%x0A)"),
            &format!("{from}..{to}"),
        ])
        .output()
        .context("running git log")?;
    if !output.status.success() {
        bail!(
            "reading the commit messages {from}..{to}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}
