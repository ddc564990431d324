//! The generated models agree with the documented examples: every one parses into its
//! typed model and serializes back to the same JSON value, after the normalisation the
//! models crate documents.

use ai21_models::{
    ErrorResponse, J2CompleteRequest, J2CompleteResponse, JambaChatRequest, JambaChatResponse,
    JambaChatStreamChunk,
};
use ai21_schemas::PayloadKind;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Whether the typed model of `kind` accepts `payload`.
pub(crate) fn parses(kind: PayloadKind, payload: &Value) -> bool {
    fn parses_as<T: DeserializeOwned>(payload: &Value) -> bool {
        T::deserialize(payload).is_ok()
    }
    match kind {
        PayloadKind::J2CompleteRequest => parses_as::<J2CompleteRequest>(payload),
        PayloadKind::J2CompleteResponse => parses_as::<J2CompleteResponse>(payload),
        PayloadKind::JambaChatRequest => parses_as::<JambaChatRequest>(payload),
        PayloadKind::JambaChatResponse => parses_as::<JambaChatResponse>(payload),
        PayloadKind::JambaChatStreamChunk => parses_as::<JambaChatStreamChunk>(payload),
        PayloadKind::ErrorResponse => parses_as::<ErrorResponse>(payload),
    }
}

fn through<T: DeserializeOwned + Serialize>(payload: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(payload.clone())
        .map_err(|error| format!("does not parse: {error}"))?;
    serde_json::to_value(&typed).map_err(|error| format!("does not serialize: {error}"))
}

/// Parses `payload` into the typed model of `kind` and serializes it back.
pub(crate) fn round_trip(kind: PayloadKind, payload: &Value) -> Result<Value, String> {
    match kind {
        PayloadKind::J2CompleteRequest => through::<J2CompleteRequest>(payload),
        PayloadKind::J2CompleteResponse => through::<J2CompleteResponse>(payload),
        PayloadKind::JambaChatRequest => through::<JambaChatRequest>(payload),
        PayloadKind::JambaChatResponse => through::<JambaChatResponse>(payload),
        PayloadKind::JambaChatStreamChunk => through::<JambaChatStreamChunk>(payload),
        PayloadKind::ErrorResponse => through::<ErrorResponse>(payload),
    }
}

/// Whether `back` is `original` up to the documented normalisation: an integer in a
/// `number` property comes back as the float of the same value (a `number` is an `f64`),
/// and an integer written as a float (`30.0`) in an `integer` property comes back as an
/// integer (`30`; an integer property is a Rust integer). Float spelling is not compared
/// at all, as both sides are parsed values. Anything else (a dropped or added property, a
/// changed value, a lost `null`) is a difference.
pub(crate) fn same_after_normalisation(
    original: &Value,
    back: &Value,
    pointer: &str,
) -> Result<(), String> {
    match (original, back) {
        (Value::Number(original), Value::Number(back)) => {
            let integer_as_float =
                !original.is_f64() && back.is_f64() && original.as_f64() == back.as_f64();
            let float_as_integer =
                original.is_f64() && !back.is_f64() && original.as_f64() == back.as_f64();
            if original == back || integer_as_float || float_as_integer {
                Ok(())
            } else {
                Err(format!("{pointer}: {original} came back as {back}"))
            }
        }
        (Value::Object(original), Value::Object(back)) => {
            if let Some(key) = original.keys().find(|key| !back.contains_key(*key)) {
                return Err(format!("{pointer}/{key}: dropped"));
            }
            if let Some(key) = back.keys().find(|key| !original.contains_key(*key)) {
                return Err(format!("{pointer}/{key}: added"));
            }
            original.iter().try_for_each(|(key, value)| {
                same_after_normalisation(value, &back[key], &format!("{pointer}/{key}"))
            })
        }
        (Value::Array(original), Value::Array(back)) if original.len() == back.len() => original
            .iter()
            .zip(back)
            .enumerate()
            .try_for_each(|(index, (original, back))| {
                same_after_normalisation(original, back, &format!("{pointer}/{index}"))
            }),
        (original, back) if original == back => Ok(()),
        (original, back) => Err(format!("{pointer}: {original} came back as {back}")),
    }
}

#[test]
fn documented_examples_round_trip_through_the_typed_models() {
    let mut checked = 0;
    for example in ai21_schemas::examples().filter(|example| example.is_valid()) {
        let payload = example.payload();
        let back = round_trip(example.kind(), &payload)
            .unwrap_or_else(|error| panic!("{}: {error}", example.file()));
        if let Err(difference) = same_after_normalisation(&payload, &back, "") {
            panic!("{}: {difference}", example.file());
        }
        let pretty = serde_json::to_string_pretty(&back).expect("a Value serializes");
        insta::assert_snapshot!(example.file(), pretty);
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn documented_nulls_and_empty_lists_survive() {
    // The properties the issue names: `raw_logprob`, `topTokens: null`, `"stop": null`,
    // and the documented `"stopSequences": []`.
    let find = |file: &str| {
        ai21_schemas::examples()
            .find(|example| example.file() == file)
            .unwrap_or_else(|| panic!("{file} is an example"))
    };
    let response = find("j2-complete.response.001-1.json");
    let back = round_trip(response.kind(), &response.payload()).expect("round trips");
    let token = &back["completions"][0]["data"]["tokens"][0];
    assert_eq!(token["topTokens"], Value::Null);
    assert_eq!(
        token["generatedToken"]["raw_logprob"],
        json!(-0.24019983410835266)
    );
    let request = find("jamba-chat.request.002-1.json");
    let back = round_trip(request.kind(), &request.payload()).expect("round trips");
    assert_eq!(back.get("stop"), Some(&Value::Null));
    let request = find("j2-complete.request.001-2.json");
    let back = round_trip(request.kind(), &request.payload()).expect("round trips");
    assert_eq!(back.get("stopSequences"), Some(&json!([])));
}

#[test]
fn the_normalisation_detects_real_differences() {
    let check = |original: Value, back: Value| same_after_normalisation(&original, &back, "");
    assert_eq!(check(json!({"t": 1}), json!({"t": 1.0})), Ok(()));
    assert_eq!(check(json!({"n": 30.0}), json!({"n": 30})), Ok(()));
    assert_eq!(
        check(json!({"n": 30.5}), json!({"n": 30})),
        Err("/n: 30.5 came back as 30".to_owned())
    );
    assert_eq!(
        check(json!({"t": 1.5}), json!({"t": 1})),
        Err("/t: 1.5 came back as 1".to_owned())
    );
    assert_eq!(
        check(json!({"n": 2}), json!({"n": 3})),
        Err("/n: 2 came back as 3".to_owned())
    );
    assert_eq!(
        check(json!({"stop": null}), json!({})),
        Err("/stop: dropped".to_owned())
    );
    assert_eq!(
        check(json!({}), json!({"meta": {}})),
        Err("/meta: added".to_owned())
    );
    assert_eq!(
        check(json!([1, 2]), json!([1])),
        Err(": [1,2] came back as [1]".to_owned())
    );
}
