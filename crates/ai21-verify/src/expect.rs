//! What a refusal must be: the status the API answers a request it must refuse with, and
//! for a 422 the `loc` of the broken field, each with the source of the expectation and
//! whether recorded traffic confirms it ([`Source`]).
//!
//! The table of sources is [`SOURCES`]; `docs/verify.md` shows it. Against the mock every
//! expectation is exact (the mock is this project's own reading of the API); against a
//! live endpoint an expectation that no recorded traffic confirms is reported as a
//! warning, a confirmed one as an error.

use ai21_validate::{Finding, Severity, Target as Place};
use serde_json::Value;

/// Where an expectation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// A short name, as reports show it, such as `recorded-401`.
    pub id: &'static str,
    /// Whether recorded real traffic shows the API answering so.
    pub confirmed: bool,
    /// What shows it, with a reference (section 7 of the API facts the project was built
    /// from, `api-facts.md`, summarises the evidence).
    pub evidence: &'static str,
}

/// A request without a key, or with a bad one, gets 401: recorded.
pub const RECORDED_401: Source = Source {
    id: "recorded-401",
    confirmed: true,
    evidence: "recorded traffic: 401 {\"detail\": \"Forbidden: Bad or missing API token.\"} from Studio (DataDog/dd-trace-py cassette ai21_completion_sync.yaml; api-facts section 7)",
};

/// A malformed chat request gets 422: recorded.
pub const RECORDED_CHAT_422: Source = Source {
    id: "recorded-chat-422",
    confirmed: true,
    evidence: "recorded traffic: 422 Unprocessable Entity for a malformed chat/completions request (swarmauri/swarmauri-sdk issue #117 log; api-facts section 7)",
};

/// A malformed J2 request gets 422: what the mock answers and the SDK maps, not recorded.
pub const J2_422: Source = Source {
    id: "j2-422",
    confirmed: false,
    evidence: "unconfirmed: no J2 422 was recorded; the SDK maps 422 to UnprocessableEntity and the mock answers it (api-facts section 7)",
};

/// A body that is not JSON gets 400: the mock's answer only.
pub const NOT_JSON_400: Source = Source {
    id: "not-json-400",
    confirmed: false,
    evidence: "unconfirmed: the mock's answer; no recorded traffic shows what the API answers a body that is not JSON (the SDK maps 400 to BadRequest; api-facts section 7)",
};

/// A path that is no endpoint gets 404: the mock's answer only.
pub const NOT_FOUND_404: Source = Source {
    id: "not-found-404",
    confirmed: false,
    evidence: "unconfirmed: the mock's answer; the SDK has a NotFound class for 404, but no recorded traffic shows it (api-facts section 7)",
};

/// A 422's `loc` points at the broken field: the FastAPI shape, unverified.
pub const VALIDATION_LOC: Source = Source {
    id: "validation-loc",
    confirmed: false,
    evidence: "unconfirmed: the body {\"detail\": [{\"loc\", \"msg\", \"type\"}]} is FastAPI's and was never captured from AI21 (api-facts section 7); the field is the pointer schemas/examples/manifest.json records for the example",
};

/// Bedrock refuses a malformed request (a broken field, a body that is not JSON) with 400
/// `ValidationException` and its own body `{"message": ...}`: recorded.
pub const BEDROCK_400: Source = Source {
    id: "bedrock-400",
    confirmed: true,
    evidence: "recorded traffic: Bedrock answers 400 with `x-amzn-ErrorType: ValidationException` and {\"message\": ...} (traceloop/openllmetry cassette, for an invalid model identifier; api-facts section 7); that a broken body field or a body that is not JSON gets the same 400 (\"Malformed input request\") is Bedrock's documented ValidationException, the same status for any input that fails validation",
};

/// An unsigned request to Bedrock gets 403: AWS's answer to a request without
/// credentials, not recorded for Bedrock.
pub const BEDROCK_403: Source = Source {
    id: "bedrock-403",
    confirmed: false,
    evidence: "unconfirmed: AWS answers a request without a signature 403 (AccessDeniedException, \"Missing Authentication Token\"; the SDK's Bedrock client maps 403 to AccessDenied, api-facts section 1), and the mock does; no recorded Bedrock traffic shows it",
};

/// A malformed request through Vertex gets AI21's own 422, passed through: assumed.
pub const VERTEX_422: Source = Source {
    id: "vertex-422",
    confirmed: false,
    evidence: "unconfirmed: Vertex's rawPredict hands the body to the model's container, assumed to answer AI21's 422 {\"detail\": [...]}, passed through; the mock does; no recorded Vertex traffic shows an error (api-facts sections 1 and 7)",
};

/// A malformed request through Azure gets AI21's own 422, passed through: assumed.
pub const AZURE_422: Source = Source {
    id: "azure-422",
    confirmed: false,
    evidence: "unconfirmed: an Azure AI deployment hands the body to the model's container, assumed to answer AI21's 422 {\"detail\": [...]}, passed through; the mock does; no Azure traffic was recorded (api-facts sections 1 and 7)",
};

/// A body that is not JSON, through Vertex or Azure, gets 400: assumed.
pub const PARTNER_NOT_JSON_400: Source = Source {
    id: "partner-not-json-400",
    confirmed: false,
    evidence: "unconfirmed: the mock's answer (Google's INVALID_ARGUMENT, Azure's Bad Request); no recorded traffic shows what Vertex or Azure answers a body that is not JSON",
};

/// A request to Vertex without a token gets 401: Google's answer, not recorded.
pub const VERTEX_401: Source = Source {
    id: "vertex-401",
    confirmed: false,
    evidence: "unconfirmed: Google APIs answer a request without credentials 401 UNAUTHENTICATED, and the mock does; no recorded Vertex traffic shows it",
};

/// A request to Azure without a key gets 401: Azure's answer, not recorded.
pub const AZURE_401: Source = Source {
    id: "azure-401",
    confirmed: false,
    evidence: "unconfirmed: Azure AI answers a request without `api-key` 401 {\"error\": ...}, and the mock does; no Azure traffic was recorded",
};

/// Every source of an expectation, for the documentation and the report.
pub const SOURCES: &[Source] = &[
    RECORDED_401,
    RECORDED_CHAT_422,
    J2_422,
    NOT_JSON_400,
    NOT_FOUND_404,
    VALIDATION_LOC,
    BEDROCK_400,
    BEDROCK_403,
    VERTEX_422,
    AZURE_422,
    PARTNER_NOT_JSON_400,
    VERTEX_401,
    AZURE_401,
];

/// What kind of server the suite runs against: it decides how an expectation that no
/// recorded traffic confirms is reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Server {
    /// The mock of this project (or a stand-in for it): every expectation is exact, and a
    /// miss is an error.
    #[default]
    Mock,
    /// A live endpoint: a miss of a confirmed expectation is an error, of an unconfirmed
    /// one a warning.
    Live,
}

impl Server {
    fn severity(self, source: Source) -> Severity {
        if self == Server::Mock || source.confirmed {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

/// The `loc` a 422 must point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedLoc {
    /// The broken field as a JSON Pointer into the body (`/maxTokens`; empty for the
    /// whole body).
    pub pointer: String,
    /// Whether a member of that place is what is broken (a missing required member): then
    /// a `loc` naming any member of it matches too.
    pub member: bool,
    /// Where the expectation comes from.
    pub source: Source,
}

/// What the answer to a request the API must refuse must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// Where the status comes from.
    pub source: Source,
    /// For a 422, the field its `loc` must point at.
    pub loc: Option<ExpectedLoc>,
}

fn finding(rule: &'static str, severity: Severity, message: String) -> Finding {
    let finding = match severity {
        Severity::Error => Finding::error(rule, "", message),
        Severity::Warning => Finding::warning(rule, "", message),
    };
    finding.with_target(Place::Response)
}

fn because(source: Source) -> String {
    format!("expectation {}: {}", source.id, source.evidence)
}

/// The runner's findings on the refusal of `case` (named in messages): the status class,
/// the exact status, and a 422's `loc`.
pub(crate) fn check_refusal(
    name: &str,
    refusal: &Refusal,
    status: u16,
    body: Option<&Value>,
    server: Server,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !(400..500).contains(&status) {
        findings.push(finding(
            "verify/expected-client-error",
            Severity::Error,
            format!(
                "{name}: got status {status}, expected a 4xx refusal ({} expected; {})",
                refusal.status,
                because(refusal.source)
            ),
        ));
        return findings;
    }
    if status != refusal.status {
        findings.push(finding(
            "verify/expected-status",
            server.severity(refusal.source),
            format!(
                "{name}: got status {status}, expected {} ({})",
                refusal.status,
                because(refusal.source)
            ),
        ));
        // A 422's loc is only read in a 422.
        return findings;
    }
    if let Some(expected) = &refusal.loc {
        let locs = locs(body);
        let wanted = if expected.pointer.is_empty() {
            "the body".to_owned()
        } else {
            format!("{:?}", expected.pointer)
        };
        let message = match &locs {
            None => Some(format!(
                "{name}: the 422 body has no `detail` list of problems with a `loc`, expected one pointing at {wanted} ({})",
                because(expected.source)
            )),
            Some(locs) if !locs.iter().any(|loc| matches(expected, loc)) => {
                let got: Vec<String> = locs.iter().map(Value::to_string).collect();
                Some(format!(
                    "{name}: the 422 points at {}, expected a `loc` at {wanted}{} ({})",
                    got.join(", "),
                    if expected.member {
                        " or a member of it"
                    } else {
                        ""
                    },
                    because(expected.source)
                ))
            }
            Some(_) => None,
        };
        if let Some(message) = message {
            findings.push(finding(
                "verify/expected-loc",
                server.severity(expected.source),
                message,
            ));
        }
    }
    findings
}

/// The `loc` of every problem of a `{"detail": [{"loc": [...]}]}` body; `None` when the
/// body is not of that shape.
fn locs(body: Option<&Value>) -> Option<Vec<Value>> {
    let detail = body?.get("detail")?.as_array()?;
    let locs: Vec<Value> = detail
        .iter()
        .filter_map(|problem| problem.get("loc"))
        .filter(|loc| loc.is_array())
        .cloned()
        .collect();
    (!locs.is_empty()).then_some(locs)
}

/// Whether a `loc` (`["body", "messages", 1, "content"]`) points at the expected field.
fn matches(expected: &ExpectedLoc, loc: &Value) -> bool {
    let Some(parts) = loc.as_array() else {
        return false;
    };
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    if first != "body" {
        return false;
    }
    let mut pointer = String::new();
    let mut segments = Vec::new();
    for part in rest {
        let segment = match part {
            Value::String(text) => text.replace('~', "~0").replace('/', "~1"),
            Value::Number(number) => number.to_string(),
            _ => return false,
        };
        segments.push(segment);
    }
    for segment in &segments {
        pointer.push('/');
        pointer.push_str(segment);
    }
    if pointer == expected.pointer {
        return true;
    }
    expected.member
        && pointer
            .rsplit_once('/')
            .is_some_and(|(parent, _)| parent == expected.pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loc(pointer: &str, member: bool) -> ExpectedLoc {
        ExpectedLoc {
            pointer: pointer.to_owned(),
            member,
            source: VALIDATION_LOC,
        }
    }

    #[test]
    fn a_loc_matches_its_pointer_and_a_missing_member_matches_its_parent() {
        assert!(matches(
            &loc("/maxTokens", false),
            &json!(["body", "maxTokens"])
        ));
        assert!(matches(
            &loc("/messages/1/content", false),
            &json!(["body", "messages", 1, "content"])
        ));
        assert!(!matches(
            &loc("/maxTokens", false),
            &json!(["body", "prompt"])
        ));
        assert!(!matches(
            &loc("/maxTokens", false),
            &json!(["query", "maxTokens"])
        ));
        assert!(matches(&loc("", true), &json!(["body", "prompt"])));
        assert!(matches(&loc("", true), &json!(["body"])));
        assert!(!matches(&loc("", false), &json!(["body", "prompt"])));
        assert!(matches(
            &loc("/documents/0", true),
            &json!(["body", "documents", 0, "content"])
        ));
        assert!(!matches(
            &loc("/documents/0", true),
            &json!(["body", "documents", 1, "content"])
        ));
    }

    #[test]
    fn a_wrong_status_is_an_error_against_the_mock_and_unconfirmed_live_a_warning() {
        let refusal = Refusal {
            status: 400,
            source: NOT_JSON_400,
            loc: None,
        };
        let mock = check_refusal("case", &refusal, 422, None, Server::Mock);
        assert_eq!(mock.len(), 1);
        assert!(mock[0].is_error() && mock[0].rule == "verify/expected-status");
        assert!(
            mock[0].message.contains("not-json-400"),
            "{}",
            mock[0].message
        );
        let live = check_refusal("case", &refusal, 422, None, Server::Live);
        assert!(!live[0].is_error());
        let confirmed = Refusal {
            status: 401,
            source: RECORDED_401,
            loc: None,
        };
        let live = check_refusal("case", &confirmed, 403, None, Server::Live);
        assert!(live[0].is_error() && live[0].message.contains("recorded-401"));
        let not_refused = check_refusal("case", &confirmed, 200, None, Server::Live);
        assert_eq!(not_refused[0].rule, "verify/expected-client-error");
    }
}
