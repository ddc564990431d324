//! Unit tests of endpoint detection and URL splitting.

use ai21_schemas::PayloadKind;

use super::*;

fn j2(model: &str, custom_model: Option<&str>) -> Option<Endpoint> {
    Some(Endpoint::J2Complete {
        model: model.to_owned(),
        custom_model: custom_model.map(str::to_owned),
    })
}

#[track_caller]
fn check(url: &str, expected: Option<Endpoint>) {
    assert_eq!(from_url(url), expected, "{url}");
}

#[test]
fn j2_complete_paths() {
    check(
        "https://api.ai21.com/studio/v1/j2-mid/complete",
        j2("j2-mid", None),
    );
    check("/studio/v1/j2-ultra/complete", j2("j2-ultra", None));
    check("studio/v1/j2-light/complete", j2("j2-light", None));
    check(
        "https://api.ai21.com/studio/v1/j2-jumbo-instruct/complete",
        j2("j2-jumbo-instruct", None),
    );
    check(
        "http://localhost:8080/studio/v1/j1-jumbo/complete",
        j2("j1-jumbo", None),
    );
}

#[test]
fn j2_custom_model_paths() {
    check(
        "https://api.ai21.com/studio/v1/j2-grande/my-fine-tune/complete",
        j2("j2-grande", Some("my-fine-tune")),
    );
    check(
        "/studio/v1/j2-mid/support-bot-v2/complete",
        j2("j2-mid", Some("support-bot-v2")),
    );
}

#[test]
fn jamba_chat_paths() {
    check(
        "https://api.ai21.com/studio/v1/chat/completions",
        Some(Endpoint::JambaChat),
    );
    check("/studio/v1/chat/completions", Some(Endpoint::JambaChat));
    check(
        "//api.ai21.com/studio/v1/chat/completions",
        Some(Endpoint::JambaChat),
    );
}

#[test]
fn scheme_host_userinfo_query_and_fragment_are_ignored() {
    check(
        "https://user:secret@api.ai21.com:443/studio/v1/chat/completions?api_key=x#top",
        Some(Endpoint::JambaChat),
    );
    check(
        "/studio/v1/j2-mid/complete?stream=false",
        j2("j2-mid", None),
    );
    check(
        "HTTPS://API.AI21.COM/studio/v1/j2-mid/complete#x",
        j2("j2-mid", None),
    );
}

#[test]
fn other_paths_are_not_endpoints() {
    for url in [
        "",
        "/",
        "https://api.ai21.com/",
        "https://api.ai21.com/studio/v1/models",
        "https://api.ai21.com/studio/v1/complete",
        "https://api.ai21.com/studio/v1//complete",
        "https://api.ai21.com/studio/v1/j2-mid//complete",
        "https://api.ai21.com/studio/v1/j2-mid/complete/",
        "https://api.ai21.com/studio/v1/j2-mid/a/b/complete",
        "https://api.ai21.com/studio/v1/chat/completions/",
        "https://api.ai21.com/studio/v1/chat/completions/extra",
        "https://api.ai21.com/studio/v2/chat/completions",
        "https://api.ai21.com/v1/chat/completions",
        "https://api.openai.com/v1/chat/completions",
        "https://proxy.example/ai21/studio/v1/chat/completions",
        "https://api.ai21.com/studio/v1/j2-ultra/chat",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/ai21.j2-mid-v1/invoke",
        "https://api.ai21.com/STUDIO/V1/chat/completions",
        "/proxy/https://api.ai21.com/studio/v1/chat/completions",
    ] {
        check(url, None);
    }
}

#[test]
fn endpoints_write_their_path_and_read_it_back() {
    for endpoint in [
        j2("j2-mid", None),
        j2("j2-mid", Some("custom")),
        Some(Endpoint::JambaChat),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(from_url(&endpoint.path()), Some(endpoint.clone()));
        // The validator's own parser agrees with the path written.
        assert_eq!(Endpoint::from_path(&endpoint.path()).ok(), Some(endpoint));
    }
    assert_eq!(Endpoint::JambaChat.path(), "/studio/v1/chat/completions");
    assert_eq!(
        Endpoint::J2Complete {
            model: "j2-mid".into(),
            custom_model: Some("bot".into())
        }
        .path(),
        "/studio/v1/j2-mid/bot/complete"
    );
}

#[test]
fn endpoints_know_their_payload_kinds() {
    let endpoint = from_url("/studio/v1/j2-mid/complete").expect("an endpoint");
    assert_eq!(
        endpoint.kinds(),
        (
            PayloadKind::J2CompleteRequest,
            PayloadKind::J2CompleteResponse
        )
    );
    assert_eq!(
        Endpoint::JambaChat.kinds(),
        (
            PayloadKind::JambaChatRequest,
            PayloadKind::JambaChatResponse
        )
    );
}

#[track_caller]
fn check_split(url: &str, expected: [&str; 6]) {
    let parts = UrlParts::split(url);
    let actual = [
        parts.scheme,
        parts.userinfo.unwrap_or("<none>"),
        parts.host,
        parts.path,
        parts.query.unwrap_or("<none>"),
        parts.fragment.unwrap_or("<none>"),
    ];
    assert_eq!(actual, expected, "{url}");
}

#[test]
fn urls_split_into_their_parts() {
    check_split(
        "https://u:p@host:1/a/b?q=1&r=2#f",
        ["https://", "u:p", "host:1", "/a/b", "q=1&r=2", "f"],
    );
    check_split("/a/b?q", ["", "<none>", "", "/a/b", "q", "<none>"]);
    check_split(
        "//host/a",
        ["//", "<none>", "host", "/a", "<none>", "<none>"],
    );
    check_split(
        "https://host?x=1",
        ["https://", "<none>", "host", "", "x=1", "<none>"],
    );
    check_split(
        "/r?next=https://x.example/",
        ["", "<none>", "", "/r", "next=https://x.example/", "<none>"],
    );
}
