//! `ai21-contract serve`: answers on loopback, reports findings of the requests it answers
//! on standard error, records every exchange with `--record` (secrets removed, readable by
//! `validate`), and refuses bad options.

use std::process::Command;

use serde_json::{Value, json};

use crate::support::{KEY, Server, TODAY, ai21, assert_accounted, folder};

const CHAT: &str = "/studio/v1/chat/completions";

/// Posts `body` to `path` on the server, with the key when given, and returns the status
/// and the response text.
fn post(server: &Server, path: &str, key: Option<&str>, body: &Value) -> (u16, String) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let mut request = ai21_verify::http_client()
            .expect("a client")
            .post(format!("{}{path}", server.base_url()))
            .timeout(std::time::Duration::from_secs(30))
            .json(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("the mock answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    })
}

#[test]
fn serve_answers_on_loopback_and_logs_the_findings_it_tolerates() {
    let server = Server::start(&["--seed", "7"]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.banner);
    assert!(
        server.banner.contains("lenient") && server.banner.contains("seed 7"),
        "{}",
        server.banner
    );
    let request = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "maxTokens": 9});
    let (status, _) = post(&server, CHAT, Some("serve-test"), &request);
    assert_eq!(status, 200);
    let log = server.stop();
    let mut lines = log.lines();
    assert_eq!(
        lines.next(),
        Some("POST /studio/v1/chat/completions: answered, 1 finding(s)")
    );
    let detail = lines.next().expect("the finding");
    assert!(
        detail.contains("error[schema/additionalProperties]")
            && detail.contains("did you mean \"max_tokens\""),
        "{detail}"
    );
}

#[test]
fn serve_strict_refuses_unknown_fields_and_answers_a_retired_model() {
    let server = Server::start(&["--strict"]);
    assert!(server.banner.contains("strict"), "{}", server.banner);
    let unknown_field = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "maxTokens": 9});
    let (status, body) = post(&server, CHAT, Some(KEY), &unknown_field);
    assert_eq!(status, 422, "{body}");
    let (status, body) = post(
        &server,
        "/studio/v1/j2-ultra/complete",
        Some(KEY),
        &json!({"prompt": "x"}),
    );
    assert_eq!(status, 200, "{body}");
    let log = server.stop();
    assert!(
        log.contains("POST /studio/v1/j2-ultra/complete: answered, 1 finding(s)")
            && log.contains("warning[drift/retired-model]"),
        "{log}"
    );
}

#[test]
fn serve_records_every_exchange_without_the_key_as_a_capture_validate_reads() {
    let scratch = folder(&[]);
    let recording = scratch.path().join("recording.jsonl");
    let recording_arg = recording.display().to_string();
    let server = Server::start(&["--strict", "--record", &recording_arg]);
    assert!(server.banner.contains("recording to"), "{}", server.banner);
    let chat = json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}]});
    let mut stream = chat.clone();
    stream["stream"] = json!(true);
    let mut unknown_field = chat.clone();
    unknown_field["maxTokens"] = json!(9);
    let sent = [
        (CHAT, Some(KEY), &chat, 200),
        (CHAT, Some(KEY), &stream, 200),
        (CHAT, None, &chat, 401),
        (CHAT, Some(KEY), &unknown_field, 422),
        (
            "/studio/v1/j2-mid/my-model/complete",
            Some(KEY),
            &json!({"prompt": "x", "numResults": 2}),
            200,
        ),
    ];
    for (path, key, body, status) in sent {
        assert_eq!(post(&server, path, key, body).0, status, "{path} {body}");
    }
    // Not an API path: not recorded.
    assert_eq!(post(&server, "/studio/v2/nope", Some(KEY), &chat).0, 404);
    server.stop();

    let text = std::fs::read_to_string(&recording).expect("the recording exists");
    assert!(
        !text.contains(&KEY[..8]),
        "the key reached the recording:\n{text}"
    );
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let mut statuses: Vec<u64> = lines
        .iter()
        .map(|line| line["response"]["status"].as_u64().expect("a status"))
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 401, 422], "{text}");
    let streamed = lines
        .iter()
        .find_map(|line| line["response"]["body"].as_str())
        .expect("the streamed answer, recorded as text");
    assert!(
        streamed.starts_with("data: {") && streamed.ends_with("data: [DONE]\n\n"),
        "{streamed}"
    );

    let run = ai21(&["validate", "--format", "json", &recording_arg], b"");
    let summary = assert_accounted(&run);
    assert_eq!(summary["records"], 5, "{}", run.stdout);
    assert_eq!(summary["unreadable"], 0, "{}", run.stdout);
    assert!(!run.stdout.contains(&KEY[..8]), "{}", run.stdout);
    // The only error is the unknown field that strict refused; the 401 is the envelope.
    let errors: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("JSON Lines"))
        .filter(|line| line["type"] == "finding" && line["severity"] == "error")
        .collect();
    let rules: Vec<(&Value, &Value)> = errors
        .iter()
        .map(|finding| (&finding["status"], &finding["rule"]))
        .collect();
    assert_eq!(
        rules,
        [(&json!(422), &json!("schema/additionalProperties"))],
        "{}",
        run.stdout
    );
}

/// Posts `body` to `path` with these headers, and returns the status and the body bytes.
fn post_with(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, Vec<u8>) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let mut request = ai21_verify::http_client()
            .expect("a client")
            .post(format!("{}{path}", server.base_url()))
            .timeout(std::time::Duration::from_secs(30))
            .json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the mock answers");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("a body").to_vec())
    })
}

#[test]
fn serve_records_partner_exchanges_in_their_dialect_for_validate() {
    let scratch = folder(&[]);
    let recording = scratch.path().join("recording.jsonl");
    let recording_arg = recording.display().to_string();
    let server = Server::start(&["--strict", "--record", &recording_arg]);
    let sigv4 = "AWS4-HMAC-SHA256 Credential=AKIASERVETEST0000000/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00";
    let chat = json!({"messages": [{"role": "user", "content": "Hi"}]});
    let mut streamed = chat.clone();
    streamed["stream"] = json!(true);
    let vertex = "/v1/projects/p/locations/us-central1/publishers/ai21/models/jamba-1.5-mini@001";
    let sent: [(String, (&str, &str), &Value, &str); 7] = [
        (
            "/model/ai21.j2-mid-v1/invoke".to_owned(),
            ("authorization", sigv4),
            &json!({"prompt": "x", "maxTokens": 4}),
            "bedrock",
        ),
        (
            "/model/ai21.jamba-1-5-mini-v1%3A0/invoke".to_owned(),
            ("authorization", sigv4),
            &chat,
            "bedrock",
        ),
        (
            format!("{vertex}:rawPredict"),
            ("authorization", "Bearer ya29.serve-test"),
            &chat,
            "vertex",
        ),
        (
            format!("{vertex}:streamRawPredict"),
            ("authorization", "Bearer ya29.serve-test"),
            &chat,
            "vertex",
        ),
        (
            "/v1/chat/completions".to_owned(),
            ("api-key", "azure-serve-test-key"),
            &chat,
            "azure",
        ),
        (
            "/models/chat/completions?api-version=2024-05-01-preview".to_owned(),
            ("api-key", "azure-serve-test-key"),
            &streamed,
            "azure",
        ),
        (
            "/v1/chat/completions".to_owned(),
            ("x-no-credential", "none"),
            &chat,
            "azure",
        ),
    ];
    for (path, header, body, _) in &sent {
        let (status, answer) = post_with(&server, path, &[*header], body);
        let expected = if header.0 == "x-no-credential" {
            401
        } else {
            200
        };
        assert_eq!(
            status,
            expected,
            "{path}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
    server.stop();

    let text = std::fs::read_to_string(&recording).expect("the recording exists");
    for secret in ["AKIASERVETEST", "ya29.serve-test", "azure-serve-test-key"] {
        assert!(
            !text.contains(secret),
            "{secret} reached the recording:\n{text}"
        );
    }
    let records: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(records.len(), sent.len(), "{text}");
    for (record, (path, _, _, dialect)) in records.iter().zip(&sent) {
        assert_eq!(record["dialect"], *dialect, "{record}");
        assert!(
            record["url"]
                .as_str()
                .is_some_and(|url| url.ends_with(path.as_str())),
            "{record}"
        );
    }
    let run = ai21(&["validate", "--format", "json", &recording_arg], b"");
    let summary = assert_accounted(&run);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(summary["records"], sent.len(), "{}", run.stdout);
    assert_eq!(summary["errors"], 0, "{}", run.stdout);
    assert_eq!(summary["skipped"], 0, "{}", run.stdout);
}

#[test]
fn serve_exits_2_naming_a_recording_it_cannot_create() {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .env(ai21_validate::TODAY_VARIABLE, TODAY)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--record",
            "/nonexistent-folder/recording.jsonl",
        ])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("creating the recording /nonexistent-folder/recording.jsonl"),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_a_fault_rate_outside_zero_to_one() {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .args(["serve", "--addr", "127.0.0.1:0", "--fault-rate", "1.5"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--fault-rate must be between 0 and 1")
    );
}
