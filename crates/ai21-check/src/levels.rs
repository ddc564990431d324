//! Rule levels, as linters have them: a rule (or every rule under a prefix such as
//! `drift/`) can be allowed (its findings dropped, and counted), downgraded to a warning,
//! or upgraded to an error.
//!
//! A spec is a rule id of the catalogue ([`rule_catalogue`]) or a prefix of some ids
//! ending in `/` (`drift/`, `verify/`). For each finding the most specific spec that
//! matches its rule decides (the exact id, else the longest prefix); between two specs as
//! specific, the one of the later source wins (the command line over a configuration
//! file). An unknown spec is an error that suggests the nearest id or prefix.

use std::fmt;

use ai21_validate::{Report, Severity};

use crate::{Outcome, rule_catalogue};

/// What to do with a rule's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Drop them; the summary counts them as allowed.
    Allow,
    /// Report them as warnings.
    Warn,
    /// Report them as errors.
    Deny,
}

impl Level {
    /// `allow`, `warn` or `deny`, as the flags and the configuration file name it.
    pub const fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A spec that names no rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule {
    /// The spec as given.
    pub spec: String,
    /// The nearest rule id or prefix, if one is near.
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownRule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.spec.ends_with('/') {
            write!(formatter, "no rule id starts with {:?}", self.spec)?;
        } else {
            write!(formatter, "unknown rule {:?}", self.spec)?;
        }
        match &self.suggestion {
            Some(suggestion) => write!(formatter, " (did you mean {suggestion:?}?)"),
            None => write!(
                formatter,
                " (a rule id such as \"drift/retired-model\", or a prefix ending in `/` such as \"drift/\")"
            ),
        }
    }
}

impl std::error::Error for UnknownRule {}

/// Checks that `spec` names a rule of the catalogue, or is a prefix of some ending in `/`.
pub fn check_spec(spec: &str) -> Result<(), UnknownRule> {
    let known = if spec.ends_with('/') {
        rule_catalogue().any(|rule| rule.id.starts_with(spec))
    } else {
        rule_catalogue().any(|rule| rule.id == spec)
    };
    if known {
        return Ok(());
    }
    let prefixes = rule_catalogue()
        .filter_map(|rule| rule.id.find('/').map(|slash| rule.id[..=slash].to_owned()));
    let candidates = rule_catalogue()
        .map(|rule| rule.id.to_owned())
        .chain(prefixes);
    let suggestion = candidates
        .map(|candidate| (strsim::levenshtein(spec, &candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min()
        .map(|(_, candidate)| candidate);
    Err(UnknownRule {
        spec: spec.to_owned(),
        suggestion,
    })
}

/// The level of each rule spec given, from every source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleLevels {
    /// `(spec, level, source rank)`: a higher rank is a later source.
    specs: Vec<(String, Level, u32)>,
}

impl RuleLevels {
    /// No spec: every finding keeps its severity.
    pub fn new() -> RuleLevels {
        RuleLevels::default()
    }

    /// Whether no spec is given.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Sets `spec` to `level`, from a source of `rank` (a later source, such as the command
    /// line after the configuration file, has a higher rank and wins a tie). An unknown
    /// spec is an error.
    pub fn set(&mut self, spec: &str, level: Level, rank: u32) -> Result<(), UnknownRule> {
        check_spec(spec)?;
        self.specs.push((spec.to_owned(), level, rank));
        Ok(())
    }

    /// The level the most specific spec gives `rule`, if a spec matches it.
    pub fn level(&self, rule: &str) -> Option<Level> {
        self.specs
            .iter()
            .filter_map(|(spec, level, rank)| {
                let specificity = if spec == rule {
                    usize::MAX
                } else if spec.ends_with('/') && rule.starts_with(spec.as_str()) {
                    spec.len()
                } else {
                    return None;
                };
                Some(((specificity, *rank), *level))
            })
            // The last of equals wins, as `max_by_key` keeps the last maximum.
            .max_by_key(|(key, _)| *key)
            .map(|(_, level)| level)
    }

    /// Applies the levels to a report: allowed findings are removed, the others take the
    /// severity of their level. Returns how many were allowed.
    pub fn apply(&self, report: &mut Report) -> u64 {
        if self.specs.is_empty() {
            return 0;
        }
        let before = report.findings.len();
        report
            .findings
            .retain_mut(|finding| match self.level(finding.rule) {
                Some(Level::Allow) => false,
                Some(Level::Warn) => {
                    finding.severity = Severity::Warning;
                    true
                }
                Some(Level::Deny) => {
                    finding.severity = Severity::Error;
                    true
                }
                None => true,
            });
        (before - report.findings.len()) as u64
    }

    /// Applies the levels to a checked outcome's report ([`RuleLevels::apply`]); an
    /// unreadable or skipped item is left as it is. Returns how many findings were
    /// allowed.
    pub fn apply_outcome(&self, outcome: &mut Outcome) -> u64 {
        match outcome {
            Outcome::Checked(checked) => self.apply(&mut checked.report),
            Outcome::Unreadable(_) | Outcome::Skipped(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai21_validate::Finding;

    #[test]
    fn the_most_specific_spec_wins_and_a_later_source_wins_a_tie() {
        let mut levels = RuleLevels::new();
        levels.set("drift/", Level::Deny, 0).expect("a prefix");
        levels
            .set("drift/retired-model", Level::Allow, 0)
            .expect("a rule");
        assert_eq!(levels.level("drift/unknown-field"), Some(Level::Deny));
        assert_eq!(levels.level("drift/retired-model"), Some(Level::Allow));
        assert_eq!(levels.level("schema/required"), None);
        // The command line (rank 1) over the file (rank 0), at the same specificity only.
        levels.set("drift/", Level::Warn, 1).expect("a prefix");
        assert_eq!(levels.level("drift/unknown-field"), Some(Level::Warn));
        assert_eq!(levels.level("drift/retired-model"), Some(Level::Allow));
    }

    #[test]
    fn levels_drop_downgrade_and_upgrade_findings() {
        let mut levels = RuleLevels::new();
        levels
            .set("drift/retired-model", Level::Allow, 0)
            .expect("a rule");
        levels.set("schema/", Level::Warn, 0).expect("a prefix");
        levels
            .set("drift/unknown-field", Level::Deny, 0)
            .expect("a rule");
        let mut report = Report {
            findings: vec![
                Finding::warning("drift/retired-model", "", "retired"),
                Finding::error("schema/required", "", "required"),
                Finding::warning("drift/unknown-field", "/x", "unknown"),
                Finding::error("jamba/usage-total", "", "total"),
            ],
        };
        assert_eq!(levels.apply(&mut report), 1);
        let kept: Vec<(&str, bool)> = report
            .findings
            .iter()
            .map(|finding| (finding.rule, finding.is_error()))
            .collect();
        assert_eq!(
            kept,
            [
                ("schema/required", false),
                ("drift/unknown-field", true),
                ("jamba/usage-total", true)
            ]
        );
    }

    #[test]
    fn an_unknown_spec_is_an_error_with_a_suggestion() {
        let error = check_spec("drift/retired-modle").expect_err("unknown");
        assert_eq!(error.suggestion.as_deref(), Some("drift/retired-model"));
        assert_eq!(
            error.to_string(),
            r#"unknown rule "drift/retired-modle" (did you mean "drift/retired-model"?)"#
        );
        let error = check_spec("drfit/").expect_err("unknown");
        assert_eq!(error.suggestion.as_deref(), Some("drift/"));
        let error = check_spec("drift").expect_err("a prefix needs its slash");
        assert_eq!(error.suggestion.as_deref(), Some("drift/"));
        assert!(check_spec("something-else-entirely").is_err());
        for spec in [
            "verify/",
            "verify/expected-status",
            "capture/expected-refusal",
            "schema/required",
        ] {
            assert_eq!(check_spec(spec), Ok(()), "{spec}");
        }
    }
}
