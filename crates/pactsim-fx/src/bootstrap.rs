//! The stationary block bootstrap (Politis & Romano 1994) and its mean block length by the
//! Politis–White (2004) rule with the Patton–Politis–White (2009) correction.
//!
//! The block length follows the algorithm `arch.bootstrap.optimal_block_length` documents and
//! implements (arch 8.0.0, `arch/bootstrap/base.py`), so that the two agree to rounding:
//!
//! * autocovariances `γ_k = n⁻¹ Σ_{t≥k} ε_t ε_{t−k}` of the demeaned series;
//! * the bandwidth `m`: the first lag `m̂` after which `k_n = max(5, ⌊log₁₀ n⌋)` consecutive
//!   autocorrelations are all inside `±2 sqrt(log₁₀ n / n)`, then `m = min(2 max(m̂, 1), m_max)`
//!   with `m_max = ⌈√n⌉ + k_n` (and `m = m_max` when there is no such lag). arch normalises
//!   the lag-k correlation by the sums of squares of ε over `t ≥ k+1` and over `t < n−k−1`;
//!   we do the same, since it decides which lag is "first";
//! * the flat-top kernel `λ(x) = 1` for `x ≤ ½`, `2(1 − x)` above; `G = Σ_{k=1..m} 2 λ(k/m) k γ_k`,
//!   `σ² = γ_0 + Σ_{k=1..m} 2 λ(k/m) γ_k`, `D = 2 σ⁴`;
//! * `b = (2 G² / D)^{1/3} n^{1/3}`, at most `⌈min(3 √n, n/3)⌉`.
//!
//! Resampling: the first day takes a uniformly chosen sample day; each later day starts a new
//! block (a new uniform day) with probability `p = 1/b` and otherwise takes the next sample day,
//! wrapping from the last to the first. Blocks therefore have geometric lengths with mean `b`
//! (every day is a new block when `b ≤ 1`).

use rand::{Rng, RngExt};

/// The Politis–White mean block length of a stationary bootstrap for `x` (at least 2 values).
pub fn optimal_block_length(x: &[f64]) -> f64 {
    let n = x.len();
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    let eps: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let b_max = (3.0 * nf.sqrt()).min(nf / 3.0).ceil();
    let k_n = 5usize.max(nf.log10() as usize);
    let m_max = nf.sqrt().ceil() as usize + k_n;
    let band = 2.0 * (nf.log10() / nf).sqrt();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();
    let mut acv = vec![0.0; m_max + 1];
    let mut inside = vec![false; m_max + 1];
    let mut first_quiet: Option<usize> = None;
    for i in 0..=m_max.min(n - 1) {
        let cross = dot(&eps[i..], &eps[..n - i]);
        acv[i] = cross / nf;
        let head = &eps[i + 1..];
        let tail = &eps[..n - i - 1];
        inside[i] = cross.abs() / (dot(head, head) * dot(tail, tail)).sqrt() < band;
        if i >= k_n && first_quiet.is_none() && inside[i - k_n..i].iter().all(|&q| q) {
            first_quiet = Some(i - k_n);
        }
    }
    let m = first_quiet.map_or(m_max, |q| 2 * q.max(1)).min(m_max);
    let (mut g, mut long_run) = (0.0, acv[0]);
    for (k, &gamma) in acv.iter().enumerate().take(m + 1).skip(1) {
        let ratio = k as f64 / m as f64;
        let weight = if ratio <= 0.5 { 1.0 } else { 2.0 * (1.0 - ratio) };
        g += 2.0 * weight * k as f64 * gamma;
        long_run += 2.0 * weight * gamma;
    }
    let d = 2.0 * long_run * long_run;
    let b = (2.0 * g * g / d).cbrt() * nf.cbrt();
    b.min(b_max)
}

/// Appends `days` returns resampled from `returns` with mean block length `block`.
pub fn resample<R: Rng + ?Sized>(rng: &mut R, returns: &[f64], block: f64, days: usize, out: &mut Vec<f64>) {
    let n = returns.len();
    let restart = (1.0 / block).min(1.0);
    let mut index = rng.random_range(0..n);
    for day in 0..days {
        if day > 0 {
            index = if rng.random::<f64>() < restart { rng.random_range(0..n) } else { (index + 1) % n };
        }
        out.push(returns[index]);
    }
}
