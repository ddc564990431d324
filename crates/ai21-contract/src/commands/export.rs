//! `ai21-contract export openapi` and `export schemas`: the contract for other tools, from
//! `ai21_codegen::openapi` and `ai21_codegen::schema_files`.

use std::fs;

use anyhow::{Context, Result};

use crate::args::{ExportArgs, ExportTarget};
use crate::commands::{EXIT_OK, write_output};

/// Writes the document, or the schema files.
pub fn run(args: &ExportArgs) -> Result<u8> {
    match &args.target {
        ExportTarget::Openapi(openapi) => {
            let mut text = serde_json::to_string_pretty(&ai21_codegen::openapi())
                .context("writing the OpenAPI document")?;
            text.push('\n');
            write_output(openapi.output.as_deref(), &text)?;
        }
        ExportTarget::Schemas(schemas) => {
            let folder = &schemas.output;
            fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
            for file in ai21_codegen::schema_files() {
                let path = folder.join(&file.name);
                // A partner dialect's schemas are in a folder of their own.
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                }
                fs::write(&path, &file.text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
    }
    Ok(EXIT_OK)
}
