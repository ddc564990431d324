//! The HTTP endpoints of the two APIs, told from a URL path, and the payload kinds each
//! takes and answers.

use std::fmt;

use crate::PayloadKind;

/// An endpoint a request is sent to, parsed from its URL path.
///
/// ```
/// use ai21_schemas::{Endpoint, PayloadKind};
///
/// let endpoint = Endpoint::from_path("/studio/v1/j2-ultra/my-model/complete")?;
/// assert_eq!(
///     endpoint,
///     Endpoint::J2Complete { model: "j2-ultra".into(), custom_model: Some("my-model".into()) }
/// );
/// assert_eq!(endpoint.kinds().0, PayloadKind::J2CompleteRequest);
/// assert_eq!(endpoint.path(), "/studio/v1/j2-ultra/my-model/complete");
/// assert!(Endpoint::from_path("/studio/v1/models").is_err());
/// # Ok::<(), ai21_schemas::UnknownEndpoint>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST /studio/v1/{model}/complete` or `/studio/v1/{model}/{custom_model}/complete`.
    J2Complete {
        /// The model named by the path, such as `j2-mid`.
        model: String,
        /// The custom (fine-tuned) model named by the path, if any.
        custom_model: Option<String>,
    },
    /// `POST /studio/v1/chat/completions`.
    JambaChat,
}

/// A URL path that names none of the endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEndpoint {
    /// The path.
    pub path: String,
}

impl fmt::Display for UnknownEndpoint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "unknown endpoint path {:?}: expected /studio/v1/{{model}}/complete, /studio/v1/{{model}}/{{custom model}}/complete or /studio/v1/chat/completions",
            self.path
        )
    }
}

impl std::error::Error for UnknownEndpoint {}

impl Endpoint {
    /// Parses a URL path (a query string is ignored): `/studio/v1/{model}/complete`,
    /// `/studio/v1/{model}/{custom}/complete` or `/studio/v1/chat/completions`, exactly:
    /// no empty segment, no trailing slash.
    pub fn from_path(path: &str) -> Result<Endpoint, UnknownEndpoint> {
        let without_query = path.split(['?', '#']).next().unwrap_or(path);
        let segments: Vec<&str> = without_query.split('/').collect();
        match segments.as_slice() {
            ["", "studio", "v1", "chat", "completions"] => Ok(Endpoint::JambaChat),
            ["", "studio", "v1", model, "complete"] if !model.is_empty() => {
                Ok(Endpoint::J2Complete {
                    model: (*model).to_owned(),
                    custom_model: None,
                })
            }
            ["", "studio", "v1", model, custom, "complete"]
                if !model.is_empty() && !custom.is_empty() =>
            {
                Ok(Endpoint::J2Complete {
                    model: (*model).to_owned(),
                    custom_model: Some((*custom).to_owned()),
                })
            }
            _ => Err(UnknownEndpoint {
                path: path.to_owned(),
            }),
        }
    }

    /// The endpoint's path, such as `/studio/v1/j2-mid/complete`;
    /// [`Endpoint::from_path`] reads it back.
    pub fn path(&self) -> String {
        match self {
            Endpoint::J2Complete {
                model,
                custom_model: None,
            } => format!("/studio/v1/{model}/complete"),
            Endpoint::J2Complete {
                model,
                custom_model: Some(custom_model),
            } => format!("/studio/v1/{model}/{custom_model}/complete"),
            Endpoint::JambaChat => "/studio/v1/chat/completions".to_owned(),
        }
    }

    /// The payload kinds of the request and of a success response at this endpoint.
    pub fn kinds(&self) -> (PayloadKind, PayloadKind) {
        match self {
            Endpoint::J2Complete { .. } => (
                PayloadKind::J2CompleteRequest,
                PayloadKind::J2CompleteResponse,
            ),
            Endpoint::JambaChat => (
                PayloadKind::JambaChatRequest,
                PayloadKind::JambaChatResponse,
            ),
        }
    }
}
