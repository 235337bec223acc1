//! A progress bar on standard error for a run's paths.
//!
//! The bar appears only when standard error is a terminal, only once a run has taken a second,
//! never when `PACTSIM_NO_PROGRESS` is set, and not when JSON goes to a pipe unless `--progress`
//! asks for it.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// When to draw a bar.
#[derive(Debug, Clone, Copy)]
pub struct ProgressChoice {
    /// `--progress`: draw it even when the output goes to a pipe.
    pub forced: bool,
    /// JSON on standard output.
    pub json: bool,
}

impl ProgressChoice {
    fn wanted(self) -> bool {
        if std::env::var_os("PACTSIM_NO_PROGRESS").is_some() || !std::io::stderr().is_terminal() {
            return false;
        }
        self.forced || !self.json || std::io::stdout().is_terminal()
    }
}

/// Calls `run` with a progress callback that drives a bar (of `length` paths, if known).
pub fn with_bar<T>(choice: ProgressChoice, length: Option<u64>, run: impl FnOnce(&(dyn Fn(u64) + Sync)) -> T) -> T {
    if !choice.wanted() {
        return run(&|_| {});
    }
    let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} paths [{bar:30}] {per_sec}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let result = run(&|done| {
        if bar.is_hidden() && started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(done);
    });
    bar.finish_and_clear();
    result
}
