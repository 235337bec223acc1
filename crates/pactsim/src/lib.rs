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
//! - [`dated_csv`]: dated numbers as CSV text (`date,amount` flows, `date,value` rates), here.
//!
//! The library does no I/O: it takes text and returns values. Reading files, printing and
//! rendering errors for a terminal belong to the edges (the `pactsim` binary).

pub mod dated_csv;

pub use pactsim_data as data;
pub use pactsim_fx as fx;
pub use pactsim_model::{calendar, currency, deal, engine, figures, funding, loan, outcome, spec, waterfall};
pub use pactsim_montecarlo as montecarlo;
pub use pactsim_montecarlo::stats;
pub use pactsim_numeric::{distribution, minimize, rng, solve};
pub use pactsim_report as output;
pub use pactsim_trade as trade;

/// The version written into every run output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
