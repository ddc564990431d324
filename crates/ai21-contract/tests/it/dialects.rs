//! Exchanges through the partner clouds: the sample capture of each dialect is checked (not
//! skipped) and passes, a broken request field in it is a located finding, paths of the
//! platforms outside AI21's contract are skipped with the reason, and `--dialect` decides
//! for bare paths.

use serde_json::Value;

use crate::support::ai21;

/// The sample capture of each dialect, with the records it holds, how many of them are
/// skipped (paths outside AI21's contract), and the dialect of the rest.
const SAMPLES: [(&str, u64, u64, &str); 3] = [
    ("tests/fixtures/captures/bedrock.jsonl", 6, 2, "bedrock"),
    ("tests/fixtures/captures/vertex.jsonl", 3, 1, "vertex"),
    ("tests/fixtures/captures/azure.jsonl", 3, 0, "azure"),
];

/// The JSON report of `validate` on `stdin` (or on the arguments), one value per line.
fn json_report(arguments: &[&str], stdin: &str) -> (i32, Vec<Value>) {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(arguments);
    let run = ai21(&all, stdin.as_bytes());
    let lines = run
        .stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("{error}: {line}\n{}", run.transcript()))
        })
        .collect();
    (run.code, lines)
}

fn summary(report: &[Value]) -> &Value {
    report
        .iter()
        .find(|line| line["type"] == "summary")
        .expect("a summary line")
}

fn errors(report: &[Value]) -> Vec<&Value> {
    report
        .iter()
        .filter(|line| line["type"] == "finding" && line["severity"] == "error")
        .collect()
}

/// The sample's lines, as text.
fn sample_lines(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_dialects_sample_capture_is_checked_and_passes() {
    for (file, records, skipped, dialect) in SAMPLES {
        let (code, report) = json_report(&[file], "");
        let summary = summary(&report);
        assert_eq!(code, 0, "{file}: {report:#?}");
        assert_eq!(summary["records"], records, "{file}: {summary}");
        assert_eq!(summary["skipped"], skipped, "{file}: {summary}");
        assert_eq!(summary["errors"], 0, "{file}: {summary}");
        for line in &report {
            if line["type"] == "finding" {
                assert_eq!(line["dialect"], dialect, "{file}: {line}");
            }
            if line["type"] == "skipped" {
                let reason = line["reason"].as_str().expect("a reason");
                assert!(
                    reason.starts_with("outside AI21's contract on "),
                    "{file}: {reason}"
                );
            }
        }
    }
}

#[test]
fn a_broken_request_field_is_a_located_finding_in_every_dialect() {
    // One field of one request broken in each sample, by text: what the finding must say.
    let cases = [
        (
            "tests/fixtures/captures/bedrock.jsonl",
            0,
            "\"maxTokens\": 4",
            "\"maxTokens\": -4",
            "/maxTokens",
        ),
        (
            "tests/fixtures/captures/bedrock.jsonl",
            1,
            "\"temperature\": 0.4",
            "\"temperature\": 4.5",
            "/temperature",
        ),
        (
            "tests/fixtures/captures/bedrock.jsonl",
            2,
            "\"max_tokens\": 16",
            "\"max_tokens\": 5000",
            "/max_tokens",
        ),
        (
            "tests/fixtures/captures/vertex.jsonl",
            0,
            "\"role\": \"user\"",
            "\"role\": \"customer\"",
            "/messages/0/role",
        ),
        (
            "tests/fixtures/captures/vertex.jsonl",
            1,
            "\"max_tokens\": 32",
            "\"max_tokens\": 40000",
            "/max_tokens",
        ),
        (
            "tests/fixtures/captures/azure.jsonl",
            0,
            "\"n\": 1",
            "\"n\": 17",
            "/n",
        ),
    ];
    for (file, index, from, to, pointer) in cases {
        let line = &sample_lines(file)[index];
        assert!(line.contains(from), "{file}:{}: no {from}", index + 1);
        let broken = line.replacen(from, to, 1);
        let (code, report) = json_report(&["-"], &broken);
        assert_eq!(code, 1, "{file}:{} with {to}: {report:#?}", index + 1);
        let found = errors(&report);
        assert!(
            found
                .iter()
                .any(|finding| finding["target"] == "request" && finding["pointer"] == pointer),
            "{file}:{} with {to}: no request error at {pointer}: {found:#?}",
            index + 1
        );
    }
}

#[test]
fn a_finding_about_what_a_dialect_changed_names_the_dialect() {
    let line = &sample_lines("tests/fixtures/captures/bedrock.jsonl")[0];
    let studio_id = line.replacen(
        "\"id\": 1234",
        "\"id\": \"c3e5117c-8d76-5f9e-79cd-91051f840d8a\"",
        1,
    );
    let (code, report) = json_report(&["-"], &studio_id);
    assert_eq!(code, 1);
    let found = errors(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["pointer"], "/id");
    let message = found[0]["message"].as_str().expect("a message");
    assert!(
        message.contains("Bedrock J2 responses carry id 1234"),
        "{message}"
    );
    // The same answer from AI21 Studio is right: Studio ids are strings.
    let studio = studio_id.replacen(
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/ai21.j2-mid-v1/invoke",
        "https://api.ai21.com/studio/v1/j2-mid/complete",
        1,
    );
    let (_, report) = json_report(&["-"], &studio);
    assert!(errors(&report).is_empty(), "{report:#?}");
}

#[test]
fn the_body_without_a_model_is_right_where_the_url_names_it() {
    let line = &sample_lines("tests/fixtures/captures/bedrock.jsonl")[1];
    let record: Value = serde_json::from_str(line).expect("a JSON line");
    assert!(record["request"]["body"].get("model").is_none(), "{line}");
    let (code, report) = json_report(&["-"], line);
    assert_eq!(code, 0, "{report:#?}");
    // Sent to AI21 Studio, the same body misses its model.
    let studio = line.replacen(
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/ai21.jamba-1-5-mini-v1%3A0/invoke",
        "https://api.ai21.com/studio/v1/chat/completions",
        1,
    );
    let (code, report) = json_report(&["-"], &studio);
    assert_eq!(code, 1, "{report:#?}");
    assert!(
        errors(&report)
            .iter()
            .any(|finding| finding["rule"] == "schema/required" && finding["target"] == "request"),
        "{report:#?}"
    );
}

#[test]
fn the_dialect_flag_decides_for_bare_paths_and_a_records_dialect_for_itself() {
    let line = &sample_lines("tests/fixtures/captures/azure.jsonl")[0];
    let bare = line.replacen(
        "https://AI21-Jamba-1-5-Mini-abcd.eastus2.models.ai.azure.com",
        "",
        1,
    );
    // A bare OpenAI-style path is nobody's in particular: skipped, with a hint.
    let (code, report) = json_report(&["-"], &bare);
    assert_eq!(code, 0);
    assert_eq!(summary(&report)["skipped"], 1, "{report:#?}");
    let skipped = report
        .iter()
        .find(|line| line["type"] == "skipped")
        .expect("a skipped line");
    assert!(
        skipped["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("--dialect azure")),
        "{skipped}"
    );
    // Told it is Azure's, it is checked as Azure's (its `created` and `object` declared).
    let (code, report) = json_report(&["--dialect", "azure", "-"], &bare);
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!(summary(&report)["skipped"], 0, "{report:#?}");
    assert_eq!(summary(&report)["warnings"], 0, "{report:#?}");
    // Read as AI21 Studio's, the body misses its model and the answer carries fields
    // Studio does not send.
    let (code, report) = json_report(&["--dialect", "studio", "-"], &bare);
    assert_eq!(code, 0, "a bare /v1 path is not Studio's: {report:#?}");
    assert_eq!(summary(&report)["skipped"], 1, "{report:#?}");
    // A record's own `dialect` member decides for itself.
    let tagged = bare.replacen("{", "{\"dialect\": \"azure\", ", 1);
    let (code, report) = json_report(&["-"], &tagged);
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!(summary(&report)["skipped"], 0, "{report:#?}");
    let unknown = bare.replacen("{", "{\"dialect\": \"openai\", ", 1);
    let (code, report) = json_report(&["-"], &unknown);
    assert_eq!(code, 1, "{report:#?}");
    assert_eq!(summary(&report)["unreadable"], 1, "{report:#?}");
}

#[test]
fn a_bad_dialect_name_stops_the_command() {
    let run = ai21(&["validate", "--dialect", "openai", "-"], b"");
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("bedrock"), "{}", run.transcript());
}

#[test]
fn a_bedrock_event_stream_is_decoded_from_base64_or_raw_bytes_and_its_framing_checked() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let line = &sample_lines("tests/fixtures/captures/bedrock.jsonl")[2];
    let record: Value = serde_json::from_str(line).expect("a JSON line");
    let encoded = record["response"]["body"].as_str().expect("a base64 body");
    let bytes = engine.decode(encoded).expect("base64");
    let with_body = |body: &str, content_type: Option<&str>| {
        let mut record = record.clone();
        record["response"]["body"] = Value::String(body.to_owned());
        match content_type {
            Some(content_type) => {
                record["response"]["headers"]["content-type"] = content_type.into();
            }
            None => {
                record["response"]["headers"]
                    .as_object_mut()
                    .expect("headers")
                    .remove("content-type");
            }
        }
        record.to_string()
    };
    // As captured (base64), as raw bytes written one character each, and without the
    // content type (told by the prelude's checksum): the same clean stream.
    let raw: String = bytes.iter().copied().map(char::from).collect();
    for (name, line) in [
        (
            "base64",
            with_body(encoded, Some("application/vnd.amazon.eventstream")),
        ),
        (
            "raw",
            with_body(&raw, Some("application/vnd.amazon.eventstream")),
        ),
        ("base64, no content type", with_body(encoded, None)),
    ] {
        let (code, report) = json_report(&["-"], &line);
        assert_eq!(code, 0, "{name}: {report:#?}");
        assert!(errors(&report).is_empty(), "{name}: {report:#?}");
    }
    // One flipped bit in the second message: a framing error located by message and byte.
    let mut broken = bytes.clone();
    let second = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    broken[second + 20] ^= 0x10;
    let (code, report) = json_report(
        &["-"],
        &with_body(
            &engine.encode(&broken),
            Some("application/vnd.amazon.eventstream"),
        ),
    );
    assert_eq!(code, 1, "{report:#?}");
    assert!(
        errors(&report)
            .iter()
            .any(|finding| finding["rule"] == "stream/eventstream-frame"
                && finding["target"] == "stream-message"
                && finding["byte_offset"] == second),
        "{report:#?}"
    );
    // Cut after the first message: the stream never finishes.
    let (code, report) = json_report(
        &["-"],
        &with_body(
            &engine.encode(&bytes[..second]),
            Some("application/vnd.amazon.eventstream"),
        ),
    );
    assert_eq!(code, 1, "{report:#?}");
    assert!(
        errors(&report)
            .iter()
            .any(|finding| finding["rule"] == "stream/eventstream-unfinished"),
        "{report:#?}"
    );
    // The stream path answered with one JSON body: the path asked for a stream.
    let mut single =
        serde_json::from_str::<Value>(&sample_lines("tests/fixtures/captures/bedrock.jsonl")[1])
            .expect("a JSON line");
    single["url"] = record["url"].clone();
    let (code, report) = json_report(&["-"], &single.to_string());
    assert_eq!(code, 1, "{report:#?}");
    assert!(
        errors(&report)
            .iter()
            .any(|finding| finding["rule"] == "pair/stream"
                && finding["target"] == "endpoint"
                && finding["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("Bedrock path asks"))),
        "{report:#?}"
    );
}

#[test]
fn a_recorded_bedrock_stream_is_written_back_as_base64_and_reads_the_same() {
    let line = &sample_lines("tests/fixtures/captures/bedrock.jsonl")[2];
    let items: Vec<_> = ai21_capture::read_from(
        [ai21_capture::Input::Stdin],
        ai21_capture::ReadOptions::default(),
        line.as_bytes(),
    )
    .collect();
    let [ai21_capture::Item::Record(record)] = items.as_slice() else {
        panic!("{items:?}");
    };
    let ai21_capture::Content::Exchange(exchange) = &record.content else {
        panic!("{record:?}");
    };
    assert!(matches!(
        exchange.response.body,
        ai21_capture::Body::AwsEventStream(_)
    ));
    assert_eq!(exchange.dialect(), ai21_capture::Dialect::Bedrock);
    let written = exchange.to_json_line();
    let again: Vec<_> = ai21_capture::read_from(
        [ai21_capture::Input::Stdin],
        ai21_capture::ReadOptions::default(),
        written.as_bytes(),
    )
    .collect();
    let [ai21_capture::Item::Record(again)] = again.as_slice() else {
        panic!("{again:?}");
    };
    let ai21_capture::Content::Exchange(again) = &again.content else {
        panic!("{again:?}");
    };
    assert_eq!(again.response.body, exchange.response.body);
    assert_eq!(again.route(), exchange.route());
}
