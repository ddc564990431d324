//! The configuration file, `ai21-contract.toml`, and rule levels from it and from the
//! command line.
//!
//! ```toml
//! [rules]
//! allow = ["drift/retired-model"]   # drop these findings (counted as allowed)
//! warn = ["client/"]                # report these as warnings
//! deny = ["drift/unknown-field"]    # report these as errors
//! ```
//!
//! The file is the one `--config PATH` names, or else the first `ai21-contract.toml` found
//! in the working directory or one of its ancestors, up to the root (as cargo and ruff find
//! theirs); `--no-config` reads none. A rule named on the command line (`--allow`,
//! `--warn`, `--deny`) wins over the file where both are as specific (see
//! [`ai21_check::RuleLevels`]). A file that cannot be read, is not valid TOML, has a key
//! other than these, or names a rule that does not exist is an error naming the file, the
//! line and the key.

use std::path::{Path, PathBuf};

use ai21_check::{Level, RuleLevels};
use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use toml::Spanned;

use crate::args::RuleArgs;

/// The name of the configuration file.
pub const CONFIG_FILE: &str = "ai21-contract.toml";

/// The rank of the configuration file's levels ([`RuleLevels::set`]).
const FILE_RANK: u32 = 0;
/// The rank of the command line's levels: it wins a tie with the file.
const COMMAND_LINE_RANK: u32 = 1;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    rules: Rules,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    warn: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
}

/// The first `ai21-contract.toml` in `start` or one of its ancestors.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|folder| folder.join(CONFIG_FILE))
        .find(|path| path.is_file())
}

/// The configuration file the arguments mean, if any.
pub fn path(args: &RuleArgs) -> Result<Option<PathBuf>> {
    if args.no_config {
        return Ok(None);
    }
    if let Some(path) = &args.config {
        return Ok(Some(path.clone()));
    }
    let here = std::env::current_dir().context("reading the working directory")?;
    Ok(find(&here))
}

/// The 1-based line and column of a byte offset in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |newline| before.len() - newline - 1)
        + 1;
    (line, column)
}

/// The text of the line at a byte offset, trimmed.
fn line_text(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let end = text[offset..]
        .find('\n')
        .map_or(text.len(), |newline| offset + newline);
    text[start..end].trim()
}

/// Reads the levels of a configuration file's text into `levels`; `path` names it in
/// errors.
pub fn read_into(levels: &mut RuleLevels, path: &Path, text: &str) -> Result<()> {
    let file: ConfigFile = toml::from_str(text).map_err(|error| {
        let place = match error.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                format!(
                    "{}:{line}:{column}: at `{}`: ",
                    path.display(),
                    line_text(text, span.start)
                )
            }
            None => format!("{}: ", path.display()),
        };
        anyhow!("{place}{}", error.message().trim_end())
    })?;
    let rules = file.rules;
    for (level, specs) in [
        (Level::Allow, &rules.allow),
        (Level::Warn, &rules.warn),
        (Level::Deny, &rules.deny),
    ] {
        for spec in specs {
            levels
                .set(spec.get_ref(), level, FILE_RANK)
                .map_err(|error| {
                    let (line, column) = line_and_column(text, spec.span().start);
                    anyhow!(
                        "{}:{line}:{column}: [rules] {level}: {error}",
                        path.display()
                    )
                })?;
        }
    }
    check_twice(
        rules
            .allow
            .iter()
            .map(|spec| (spec.get_ref().as_str(), Level::Allow))
            .chain(
                rules
                    .warn
                    .iter()
                    .map(|spec| (spec.get_ref().as_str(), Level::Warn)),
            )
            .chain(
                rules
                    .deny
                    .iter()
                    .map(|spec| (spec.get_ref().as_str(), Level::Deny)),
            ),
        &format!("in {}", path.display()),
    )
}

/// Fails when a spec is given two different levels by one source.
fn check_twice<'a>(specs: impl Iterator<Item = (&'a str, Level)>, place: &str) -> Result<()> {
    let mut seen: Vec<(&str, Level)> = Vec::new();
    for (spec, level) in specs {
        if let Some((_, other)) = seen
            .iter()
            .find(|(seen, other)| *seen == spec && *other != level)
        {
            bail!("rule {spec:?} is given both `{other}` and `{level}` {place}");
        }
        seen.push((spec, level));
    }
    Ok(())
}

/// The rule levels of a command: the configuration file's (see [`path`]), then the
/// command line's.
pub fn rule_levels(args: &RuleArgs) -> Result<RuleLevels> {
    let mut levels = RuleLevels::new();
    if let Some(path) = path(args)? {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the configuration file {}", path.display()))?;
        read_into(&mut levels, &path, &text)?;
    }
    for (level, specs, flag) in [
        (Level::Allow, &args.allow, "--allow"),
        (Level::Warn, &args.warn, "--warn"),
        (Level::Deny, &args.deny, "--deny"),
    ] {
        for spec in specs {
            levels
                .set(spec, level, COMMAND_LINE_RANK)
                .map_err(|error| anyhow!("{flag} {spec}: {error}"))?;
        }
    }
    check_twice(
        args.allow
            .iter()
            .map(|spec| (spec.as_str(), Level::Allow))
            .chain(args.warn.iter().map(|spec| (spec.as_str(), Level::Warn)))
            .chain(args.deny.iter().map(|spec| (spec.as_str(), Level::Deny))),
        "on the command line",
    )?;
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<RuleLevels> {
        let mut levels = RuleLevels::new();
        read_into(&mut levels, Path::new("dir/ai21-contract.toml"), text).map(|()| levels)
    }

    #[test]
    fn a_file_sets_levels() {
        let levels = read("[rules]\nallow = [\"drift/retired-model\"]\nwarn = [\"client/\"]\n")
            .expect("a valid file");
        assert_eq!(levels.level("drift/retired-model"), Some(Level::Allow));
        assert_eq!(levels.level("drift/unknown-field"), None);
        assert!(read("").expect("an empty file").is_empty());
    }

    #[test]
    fn a_malformed_file_names_file_line_and_key() {
        let error = read("[rules]\nalow = [\"drift/\"]\n").expect_err("unknown key");
        let message = error.to_string();
        assert!(
            message.starts_with(
                "dir/ai21-contract.toml:2:1: at `alow = [\"drift/\"]`: unknown field `alow`"
            ),
            "{message}"
        );
        let message = read("[rules]\n\nallow = \"drift/\"\n")
            .expect_err("a string")
            .to_string();
        assert!(
            message
                .starts_with("dir/ai21-contract.toml:3:9: at `allow = \"drift/\"`: invalid type"),
            "{message}"
        );
        let message = read("[rules\n").expect_err("not TOML").to_string();
        assert!(
            message.starts_with("dir/ai21-contract.toml:1:"),
            "{message}"
        );
        let message = read("[rules]\ndeny = [\"drift/\",\n  \"drift/retired-modle\"]\n")
            .expect_err("an unknown rule")
            .to_string();
        assert_eq!(
            message,
            "dir/ai21-contract.toml:3:3: [rules] deny: unknown rule \"drift/retired-modle\" (did you mean \"drift/retired-model\"?)"
        );
        let message = read("[rules]\ndeny = [\"drift/\"]\nallow = [\"drift/\"]\n")
            .expect_err("twice")
            .to_string();
        assert!(message.contains("both `allow` and `deny`"), "{message}");
    }

    #[test]
    fn the_file_is_found_from_the_working_directory_up() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let deep = root.path().join("a").join("b");
        std::fs::create_dir_all(&deep).expect("folders");
        assert_eq!(find(&deep), None);
        std::fs::write(root.path().join(CONFIG_FILE), "").expect("a file");
        assert_eq!(find(&deep), Some(root.path().join(CONFIG_FILE)));
        std::fs::write(root.path().join("a").join(CONFIG_FILE), "").expect("a file");
        assert_eq!(find(&deep), Some(root.path().join("a").join(CONFIG_FILE)));
    }
}
