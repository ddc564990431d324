//! The fast path against the full path: for every JSONL record the fast path checks, its
//! outcome is the full path's, to the byte; a record where they differ fails the test with
//! the record printed.
//!
//! Records come from the capture fixtures, from the benchmark capture generator (planted
//! violations included), and from a property test that builds exchanges of every payload
//! kind (J2, Jamba, streams, error answers) out of schema-generated, mutated, documented
//! and invalid example payloads, in every form the capture format allows (bodies as JSON
//! or as JSON text, headers as objects or arrays, statuses, methods, timestamps), with
//! secrets planted and bytes broken. Each test also counts how many records the fast path
//! took, and fails when it takes too few: a fast path that always gave up would agree
//! with everything.

use std::path::Path;

use ai21_capture::{Input, Item, Location, Origin, ReadOptions};
use ai21_check::{CheckOptions, Outcome, check, check_line_fast};
use ai21_generate::{capture, instance, mutate};
use ai21_schemas::PayloadKind;
use ai21_validate::Validator;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};

/// The shared validator, with today pinned so that no test depends on the clock: after
/// J2's retirement on AI21 Studio (2024-11-11), before its Jamba API's sunset (2026-08-09).
fn validator() -> &'static Validator {
    ai21_validate::pin_today("2026-01-01").expect("every test of this binary pins the same day");
    Validator::shared()
}

/// How many records each path checked.
#[derive(Debug, Default)]
struct Tally {
    records: usize,
    fast: usize,
    /// Records the fast path must take: readable exchanges in a form it reads, with no
    /// finding it leaves to the full path.
    due: usize,
}

/// Whether the fast path must take a record of this outcome, read in a form it reads:
/// one with no schema or client finding on either side's body and no undeclared field.
/// (Findings of the API rules, pairing, models, streams, statuses and bodies that are
/// not JSON it gives itself.)
fn due(full: &Outcome) -> bool {
    let Outcome::Checked(checked) = full else {
        return false;
    };
    checked.report.findings.iter().all(|finding| {
        let body = matches!(
            finding.target,
            ai21_validate::Target::Request | ai21_validate::Target::Response
        );
        !(body && (finding.rule.starts_with("schema/") || finding.rule.starts_with("client/")))
            && finding.rule != "drift/unknown-field"
    })
}

/// Checks one line both ways; `Err` with the record when the outcomes differ, or when the
/// fast path left a record it must take (`clean`: the record's form is one it reads).
fn compare(
    line: &str,
    options: CheckOptions,
    clean: bool,
    tally: &mut Tally,
) -> Result<(), String> {
    compare_with(validator(), line, options, clean, tally)
}

/// [`compare`] with another validator (a historical contract's).
fn compare_with(
    validator: &Validator,
    line: &str,
    options: CheckOptions,
    clean: bool,
    tally: &mut Tally,
) -> Result<(), String> {
    let mut items =
        ai21_capture::read_from(vec![Input::Stdin], ReadOptions::default(), line.as_bytes());
    let Some(item) = items.next() else {
        return Err(format!("no item read from the line\n{line}"));
    };
    if items.next().is_some() {
        return Err(format!("more than one item read from the line\n{line}"));
    }
    let location = Location::line(Origin::Stdin, 1);
    tally.records += 1;
    let full = check(item, validator, options);
    let must = clean
        && due(&full)
        && !(options.redact_content
            && matches!(&full, Outcome::Checked(checked) if !checked.report.is_clean()));
    tally.due += usize::from(must);
    let taken = check_line_fast(&location, line.as_bytes(), None, validator, options);
    if must && taken.is_none() {
        return Err(format!(
            "the fast path left a record it reads to the full path\nrecord: {line}\nfull: {full:#?}"
        ));
    }
    if let Some(fast) = taken {
        tally.fast += 1;
        let fast = Outcome::Checked(fast);
        if fast != full {
            return Err(format!(
                "the fast path's outcome differs from the full path's\nrecord: {line}\nfast: {fast:#?}\nfull: {full:#?}"
            ));
        }
    }
    Ok(())
}

fn compare_lines(text: &str, options: CheckOptions, clean: bool, tally: &mut Tally) {
    compare_lines_with(validator(), text, options, clean, tally);
}

fn compare_lines_with(
    validator: &Validator,
    text: &str,
    options: CheckOptions,
    clean: bool,
    tally: &mut Tally,
) {
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Err(difference) = compare_with(validator, line, options, clean, tally) {
            panic!("{difference}");
        }
    }
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("the crate is two levels below the workspace")
}

/// Compares every line of each fixture (a path from the workspace's root) both ways, with
/// each of [`both_options`].
fn compare_fixtures(validator: &Validator, fixtures: &[&str], tally: &mut Tally) {
    for fixture in fixtures {
        let text = std::fs::read_to_string(workspace().join(fixture))
            .unwrap_or_else(|error| panic!("{fixture}: {error}"));
        for options in both_options() {
            compare_lines_with(validator, &text, options, false, tally);
        }
    }
}

/// A synthetic capture of about `size` bytes from the benchmark generator.
fn generated(size: u64, seed: u64, invalid_per_mille: u32) -> String {
    let mut bytes = Vec::new();
    capture::write(
        &mut bytes,
        capture::Options {
            size,
            seed,
            invalid_per_mille,
        },
    )
    .expect("writing to memory");
    String::from_utf8(bytes).expect("the generator writes UTF-8")
}

#[test]
fn fixtures_agree() {
    let mut tally = Tally::default();
    compare_fixtures(
        validator(),
        &[
            "tests/fixtures/captures/sample.jsonl",
            "tests/fixtures/captures/bedrock.jsonl",
            "tests/fixtures/captures/vertex.jsonl",
            "tests/fixtures/captures/azure.jsonl",
            "crates/ai21-contract/tests/fixtures/jsonl/capture.jsonl",
            "crates/ai21-contract/tests/fixtures/jsonl/malformed.jsonl",
        ],
        &mut tally,
    );
    assert!(tally.records >= 40, "{tally:?}");
    assert!(tally.fast * 3 >= tally.records, "{tally:?}");
}

#[test]
fn generated_captures_agree() {
    let mut tally = Tally::default();
    for (seed, invalid_per_mille) in [(1, 20), (2, 200), (3, 500)] {
        let text = generated(1_500_000, seed, invalid_per_mille);
        compare_lines(&text, CheckOptions::default(), true, &mut tally);
    }
    // Most generated records are valid and read the fast way.
    assert!(tally.fast * 2 >= tally.records, "{tally:?}");
    assert!(tally.due * 2 >= tally.records, "{tally:?}");
}

/// Under a historical contract the fast path reads its schemas, not today's: the two
/// paths agree on the fixtures (the preview-era capture included, which only the
/// preview's contract accepts) and on a generated capture, and the fast path takes most
/// records.
#[test]
fn historical_contracts_agree() {
    validator();
    let historical: Vec<_> = ai21_schemas::Contract::ALL
        .into_iter()
        .filter(|contract| contract.is_historical())
        .collect();
    assert!(historical.len() >= 2, "{historical:?}");
    let generated = generated(400_000, 4, 100);
    for contract in historical {
        let validator = Validator::shared_for(contract);
        let mut tally = Tally::default();
        compare_fixtures(
            validator,
            &[
                "tests/fixtures/history/jamba-preview.jsonl",
                "tests/fixtures/captures/sample.jsonl",
                "crates/ai21-contract/tests/fixtures/jsonl/capture.jsonl",
            ],
            &mut tally,
        );
        compare_lines_with(
            validator,
            &generated,
            CheckOptions::default(),
            true,
            &mut tally,
        );
        assert!(
            tally.fast * 2 >= tally.records,
            "{}: {tally:?}",
            contract.name()
        );
    }
}

fn both_options() -> [CheckOptions; 2] {
    [
        CheckOptions::default(),
        CheckOptions {
            redact_content: true,
            ..CheckOptions::default()
        },
    ]
}

/// A key-shaped word (not a real key).
const KEY: &str = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";

/// One record's form: everything about it but the payloads.
#[derive(Debug, Clone)]
struct Form {
    /// Bodies as JSON text in a string (0: no, 1: request, 2: response, 3: both).
    as_text: u8,
    /// 0: no headers, 1: object, 2: array form, 3: null, 4: event-stream content type.
    headers: u8,
    /// 0: absent, 1: null, 2: "POST", 3: a number (unreadable).
    method: u8,
    /// 0: absent, 1: a string, 2: a number, 3: null, 4: a boolean (unreadable).
    timestamp: u8,
    /// Which status (see [`STATUSES`]).
    status: usize,
    /// 0: none, 1: a key-shaped string, 2: a secret member, 3: a bearer token, 4: a key
    /// in a member name, 5: a key in the URL, 6 to 10: `Basic` credentials, a JSON Web
    /// Token, a private-key block, an AWS access key id, a Google API key in a string,
    /// 11 and 12: a `key` and a `pwd` member (the short credential names).
    secret: u8,
    /// 0: as is, 1: a duplicated key, 2: cut short, 3: a byte replaced, 4: pretty JSON
    /// values, 5: escaped slashes and unicode.
    text: u8,
    /// Which mutation of the request and of the response (0: none).
    request_mutation: usize,
    response_mutation: usize,
    /// Where a byte-level change goes (a fraction of the line).
    at: f64,
}

/// The statuses records carry, as written (`200.0` and `600` are unreadable).
const STATUSES: [&str; 10] = [
    "200", "200", "200", "201", "401", "422", "500", "302", "600", "200.0",
];

fn status(index: usize) -> Value {
    serde_json::from_str(STATUSES[index]).expect("the statuses are JSON numbers")
}

fn form() -> impl Strategy<Value = Form> {
    (
        (0u8..4, 0u8..5, 0u8..4, 0u8..5, 0usize..STATUSES.len()),
        (
            prop_oneof![6 => Just(0u8), 2 => 1u8..SECRETS],
            prop_oneof![6 => Just(0u8), 1 => 1u8..6],
            prop_oneof![3 => Just(0usize), 1 => 1usize..64],
            prop_oneof![3 => Just(0usize), 1 => 1usize..64],
            0.0..1.0f64,
        ),
    )
        .prop_map(
            |(
                (as_text, headers, method, timestamp, status),
                (secret, text, request_mutation, response_mutation, at),
            )| Form {
                as_text,
                headers,
                method,
                timestamp,
                status,
                secret,
                text,
                request_mutation,
                response_mutation,
                at,
            },
        )
}

/// The payload after the form's mutation (`index` 0 keeps it).
fn mutated(kind: PayloadKind, payload: &Value, index: usize) -> Value {
    if index == 0 {
        return payload.clone();
    }
    let mutations = mutate::mutations(kind, payload);
    if mutations.is_empty() {
        return payload.clone();
    }
    mutations[(index - 1) % mutations.len()].apply(payload)
}

/// How many kinds of secret [`Form::secret`] plants (0 is none).
const SECRETS: u8 = 13;

/// The secret shapes planted inside a string (`Form::secret` 6 to 10).
const SHAPES: [&str; 5] = [
    "Basic dXNlcjpodW50ZXIy",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "AKIAIOSFODNN7EXAMPLE",
    "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
];

/// Plants the form's secret in a payload.
fn plant(payload: &mut Value, secret: u8) {
    let Value::Object(members) = payload else {
        return;
    };
    match secret {
        6..=10 => {
            members.insert(
                "id".into(),
                Value::String(format!("chat-1 {}.", SHAPES[usize::from(secret - 6)])),
            );
        }
        11 => {
            members.insert("key".into(), Value::String("short".into()));
        }
        12 => {
            members.insert("PWD".into(), Value::String("x".into()));
        }
        1 => {
            members.insert("id".into(), Value::String(KEY.into()));
        }
        2 => {
            members.insert("api_key".into(), Value::String("short".into()));
        }
        3 => {
            members.insert(
                "id".into(),
                Value::String(format!("chat-1 Bearer {KEY}-extra")),
            );
        }
        4 => {
            members.insert(KEY.into(), Value::Null);
        }
        _ => {}
    }
}

/// An event stream of chunks, ended by `[DONE]`.
fn event_stream(chunks: &[Value]) -> String {
    let mut text = String::new();
    for chunk in chunks {
        text.push_str(&format!("data: {chunk}\n\n"));
    }
    text.push_str("data: [DONE]\n\n");
    text
}

/// The record of an exchange in the form.
fn record(url: &str, request: Value, status: usize, response: Value, form: &Form) -> String {
    let body = |value: Value, text: bool| match value {
        Value::String(_) => value,
        value if text => Value::String(value.to_string()),
        value => value,
    };
    let content_type = if form.headers == 4 {
        "text/event-stream; charset=utf-8"
    } else {
        "application/json"
    };
    let headers = match form.headers {
        1 | 4 => json!({"Content-Type": content_type, "x-request-id": ["a", 1, true]}),
        2 => {
            json!([{"name": "content-type", "value": content_type}, {"name": "Authorization", "value": "Bearer x"}])
        }
        3 => Value::Null,
        _ => Value::Null,
    };
    let mut request_side = json!({"body": body(request, form.as_text & 1 != 0)});
    let mut response_side =
        json!({"status": self::status(status), "body": body(response, form.as_text & 2 != 0)});
    if form.headers != 0 {
        request_side["headers"] = headers.clone();
        response_side["headers"] = headers;
    }
    let url = if form.secret == 5 {
        format!("{url}?api_key={KEY}")
    } else {
        url.to_owned()
    };
    let mut record = json!({"url": url, "request": request_side, "response": response_side});
    match form.method {
        1 => record["method"] = Value::Null,
        2 => record["method"] = json!("POST"),
        3 => record["method"] = json!(1),
        _ => {}
    }
    match form.timestamp {
        1 => record["timestamp"] = json!("2024-05-01T10:00:00Z"),
        2 => record["timestamp"] = json!(1714557600.5),
        3 => record["timestamp"] = Value::Null,
        4 => record["timestamp"] = json!(true),
        _ => {}
    }
    let line = match form.text {
        4 => serde_json::to_string_pretty(&record)
            .expect("a value serialises")
            .replace('\n', " "),
        _ => record.to_string(),
    };
    match form.text {
        1 => line.replacen("{\"", "{\"url\":\"x\",\"", 1),
        2 => {
            let cut = (line.len() as f64 * form.at) as usize;
            let cut = (0..=cut)
                .rev()
                .find(|index| line.is_char_boundary(*index))
                .unwrap_or(0);
            line[..cut].to_owned()
        }
        3 => {
            let at = (line.len() as f64 * form.at) as usize;
            let at = (0..=at)
                .rev()
                .find(|index| line.is_char_boundary(*index))
                .unwrap_or(0);
            let next = line[at..].chars().next().map_or(0, char::len_utf8);
            format!(
                "{}{}{}",
                &line[..at],
                ["}", "\"", "0", ",", "\\"][(at) % 5],
                &line[at + next..]
            )
        }
        5 => line.replace('/', "\\/").replace('é', "\\u00e9"),
        _ => line,
    }
}

/// The payloads the property test builds records of, per kind: generated by the schema's
/// strategy.
fn payloads() -> impl Strategy<Value = (Value, Value, Vec<Value>, Value, Value)> {
    let strategy = |kind: PayloadKind| {
        instance::strategy(kind).unwrap_or_else(|error| panic!("{kind}: {error}"))
    };
    (
        strategy(PayloadKind::J2CompleteRequest),
        strategy(PayloadKind::J2CompleteResponse),
        prop::collection::vec(strategy(PayloadKind::JambaChatStreamChunk), 1..4),
        strategy(PayloadKind::JambaChatRequest),
        strategy(PayloadKind::JambaChatResponse),
    )
}

#[test]
fn generated_exchanges_agree() {
    let error = instance::strategy(PayloadKind::ErrorResponse).expect("the error schema reads");
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    let mut runner = TestRunner::new(config);
    let tally = std::cell::RefCell::new(Tally::default());
    runner
        .run(
            &(payloads(), error, form(), 0u8..4),
            |(
                (j2_request, j2_response, chunks, jamba_request, jamba_response),
                error,
                form,
                which,
            )| {
                let mut tally = tally.borrow_mut();
                let status = form.status;
                let answer = |kind, response: &Value| {
                    if matches!(self::status(status).as_u64(), Some(400..=599)) {
                        error.clone()
                    } else {
                        mutated(kind, response, form.response_mutation)
                    }
                };
                let (url, request, response) = match which {
                    0 => (
                        "https://api.ai21.com/studio/v1/j2-ultra/complete",
                        mutated(
                            PayloadKind::J2CompleteRequest,
                            &j2_request,
                            form.request_mutation,
                        ),
                        answer(PayloadKind::J2CompleteResponse, &j2_response),
                    ),
                    1 => (
                        "https://api.ai21.com/studio/v1/chat/completions",
                        mutated(
                            PayloadKind::JambaChatRequest,
                            &jamba_request,
                            form.request_mutation,
                        ),
                        answer(PayloadKind::JambaChatResponse, &jamba_response),
                    ),
                    2 => {
                        let mut request = jamba_request.clone();
                        request["stream"] = json!(true);
                        request["n"] = json!(1);
                        let chunks: Vec<Value> = chunks
                            .iter()
                            .map(|chunk| {
                                mutated(
                                    PayloadKind::JambaChatStreamChunk,
                                    chunk,
                                    form.response_mutation,
                                )
                            })
                            .collect();
                        (
                            "https://api.ai21.com/studio/v1/chat/completions",
                            request,
                            Value::String(event_stream(&chunks)),
                        )
                    }
                    _ => (
                        "/studio/v1/j2-mid/complete",
                        mutated(
                            PayloadKind::J2CompleteRequest,
                            &j2_request,
                            form.request_mutation,
                        ),
                        answer(PayloadKind::J2CompleteResponse, &j2_response),
                    ),
                };
                let mut request = request;
                let mut response = response;
                plant(&mut request, form.secret);
                plant(&mut response, form.secret);
                let line = record(url, request, status, response, &form);
                let clean = form.secret == 0
                    && matches!(form.text, 0 | 4 | 5)
                    && form.method != 3
                    && form.timestamp != 4
                    && self::status(status)
                        .as_u64()
                        .is_some_and(|status| status < 600);
                for options in both_options() {
                    compare(&line, options, clean, &mut tally).map_err(TestCaseError::fail)?;
                }
                Ok(())
            },
        )
        .unwrap_or_else(|failure| panic!("{failure}"));
    let tally = tally.into_inner();
    // Most cases break something on purpose; some are clean.
    assert!(tally.due * 20 >= tally.records, "{tally:?}");
}

#[test]
fn examples_agree() {
    let mut tally = Tally::default();
    let form = Form {
        as_text: 0,
        headers: 1,
        method: 2,
        timestamp: 1,
        status: 0,
        secret: 0,
        text: 0,
        request_mutation: 0,
        response_mutation: 0,
        at: 0.0,
    };
    let first = |kind: PayloadKind| {
        kind.examples()
            .find(|example| example.is_valid())
            .map(|example| example.payload())
            .unwrap_or_else(|| panic!("{kind} has a valid example"))
    };
    for example in ai21_schemas::examples() {
        let payload = example.payload();
        let (url, request, status, response) = match example.kind() {
            PayloadKind::J2CompleteRequest => (
                "/studio/v1/j2-ultra/complete",
                payload,
                0,
                first(PayloadKind::J2CompleteResponse),
            ),
            PayloadKind::J2CompleteResponse => (
                "/studio/v1/j2-ultra/complete",
                first(PayloadKind::J2CompleteRequest),
                0,
                payload,
            ),
            PayloadKind::JambaChatRequest => (
                "/studio/v1/chat/completions",
                payload,
                0,
                first(PayloadKind::JambaChatResponse),
            ),
            PayloadKind::JambaChatResponse => (
                "/studio/v1/chat/completions",
                first(PayloadKind::JambaChatRequest),
                0,
                payload,
            ),
            PayloadKind::JambaChatStreamChunk => {
                let mut request = first(PayloadKind::JambaChatRequest);
                request["stream"] = json!(true);
                (
                    "/studio/v1/chat/completions",
                    request,
                    0,
                    Value::String(event_stream(&[payload])),
                )
            }
            PayloadKind::ErrorResponse => (
                "/studio/v1/chat/completions",
                first(PayloadKind::JambaChatRequest),
                5,
                payload,
            ),
        };
        let line = record(url, request, status, response, &form);
        for options in both_options() {
            if let Err(difference) = compare(&line, options, true, &mut tally) {
                panic!("{}: {difference}", example.file());
            }
        }
    }
    assert!(tally.due >= 10, "{tally:?}");
}

/// The fast path gives up where it must, and checks the rest.
#[test]
fn the_fast_path_leaves_what_it_cannot_read_to_the_full_path() {
    let validator = validator();
    let location = Location::line(Origin::Stdin, 1);
    let fast = |line: &str| {
        check_line_fast(
            &location,
            line.as_bytes(),
            None,
            validator,
            CheckOptions::default(),
        )
        .is_some()
    };
    let exchange = |request: &str, response: &str| {
        format!(
            r#"{{"url": "/studio/v1/chat/completions", "request": {{"body": {request}}}, "response": {{"status": 200, "body": {response}}}}}"#
        )
    };
    let request = r#"{"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]}"#;
    let response = r#"{"id": "chat-1", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello"}}], "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}}"#;
    assert!(fast(&exchange(request, response)));
    // A rule's finding is given by the fast path too (the rules are the same code).
    assert!(fast(&exchange(
        request,
        &response.replace("\"total_tokens\": 10", "\"total_tokens\": 11")
    )));
    // A schema error, an undeclared field, a duplicate key, a secret, a non-AI21 URL and
    // text that is not JSON are the full path's.
    for line in [
        exchange(
            request,
            &response.replace("\"index\": 0", "\"index\": \"0\""),
        ),
        exchange(
            request,
            &response.replace("\"id\": \"chat-1\"", "\"id\": \"chat-1\", \"extra\": 1"),
        ),
        exchange(
            request,
            &response.replace(
                "\"id\": \"chat-1\"",
                "\"id\": \"chat-1\", \"id\": \"chat-2\"",
            ),
        ),
        exchange(request, &response.replace("chat-1", KEY)),
        exchange(
            &request.replace("\"Hi\"", "\"Hi\", \"password\": \"hunter2\""),
            response,
        ),
        exchange(
            &request.replace("\"Hi\"", "\"Hi\", \"key\": \"k\""),
            response,
        ),
        exchange(request, response).replace(
            "/studio/v1/chat/completions",
            "https://example.com/v1/other",
        ),
        exchange(request, response)[..40].to_owned(),
    ]
    .into_iter()
    .chain(SHAPES.iter().map(|shape| {
        exchange(
            request,
            &response.replace(
                "\"Hello\"",
                &format!("\"Hello {}\"", shape.replace('\n', "\\n")),
            ),
        )
    })) {
        assert!(!fast(&line), "{line}");
    }
    // Whatever the fast path leaves, the full path reports as before.
    let full = |line: &str| {
        let item =
            ai21_capture::read_from(vec![Input::Stdin], ReadOptions::default(), line.as_bytes())
                .next()
                .expect("one item");
        matches!(item, Item::Record(_))
    };
    assert!(full(&exchange(request, response)));
}
