//! The tape against serde_json on generated texts: JSON serialized from arbitrary
//! `Value`s (compact and pretty), byte-level mutations of it, and hand-built number and
//! string literals. Whenever the tape reads a text, serde_json reads it too and the two
//! agree on every node; the tape refuses valid text only where documented.
//!
//! Cases: `PROPTEST_CASES` from the environment, or 64, as the workspace's shared
//! configuration (`ai21_generate::proptest_config`, not a dependency here: ai21-generate
//! builds on ai21-validate, which builds on this crate). Each case checks dozens of texts.

use std::cell::Cell;

use ai21_tape::TapeBuf;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Number, Value};

use crate::support::{Outcome, check_with};

/// The workspace's proptest configuration (see the module docs).
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64);
    Config::with_cases(cases)
}

/// Strings that exercise escaping: any Unicode, and a small alphabet of the characters
/// JSON escapes, mixed with multi-byte ones, long enough to cross 8-byte words.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop::sample::select(vec![
                'a', 'b', '"', '\\', '/', '\n', '\t', '\u{1}', '\u{1f}', '\u{7f}', 'é', '😀', ' ',
                '\0'
            ]),
            0..24,
        )
        .prop_map(|chars| chars.into_iter().collect()),
        "[a-c]{0,3}",
    ]
}

/// Numbers of every class serde_json makes: u64, negative i64 and finite f64, with the
/// boundaries weighted in.
fn number() -> impl Strategy<Value = Number> {
    let float = prop_oneof![
        (prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::ZERO),
        -1e6f64..1e6,
        prop::sample::select(vec![
            0.0,
            -0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1e308,
            9007199254740993.0,
            0.1,
            1e-7,
            1e21,
            1e22,
            18446744073709551616.0
        ]),
    ];
    prop_oneof![
        any::<u64>().prop_map(Number::from),
        (i64::MIN..0).prop_map(Number::from),
        prop::sample::select(vec![
            0,
            1,
            i64::MAX as u64,
            1 << 63,
            u64::MAX,
            u64::MAX - 1,
            10_000_000_000_000_000_000
        ])
        .prop_map(Number::from),
        prop::sample::select(vec![i64::MIN, i64::MIN + 1, -1]).prop_map(Number::from),
        (0u64..1000).prop_map(Number::from),
        float.prop_filter_map("finite", Number::from_f64),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 10, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..10).prop_map(Value::Array),
            prop::collection::vec((string(), inner), 0..10).prop_map(|members| Value::Object(
                members.into_iter().collect::<Map<String, Value>>()
            )),
        ]
    })
}

/// A byte-level mutation of a text: what to do where, with which byte.
#[derive(Debug, Clone)]
struct Mutation {
    at: Index,
    kind: u8,
    byte: u8,
    len: u8,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    const BYTES: &[u8] = b"\"\\{}[],:0123456789-+.eE \t\n\r\x00\x01\x1ftfnua/\x7f\xc3\xa9";
    (any::<Index>(), 0u8..5, prop::sample::select(BYTES), 1u8..12).prop_map(
        |(at, kind, byte, len)| Mutation {
            at,
            kind,
            byte,
            len,
        },
    )
}

fn mutate(text: &str, mutation: &Mutation) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return String::new();
    }
    let at = mutation.at.index(bytes.len());
    match mutation.kind {
        0 => bytes[at] = mutation.byte,
        1 => bytes.insert(at, mutation.byte),
        2 => {
            bytes.remove(at);
        }
        3 => bytes.truncate(at),
        _ => {
            // Repeat a slice: makes duplicate members, repeated keys, long nesting.
            let end = (at + mutation.len as usize).min(bytes.len());
            let slice = bytes[at..end].to_vec();
            bytes.splice(at..at, slice);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Counts of outcomes over a run.
#[derive(Default)]
struct Counts {
    read: Cell<u64>,
    refused_valid: Cell<u64>,
    refused_invalid: Cell<u64>,
}

impl Counts {
    fn add(&self, outcome: Outcome) {
        let cell = match outcome {
            Outcome::Read => &self.read,
            Outcome::RefusedValid => &self.refused_valid,
            Outcome::RefusedInvalid => &self.refused_invalid,
        };
        cell.set(cell.get() + 1);
    }
}

fn checked(buf: &mut TapeBuf, text: &str) -> Result<Outcome, TestCaseError> {
    check_with(buf, text).map_err(TestCaseError::fail)
}

#[test]
fn serialized_values_and_their_mutations_agree_with_serde_json() {
    let serialized = Counts::default();
    let mutated = Counts::default();
    let mut runner = TestRunner::new(config());
    let strategy = (value(), prop::collection::vec(mutation(), 16));
    let result = runner.run(&strategy, |(value, mutations)| {
        let mut buf = TapeBuf::default();
        let compact =
            serde_json::to_string(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let pretty =
            serde_json::to_string_pretty(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for text in [&compact, &pretty] {
            serialized.add(checked(&mut buf, text)?);
        }
        for mutation in &mutations {
            for text in [&compact, &pretty] {
                mutated.add(checked(&mut buf, &mutate(text, mutation))?);
            }
        }
        // Two mutations in a row.
        for pair in mutations.chunks(2) {
            let text = pair
                .iter()
                .fold(compact.clone(), |text, mutation| mutate(&text, mutation));
            mutated.add(checked(&mut buf, &text)?);
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    // Serialized values have no duplicate keys, no escaped surrogates (serde_json writes
    // non-ASCII as is), no deep nesting and short number literals: the tape reads them all.
    assert_eq!(serialized.refused_valid.get(), 0);
    assert_eq!(serialized.refused_invalid.get(), 0);
    assert!(serialized.read.get() > 0);
    // Mutations: valid text the tape refuses (a duplicated member, mostly) stays rare.
    let valid = mutated.read.get() + mutated.refused_valid.get();
    assert!(
        mutated.refused_valid.get() * 20 <= valid.max(20),
        "the tape refused {} of {valid} valid mutated texts",
        mutated.refused_valid.get()
    );
}

/// Number literals built from the grammar's parts, leading zeros and empty parts included.
fn number_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,24}|0[0-9]{1,3}|)(\\.[0-9]{0,24})?([eE][+-]?[0-9]{0,4})?",
        "-?(1844674407370955161[0-9]|922337203685477580[0-9]|[1-9][0-9]{17,21})",
        "-?[0-9]{1,3}(\\.[0-9]{1,3})?[eE][+-]?(30[0-9]|32[0-9]|0{0,3}[0-9])",
        "-?[0-9]\\.[0-9]{15,20}[eE][+-]?[0-9]{1,3}",
        // Around the exact fast path's limits: 2^53 = 9007199254740992, 10^22.
        "-?(0\\.)?900719925474099[0-9]{1,2}([eE]-?(1[5-9]|2[0-5]))?",
        "-?900719925474(0\\.99|09\\.9|099\\.)[0-9]{1,2}([eE]-?(1[5-9]|2[0-5]))?",
    ]
}

/// String literals (with quotes) built from raw characters and escapes, surrogate
/// escapes weighted in, valid or not.
fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zé😀 ]{1,9}",
        "\\\\[\"\\\\/bfnrt]",
        "\\\\u[0-9a-fA-F]{4}",
        "\\\\u[dD][89abAB][0-9a-fA-F]{2}\\\\u[dD][c-fC-F][0-9a-fA-F]{2}",
        "\\\\u[dD][89abAB][0-9a-fA-F]{2}",
        "\\\\u[dD][c-fC-F][0-9a-fA-F]{2}",
        "\\\\[^\"\\\\/bfnrtu]",
        "\\\\u[0-9a-gA-G]{0,4}",
        "[\\x00-\\x1f\\x7f]",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
}

#[test]
fn literals_are_read_exactly_when_serde_json_reads_them() {
    let counts = Counts::default();
    let mut runner = TestRunner::new(config());
    let strategy = (
        prop::collection::vec(number_literal(), 16),
        prop::collection::vec(string_literal(), 16),
        prop::collection::vec("[\\[\\]{}\",:0-9tfnrue .E+\\\\\\-\t\n]{0,40}", 8),
    );
    let result = runner.run(&strategy, |(numbers, strings, soups)| {
        let mut buf = TapeBuf::default();
        // Random text from JSON's alphabet: whatever the tape reads, serde_json reads alike.
        for soup in &soups {
            counts.add(checked(&mut buf, soup)?);
        }
        for literal in numbers.iter().chain(&strings) {
            for text in [
                literal.clone(),
                format!("[{literal},{literal}]"),
                format!("{{\"k\": {literal} }}"),
            ] {
                let outcome = checked(&mut buf, &text)?;
                counts.add(outcome);
                // Within these literals (exponents of at most 4 digits, short numbers, no
                // duplicate keys) the tape refuses exactly what serde_json refuses.
                prop_assert_ne!(outcome, Outcome::RefusedValid, "refused valid {:?}", text);
            }
        }
        for string in &strings {
            let text = format!("{{{string}:1,\"k\":{string}}}");
            counts.add(checked(&mut buf, &text)?);
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    assert!(counts.read.get() > 0 && counts.refused_invalid.get() > 0);
}
