//! `cargo xtask codegen [--check]`: regenerates the typed models from `schemas/`.
//!
//! The models live in `crates/ai21-models/src/generated/`, one file per schema, and for
//! each partner dialect a module file (`bedrock.rs`) and a folder (`bedrock/`) with one
//! file per payload kind whose types its overlay in `schemas/dialects/` changes. With
//! `--check` nothing is written: the files are regenerated in memory and compared, and any
//! difference fails with a short diff and the command that fixes it.

use std::fs;
use std::path::{Path, PathBuf};

use ai21_codegen::{DialectOptions, module_name};
use ai21_schemas::{Dialect, PayloadKind};
use anyhow::{Context, Result, bail};

/// The command that regenerates the models, as printed in errors.
pub(crate) const FIX: &str = "cargo xtask codegen";

/// The folder of generated model files, relative to the workspace root.
const GENERATED_DIR: &str = "crates/ai21-models/src/generated";

/// One generated file: where it goes and what it holds.
pub(crate) struct GeneratedFile {
    pub(crate) path: PathBuf,
    pub(crate) source: String,
}

/// The module (and file) of the definitions several schemas share.
const SHARED_MODULE: &str = "shared";

/// Generates every model file from the schemas under `root` (read from disk, so a copy of
/// the workspace can be checked): one per schema, and `shared.rs` for the definitions
/// several schemas share.
pub(crate) fn generate_all(root: &Path) -> Result<Vec<GeneratedFile>> {
    let mut schemas = Vec::new();
    for kind in PayloadKind::ALL {
        let schema_path = root.join("schemas").join(kind.file_name());
        let text = fs::read_to_string(&schema_path)
            .with_context(|| format!("reading {}", schema_path.display()))?;
        let schema: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("parsing {}", schema_path.display()))?;
        let options =
            ai21_codegen::Options::new(kind.type_name(), format!("schemas/{}", kind.file_name()));
        schemas.push((kind, schema, options));
    }
    let inputs: Vec<_> = schemas
        .iter()
        .map(|(_, schema, options)| (schema, options))
        .collect();
    let generated = ai21_codegen::generate_set(&inputs)?;
    let file = |name: &str, source: String| GeneratedFile {
        path: root.join(GENERATED_DIR).join(format!("{name}.rs")),
        source,
    };
    let mut files: Vec<GeneratedFile> = schemas
        .iter()
        .zip(generated.modules)
        .map(|((kind, _, _), module)| file(&module_name(*kind), module.source))
        .collect();
    if let Some(shared) = generated.shared {
        files.push(file(SHARED_MODULE, shared.source));
    }
    let canonical: Vec<(PayloadKind, &serde_json::Value)> = schemas
        .iter()
        .map(|(kind, schema, _)| (*kind, schema))
        .collect();
    for dialect in Dialect::ALL {
        let Some(overlay_file) = dialect.overlay_file() else {
            continue;
        };
        let overlay_path = root.join("schemas/dialects").join(&overlay_file);
        let text = fs::read_to_string(&overlay_path)
            .with_context(|| format!("reading {}", overlay_path.display()))?;
        let overlay: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("parsing {}", overlay_path.display()))?;
        let models = ai21_codegen::dialect_models(
            dialect,
            &canonical,
            &overlay,
            &format!("schemas/dialects/{overlay_file}"),
            &DialectOptions::default(),
        )?;
        let mut module = models.docs;
        module.push('\n');
        let mut submodules: Vec<String> = models
            .modules
            .iter()
            .map(|(kind, _)| module_name(*kind))
            .collect();
        if models.shared.is_some() {
            submodules.insert(0, SHARED_MODULE.to_owned());
        }
        for submodule in &submodules {
            module.push_str(&format!("#[rustfmt::skip]\npub mod {submodule};\n"));
        }
        module.push_str(&models.items);
        files.push(file(dialect.name(), module));
        let dialect_file = |name: &str, source: String| GeneratedFile {
            path: root
                .join(GENERATED_DIR)
                .join(dialect.name())
                .join(format!("{name}.rs")),
            source,
        };
        if let Some(shared) = models.shared {
            files.push(dialect_file(SHARED_MODULE, shared.source));
        }
        for (kind, generated) in models.modules {
            files.push(dialect_file(&module_name(kind), generated.source));
        }
    }
    files.push(GeneratedFile {
        path: root.join(OPENAPI_PATH),
        source: openapi_document()?,
    });
    Ok(files)
}

/// Where the exported OpenAPI document is checked in, relative to the workspace root.
pub(crate) const OPENAPI_PATH: &str = "exports/ai21.openapi.json";

/// The OpenAPI document `ai21-contract export openapi` writes, as checked in.
fn openapi_document() -> Result<String> {
    let mut text = serde_json::to_string_pretty(&ai21_codegen::openapi())
        .context("writing the OpenAPI document")?;
    text.push('\n');
    Ok(text)
}

/// Writes the generated files, creating their folders if needed, and removes the files of
/// the generated folder that nothing generates any more (a kind whose types a dialect no
/// longer changes).
pub(crate) fn write(root: &Path) -> Result<()> {
    let files = generate_all(root)?;
    if root.join(GENERATED_DIR).is_dir() {
        for path in files_under(&root.join(GENERATED_DIR))? {
            if !files.iter().any(|file| file.path == path) {
                fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
                eprintln!("removed {}", relative(root, &path));
            }
        }
    }
    fs::create_dir_all(root.join("exports")).context("creating the exports folder")?;
    for file in files {
        if let Some(folder) = file.path.parent() {
            fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
        }
        let current = fs::read_to_string(&file.path).unwrap_or_default();
        if current != file.source {
            fs::write(&file.path, &file.source)
                .with_context(|| format!("writing {}", file.path.display()))?;
            eprintln!("wrote {}", relative(root, &file.path));
        }
    }
    Ok(())
}

/// Fails when a generated file is missing, differs, or has no schema any more.
pub(crate) fn check(root: &Path) -> Result<()> {
    let files = generate_all(root)?;
    let mut problems = Vec::new();
    for file in &files {
        let current = fs::read_to_string(&file.path).unwrap_or_default();
        if current != file.source {
            problems.push(format!(
                "{} is stale:\n{}",
                relative(root, &file.path),
                short_diff(&current, &file.source)
            ));
        }
    }
    let expected: Vec<&Path> = files.iter().map(|file| file.path.as_path()).collect();
    for path in files_under(&root.join(GENERATED_DIR))? {
        if !expected.contains(&path.as_path()) {
            problems.push(format!("{} has no schema any more", relative(root, &path)));
        }
    }
    if !problems.is_empty() {
        bail!(
            "the generated models are out of date with schemas/:\n\n{}\nrun `{FIX}` and commit the result",
            problems.join("\n")
        );
    }
    Ok(())
}

/// Every file under `folder`, in its subfolders too.
fn files_under(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in
            fs::read_dir(&folder).with_context(|| format!("listing {}", folder.display()))?
        {
            let path = entry
                .with_context(|| format!("listing {}", folder.display()))?
                .path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A unified diff of at most 40 lines.
fn short_diff(old: &str, new: &str) -> String {
    const LIMIT: usize = 40;
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(1)
        .header("checked in", "generated")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines
        .iter()
        .take(LIMIT)
        .map(|line| format!("    {line}\n"))
        .collect::<String>();
    if lines.len() > LIMIT {
        out.push_str(&format!("    ... {} more lines\n", lines.len() - LIMIT));
    }
    out
}

#[cfg(test)]
mod tests;
