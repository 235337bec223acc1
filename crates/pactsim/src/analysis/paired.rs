//! Paired differences: two evaluations on common random numbers differ path by path, and the
//! standard error of the mean difference is that of those per-path differences. What the two
//! share (the exchange rate, the generated projects' draws, the credit draws) cancels path by path,
//! so the paired standard error is usually well below the one two independent runs would give,
//! `sqrt(se_a² + se_b²)`; a deal against itself differs by exactly 0 on every path.

use serde::Serialize;

use super::evaluate::PathValues;
use pactsim_montecarlo::stats::Stat;

/// The mean of `later − earlier` over the paths where both exist, and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub mean: f64,
    /// The sample standard deviation of the per-path differences over the square root of their
    /// number (0 for one path).
    pub se: f64,
    /// Share of paths on which both exist, for figures that may not exist on some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defined_share: Option<f64>,
}

/// `later − earlier` on each of `paths` paths; `None` when no path has both. `may_be_undefined`
/// asks for the share of paths where both exist.
pub(crate) fn paired(
    earlier: &PathValues,
    later: &PathValues,
    paths: u64,
    may_be_undefined: bool,
) -> Option<Difference> {
    let differences: Vec<Option<f64>> =
        (0..paths as usize).map(|path| Some(later.get(path)? - earlier.get(path)?)).collect();
    let stat = Stat::of_optional(&differences);
    Some(Difference {
        mean: stat.mean?,
        se: stat.mean_se?,
        defined_share: if may_be_undefined { stat.defined_share } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: &[f64]) -> PathValues {
        PathValues::of(v.iter().copied().map(Some).collect())
    }

    #[test]
    fn the_standard_error_is_that_of_the_per_path_differences() {
        // Differences 1, 2, 2, 5: mean 2.5, sample variance (2.25 + 0.25 + 0.25 + 6.25) / 3 = 3,
        // standard error sqrt(3) / sqrt(4).
        let (a, b) = (values(&[1.0, 2.0, 3.0, 4.0]), values(&[2.0, 4.0, 5.0, 9.0]));
        let d = paired(&a, &b, 4, false).unwrap();
        assert_eq!(d.mean, 2.5);
        assert!((d.se - 3f64.sqrt() / 2.0).abs() < 1e-15, "{d:?}");
        assert_eq!(d.defined_share, None);
        // Independent runs' standard error is larger: the paths share their ups and downs.
        let se = |v: &[f64]| Stat::of(v).mean_se.unwrap();
        let independent = (se(&[1.0, 2.0, 3.0, 4.0]).powi(2) + se(&[2.0, 4.0, 5.0, 9.0]).powi(2)).sqrt();
        assert!(d.se < independent, "{} vs {independent}", d.se);
    }

    #[test]
    fn a_run_against_itself_differs_by_exactly_zero() {
        let a = values(&[-3.25, 1e9, 0.1, 7.0]);
        assert_eq!(paired(&a, &a, 4, false), Some(Difference { mean: 0.0, se: 0.0, defined_share: None }));
    }

    #[test]
    fn only_paths_where_both_exist_count_and_one_value_stands_for_every_path() {
        let a = PathValues::of(vec![Some(1.0), None, Some(3.0), Some(5.0)]);
        let b = PathValues::of(vec![Some(2.0), Some(9.0), None, Some(7.0)]);
        let d = paired(&a, &b, 4, true).unwrap();
        assert_eq!((d.mean, d.defined_share), (1.5, Some(0.5)));
        // A deterministic deal reports one value; it is paired with every path of the other.
        let constant = PathValues::of(vec![Some(1.0)]);
        assert_eq!(paired(&constant, &values(&[1.0, 2.0, 3.0]), 3, false).unwrap().mean, 1.0);
        assert_eq!(paired(&PathValues::of(vec![None]), &a, 4, true), None);
    }
}
