//! The stable engine: for machines without the nightly toolchain cargo-fuzz needs.
//!
//! It runs a target on every seed of its corpus, then, until the time is up, on mutations
//! of them: bytes flipped, set, inserted, deleted, duplicated, tokens of the formats
//! inserted (`"`, `{`, `data: `, `[DONE]`, `:event-type`, ...), and pieces of two seeds spliced. It has
//! no coverage feedback (the corpus does not grow), so it finds less than libFuzzer in the
//! same time; it checks the same properties, as it calls the same functions. A panic is a
//! crash: the input is written to the artifact directory and the run fails.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ai21_generate::Random;

use crate::Target;

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Executions of the target, seeds included.
    pub executions: u64,
    /// How long it ran.
    pub elapsed: Duration,
    /// The seeds it started from.
    pub seeds: usize,
}

/// A crash: an input on which the target panicked, written to `artifact`.
#[derive(Debug, Clone, PartialEq)]
pub struct Crash {
    /// Where the input was written.
    pub artifact: PathBuf,
    /// Executions before it, this one included.
    pub executions: u64,
}

/// The tokens of the formats the targets read, inserted by the mutator.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"0.5",
    b"\\u0000",
    b"\\ud800",
    b"\\\"",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"data: ",
    b"data:",
    b"[DONE]",
    b"event: x\n",
    b": comment\n",
    b"\"url\":",
    b"\"body\":",
    b"\"headers\":",
    b"\"status\":",
    b"\"text\":",
    b"\"messages\":",
    b"\"choices\":",
    b"\"delta\":",
    b"\"usage\":",
    b"\"content\":",
    b"\"role\":",
    b"\"model\":",
    b"\"log\":",
    b"\"entries\":",
    b"\"request\":",
    b"\"response\":",
    b"\"mimeType\":",
    b"\"encoding\":\"base64\"",
    b"text/event-stream",
    b"application/json",
    b"Bearer ",
    b"Authorization",
    b"/studio/v1/chat/completions",
    b"/studio/v1/j2-ultra/complete",
    b"https://",
    b"?key=",
    b"#",
    b"%00",
    b"\xff",
    b"\xc3\xa9",
    b"\xe2\x80\xa8",
    b"\x1f\x8b",
    // AWS event streams: header names, a string header's type and length, a message's
    // total length (16: no headers, no payload), a payload's start.
    b":message-type",
    b":event-type",
    b":exception-type",
    b":content-type",
    b"\x07\x00\x05chunk",
    b"\x00\x00\x00\x10",
    b"{\"bytes\":\"",
];

/// Applies one to four random edits to `input`, keeping it at most `max_len` bytes.
pub fn mutate(input: &mut Vec<u8>, seeds: &[Vec<u8>], rng: &mut Random, max_len: usize) {
    for _ in 0..=rng.index(4) {
        let len = input.len();
        match rng.index(9) {
            0 if len > 0 => {
                let at = rng.index(len);
                input[at] ^= 1 << rng.index(8);
            }
            1 if len > 0 => {
                let at = rng.index(len);
                input[at] = rng.next_u64() as u8;
            }
            2 => {
                let at = rng.index(len + 1);
                input.insert(at, rng.next_u64() as u8);
            }
            3 if len > 0 => {
                let start = rng.index(len);
                let end = (start + 1 + rng.index(16)).min(len);
                input.drain(start..end);
            }
            4 if len > 0 => {
                let start = rng.index(len);
                let end = (start + 1 + rng.index(64)).min(len);
                let piece = input[start..end].to_vec();
                let at = rng.index(len + 1);
                input.splice(at..at, piece);
            }
            5 | 6 => {
                let token = TOKENS[rng.index(TOKENS.len())];
                let at = rng.index(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            7 if !seeds.is_empty() => {
                let other = &seeds[rng.index(seeds.len())];
                if !other.is_empty() {
                    let start = rng.index(other.len());
                    let end = (start + 1 + rng.index(256)).min(other.len());
                    let at = rng.index(len + 1);
                    input.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ if len > 0 => {
                // Cut short, as a capture cut mid-record.
                input.truncate(rng.index(len));
            }
            _ => {}
        }
    }
    input.truncate(max_len);
}

/// Runs `target` on every seed, then on mutations of them until `duration` has passed.
pub fn run(
    target: Target,
    seeds: &[Vec<u8>],
    duration: Duration,
    seed: u64,
    artifacts: &Path,
) -> Result<Run, Crash> {
    let start = Instant::now();
    let max_len = seeds.iter().map(Vec::len).max().unwrap_or(0).max(4096);
    let mut rng = Random::new(seed);
    let mut executions = 0;
    let mut input = Vec::new();
    let mut next_seed = 0;
    loop {
        if next_seed < seeds.len() {
            input.clone_from(&seeds[next_seed]);
            next_seed += 1;
        } else {
            if start.elapsed() >= duration {
                break;
            }
            if seeds.is_empty() {
                input.clear();
            } else {
                input.clone_from(&seeds[rng.index(seeds.len())]);
            }
            mutate(&mut input, seeds, &mut rng, max_len);
        }
        executions += 1;
        if panic::catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            let artifact = artifacts.join(format!("crash-{:016x}", fingerprint(&input)));
            // The crash is reported whether or not the input could be written.
            let _ =
                std::fs::create_dir_all(artifacts).and_then(|()| std::fs::write(&artifact, &input));
            return Err(Crash {
                artifact,
                executions,
            });
        }
    }
    Ok(Run {
        executions,
        elapsed: start.elapsed(),
        seeds: seeds.len(),
    })
}

/// A stable name for an input (FNV-1a).
fn fingerprint(input: &[u8]) -> u64 {
    input.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Reads every file of the directories as seeds, in name order.
pub fn read_seeds(directories: &[PathBuf]) -> std::io::Result<Vec<Vec<u8>>> {
    let mut seeds = Vec::new();
    for directory in directories {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(directory)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<Result<_, _>>()?;
        paths.sort();
        for path in paths {
            if path.is_file() {
                seeds.push(std::fs::read(&path)?);
            }
        }
    }
    Ok(seeds)
}
