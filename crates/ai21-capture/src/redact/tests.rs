//! Unit tests of redaction.

use serde_json::json;

use super::*;

/// A fake key shaped like an AI21 one: 32 letters and digits.
const KEY: &str = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";

#[track_caller]
fn check_header(name: &str, value: &str, expected: &str) {
    assert_eq!(header_value(name, value), expected, "{name}: {value}");
}

#[test]
fn credential_headers_are_redacted_whatever_their_case() {
    for name in [
        "Authorization",
        "authorization",
        "AUTHORIZATION",
        "Proxy-Authorization",
        "api-key",
        "Api-Key",
        "x-api-key",
        "X-API-KEY",
        "x_api_key",
        "apikey",
        "Cookie",
        "cookie",
        "Set-Cookie",
        "set-cookie",
        "x-auth-token",
        "X-Amz-Security-Token",
        "Ocp-Apim-Subscription-Key",
        "x-goog-api-key",
        "x-client-secret",
    ] {
        check_header(name, "Bearer abc", REDACTED);
        check_header(name, "session=1", REDACTED);
    }
}

#[test]
fn other_headers_keep_their_values() {
    check_header("Content-Type", "application/json", "application/json");
    check_header(
        "request-id",
        "c3e5117c-8d76-5f9e-79cd-91051f840d8a",
        "c3e5117c-8d76-5f9e-79cd-91051f840d8a",
    );
    check_header(
        "x-request-id",
        "chat-0123456789abcdef0123456789abcdef",
        "chat-0123456789abcdef0123456789abcdef",
    );
    check_header("User-Agent", "ai21/2.15.1 python", "ai21/2.15.1 python");
}

#[test]
fn secrets_in_other_headers_are_masked_by_shape() {
    check_header(
        "x-forwarded-note",
        &format!("Bearer {KEY}"),
        "Bearer [redacted]",
    );
    check_header("x-custom", &format!("key={KEY};v=1"), "key=[redacted];v=1");
}

#[track_caller]
fn check_url(input: &str, expected: &str) {
    assert_eq!(url(input), expected, "{input}");
}

#[test]
fn urls_lose_credential_parameters_and_userinfo() {
    let base = "https://api.ai21.com/studio/v1/j2-mid/complete";
    for name in [
        "api_key",
        "apiKey",
        "api-key",
        "API_KEY",
        "key",
        "token",
        "access_token",
        "auth_token",
        "x-api-key",
        "sig",
        "api%5Fkey",
    ] {
        check_url(
            &format!("{base}?{name}=secret-value&x=1"),
            &format!("{base}?{name}=[redacted]&x=1"),
        );
    }
    check_url(
        &format!("https://user:{KEY}@api.ai21.com/studio/v1/chat/completions"),
        "https://[redacted]@api.ai21.com/studio/v1/chat/completions",
    );
    check_url(
        "https://user@api.ai21.com/studio/v1/chat/completions",
        "https://[redacted]@api.ai21.com/studio/v1/chat/completions",
    );
    check_url(
        &format!("/studio/v1/chat/completions?q=1#access_token={KEY}"),
        "/studio/v1/chat/completions?q=1#access_token=[redacted]",
    );
    check_url(
        &format!("https://gateway.example/{KEY}/studio/v1/chat/completions"),
        "https://gateway.example/[redacted]/studio/v1/chat/completions",
    );
    check_url(
        &format!("/studio/v1/chat/completions?x={KEY}"),
        "/studio/v1/chat/completions?x=[redacted]",
    );
}

#[test]
fn urls_without_secrets_are_kept_byte_for_byte() {
    for input in [
        "https://api.ai21.com/studio/v1/j2-mid/complete",
        "/studio/v1/chat/completions?stream=true&n=2",
        "https://api.ai21.com/studio/v1/chat/completions?q=a%20b&&flag#frag",
        "https://api.ai21.com/studio/v1/chat/completions?key=",
        "",
    ] {
        assert!(matches!(url(input), Cow::Borrowed(_)), "{input}");
    }
    // Already redacted: redacting again changes nothing.
    check_url(
        "https://[redacted]@h/p?api_key=[redacted]",
        "https://[redacted]@h/p?api_key=[redacted]",
    );
}

#[test]
fn key_shapes() {
    assert!(is_key_shaped(KEY));
    assert!(is_key_shaped(&format!("{KEY}{KEY}")));
    for word in [
        "",
        &KEY[..31],
        "0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",
        "getCurrentWeatherForecastForTheLocation",
        "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0T-",
        "c3e5117c-8d76-5f9e-79cd-91051f840d8a",
    ] {
        assert!(!is_key_shaped(word), "{word}");
    }
}

#[track_caller]
fn check_text(input: &str, expected: &str) {
    assert_eq!(text(input), expected, "{input}");
}

#[test]
fn text_loses_bearer_tokens_and_key_shaped_words() {
    check_text(
        &format!("Authorization: Bearer {KEY}"),
        "Authorization: Bearer [redacted]",
    );
    check_text(
        "authorization: bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x",
        "authorization: bearer [redacted]",
    );
    check_text(
        &format!("invalid type: string \"{KEY}\", expected u16"),
        "invalid type: string \"[redacted]\", expected u16",
    );
    check_text(&format!("{KEY} and {KEY}"), "[redacted] and [redacted]");
    check_text(&format!("sk-{KEY}!"), "sk-[redacted]!");
    check_text("é ü Bearer Zx9Qv7Lp2Rt5Wm8K ✓", "é ü Bearer [redacted] ✓");
}

#[test]
fn prose_is_not_taken_for_secrets() {
    for input in [
        "the bearer of bad news is the messenger",
        "Bearer instruments-of-the-state are old",
        "Bearer short",
        "chat-0123456789abcdef0123456789abcdef",
        "▁These▁are a few of my favorite things",
        "",
    ] {
        assert!(matches!(text(input), Cow::Borrowed(_)), "{input}");
    }
}

#[test]
fn json_bodies_lose_credential_members_keys_and_bearer_tokens() {
    let mut body = json!({
        "prompt": "Hi",
        "api_key": KEY,
        "apiKey": "not-shaped",
        "headers": {"Authorization": "Basic dXNlcjpwYXNz", "x-api-key": "abc"},
        "access_token": "t",
        "nested": [KEY, {"note": format!("Bearer {KEY} leaked")}],
        "token": "▁Hi",
        "generatedToken": {"token": "▁Hi", "logprob": -0.5},
        "maxTokens": 16,
    });
    json(&mut body);
    assert_eq!(
        body,
        json!({
            "prompt": "Hi",
            "api_key": "[redacted]",
            "apiKey": "[redacted]",
            "headers": {"Authorization": "[redacted]", "x-api-key": "[redacted]"},
            "access_token": "[redacted]",
            "nested": ["[redacted]", {"note": format!("Bearer {} leaked", mask(KEY))}],
            "token": "▁Hi",
            "generatedToken": {"token": "▁Hi", "logprob": -0.5},
            "maxTokens": 16,
        })
    );
}

#[test]
fn bearer_tokens_in_json_strings_are_found_wherever_the_word_stands() {
    let token = "eyJhbGciOiJIUzI1NiJ9.Payload123";
    for (text, masked) in [
        (format!("Bearer {token}"), format!("Bearer {}", mask(token))),
        (
            format!("x BEARER\t{token}!"),
            format!("x BEARER\t{}!", mask(token)),
        ),
        (
            format!("(bEaReR {token})"),
            format!("(bEaReR {})", mask(token)),
        ),
        (
            format!("a-bearer {token}"),
            format!("a-bearer {}", mask(token)),
        ),
        (
            format!("bob abba Bearer {token} and bearer {token}b"),
            format!(
                "bob abba Bearer {} and bearer {}",
                mask(token),
                mask(&format!("{token}b"))
            ),
        ),
    ] {
        let mut body = json!({"note": text});
        json(&mut body);
        assert_eq!(body, json!({"note": masked}));
    }
    // `bearer` inside a longer word, or at the very end, is not the word.
    for text in [
        format!("unbearer {token}"),
        format!("2bearer {token}"),
        format!("bearers {token}"),
        format!("bearer2 {token}"),
        format!("beare {token}"),
        format!("b bb {token} bearer"),
    ] {
        let mut body = json!({"note": text.clone()});
        json(&mut body);
        assert_eq!(body, json!({"note": text}));
    }
}

#[test]
fn json_text_around_a_key_is_left_alone() {
    // Redaction must not change the length of prompt or completion text: the validator
    // checks token offsets into it. A key inside prose is masked with the content instead.
    let original = json!({"completions": [{"data": {"text": format!("my key is {KEY}")}}]});
    let mut body = original.clone();
    json(&mut body);
    assert_eq!(body, original);
}

#[test]
fn redacted_json_serialises_like_redacted_json_values() {
    let original = json!({"a": KEY, "password": "p", "b": [1, {"c": format!("Bearer {KEY}")}]});
    let mut redacted = original.clone();
    json(&mut redacted);
    let serialised = serde_json::to_value(RedactedJson(&original)).expect("serialises");
    assert_eq!(serialised, redacted);
}

#[test]
fn api_keys_never_print() {
    let api_key = ApiKey::new(KEY);
    assert_eq!(format!("{api_key}"), REDACTED);
    assert_eq!(format!("{api_key:?}"), REDACTED);
    assert_eq!(format!("{:?}", Some(&api_key)), "Some([redacted])");
    assert_eq!(api_key.expose(), KEY);
}

#[test]
fn api_keys_come_from_the_environment() {
    // Unlikely names, so that the test does not depend on the machine.
    let error = ApiKey::from_env("AI21_CONTRACT_TEST_KEY_THAT_IS_NEVER_SET")
        .expect_err("the variable is not set");
    assert_eq!(
        error.to_string(),
        "environment variable AI21_CONTRACT_TEST_KEY_THAT_IS_NEVER_SET: not set"
    );
    let key = ApiKey::from_env("PATH").expect("PATH is set in tests");
    assert_eq!(key.to_string(), REDACTED);
}

#[test]
fn pieces_of_key_shaped_words_are_masked_in_messages() {
    let mut keys = KeyWords::default();
    keys.add_text(&format!("the key {KEY} in a prompt"));
    keys.add_json(&json!({"short": "Zx9Q", "also": format!("prefix-{KEY}")}));
    assert!(!keys.is_empty());
    assert_eq!(format!("{keys:?}"), "KeyWords(1 words)");
    assert_eq!(
        keys.mask_pieces("cut \"the key Zx9Qv7Lp2R…\" and Zx9Q"),
        "cut \"the key [redacted]…\" and Zx9Q"
    );
    assert!(KeyWords::default().is_empty());
}

/// `json_is_plain` says "plain" exactly when `json` changes nothing and `KeyWords` finds
/// nothing, on values with every kind of secret in every place, and ordinary ones.
#[test]
fn json_is_plain_is_what_json_and_key_words_say() {
    let mut strings = vec![
        String::new(),
        "token".to_owned(),
        "▁the".to_owned(),
        "the bearer instruments of the world, ok".to_owned(),
        format!("Bearer {KEY}"),
        format!("bearer\t{}", "abcdefghijklmnop1"),
        format!("  {KEY}  "),
        format!("a key {KEY} inside"),
        format!("{KEY}é"),
        "x".repeat(40),
        "[redacted]".to_owned(),
        "Aa1".repeat(11),
        "Basic dXNlcjpodW50ZXIy".to_owned(),
        "basic instructions".to_owned(),
        "eyJhbGciOiJub25lIn0.eyJ.".to_owned(),
        "eyJhbGciOiJub25lIn0.e30.".to_owned(),
        "eyJhbGciOiJI.eyJ.".to_owned(),
        "basic\tdXNlcjpwYXNz".to_owned(),
        "▁the▁owner▁of▁a".to_owned(),
        "AKIAIOSFODNN7EXAMPLE".to_owned(),
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe".to_owned(),
        "-----BEGIN EC PRIVATE KEY-----\nMHc".to_owned(),
        "-----BEGIN CERTIFICATE-----".to_owned(),
    ];
    for (_, shape) in shapes() {
        strings.push(shape.clone());
        strings.push(format!("a longer text around {shape}, and after it"));
    }
    let names = [
        "token",
        "text",
        "api_key",
        "apiKey",
        "X-Api-Key",
        "password",
        "Secret",
        "cookie",
        "secre",
        KEY,
        "key",
        "KEY",
        "pwd",
        "k_ey",
        "keys",
        "private_key",
        "x-amz-security-token",
        "code",
    ];
    let mut cases = Vec::new();
    for text in &strings {
        cases.push(json!(text));
        cases.push(json!([1, {"a": text}]));
        for name in names {
            cases.push(json!({ name: text }));
            cases.push(json!({"outer": { name: [text, null] }}));
            cases.push(json!({ name: 3, "b": text }));
        }
    }
    let mut buf = ai21_tape::TapeBuf::default();
    let (mut plain, mut not) = (0, 0);
    for case in cases {
        let mut redacted = case.clone();
        json(&mut redacted);
        let mut keys = KeyWords::default();
        keys.add_json(&case);
        let expected = redacted == case && keys.is_empty();
        let text = case.to_string();
        let tape = buf.parse(&text).expect("the tape reads serialised JSON");
        assert_eq!(json_is_plain(tape.root()), expected, "{text}");
        if expected {
            plain += 1;
        } else {
            not += 1;
        }
    }
    assert!(plain > 50 && not > 50, "{plain} plain, {not} not");
}

/// The skipping search for key-shaped words finds what splitting into words finds.
#[test]
fn has_key_word_finds_what_splitting_finds() {
    let reference = |text: &str| {
        text.split(|character: char| !character.is_ascii_alphanumeric())
            .any(is_key_shaped)
    };
    let pieces = [
        KEY,
        "a",
        " ",
        "é",
        "▁",
        "word",
        "0",
        "Z",
        "-",
        "ab12CD34ef56GH78ij90KL12mn34OP5",
    ];
    let mut texts = Vec::new();
    for a in pieces {
        for b in pieces {
            for c in pieces {
                texts.push(format!("{a}{b}{c}"));
                texts.push(format!("{a}{b}{c}{a}{b}"));
            }
        }
    }
    texts.push(format!("{}{KEY}", "x".repeat(31)));
    texts.push(format!("{KEY}{}", "é".repeat(20)));
    let mut found = 0;
    for text in &texts {
        assert_eq!(has_key_word(text), reference(text), "{text}");
        found += usize::from(reference(text));
    }
    assert!(
        found > 100 && found < texts.len(),
        "{found} of {}",
        texts.len()
    );
}

/// One instance of every secret shape, each found wherever it stands in text.
fn shapes() -> Vec<(&'static str, String)> {
    vec![
        ("bearer", "Bearer eyJhbGciOi.Zx9Qv7Lp2Rt5".to_owned()),
        ("basic", "Basic dXNlcjpodW50ZXIy".to_owned()),
        (
            "jwt",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U".to_owned(),
        ),
        (
            "pem",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----".to_owned(),
        ),
        ("aws", "AKIAIOSFODNN7EXAMPLE".to_owned()),
        ("aws-session", "ASIAY34FZKBOKMUTVV7A".to_owned()),
        ("google", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe".to_owned()),
        ("ai21", KEY.to_owned()),
    ]
}

/// The part of a shape that must not survive (the scheme name of bearer and basic
/// credentials stays).
/// What a secret inside a string of a JSON body becomes: a mask of as many characters,
/// `[redacted]` and `*`s (only `*`s when shorter), written out here independently of the
/// code under test.
fn mask(secret: &str) -> String {
    let length = secret.chars().count();
    if length >= 10 {
        format!("[redacted]{}", "*".repeat(length - 10))
    } else {
        "*".repeat(length)
    }
}

fn secret_part(shape: &str) -> &str {
    shape
        .strip_prefix("Bearer ")
        .or_else(|| shape.strip_prefix("Basic "))
        .unwrap_or(shape)
}

#[test]
fn every_secret_shape_is_masked_in_text_wherever_it_stands() {
    for (name, shape) in shapes() {
        for (before, after) in [
            ("", ""),
            ("x ", " y"),
            ("(", ")."),
            ("token=", "&x=1"),
            ("\"", "\","),
            ("é ", " ✓"),
            ("line\n", "\nline"),
        ] {
            let input = format!("{before}{shape}{after}");
            let output = text(&input);
            assert!(
                !output.contains(secret_part(&shape)),
                "{name}: {input:?} gave {output:?}"
            );
            assert!(output.contains(REDACTED), "{name}: {input:?}");
            assert!(
                output.starts_with(before) && output.ends_with(after),
                "{name}: {input:?} gave {output:?}"
            );
        }
    }
}

#[test]
fn secret_shapes_inside_json_strings_are_masked_but_key_shaped_words_are_content() {
    for (name, shape) in shapes() {
        let mut body =
            json!({"messages": [{"role": "user", "content": format!("use {shape} now")}]});
        json(&mut body);
        let content = body["messages"][0]["content"].as_str().expect("a string");
        if name == "ai21" {
            // A key inside prose is content: the validator checks offsets into it.
            assert_eq!(content, format!("use {shape} now"));
        } else {
            assert_eq!(
                content,
                format!(
                    "use {}{} now",
                    &shape[..shape.len() - secret_part(&shape).len()],
                    mask(secret_part(&shape))
                ),
                "{name}"
            );
        }
        // As a whole string, every shape goes.
        let mut body = json!({"id": shape});
        json(&mut body);
        let id = body["id"].as_str().expect("a string");
        assert!(!id.contains(secret_part(&shape)), "{name}: {id}");
    }
}

#[test]
fn near_misses_are_left_alone() {
    for input in [
        "Basic instructions for everyone",
        "basic dXNlcm5hbWVvbmx5", // base64 of "usernameonly": no colon
        "the basic idea is simple, really",
        "eyJhbGciOiJIUzI1NiJ9 alone, no dots",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0 two parts only",
        "keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
        "eyJh.eyJz.short",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
        "AKIAIOSFODNN7EXAMPL",
        "AKIAIOSFODNN7EXAMPLE1",
        "XAKIAIOSFODNN7EXAMPLE",
        "AKIAiosfodnn7example",
        "Asia is a continent, ASIA IS TOO",
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQ",
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQeX",
        "chat-0123456789abcdef0123456789abcdef",
        "api-version=2024-05-01-preview",
    ] {
        assert!(
            matches!(text(input), Cow::Borrowed(_)),
            "{input}: {}",
            text(input)
        );
    }
}

#[test]
fn a_cut_private_key_block_is_masked_to_the_end() {
    check_text(
        "key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA",
        "key: [redacted]",
    );
    check_text(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\\n-----END ENCRYPTED PRIVATE KEY-----\\n and after",
        "[redacted]\\n and after",
    );
}

#[test]
fn the_whole_class_of_credential_members_is_redacted() {
    for name in [
        "key",
        "KEY",
        "Key",
        "pwd",
        "api_key",
        "apiKey",
        "x-api-key",
        "private_key",
        "privateKey",
        "access_key",
        "aws_access_key_id",
        "secret_access_key",
        "AWS_SECRET_ACCESS_KEY",
        "subscription_key",
        "Ocp-Apim-Subscription-Key",
        "client_secret",
        "clientSecret",
        "secret",
        "password",
        "db_password",
        "passwd",
        "passphrase",
        "credentials",
        "credential",
        "session_token",
        "sessionToken",
        "refresh_token",
        "access_token",
        "id_token",
        "x-amz-security-token",
        "connection_string",
        "authorization",
        "Authorization",
        "cookie",
        "Set-Cookie",
        "signing_key",
        "account_key",
    ] {
        let mut body = json!({ name: "hunter2", "nested": [{ name: "hunter2" }] });
        json(&mut body);
        assert_eq!(
            body,
            json!({ name: REDACTED, "nested": [{ name: REDACTED }] }),
            "{name}"
        );
        assert!(is_secret_member(name), "{name}");
    }
}

#[test]
fn members_that_are_not_credentials_keep_their_values() {
    for name in [
        "token",
        "tokens",
        "generatedToken",
        "max_tokens",
        "maxTokens",
        "prompt_tokens",
        "total_tokens",
        "topTokens",
        "code",
        "signature",
        "keys",
        "keyword",
        "monkey",
        "sort_key",
        "k-e-y",
        "_key",
        "id",
        "name",
        "content",
        "session",
        "api_version",
        "description",
    ] {
        assert!(!is_secret_member(name), "{name}");
    }
}

/// The false positives to avoid: a tool whose JSON-schema parameters declare `key`,
/// `password` or `api_key` properties keeps its schema (the members' values are objects
/// and arrays, walked, not replaced), and J2's token data keeps its `token` text.
#[test]
fn schemas_and_token_data_are_not_taken_for_credentials() {
    let tool = json!({"type": "function", "function": {"name": "store", "description": "Stores a value under a key",
        "parameters": {"type": "object", "properties": {
            "key": {"type": "string", "description": "The key to store under"},
            "password": {"type": "string", "minLength": 8},
            "api_key": {"type": "string", "enum": ["a", "b"]},
            "token": {"type": "string"}},
        "required": ["key", "password"]}}});
    let j2 = json!({"prompt": {"text": "the key", "tokens": [
        {"generatedToken": {"token": "▁the▁key", "logprob": -1.5, "raw_logprob": -1.5}, "topTokens": [{"token": "▁key", "logprob": -2.0}], "textRange": {"start": 0, "end": 7}}]}});
    for original in [tool, j2] {
        let mut body = original.clone();
        json(&mut body);
        assert_eq!(body, original);
        let text = original.to_string();
        let mut buf = ai21_tape::TapeBuf::default();
        let tape = buf.parse(&text).expect("the tape reads it");
        assert!(json_is_plain(tape.root()), "{text}");
    }
}

#[test]
fn the_whole_class_of_credential_headers_and_parameters_is_redacted() {
    for name in [
        "x-amz-security-token",
        "Ocp-Apim-Subscription-Key",
        "x-goog-api-key",
        "api-key",
        "x-functions-key",
        "X-Client-Secret",
        "Signature",
        "x-hub-signature-256",
        "X-Auth-Token",
        "key",
    ] {
        check_header(name, "value", REDACTED);
    }
    for name in [
        "Content-Type",
        "User-Agent",
        "x-request-id",
        "api-version",
        "Accept",
    ] {
        check_header(name, "value", "value");
    }
    let base = "https://bucket.s3.amazonaws.com/object";
    for name in [
        "X-Amz-Signature",
        "X-Amz-Credential",
        "X-Amz-Security-Token",
        "X-Goog-Signature",
        "X-Goog-Credential",
        "AWSAccessKeyId",
        "Signature",
        "sig",
        "code",
        "client_secret",
        "refresh_token",
        "password",
        "jwt",
        "subscription-key",
    ] {
        check_url(
            &format!("{base}?{name}=v1&X-Amz-Date=20240101T000000Z"),
            &format!("{base}?{name}=[redacted]&X-Amz-Date=20240101T000000Z"),
        );
    }
    for query in [
        "api-version=2024-05-01-preview",
        "X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "se=2024-01-01&sp=r&sv=2022-11-02",
        "stream=true",
    ] {
        let input = format!("{base}?{query}");
        assert!(matches!(url(&input), Cow::Borrowed(_)), "{input}");
    }
}

#[test]
fn the_redaction_of_messages_masks_key_pieces_and_every_shape() {
    let mut keys = KeyWords::default();
    keys.add_text(&format!("prompt with {KEY}"));
    for (name, shape) in shapes() {
        let said = message(&format!("\"{shape}\" and \"{}…\"", &KEY[..10]), &keys);
        assert!(!said.contains(secret_part(&shape)), "{name}: {said}");
        assert!(!said.contains(&KEY[..10]), "{name}: {said}");
    }
    assert_eq!(message("plain text", &KeyWords::default()), "plain text");
}

#[test]
fn secrets_percent_encoded_in_urls_are_found() {
    check_url(
        "https://h/studio/v1/chat/completions?note=Bearer%20Q7xLp2Rt5Wm8Kc3Hzz&n=1",
        "https://h/studio/v1/chat/completions?note=[redacted]&n=1",
    );
    check_url(
        "https://h/x?note=Basic+dXNlcjpodW50ZXIy",
        "https://h/x?note=[redacted]",
    );
    check_url(
        "https://gateway.example/Bearer%20Q7xLp2Rt5Wm8Kc3Hzz/studio/v1/chat/completions",
        "https://gateway.example/[redacted]/studio/v1/chat/completions",
    );
    // Escapes without a secret keep the URL as it is.
    for input in [
        "https://h/studio/v1/chat/completions?q=a%20b+c",
        "https://h/a%20b/studio/v1/chat/completions",
    ] {
        assert!(matches!(url(input), Cow::Borrowed(_)), "{input}");
    }
}

/// A secret taken out of a J2 prompt leaves no word of it in the token strings, which
/// hold the prompt cut into pieces; the rest of the body is kept.
#[test]
fn pieces_of_a_secret_taken_out_of_a_string_are_masked_everywhere() {
    let original = json!({"prompt": {"text": "keep Bearer Q7xLp2Rt5Wm8Kc3H safe", "tokens": [
        {"generatedToken": {"token": "▁keep", "logprob": -1.0}, "textRange": {"start": 0, "end": 4}},
        {"generatedToken": {"token": "▁Bearer", "logprob": -1.0}, "textRange": {"start": 4, "end": 11}},
        {"generatedToken": {"token": "▁Q7xLp2Rt5Wm8Kc3H", "logprob": -1.0}, "textRange": {"start": 11, "end": 28}},
        {"generatedToken": {"token": "▁Q7xLp2", "logprob": -1.0}, "textRange": {"start": 28, "end": 28}},
        {"generatedToken": {"token": "▁safe", "logprob": -1.0}, "textRange": {"start": 28, "end": 33}}]}});
    let mut body = original.clone();
    json(&mut body);
    let tokens: Vec<&str> = body["prompt"]["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|token| token["generatedToken"]["token"].as_str().expect("a token"))
        .collect();
    assert_eq!(
        tokens,
        ["▁keep", "▁Bearer", "▁[redacted]******", "▁******", "▁safe"]
    );
    // The text keeps its length in code points, so the token ranges still tile it.
    assert_eq!(body["prompt"]["text"], "keep Bearer [redacted]****** safe");
    assert_eq!(
        body["prompt"]["text"]
            .as_str()
            .map(|text| text.chars().count()),
        original["prompt"]["text"]
            .as_str()
            .map(|text| text.chars().count())
    );
    let serialised = serde_json::to_value(RedactedJson(&original)).expect("serialises");
    assert_eq!(serialised, body);
}
