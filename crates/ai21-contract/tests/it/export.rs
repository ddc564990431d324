//! `export openapi`, `export schemas` and `generate rust`: what they write, that it is what
//! the repository holds, that an unwritable path exits 2 naming it, and that the README's
//! Rust lines (the crate and the vendored module) build in a fresh crate, where the vendored
//! module reads every documented example.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ai21_schemas::{Dialect, PayloadKind};

use crate::readme;
use crate::support::{ai21, assert_transcript, workspace_root};
use crate::tools::run_ok;

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
    // And the partner platforms' schemas, checked below.
    let folder = tempfile::tempdir().expect("a temporary folder");
    // The README's command, where it writes `ai21-schemas/`, and a folder whose parents
    // do not exist yet.
    readme::run_ai21(&["ai21-contract", "export", "schemas"], folder.path());
    let nested = folder.path().join("nested/schemas");
    let run = ai21(
        &["export", "schemas", "-o", &nested.display().to_string()],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    for out in [folder.path().join("ai21-schemas"), nested] {
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
        let (canonical, partners) = entries.split_at(PayloadKind::ALL.len());
        for (entry, kind) in canonical.iter().zip(PayloadKind::ALL) {
            assert_eq!(entry["$id"], kind.id());
            assert_eq!(entry["file"], kind.file_name());
        }
        // Each partner's schemas: the overlaid schema of every kind it serves, under an
        // `$id` of its own, in a folder named after it.
        let mut expected = Vec::new();
        for dialect in [Dialect::Bedrock, Dialect::Vertex, Dialect::Azure] {
            for kind in PayloadKind::ALL
                .into_iter()
                .filter(|kind| dialect.serves(*kind))
            {
                expected.push((dialect, kind));
            }
        }
        assert_eq!(partners.len(), expected.len(), "{catalog:#}");
        for (entry, (dialect, kind)) in partners.iter().zip(expected) {
            let file = format!("{}/{}", dialect.name(), kind.file_name());
            assert_eq!(entry["file"], file);
            assert_eq!(entry["dialect"], dialect.name());
            let written: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out.join(&file)).expect("written"))
                    .expect("JSON");
            assert_eq!(written["$id"], entry["$id"], "{file}");
            assert_ne!(written["$id"], kind.id(), "{file}: an $id of its own");
            let mut without_id = written.clone();
            without_id["$id"] = kind.id().into();
            assert_eq!(&without_id, kind.schema_in(dialect), "{file}");
        }
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

/// A fresh crate made of the README's Rust lines: its manifest (with the repository's
/// `ai21-models` by path where the README says git), plus serde with `derive` for the
/// vendored module; its program as `src/bin/readme.rs`; the vendored module written by its
/// `generate rust` command as `src/ai21.rs`, and once more with `pub(crate)` items and module
/// docs. `src/main.rs` parses every documented example into its root type with each module,
/// and a few partner platforms' bodies with its dialect types.
fn vendoring_crate(root: &Path) {
    let source = root.join("src");
    std::fs::create_dir_all(source.join("bin")).expect("creating the crate");
    let [manifest] = readme::code_blocks("toml")
        .try_into()
        .expect("one toml block");
    let models = workspace_root().join("crates/ai21-models");
    let git = r#"git = "<this repository>""#;
    assert!(manifest.contains(git), "{manifest}");
    let manifest = manifest.replace(git, &format!("path = {:?}", models.display().to_string()));
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"vendors-ai21\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n{manifest}serde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n"
        ),
    )
    .expect("writing Cargo.toml");
    let [program] = readme::code_blocks("rust")
        .try_into()
        .expect("one rust block");
    std::fs::write(source.join("bin/readme.rs"), program).expect("writing the program");

    readme::run_ai21(&["ai21-contract", "generate", "rust"], root);
    let crate_module = source.join("ai21_crate.rs").display().to_string();
    let run = ai21(
        &[
            "generate",
            "rust",
            "--visibility",
            "crate",
            "--doc",
            "Vendored for a test.",
            "-o",
            &crate_module,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let mut main = String::from(
        "//! Parses every documented example with the vendored types.\n\nmod ai21;\nmod ai21_crate;\n\nfn parse<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, text: &str) {\n    let value: T = serde_json::from_str(text).unwrap_or_else(|error| panic!(\"{name}: {error}\"));\n    serde_json::to_string(&value).expect(\"serializes\");\n    println!(\"{name}: ok\");\n}\n\nfn main() {\n",
    );
    let mut count = 0;
    for example in ai21_schemas::examples().filter(|example| example.is_valid()) {
        let kind = example.kind().type_name();
        let text = example.payload().to_string();
        for module in ["ai21", "ai21_crate"] {
            main.push_str(&format!(
                "    parse::<{module}::{kind}>(\"{module} {}\", r###\"{text}\"###);\n",
                example.file()
            ));
            count += 1;
        }
    }
    // The partner platforms' bodies, with the vendored dialect types.
    for (kind, text) in [
        (
            "bedrock::JambaChatRequest",
            r#"{"messages": [{"role": "user", "content": "Hi"}]}"#,
        ),
        (
            "bedrock::J2CompleteResponse",
            r#"{"id": 1234, "prompt": {"text": "", "tokens": []}, "completions": []}"#,
        ),
        (
            "bedrock::ErrorResponse",
            r#"{"message": "The provided model identifier is invalid."}"#,
        ),
        (
            "vertex::ErrorResponse",
            r#"{"error": {"code": 404, "message": "Not found.", "status": "NOT_FOUND"}}"#,
        ),
        (
            "azure::JambaChatStreamChunk",
            r#"{"id": "c", "object": "chat.completion.chunk", "created": 1, "choices": [{"index": 0, "created": 1, "delta": {"content": "Hi"}}]}"#,
        ),
    ] {
        for module in ["ai21", "ai21_crate"] {
            main.push_str(&format!(
                "    parse::<{module}::{kind}>(\"{module} {kind}\", r###\"{text}\"###);\n"
            ));
            count += 1;
        }
    }
    main.push_str("}\n");
    assert!(count >= 26, "only {count} parses");
    std::fs::write(source.join("main.rs"), main).expect("writing main.rs");
}

/// Runs a program of the vendoring crate with `cargo run --offline`, returning its output,
/// and fails when it fails or when the build warns.
fn cargo_run(folder: &Path, binary: &str) -> String {
    // A target directory kept between runs, so serde is built once.
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vendored-module-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = run_ok(
        Command::new(cargo)
            .args(["run", "--quiet", "--offline", "--bin", binary])
            .current_dir(folder)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS"),
        Duration::from_secs(600),
        &format!("cargo run --bin {binary} in the vendoring crate"),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    // No warning from the README's lines or the generated code.
    assert!(!stderr.contains("warning"), "{stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_readme_rust_lines_build_and_the_generated_module_reads_every_documented_example() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    vendoring_crate(folder.path());
    let printed = cargo_run(folder.path(), "readme");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2, "{printed}");
    let request: serde_json::Value = serde_json::from_str(lines[0]).expect("the request is JSON");
    assert_eq!(request["max_tokens"], 200, "{printed}");
    assert_eq!(lines[1], "Honey never spoils.");
    let printed = cargo_run(folder.path(), "vendors-ai21");
    let parsed = printed
        .lines()
        .filter(|line| line.ends_with(": ok"))
        .count();
    assert!(parsed >= 26, "{printed}");
}
