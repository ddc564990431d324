//! Embeds the workspace's `schemas/` folder into the crate and checks its manifest.
//!
//! Everything is generated from the folder itself: every schema file becomes a
//! `PayloadKind`'s text, and every example listed in `schemas/examples/manifest.json`
//! becomes a static `Example`. A manifest entry that names a missing file or an unknown
//! kind, a schema that is not JSON, and an example file that the manifest does not list
//! all stop the build with a message naming the file, so nothing is served unchecked.
//!
//! The historical contracts are found the same way: every folder of `schemas/history/` is
//! one, named after the folder, and freezes the kinds whose `<stem>.schema.json` it holds.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use serde_json::Value;

/// Schema file stems, in `PayloadKind` order.
const STEMS: [(&str, &str); 6] = [
    ("j2-complete.request", "J2CompleteRequest"),
    ("j2-complete.response", "J2CompleteResponse"),
    ("jamba-chat.request", "JambaChatRequest"),
    ("jamba-chat.response", "JambaChatResponse"),
    ("jamba-chat.stream-chunk", "JambaChatStreamChunk"),
    ("error.response", "ErrorResponse"),
];

/// The partner dialects, each with an overlay file (AI21 Studio is the canonical contract).
const DIALECTS: [&str; 3] = ["bedrock", "vertex", "azure"];

const REPAIRS: [(&str, &str); 4] = [
    ("extract-fetch-body", "ExtractFetchBody"),
    ("strip-python-preamble", "StripPythonPreamble"),
    ("python-none-to-null", "PythonNoneToNull"),
    ("remove-trailing-commas", "RemoveTrailingCommas"),
];

#[allow(
    clippy::print_stderr,
    reason = "stderr is a build script's only channel to the user"
)]
fn main() {
    if let Err(message) = run() {
        // A build script reports failure by exiting non-zero; the message on stderr is
        // what the person running cargo reads.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(
        env::var_os("CARGO_MANIFEST_DIR").ok_or("cargo did not set CARGO_MANIFEST_DIR")?,
    );
    let schemas_dir = manifest_dir
        .join("../../schemas")
        .canonicalize()
        .map_err(|error| format!("finding the workspace's schemas/ folder: {error}"))?;
    println!("cargo::rerun-if-changed={}", schemas_dir.display());

    let mut out = String::new();
    for (stem, variant) in STEMS {
        let path = schemas_dir.join(format!("{stem}.schema.json"));
        let schema = read_json(&path)?;
        let id = schema
            .get("$id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{}: no string $id", path.display()))?;
        writeln!(
            out,
            "const {}_TEXT: &str = include_str!({:?});\nconst {}_ID: &str = {id:?};",
            upper(variant),
            path.display().to_string(),
            upper(variant)
        )
        .expect("writing to a String");
    }

    overlays(&schemas_dir.join("dialects"), &mut out)?;
    history(&schemas_dir.join("history"), &mut out)?;

    let examples_dir = schemas_dir.join("examples");
    let manifest_path = examples_dir.join("manifest.json");
    let manifest = read_json(&manifest_path)?;
    let mut listed = BTreeSet::new();
    out.push_str(
        "/// Every example listed in `schemas/examples/manifest.json`, in manifest order.\n",
    );
    out.push_str("static EXAMPLES: &[Example] = &[\n");
    for (section, valid) in [("valid", true), ("invalid", false)] {
        let entries = manifest
            .get(section)
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: no `{section}` array", manifest_path.display()))?;
        for (index, entry) in entries.iter().enumerate() {
            let at = format!("{}: {section}[{index}]", manifest_path.display());
            let example = example_entry(entry, valid, &examples_dir, &mut listed)
                .map_err(|error| format!("{at}: {error}"))?;
            out.push_str(&example);
        }
    }
    out.push_str("];\n");

    let mut on_disk = BTreeSet::new();
    collect(&examples_dir, &examples_dir, &mut on_disk)?;
    for file in &on_disk {
        let is_example =
            file.ends_with(".json") && file != "manifest.json" || file.ends_with(".documented.txt");
        if is_example && !listed.contains(file) {
            return Err(format!(
                "{}: schemas/examples/{file} is not listed in schemas/examples/manifest.json",
                manifest_path.display()
            ));
        }
    }

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?);
    fs::write(out_dir.join("embedded.rs"), out)
        .map_err(|error| format!("writing embedded.rs: {error}"))
}

/// The dialect overlays, `dialects/{name}.overlay.json`: each is JSON, names its dialect,
/// and patches known kinds only, each patch an object with a `$comment` giving its sources;
/// any other file in the folder stops the build.
fn overlays(dialects_dir: &Path, out: &mut String) -> Result<(), String> {
    let mut expected = BTreeSet::new();
    for dialect in DIALECTS {
        let file = format!("{dialect}.overlay.json");
        let path = dialects_dir.join(&file);
        expected.insert(file);
        let overlay = read_json(&path)?;
        let at = path.display();
        if overlay.get("dialect").and_then(Value::as_str) != Some(dialect) {
            return Err(format!("{at}: `dialect` must be {dialect:?}"));
        }
        let kinds = overlay
            .get("kinds")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{at}: no `kinds` object"))?;
        for (kind, entry) in kinds {
            if !STEMS.iter().any(|(stem, _)| stem == kind) {
                return Err(format!("{at}: /kinds/{kind}: unknown payload kind"));
            }
            if !entry.get("patch").is_some_and(Value::is_object) {
                return Err(format!("{at}: /kinds/{kind}: no `patch` object"));
            }
            if !entry.get("$comment").is_some_and(Value::is_string) {
                return Err(format!(
                    "{at}: /kinds/{kind}: no `$comment` giving the change's sources"
                ));
            }
        }
        writeln!(
            out,
            "const {}_OVERLAY_TEXT: &str = include_str!({:?});",
            dialect.to_uppercase(),
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    for path in entries(dialects_dir)? {
        let name = file_name(&path);
        if !expected.contains(&name) {
            return Err(format!(
                "{}: unexpected file {name}: the overlays are {}",
                dialects_dir.display(),
                expected.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// Where the historical schemas' `$id`s are: `{HISTORY_ID_BASE}{name}/{file}`.
const HISTORY_ID_BASE: &str = "https://ai21-contract.dev/schemas/history/";

/// The historical contracts, `history/{name}/{stem}.schema.json`: one per folder, in name
/// order. A folder's name is lowercase letters, digits and hyphens, and not `current`
/// (today's contract); it holds at least one schema and nothing else, each named for a known
/// kind, JSON, marked `"deprecated": true`, with an `$id` under
/// `{HISTORY_ID_BASE}{name}/`. Beside the folders only `README.md` may stand.
fn history(history_dir: &Path, out: &mut String) -> Result<(), String> {
    let mut names = Vec::new();
    for path in entries(history_dir)? {
        let name = file_name(&path);
        if path.is_dir() {
            names.push(name);
        } else if name != "README.md" {
            return Err(format!(
                "{}: unexpected file: schemas/history/ holds one folder per historical contract, and README.md",
                path.display()
            ));
        }
    }
    names.sort();
    out.push_str("/// The historical contracts under `schemas/history/`, in name order.\n");
    writeln!(
        out,
        "const HISTORY_COUNT: usize = {};\nstatic HISTORY: [Frozen; HISTORY_COUNT] = [",
        names.len()
    )
    .expect("writing to a String");
    for name in &names {
        let folder = history_dir.join(name);
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if !valid_name || name == "current" {
            return Err(format!(
                "{}: a historical contract's folder is named with lowercase letters, digits and hyphens, and not `current` (today's contract)",
                folder.display()
            ));
        }
        let mut schemas: [Option<String>; STEMS.len()] = Default::default();
        for path in entries(&folder)? {
            let file = file_name(&path);
            let at = path.display();
            let index = file
                .strip_suffix(".schema.json")
                .and_then(|stem| STEMS.iter().position(|(known, _)| *known == stem))
                .filter(|_| path.is_file())
                .ok_or_else(|| {
                    format!(
                        "{at}: not a historical schema: each file is named <stem>.schema.json for a payload kind ({})",
                        STEMS.map(|(stem, _)| stem).join(", ")
                    )
                })?;
            let schema = read_json(&path)?;
            if schema.get("deprecated") != Some(&Value::Bool(true)) {
                return Err(format!(
                    "{at}: not marked `\"deprecated\": true`, as every historical schema is"
                ));
            }
            let base = format!("{HISTORY_ID_BASE}{name}/");
            let id = schema.get("$id").and_then(Value::as_str).unwrap_or("");
            if id.len() <= base.len() || !id.starts_with(&base) {
                return Err(format!("{at}: the $id {id:?} is not under {base}"));
            }
            schemas[index] = Some(format!(
                "Some(FrozenSchema {{ text: include_str!({:?}), id: {id:?} }})",
                path.display().to_string()
            ));
        }
        if schemas.iter().all(Option::is_none) {
            return Err(format!(
                "{}: a historical contract freezes at least one payload kind: the folder holds no schema",
                folder.display()
            ));
        }
        let schemas: Vec<String> = schemas
            .into_iter()
            .map(|schema| schema.unwrap_or_else(|| "None".to_owned()))
            .collect();
        writeln!(
            out,
            "    Frozen {{ name: {name:?}, schemas: [{}] }},",
            schemas.join(", ")
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    Ok(())
}

fn example_entry(
    entry: &Value,
    valid: bool,
    examples_dir: &Path,
    listed: &mut BTreeSet<String>,
) -> Result<String, String> {
    let file = string(entry, "file")?;
    let kind = string(entry, "kind")?;
    let variant = STEMS
        .iter()
        .find(|(stem, _)| *stem == kind)
        .map(|(_, variant)| *variant)
        .ok_or_else(|| format!("unknown kind {kind:?}"))?;
    let base_name = file.rsplit('/').next().unwrap_or(file);
    if !base_name.starts_with(&format!("{kind}.")) {
        return Err(format!(
            "file {file:?} does not start with its kind {kind:?}"
        ));
    }
    let text_path = embedded_file(examples_dir, file, listed)?;
    // Every example is JSON: invalid ones break a schema rule, not the syntax.
    read_json(&text_path)?;
    let source = string(entry, "source")?;

    let expectation = if valid {
        let documented = match entry.get("documented") {
            None | Some(Value::Null) => "None".to_owned(),
            Some(_) => {
                let documented_file = string(entry, "documented")?;
                let documented_path = embedded_file(examples_dir, documented_file, listed)?;
                let mut repairs = String::new();
                let repair_entries = entry
                    .get("repairs")
                    .and_then(Value::as_array)
                    .ok_or("no `repairs` array")?;
                for repair in repair_entries {
                    let name = string(repair, "repair")?;
                    let variant = REPAIRS
                        .iter()
                        .find(|(known, _)| *known == name)
                        .map(|(_, variant)| *variant)
                        .ok_or_else(|| format!("unknown repair {name:?}"))?;
                    let count = repair
                        .get("count")
                        .and_then(Value::as_u64)
                        .ok_or("repair without a whole `count`")?;
                    let erratum = optional_string(repair, "erratum")?;
                    write!(
                        repairs,
                        "AppliedRepair {{ repair: Repair::{variant}, count: {count}, erratum: {erratum:?} }}, "
                    )
                    .expect("writing to a String");
                }
                format!(
                    "Some(Documented {{ file: {documented_file:?}, text: include_str!({:?}), repairs: &[{repairs}] }})",
                    documented_path.display().to_string()
                )
            }
        };
        let endpoint = optional_string(entry, "endpoint")?;
        let pairs_with = optional_string(entry, "pairs_with")?;
        format!(
            "Expectation::Valid(ValidExample {{ documented: {documented}, endpoint: {endpoint:?}, pairs_with: {pairs_with:?} }})"
        )
    } else {
        let pointer = string(entry, "pointer")?;
        let keyword = string(entry, "keyword")?;
        let breaks = string(entry, "breaks")?;
        let cause = match entry.get("cause") {
            None | Some(Value::Null) => "None".to_owned(),
            Some(cause) => format!(
                "Some(Violation {{ pointer: {:?}, keyword: {:?} }})",
                string(cause, "pointer")?,
                string(cause, "keyword")?
            ),
        };
        format!(
            "Expectation::Invalid(InvalidExample {{ breaks: {breaks:?}, violation: Violation {{ pointer: {pointer:?}, keyword: {keyword:?} }}, cause: {cause} }})"
        )
    };
    Ok(format!(
        "    Example {{ file: {file:?}, kind: PayloadKind::{variant}, source: {source:?}, text: include_str!({:?}), expectation: {expectation} }},\n",
        text_path.display().to_string()
    ))
}

fn embedded_file(
    examples_dir: &Path,
    file: &str,
    listed: &mut BTreeSet<String>,
) -> Result<PathBuf, String> {
    let path = examples_dir.join(file);
    if !path.is_file() {
        return Err(format!("{file:?} does not exist in schemas/examples/"));
    }
    if !listed.insert(file.to_owned()) {
        return Err(format!("{file:?} is listed twice"));
    }
    Ok(path)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|error| format!("reading {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{}: not JSON: {error}", path.display()))
}

fn string<'a>(entry: &'a Value, key: &str) -> Result<&'a str, String> {
    entry
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no string `{key}`"))
}

fn optional_string<'a>(entry: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(format!("`{key}` is neither a string nor null")),
    }
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeSet<String>) -> Result<(), String> {
    for path in entries(dir)? {
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            let relative = path.strip_prefix(root).expect("collected below the root");
            let parts: Vec<_> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.insert(parts.join("/"));
        }
    }
    Ok(())
}

/// The paths of the entries of `dir`.
fn entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let reading = |error: std::io::Error| format!("reading {}: {error}", dir.display());
    fs::read_dir(dir)
        .map_err(reading)?
        .map(|entry| entry.map(|entry| entry.path()).map_err(reading))
        .collect()
}

/// The last part of `path`, as text.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn upper(camel: &str) -> String {
    let mut out = String::new();
    for (index, character) in camel.chars().enumerate() {
        if character.is_uppercase() && index > 0 {
            out.push('_');
        }
        out.push(character.to_ascii_uppercase());
    }
    out
}
