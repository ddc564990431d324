//! The tape against serde_json on chosen texts: every corner the fast path must read
//! exactly as serde_json does, or refuse.

use ai21_tape::{MAX_DEPTH, TapeBuf, TapeRef, Unsupported, View};
use serde_json::Value;

use crate::support::{Outcome, check, read, refused};

/// Reads `literal` alone, in an array, in an object and pretty, returning the value.
fn number(literal: &str) -> Value {
    read(&format!("[{literal}]"));
    read(&format!("[ {literal} , {literal} ]"));
    read(&format!("{{\"k\":{literal}}}"));
    read(&format!("{{\n  \"k\": {literal}\n}}"));
    read(&format!("{literal}\n"));
    read(literal)
}

fn is_u64(value: &Value, n: u64) -> bool {
    value.is_u64() && value.as_u64() == Some(n)
}

fn is_i64(value: &Value, n: i64) -> bool {
    value.is_i64() && !value.is_u64() && value.as_i64() == Some(n)
}

fn is_f64(value: &Value, bits: f64) -> bool {
    value.is_f64() && value.as_f64().map(f64::to_bits) == Some(bits.to_bits())
}

#[test]
fn lone_values() {
    assert_eq!(read("\"x\""), Value::from("x"));
    assert_eq!(read("1"), Value::from(1));
    assert_eq!(read("[]"), Value::Array(vec![]));
    assert_eq!(read("{}"), Value::Object(Default::default()));
    assert_eq!(read("null"), Value::Null);
    assert_eq!(read("true"), Value::Bool(true));
    assert_eq!(read("false"), Value::Bool(false));
    assert_eq!(read("\"\""), Value::from(""));
    assert_eq!(read(" \t\r\n1 \t\r\n"), Value::from(1));
    assert_eq!(read("[ ]"), Value::Array(vec![]));
    assert_eq!(read("{ \n }"), Value::Object(Default::default()));
}

#[test]
fn empty_and_whitespace_only_are_refused() {
    for text in ["", " ", "\n\t\r ", "\u{feff}1", "\u{feff}"] {
        assert!(refused(text), "{text:?}");
    }
}

#[test]
fn trailing_garbage_is_refused() {
    for text in [
        "1 2",
        "[]]",
        "{}x",
        "1,",
        "\"a\"b",
        "nulll",
        "null x",
        "truex",
        "[] []",
        "{}}",
        "1\u{c}",
        "1\u{a0}",
        "\u{a0}1",
        "\u{b}1",
        "1\0",
        "[1]\u{0}",
        "{} // comment",
    ] {
        assert!(refused(text), "{text:?}");
    }
}

#[test]
fn truncated_and_malformed_structure_is_refused() {
    for text in [
        "[",
        "{",
        "[1",
        "[1,",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1",
        "{\"a\":1,",
        "[1,]",
        "[,1]",
        "[,]",
        "{,}",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "{\"a\"::1}",
        "{1:1}",
        "{\"a\",1}",
        "[}",
        "{]",
        "]",
        "}",
        ":",
        ",",
        "tru",
        "t",
        "fals",
        "nul",
        "True",
        "NULL",
        "undefined",
        "[\"a\":1]",
        "{\"a\":1:2}",
        "'a'",
        "[1]]",
    ] {
        assert!(refused(text), "{text:?}");
    }
}

#[test]
fn integers_at_every_boundary() {
    assert!(is_u64(&number("0"), 0));
    assert!(is_u64(&number("1"), 1));
    assert!(is_i64(&number("-1"), -1));
    assert!(is_u64(&number("9223372036854775807"), i64::MAX as u64));
    assert!(is_u64(&number("9223372036854775808"), 1 << 63));
    assert!(is_i64(&number("-9223372036854775807"), -i64::MAX));
    assert!(is_i64(&number("-9223372036854775808"), i64::MIN));
    assert!(is_f64(
        &number("-9223372036854775809"),
        -9223372036854775809.0
    ));
    assert!(is_u64(
        &number("9999999999999999999"),
        9_999_999_999_999_999_999
    ));
    assert!(is_u64(
        &number("10000000000000000000"),
        10_000_000_000_000_000_000
    ));
    assert!(is_u64(&number("18446744073709551614"), u64::MAX - 1));
    assert!(is_u64(&number("18446744073709551615"), u64::MAX));
    assert!(is_f64(
        &number("18446744073709551616"),
        18446744073709551616.0
    ));
    assert!(is_f64(
        &number("18446744073709551617"),
        18446744073709551616.0
    ));
    assert!(is_f64(
        &number("28446744073709551615"),
        28446744073709551615.0
    ));
    assert!(is_f64(&number("99999999999999999999"), 1e20));
    assert!(is_f64(&number("100000000000000000000"), 1e20));
    assert!(is_f64(&number("-10000000000000000000"), -1e19));
    assert!(is_f64(
        &number("-18446744073709551615"),
        -18446744073709551615.0
    ));
    assert!(is_f64(
        &number("-18446744073709551616"),
        -18446744073709551616.0
    ));
    assert!(is_f64(
        &number("123456789012345678901234567890"),
        1.2345678901234568e29
    ));
    // A u64 that is not an i64, and an i64 that is not a u64.
    let big = number("18446744073709551615");
    assert_eq!(big.as_i64(), None);
    assert_eq!(big.as_f64(), Some(u64::MAX as f64));
    let negative = number("-5");
    assert_eq!(negative.as_u64(), None);
    assert_eq!(negative.as_f64(), Some(-5.0));
    // 250 digits: a float, within range.
    let long = format!("1{}", "0".repeat(249));
    assert!(is_f64(&number(&long), 1e249));
}

#[test]
fn minus_zero_is_the_float_minus_zero() {
    for literal in ["-0", "-0.0", "-0e0", "-0E+5", "-0.000e-3"] {
        let value = number(literal);
        assert!(is_f64(&value, -0.0), "{literal}: {value:?}");
    }
    for literal in ["0.0", "0e0", "0E-0", "0.000"] {
        assert!(is_f64(&number(literal), 0.0), "{literal}");
    }
    assert!(is_u64(&number("0"), 0));
}

#[test]
fn floats_and_exponents() {
    for (literal, expected) in [
        ("1.5", 1.5),
        ("-1.5", -1.5),
        ("0.1", 0.1),
        ("1e5", 1e5),
        ("1E5", 1e5),
        ("1e+5", 1e5),
        ("1e-5", 1e-5),
        ("1.0", 1.0),
        ("123.456e-7", 123.456e-7),
        ("-0.0000123", -0.0000123),
        ("5e-324", 5e-324),
        ("2.4703282292062328e-324", 5e-324),
        ("2.4703282292062327e-324", 0.0),
        ("1e-400", 0.0),
        ("-1e-400", -0.0),
        ("1.7976931348623157e308", f64::MAX),
        ("-1.7976931348623157e308", f64::MIN),
        ("1.7976931348623158e308", f64::MAX),
        ("0.17976931348623157e309", f64::MAX),
        ("1e308", 1e308),
        ("0e400", 0.0),
        ("0.0e99999", 0.0),
        ("1e00005", 1e5),
        ("1e-99999", 0.0),
        ("2.2250738585072011e-308", 2.225_073_858_507_201e-308),
        ("9007199254740993.0", 9007199254740992.0),
        ("0.30000000000000004", 0.30000000000000004),
        (
            "3.141592653589793238462643383279502884197169399375105820974944",
            std::f64::consts::PI,
        ),
        (
            "0.000000000000000000000000000000000000000000000000000000000000000000000000000000001",
            1e-81,
        ),
    ] {
        let value = number(literal);
        assert!(
            is_f64(&value, expected),
            "{literal}: {value:?} != {expected:?}"
        );
    }
}

#[test]
fn numbers_serde_json_refuses_are_refused() {
    for literal in [
        "01",
        "-01",
        "00",
        "1.",
        "-",
        "+1",
        ".5",
        "-.5",
        "1e",
        "1e+",
        "1E-",
        "1.e5",
        "1.5.5",
        "0x10",
        "--1",
        "-a",
        "1e5.5",
        "Infinity",
        "-Infinity",
        "NaN",
        "1e400",
        "-1e400",
        "2e308",
        "1.7976931348623159e308",
        "1e99999",
        "1ee5",
        "1e+-5",
        "1_000",
        "١",
    ] {
        for text in [
            literal.to_owned(),
            format!("[{literal}]"),
            format!("{{\"k\":{literal}}}"),
        ] {
            assert_eq!(check(&text), Outcome::RefusedInvalid, "{text:?}");
        }
    }
}

#[test]
fn numbers_the_tape_refuses_though_serde_json_reads_them() {
    // Exponents of more than 5 digits, literals of more than 256 bytes.
    for literal in [
        "1e000001",
        "1e-999999",
        "0e1000000",
        &format!("1{}", "0".repeat(300)),
        &format!("0.{}1", "0".repeat(300)),
    ] {
        assert_eq!(check(literal), Outcome::RefusedValid, "{literal}");
    }
}

#[test]
fn escapes() {
    assert_eq!(
        read(r#""\"\\\/\b\f\n\r\t""#),
        Value::from("\"\\/\u{8}\u{c}\n\r\t")
    );
    assert_eq!(
        read(r#""\u0041\u00e9\u00E9\uFFFF\u0000\u001f""#),
        Value::from("Aéé\u{ffff}\0\u{1f}")
    );
    assert_eq!(read(r#""a\nb""#), Value::from("a\nb"));
    assert_eq!(read(r#""😀é\u0020x""#), Value::from("😀é x"));
    assert_eq!(read("\"\u{7f}\""), Value::from("\u{7f}"));
    assert_eq!(
        read("[\"\\\\\",\"\\\\\\\"\"]"),
        serde_json::json!(["\\", "\\\""])
    );
    for text in [
        r#""\x""#,
        r#""\u12""#,
        r#""\u12G4""#,
        r#""\'""#,
        r#""\U0041""#,
        r#""\u""#,
        r#""\"#,
        r#""\u004"#,
        r#""abc"#,
        r#""abc\""#,
        "\"a\u{1}b\"",
        "\"\t\"",
        "\"\n\"",
        "\"\u{1f}\"",
        "\"\0\"",
    ] {
        assert_eq!(check(text), Outcome::RefusedInvalid, "{text:?}");
    }
}

#[test]
fn surrogates_decode_as_serde_json_does() {
    assert_eq!(read(r#""\uD83D\uDE00""#), Value::from("😀"));
    assert_eq!(read(r#""\ud83d\ude00""#), Value::from("😀"));
    assert_eq!(read(r#""a\uDBFF\uDFFFb""#), Value::from("a\u{10ffff}b"));
    assert_eq!(read(r#""\uD800\uDC00""#), Value::from("\u{10000}"));
    for text in [
        r#""\uD83D""#,
        r#""\uD83Dx""#,
        r#""\uD83D\u0041""#,
        r#""\uDE00""#,
        r#""\uDE00\uD83D""#,
        r#""\uD83D\uD83D""#,
        r#""\uD83D\n""#,
        r#""\uD83D\""#,
        r#""\uD83D\uDE0""#,
        r#""\uDFFF""#,
    ] {
        assert_eq!(check(text), Outcome::RefusedInvalid, "{text:?}");
    }
}

#[test]
fn specials_at_every_position_of_a_long_string() {
    for at in 0..40 {
        let (before, after) = ("a".repeat(at), "é".repeat(40 - at));
        for special in [
            "\\n",
            "\\\"",
            "\\u00e9",
            "\\uD83D\\uDE00",
            "\\\\",
            "\u{7f}",
            "😀",
        ] {
            read(&format!("\"{before}{special}{after}\""));
            read(&format!(
                "{{\"{before}{special}{after}\":[\"{before}{special}\"]}}"
            ));
        }
        for bad in ["\u{1}", "\n", "\\q", "\\uD83D", "\\"] {
            assert!(
                refused(&format!("\"{before}{bad}{after}\"")),
                "{bad:?} at {at}"
            );
        }
        // Unterminated at every length.
        assert!(refused(&format!("\"{before}")));
        assert!(refused(&format!("[\"{before}\\\"]")));
    }
}

#[test]
fn keys_with_escapes() {
    let text = r#"{"a\nb":1,"\u0063":2,"plain":3,"\uD83D\uDE00":4}"#;
    let value = read(text);
    assert_eq!(value["a\nb"], 1);
    let mut buf = TapeBuf::default();
    let tape = buf.parse(text).expect("read");
    let root = tape.root();
    assert_eq!(root.get("c").and_then(View::as_u64), Some(2));
    assert_eq!(root.get("😀").and_then(View::as_u64), Some(4));
    assert!(root.get("\\u0063").is_none());
    let keys: Vec<&str> = root
        .members()
        .expect("object")
        .map(|(key, _)| key)
        .collect();
    assert_eq!(keys, ["a\nb", "c", "plain", "😀"]);
}

#[test]
fn duplicate_keys_are_refused() {
    for text in [
        r#"{"a":1,"a":2}"#,
        r#"{"a":1,"b":2,"a":3}"#,
        r#"{"a":1,"\u0061":2}"#,
        r#"{"\u0061":1,"\u0061":2}"#,
        r#"[{"x":{"a":1,"a":1}}]"#,
        r#"{"":1,"":2}"#,
        r#"{"a long key, over eight bytes":1,"a long key, over eight bytes":2}"#,
    ] {
        assert_eq!(check(text), Outcome::RefusedValid, "{text:?}");
    }
    // The same key in different objects is no duplicate.
    read(r#"{"a":{"a":1,"b":{"a":2}},"b":[{"a":3},{"a":4}],"c":{"b":1}}"#);
    // Keys that share their first and last 8 bytes and their length, but differ.
    read(r#"{"aaaaaaaaXbbbbbbbb":1,"aaaaaaaaYbbbbbbbb":2}"#);
    read(
        r#"{"aaaaaaaaXbbbbbbbb":1,"aaaaaaaaYbbbbbbbb":2,"aaaaaaaaZbbbbbbbb":{"aaaaaaaaXbbbbbbbb":3}}"#,
    );
    assert!(refused(
        r#"{"aaaaaaaaXbbbbbbbb":1,"aaaaaaaaYbbbbbbbb":2,"aaaaaaaaXbbbbbbbb":3}"#
    ));
    // Short keys that differ only in a NUL.
    read(r#"{"a":1,"a\u0000":2,"\u0000a":3}"#);
}

#[test]
fn duplicate_keys_in_large_objects() {
    let members = |keys: &[String]| {
        let members: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| format!("\"{key}\":{i}"))
            .collect();
        format!("{{{}}}", members.join(","))
    };
    let mut keys: Vec<String> = (0..100).map(|i| format!("key number {i}")).collect();
    read(&members(&keys));
    // Colliding fingerprints, no duplicate.
    keys.extend((0..40).map(|i| format!("aaaaaaaa{i:03}bbbbbbbb")));
    read(&members(&keys));
    keys.push("key number 57".to_owned());
    assert_eq!(check(&members(&keys)), Outcome::RefusedValid);
    keys.pop();
    keys.push("aaaaaaaa017bbbbbbbb".to_owned());
    assert_eq!(check(&members(&keys)), Outcome::RefusedValid);
    // Exactly at and around the pairwise limit.
    for n in [31, 32, 33, 34] {
        let mut keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        read(&members(&keys));
        keys.push("k0".to_owned());
        assert_eq!(check(&members(&keys)), Outcome::RefusedValid, "{n}");
    }
}

#[test]
fn nesting_depth() {
    let nested = |depth: usize, open: &str, inner: &str, close: &str| {
        format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
    };
    let max = MAX_DEPTH as usize;
    read(&nested(max, "[", "", "]"));
    read(&nested(max - 1, "{\"a\":", "{}", "}"));
    read(&nested(max / 2, "[{\"k\":", "0", "}]"));
    read(&nested(max / 2, "[\n {\n  \"k\" : ", "0", "\n }\n]"));
    assert_eq!(check(&nested(max + 1, "[", "", "]")), Outcome::RefusedValid);
    assert_eq!(
        check(&nested(max, "{\"a\":", "{}", "}")),
        Outcome::RefusedValid
    );
    assert_eq!(check(&nested(127, "[", "", "]")), Outcome::RefusedValid);
    assert_eq!(
        check(&nested(max / 2, "[{\"k\":", "[]", "}]")),
        Outcome::RefusedValid
    );
    assert_eq!(check(&nested(129, "[", "", "]")), Outcome::RefusedInvalid);
    assert_eq!(
        check(&nested(100_000, "[", "", "]")),
        Outcome::RefusedInvalid
    );
    assert!(refused(&"[".repeat(100_000)));
    // Depth counts nesting, not length.
    read(&format!("[{}]", vec!["[[1]]"; 1000].join(",")));
}

#[test]
fn members_in_document_order_and_exact_sizes() {
    let text = r#"{"z":1,"a":[1,[2,3],{"x":null}],"m":{"k":"v"},"b":true}"#;
    let mut buf = TapeBuf::default();
    let tape = buf.parse(text).expect("read");
    let root = tape.root();
    let members = root.members().expect("object");
    assert_eq!(members.len(), 4);
    let keys: Vec<&str> = members.map(|(key, _)| key).collect();
    assert_eq!(keys, ["z", "a", "m", "b"]);
    let items = root.get("a").and_then(View::items).expect("array");
    assert_eq!(items.len(), 3);
    let mut items = items;
    items.next();
    assert_eq!(items.len(), 2);
    assert_eq!(items.size_hint(), (2, Some(2)));
    assert_eq!(root.get("b").and_then(View::as_bool), Some(true));
    assert!(root.get("a").and_then(|a| a.get("x")).is_none());
    assert!(root.items().is_none());
    assert!(root.get("z").and_then(View::members).is_none());
}

#[test]
fn raw_is_the_exact_text() {
    let text = " {\"a\" : [ 1 , -2.5e3 ,\"x\\\"y\" , {\"k\":[]} , null,true,false ] ,\n\"b\":\"\\u00e9\", \"c\": {} } \n";
    let mut buf = TapeBuf::default();
    let tape = buf.parse(text).expect("read");
    let root = tape.root();
    assert_eq!(root.raw(), text.trim());
    let a = root.get("a").expect("a");
    assert_eq!(
        a.raw(),
        "[ 1 , -2.5e3 ,\"x\\\"y\" , {\"k\":[]} , null,true,false ]"
    );
    let raws: Vec<&str> = a.items().expect("array").map(TapeRef::raw).collect();
    assert_eq!(
        raws,
        [
            "1",
            "-2.5e3",
            "\"x\\\"y\"",
            "{\"k\":[]}",
            "null",
            "true",
            "false"
        ]
    );
    assert_eq!(root.get("b").map(TapeRef::raw), Some("\"\\u00e9\""));
    assert_eq!(root.get("c").map(TapeRef::raw), Some("{}"));
    assert_eq!(
        format!("{:?}", root.get("b").expect("b")),
        "TapeRef(\"\\\"\\\\u00e9\\\"\")"
    );
}

#[test]
fn a_buffer_is_reused() {
    let mut buf = TapeBuf::default();
    {
        let tape = buf.parse(r#"{"a\nb":"c\td","e":[1,2,3]}"#).expect("read");
        assert_eq!(tape.root().get("a\nb").and_then(View::as_str), Some("c\td"));
    }
    assert_eq!(buf.parse("[1,").err(), Some(Unsupported));
    {
        let tape = buf.parse(r#"{"x":"y\n"}"#).expect("read");
        assert_eq!(tape.root().get("x").and_then(View::as_str), Some("y\n"));
        assert_eq!(tape.len(), 3);
        assert!(!tape.is_empty());
        assert_eq!(tape.src(), r#"{"x":"y\n"}"#);
    }
    let tape = buf.parse("7").expect("read");
    assert_eq!(tape.root().as_u64(), Some(7));
}

#[test]
fn unsupported_is_an_error() {
    let error: Box<dyn std::error::Error> = Box::new(Unsupported);
    assert_eq!(
        error.to_string(),
        "the text is not JSON the fast path reads the same way serde_json does"
    );
    assert_eq!(std::mem::size_of::<TapeRef<'_>>(), 16);
}

#[test]
fn a_capture_line_reads_as_serde_json_does() {
    let text = r#"{"method":"POST","request":{"body":{"maxTokens":263,"numResults":1,"prompt":"café Ωmega 🙂","temperature":0.7,"topKReturn":0},"headers":{"Content-Type":"application/json"}},"response":{"status":200,"body":{"id":"x","completions":[{"data":{"text":"a","tokens":[{"generatedToken":{"token":"▁a","logprob":-0.0012345678901234567,"raw_logprob":-1.5e-7},"topTokens":null,"textRange":{"start":0,"end":1}}]},"finishReason":{"reason":"length","length":263}}]}}}"#;
    read(text);
    let pretty = serde_json::to_string_pretty(&read(text)).expect("serialize");
    read(&pretty);
}
