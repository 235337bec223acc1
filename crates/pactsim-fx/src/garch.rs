//! GARCH(1,1) with standardized Student-t innovations and a constant mean, fitted by maximum
//! likelihood exactly as Python's `arch` package (8.0.0) fits
//! `arch_model(y, mean='Constant', vol='GARCH', p=1, q=1, dist='t')`:
//!
//! ```text
//! y_t = mu + e_t,   e_t = sqrt(h_t) z_t,   h_t = omega + alpha e_{t-1}^2 + beta h_{t-1}
//! z_t ~ Student t with nu degrees of freedom scaled to unit variance
//! ```
//!
//! with `y` the returns in per cent. The likelihood reproduces arch's choices, read from its source
//! (`arch/univariate/volatility.py`, `GARCH.backcast`, `VolatilityProcess.variance_bounds`;
//! `arch/univariate/recursions.pyx`, `bounds_check`; `arch/univariate/distribution.py`,
//! `StudentsT.loglikelihood`; `arch/univariate/base.py`, `ARCHModel.fit`):
//!
//! * the residuals that set the start of the recursion are those at the sample mean, computed once
//!   and held fixed while `mu` moves;
//! * the lagged `e^2` and `h` of the first day are both the *backcast*
//!   `Σ_{i<τ} w_i e_i^2` with `w_i ∝ 0.94^i`, `τ = min(75, n)`, the weights summing to one;
//! * each `h_t` is kept inside loose bounds built from an EWMA(0.94) of those residuals (below:
//!   raised to the bound; above: `upper + ln(h / upper)`). They never bind at a sensible optimum
//!   but are part of the function arch maximises;
//! * `ln f(e | h) = lnΓ((nu+1)/2) − lnΓ(nu/2) − ½ ln(π (nu−2)) − ½ ln h − (nu+1)/2 · ln(1 + e²/(h (nu−2)))`;
//! * the feasible set: `omega > 0`, `alpha, beta ≥ 0`, `alpha + beta < 1`, `2.05 ≤ nu ≤ 500` (arch's
//!   bounds for `nu`).
//!
//! The search is BFGS ([`pactsim_numeric::minimize`]) in a transformed space where every point is feasible,
//! from arch's starting values and from the next-best points of arch's starting grid; the best
//! converged fit wins.

use statrs::function::gamma::{digamma, ln_gamma};

use super::FxError;
use pactsim_numeric::minimize::{BfgsOptions, bfgs};

/// Fitted parameters, in arch's units: `mu` in per cent a day, `omega` in per cent squared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GarchParams {
    pub mu: f64,
    pub omega: f64,
    pub alpha: f64,
    pub beta: f64,
    pub nu: f64,
}

/// A completed fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GarchFit {
    pub params: GarchParams,
    pub log_likelihood: f64,
    /// `h_n`, the conditional variance of the sample's last day (per cent squared).
    pub last_variance: f64,
    /// `e_n = y_n − mu`, the sample's last residual (per cent).
    pub last_residual: f64,
}

/// The likelihood at one point.
pub(super) struct Evaluation {
    pub log_likelihood: f64,
    /// With respect to (mu, omega, alpha, beta, nu).
    pub gradient: [f64; 5],
    pub last_variance: f64,
    pub last_residual: f64,
}

impl GarchFit {
    /// The conditional variance of the day after the sample (per cent²).
    pub fn next_day_variance(&self) -> f64 {
        next_variance(&self.params, self.last_variance, self.last_residual)
    }
}

/// `h_{t+1} = omega + alpha e_t² + beta h_t`.
pub fn next_variance(p: &GarchParams, variance: f64, residual: f64) -> f64 {
    p.omega + p.alpha * residual * residual + p.beta * variance
}

/// The sample with what arch fixes before optimising: the backcast and the variance bounds.
pub struct Sample<'a> {
    y: &'a [f64],
    backcast: f64,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

const NU_MIN: f64 = 2.05;
const NU_MAX: f64 = 500.0;

impl<'a> Sample<'a> {
    /// `y`: returns in per cent, at least one.
    pub fn new(y: &'a [f64]) -> Sample<'a> {
        let n = y.len();
        let mean = y.iter().sum::<f64>() / n as f64;
        let e2: Vec<f64> = y.iter().map(|v| (v - mean).powi(2)).collect();
        let backcast = ewma_start(&e2);
        // The EWMA variance whose multiples bound each h_t; it starts from the backcast.
        let variance = e2.iter().sum::<f64>() / n as f64;
        let floor = variance / 1e8;
        let max_e2 = e2.iter().fold(0.0f64, |m, &v| m.max(v));
        let (min_upper, max_upper) = (1.0 + max_e2, 1e7 * (1.0 + max_e2));
        let (mut lower, mut upper) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut ewma = backcast;
        for t in 0..n {
            if t > 0 {
                ewma = 0.06 * e2[t - 1] + 0.94 * ewma;
            }
            lower.push((ewma / 1e6).max(floor));
            upper.push((ewma * 1e6).clamp(min_upper, max_upper));
        }
        Sample { y, backcast, lower, upper }
    }

    /// The log-likelihood at `p` (`-inf` outside the feasible set).
    pub fn log_likelihood(&self, p: &GarchParams) -> f64 {
        self.evaluate(p).log_likelihood
    }

    /// The log-likelihood at `p`, its gradient, and the last day's variance and residual.
    pub(super) fn evaluate(&self, p: &GarchParams) -> Evaluation {
        let GarchParams { mu, omega, alpha, beta, nu } = *p;
        let feasible = omega > 0.0 && alpha >= 0.0 && beta >= 0.0 && alpha + beta < 1.0 && nu > 2.0;
        if !feasible {
            return Evaluation {
                log_likelihood: f64::NEG_INFINITY,
                gradient: [0.0; 5],
                last_variance: f64::NAN,
                last_residual: f64::NAN,
            };
        }
        let constant = ln_gamma(0.5 * (nu + 1.0)) - ln_gamma(0.5 * nu) - 0.5 * (std::f64::consts::PI * (nu - 2.0)).ln();
        let d_constant = 0.5 * digamma(0.5 * (nu + 1.0)) - 0.5 * digamma(0.5 * nu) - 0.5 / (nu - 2.0);
        let half_nu1 = 0.5 * (nu + 1.0);
        let mut total = constant * self.y.len() as f64;
        let mut grad = [0.0, 0.0, 0.0, 0.0, d_constant * self.y.len() as f64];
        // The previous day's e², h and the derivatives of h with respect to (mu, omega, alpha, beta).
        let (mut e2_prev, mut h_prev) = (self.backcast, self.backcast);
        let mut dh_prev = [0.0; 4];
        let mut e = 0.0;
        for (t, &y) in self.y.iter().enumerate() {
            let raw = omega + alpha * e2_prev + beta * h_prev;
            let mut dh = if t == 0 {
                // Day one's lags are the backcast, which does not move with any parameter.
                [0.0, 1.0, self.backcast, self.backcast]
            } else {
                [
                    -2.0 * alpha * e + beta * dh_prev[0],
                    1.0 + beta * dh_prev[1],
                    e2_prev + beta * dh_prev[2],
                    h_prev + beta * dh_prev[3],
                ]
            };
            let (h, bound_slope) = self.bounded(t, raw);
            dh.iter_mut().for_each(|d| *d *= bound_slope);
            e = y - mu;
            let q = e * e / (h * (nu - 2.0));
            let log1q = q.ln_1p();
            total += -0.5 * h.ln() - half_nu1 * log1q;
            // ∂l/∂h and ∂l/∂e at fixed h.
            let share = q / (1.0 + q);
            let dl_dh = (-0.5 + half_nu1 * share) / h;
            let dl_de = -half_nu1 * 2.0 * e / (h * (nu - 2.0)) / (1.0 + q);
            grad[0] += dl_dh * dh[0] - dl_de;
            grad[1] += dl_dh * dh[1];
            grad[2] += dl_dh * dh[2];
            grad[3] += dl_dh * dh[3];
            grad[4] += -0.5 * log1q + half_nu1 * share / (nu - 2.0);
            e2_prev = e * e;
            h_prev = h;
            dh_prev = dh;
        }
        Evaluation { log_likelihood: total, gradient: grad, last_variance: h_prev, last_residual: e }
    }

    /// `h_t` kept within day `t`'s bounds as arch keeps it (`bounds_check`), and dh/d(raw).
    fn bounded(&self, t: usize, raw: f64) -> (f64, f64) {
        let (lower, upper) = (self.lower[t], self.upper[t]);
        if raw < lower {
            (lower, 0.0)
        } else if raw <= upper {
            (raw, 1.0)
        } else if raw <= f64::MAX {
            (upper + (raw / upper).ln(), 1.0 / raw)
        } else {
            (upper + 1000.0, 0.0)
        }
    }

    /// arch's starting values (`GARCH.starting_values`, `StudentsT.starting_values`): the grid
    /// alpha ∈ {0.01, 0.05, 0.1, 0.2} × alpha+beta ∈ {0.5, 0.7, 0.9, 0.98}, omega = (1 −
    /// alpha − beta) · mean(e²), ranked by the Gaussian likelihood; nu from the kurtosis k of the
    /// standardized residuals at the chosen point, max((4k − 6)/(k − 3) if k > 3.75 else 12, 4).
    /// Returns every grid point, best first (ties keep grid order, as numpy's argmax does).
    fn starting_values(&self) -> Vec<GarchParams> {
        let n = self.y.len() as f64;
        let mu = self.y.iter().sum::<f64>() / n;
        let target = self.y.iter().map(|y| (y - mu).powi(2)).sum::<f64>() / n;
        let mut grid = Vec::new();
        for alpha in [0.01, 0.05, 0.1, 0.2] {
            for persistence in [0.5, 0.7, 0.9, 0.98] {
                let p =
                    GarchParams { mu, omega: (1.0 - persistence) * target, alpha, beta: persistence - alpha, nu: 0.0 };
                let (gaussian, kurtosis) = self.gaussian_fit(&p);
                let nu = if kurtosis > 3.75 { (4.0 * kurtosis - 6.0) / (kurtosis - 3.0) } else { 12.0 };
                grid.push((gaussian, GarchParams { nu: nu.max(4.0), ..p }));
            }
        }
        // Stable: equal likelihoods keep grid order.
        grid.sort_by(|a, b| b.0.total_cmp(&a.0));
        grid.into_iter().map(|(_, p)| p).collect()
    }

    /// The Gaussian log-likelihood of the variance path at `p` (mu fixed at the sample mean), and
    /// the kurtosis (population moments) of the standardized residuals.
    fn gaussian_fit(&self, p: &GarchParams) -> (f64, f64) {
        let n = self.y.len() as f64;
        let mut ll = 0.0;
        let mut z = Vec::with_capacity(self.y.len());
        let (mut e2_prev, mut h_prev) = (self.backcast, self.backcast);
        for (t, &y) in self.y.iter().enumerate() {
            let raw = p.omega + p.alpha * e2_prev + p.beta * h_prev;
            let (h, _) = self.bounded(t, raw);
            let e = y - p.mu;
            ll += -0.5 * ((2.0 * std::f64::consts::PI).ln() + h.ln() + e * e / h);
            z.push(e / h.sqrt());
            e2_prev = e * e;
            h_prev = h;
        }
        let mean = z.iter().sum::<f64>() / n;
        let m2 = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let m4 = z.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
        (ll, m4 / (m2 * m2))
    }
}

/// The backcast: Σ w_i x_i over the first min(75, n) values, w_i ∝ 0.94^i summing to one.
fn ewma_start(x: &[f64]) -> f64 {
    let tau = x.len().min(75);
    let weights: Vec<f64> = (0..tau).map(|i| 0.94f64.powi(i as i32)).collect();
    let total: f64 = weights.iter().sum();
    x.iter().zip(&weights).map(|(x, w)| x * w / total).sum()
}

/// Fits the model to `y` (returns in per cent; the caller has checked there are enough, all
/// finite and not all equal).
pub fn fit(y: &[f64]) -> Result<GarchFit, FxError> {
    let sample = Sample::new(y);
    let n = y.len() as f64;
    let scale = Scale::of(y);
    let starts = sample.starting_values();
    let mut best: Option<(f64, GarchParams)> = None;
    let mut worst_gradient = 0.0f64;
    // arch's own start, then the next two best points of its grid.
    for start in starts.iter().take(3) {
        let minimum = bfgs(
            |theta, gradient| {
                let at = sample.evaluate(&scale.params(theta));
                scale.chain(theta, &at.gradient, gradient);
                gradient.iter_mut().for_each(|v| *v = -*v / n);
                -at.log_likelihood / n
            },
            &scale.theta(start),
            OPTIONS,
        );
        if !minimum.converged {
            worst_gradient = worst_gradient.max(minimum.gradient_norm);
            continue;
        }
        let ll = -minimum.value * n;
        if best.is_none_or(|(b, _)| ll > b) {
            best = Some((ll, scale.params(&minimum.x)));
        }
    }
    let Some((_, params)) = best else {
        return Err(FxError::NotConverged { model: "garch", gradient_norm: worst_gradient });
    };
    let at = sample.evaluate(&params);
    Ok(GarchFit {
        params,
        log_likelihood: at.log_likelihood,
        last_variance: at.last_variance,
        last_residual: at.last_residual,
    })
}

/// The gradient (of the mean negative log-likelihood, in the transformed space) at which a fit
/// counts as converged. On the ECB windows of `oracles/check_fx.py` the maxima it gives are
/// 1e-8 to 3e-7 above arch's.
const OPTIONS: BfgsOptions = BfgsOptions { gradient_tolerance: 1e-7, max_iterations: 1000 };

/// The map from an unbounded θ ∈ R⁵ onto the feasible set:
/// mu = m + s θ₀, omega = v e^θ₁, alpha + beta = σ(θ₂), alpha = σ(θ₂) σ(θ₃),
/// nu = 2.05 + 497.95 σ(θ₄), with σ the logistic function, m, s the sample mean and standard
/// deviation and v the sample variance (so that θ is of order one).
#[derive(Debug, Clone, Copy)]
struct Scale {
    mean: f64,
    sd: f64,
    variance: f64,
}

impl Scale {
    fn of(y: &[f64]) -> Scale {
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let variance = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Scale { mean, sd: variance.sqrt(), variance }
    }

    fn params(&self, t: &[f64]) -> GarchParams {
        let persistence = logistic(t[2]);
        let alpha = persistence * logistic(t[3]);
        GarchParams {
            mu: self.mean + self.sd * t[0],
            omega: self.variance * t[1].exp(),
            alpha,
            beta: persistence - alpha,
            nu: NU_MIN + (NU_MAX - NU_MIN) * logistic(t[4]),
        }
    }

    fn theta(&self, p: &GarchParams) -> Vec<f64> {
        let persistence = p.alpha + p.beta;
        vec![
            (p.mu - self.mean) / self.sd,
            (p.omega / self.variance).ln(),
            logit(persistence),
            logit(p.alpha / persistence),
            logit((p.nu - NU_MIN) / (NU_MAX - NU_MIN)),
        ]
    }

    /// Writes ∂l/∂θ from `g` = ∂l/∂(mu, omega, alpha, beta, nu).
    fn chain(&self, t: &[f64], g: &[f64; 5], out: &mut [f64]) {
        let (persistence, share) = (logistic(t[2]), logistic(t[3]));
        let d_persistence = persistence * (1.0 - persistence);
        let d_share = share * (1.0 - share);
        let s4 = logistic(t[4]);
        out[0] = g[0] * self.sd;
        out[1] = g[1] * self.variance * t[1].exp();
        out[2] = (g[2] * share + g[3] * (1.0 - share)) * d_persistence;
        out[3] = (g[2] - g[3]) * persistence * d_share;
        out[4] = g[4] * (NU_MAX - NU_MIN) * s4 * (1.0 - s4);
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}
