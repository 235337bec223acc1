//! Analyses on common random numbers: deals compared side by side ([`compare`]), how much a figure
//! moves with each input ([`tornado`], [`sobol`]), and the trade-off between the two sides over the
//! negotiable terms ([`frontier`]). The contract is `../shared/contracts/analysis.md`.
//!
//! # Brief overview
//!
//! An analysis is a list of *evaluations*: a deal's text with overrides (the analysis's common ones
//! first, then its own: a variant's, an input held at a value, a design point's), each run through
//! the same [`RunRequest`](crate::RunRequest) as `pactsim run`, with one seed and one number of
//! paths for all ([`Crn`]). Every path draws only from streams keyed by (seed, purpose, path), so
//! path *i* of one evaluation sees the same exchange rate, the same generated projects' uniforms
//! and the same credit draws as path *i* of another: differences between evaluations are paired,
//! and their standard errors come from the per-path differences (`paired.rs`).
//!
//! - [`Common`] is what the caller gives every analysis (seed, paths, overrides); [`Crn`] is the
//!   same with the deal's defaults resolved.
//! - `evaluate` runs one evaluation and keeps, in path order, the values of the figures the
//!   analysis needs (through the runner's path sink, so nothing changes in how a run merges).
//! - [`Figure`] names the figures an analysis can read, as the run output names them.
//! - [`Range`] is an input's `KEY=LO..HI`; `inputs` lists the distributions of a deal file.
//!
//! Each analysis is a request that is prepared (every deal, key and range checked before anything
//! runs, so bad input fails at once) and then run with a progress callback, returning a document
//! that serialises to the contract's JSON. The library does no I/O.

pub mod compare;
mod evaluate;
mod figures;
pub mod frontier;
mod inputs;
mod paired;
mod range;
pub mod sobol;
pub mod tornado;

pub use figures::Figure;
pub use inputs::{Uncertain, uncertain_inputs};
pub use paired::Difference;
use paired::paired;
pub use range::Range;

use std::sync::atomic::AtomicBool;

use crate::Error;
use crate::spec::{FxFits, Override};
use pactsim_model::deal::Deal;

/// What every analysis takes besides its own inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    /// The seed of every evaluation; `None`: the (first) deal's `[run] seed`.
    pub seed: Option<u64>,
    /// Paths of every evaluation; `None`: the (first) deal's `[run] paths`.
    pub paths: Option<u64>,
    /// Applied to every deal the analysis runs, in order, before the analysis's own changes.
    pub overrides: Vec<Override>,
}

impl Common {
    /// The seed and paths, the deal's `[run]` filling what is not given.
    fn resolve(&self, deal: &Deal) -> Result<Crn, Error> {
        let paths = self.paths.unwrap_or(deal.run.paths);
        if paths == 0 {
            return Err(Error::InvalidRequest { parameter: "paths", message: "expected at least 1 path".into() });
        }
        Ok(Crn { seed: self.seed.unwrap_or(deal.run.seed), paths })
    }

    /// The deal of a one-deal analysis with the common overrides, and the seed and paths.
    fn base(&self, text: &str, fits: &FxFits) -> Result<(Deal, Crn), Error> {
        let deal = parse(text, &self.overrides, fits, 0, None)?;
        let crn = self.resolve(&deal)?;
        Ok((deal, crn))
    }

    /// The overrides as every output records them.
    fn recorded(&self) -> Vec<String> {
        self.overrides.iter().map(Override::to_string).collect()
    }
}

/// The common random numbers of an analysis: every evaluation runs these paths from this seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crn {
    pub seed: u64,
    pub paths: u64,
}

/// A progress report: paths run so far over every evaluation of the analysis.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Why an analysis run with a cancel flag (`run_cancellable`) gave no document: the flag was set
/// (another thread: a server whose client cancelled), or the analysis refused as `run` would.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Stopped {
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Refused(#[from] Error),
}

impl From<crate::Cancelled> for Stopped {
    fn from(_: crate::Cancelled) -> Self {
        Stopped::Cancelled
    }
}

/// Runs an analysis with a flag nothing sets: only its refusal can come back.
fn uncancelled<T>(run: impl FnOnce(&AtomicBool) -> Result<T, Stopped>) -> Result<T, Error> {
    run(&AtomicBool::new(false)).map_err(|stop| match stop {
        Stopped::Refused(error) => error,
        Stopped::Cancelled => unreachable!("nothing sets the flag, so nothing cancels"),
    })
}

/// The schema of every analysis document.
pub const SCHEMA: u32 = 1;

/// What the document of an analysis of one deal starts with: the schema, the kind of analysis,
/// the program's version, the deal's id, and what every evaluation shared.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Header {
    pub schema: u32,
    pub kind: &'static str,
    pub version: &'static str,
    pub deal: String,
    pub seed: u64,
    pub paths: u64,
    /// The common overrides, as recorded.
    pub overrides: Vec<String>,
}

impl Header {
    fn new(kind: &'static str, deal: String, crn: Crn, overrides: &[Override]) -> Header {
        Header {
            schema: SCHEMA,
            kind,
            version: crate::VERSION,
            deal,
            seed: crn.seed,
            paths: crn.paths,
            overrides: overrides.iter().map(Override::to_string).collect(),
        }
    }
}

/// Parses deal `deal` of an analysis with the overrides given, naming the change in an error.
/// `fits` holds the exchange-rate models fitted so far: the runs of an analysis share one.
fn parse(
    text: &str,
    overrides: &[Override],
    fits: &FxFits,
    deal: usize,
    change: Option<String>,
) -> Result<Deal, Error> {
    crate::spec::parse_deal_reusing(text, overrides, fits).map_err(|diagnostics| Error::InvalidAnalysisDeal {
        deal,
        change,
        diagnostics,
    })
}

/// `first` followed by `then`.
fn chained(first: &[Override], then: impl IntoIterator<Item = Override>) -> Vec<Override> {
    first.iter().cloned().chain(then).collect()
}

/// A value as an override writes it: the shortest text that reads back to the same number (and a
/// point, so TOML reads a float).
fn number_text(value: f64) -> String {
    format!("{value:?}")
}
