//! The progress line of a long run, on standard error.
//!
//! It is shown only when standard error is a terminal and the environment does not ask for
//! plain output (`CI`, `NO_COLOR`, `TERM=dumb`; see [`plain_environment`](super::plain_environment)),
//! and only once a run has lasted a second, so short runs and pipes never see it.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its progress is shown.
const DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn: a redraw per record would cost more than the record.
const REDRAW: Duration = Duration::from_millis(100);

/// A progress line that may never be shown.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: bool,
    drawn: Instant,
}

impl Progress {
    /// A progress line for this process: live only on a terminal and outside CI.
    pub fn for_terminal() -> Progress {
        Progress::new(std::io::stderr().is_terminal() && !super::plain_environment())
    }

    /// A progress line that is drawn (after a second) when `enabled`.
    pub fn new(enabled: bool) -> Progress {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {human_pos} records checked ({per_sec}), {elapsed}",
                )
                .expect("the template is valid"),
            );
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            shown: false,
            drawn: now,
        }
    }

    /// Sets the number of records checked so far (shown at most every 100 ms).
    pub fn update(&mut self, records: u64) {
        let Some(bar) = &self.bar else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(self.drawn) < REDRAW {
            return;
        }
        self.drawn = now;
        if !self.shown && now.duration_since(self.started) >= DELAY {
            self.shown = true;
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        bar.set_position(records);
    }

    /// `out` made to hide the progress line while it writes, so that a report written to
    /// the same terminal does not mix with it. Put a buffer above it: the line is hidden
    /// and redrawn once per write that reaches it.
    pub fn hiding(&self, out: Box<dyn Write + Send>) -> Box<dyn Write + Send> {
        match &self.bar {
            Some(bar) => Box::new(Hiding {
                bar: bar.clone(),
                out,
            }),
            None => out,
        }
    }

    /// Removes the progress line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A writer that hides a progress line while it writes.
struct Hiding {
    bar: ProgressBar,
    out: Box<dyn Write + Send>,
}

impl Write for Hiding {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let out = &mut self.out;
        self.bar.suspend(|| out.write(bytes))
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let out = &mut self.out;
        self.bar.suspend(|| out.write_all(bytes))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
