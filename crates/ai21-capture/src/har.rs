//! HAR 1.2 files (browser devtools, mitmproxy, Charles, Proxyman): one exchange per entry.
//!
//! The file is read whole; each entry is kept as its JSON text until it is read, so one bad
//! entry is reported on its own (`file#entry N`) and the others are still read. Entries
//! that are not AI21 traffic, CORS preflights and requests that got no response are skipped.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::source::{ErrorPosition, Opened, house_message, json_message};
use super::wire::{exchange, quoted_url};
use super::{
    Body, Headers, Item, Location, Origin, Pending, Request, Response, Skipped, Unreadable,
};
use crate::redact;
use crate::{Dialect, endpoint};

/// The entries of a HAR file being read.
pub(crate) struct HarEntries {
    origin: Origin,
    entries: std::vec::IntoIter<Box<RawValue>>,
    /// The number of the last entry read (0 before the first).
    entry_number: u64,
}

/// Opens a HAR document; a document that is not a HAR is one unreadable item.
pub(super) fn open(text: &str, origin: Origin) -> Opened<'static> {
    match serde_json::from_str::<HarDocument>(text) {
        Ok(document) if document.log.entries.is_empty() => Opened::Item(Item::Unreadable(
            Unreadable::new(Location::whole(origin), "HAR file without entries"),
        )),
        Ok(document) => Opened::Har(HarEntries {
            origin,
            entries: document.log.entries.into_iter(),
            entry_number: 0,
        }),
        Err(error) => Opened::Item(Item::Unreadable(Unreadable::new(
            Location::whole(origin),
            format!(
                "not a HAR file: {}",
                json_message(&error, ErrorPosition::LineAndColumn)
            ),
        ))),
    }
}

impl HarEntries {
    /// The next entry, still to parse; `None` after the last.
    pub(crate) fn next_pending(&mut self) -> Option<Pending> {
        let entry = self.entries.next()?;
        self.entry_number += 1;
        let location = Location::entry(self.origin.clone(), self.entry_number);
        Some(Pending::entry(location, entry))
    }
}

/// Parses one entry of a HAR file into its item.
pub(super) fn parse_entry(location: Location, entry: &RawValue, dialect: Option<Dialect>) -> Item {
    match serde_json::from_str::<Entry>(entry.get()) {
        Ok(entry) => entry_item(entry, location, dialect),
        Err(error) => Item::Unreadable(Unreadable::new(
            location,
            format!(
                "not a HAR entry: {}",
                json_message(&error, ErrorPosition::None)
            ),
        )),
    }
}

fn entry_item(entry: Entry, location: Location, dialect: Option<Dialect>) -> Item {
    let url = redact::url(&entry.request.url);
    let method = entry.request.method;
    if let Some(reason) = endpoint::skip_reason(
        &endpoint::recognise(&url, dialect),
        &method,
        &url,
        &quoted_url(&url),
    ) {
        return Item::Skipped(Skipped::new(location, reason));
    }
    if method.eq_ignore_ascii_case("OPTIONS") {
        return Item::Skipped(Skipped::new(
            location,
            format!("CORS preflight: {method} {}", quoted_url(&url)),
        ));
    }
    let Ok(status) = u16::try_from(entry.response.status) else {
        return Item::Unreadable(Unreadable::new(
            location,
            format!(
                "response status {} is not an HTTP status (100 to 599)",
                entry.response.status
            ),
        ));
    };
    if status == 0 {
        return Item::Skipped(Skipped::new(
            location,
            format!(
                "no response was captured (status 0): {method} {}",
                quoted_url(&url)
            ),
        ));
    }
    let request_headers: Headers = entry
        .request
        .headers
        .into_iter()
        .map(|header| (header.name, header.value))
        .collect();
    let response_headers: Headers = entry
        .response
        .headers
        .into_iter()
        .map(|header| (header.name, header.value))
        .collect();
    let request_body = match entry.request.post_data {
        None => Body::Absent,
        Some(post_data) => match post_data.decoded_text() {
            Ok(text) => Body::from_text(text, None, false),
            Err(problem) => {
                return Item::Unreadable(Unreadable::new(
                    location,
                    format!("request postData: {problem}"),
                ));
            }
        },
    };
    let response_body = match entry.response.content {
        None => Body::Absent,
        Some(content) => {
            let content_type = content
                .mime_type
                .clone()
                .or_else(|| response_headers.content_type().map(str::to_owned));
            match content.decoded_text() {
                Ok(text) => Body::from_text(text, content_type.as_deref(), true),
                Err(problem) => {
                    return Item::Unreadable(Unreadable::new(
                        location,
                        format!("response content: {problem}"),
                    ));
                }
            }
        }
    };
    exchange(
        location,
        &url,
        dialect,
        method,
        entry.started_date_time,
        Request {
            headers: request_headers,
            body: request_body,
        },
        Response {
            status,
            headers: response_headers,
            body: response_body,
        },
    )
}

#[derive(Deserialize)]
#[serde(expecting = "a HAR object")]
struct HarDocument {
    log: Log,
}

#[derive(Deserialize)]
#[serde(expecting = "a log object")]
struct Log {
    entries: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an entry object")]
struct Entry {
    #[serde(default)]
    started_date_time: Option<String>,
    request: HarRequest,
    response: HarResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a request object")]
struct HarRequest {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<HarHeader>,
    #[serde(default)]
    post_data: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a response object")]
struct HarResponse {
    status: i64,
    #[serde(default)]
    headers: Vec<HarHeader>,
    #[serde(default)]
    content: Option<Text>,
}

#[derive(Deserialize)]
#[serde(expecting = "a header object with name and value")]
struct HarHeader {
    name: String,
    value: String,
}

/// A request's `postData` or a response's `content`: text, perhaps base64-encoded (HAR 1.2
/// allows `encoding` on `content`; some tools also write it on `postData`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object with text")]
struct Text {
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

impl Text {
    /// The text, decoded; empty when the tool did not save it.
    fn decoded_text(self) -> Result<String, String> {
        let text = self.text.unwrap_or_default();
        match self.encoding.as_deref() {
            None | Some("") => Ok(text),
            Some(encoding) if encoding.eq_ignore_ascii_case("base64") => {
                // Some tools wrap long base64 lines.
                let compact: String = text
                    .chars()
                    .filter(|character| !character.is_ascii_whitespace())
                    .collect();
                let bytes = STANDARD.decode(compact).map_err(|error| {
                    format!("invalid base64: {}", house_message(&error.to_string()))
                })?;
                match String::from_utf8(bytes) {
                    Ok(text) => Ok(text),
                    // A binary AWS event stream: its bytes as characters, which the body
                    // reader turns back into bytes.
                    Err(error) if crate::starts_with_prelude(error.as_bytes()) => {
                        Ok(error.as_bytes().iter().copied().map(char::from).collect())
                    }
                    Err(error) => Err(format!(
                        "base64 text is not UTF-8 (invalid at byte {})",
                        error.utf8_error().valid_up_to() + 1
                    )),
                }
            }
            Some(encoding) => Err(format!("unsupported encoding {encoding:?}")),
        }
    }
}
