//! Sobol' indices: how much of the variance of a figure's mean each input explains alone (first
//! order) and with everything it interacts with (total).
//!
//! The design is Saltelli's without second-order terms: two matrices A and B of N points each,
//! the first and last k coordinates of an Owen-scrambled Sobol' sequence in 2k dimensions
//! (`sobol_burley`), and for each input i the matrix AB_i, A with column i from B; N·(k+2)
//! evaluations in SALib's row order (for each base row: A, AB_1 … AB_k, B). Each evaluation is the
//! output's mean over the analysis's paths, on common random numbers, so the Monte Carlo noise of
//! one point is mostly shared with the others and the indices measure the inputs.
//!
//! The estimators are SALib's (`SALib.analyze.sobol.analyze` with `calc_second_order=False`), so
//! SALib on the design file reproduces the indices: the outputs are centred and scaled by their
//! mean and standard deviation over all rows; first order S_i = mean(B·(AB_i − A)) / Var (Saltelli
//! et al. 2010), total S_Ti = mean((A − AB_i)²) / (2 Var) (Jansen 1999), Var the variance of A and
//! B together. The intervals are bootstrap percentiles: base rows resampled with replacement
//! (seeded, so the same every time), the 2.5th and 97.5th percentiles of the indices over the
//! resamples.

use std::sync::atomic::AtomicBool;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::evaluate::evaluate;
use super::range::{Written, check_ranges};
use super::{Common, Crn, Figure, Header, Progress, Range, Stopped, chained, parse, uncancelled, uncertain_inputs};
use crate::Error;
use crate::spec::Override;

/// The largest N: `sobol_burley` gives 2^16 points of a sequence.
pub const MAX_N: u64 = 1 << 16;
/// The most inputs: A and B take 2k of the sequence's 256 dimensions.
pub const MAX_INPUTS: usize = 128;
/// Bootstrap resamples for the intervals.
pub const RESAMPLES: usize = 1000;
/// The percentiles a distribution of the file varies between when no range is given.
pub const DISTRIBUTION_PERCENTILES: [f64; 2] = [0.01, 0.99];

/// An input of a Sobol' analysis: a key with its range, or a distribution of the deal file by its
/// key (varied over its 1st to 99th percentile).
#[derive(Debug, Clone, PartialEq)]
pub enum SobolInput {
    Range(Range),
    Distribution(String),
}

/// Sobol' indices of a figure's mean over inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolRequest {
    pub deal: String,
    pub common: Common,
    /// `None`: `deal_npv`, or `investor_npv` for a deal without `[trade]`.
    pub output: Option<String>,
    /// `[]`: every distribution of the deal file.
    pub inputs: Vec<SobolInput>,
    /// Base rows: a power of two.
    pub n: u64,
}

/// An input with its range and how its values are written.
struct Input {
    range: Range,
    written: Written,
}

impl SobolRequest {
    /// Validates the deal, the output, N, and the deal with every input at each end of its range.
    pub fn prepare(&self) -> Result<PreparedSobol, Error> {
        let overrides = &self.common.overrides;
        let fits = crate::spec::FxFits::default();
        let (base, crn) = self.common.base(&self.deal, &fits)?;
        let output = Figure::output(self.output.as_deref(), &base)?;
        if !(2..=MAX_N).contains(&self.n) || !self.n.is_power_of_two() {
            return Err(Error::InvalidRequest {
                parameter: "n",
                message: format!(
                    "found {}, expected a power of two from 2 to {MAX_N} (Sobol' points are balanced in blocks of 2^m), such as 256",
                    self.n
                ),
            });
        }
        let distributions = uncertain_inputs(&base);
        let ranges: Vec<Range> = if self.inputs.is_empty() {
            distributions.iter().map(distribution_range).collect::<Result<_, _>>()?
        } else {
            let mut ranges = Vec::with_capacity(self.inputs.len());
            for input in &self.inputs {
                ranges.push(match input {
                    SobolInput::Range(range) => range.clone(),
                    SobolInput::Distribution(key) => match distributions.iter().find(|u| &u.key == key) {
                        Some(uncertain) => distribution_range(uncertain)?,
                        None => {
                            let keys: Vec<&str> = distributions.iter().map(|u| u.key.as_str()).collect();
                            let listed = if keys.is_empty() { "none".to_string() } else { keys.join(", ") };
                            return Err(Error::InvalidRequest {
                                parameter: "input",
                                message: format!(
                                    "{key} is not a distribution in the deal file (those are: {listed}); give its range as {key}=LO..HI"
                                ),
                            });
                        }
                    },
                });
            }
            ranges
        };
        if ranges.is_empty() {
            return Err(Error::InvalidRequest {
                parameter: "input",
                message: "the deal has no distributions to vary; give inputs with --input KEY=LO..HI".into(),
            });
        }
        if ranges.len() > MAX_INPUTS {
            return Err(Error::InvalidRequest {
                parameter: "input",
                message: format!("found {} inputs, expected at most {MAX_INPUTS}", ranges.len()),
            });
        }
        let forms = check_ranges(&self.deal, overrides, &ranges, "input", &fits)?;
        let inputs = ranges.into_iter().zip(forms).map(|(range, written)| Input { range, written }).collect();
        Ok(PreparedSobol {
            deal: self.deal.clone(),
            deal_id: base.id,
            overrides: overrides.clone(),
            crn,
            output,
            inputs,
            n: self.n,
            fits,
        })
    }
}

/// A distribution's 1st to 99th percentile.
fn distribution_range(uncertain: &super::Uncertain) -> Result<Range, Error> {
    let [low, high] = DISTRIBUTION_PERCENTILES.map(|p| uncertain.percentile(p));
    Range::new(uncertain.key.clone(), low, high, "input")
}

/// A Sobol' analysis whose inputs are valid at both ends.
pub struct PreparedSobol {
    deal: String,
    deal_id: String,
    overrides: Vec<Override>,
    crn: Crn,
    output: Figure,
    inputs: Vec<Input>,
    n: u64,
    fits: crate::spec::FxFits,
}

impl PreparedSobol {
    pub fn crn(&self) -> Crn {
        self.crn
    }

    /// N·(k+2).
    pub fn evaluations(&self) -> u64 {
        self.n * (self.inputs.len() as u64 + 2)
    }

    pub fn total_paths(&self) -> u64 {
        // Saturating: paths are the caller's number, and a total too large to count is only too large.
        self.evaluations().saturating_mul(self.crn.paths)
    }

    /// The seed of the design's scrambling, from the analysis's seed.
    fn scramble(&self) -> u32 {
        (self.crn.seed ^ (self.crn.seed >> 32)) as u32
    }

    /// Runs every design point and estimates the indices. Error: a point's deal is not valid (a
    /// combination of values that each end alone allows), or the output exists on no path of it.
    pub fn run(self, progress: Progress) -> Result<SobolResult, Error> {
        uncancelled(|cancel| self.run_cancellable(progress, cancel))
    }

    /// `run`, stopped between paths when `cancel` is set.
    pub fn run_cancellable(self, progress: Progress, cancel: &AtomicBool) -> Result<SobolResult, Stopped> {
        let k = self.inputs.len();
        let unit = design(self.n as usize, k, self.scramble());
        let mut rows = Vec::with_capacity(unit.len());
        let mut outputs = Vec::with_capacity(unit.len());
        for (index, point) in unit.iter().enumerate() {
            let (changes, values): (Vec<Override>, Vec<f64>) = self
                .inputs
                .iter()
                .zip(point)
                .map(|(input, &u)| input.written.set(&input.range, input.range.at(u)))
                .unzip();
            let what = || {
                format!(
                    "design row {} ({})",
                    index + 1,
                    changes.iter().map(Override::to_string).collect::<Vec<_>>().join(", ")
                )
            };
            let deal =
                parse(&self.deal, &chained(&self.overrides, changes.iter().cloned()), &self.fits, 0, Some(what()))?;
            let evaluation = evaluate(deal, self.crn, &[], index as u64 * self.crn.paths, progress, cancel)?;
            let mean = self.output.stat(&evaluation.result.summary).mean.ok_or_else(|| Error::InvalidRequest {
                parameter: "output",
                message: format!("`{}` exists on no path of {}; choose another figure", self.output.name(), what()),
            })?;
            rows.push(values);
            outputs.push(mean);
        }
        let estimates = indices(&outputs, self.n as usize, k);
        let intervals = bootstrap(&outputs, self.n as usize, k, RESAMPLES, self.crn.seed);
        let inputs = self
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| SobolIndex {
                key: input.range.key.clone(),
                low: input.range.low,
                high: input.range.high,
                first_order: estimates.first_order[i],
                first_order_ci: intervals.first_order[i],
                total: estimates.total[i],
                total_ci: intervals.total[i],
            })
            .collect();
        let evaluations = self.evaluations();
        let scramble_seed = self.scramble();
        let output = SobolOutput {
            header: Header::new("sobol", self.deal_id, self.crn, &self.overrides),
            output: self.output.name(),
            n: self.n,
            evaluations,
            resamples: RESAMPLES,
            scramble_seed,
            output_mean: mean(&outputs),
            output_sd: variance(&outputs).sqrt(),
            inputs,
        };
        Ok(SobolResult { output, design: Design { rows, outputs } })
    }
}

/// The document and the design it came from.
pub struct SobolResult {
    pub output: SobolOutput,
    pub design: Design,
}

/// Every evaluation in SALib's row order: the inputs' values and the output's mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// One value per input, in the inputs' order.
    pub rows: Vec<Vec<f64>>,
    pub outputs: Vec<f64>,
}

/// The `sobol` document (schema 1).
#[derive(Debug, Clone, Serialize)]
pub struct SobolOutput {
    #[serde(flatten)]
    pub header: Header,
    pub output: &'static str,
    pub n: u64,
    pub evaluations: u64,
    /// Bootstrap resamples behind the intervals.
    pub resamples: usize,
    /// The Owen scrambling's seed (from `seed`).
    pub scramble_seed: u32,
    /// Mean and standard deviation of the output's means over the design.
    pub output_mean: f64,
    pub output_sd: f64,
    pub inputs: Vec<SobolIndex>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SobolIndex {
    pub key: String,
    pub low: f64,
    pub high: f64,
    pub first_order: f64,
    pub first_order_ci: [f64; 2],
    pub total: f64,
    pub total_ci: [f64; 2],
}

/// The Saltelli design in the unit cube, in SALib's order: for each of `n` base rows, A, then
/// AB_1 … AB_k, then B (`n·(k+2)` points of `k` coordinates). A's coordinates are dimensions
/// 0..k of the scrambled sequence, B's k..2k.
pub fn design(n: usize, k: usize, scramble: u32) -> Vec<Vec<f64>> {
    assert!(n as u64 <= MAX_N && k <= MAX_INPUTS, "within sobol_burley's sequence");
    let coordinate =
        |row: usize, dimension: usize| f64::from(sobol_burley::sample(row as u32, dimension as u32, scramble));
    let mut points = Vec::with_capacity(n * (k + 2));
    for row in 0..n {
        let a: Vec<f64> = (0..k).map(|i| coordinate(row, i)).collect();
        let b: Vec<f64> = (0..k).map(|i| coordinate(row, k + i)).collect();
        points.push(a.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b);
    }
    points
}

/// First-order and total indices, one per input.
#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    pub first_order: Vec<f64>,
    pub total: Vec<f64>,
}

/// The indices from outputs in the design's order (`n·(k+2)` of them), as SALib computes them.
/// An output that does not vary explains nothing: every index is then 0.
pub fn indices(outputs: &[f64], n: usize, k: usize) -> Indices {
    let rows: Vec<usize> = (0..n).collect();
    estimate(&normalised(outputs), &rows, k)
}

/// The outputs centred on their mean and divided by their standard deviation (SALib normalises
/// so; the first-order estimator is not shift-invariant); all 0 if they do not vary.
fn normalised(outputs: &[f64]) -> Vec<f64> {
    let (m, sd) = (mean(outputs), variance(outputs).sqrt());
    outputs.iter().map(|y| if sd > 0.0 { (y - m) / sd } else { 0.0 }).collect()
}

/// The estimators over base rows `rows` (with repeats, for a bootstrap resample).
fn estimate(y: &[f64], rows: &[usize], k: usize) -> Indices {
    let step = k + 2;
    let a = |row: usize| y[row * step];
    let b = |row: usize| y[row * step + k + 1];
    let ab = |row: usize, i: usize| y[row * step + 1 + i];
    let both: Vec<f64> = rows.iter().flat_map(|&r| [a(r), b(r)]).collect();
    // As SALib 1.6: no index where A and B span no more than the machine epsilon, or their
    // variance is no larger.
    let span =
        both.iter().copied().fold(f64::NEG_INFINITY, f64::max) - both.iter().copied().fold(f64::INFINITY, f64::min);
    let var = if span > f64::EPSILON { variance(&both) } else { 0.0 };
    let count = rows.len() as f64;
    let ratio = |sum: f64| if var > f64::EPSILON { sum / count / var } else { 0.0 };
    let first_order = (0..k).map(|i| ratio(rows.iter().map(|&r| b(r) * (ab(r, i) - a(r))).sum())).collect();
    let total = (0..k).map(|i| 0.5 * ratio(rows.iter().map(|&r| (a(r) - ab(r, i)).powi(2)).sum())).collect();
    Indices { first_order, total }
}

/// 95% bootstrap percentile intervals of each index.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    pub first_order: Vec<[f64; 2]>,
    pub total: Vec<[f64; 2]>,
}

/// Resamples the base rows `resamples` times with replacement (ChaCha8 from `seed`) and takes the
/// 2.5th and 97.5th percentiles (type 7) of each index.
pub fn bootstrap(outputs: &[f64], n: usize, k: usize, resamples: usize, seed: u64) -> Intervals {
    let y = normalised(outputs);
    // A stream apart from every path's (those are keyed by purpose).
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5031_B0B5_7A11_5EED);
    let mut first: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut total: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut rows = vec![0; n];
    for _ in 0..resamples {
        rows.iter_mut().for_each(|r| *r = rng.random_range(0..n));
        let estimates = estimate(&y, &rows, k);
        for i in 0..k {
            first[i].push(estimates.first_order[i]);
            total[i].push(estimates.total[i]);
        }
    }
    let interval = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        [percentile(&values, 0.025), percentile(&values, 0.975)]
    };
    Intervals {
        first_order: first.into_iter().map(interval).collect(),
        total: total.into_iter().map(interval).collect(),
    }
}

/// Type-7 percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = p * (sorted.len() - 1) as f64;
    let (below, fraction) = (h.floor() as usize, h - h.floor());
    match sorted.get(below + 1) {
        Some(&above) => sorted[below] + fraction * (above - sorted[below]),
        None => sorted[below],
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The population variance (numpy's default, as SALib uses it).
fn variance(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami (a = 7, b = 0.1) on [−π, π]³: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424,
    /// 0.2437) analytically (models-and-oracles C-16).
    #[test]
    fn the_ishigami_function_s_indices_are_recovered() {
        let n = 1 << 14;
        let outputs: Vec<f64> = design(n, 3, 7)
            .iter()
            .map(|u| {
                let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
                x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
            })
            .collect();
        let got = indices(&outputs, n, 3);
        let (s1, st) = ([0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]);
        for i in 0..3 {
            assert!((got.first_order[i] - s1[i]).abs() < 0.01, "S1 {i}: {:?}", got.first_order);
            assert!((got.total[i] - st[i]).abs() < 0.01, "ST {i}: {:?}", got.total);
        }
        let ci = bootstrap(&outputs, n, 3, 200, 1);
        for i in 0..3 {
            let [lo, hi] = ci.first_order[i];
            assert!(lo <= got.first_order[i] + 0.01 && got.first_order[i] - 0.01 <= hi && hi - lo < 0.1, "{lo} {hi}");
        }
    }

    #[test]
    fn the_design_follows_salib_s_row_order() {
        let d = design(4, 2, 3);
        assert_eq!(d.len(), 4 * 4);
        for row in 0..4 {
            let (a, ab1, ab2, b) = (&d[row * 4], &d[row * 4 + 1], &d[row * 4 + 2], &d[row * 4 + 3]);
            assert_eq!((ab1[0], ab1[1]), (b[0], a[1]));
            assert_eq!((ab2[0], ab2[1]), (a[0], b[1]));
            assert!(a.iter().chain(b).all(|u| (0.0..1.0).contains(u)));
        }
        // Balanced: each coordinate's N points fall one in each of N equal intervals.
        let mut cells: Vec<usize> = (0..4).map(|row| (d[row * 4][0] * 4.0) as usize).collect();
        cells.sort();
        assert_eq!(cells, [0, 1, 2, 3]);
    }

    #[test]
    fn an_output_that_does_not_vary_has_zero_indices_and_no_nan() {
        let flat = indices(&[2.5; 4 * 5], 4, 3);
        assert_eq!(flat, Indices { first_order: vec![0.0; 3], total: vec![0.0; 3] });
        let ci = bootstrap(&[2.5; 4 * 5], 4, 3, 10, 1);
        assert!(ci.first_order.iter().chain(&ci.total).all(|[lo, hi]| *lo == 0.0 && *hi == 0.0));
    }
}
