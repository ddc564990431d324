//! Which AI21 endpoint a URL calls, from its path alone.
//!
//! Captures name an exchange by its URL, written by whatever recorded it: a full URL with a
//! scheme, host and query, or a bare path. Only the path decides the endpoint, so traffic
//! sent through a proxy or recorded against a mock is recognised the same way. The J2 model
//! is part of the path, not of the body, so it is read from there too.
//!
//! The endpoint type is [`Endpoint`], from `ai21-schemas`; this module adds what a capture
//! needs around it: finding the path in a full URL ([`from_url`]; `Endpoint::path` writes
//! it back), and cutting URLs into parts for redaction.

use std::borrow::Cow;

pub use ai21_schemas::{Dialect, Endpoint, Recognition, Route};

#[cfg(test)]
mod tests;

/// The endpoint a URL or URL path calls, or `None` when it is not one of the AI21
/// endpoints.
///
/// The scheme, host, query and fragment are ignored; the path must start with
/// `/studio/v1/` (the leading slash may be missing from a bare path) and match one of the
/// shapes [`Endpoint::from_path`] knows exactly: no empty segment, no trailing slash.
///
/// ```
/// use ai21_capture::Endpoint;
/// use ai21_capture::endpoint::from_url;
///
/// assert_eq!(
///     from_url("https://api.ai21.com/studio/v1/j2-ultra/my-model/complete?x=1"),
///     Some(Endpoint::J2Complete { model: "j2-ultra".into(), custom_model: Some("my-model".into()) }),
/// );
/// assert_eq!(from_url("/studio/v1/chat/completions"), Some(Endpoint::JambaChat));
/// assert_eq!(from_url("https://api.ai21.com/studio/v1/models"), None);
/// ```
pub fn from_url(url: &str) -> Option<Endpoint> {
    let path = UrlParts::split(url).path;
    let path: Cow<'_, str> = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("/{path}"))
    };
    Endpoint::from_path(&path).ok()
}

/// What a URL is, in any dialect: its host and path read by [`Route::recognise`], with
/// `dialect` deciding for a bare path or a host that is no platform's own (a proxy, a
/// mock).
///
/// ```
/// use ai21_capture::endpoint::{Dialect, Recognition, recognise};
///
/// let Recognition::Route(route) = recognise(
///     "https://bedrock-runtime.us-east-1.amazonaws.com/model/ai21.j2-ultra-v1/invoke",
///     None,
/// ) else { panic!() };
/// assert_eq!(route.dialect, Dialect::Bedrock);
/// assert!(matches!(
///     recognise("http://127.0.0.1:8080/v1/chat/completions", Some(Dialect::Azure)),
///     Recognition::Route(_)
/// ));
/// ```
pub fn recognise(url: &str, dialect: Option<Dialect>) -> Recognition {
    let parts = UrlParts::split(url);
    Route::recognise(parts.host, parts.path, dialect)
}

/// The path of a URL (or the bare path itself), without query or fragment, as written.
///
/// ```
/// assert_eq!(
///     ai21_capture::endpoint::path_of("https://bedrock-runtime.us-east-1.amazonaws.com/model/ai21.j2-mid-v1/invoke?x=1"),
///     "/model/ai21.j2-mid-v1/invoke"
/// );
/// ```
pub fn path_of(url: &str) -> &str {
    UrlParts::split(url).path
}

/// Why an exchange sent to `url` is skipped, for a URL that names no route of AI21's
/// contract (`None` for one that does); `method` and the URL are quoted.
pub(crate) fn skip_reason(
    recognition: &Recognition,
    method: &str,
    url: &str,
    quoted: &str,
) -> Option<String> {
    match recognition {
        Recognition::Route(_) => None,
        Recognition::Outside { dialect, reason } => Some(format!(
            "outside AI21's contract on {}, {reason}: {method} {quoted}",
            dialect.title()
        )),
        Recognition::Unknown => {
            let parts = UrlParts::split(url);
            // A bare OpenAI-style path may be Azure's, which only its host tells.
            let hint = if parts.host.is_empty() && parts.path.ends_with("/chat/completions") {
                " (an OpenAI-style path: if this is Azure AI traffic, pass --dialect azure)"
            } else {
                ""
            };
            Some(format!("not an AI21 endpoint: {method} {quoted}{hint}"))
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
