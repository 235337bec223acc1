//! The numerical leaves of pactsim: they know nothing of deals.
//!
//! - [`solve`]: the one safeguarded root finder (Newton or Halley steps inside a sign-change
//!   bracket), used by XIRR and the trade model.
//! - [`minimize`]: the one unconstrained minimiser (BFGS), used by the GARCH fit.
//! - [`distribution`]: the deal file's distributions and their inverse-transform draws.
//! - [`rng`]: random streams keyed by (seed, purpose, path), seekable to fixed blocks, so a path
//!   draws the same numbers whatever thread runs it.

pub mod distribution;
pub mod minimize;
pub mod rng;
pub mod solve;
