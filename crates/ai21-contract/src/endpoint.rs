//! Which AI21 endpoint a URL calls, from its path alone.
//!
//! Captures name an exchange by its URL, written by whatever recorded it: a full URL with a
//! scheme, host and query, or a bare path. Only the path decides the endpoint, so traffic
//! sent through a proxy or recorded against a mock is recognised the same way. The J2 model
//! is part of the path, not of the body, so it is read from there too.

use std::fmt;

use ai21_schemas::PayloadKind;

#[cfg(test)]
mod tests;

/// An AI21 endpoint whose payloads the canonical schemas describe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// `POST /studio/v1/{model}/complete`, or `/studio/v1/{model}/{custom_model}/complete`
    /// for a fine-tuned model (Jurassic-2, and Jurassic-1 before it).
    J2Complete {
        /// The model segment of the path, such as `j2-mid`.
        model: String,
        /// The custom (fine-tuned) model's name, when the path has one.
        custom_model: Option<String>,
    },
    /// `POST /studio/v1/chat/completions` (Jamba).
    JambaChat,
}

impl Endpoint {
    /// The endpoint a URL or URL path calls, or `None` when it is not one of the AI21
    /// endpoints.
    ///
    /// The scheme, host, query and fragment are ignored; the path must start with
    /// `/studio/v1/` (the leading slash may be missing from a bare path) and match one of
    /// the shapes exactly: no empty segment, no trailing slash.
    ///
    /// ```
    /// use ai21_contract::Endpoint;
    ///
    /// assert_eq!(
    ///     Endpoint::from_url("https://api.ai21.com/studio/v1/j2-ultra/my-model/complete?x=1"),
    ///     Some(Endpoint::J2Complete { model: "j2-ultra".into(), custom_model: Some("my-model".into()) }),
    /// );
    /// assert_eq!(Endpoint::from_url("/studio/v1/chat/completions"), Some(Endpoint::JambaChat));
    /// assert_eq!(Endpoint::from_url("https://api.ai21.com/studio/v1/models"), None);
    /// ```
    pub fn from_url(url: &str) -> Option<Endpoint> {
        let path = UrlParts::split(url).path;
        let rest = path.strip_prefix('/').unwrap_or(path);
        let rest = rest.strip_prefix("studio/v1/")?;
        let mut segments = rest.split('/');
        let first = segments.next().filter(|segment| !segment.is_empty())?;
        let second = segments.next().filter(|segment| !segment.is_empty())?;
        let third = segments.next();
        let fourth = segments.next();
        match (first, second, third, fourth) {
            ("chat", "completions", None, None) => Some(Endpoint::JambaChat),
            (model, "complete", None, None) => Some(Endpoint::J2Complete {
                model: model.to_owned(),
                custom_model: None,
            }),
            (model, custom_model, Some("complete"), None) => Some(Endpoint::J2Complete {
                model: model.to_owned(),
                custom_model: Some(custom_model.to_owned()),
            }),
            _ => None,
        }
    }

    /// The endpoint's path, such as `/studio/v1/j2-mid/complete`.
    pub fn path(&self) -> String {
        self.to_string()
    }

    /// The kind of this endpoint's request body.
    pub fn request_kind(&self) -> PayloadKind {
        match self {
            Endpoint::J2Complete { .. } => PayloadKind::J2CompleteRequest,
            Endpoint::JambaChat => PayloadKind::JambaChatRequest,
        }
    }

    /// The kind of this endpoint's successful, not streamed, response body.
    pub fn response_kind(&self) -> PayloadKind {
        match self {
            Endpoint::J2Complete { .. } => PayloadKind::J2CompleteResponse,
            Endpoint::JambaChat => PayloadKind::JambaChatResponse,
        }
    }
}

impl fmt::Display for Endpoint {
    /// Writes the endpoint's path, such as `/studio/v1/chat/completions`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::J2Complete {
                model,
                custom_model: None,
            } => write!(formatter, "/studio/v1/{model}/complete"),
            Endpoint::J2Complete {
                model,
                custom_model: Some(custom_model),
            } => write!(formatter, "/studio/v1/{model}/{custom_model}/complete"),
            Endpoint::JambaChat => formatter.write_str("/studio/v1/chat/completions"),
        }
    }
}

/// A URL cut into its parts without decoding or normalising anything, so that the parts
/// joined again give back the exact text.
///
/// A hand-written split rather than the `url` crate: captures hold bare paths as often as
/// absolute URLs, which `url` cannot parse without inventing a base, and redaction must
/// give back the recorded text unchanged apart from the masked values, where `url` would
/// re-encode it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    /// `https://`, `//`, or empty for a bare path.
    pub(crate) scheme: &'a str,
    /// What stands before `@` in the authority, without the `@`.
    pub(crate) userinfo: Option<&'a str>,
    /// Host and port.
    pub(crate) host: &'a str,
    /// From the first `/` after the authority up to `?` or `#`.
    pub(crate) path: &'a str,
    /// After `?`, up to `#`.
    pub(crate) query: Option<&'a str>,
    /// After `#`.
    pub(crate) fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Cuts `url` into its parts; anything is accepted, a string without a scheme is a path.
    pub(crate) fn split(url: &'a str) -> UrlParts<'a> {
        let (rest, fragment) = match url.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (url, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let scheme_end = if rest.starts_with("//") {
            Some(2)
        } else {
            rest.find("://")
                .filter(|&colon| {
                    let scheme = &rest[..colon];
                    !scheme.is_empty()
                        && scheme.bytes().all(|byte| {
                            byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.')
                        })
                })
                .map(|colon| colon + 3)
        };
        let Some(scheme_end) = scheme_end else {
            return UrlParts {
                scheme: "",
                userinfo: None,
                host: "",
                path: rest,
                query,
                fragment,
            };
        };
        let (scheme, after_scheme) = rest.split_at(scheme_end);
        let authority_end = after_scheme.find('/').unwrap_or(after_scheme.len());
        let (authority, path) = after_scheme.split_at(authority_end);
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((userinfo, host)) => (Some(userinfo), host),
            None => (None, authority),
        };
        UrlParts {
            scheme,
            userinfo,
            host,
            path,
            query,
            fragment,
        }
    }
}
