//! No secret comes out of `validate`: a realistic key goes into every input format, in
//! every place a key can stand (and into prompt text, quoted by findings), and must not
//! appear in any report format, with or without `--redact-content`.

use serde_json::json;

use crate::support::{KEY, ai21, folder, gzip};

/// A JSONL capture with the key in headers, URLs, credential members, and prompts.
fn capture() -> String {
    let chat = "https://api.ai21.com/studio/v1/chat/completions";
    let lines = [
        json!({
            "url": format!("https://user:{KEY}@api.ai21.com/studio/v1/j2-mid/complete?api_key={KEY}"),
            "request": {"headers": {"Authorization": format!("Bearer {KEY}"), "api-key": KEY, "X-Api-Key": KEY, "Cookie": format!("s={KEY}")},
                        "body": {"prompt": format!("Use {KEY} as the key"), "api_key": KEY}},
            // The echo differs, so the finding quotes both prompts.
            "response": {"status": 200, "headers": {"Set-Cookie": format!("t={KEY}")},
                         "body": {"id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3", "prompt": {"text": format!("Use {KEY}"), "tokens": []},
                                  "completions": [{"data": {"text": KEY, "tokens": []}, "finishReason": {"reason": "endoftext"}}]}},
        }),
        json!({
            "url": format!("{chat}?key={KEY}"),
            "request": {"headers": [{"name": "authorization", "value": format!("bearer {KEY}")}],
                        "body": {"model": "jamba-mini", "messages": [{"role": "user", "content": format!("{KEY} {KEY}")}], "maxTokens": 3, "apiKey": KEY}},
            "response": {"status": 401, "body": {"detail": format!("Forbidden: bad token {KEY}"), KEY: KEY}},
        }),
        json!({
            "url": chat,
            "request": {"body": {"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": true}},
            "response": {"status": 200, "headers": {"content-type": "text/event-stream"},
                         "body": format!("data: {{\"id\": \"{KEY}\", \"choices\": [{{\"index\": 0, \"delta\": {{\"content\": \"{KEY}\"}}, \"{KEY}\": 1}}]}}\n\ndata: not json {KEY}\n\n")},
        }),
        json!({"url": format!("https://example.com/{KEY}?token={KEY}"), "request": {}, "response": {"status": 200}}),
        json!({"url": chat, "request": {}, "response": {"status": KEY}}),
    ];
    let mut text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    text.push_str(&format!(
        "{{\"url\": \"{chat}?api_key={KEY}\", \"request\": \n"
    ));
    text
}

fn har() -> String {
    let header = |name: &str, value: String| json!({"name": name, "value": value});
    json!({"log": {"version": "1.2", "entries": [
        {"request": {"method": "POST", "url": format!("https://api.ai21.com/studio/v1/chat/completions?access_token={KEY}"),
                     "headers": [header("Authorization", format!("Bearer {KEY}")), header("x-api-key", KEY.to_owned())],
                     "postData": {"mimeType": "application/json", "text": format!("{{\"model\": \"jamba-mini\", \"messages\": [], \"password\": \"{KEY}\"}}")}},
         "response": {"status": 200, "headers": [header("set-cookie", format!("a={KEY}"))],
                      "content": {"mimeType": "application/json", "text": format!("{{\"id\": \"{KEY}\", \"choices\": []}}")}}},
        {"request": {"method": "GET", "url": format!("https://example.com/?key={KEY}"), "headers": []}, "response": {"status": 200}},
        {"request": {"method": "POST", "url": "https://api.ai21.com/studio/v1/chat/completions"}, "response": {"status": KEY}},
    ]}})
    .to_string()
}

#[test]
fn the_key_never_appears_in_any_report() {
    let capture = capture();
    let har = har();
    let payload =
        json!({"prompt": format!("{KEY} is my key"), "api_key": KEY, "maxTokens": KEY}).to_string();
    let record = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(capture.lines().next().expect("a line"))
            .expect("JSON"),
    )
    .expect("JSON");
    let folder = folder(&[
        ("capture.jsonl", capture.as_bytes()),
        ("capture.jsonl.gz", &gzip(capture.as_bytes())),
        ("session.har", har.as_bytes()),
        ("session.har.gz", &gzip(har.as_bytes())),
        ("payload.json", payload.as_bytes()),
        ("record.json", record.as_bytes()),
        (&format!("{KEY}.jsonl"), capture.as_bytes()),
    ]);
    let path = folder.path().display().to_string();
    let mut runs = 0;
    for format in ["human", "json", "junit", "sarif"] {
        for redact_content in [false, true] {
            let mut arguments = vec!["validate", "--verbose", "--format", format];
            if redact_content {
                arguments.push("--redact-content");
            }
            for (inputs, stdin) in [
                (vec![path.as_str()], &b""[..]),
                (vec!["-"], capture.as_bytes()),
                (vec!["-"], har.as_bytes()),
                (vec!["--input-format", "payload", "-"], payload.as_bytes()),
            ] {
                let mut all = arguments.clone();
                all.extend(inputs);
                let run = ai21(&all, stdin);
                runs += 1;
                assert_eq!(run.code, 1, "{}", run.transcript());
                let transcript = run.transcript();
                assert!(
                    !transcript.contains(&KEY[..8]),
                    "the key leaked with {all:?}:\n{transcript}"
                );
            }
        }
    }
    assert_eq!(runs, 32);
}

#[test]
fn redact_content_masks_prompt_and_completion_text_in_messages() {
    let line = json!({
        "url": "https://api.ai21.com/studio/v1/j2-mid/complete",
        "request": {"body": {"prompt": "The launch code is tango-seven"}},
        "response": {"status": 200, "body": {
            "id": "75a54d20-dda1-6db7-ff99-59b1af4fdfd3",
            "prompt": {"text": "The launch", "tokens": [{"generatedToken": {"token": "The", "logprob": -1.0}, "topTokens": null, "textRange": {"start": 0, "end": 10}}]},
            "completions": [{"data": {"text": " ok", "tokens": [{"generatedToken": {"token": "ok", "logprob": -1.0}, "topTokens": null, "textRange": {"start": 0, "end": 3}}]}, "finishReason": {"reason": "endoftext"}}],
        }},
    })
    .to_string();
    let plain = ai21(&["validate", "-"], line.as_bytes());
    assert!(plain.stdout.contains("tango"), "{}", plain.transcript());
    for format in ["human", "json", "junit", "sarif"] {
        let run = ai21(
            &["validate", "--redact-content", "--format", format, "-"],
            line.as_bytes(),
        );
        assert_eq!(run.code, 1);
        assert!(!run.stdout.contains("tango"), "{}", run.stdout);
        assert!(!run.stdout.contains("launch"), "{}", run.stdout);
        assert!(run.stdout.contains("pair/prompt-echo"), "{}", run.stdout);
    }
}
