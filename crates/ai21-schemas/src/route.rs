//! Where an exchange was sent, told from the URL's host and path: the [`Dialect`], the
//! canonical [`Endpoint`] it maps onto, and what the dialect's URL says that AI21's does not
//! (the model, whether a stream is asked for).

use std::borrow::Cow;

use crate::{Dialect, Endpoint};

/// A request's endpoint as a dialect serves it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// Where the request was sent.
    pub dialect: Dialect,
    /// The canonical endpoint it maps onto; for J2 its model is the URL's model (on
    /// Bedrock, the model id such as `ai21.j2-mid-v1`).
    pub endpoint: Endpoint,
    /// The model the URL names, as written there once percent-decoded:
    /// `ai21.jamba-1-5-mini-v1:0` on Bedrock, `jamba-1.5-mini@001` on Vertex; `None` where
    /// the body names it (Studio Jamba, Azure).
    pub model: Option<String>,
    /// Whether the path asks for a stream (`true` for Bedrock's
    /// `invoke-with-response-stream` and Vertex's `:streamRawPredict`, `false` for their
    /// plain forms); `None` where the body's `stream` decides.
    pub stream: Option<bool>,
}

/// What a URL is, for a checker of captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognition {
    /// An endpoint of AI21's contract, in some dialect.
    Route(Route),
    /// A URL of a platform that serves AI21's models, but outside AI21's contract (Bedrock's
    /// Converse API, another publisher's model): skipped, with the reason.
    Outside {
        /// The platform.
        dialect: Dialect,
        /// Why it is not checked, for people.
        reason: String,
    },
    /// No endpoint of AI21's contract in any dialect.
    Unknown,
}

impl Route {
    /// The route of a Studio endpoint.
    pub fn studio(endpoint: Endpoint) -> Route {
        Route {
            dialect: Dialect::Studio,
            endpoint,
            model: None,
            stream: None,
        }
    }

    /// Tells the route of a request from its URL's host (lowercase or not, with or without
    /// a port; empty for a bare path) and path (a query is ignored).
    ///
    /// A platform's own host decides the dialect: `bedrock-runtime.{region}.amazonaws.com`,
    /// `{region}-aiplatform.googleapis.com`, and Azure AI's `*.models.ai.azure.com`,
    /// `*.inference.ai.azure.com`, `*.services.ai.azure.com`; a path there that is none of
    /// AI21's is [`Recognition::Outside`]. Any other host (a proxy, a mock) or none: the
    /// `dialect` given decides when there is one (a Studio path is then read in that
    /// dialect: a gateway that speaks AI21's paths in front of a partner); without one, a
    /// path whose shape belongs to one dialect is that dialect's (`/studio/v1/...`,
    /// `/model/{id}/invoke`, `.../publishers/ai21/models/{model}:rawPredict`), and Azure's
    /// `/v1/chat/completions`, which any OpenAI-style server has too, is not recognised.
    /// A path of one of those unmistakable shapes is its dialect's whatever `dialect` says.
    ///
    /// ```
    /// use ai21_schemas::{Dialect, Endpoint, Recognition, Route};
    ///
    /// let Recognition::Route(route) = Route::recognise(
    ///     "bedrock-runtime.us-east-1.amazonaws.com",
    ///     "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream",
    ///     None,
    /// ) else { panic!() };
    /// assert_eq!(route.dialect, Dialect::Bedrock);
    /// assert_eq!(route.endpoint, Endpoint::JambaChat);
    /// assert_eq!(route.model.as_deref(), Some("ai21.jamba-1-5-mini-v1:0"));
    /// assert_eq!(route.stream, Some(true));
    ///
    /// assert!(matches!(
    ///     Route::recognise("", "/model/ai21.jamba-1-5-mini-v1:0/converse", None),
    ///     Recognition::Outside { dialect: Dialect::Bedrock, .. }
    /// ));
    /// assert_eq!(Route::recognise("", "/v1/chat/completions", None), Recognition::Unknown);
    /// assert!(matches!(
    ///     Route::recognise("", "/v1/chat/completions", Some(Dialect::Azure)),
    ///     Recognition::Route(Route { dialect: Dialect::Azure, .. })
    /// ));
    /// ```
    pub fn recognise(host: &str, path: &str, dialect: Option<Dialect>) -> Recognition {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let path: Cow<'_, str> = if path.starts_with('/') {
            Cow::Borrowed(path)
        } else {
            Cow::Owned(format!("/{path}"))
        };
        match platform_of_host(host) {
            Some(platform) => match shape(platform, &path) {
                Shape::Route(route) => Recognition::Route(route),
                Shape::Outside(reason) => Recognition::Outside {
                    dialect: platform,
                    reason,
                },
                Shape::None => Recognition::Outside {
                    dialect: platform,
                    reason: "a path of another API of the platform".to_owned(),
                },
            },
            None => match dialect {
                Some(dialect) => match shape(dialect, &path) {
                    Shape::Route(route) => Recognition::Route(route),
                    Shape::Outside(reason) => Recognition::Outside { dialect, reason },
                    Shape::None => match shape(Dialect::Studio, &path) {
                        Shape::Route(route) => Recognition::Route(Route { dialect, ..route }),
                        _ => recognise_by_shape(&path),
                    },
                },
                None => recognise_by_shape(&path),
            },
        }
    }

    /// The URL path this route is served at: Studio's is [`Endpoint::path`]; Bedrock's
    /// `/model/{model}/invoke` (or `invoke-with-response-stream`) with the model id's `:`
    /// written `%3A`, as the AWS SDKs send it; Vertex's
    /// `/v1/projects/{project}/locations/{region}/publishers/ai21/models/{model}:rawPredict`
    /// (or `:streamRawPredict`) with `project` and `region` given; Azure's
    /// `/v1/chat/completions`. [`Route::recognise`] reads each back.
    pub fn path(&self, project: &str, region: &str) -> String {
        let model = self.model.as_deref().unwrap_or("");
        let stream = self.stream == Some(true);
        match self.dialect {
            Dialect::Studio => self.endpoint.path(),
            Dialect::Bedrock => format!(
                "/model/{}/{}",
                model.replace(':', "%3A"),
                if stream {
                    "invoke-with-response-stream"
                } else {
                    "invoke"
                }
            ),
            Dialect::Vertex => format!(
                "/v1/projects/{project}/locations/{region}/publishers/ai21/models/{model}:{}",
                if stream {
                    "streamRawPredict"
                } else {
                    "rawPredict"
                }
            ),
            Dialect::Azure => "/v1/chat/completions".to_owned(),
        }
    }
}

/// The dialect whose shape a path has, among those whose paths no other dialect has
/// (Studio's, Bedrock's, Vertex's; Azure's `/v1/chat/completions` is any OpenAI-style
/// server's too).
fn recognise_by_shape(path: &str) -> Recognition {
    for dialect in [Dialect::Studio, Dialect::Bedrock, Dialect::Vertex] {
        match shape(dialect, path) {
            Shape::Route(route) => return Recognition::Route(route),
            Shape::Outside(reason) => return Recognition::Outside { dialect, reason },
            Shape::None => {}
        }
    }
    Recognition::Unknown
}

/// What a path is in one dialect.
enum Shape {
    Route(Route),
    Outside(String),
    None,
}

/// The platform whose own host this is.
fn platform_of_host(host: &str) -> Option<Dialect> {
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|byte| byte.is_ascii_digit()) => name,
        _ => host,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let ends_with = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
    if ends_with("amazonaws.com")
        && labels
            .iter()
            .any(|label| label.starts_with("bedrock-runtime"))
    {
        return Some(Dialect::Bedrock);
    }
    if host == "aiplatform.googleapis.com" || host.ends_with("-aiplatform.googleapis.com") {
        return Some(Dialect::Vertex);
    }
    if [
        "models.ai.azure.com",
        "inference.ai.azure.com",
        "services.ai.azure.com",
    ]
    .iter()
    .any(|suffix| host.ends_with(&format!(".{suffix}")))
    {
        return Some(Dialect::Azure);
    }
    None
}

/// What `path` (with its leading slash, without a query) is in `dialect`.
fn shape(dialect: Dialect, path: &str) -> Shape {
    let segments: Vec<&str> = path.split('/').collect();
    match dialect {
        Dialect::Studio => match Endpoint::from_path(path) {
            Ok(endpoint) => Shape::Route(Route::studio(endpoint)),
            Err(_) => Shape::None,
        },
        Dialect::Bedrock => match segments.as_slice() {
            ["", "model", id, action] if !id.is_empty() => {
                let id = percent_decode(id);
                let stream = match *action {
                    "invoke" => false,
                    "invoke-with-response-stream" => true,
                    "converse" | "converse-stream" => {
                        return Shape::Outside(format!("Bedrock's Converse API ({action})"));
                    }
                    _ => return Shape::None,
                };
                match bedrock_endpoint(&id) {
                    Some(endpoint) => Shape::Route(Route {
                        dialect,
                        endpoint,
                        model: Some(id.into_owned()),
                        stream: Some(stream),
                    }),
                    None => Shape::Outside(format!(
                        "model {id:?} is not AI21's (AI21's Bedrock model ids start with `ai21.`)"
                    )),
                }
            }
            _ => Shape::None,
        },
        Dialect::Vertex => {
            // /{version}/projects/{p}/locations/{l}/publishers/{publisher}/models/{model}:{method}
            let decoded = percent_decode(path);
            let segments: Vec<&str> = decoded.split('/').collect();
            match segments.as_slice() {
                [
                    "",
                    _version,
                    "projects",
                    project,
                    "locations",
                    location,
                    "publishers",
                    publisher,
                    "models",
                    last,
                ] if !project.is_empty() && !location.is_empty() => {
                    let Some((model, method)) = last.rsplit_once(':') else {
                        return Shape::None;
                    };
                    if !publisher.eq_ignore_ascii_case("ai21") {
                        return Shape::Outside(format!(
                            "a model of publisher {publisher:?}, not AI21's"
                        ));
                    }
                    let stream = match method {
                        "rawPredict" => false,
                        "streamRawPredict" => true,
                        _ => {
                            return Shape::Outside(format!(
                                "the {method} method (AI21's models answer rawPredict and streamRawPredict)"
                            ));
                        }
                    };
                    if model.is_empty() {
                        return Shape::None;
                    }
                    Shape::Route(Route {
                        dialect,
                        endpoint: Endpoint::JambaChat,
                        model: Some((*model).to_owned()),
                        stream: Some(stream),
                    })
                }
                _ => Shape::None,
            }
        }
        Dialect::Azure => match segments.as_slice() {
            ["", "v1", "chat", "completions"]
            | ["", "chat", "completions"]
            | ["", "models", "chat", "completions"] => Shape::Route(Route {
                dialect,
                endpoint: Endpoint::JambaChat,
                model: None,
                stream: None,
            }),
            _ => Shape::None,
        },
    }
}

/// The canonical endpoint of a Bedrock model id: `ai21.j2-*` (and `ai21.j1-*`) are J2
/// complete, any other `ai21.` model is Jamba chat; a cross-region inference profile's
/// prefix (`us.`, `eu.`, `apac.`) and an ARN's path are looked through. `None` for
/// another provider's model.
fn bedrock_endpoint(id: &str) -> Option<Endpoint> {
    let id = id.rsplit('/').next().unwrap_or(id);
    let id = match id.split_once('.') {
        Some((prefix, rest)) if prefix != "ai21" && rest.starts_with("ai21.") => rest,
        _ => id,
    };
    let name = id.strip_prefix("ai21.")?;
    if name.starts_with("j2-") || name.starts_with("j1-") {
        Some(Endpoint::J2Complete {
            model: id.to_owned(),
            custom_model: None,
        })
    } else {
        Some(Endpoint::JambaChat)
    }
}

/// `%XX` escapes decoded where they give ASCII; anything else is kept as written.
fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(hex) = text.get(index + 1..index + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
            && byte.is_ascii()
            && hex.bytes().all(|digit| digit.is_ascii_hexdigit())
        {
            out.push(char::from(byte));
            index += 3;
            continue;
        }
        let Some(character) = text[index..].chars().next() else {
            break;
        };
        out.push(character);
        index += character.len_utf8();
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(host: &str, path: &str, dialect: Option<Dialect>) -> Route {
        match Route::recognise(host, path, dialect) {
            Recognition::Route(route) => route,
            other => panic!("{host} {path}: {other:?}"),
        }
    }

    #[test]
    fn bedrock_model_ids_map_onto_the_canonical_endpoints() {
        let j2 = route(
            "bedrock-runtime.us-west-2.amazonaws.com",
            "/model/ai21.j2-mid-v1/invoke",
            None,
        );
        assert_eq!(j2.dialect, Dialect::Bedrock);
        assert_eq!(
            j2.endpoint,
            Endpoint::J2Complete {
                model: "ai21.j2-mid-v1".into(),
                custom_model: None
            }
        );
        assert_eq!(j2.stream, Some(false));
        let profile = route("", "/model/us.ai21.jamba-1-5-large-v1%3a0/invoke", None);
        assert_eq!(profile.endpoint, Endpoint::JambaChat);
        assert_eq!(
            profile.model.as_deref(),
            Some("us.ai21.jamba-1-5-large-v1:0")
        );
        assert!(matches!(
            Route::recognise(
                "bedrock-runtime.us-east-1.amazonaws.com",
                "/model/anthropic.claude-v2/invoke",
                None
            ),
            Recognition::Outside { dialect: Dialect::Bedrock, reason } if reason.contains("anthropic.claude-v2")
        ));
        assert!(matches!(
            Route::recognise(
                "bedrock-runtime.us-east-1.amazonaws.com",
                "/guardrail/x/version/1/apply",
                None
            ),
            Recognition::Outside {
                dialect: Dialect::Bedrock,
                ..
            }
        ));
        assert!(matches!(
            Route::recognise(
                "bedrock-runtime-fips.us-east-1.amazonaws.com:443",
                "/model/ai21.jamba-instruct-v1:0/invoke",
                None
            ),
            Recognition::Route(Route {
                dialect: Dialect::Bedrock,
                ..
            })
        ));
    }

    #[test]
    fn vertex_paths_carry_the_versioned_model() {
        let vertex = route(
            "us-central1-aiplatform.googleapis.com",
            "/v1/projects/my-project/locations/us-central1/publishers/ai21/models/jamba-1.5-mini@001:streamRawPredict",
            None,
        );
        assert_eq!(vertex.dialect, Dialect::Vertex);
        assert_eq!(vertex.model.as_deref(), Some("jamba-1.5-mini@001"));
        assert_eq!(vertex.stream, Some(true));
        assert_eq!(
            vertex.path("my-project", "us-central1"),
            "/v1/projects/my-project/locations/us-central1/publishers/ai21/models/jamba-1.5-mini@001:streamRawPredict"
        );
        assert!(matches!(
            Route::recognise(
                "",
                "/v1/projects/p/locations/l/publishers/google/models/gemini-pro:generateContent",
                None
            ),
            Recognition::Outside {
                dialect: Dialect::Vertex,
                ..
            }
        ));
        assert!(matches!(
            Route::recognise(
                "",
                "/v1/projects/p/locations/l/publishers/ai21/models/jamba-1.5-mini@001:predict",
                None
            ),
            Recognition::Outside {
                dialect: Dialect::Vertex,
                ..
            }
        ));
    }

    #[test]
    fn azure_needs_its_host_or_the_dialect() {
        for (host, path) in [
            (
                "jamba-1-5-mini-xyz.eastus2.models.ai.azure.com",
                "/v1/chat/completions",
            ),
            (
                "my-resource.services.ai.azure.com",
                "/models/chat/completions?api-version=2024-05-01-preview",
            ),
            ("x.inference.ai.azure.com", "/chat/completions"),
        ] {
            assert_eq!(
                route(host, path, None).dialect,
                Dialect::Azure,
                "{host}{path}"
            );
        }
        assert_eq!(
            Route::recognise("api.openai.com", "/v1/chat/completions", None),
            Recognition::Unknown
        );
        assert_eq!(
            route(
                "localhost:8080",
                "/v1/chat/completions",
                Some(Dialect::Azure)
            )
            .dialect,
            Dialect::Azure
        );
        assert!(matches!(
            Route::recognise("x.models.ai.azure.com", "/v1/embeddings", None),
            Recognition::Outside {
                dialect: Dialect::Azure,
                ..
            }
        ));
    }

    #[test]
    fn a_forced_dialect_reads_studio_paths_in_that_dialect() {
        let gateway = route(
            "gateway.internal",
            "/studio/v1/chat/completions",
            Some(Dialect::Bedrock),
        );
        assert_eq!(gateway.dialect, Dialect::Bedrock);
        assert_eq!(gateway.endpoint, Endpoint::JambaChat);
        // A platform's own host wins over the flag.
        assert_eq!(
            route(
                "bedrock-runtime.eu-west-1.amazonaws.com",
                "/model/ai21.j2-ultra-v1/invoke",
                Some(Dialect::Azure)
            )
            .dialect,
            Dialect::Bedrock
        );
        assert_eq!(
            route("", "/studio/v1/chat/completions", None).dialect,
            Dialect::Studio
        );
        assert_eq!(
            Route::recognise("", "/v1/models", Some(Dialect::Azure)),
            Recognition::Unknown
        );
    }

    #[test]
    fn paths_written_back_are_recognised_again() {
        for (host, path) in [
            ("", "/model/ai21.jamba-1-5-mini-v1:0/invoke"),
            ("", "/model/ai21.j2-mid-v1/invoke"),
            (
                "",
                "/model/ai21.jamba-1-5-mini-v1%3A0/invoke-with-response-stream",
            ),
            (
                "",
                "/v1/projects/p/locations/europe-west4/publishers/ai21/models/jamba-1.5-large@001:rawPredict",
            ),
        ] {
            let first = route(host, path, None);
            let again = route(host, &first.path("p", "europe-west4"), None);
            assert_eq!(first, again, "{path}");
        }
    }
}
