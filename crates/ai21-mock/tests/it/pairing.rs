//! The property the mock exists for: for any valid request, its answer passes every
//! pairing rule (and the answer's own schema and rules).

use ai21_generate::instance;
use ai21_mock::synth;
use ai21_models::{J2CompleteRequest, JambaChatRequest};
use ai21_validate::{Body, Endpoint, Exchange, PayloadKind, Route};
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::Value;

use crate::support::validator;

/// A mock's answer: a JSON body, or the text of an event stream.
enum Answer {
    Json(Value),
    Stream(String),
}

impl Answer {
    fn body(&self) -> Body<'_> {
        match self {
            Answer::Json(value) => Body::Json(value),
            Answer::Stream(text) => Body::EventStream(text),
        }
    }
}

/// Validates a request, its endpoint and the mock's answer (a success) as one exchange.
fn validate(request: &Value, endpoint: &Endpoint, answer: &Answer) -> ai21_validate::Report {
    validator()
        .validate_exchange(&Exchange {
            route: Some(&Route::studio(endpoint.clone())),
            timestamp: None,
            request: Body::Json(request),
            status: Some(200),
            response: answer.body(),
        })
        .expect("the endpoint is given")
}

/// Runs `answer` on generated requests of `kind`; it returns the request it answered (a
/// generated one, possibly bounded in size), the endpoint and the answer.
fn check(kind: PayloadKind, answer: impl Fn(&Value) -> Result<(Value, Endpoint, Answer), String>) {
    let strategy = instance::strategy(kind).expect("a strategy");
    let mut config = ai21_generate::proptest_config();
    config.failure_persistence = None;
    TestRunner::new(config)
        .run(&strategy, |request| {
            let (request, endpoint, response) = answer(&request).map_err(TestCaseError::fail)?;
            let report = validate(&request, &endpoint, &response);
            if report.has_errors() {
                return Err(TestCaseError::fail(format!(
                    "{report}\nrequest: {request:#}"
                )));
            }
            Ok(())
        })
        .unwrap_or_else(|error| panic!("{error}"));
}

/// Bounds the size of a generated J2 request's answer: the rules do not depend on size,
/// and an 8191-token answer with 10 alternatives per token takes seconds to validate in a
/// debug build. The boundary sizes have their own test below.
fn bounded(request: &Value) -> Value {
    let mut request = request.clone();
    for (key, limit) in [("maxTokens", 48), ("numResults", 3)] {
        // `as_f64`: the generator writes integers as floats too (`8191.0`).
        if let Some(value) = request.get_mut(key)
            && value.as_f64().is_some_and(|number| number > limit as f64)
        {
            *value = Value::from(limit);
        }
    }
    request
}

#[test]
fn answers_at_the_largest_documented_sizes_pass_every_pairing_rule() {
    let request = serde_json::json!({"prompt": "x", "maxTokens": 8191, "numResults": 2, "topKReturn": 10, "stopSequences": ["##"]});
    for seed in 0..3 {
        let typed: J2CompleteRequest = serde_json::from_value(request.clone()).expect("valid");
        let body = serde_json::to_value(synth::j2_complete(&typed, seed)).expect("serializes");
        let endpoint = Endpoint::J2Complete {
            model: "j2-ultra".to_owned(),
            custom_model: None,
        };
        let report = validate(&request, &endpoint, &Answer::Json(body));
        assert!(!report.has_errors(), "{report}");
    }
}

#[test]
fn answers_to_generated_j2_requests_pass_every_pairing_rule() {
    check(PayloadKind::J2CompleteRequest, |request| {
        let request = bounded(request);
        let typed: J2CompleteRequest =
            serde_json::from_value(request.clone()).map_err(|error| error.to_string())?;
        let body = serde_json::to_value(synth::j2_complete(&typed, 1))
            .map_err(|error| error.to_string())?;
        let endpoint = Endpoint::J2Complete {
            model: "j2-mid".to_owned(),
            custom_model: None,
        };
        Ok((request, endpoint, Answer::Json(body)))
    });
}

#[test]
fn answers_to_generated_jamba_requests_pass_every_pairing_rule() {
    check(PayloadKind::JambaChatRequest, |request| {
        let typed: JambaChatRequest =
            serde_json::from_value(request.clone()).map_err(|error| error.to_string())?;
        let response = if typed.stream == Some(Some(true)) {
            let events: String = synth::jamba_chat_stream(&typed, 1)
                .iter()
                .map(|chunk| {
                    format!(
                        "data: {}\n\n",
                        serde_json::to_string(chunk).unwrap_or_default()
                    )
                })
                .chain(std::iter::once("data: [DONE]\n\n".to_owned()))
                .collect();
            Answer::Stream(events)
        } else {
            let body = serde_json::to_value(synth::jamba_chat(&typed, 1))
                .map_err(|error| error.to_string())?;
            Answer::Json(body)
        };
        Ok((request.clone(), Endpoint::JambaChat, response))
    });
}
