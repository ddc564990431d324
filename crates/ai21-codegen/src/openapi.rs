//! The OpenAPI 3.1 document of both endpoints, built from the canonical schemas.
//!
//! Nothing in it is restated by hand: the components are the schemas' roots and `$defs`,
//! the examples are the documented examples, the J2 model names are the known models the
//! caller passes. Every `$ref` into a schema's `$defs` becomes a reference into
//! `#/components/schemas`. A definition that several schemas write the same way (save
//! `$comment`s) is one component under its own name; one written differently in two
//! schemas (a request's closed `ToolCall` beside a response's open one) becomes one
//! component per schema, named after the schema's root (`JambaChatRequestToolCall`).
//! `$schema` and `$id` are left out of the components: an `$id` there would move the
//! base every `$ref` inside it resolves against.

use std::collections::BTreeMap;

use ai21_schemas::{Dialect, Example, Expectation, PayloadKind};
use serde_json::{Map, Value, json};

use crate::shared::{definitions, without_comments};

/// The error statuses the document lists, each with the error envelope, and where each
/// comes from.
const ERROR_STATUSES: [(&str, &str); 9] = [
    (
        "400",
        "Bad request, such as a body that is not JSON (the SDK's BadRequest).",
    ),
    (
        "401",
        "Missing or bad API key: `{\"detail\": \"Forbidden: Bad or missing API token.\"}` (recorded real traffic).",
    ),
    ("403", "Access denied (the SDK's AccessDenied)."),
    ("404", "No such path or model (the SDK's NotFound)."),
    ("408", "Request timeout (the SDK retries it)."),
    (
        "422",
        "A request that breaks the contract: `{\"detail\": [{\"loc\", \"msg\", \"type\"}]}` (recorded for malformed chat requests; the list form is FastAPI's).",
    ),
    (
        "429",
        "Too many requests (the SDK's TooManyRequests; it retries).",
    ),
    ("500", "Server error (the SDK's ServerError; it retries)."),
    (
        "503",
        "Service unavailable (the SDK's ServiceUnavailable; it retries).",
    ),
];

/// The OpenAPI 3.1.0 document of the J2 `complete` and Jamba `chat/completions` endpoints.
///
/// The J2 `model` parameter offers the known J2 models as examples (unknown names are
/// drift, not errors, so it is not a closed enum); `info.version` is this crate's version.
///
/// ```
/// let document = ai21_codegen::openapi();
/// assert_eq!(document["openapi"], "3.1.0");
/// assert_eq!(
///     document["paths"]["/studio/v1/chat/completions"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
///     "#/components/schemas/JambaChatRequest"
/// );
/// assert!(document["components"]["schemas"]["Usage"].is_object(), "one Usage for the response and the chunk");
/// ```
pub fn openapi() -> Value {
    let components = components();
    let j2_models: Vec<&str> = ai21_validate::known_models()
        .expect("the validator's model list parses (tested by the validator)")
        .iter()
        .filter(|model| model.family == "j2")
        .map(|model| model.name.as_str())
        .collect();
    let root =
        |kind: PayloadKind| json!({"$ref": format!("#/components/schemas/{}", kind.type_name())});
    let errors = || {
        let mut responses = Map::new();
        for (status, description) in ERROR_STATUSES {
            responses.insert(
                status.to_owned(),
                json!({
                    "description": description,
                    "content": {"application/json": {
                        "schema": root(PayloadKind::ErrorResponse),
                        "examples": examples(PayloadKind::ErrorResponse, status),
                    }}
                }),
            );
        }
        responses
    };
    let model_parameter = json!({
        "name": "model",
        "in": "path",
        "required": true,
        "description": "The J2 model, such as `j2-mid`. Every J2 model was retired by AI21 in November 2024; an unknown name is drift (a warning), not an error.",
        "schema": {"type": "string", "pattern": "^[^/]+$", "examples": j2_models},
    });
    let custom_parameter = json!({
        "name": "customModel",
        "in": "path",
        "required": true,
        "description": "The name of a custom (fine-tuned) model of `model`.",
        "schema": {"type": "string", "pattern": "^[^/]+$"},
    });
    let j2_operation = |operation_id: &str, summary: &str, parameters: Vec<Value>| {
        let mut responses = Map::new();
        responses.insert(
            "200".to_owned(),
            json!({
                "description": "The completions.",
                "content": {"application/json": {
                    "schema": root(PayloadKind::J2CompleteResponse),
                    "examples": examples(PayloadKind::J2CompleteResponse, ""),
                }}
            }),
        );
        responses.extend(errors());
        json!({
            "operationId": operation_id,
            "summary": summary,
            "description": PayloadKind::J2CompleteRequest.schema()["description"],
            "parameters": parameters,
            "requestBody": {
                "required": true,
                "content": {"application/json": {
                    "schema": root(PayloadKind::J2CompleteRequest),
                    "examples": examples(PayloadKind::J2CompleteRequest, ""),
                }}
            },
            "responses": responses,
        })
    };
    let mut chat_responses = Map::new();
    chat_responses.insert(
        "200".to_owned(),
        json!({
            "description": "The answer: one JSON body, or with `stream: true` a `text/event-stream` of `data: <chunk>` events ending with `data: [DONE]`, each chunk a JambaChatStreamChunk.",
            "content": {
                "application/json": {
                    "schema": root(PayloadKind::JambaChatResponse),
                    "examples": examples(PayloadKind::JambaChatResponse, ""),
                },
                "text/event-stream": {
                    "schema": {
                        "description": "One server-sent event of the stream: each is one line `data: <JSON>` and a blank line, the JSON a JambaChatStreamChunk; the last event is `data: [DONE]`. Before OpenAPI 3.2 (which names it `itemSchema`), the schema of a `text/event-stream` describes each event, its fields as the event-stream format defines them; `data` is JSON by `contentMediaType` and `contentSchema`.",
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "data": {
                                "anyOf": [
                                    {"const": "[DONE]"},
                                    {
                                        "type": "string",
                                        "contentMediaType": "application/json",
                                        "contentSchema": root(PayloadKind::JambaChatStreamChunk),
                                    },
                                ]
                            }
                        },
                    }
                }
            }
        }),
    );
    chat_responses.extend(errors());
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "AI21 Studio API: J2 complete and Jamba chat completions",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The contract of AI21's Jurassic-2 `complete` and Jamba `chat/completions` endpoints as ai21-contract describes it, exported from its canonical JSON Schemas (draft 2020-12). Requests reject unknown properties; responses and stream chunks accept them (servers add fields). `x-ai21-content` marks prompt and completion text. Generated by `ai21-contract export openapi`; do not edit.",
        },
        "servers": [{"url": "https://api.ai21.com", "description": "AI21 Studio (J2 was switched off in November 2024; the Jamba API's sunset was announced for August 9, 2026)"}],
        "security": [{"bearer": []}],
        "paths": {
            "/studio/v1/{model}/complete": {"post": j2_operation(
                "j2Complete",
                "Complete a prompt with a Jurassic-2 model",
                vec![model_parameter.clone()],
            )},
            "/studio/v1/{model}/{customModel}/complete": {"post": j2_operation(
                "j2CompleteCustomModel",
                "Complete a prompt with a custom (fine-tuned) Jurassic-2 model",
                vec![model_parameter, custom_parameter],
            )},
            "/studio/v1/chat/completions": {"post": {
                "operationId": "jambaChatCompletions",
                "summary": "Chat with a Jamba model",
                "description": PayloadKind::JambaChatRequest.schema()["description"],
                "requestBody": {
                    "required": true,
                    "content": {"application/json": {
                        "schema": root(PayloadKind::JambaChatRequest),
                        "examples": examples(PayloadKind::JambaChatRequest, ""),
                    }}
                },
                "responses": chat_responses,
            }},
        },
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "`Authorization: Bearer <API key>`.",
            }},
            "schemas": components,
            "examples": component_examples(),
        },
    })
}

/// References to the documented examples of `kind` (in `components/examples`), as an
/// OpenAPI `examples` map; for the error envelope of a 401, the recorded 401.
fn examples(kind: PayloadKind, status: &str) -> Value {
    let mut out = Map::new();
    for example in valid_examples(kind) {
        let name = example_name(example);
        out.insert(
            name.clone(),
            json!({"$ref": format!("#/components/examples/{}", component_example(kind, &name))}),
        );
    }
    if kind == PayloadKind::ErrorResponse && status == "401" {
        out.insert(
            "unauthorized".to_owned(),
            json!({"$ref": "#/components/examples/error.response.unauthorized"}),
        );
    }
    Value::Object(out)
}

fn valid_examples(kind: PayloadKind) -> impl Iterator<Item = &'static Example> {
    kind.examples()
        .filter(|example| matches!(example.expectation(), Expectation::Valid(_)))
}

/// The name of an example in `components/examples`: `j2-complete.request.001-1`.
fn component_example(kind: PayloadKind, name: &str) -> String {
    format!("{}.{name}", kind.stem())
}

/// Every documented example, and the recorded 401, for `components/examples`.
fn component_examples() -> Map<String, Value> {
    let mut out = Map::new();
    for kind in PayloadKind::ALL {
        for example in valid_examples(kind) {
            out.insert(
                component_example(kind, &example_name(example)),
                json!({"summary": example.source(), "value": example.payload()}),
            );
        }
    }
    out.insert(
        "error.response.unauthorized".to_owned(),
        json!({"summary": "recorded real traffic (api-facts section 7)", "value": {"detail": "Forbidden: Bad or missing API token."}}),
    );
    out
}

/// `001-1` for `j2-complete.request.001-1.json`.
fn example_name(example: &Example) -> String {
    let file = example.file();
    let stem = file.strip_suffix(".json").unwrap_or(file);
    stem.strip_prefix(example.kind().stem())
        .map(|rest| rest.trim_start_matches('.'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(stem)
        .to_owned()
}

/// Every schema's root (under its type name) and definitions, references rewritten.
fn components() -> Map<String, Value> {
    // Which name each (kind, definition) gets: its own when every schema writing it writes
    // it the same way, else the root's type name before it.
    let mut copies: BTreeMap<&str, Vec<(PayloadKind, Value)>> = BTreeMap::new();
    for kind in PayloadKind::ALL {
        for (name, definition) in definitions(kind.schema()) {
            copies
                .entry(name.as_str())
                .or_default()
                .push((kind, without_comments(definition)));
        }
    }
    let name_of = |kind: PayloadKind, name: &str| -> String {
        let same = copies
            .get(name)
            .is_none_or(|copies| copies.iter().all(|(_, copy)| *copy == copies[0].1));
        if same {
            name.to_owned()
        } else {
            format!("{}{name}", kind.type_name())
        }
    };
    let mut out = Map::new();
    for kind in PayloadKind::ALL {
        let schema = kind.schema();
        let mut root = schema.clone();
        if let Some(root) = root.as_object_mut() {
            for keyword in ["$schema", "$id", "$defs"] {
                root.remove(keyword);
            }
        }
        out.insert(
            kind.type_name().to_owned(),
            rewrite(&root, &|target| name_of(kind, target)),
        );
        for (name, definition) in definitions(schema) {
            let component = name_of(kind, name);
            if !out.contains_key(&component) {
                out.insert(
                    component,
                    rewrite(definition, &|target| name_of(kind, target)),
                );
            }
        }
    }
    out
}

/// The schema with every `#/$defs/X` reference pointing at `#/components/schemas/<name>`.
fn rewrite(value: &Value, name_of: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value.as_str()) {
                        ("$ref", Some(reference)) => match reference.strip_prefix("#/$defs/") {
                            Some(target) => {
                                Value::from(format!("#/components/schemas/{}", name_of(target)))
                            }
                            None => value.clone(),
                        },
                        _ => rewrite(value, name_of),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| rewrite(item, name_of)).collect())
        }
        other => other.clone(),
    }
}

/// One file of an export: its name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// The file name, such as `jamba-chat.request.schema.json`.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// The canonical schemas as standalone files, exactly as they are in `schemas/`; for each
/// partner dialect, the schema of every payload kind it serves as it has it
/// ([`PayloadKind::schema_in`]: the overlay's merge patch applied), in a folder named after
/// the dialect (`bedrock/jamba-chat.request.schema.json`) with an `$id` of its own; and
/// `catalog.json`, which maps each schema's `$id` to its file: every schema is
/// self-contained (no reference leaves its file), so a generator that resolves an `$id`
/// through the catalog, or loads a file by name, needs no network.
///
/// ```
/// let files = ai21_codegen::schema_files();
/// assert!(files.iter().any(|file| file.name == "jamba-chat.request.schema.json"));
/// let bedrock = files.iter().find(|file| file.name == "bedrock/jamba-chat.request.schema.json").expect("Bedrock's");
/// let schema: serde_json::Value = serde_json::from_str(&bedrock.text)?;
/// assert_eq!(schema["$id"], "https://ai21-contract.dev/schemas/bedrock/jamba-chat.request.schema.json");
/// assert_eq!(schema["required"], serde_json::json!(["messages"]));
/// let catalog: serde_json::Value = serde_json::from_str(&files.last().expect("a catalog").text)?;
/// assert_eq!(catalog["schemas"][0]["file"], "j2-complete.request.schema.json");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn schema_files() -> Vec<ExportedFile> {
    let mut files: Vec<ExportedFile> = PayloadKind::ALL
        .into_iter()
        .map(|kind| ExportedFile {
            name: kind.file_name().to_owned(),
            text: kind.schema_text().to_owned(),
        })
        .collect();
    let mut entries: Vec<Value> = PayloadKind::ALL
        .into_iter()
        .map(|kind| {
            json!({
                "$id": kind.id(),
                "file": kind.file_name(),
                "title": kind.type_name(),
                "description": kind.schema()["description"],
            })
        })
        .collect();
    for dialect in Dialect::ALL {
        if dialect == Dialect::Studio {
            continue;
        }
        for kind in PayloadKind::ALL
            .into_iter()
            .filter(|kind| dialect.serves(*kind))
        {
            let file = dialect_file(dialect, kind);
            let id = dialect_id(dialect, kind);
            let mut schema = kind.schema_in(dialect).clone();
            schema["$id"] = Value::from(id.clone());
            let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
            text.push('\n');
            entries.push(json!({
                "$id": id,
                "file": file,
                "title": kind.type_name(),
                "dialect": dialect.name(),
                "description": schema["description"],
            }));
            files.push(ExportedFile { name: file, text });
        }
    }
    let mut catalog = serde_json::to_string_pretty(&json!({
        "description": "The canonical JSON Schemas (draft 2020-12) of AI21's J2 complete and Jamba chat payloads, exported by `ai21-contract export schemas`, and in a folder per partner platform (`bedrock/`, `vertex/`, `azure/`) the schema of each payload the platform serves as it has it: the canonical schema with the platform's overlay (a JSON Merge Patch) applied, under an `$id` of its own. Each file is self-contained: its `$ref`s point into its own `$defs`. Map an `$id` to its file here to resolve it offline.",
        "schemas": entries,
    }))
    .expect("a JSON value serializes");
    catalog.push('\n');
    files.push(ExportedFile {
        name: "catalog.json".to_owned(),
        text: catalog,
    });
    files
}

/// The exported file of `kind` as `dialect` has it: `bedrock/jamba-chat.request.schema.json`.
pub fn dialect_file(dialect: Dialect, kind: PayloadKind) -> String {
    format!("{}/{}", dialect.name(), kind.file_name())
}

/// The `$id` of the exported schema of `kind` as `dialect` has it: the canonical `$id` with
/// the dialect's folder before the file name, as the file is laid out.
pub fn dialect_id(dialect: Dialect, kind: PayloadKind) -> String {
    let canonical = kind.id();
    match canonical.rsplit_once('/') {
        Some((base, file)) => format!("{base}/{}/{file}", dialect.name()),
        None => format!("{}/{canonical}", dialect.name()),
    }
}
