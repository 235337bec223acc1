//! Summaries across paths: mean, its Monte Carlo standard error, and quantiles, over the paths
//! where a figure exists.
//!
//! An `Accumulator` takes one figure path by path and merges with others in path order, so the
//! result is the same bits whatever the thread count (chunks of paths are merged in chunk order).
//! Quantiles are exact up to `EXACT_PATHS` values: linear interpolation between order statistics
//! (Hyndman and Fan's type 7, the default of numpy, R and Excel's PERCENTILE.INC). Beyond that the
//! values go into a DDSketch (Masson, Rim and Lee 2019) with 0.1% relative accuracy, so memory stays
//! flat in the number of paths; sketch quantiles are clamped to the exact minimum and maximum.

use sketches_ddsketch::{Config, DDSketch};

/// Up to this many values per figure, quantiles are exact.
pub const EXACT_PATHS: usize = 10_000;
/// Relative accuracy of quantiles beyond `EXACT_PATHS`.
pub const SKETCH_ACCURACY: f64 = 0.001;

/// Mean and quantiles of a figure across paths; all `None` where it exists on no path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub mean: Option<f64>,
    /// Monte Carlo standard error of the mean: sample standard deviation over √n (0 for one path
    /// or identical paths).
    pub mean_se: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    /// Share of paths on which the figure exists; `None` for figures that always exist.
    pub defined_share: Option<f64>,
}

impl Stat {
    /// A figure that exists on every path.
    pub fn of(values: &[f64]) -> Stat {
        let mut accumulator = Accumulator::default();
        for v in values {
            accumulator.push(Some(*v));
        }
        accumulator.stat(false)
    }

    /// A figure that may not exist on some paths (`None`, or not finite).
    pub fn of_optional(values: &[Option<f64>]) -> Stat {
        let mut accumulator = Accumulator::default();
        for v in values {
            accumulator.push(*v);
        }
        accumulator.stat(true)
    }
}

/// One figure over paths, in path order.
#[derive(Clone, Default)]
pub struct Accumulator {
    paths: u64,
    count: u64,
    mean: f64,
    /// Sum of squared deviations from the mean (Welford; merged by Chan, Golub and LeVeque).
    m2: f64,
    min: f64,
    max: f64,
    exact: Vec<f64>,
    sketch: Option<Box<DDSketch>>,
}

impl Accumulator {
    /// Records one path's value; `None` (or a non-finite value) where the figure does not exist.
    pub fn push(&mut self, value: Option<f64>) {
        self.paths += 1;
        let Some(v) = value.filter(|v| v.is_finite()) else { return };
        // −0.0 (the sum of nothing) would print as "-0.0".
        let v = v + 0.0;
        self.count += 1;
        let delta = v - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (v - self.mean);
        if self.count == 1 {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        match &mut self.sketch {
            Some(sketch) => sketch.add(v),
            None => {
                self.exact.push(v);
                if self.exact.len() > EXACT_PATHS {
                    self.spill();
                }
            }
        }
    }

    /// Appends the paths of `later`, which come after this accumulator's paths.
    pub fn merge(&mut self, later: &Accumulator) {
        self.paths += later.paths;
        if later.count == 0 {
            return;
        }
        if self.count == 0 {
            let paths = self.paths;
            *self = later.clone();
            self.paths = paths;
            return;
        }
        let (n_a, n_b) = (self.count as f64, later.count as f64);
        let n = n_a + n_b;
        let delta = later.mean - self.mean;
        self.mean += delta * n_b / n;
        self.m2 += later.m2 + delta * delta * n_a * n_b / n;
        self.count += later.count;
        self.min = self.min.min(later.min);
        self.max = self.max.max(later.max);
        if self.sketch.is_none() && later.sketch.is_none() && self.exact.len() + later.exact.len() <= EXACT_PATHS {
            self.exact.extend_from_slice(&later.exact);
            return;
        }
        self.spill();
        let sketch = self.sketch.as_mut().expect("spilled");
        match &later.sketch {
            Some(other) => sketch.merge(other).expect("sketches share one configuration"),
            None => later.exact.iter().for_each(|v| sketch.add(*v)),
        }
    }

    /// Moves the exact values into a sketch.
    fn spill(&mut self) {
        if self.sketch.is_some() {
            return;
        }
        let mut sketch = DDSketch::new(Config::new(SKETCH_ACCURACY, 32_768, 1e-12));
        for v in self.exact.drain(..) {
            sketch.add(v);
        }
        self.exact.shrink_to_fit();
        self.sketch = Some(Box::new(sketch));
    }

    pub fn paths(&self) -> u64 {
        self.paths
    }

    /// The Stat; `may_be_undefined` adds `defined_share`.
    pub fn stat(&self, may_be_undefined: bool) -> Stat {
        let defined_share =
            may_be_undefined.then(|| if self.paths == 0 { 0.0 } else { self.count as f64 / self.paths as f64 });
        if self.count == 0 {
            return Stat { mean: None, mean_se: None, p5: None, p50: None, p95: None, defined_share };
        }
        let mean_se = if self.count < 2 || self.min == self.max {
            0.0
        } else {
            (self.m2 / (self.count - 1) as f64).max(0.0).sqrt() / (self.count as f64).sqrt()
        };
        // Identical values are reported exactly, whatever their number.
        let mean = if self.min == self.max { self.min } else { self.mean.clamp(self.min, self.max) };
        let [p5, p50, p95] = self.quantiles([0.05, 0.50, 0.95]);
        Stat { mean: Some(mean), mean_se: Some(mean_se), p5: Some(p5), p50: Some(p50), p95: Some(p95), defined_share }
    }

    fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [f64; N] {
        if self.min == self.max {
            return [self.min; N];
        }
        match &self.sketch {
            Some(sketch) => {
                qs.map(|q| sketch.quantile(q).ok().flatten().unwrap_or(self.mean).clamp(self.min, self.max))
            }
            None => {
                // One sort serves every quantile. `total_cmp` tells apart only bitwise-different
                // values, so an unstable sort gives the same sequence as a stable one.
                let mut sorted = self.exact.clone();
                sorted.sort_unstable_by(f64::total_cmp);
                qs.map(|q| quantile(&sorted, q))
            }
        }
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
        assert_eq!((s.mean, s.p5, s.p50, s.p95), (Some(3.5), Some(3.5), Some(3.5), Some(3.5)));
        assert_eq!(s.mean_se, Some(0.0));
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let s = Stat::of(&[10.0, 1.0, 3.0, 2.0, 4.0]);
        assert!((s.p5.unwrap() - 1.2).abs() < 1e-12);
        assert_eq!(s.p50, Some(3.0));
        assert!((s.p95.unwrap() - 8.8).abs() < 1e-12);
        assert!((s.mean.unwrap() - 4.0).abs() < 1e-15);
        // Sample sd of [1, 2, 3, 4, 10] is sqrt(12.5); over sqrt(5).
        assert!((s.mean_se.unwrap() - (12.5f64 / 5.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn undefined_paths_are_left_out_and_counted() {
        let s = Stat::of_optional(&[Some(1.0), None, Some(3.0), None]);
        assert_eq!(s.defined_share, Some(0.5));
        assert_eq!(s.mean, Some(2.0));
        let none = Stat::of_optional(&[None]);
        assert_eq!((none.mean, none.defined_share), (None, Some(0.0)));
    }

    fn values(n: usize) -> Vec<f64> {
        // A deterministic, skewed, sign-changing sequence.
        (0..n).map(|i| ((i as f64 * 0.618_033_988_75).fract() - 0.3) * (1.0 + (i % 7) as f64)).collect()
    }

    #[test]
    fn merging_chunks_in_order_equals_pushing_one_by_one() {
        let data = values(1000);
        let mut whole = Accumulator::default();
        data.iter().for_each(|v| whole.push(Some(*v)));
        let mut merged = Accumulator::default();
        for chunk in data.chunks(64) {
            let mut part = Accumulator::default();
            chunk.iter().for_each(|v| part.push(Some(*v)));
            merged.merge(&part);
        }
        let (a, b) = (whole.stat(false), merged.stat(false));
        assert_eq!((a.p5, a.p50, a.p95), (b.p5, b.p50, b.p95));
        assert!((a.mean.unwrap() - b.mean.unwrap()).abs() < 1e-14);
        assert!((a.mean_se.unwrap() - b.mean_se.unwrap()).abs() < 1e-14);
    }

    #[test]
    fn beyond_the_exact_limit_quantiles_stay_within_the_sketch_accuracy() {
        let data = values(EXACT_PATHS * 3);
        let mut accumulator = Accumulator::default();
        for chunk in data.chunks(256) {
            let mut part = Accumulator::default();
            chunk.iter().for_each(|v| part.push(Some(*v)));
            accumulator.merge(&part);
        }
        assert!(accumulator.sketch.is_some());
        let mut sorted = data.clone();
        sorted.sort_by(f64::total_cmp);
        let stat = accumulator.stat(false);
        for (q, got) in [(0.05, stat.p5), (0.5, stat.p50), (0.95, stat.p95)] {
            let exact = quantile(&sorted, q);
            let got = got.unwrap();
            // Rank error of at most one value plus the sketch's relative error.
            let neighbours = (quantile(&sorted, q - 1.0 / data.len() as f64) - exact).abs()
                + (quantile(&sorted, q + 1.0 / data.len() as f64) - exact).abs();
            assert!(
                (got - exact).abs() <= SKETCH_ACCURACY * exact.abs() + neighbours + 1e-12,
                "q {q}: {got} vs {exact}"
            );
        }
    }
}
