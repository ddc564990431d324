//! Unit tests of the model registry: its file, the lookups, and the drift findings per
//! platform and day. "Today" is always given, so no test depends on the clock.

use ai21_schemas::Dialect;

use super::*;

/// A day, written as the registry writes it.
fn day(text: &str) -> Date {
    iso_date(text).expect("a test date")
}

/// The finding for a request naming `name` on `dialect`, with `timestamp`, checked on
/// `today`: its rule and message, or `None`.
fn request(
    name: &str,
    dialect: Dialect,
    timestamp: Option<&str>,
    today: &str,
) -> Option<(&'static str, String)> {
    check_model_at(
        name,
        "model",
        "/model",
        Use::Request,
        dialect,
        timestamp,
        day(today),
    )
    .map(|finding| (finding.rule, finding.message))
}

/// One line of data per case: what a request gives.
fn check(
    name: &str,
    dialect: Dialect,
    timestamp: Option<&str>,
    today: &str,
    expected: Option<(&str, &str)>,
) {
    let found = request(name, dialect, timestamp, today);
    assert_eq!(
        found
            .as_ref()
            .map(|(rule, message)| (*rule, message.as_str())),
        expected,
        "{name} on {dialect} at {timestamp:?}, today {today}"
    );
}

const BEFORE_ANY: &str = "2024-01-01";
const AFTER_J2: &str = "2025-06-01";
const AFTER_SUNSET: &str = "2026-12-01";

#[test]
fn the_registry_parses_and_every_model_has_a_studio_name() {
    let models = known_models().expect("data/models.json is valid");
    assert_eq!(models.len(), 24);
    for model in models {
        assert_eq!(model.names_on(Dialect::Studio).first(), Some(&model.name));
        assert!(
            ["j1", "j2", "jamba"].contains(&model.family.as_str()),
            "{}",
            model.name
        );
        assert!(!model.note.is_empty(), "{}", model.name);
    }
    // Names are unique on each platform, so a lookup has one answer.
    for dialect in Dialect::ALL {
        let mut names: Vec<&str> = models
            .iter()
            .flat_map(|model| model.names_on(dialect))
            .map(String::as_str)
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a name listed twice on {dialect}");
    }
}

#[test]
fn every_lifecycle_event_has_a_source_and_every_date_parses() {
    let mut events = 0;
    for model in known_models().expect("valid") {
        for dialect in Dialect::ALL {
            let Some(platform) = model.platforms.get(dialect) else {
                continue;
            };
            let sourced = |source: &str| {
                source.starts_with("api-facts section ") || source.starts_with("assumed: ")
            };
            assert!(
                sourced(&platform.names_source),
                "{} on {dialect}",
                model.name
            );
            for event in &platform.lifecycle {
                events += 1;
                assert!(
                    sourced(&event.source),
                    "{} on {dialect}: {event:?}",
                    model.name
                );
                for date in [&event.date, &event.not_before].into_iter().flatten() {
                    assert!(
                        iso_date(date).is_ok(),
                        "{} on {dialect}: {date}",
                        model.name
                    );
                }
                assert_eq!(event.day.is_some(), event.date.is_some());
            }
            if platform.lifecycle.is_empty() {
                assert!(
                    platform
                        .unknown
                        .as_deref()
                        .is_some_and(|why| !why.is_empty())
                );
            }
        }
    }
    assert!(events >= 50, "{events}");
}

#[test]
fn a_broken_registry_is_an_error_that_says_where() {
    let file = |platform: &str| {
        format!(
            r#"{{"$comment": "", "models": [{{"family": "j2", "note": "n", "platforms": {{{platform}}}}}]}}"#
        )
    };
    let studio = |lifecycle: &str| {
        file(&format!(
            r#""studio": {{"names": ["j2-mid"], "names_source": "api-facts section 1", "lifecycle": [{lifecycle}]}}"#
        ))
    };
    let cases = [
        (
            studio(r#"{"event": "retired", "date": "2024-11-31", "source": "s"}"#),
            "/models/0/platforms/studio/lifecycle/0/date: \"2024-11-31\" is not a date",
        ),
        (
            studio(r#"{"event": "retired", "date": "2024-1-11", "source": "s"}"#),
            "/models/0/platforms/studio/lifecycle/0/date: \"2024-1-11\" is not an ISO date (YYYY-MM-DD)",
        ),
        (
            studio(r#"{"event": "retired", "date": "2024-11-11", "source": " "}"#),
            "/models/0/platforms/studio/lifecycle/0/source: empty",
        ),
        (
            studio(
                r#"{"event": "retired", "date": "2024-11-11", "not_before": "2024-11-11", "source": "s"}"#,
            ),
            "/models/0/platforms/studio/lifecycle/0: both date and not_before",
        ),
        (
            studio(""),
            "/models/0/platforms/studio: no lifecycle event gives a status: say why it is unknown",
        ),
        (
            studio(r#"{"event": "gone", "source": "s"}"#),
            "unknown variant `gone`",
        ),
        (
            file(
                r#""bedrock": {"names": ["ai21.j2-mid-v1"], "names_source": "s", "lifecycle": [], "unknown": "u"}"#,
            ),
            "/models/0: no AI21 Studio name",
        ),
    ];
    for (text, expected) in cases {
        let message = read_models(&text).expect_err("broken");
        assert!(
            message.contains(expected),
            "{message}\nexpected: {expected}"
        );
    }
}

#[test]
fn a_retired_model_warns_only_from_its_retirement_day() {
    let retired = Some((
        "drift/retired-model",
        "model \"j2-mid\" is retired on AI21 Studio since 2024-11-11",
    ));
    // Without a timestamp, today decides.
    check("j2-mid", Dialect::Studio, None, AFTER_J2, retired);
    check("j2-mid", Dialect::Studio, None, BEFORE_ANY, None);
    // With one, the day it was recorded decides, whatever today is: a capture from before
    // the retirement used a live model.
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-06-01T12:00:00Z"),
        AFTER_SUNSET,
        None,
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-11-10T23:59:59Z"),
        AFTER_SUNSET,
        None,
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-11-11T00:00:00Z"),
        BEFORE_ANY,
        retired,
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2025-02-01T08:00:00.250+01:00"),
        BEFORE_ANY,
        retired,
    );
    // The day is UTC's: late on the 10th in New York is the 11th in UTC.
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-11-10T20:00:00-05:00"),
        BEFORE_ANY,
        retired,
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-11-10T18:00:00-05:00"),
        BEFORE_ANY,
        None,
    );
    // Other spellings captures use: no offset (UTC), a bare date, Unix seconds.
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-11-12T09:00:00"),
        BEFORE_ANY,
        retired,
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("2024-11-10"),
        AFTER_SUNSET,
        None,
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("1731283200"),
        BEFORE_ANY,
        retired,
    ); // 2024-11-11T00:00Z
    check(
        "j2-mid",
        Dialect::Studio,
        Some("1731283199.5"),
        AFTER_SUNSET,
        None,
    );
    // J1 went with J2.
    check(
        "j1-jumbo",
        Dialect::Studio,
        None,
        AFTER_J2,
        Some((
            "drift/retired-model",
            "model \"j1-jumbo\" is retired on AI21 Studio since 2024-11-11",
        )),
    );
}

#[test]
fn an_unreadable_timestamp_is_checked_as_of_today_and_says_so() {
    check(
        "j2-mid",
        Dialect::Studio,
        Some("last tuesday"),
        AFTER_J2,
        Some((
            "drift/retired-model",
            "model \"j2-mid\" is retired on AI21 Studio since 2024-11-11 (the timestamp \"last tuesday\" is not an RFC 3339 date-time or Unix seconds, so it is checked as of today)",
        )),
    );
    check(
        "j2-mid",
        Dialect::Studio,
        Some("last tuesday"),
        BEFORE_ANY,
        None,
    );
    for unreadable in [
        "",
        "2024-13-01T00:00:00Z",
        "1731283200123456789",
        "-5",
        "12.x",
    ] {
        assert_eq!(capture_day(unreadable), None, "{unreadable:?}");
    }
}

#[test]
fn the_jamba_sunset_on_studio_names_where_the_model_lives_on() {
    // Before the sunset, Studio serves every Jamba model.
    check(
        "jamba-1.5-mini",
        Dialect::Studio,
        Some("2025-03-01T00:00:00Z"),
        AFTER_SUNSET,
        None,
    );
    check("jamba-large", Dialect::Studio, None, AFTER_J2, None);
    // After it, the message names the platforms where the model is active.
    check(
        "jamba-1.5-mini",
        Dialect::Studio,
        None,
        AFTER_SUNSET,
        Some((
            "drift/retired-model",
            "model \"jamba-1.5-mini\" is retired on AI21 Studio since 2026-08-09, active on Amazon Bedrock as ai21.jamba-1-5-mini-v1:0",
        )),
    );
    check(
        "jamba-1.5-large",
        Dialect::Studio,
        Some("2026-08-09T00:00:00Z"),
        BEFORE_ANY,
        Some((
            "drift/retired-model",
            "model \"jamba-1.5-large\" is retired on AI21 Studio since 2026-08-09, active on Amazon Bedrock as ai21.jamba-1-5-large-v1:0",
        )),
    );
    // A platform whose status is unknown (Vertex, Azure) is not called active.
    check(
        "jamba-instruct",
        Dialect::Studio,
        None,
        AFTER_SUNSET,
        Some((
            "drift/retired-model",
            "model \"jamba-instruct\" is retired on AI21 Studio since 2026-08-09",
        )),
    );
}

#[test]
fn a_deprecated_model_warns_with_its_note() {
    check(
        "jamba-1.6-mini",
        Dialect::Studio,
        Some("2025-06-01T00:00:00Z"),
        AFTER_SUNSET,
        Some((
            "drift/deprecated-model",
            "model \"jamba-1.6-mini\" is deprecated on AI21 Studio: flagged deprecated by the TypeScript SDK (api-facts section 1); use jamba-mini-1.6",
        )),
    );
    // Retirement outranks deprecation.
    assert_eq!(
        request("jamba-1.6-mini", Dialect::Studio, None, AFTER_SUNSET).map(|(rule, _)| rule),
        Some("drift/retired-model")
    );
}

#[test]
fn bedrock_ids_are_looked_up_among_bedrock_names() {
    // Bedrock lists Jamba 1.5 as active, after AI21's own sunset too.
    check(
        "ai21.jamba-1-5-mini-v1:0",
        Dialect::Bedrock,
        None,
        AFTER_SUNSET,
        None,
    );
    check(
        "ai21.jamba-1-5-large-v1:0",
        Dialect::Bedrock,
        Some("2025-01-01T00:00:00Z"),
        BEFORE_ANY,
        None,
    );
    // Bedrock's end of life is "no sooner than 2025-09-23": announced, not dated, so the
    // model is still active after that day.
    let bedrock = find_model_on("ai21.jamba-1-5-mini-v1:0", Dialect::Bedrock).expect("known");
    let platform = bedrock.platforms.get(Dialect::Bedrock).expect("on Bedrock");
    assert_eq!(platform.standing(day("2025-09-24")).0, ModelStatus::Active);
    assert_eq!(platform.standing(day("2024-09-23")).0, ModelStatus::Active);
    // Before Bedrock launched it, a request to it is news.
    check(
        "ai21.jamba-1-5-mini-v1:0",
        Dialect::Bedrock,
        Some("2024-06-01T00:00:00Z"),
        AFTER_SUNSET,
        Some((
            "drift/unknown-model",
            "model \"ai21.jamba-1-5-mini-v1:0\" was not served on Amazon Bedrock yet on 2024-06-01: launched there 2024-09-23",
        )),
    );
    // Bedrock's J2 ids: the facts give no Bedrock dates, so the status is unknown: no
    // retirement warning, although J2 is retired on Studio.
    check("ai21.j2-mid-v1", Dialect::Bedrock, None, AFTER_SUNSET, None);
    assert_eq!(
        find_model_on("ai21.j2-ultra-v1", Dialect::Bedrock)
            .and_then(|model| model.platforms.get(Dialect::Bedrock))
            .map(|platform| platform.standing(day(AFTER_SUNSET)).0),
        Some(ModelStatus::Unknown)
    );
}

#[test]
fn a_cross_region_prefix_and_an_arn_are_looked_through_on_bedrock() {
    for id in [
        "us.ai21.jamba-1-5-large-v1:0",
        "eu.ai21.jamba-1-5-large-v1:0",
        "apac.ai21.jamba-1-5-large-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.ai21.jamba-1-5-large-v1:0",
    ] {
        assert_eq!(
            find_model_on(id, Dialect::Bedrock).map(|model| model.name.as_str()),
            Some("jamba-1.5-large"),
            "{id}"
        );
        check(id, Dialect::Bedrock, None, AFTER_SUNSET, None);
    }
    // Only on Bedrock: a prefixed id means nothing to Studio.
    assert_eq!(
        find_model_on("us.ai21.jamba-1-5-large-v1:0", Dialect::Studio),
        None
    );
}

#[test]
fn a_vertex_name_carries_its_version() {
    check(
        "jamba-1.5-mini@001",
        Dialect::Vertex,
        None,
        AFTER_SUNSET,
        None,
    );
    assert_eq!(
        find_model_on("jamba-1.5-large@001", Dialect::Vertex).map(|model| model.name.as_str()),
        Some("jamba-1.5-large")
    );
    // Vertex's status is not confirmed: unknown, not active.
    let vertex = find_model_on("jamba-1.5-mini@001", Dialect::Vertex)
        .and_then(|model| model.platforms.get(Dialect::Vertex))
        .expect("on Vertex");
    assert_eq!(vertex.standing(day(AFTER_SUNSET)).0, ModelStatus::Unknown);
    check(
        "jamba-1.5-mini@002",
        Dialect::Vertex,
        None,
        AFTER_SUNSET,
        Some((
            "drift/unknown-model",
            "model \"jamba-1.5-mini@002\" is not a name Google Vertex AI knows: jamba-1.5-mini with a version the registry does not list; Google Vertex AI calls it jamba-1.5-mini@001",
        )),
    );
    check(
        "jamba-1.5-mini",
        Dialect::Vertex,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"jamba-1.5-mini\" is not a name Google Vertex AI knows: it is AI21 Studio's name of the model; Google Vertex AI calls it jamba-1.5-mini@001",
        )),
    );
}

#[test]
fn azure_names_are_its_catalogs_and_their_status_is_unknown() {
    check(
        "AI21-Jamba-1.5-Mini",
        Dialect::Azure,
        None,
        AFTER_SUNSET,
        None,
    );
    check(
        "AI21-Jamba-Instruct",
        Dialect::Azure,
        None,
        AFTER_SUNSET,
        None,
    );
    let azure = find_model_on("AI21-Jamba-1.5-Large", Dialect::Azure).expect("known");
    let platform = azure.platforms.get(Dialect::Azure).expect("on Azure");
    assert_eq!(platform.standing(day(AFTER_SUNSET)).0, ModelStatus::Unknown);
    assert!(platform.names_source.starts_with("assumed: "));
    // The AI21 SDK's Azure client keeps AI21 Studio's name in the body.
    check("jamba-1.5-mini", Dialect::Azure, None, AFTER_SUNSET, None);
    assert_eq!(
        find_model_on("jamba-1.5-large", Dialect::Azure).map(|model| model.name.as_str()),
        Some("jamba-1.5-large")
    );
    // A Jamba model Azure does not list.
    check(
        "jamba-mini",
        Dialect::Azure,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"jamba-mini\" is not a name Azure AI knows: it is AI21 Studio's name of the model; Azure AI does not list it",
        )),
    );
}

#[test]
fn a_name_of_another_platform_is_unknown_with_a_hint() {
    // A Studio name sent to Bedrock.
    check(
        "jamba-1.5-mini",
        Dialect::Bedrock,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"jamba-1.5-mini\" is not a name Amazon Bedrock knows: it is AI21 Studio's name of the model; Amazon Bedrock calls it ai21.jamba-1-5-mini-v1:0",
        )),
    );
    check(
        "j2-light",
        Dialect::Bedrock,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"j2-light\" is not a name Amazon Bedrock knows: it is AI21 Studio's name of the model; Amazon Bedrock does not list it",
        )),
    );
    // A Bedrock id sent to Studio.
    check(
        "ai21.j2-mid-v1",
        Dialect::Studio,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"ai21.j2-mid-v1\" is not a name AI21 Studio knows: it is Amazon Bedrock's name of j2-mid; AI21 Studio calls it j2-mid",
        )),
    );
    // A Vertex name sent to Studio.
    check(
        "jamba-1.5-mini@001",
        Dialect::Studio,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"jamba-1.5-mini@001\" is not a name AI21 Studio knows: it is Google Vertex AI's name of jamba-1.5-mini; AI21 Studio calls it jamba-1.5-mini",
        )),
    );
    // A name nobody knows.
    check(
        "gpt-4o",
        Dialect::Azure,
        None,
        BEFORE_ANY,
        Some((
            "drift/unknown-model",
            "model \"gpt-4o\" is not a known AI21 model",
        )),
    );
}

#[test]
fn a_response_is_checked_for_an_unknown_name_only() {
    let response = |name: &str, dialect: Dialect| {
        check_model_at(
            name,
            "model",
            "/model",
            Use::Response,
            dialect,
            None,
            day(AFTER_SUNSET),
        )
        .map(|finding| finding.rule)
    };
    // Retired, but a server reporting it is no news.
    assert_eq!(response("jamba-1.5-mini", Dialect::Studio), None);
    // Partners report AI21 Studio's names (Bedrock) or their own (Vertex).
    assert_eq!(response("jamba-1.5-mini", Dialect::Bedrock), None);
    assert_eq!(response("jamba-1.5-mini@001", Dialect::Vertex), None);
    // A payload's rules do not know the platform: a Vertex name in a response checked as
    // Studio's is known too.
    assert_eq!(response("jamba-1.5-mini@001", Dialect::Studio), None);
    assert_eq!(
        response("jamba-1.5-mini@009", Dialect::Vertex),
        Some("drift/unknown-model")
    );
    assert_eq!(
        response("jamba-9", Dialect::Bedrock),
        Some("drift/unknown-model")
    );
}

#[test]
fn find_model_keeps_reading_studio_names_and_knows_the_others() {
    let name = |text: &str| find_model(text).map(|model| model.name.as_str());
    assert_eq!(name("j2-mid"), Some("j2-mid"));
    assert_eq!(name("jamba-1.5-mini@001"), Some("jamba-1.5-mini"));
    assert_eq!(name("ai21.j2-ultra-v1"), Some("j2-ultra"));
    assert_eq!(name("us.ai21.jamba-1-5-mini-v1:0"), Some("jamba-1.5-mini"));
    assert_eq!(name("AI21-Jamba-Instruct"), Some("jamba-instruct"));
    assert_eq!(name("gpt-4o"), None);
}

/// The day the tests of this process pin, between J2's retirement and the Jamba sunset.
const PINNED_DAY: &str = "2026-01-01";

#[test]
fn the_no_timestamp_studio_check_is_check_model_on_the_pinned_day() {
    pin_today(PINNED_DAY).expect("one day for every test");
    assert_eq!(today().day, day(PINNED_DAY));
    assert_eq!(today().note, None);
    for name in [
        "j2-mid",
        "jamba-mini",
        "jamba-1.6-mini",
        "ai21.j2-mid-v1",
        "nope",
    ] {
        assert_eq!(
            check_model(name, "model", "/model", Use::Request),
            check_model_at(
                name,
                "model",
                "/model",
                Use::Request,
                Dialect::Studio,
                None,
                day(PINNED_DAY)
            ),
            "{name}"
        );
    }
    let rule =
        |name: &str| check_model(name, "model", "/model", Use::Request).map(|finding| finding.rule);
    assert_eq!(rule("j2-mid"), Some("drift/retired-model"));
    assert_eq!(rule("jamba-mini"), None);
    // A timestamp still decides over the pinned day.
    let after = check_model_on(
        "jamba-mini",
        "model",
        "/model",
        Use::Request,
        Dialect::Studio,
        Some("2026-09-01T00:00:00Z"),
    );
    assert_eq!(
        after.map(|finding| finding.rule),
        Some("drift/retired-model")
    );
}

#[test]
fn pinning_another_day_is_an_error_that_names_it() {
    pin_today(PINNED_DAY).expect("one day for every test");
    let error = pin_today("2026-02-01").expect_err("another day");
    assert_eq!(
        error.to_string(),
        "pinning today to \"2026-02-01\": today is already pinned to 2026-01-01"
    );
    let error = pin_today("2026-02-30").expect_err("not a date");
    assert!(
        error
            .to_string()
            .starts_with("pinning today to \"2026-02-30\": \"2026-02-30\" is not a date"),
        "{error}"
    );
}

#[test]
fn an_unusable_today_variable_is_said_in_the_findings_that_depend_on_the_day() {
    let today = Today {
        day: day(AFTER_J2),
        note: Some(format!(
            "{TODAY_VARIABLE} is set but not used: \"soon\" is not an ISO date (YYYY-MM-DD); today is the clock's"
        )),
    };
    let finding = check_model_on_day(
        "j2-mid",
        "model",
        "/model",
        Use::Request,
        Dialect::Studio,
        None,
        today,
    )
    .expect("retired");
    assert_eq!(
        finding.message,
        "model \"j2-mid\" is retired on AI21 Studio since 2024-11-11 (AI21_CONTRACT_TODAY is set but not used: \"soon\" is not an ISO date (YYYY-MM-DD); today is the clock's)"
    );
}

/// The page that shows the registry as a table, between these markers.
const TABLE_PAGE: &str = "docs/validator.md";
const TABLE_START: &str = "<!-- models:start -->";
const TABLE_END: &str = "<!-- models:end -->";
/// The environment variable that makes the test rewrite the table.
const BLESS: &str = "AI21_CONTRACT_BLESS";

/// The registry as the page shows it: a row per model and platform, and the sources,
/// numbered in order of first use.
fn registry_table() -> String {
    let mut sources: Vec<&str> = Vec::new();
    let mut cite = |source: &'static str| {
        let number = match sources.iter().position(|known| *known == source) {
            Some(index) => index + 1,
            None => {
                sources.push(source);
                sources.len()
            }
        };
        format!("[{number}]")
    };
    let mut table = String::from(
        "| model | family | platform | names there | lifecycle there |\n|---|---|---|---|---|\n",
    );
    for model in known_models().expect("valid") {
        for dialect in Dialect::ALL {
            let Some(platform) = model.platforms.get(dialect) else {
                continue;
            };
            let names = platform
                .names
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let names = format!("{names} {}", cite(&platform.names_source));
            let mut lifecycle: Vec<String> = platform
                .lifecycle
                .iter()
                .map(|event| {
                    let when = match (&event.date, &event.not_before) {
                        (Some(date), _) => format!(" {date}"),
                        (None, Some(not_before)) => format!(" no sooner than {not_before}"),
                        (None, None) => ", date not given".to_owned(),
                    };
                    format!("{}{when} {}", event.event.name(), cite(&event.source))
                })
                .collect();
            if let Some(why) = &platform.unknown {
                lifecycle.push(format!("status unknown {}", cite(why)));
            }
            table.push_str(&format!(
                "| `{}` | {} | {} | {names} | {} |\n",
                model.name,
                model.family,
                dialect.title(),
                lifecycle.join("; ")
            ));
        }
    }
    table.push_str("\nSources:\n\n");
    for (index, source) in sources.iter().enumerate() {
        table.push_str(&format!("{}. {}\n", index + 1, source.replace('|', "\\|")));
    }
    table.trim_end().to_owned()
}

#[test]
fn the_docs_table_is_the_registry() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join(TABLE_PAGE);
    let page = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let Some((before, rest)) = page.split_once(TABLE_START) else {
        panic!("{TABLE_PAGE}: no {TABLE_START} marker");
    };
    let Some((current, after)) = rest.split_once(TABLE_END) else {
        panic!("{TABLE_PAGE}: no {TABLE_END} marker after {TABLE_START}");
    };
    let table = registry_table();
    if current.trim() == table {
        return;
    }
    if std::env::var_os(BLESS).is_some() {
        let rewritten = format!("{before}{TABLE_START}\n{table}\n{TABLE_END}{after}");
        std::fs::write(&path, rewritten)
            .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
        return;
    }
    let old: Vec<&str> = current.trim().lines().collect();
    let new: Vec<&str> = table.lines().collect();
    let mut diff = String::new();
    for index in 0..old.len().max(new.len()) {
        let (before, after) = (old.get(index), new.get(index));
        if before != after {
            if let Some(before) = before {
                diff.push_str(&format!("- {before}\n"));
            }
            if let Some(after) = after {
                diff.push_str(&format!("+ {after}\n"));
            }
        }
    }
    panic!(
        "{TABLE_PAGE}: the model table differs from data/models.json (- the page, + the registry):\n{diff}\
         rewrite it with: {BLESS}=1 cargo test -p ai21-validate --lib model"
    );
}
