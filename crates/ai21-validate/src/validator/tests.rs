//! Unit tests of the validator's construction.

use super::*;

#[test]
fn is_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Validator>();
    assert!(std::ptr::eq(Validator::shared(), Validator::shared()));
}

#[test]
fn reads_the_defaults_from_the_schemas() {
    let defaults = Defaults::from_schemas().expect("every default is documented");
    assert_eq!(
        defaults,
        Defaults {
            j2_num_results: 1,
            j2_max_tokens: 16,
            j2_top_k_return: 0,
            jamba_n: 1,
            jamba_max_tokens: 4096,
            jamba_temperature: 0.4,
            jamba_stream: false,
        }
    );
}

#[test]
fn retargets_findings() {
    let mut findings = vec![Finding::error("r/x", "", "m")];
    retarget(&mut findings, Target::Request);
    assert_eq!(findings[0].target, Target::Request);
}

/// The validator of the Jamba preview, with today pinned as the other tests of this
/// process pin it: before the Jamba API's sunset on AI21 Studio (2026-08-09).
fn preview() -> &'static Validator {
    crate::pin_today("2026-01-01").expect("one day for every test");
    Validator::shared_for(Contract::by_name("jamba-preview").expect("a known contract"))
}

/// A Jamba request of the preview's time: its model, and more tokens than today allows.
fn preview_request() -> Value {
    serde_json::json!({
        "model": "jamba-instruct-preview",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 8000,
        "stop": null,
    })
}

#[test]
fn a_validator_knows_its_contract() {
    assert_eq!(Validator::shared().contract(), Contract::CURRENT);
    for contract in Contract::ALL {
        let validator = Validator::shared_for(contract);
        assert_eq!(validator.contract(), contract);
        assert!(std::ptr::eq(validator, Validator::shared_for(contract)));
    }
    assert!(std::ptr::eq(
        Validator::shared(),
        Validator::shared_for(Contract::CURRENT)
    ));
    // A historical contract adds one compiled schema per kind it freezes, no more.
    let today = Validator::shared().compiled.len();
    assert_eq!(preview().compiled.len(), today + 2);
    let older = Validator::shared_for(Contract::by_name("j2-older").expect("known"));
    assert_eq!(older.compiled.len(), today + 1);
}

#[test]
fn a_historical_contract_checks_studio_s_frozen_kinds_against_its_schemas() {
    let kind = PayloadKind::JambaChatRequest;
    let request = preview_request();
    assert!(preview().validate(kind, &request).is_clean());
    let today = Validator::shared().validate(kind, &request);
    assert_eq!(rules(&today), ["schema/maximum"]);
    assert_eq!(today.findings[0].pointer, "/max_tokens");

    // Errors are explained against the historical schema.
    let mut over = request.clone();
    over["max_tokens"] = 70_000.into();
    let report = preview().validate(kind, &over);
    assert_eq!(rules(&report), ["schema/maximum"]);
    assert_eq!(
        report.findings[0].schema_pointer.as_deref(),
        Some("/properties/max_tokens/maximum")
    );
    assert!(report.findings[0].message.contains("65535"), "{report:?}");

    // What today's request has and the preview's had not is an unknown field.
    for (field, value) in [
        ("n", serde_json::json!(1)),
        ("tools", serde_json::json!([])),
    ] {
        let mut today_s = request.clone();
        today_s[field] = value;
        let report = preview().validate(kind, &today_s);
        assert_eq!(rules(&report), ["schema/additionalProperties"], "{field}");
        assert!(
            report.findings[0].message.contains(field),
            "{field}: {report:?}"
        );
        assert!(!preview().is_schema_valid(kind, &today_s), "{field}");
        assert_eq!(
            preview().unknown_fields(kind, &today_s),
            [format!("/{field}")]
        );
        assert!(
            Validator::shared()
                .unknown_fields(kind, &today_s)
                .is_empty()
        );
    }
}

#[test]
fn a_historical_contract_walks_its_own_schema_for_unknown_response_fields() {
    let kind = PayloadKind::JambaChatResponse;
    let response = serde_json::json!({
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                     "message": {"role": "assistant", "content": "Hello", "tool_calls": null}}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10},
    });
    assert!(Validator::shared().validate(kind, &response).is_clean());
    let report = preview().validate(kind, &response);
    assert_eq!(
        report
            .findings
            .iter()
            .map(|finding| (finding.rule, finding.pointer.as_str()))
            .collect::<Vec<_>>(),
        [
            ("drift/unknown-field", "/choices/0/logprobs"),
            ("drift/unknown-field", "/choices/0/message/tool_calls"),
        ]
    );
    assert!(!report.has_errors());
}

#[test]
fn a_historical_contract_leaves_the_other_kinds_and_the_partners_to_today_s_schemas() {
    let validator = preview();
    // Not frozen by the preview: today's schema, shared with today's validator's tables.
    for kind in [
        PayloadKind::J2CompleteRequest,
        PayloadKind::JambaChatStreamChunk,
        PayloadKind::ErrorResponse,
    ] {
        assert!(std::ptr::eq(
            validator.schemas[validator.slot(Dialect::Studio, kind)],
            kind.schema()
        ));
    }
    // A partner's Jamba request is today's, overlaid: Bedrock takes no model in the body
    // and at most 4096 tokens.
    let kind = PayloadKind::JambaChatRequest;
    for dialect in [Dialect::Bedrock, Dialect::Vertex, Dialect::Azure] {
        assert!(std::ptr::eq(
            validator.schemas[validator.slot(dialect, kind)],
            kind.schema_in(dialect)
        ));
    }
    let mut request = preview_request();
    request.as_object_mut().expect("an object").remove("model");
    let report = validator.validate_in(Dialect::Bedrock, kind, &request);
    assert_eq!(rules(&report), ["schema/maximum"]);
}

#[test]
fn the_fast_check_of_a_historical_contract_uses_its_schemas() {
    let validator = preview();
    let kind = PayloadKind::JambaChatRequest;
    let fast = |payload: &Value| {
        let text = payload.to_string();
        let mut buffer = ai21_tape::TapeBuf::new();
        let tape = buffer
            .parse(&text)
            .expect("the tape reads serde_json's output");
        let mut out = Vec::new();
        validator
            .check_fast(On::dialect(Dialect::Studio), kind, tape.root(), &mut out)
            .map(|()| out)
    };
    let request = preview_request();
    assert_eq!(fast(&request), Ok(Vec::new()));
    // Today's `n` is no field of the preview's: the fast check leaves it to the full one.
    let mut today_s = request.clone();
    today_s["n"] = 1.into();
    assert_eq!(fast(&today_s), Err(Defer));
    // Today's validator's fast check refuses the preview's token count the same way.
    let text = request.to_string();
    let mut buffer = ai21_tape::TapeBuf::new();
    let tape = buffer.parse(&text).expect("JSON");
    assert_eq!(
        Validator::shared().check_fast(
            On::dialect(Dialect::Studio),
            kind,
            tape.root(),
            &mut Vec::new()
        ),
        Err(Defer)
    );
}

fn rules(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|finding| finding.rule).collect()
}
