//! The one J2 tokenization of the generators: how the mock's answers, the benchmark
//! captures and generated J2 responses cut a text into tokens.
//!
//! A J2 token is spelled as its tokenizer writes it: a space is `▁` and a line break is
//! the token `<|newline|>`, and the first token of a text that does not start with a space
//! carries a `▁` of its own (the documented prompt `These are a few` starts with the token
//! `▁These▁are`, range 0 to 9). Each token's `textRange` holds offsets into the text in
//! Unicode code points, as the server (Python) counts them, and the ranges tile the text:
//! the first starts at 0, each starts where the previous one ends, the last ends at the
//! text's length. A token that stands for no text (`<|endoftext|>`, a matched stop
//! sequence) is zero-width.
//!
//! ```
//! use ai21_generate::tiling::{END_OF_TEXT, Tiling};
//!
//! let mut tiling = Tiling::new();
//! let first = tiling.push(" café");
//! let second = tiling.push("\n");
//! let last = tiling.push_empty(END_OF_TEXT);
//! assert_eq!((first.token.as_str(), first.start, first.end), ("▁café", 0, 5));
//! assert_eq!((second.token.as_str(), second.start, second.end), ("<|newline|>", 5, 6));
//! assert_eq!((last.start, last.end), (6, 6));
//! assert_eq!(tiling.text(), " café\n");
//! ```

/// How J2 spells a space inside a token.
pub const SPACE: char = '\u{2581}';

/// The token of a line break.
pub const NEWLINE: &str = "<|newline|>";

/// The zero-width token a completion that ends by itself finishes with.
pub const END_OF_TEXT: &str = "<|endoftext|>";

/// A token as J2 spells it, with the range of the text it stands for, in code points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token (`generatedToken.token`).
    pub token: String,
    /// Where its text starts (`textRange.start`).
    pub start: u64,
    /// Where its text ends (`textRange.end`).
    pub end: u64,
}

/// A J2 text built token by token: each token's range starts where the previous one
/// ended, so the tokens pushed tile the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tiling {
    text: String,
    /// The text's length in code points.
    length: u64,
}

impl Tiling {
    /// An empty text.
    pub fn new() -> Tiling {
        Tiling::default()
    }

    /// Appends `piece` to the text and returns its token, spelled with [`spell`] (the first
    /// piece of a text gets a leading `▁` when it does not start with a space or a line
    /// break).
    pub fn push(&mut self, piece: &str) -> Token {
        let start = self.length;
        let mut token = String::with_capacity(piece.len() + 3);
        if self.text.is_empty() && !piece.is_empty() && !piece.starts_with([' ', '\n']) {
            token.push(SPACE);
        }
        spell_into(piece, &mut token);
        self.text.push_str(piece);
        self.length += piece.chars().count() as u64;
        Token {
            token,
            start,
            end: self.length,
        }
    }

    /// A token that stands for no text, at the end of the text: [`END_OF_TEXT`], or a
    /// matched stop sequence (spelled with [`spell`]).
    pub fn push_empty(&mut self, token: &str) -> Token {
        Token {
            token: token.to_owned(),
            start: self.length,
            end: self.length,
        }
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text's length in Unicode code points, where the next token starts.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The text.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// A piece of text as a J2 token spells it: spaces as `▁`, line breaks as `<|newline|>`.
pub fn spell(piece: &str) -> String {
    let mut token = String::with_capacity(piece.len() + 2);
    spell_into(piece, &mut token);
    token
}

fn spell_into(piece: &str, token: &mut String) {
    for character in piece.chars() {
        match character {
            ' ' => token.push(SPACE),
            '\n' => token.push_str(NEWLINE),
            other => token.push(other),
        }
    }
}

/// The text a token stands for: [`spell`] undone (`▁` as a space, `<|newline|>` as a line
/// break).
pub fn unspell(token: &str) -> String {
    token.replace(NEWLINE, "\n").replace(SPACE, " ")
}

/// Cuts a text into tokens that tile it: a line break is a token of its own, and every
/// other token is a run of spaces with the word after it (`"a  b\n"` is `▁a`, `▁▁b`,
/// `<|newline|>`).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tiling = Tiling::new();
    pieces(text).map(|piece| tiling.push(piece)).collect()
}

/// How many tokens [`tokenize`] cuts `text` into, without building them: what an answer
/// to a prompt costs can be known before it is written.
pub fn token_count(text: &str) -> u64 {
    pieces(text).count() as u64
}

/// The pieces of text [`tokenize`] makes tokens of.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = if rest.starts_with('\n') {
            1
        } else {
            let word = rest.trim_start_matches(' ');
            let spaces = rest.len() - word.len();
            spaces + word.find([' ', '\n']).unwrap_or(word.len())
        };
        let (piece, after) = rest.split_at(end);
        rest = after;
        Some(piece)
    })
}

#[cfg(test)]
mod tests;
