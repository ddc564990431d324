//! The generated models are fresh, and the check fails on a stale copy.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn generated_models_are_fresh() {
    if let Err(error) = check(&workspace_root()) {
        panic!("{error:#}");
    }
}

/// Copies what codegen reads and writes into a temporary workspace.
fn temporary_copy() -> tempfile::TempDir {
    let root = workspace_root();
    let copy = tempfile::tempdir().expect("creating a temporary folder");
    for folder in ["schemas", GENERATED_DIR, "exports"] {
        fs::create_dir_all(copy.path().join(folder)).expect("creating folders");
        for entry in fs::read_dir(root.join(folder)).expect("listing") {
            let path = entry.expect("listing").path();
            if path.is_file() {
                fs::copy(
                    &path,
                    copy.path()
                        .join(folder)
                        .join(path.file_name().expect("a file name")),
                )
                .expect("copying");
            }
        }
    }
    copy
}

#[test]
fn a_schema_edit_makes_the_check_fail_with_the_fix_command() {
    let copy = temporary_copy();
    check(copy.path()).expect("a fresh copy passes");

    let schema_path = copy.path().join("schemas/jamba-chat.request.schema.json");
    let schema = fs::read_to_string(&schema_path).expect("reading");
    let edited = schema.replace(
        "\"description\": \"Name of the Jamba model",
        "\"description\": \"The name of the Jamba model",
    );
    assert_ne!(schema, edited, "the edit applies");
    fs::write(&schema_path, edited).expect("writing");

    let message = format!(
        "{:#}",
        check(copy.path()).expect_err("the models are stale")
    );
    assert!(
        message.contains("crates/ai21-models/src/generated/jamba_chat_request.rs is stale"),
        "{message}"
    );
    assert!(
        message.contains("+    ///The name of the Jamba model"),
        "{message}"
    );
    assert!(
        message.ends_with("run `cargo xtask codegen` and commit the result"),
        "{message}"
    );

    write(copy.path()).expect("regenerating");
    check(copy.path()).expect("fresh again after regenerating");
}

#[test]
fn a_leftover_generated_file_fails_the_check() {
    let copy = temporary_copy();
    fs::write(
        copy.path()
            .join(GENERATED_DIR)
            .join("j1_complete_request.rs"),
        "// old\n",
    )
    .expect("writing");
    let message = format!(
        "{:#}",
        check(copy.path()).expect_err("a file without a schema")
    );
    assert!(
        message.contains("j1_complete_request.rs has no schema any more"),
        "{message}"
    );
}
