//! pactsim: a model of investment-for-tariff trade deals.
//!
//! # Brief overview
//!
//! This crate is the front door: the one place a program (the `pactsim` binary, a server, a
//! sweep worker, Python) asks for a run. The work is done in the crates below it, one per stage of
//! the pipeline, each depending only on those before it:
//!
//! - [`spec`], [`deal`] and the model ([`engine`], [`funding`], [`loan`], [`waterfall`],
//!   [`currency`], [`figures`], [`calendar`]): `pactsim-model`;
//! - [`fx`], [`trade`], [`data`] and the numerical leaves ([`distribution`], [`rng`], [`solve`],
//!   [`minimize`]): crates that know no deal;
//! - [`montecarlo`] and [`stats`]: `pactsim-montecarlo`;
//! - [`output`]: `pactsim-report`, the run output contract (schema 1) and its renderers;
//! - [`dated_csv`]: dated numbers as CSV text (`date,amount` flows, `date,value` rates), from `pactsim-data`.
//!
//! A run is asked for with a [`RunRequest`] and comes back as a [`RunResult`]; anything wrong with
//! the request is an [`Error`]:
//!
//! ```
//! use pactsim::{Paths, RunRequest};
//!
//! let deal = include_str!("../../../deals/kr-us-2025-mou.toml");
//! let request = RunRequest { seed: Some(3), paths: Paths::Fixed(200), ..RunRequest::new(deal) };
//! let result = request.run().expect("a valid deal");
//! let npv = result.output.totals.investor_npv.mean.expect("defined on some path");
//! assert!(npv.is_finite());
//! ```
//!
//! The library does no I/O: it takes text and returns values. Reading files, printing and
//! rendering errors for a terminal belong to the edges (the `pactsim` binary).

pub use pactsim_data as data;
pub use pactsim_data::dated_csv;
pub use pactsim_fx as fx;
pub use pactsim_model::{calendar, currency, deal, engine, figures, funding, loan, outcome, spec, waterfall};
pub use pactsim_montecarlo as montecarlo;
pub use pactsim_montecarlo::stats;
pub use pactsim_numeric::{distribution, minimize, rng, solve};
pub use pactsim_report as output;
pub use pactsim_trade as trade;

pub mod analysis;
pub mod library;
pub mod report;
mod request;
pub mod tools;

pub use pactsim_montecarlo::Cancelled;
pub use request::{Paths, PreparedRun, RunRequest, RunResult};

/// Why a request could not run. Each kind is bad input (the command line exits 2; a server
/// answers 400 or 422); nothing that goes wrong while paths run is an error the caller can fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The deal is not valid: every problem found, in source order.
    #[error("the deal is not valid ({} problem{})", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    InvalidDeal(Vec<spec::Diagnostic>),
    /// A parameter of the request itself (paths, tolerance, seed) is out of range.
    #[error("{parameter}: {message}")]
    InvalidRequest { parameter: &'static str, message: String },
    /// A deal of an analysis is not valid: as given with the common overrides (`change` is
    /// `None`), or with a change the analysis makes (a variant's overrides, an input at one end of
    /// its range), which `change` describes. `deal` indexes the analysis's deals (a comparison's
    /// entries in order; 0 for the deal of a sensitivity or frontier, then its marked deals).
    #[error("deal {deal} is not valid{} ({} problem{})", .change.as_ref().map(|c| format!(" with {c}")).unwrap_or_default(), .diagnostics.len(), if .diagnostics.len() == 1 { "" } else { "s" })]
    InvalidAnalysisDeal { deal: usize, change: Option<String>, diagnostics: Vec<spec::Diagnostic> },
}

/// The version written into every run output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
