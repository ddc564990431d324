//! The generated models agree with the documented examples: every one parses into its
//! typed model and serializes back to the same JSON value, after the normalisation the
//! models crate documents. The partner dialects' models do the same with the bodies of the
//! sample captures of each platform.

use ai21_models::{azure, bedrock, vertex};
use ai21_schemas::{Dialect, PayloadKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The typed model of `kind` as `dialect` has it, as `$generic::<Type>`; `None` for a kind
/// the dialect does not serve. Each dialect's module re-exports every root type it serves,
/// its own where its overlay changes the kind's types, else the canonical one.
macro_rules! typed {
    ($dialect:expr, $kind:expr, $generic:ident) => {
        match ($dialect, $kind) {
            (Dialect::Studio, PayloadKind::J2CompleteRequest) => {
                Some($generic::<ai21_models::J2CompleteRequest> as fn(&Value) -> _)
            }
            (Dialect::Studio, PayloadKind::J2CompleteResponse) => {
                Some($generic::<ai21_models::J2CompleteResponse> as fn(&Value) -> _)
            }
            (Dialect::Studio, PayloadKind::JambaChatRequest) => {
                Some($generic::<ai21_models::JambaChatRequest> as fn(&Value) -> _)
            }
            (Dialect::Studio, PayloadKind::JambaChatResponse) => {
                Some($generic::<ai21_models::JambaChatResponse> as fn(&Value) -> _)
            }
            (Dialect::Studio, PayloadKind::JambaChatStreamChunk) => {
                Some($generic::<ai21_models::JambaChatStreamChunk> as fn(&Value) -> _)
            }
            (Dialect::Studio, PayloadKind::ErrorResponse) => {
                Some($generic::<ai21_models::ErrorResponse> as fn(&Value) -> _)
            }
            (Dialect::Bedrock, PayloadKind::J2CompleteRequest) => {
                Some($generic::<bedrock::J2CompleteRequest> as fn(&Value) -> _)
            }
            (Dialect::Bedrock, PayloadKind::J2CompleteResponse) => {
                Some($generic::<bedrock::J2CompleteResponse> as fn(&Value) -> _)
            }
            (Dialect::Bedrock, PayloadKind::JambaChatRequest) => {
                Some($generic::<bedrock::JambaChatRequest> as fn(&Value) -> _)
            }
            (Dialect::Bedrock, PayloadKind::JambaChatResponse) => {
                Some($generic::<bedrock::JambaChatResponse> as fn(&Value) -> _)
            }
            (Dialect::Bedrock, PayloadKind::JambaChatStreamChunk) => {
                Some($generic::<bedrock::JambaChatStreamChunk> as fn(&Value) -> _)
            }
            (Dialect::Bedrock, PayloadKind::ErrorResponse) => {
                Some($generic::<bedrock::ErrorResponse> as fn(&Value) -> _)
            }
            (Dialect::Vertex, PayloadKind::JambaChatRequest) => {
                Some($generic::<vertex::JambaChatRequest> as fn(&Value) -> _)
            }
            (Dialect::Vertex, PayloadKind::JambaChatResponse) => {
                Some($generic::<vertex::JambaChatResponse> as fn(&Value) -> _)
            }
            (Dialect::Vertex, PayloadKind::JambaChatStreamChunk) => {
                Some($generic::<vertex::JambaChatStreamChunk> as fn(&Value) -> _)
            }
            (Dialect::Vertex, PayloadKind::ErrorResponse) => {
                Some($generic::<vertex::ErrorResponse> as fn(&Value) -> _)
            }
            (Dialect::Azure, PayloadKind::JambaChatRequest) => {
                Some($generic::<azure::JambaChatRequest> as fn(&Value) -> _)
            }
            (Dialect::Azure, PayloadKind::JambaChatResponse) => {
                Some($generic::<azure::JambaChatResponse> as fn(&Value) -> _)
            }
            (Dialect::Azure, PayloadKind::JambaChatStreamChunk) => {
                Some($generic::<azure::JambaChatStreamChunk> as fn(&Value) -> _)
            }
            (Dialect::Azure, PayloadKind::ErrorResponse) => {
                Some($generic::<azure::ErrorResponse> as fn(&Value) -> _)
            }
            (
                Dialect::Vertex | Dialect::Azure,
                PayloadKind::J2CompleteRequest | PayloadKind::J2CompleteResponse,
            ) => None,
        }
    };
}

fn parses_as<T: DeserializeOwned>(payload: &Value) -> bool {
    T::deserialize(payload).is_ok()
}

fn through<T: DeserializeOwned + Serialize>(payload: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(payload.clone())
        .map_err(|error| format!("does not parse: {error}"))?;
    serde_json::to_value(&typed).map_err(|error| format!("does not serialize: {error}"))
}

/// Whether the typed model of `kind` accepts `payload`.
pub(crate) fn parses(kind: PayloadKind, payload: &Value) -> bool {
    parses_in(Dialect::Studio, kind, payload)
}

/// Whether the typed model of `kind` as `dialect` has it accepts `payload` (`false` for a
/// kind the dialect does not serve).
pub(crate) fn parses_in(dialect: Dialect, kind: PayloadKind, payload: &Value) -> bool {
    typed!(dialect, kind, parses_as).is_some_and(|parses| parses(payload))
}

/// Parses `payload` into the typed model of `kind` and serializes it back.
pub(crate) fn round_trip(kind: PayloadKind, payload: &Value) -> Result<Value, String> {
    round_trip_in(Dialect::Studio, kind, payload)
}

/// Parses `payload` into the typed model of `kind` as `dialect` has it and serializes it
/// back.
pub(crate) fn round_trip_in(
    dialect: Dialect,
    kind: PayloadKind,
    payload: &Value,
) -> Result<Value, String> {
    let through = typed!(dialect, kind, through)
        .ok_or_else(|| format!("{} serves no {kind}", dialect.title()))?;
    through(payload)
}

/// Whether `back` is `original` up to the documented normalisation: an integer in a
/// `number` property comes back as the float of the same value (a `number` is an `f64`),
/// and an integer written as a float (`30.0`) in an `integer` property comes back as an
/// integer (`30`; an integer property is a Rust integer). Float spelling is not compared
/// at all, as both sides are parsed values. Anything else (a dropped or added property, a
/// changed value, a lost `null`) is a difference.
pub(crate) fn same_after_normalisation(
    original: &Value,
    back: &Value,
    pointer: &str,
) -> Result<(), String> {
    match (original, back) {
        (Value::Number(original), Value::Number(back)) => {
            let integer_as_float =
                !original.is_f64() && back.is_f64() && original.as_f64() == back.as_f64();
            let float_as_integer =
                original.is_f64() && !back.is_f64() && original.as_f64() == back.as_f64();
            if original == back || integer_as_float || float_as_integer {
                Ok(())
            } else {
                Err(format!("{pointer}: {original} came back as {back}"))
            }
        }
        (Value::Object(original), Value::Object(back)) => {
            if let Some(key) = original.keys().find(|key| !back.contains_key(*key)) {
                return Err(format!("{pointer}/{key}: dropped"));
            }
            if let Some(key) = back.keys().find(|key| !original.contains_key(*key)) {
                return Err(format!("{pointer}/{key}: added"));
            }
            original.iter().try_for_each(|(key, value)| {
                same_after_normalisation(value, &back[key], &format!("{pointer}/{key}"))
            })
        }
        (Value::Array(original), Value::Array(back)) if original.len() == back.len() => original
            .iter()
            .zip(back)
            .enumerate()
            .try_for_each(|(index, (original, back))| {
                same_after_normalisation(original, back, &format!("{pointer}/{index}"))
            }),
        (original, back) if original == back => Ok(()),
        (original, back) => Err(format!("{pointer}: {original} came back as {back}")),
    }
}

#[test]
fn documented_examples_round_trip_through_the_typed_models() {
    let mut checked = 0;
    for example in ai21_schemas::examples().filter(|example| example.is_valid()) {
        let payload = example.payload();
        let back = round_trip(example.kind(), &payload)
            .unwrap_or_else(|error| panic!("{}: {error}", example.file()));
        if let Err(difference) = same_after_normalisation(&payload, &back, "") {
            panic!("{}: {difference}", example.file());
        }
        let pretty = serde_json::to_string_pretty(&back).expect("a Value serializes");
        insta::assert_snapshot!(example.file(), pretty);
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn documented_nulls_and_empty_lists_survive() {
    // The properties the issue names: `raw_logprob`, `topTokens: null`, `"stop": null`,
    // and the documented `"stopSequences": []`.
    let find = |file: &str| {
        ai21_schemas::examples()
            .find(|example| example.file() == file)
            .unwrap_or_else(|| panic!("{file} is an example"))
    };
    let response = find("j2-complete.response.001-1.json");
    let back = round_trip(response.kind(), &response.payload()).expect("round trips");
    let token = &back["completions"][0]["data"]["tokens"][0];
    assert_eq!(token["topTokens"], Value::Null);
    assert_eq!(
        token["generatedToken"]["raw_logprob"],
        json!(-0.24019983410835266)
    );
    let request = find("jamba-chat.request.002-1.json");
    let back = round_trip(request.kind(), &request.payload()).expect("round trips");
    assert_eq!(back.get("stop"), Some(&Value::Null));
    let request = find("j2-complete.request.001-2.json");
    let back = round_trip(request.kind(), &request.payload()).expect("round trips");
    assert_eq!(back.get("stopSequences"), Some(&json!([])));
}

#[test]
fn the_normalisation_detects_real_differences() {
    let check = |original: Value, back: Value| same_after_normalisation(&original, &back, "");
    assert_eq!(check(json!({"t": 1}), json!({"t": 1.0})), Ok(()));
    assert_eq!(check(json!({"n": 30.0}), json!({"n": 30})), Ok(()));
    assert_eq!(
        check(json!({"n": 30.5}), json!({"n": 30})),
        Err("/n: 30.5 came back as 30".to_owned())
    );
    assert_eq!(
        check(json!({"t": 1.5}), json!({"t": 1})),
        Err("/t: 1.5 came back as 1".to_owned())
    );
    assert_eq!(
        check(json!({"n": 2}), json!({"n": 3})),
        Err("/n: 2 came back as 3".to_owned())
    );
    assert_eq!(
        check(json!({"stop": null}), json!({})),
        Err("/stop: dropped".to_owned())
    );
    assert_eq!(
        check(json!({}), json!({"meta": {}})),
        Err("/meta: added".to_owned())
    );
    assert_eq!(
        check(json!([1, 2]), json!([1])),
        Err(": [1,2] came back as [1]".to_owned())
    );
}

/// What [`partner_capture_bodies_round_trip_through_the_dialect_types`] did with one
/// sample capture.
#[derive(Debug, Default, PartialEq)]
struct CaptureTally {
    /// Records of the platform outside AI21's contract (another model, another API).
    outside: usize,
    requests: usize,
    responses: usize,
    chunks: usize,
    errors: usize,
}

/// Round-trips every AI21 body of a partner's sample capture through the types of the
/// dialect its URL names (each body must also be valid against the overlaid schema, as the
/// captures' README says, but for the request of an exchange marked as a refusal), and
/// counts what it checked.
fn round_trip_capture(file: &str, dialect: Dialect) -> CaptureTally {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/captures")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let validator = ai21_validate::Validator::shared();
    let mut tally = CaptureTally::default();
    for (index, line) in text.lines().enumerate() {
        let at = format!("{file}:{}", index + 1);
        let record: Value =
            serde_json::from_str(line).unwrap_or_else(|error| panic!("{at}: {error}"));
        let url = record["url"]
            .as_str()
            .unwrap_or_else(|| panic!("{at}: no url"));
        let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let (host, path) =
            without_scheme.split_at(without_scheme.find('/').unwrap_or(without_scheme.len()));
        let route = match ai21_schemas::Route::recognise(host, path, None) {
            ai21_schemas::Recognition::Route(route) => route,
            ai21_schemas::Recognition::Outside {
                dialect: platform, ..
            } => {
                assert_eq!(platform, dialect, "{at}");
                tally.outside += 1;
                continue;
            }
            ai21_schemas::Recognition::Unknown => panic!("{at}: {url} is no platform's"),
        };
        assert_eq!(route.dialect, dialect, "{at}");
        let (request_kind, response_kind) = route.endpoint.kinds();
        // A request marked as one the server refuses breaks the contract on purpose (its
        // shape is right: a `max_tokens` above the bound, which the validator checks).
        let refused = record["expect"] == "refusal";
        let check = |kind: PayloadKind, body: &Value, what: &str| {
            assert!(
                (refused && what == "request") || validator.is_schema_valid_in(dialect, kind, body),
                "{at}: the {what} is not valid against the {} schema of {kind}: {body}",
                dialect.short()
            );
            let back = round_trip_in(dialect, kind, body)
                .unwrap_or_else(|error| panic!("{at}: {what}: {error}"));
            if let Err(difference) = same_after_normalisation(body, &back, "") {
                panic!("{at}: {what}: {difference}");
            }
        };
        check(request_kind, &record["request"]["body"], "request");
        tally.requests += 1;
        let response = &record["response"];
        let status = response["status"]
            .as_u64()
            .unwrap_or_else(|| panic!("{at}: no status"));
        match &response["body"] {
            _ if status >= 400 => {
                check(PayloadKind::ErrorResponse, &response["body"], "error body");
                tally.errors += 1;
            }
            Value::String(body)
                if route.dialect == Dialect::Bedrock && route.stream == Some(true) =>
            {
                for chunk in bedrock_chunks(body, &at) {
                    check(PayloadKind::JambaChatStreamChunk, &chunk, "stream chunk");
                    tally.chunks += 1;
                }
            }
            Value::String(events) => {
                for data in events
                    .split("\n\n")
                    .filter_map(|event| event.strip_prefix("data: "))
                    .filter(|data| *data != "[DONE]")
                {
                    let chunk: Value = serde_json::from_str(data)
                        .unwrap_or_else(|error| panic!("{at}: a chunk: {error}"));
                    check(PayloadKind::JambaChatStreamChunk, &chunk, "stream chunk");
                    tally.chunks += 1;
                }
            }
            body => {
                check(response_kind, body, "response");
                tally.responses += 1;
            }
        }
    }
    tally
}

/// The Jamba chunks of a Bedrock event stream captured as base64, decoded with the
/// validator's own reader; a last event with only the invocation metrics is merged into
/// the last chunk, as the AI21 SDK's decoder and the validator do.
fn bedrock_chunks(base64_body: &str, at: &str) -> Vec<Value> {
    use ai21_validate::eventstream::{Content, METRICS, decode};
    use base64::Engine;

    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_body)
        .unwrap_or_else(|error| panic!("{at}: the event stream is not base64: {error}"));
    let mut chunks: Vec<Value> = Vec::new();
    for frame in decode(&bytes) {
        let Content::Chunk(chunk) = frame.content else {
            panic!(
                "{at}: frame {} is not a chunk: {:?}",
                frame.number, frame.content
            );
        };
        let chunk: Value = serde_json::from_slice(&chunk)
            .unwrap_or_else(|error| panic!("{at}: frame {}: {error}", frame.number));
        let metrics_only = chunk
            .as_object()
            .is_some_and(|object| object.len() == 1 && object.contains_key(METRICS));
        match chunks.last_mut() {
            Some(last) if metrics_only => last[METRICS] = chunk[METRICS].clone(),
            _ => chunks.push(chunk),
        }
    }
    chunks
}

#[test]
fn partner_capture_bodies_round_trip_through_the_dialect_types() {
    let tally = |outside, requests, responses, chunks, errors| CaptureTally {
        outside,
        requests,
        responses,
        chunks,
        errors,
    };
    // Bedrock: a J2 and a Jamba invoke, a stream of three chunks (the metrics merged into
    // the last), a refusal; an Anthropic model and a Converse call.
    assert_eq!(
        round_trip_capture("bedrock.jsonl", Dialect::Bedrock),
        tally(2, 4, 2, 3, 1)
    );
    // Vertex: a tool call, a stream of three chunks; a Gemini call.
    assert_eq!(
        round_trip_capture("vertex.jsonl", Dialect::Vertex),
        tally(1, 2, 1, 3, 0)
    );
    // Azure: an answer, a stream, a 401 with Azure's own error body.
    let azure = round_trip_capture("azure.jsonl", Dialect::Azure);
    assert_eq!(
        (azure.outside, azure.requests, azure.responses, azure.errors),
        (0, 3, 1, 1)
    );
    assert!(azure.chunks >= 2, "{azure:?}");
}

#[test]
fn bedrock_s_stream_sample_needs_the_bedrock_chunk_type() {
    // The canonical chunk type reads Bedrock's chunks (it ignores what it does not know),
    // but only Bedrock's keeps what Bedrock adds.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/captures/bedrock.jsonl"),
    )
    .expect("the Bedrock sample");
    let record = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("JSON"))
        .find(|record| {
            record["url"]
                .as_str()
                .is_some_and(|url| url.ends_with("/invoke-with-response-stream"))
        })
        .expect("a Bedrock stream in the sample");
    let body = record["response"]["body"].as_str().expect("base64");
    let chunks = bedrock_chunks(body, "bedrock.jsonl");
    let last: bedrock::JambaChatStreamChunk =
        serde_json::from_value(chunks[2].clone()).expect("a Bedrock chunk");
    assert_eq!(
        last.choices[0].stop_reason,
        Some(Some("<|eom|>".to_owned()))
    );
    let metrics = last
        .amazon_bedrock_invocation_metrics
        .expect("merged into the last chunk");
    assert_eq!(
        (metrics.input_token_count, metrics.output_token_count),
        (Some(150), Some(3))
    );
    let first: bedrock::JambaChatStreamChunk =
        serde_json::from_value(chunks[0].clone()).expect("a Bedrock chunk");
    assert!(first.meta.is_some());
    let canonical = round_trip(PayloadKind::JambaChatStreamChunk, &chunks[2])
        .expect("the canonical type reads it");
    assert!(canonical.get("amazon-bedrock-invocationMetrics").is_none());
}

#[test]
fn partner_bodies_need_the_dialect_types() {
    // What each platform changes is refused by the canonical type and read by the
    // dialect's: Bedrock's and Vertex's bodies without `model`, Bedrock's and Azure's own
    // error bodies.
    let request = json!({"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 32});
    assert!(!parses(PayloadKind::JambaChatRequest, &request));
    for dialect in [Dialect::Bedrock, Dialect::Vertex, Dialect::Azure] {
        assert!(
            parses_in(dialect, PayloadKind::JambaChatRequest, &request),
            "{dialect}"
        );
    }
    let bedrock_error = json!({"message": "The provided model identifier is invalid."});
    assert!(!parses(PayloadKind::ErrorResponse, &bedrock_error));
    assert!(parses_in(
        Dialect::Bedrock,
        PayloadKind::ErrorResponse,
        &bedrock_error
    ));
    let azure_error = json!({"error": {"code": "Unauthorized", "message": "Access denied."}});
    assert!(!parses(PayloadKind::ErrorResponse, &azure_error));
    assert!(parses_in(
        Dialect::Azure,
        PayloadKind::ErrorResponse,
        &azure_error
    ));
    // Azure's error code is a string, Google's an integer.
    assert!(!parses_in(
        Dialect::Vertex,
        PayloadKind::ErrorResponse,
        &azure_error
    ));
    // The same messages are one type in every dialect: a conversation moves as it is.
    let messages: Vec<ai21_models::ChatMessage> = vec![ai21_models::ChatMessage::user("Hello")];
    let bedrock_request = bedrock::JambaChatRequest {
        messages: messages.clone(),
        ..serde_json::from_value(request.clone()).expect("a Bedrock request")
    };
    let azure_request = azure::JambaChatRequest {
        messages: bedrock_request.messages.clone(),
        ..serde_json::from_value(request).expect("an Azure request")
    };
    assert_eq!(azure_request.messages, messages);
}
