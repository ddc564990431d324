//! [`Tape`]: a flat, borrowed parse of one JSON document, read through [`TapeRef`], a
//! [`View`] of one of its values.
//!
//! The tape is the validator's fast path. It reads a document exactly as
//! `serde_json::from_str::<serde_json::Value>` does, or refuses it with [`Unsupported`]
//! so that the caller parses it with serde_json instead: whenever [`TapeBuf::parse`]
//! succeeds, serde_json succeeds on the same text, and every [`View`] method of every
//! node answers what the same method of the `Value` answers (the crate's property tests
//! hold it to that). It never panics. What it refuses besides text that is not JSON is
//! listed at [`Unsupported`].
//!
//! # Layout
//!
//! A tape is a vector of 16-byte nodes in document order, one per value and one per
//! object key (the key's node comes just before its value's). A container's node holds
//! its number of elements (or members) and the index one past its last descendant, so
//! skipping a subtree is O(1). Strings without escapes borrow from the text; escaped ones
//! are decoded into one side buffer. Integers are stored as parsed. Floats whose digits
//! fit 53 bits with a power of ten up to 22 (all but ~2% of a capture's) are computed
//! at parse time, exactly (one correctly rounded operation); the others keep the span of
//! their literal and are read with `str::parse::<f64>` when asked for. Both are correctly
//! rounded, as serde_json's are with `float_roundtrip`.
//!
//! Every node also knows where its value starts in the text; [`TapeRef::raw`] finds
//! where it ends by re-scanning the value's text (cheap for scalars, linear in the text
//! of a container).

use std::fmt;

use serde_json::{Map, Number, Value};

use crate::view::{Kind, View};

/// The deepest nesting of arrays and objects the tape reads; deeper documents are
/// [`Unsupported`] (serde_json refuses nesting deeper than 128).
pub const MAX_DEPTH: u32 = 120;

/// Strings of this many bytes or more (decoded) are listed by [`TapeRef::long_strings`].
pub const LONG_STRING: usize = 16;

/// Member names of this many bytes or more whose value is a string are listed by
/// [`TapeRef::long_strings`] (and longer ones, [`LONG_STRING`], whatever their value).
pub const NAMED_STRING: usize = 6;

/// Member names of exactly this many bytes whose value is a string are listed by
/// [`TapeRef::long_strings`] too: the short credential names (`key`, `pwd`) a redaction
/// looks for, which no payload of the API uses.
pub const SHORT_NAMED_STRING: usize = 3;

/// The longest number literal the tape reads, in bytes.
const MAX_NUMBER_LEN: usize = 256;

/// The most digits an exponent may have.
const MAX_EXPONENT_DIGITS: usize = 5;

// Node tags. Containers are last, so `tag >= ARRAY` tells one.
const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
/// `b`: the value.
const U64: u32 = 3;
/// `b`: the value, as `u64` bits. Always negative.
const I64: u32 = 4;
/// A float read at parse time; `b`: its bits.
const F64: u32 = 5;
/// A float read when asked for; `b`: the length of its literal.
const F64_LITERAL: u32 = 6;
/// A string without escapes; `a`: its first byte in the text (after the quote), `b`: its
/// length.
const STR: u32 = 7;
/// A string with escapes; `a` as for [`STR`]; `b`: its decoded text's offset in the side
/// buffer (low 32 bits) and its length (high 32 bits).
const ESTR: u32 = 8;
/// An object's key without escapes, as [`STR`]: keys have tags of their own so that a
/// pass over the nodes in order tells them from values ([`TapeRef::strings`]).
const KEY: u32 = 9;
/// An object's key with escapes, as [`ESTR`].
const EKEY: u32 = 10;
/// `a`: the number of elements; `b`: the index one past the last descendant (low 32 bits)
/// and the offset of the `[` (high 32 bits).
const ARRAY: u32 = 11;
/// As [`ARRAY`], with members; the key of a member is the node before its value.
const OBJECT: u32 = 12;

/// Powers of ten an `f64` holds exactly.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// One value (or object key) of a tape. `a` is the value's offset in the text for every
/// tag but containers'; see the tags for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    tag: u32,
    a: u32,
    b: u64,
}

/// The text is not JSON, or is JSON the tape does not read the way serde_json does;
/// parse it with serde_json instead.
///
/// Besides text that is not JSON (serde_json rejects it too), the tape refuses some JSON
/// that serde_json reads, rare in practice, where reading it the same way would cost more
/// than it saves:
///
/// - an object with a duplicate key (serde_json keeps the last value; the tape would keep
///   both);
/// - nesting deeper than [`MAX_DEPTH`] arrays and objects (serde_json's own limit is 128);
/// - a number literal longer than 256 bytes, or whose exponent has more than 5 digits
///   (`1e000001`);
/// - a document of 4 GiB or more (offsets are 32 bits).
///
/// Lone UTF-16 surrogates in `\u` escapes are errors for serde_json and for the tape
/// alike; pairs are decoded as serde_json decodes them. Numbers serde_json refuses as
/// out of range (`1e400`) are refused too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the text is not JSON the fast path reads the same way serde_json does")
    }
}

impl std::error::Error for Unsupported {}

/// The buffers of a tape, reused from one document to the next: parsing many documents
/// in a row allocates nothing once they have grown to the largest.
///
/// ```
/// use ai21_tape::{TapeBuf, View};
///
/// let mut buf = TapeBuf::default();
/// for line in [r#"{"id":"a","logprobs":[-0.5,-1e-3]}"#, r#"{"id":"b\n","logprobs":[]}"#] {
///     let tape = buf.parse(line)?;
///     let root = tape.root();
///     let logprobs = root.get("logprobs").and_then(View::items).map_or(0, |items| items.len());
///     println!("{:?}: {logprobs} logprobs in {}", root.get("id").and_then(View::as_str), root.raw());
/// }
/// # Ok::<(), ai21_tape::Unsupported>(())
/// ```
#[derive(Debug, Default)]
pub struct TapeBuf {
    nodes: Vec<Node>,
    escaped: String,
    /// The keys of an object being checked for duplicates: fingerprint and node.
    keys: Vec<(u64, u32)>,
    /// The nodes [`TapeRef::long_strings`] lists, in order.
    long: Vec<u32>,
}

/// One parsed JSON document: the text and its nodes. Read it from [`Tape::root`].
#[derive(Clone, Copy)]
pub struct Tape<'a> {
    src: &'a str,
    nodes: &'a [Node],
    escaped: &'a str,
    long: &'a [u32],
}

/// A value of a [`Tape`]: the tape's [`View`]. Copying one is free (16 bytes).
#[derive(Clone, Copy)]
pub struct TapeRef<'a> {
    tape: &'a Tape<'a>,
    at: u32,
}

impl TapeBuf {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `src`, one JSON document (surrounding whitespace allowed), into a tape, or
    /// returns [`Unsupported`] for text serde_json rejects or reads in a way the tape does
    /// not.
    pub fn parse<'a>(&'a mut self, src: &'a str) -> Result<Tape<'a>, Unsupported> {
        self.nodes.clear();
        self.escaped.clear();
        self.keys.clear();
        self.long.clear();
        if src.len() >= u32::MAX as usize {
            return Err(Unsupported);
        }
        let s = src.as_bytes();
        let mut parser = Parser {
            src,
            s,
            nodes: &mut self.nodes,
            escaped: &mut self.escaped,
            keys: &mut self.keys,
            long: &mut self.long,
        };
        let i = parser.value(0, 0)?;
        if skip_ws(s, i) != s.len() {
            return Err(Unsupported);
        }
        // A member's name is listed after its value.
        self.long.sort_unstable();
        self.long.dedup();
        Ok(Tape {
            src,
            nodes: &self.nodes,
            escaped: &self.escaped,
            long: &self.long,
        })
    }
}

impl<'a> Tape<'a> {
    /// The document's value.
    pub fn root(&self) -> TapeRef<'_> {
        TapeRef { tape: self, at: 0 }
    }

    /// The text the tape was parsed from.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// The number of nodes: one per value and one per object key.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tape has no nodes (never, for a tape [`TapeBuf::parse`] returned).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    #[inline]
    fn node(&self, at: u32) -> Node {
        self.nodes.get(at as usize).copied().unwrap_or(Node {
            tag: NULL,
            a: 0,
            b: 0,
        })
    }

    /// The index one past the subtree at `at`.
    #[inline]
    fn next(&self, at: u32) -> u32 {
        let node = self.node(at);
        if node.tag >= ARRAY {
            node.b as u32
        } else {
            at + 1
        }
    }

    /// The text of a string node.
    #[inline]
    fn str_of(&self, node: Node) -> &'a str {
        let (text, start, len) = if node.tag == STR || node.tag == KEY {
            (self.src, node.a as usize, node.b as usize)
        } else {
            (
                self.escaped,
                node.b as u32 as usize,
                (node.b >> 32) as usize,
            )
        };
        text.get(start..start + len).unwrap_or_default()
    }

    /// Whether the string node `node` is `key`, length first, on bytes (no character
    /// boundary to check).
    #[inline]
    fn str_is(&self, node: Node, key: &str) -> bool {
        let (text, start, len) = if node.tag == STR || node.tag == KEY {
            (self.src, node.a as usize, node.b as usize)
        } else {
            (
                self.escaped,
                node.b as u32 as usize,
                (node.b >> 32) as usize,
            )
        };
        len == key.len()
            && text
                .as_bytes()
                .get(start..start + len)
                .is_some_and(|bytes| same_bytes(bytes, key.as_bytes()))
    }
}

impl fmt::Debug for Tape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tape")
            .field("src", &self.src)
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl<'a> TapeRef<'a> {
    #[inline]
    fn node(self) -> Node {
        self.tape.node(self.at)
    }

    /// The value's text, exactly as in the document (without surrounding whitespace).
    ///
    /// Found by re-scanning the text from the value's start: O(1) for literals, linear in
    /// the length of a number, a string or a container's whole text.
    pub fn raw(self) -> &'a str {
        let node = self.node();
        let start = match node.tag {
            STR | ESTR => (node.a as usize).saturating_sub(1),
            ARRAY | OBJECT => (node.b >> 32) as usize,
            _ => node.a as usize,
        };
        let src = self.tape.src;
        let end = value_end(src.as_bytes(), start);
        src.get(start..end).unwrap_or_default()
    }

    /// Every string in the value, in document order, by one pass over its nodes (no
    /// recursion, no tree): each member's name as [`TapeString::Key`], with the member's
    /// value when that is a string, and every string value (those too) as
    /// [`TapeString::Value`]. For scans of all the text of a document, such as a search for
    /// secrets.
    ///
    /// ```
    /// use ai21_tape::{TapeBuf, TapeString};
    ///
    /// let mut buf = TapeBuf::default();
    /// let tape = buf.parse(r#"{"a": "x", "b": [1, "y"]}"#)?;
    /// let strings: Vec<TapeString<'_>> = tape.root().strings().collect();
    /// assert_eq!(strings, [
    ///     TapeString::Key { name: "a", value: Some("x") },
    ///     TapeString::Value("x"),
    ///     TapeString::Key { name: "b", value: None },
    ///     TapeString::Value("y"),
    /// ]);
    /// # Ok::<(), ai21_tape::Unsupported>(())
    /// ```
    pub fn strings(self) -> TapeStrings<'a> {
        TapeStrings {
            tape: self.tape,
            at: self.at,
            end: self.tape.next(self.at),
        }
    }

    /// The strings of the value worth a look for a search that skips short text: every
    /// string value and member name of at least [`LONG_STRING`] bytes, and every member
    /// name of at least [`NAMED_STRING`] bytes, or of exactly [`SHORT_NAMED_STRING`],
    /// whose value is a string; as
    /// [`TapeRef::strings`] gives them, in document order. The parse lists them as it goes,
    /// so this reads a handful of nodes where [`TapeRef::strings`] reads them all: a J2
    /// response of thousands of tokens has a few long strings (its texts, its id).
    ///
    /// ```
    /// use ai21_tape::{TapeBuf, TapeString};
    ///
    /// let mut buf = TapeBuf::default();
    /// let tape = buf.parse(r#"{"token": "short", "password": "x", "text": "a string of some length"}"#)?;
    /// let long: Vec<TapeString<'_>> = tape.root().long_strings().collect();
    /// assert_eq!(long, [
    ///     TapeString::Key { name: "password", value: Some("x") },
    ///     TapeString::Value("a string of some length"),
    /// ]);
    /// # Ok::<(), ai21_tape::Unsupported>(())
    /// ```
    pub fn long_strings(self) -> impl Iterator<Item = TapeString<'a>> + 'a {
        let tape = self.tape;
        let (start, end) = (self.at, tape.next(self.at));
        let from = tape.long.partition_point(|&at| at < start);
        let to = tape.long.partition_point(|&at| at < end);
        tape.long
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .map(move |&at| {
                let node = tape.node(at);
                if matches!(node.tag, KEY | EKEY) {
                    let value = tape.node(at + 1);
                    TapeString::Key {
                        name: tape.str_of(node),
                        value: matches!(value.tag, STR | ESTR).then(|| tape.str_of(value)),
                    }
                } else {
                    TapeString::Value(tape.str_of(node))
                }
            })
    }

    /// The float of an `F64_LITERAL` node.
    #[cold]
    fn float(self, node: Node) -> Option<f64> {
        let start = node.a as usize;
        self.tape
            .src
            .get(start..start + node.b as usize)?
            .parse()
            .ok()
    }
}

impl fmt::Debug for TapeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TapeRef").field(&self.raw()).finish()
    }
}

impl<'a> View<'a> for TapeRef<'a> {
    type Items = TapeItems<'a>;
    type Members = TapeMembers<'a>;

    #[inline]
    fn kind(self) -> Kind {
        match self.node().tag {
            NULL => Kind::Null,
            FALSE | TRUE => Kind::Bool,
            U64 | I64 | F64 | F64_LITERAL => Kind::Number,
            STR | ESTR => Kind::String,
            ARRAY => Kind::Array,
            _ => Kind::Object,
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        let tape = self.tape;
        let nodes = tape.nodes;
        let node = nodes.get(self.at as usize)?;
        if node.tag != OBJECT {
            return None;
        }
        // Members are (key, value) pairs up to the object's end; a container value is
        // skipped whole.
        let end = node.b as u32 as usize;
        let mut at = self.at as usize + 1;
        while at < end {
            let (Some(&name), Some(value)) = (nodes.get(at), nodes.get(at + 1)) else {
                return None;
            };
            if tape.str_is(name, key) {
                return Some(TapeRef {
                    tape,
                    at: at as u32 + 1,
                });
            }
            at = if value.tag >= ARRAY {
                value.b as u32 as usize
            } else {
                at + 2
            };
        }
        None
    }

    #[inline]
    fn as_str(self) -> Option<&'a str> {
        let node = self.node();
        matches!(node.tag, STR | ESTR).then(|| self.tape.str_of(node))
    }

    #[inline]
    fn as_bool(self) -> Option<bool> {
        match self.node().tag {
            TRUE => Some(true),
            FALSE => Some(false),
            _ => None,
        }
    }

    #[inline]
    fn as_u64(self) -> Option<u64> {
        let node = self.node();
        (node.tag == U64).then_some(node.b)
    }

    #[inline]
    fn as_i64(self) -> Option<i64> {
        let node = self.node();
        match node.tag {
            U64 => i64::try_from(node.b).ok(),
            I64 => Some(node.b as i64),
            _ => None,
        }
    }

    #[inline]
    fn as_f64(self) -> Option<f64> {
        let node = self.node();
        match node.tag {
            U64 => Some(node.b as f64),
            I64 => Some(node.b as i64 as f64),
            F64 => Some(f64::from_bits(node.b)),
            F64_LITERAL => self.float(node),
            _ => None,
        }
    }

    #[inline]
    fn items(self) -> Option<Self::Items> {
        let node = self.node();
        (node.tag == ARRAY).then_some(TapeItems {
            tape: self.tape,
            at: self.at + 1,
            left: node.a,
        })
    }

    #[inline]
    fn members(self) -> Option<Self::Members> {
        let node = self.node();
        (node.tag == OBJECT).then_some(TapeMembers {
            tape: self.tape,
            at: self.at + 1,
            left: node.a,
        })
    }

    fn to_value(self) -> Value {
        let node = self.node();
        match node.tag {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            U64 => Value::Number(node.b.into()),
            I64 => Value::Number((node.b as i64).into()),
            F64 | F64_LITERAL => self
                .as_f64()
                .and_then(Number::from_f64)
                .map_or(Value::Null, Value::Number),
            STR | ESTR => Value::String(self.tape.str_of(node).to_owned()),
            ARRAY => Value::Array(
                self.items()
                    .into_iter()
                    .flatten()
                    .map(View::to_value)
                    .collect(),
            ),
            _ => Value::Object(
                self.members()
                    .into_iter()
                    .flatten()
                    .map(|(key, value)| (key.to_owned(), value.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// The elements of an array of a [`Tape`], in order.
#[derive(Debug, Clone)]
pub struct TapeItems<'a> {
    tape: &'a Tape<'a>,
    at: u32,
    left: u32,
}

impl<'a> Iterator for TapeItems<'a> {
    type Item = TapeRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let item = TapeRef {
            tape: self.tape,
            at: self.at,
        };
        self.at = self.tape.next(self.at);
        self.left -= 1;
        Some(item)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for TapeItems<'_> {}

impl std::iter::FusedIterator for TapeItems<'_> {}

/// The members of an object of a [`Tape`], as written.
#[derive(Debug, Clone)]
pub struct TapeMembers<'a> {
    tape: &'a Tape<'a>,
    /// The next member's key.
    at: u32,
    left: u32,
}

impl<'a> Iterator for TapeMembers<'a> {
    type Item = (&'a str, TapeRef<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let tape = self.tape;
        let key = tape.str_of(tape.node(self.at));
        let value = TapeRef {
            tape,
            at: self.at + 1,
        };
        self.at = tape.next(self.at + 1);
        self.left -= 1;
        Some((key, value))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for TapeMembers<'_> {}

impl std::iter::FusedIterator for TapeMembers<'_> {}

/// Whether two byte strings of the same length are equal, without a call to `memcmp` for
/// the short ones (object keys): up to 16 bytes are compared as two overlapping words
/// (the first and the last 8, 4 or 2 bytes).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn ends<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        a.first_chunk::<N>() == b.first_chunk::<N>() && a.last_chunk::<N>() == b.last_chunk::<N>()
    }
    debug_assert_eq!(a.len(), b.len());
    match a.len() {
        0 => true,
        1 => a.first() == b.first(),
        2..=3 => ends::<2>(a, b),
        4..=7 => ends::<4>(a, b),
        8..=16 => ends::<8>(a, b),
        _ => a == b,
    }
}

/// A string of a value, from [`TapeRef::strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapeString<'a> {
    /// A member's name.
    Key {
        /// The name.
        name: &'a str,
        /// The member's value, when it is a string.
        value: Option<&'a str>,
    },
    /// A string value.
    Value(&'a str),
}

/// The strings of a value, in document order: [`TapeRef::strings`].
#[derive(Debug, Clone)]
pub struct TapeStrings<'a> {
    tape: &'a Tape<'a>,
    at: u32,
    end: u32,
}

impl<'a> Iterator for TapeStrings<'a> {
    type Item = TapeString<'a>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        while self.at < self.end {
            let node = self.tape.node(self.at);
            self.at += 1;
            match node.tag {
                STR | ESTR => return Some(TapeString::Value(self.tape.str_of(node))),
                KEY | EKEY => {
                    let value = self.tape.node(self.at);
                    return Some(TapeString::Key {
                        name: self.tape.str_of(node),
                        value: matches!(value.tag, STR | ESTR).then(|| self.tape.str_of(value)),
                    });
                }
                _ => {}
            }
        }
        None
    }
}

impl std::iter::FusedIterator for TapeStrings<'_> {}

/// Parses one document into a [`TapeBuf`]'s buffers.
struct Parser<'s, 'b> {
    src: &'s str,
    s: &'s [u8],
    nodes: &'b mut Vec<Node>,
    escaped: &'b mut String,
    keys: &'b mut Vec<(u64, u32)>,
    long: &'b mut Vec<u32>,
}

type Parsed = Result<usize, Unsupported>;

impl Parser<'_, '_> {
    #[inline]
    fn push(&mut self, tag: u32, a: usize, b: u64) {
        self.nodes.push(Node {
            tag,
            a: a as u32,
            b,
        });
    }

    /// Parses the value at `i` (whitespace allowed before it), a container's content at
    /// `depth`; returns the index after it. Inlined in the containers' loops: only
    /// containers cost a call.
    #[inline(always)]
    fn value(&mut self, i: usize, depth: u32) -> Parsed {
        match self.s.get(i) {
            Some(b'"') => self.string(i + 1),
            Some(b'{') => self.object(i, depth + 1),
            Some(b'[') => self.array(i, depth + 1),
            Some(b'0'..=b'9' | b'-') => self.number(i),
            Some(b't') => self.literal(i, b"true", TRUE),
            Some(b'f') => self.literal(i, b"false", FALSE),
            Some(b'n') => self.literal(i, b"null", NULL),
            Some(b' ' | b'\n' | b'\r' | b'\t') => self.value_after_ws(i, depth),
            _ => Err(Unsupported),
        }
    }

    /// [`Parser::value`] at `i`, whitespace.
    #[inline(never)]
    fn value_after_ws(&mut self, i: usize, depth: u32) -> Parsed {
        let i = skip_ws(self.s, i);
        self.value(i, depth)
    }

    #[inline]
    fn literal(&mut self, i: usize, word: &[u8], tag: u32) -> Parsed {
        if self.s.get(i..i + word.len()) != Some(word) {
            return Err(Unsupported);
        }
        self.push(tag, i, 0);
        Ok(i + word.len())
    }

    #[inline(never)]
    fn array(&mut self, open: usize, depth: u32) -> Parsed {
        if depth > MAX_DEPTH {
            return Err(Unsupported);
        }
        let s = self.s;
        let at = self.nodes.len();
        self.push(ARRAY, 0, 0);
        let mut count = 0u32;
        let mut i = skip_ws(s, open + 1);
        if s.get(i) == Some(&b']') {
            i += 1;
        } else {
            loop {
                i = self.value(i, depth)?;
                count += 1;
                match s.get(i) {
                    Some(b',') => i += 1,
                    Some(b']') => {
                        i += 1;
                        break;
                    }
                    _ => {
                        i = skip_ws(s, i);
                        match s.get(i) {
                            Some(b',') => i += 1,
                            Some(b']') => {
                                i += 1;
                                break;
                            }
                            _ => return Err(Unsupported),
                        }
                    }
                }
            }
        }
        let end = self.nodes.len() as u64;
        self.nodes[at] = Node {
            tag: ARRAY,
            a: count,
            b: end | (open as u64) << 32,
        };
        Ok(i)
    }

    #[inline(never)]
    fn object(&mut self, open: usize, depth: u32) -> Parsed {
        if depth > MAX_DEPTH {
            return Err(Unsupported);
        }
        let s = self.s;
        let at = self.nodes.len();
        self.push(OBJECT, 0, 0);
        // A Bloom filter of the keys' fingerprints, one bit each: a key whose bit is
        // already set may repeat an earlier one.
        let (mut seen, mut seen_twice) = (0u64, 0u64);
        let mut count = 0u32;
        let mut i = skip_ws(s, open + 1);
        if s.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                if s.get(i) != Some(&b'"') {
                    return Err(Unsupported);
                }
                let key_at = self.nodes.len();
                let (after, fingerprint) = self.key(i + 1)?;
                let bit = 1 << (fingerprint >> 58);
                seen_twice |= seen & bit;
                seen |= bit;
                i = after;
                if s.get(i) != Some(&b':') {
                    i = skip_ws(s, i);
                    if s.get(i) != Some(&b':') {
                        return Err(Unsupported);
                    }
                }
                i = self.value(i + 1, depth)?;
                count += 1;
                self.note_named_string(key_at);
                match s.get(i) {
                    Some(b',') => i += 1,
                    Some(b'}') => {
                        i += 1;
                        break;
                    }
                    _ => {
                        i = skip_ws(s, i);
                        match s.get(i) {
                            Some(b',') => i += 1,
                            Some(b'}') => {
                                i += 1;
                                break;
                            }
                            _ => return Err(Unsupported),
                        }
                    }
                }
                if s.get(i) != Some(&b'"') {
                    i = skip_ws(s, i);
                }
            }
            if seen_twice != 0 {
                self.check_keys(at)?;
            }
        }
        let end = self.nodes.len() as u64;
        self.nodes[at] = Node {
            tag: OBJECT,
            a: count,
            b: end | (open as u64) << 32,
        };
        Ok(i)
    }

    /// Two keys of the object at `at`, parsed up to its last member, may be equal: fails
    /// if two are. Sorts the keys by fingerprint and compares those with equal ones.
    #[cold]
    #[inline(never)]
    fn check_keys(&mut self, at: usize) -> Result<(), Unsupported> {
        let tape = Tape {
            src: self.src,
            nodes: &self.nodes[..],
            escaped: &self.escaped[..],
            long: &[],
        };
        let keys = &mut *self.keys;
        keys.clear();
        let mut key = at as u32 + 1;
        while (key as usize) < tape.nodes.len() {
            let text = tape.str_of(tape.node(key)).as_bytes();
            keys.push((fingerprint(text, 0, text.len()), key));
            key = tape.next(key + 1);
        }
        keys.sort_unstable();
        for (i, &(fingerprint, key)) in keys.iter().enumerate() {
            let text = tape.str_of(tape.node(key));
            for &(_, other) in keys[i + 1..]
                .iter()
                .take_while(|(other, _)| *other == fingerprint)
            {
                if tape.str_of(tape.node(other)) == text {
                    return Err(Unsupported);
                }
            }
        }
        Ok(())
    }

    /// Parses the string whose text starts at `start` (after the quote), an object's key;
    /// returns the index after it and its fingerprint.
    #[inline(always)]
    fn key(&mut self, start: usize) -> Result<(usize, u64), Unsupported> {
        let s = self.s;
        let j = scan(s, start);
        match s.get(j) {
            Some(b'"') => {
                if j - start >= LONG_STRING {
                    self.long.push(self.nodes.len() as u32);
                }
                self.push(KEY, start, (j - start) as u64);
                Ok((j + 1, fingerprint(s, start, j)))
            }
            Some(b'\\') => {
                let end = self.escaped_string(start, j)?;
                let last = self.nodes.last_mut().ok_or(Unsupported)?;
                last.tag = EKEY;
                let node = *last;
                let from = node.b as u32 as usize;
                let to = from + (node.b >> 32) as usize;
                Ok((end, fingerprint(self.escaped.as_bytes(), from, to)))
            }
            _ => Err(Unsupported),
        }
    }

    /// Lists the member whose key is at `key_at` for [`TapeRef::long_strings`] when its
    /// value is a string and its name is [`NAMED_STRING`] bytes or longer (or exactly
    /// [`SHORT_NAMED_STRING`]).
    #[inline(always)]
    fn note_named_string(&mut self, key_at: usize) {
        let (Some(key), Some(value)) = (self.nodes.get(key_at), self.nodes.get(key_at + 1)) else {
            return;
        };
        if matches!(value.tag, STR | ESTR) {
            let len = if key.tag == KEY {
                key.b as usize
            } else {
                (key.b >> 32) as usize
            };
            if len == SHORT_NAMED_STRING || (NAMED_STRING..LONG_STRING).contains(&len) {
                self.long.push(key_at as u32);
            }
        }
    }

    /// Parses the string whose text starts at `start` (after the quote).
    #[inline(always)]
    fn string(&mut self, start: usize) -> Parsed {
        let s = self.s;
        let j = scan(s, start);
        match s.get(j) {
            Some(b'"') => {
                if j - start >= LONG_STRING {
                    self.long.push(self.nodes.len() as u32);
                }
                self.push(STR, start, (j - start) as u64);
                Ok(j + 1)
            }
            Some(b'\\') => self.escaped_string(start, j),
            _ => Err(Unsupported),
        }
    }

    /// Parses the string whose text starts at `start` and has a `\` at `j`, decoding it
    /// into the side buffer.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, start: usize, mut j: usize) -> Parsed {
        let (src, s) = (self.src, self.s);
        let offset = self.escaped.len();
        let mut from = start;
        loop {
            // s[j] is a backslash.
            self.escaped.push_str(src.get(from..j).ok_or(Unsupported)?);
            let c = match s.get(j + 1) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\x08',
                Some(b'f') => '\x0c',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let n = hex4(s, j + 2).ok_or(Unsupported)?;
                    let c = match n {
                        0xD800..=0xDBFF => {
                            // A leading surrogate: serde_json wants its trailing one next.
                            if s.get(j + 6..j + 8) != Some(b"\\u") {
                                return Err(Unsupported);
                            }
                            let n2 = hex4(s, j + 8).ok_or(Unsupported)?;
                            if !(0xDC00..=0xDFFF).contains(&n2) {
                                return Err(Unsupported);
                            }
                            j += 6;
                            0x1_0000 + ((n - 0xD800) << 10) + (n2 - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return Err(Unsupported),
                        n => n,
                    };
                    j += 4;
                    char::from_u32(c).ok_or(Unsupported)?
                }
                _ => return Err(Unsupported),
            };
            self.escaped.push(c);
            j += 2;
            from = j;
            j = scan(s, j);
            match s.get(j) {
                Some(b'"') => break,
                Some(b'\\') => {}
                _ => return Err(Unsupported),
            }
        }
        self.escaped.push_str(src.get(from..j).ok_or(Unsupported)?);
        let len = self.escaped.len() - offset;
        if len >= LONG_STRING {
            self.long.push(self.nodes.len() as u32);
        }
        self.push(ESTR, start, offset as u64 | (len as u64) << 32);
        Ok(j + 1)
    }

    /// Parses the number at `start` (a digit or `-`).
    #[inline(always)]
    fn number(&mut self, start: usize) -> Parsed {
        let s = self.s;
        let negative = s.get(start) == Some(&b'-');
        let digits = start + negative as usize;
        let mut i = digits;
        let mut n: u64 = 0;
        match s.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while let Some(&c) = s.get(i) {
                    let d = c.wrapping_sub(b'0');
                    if d > 9 {
                        break;
                    }
                    n = n.wrapping_mul(10).wrapping_add(d as u64);
                    i += 1;
                }
            }
            _ => return Err(Unsupported),
        }
        if let Some(b'.' | b'e' | b'E') = s.get(i) {
            return self.float(start, digits, i, n);
        }
        let len = i - digits;
        if len > 19 && !(len == 20 && s.get(digits..i) <= Some(&b"18446744073709551615"[..])) {
            // Beyond u64: a float, as for serde_json.
            return self.float_node(start, i, len as i32);
        }
        if !negative {
            self.push(U64, start, n);
        } else if n.wrapping_sub(1) < 1 << 63 {
            // -1 ..= -2^63 (n == 0 wraps to u64::MAX).
            self.push(I64, start, n.wrapping_neg());
        } else {
            // -0 and integers below i64::MIN are floats for serde_json.
            return self.float_node(start, i, len as i32);
        }
        Ok(i)
    }

    /// Parses the rest of a number with a fraction or an exponent: it starts at `start`,
    /// its integer digits at `digits`, `i` is at the `.`, `e` or `E` after them, and
    /// `mantissa` is their value (wrapped).
    #[inline]
    fn float(&mut self, start: usize, digits: usize, mut i: usize, mut mantissa: u64) -> Parsed {
        let s = self.s;
        let integer_digits = i - digits;
        let mut fraction_digits = 0;
        if s.get(i) == Some(&b'.') {
            i += 1;
            let fraction = i;
            while let Some(&c) = s.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                mantissa = mantissa.wrapping_mul(10).wrapping_add(d as u64);
                i += 1;
            }
            fraction_digits = i - fraction;
            if fraction_digits == 0 {
                return Err(Unsupported);
            }
        }
        let mut exponent: i32 = 0;
        if let Some(b'e' | b'E') = s.get(i) {
            i += 1;
            let negative = match s.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let first = i;
            while let Some(&c @ b'0'..=b'9') = s.get(i) {
                if i - first < MAX_EXPONENT_DIGITS {
                    exponent = exponent * 10 + (c - b'0') as i32;
                }
                i += 1;
            }
            if i == first || i - first > MAX_EXPONENT_DIGITS {
                return Err(Unsupported);
            }
            if negative {
                exponent = -exponent;
            }
        }
        if integer_digits + fraction_digits <= 19 && mantissa <= 1 << 53 {
            // Both the mantissa and the power of ten are exact as f64s: one correctly
            // rounded operation gives the correctly rounded value (Clinger's fast path).
            let exponent = exponent - fraction_digits as i32;
            if let Some(&power) = POWERS_OF_TEN.get(exponent.unsigned_abs() as usize) {
                let magnitude = if exponent < 0 {
                    mantissa as f64 / power
                } else {
                    mantissa as f64 * power
                };
                let value = if start == digits {
                    magnitude
                } else {
                    -magnitude
                };
                self.push(F64, start, value.to_bits());
                return Ok(i);
            }
        }
        if i - start > MAX_NUMBER_LEN {
            return Err(Unsupported);
        }
        // The value is below 10^magnitude (the integer part has no leading zero).
        let magnitude = if s.get(digits) == Some(&b'0') {
            exponent
        } else {
            integer_digits as i32 + exponent
        };
        self.float_node(start, i, magnitude)
    }

    /// Records the float literal `start..end`, below 10^`magnitude`.
    #[inline]
    fn float_node(&mut self, start: usize, end: usize, magnitude: i32) -> Parsed {
        if end - start > MAX_NUMBER_LEN {
            return Err(Unsupported);
        }
        // Below 1e308 (< f64::MAX), a literal cannot round to infinity; at or above,
        // serde_json refuses it if it does ("number out of range").
        if magnitude > 308 && !finite(self.src, start, end) {
            return Err(Unsupported);
        }
        self.push(F64_LITERAL, start, (end - start) as u64);
        Ok(end)
    }
}

/// Whether the float literal `start..end` is finite as an `f64`.
#[cold]
#[inline(never)]
fn finite(src: &str, start: usize, end: usize) -> bool {
    src.get(start..end)
        .and_then(|literal| literal.parse::<f64>().ok())
        .is_some_and(f64::is_finite)
}

/// The value of the 4 hex digits at `i`.
fn hex4(s: &[u8], i: usize) -> Option<u32> {
    s.get(i..i + 4)?
        .iter()
        .try_fold(0, |n, &c| Some(n << 4 | (c as char).to_digit(16)?))
}

/// The index of the first byte at or after `i` that is not JSON whitespace.
#[inline(always)]
fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = s.get(i) {
        i += 1;
    }
    i
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of the lowest byte of `w` that is `"`, `\` or below 0x20 is set in the
/// result, and no lower bit (higher bytes may be flagged wrongly, after a flagged one).
#[inline(always)]
fn special(w: u64) -> u64 {
    let quote = w ^ (ONES * b'"' as u64);
    let backslash = w ^ (ONES * b'\\' as u64);
    let is_quote = quote.wrapping_sub(ONES) & !quote;
    let is_backslash = backslash.wrapping_sub(ONES) & !backslash;
    let is_control = w.wrapping_sub(ONES * 0x20) & !w;
    (is_quote | is_backslash | is_control) & HIGHS
}

/// The index of the first `"`, `\` or control character at or after `i`, or the length.
#[inline(always)]
fn scan(s: &[u8], mut i: usize) -> usize {
    // Keys and short strings end in the first 8 bytes; long text goes 16 at a time.
    if let Some(chunk) = s.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let found = special(u64::from_le_bytes(*chunk));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
        while let Some(chunk) = s.get(i..).and_then(<[u8]>::first_chunk::<16>) {
            let word =
                |half: Option<&[u8; 8]>| special(half.map_or(0, |half| u64::from_le_bytes(*half)));
            let (low, high) = (word(chunk.first_chunk()), word(chunk.last_chunk()));
            if low | high != 0 {
                let found = if low != 0 {
                    low.trailing_zeros()
                } else {
                    64 + high.trailing_zeros()
                };
                return i + (found / 8) as usize;
            }
            i += 16;
        }
    }
    while let Some(&c) = s.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// A hash of the key `bytes[start..end]` for finding duplicates: equal keys have equal
/// fingerprints; different keys rarely do (it mixes the first and last 8 bytes and the
/// length; the high bits depend on all of them).
#[inline(always)]
fn fingerprint(bytes: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    let load = |at: usize| {
        bytes
            .get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|chunk| u64::from_le_bytes(*chunk))
    };
    let (first, last) = if len >= 8 {
        (load(start).unwrap_or(0), load(end - 8).unwrap_or(0))
    } else {
        let first = match load(start) {
            Some(word) => word & ((1u64 << (8 * len)) - 1),
            None => bytes
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .rev()
                .fold(0, |word, &c| word << 8 | c as u64),
        };
        (first, 0)
    };
    (first ^ last.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The index after the value starting at `i` in valid JSON text.
fn value_end(s: &[u8], i: usize) -> usize {
    match s.get(i) {
        Some(b'"') => string_end(s, i + 1),
        Some(b'[' | b'{') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&c) = s.get(j) {
                match c {
                    b'"' => {
                        j = string_end(s, j + 1);
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            s.len()
        }
        Some(b't' | b'n') => i + 4,
        Some(b'f') => i + 5,
        _ => {
            let mut j = i;
            while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = s.get(j) {
                j += 1;
            }
            j
        }
    }
}

/// The index after the closing quote of the string whose text starts at `j`.
fn string_end(s: &[u8], mut j: usize) -> usize {
    loop {
        j = scan(s, j);
        match s.get(j) {
            Some(b'"') => return j + 1,
            Some(b'\\') => j += 2,
            Some(_) => j += 1,
            None => return s.len(),
        }
    }
}

#[cfg(test)]
mod tests;
