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
    for folder in ["schemas", "schemas/dialects", GENERATED_DIR, "exports"] {
        copy_folder(&root.join(folder), &copy.path().join(folder));
    }
    copy
}

/// Copies the files of `from`, and of its subfolders, into `to`.
fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("creating folders");
    for entry in fs::read_dir(from).expect("listing") {
        let path = entry.expect("listing").path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            if path.starts_with(workspace_root().join(GENERATED_DIR)) {
                copy_folder(&path, &target);
            }
        } else {
            fs::copy(&path, target).expect("copying");
        }
    }
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

#[test]
fn an_overlay_edit_makes_the_dialect_models_stale() {
    let copy = temporary_copy();
    let overlay_path = copy.path().join("schemas/dialects/bedrock.overlay.json");
    let overlay = fs::read_to_string(&overlay_path).expect("reading");
    let edited = overlay.replace(
        "\"description\": \"Bedrock's own stop marker",
        "\"description\": \"The stop marker of Bedrock",
    );
    assert_ne!(overlay, edited, "the edit applies");
    fs::write(&overlay_path, edited).expect("writing");
    let message = format!(
        "{:#}",
        check(copy.path()).expect_err("the Bedrock models are stale")
    );
    assert!(
        message.contains(
            "crates/ai21-models/src/generated/bedrock/jamba_chat_stream_chunk.rs is stale"
        ),
        "{message}"
    );
    assert!(
        message.contains("+    ///The stop marker of Bedrock"),
        "{message}"
    );
    write(copy.path()).expect("regenerating");
    check(copy.path()).expect("fresh again after regenerating");
}

#[test]
fn a_patch_that_no_longer_changes_the_types_leaves_a_file_without_a_schema() {
    // Without its patch, Vertex's error body is AI21's, so the canonical type serves it and
    // the file generated for it must go.
    let copy = temporary_copy();
    let overlay_path = copy.path().join("schemas/dialects/vertex.overlay.json");
    let mut overlay: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&overlay_path).expect("reading")).expect("JSON");
    overlay["kinds"]
        .as_object_mut()
        .expect("kinds")
        .remove("error.response")
        .expect("Vertex patches the error body");
    fs::write(&overlay_path, overlay.to_string()).expect("writing");
    let message = format!(
        "{:#}",
        check(copy.path()).expect_err("a leftover dialect file")
    );
    assert!(
        message.contains(
            "crates/ai21-models/src/generated/vertex/error_response.rs has no schema any more"
        ),
        "{message}"
    );
    assert!(
        message.contains("crates/ai21-models/src/generated/vertex.rs is stale"),
        "{message}"
    );
    write(copy.path()).expect("regenerating");
    assert!(
        !copy
            .path()
            .join(GENERATED_DIR)
            .join("vertex/error_response.rs")
            .exists(),
        "the leftover is removed"
    );
    check(copy.path()).expect("fresh again after regenerating");
}
