//! The model registry: every AI21 model the validator knows, its names on each platform and
//! its lifecycle there, read from `data/models.json` (the one place the list lives), and the
//! drift warnings about model names.
//!
//! A model's lifecycle depends on the platform: AI21 switched J2 off on AI21 Studio in
//! November 2024 and sunsets its own Jamba API on 2026-08-09, while Amazon Bedrock still
//! lists Jamba 1.5 as active. So the registry keeps, per platform (an
//! [`ai21_schemas::Dialect`]), the names the platform uses and dated lifecycle events, each
//! with its source, and a name is checked against the platform it was sent to, on the day
//! the exchange was recorded.
//!
//! # Days
//!
//! A lifecycle date is a calendar day, compared in UTC: an exchange recorded on a model's
//! retirement day, or later, used a retired model. An exchange recorded before it used a
//! live model, and gets no retirement warning: a capture keeps what was true when it was
//! recorded. An exchange without a timestamp (a bare payload, a live run) is checked as of
//! today. Timestamps are read as RFC 3339 (`2024-06-01T12:00:00Z`, an offset or `Z`
//! required, as captures and HAR files write them), as an RFC 3339 date-time without an
//! offset (read as UTC) or a bare date, or as Unix seconds; a timestamp that is none of these
//! is checked as of today, and a finding that depends on the day says so.
//!
//! The dates are parsed with `jiff` rather than by hand: RFC 3339 allows offsets, fractional
//! seconds and lowercase separators, an offset can move a date-time to another day in UTC,
//! and a date has to be checked against its month's length and leap years; that is more
//! than a date compare, and jiff (without a time zone database) is a well-kept crate that
//! does exactly this.

use std::sync::OnceLock;

use ai21_schemas::Dialect;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::describe::{or_list, short_str};
use crate::report::Finding;
use crate::{Error, Result};

const MODELS_JSON: &str = include_str!("../data/models.json");

/// How a model stands on a platform on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelStatus {
    /// Served: launched, and neither deprecated nor retired yet.
    Active,
    /// Served, but flagged for removal by AI21, the platform or AI21's SDKs.
    Deprecated,
    /// Switched off.
    Retired,
    /// Not served yet: the platform launched it later.
    NotLaunched,
    /// No source says: the registry lists the name on the platform but no lifecycle event.
    Unknown,
}

/// A step of a model's life on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// The platform started serving it.
    Launched,
    /// The platform (or AI21, or its SDKs) flagged it for removal.
    Deprecated,
    /// The platform switched it off (a retirement, an end of life or a sunset).
    Retired,
}

impl EventKind {
    /// The word for the event, as the registry file writes it: `launched`, `deprecated` or
    /// `retired`.
    pub const fn name(self) -> &'static str {
        match self {
            EventKind::Launched => "launched",
            EventKind::Deprecated => "deprecated",
            EventKind::Retired => "retired",
        }
    }
}

/// A dated step of a model's life on a platform, with the source that says so.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleEvent {
    /// What happened.
    pub event: EventKind,
    /// The day it happened or happens (an ISO date such as `2024-11-11`); `None` when no
    /// source gives it: the event is known to have happened, at a day not given (unless
    /// [`LifecycleEvent::not_before`] is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// For an event announced without a date: the first day it may happen (Bedrock's end of
    /// life "no sooner than 2025-09-23"). Such an event has not happened as far as the
    /// registry knows, and does not change a status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// Where this comes from: an api-facts section and row, or `assumed: ...` when no
    /// source says so.
    pub source: String,
    /// `date`, parsed when the registry is read.
    #[serde(skip)]
    day: Option<Date>,
}

impl LifecycleEvent {
    /// Whether the event has happened by `day`: a dated event on or before it, an undated
    /// one always, an announced one (`not_before`) never.
    fn counts_on(&self, day: Date) -> bool {
        match self.day {
            Some(date) => date <= day,
            None => self.not_before.is_none(),
        }
    }
}

/// A model on one platform: the names it goes by there and its lifecycle there.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// The names the platform uses for the model, as sent in a URL or a `model` field:
    /// `j2-mid` on AI21 Studio, `ai21.j2-mid-v1` on Amazon Bedrock, `jamba-1.5-mini@001`
    /// on Google Vertex AI, `AI21-Jamba-1.5-Mini` on Azure AI.
    pub names: Vec<String>,
    /// Where the names come from: an api-facts section and row, or `assumed: ...`.
    pub names_source: String,
    /// The model's dated steps on the platform, in order.
    pub lifecycle: Vec<LifecycleEvent>,
    /// Why the status is unknown, for a platform whose lifecycle has no event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

impl Platform {
    /// The model's status here on `day`, and the event that decides it (`None` for an
    /// unknown status). A retirement that has happened decides, else a deprecation, else a
    /// launch; with none of them, a launch after `day` means not launched yet, and no event
    /// at all (or only an announced one) means unknown.
    pub(crate) fn standing(&self, day: Date) -> (ModelStatus, Option<&LifecycleEvent>) {
        let counted = |kind: EventKind| {
            self.lifecycle
                .iter()
                .find(|event| event.event == kind && event.counts_on(day))
        };
        if let Some(event) = counted(EventKind::Retired) {
            return (ModelStatus::Retired, Some(event));
        }
        if let Some(event) = counted(EventKind::Deprecated) {
            return (ModelStatus::Deprecated, Some(event));
        }
        if let Some(event) = counted(EventKind::Launched) {
            return (ModelStatus::Active, Some(event));
        }
        match self
            .lifecycle
            .iter()
            .find(|event| event.event == EventKind::Launched && event.day.is_some())
        {
            Some(event) => (ModelStatus::NotLaunched, Some(event)),
            None => (ModelStatus::Unknown, None),
        }
    }
}

/// The platforms that serve a model, by [`Dialect`]; a platform that does not serve it is
/// `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Platforms {
    /// AI21 Studio, AI21's own API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio: Option<Platform>,
    /// Amazon Bedrock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bedrock: Option<Platform>,
    /// Google Vertex AI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertex: Option<Platform>,
    /// Azure AI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<Platform>,
}

impl Platforms {
    /// The model on `dialect`'s platform, if it serves it.
    pub fn get(&self, dialect: Dialect) -> Option<&Platform> {
        match dialect {
            Dialect::Studio => self.studio.as_ref(),
            Dialect::Bedrock => self.bedrock.as_ref(),
            Dialect::Vertex => self.vertex.as_ref(),
            Dialect::Azure => self.azure.as_ref(),
        }
    }

    fn get_mut(&mut self, dialect: Dialect) -> Option<&mut Platform> {
        match dialect {
            Dialect::Studio => self.studio.as_mut(),
            Dialect::Bedrock => self.bedrock.as_mut(),
            Dialect::Vertex => self.vertex.as_mut(),
            Dialect::Azure => self.azure.as_mut(),
        }
    }
}

/// A model AI21 has served, from `data/models.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KnownModel {
    /// The model's name on AI21 Studio, such as `j2-mid` or `jamba-large`: the name the
    /// registry calls it by (every model has one).
    #[serde(skip_deserializing)]
    pub name: String,
    /// `j1`, `j2` or `jamba`.
    pub family: String,
    /// Where the model comes from and what else is worth knowing about it.
    pub note: String,
    /// Its names and lifecycle on each platform that serves it.
    pub platforms: Platforms,
}

impl KnownModel {
    /// The names `dialect`'s platform uses for the model (none where it does not serve it).
    pub fn names_on(&self, dialect: Dialect) -> &[String] {
        self.platforms
            .get(dialect)
            .map_or(&[], |platform| platform.names.as_slice())
    }

    /// The model's lifecycle events on `dialect`'s platform (none where it does not serve
    /// it, or where no source dates anything).
    pub fn lifecycle_on(&self, dialect: Dialect) -> &[LifecycleEvent] {
        self.platforms
            .get(dialect)
            .map_or(&[], |platform| platform.lifecycle.as_slice())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    #[serde(rename = "$comment")]
    _comment: String,
    models: Vec<KnownModel>,
}

/// Every known model, in the order of `data/models.json`.
///
/// Fails when the file does not parse, or breaks one of its rules: every model has an AI21
/// Studio name, every platform a name, every lifecycle event a source and either an ISO
/// `date`, a `not_before` date or neither, and a platform without events says why its
/// status is `unknown`.
pub fn known_models() -> Result<&'static [KnownModel]> {
    static MODELS: OnceLock<std::result::Result<Vec<KnownModel>, String>> = OnceLock::new();
    MODELS
        .get_or_init(|| read_models(MODELS_JSON))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|message| Error::ModelData {
            message: message.clone(),
        })
}

/// Reads and checks a registry file's text.
fn read_models(text: &str) -> std::result::Result<Vec<KnownModel>, String> {
    let file: ModelFile = serde_json::from_str(text).map_err(|error| error.to_string())?;
    let mut models = file.models;
    for (index, model) in models.iter_mut().enumerate() {
        let Some(name) = model
            .platforms
            .studio
            .as_ref()
            .and_then(|studio| studio.names.first())
        else {
            return Err(format!(
                "/models/{index}: no AI21 Studio name (platforms.studio.names)"
            ));
        };
        let name = name.clone();
        model.name = name.clone();
        for dialect in Dialect::ALL {
            let Some(platform) = model.platforms.get_mut(dialect) else {
                continue;
            };
            let at = format!("/models/{index}/platforms/{}", dialect.name());
            check_platform(platform, &at).map_err(|message| format!("{message} ({name})"))?;
        }
    }
    Ok(models)
}

/// Checks one platform entry and parses its dates; `at` is its JSON Pointer.
fn check_platform(platform: &mut Platform, at: &str) -> std::result::Result<(), String> {
    if platform.names.is_empty() || platform.names.iter().any(String::is_empty) {
        return Err(format!(
            "{at}/names: a platform lists at least one name, none empty"
        ));
    }
    if platform.names_source.trim().is_empty() {
        return Err(format!(
            "{at}/names_source: empty: say where the names come from"
        ));
    }
    for (index, event) in platform.lifecycle.iter_mut().enumerate() {
        let at = format!("{at}/lifecycle/{index}");
        if event.source.trim().is_empty() {
            return Err(format!(
                "{at}/source: empty: every event has a source (or `assumed: ...`)"
            ));
        }
        if event.date.is_some() && event.not_before.is_some() {
            return Err(format!(
                "{at}: both date and not_before: an event has one or neither"
            ));
        }
        event.day = event
            .date
            .as_deref()
            .map(|date| iso_date(date).map_err(|message| format!("{at}/date: {message}")))
            .transpose()?;
        if let Some(not_before) = &event.not_before {
            iso_date(not_before).map_err(|message| format!("{at}/not_before: {message}"))?;
        }
    }
    let has_status = platform
        .lifecycle
        .iter()
        .any(|event| event.not_before.is_none());
    match (&platform.unknown, has_status) {
        (None, false) => Err(format!(
            "{at}: no lifecycle event gives a status: say why it is unknown in `unknown`"
        )),
        (Some(_), true) => Err(format!(
            "{at}/unknown: the lifecycle gives a status, so it is not unknown"
        )),
        (Some(reason), false) if reason.trim().is_empty() => Err(format!(
            "{at}/unknown: empty: say why the status is unknown"
        )),
        _ => Ok(()),
    }
}

/// An ISO calendar date, exactly `YYYY-MM-DD`.
pub(crate) fn iso_date(text: &str) -> std::result::Result<Date, String> {
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| {
            matches!(index, 4 | 7) == (byte == b'-') && (byte == b'-' || byte.is_ascii_digit())
        });
    if !shape {
        return Err(format!("{text:?} is not an ISO date (YYYY-MM-DD)"));
    }
    text.parse::<Date>()
        .map_err(|error| format!("{text:?} is not a date: {error}"))
}

/// The known model with this name, on any platform: AI21 Studio's names first (a
/// Vertex-style version suffix such as `@001` ignored), then every platform's names in
/// [`Dialect::ALL`] order (a Bedrock id with or without a cross-region prefix).
pub fn find_model(name: &str) -> Option<&'static KnownModel> {
    let base = name.split_once('@').map_or(name, |(base, _)| base);
    find_model_on(base, Dialect::Studio).or_else(|| {
        Dialect::ALL
            .into_iter()
            .find_map(|dialect| find_model_on(name, dialect))
    })
}

/// The known model that `dialect`'s platform calls `name`. On Amazon Bedrock an inference
/// profile's cross-region prefix (`us.`, `eu.`, `apac.`) and an ARN's path are looked
/// through (`us.ai21.jamba-1-5-large-v1:0` is `ai21.jamba-1-5-large-v1:0`, as
/// `ai21_schemas::Route` reads it); elsewhere the name is matched exactly, a Vertex version
/// (`@001`) included.
pub fn find_model_on(name: &str, dialect: Dialect) -> Option<&'static KnownModel> {
    let name = match dialect {
        Dialect::Bedrock => bedrock_model_id(name),
        _ => name,
    };
    known_models()
        .ok()?
        .iter()
        .find(|model| model.names_on(dialect).iter().any(|known| known == name))
}

/// A Bedrock model id without an ARN's path or a cross-region inference profile's prefix.
/// The facts do not show a prefixed id; the prefixes are assumed from Bedrock's
/// cross-region inference, read the same way as `ai21_schemas::Route` reads them.
fn bedrock_model_id(id: &str) -> &str {
    let id = id.rsplit('/').next().unwrap_or(id);
    match id.split_once('.') {
        Some((prefix, rest)) if prefix != "ai21" && rest.starts_with("ai21.") => rest,
        _ => id,
    }
}

/// Where a model name was used, which decides the warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// Sent by a client: a retired or deprecated model is worth a warning.
    Request,
    /// Reported by a server: only an unknown name is news.
    Response,
}

/// [`check_model_on`] on AI21 Studio, as of today: a payload without a platform or a
/// timestamp.
#[cfg(test)]
pub(crate) fn check_model(name: &str, what: &str, pointer: &str, usage: Use) -> Option<Finding> {
    check_model_on(name, what, pointer, usage, Dialect::Studio, None)
}

/// The drift warning for the `model` member of a body, if it has one as a string: the name
/// [`check_model_on`] looks up on `on`'s platform, at its time.
pub(crate) fn check_body_model<'a>(
    body: impl ai21_tape::View<'a>,
    usage: Use,
    on: crate::validator::On<'_>,
    out: &mut Vec<Finding>,
) {
    if let Some(model) = body.get("model").and_then(ai21_tape::View::as_str) {
        out.extend(check_model_on(
            model,
            "model",
            "/model",
            usage,
            on.dialect,
            on.timestamp,
        ));
    }
}

/// The drift warning for a model name sent to (or reported by) `dialect`'s platform, on the
/// day of `timestamp` (the exchange's, as the capture writes it), or today without one:
/// [`check_model_on_day`] with [`today`].
pub(crate) fn check_model_on(
    name: &str,
    what: &str,
    pointer: &str,
    usage: Use,
    dialect: Dialect,
    timestamp: Option<&str>,
) -> Option<Finding> {
    check_model_on_day(name, what, pointer, usage, dialect, timestamp, today())
}

/// [`check_model_on_day`] with today given, so that tests do not depend on the clock.
#[cfg(test)]
pub(crate) fn check_model_at(
    name: &str,
    what: &str,
    pointer: &str,
    usage: Use,
    dialect: Dialect,
    timestamp: Option<&str>,
    today: Date,
) -> Option<Finding> {
    let today = Today {
        day: today,
        note: None,
    };
    check_model_on_day(name, what, pointer, usage, dialect, timestamp, today)
}

/// The drift warning for a model name on `dialect`'s platform, on the day of `timestamp`
/// (the exchange's, as the capture writes it), or `today` without one:
///
/// - `drift/unknown-model`: the platform does not know the name. When another platform
///   does (a Studio name sent to Bedrock, a Bedrock id sent to Studio, a Vertex version the
///   registry does not list), the message names that platform and the model's names here.
///   A request from before the platform launched the model gets it too.
/// - `drift/retired-model` (requests only): the model is retired on the platform on the day
///   of the exchange: the message says since when, and where else it is active.
/// - `drift/deprecated-model` (requests only): deprecated there on that day.
///
/// An exchange recorded before a retirement gets no warning: it used a live model. An
/// active model, or one whose status on the platform no source gives, gets none either.
/// A response is checked for an unknown name only, and a name any platform uses counts as
/// known: partners report AI21 Studio's names (Bedrock answers `"model": "jamba-1.5-mini"`,
/// api-facts section 5), and the rules of a payload do not know where it was sent.
fn check_model_on_day(
    name: &str,
    what: &str,
    pointer: &str,
    usage: Use,
    dialect: Dialect,
    timestamp: Option<&str>,
    today: Today,
) -> Option<Finding> {
    let shown = short_str(name);
    let Some(model) = find_model_on(name, dialect) else {
        // A response names the model that answered, as its server calls it: the rules of a
        // payload do not know the platform, and partners report AI21 Studio's names.
        if usage == Use::Response
            && Dialect::ALL
                .into_iter()
                .any(|other| find_model_on(name, other).is_some())
        {
            return None;
        }
        return Some(Finding::warning(
            "drift/unknown-model",
            pointer,
            unknown_message(name, &shown, what, dialect),
        ));
    };
    if usage == Use::Response {
        return None;
    }
    let platform = model.platforms.get(dialect)?;
    // Why the day is today's although there is a timestamp, or how today was told.
    let (day, note) = match timestamp.map(|timestamp| (timestamp, capture_day(timestamp))) {
        Some((_, Some(day))) => (day, None),
        Some((timestamp, None)) => (
            today.day,
            Some(format!(
                "the timestamp {} is not an RFC 3339 date-time or Unix seconds, so it is checked as of today{}",
                short_str(timestamp),
                today
                    .note
                    .as_deref()
                    .map_or_else(String::new, |note| format!("; {note}"))
            )),
        ),
        None => (today.day, today.note),
    };
    let noted = |message: String| match &note {
        None => message,
        Some(note) => format!("{message} ({note})"),
    };
    let title = dialect.title();
    match platform.standing(day) {
        (ModelStatus::Retired, event) => {
            let since = event
                .and_then(|event| event.date.as_deref())
                .map_or_else(String::new, |date| format!(" since {date}"));
            let elsewhere = active_elsewhere(model, dialect, day);
            Some(Finding::warning(
                "drift/retired-model",
                pointer,
                noted(format!(
                    "{what} {shown} is retired on {title}{since}{elsewhere}"
                )),
            ))
        }
        (ModelStatus::Deprecated, event) => {
            let since = event
                .and_then(|event| event.date.as_deref())
                .map_or_else(String::new, |date| format!(" since {date}"));
            Some(Finding::warning(
                "drift/deprecated-model",
                pointer,
                noted(format!(
                    "{what} {shown} is deprecated on {title}{since}: {}",
                    model.note
                )),
            ))
        }
        (ModelStatus::NotLaunched, event) => {
            let launched = event
                .and_then(|event| event.date.as_deref())
                .unwrap_or("later");
            Some(Finding::warning(
                "drift/unknown-model",
                pointer,
                noted(format!(
                    "{what} {shown} was not served on {title} yet on {day}: launched there {launched}"
                )),
            ))
        }
        (ModelStatus::Active | ModelStatus::Unknown, _) => None,
    }
}

/// `, active on Amazon Bedrock as ai21.jamba-1-5-mini-v1:0`: the other platforms where the
/// model is active on `day`, or nothing.
fn active_elsewhere(model: &KnownModel, dialect: Dialect, day: Date) -> String {
    let places: Vec<String> = Dialect::ALL
        .into_iter()
        .filter(|other| *other != dialect)
        .filter_map(|other| {
            let platform = model.platforms.get(other)?;
            let (status, _) = platform.standing(day);
            (status == ModelStatus::Active)
                .then(|| format!("{} as {}", other.title(), or_list(platform.names.iter())))
        })
        .collect();
    if places.is_empty() {
        String::new()
    } else {
        format!(", active on {}", or_list(places))
    }
}

/// Why `dialect`'s platform does not know `name`, naming the platform that does.
fn unknown_message(name: &str, shown: &str, what: &str, dialect: Dialect) -> String {
    let title = dialect.title();
    let known_as = |model: &KnownModel| match model.names_on(dialect) {
        [] => format!("{title} does not list it"),
        names => format!("{title} calls it {}", or_list(names.iter())),
    };
    for other in Dialect::ALL {
        if other == dialect {
            continue;
        }
        if let Some(model) = find_model_on(name, other) {
            let whose = if other == Dialect::Studio {
                format!("{}'s name of the model", other.title())
            } else {
                format!("{}'s name of {}", other.title(), model.name)
            };
            return format!(
                "{what} {shown} is not a name {title} knows: it is {whose}; {}",
                known_as(model)
            );
        }
    }
    if let Some((base, _)) = name.split_once('@')
        && let Some(model) = find_model_on(base, Dialect::Studio)
    {
        return format!(
            "{what} {shown} is not a name {title} knows: {} with a version the registry does not list; {}",
            model.name,
            known_as(model)
        );
    }
    format!("{what} {shown} is not a known AI21 model")
}

/// The environment variable that fixes today for a process, as an ISO date such as
/// `2026-01-01`: for reproducible runs (a CI job whose warnings should not change the day a
/// model retires) and for tests of programs built on the validator. [`pin_today`] wins over
/// it. A value that is not an ISO date is not used, and a finding that depends on the day
/// says so.
pub const TODAY_VARIABLE: &str = "AI21_CONTRACT_TODAY";

/// The day [`pin_today`] fixed.
static PINNED: OnceLock<Date> = OnceLock::new();

/// Fixes the day that model names without a timestamp (a bare payload, an exchange recorded
/// without one, a live run) are checked on, for the rest of the process, instead of the
/// clock's: tests must not depend on the real date. Pinning the day already pinned again
/// is fine, so every test of a process can pin the same day.
///
/// ```
/// ai21_validate::pin_today("2026-01-01")?;
/// ai21_validate::pin_today("2026-01-01")?;
/// assert!(ai21_validate::pin_today("2026-01-02").is_err());
/// assert!(ai21_validate::pin_today("January 1st").is_err());
/// # Ok::<(), ai21_validate::Error>(())
/// ```
pub fn pin_today(day: &str) -> Result<()> {
    let date = iso_date(day).map_err(|message| Error::Today {
        day: day.to_owned(),
        message,
    })?;
    let pinned = *PINNED.get_or_init(|| date);
    if pinned == date {
        Ok(())
    } else {
        Err(Error::Today {
            day: day.to_owned(),
            message: format!("today is already pinned to {pinned}"),
        })
    }
}

/// Today, and how it was told when that is worth saying in a finding.
struct Today {
    day: Date,
    note: Option<String>,
}

/// Today: the day [`pin_today`] fixed, else [`TODAY_VARIABLE`]'s, else the clock's in UTC
/// (with a note when the variable is set but not a date).
fn today() -> Today {
    if let Some(day) = PINNED.get() {
        return Today {
            day: *day,
            note: None,
        };
    }
    static VARIABLE: OnceLock<Option<std::result::Result<Date, String>>> = OnceLock::new();
    let variable = VARIABLE.get_or_init(|| {
        let value = std::env::var_os(TODAY_VARIABLE)?;
        Some(match value.to_str() {
            Some(text) => iso_date(text),
            None => Err("it is not UTF-8".to_owned()),
        })
    });
    let clock = || utc_day(jiff::Timestamp::now());
    match variable {
        None => Today {
            day: clock(),
            note: None,
        },
        Some(Ok(day)) => Today {
            day: *day,
            note: None,
        },
        Some(Err(message)) => Today {
            day: clock(),
            note: Some(format!(
                "{TODAY_VARIABLE} is set but not used: {message}; today is the clock's"
            )),
        },
    }
}

/// The UTC day of a capture's timestamp: RFC 3339 (`2024-06-01T12:00:00Z`, or with an
/// offset), a date-time without an offset (read as UTC) or a bare date, or Unix seconds
/// (an integer, or with a fraction). `None` for anything else.
pub(crate) fn capture_day(timestamp: &str) -> Option<Date> {
    let timestamp = timestamp.trim();
    if let Ok(instant) = timestamp.parse::<jiff::Timestamp>() {
        return Some(utc_day(instant));
    }
    if let Ok(civil) = timestamp.parse::<jiff::civil::DateTime>() {
        return Some(civil.date());
    }
    let seconds = timestamp
        .split_once('.')
        .map_or(timestamp, |(whole, fraction)| {
            if !fraction.is_empty() && fraction.bytes().all(|byte| byte.is_ascii_digit()) {
                whole
            } else {
                timestamp
            }
        });
    if !seconds.is_empty() && seconds.bytes().all(|byte| byte.is_ascii_digit()) {
        let seconds: i64 = seconds.parse().ok()?;
        return jiff::Timestamp::from_second(seconds).ok().map(utc_day);
    }
    None
}

/// The day of an instant in UTC.
fn utc_day(instant: jiff::Timestamp) -> Date {
    TimeZone::UTC.to_datetime(instant).date()
}

#[cfg(test)]
mod tests;
