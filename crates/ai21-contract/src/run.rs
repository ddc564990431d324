//! The validate pipeline: items read in order, checked on every core, emitted in order.
//!
//! With more than one job, each of `jobs` threads of a rayon pool loops: it takes the
//! reader (a lock over the inputs), cuts the next numbered batch of at most
//! [`BATCH_BYTES`] of text or [`BATCH_ITEMS`] items off the inputs without parsing them
//! ([`Items::next_pending`]), lets the reader go, then parses and checks the batch's items
//! in order and sends the outcomes on with the batch's number. The calling thread puts the
//! batches back in order and emits their outcomes.
//!
//! Reading is a tenth of the work and is done in turns by the threads that check: no
//! thread of its own competes with them for the cores, and no thread waits for a batch's
//! slowest record before it takes the next batch (a J2 exchange of 110 KB beside a Jamba
//! one of 1 KB only changes which thread is busy). A batch is read only with a permit, and
//! a permit comes back once its batch is emitted: at most [`WINDOW_PER_JOB`] batches per
//! job are alive at once (being checked, or checked and waiting for an earlier one). Each
//! record's parsed tree lives only while it is checked, and an outcome holds its location
//! and findings only: memory stays bounded whatever the size of the input. With one job
//! everything runs on the calling thread.

use std::collections::BTreeMap;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Instant;

use ai21_validate::{Contract, Validator};

use ai21_capture::{Items, Pending};
use ai21_check::{CheckOptions, check_pending};
use ai21_check::{Outcome, RuleLevels, Summary};

/// The most text a batch holds, in bytes: a J2 exchange with token arrays is up to about
/// 110 KB, so a batch holds a few of those, or up to [`BATCH_ITEMS`] small exchanges.
/// Batches are the unit of work a thread takes: small enough that the threads finish
/// together at the end of the input, large enough that taking them costs nothing.
pub const BATCH_BYTES: usize = 256 * 1024;
/// The most items a batch holds.
pub const BATCH_ITEMS: usize = 256;
/// How many batches per job may be alive at once.
pub const WINDOW_PER_JOB: usize = 4;

/// How a run goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Threads checking records; 0 means one per core.
    pub jobs: usize,
    /// How each item is checked.
    pub check: CheckOptions,
    /// The contract AI21 Studio's payloads are checked against: today's by default, or a
    /// historical one ([`Validator::for_contract`]).
    pub contract: Contract,
}

/// Checks every item of `items` and hands the outcomes to `emit`, in input order; returns
/// the summary. Stops at the first error `emit` returns (a closed pipe, say).
///
/// The summary is balanced: its `records` is counted where items are read and its buckets
/// where outcomes are classified, and the two agree (asserted).
pub fn run(
    items: Items<'_>,
    options: RunOptions,
    emit: impl FnMut(Outcome) -> io::Result<()>,
) -> io::Result<Summary> {
    run_with_levels(items, options, &RuleLevels::new(), emit)
}

/// [`run`], with rule levels applied to every outcome before it is counted and emitted:
/// allowed findings are dropped and counted in the summary's `allowed`, the others take
/// their level's severity.
pub fn run_with_levels(
    mut items: Items<'_>,
    options: RunOptions,
    levels: &RuleLevels,
    mut emit: impl FnMut(Outcome) -> io::Result<()>,
) -> io::Result<Summary> {
    let started = Instant::now();
    let validator = Validator::shared_for(options.contract);
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        jobs => jobs,
    };
    let mut summary = Summary::default();
    let mut classify = |mut outcome: Outcome| {
        summary.allowed += levels.apply_outcome(&mut outcome);
        summary.add(&outcome);
        emit(outcome)
    };
    let read = if jobs == 1 {
        let mut read = 0;
        while let Some(pending) = items.next_pending() {
            read += 1;
            classify(check_pending(pending, validator, options.check))?;
        }
        read
    } else {
        // One pool per process and number of jobs: a command runs once, but a library
        // caller (a benchmark, a contract runner) runs many times, and fresh threads start
        // with cold allocator caches.
        let pool = pool(jobs)?;
        let window = WINDOW_PER_JOB * jobs;
        let (permit_sender, permits) = mpsc::sync_channel(window);
        for _ in 0..window {
            permit_sender
                .send(())
                .expect("the channel holds a whole window of permits");
        }
        let reader = Mutex::new(Reader {
            items,
            permits,
            batches: 0,
            read: 0,
        });
        let (sender, messages) = mpsc::channel();
        let emitted = pool.in_place_scope(|scope| {
            for _ in 0..jobs {
                let sender = sender.clone();
                let reader = &reader;
                scope.spawn(move |_| check_batches(reader, &sender, validator, options.check));
            }
            drop(sender);
            // The emitter owns the permits' sender: when it returns or unwinds, the
            // threads stop once the permits already given are spent.
            emit_in_order(messages, permit_sender, &mut classify)
        });
        let read = reader
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .read;
        emitted?;
        read
    };
    summary.records = read;
    summary.elapsed = started.elapsed();
    assert!(
        summary.is_balanced(),
        "every record read is accounted for: {summary:?}"
    );
    Ok(summary)
}

/// The pool of `jobs` threads, built on first use and kept.
fn pool(jobs: usize) -> io::Result<&'static rayon::ThreadPool> {
    static POOLS: Mutex<Vec<(usize, &'static rayon::ThreadPool)>> = Mutex::new(Vec::new());
    let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, pool)) = pools.iter().find(|(size, _)| *size == jobs) {
        return Ok(pool);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|index| format!("ai21-contract-check-{index}"))
        .build()
        .map_err(io::Error::other)?;
    // Leaked on purpose: it lives as long as the process, like rayon's global pool.
    let pool: &'static rayon::ThreadPool = Box::leak(Box::new(pool));
    pools.push((jobs, pool));
    Ok(pool)
}

/// The inputs, and what taking batches off them needs.
struct Reader<'a> {
    items: Items<'a>,
    /// One permit per batch that may still be read.
    permits: mpsc::Receiver<()>,
    /// Batches read so far: the next batch's number.
    batches: u64,
    /// Items read so far.
    read: u64,
}

impl Reader<'_> {
    /// The next batch and its number, once a permit is free; `None` when the input has
    /// ended or the permits have (the emitter is gone).
    fn next_batch(&mut self) -> Option<(u64, Vec<Pending>)> {
        self.permits.recv().ok()?;
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_ITEMS && bytes < BATCH_BYTES {
            let Some(pending) = self.items.next_pending() else {
                break;
            };
            bytes += pending.text_len();
            batch.push(pending);
        }
        if batch.is_empty() {
            return None;
        }
        let number = self.batches;
        self.batches += 1;
        self.read += batch.len() as u64;
        Some((number, batch))
    }
}

/// What a checking thread sends the emitter.
enum Message {
    /// The outcomes of a batch, in its order.
    Checked { number: u64, outcomes: Vec<Outcome> },
    /// A panic while reading or checking, for the emitter to raise again: a rayon task
    /// that panics would abort the process, and the emitter would wait for its batch.
    Panicked(Box<dyn std::any::Any + Send>),
}

/// A checking thread: takes batches off `reader` in turns with the other threads and sends
/// their outcomes on, until the input ends or the emitter is gone.
fn check_batches(
    reader: &Mutex<Reader<'_>>,
    sender: &mpsc::Sender<Message>,
    validator: &Validator,
    options: CheckOptions,
) {
    loop {
        // A panic is sent on and the run unwinds; the threads that go on until then stop
        // at a poisoned reader, and nothing else they share is written.
        let step = panic::catch_unwind(AssertUnwindSafe(|| {
            // Holding the lock while waiting for a permit is as good as waiting for the
            // lock: every thread needs both to go on.
            let (number, batch) = reader.lock().ok()?.next_batch()?;
            let outcomes = batch
                .into_iter()
                .map(|pending| check_pending(pending, validator, options))
                .collect();
            Some(Message::Checked { number, outcomes })
        }));
        let message = match step {
            Ok(Some(message)) => message,
            Ok(None) => return,
            Err(panic) => Message::Panicked(panic),
        };
        if sender.send(message).is_err() {
            return;
        }
    }
}

/// Emits the outcomes of each batch in the batches' order, whatever order they arrive in,
/// and gives back each batch's permit once it is emitted.
fn emit_in_order(
    messages: mpsc::Receiver<Message>,
    permits: mpsc::SyncSender<()>,
    emit: &mut impl FnMut(Outcome) -> io::Result<()>,
) -> io::Result<()> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for message in messages {
        match message {
            Message::Checked { number, outcomes } => waiting.insert(number, outcomes),
            Message::Panicked(panic) => panic::resume_unwind(panic),
        };
        while let Some(batch) = waiting.remove(&next) {
            for outcome in batch {
                emit(outcome)?;
            }
            next += 1;
            // The threads may all have stopped, dropping the receiver: no one needs it.
            let _ = permits.send(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai21_capture::{Input, Position, ReadOptions};

    /// A capture of `lines` small records: far more batches than a window holds.
    fn capture(lines: usize) -> Vec<u8> {
        let record = br#"{"url":"https://api.ai21.com/studio/v1/chat/completions","request":{"body":{}},"response":{"status":200,"body":{}}}"#;
        let mut bytes = Vec::new();
        for _ in 0..lines {
            bytes.extend_from_slice(record);
            bytes.push(b'\n');
        }
        bytes
    }

    fn lines_emitted(bytes: &[u8], jobs: usize) -> (Vec<u64>, Summary) {
        let items = ai21_capture::read_from([Input::Stdin], ReadOptions::default(), bytes);
        let mut lines = Vec::new();
        let summary = run(
            items,
            RunOptions {
                jobs,
                ..RunOptions::default()
            },
            |outcome| {
                let Position::Line(line) = outcome.location().position else {
                    panic!("a JSONL line: {outcome:?}")
                };
                lines.push(line);
                Ok(())
            },
        )
        .expect("emitting cannot fail");
        (lines, summary)
    }

    #[test]
    fn every_record_is_emitted_once_in_input_order_whatever_the_jobs() {
        let count = BATCH_ITEMS * WINDOW_PER_JOB * 3 + 17;
        let bytes = capture(count);
        let expected: Vec<u64> = (1..=count as u64).collect();
        for jobs in [1, 2, 3, 8] {
            let (lines, summary) = lines_emitted(&bytes, jobs);
            assert_eq!(lines, expected, "{jobs} jobs");
            assert_eq!(summary.records, count as u64, "{jobs} jobs");
            assert!(summary.is_balanced(), "{jobs} jobs: {summary:?}");
        }
    }

    #[test]
    fn runs_at_once_share_the_pool_without_mixing_or_waiting_on_each_other() {
        let count = BATCH_ITEMS * WINDOW_PER_JOB * 2 + 5;
        let bytes = capture(count);
        let expected: Vec<u64> = (1..=count as u64).collect();
        std::thread::scope(|scope| {
            let runs: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| lines_emitted(&bytes, 2).0))
                .collect();
            for run in runs {
                assert_eq!(run.join().expect("a run does not panic"), expected);
            }
        });
    }

    #[test]
    fn an_empty_input_is_one_unreadable_record_on_many_jobs_too() {
        let items = ai21_capture::read_from([Input::Stdin], ReadOptions::default(), &b""[..]);
        let mut outcomes = Vec::new();
        let summary = run(
            items,
            RunOptions {
                jobs: 2,
                ..RunOptions::default()
            },
            |outcome| {
                outcomes.push(outcome);
                Ok(())
            },
        )
        .expect("emitting cannot fail");
        assert!(
            matches!(outcomes.as_slice(), [Outcome::Unreadable(_)]),
            "{outcomes:?}"
        );
        assert_eq!((summary.records, summary.unreadable), (1, 1));
        assert!(summary.is_balanced());
    }

    #[test]
    fn a_failing_emitter_stops_the_run_with_its_error() {
        let bytes = capture(BATCH_ITEMS * WINDOW_PER_JOB * 4);
        for jobs in [1, 2] {
            let items =
                ai21_capture::read_from([Input::Stdin], ReadOptions::default(), bytes.as_slice());
            let mut emitted = 0;
            let error = run(
                items,
                RunOptions {
                    jobs,
                    ..RunOptions::default()
                },
                |_| {
                    emitted += 1;
                    if emitted == 300 {
                        Err(io::Error::from(io::ErrorKind::BrokenPipe))
                    } else {
                        Ok(())
                    }
                },
            )
            .expect_err("the emitter's error ends the run");
            assert_eq!(error.kind(), io::ErrorKind::BrokenPipe, "{jobs} jobs");
            assert_eq!(emitted, 300, "nothing is emitted after the error");
        }
    }

    #[test]
    #[should_panic(expected = "the emitter panics")]
    fn a_panicking_emitter_panics_the_run_without_hanging_it() {
        let bytes = capture(BATCH_ITEMS * WINDOW_PER_JOB * 4);
        let items =
            ai21_capture::read_from([Input::Stdin], ReadOptions::default(), bytes.as_slice());
        let mut emitted = 0;
        let _ = run(
            items,
            RunOptions {
                jobs: 2,
                ..RunOptions::default()
            },
            |_| {
                emitted += 1;
                assert!(emitted < 300, "the emitter panics");
                Ok(())
            },
        );
    }
}
