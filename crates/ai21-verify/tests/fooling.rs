//! The runner cannot be fooled: a proxy in front of the mock that answers client errors
//! with the wrong status, or a 422 that points at the wrong field, fails the suite, naming
//! the expectation and its source; the mock itself passes. And it speaks the partner
//! dialects (module `dialects`, against a stand-in for each partner).

use ai21_capture::ApiKey;
use ai21_check::Checked;
use ai21_verify::{Credentials, Destination, Plan, Server};

mod dialects;
mod lying_proxy;
mod partner_stand_in;

use lying_proxy::Lie;

/// Runs the suite against the mock directly (`None`) or through a lying proxy, both on
/// loopback.
fn run(lie: Option<Lie>, server: Server) -> Vec<Checked> {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let mock = ai21_mock::RunningMock::start(
            "127.0.0.1:0".parse().expect("an address"),
            ai21_mock::Config::default(),
        )
        .await
        .expect("the mock starts");
        let mut base_url = mock.base_url();
        if let Some(lie) = lie {
            base_url = lying_proxy::start(mock.base_url(), lie).await;
        }
        let plan = Plan {
            j2: true,
            jamba: true,
            generated: 2,
            seed: 3,
            server,
            destination: Destination::Studio,
        };
        let credentials = Credentials::Bearer(ApiKey::new("any-key"));
        let checked = ai21_verify::run(&base_url, &credentials, &plan, 4)
            .await
            .expect("the suite runs");
        mock.stop().await.expect("the mock stops");
        checked
    })
}

/// `(rule, is error, message)` of every `verify/` finding.
fn verify_findings(checked: &[Checked]) -> Vec<(&'static str, bool, String)> {
    checked
        .iter()
        .flat_map(|checked| &checked.report.findings)
        .filter(|finding| finding.rule.starts_with("verify/"))
        .map(|finding| (finding.rule, finding.is_error(), finding.message.clone()))
        .collect()
}

#[test]
fn the_mock_itself_passes_every_expectation() {
    for server in [Server::Mock, Server::Live] {
        let checked = run(None, server);
        let errors: Vec<_> = checked
            .iter()
            .flat_map(|checked| checked.report.errors())
            .collect();
        assert!(errors.is_empty(), "{server:?}: {errors:#?}");
        assert!(verify_findings(&checked).is_empty());
    }
}

#[test]
fn a_proxy_that_changes_the_status_fails_naming_the_expectation_and_its_source() {
    let findings = verify_findings(&run(Some(Lie::Status), Server::Live));
    let with = |needle: &str| {
        findings
            .iter()
            .filter(|(rule, _, message)| {
                *rule == "verify/expected-status" && message.contains(needle)
            })
            .collect::<Vec<_>>()
    };
    // 401 -> 403: recorded traffic shows 401, so an error even live.
    let unauthorized = with("got status 403, expected 401 (expectation recorded-401");
    assert_eq!(unauthorized.len(), 1, "{findings:#?}");
    assert!(unauthorized[0].1);
    assert!(unauthorized[0].2.contains("without an API key"));
    // A malformed chat request: 422 is recorded, an error.
    let chat = with("got status 400, expected 422 (expectation recorded-chat-422");
    assert!(
        !chat.is_empty() && chat.iter().all(|finding| finding.1),
        "{findings:#?}"
    );
    // A malformed J2 request: 422 is not recorded, a warning live.
    let j2 = with("got status 400, expected 422 (expectation j2-422");
    assert!(
        !j2.is_empty() && j2.iter().all(|finding| !finding.1),
        "{findings:#?}"
    );

    // Against a stand-in for the mock, every expectation is exact.
    let findings = verify_findings(&run(Some(Lie::Status), Server::Mock));
    assert!(
        findings
            .iter()
            .any(|(_, error, message)| *error && message.contains("j2-422")),
        "{findings:#?}"
    );
    assert!(findings.iter().all(|(_, error, _)| *error));
}

#[test]
fn a_proxy_that_points_the_422_elsewhere_fails_naming_the_field() {
    let checked = run(Some(Lie::Loc), Server::Mock);
    let findings = verify_findings(&checked);
    let loc: Vec<_> = findings
        .iter()
        .filter(|(rule, _, _)| *rule == "verify/expected-loc")
        .collect();
    let negatives = checked
        .iter()
        .filter(|checked| {
            matches!(
                &checked.subject,
                ai21_check::Subject::Exchange { status: 422, .. }
            )
        })
        .count();
    assert!(negatives > 20, "{negatives}");
    assert_eq!(loc.len(), negatives, "one per 422: {findings:#?}");
    assert!(loc.iter().all(|(_, error, _)| *error));
    let max_tokens = loc
        .iter()
        .find(|(_, _, message)| message.contains("max-tokens-negative"))
        .expect("the J2 maxTokens case");
    assert!(
        max_tokens.2.contains(r#"the 422 points at ["body","logitBias","elsewhere"], expected a `loc` at "/maxTokens" (expectation validation-loc"#),
        "{}",
        max_tokens.2
    );
    // Live, the body of a 422 is unconfirmed: warnings.
    let findings = verify_findings(&run(Some(Lie::Loc), Server::Live));
    assert!(
        findings
            .iter()
            .any(|(rule, _, _)| *rule == "verify/expected-loc")
    );
    assert!(
        findings.iter().all(|(_, error, _)| !*error),
        "{findings:#?}"
    );
}

#[test]
fn a_proxy_whose_answers_ignore_the_request_fails_the_targeted_checks() {
    let findings = verify_findings(&run(Some(Lie::Answers), Server::Live));
    let named = |rule: &str, case: &str| {
        findings
            .iter()
            .any(|(found, error, message)| *found == rule && *error && message.contains(case))
    };
    assert!(
        named("verify/choice-count", "targeted J2 numResults 3"),
        "{findings:#?}"
    );
    assert!(
        named("verify/stop-sequence", "targeted Jamba n 3"),
        "{findings:#?}"
    );
    assert!(
        named("verify/stream-framing", "targeted Jamba stream"),
        "{findings:#?}"
    );
}
