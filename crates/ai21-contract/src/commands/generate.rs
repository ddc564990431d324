//! `ai21-contract generate rust`: one self-contained Rust module of every payload type,
//! from `ai21_codegen::rust_module`.

use anyhow::{Context, Result};

use crate::args::{GenerateArgs, GenerateTarget, ItemVisibility};
use crate::commands::{EXIT_OK, write_output};

/// Writes the module to the file or standard output.
pub fn run(args: &GenerateArgs) -> Result<u8> {
    match &args.target {
        GenerateTarget::Rust(rust) => {
            let options = ai21_codegen::ModuleOptions {
                visibility: match rust.visibility {
                    ItemVisibility::Pub => ai21_codegen::Visibility::Public,
                    ItemVisibility::Crate => ai21_codegen::Visibility::Crate,
                },
                doc: rust.doc.clone(),
            };
            let source =
                ai21_codegen::rust_module(&options).context("generating the Rust module")?;
            write_output(rust.output.as_deref(), &source)?;
        }
    }
    Ok(EXIT_OK)
}
