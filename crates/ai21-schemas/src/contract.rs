//! Named contracts: today's, and the historical ones frozen under `schemas/history/`.
//!
//! A [`Contract`] is what a check of traffic holds it to. [`Contract::CURRENT`] is today's
//! contract, the canonical schemas directly under `schemas/`. Every folder of
//! `schemas/history/` is a historical contract named after the folder: it freezes the
//! payload kinds whose `{stem}.schema.json` it holds, as an older document described them
//! (`schemas/history/README.md` says which document, and how each schema was written). The
//! build script finds the folders, so adding a folder adds a contract; it stops the build
//! on a file not named for a known kind, one that is not JSON, one not marked
//! `"deprecated": true`, and one whose `$id` is not under
//! `https://ai21-contract.dev/schemas/history/{name}/`.
//!
//! A historical contract says nothing of the kinds it does not freeze: a check against it
//! takes today's schema for those ([`Contract::schema_or_today`]).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde_json::Value;

use crate::{HISTORY, HISTORY_COUNT, PayloadKind};

/// One historical contract, as the build script found it.
#[derive(Debug)]
pub(crate) struct Frozen {
    /// The folder's name.
    pub(crate) name: &'static str,
    /// For each kind (in [`PayloadKind::ALL`] order), its frozen schema, if the folder
    /// holds one.
    pub(crate) schemas: [Option<FrozenSchema>; 6],
}

/// A historical schema file.
#[derive(Debug)]
pub(crate) struct FrozenSchema {
    /// The file's text.
    pub(crate) text: &'static str,
    /// Its `$id`.
    pub(crate) id: &'static str,
}

/// How many contracts there are: today's and the historical ones.
const COUNT: usize = HISTORY_COUNT + 1;

/// A named contract: today's ([`Contract::CURRENT`]) or one of the historical contracts
/// frozen under `schemas/history/{name}/`.
///
/// ```
/// use ai21_schemas::{Contract, PayloadKind};
///
/// let preview = Contract::by_name("jamba-preview")?;
/// assert!(preview.is_historical());
/// let request = PayloadKind::JambaChatRequest;
/// // The preview froze the request as seed 002 documents it: "max_tokens" under 64K.
/// assert_eq!(preview.schema(request).unwrap()["properties"]["max_tokens"]["maximum"], 65535);
/// assert_eq!(request.schema()["properties"]["max_tokens"]["maximum"], 4096);
/// // It did not freeze the stream chunk: a check against it takes today's schema.
/// assert_eq!(preview.schema(PayloadKind::JambaChatStreamChunk), None);
/// assert!(std::ptr::eq(
///     preview.schema_or_today(PayloadKind::JambaChatStreamChunk),
///     PayloadKind::JambaChatStreamChunk.schema(),
/// ));
/// assert!(Contract::by_name("jamba-1999").is_err());
/// # Ok::<(), ai21_schemas::UnknownContract>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Contract(usize);

impl Contract {
    /// Today's contract: the canonical schemas directly under `schemas/`.
    pub const CURRENT: Contract = Contract(0);

    /// Every contract: today's first, then the historical ones in name order.
    pub const ALL: [Contract; COUNT] = {
        let mut all = [Contract::CURRENT; COUNT];
        let mut index = 0;
        while index < COUNT {
            all[index] = Contract(index);
            index += 1;
        }
        all
    };

    /// The contract named `name` (`current`, or a folder of `schemas/history/`), in any
    /// case; the error lists the known names.
    pub fn by_name(name: &str) -> Result<Contract, UnknownContract> {
        Contract::ALL
            .into_iter()
            .find(|contract| contract.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownContract(name.to_owned()))
    }

    /// The name: `current` for today's contract, the folder's name for a historical one
    /// (`jamba-preview`).
    pub fn name(self) -> &'static str {
        match self.frozen() {
            None => "current",
            Some(frozen) => frozen.name,
        }
    }

    /// Whether this is a historical contract, not today's.
    pub fn is_historical(self) -> bool {
        self.frozen().is_some()
    }

    /// The kinds this contract has a schema of: every kind for today's contract, the kinds
    /// it freezes for a historical one, in [`PayloadKind::ALL`] order.
    pub fn kinds(self) -> impl Iterator<Item = PayloadKind> {
        PayloadKind::ALL
            .into_iter()
            .filter(move |kind| self.schema_text(*kind).is_some())
    }

    /// The schema of `kind` in this contract, parsed on first use and shared afterwards:
    /// today's for [`Contract::CURRENT`]; for a historical contract the frozen one, or
    /// `None` when it does not freeze `kind`.
    pub fn schema(self, kind: PayloadKind) -> Option<&'static Value> {
        static PARSED: [[OnceLock<Value>; 6]; COUNT] =
            [const { [const { OnceLock::new() }; 6] }; COUNT];
        if !self.is_historical() {
            return Some(kind.schema());
        }
        let text = self.frozen_schema(kind)?.text;
        Some(PARSED[self.0][kind as usize].get_or_init(|| {
            serde_json::from_str(text)
                .expect("the build script checked that every historical schema is JSON")
        }))
    }

    /// The schema a check against this contract holds a payload of `kind` to: this
    /// contract's ([`Contract::schema`]), or today's for a kind it does not freeze.
    pub fn schema_or_today(self, kind: PayloadKind) -> &'static Value {
        self.schema(kind).unwrap_or_else(|| kind.schema())
    }

    /// The text of the schema of `kind` in this contract, exactly as in its file; `None`
    /// when a historical contract does not freeze `kind`.
    pub fn schema_text(self, kind: PayloadKind) -> Option<&'static str> {
        match self.frozen() {
            None => Some(kind.schema_text()),
            Some(_) => self.frozen_schema(kind).map(|schema| schema.text),
        }
    }

    /// The `$id` of the schema of `kind` in this contract; `None` when a historical
    /// contract does not freeze `kind`.
    pub fn id(self, kind: PayloadKind) -> Option<&'static str> {
        match self.frozen() {
            None => Some(kind.id()),
            Some(_) => self.frozen_schema(kind).map(|schema| schema.id),
        }
    }

    /// The path of the schema file of `kind` relative to `schemas/`
    /// (`history/jamba-preview/jamba-chat.request.schema.json`, or `jamba-chat.request.schema.json`
    /// for today's); `None` when a historical contract does not freeze `kind`.
    pub fn file(self, kind: PayloadKind) -> Option<String> {
        match self.frozen() {
            None => Some(kind.file_name().to_owned()),
            Some(frozen) => self
                .frozen_schema(kind)
                .map(|_| format!("history/{}/{}", frozen.name, kind.file_name())),
        }
    }

    fn frozen(self) -> Option<&'static Frozen> {
        self.0.checked_sub(1).map(|index| &HISTORY[index])
    }

    fn frozen_schema(self, kind: PayloadKind) -> Option<&'static FrozenSchema> {
        self.frozen()?.schemas[kind as usize].as_ref()
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Contract {
    type Err = UnknownContract;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Contract::by_name(name)
    }
}

/// A name that is no contract's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownContract(pub String);

impl fmt::Display for UnknownContract {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "unknown contract {:?}, expected one of:", self.0)?;
        for (index, contract) in Contract::ALL.into_iter().enumerate() {
            let separator = if index == 0 { " " } else { ", " };
            write!(formatter, "{separator}{contract}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownContract {}
