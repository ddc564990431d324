//! Compares two versions of the AI21 contract by the documents each accepts.
//!
//! A keyword-by-keyword comparison of two schemas (what tools such as oasdiff do for
//! OpenAPI documents) says what changed; it guesses what the change breaks. This crate
//! asks instead: it generates documents from each version with the project's
//! schema-driven generator ([`ai21_generate::instance`]), random ones and boundary probes
//! (each bound of either version at every place, one step past the other's), and
//! validates them against the other version. A document the old version accepts and the
//! new one rejects is a change a client meets; each such change is reported once, with
//! the pointer and keyword that decide it and a minimal example document, and classified
//! for the reader:
//!
//! | kind | old accepts, new rejects | new accepts, old rejects |
//! |---|---|---|
//! | request | **breaking**: clients' requests are refused | compatible: new requests become possible |
//! | response | compatible: the server no longer sends it | **breaking**: strict consumers meet what they did not expect |
//!
//! A response member the old version did not declare but accepted as unknown (its objects
//! are open) is reported apart, as breaking only consumers that refuse unknown members
//! ([`Class::UnknownMember`]). Beside the changes stands the keyword-level summary
//! ([`keyword::compare`]), so a reviewer sees the cause (`/properties/temperature/maximum:
//! 2 → 1`) next to the effect (`{"temperature": 2}` is now refused); changed defaults and
//! descriptions are noted there.
//!
//! ```
//! use ai21_diff::{Class, Options, SchemaSet, diff};
//! use ai21_schemas::PayloadKind;
//! use serde_json::json;
//!
//! let kind = PayloadKind::JambaChatRequest;
//! let mut narrowed = kind.schema().clone();
//! narrowed["properties"]["temperature"]["maximum"] = json!(1);
//! let old = SchemaSet::from_values("today", [(kind, kind.schema().clone())]);
//! let new = SchemaSet::from_values("narrowed", [(kind, narrowed)]);
//!
//! let result = diff(&old, &new, &Options { cases: 64, ..Options::default() }).unwrap();
//! assert!(result.breaks());
//! let change = &result.subjects[0].changes[0];
//! assert_eq!((change.class, change.pointer.as_str(), change.keyword.as_str()), (Class::Breaking, "/temperature", "maximum"));
//! assert!(change.example["temperature"].as_f64().unwrap() > 1.0);
//! ```

use std::fmt;

use ai21_schemas::{Dialect, PayloadKind};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

mod documents;
pub mod keyword;
mod probe;
pub mod render;
mod set;

pub use documents::Tally;
pub use keyword::{Guess, KeywordChange, KeywordRole};
pub use set::{Origin, SchemaSet};

/// Why a comparison could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{place}: {source}")]
    Read {
        /// The path.
        place: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    #[error("{place}: {reason}")]
    Json {
        /// The file, with line and column when known.
        place: String,
        /// Why.
        reason: String,
    },
    /// git could not give a revision's schemas.
    #[error("git revision {revision:?}: {reason}")]
    Git {
        /// The revision as given.
        revision: String,
        /// Why.
        reason: String,
    },
    /// A side has no payload schema at all.
    #[error("{origin}: no payload schema (files named like jamba-chat.request.schema.json){}", ignored_note(.ignored))]
    Empty {
        /// Where the side was read from.
        origin: String,
        /// What was there instead.
        ignored: Vec<String>,
    },
    /// A schema does not compile.
    #[error("{place}: not a valid JSON Schema: {reason}")]
    Schema {
        /// Which side and kind.
        place: String,
        /// jsonschema's reason.
        reason: String,
    },
    /// The generator cannot make documents of a schema (a keyword it does not know).
    #[error("{place}: cannot generate documents: {reason}")]
    Generate {
        /// Which side and kind.
        place: String,
        /// The generator's reason, with the schema pointer.
        reason: String,
    },
}

fn ignored_note(ignored: &[String]) -> String {
    if ignored.is_empty() {
        String::new()
    } else {
        format!("; found only {}", ignored.join(", "))
    }
}

/// How a comparison runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Random documents generated from each version of each kind (boundary probes come on
    /// top).
    pub cases: usize,
    /// The generator's seed: the same seed gives the same documents and the same report.
    pub seed: u64,
    /// Count members a response's old version only accepted as unknown as breaking.
    pub strict_consumers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cases: 256,
            seed: 0x00A1_21D1,
            strict_consumers: false,
        }
    }
}

/// Which way a document crosses between the versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The old version accepts it, the new one rejects it.
    NoLongerAccepted,
    /// The new version accepts it, the old one rejected it.
    NewlyAccepted,
}

/// What a change means to the people on each side of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Clients' requests are refused, or consumers meet answers they did not expect.
    Breaking,
    /// A response member the old version did not declare (it accepted it as unknown):
    /// breaks only consumers that refuse unknown members.
    UnknownMember,
    /// Nothing that worked stops working.
    Compatible,
}

impl Class {
    /// The word reports use.
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::UnknownMember => "unknown member",
            Class::Compatible => "compatible",
        }
    }
}

/// Whether a payload kind is sent by clients or by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sent by clients: narrowing it breaks them.
    Request,
    /// Sent by the server: widening it breaks strict consumers.
    Response,
}

impl Role {
    /// The role of `kind`.
    pub fn of(kind: PayloadKind) -> Role {
        match kind {
            PayloadKind::J2CompleteRequest | PayloadKind::JambaChatRequest => Role::Request,
            _ => Role::Response,
        }
    }
}

/// One difference in what the versions accept, found by documents.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// A stable name for the change, to declare it (`--accept`):
    /// `jamba-chat.request:/max_tokens:maximum`, with the dialect after the kind when
    /// there is one (`jamba-chat.request@bedrock:...`), and the unknown or missing member
    /// or the type found in brackets when that tells changes at one place apart
    /// (`:/n:additionalProperties`, `:/max_tokens:type[null]`).
    pub id: String,
    /// Breaking or not, for this kind's role and the direction.
    pub class: Class,
    /// Which version rejects the example.
    pub direction: Direction,
    /// The instance pointer, array indexes written `*`, such as `/messages/*/content`.
    pub pointer: String,
    /// The keyword that rejects, such as `maximum`.
    pub keyword: String,
    /// The rejecting version's message on the example.
    pub message: String,
    /// Where in the rejecting version's schema the keyword is.
    pub schema_location: String,
    /// The pointer into the example the message is about.
    pub example_pointer: String,
    /// A minimal document the other version accepts and the rejecting one does not.
    pub example: Value,
    /// How many of the generated documents showed this change.
    pub seen: usize,
    /// The keyword changes at the rejecting keyword's place (the cause, when the summary
    /// has it).
    pub causes: Vec<String>,
    /// Whether `--accept` declared this change (it then does not fail the run).
    pub declared: bool,
}

/// What is compared: a payload kind, as AI21 has it or on a partner dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// The payload kind.
    #[serde(serialize_with = "serialize_kind")]
    pub kind: PayloadKind,
    /// The partner dialect, when the overlays of both versions are compared.
    #[serde(serialize_with = "serialize_dialect")]
    pub dialect: Option<Dialect>,
}

fn serialize_kind<S: serde::Serializer>(
    kind: &PayloadKind,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(kind.stem())
}

fn serialize_dialect<S: serde::Serializer>(
    dialect: &Option<Dialect>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match dialect {
        Some(dialect) => serializer.serialize_str(dialect.name()),
        None => serializer.serialize_none(),
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.dialect {
            Some(dialect) => write!(f, "{} on {}", self.kind.stem(), dialect.title()),
            None => f.write_str(self.kind.stem()),
        }
    }
}

impl Subject {
    fn id_prefix(&self) -> String {
        match self.dialect {
            Some(dialect) => format!("{}@{}", self.kind.stem(), dialect.name()),
            None => self.kind.stem().to_owned(),
        }
    }
}

/// The comparison of one subject.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectDiff {
    /// What is compared.
    pub subject: Subject,
    /// Request or response.
    pub role: Role,
    /// The changes found by documents: breaking first.
    pub changes: Vec<Change>,
    /// The keyword-level summary.
    pub keywords: Vec<KeywordChange>,
    /// Documents generated from the old version.
    pub from_old: Tally,
    /// Documents generated from the new version.
    pub from_new: Tally,
}

impl SubjectDiff {
    /// Changes of `class` not declared.
    pub fn count(&self, class: Class) -> usize {
        self.changes
            .iter()
            .filter(|change| change.class == class && !change.declared)
            .count()
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// Where the old version was read from.
    pub old: String,
    /// Where the new version was read from.
    pub new: String,
    /// The options it ran with.
    pub cases: usize,
    /// The generator's seed.
    pub seed: u64,
    /// Every subject both versions have.
    pub subjects: Vec<SubjectDiff>,
    /// Subjects only the old version has (`kind` or `kind@dialect`).
    pub only_old: Vec<String>,
    /// Subjects only the new version has.
    pub only_new: Vec<String>,
    /// Files in either folder that are neither schemas nor overlays.
    pub ignored: Vec<String>,
    /// Declared changes (`--accept`) that no change matched.
    pub unmatched_declarations: Vec<String>,
}

impl Diff {
    /// Whether any undeclared change breaks clients or consumers.
    pub fn breaks(&self) -> bool {
        self.subjects
            .iter()
            .any(|subject| subject.count(Class::Breaking) > 0)
    }

    /// Marks as declared every change whose id is in `accepted`, or starts with an
    /// accepted entry followed by `:` (a whole subject such as `jamba-chat.request`).
    /// Entries that match nothing are kept in [`Diff::unmatched_declarations`].
    pub fn declare(&mut self, accepted: &[String]) {
        let mut used = vec![false; accepted.len()];
        for subject in &mut self.subjects {
            for change in &mut subject.changes {
                for (index, entry) in accepted.iter().enumerate() {
                    let entry = entry.trim();
                    if change.id == entry || change.id.starts_with(&format!("{entry}:")) {
                        change.declared = true;
                        used[index] = true;
                    }
                }
            }
        }
        self.unmatched_declarations = accepted
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(entry, _)| entry.clone())
            .collect();
    }
}

/// Compares `old` with `new`: every payload kind both have, and every partner dialect's
/// overlay of it both have.
pub fn diff(old: &SchemaSet, new: &SchemaSet, options: &Options) -> Result<Diff, Error> {
    let mut pairs: Vec<(Subject, Value, Value)> = Vec::new();
    let mut only_old = Vec::new();
    let mut only_new = Vec::new();
    for kind in PayloadKind::ALL {
        match (old.schema(kind), new.schema(kind)) {
            (Some(old_schema), Some(new_schema)) => {
                let subject = Subject {
                    kind,
                    dialect: None,
                };
                pairs.push((subject, old_schema.clone(), new_schema.clone()));
            }
            (Some(_), None) => only_old.push(kind.stem().to_owned()),
            (None, Some(_)) => only_new.push(kind.stem().to_owned()),
            (None, None) => {}
        }
        for dialect in Dialect::ALL {
            let subject = Subject {
                kind,
                dialect: Some(dialect),
            };
            match (old.schema_in(dialect, kind), new.schema_in(dialect, kind)) {
                (Some(old_schema), Some(new_schema)) => {
                    pairs.push((subject, old_schema, new_schema));
                }
                (Some(_), None) => only_old.push(subject.id_prefix()),
                (None, Some(_)) => only_new.push(subject.id_prefix()),
                (None, None) => {}
            }
        }
    }
    // Each subject on its own thread of rayon's pool; the results keep the subjects'
    // order, and the first error (in that order) is the one reported.
    let subjects = pairs
        .par_iter()
        .map(|(subject, old_schema, new_schema)| {
            compare(*subject, old_schema, new_schema, old, new, options)
        })
        .collect::<Vec<Result<SubjectDiff, Error>>>()
        .into_iter()
        .collect::<Result<Vec<_>, Error>>()?;
    let mut ignored: Vec<String> = old
        .ignored()
        .iter()
        .map(|name| format!("{}: {name}", old.origin()))
        .chain(
            new.ignored()
                .iter()
                .map(|name| format!("{}: {name}", new.origin())),
        )
        .collect();
    ignored.dedup();
    Ok(Diff {
        old: old.origin().to_string(),
        new: new.origin().to_string(),
        cases: options.cases,
        seed: options.seed,
        subjects,
        only_old,
        only_new,
        ignored,
        unmatched_declarations: Vec::new(),
    })
}

fn compare(
    subject: Subject,
    old_schema: &Value,
    new_schema: &Value,
    old: &SchemaSet,
    new: &SchemaSet,
    options: &Options,
) -> Result<SubjectDiff, Error> {
    let role = Role::of(subject.kind);
    let keywords = keyword::compare(old_schema, new_schema);
    let old_place = format!("{} {subject}", old.origin());
    let new_place = format!("{} {subject}", new.origin());
    let responses = role == Role::Response;
    let old_version = documents::Version::new(old_schema, &old_place, responses)?;
    let new_version = documents::Version::new(new_schema, &new_place, false)?;
    // Both directions at once, on rayon's pool.
    let (there, back) = rayon::join(
        || {
            documents::rejected(
                &old_version,
                &new_version,
                new_schema,
                Direction::NoLongerAccepted,
                options.cases,
                options.seed,
                &old_place,
            )
        },
        || {
            documents::rejected(
                &new_version,
                &old_version,
                old_schema,
                Direction::NewlyAccepted,
                options.cases,
                options.seed.wrapping_add(1),
                &new_place,
            )
        },
    );
    let (mut groups, from_old) = there?;
    let (more, from_new) = back?;
    groups.extend(more);
    let mut changes: Vec<Change> = groups
        .into_iter()
        .map(|group| {
            let class = classify(role, group.direction, group.unknown_member, options);
            let keyword_name = group.rule.trim_start_matches("schema/").to_owned();
            let detail = match (&group.detail, keyword_name.as_str()) {
                (Some(_), "additionalProperties" | "required") => {
                    // The member's name is the last part of its pointer.
                    String::new()
                }
                (Some(detail), _) => format!("[{detail}]"),
                (None, _) => String::new(),
            };
            let pointer = match keyword_name.as_str() {
                "additionalProperties" | "required" => {
                    member_pointer(&group.pointer, &group.finding.message)
                }
                _ => group.pointer.clone(),
            };
            let schema_location = group.finding.schema_pointer.clone().unwrap_or_default();
            let causes = causes(&keywords, &schema_location, &pointer, &keyword_name);
            Change {
                id: format!("{}:{pointer}:{keyword_name}{detail}", subject.id_prefix()),
                class,
                direction: group.direction,
                pointer,
                keyword: keyword_name,
                message: group.finding.message.clone(),
                schema_location,
                example_pointer: group.finding.pointer.clone(),
                example: group.example,
                seen: group.seen,
                causes,
                declared: false,
            }
        })
        .collect();
    changes.sort_by(|one, other| {
        (one.class, one.direction, &one.pointer, &one.keyword).cmp(&(
            other.class,
            other.direction,
            &other.pointer,
            &other.keyword,
        ))
    });
    Ok(SubjectDiff {
        subject,
        role,
        changes,
        keywords,
        from_old,
        from_new,
    })
}

fn classify(role: Role, direction: Direction, unknown_member: bool, options: &Options) -> Class {
    match (role, direction) {
        (Role::Request, Direction::NoLongerAccepted) => Class::Breaking,
        (Role::Request, Direction::NewlyAccepted) => Class::Compatible,
        (Role::Response, Direction::NoLongerAccepted) => Class::Compatible,
        (Role::Response, Direction::NewlyAccepted)
            if unknown_member && !options.strict_consumers =>
        {
            Class::UnknownMember
        }
        (Role::Response, Direction::NewlyAccepted) => Class::Breaking,
    }
}

/// The pointer of the member an `additionalProperties` or `required` message names
/// (`"n" is not a known field`, `"usage" is required`), under the object's pointer.
fn member_pointer(object: &str, message: &str) -> String {
    let before = ["\" is not a known field", "\" is required"]
        .iter()
        .find_map(|suffix| message.find(suffix).map(|at| &message[..at]));
    match before.and_then(|text| text.rsplit_once('"')) {
        Some((_, name)) => format!("{object}/{}", keyword::escape(name)),
        None => object.to_owned(),
    }
}

/// The keyword changes that explain a rejection at `schema_location` (the rejecting
/// keyword): the keyword itself, the member an unknown-member or required rejection
/// names, or else any change at the same schema node.
fn causes(
    keywords: &[KeywordChange],
    schema_location: &str,
    pointer: &str,
    keyword: &str,
) -> Vec<String> {
    let node = schema_location
        .rsplit_once('/')
        .map_or("", |(node, _)| node);
    let member = pointer.rsplit('/').next().unwrap_or("");
    let exact: Vec<String> = keywords
        .iter()
        .filter(|change| {
            change.location == schema_location
                || (matches!(keyword, "additionalProperties" | "required")
                    && change.location == format!("{node}/properties/{member}"))
        })
        .map(KeywordChange::describe)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    keywords
        .iter()
        .filter(|change| change.role != KeywordRole::Annotation)
        .filter(|change| {
            change.location.starts_with(&format!("{node}/")) || change.location == node
        })
        .take(3)
        .map(KeywordChange::describe)
        .collect()
}
