//! Arbitrary input is findings, never a panic, and every rule id the validator reports
//! is catalogued.

use ai21_generate::proptest_config;
use ai21_validate::{Body, Dialect, Endpoint, Exchange, PayloadKind, Report, Route, rule_info};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::support::validator;

/// Keys of the canonical payloads, so arbitrary documents reach the rules' code paths.
const KEYS: &[&str] = &[
    "id",
    "prompt",
    "text",
    "tokens",
    "completions",
    "data",
    "finishReason",
    "reason",
    "length",
    "sequence",
    "textRange",
    "start",
    "end",
    "topTokens",
    "generatedToken",
    "token",
    "logprob",
    "numResults",
    "maxTokens",
    "topKReturn",
    "stopSequences",
    "presencePenalty",
    "applyToPunctuation",
    "model",
    "messages",
    "role",
    "content",
    "tool_calls",
    "function",
    "arguments",
    "n",
    "temperature",
    "stream",
    "max_tokens",
    "choices",
    "index",
    "message",
    "finish_reason",
    "usage",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "delta",
    "detail",
    "other",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..300).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |float| {
            serde_json::Number::from_f64(float).map(Value::Number)
        }),
        prop::sample::select(
            &[
                "",
                "stop",
                "length",
                "user",
                "system",
                "tool",
                "{}",
                "{",
                "j2-mid",
                "héllo 🙂"
            ][..]
        )
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| ((*key).to_owned(), value))
                        .collect::<Map<String, Value>>(),
                )
            }),
        ]
    })
}

fn assert_catalogued(report: &Report) -> Result<(), TestCaseError> {
    for finding in &report.findings {
        prop_assert!(
            finding.rule.starts_with("schema/") && finding.rule != "schema/other"
                || rule_info(finding.rule).is_some_and(|info| info.severity == finding.severity),
            "{} is not catalogued with its severity",
            finding
        );
        prop_assert!(!finding.message.is_empty());
        prop_assert!(finding.message.chars().count() < 400, "{}", finding);
    }
    Ok(())
}

/// Lines of every kind an event stream may (and may not) have.
fn any_stream() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => any_json().prop_map(|value| format!("data: {value}")),
        1 => Just("data: [DONE]".to_owned()),
        1 => Just(String::new()),
        1 => "[a-z:{}\\[\\]\" ]{0,12}",
        1 => Just("data: {\"id\": \"c\", \"choices\": [{\"index\": 0, \"delta\": {\"role\": \"assistant\"}}]}".to_owned()),
    ];
    (
        prop::collection::vec(line, 0..12),
        prop::sample::select(&["\n", "\r\n", "\n\n"][..]),
        any::<bool>(),
    )
        .prop_map(|(lines, ending, last_ending)| {
            let mut text = lines.join(ending);
            if last_ending {
                text.push_str(ending);
            }
            text
        })
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn any_document_of_any_kind_is_findings(value in any_json()) {
        let validator = validator();
        for kind in PayloadKind::ALL {
            assert_catalogued(&validator.validate(kind, &value))?;
        }
    }

    #[test]
    fn any_exchange_is_findings(request in any_json(), response in any_json(), stream in any_stream()) {
        let validator = validator();
        // Every dialect, the path deciding the stream or not.
        let routes = Dialect::ALL.into_iter().flat_map(|dialect| {
            [Endpoint::JambaChat, Endpoint::J2Complete { model: "j2-mid".to_owned(), custom_model: None }]
                .into_iter()
                .map(move |endpoint| Route { dialect, endpoint, model: Some("m".to_owned()), stream: (dialect == Dialect::Bedrock).then_some(true) })
        });
        for route in routes {
            for (status, body) in [
                (None, Body::Json(&response)),
                (Some(500), Body::Json(&response)),
                (Some(200), Body::EventStream(&stream)),
                (Some(302), Body::Text("moved")),
                (Some(200), Body::Absent),
            ] {
                let exchange = Exchange { route: Some(&route), timestamp: None, request: Body::Json(&request), status, response: body };
                let report = validator.validate_exchange(&exchange).map_err(|error| TestCaseError::fail(error.to_string()))?;
                assert_catalogued(&report)?;
            }
        }
    }

    #[test]
    fn any_stream_is_findings(text in any_stream()) {
        let report = validator().validate_stream(&text);
        assert_catalogued(&report.report)?;
        if let Some(reassembled) = &report.reassembled {
            prop_assert!(reassembled.is_object());
        }
    }
}
