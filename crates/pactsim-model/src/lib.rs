//! The deal: how it is written down (`spec`) and how it plays out (the model).
//!
//! # Brief overview
//!
//! A deal file is read by [`spec`]: raw TOML with spans, overrides applied, then validation into
//! a [`Deal`](deal::Deal) whose types carry the contract's invariants (shares that sum to one,
//! references resolved to indices, dates within the horizon). [`engine`] plays one path of a deal
//! out date by date — selection, funding calls under annual caps ([`funding`]), loans ([`loan`]),
//! the tiered split and recoup accounts ([`waterfall`]), the investor's currency and reserves
//! ([`currency`]) — and returns an [`Outcome`](outcome::Outcome): every dated flow by project and
//! party. [`figures`] turns flows into NPV, XIRR and MOIC; [`calendar`] holds business days,
//! anniversaries and ACT/365F.
//!
//! Dependencies run one way: `spec` → `deal` → leaves (`calendar`, the `pactsim-fx`,
//! `pactsim-trade` and `pactsim-numeric` crates); `engine` → `funding`, `loan`, `waterfall`,
//! `currency` → `deal`, `outcome`. Nothing in the model reads `spec` (a test checks the layers:
//! `tests/layers.rs`). The crate does no I/O.
//!
//! ```
//! let source = include_str!("../../../deals/kr-us-2025-us-ask.toml");
//! let deal = pactsim_model::spec::parse_deal(source).expect("a valid deal");
//! let outcome = pactsim_model::engine::run(&deal);
//! // Every flow falls within the deal's horizon, one row per calendar year it touches.
//! assert!(outcome.investor_flows.iter().all(|flow| deal.start <= flow.date && flow.date <= deal.end));
//! assert_eq!(outcome.years.first().map(|y| y.year), Some(2025));
//! ```

pub mod calendar;
pub mod calibrated_fx;
pub mod currency;
pub mod deal;
pub mod engine;
pub mod figures;
pub mod funding;
pub mod loan;
pub mod outcome;
pub mod spec;
pub mod waterfall;
