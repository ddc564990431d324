//! Deserializers that keep an optional property's presence exactly as it was sent.
//!
//! serde maps both an absent property and `null` to `None`. The generated types need to
//! tell them apart: an optional property the schema does not allow to be `null` must
//! reject `null`, and one it does allow must keep it. The code generator's presence pass
//! points every optional field at one of these two functions (with `#[serde(default)]`
//! for absence and `skip_serializing_if = "Option::is_none"` for writing).

use serde::{Deserialize, Deserializer};

/// For an optional property that may not be `null`: a present value is `Some`, and
/// `null` is an error (absence is handled by `#[serde(default)]`).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For an optional property that may be `null`: `null` is `Some(None)`, a value is
/// `Some(Some(value))` (absence is `None`, through `#[serde(default)]`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
