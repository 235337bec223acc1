use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::garch::{GarchFit, GarchParams, Sample};
use super::*;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A GARCH model with the given parameters (per cent units), started at its unconditional
/// variance and drifting at `mu`, for simulating test data.
fn garch_model(params: GarchParams) -> FxModel {
    let last_variance = params.omega / (1.0 - params.alpha - params.beta);
    let fit = GarchFit { params, log_likelihood: f64::NAN, last_variance, last_residual: 0.0 };
    FxModel { fit: Fit::garch(fit), daily_sd: f64::NAN, daily_mean: params.mu / 100.0 }
}

/// The pseudo-random AR(1) series the arch literals below were computed on (with numpy, the same
/// 64-bit LCG and arithmetic): x_t = phi x_{t−1} + u_t, u uniform on (−½, ½).
fn ar_series(n: usize, phi: f64) -> Vec<f64> {
    let mut state: u64 = 20251114;
    let mut previous = 0.0;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            previous = phi * previous + u;
            previous
        })
        .collect()
}

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs()
}

fn named(model: &FxModel, name: &str) -> f64 {
    model.calibration().into_iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no {name}")).1
}

#[test]
fn gbm_recovers_the_standard_deviation_of_normal_returns() {
    let normal = Normal::new(0.0003, 0.007).unwrap();
    let mut rng = rng(1);
    let returns: Vec<f64> = (0..20_000).map(|_| normal.sample(&mut rng)).collect();
    let model = FxModel::calibrate(FxModelKind::Gbm, &returns).unwrap();
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let ss = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>();
    let sd = named(&model, "daily_log_return_sd");
    assert!(close(sd, (ss / (n - 1.0)).sqrt(), 1e-14));
    assert!(close(named(&model, "sigma"), (ss / n).sqrt(), 1e-14));
    assert!(close(named(&model, "mu"), mean, 1e-14));
    assert!(close(named(&model, "sigma_annual"), (ss / n).sqrt() * 252f64.sqrt(), 1e-14));
    // Within 4 standard errors of the truth (s.e. of a normal sample sd ≈ σ/√(2n)).
    assert!((sd - 0.007).abs() < 4.0 * 0.007 / (2.0 * n).sqrt(), "{sd}");
    let names: Vec<_> = model.calibration().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["daily_log_return_sd", "mu", "sigma", "mu_annual", "sigma_annual"]);
}

#[test]
fn the_log_likelihood_matches_a_hand_computation_and_arch() {
    let y = [0.5, -1.0, 0.25, 2.0];
    let p = GarchParams { mu: 0.3, omega: 0.1, alpha: 0.1, beta: 0.8, nu: 5.0 };
    // By hand: the backcast uses residuals at the sample mean 0.4375, the likelihood at mu 0.3.
    let at_mean = [0.0625f64, -1.4375, -0.1875, 1.5625];
    let w = [1.0, 0.94, 0.94 * 0.94, 0.94 * 0.94 * 0.94];
    let backcast = at_mean.iter().zip(w).map(|(e, w)| e * e * w).sum::<f64>() / w.iter().sum::<f64>();
    let constant = statrs::function::gamma::ln_gamma(3.0)
        - statrs::function::gamma::ln_gamma(2.5)
        - 0.5 * (std::f64::consts::PI * 3.0).ln();
    let mut h = 0.1 + 0.1 * backcast + 0.8 * backcast;
    let mut expected = 0.0;
    for t in 0..4 {
        let e: f64 = y[t] - 0.3;
        if t > 0 {
            h = 0.1 + 0.1 * (y[t - 1] - 0.3f64).powi(2) + 0.8 * h;
        }
        expected += constant - 0.5 * h.ln() - 3.0 * (1.0 + e * e / (h * 3.0)).ln();
    }
    let ll = Sample::new(&y).log_likelihood(&p);
    assert!(close(ll, expected, 1e-14), "{ll} {expected}");
    // arch 8.0.0: arch_model(y, mean='Constant', vol='GARCH', p=1, q=1, dist='t',
    // rescale=False).fix([0.3, 0.1, 0.1, 0.8, 5.0]).loglikelihood
    assert!(close(ll, -6.400388970899467, 1e-14), "{ll}");
}

/// Where the variance bounds bind, the likelihood is still arch's (literals from arch 8.0.0's
/// `fix(...).loglikelihood` on `ar_series(500, 0.6)`).
#[test]
fn the_log_likelihood_keeps_the_variance_within_arch_bounds() {
    let x = ar_series(500, 0.6);
    let sample = Sample::new(&x);
    let cases = [
        // h = omega far below the lower bound (var / 1e8 or the EWMA / 1e6): raised to it.
        (GarchParams { mu: 0.0, omega: 1e-12, alpha: 0.0, beta: 0.0, nu: 8.0 }, -21082.384766743868),
        // h far above the upper bound: upper + ln(h / upper).
        (GarchParams { mu: 0.0, omega: 1e9, alpha: 0.5, beta: 0.49, nu: 8.0 }, -3368.527538605409),
        (GarchParams { mu: 0.01, omega: 0.05, alpha: 0.1, beta: 0.85, nu: 8.0 }, -308.7148412458506),
    ];
    for (p, expected) in cases {
        let ll = sample.log_likelihood(&p);
        assert!(close(ll, expected, 1e-12), "{p:?}: {ll} vs {expected}");
    }
}

#[test]
fn the_gradient_matches_finite_differences() {
    let x: Vec<f64> = ar_series(300, 0.2).iter().map(|v| v * 2.0).collect();
    let sample = Sample::new(&x);
    let p = GarchParams { mu: 0.05, omega: 0.03, alpha: 0.07, beta: 0.9, nu: 6.5 };
    let gradient = sample.evaluate(&p).gradient;
    let shift = |i: usize, d: f64| {
        let mut q = p;
        match i {
            0 => q.mu += d,
            1 => q.omega += d,
            2 => q.alpha += d,
            3 => q.beta += d,
            _ => q.nu += d,
        }
        sample.log_likelihood(&q)
    };
    for (i, &g) in gradient.iter().enumerate() {
        let d = 1e-6;
        let numeric = (shift(i, d) - shift(i, -d)) / (2.0 * d);
        assert!((g - numeric).abs() < 1e-5 * (1.0 + g.abs()), "parameter {i}: {g} vs {numeric}");
    }
}

#[test]
fn garch_recovers_the_parameters_it_was_simulated_from() {
    let truth = GarchParams { mu: 0.01, omega: 0.02, alpha: 0.08, beta: 0.9, nu: 6.0 };
    for seed in [7, 8] {
        let mut returns = Vec::new();
        garch_model(truth).simulate(&mut rng(seed), 5_000, &mut returns);
        let model = FxModel::calibrate(FxModelKind::Garch, &returns).unwrap();
        let Fit::Garch(fit, _) = model.fit else { unreachable!() };
        let p = fit.params;
        // Sampling standard errors at n = 5,000 are about 0.01 (alpha, beta), 0.006 (omega) and
        // 0.5 (nu); allow four of them.
        assert!((p.alpha - 0.08).abs() < 0.04, "seed {seed}: {p:?}");
        assert!((p.beta - 0.9).abs() < 0.04, "seed {seed}: {p:?}");
        assert!((p.omega - 0.02).abs() < 0.025, "seed {seed}: {p:?}");
        assert!((p.nu - 6.0).abs() < 2.0, "seed {seed}: {p:?}");
        assert!((p.mu - 0.01).abs() < 0.04, "seed {seed}: {p:?}");
        // A maximum: at least as likely as the truth and as small moves in every direction.
        let percent: Vec<f64> = returns.iter().map(|r| r * 100.0).collect();
        let sample = Sample::new(&percent);
        assert!(fit.log_likelihood >= sample.log_likelihood(&truth));
        assert!(close(fit.log_likelihood, sample.log_likelihood(&p), 1e-15));
        for step in [1e-4, -1e-4] {
            let moved = GarchParams { alpha: p.alpha + step, beta: p.beta - step, nu: p.nu + step, ..p };
            assert!(sample.log_likelihood(&moved) <= fit.log_likelihood);
        }
        let names: Vec<_> = model.calibration().iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["mu", "omega", "alpha", "beta", "nu", "daily_log_return_sd", "log_likelihood", "next_day_variance"]
        );
        // The continuation state is the recursion's last day, by hand (the bounds do not bind).
        let w: Vec<f64> = (0..75).map(|i| 0.94f64.powi(i)).collect();
        let mean = percent.iter().sum::<f64>() / percent.len() as f64;
        let backcast = percent.iter().zip(&w).map(|(y, w)| (y - mean).powi(2) * w).sum::<f64>() / w.iter().sum::<f64>();
        let mut h = p.omega + (p.alpha + p.beta) * backcast;
        for pair in percent.windows(2) {
            h = p.omega + p.alpha * (pair[0] - p.mu).powi(2) + p.beta * h;
        }
        let last = percent[percent.len() - 1] - p.mu;
        assert!(close(fit.last_variance, h, 1e-12) && fit.last_residual == last, "{fit:?} {h} {last}");
        assert!(close(named(&model, "next_day_variance"), p.omega + p.alpha * last * last + p.beta * h, 1e-12));
    }
}

/// arch 8.0.0 reaches the boundary here (beta = 0, nu near 500): the fit must converge there too
/// and be at least as likely.
#[test]
fn garch_converges_at_the_boundary_of_the_parameter_space() {
    let x: Vec<f64> = ar_series(500, 0.6).iter().map(|v| v / 100.0).collect();
    let model = FxModel::calibrate(FxModelKind::Garch, &x).unwrap();
    // arch: params [0.01195, 0.08780, 0.39877, 0.0, 490.3], log-likelihood -207.535416768448.
    let ll = named(&model, "log_likelihood");
    assert!(ll >= -207.535416768448 - 1e-6, "{ll}");
    assert!((named(&model, "alpha") - 0.39877).abs() < 0.01, "{:?}", model.calibration());
    assert!(named(&model, "beta") < 0.01, "{:?}", model.calibration());
}

#[test]
fn garch_simulation_continues_from_the_last_variance_and_residual() {
    let params = GarchParams { mu: 0.02, omega: 0.05, alpha: 0.1, beta: 0.85, nu: 5.0 };
    let fit = GarchFit { params, log_likelihood: 0.0, last_variance: 4.0, last_residual: -3.0 };
    // The drift is the calibration window's mean (0.0003 = 0.03%), not the fitted location.
    let model = FxModel { fit: Fit::garch(fit), daily_sd: 0.01, daily_mean: 0.0003 };
    let mut out = Vec::new();
    model.simulate(&mut rng(3), 3, &mut out);
    // The textbook recursion on the same t draws.
    let t = super::student_t::StudentTZiggurat::new(5.0).unwrap();
    let mut draws = rng(3);
    let unit = (3.0f64 / 5.0).sqrt();
    let h1: f64 = 0.05 + 0.1 * 9.0 + 0.85 * 4.0;
    let e1 = h1.sqrt() * unit * t.sample(&mut draws);
    let h2: f64 = 0.05 + 0.1 * e1 * e1 + 0.85 * h1;
    let e2 = h2.sqrt() * unit * t.sample(&mut draws);
    let h3: f64 = 0.05 + 0.1 * e2 * e2 + 0.85 * h2;
    let e3 = h3.sqrt() * unit * t.sample(&mut draws);
    let expected = [(0.03 + e1) / 100.0, (0.03 + e2) / 100.0, (0.03 + e3) / 100.0];
    for (got, want) in out.iter().zip(expected) {
        assert!((got - want).abs() <= 1e-15 * want.abs(), "{got} vs {want}");
    }
}

#[test]
fn garch_innovations_have_unit_variance() {
    // alpha = beta = 0: returns are mu + sqrt(omega) z, so their variance is omega (per cent²).
    let model = garch_model(GarchParams { mu: 0.0, omega: 1.0, alpha: 0.0, beta: 0.0, nu: 8.0 });
    let mut out = Vec::new();
    model.simulate(&mut rng(4), 400_000, &mut out);
    let variance = out.iter().map(|r| (r * 100.0).powi(2)).sum::<f64>() / out.len() as f64;
    // s.e. of the variance of a t(8) with unit variance: sqrt((kurtosis − 1) / n), kurtosis 4.5.
    assert!((variance - 1.0).abs() < 4.0 * (3.5f64 / 400_000.0).sqrt(), "{variance}");
}

#[test]
fn the_block_length_matches_arch() {
    // arch 8.0.0: optimal_block_length(x)['stationary'] on the same series.
    let b = bootstrap::optimal_block_length(&ar_series(500, 0.6));
    assert!(close(b, 11.92517701171208, 1e-12), "{b}");
    let b = bootstrap::optimal_block_length(&ar_series(2000, 0.0));
    assert!(close(b, 0.9723421131905335, 1e-12), "{b}");
}

#[test]
fn the_bootstrap_resamples_sample_returns_in_blocks_of_the_mean_length() {
    // Distinct values, so each output names the sample day it came from.
    let returns: Vec<f64> = ar_series(500, 0.6).iter().enumerate().map(|(i, v)| v / 100.0 + i as f64 * 1e-12).collect();
    let model = FxModel::calibrate(FxModelKind::Bootstrap, &returns).unwrap();
    let block = named(&model, "mean_block_length");
    assert!(close(block, 11.92517701171208, 1e-6), "{block}");
    let mut out = Vec::new();
    model.simulate(&mut rng(5), 200_000, &mut out);
    let index_of = |r: &f64| returns.iter().position(|s| s == r).expect("a sample return");
    let days: Vec<usize> = out.iter().map(index_of).collect();
    let runs = 1 + days.windows(2).filter(|w| w[1] != (w[0] + 1) % returns.len()).count();
    let mean_run = days.len() as f64 / runs as f64;
    // Runs are geometric with mean b (a new block lands on the next day with chance 1/500).
    assert!(close(mean_run, block, 0.03), "{mean_run} vs {block}");
    let names: Vec<_> = model.calibration().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["mean_block_length", "daily_log_return_sd"]);
}

#[test]
fn simulation_is_fixed_by_the_seed() {
    let returns: Vec<f64> = ar_series(1_000, 0.1).iter().map(|v| v / 100.0).collect();
    for kind in FxModelKind::ALL {
        let model = FxModel::calibrate(kind, &returns).unwrap();
        assert_eq!(model.kind(), kind);
        let path = |seed| {
            let mut out = Vec::new();
            model.simulate(&mut rng(seed), 500, &mut out);
            out
        };
        let (a, b, c) = (path(9), path(9), path(10));
        assert_eq!(a.len(), 500);
        assert!(a.iter().all(|r| r.is_finite()), "{kind:?}");
        assert_eq!(
            a.iter().map(|r| r.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|r| r.to_bits()).collect::<Vec<_>>()
        );
        assert_ne!(a, c, "{kind:?}");
    }
}

#[test]
fn bad_inputs_are_refused() {
    let short = vec![0.001; 99];
    assert_eq!(FxModel::calibrate(FxModelKind::Gbm, &short).unwrap_err(), FxError::TooFewReturns { found: 99 });
    let mut returns = ar_series(200, 0.0);
    returns[17] = f64::NAN;
    assert!(matches!(FxModel::calibrate(FxModelKind::Garch, &returns), Err(FxError::NonFinite { index: 17, .. })));
    let flat = vec![0.0; 200];
    assert_eq!(FxModel::calibrate(FxModelKind::Bootstrap, &flat).unwrap_err(), FxError::Constant { value: 0.0 });
    assert_eq!(log_returns(&[1.0, 0.0]).unwrap_err(), FxError::BadLevel { index: 1, value: 0.0 });
    let r = log_returns(&[100.0, 110.0, 99.0]).unwrap();
    assert_eq!(r, [(1.1f64).ln(), (99.0f64 / 110.0).ln()]);
    for kind in FxModelKind::ALL {
        assert_eq!(FxModelKind::from_name(kind.name()), Some(kind));
    }
}
