//! Uncertain inputs as the deal file writes them: a plain number, or one of four distributions.
//!
//! Until the Monte Carlo runner lands, runs use each distribution's central value (normal: mean;
//! lognormal: median; triangular: mode; uniform: midpoint).

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
            Distribution::Normal { sd, mean } if sd == 0.0 => (mean, mean),
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
            Distribution::Triangular { min, max, .. } | Distribution::Uniform { min, max } => {
                (min, max)
            }
        }
    }

    pub fn is_random(&self) -> bool {
        let (low, high) = self.support();
        low != high
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
        assert_eq!(
            Distribution::Normal {
                mean: 0.07,
                sd: 0.03
            }
            .central(),
            0.07
        );
        assert_eq!(
            Distribution::LogNormal {
                median: 4.0,
                p95: 20.0
            }
            .central(),
            4.0
        );
        assert_eq!(
            Distribution::Triangular {
                min: 2.8,
                mode: 5.6,
                max: 8.0
            }
            .central(),
            5.6
        );
        assert_eq!(
            Distribution::Uniform {
                min: -1.5,
                max: -0.7
            }
            .central(),
            -1.1
        );
        assert!(!Distribution::Fixed(1.0).is_random());
        assert!(
            Distribution::Uniform {
                min: -1.5,
                max: -0.7
            }
            .is_random()
        );
    }
}
