//! Where the suite is sent: AI21 Studio, or a partner cloud that serves AI21's models
//! ([`Destination`]), and each case of the canonical suite written as that dialect wants
//! it: along the dialect's route, with the body its official client sends, and the
//! refusal the dialect is expected to answer.
//!
//! | dialect | path | body | model |
//! |---|---|---|---|
//! | Studio | `/studio/v1/{model}/complete`, `/studio/v1/chat/completions` | as is | the path's (J2), the body's (Jamba) |
//! | Bedrock | `/model/{modelId}/invoke`, or `/invoke-with-response-stream` for a stream | without `model` and `stream` | the Bedrock id of the case's model ([`bedrock_model`]) |
//! | Vertex | `/v1/projects/{project}/locations/{region}/publishers/ai21/models/{model}:rawPredict`, or `:streamRawPredict` | without `model` and `stream` | the Vertex name of the case's model ([`vertex_model`]) |
//! | Azure | `/v1/chat/completions`, with `?api-version=` when one is given | as is | the body's (a deployment serves one model) |
//!
//! Bedrock and Vertex leave `model` and `stream` out of the body as the AI21 SDK's partner
//! clients do (api-facts section 1, "Partner clients in the SDK"); the path names the
//! model and asks for the stream. Vertex and Azure serve no J2: a J2 case is not sent
//! there, and counted. A negative example whose only fault is in `model` or `stream` is
//! valid in a dialect that leaves them out (Bedrock, Vertex) or does not require `model`
//! (Azure): it is not sent either, and counted. The path that is no
//! endpoint is Studio's only: a partner's other paths are the cloud's own API, outside
//! AI21's contract.

use ai21_schemas::{Dialect, Endpoint, PayloadKind, Recognition, Route};
use serde_json::Value;

use crate::expect::{
    AZURE_401, AZURE_422, BEDROCK_400, BEDROCK_403, PARTNER_NOT_JSON_400, Refusal, VERTEX_401,
    VERTEX_422,
};
use crate::{Case, CaseBody, Expect};

/// Where the suite is sent, and what the dialect's URLs need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Destination {
    /// AI21 Studio: the canonical contract, the cases as they are.
    #[default]
    Studio,
    /// Amazon Bedrock's runtime API.
    Bedrock {
        /// The model id to send the cases of the endpoint it serves to (`ai21.j2-...` J2,
        /// any other id Jamba), instead of the one mapped from each case's model.
        model: Option<String>,
    },
    /// Google Vertex AI (Jamba only).
    Vertex {
        /// The Google Cloud project of the path.
        project: String,
        /// The region (Vertex's location) of the path.
        region: String,
        /// The model to send every case to (such as `jamba-1.5-large@001`), instead of the
        /// one mapped from each case's model.
        model: Option<String>,
    },
    /// An Azure AI deployment (Jamba only).
    Azure {
        /// The `api-version` query, when the deployment wants one.
        api_version: Option<String>,
        /// The model to name in every body, instead of the case's own.
        model: Option<String>,
    },
}

impl Destination {
    /// The dialect the suite is sent in.
    pub fn dialect(&self) -> Dialect {
        match self {
            Destination::Studio => Dialect::Studio,
            Destination::Bedrock { .. } => Dialect::Bedrock,
            Destination::Vertex { .. } => Dialect::Vertex,
            Destination::Azure { .. } => Dialect::Azure,
        }
    }

    /// The model given to replace the mapped one, if it serves `endpoint`'s cases.
    fn model_override(&self, endpoint: &Endpoint) -> Option<&str> {
        let model = match self {
            Destination::Studio => None,
            Destination::Bedrock { model }
            | Destination::Vertex { model, .. }
            | Destination::Azure { model, .. } => model.as_deref(),
        }?;
        let j2 = matches!(endpoint, Endpoint::J2Complete { .. });
        (model_is_j2(self.dialect(), model) == j2).then_some(model)
    }

    /// `case` as this destination wants it, or why it is not sent. `negative` says what a
    /// refusal case breaks.
    pub(crate) fn write(&self, case: Case, negative: Option<Negative>) -> Written {
        let dialect = self.dialect();
        if dialect == Dialect::Studio {
            return Written::Case(Box::new(case));
        }
        let Some(studio_route) = &case.route else {
            return Written::StudioOnly;
        };
        let endpoint = studio_route.endpoint.clone();
        let j2 = matches!(endpoint, Endpoint::J2Complete { .. });
        if j2 && !dialect.serves(PayloadKind::J2CompleteRequest) {
            return Written::NotServed;
        }
        let mut body = case.body;
        let streamed = matches!(&body, CaseBody::Json(request) if request.get("stream") == Some(&Value::Bool(true)));
        let case_model = match &endpoint {
            Endpoint::J2Complete { model, .. } => model.clone(),
            Endpoint::JambaChat => match &body {
                CaseBody::Json(request) => request
                    .get("model")
                    .and_then(Value::as_str)
                    .unwrap_or(DEFAULT_JAMBA)
                    .to_owned(),
                CaseBody::Raw(_) => DEFAULT_JAMBA.to_owned(),
            },
        };
        let given = self.model_override(&endpoint).map(str::to_owned);
        let (route, path) = match self {
            Destination::Studio => return Written::Case(Box::new(Case { body, ..case })),
            Destination::Bedrock { .. } => {
                without_model_and_stream(&mut body);
                let id = given.unwrap_or_else(|| bedrock_model(&endpoint, &case_model).to_owned());
                let route = Route {
                    dialect,
                    endpoint: match endpoint {
                        Endpoint::J2Complete { .. } => Endpoint::J2Complete {
                            model: id.clone(),
                            custom_model: None,
                        },
                        Endpoint::JambaChat => Endpoint::JambaChat,
                    },
                    model: Some(id),
                    stream: Some(streamed),
                };
                let path = route.path("", "");
                (route, path)
            }
            Destination::Vertex {
                project, region, ..
            } => {
                without_model_and_stream(&mut body);
                let model = given.unwrap_or_else(|| vertex_model(&case_model).to_owned());
                let route = Route {
                    dialect,
                    endpoint: Endpoint::JambaChat,
                    model: Some(model),
                    stream: Some(streamed),
                };
                let path = route.path(project, region);
                (route, path)
            }
            Destination::Azure { api_version, .. } => {
                if let (Some(model), CaseBody::Json(Value::Object(members))) = (given, &mut body) {
                    members.insert("model".to_owned(), Value::String(model));
                }
                let route = Route {
                    dialect,
                    endpoint: Endpoint::JambaChat,
                    model: None,
                    stream: None,
                };
                let mut path = route.path("", "");
                if let Some(version) = api_version {
                    path.push_str("?api-version=");
                    path.push_str(&query_escape(version));
                }
                (route, path)
            }
        };
        let expect = match (case.expect, negative) {
            (Expect::Refusal(refusal), Some(negative)) => {
                if negative == Negative::Invalid
                    && let CaseBody::Json(request) = &body
                    && !refused(&route, request)
                {
                    return Written::NotRefused;
                }
                Expect::Refusal(partner_refusal(dialect, negative, refusal))
            }
            (expect, _) => expect,
        };
        Written::Case(Box::new(Case {
            dialect,
            route: Some(route),
            path,
            body,
            expect,
            ..case
        }))
    }
}

/// The Jamba model of a case whose body names none (a body that is not JSON).
const DEFAULT_JAMBA: &str = "jamba-mini";

/// What a refusal case breaks, which decides the refusal each dialect is expected to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Negative {
    /// An invalid example: a field breaks the contract.
    Invalid,
    /// A body that is not JSON.
    NotJson,
    /// A request without credentials.
    Unauthorized,
    /// A path that is no endpoint.
    NotFound,
}

/// A case as a destination wants it, or why it is not sent.
#[derive(Debug)]
pub(crate) enum Written {
    /// The case, to send (boxed: a case is large, the reasons are nothing).
    Case(Box<Case>),
    /// A J2 case, for a dialect that serves no J2.
    NotServed,
    /// A negative example that the dialect's body makes valid (its fault was in `model`
    /// or `stream`, which the dialect leaves out or does not require).
    NotRefused,
    /// The path that is no endpoint, which only Studio's suite has.
    StudioOnly,
}

/// The Bedrock model id a case of `endpoint` naming `model` is sent to: for J2,
/// `ai21.j2-ultra-v1` for an Ultra or Jumbo model and `ai21.j2-mid-v1` for any other;
/// for Jamba, `ai21.jamba-1-5-large-v1:0` for a large model and
/// `ai21.jamba-1-5-mini-v1:0` for any other (the ids of the SDK's `BedrockModelID`).
pub fn bedrock_model(endpoint: &Endpoint, model: &str) -> &'static str {
    let model = model.to_ascii_lowercase();
    match endpoint {
        Endpoint::J2Complete { .. } if model.contains("ultra") || model.contains("jumbo") => {
            "ai21.j2-ultra-v1"
        }
        Endpoint::J2Complete { .. } => "ai21.j2-mid-v1",
        Endpoint::JambaChat if model.contains("large") => "ai21.jamba-1-5-large-v1:0",
        Endpoint::JambaChat => "ai21.jamba-1-5-mini-v1:0",
    }
}

/// The Vertex model a Jamba case naming `model` is sent to: `jamba-1.5-large@001` for a
/// large model, `jamba-1.5-mini@001` for any other (the versioned names recorded Vertex
/// traffic shows, api-facts section 1).
pub fn vertex_model(model: &str) -> &'static str {
    if model.to_ascii_lowercase().contains("large") {
        "jamba-1.5-large@001"
    } else {
        "jamba-1.5-mini@001"
    }
}

/// Whether `model`, given for `dialect`, is a J2 model: on Bedrock, as its route tells
/// (`ai21.j2-...`, also behind a cross-region prefix); Vertex and Azure serve Jamba only.
pub fn model_is_j2(dialect: Dialect, model: &str) -> bool {
    dialect == Dialect::Bedrock
        && matches!(
            Route::recognise(
                "",
                &format!("/model/{model}/invoke"),
                Some(Dialect::Bedrock)
            ),
            Recognition::Route(Route {
                endpoint: Endpoint::J2Complete { .. },
                ..
            })
        )
}

/// Leaves `model` and `stream` out of a JSON body, as the AI21 SDK's Bedrock and Vertex
/// clients do.
fn without_model_and_stream(body: &mut CaseBody) {
    if let CaseBody::Json(Value::Object(members)) = body {
        members.remove("model");
        members.remove("stream");
    }
}

/// Whether the real server refuses `request` sent along `route`: an error finding it
/// does not ignore, in the dialect's schema.
fn refused(route: &Route, request: &Value) -> bool {
    ai21_validate::Validator::shared()
        .validate_request_on(route, request)
        .findings
        .iter()
        .any(|finding| finding.is_error() && !finding.ignored_by_server())
}

/// The refusal `dialect` is expected to answer what `negative` breaks with; a 422's `loc`
/// is kept where AI21's own 422 is passed through (Vertex, Azure).
fn partner_refusal(dialect: Dialect, negative: Negative, studio: Refusal) -> Refusal {
    let (status, source) = match (dialect, negative) {
        (Dialect::Bedrock, Negative::Invalid | Negative::NotJson) => (400, BEDROCK_400),
        (Dialect::Bedrock, Negative::Unauthorized) => (403, BEDROCK_403),
        (Dialect::Vertex, Negative::Invalid) => (422, VERTEX_422),
        (Dialect::Azure, Negative::Invalid) => (422, AZURE_422),
        (Dialect::Vertex | Dialect::Azure, Negative::NotJson) => (400, PARTNER_NOT_JSON_400),
        (Dialect::Vertex, Negative::Unauthorized) => (401, VERTEX_401),
        (Dialect::Azure, Negative::Unauthorized) => (401, AZURE_401),
        // Studio's own, and the path that is no endpoint (Studio's only).
        (Dialect::Studio, _) | (_, Negative::NotFound) => return studio,
    };
    Refusal {
        status,
        source,
        loc: studio.loc.filter(|_| status == 422),
    }
}

/// `text` as a query value: every byte but the unreserved ones (RFC 3986) percent-encoded.
fn query_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    escaped
}

#[cfg(test)]
mod tests;
