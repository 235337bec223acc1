//! Exchange-rate models: calibrated on a window of daily log returns, then simulated forward.
//!
//! # Brief overview
//!
//! The input is a slice of daily log returns `r_t = ln(S_t / S_{t−1})` between consecutive
//! available days (decimal, not per cent); [`log_returns`] makes them from levels.
//! [`FxModel::calibrate`] fits one of three models ([`FxModelKind`]):
//!
//! * **Gbm** — i.i.d. normal log returns (geometric Brownian motion of the rate), drift and
//!   volatility by maximum likelihood: `mu` = mean, `sigma` = standard deviation with divisor `n`.
//! * **Garch** — GARCH(1,1) with standardized Student-t innovations and a constant mean, on
//!   returns in **per cent**, by maximum likelihood exactly as Python's `arch` fits
//!   `arch_model(r*100, mean='Constant', vol='GARCH', p=1, q=1, dist='t')` ([`garch`]).
//! * **Bootstrap** — the stationary block bootstrap of the sample's own returns, with the
//!   Politis–White mean block length ([`bootstrap`]).
//!
//! [`FxModel::calibration`] lists the fitted figures by name for run outputs, and
//! [`FxModel::simulate`] appends simulated daily log returns (decimal) that continue from the end
//! of the sample: GARCH starts from the sample's last conditional variance and residual. The
//! draws depend only on the random generator handed in, so a seeded stream reproduces a path.
//! All three models report `daily_log_return_sd`, the sample standard deviation (divisor n − 1)
//! of the returns, as the common yardstick.

pub mod bootstrap;
pub mod garch;
pub mod student_t;

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// The fewest returns a model is calibrated on. GARCH needs far more to be meaningful (arch's
/// author advises ≥ 500 daily observations); this floor only stops nonsense.
pub const MIN_RETURNS: usize = 100;

/// Trading days a year, for the annualised GBM figures.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// Innovations a GARCH path draws before running its variance recursion over them.
const INNOVATION_BATCH: usize = 256;

/// Which model to calibrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FxModelKind {
    Gbm,
    Garch,
    Bootstrap,
}

impl FxModelKind {
    pub const ALL: [FxModelKind; 3] = [FxModelKind::Gbm, FxModelKind::Garch, FxModelKind::Bootstrap];

    /// The name deal files and the command line use: `gbm`, `garch`, `bootstrap`.
    pub fn name(self) -> &'static str {
        match self {
            FxModelKind::Gbm => "gbm",
            FxModelKind::Garch => "garch",
            FxModelKind::Bootstrap => "bootstrap",
        }
    }

    pub fn from_name(name: &str) -> Option<FxModelKind> {
        FxModelKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Why a model could not be calibrated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FxError {
    #[error("{found} daily returns, expected at least {MIN_RETURNS} to calibrate a model")]
    TooFewReturns { found: usize },
    #[error("return {index} is {value}, expected a finite number")]
    NonFinite { index: usize, value: f64 },
    #[error("rate {index} is {value}, expected a positive finite number")]
    BadLevel { index: usize, value: f64 },
    #[error("every return is the same ({value}): a model needs a series that moves")]
    Constant { value: f64 },
    #[error("the {model} fit did not converge (largest gradient component {gradient_norm:.3e} from every start)")]
    NotConverged { model: &'static str, gradient_norm: f64 },
}

/// Log returns `ln(S_t / S_{t−1})` between consecutive levels, which must be positive and finite.
pub fn log_returns(levels: &[f64]) -> Result<Vec<f64>, FxError> {
    if let Some((index, &value)) = levels.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
        return Err(FxError::BadLevel { index, value });
    }
    Ok(levels.windows(2).map(|w| (w[1] / w[0]).ln()).collect())
}

/// A model calibrated on a window of history, ready to simulate.
#[derive(Debug, Clone)]
pub struct FxModel {
    fit: Fit,
    /// Sample standard deviation (divisor n − 1) of the calibration returns.
    daily_sd: f64,
    /// Mean of the calibration returns: the drift of every model's simulated paths.
    daily_mean: f64,
}

#[derive(Debug, Clone)]
enum Fit {
    /// Mean and MLE standard deviation (divisor n) of daily log returns.
    Gbm {
        mu: f64,
        sigma: f64,
    },
    /// The fit, and a sampler of its t innovations.
    Garch(garch::GarchFit, student_t::StudentTZiggurat),
    Bootstrap {
        returns: Vec<f64>,
        mean_block_length: f64,
    },
}

impl Fit {
    fn garch(fit: garch::GarchFit) -> Fit {
        // nu ≥ 2.05 by construction of the fit, so the sampler exists.
        let innovations = student_t::StudentTZiggurat::new(fit.params.nu).expect("nu > 2");
        Fit::Garch(fit, innovations)
    }
}

impl FxModel {
    /// Fits `kind` to `log_returns` (daily, decimal; at least [`MIN_RETURNS`], all finite, not all
    /// equal).
    pub fn calibrate(kind: FxModelKind, log_returns: &[f64]) -> Result<FxModel, FxError> {
        let n = log_returns.len();
        if n < MIN_RETURNS {
            return Err(FxError::TooFewReturns { found: n });
        }
        if let Some((index, &value)) = log_returns.iter().enumerate().find(|(_, r)| !r.is_finite()) {
            return Err(FxError::NonFinite { index, value });
        }
        if log_returns.iter().all(|&r| r == log_returns[0]) {
            return Err(FxError::Constant { value: log_returns[0] });
        }
        let mean = log_returns.iter().sum::<f64>() / n as f64;
        let squares = log_returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>();
        let daily_sd = (squares / (n - 1) as f64).sqrt();
        let fit = match kind {
            FxModelKind::Gbm => Fit::Gbm { mu: mean, sigma: (squares / n as f64).sqrt() },
            FxModelKind::Garch => {
                let percent: Vec<f64> = log_returns.iter().map(|r| r * 100.0).collect();
                Fit::garch(garch::fit(&percent)?)
            }
            FxModelKind::Bootstrap => Fit::Bootstrap {
                returns: log_returns.to_vec(),
                mean_block_length: bootstrap::optimal_block_length(log_returns),
            },
        };
        Ok(FxModel { fit, daily_sd, daily_mean: mean })
    }

    pub fn kind(&self) -> FxModelKind {
        match self.fit {
            Fit::Gbm { .. } => FxModelKind::Gbm,
            Fit::Garch(..) => FxModelKind::Garch,
            Fit::Bootstrap { .. } => FxModelKind::Bootstrap,
        }
    }

    /// Calibration figures for the run output, as (name, value) pairs in a fixed order:
    ///
    /// * gbm: `daily_log_return_sd`, `mu` (mean daily log return), `sigma` (MLE daily standard
    ///   deviation, divisor n), `mu_annual` (252 mu), `sigma_annual` (√252 sigma);
    /// * garch: `mu`, `omega`, `alpha`, `beta`, `nu` (arch's units: per cent returns), then
    ///   `daily_log_return_sd` (decimal), `log_likelihood` (of the per-cent returns, as arch
    ///   reports it), `next_day_variance` (per cent², the conditional variance of the first
    ///   simulated day: arch's one-step variance forecast);
    /// * bootstrap: `mean_block_length` (days), `daily_log_return_sd`.
    pub fn calibration(&self) -> Vec<(&'static str, f64)> {
        let sd = ("daily_log_return_sd", self.daily_sd);
        match &self.fit {
            Fit::Gbm { mu, sigma } => vec![
                sd,
                ("mu", *mu),
                ("sigma", *sigma),
                ("mu_annual", mu * TRADING_DAYS_PER_YEAR),
                ("sigma_annual", sigma * TRADING_DAYS_PER_YEAR.sqrt()),
            ],
            Fit::Garch(fit, _) => {
                let p = fit.params;
                vec![
                    ("mu", p.mu),
                    ("omega", p.omega),
                    ("alpha", p.alpha),
                    ("beta", p.beta),
                    ("nu", p.nu),
                    sd,
                    ("log_likelihood", fit.log_likelihood),
                    ("next_day_variance", fit.next_day_variance()),
                ]
            }
            Fit::Bootstrap { mean_block_length, .. } => vec![("mean_block_length", *mean_block_length), sd],
        }
    }

    /// Appends `days` simulated daily log returns (decimal) continuing from the end of the sample.
    pub fn simulate<R: Rng + ?Sized>(&self, rng: &mut R, days: usize, out: &mut Vec<f64>) {
        out.reserve(days);
        match &self.fit {
            Fit::Gbm { mu, sigma } => {
                for _ in 0..days {
                    let z: f64 = StandardNormal.sample(rng);
                    out.push(mu + sigma * z);
                }
            }
            Fit::Garch(fit, innovations) => self.garch_path::<_, false>(fit, innovations, rng, days, 0.0, out),
            Fit::Bootstrap { returns, mean_block_length } => {
                bootstrap::resample(rng, returns, *mean_block_length, days, out)
            }
        }
    }

    /// Appends `days` simulated log levels: `start` plus the running sum of the returns
    /// `simulate` would append, summed in their order, so the same bits as summing them after.
    /// GARCH sums as it draws: the running sum's chain of additions then overlaps the variance's
    /// chain of days, where a second pass would wait on it alone.
    pub fn simulate_log_levels<R: Rng + ?Sized>(&self, rng: &mut R, days: usize, start: f64, out: &mut Vec<f64>) {
        match &self.fit {
            Fit::Garch(fit, innovations) => self.garch_path::<_, true>(fit, innovations, rng, days, start, out),
            _ => {
                let from = out.len();
                self.simulate(rng, days, out);
                let mut level = start;
                for slot in &mut out[from..] {
                    level += *slot;
                    *slot = level;
                }
            }
        }
    }

    /// GARCH's `simulate` (`LEVELS` false: the returns) or `simulate_log_levels` (true: `start`
    /// plus their running sum).
    fn garch_path<R: Rng + ?Sized, const LEVELS: bool>(
        &self,
        fit: &garch::GarchFit,
        innovations: &student_t::StudentTZiggurat,
        rng: &mut R,
        days: usize,
        start: f64,
        out: &mut Vec<f64>,
    ) {
        let garch::GarchParams { omega, alpha, beta, nu, .. } = fit.params;
        // Paths drift at the window's mean return, not at the fitted location `mu`: with
        // symmetric t errors on skewed returns (many small gains of the currency, a few
        // large falls), `mu` sits near the median, and on KRW/USD 2000–2025 it has the
        // opposite sign of the mean. Thirty years of it would be a strong appreciation
        // the data never showed. GBM's and the bootstrap's paths drift at the same mean.
        let mu = self.daily_mean * 100.0;
        // Innovations z ~ t(nu) scaled to unit variance: e = sqrt(h) · unit · z.
        let unit_squared = (nu - 2.0) / nu;
        let unit = unit_squared.sqrt();
        let mut h = garch::next_variance(&fit.params, fit.last_variance, fit.last_residual);
        // Per cent to decimal folded into the constants: the divider is left to the root.
        let (mean_return, scale) = (mu / 100.0, unit / 100.0);
        let mut level = start;
        out.reserve(days);
        // The innovations are drawn a batch at a time onto the end of `out`, then the
        // recursion runs over the batch, replacing each draw by its day's value: two short
        // loops keep their values in registers, where one loop with the sampler inlined
        // spilled the variance to memory and put a store and a load on the chain of days.
        let mut emit = |r: f64| {
            if LEVELS {
                level += r;
                level
            } else {
                r
            }
        };
        // omega + alpha e² + beta h = omega + h · growth(z), with e² = h unit² z².
        let growth = |z: f64| beta + alpha * unit_squared * z * z;
        let mut left = days;
        while left > 0 {
            let count = left.min(INNOVATION_BATCH);
            left -= count;
            let at = out.len();
            innovations.fill(rng, count, out);
            // Two days a step: the variance two days on is omega (1 + g1) + h (g0 g1), which
            // waits on one multiplication and one addition, as the next day's did; the day
            // between is found off that chain. One day a step, the chain of days bounded the
            // loop. (A batch has an even number of days, the last one aside.)
            let mut pairs = out[at..].chunks_exact_mut(2);
            for two in &mut pairs {
                let (z0, z1) = (two[0], two[1]);
                let (g0, g1) = (growth(z0), growth(z1));
                let next = omega + h * g0;
                two[0] = emit(mean_return + h.sqrt() * scale * z0);
                two[1] = emit(mean_return + next.sqrt() * scale * z1);
                h = (omega + omega * g1) + h * (g0 * g1);
            }
            for slot in pairs.into_remainder() {
                let z = *slot;
                *slot = emit(mean_return + h.sqrt() * scale * z);
                h = omega + h * growth(z);
            }
        }
    }
}

#[cfg(test)]
mod tests;
