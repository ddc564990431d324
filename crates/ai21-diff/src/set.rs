//! One side of a comparison: the schemas of a version of the contract, read from a
//! folder, from a git revision, or given as values (the embedded contracts).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ai21_schemas::{Dialect, PayloadKind};
use serde_json::Value;

use crate::Error;

/// Where a schema set was read from, for messages and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A folder on disk.
    Folder(PathBuf),
    /// A folder (`path`, relative to the repository's root) at a git revision.
    Git {
        /// The revision as given, such as `main` or `HEAD~1`.
        revision: String,
        /// The commit it names.
        commit: String,
        /// The folder inside the repository.
        path: String,
    },
    /// Values given by the caller, such as an embedded contract.
    Given(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Folder(path) => write!(f, "{}", path.display()),
            Origin::Git {
                revision,
                commit,
                path,
            } => {
                let short = commit.get(..10).unwrap_or(commit);
                if revision == commit || revision == short {
                    write!(f, "{short}:{path}")
                } else {
                    write!(f, "{revision} ({short}):{path}")
                }
            }
            Origin::Given(name) => f.write_str(name),
        }
    }
}

/// The schemas of one version of the contract: each payload kind's schema that the
/// version has, and the partner dialects' overlays it has.
///
/// A folder is read like `schemas/`: `<stem>.schema.json` for each payload kind
/// (`jamba-chat.request.schema.json`, ...) and `dialects/<name>.overlay.json` for each
/// partner dialect. Other files are listed in [`SchemaSet::ignored`], never silently
/// dropped.
#[derive(Debug, Clone)]
pub struct SchemaSet {
    origin: Origin,
    schemas: BTreeMap<PayloadKind, Value>,
    overlays: BTreeMap<Dialect, Value>,
    ignored: Vec<String>,
}

impl SchemaSet {
    /// A set of the given schemas (and no overlays), such as an embedded contract.
    pub fn from_values(
        name: impl Into<String>,
        schemas: impl IntoIterator<Item = (PayloadKind, Value)>,
    ) -> SchemaSet {
        SchemaSet {
            origin: Origin::Given(name.into()),
            schemas: schemas.into_iter().collect(),
            overlays: BTreeMap::new(),
            ignored: Vec::new(),
        }
    }

    /// The set with these dialect overlays (each a whole `dialects/<name>.overlay.json`
    /// document) beside its schemas.
    #[must_use]
    pub fn with_overlays(
        mut self,
        overlays: impl IntoIterator<Item = (Dialect, Value)>,
    ) -> SchemaSet {
        self.overlays.extend(overlays);
        self
    }

    /// The schemas in `folder` (see the type's documentation for the layout).
    pub fn from_folder(folder: &Path) -> Result<SchemaSet, Error> {
        let read_dir = |dir: &Path| {
            std::fs::read_dir(dir).map_err(|source| Error::Read {
                place: dir.display().to_string(),
                source,
            })
        };
        let mut files = Vec::new();
        for entry in read_dir(folder)? {
            let entry = entry.map_err(|source| Error::Read {
                place: folder.display().to_string(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                if name == "dialects" {
                    for inner in read_dir(&path)? {
                        let inner = inner.map_err(|source| Error::Read {
                            place: path.display().to_string(),
                            source,
                        })?;
                        let inner_name = inner.file_name().to_string_lossy().into_owned();
                        files.push((format!("dialects/{inner_name}"), inner.path()));
                    }
                } else {
                    files.push((format!("{name}/"), path));
                }
                continue;
            }
            files.push((name, path));
        }
        let mut set = SchemaSet {
            origin: Origin::Folder(folder.to_owned()),
            schemas: BTreeMap::new(),
            overlays: BTreeMap::new(),
            ignored: Vec::new(),
        };
        files.sort();
        for (name, path) in files {
            if name.ends_with('/') || !set.wants(&name) {
                set.ignored.push(name);
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
                place: path.display().to_string(),
                source,
            })?;
            set.add(&name, &path.display().to_string(), &text)?;
        }
        set.finish()
    }

    /// The schemas in `path` (a folder relative to the repository's root, such as
    /// `schemas`) at `revision` of the git repository around `repository`.
    pub fn from_git(repository: &Path, revision: &str, path: &str) -> Result<SchemaSet, Error> {
        let path = path.trim_matches('/');
        let commit = git(
            repository,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{revision}^{{commit}}"),
            ],
        )
        .map_err(|reason| Error::Git {
            revision: revision.to_owned(),
            reason: format!("not a commit of the repository ({reason})"),
        })?
        .trim()
        .to_owned();
        let listing = git(
            repository,
            &[
                "ls-tree",
                "-r",
                "--name-only",
                &commit,
                "--",
                &format!("{path}/"),
            ],
        )
        .map_err(|reason| Error::Git {
            revision: revision.to_owned(),
            reason,
        })?;
        let mut set = SchemaSet {
            origin: Origin::Git {
                revision: revision.to_owned(),
                commit: commit.clone(),
                path: path.to_owned(),
            },
            schemas: BTreeMap::new(),
            overlays: BTreeMap::new(),
            ignored: Vec::new(),
        };
        let mut subfolders = Vec::new();
        for file in listing.lines() {
            let Some(name) = file
                .strip_prefix(path)
                .map(|name| name.trim_start_matches('/'))
            else {
                continue;
            };
            let nested = name.split('/').count() > 1 && !name.starts_with("dialects/");
            if nested {
                let folder = format!("{}/", name.split('/').next().unwrap_or(name));
                if !subfolders.contains(&folder) {
                    subfolders.push(folder);
                }
                continue;
            }
            if !set.wants(name) {
                set.ignored.push(name.to_owned());
                continue;
            }
            let text =
                git(repository, &["show", &format!("{commit}:{file}")]).map_err(|reason| {
                    Error::Git {
                        revision: revision.to_owned(),
                        reason,
                    }
                })?;
            set.add(name, &format!("{revision}:{file}"), &text)?;
        }
        set.ignored.extend(subfolders);
        set.ignored.sort();
        if set.schemas.is_empty() && set.overlays.is_empty() && set.ignored.is_empty() {
            return Err(Error::Git {
                revision: revision.to_owned(),
                reason: format!("the revision has no folder {path}/"),
            });
        }
        set.finish()
    }

    /// Where the set was read from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The schema of `kind`, when the set has one.
    pub fn schema(&self, kind: PayloadKind) -> Option<&Value> {
        self.schemas.get(&kind)
    }

    /// The kinds the set has a schema of.
    pub fn kinds(&self) -> impl Iterator<Item = PayloadKind> + '_ {
        self.schemas.keys().copied()
    }

    /// The schema of `kind` as `dialect` has it (the set's overlay applied), when the set
    /// has both and the overlay patches the kind.
    pub fn schema_in(&self, dialect: Dialect, kind: PayloadKind) -> Option<Value> {
        ai21_schemas::overlaid_schema(self.schemas.get(&kind)?, self.overlays.get(&dialect)?, kind)
    }

    /// The dialects the set has an overlay of.
    pub fn dialects(&self) -> impl Iterator<Item = Dialect> + '_ {
        self.overlays.keys().copied()
    }

    /// Files and folders in the set's folder that are neither a payload schema nor an
    /// overlay, as paths relative to it (folders end in `/`).
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    fn wants(&self, name: &str) -> bool {
        kind_of(name).is_some() || dialect_of(name).is_some()
    }

    fn add(&mut self, name: &str, place: &str, text: &str) -> Result<(), Error> {
        let value: Value = serde_json::from_str(text).map_err(|error| Error::Json {
            place: format!("{place}:{}:{}", error.line(), error.column()),
            reason: error.to_string(),
        })?;
        if let Some(kind) = kind_of(name) {
            if !value.is_object() {
                return Err(Error::Json {
                    place: place.to_owned(),
                    reason: "a schema document is a JSON object".to_owned(),
                });
            }
            self.schemas.insert(kind, value);
        } else if let Some(dialect) = dialect_of(name) {
            if !value.get("kinds").is_some_and(Value::is_object) {
                return Err(Error::Json {
                    place: format!("{place}#/kinds"),
                    reason: "an overlay has an object `kinds` of merge patches".to_owned(),
                });
            }
            self.overlays.insert(dialect, value);
        }
        Ok(())
    }

    fn finish(self) -> Result<SchemaSet, Error> {
        if self.schemas.is_empty() {
            return Err(Error::Empty {
                origin: self.origin.to_string(),
                ignored: self.ignored,
            });
        }
        Ok(self)
    }
}

/// The payload kind a file name such as `jamba-chat.request.schema.json` holds.
fn kind_of(name: &str) -> Option<PayloadKind> {
    let stem = name.strip_suffix(".schema.json")?;
    PayloadKind::ALL
        .into_iter()
        .find(|kind| kind.stem() == stem)
}

/// The dialect a path such as `dialects/bedrock.overlay.json` is the overlay of.
fn dialect_of(name: &str) -> Option<Dialect> {
    let name = name
        .strip_prefix("dialects/")?
        .strip_suffix(".overlay.json")?;
    name.parse().ok()
}

/// Runs git in `repository`, returning its standard output, or why it failed.
fn git(repository: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repository)
        .args(args)
        .output()
        .map_err(|error| format!("running git: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(if stderr.is_empty() {
            format!("git {} failed ({})", args.join(" "), output.status)
        } else {
            stderr
        });
    }
    String::from_utf8(output.stdout).map_err(|_| "git printed text that is not UTF-8".to_owned())
}
