//! `export openapi`, `export schemas` and `generate rust`: what they write, that it is what
//! the repository holds, that an unwritable path exits 2 naming it, and that the vendored
//! Rust module compiles in a fresh crate and reads every documented example.

use std::path::{Path, PathBuf};
use std::process::Command;

use ai21_schemas::PayloadKind;

use crate::support::{ai21, assert_transcript, workspace_root};

#[test]
fn export_openapi_writes_the_checked_in_document() {
    let checked_in = std::fs::read_to_string(workspace_root().join("exports/ai21.openapi.json"))
        .expect("exports/ai21.openapi.json is readable");
    let run = ai21(&["export", "openapi"], b"");
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stdout, checked_in,
        "regenerate with `cargo xtask codegen`"
    );
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("ai21.json");
    let run = ai21(
        &["export", "openapi", "-o", &path.display().to_string()],
        b"",
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, ""),
        "{}",
        run.transcript()
    );
    assert_eq!(std::fs::read_to_string(&path).expect("written"), checked_in);
}

#[test]
fn export_schemas_writes_the_canonical_files_and_a_catalog() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let out = folder.path().join("nested/schemas");
    let run = ai21(
        &["export", "schemas", "-o", &out.display().to_string()],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    for kind in PayloadKind::ALL {
        let written = std::fs::read_to_string(out.join(kind.file_name())).expect("written");
        let canonical =
            std::fs::read_to_string(workspace_root().join("schemas").join(kind.file_name()))
                .expect("the canonical schema");
        assert_eq!(written, canonical, "{kind}");
    }
    let catalog: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("catalog.json")).expect("a catalog"),
    )
    .expect("JSON");
    let entries = catalog["schemas"].as_array().expect("entries");
    assert_eq!(entries.len(), PayloadKind::ALL.len());
    for (entry, kind) in entries.iter().zip(PayloadKind::ALL) {
        assert_eq!(entry["$id"], kind.id());
        assert_eq!(entry["file"], kind.file_name());
    }
}

#[test]
fn an_unwritable_output_exits_2_naming_the_path() {
    let missing = "/nonexistent-ai21-folder/out.json";
    for arguments in [
        &["export", "openapi", "-o", missing][..],
        &["generate", "rust", "-o", missing][..],
    ] {
        let run = ai21(arguments, b"");
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr
                .starts_with(&format!("error: writing {missing}: ")),
            "{}",
            run.transcript()
        );
    }
    // A file where the schemas' folder should be.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let file = folder.path().join("a-file");
    std::fs::write(&file, "").expect("written");
    let run = ai21(
        &["export", "schemas", "-o", &file.display().to_string()],
        b"",
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.starts_with("error: creating "),
        "{}",
        run.transcript()
    );
}

#[test]
fn help_of_the_export_and_generate_commands() {
    for (name, arguments) in [
        ("export-help", &["export", "--help"][..]),
        ("export-openapi-help", &["export", "openapi", "--help"][..]),
        ("export-schemas-help", &["export", "schemas", "--help"][..]),
        ("generate-rust-help", &["generate", "rust", "--help"][..]),
    ] {
        let run = ai21(arguments, b"");
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert_transcript(name, &run, None);
    }
}

/// A fresh crate that vendors the generated module twice (`pub` and `pub(crate)`) and
/// parses every documented example into its root type with each.
fn vendoring_crate(root: &Path) {
    let source = root.join("src");
    std::fs::create_dir_all(&source).expect("creating the crate");
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"vendors-ai21\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n\n[workspace]\n",
    )
    .expect("writing Cargo.toml");
    for (file, arguments) in [
        ("ai21_pub.rs", &["generate", "rust"][..]),
        (
            "ai21_crate.rs",
            &[
                "generate",
                "rust",
                "--visibility",
                "crate",
                "--doc",
                "Vendored for a test.",
            ][..],
        ),
    ] {
        let path = source.join(file);
        let mut arguments = arguments.to_vec();
        let path_text = path.display().to_string();
        arguments.extend(["-o", path_text.as_str()]);
        let run = ai21(&arguments, b"");
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let mut main = String::from(
        "//! Parses every documented example with the vendored types.\n\nmod ai21_crate;\nmod ai21_pub;\n\nfn parse<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, text: &str) {\n    let value: T = serde_json::from_str(text).unwrap_or_else(|error| panic!(\"{name}: {error}\"));\n    serde_json::to_string(&value).expect(\"serializes\");\n    println!(\"{name}: ok\");\n}\n\nfn main() {\n",
    );
    let mut count = 0;
    for example in ai21_schemas::examples().filter(|example| example.is_valid()) {
        let kind = example.kind().type_name();
        let text = example.payload().to_string();
        for module in ["ai21_pub", "ai21_crate"] {
            main.push_str(&format!(
                "    parse::<{module}::{kind}>(\"{module} {}\", r###\"{text}\"###);\n",
                example.file()
            ));
            count += 1;
        }
    }
    main.push_str("}\n");
    assert!(count >= 16, "only {count} parses");
    std::fs::write(source.join("main.rs"), main).expect("writing main.rs");
}

#[test]
fn the_generated_rust_module_compiles_in_a_fresh_crate_and_reads_every_documented_example() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    vendoring_crate(folder.path());
    // A target directory kept between runs, so serde is built once.
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vendored-module-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["run", "--quiet", "--offline"])
        .current_dir(folder.path())
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the vendoring crate failed:\n{stdout}\n{stderr}"
    );
    let parsed = stdout.lines().filter(|line| line.ends_with(": ok")).count();
    assert!(parsed >= 16, "{stdout}");
    // No warning from the generated code in the vendoring crate.
    assert!(!stderr.contains("warning"), "{stderr}");
}
