//! Deserializers the generated types name: presence and integers.
//!
//! **Presence.** serde maps both an absent property and `null` to `None`. The generated
//! types need to tell them apart: an optional property the schema does not allow to be
//! `null` must reject `null`, and one it does allow must keep it. The code generator's
//! presence pass points every optional field at one of these functions (with
//! `#[serde(default)]` for absence and `skip_serializing_if = "Option::is_none"` for
//! writing): [`present`] and [`nullable`], or [`present_integer`] and
//! [`nullable_integer`] for an integer property.
//!
//! **Integers.** JSON has one number type, and JSON Schema (draft 2020-12) counts any
//! number with a zero fractional part as an integer: `30.0` and `3e1` are the integer 30.
//! serde's integer types refuse them, so every integer field of the generated types reads
//! through [`integer`] (or one of the two above): an integral number is accepted, written
//! as it is or with a fraction or exponent, and one with a fractional part (`30.5`), or
//! out of the field's range, is refused with an error that says so. A value is always
//! written back as an integer (`30`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Unexpected, Visitor};
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

/// For a required integer property: an integral number, written `30`, `30.0` or `3e1`.
pub fn integer<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Integer,
{
    // Any, not an integer hint: a buffered value (an untagged or flattened field) holding
    // a float refuses integer hints.
    deserializer.deserialize_any(IntegerVisitor(PhantomData))
}

/// [`present`] for an integer property: an integral number is `Some`, `null` an error.
pub fn present_integer<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Integer,
{
    integer(deserializer).map(Some)
}

/// [`nullable`] for an integer property: `null` is `Some(None)`, an integral number
/// `Some(Some(value))`.
pub fn nullable_integer<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Integer,
{
    Option::<Integral<T>>::deserialize(deserializer)
        .map(|value| Some(value.map(|Integral(value)| value)))
}

/// An integer type the generated types use; [`integer`] reads one from any integral
/// JSON number it can hold.
pub trait Integer: Sized {
    /// The value, if this type holds it.
    fn from_u64(value: u64) -> Option<Self>;
    /// The value, if this type holds it.
    fn from_i64(value: i64) -> Option<Self>;
}

macro_rules! integers {
    ($($name:ty),*) => {$(
        impl Integer for $name {
            fn from_u64(value: u64) -> Option<Self> {
                Self::try_from(value).ok()
            }
            fn from_i64(value: i64) -> Option<Self> {
                Self::try_from(value).ok()
            }
        }
    )*};
}

integers!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// An integer read by [`integer`], for `Option<Integral<T>>`.
struct Integral<T>(T);

impl<'de, T: Integer> Deserialize<'de> for Integral<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        integer(deserializer).map(Integral)
    }
}

struct IntegerVisitor<T>(PhantomData<T>);

impl<T> IntegerVisitor<T> {
    fn out_of_range<E: de::Error>(&self, unexpected: Unexpected<'_>) -> E {
        E::invalid_value(unexpected, &"an integer in the range of the field's type")
    }
}

impl<T: Integer> Visitor<'_> for IntegerVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an integer (an integral number, such as 30 or 30.0)")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        T::from_u64(value).ok_or_else(|| self.out_of_range(Unexpected::Unsigned(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        T::from_i64(value).ok_or_else(|| self.out_of_range(Unexpected::Signed(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        // 2^64 and -2^63 are exact in an f64; an integral f64 between them converts
        // exactly.
        const U64_END: f64 = 18_446_744_073_709_551_616.0;
        const I64_START: f64 = -9_223_372_036_854_775_808.0;
        if !value.is_finite() || value.fract() != 0.0 {
            return Err(E::invalid_type(Unexpected::Float(value), &self));
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "an integral f64 inside the target's range converts exactly"
        )]
        let converted = if (0.0..U64_END).contains(&value) {
            T::from_u64(value as u64)
        } else if (I64_START..0.0).contains(&value) {
            T::from_i64(value as i64)
        } else {
            None
        };
        converted.ok_or_else(|| self.out_of_range(Unexpected::Float(value)))
    }
}
