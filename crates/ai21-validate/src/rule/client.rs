//! Known defects of real client libraries: payloads a released client sends that break
//! the contract in a way its users cannot fix in their own code.
//!
//! Each defect has a rule of its own (`client/...`) whose message names the client, the
//! versions that do it, what the API does with it, and the workaround, so the person
//! reading a report learns that the client is at fault and what to do. A defect about
//! field names the API does not know *claims* those fields: the schema does not report
//! them again as unknown (`schema/additionalProperties`), so one fact makes one finding.

use ai21_schemas::PayloadKind;
use ai21_tape::View;

use crate::pointer::join_key;
use crate::report::Finding;

/// The rule of the ai21 Python SDK's penalties sent without their aliases.
pub(crate) const PENALTY_SNAKE_CASE: &str = "client/ai21-python-penalty-snake-case";

/// The penalty objects of a J2 request.
const PENALTIES: [&str; 3] = ["frequencyPenalty", "presencePenalty", "countPenalty"];

/// The field names of the SDK's `Penalty` model, which it sends instead of the aliases
/// (`applyToWhitespaces`, ...) from 2.10.0 on: `_to_dict(penalty)` is pydantic's
/// `model_dump()` without `by_alias` (ai21-python `clients/common/completion_base.py`,
/// `models/penalty.py`; 2.0 to 2.9 serialised the model with dataclasses-json in
/// camelCase, 3.1 removed J2 completion).
const SDK_PENALTY_FIELDS: [(&str, &str); 5] = [
    ("apply_to_whitespaces", "applyToWhitespaces"),
    ("apply_to_punctuation", "applyToPunctuations"),
    ("apply_to_numbers", "applyToNumbers"),
    ("apply_to_stopwords", "applyToStopwords"),
    ("apply_to_emojis", "applyToEmojis"),
];

/// What the client rules found in one payload.
#[derive(Debug, Default)]
pub(crate) struct ClientDefects {
    /// Their findings.
    pub(crate) findings: Vec<Finding>,
    /// JSON Pointers of the fields the findings explain, which the schema must not report
    /// again.
    pub(crate) claimed: Vec<String>,
}

/// Runs the client rules of `kind` on `payload`.
pub(crate) fn check<'a>(kind: PayloadKind, payload: impl View<'a>) -> ClientDefects {
    let mut defects = ClientDefects::default();
    if kind == PayloadKind::J2CompleteRequest {
        penalty_snake_case(payload, &mut defects);
    }
    defects
}

fn penalty_snake_case<'a>(request: impl View<'a>, defects: &mut ClientDefects) {
    for penalty in PENALTIES {
        let Some(fields) = request.get(penalty).filter(|fields| fields.is_object()) else {
            continue;
        };
        let sent: Vec<(&str, &str)> = SDK_PENALTY_FIELDS
            .into_iter()
            .filter(|(field, _)| fields.contains_key(field))
            .collect();
        if sent.is_empty() {
            continue;
        }
        let pointer = join_key("", penalty);
        let names: Vec<String> = sent
            .iter()
            .map(|(field, alias)| format!("{field} (for {alias})"))
            .collect();
        let set_flags: Vec<&str> = sent
            .iter()
            .filter(|(field, _)| fields.get(field).is_some_and(|value| !value.is_null()))
            .map(|(field, _)| *field)
            .collect();
        let effect = if set_flags.is_empty() {
            "they are all null here, so nothing is lost".to_owned()
        } else {
            format!(
                "so {} {} not applied and the API defaults (true) hold",
                set_flags.join(", "),
                if set_flags.len() == 1 { "is" } else { "are" }
            )
        };
        defects.findings.push(Finding::error(
            PENALTY_SNAKE_CASE,
            pointer.clone(),
            format!(
                "{penalty} has the ai21 Python SDK's field names {}: versions 2.10.0 to 3.0.x send their Penalty model without its aliases, and the API does not know these names and ignores them, {effect}; this is a defect of the SDK, not of your code: pass the penalty as a dict with the documented names through the keyword arguments, {penalty}={{\"scale\": 1.0, \"applyToNumbers\": false}}, instead of {}=Penalty(...)",
                names.join(", "),
                snake_case(penalty),
            ),
        ));
        defects
            .claimed
            .extend(sent.iter().map(|(field, _)| join_key(&pointer, field)));
    }
}

/// `presencePenalty` as the SDK's argument name, `presence_penalty`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for character in name.chars() {
        if character.is_ascii_uppercase() {
            out.push('_');
            out.push(character.to_ascii_lowercase());
        } else {
            out.push(character);
        }
    }
    out
}
