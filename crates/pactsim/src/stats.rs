//! Summaries across paths: mean and quantiles, over the paths where a figure exists.
//!
//! Quantiles use linear interpolation between order statistics (Hyndman and Fan's type 7, the
//! default of numpy, R and Excel's PERCENTILE.INC), so they are reproducible by hand.

/// Mean and quantiles of a figure across paths; all `None` where it exists on no path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    /// Share of paths on which the figure exists; `None` for figures that always exist.
    pub defined_share: Option<f64>,
}

impl Stat {
    /// A figure that exists on every path.
    pub fn of(values: &[f64]) -> Stat {
        let mut stat = summarise(values.iter().copied().filter(|v| v.is_finite()).collect());
        stat.defined_share = None;
        stat
    }

    /// A figure that may not exist on some paths (`None`, or not finite).
    pub fn of_optional(values: &[Option<f64>]) -> Stat {
        let defined: Vec<f64> = values
            .iter()
            .filter_map(|v| *v)
            .filter(|v| v.is_finite())
            .collect();
        let share = if values.is_empty() {
            0.0
        } else {
            defined.len() as f64 / values.len() as f64
        };
        let mut stat = summarise(defined);
        stat.defined_share = Some(share);
        stat
    }
}

fn summarise(mut values: Vec<f64>) -> Stat {
    if values.is_empty() {
        return Stat {
            mean: None,
            p5: None,
            p50: None,
            p95: None,
            defined_share: None,
        };
    }
    // −0.0 (the sum of nothing) would print as "-0.0".
    for v in &mut values {
        *v += 0.0;
    }
    values.sort_by(f64::total_cmp);
    // Summed in ascending order, so the result does not depend on the order paths finished.
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    Stat {
        mean: Some(mean),
        p5: Some(quantile(&values, 0.05)),
        p50: Some(quantile(&values, 0.50)),
        p95: Some(quantile(&values, 0.95)),
        defined_share: None,
    }
}

/// Type-7 quantile of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_gives_four_equal_numbers() {
        let s = Stat::of(&[3.5]);
        assert_eq!(
            (s.mean, s.p5, s.p50, s.p95),
            (Some(3.5), Some(3.5), Some(3.5), Some(3.5))
        );
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let s = Stat::of(&[10.0, 1.0, 3.0, 2.0, 4.0]);
        assert!((s.p5.unwrap() - 1.2).abs() < 1e-12);
        assert_eq!(s.p50, Some(3.0));
        assert!((s.p95.unwrap() - 8.8).abs() < 1e-12);
        assert_eq!(s.mean, Some(4.0));
    }

    #[test]
    fn undefined_paths_are_left_out_and_counted() {
        let s = Stat::of_optional(&[Some(1.0), None, Some(3.0), None]);
        assert_eq!(s.defined_share, Some(0.5));
        assert_eq!(s.mean, Some(2.0));
        let none = Stat::of_optional(&[None]);
        assert_eq!((none.mean, none.defined_share), (None, Some(0.0)));
    }
}
