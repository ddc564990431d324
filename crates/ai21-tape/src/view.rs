//! [`View`]: what the validator's rules read of a JSON value, whatever holds it.

use serde_json::Value;

/// The JSON type of a value; integers are numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number, integer or not.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// A read-only, borrowed JSON value: `&'a serde_json::Value` or a node of a
/// [`Tape`](crate::Tape).
///
/// Every method reads what `serde_json::Value`'s method of the same name reads, so code
/// written against a `View` gives the same answers on a tape as on the tree parsed from
/// the same text (the crate's property tests hold the tape to it). Copying a view is
/// free.
pub trait View<'a>: Copy {
    /// The elements of an array, in order.
    type Items: Iterator<Item = Self> + ExactSizeIterator + Clone;
    /// The members of an object. The order is the holder's: sorted by key for a `Value`
    /// (a `serde_json::Map`), as written for a tape; code whose output depends on it sorts.
    type Members: Iterator<Item = (&'a str, Self)> + Clone;

    /// The value's JSON type.
    fn kind(self) -> Kind;
    /// The member `key` of an object; `None` for a missing key or a value that is not an
    /// object.
    fn get(self, key: &str) -> Option<Self>;
    /// The string, if the value is one.
    fn as_str(self) -> Option<&'a str>;
    /// The boolean, if the value is one.
    fn as_bool(self) -> Option<bool>;
    /// The number, if it is an integer that fits (as [`Value::as_u64`]).
    fn as_u64(self) -> Option<u64>;
    /// The number, if it is an integer that fits (as [`Value::as_i64`]).
    fn as_i64(self) -> Option<i64>;
    /// The number as a float, for any number (as [`Value::as_f64`]).
    fn as_f64(self) -> Option<f64>;
    /// The elements, if the value is an array.
    fn items(self) -> Option<Self::Items>;
    /// The members, if the value is an object.
    fn members(self) -> Option<Self::Members>;
    /// The value as a `serde_json::Value`, built (for messages, on the cold path).
    fn to_value(self) -> Value;

    /// Whether the value is `null`.
    fn is_null(self) -> bool {
        self.kind() == Kind::Null
    }
    /// Whether the value is a string.
    fn is_string(self) -> bool {
        self.kind() == Kind::String
    }
    /// Whether the value is an array.
    fn is_array(self) -> bool {
        self.kind() == Kind::Array
    }
    /// Whether the value is an object.
    fn is_object(self) -> bool {
        self.kind() == Kind::Object
    }
    /// Whether the value is a number.
    fn is_number(self) -> bool {
        self.kind() == Kind::Number
    }
    /// Whether the object has the member `key`.
    fn contains_key(self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl<'a> View<'a> for &'a Value {
    type Items = std::slice::Iter<'a, Value>;
    type Members = Members<'a>;

    fn kind(self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }
    fn get(self, key: &str) -> Option<Self> {
        Value::get(self, key)
    }
    fn as_str(self) -> Option<&'a str> {
        Value::as_str(self)
    }
    fn as_bool(self) -> Option<bool> {
        Value::as_bool(self)
    }
    fn as_u64(self) -> Option<u64> {
        Value::as_u64(self)
    }
    fn as_i64(self) -> Option<i64> {
        Value::as_i64(self)
    }
    fn as_f64(self) -> Option<f64> {
        Value::as_f64(self)
    }
    fn items(self) -> Option<Self::Items> {
        self.as_array().map(|items| items.iter())
    }
    fn members(self) -> Option<Self::Members> {
        self.as_object().map(|map| Members(map.iter()))
    }
    fn to_value(self) -> Value {
        self.clone()
    }
}

/// The members of a `serde_json::Map`, keys as `&str`.
#[derive(Debug, Clone)]
pub struct Members<'a>(serde_json::map::Iter<'a>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (key.as_str(), value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
