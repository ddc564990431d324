//! Holding a tape to serde_json: every `View` method of every node against the `Value`'s.

use std::collections::BTreeMap;

use ai21_tape::{
    Kind, LONG_STRING, NAMED_STRING, SHORT_NAMED_STRING, TapeBuf, TapeRef, TapeString, View,
};
use serde_json::Value;

/// What the tape made of a text serde_json may or may not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The tape read it, and agrees with serde_json on every node.
    Read,
    /// The tape refused it; serde_json read it.
    RefusedValid,
    /// Both refused it.
    RefusedInvalid,
}

/// Parses `text` with the tape and with serde_json: if the tape reads it, serde_json must
/// too and the two must agree on every node. Errs with a description otherwise.
pub(crate) fn check_with(buf: &mut TapeBuf, text: &str) -> Result<Outcome, String> {
    let expected = serde_json::from_str::<Value>(text);
    match (buf.parse(text), expected) {
        (Ok(tape), Ok(value)) => {
            agree(tape.root(), &value, "$").map_err(|error| format!("{error} in {text:?}"))?;
            strings_agree(tape.root(), &value).map_err(|error| format!("{error} in {text:?}"))?;
            Ok(Outcome::Read)
        }
        (Ok(_), Err(error)) => Err(format!(
            "the tape read {text:?}, which serde_json rejects: {error}"
        )),
        (Err(_), Ok(_)) => Ok(Outcome::RefusedValid),
        (Err(_), Err(_)) => Ok(Outcome::RefusedInvalid),
    }
}

/// [`check_with`] on a fresh buffer, panicking on disagreement.
pub(crate) fn check(text: &str) -> Outcome {
    match check_with(&mut TapeBuf::default(), text) {
        Ok(outcome) => outcome,
        Err(error) => panic!("{error}"),
    }
}

/// Reads `text` with the tape (panicking if it refuses or disagrees with serde_json) and
/// returns the `Value` serde_json gives.
pub(crate) fn read(text: &str) -> Value {
    assert_eq!(check(text), Outcome::Read, "the tape refused {text:?}");
    serde_json::from_str(text).expect("serde_json read it")
}

/// Whether the tape refuses `text`, checking it agrees with serde_json if not.
pub(crate) fn refused(text: &str) -> bool {
    check(text) != Outcome::Read
}

/// The strings of a value as [`TapeRef::strings`] gives them, from the `Value`: every
/// member name with its value when that is a string, and every string value.
fn value_strings<'v>(value: &'v Value, out: &mut Vec<TapeString<'v>>) {
    match value {
        Value::String(text) => out.push(TapeString::Value(text)),
        Value::Array(items) => items.iter().for_each(|item| value_strings(item, out)),
        Value::Object(members) => {
            for (name, member) in members {
                out.push(TapeString::Key {
                    name,
                    value: member.as_str(),
                });
                value_strings(member, out);
            }
        }
        _ => {}
    }
}

/// [`TapeRef::strings`] gives the value's strings (in document order, which a `Value`'s
/// sorted members do not keep: compared as sorted lists), and [`TapeRef::long_strings`]
/// those of them it promises, at the root and at every child of the root.
fn strings_agree(tape: TapeRef<'_>, value: &Value) -> Result<(), String> {
    let sorted = |mut strings: Vec<TapeString<'_>>| {
        strings.sort_by_key(|string| format!("{string:?}"));
        strings
            .into_iter()
            .map(|string| format!("{string:?}"))
            .collect::<Vec<_>>()
    };
    let long = |string: &TapeString<'_>| match *string {
        TapeString::Key { name, value } => {
            name.len() >= LONG_STRING
                || ((name.len() >= NAMED_STRING || name.len() == SHORT_NAMED_STRING)
                    && value.is_some())
        }
        TapeString::Value(text) => text.len() >= LONG_STRING,
    };
    let mut nodes = vec![(tape, value)];
    if let (Some(items), Value::Array(values)) = (tape.items(), value) {
        nodes.extend(items.zip(values));
    }
    if let Some(members) = tape.members() {
        nodes.extend(members.filter_map(|(name, member)| Some((member, value.get(name)?))));
    }
    for (tape, value) in nodes {
        let mut expected = Vec::new();
        value_strings(value, &mut expected);
        let strings: Vec<TapeString<'_>> = tape.strings().collect();
        if sorted(strings.clone()) != sorted(expected) {
            return Err(format!("strings() differs at {}", tape.raw()));
        }
        let listed: Vec<TapeString<'_>> = tape.long_strings().collect();
        let due: Vec<TapeString<'_>> = strings.into_iter().filter(long).collect();
        if listed != due {
            return Err(format!("long_strings() gives {listed:?}, not {due:?}"));
        }
    }
    Ok(())
}

fn kind(value: &Value) -> Kind {
    View::kind(value)
}

/// Every `View` method of `tape` and of its descendants answers as `value`'s.
pub(crate) fn agree(tape: TapeRef<'_>, value: &Value, path: &str) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{path}: {what} differs"));
    if tape.kind() != kind(value) {
        return Err(format!(
            "{path}: kind {:?} != {:?}",
            tape.kind(),
            kind(value)
        ));
    }
    if tape.as_str() != value.as_str() {
        return fail("as_str");
    }
    if tape.as_bool() != value.as_bool() {
        return fail("as_bool");
    }
    if tape.as_u64() != value.as_u64() {
        return fail("as_u64");
    }
    if tape.as_i64() != value.as_i64() {
        return fail("as_i64");
    }
    if tape.as_f64().map(f64::to_bits) != value.as_f64().map(f64::to_bits) {
        return Err(format!(
            "{path}: as_f64 {:?} != {:?}",
            tape.as_f64(),
            value.as_f64()
        ));
    }
    let predicates = |view: TapeRef<'_>| {
        [
            view.is_null(),
            view.is_string(),
            view.is_array(),
            view.is_object(),
            view.is_number(),
        ]
    };
    let value_predicates = [
        View::is_null(value),
        View::is_string(value),
        View::is_array(value),
        View::is_object(value),
        View::is_number(value),
    ];
    if predicates(tape) != value_predicates {
        return fail("an is_* method");
    }
    if tape.to_value() != *value {
        return fail("to_value");
    }
    // The raw text reads back as the same value.
    match serde_json::from_str::<Value>(tape.raw()) {
        Ok(raw) if raw == *value => {}
        _ => return Err(format!("{path}: raw {:?} is not the value", tape.raw())),
    }
    const MISSING: &str = "\u{1}no such key";
    if tape.get(MISSING).is_some() || tape.contains_key(MISSING) {
        return fail("get of a missing key");
    }
    match (tape.items(), value.as_array()) {
        (None, None) => {}
        (Some(items), Some(array)) => {
            if items.len() != array.len() {
                return fail("items' length");
            }
            for (index, (item, element)) in items.zip(array).enumerate() {
                agree(item, element, &format!("{path}[{index}]"))?;
            }
        }
        _ => return fail("items"),
    }
    match (tape.members(), value.as_object()) {
        (None, None) => {}
        (Some(members), Some(map)) => {
            if members.len() != map.len() {
                return fail("members' length");
            }
            let members: BTreeMap<&str, TapeRef<'_>> = members.collect();
            if members.len() != map.len()
                || !members.keys().copied().eq(map.keys().map(String::as_str))
            {
                return fail("member keys");
            }
            for (key, element) in map {
                let path = format!("{path}.{key:?}");
                agree(members[key.as_str()], element, &path)?;
                let Some(got) = tape.get(key) else {
                    return Err(format!("{path}: get found nothing"));
                };
                if !tape.contains_key(key) {
                    return Err(format!("{path}: contains_key is false"));
                }
                let same = |view: TapeRef<'_>| (view.raw().as_ptr(), view.raw().len());
                if same(got) != same(members[key.as_str()]) {
                    return Err(format!("{path}: get found another member"));
                }
            }
        }
        _ => return fail("members"),
    }
    Ok(())
}
