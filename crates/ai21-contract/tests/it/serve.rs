//! `ai21-contract serve`: answers on loopback, reports findings of lenient answers on
//! standard error, and refuses bad options.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

#[test]
fn serve_answers_on_loopback_and_logs_the_findings_it_tolerates() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .args(["serve", "--addr", "127.0.0.1:0", "--seed", "7"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let banner = lines.next().expect("a banner").expect("text");
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{banner}");
    assert!(
        banner.contains("lenient") && banner.contains("seed 7"),
        "{banner}"
    );

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let response = runtime
        .block_on(
            reqwest::Client::new()
                .post(format!("http://{addr}/studio/v1/chat/completions"))
                .bearer_auth("serve-test")
                .json(&json!({"model": "jamba-mini", "messages": [{"role": "user", "content": "Hi"}], "maxTokens": 9}))
                .send(),
        )
        .expect("the mock answers");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().contains_key("x-ai21-contract-findings"));
    let log = lines.next().expect("a log line").expect("text");
    let detail = lines.next().expect("the finding").expect("text");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        log,
        "POST /studio/v1/chat/completions: answered, 1 finding(s)"
    );
    assert!(
        detail.contains("error[schema/additionalProperties]")
            && detail.contains("did you mean \"max_tokens\""),
        "{detail}"
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
