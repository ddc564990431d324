//! Borrowed JSON for the validator: the read-only [`View`] its rules are written against,
//! implemented by `&serde_json::Value` and by a node of a [`Tape`], a flat, borrowed
//! parse of JSON text that builds no tree.

mod tape;
mod view;

pub use tape::{
    LONG_STRING, MAX_DEPTH, NAMED_STRING, SHORT_NAMED_STRING, Tape, TapeBuf, TapeItems,
    TapeMembers, TapeRef, TapeString, TapeStrings, Unsupported,
};
pub use view::{Kind, Members, View};
