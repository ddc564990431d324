//! Every secret shape, planted in every place a capture or a request can hold it, stays out
//! of every output: `validate`'s report in each format, what a recording writes
//! (`Exchange::to_json_line`, behind `serve --record` and `verify --record`), and `serve`'s
//! log lines; and `serve` logs a request's findings with exactly the redaction `validate`
//! gives them in the recording.
//!
//! The property test builds random instances of each shape and plants them in a random
//! place, in process (reading, checking, every report format, the record writer); the
//! end-to-end tests run the binary on one instance of each shape in every place.

use std::io::Write as _;

use ai21_capture::{Content, Input, Item, ReadOptions};
use ai21_check::{CheckOptions, check};
use ai21_report::{Format, Settings, writer};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::support::{KEY, Server, ai21, folder};

/// One instance of a shape: the text planted, and the part of it that must never come out.
#[derive(Debug, Clone)]
struct Secret {
    shape: &'static str,
    planted: String,
    core: String,
}

fn chars(alphabet: &'static str, length: std::ops::Range<usize>) -> BoxedStrategy<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(alphabet), length)
        .prop_map(|chars| chars.into_iter().collect())
        .boxed()
}

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Random instances of every shape. Each core has a digit and an upper-case letter in
/// its first characters so that it cannot be an ordinary word of the surrounding text.
fn secret() -> impl Strategy<Value = Secret> {
    let word = |shape: &'static str, planted: String, core: String| Secret {
        shape,
        planted,
        core,
    };
    prop_oneof![
        chars(ALNUM, 20..40).prop_map(move |token| {
            let token = format!("Q7{token}");
            word("bearer", format!("Bearer {token}"), token)
        }),
        (chars(ALNUM, 3..10), chars(ALNUM, 6..16)).prop_map(move |(user, password)| {
            use base64::Engine;
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            word("basic", format!("Basic {encoded}"), encoded)
        }),
        (chars(ALNUM, 4..20), chars(BASE64URL, 20..60)).prop_map(move |(subject, signature)| {
            let token = format!(
                "{}.{}.{signature}",
                base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
                base64url(format!(r#"{{"sub":"{subject}"}}"#).as_bytes())
            );
            word("jwt", token.clone(), token)
        }),
        (
            prop::sample::select(vec!["RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", ""]),
            chars(ALNUM, 40..120)
        )
            .prop_map(move |(kind, body)| {
                let body = format!("MII9{body}");
                word(
                    "pem",
                    format!(
                        "-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"
                    ),
                    body,
                )
            }),
        (
            prop::sample::select(vec!["AKIA", "ASIA"]),
            chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16..17)
        )
            .prop_map(move |(prefix, rest)| {
                let id = format!("{prefix}{rest}");
                word("aws", id.clone(), id)
            }),
        chars(BASE64URL, 35..36).prop_map(move |rest| {
            let key = format!("AIza{rest}");
            word("google", key.clone(), key)
        }),
        (chars(UPPER, 1..2), chars(ALNUM, 30..31)).prop_map(move |(upper, rest)| {
            let key = format!("{upper}a1{rest}");
            word("ai21", key.clone(), key)
        }),
        chars(ALNUM, 10..20).prop_map(move |password| {
            let password = format!("Pw9{password}");
            word("password", password.clone(), password)
        }),
    ]
}

/// The places a secret is planted in a capture.
const PLACES: [&str; 13] = [
    "header",
    "credential header",
    "url query",
    "credential parameter",
    "url path",
    "member at depth",
    "credential member at depth",
    "inside a string",
    "quoted by a finding",
    "json text body",
    "event stream",
    "har entry",
    "unreadable line",
];

/// Whether a shape stands as itself in a place (a password is a secret only in a
/// credential slot, where it is named as one).
fn applies(secret: &Secret, place: &str) -> bool {
    secret.shape != "password"
        || matches!(
            place,
            "credential header" | "credential parameter" | "credential member at depth"
        )
}

/// A prose text around the secret.
fn prose(secret: &str) -> String {
    format!("Please keep {secret} safe, said the admin.")
}

const CHAT: &str = "https://api.ai21.com/studio/v1/chat/completions";

fn chat_request() -> Value {
    json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]})
}

fn chat_response() -> Value {
    json!({"id": "chat-1", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello"}}], "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}})
}

/// A capture (JSONL, or a HAR for the place `har entry`) with the secret in the place.
fn capture(secret: &Secret, place: &str) -> String {
    let planted = &secret.planted;
    let mut request = chat_request();
    let mut response = json!({"status": 200, "body": chat_response()});
    let mut url = CHAT.to_owned();
    let mut headers = json!({"Content-Type": "application/json"});
    let mut request_body = None;
    match place {
        "header" => headers["X-Note"] = json!(prose(planted)),
        "credential header" => headers["X-Amz-Security-Token"] = json!(planted),
        "url query" => url.push_str(&format!("?note={}", planted.replace(' ', "%20"))),
        "credential parameter" => {
            url.push_str(&format!("?X-Amz-Signature={}", planted.replace(' ', "%20")));
        }
        "url path" => {
            url = format!(
                "https://gateway.example/{}/studio/v1/chat/completions",
                planted.replace(' ', "%20").replace('\n', "%0A")
            );
        }
        "member at depth" => request["metadata"] = json!({"a": [{"b": planted}]}),
        "credential member at depth" => {
            request["config"] = json!({"auth": [{"client_secret": planted}]});
        }
        "inside a string" => {
            request["messages"][0]["content"] = json!(prose(planted));
            response["body"]["choices"][0]["message"]["content"] = json!(prose(planted));
        }
        "quoted by a finding" => request["temperature"] = json!(prose(planted)),
        "json text body" => {
            request["temperature"] = json!(prose(planted));
            request_body = Some(json!(request.to_string()));
        }
        "event stream" => {
            request["stream"] = json!(true);
            let chunk = json!({"id": "chat-1", "choices": [{"index": 0, "delta": {"content": prose(planted)}, "finish_reason": null}]});
            response = json!({"status": 200, "headers": {"content-type": "text/event-stream"},
                "body": format!("data: {chunk}\n\ndata: {{\"note\": {}}}\n\ndata: [DONE]\n\n", json!(planted))});
        }
        "har entry" => {
            let mut body = chat_request();
            body["temperature"] = json!(prose(planted));
            return json!({"log": {"version": "1.2", "entries": [
                {"startedDateTime": "2024-01-01T00:00:00Z",
                 "request": {"method": "POST", "url": format!("{CHAT}?note={}", planted.replace(' ', "%20")),
                     "headers": [{"name": "X-Note", "value": prose(planted)}, {"name": "Authorization", "value": planted}],
                     "postData": {"mimeType": "application/json", "text": body.to_string()}},
                 "response": {"status": 200, "headers": [],
                     "content": {"mimeType": "application/json", "text": json!({"detail": prose(planted)}).to_string()}}}]}})
            .to_string();
        }
        "unreadable line" => {
            return format!(
                "{{\"url\": \"{CHAT}\", \"request\": {{\"body\": {{\"note\": {}",
                json!(prose(planted))
            );
        }
        other => panic!("unknown place {other}"),
    }
    let body = request_body.unwrap_or(request);
    json!({"url": url, "request": {"headers": headers, "body": body}, "response": response})
        .to_string()
}

/// Everything in-process outputs of reading and checking the capture: each report format
/// (verbose) and each record as a recording writes it.
fn outputs(capture: &str) -> Result<String, String> {
    let items: Vec<Item> = ai21_capture::read_from(
        vec![Input::Stdin],
        ReadOptions::default(),
        capture.as_bytes(),
    )
    .collect();
    if items.is_empty() {
        return Err("nothing read".to_owned());
    }
    let mut out = Vec::new();
    for item in &items {
        if let Item::Record(record) = item
            && let Content::Exchange(exchange) = &record.content
        {
            writeln!(out, "{}", exchange.to_json_line()).map_err(|error| error.to_string())?;
        }
    }
    ai21_validate::pin_today(crate::support::TODAY).expect("the one day of these tests");
    let validator = ai21_validate::Validator::shared();
    for format in [Format::Human, Format::Json, Format::Junit, Format::Sarif] {
        let settings = Settings {
            verbose: true,
            ..Settings::default()
        };
        let mut summary = ai21_check::Summary::default();
        let mut report = writer(format, settings, Box::new(&mut out)).map_err(|e| e.to_string())?;
        for item in items.clone() {
            summary.records += 1;
            let outcome = check(item, validator, CheckOptions::default());
            summary.add(&outcome);
            report.outcome(&outcome).map_err(|e| e.to_string())?;
        }
        report.finish(&summary).map_err(|e| e.to_string())?;
    }
    String::from_utf8(out).map_err(|error| error.to_string())
}

/// Where a secret's core shows in an output, with some context; `None` when it does not.
fn leak(output: &str, secret: &Secret) -> Option<String> {
    let at = output.find(&secret.core)?;
    let start = output[..at]
        .char_indices()
        .rev()
        .nth(80)
        .map_or(0, |(index, _)| index);
    let end = (at + secret.core.len() + 80).min(output.len());
    let end = (end..=output.len())
        .find(|index| output.is_char_boundary(*index))
        .unwrap_or(output.len());
    Some(output[start..end].to_owned())
}

/// Whether the output of a place may keep the secret by design: an AI21-key-shaped word
/// inside prompt or completion text is content (the validator checks offsets into it), so
/// the recording keeps it; reports mask every piece of it.
fn kept_by_design(secret: &Secret, place: &str) -> bool {
    secret.shape == "ai21"
        && matches!(
            place,
            "inside a string" | "quoted by a finding" | "json text body" | "har entry"
        )
}

#[test]
fn no_planted_secret_survives_into_a_report_or_a_recording() {
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    let mut runner = TestRunner::new(config);
    let checked = std::cell::Cell::new(0usize);
    runner
        .run(
            &(secret(), prop::sample::select(PLACES.to_vec())),
            |(secret, place)| {
                if !applies(&secret, place) {
                    return Ok(());
                }
                let capture = capture(&secret, place);
                prop_assert!(
                    capture.contains(&secret.core) || place == "har entry" || place == "url path"
                );
                let output = outputs(&capture).map_err(TestCaseError::fail)?;
                let output = if kept_by_design(&secret, place) {
                    // Reports only: the recording lines come first, one per record.
                    output.lines().skip(1).collect::<Vec<_>>().join("\n")
                } else {
                    output
                };
                if let Some(context) = leak(&output, &secret) {
                    return Err(TestCaseError::fail(format!(
                        "{} {place}: the secret came out: …{context}…\ncapture: {capture}",
                        secret.shape
                    )));
                }
                checked.set(checked.get() + 1);
                Ok(())
            },
        )
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(checked.get() > 0);
}

/// Things close to a secret that are not one come out as they went in.
#[test]
fn near_misses_come_out_unchanged() {
    let near = [
        "Basic instructions for everyone",
        "the bearer of bad news",
        "eyJhbGciOiJIUzI1NiJ9 alone",
        "-----BEGIN CERTIFICATE-----",
        "AKIAIOSFODNN7EXAMPL",
        "Asia and ASIA",
        "chat-0123456789abcdef0123456789abcdef",
    ];
    for text in near {
        let mut request = chat_request();
        request["messages"][0]["content"] = json!(text);
        let line = json!({"url": format!("{CHAT}?api-version=2024-05-01&x={}", text.replace(' ', "%20")), "method": "POST",
            "request": {"headers": {"X-Note": text}, "body": request},
            "response": {"status": 200, "body": chat_response()}})
        .to_string();
        let items: Vec<Item> =
            ai21_capture::read_from(vec![Input::Stdin], ReadOptions::default(), line.as_bytes())
                .collect();
        let [Item::Record(record)] = items.as_slice() else {
            panic!("{text}: {items:?}");
        };
        let Content::Exchange(exchange) = &record.content else {
            panic!("{text}: not an exchange");
        };
        let written = exchange.to_json_line();
        assert!(!written.contains("[redacted]"), "{text}: {written}");
        assert_eq!(
            serde_json::from_str::<Value>(&written).expect("JSON"),
            serde_json::from_str::<Value>(&line).expect("JSON"),
        );
    }
}

/// One instance of each shape, for the end-to-end runs.
fn instances() -> Vec<Secret> {
    let fixed = |shape: &'static str, planted: &str, core: &str| Secret {
        shape,
        planted: planted.to_owned(),
        core: core.to_owned(),
    };
    vec![
        fixed("bearer", "Bearer Q7xLp2Rt5Wm8Kc3H", "Q7xLp2Rt5Wm8Kc3H"),
        fixed("basic", "Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        fixed(
            "jwt",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "dozjgNryP4J3jVmNHl0w5N",
        ),
        fixed(
            "pem",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn",
        ),
        fixed("aws", "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        fixed(
            "google",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
        ),
        fixed("ai21", KEY, &KEY[..12]),
    ]
}

#[test]
fn validate_prints_no_planted_secret_in_any_format() {
    let mut files = Vec::new();
    for secret in instances() {
        let mut lines = String::new();
        for place in PLACES {
            let capture = capture(&secret, place);
            if place == "har entry" {
                files.push((format!("{}.har", secret.shape), capture));
            } else {
                lines.push_str(&capture);
                lines.push('\n');
            }
        }
        files.push((format!("{}.jsonl", secret.shape), lines));
    }
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_bytes()))
        .collect();
    let folder = folder(&named);
    let path = folder.path().display().to_string();
    for format in ["human", "json", "junit", "sarif"] {
        let run = ai21(&["validate", "--verbose", "--format", format, &path], b"");
        assert_eq!(run.code, 1, "{}", run.transcript());
        let transcript = run.transcript();
        for secret in instances() {
            assert!(
                leak(&transcript, &secret).is_none(),
                "{} leaked in {format}: {:?}",
                secret.shape,
                leak(&transcript, &secret)
            );
        }
    }
}

/// Posts a body to the server with extra headers, and returns the status.
fn post(server: &Server, path_and_query: &str, headers: &[(&str, String)], body: &Value) -> u16 {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let mut request = ai21_verify::http_client()
            .expect("a client")
            .post(format!("{}{path_and_query}", server.base_url()))
            .timeout(std::time::Duration::from_secs(30))
            .bearer_auth("serve-test-key")
            .json(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request
            .send()
            .await
            .expect("the mock answers")
            .status()
            .as_u16()
    })
}

/// A request of the serve tests: its path and query, extra headers and body.
type Sent = (String, Vec<(&'static str, String)>, Value);

/// The requests of the serve tests for one secret: in headers, the query, a member at
/// depth, a credential member, prompt text, and values findings quote, whole and cut.
fn requests(secret: &Secret) -> Vec<Sent> {
    let planted = &secret.planted;
    let one_line = planted.replace('\n', " ");
    let chat = "/studio/v1/chat/completions";
    let mut quoted = chat_request();
    quoted["temperature"] = json!(prose(planted));
    quoted["password"] = json!(planted);
    quoted["extra"] = json!({"deep": [{"note": planted}]});
    let mut content = chat_request();
    content["messages"][0]["content"] = json!(prose(planted));
    content["maxTokens"] = json!(9);
    let j2 = json!({"prompt": prose(planted), "maxTokens": 4, "apiKey": planted});
    // A finding quotes about 60 characters: the secret is cut short in the message.
    let mut cut = chat_request();
    cut["temperature"] = json!(format!("{} {planted} and more", "x".repeat(40)));
    vec![
        (
            format!("{chat}?note={}", one_line.replace(' ', "%20")),
            vec![
                ("x-note", one_line.clone()),
                ("x-amz-security-token", one_line.clone()),
            ],
            quoted,
        ),
        (chat.to_owned(), vec![], content),
        ("/studio/v1/j2-mid/complete".to_owned(), vec![], j2),
        (chat.to_owned(), vec![], cut),
    ]
}

/// `serve` logs no planted secret and records none, and its log lines say about each
/// request exactly what `validate` says about it in the recording.
#[test]
fn serve_logs_and_records_no_planted_secret_and_logs_what_validate_reports() {
    let scratch = folder(&[]);
    let recording = scratch.path().join("recording.jsonl");
    let recording_arg = recording.display().to_string();
    let server = Server::start(&["--record", &recording_arg]);
    let mut sent = 0;
    for secret in instances() {
        for (path, headers, body) in requests(&secret) {
            let status = post(&server, &path, &headers, &body);
            assert!(matches!(status, 200 | 422), "{status} for {body}");
            sent += 1;
        }
    }
    let log = server.stop();
    let recorded = std::fs::read_to_string(&recording).expect("the recording exists");
    assert_eq!(recorded.lines().count(), sent, "{recorded}");
    for secret in instances() {
        assert!(
            leak(&log, &secret).is_none(),
            "{} leaked in the log: {:?}",
            secret.shape,
            leak(&log, &secret)
        );
        // An AI21 key inside prompt text is content: the recording keeps what the client
        // sent (see docs/capture-format.md); every other shape goes.
        if secret.shape != "ai21" {
            assert!(
                leak(&recorded, &secret).is_none(),
                "{} leaked in the recording: {:?}",
                secret.shape,
                leak(&recorded, &secret)
            );
        }
    }

    // The log's findings, entry by entry, against validate's request findings, record by
    // record (both in the order the requests were sent: one at a time).
    let mut logged: Vec<Vec<String>> = Vec::new();
    for line in log.lines() {
        if line.starts_with("POST ") {
            logged.push(Vec::new());
        } else if let Some(finding) = line.strip_prefix("  ") {
            logged
                .last_mut()
                .expect("a finding follows its request line")
                .push(finding.to_owned());
        }
    }
    let run = ai21(&["validate", "--format", "json", &recording_arg], b"");
    let mut reported: Vec<Vec<String>> = vec![Vec::new(); sent];
    for line in run.stdout.lines() {
        let finding: Value = serde_json::from_str(line).expect("JSON Lines");
        // What the mock checks: the request, and the model the J2 path names.
        if finding["type"] != "finding"
            || !(finding["target"] == "request" || finding["target"] == "endpoint")
        {
            continue;
        }
        let record = finding["line"].as_u64().expect("a line") as usize;
        reported[record - 1].push(format!(
            "{}[{}] at {:?}: {}",
            finding["severity"].as_str().expect("a severity"),
            finding["rule"].as_str().expect("a rule"),
            finding["pointer"].as_str().expect("a pointer"),
            finding["message"].as_str().expect("a message"),
        ));
    }
    reported.retain(|findings| !findings.is_empty());
    assert_eq!(reported.len(), 4 * instances().len(), "{}", run.stdout);
    for (index, (logged, reported)) in logged.iter_mut().zip(&mut reported).enumerate() {
        logged.sort();
        reported.sort();
        assert_eq!(logged, reported, "request {index}");
    }
    assert_eq!(
        logged.len(),
        reported.len(),
        "log:\n{log}\nreport:\n{}",
        run.stdout
    );
}

/// A secret in a J2 completion's text is masked with as many characters as it had, so the
/// token ranges that tile the text still do: the record passes with no finding, and the
/// secret is in no report (no false alarm on traffic that works).
#[test]
fn a_secret_masked_in_j2_text_leaves_its_token_ranges_valid() {
    let sample = std::fs::read_to_string(
        crate::support::workspace_root().join("tests/fixtures/captures/sample.jsonl"),
    )
    .expect("the sample capture");
    let mut record: Value =
        serde_json::from_str(sample.lines().next().expect("a first line")).expect("a record");
    let jwt = format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.{}",
        base64url(br#"{"sub":"someone"}"#),
        base64url(b"signature-bytes-here")
    );
    let text = format!(" here: {jwt} é done");
    let length = text.chars().count();
    record["response"]["body"]["completions"][0]["data"] = json!({
        "text": text,
        "tokens": [
            {"generatedToken": {"token": "▁here:", "logprob": -0.5, "raw_logprob": -0.5},
             "topTokens": null, "textRange": {"start": 0, "end": 6}},
            {"generatedToken": {"token": "▁rest", "logprob": -0.5, "raw_logprob": -0.5},
             "topTokens": null, "textRange": {"start": 6, "end": length}}
        ]
    });
    let line = format!("{record}\n");
    let folder = folder(&[("jwt.jsonl", line.as_bytes())]);
    let path = folder.path().join("jwt.jsonl").display().to_string();
    for format in ["human", "json"] {
        let run = ai21(&["validate", "--verbose", "--format", format, &path], b"");
        let transcript = run.transcript();
        assert_eq!(run.code, 0, "{transcript}");
        assert!(!transcript.contains("text-range"), "{transcript}");
        assert!(!transcript.contains(&jwt[20..]), "{transcript}");
    }
}
