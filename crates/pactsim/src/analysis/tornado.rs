//! The tornado: one input at a time held at a low and then a high value on every path, everything
//! else as in the base run, and how far a figure's mean moves; inputs sorted by that swing.
//!
//! By default every distribution in the deal file is an input, held at its 10th and 90th
//! percentile; a range (`KEY=LO..HI`) adds an input, or replaces the distribution of that key.
//! All runs share the base run's paths, so the swing's standard error is paired.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::evaluate::evaluate;
use super::range::check_ranges;
use super::{
    Common, Crn, Figure, Header, Progress, Range, Stopped, chained, number_text, paired, parse, uncancelled,
    uncertain_inputs,
};
use crate::Error;
use crate::spec::Override;
use pactsim_model::deal::Deal;

/// The percentiles a distribution is held at.
pub const LOW_PERCENTILE: f64 = 0.10;
pub const HIGH_PERCENTILE: f64 = 0.90;

/// A tornado over a deal's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRequest {
    pub deal: String,
    pub common: Common,
    /// A figure of the run output's totals; `None`: `deal_npv`, or `investor_npv` for a deal
    /// without `[trade]`.
    pub output: Option<String>,
    /// Inputs besides the deal's distributions (one of the same key replaces it).
    pub ranges: Vec<Range>,
}

/// One input, resolved: its key and the deal at each end.
struct Input {
    key: String,
    source: InputSource,
    low: (f64, Deal),
    high: (f64, Deal),
}

impl TornadoRequest {
    /// Validates the deal, the output, and the deal with every input at each end.
    pub fn prepare(&self) -> Result<PreparedTornado, Error> {
        let overrides = &self.common.overrides;
        let fits = crate::spec::FxFits::default();
        let (base, crn) = self.common.base(&self.deal, &fits)?;
        let output = Figure::output(self.output.as_deref(), &base)?;
        let at =
            |change: Override, what: String| parse(&self.deal, &chained(overrides, [change]), &fits, 0, Some(what));
        let mut inputs = Vec::new();
        for uncertain in uncertain_inputs(&base) {
            if self.ranges.iter().any(|r| r.key == uncertain.key) {
                continue;
            }
            let end = |p: f64| -> Result<(f64, Deal), Error> {
                let value = uncertain.percentile(p);
                let change = Override::set(uncertain.key.clone(), number_text(value));
                Ok((value, at(change, format!("{} at its {:.0}th percentile", uncertain.key, p * 100.0))?))
            };
            inputs.push(Input {
                key: uncertain.key.clone(),
                source: InputSource::Distribution(uncertain.distribution.describe()),
                low: end(LOW_PERCENTILE)?,
                high: end(HIGH_PERCENTILE)?,
            });
        }
        let forms = check_ranges(&self.deal, overrides, &self.ranges, "range", &fits)?;
        for (range, form) in self.ranges.iter().zip(forms) {
            let end = |value: f64| -> Result<(f64, Deal), Error> {
                let (change, value) = form.set(range, value);
                Ok((value, at(change, format!("--range {} at {value}", range.text()))?))
            };
            inputs.push(Input {
                key: range.key.clone(),
                source: InputSource::Range,
                low: end(range.low)?,
                high: end(range.high)?,
            });
        }
        if inputs.is_empty() {
            return Err(Error::InvalidRequest {
                parameter: "range",
                message: "the deal has no distributions to vary; give inputs with --range KEY=LO..HI".into(),
            });
        }
        Ok(PreparedTornado { base, crn, output, inputs, overrides: overrides.clone() })
    }
}

/// Where an input's low and high values come from.
#[derive(Debug, Clone, PartialEq)]
enum InputSource {
    /// A distribution of the file, described as the file writes it.
    Distribution(String),
    Range,
}

/// A tornado whose deals are valid.
pub struct PreparedTornado {
    base: Deal,
    crn: Crn,
    output: Figure,
    inputs: Vec<Input>,
    overrides: Vec<Override>,
}

impl PreparedTornado {
    pub fn crn(&self) -> Crn {
        self.crn
    }

    /// The base run and two runs an input.
    pub fn evaluations(&self) -> u64 {
        1 + 2 * self.inputs.len() as u64
    }

    pub fn total_paths(&self) -> u64 {
        // Saturating: paths are the caller's number, and a total too large to count is only too large.
        self.evaluations().saturating_mul(self.crn.paths)
    }

    /// Runs the base, then each input's low and high, on the same paths. Error: the output exists
    /// on no path of one of the runs.
    pub fn run(self, progress: Progress) -> Result<TornadoOutput, Error> {
        uncancelled(|cancel| self.run_cancellable(progress, cancel))
    }

    /// `run`, stopped between paths when `cancel` is set.
    pub fn run_cancellable(self, progress: Progress, cancel: &AtomicBool) -> Result<TornadoOutput, Stopped> {
        let (crn, output) = (self.crn, self.output);
        let figures = [output];
        let deal_id = self.base.id.clone();
        let mut done = 0;
        let mut run = |deal: Deal, what: &str| -> Result<(Mean, super::evaluate::PathValues), Stopped> {
            let evaluation = evaluate(deal, crn, &figures, done * crn.paths, progress, cancel)?;
            done += 1;
            let stat = output.stat(&evaluation.result.summary);
            let (Some(mean), Some(se)) = (stat.mean, stat.mean_se) else {
                return Err(Stopped::Refused(Error::InvalidRequest {
                    parameter: "output",
                    message: format!("`{}` exists on no path {what}; choose another figure", output.name()),
                }));
            };
            Ok((Mean { mean, se }, evaluation.paths.into_iter().next().expect("one figure")))
        };
        let (base, _) = run(self.base, "of the base run")?;
        let mut inputs = Vec::with_capacity(self.inputs.len());
        for input in self.inputs {
            let ((low, low_paths), (high, high_paths)) = (
                run(input.low.1, &format!("with {} at {}", input.key, input.low.0))?,
                run(input.high.1, &format!("with {} at {}", input.key, input.high.0))?,
            );
            let swing_se = paired(&low_paths, &high_paths, crn.paths, output.may_be_undefined()).map(|d| d.se);
            let (source, distribution) = match input.source {
                InputSource::Distribution(d) => ("distribution", Some(d)),
                InputSource::Range => ("range", None),
            };
            inputs.push(TornadoInput {
                key: input.key,
                source,
                distribution,
                low: End { value: input.low.0, mean: low.mean, se: low.se },
                high: End { value: input.high.0, mean: high.mean, se: high.se },
                swing: (high.mean - low.mean).abs(),
                swing_se,
            });
        }
        // Largest swing first; equal swings keep the inputs' order.
        inputs.sort_by(|a, b| b.swing.total_cmp(&a.swing));
        Ok(TornadoOutput {
            header: Header::new("tornado", deal_id, crn, &self.overrides),
            output: output.name(),
            percentiles: [LOW_PERCENTILE, HIGH_PERCENTILE],
            base,
            inputs,
        })
    }
}

/// A mean and its Monte Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mean {
    pub mean: f64,
    pub se: f64,
}

/// The `tornado` document (schema 1).
#[derive(Debug, Clone, Serialize)]
pub struct TornadoOutput {
    #[serde(flatten)]
    pub header: Header,
    pub output: &'static str,
    /// The percentiles each distribution is held at.
    pub percentiles: [f64; 2],
    /// The base run's mean of the output: the run output's `totals[output].mean`.
    pub base: Mean,
    /// Largest swing first.
    pub inputs: Vec<TornadoInput>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TornadoInput {
    pub key: String,
    /// `distribution` (the file's, held at its percentiles) or `range` (given).
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    pub low: End,
    pub high: End,
    /// `|high.mean − low.mean|`.
    pub swing: f64,
    /// The standard error of `high.mean − low.mean` from the per-path differences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swing_se: Option<f64>,
}

/// An input at one end: the value it was held at, and the output's mean there.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct End {
    pub value: f64,
    pub mean: f64,
    pub se: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Paths, RunRequest};

    const MOU: &str = include_str!("../../../../deals/kr-us-2025-mou.toml");

    #[test]
    fn the_base_is_the_run_and_inputs_are_sorted_by_swing() {
        let range = Range::parse("run.discount_rate.investor=0.03..0.07", "range").unwrap();
        let request = TornadoRequest {
            deal: MOU.into(),
            common: Common { seed: Some(3), paths: Some(128), overrides: Vec::new() },
            output: None,
            ranges: vec![range],
        };
        let prepared = request.prepare().unwrap();
        assert_eq!(prepared.evaluations(), 1 + 2 * 10, "nine distributions and one range");
        let output = prepared.run(&|_| {}).unwrap();
        let run = RunRequest { seed: Some(3), paths: Paths::Fixed(128), ..RunRequest::new(MOU) }.run().unwrap();
        assert_eq!(output.output, "deal_npv");
        assert_eq!(Some(output.base.mean), run.output.totals.deal_npv.unwrap().mean);
        assert!(output.inputs.windows(2).all(|w| w[0].swing >= w[1].swing));
        let rate = output.inputs.iter().find(|i| i.key == "run.discount_rate.investor").unwrap();
        assert_eq!((rate.source, rate.low.value, rate.high.value), ("range", 0.03, 0.07));
        assert!(rate.low.mean > rate.high.mean, "a higher discount rate lowers the NPV");
    }

    #[test]
    fn bad_outputs_and_keys_are_refused_before_anything_runs() {
        let request = |output: Option<&str>, range: &str| TornadoRequest {
            deal: MOU.into(),
            common: Common { seed: None, paths: Some(16), overrides: Vec::new() },
            output: output.map(String::from),
            ranges: vec![Range::parse(range, "range").unwrap()],
        };
        match request(Some("deal_npvv"), "fx.outflow_impact=0..1").prepare() {
            Err(Error::InvalidRequest { parameter: "output", message }) => {
                assert!(message.contains("did you mean `deal_npv`?") && message.contains("investor_irr"), "{message}")
            }
            other => panic!("{:?}", other.err()),
        }
        match request(None, "fx.outflow_impactt=0..1").prepare() {
            Err(Error::InvalidAnalysisDeal { deal: 0, change: Some(change), diagnostics }) => {
                assert!(change.contains("--range fx.outflow_impactt=0..1"), "{change}");
                assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean `fx.outflow_impact`?"));
            }
            other => panic!("{:?}", other.err()),
        }
    }
}
