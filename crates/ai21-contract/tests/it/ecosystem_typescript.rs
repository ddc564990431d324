//! The TypeScript half of the proof that other ecosystems' tools take the contract:
//! `openapi-typescript` generates types from `ai21-contract export openapi`, and `tsc --strict`
//! compiles against them every documented example typed as its schema's type
//! (`components["schemas"]["JambaChatRequest"]`) and every example the document attaches to
//! an operation typed through `paths` (its request body, its 200 answer, its error answers).
//!
//! It proves as well that the types can fail: each wrong assignment stands under a
//! `// @ts-expect-error`, so tsc fails when one of them compiles. They are a few documented
//! examples with one edit, typed through `paths`, and every invalid example of the manifest
//! whose break a TypeScript type states (a wrong type, a missing required property, an
//! unknown property of a closed request, a wrong constant). The invalid examples that break a
//! value constraint (a bound, a length, a pattern, an integer given as a fraction) must
//! compile: the types state shapes, and the validator values.
//!
//! The tools are the exact versions of `tests/ecosystem/typescript/package-lock.json`,
//! installed by the test with `npm ci` under the target directory, guarded by a lock, and
//! reused while a stamp records the same package files, Node.js and npm. The types are
//! compiled with the TypeScript openapi-typescript is made for (5.x, its peer dependency) and
//! with TypeScript 7, which has no compiler API for a generator to use. A step that cannot
//! run (no node or npm, npm failing) fails the test with the reason: it is never skipped.

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use ai21_schemas::{Example, Expectation, InvalidExample};
use serde_json::Value;

use crate::readme;
use crate::support::workspace_root;
use crate::tools::{npm_ci, run, run_ok};

/// How long checking that node and npm exist may take.
const VERSION_DEADLINE: Duration = Duration::from_secs(60);
/// How long exporting the document and generating the types may take.
const GENERATE_DEADLINE: Duration = Duration::from_secs(120);
/// How long one compilation may take.
const COMPILE_DEADLINE: Duration = Duration::from_secs(300);

/// The compilers, by their name in `package.json`: TypeScript 5 (openapi-typescript's peer)
/// and TypeScript 7 (installed under an alias).
const COMPILERS: [&str; 2] = ["typescript", "typescript-7"];

/// The options of every compilation: `--strict`, nothing emitted, modern modules.
const TSC_OPTIONS: [&str; 10] = [
    "--strict",
    "--noEmit",
    "--pretty",
    "false",
    "--target",
    "es2022",
    "--module",
    "esnext",
    "--moduleResolution",
    "bundler",
];

/// The generated types' file, and the options of openapi-typescript: a property with a
/// `default` stays optional, as the schema says. (By default openapi-typescript makes such a
/// property required outside inline request bodies and parameters, and the request schemas,
/// being components, give `default`s: then no documented request would compile.)
const TYPES_FILE: &str = "ai21.d.ts";
const GENERATOR_OPTIONS: [&str; 2] = ["--default-non-nullable", "false"];

/// Wrong assignments through `paths`: a documented example with one edit, typed as an
/// operation's request body (`status: None`) or answer.
const WRONG_THROUGH_PATHS: &[Wrong] = &[
    Wrong {
        what: "a number where a string is required (`prompt`)",
        example: "j2-complete.request.001-1.json",
        path: "/studio/v1/{model}/complete",
        status: None,
        pointer: "/prompt",
        value: Some("42"),
    },
    Wrong {
        what: "an unknown property of a closed request (J2's `maxTokens` in a chat request)",
        example: "jamba-chat.request.002-1.json",
        path: "/studio/v1/chat/completions",
        status: None,
        pointer: "/maxTokens",
        value: Some("256"),
    },
    Wrong {
        what: "an unknown property of a closed request (Jamba's `max_tokens` in a J2 request)",
        example: "j2-complete.request.001-2.json",
        path: "/studio/v1/{model}/{customModel}/complete",
        status: None,
        pointer: "/max_tokens",
        value: Some("256"),
    },
    Wrong {
        what: "an unknown property of a closed nested object (a user message's `name`)",
        example: "jamba-chat.request.002-1.json",
        path: "/studio/v1/chat/completions",
        status: None,
        pointer: "/messages/0/name",
        value: Some(r#""Ada""#),
    },
    Wrong {
        what: "a missing required property (`messages`)",
        example: "jamba-chat.request.002-1.json",
        path: "/studio/v1/chat/completions",
        status: None,
        pointer: "/messages",
        value: None,
    },
    Wrong {
        what: "a missing required property of an answer (`completions`)",
        example: "j2-complete.response.001-1.json",
        path: "/studio/v1/{model}/complete",
        status: Some(200),
        pointer: "/completions",
        value: None,
    },
    Wrong {
        what: "a string where a number is required in an answer (`usage.total_tokens`)",
        example: "jamba-chat.response.002-1.json",
        path: "/studio/v1/chat/completions",
        status: Some(200),
        pointer: "/usage/total_tokens",
        value: Some(r#""12""#),
    },
];

#[test]
fn openapi_typescript_types_compile_the_documented_examples_and_reject_wrong_ones() {
    let tools = typescript_tools();
    let work = tempfile::tempdir().expect("a temporary folder");
    let folder = work.path();

    // The README's commands: the document, then the types.
    readme::run_ai21(&["ai21-contract", "export", "openapi"], folder);
    let document = folder.join("ai21.openapi.json");
    let mut arguments = readme::command(&["npx"]).into_iter();
    let package = arguments.next().unwrap_or_default();
    assert_eq!(
        package,
        format!("openapi-typescript@{}", pinned("openapi-typescript")),
        "the README's npx runs the pinned openapi-typescript"
    );
    let arguments: Vec<String> = arguments.collect();
    for option in GENERATOR_OPTIONS {
        assert!(
            arguments.iter().any(|argument| argument == option),
            "the README's openapi-typescript has {GENERATOR_OPTIONS:?}: {arguments:?}"
        );
    }
    let generated = run_ok(
        Command::new("node")
            .arg(tools.join("node_modules/openapi-typescript/bin/cli.js"))
            .args(&arguments)
            .current_dir(folder),
        GENERATE_DEADLINE,
        "the README's openapi-typescript",
    );
    assert!(
        folder.join(TYPES_FILE).is_file(),
        "the README's openapi-typescript writes {TYPES_FILE}: {arguments:?}"
    );
    let generator_says = String::from_utf8_lossy(&generated.stdout);
    let generator = pinned("openapi-typescript");
    assert!(
        generator_says.contains(&format!("openapi-typescript {generator}")),
        "openapi-typescript is not the pinned {generator}:\n{generator_says}"
    );
    // A warning means the generator left part of the document out.
    assert!(
        generated.stderr.is_empty(),
        "openapi-typescript warned:\n{}",
        String::from_utf8_lossy(&generated.stderr)
    );

    let export: Value = serde_json::from_str(
        &std::fs::read_to_string(&document).expect("the exported document is readable"),
    )
    .expect("the exported document is JSON");
    let sources = sources(&export);
    for source in &sources {
        std::fs::write(folder.join(source.name), &source.text)
            .unwrap_or_else(|error| panic!("writing {}: {error}", source.name));
    }

    let mut problems = Vec::new();
    for compiler in COMPILERS {
        let tsc = tools.join("node_modules").join(compiler).join("bin/tsc");
        let version = run_ok(
            Command::new("node").arg(&tsc).arg("--version"),
            VERSION_DEADLINE,
            &format!("{compiler}: tsc --version"),
        );
        let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
        let wanted = format!("Version {}", pinned(compiler));
        assert_eq!(version, wanted, "{compiler}: not the pinned TypeScript");
        let output = run(
            Command::new("node")
                .arg(&tsc)
                .args(TSC_OPTIONS)
                .arg(TYPES_FILE)
                .args(sources.iter().map(|source| source.name))
                .current_dir(folder),
            COMPILE_DEADLINE,
            &format!("tsc ({version})"),
        );
        if !output.status.success() {
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            problems.push(format!(
                "tsc --strict ({version}) failed ({}):\n{}",
                output.status,
                annotated(&said, &sources)
            ));
        }
    }
    if !problems.is_empty() {
        let kept = work.keep();
        let files: Vec<&str> = sources.iter().map(|source| source.name).collect();
        panic!(
            "{}\n\nThe generated types and sources are kept; to compile them again:\n  cd {} && node {} {} {TYPES_FILE} {}",
            problems.join("\n\n"),
            kept.display(),
            tools.join("node_modules/typescript/bin/tsc").display(),
            TSC_OPTIONS.join(" "),
            files.join(" ")
        );
    }
}

/// One edit of a documented example that makes it wrong for its type.
struct Wrong {
    /// What is wrong, in words.
    what: &'static str,
    /// The documented example edited, a file of `schemas/examples/`.
    example: &'static str,
    /// The operation's path in the document.
    path: &'static str,
    /// The answer's status, or `None` for the request body.
    status: Option<u16>,
    /// Where the edit is: a JSON Pointer whose parent exists.
    pointer: &'static str,
    /// The JSON text put there, or `None` to remove what is there.
    value: Option<&'static str>,
}

impl Wrong {
    /// The edited example.
    fn apply(&self) -> Value {
        let example = ai21_schemas::examples()
            .find(|example| example.file() == self.example)
            .unwrap_or_else(|| panic!("no documented example {}", self.example));
        let original = example.payload();
        let mut edited = original.clone();
        let (parent, key) = self
            .pointer
            .rsplit_once('/')
            .unwrap_or_else(|| panic!("{}: not a pointer to a property", self.pointer));
        let object = edited
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{}: no object at {parent:?}", self.example));
        match self.value {
            Some(text) => {
                let value = serde_json::from_str(text)
                    .unwrap_or_else(|error| panic!("{text}: not JSON: {error}"));
                object.insert(key.to_owned(), value);
            }
            None => {
                object.remove(key);
            }
        }
        assert_ne!(edited, original, "{}: the edit changes nothing", self.what);
        edited
    }
}

/// The pinned version of a package of `tests/ecosystem/typescript/package.json` (an alias,
/// `npm:typescript@7.0.2`, gives the version after its `@`).
fn pinned(package: &str) -> String {
    let path = package_dir().join("package.json");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display())),
    )
    .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let spec = manifest["devDependencies"][package]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no devDependency {package}", path.display()));
    spec.rsplit('@').next().unwrap_or(spec).to_owned()
}

fn package_dir() -> PathBuf {
    workspace_root().join("tests/ecosystem/typescript")
}

/// The folder holding `node_modules` with exactly the pinned packages: installed with
/// `npm ci` under the target directory, or reused when its stamp records the same package
/// files, Node.js and npm.
fn typescript_tools() -> PathBuf {
    npm_ci(
        "typescript-tools",
        &package_dir(),
        "the TypeScript check needs Node.js and npm",
    )
}

/// A TypeScript source the test writes, and which declaration each of its lines belongs to.
struct Source {
    name: &'static str,
    text: String,
    lines: usize,
    declarations: Vec<(RangeInclusive<usize>, String)>,
}

impl Source {
    fn new(name: &'static str, purpose: &str) -> Source {
        let text = format!(
            "// Written by crates/ai21-contract/tests/it/ecosystem_typescript.rs: {purpose}\n\
             import type {{ components, paths }} from \"./ai21\";\n"
        );
        Source {
            name,
            lines: text.lines().count(),
            text,
            declarations: Vec::new(),
        }
    }

    /// Declares a constant of a type: one that must compile (the value written over several
    /// lines), or one that must not (on one line under `// @ts-expect-error`, so that the
    /// error tsc reports is on that line whatever the property it is about).
    fn declare(&mut self, label: &str, ty: &str, value: &Value, compiles: bool) {
        let first = self.lines + 1;
        let number = self.declarations.len() + 1;
        let (directive, value) = if compiles {
            ("", serde_json::to_string_pretty(value).expect("JSON"))
        } else {
            (
                "@ts-expect-error ",
                serde_json::to_string(value).expect("JSON"),
            )
        };
        let declaration =
            format!("\n// {directive}{label}\nexport const d{number}: {ty} = {value};\n");
        self.lines += declaration.lines().count();
        self.text.push_str(&declaration);
        self.declarations
            .push((first..=self.lines, label.to_owned()));
    }

    /// The label of the declaration on a line.
    fn label(&self, line: usize) -> Option<&str> {
        self.declarations
            .iter()
            .find(|(lines, _)| lines.contains(&line))
            .map(|(_, label)| label.as_str())
    }
}

/// The sources: the valid examples, the wrong assignments, the value breaks.
fn sources(export: &Value) -> Vec<Source> {
    let mut valid = Source::new(
        "examples.ts",
        "every documented example, as its schema's type and through `paths`; all compile.",
    );
    let mut wrong = Source::new(
        "wrong.ts",
        "wrong assignments, each of which tsc must reject.",
    );
    let mut value_breaks = Source::new(
        "value-breaks.ts",
        "invalid examples whose break no TypeScript type states; they compile.",
    );
    for example in ai21_schemas::examples() {
        let kind = example.kind().type_name();
        let ty = format!("components[\"schemas\"][{}]", quoted(kind));
        let label = format!("{} as {kind}", example.file());
        match example.expectation() {
            Expectation::Valid(_) => valid.declare(&label, &ty, &example.payload(), true),
            Expectation::Invalid(invalid) => {
                let label = format!("{label}: {}", invalid.breaks());
                if types_state(example, invalid) {
                    wrong.declare(&label, &ty, &example.payload(), false);
                } else {
                    value_breaks.declare(&label, &ty, &example.payload(), true);
                }
            }
        }
    }
    let typed = through_paths(export, &mut valid);
    for part in ["request body", "200 answer", "error answer"] {
        assert!(
            typed.contains(&part),
            "the document attaches no example to any {part}: typed through `paths` {typed:?}"
        );
    }
    for edit in WRONG_THROUGH_PATHS {
        let operation = format!("paths[{}][\"post\"]", quoted(edit.path));
        let ty = match edit.status {
            None => format!("{operation}[\"requestBody\"][\"content\"][\"application/json\"]"),
            Some(status) => {
                format!("{operation}[\"responses\"][{status}][\"content\"][\"application/json\"]")
            }
        };
        let label = format!("{} edited: {}", edit.example, edit.what);
        wrong.declare(&label, &ty, &edit.apply(), false);
    }
    vec![valid, wrong, value_breaks]
}

/// Declares every example the document attaches to an operation's JSON request body or
/// answer, typed through `paths`; what each was (`request body`, `200 answer`, `error answer`).
fn through_paths(export: &Value, source: &mut Source) -> Vec<&'static str> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut typed = Vec::new();
    let paths = export["paths"].as_object().expect("the document has paths");
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for (method, operation) in item
            .iter()
            .filter(|(key, _)| METHODS.contains(&key.as_str()))
        {
            let at = format!("paths[{}][{}]", quoted(path), quoted(method));
            let mut parts = vec![(
                "request body".to_owned(),
                format!("{at}[\"requestBody\"]"),
                &operation["requestBody"],
            )];
            if let Some(responses) = operation["responses"].as_object() {
                for (status, response) in responses {
                    // A status is a number key in the generated types, `default` a string.
                    let key = match status.parse::<u16>() {
                        Ok(number) => number.to_string(),
                        Err(_) => quoted(status),
                    };
                    parts.push((
                        format!("{status} answer"),
                        format!("{at}[\"responses\"][{key}]"),
                        response,
                    ));
                }
            }
            for (part, ty, body) in parts {
                let ty = format!("{ty}[\"content\"][\"application/json\"]");
                let examples = body
                    .pointer("/content/application~1json/examples")
                    .and_then(Value::as_object);
                for (name, example) in examples.into_iter().flatten() {
                    let value = example_value(export, example).unwrap_or_else(|| {
                        panic!("{method} {path} {part}: example {name} has no value")
                    });
                    let label = format!("{} {path} {part}: example {name}", method.to_uppercase());
                    source.declare(&label, &ty, value, true);
                    typed.push(match part.as_str() {
                        "request body" => "request body",
                        "200 answer" => "200 answer",
                        _ => "error answer",
                    });
                }
            }
        }
    }
    typed
}

/// An Example Object's value, following its `$ref` into the document.
fn example_value<'a>(export: &'a Value, example: &'a Value) -> Option<&'a Value> {
    let example = match example["$ref"].as_str() {
        Some(reference) => export.pointer(reference.strip_prefix('#')?)?,
        None => example,
    };
    example.get("value")
}

/// Whether a TypeScript type states the rule an invalid example breaks: a type, a required
/// property, a closed object, a constant or enumeration, or a union no branch of which has
/// the value's type (a `oneOf` or `anyOf` without a nearer cause). A bound, a length, a
/// pattern or a count is a value, and so is an integer: TypeScript has one `number` type, so
/// a fraction where an integer is required breaks no TypeScript type.
fn types_state(example: &Example, invalid: &InvalidExample) -> bool {
    let violation = invalid.cause().unwrap_or(invalid.violation());
    match violation.keyword {
        "required" | "additionalProperties" | "const" | "enum" | "oneOf" | "anyOf" => true,
        "type" => !example
            .payload()
            .pointer(violation.pointer)
            .and_then(Value::as_f64)
            .is_some_and(|number| number.fract() != 0.0),
        _ => false,
    }
}

/// A string as a TypeScript string literal (JSON's is one).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

/// tsc's output with each error followed by the declaration it is in.
fn annotated(output: &str, sources: &[Source]) -> String {
    let mut annotated = String::new();
    for line in output.lines() {
        let _ = writeln!(annotated, "{line}");
        let Some((file, rest)) = line.split_once('(') else {
            continue;
        };
        let Some(source) = sources.iter().find(|source| source.name == file) else {
            continue;
        };
        let number = rest
            .split_once(',')
            .and_then(|(number, _)| number.parse::<usize>().ok());
        if let Some(label) = number.and_then(|number| source.label(number)) {
            let _ = writeln!(annotated, "    in: {label}");
        }
    }
    annotated
}
