//! The one deterministic random source of the generators: the mock's answers, the
//! benchmark captures and their words, tokens and identifiers all draw from a [`Random`].
//! (The proptest strategies draw from proptest's own runner, which shrinks what it draws.)

use crate::word::WORDS;

/// A small deterministic random generator (SplitMix64): the same seed gives the same
/// values on every machine. Reproducibility is what the generators need, not
/// cryptographic quality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Random(u64);

impl Random {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Random {
        Random(seed)
    }

    /// A generator for `seed` and the bytes of `parts` (hashed with FNV-1a), so that each
    /// input (a request, a fault's number) gets a stream of its own under one seed.
    pub fn from_parts(seed: u64, parts: &[&[u8]]) -> Random {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for part in parts {
            for byte in *part {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            // A separator, so `["ab", "c"]` and `["a", "bc"]` differ.
            hash = hash.wrapping_mul(0x0100_0000_01b3) ^ 0xff;
        }
        Random(hash)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0, drawing nothing, when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// A number in `low..=high` (`low` when `high` is below it).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low).saturating_add(1))
    }

    /// A number in `low..=high`, small ones likelier (log-uniform); `low` is at least 1.
    pub fn log_between(&mut self, low: u64, high: u64) -> u64 {
        let low = low.max(1);
        let high = high.max(low);
        let (low_log, high_log) = ((low as f64).ln(), (high as f64).ln());
        let fraction = self.below(1 << 20) as f64 / f64::from(1 << 20);
        ((low_log + fraction * (high_log - low_log)).exp() as u64).clamp(low, high)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // 53 random bits make every f64 of [0, 1) with that spacing, exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index into a list of `length` items (0 for an empty list).
    pub fn index(&mut self, length: usize) -> usize {
        // A `usize` always fits in a `u64`, and the result is below `length`.
        self.below(length as u64) as usize
    }

    /// One of `items`, which must not be empty.
    ///
    /// # Panics
    ///
    /// When `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A word of [`WORDS`].
    pub fn word(&mut self) -> &'static str {
        WORDS[self.index(WORDS.len())]
    }

    /// `words` words joined by single spaces.
    pub fn sentence(&mut self, words: u64) -> String {
        let mut text = String::new();
        for index in 0..words {
            if index > 0 {
                text.push(' ');
            }
            text.push_str(self.word());
        }
        text
    }

    /// A log probability in `(-8, 0]`, in millionths, never `-0.0`.
    pub fn logprob(&mut self) -> f64 {
        match self.below(8_000_000) {
            0 => 0.0,
            millionths => -(millionths as f64 / 1_000_000.0),
        }
    }

    /// `digits` lowercase hexadecimal digits.
    pub fn hex(&mut self, digits: usize) -> String {
        let mut text = String::with_capacity(digits + 16);
        while text.len() < digits {
            text.push_str(&format!("{:016x}", self.next_u64()));
        }
        text.truncate(digits);
        text
    }

    /// A J2 completion id as Studio writes them: UUID-shaped hex, 8-4-4-4-12 digits (the
    /// version nibble arbitrary, as in real answers).
    pub fn j2_id(&mut self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(4),
            self.hex(4),
            self.hex(12)
        )
    }
}

#[cfg(test)]
mod tests;
