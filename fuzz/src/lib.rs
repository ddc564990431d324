//! The fuzz targets of ai21-contract: every reader of untrusted bytes, as a plain function
//! of the bytes that panics when a property fails.
//!
//! Each target is one function, called by its libFuzzer binary (`fuzz_targets/`, built by
//! cargo-fuzz on nightly) and by the stable runner (`src/bin/ai21-fuzz-stable.rs`, see
//! [`engine`]), so both engines test the same properties. `docs/fuzzing.md` lists the
//! targets, what each checks, and the numbers of the last long run.
//!
//! Beyond "no panic, no hang":
//! - [`jsonl`], [`har`]: every item read stays where it was read, and an exchange written
//!   back as a JSONL line ([`ai21_capture::Exchange::to_json_line`]) reads again as a record;
//! - [`exchange`]: the fast check of a JSONL line and the full one give the same outcome
//!   whenever the fast one takes the line (as `crates/ai21-check/tests/fast_path.rs`);
//! - [`stream`]: every finding names a rule of the catalogue, and a reassembled response
//!   is an object;
//! - [`eventstream`]: Bedrock's binary event streams decode into frames that account for
//!   every byte, every finding names a rule of the catalogue, and what decodes encodes
//!   back to itself;
//! - [`payload`]: every finding names a rule of the catalogue, and a payload is schema-valid
//!   exactly when the validator reports no schema finding on it;
//! - [`redact`]: a planted secret (an AI21-shaped key, a bearer token, a secret-named
//!   member, a credential header or URL parameter) appears in no output: not in a record,
//!   a line written back, a report of any format, or a message;
//! - [`mock`]: the mock answers every request without a server error, and a JSON answer is
//!   JSON.

use std::cell::RefCell;
use std::io::Write;

use ai21_capture::{Content, Format, Input, Item, ReadOptions};
use ai21_check::{CheckOptions, Outcome, Summary};
use ai21_schemas::PayloadKind;
use ai21_validate::Validator;
use serde_json::Value;

pub mod engine;

/// A fuzz target: the bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// Every target, by name, in the order `cargo xtask fuzz` runs them.
pub const TARGETS: [(&str, Target); 8] = [
    ("jsonl", jsonl),
    ("har", har),
    ("stream", stream),
    ("eventstream", eventstream),
    ("payload", payload),
    ("exchange", exchange),
    ("redact", redact),
    ("mock", mock),
];

/// The target of this name.
pub fn target(name: &str) -> Option<Target> {
    TARGETS
        .iter()
        .find(|(target, _)| *target == name)
        .map(|(_, function)| *function)
}

/// The JSONL capture reader on arbitrary bytes, every item then checked the full way.
pub fn jsonl(data: &[u8]) {
    read_and_check(data, Format::Jsonl);
}

/// The HAR reader on arbitrary bytes, every item then checked the full way.
pub fn har(data: &[u8]) {
    read_and_check(data, Format::Har);
}

fn read_and_check(data: &[u8], format: Format) {
    let validator = Validator::shared();
    let options = ReadOptions {
        format: Some(format),
        kind: None,
        dialect: None,
    };
    let mut items = ai21_capture::read_from(vec![Input::Stdin], options, data);
    while let Some(pending) = items.next_pending() {
        let location = pending.location().clone();
        let item = pending.parse();
        assert_eq!(
            item.location(),
            &location,
            "an item moved when it was parsed"
        );
        if let Item::Record(record) = &item
            && let Content::Exchange(exchange) = &record.content
        {
            let line = exchange.to_json_line();
            let again = read_one_line(&line);
            assert!(
                matches!(again, Some(Item::Record(_))),
                "a written exchange does not read again as a record\nwritten: {line}\nread: {again:?}"
            );
        }
        let _ = ai21_check::check(item, validator, CheckOptions::default());
    }
}

/// The one item of a JSONL line, or `None` when the line holds another number of items.
fn read_one_line(line: &str) -> Option<Item> {
    let options = ReadOptions {
        format: Some(Format::Jsonl),
        kind: None,
        dialect: None,
    };
    let mut items = ai21_capture::read_from(vec![Input::Stdin], options, line.as_bytes());
    let item = items.next()?;
    items.next().is_none().then_some(item)
}

/// The event-stream parser and reassembly on arbitrary text.
pub fn stream(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let stream = Validator::shared().validate_stream(&body);
    for finding in &stream.report.findings {
        assert!(
            known_rule(finding.rule),
            "a stream finding names no rule of the catalogue: {finding:?}"
        );
    }
    if let Some(reassembled) = &stream.reassembled {
        assert!(
            reassembled.is_object(),
            "a reassembled response is not an object: {reassembled}"
        );
    }
}

/// Bedrock's AWS event-stream decoder and check on arbitrary bytes.
///
/// The first byte chooses what the rest is: with its low bit clear, the bytes of an event
/// stream as they are; with it set, lines, each framed as a message by the mock's encoder
/// (a line `!kind message` as an exception, any other as a chunk event carrying the line),
/// so that mutations reach the chunk checks behind the checksums, which a mutated frame
/// rarely passes.
///
/// Properties: the frames tile the bytes (every byte is in one frame, a message or bytes
/// that do not decode, in order); every frame that is not a chunk has a finding, and every
/// finding of the check names a rule of the catalogue; a chunk or an exception that decodes
/// encodes (with the mock's encoder) into a message that decodes to the same; a
/// reassembled response is an object.
pub fn eventstream(data: &[u8]) {
    use ai21_mock::eventstream::{encode_chunk, encode_exception};
    use ai21_validate::eventstream::{Content, decode};

    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let framed;
    let bytes = if mode & 1 == 0 {
        rest
    } else {
        framed = rest
            .split(|&byte| byte == b'\n')
            .flat_map(|line| match line.strip_prefix(b"!") {
                Some(exception) => {
                    let exception = String::from_utf8_lossy(exception);
                    let (kind, message) = exception.split_once(' ').unwrap_or((&exception, ""));
                    encode_exception(kind, message)
                }
                None => encode_chunk(line),
            })
            .collect::<Vec<u8>>();
        &framed[..]
    };

    let frames = decode(bytes);
    let mut end = 0;
    for (index, frame) in frames.iter().enumerate() {
        assert_eq!(frame.number, index + 1, "frames are numbered in order");
        assert_eq!(
            frame.offset, end,
            "a gap or an overlap before frame {}",
            frame.number
        );
        assert!(frame.len > 0, "an empty frame: {frame:?}");
        end = frame.range().end;
        assert_eq!(
            frame.finding().is_none(),
            matches!(frame.content, Content::Chunk(_)),
            "a frame's finding: {frame:?}"
        );
        let again = match &frame.content {
            Content::Chunk(json) => Some(encode_chunk(json)),
            // 32767 bytes: the longest header value the framing has (`encode_exception`
            // panics beyond; a decoded header is never longer).
            Content::Exception {
                exception_type: Some(kind),
                message: Some(message),
            } if kind.len() <= 32_767 => Some(encode_exception(kind, message)),
            _ => None,
        };
        if let Some(again) = again {
            let decoded: Vec<Content> = decode(&again)
                .into_iter()
                .map(|frame| frame.content)
                .collect();
            assert_eq!(
                decoded,
                std::slice::from_ref(&frame.content),
                "a decoded message does not encode back to itself"
            );
        }
    }
    assert_eq!(end, bytes.len(), "bytes after the last frame");

    let stream = Validator::shared().validate_event_stream(bytes, ai21_schemas::Dialect::Bedrock);
    for finding in &stream.report.findings {
        assert!(
            known_rule(finding.rule),
            "an event-stream finding names no rule of the catalogue: {finding:?}"
        );
    }
    if let Some(reassembled) = &stream.reassembled {
        assert!(
            reassembled.is_object(),
            "a reassembled response is not an object: {reassembled}"
        );
    }
}

/// Whether a rule id is in the catalogue of every rule a report can carry.
fn known_rule(id: &str) -> bool {
    ai21_check::rule_catalogue().any(|info| info.id == id)
}

/// The payload validator on arbitrary JSON, as every payload kind.
pub fn payload(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let validator = Validator::shared();
    let _ = ai21_capture::detect_kind(&value);
    for kind in PayloadKind::ALL {
        let report = validator.validate(kind, &value);
        for finding in &report.findings {
            assert!(
                known_rule(finding.rule),
                "a {kind:?} finding names no rule of the catalogue: {finding:?}"
            );
        }
        let schema_findings = report
            .findings
            .iter()
            .any(|finding| finding.rule.starts_with("schema/"));
        assert_eq!(
            validator.is_schema_valid(kind, &value),
            !schema_findings,
            "is_schema_valid and the report's schema findings disagree on a {kind:?}: {value}\n{report:?}"
        );
    }
}

/// The check of one JSONL record, the fast way and the full way: when the fast path takes
/// the line, its outcome is the full path's (with and without `--redact-content`).
pub fn exchange(data: &[u8]) {
    let line = match data.iter().position(|&byte| byte == b'\n') {
        Some(end) => &data[..end],
        None => data,
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Ok(text) = std::str::from_utf8(line) else {
        return;
    };
    let validator = Validator::shared();
    for redact_content in [false, true] {
        let options = CheckOptions {
            redact_content,
            no_fast_path: false,
        };
        let Some(item) = read_one_line(text) else {
            return;
        };
        let location = item.location().clone();
        let full = ai21_check::check(item, validator, options);
        if let Some(fast) = ai21_check::check_line_fast(&location, line, None, validator, options) {
            let fast = Outcome::Checked(fast);
            assert!(
                fast == full,
                "the fast path's outcome differs from the full path's\nrecord: {text}\nfast: {fast:#?}\nfull: {full:#?}"
            );
        }
    }
}

/// The planted secret: shaped like an AI21 key (32 letters and digits of all three kinds),
/// and no real one.
pub const SECRET: &str = "Fz4Kq8Wm2Xr7Tb5Nc9Lh3Vd6Jp1Gs0Ya";

/// Redaction: a secret planted into a JSONL record in every credential slot appears in no
/// output of reading and checking it.
///
/// The input is a JSONL line. When it is a JSON object, the secret is planted into it: an
/// `Authorization: Bearer` header, an `x-api-key` header and a credential URL parameter
/// on the request, a secret-named member and a string that is the key as a whole in each
/// JSON body, and a bearer token in each text body. Otherwise the input is made the text of
/// both bodies of an exchange carrying the secret in the same slots. Inputs that hold a
/// piece of the secret themselves are left out: a key pasted into prompt text is content,
/// which reading keeps.
pub fn redact(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if holds_piece_of_secret(text) {
        return;
    }
    let line = planted_line(text);
    let validator = Validator::shared();
    let mut outputs = Vec::new();
    for redact_content in [false, true] {
        let options = CheckOptions {
            redact_content,
            no_fast_path: false,
        };
        let read = |line: &str| {
            let mut items = ai21_capture::read_from(
                vec![Input::Stdin],
                ReadOptions {
                    format: Some(Format::Jsonl),
                    kind: None,
                    dialect: None,
                },
                line.as_bytes(),
            );
            let mut pending = Vec::new();
            while let Some(item) = items.next_pending() {
                pending.push(item);
            }
            pending
        };
        let mut outcomes = Vec::new();
        for pending in read(&line) {
            outcomes.push(ai21_check::check_pending(pending, validator, options));
        }
        for pending in read(&line) {
            let item = pending.parse();
            outputs.push(format!("{item:?}"));
            match &item {
                Item::Record(record) => {
                    if let Content::Exchange(exchange) = &record.content {
                        outputs.push(exchange.to_json_line());
                        outputs.push(exchange.url().to_owned());
                    }
                }
                Item::Unreadable(unreadable) => outputs.push(unreadable.to_string()),
                Item::Skipped(skipped) => outputs.push(skipped.to_string()),
            }
            outcomes.push(ai21_check::check(item, validator, options));
        }
        for outcome in &outcomes {
            outputs.push(format!("{outcome:?}"));
        }
        outputs.extend(reports(&outcomes));
    }
    for output in &outputs {
        assert!(
            !output.contains(SECRET),
            "the planted secret survives into an output\ninput: {text}\nline: {line}\noutput: {output}"
        );
    }
}

/// Whether the text holds a piece of [`SECRET`] long enough to be masked as one.
fn holds_piece_of_secret(text: &str) -> bool {
    let piece = ai21_capture::redact::KEY_FRAGMENT;
    (0..=SECRET.len() - piece).any(|start| text.contains(&SECRET[start..start + piece]))
}

/// The JSONL line of [`redact`]: the input with the secret planted.
fn planted_line(text: &str) -> String {
    let bearer = format!("Bearer {SECRET}");
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut record)) => {
            if let Some(Value::String(url)) = record.get_mut("url") {
                *url = with_parameter(url);
            }
            for (half, is_request) in [("request", true), ("response", false)] {
                let Some(Value::Object(half)) = record.get_mut(half) else {
                    continue;
                };
                if is_request {
                    match half.get_mut("headers") {
                        Some(Value::Object(headers)) => {
                            headers.insert("Authorization".to_owned(), bearer.clone().into());
                            headers.insert("x-api-key".to_owned(), SECRET.into());
                        }
                        Some(Value::Array(headers)) => {
                            headers.push(serde_json::json!({"name": "Authorization", "value": bearer}));
                            headers.push(serde_json::json!(["x-api-key", SECRET]));
                        }
                        _ => {}
                    }
                }
                match half.get_mut("body") {
                    Some(Value::Object(body)) => {
                        body.insert("api_key".to_owned(), SECRET.into());
                        body.insert("planted".to_owned(), SECRET.into());
                    }
                    Some(Value::String(body)) => {
                        body.push_str(&format!("\n{bearer}\n"));
                    }
                    _ => {}
                }
            }
            Value::Object(record).to_string()
        }
        _ => serde_json::json!({
            "url": with_parameter("https://api.ai21.com/studio/v1/chat/completions"),
            "method": "POST",
            "request": {
                "headers": {"Authorization": bearer, "x-api-key": SECRET, "Content-Type": "application/json"},
                "body": format!("{text}\n{bearer}\n"),
            },
            "response": {
                "status": 200,
                "headers": {"content-type": "text/event-stream"},
                "body": format!("{text}\n{bearer}\n"),
            },
        })
        .to_string(),
    }
}

/// The URL with the secret as a credential parameter (`api_key=`).
fn with_parameter(url: &str) -> String {
    let separator = if url.contains('?') || url.contains('#') {
        '&'
    } else {
        '?'
    };
    format!("{url}{separator}api_key={SECRET}")
}

/// The reports of every format on the outcomes.
fn reports(outcomes: &[Outcome]) -> Vec<String> {
    let formats = [
        ai21_report::Format::Human,
        ai21_report::Format::Json,
        ai21_report::Format::Junit,
        ai21_report::Format::Sarif,
    ];
    let mut summary = Summary::default();
    for outcome in outcomes {
        summary.add(outcome);
    }
    formats
        .into_iter()
        .map(|format| {
            let mut buffer = Vec::new();
            {
                let settings = ai21_report::Settings {
                    color: false,
                    verbose: true,
                    deny_warnings: false,
                    contract: None,
                };
                let out: Box<dyn Write + Send + '_> = Box::new(&mut buffer);
                let mut writer =
                    ai21_report::writer(format, settings, out).expect("writes to memory");
                for outcome in outcomes {
                    writer.outcome(outcome).expect("writes to memory");
                }
                writer.finish(&summary).expect("writes to memory");
            }
            String::from_utf8_lossy(&buffer).into_owned()
        })
        .collect()
}

thread_local! {
    /// The runtime the mock's router runs on, one per thread.
    static RUNTIME: RefCell<Option<tokio::runtime::Runtime>> = const { RefCell::new(None) };
}

/// The mock's request handling on arbitrary requests, driven in process (no socket).
///
/// The input is `METHOD PATH` on the first line, then `name: value` header lines up to a
/// blank line, then the body; its first byte's low bit chooses strict mode. A request
/// `http` refuses to build (a bad method, path or header) is left out: a server never
/// receives it.
pub fn mock(data: &[u8]) {
    let strict = data.first().is_some_and(|byte| byte & 1 == 1);
    mock_with(
        ai21_mock::Config {
            strict,
            ..ai21_mock::Config::default()
        },
        data,
    );
}

/// [`mock`] on a mock configured so.
fn mock_with(config: ai21_mock::Config, data: &[u8]) {
    let Some(request) = mock_request(data) else {
        return;
    };
    let router = ai21_mock::router(config);
    let (status, content_type, body) = RUNTIME.with_borrow_mut(|runtime| {
        let runtime = runtime.get_or_insert_with(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a tokio runtime")
        });
        runtime.block_on(async {
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            let response = router.oneshot(request).await.expect("the router answers");
            let (parts, body) = response.into_parts();
            let body = body.collect().await.expect("a body").to_bytes();
            let content_type = parts
                .headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            (parts.status, content_type, body)
        })
    });
    assert!(
        !status.is_server_error(),
        "the mock answers {status} without a fault injected\nrequest: {}",
        String::from_utf8_lossy(data)
    );
    if content_type
        .as_deref()
        .is_some_and(|content_type| content_type.starts_with("application/json"))
    {
        assert!(
            serde_json::from_slice::<Value>(&body).is_ok(),
            "the mock's JSON answer is not JSON: {}",
            String::from_utf8_lossy(&body)
        );
    }
}

/// The request of a [`mock`] input, or `None` when `http` refuses it.
fn mock_request(data: &[u8]) -> Option<axum::http::Request<axum::body::Body>> {
    let data = data.get(1..)?;
    let (head, body) = match find(data, b"\n\n") {
        Some(end) => (&data[..end], &data[end + 2..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|&byte| byte == b'\n');
    let request_line = lines.next()?;
    let space = request_line.iter().position(|&byte| byte == b' ')?;
    let method = axum::http::Method::from_bytes(&request_line[..space]).ok()?;
    let uri = axum::http::Uri::try_from(&request_line[space + 1..]).ok()?;
    let mut builder = axum::http::Request::builder().method(method).uri(uri);
    for line in lines {
        let colon = line.iter().position(|&byte| byte == b':')?;
        let name = axum::http::HeaderName::from_bytes(&line[..colon]).ok()?;
        let value = line[colon + 1..].trim_ascii_start();
        let value = axum::http::HeaderValue::from_bytes(value).ok()?;
        builder = builder.header(name, value);
    }
    builder.body(axum::body::Body::from(body.to_vec())).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds(target: &str) -> Vec<Vec<u8>> {
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(target);
        engine::read_seeds(&[directory]).expect("the checked-in corpus")
    }

    #[test]
    fn every_target_passes_its_seeds() {
        for (name, target) in TARGETS {
            let seeds = seeds(name);
            assert!(seeds.len() >= 2, "{name} has {} seeds", seeds.len());
            for seed in &seeds {
                target(seed);
            }
        }
    }

    #[test]
    fn the_secret_is_planted_in_every_slot() {
        let record = r#"{"url": "https://api.ai21.com/studio/v1/chat/completions", "request": {"headers": [{"name": "Content-Type", "value": "application/json"}], "body": {"model": "jamba-mini"}}, "response": {"status": 200, "body": "data: x"}}"#;
        let line = planted_line(record);
        let value: Value = serde_json::from_str(&line).expect("JSON");
        assert!(
            value["url"]
                .as_str()
                .is_some_and(|url| url.ends_with(&format!("?api_key={SECRET}"))),
            "{line}"
        );
        assert_eq!(value["request"]["body"]["api_key"], SECRET, "{line}");
        assert_eq!(value["request"]["body"]["planted"], SECRET, "{line}");
        assert!(
            value["response"]["body"]
                .as_str()
                .is_some_and(|body| body.contains(&format!("Bearer {SECRET}"))),
            "{line}"
        );
        let headers = value["request"]["headers"].to_string();
        assert!(
            headers.contains(&format!("Bearer {SECRET}")) && headers.contains("x-api-key"),
            "{line}"
        );

        let line = planted_line("not JSON");
        assert_eq!(line.matches(SECRET).count(), 5, "{line}");
        redact(record.as_bytes());
        redact(b"not JSON");
    }

    #[test]
    fn inputs_holding_the_secret_are_left_out() {
        assert!(holds_piece_of_secret(&format!("a {SECRET} b")));
        assert!(holds_piece_of_secret("xx7Tb5Ncxx"));
        assert!(!holds_piece_of_secret("Bearer abc"));
    }

    #[test]
    fn the_eventstream_target_frames_lines_and_takes_raw_bytes() {
        // Lines: two chunks and an exception; raw: the same bytes, then cut short.
        let lines = b"\x01{\"id\": \"a\", \"choices\": []}\n{}\n!throttlingException slow down";
        eventstream(lines);
        let mut raw = vec![0];
        raw.extend(ai21_mock::eventstream::encode_chunk(b"{}"));
        raw.extend(ai21_mock::eventstream::encode_exception("x", "y"));
        eventstream(&raw);
        raw.truncate(raw.len() - 3);
        eventstream(&raw);
        eventstream(b"");
        eventstream(b"\x00");
    }

    #[test]
    fn a_rule_outside_the_catalogue_is_refused() {
        assert!(known_rule("stream/missing-done"));
        assert!(known_rule("schema/required"));
        assert!(!known_rule("stream/made-up"));
    }

    #[test]
    fn mock_inputs_are_requests() {
        let request = mock_request(
            b"\x01POST /studio/v1/chat/completions?x=1\nauthorization: Bearer k\n\n{}",
        )
        .expect("a request");
        assert_eq!(request.method(), "POST");
        assert_eq!(request.uri().path(), "/studio/v1/chat/completions");
        assert_eq!(request.headers()["authorization"], "Bearer k");
        assert!(mock_request(b"\x00POST not a uri\n\n").is_none());
        assert!(mock_request(b"\x00POST /\nno colon\n\n").is_none());
    }

    #[test]
    #[should_panic(expected = "the mock answers 500")]
    fn the_mock_property_can_fail() {
        // No route answers 5xx without a fault: a mock faulting every request fails it.
        let config = ai21_mock::Config {
            faults: ai21_mock::Faults {
                rate: 1.0,
                kinds: vec![ai21_mock::Fault::ServerError],
                ..ai21_mock::Faults::default()
            },
            ..ai21_mock::Config::default()
        };
        mock_with(
            config,
            b"\x00POST /studio/v1/chat/completions\nauthorization: Bearer k\ncontent-type: application/json\n\n{\"model\": \"jamba-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}",
        );
    }

    #[test]
    fn the_engine_finds_a_planted_crash() {
        fn target(data: &[u8]) {
            assert!(!data.windows(2).any(|pair| pair == b"}{"), "planted crash");
        }
        let artifacts =
            std::env::temp_dir().join(format!("ai21-fuzz-engine-{}", std::process::id()));
        let crash = engine::run(
            target,
            &[b"{\"a\": 1}".to_vec()],
            std::time::Duration::from_secs(20),
            7,
            &artifacts,
        )
        .expect_err("the engine finds `}{`");
        let input = std::fs::read(&crash.artifact).expect("the crash input is kept");
        assert!(input.windows(2).any(|pair| pair == b"}{"));
        let _ = std::fs::remove_dir_all(&artifacts);
    }
}
