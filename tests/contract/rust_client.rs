//! The Rust side of the client conformance suite: `ai21-models`' example of the tool-call
//! loop and a streamed follow-up (`crates/ai21-models/examples/chat_tool_loop.rs`), run
//! as it is against the mock in strict mode, which refuses any request with a contract
//! error. A response's answer goes back into the next request without copying fields.

use ai21_validate::{Endpoint, Validator};

#[allow(
    dead_code,
    reason = "the example's main is not called here; the test runs its `run`"
)]
#[path = "../../crates/ai21-models/examples/chat_tool_loop.rs"]
mod chat_tool_loop;

#[test]
fn the_ai21_models_tool_loop_example_works_against_the_strict_mock() {
    // Today pinned for the model checks (the mock's and this test's), so that the test does
    // not depend on the clock: before the sunset of AI21's Jamba API (2026-08-09).
    ai21_validate::pin_today("2026-01-01").expect("the one day of this binary's tests");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let config = ai21_mock::Config {
        strict: true,
        ..ai21_mock::Config::default()
    };
    let transcript = runtime.block_on(async {
        let mock =
            ai21_mock::RunningMock::start("127.0.0.1:0".parse().expect("an address"), config)
                .await
                .expect("the mock binds loopback");
        let transcript = chat_tool_loop::run(&mock.base_url(), "rust-example-key").await;
        mock.stop().await.expect("the mock stops");
        transcript
    });
    let transcript = transcript.unwrap_or_else(|error| panic!("the example failed: {error}"));

    assert_eq!(transcript.tool_calls.len(), 1, "{transcript:?}");
    assert_eq!(transcript.tool_calls[0].0, "get_weather");
    assert!(!transcript.answer.is_empty(), "{transcript:?}");
    assert!(!transcript.streamed.is_empty(), "{transcript:?}");
    assert_eq!(transcript.requests.len(), 3);

    // The second request replays the answer exactly as it came: no content, the tool call
    // with its id, then the tool's result answering that id.
    let replay = serde_json::to_value(&transcript.requests[1]).expect("serializes");
    let messages = replay["messages"].as_array().expect("messages");
    let answer = &messages[2];
    assert_eq!(answer["role"], "assistant", "{replay:#}");
    assert!(answer["content"].is_null(), "{replay:#}");
    let call_id = &answer["tool_calls"][0]["id"];
    assert_eq!(&messages[3]["tool_call_id"], call_id, "{replay:#}");

    // Every request is clean against the contract, not only accepted by the mock.
    for request in &transcript.requests {
        let body = serde_json::to_value(request).expect("serializes");
        let report = Validator::shared().validate_request(&Endpoint::JambaChat, &body);
        assert!(report.is_clean(), "{body:#}\n{report}");
    }
}
