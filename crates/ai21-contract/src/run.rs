//! The validate pipeline: items read in order, checked on every core, emitted in order.
//!
//! Three stages, joined by channels that hold one batch each:
//!
//! 1. a reader thread takes items off the inputs without parsing them
//!    ([`Items::next_pending`]) and cuts them into batches of at most [`BATCH_BYTES`] of
//!    text or [`BATCH_ITEMS`] items;
//! 2. a checking thread parses and checks each batch on a rayon pool with the indexed
//!    `par_iter`, which keeps input order;
//! 3. the calling thread emits the outcomes of a batch while the next one is checked.
//!
//! At most five batches are alive at once (being read, waiting, being checked; and as
//! outcomes, waiting and being emitted), each record's parsed tree lives only while it is
//! checked, and an outcome holds its location and findings only: memory stays bounded
//! whatever the size of the input. With one job everything runs on the calling thread.

use std::io;
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use ai21_validate::Validator;
use rayon::prelude::*;

use crate::capture::{Items, Pending};
use crate::check::{CheckOptions, check};
use crate::output::{Outcome, Summary};

/// The most text a batch holds, in bytes: a J2 exchange with token arrays is up to about
/// 110 KB, so a batch holds at least ten of those, or up to [`BATCH_ITEMS`] small
/// exchanges. Larger batches were measured no faster on two cores, and hold more memory.
pub const BATCH_BYTES: usize = 1024 * 1024;
/// The most items a batch holds.
pub const BATCH_ITEMS: usize = 1024;

/// How a run goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Threads checking records; 0 means one per core.
    pub jobs: usize,
    /// How each item is checked.
    pub check: CheckOptions,
}

/// Checks every item of `items` and hands the outcomes to `emit`, in input order; returns
/// the summary. Stops at the first error `emit` returns (a closed pipe, say).
///
/// The summary is balanced: its `records` is counted where items are read and its buckets
/// where outcomes are classified, and the two agree (asserted).
pub fn run(
    mut items: Items<'_>,
    options: RunOptions,
    mut emit: impl FnMut(Outcome) -> io::Result<()>,
) -> io::Result<Summary> {
    let started = Instant::now();
    let validator = Validator::shared();
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        jobs => jobs,
    };
    let mut summary = Summary::default();
    let mut classify = |outcome: Outcome| {
        summary.add(&outcome);
        emit(outcome)
    };
    let read = if jobs == 1 {
        let mut read = 0;
        while let Some(pending) = items.next_pending() {
            read += 1;
            classify(check(pending.parse(), validator, options.check))?;
        }
        read
    } else {
        // One pool per process and number of jobs: a command runs once, but a library
        // caller (a benchmark, a contract runner) runs many times, and fresh threads start
        // with cold allocator caches.
        let pool = pool(jobs)?;
        std::thread::scope(|scope| {
            let (batch_sender, batches) = mpsc::sync_channel(1);
            let (outcome_sender, outcomes) = mpsc::sync_channel(1);
            let reader = scope.spawn(move || read_batches(items, &batch_sender));
            let checker = scope.spawn(move || {
                check_batches(batches, &outcome_sender, pool, validator, options.check);
            });
            let emitted = emit_batches(outcomes, &mut classify);
            // The receivers are gone, so threads waiting to send give up.
            checker.join().expect("the checking thread does not panic");
            let read = reader.join().expect("the reader thread does not panic");
            emitted.map(|()| read)
        })?
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
    let mut pools = POOLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
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

/// Sends batches of pending items until the input ends or the receiver is gone; returns
/// how many items were read.
fn read_batches(mut items: Items<'_>, sender: &mpsc::SyncSender<Vec<Pending>>) -> u64 {
    let mut read = 0;
    loop {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_ITEMS && bytes < BATCH_BYTES {
            let Some(pending) = items.next_pending() else {
                break;
            };
            bytes += pending.text_len();
            batch.push(pending);
        }
        if batch.is_empty() {
            return read;
        }
        let count = batch.len() as u64;
        if sender.send(batch).is_err() {
            return read;
        }
        read += count;
    }
}

/// Checks each batch on the pool, keeping its order, and sends on its outcomes; stops when
/// the batches end or the outcomes' receiver is gone.
fn check_batches(
    batches: mpsc::Receiver<Vec<Pending>>,
    outcomes: &mpsc::SyncSender<Vec<Outcome>>,
    pool: &rayon::ThreadPool,
    validator: &Validator,
    options: CheckOptions,
) {
    for batch in batches {
        let checked: Vec<Outcome> = pool.install(|| {
            batch
                .into_par_iter()
                .map(|pending| check(pending.parse(), validator, options))
                .collect()
        });
        if outcomes.send(checked).is_err() {
            return;
        }
    }
}

/// Emits the outcomes of each batch in order, while the next batch is being checked.
fn emit_batches(
    outcomes: mpsc::Receiver<Vec<Outcome>>,
    emit: &mut impl FnMut(Outcome) -> io::Result<()>,
) -> io::Result<()> {
    for batch in outcomes {
        for outcome in batch {
            emit(outcome)?;
        }
    }
    Ok(())
}
