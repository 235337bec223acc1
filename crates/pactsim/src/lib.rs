//! pactsim: a model of investment-for-tariff trade deals.
//!
//! # Brief overview
//!
//! A deal file (TOML, `spec`) is read and validated into a [`Deal`](deal::Deal): facilities (pots
//! of money with caps, lags and financing shares), waterfalls (host tax, tiers, recoup rules) and
//! listed projects. [`engine::run`] plays the deal out day by day — commitments, funding calls
//! under annual caps, debt service, guarantees, the tiered split — and returns an
//! [`Outcome`](outcome::Outcome): every dated flow by project and party. [`figures`] turns flows
//! into NPV, XIRR and MOIC; [`output`] builds the public run-output document (schema 1).
//!
//! The library does no I/O: it takes text and returns values. Reading files, printing and
//! rendering errors for a terminal belong to the `pactsim` binary.
//!
//! ```no_run
//! let source = std::fs::read_to_string("deals/kr-us-2025-mou.toml").unwrap();
//! let deal = pactsim::spec::parse_deal(&source).expect("a valid deal");
//! let outcome = pactsim::engine::run(&deal);
//! let document = pactsim::output::run_output(&deal, &outcome, pactsim::VERSION);
//! println!("{}", document.totals.investor_npv.mean.unwrap());
//! ```

pub mod calendar;
pub mod currency;
pub mod data;
pub mod deal;
pub mod distribution;
pub mod engine;
pub mod figures;
pub mod funding;
pub mod fx;
pub mod loan;
pub mod minimize;
pub mod montecarlo;
pub mod outcome;
pub mod output;
pub mod rng;
pub mod solve;
pub mod spec;
pub mod stats;
pub mod trade;
pub mod waterfall;

/// The version written into every run output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
