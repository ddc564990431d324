use serde_json::json;

use super::*;
use crate::{Plan, Server, SuiteCounts, suite};

fn plan(destination: Destination) -> Plan {
    Plan {
        j2: true,
        jamba: true,
        generated: 6,
        seed: 11,
        server: Server::Mock,
        destination,
    }
}

fn cases(destination: Destination) -> (Vec<Case>, SuiteCounts) {
    suite(&plan(destination)).expect("the suite")
}

fn bedrock() -> Destination {
    Destination::Bedrock { model: None }
}

fn vertex() -> Destination {
    Destination::Vertex {
        project: "my-project".to_owned(),
        region: "europe-west4".to_owned(),
        model: None,
    }
}

fn azure(api_version: Option<&str>) -> Destination {
    Destination::Azure {
        api_version: api_version.map(str::to_owned),
        model: None,
    }
}

fn body(case: &Case) -> &Value {
    match &case.body {
        CaseBody::Json(body) => body,
        CaseBody::Raw(text) => panic!("{}: a raw body {text:?}", case.name),
    }
}

fn named<'a>(cases: &'a [Case], name: &str) -> &'a Case {
    cases
        .iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

fn refusal(case: &Case) -> &Refusal {
    match &case.expect {
        Expect::Refusal(refusal) => refusal,
        Expect::Success => panic!("{} expects a success", case.name),
    }
}

#[test]
fn studio_cases_are_sent_as_they_are() {
    let (cases, counts) = cases(Destination::Studio);
    assert!(cases.iter().all(|case| case.dialect == Dialect::Studio));
    assert_eq!(
        (counts.not_served, counts.not_refused, counts.studio_only),
        (0, 0, 0)
    );
    let stream = named(&cases, "targeted Jamba stream, max_tokens 10, stop");
    assert_eq!(stream.path, "/studio/v1/chat/completions");
    assert_eq!(body(stream)["stream"], json!(true));
    assert_eq!(body(stream)["model"], json!("jamba-mini"));
    let not_found = named(&cases, "negative path that is not an endpoint");
    assert_eq!(not_found.route, None);
    assert_eq!(refusal(not_found).status, 404);
    assert_eq!(
        cases.len(),
        counts.documented + counts.generated + counts.targeted + counts.negative
    );
}

#[test]
fn bedrock_cases_go_to_the_model_path_without_model_and_stream() {
    let (cases, counts) = cases(bedrock());
    assert_eq!(counts.not_served, 0, "Bedrock serves J2");
    assert_eq!(counts.studio_only, 1);
    for case in &cases {
        assert_eq!(case.dialect, Dialect::Bedrock, "{}", case.name);
        let route = case.route.as_ref().expect("every Bedrock case has a route");
        assert!(case.path.starts_with("/model/ai21."), "{}", case.path);
        if let CaseBody::Json(body) = &case.body {
            assert!(body.get("model").is_none(), "{}: {body}", case.name);
            assert!(body.get("stream").is_none(), "{}: {body}", case.name);
        }
        // The path is one Bedrock's route recognition reads back as this route.
        assert_eq!(
            Route::recognise("bedrock-runtime.us-east-1.amazonaws.com", &case.path, None),
            Recognition::Route(route.clone()),
            "{}",
            case.name
        );
    }
    let stream = named(&cases, "targeted Jamba stream, max_tokens 10, stop");
    assert_eq!(
        stream.path,
        "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream"
    );
    assert_eq!(
        body(stream),
        &json!({"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 10, "stop": "##"})
    );
    let j2 = named(
        &cases,
        "targeted J2 numResults 3, maxTokens 4, stopSequences",
    );
    assert_eq!(j2.path, "/model/ai21.j2-ultra-v1/invoke");
    assert_eq!(
        j2.route.as_ref().map(|route| &route.endpoint),
        Some(&Endpoint::J2Complete {
            model: "ai21.j2-ultra-v1".to_owned(),
            custom_model: None
        })
    );
    let chat = named(&cases, "targeted Jamba n 3, max_tokens 12, stop");
    assert_eq!(chat.path, "/model/ai21.jamba-1-5-mini-v1%3A0/invoke");
    assert_eq!(
        chat.route.as_ref().and_then(|route| route.stream),
        Some(false)
    );
}

#[test]
fn bedrock_refusals_are_bedrocks_own() {
    let (cases, counts) = cases(bedrock());
    let unsigned = named(&cases, "negative request without an API key");
    assert!(!unsigned.authorized);
    assert_eq!(refusal(unsigned).status, 403);
    assert_eq!(refusal(unsigned).source, BEDROCK_403);
    assert_eq!(
        refusal(named(&cases, "negative body that is not JSON")).source,
        BEDROCK_400
    );
    let invalid: Vec<&Case> = cases
        .iter()
        .filter(|case| {
            case.name.starts_with("negative") && case.name.ends_with(".json") && case.authorized
        })
        .collect();
    assert!(invalid.len() > 10, "{}", invalid.len());
    for case in invalid {
        let refusal = refusal(case);
        assert_eq!((refusal.status, refusal.source), (400, BEDROCK_400));
        // Bedrock's error body is its own: no `loc` to point at.
        assert_eq!(refusal.loc, None, "{}", case.name);
    }
    // The Studio suite has every invalid example that Bedrock's has, plus those whose
    // only fault is in `model` or `stream`.
    let (studio, studio_counts) = suite(&plan(Destination::Studio)).expect("the suite");
    assert_eq!(
        studio_counts.negative,
        counts.negative + counts.not_refused + counts.studio_only
    );
    assert!(studio.len() > cases.len());
}

#[test]
fn a_negative_example_whose_fault_bedrock_leaves_out_is_counted_not_sent() {
    let refused = |body: Value| {
        let case = Case {
            name: "negative broken model".to_owned(),
            dialect: Dialect::Studio,
            route: Some(Route::studio(Endpoint::JambaChat)),
            path: "/studio/v1/chat/completions".to_owned(),
            body: CaseBody::Json(body),
            authorized: true,
            expect: Expect::Refusal(Refusal {
                status: 422,
                source: crate::RECORDED_CHAT_422,
                loc: None,
            }),
        };
        bedrock().write(case, Some(Negative::Invalid))
    };
    assert!(matches!(
        refused(json!({"model": 7, "messages": [{"role": "user", "content": "Hi"}]})),
        Written::NotRefused
    ));
    assert!(matches!(
        refused(json!({"stream": "yes", "messages": [{"role": "user", "content": "Hi"}]})),
        Written::NotRefused
    ));
    let Written::Case(case) =
        refused(json!({"model": "jamba-mini", "messages": [], "max_tokens": -1}))
    else {
        panic!("still refused on Bedrock")
    };
    assert_eq!(refusal(&case).status, 400);
}

#[test]
fn vertex_cases_carry_project_region_and_model_in_the_path_and_no_j2() {
    let (cases, counts) = cases(vertex());
    let (studio, studio_counts) = suite(&plan(Destination::Studio)).expect("the suite");
    let j2 = studio
        .iter()
        .filter(|case| {
            matches!(
                case.route.as_ref().map(|route| &route.endpoint),
                Some(Endpoint::J2Complete { .. })
            )
        })
        .count();
    assert!(j2 > 5);
    assert_eq!(counts.not_served, j2);
    assert!(studio_counts.generated > counts.generated);
    for case in &cases {
        assert_eq!(case.dialect, Dialect::Vertex);
        assert!(
            case.path.starts_with(
                "/v1/projects/my-project/locations/europe-west4/publishers/ai21/models/jamba-1.5-"
            ),
            "{}",
            case.path
        );
        if let CaseBody::Json(body) = &case.body {
            assert!(body.get("model").is_none() && body.get("stream").is_none());
        }
    }
    let stream = named(&cases, "targeted Jamba stream, max_tokens 10, stop");
    assert!(
        stream
            .path
            .ends_with("/models/jamba-1.5-mini@001:streamRawPredict"),
        "{}",
        stream.path
    );
    let unauthorized = named(&cases, "negative request without an API key");
    assert_eq!(
        (refusal(unauthorized).status, refusal(unauthorized).source),
        (401, VERTEX_401)
    );
    // AI21's 422 is passed through: its `loc` is still expected.
    let invalid = cases
        .iter()
        .find(|case| case.name.starts_with("negative invalid/jamba-chat"))
        .expect("an invalid chat example");
    assert_eq!(refusal(invalid).status, 422);
    assert_eq!(refusal(invalid).source, VERTEX_422);
    assert!(refusal(invalid).loc.is_some());
    assert_eq!(
        SuiteCounts {
            not_served: 3,
            not_refused: 1,
            studio_only: 1,
            ..SuiteCounts::default()
        }
        .unsent(Dialect::Vertex)
        .as_deref(),
        Some(
            "3 J2 requests (Google Vertex AI serves no J2), 1 invalid example that Google Vertex AI accepts (the fault is in `model` or `stream`, which it does not need in the body), 1 path that is no endpoint (a partner's other paths are its own API)"
        )
    );
    assert_eq!(SuiteCounts::default().unsent(Dialect::Vertex), None);
}

#[test]
fn azure_cases_keep_their_bodies_and_add_the_api_version() {
    let (cases, _) = cases(azure(Some("2024-05-01-preview")));
    let stream = named(&cases, "targeted Jamba stream, max_tokens 10, stop");
    assert_eq!(
        stream.path,
        "/v1/chat/completions?api-version=2024-05-01-preview"
    );
    assert_eq!(body(stream)["stream"], json!(true));
    assert_eq!(body(stream)["model"], json!("jamba-mini"));
    assert_eq!(
        stream.route,
        Some(Route {
            dialect: Dialect::Azure,
            endpoint: Endpoint::JambaChat,
            model: None,
            stream: None
        })
    );
    let (cases, _) = cases_with(azure(None), Some("AI21-Jamba-1.5-Large"));
    assert!(cases.iter().all(|case| case.path == "/v1/chat/completions"));
    assert_eq!(
        body(named(&cases, "targeted Jamba n 3, max_tokens 12, stop"))["model"],
        json!("AI21-Jamba-1.5-Large")
    );
    assert_eq!(
        query_escape("2024-05-01 preview&x"),
        "2024-05-01%20preview%26x"
    );
}

fn cases_with(destination: Destination, model: Option<&str>) -> (Vec<Case>, SuiteCounts) {
    let destination = match destination {
        Destination::Studio => Destination::Studio,
        Destination::Bedrock { .. } => Destination::Bedrock {
            model: model.map(str::to_owned),
        },
        Destination::Vertex {
            project, region, ..
        } => Destination::Vertex {
            project,
            region,
            model: model.map(str::to_owned),
        },
        Destination::Azure { api_version, .. } => Destination::Azure {
            api_version,
            model: model.map(str::to_owned),
        },
    };
    cases(destination)
}

#[test]
fn a_given_model_replaces_the_mapped_one_for_the_endpoint_it_serves() {
    let (cases, _) = cases_with(bedrock(), Some("us.ai21.jamba-1-5-large-v1:0"));
    let paths: std::collections::BTreeSet<&str> =
        cases.iter().map(|case| case.path.as_str()).collect();
    assert!(
        paths.contains("/model/us.ai21.jamba-1-5-large-v1%3A0/invoke"),
        "{paths:#?}"
    );
    assert!(
        !paths.iter().any(|path| path.contains("jamba-1-5-mini")),
        "{paths:#?}"
    );
    // The J2 cases keep their mapped models.
    assert!(
        paths.contains("/model/ai21.j2-ultra-v1/invoke"),
        "{paths:#?}"
    );
    let (cases, _) = cases_with(bedrock(), Some("ai21.j2-mid-v1"));
    assert!(
        cases
            .iter()
            .filter(|case| case.path.contains("j2-"))
            .all(|case| case.path == "/model/ai21.j2-mid-v1/invoke")
    );
    assert!(model_is_j2(Dialect::Bedrock, "eu.ai21.j2-ultra-v1"));
    assert!(!model_is_j2(Dialect::Vertex, "ai21.j2-ultra-v1"));
    let (cases, _) = cases_with(vertex(), Some("jamba-1.5-large@001"));
    assert!(
        cases
            .iter()
            .all(|case| case.path.contains("/models/jamba-1.5-large@001:"))
    );
}

#[test]
fn models_map_onto_the_partners_names() {
    let j2 = Endpoint::J2Complete {
        model: String::new(),
        custom_model: None,
    };
    for (endpoint, model, id) in [
        (&j2, "j2-ultra", "ai21.j2-ultra-v1"),
        (&j2, "j2-jumbo-instruct", "ai21.j2-ultra-v1"),
        (&j2, "j2-mid", "ai21.j2-mid-v1"),
        (&j2, "j2-light", "ai21.j2-mid-v1"),
        (
            &Endpoint::JambaChat,
            "jamba-large",
            "ai21.jamba-1-5-large-v1:0",
        ),
        (
            &Endpoint::JambaChat,
            "jamba-1.5-large",
            "ai21.jamba-1-5-large-v1:0",
        ),
        (
            &Endpoint::JambaChat,
            "jamba-mini",
            "ai21.jamba-1-5-mini-v1:0",
        ),
        (
            &Endpoint::JambaChat,
            "jamba-instruct",
            "ai21.jamba-1-5-mini-v1:0",
        ),
    ] {
        assert_eq!(bedrock_model(endpoint, model), id, "{model}");
    }
    assert_eq!(vertex_model("jamba-large-1.6"), "jamba-1.5-large@001");
    assert_eq!(vertex_model("jamba-mini"), "jamba-1.5-mini@001");
}
