//! Exchanges: the documented request/response pairs, and each pairing rule passing and
//! failing.

use ai21_schemas::Expectation;
use ai21_validate::{Body, Endpoint, Error, Exchange, Report, Route, Target};
use serde_json::{Value, json};

use crate::support::{
    example, j2_response, jamba_request, jamba_response, snapshot, token, validator, with,
};

/// What came back, owned, for the tables of these tests.
enum ResponseBody {
    Json { status: Option<u16>, body: Value },
    EventStream(String),
}

impl ResponseBody {
    fn borrowed(&self) -> (Option<u16>, Body<'_>) {
        match self {
            ResponseBody::Json { status, body } => (*status, Body::Json(body)),
            ResponseBody::EventStream(text) => (None, Body::EventStream(text)),
        }
    }
}

fn json_response(body: Value) -> ResponseBody {
    ResponseBody::Json { status: None, body }
}

fn exchange(endpoint: &str, request: Value, response: ResponseBody) -> Report {
    let route = Route::studio(Endpoint::from_path(endpoint).expect("a known endpoint"));
    let (status, response) = response.borrowed();
    let exchange = Exchange {
        route: Some(&route),
        timestamp: None,
        request: Body::Json(&request),
        status,
        response,
    };
    validator()
        .validate_exchange(&exchange)
        .expect("the API is known")
}

/// The (rule, target, pointer) of every error of a report.
fn errors(report: &Report) -> Vec<(&'static str, Target, String)> {
    report
        .errors()
        .map(|finding| (finding.rule, finding.target, finding.pointer.clone()))
        .collect()
}

/// The documented pairs: (request file, report).
fn documented_pairs() -> Vec<(&'static str, Report)> {
    ai21_schemas::examples()
        .filter_map(|request| {
            let Expectation::Valid(facts) = request.expectation() else {
                return None;
            };
            let response = facts.pairs_with()?;
            let endpoint = facts
                .endpoint()
                .expect("a request example names its endpoint");
            Some((
                request.file(),
                exchange(
                    endpoint,
                    request.payload(),
                    json_response(example(response)),
                ),
            ))
        })
        .collect()
}

#[test]
fn documented_pairs_show_exactly_the_known_documentation_errors() {
    let pairs = documented_pairs();
    assert_eq!(pairs.len(), 4);
    for (file, report) in pairs {
        let expected: Vec<(&str, Target, String)> = match file {
            // ERRATA E08: response #2 answers the "8 words" prompt, the request asks for 13.
            "j2-complete.request.001-2.json" => {
                vec![(
                    "pair/prompt-echo",
                    Target::Response,
                    "/prompt/text".to_owned(),
                )]
            }
            // ERRATA E07: a `length` finish after 20 tokens when max_tokens is 200.
            "jamba-chat.request.002-1.json" => vec![(
                "pair/length",
                Target::Response,
                "/usage/completion_tokens".to_owned(),
            )],
            "j2-complete.request.001-1.json" | "j2-complete.request.003-1.json" => vec![],
            other => panic!("unexpected pair {other}"),
        };
        assert_eq!(errors(&report), expected, "{file}:\n{report}");
        // The only warnings: J2 models are retired.
        for warning in report.warnings() {
            assert_eq!(warning.rule, "drift/retired-model", "{file}:\n{report}");
            assert_eq!(warning.target, Target::Endpoint);
        }
    }
}

#[test]
fn documented_pair_reports_read_well() {
    for (file, report) in documented_pairs() {
        let name = format!(
            "pair-{}",
            file.trim_end_matches(".json").replace("request.", "")
        );
        snapshot(
            &name,
            &format!("{file} with the response the documentation shows for it"),
            &report.to_string(),
        );
    }
}

#[test]
fn endpoints_parse_from_url_paths() {
    let j2 = |model: &str, custom: Option<&str>| Endpoint::J2Complete {
        model: model.to_owned(),
        custom_model: custom.map(str::to_owned),
    };
    let cases = [
        ("/studio/v1/j2-mid/complete", j2("j2-mid", None)),
        (
            "/studio/v1/j2-grande/my-model/complete",
            j2("j2-grande", Some("my-model")),
        ),
        ("/studio/v1/j2-ultra/complete?x=1", j2("j2-ultra", None)),
        ("/studio/v1/chat/completions", Endpoint::JambaChat),
    ];
    for (path, expected) in cases {
        assert_eq!(Endpoint::from_path(path).expect(path), expected);
    }
    for path in [
        "",
        "/",
        "/studio/v1/complete",
        "/studio/v2/j2-mid/complete",
        "/v1/chat/completions",
        "/studio/v1//complete",
    ] {
        let error = Endpoint::from_path(path).expect_err(path);
        assert_eq!(error.path, path);
        assert!(
            Error::from(error)
                .to_string()
                .starts_with("unknown endpoint path")
        );
    }
}

/// A J2 request matching `j2_response()`.
fn j2_request() -> Value {
    json!({"prompt": "héllo 🙂", "maxTokens": 3})
}

const J2: &str = "/studio/v1/j2-light/complete";
const JAMBA: &str = "/studio/v1/chat/completions";

/// The errors of a J2 exchange, as (rule, pointer).
fn j2_errors(request: Value, response: Value) -> Vec<(&'static str, String)> {
    exchange(J2, request, json_response(response))
        .errors()
        .map(|finding| (finding.rule, finding.pointer.clone()))
        .collect()
}

fn jamba_errors(request: Value, response: ResponseBody) -> Vec<(&'static str, Target, String)> {
    errors(&exchange(JAMBA, request, response))
}

#[test]
fn pair_completion_count_uses_num_results_or_its_default() {
    assert_eq!(j2_errors(j2_request(), j2_response()), []);
    let mut two = j2_request();
    two["numResults"] = json!(2);
    assert_eq!(
        j2_errors(two, j2_response()),
        [("pair/completion-count", "/completions".to_owned())]
    );
}

#[test]
fn pair_top_tokens_follow_top_k_return() {
    let mut request = j2_request();
    // topKReturn absent: 0, every topTokens null.
    assert_eq!(j2_errors(request.clone(), j2_response()), []);
    let alternatives =
        json!([{"token": "▁hi", "logprob": -2.0}, {"token": "▁yo", "logprob": -3.0}]);
    let with_top = with(
        &j2_response(),
        "/prompt/tokens/1/topTokens",
        alternatives.clone(),
    );
    assert_eq!(
        j2_errors(request.clone(), with_top.clone()),
        [("pair/top-tokens", "/prompt/tokens/1/topTokens".to_owned())]
    );
    request["topKReturn"] = json!(2);
    // With K = 2, null is wrong everywhere: one finding per token list.
    let errors = j2_errors(request.clone(), with_top.clone());
    assert_eq!(
        errors,
        [
            ("pair/top-tokens", "/prompt/tokens/0/topTokens".to_owned()),
            (
                "pair/top-tokens",
                "/completions/0/data/tokens/0/topTokens".to_owned()
            ),
        ]
    );
    request["topKReturn"] = json!(1);
    let mut response = j2_response();
    for list in ["/prompt/tokens", "/completions/0/data/tokens"] {
        let tokens = response
            .pointer_mut(list)
            .and_then(Value::as_array_mut)
            .expect("tokens");
        for token in tokens {
            token["topTokens"] = json!([{"token": "▁x", "logprob": -1.0}]);
        }
    }
    assert_eq!(j2_errors(request.clone(), response.clone()), []);
    let response = with(&response, "/prompt/tokens/1/topTokens", alternatives);
    assert_eq!(
        j2_errors(request, response),
        [("pair/top-tokens", "/prompt/tokens/1/topTokens".to_owned())]
    );
}

#[test]
fn pair_stop_sequence_is_one_the_request_sent() {
    let stopped = with(
        &j2_response(),
        "/completions/0/finishReason",
        json!({"reason": "stop", "sequence": "\n"}),
    );
    let mut request = j2_request();
    request["stopSequences"] = json!(["\n", "##"]);
    assert_eq!(j2_errors(request.clone(), stopped.clone()), []);
    request["stopSequences"] = json!(["##"]);
    let expected = [(
        "pair/stop-sequence",
        "/completions/0/finishReason/sequence".to_owned(),
    )];
    assert_eq!(j2_errors(request, stopped.clone()), expected);
    assert_eq!(j2_errors(j2_request(), stopped), expected);
}

#[test]
fn pair_length_matches_max_tokens() {
    let by_length = with(
        &j2_response(),
        "/completions/0/finishReason",
        json!({"reason": "length", "length": 3}),
    );
    assert_eq!(j2_errors(j2_request(), by_length.clone()), []);
    let mut request = j2_request();
    request["maxTokens"] = json!(5);
    assert_eq!(
        j2_errors(request, by_length.clone()),
        [(
            "pair/length",
            "/completions/0/finishReason/length".to_owned()
        )]
    );
    // Without maxTokens the default is 16.
    let mut request = j2_request();
    request
        .as_object_mut()
        .expect("an object")
        .remove("maxTokens");
    assert_eq!(
        j2_errors(request, by_length),
        [(
            "pair/length",
            "/completions/0/finishReason/length".to_owned()
        )]
    );
    // Four tokens are more than maxTokens 3, whatever the finish reason.
    let mut response = j2_response();
    response["completions"][0]["data"]["tokens"] = json!([
        token("▁", 0, 0),
        token("o", 0, 2),
        token("k", 2, 3),
        token("<|endoftext|>", 3, 3)
    ]);
    assert_eq!(
        j2_errors(j2_request(), response),
        [("pair/length", "/completions/0/data/tokens".to_owned())]
    );
}

#[test]
fn pair_prompt_echo() {
    let mut request = j2_request();
    request["prompt"] = json!("héllo 🙃");
    assert_eq!(
        j2_errors(request, j2_response()),
        [("pair/prompt-echo", "/prompt/text".to_owned())]
    );
}

#[test]
fn pair_choice_count_uses_n_or_its_default() {
    assert_eq!(
        jamba_errors(jamba_request(), json_response(jamba_response())),
        []
    );
    let mut request = jamba_request();
    request["n"] = json!(2);
    assert_eq!(
        jamba_errors(request, json_response(jamba_response())),
        [("pair/choice-count", Target::Response, "/choices".to_owned())]
    );
}

#[test]
fn pair_length_for_jamba_counts_every_choice() {
    let mut request = jamba_request();
    request["max_tokens"] = json!(3);
    request["n"] = json!(2);
    request["temperature"] = json!(0.7);
    let choice = |index: u64, reason: &str| {
        let mut choice = jamba_response()["choices"][0].clone();
        choice["index"] = json!(index);
        choice["finish_reason"] = json!(reason);
        choice
    };
    let response = |reasons: [&str; 2], completion_tokens: u64| {
        let mut response = jamba_response();
        response["choices"] = json!([choice(0, reasons[0]), choice(1, reasons[1])]);
        response["usage"] = json!({"prompt_tokens": 10, "completion_tokens": completion_tokens, "total_tokens": 10 + completion_tokens});
        json_response(response)
    };
    let at = [(
        "pair/length",
        Target::Response,
        "/usage/completion_tokens".to_owned(),
    )];
    assert_eq!(
        jamba_errors(request.clone(), response(["length", "stop"], 4)),
        []
    );
    assert_eq!(
        jamba_errors(request.clone(), response(["length", "length"], 6)),
        []
    );
    assert_eq!(
        jamba_errors(request.clone(), response(["length", "length"], 5)),
        at
    );
    assert_eq!(
        jamba_errors(request.clone(), response(["stop", "stop"], 7)),
        at
    );
}

#[test]
fn pair_stream_matches_the_response_kind() {
    let stream_body = "data: {\"id\": \"c\", \"choices\": [{\"index\": 0, \"delta\": {\"role\": \"assistant\"}, \"finish_reason\": null}]}\n\n\
        data: {\"id\": \"c\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"Hi\"}, \"finish_reason\": \"stop\"}], \"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 1, \"total_tokens\": 6}}\n\n\
        data: [DONE]\n\n";
    let mut streaming = jamba_request();
    streaming["stream"] = json!(true);
    assert_eq!(
        jamba_errors(
            streaming.clone(),
            ResponseBody::EventStream(stream_body.to_owned())
        ),
        []
    );
    assert_eq!(
        jamba_errors(streaming, json_response(jamba_response())),
        [("pair/stream", Target::Request, "/stream".to_owned())]
    );
    assert_eq!(
        jamba_errors(
            jamba_request(),
            ResponseBody::EventStream(stream_body.to_owned())
        ),
        [("pair/stream", Target::Request, String::new())]
    );
}

#[test]
fn error_statuses_are_validated_as_the_error_envelope() {
    let unauthorized = ResponseBody::Json {
        status: Some(401),
        body: json!({"detail": "Forbidden: Bad or missing API token."}),
    };
    assert_eq!(jamba_errors(jamba_request(), unauthorized), []);
    let odd = ResponseBody::Json {
        status: Some(422),
        body: json!({"error": "bad"}),
    };
    let report = exchange(JAMBA, jamba_request(), odd);
    let rules: Vec<&str> = report.findings.iter().map(|finding| finding.rule).collect();
    assert_eq!(
        rules,
        ["schema/required", "drift/unknown-field"],
        "{report}"
    );
}

#[test]
fn the_api_is_inferred_from_the_request_when_the_endpoint_is_unknown() {
    let validator = validator();
    let (request, response) = (j2_request(), j2_response());
    let j2 = Exchange {
        route: None,
        timestamp: None,
        request: Body::Json(&request),
        status: None,
        response: Body::Json(&response),
    };
    assert!(
        validator
            .validate_exchange(&j2)
            .expect("J2 by its prompt")
            .is_clean()
    );
    let (request, response) = (json!({"input": "Hi"}), json!({}));
    let neither = Exchange {
        route: None,
        timestamp: None,
        request: Body::Json(&request),
        status: None,
        response: Body::Json(&response),
    };
    assert!(matches!(
        validator.validate_exchange(&neither),
        Err(Error::UnknownApi)
    ));
    // An endpoint's model is checked; a request sent to a retired model warns.
    let report = exchange(J2, j2_request(), json_response(j2_response()));
    let warnings: Vec<&str> = report.warnings().map(|finding| finding.rule).collect();
    assert_eq!(warnings, ["drift/retired-model"]);
    let report = exchange(
        "/studio/v1/j7-fancy/complete",
        j2_request(),
        json_response(j2_response()),
    );
    let warnings: Vec<&str> = report.warnings().map(|finding| finding.rule).collect();
    assert_eq!(warnings, ["drift/unknown-model"]);
}

#[test]
fn a_model_named_by_path_and_body_is_reported_once() {
    let warnings = |request: Value| -> Vec<(&'static str, Target, String)> {
        exchange(J2, request, json_response(j2_response()))
            .warnings()
            .map(|finding| (finding.rule, finding.target, finding.pointer.clone()))
            .collect()
    };
    // The v2 Python SDK copies the path's model into the body: one fact, one finding.
    let mut same = j2_request();
    same["model"] = json!("j2-light");
    assert_eq!(
        warnings(same.clone()),
        [("drift/retired-model", Target::Endpoint, String::new())]
    );
    assert_eq!(
        warnings(j2_request()),
        [("drift/retired-model", Target::Endpoint, String::new())]
    );
    // A body naming another model is another fact.
    let mut other = j2_request();
    other["model"] = json!("j2-ultra");
    assert_eq!(
        warnings(other),
        [
            ("drift/retired-model", Target::Endpoint, String::new()),
            ("drift/retired-model", Target::Request, "/model".to_owned())
        ]
    );
    // A request checked on its own, as the mock does, says the same.
    let endpoint = Endpoint::from_path(J2).expect("a J2 path");
    let report = validator().validate_request(&endpoint, &same);
    assert_eq!(report.findings.len(), 1, "{report}");
}

#[test]
fn half_exchanges_and_odd_statuses_are_capture_findings_with_the_other_side_checked() {
    let route = Route::studio(Endpoint::JambaChat);
    let (request, response) = (jamba_request(), jamba_response());
    let check = |request: Body<'_>, status: u16, response: Body<'_>| {
        let report = validator()
            .validate_exchange(&Exchange {
                route: Some(&route),
                timestamp: None,
                request,
                status: Some(status),
                response,
            })
            .expect("the endpoint is given");
        report
            .findings
            .iter()
            .map(|finding| {
                format!("{}", finding)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        check(Body::Absent, 200, Body::Json(&response)),
        ["error[capture/missing-body] at request (root): the request has no body"]
    );
    assert_eq!(
        check(
            Body::Json(&request),
            200,
            Body::Text("<html>gateway</html>")
        ),
        [
            "error[capture/body-not-json] at response (root): the response body is not JSON (20 bytes of text)"
        ]
    );
    assert_eq!(
        check(Body::Text("not json"), 200, Body::Json(&response)),
        [
            "error[capture/body-not-json] at request (root): the request body is not JSON (8 bytes of text)"
        ]
    );
    // The response is still checked on its own: a broken usage is found without a request.
    let broken = with(&response, "/usage/total_tokens", json!(1));
    assert_eq!(
        check(Body::Absent, 200, Body::Json(&broken))[1..],
        [
            "error[jamba/usage-total] at response /usage/total_tokens: total_tokens is 1, but prompt_tokens + completion_tokens is 144 + 3 = 147"
        ]
    );
    assert_eq!(
        check(Body::Json(&request), 302, Body::Text("moved")),
        [
            "warning[capture/unexpected-status] at response (root): status 302 is neither a success (2xx) nor an error (4xx, 5xx): the response is not checked"
        ]
    );
    // An error answer must be the JSON envelope, never a stream.
    assert_eq!(
        check(
            Body::Json(&request),
            500,
            Body::EventStream("data: [DONE]\n\n")
        ),
        [
            "error[capture/body-not-json] at response (root): the response body is an event stream, not JSON"
        ]
    );
}
