//! Uncertain inputs as the deal file writes them: a plain number, or one of four distributions.
//!
//! A deterministic run uses each distribution's central value (normal: mean; lognormal: median;
//! triangular: mode; uniform: midpoint). Monte Carlo draws by inverse transform: exactly one
//! uniform per value, so every value has a fixed place in its random stream and truncation to a
//! valid range is exact (no rejection loops).

use rand::Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// Φ⁻¹(0.95): a lognormal's p95 is `median · e^(1.6449 σ)`.
const Z95: f64 = 1.644_853_626_951_472_2;

/// A uniform draw strictly inside (0, 1), from 53 random bits.
pub fn open_uniform(rng: &mut (impl Rng + ?Sized)) -> f64 {
    open_uniform_of(rng.next_u64())
}

/// `open_uniform` of a word already drawn: its top 53 bits.
pub fn open_uniform_of(word: u64) -> f64 {
    ((word >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// A deal-file "distribution" field, validated (parameters finite and ordered).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    Fixed(f64),
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Given by its median and 95th percentile (`p95 > median > 0`).
    LogNormal {
        median: f64,
        p95: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
}

impl Distribution {
    /// The value a deterministic run uses.
    pub fn central(&self) -> f64 {
        match *self {
            Distribution::Fixed(value) => value,
            Distribution::Normal { mean, .. } => mean,
            Distribution::LogNormal { median, .. } => median,
            Distribution::Triangular { mode, .. } => mode,
            Distribution::Uniform { min, max } => 0.5 * (min + max),
        }
    }

    /// The smallest and largest values it can take (infinite for the normal's tails).
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Fixed(value) => (value, value),
            Distribution::Normal { sd: 0.0, mean } => (mean, mean),
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
            Distribution::Triangular { min, max, .. } | Distribution::Uniform { min, max } => (min, max),
        }
    }

    pub fn is_random(&self) -> bool {
        let (low, high) = self.support();
        low != high
    }

    /// The value at cumulative probability `u` (the inverse CDF), `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Distribution::Fixed(value) => value,
            Distribution::Normal { mean, sd } => mean + sd * standard_normal().inverse_cdf(u),
            Distribution::LogNormal { median, p95 } => {
                let sigma = (p95 / median).ln() / Z95;
                median * (sigma * standard_normal().inverse_cdf(u)).exp()
            }
            Distribution::Triangular { min, mode, max } => {
                if max == min {
                    return mode;
                }
                let split = (mode - min) / (max - min);
                if u < split {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            Distribution::Uniform { min, max } => min + u * (max - min),
        }
    }

    /// The value at `u` of the distribution truncated to `[low, high]`: exact for the normal
    /// (the one form whose support is unbounded), a clamp for the others.
    pub fn quantile_within(&self, u: f64, low: f64, high: f64) -> f64 {
        if let Distribution::Normal { mean, sd } = *self
            && sd > 0.0
        {
            let n = standard_normal();
            let (a, b) = (n.cdf((low - mean) / sd), n.cdf((high - mean) / sd));
            let v = mean + sd * n.inverse_cdf((a + u * (b - a)).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON));
            return v.clamp(low, high);
        }
        self.quantile(u).clamp(low, high)
    }

    /// One draw.
    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        match self {
            Distribution::Fixed(value) => *value,
            _ => self.quantile(open_uniform(rng)),
        }
    }

    /// How the deal file writes it, for messages and reports.
    pub fn describe(&self) -> String {
        match *self {
            Distribution::Fixed(value) => format!("{value}"),
            Distribution::Normal { mean, sd } => format!("normal(mean {mean}, sd {sd})"),
            Distribution::LogNormal { median, p95 } => {
                format!("lognormal(median {median}, p95 {p95})")
            }
            Distribution::Triangular { min, mode, max } => {
                format!("triangular({min}, {mode}, {max})")
            }
            Distribution::Uniform { min, max } => format!("uniform({min}, {max})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_values() {
        assert_eq!(Distribution::Fixed(5.6).central(), 5.6);
        assert_eq!(Distribution::Normal { mean: 0.07, sd: 0.03 }.central(), 0.07);
        assert_eq!(Distribution::LogNormal { median: 4.0, p95: 20.0 }.central(), 4.0);
        assert_eq!(Distribution::Triangular { min: 2.8, mode: 5.6, max: 8.0 }.central(), 5.6);
        assert_eq!(Distribution::Uniform { min: -1.5, max: -0.7 }.central(), -1.1);
        assert!(!Distribution::Fixed(1.0).is_random());
        assert!(Distribution::Uniform { min: -1.5, max: -0.7 }.is_random());
    }

    #[test]
    fn quantiles_invert_the_cdfs() {
        let lognormal = Distribution::LogNormal { median: 4.0, p95: 20.0 };
        assert!((lognormal.quantile(0.5) - 4.0).abs() < 1e-9);
        assert!((lognormal.quantile(0.95) - 20.0).abs() < 1e-6);
        let triangular = Distribution::Triangular { min: 2.8, mode: 5.6, max: 8.0 };
        assert!((triangular.quantile(2.8 / 5.2) - 5.6).abs() < 1e-12);
        let normal = Distribution::Normal { mean: 0.07, sd: 0.03 };
        assert!((normal.quantile(0.5) - 0.07).abs() < 1e-15);
        assert!((normal.quantile(0.975) - (0.07 + 1.959_963_984_540_054 * 0.03)).abs() < 1e-9);
    }

    #[test]
    fn truncation_keeps_draws_in_range_and_in_order() {
        let normal = Distribution::Normal { mean: 0.5, sd: 2.0 };
        let mut previous = 0.0;
        for i in 1..100 {
            let v = normal.quantile_within(i as f64 / 100.0, 1e-6, f64::INFINITY);
            assert!(v >= 1e-6 && v >= previous);
            previous = v;
        }
    }
}
