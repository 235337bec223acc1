//! A run as a request: which deal, with which overrides, how many paths from which seed; and what
//! comes back. The command line, a server, Python and sweep workers all ask through this, so the
//! rules that turn a request into a run (the seed and paths a deal's `[run]` gives by default, when
//! `auto` stops, what the convergence record says) are written once.

use std::sync::atomic::AtomicBool;

use pactsim_model::deal::Deal;
use pactsim_model::spec;
use pactsim_montecarlo::{self as montecarlo, Cancelled, Convergence, PathSink, Summary, Total};
use pactsim_report::{self as report, ConvergenceJson, RunOutput};

use crate::Error;

/// How many paths a run takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paths {
    /// The deal's `[run] paths`.
    FromDeal,
    /// Exactly this many (at least 1).
    Fixed(u64),
    /// Batches of paths until the standard error of the headline mean (`deal_npv` with a
    /// `[trade]` section, else `investor_npv`) is at most `tolerance` of its absolute value, or
    /// `max_paths` are done.
    Auto { tolerance: f64, max_paths: u64 },
}

/// Everything that decides a run's numbers besides the program's version.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    /// The deal file's text.
    pub deal: String,
    /// Applied to the deal's text before validation, in order (../shared/contracts/overrides.md).
    pub overrides: Vec<spec::Override>,
    /// The seed of the random streams; `None`: the deal's `[run] seed`.
    pub seed: Option<u64>,
    pub paths: Paths,
}

impl RunRequest {
    /// A request for the deal's own `[run]` paths and seed.
    pub fn new(deal: impl Into<String>) -> Self {
        RunRequest { deal: deal.into(), overrides: Vec::new(), seed: None, paths: Paths::FromDeal }
    }

    /// Validates the deal and the request, resolving the seed and paths the deal gives by default.
    pub fn prepare(&self) -> Result<PreparedRun, Error> {
        match self.paths {
            Paths::Fixed(0) => {
                return Err(Error::InvalidRequest { parameter: "paths", message: "expected at least 1 path".into() });
            }
            Paths::Auto { tolerance, .. } if !(tolerance.is_finite() && tolerance > 0.0) => {
                return Err(Error::InvalidRequest {
                    parameter: "tolerance",
                    message: format!("found {tolerance}, expected a share above 0, such as 0.01"),
                });
            }
            Paths::Auto { max_paths: 0, .. } => {
                return Err(Error::InvalidRequest {
                    parameter: "max_paths",
                    message: "expected at least 1 path".into(),
                });
            }
            _ => {}
        }
        let mut deal = spec::parse_deal_with(&self.deal, &self.overrides).map_err(Error::InvalidDeal)?;
        // A default the request replaced was not applied: the output must not say it was.
        let replaced = |field: &str| match field {
            "run.seed" => self.seed.is_some(),
            "run.paths" => self.paths != Paths::FromDeal,
            _ => false,
        };
        deal.defaults_applied.retain(|default| !default.split_once(" = ").is_some_and(|(field, _)| replaced(field)));
        let seed = self.seed.unwrap_or(deal.run.seed);
        let length = match self.paths {
            Paths::FromDeal => Length::Fixed(deal.run.paths),
            Paths::Fixed(paths) => Length::Fixed(paths),
            Paths::Auto { tolerance, max_paths } => Length::Auto(Convergence { tolerance, max_paths }),
        };
        Ok(PreparedRun { deal, seed, length })
    }

    /// Prepares and runs the request in one call, with no progress report and no kept paths.
    pub fn run(&self) -> Result<RunResult, Error> {
        Ok(self.prepare()?.run(&|_| {}, None))
    }
}

/// A request whose deal is valid, with its seed and paths resolved: it can only run.
#[derive(Debug, Clone)]
pub struct PreparedRun {
    deal: Deal,
    seed: u64,
    length: Length,
}

/// The paths a prepared run takes, the deal's default resolved.
#[derive(Debug, Clone, Copy)]
enum Length {
    Fixed(u64),
    Auto(Convergence),
}

impl PreparedRun {
    /// A run of `paths` paths from `seed` of a deal validated with its request's overrides.
    pub(crate) fn from_parts(deal: Deal, seed: u64, paths: u64) -> Self {
        PreparedRun { deal, seed, length: Length::Fixed(paths) }
    }

    pub fn deal(&self) -> &Deal {
        &self.deal
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of paths the run takes, when it is known before it runs (not with `auto`).
    pub fn fixed_paths(&self) -> Option<u64> {
        match self.length {
            Length::Fixed(paths) => Some(paths),
            Length::Auto(_) => None,
        }
    }

    /// Runs the paths, calling `progress` with the number done so far and handing each path's
    /// figures to `keep` in path order.
    pub fn run(self, progress: &(dyn Fn(u64) + Sync), keep: Option<PathSink>) -> RunResult {
        let never = AtomicBool::new(false);
        self.run_cancellable(progress, keep, &never).expect("nothing sets the flag, so nothing cancels")
    }

    /// `run`, stopped when `cancel` becomes true (another thread sets it: a Python interpreter on
    /// Ctrl-C, a server whose client left): then it returns `Cancelled` within about one path's
    /// time a thread, and `keep` has had only the paths of whole waves. A run that is not
    /// cancelled gives what `run` gives, to the byte.
    pub fn run_cancellable(
        self,
        progress: &(dyn Fn(u64) + Sync),
        keep: Option<PathSink>,
        cancel: &AtomicBool,
    ) -> Result<RunResult, Cancelled> {
        let (summary, convergence) = match self.length {
            Length::Fixed(paths) => {
                (montecarlo::simulate_cancellable(&self.deal, paths, self.seed, progress, keep, cancel)?, None)
            }
            Length::Auto(rule) => {
                let (summary, converged) =
                    montecarlo::simulate_to_tolerance_cancellable(&self.deal, self.seed, rule, progress, keep, cancel)?;
                let figure = match converged.figure {
                    Total::DealNpv => "deal_npv",
                    _ => "investor_npv",
                };
                let record = ConvergenceJson {
                    figure,
                    tolerance: rule.tolerance,
                    max_paths: rule.max_paths,
                    relative_se: converged.relative_se,
                    reached: converged.reached,
                };
                (summary, Some(record))
            }
        };
        let mut output = report::run_output(&self.deal, &summary, crate::VERSION);
        output.convergence = convergence;
        Ok(RunResult { deal: self.deal, summary, output })
    }
}

/// A run of a fixed number of paths as evaluations: its chunks of `montecarlo::CHUNK` paths, each
/// evaluated into the record the in-order merge reads, and assembled by merging them in order,
/// so a run split over machines gives the `RunResult` of running it here, to the bit. A run of
/// `auto` paths has none (its length is known only as it runs).
impl crate::analysis::Evaluations for PreparedRun {
    type Evaluated = montecarlo::stats::ChunkRecord;
    type Output = RunResult;

    fn evaluations(&self) -> u64 {
        self.fixed_paths().map_or(0, |paths| montecarlo::chunk_count(&self.deal, paths))
    }

    fn crn(&self) -> crate::analysis::Crn {
        crate::analysis::Crn { seed: self.seed, paths: self.fixed_paths().unwrap_or(0) }
    }

    fn evaluate(
        &self,
        index: u64,
        progress: crate::analysis::Progress,
        _cancel: &AtomicBool,
    ) -> Result<Self::Evaluated, crate::analysis::Stopped> {
        let mut records = self.evaluate_range(index..index + 1, progress)?;
        Ok(records.pop().expect("one chunk"))
    }

    fn evaluate_range(
        &self,
        range: std::ops::Range<u64>,
        _progress: crate::analysis::Progress,
    ) -> Result<Vec<Self::Evaluated>, Error> {
        let paths = self.fixed_paths().unwrap_or(0);
        Ok(montecarlo::Runner::new(&self.deal, self.seed).chunk_records(paths, range))
    }

    fn assemble(self, records: Vec<Self::Evaluated>) -> Result<RunResult, Error> {
        let expected = self.evaluations();
        let figures = montecarlo::Layout::of(&self.deal).len();
        if expected == 0 || records.len() as u64 != expected || records.iter().any(|r| r.figures.len() != figures) {
            return Err(Error::InvalidRequest {
                parameter: "evaluations",
                message: format!("found {} chunk records, expected {expected} of this run", records.len()),
            });
        }
        let paths = self.fixed_paths().unwrap_or(0);
        let mut runner = montecarlo::Runner::new(&self.deal, self.seed);
        runner.merge_records(&records);
        let summary = runner.summary(paths);
        let output = report::run_output(&self.deal, &summary, crate::VERSION);
        Ok(RunResult { deal: self.deal, summary, output })
    }
}

/// What a run produced: the deal as validated, the statistics across paths, and the run output
/// document (schema 1) built from them.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub deal: Deal,
    pub summary: Summary,
    pub output: RunOutput,
}

#[cfg(test)]
mod tests {
    use super::*;

    const US_ASK: &str = include_str!("../../../deals/kr-us-2025-us-ask.toml");

    #[test]
    fn the_deal_gives_seed_and_paths_unless_the_request_does() {
        let prepared = RunRequest::new(US_ASK).prepare().unwrap();
        assert_eq!(prepared.seed(), prepared.deal().run.seed);
        assert_eq!(prepared.fixed_paths(), Some(prepared.deal().run.paths));

        let defaults = &prepared.deal().defaults_applied;
        assert!(defaults.iter().any(|d| d.starts_with("run.seed = ")), "the US ask has no seed: {defaults:?}");

        let request = RunRequest { seed: Some(3), paths: Paths::Fixed(256), ..RunRequest::new(US_ASK) };
        let result = request.run().unwrap();
        assert_eq!((result.output.seed, result.output.paths), (3, 256));
        let defaults = &result.output.defaults_applied;
        assert!(!defaults.iter().any(|d| d.starts_with("run.seed") || d.starts_with("run.paths")), "{defaults:?}");
        assert!(result.output.convergence.is_none());
    }

    #[test]
    fn the_same_request_gives_the_same_output() {
        let request = RunRequest { seed: Some(11), paths: Paths::Fixed(300), ..RunRequest::new(US_ASK) };
        let text = |result: RunResult| serde_json::to_string(&result.output).unwrap();
        assert_eq!(text(request.run().unwrap()), text(request.run().unwrap()));
    }

    #[test]
    fn an_auto_run_records_what_it_stopped_on() {
        let request = RunRequest {
            seed: Some(5),
            paths: Paths::Auto { tolerance: 1e-9, max_paths: 1024 },
            ..RunRequest::new(US_ASK)
        };
        let output = request.run().unwrap().output;
        let convergence = output.convergence.expect("an auto run says how it stopped");
        assert_eq!(output.paths, 1024, "a tolerance this tight is not met: the run stops at max_paths");
        assert!(!convergence.reached);
        assert_eq!(convergence.figure, "deal_npv");
    }

    #[test]
    fn overrides_are_applied_and_recorded() {
        let cap = spec::Override::set("facility.directed.annual_cap_usd_bn", "25");
        let request = RunRequest { overrides: vec![cap], paths: Paths::Fixed(128), ..RunRequest::new(US_ASK) };
        let result = request.run().unwrap();
        assert_eq!(result.output.overrides, ["facility.directed.annual_cap_usd_bn=25"]);
        let directed = result.deal.facilities.iter().find(|f| f.id == "directed").unwrap();
        assert_eq!(directed.annual_cap_usd_bn, Some(25.0));
        let misspelt = spec::Override::set("facility.directed.anual_cap_usd_bn", "25");
        let bad = RunRequest { overrides: vec![misspelt], ..RunRequest::new(US_ASK) };
        assert!(matches!(bad.prepare(), Err(Error::InvalidDeal(_))));
    }

    #[test]
    fn a_run_cancelled_before_it_starts_returns_cancelled_and_one_left_alone_runs() {
        let request = RunRequest { seed: Some(2), paths: Paths::Fixed(300), ..RunRequest::new(US_ASK) };
        let cancelled = AtomicBool::new(true);
        let result = request.prepare().unwrap().run_cancellable(&|_| {}, None, &cancelled);
        assert!(matches!(result, Err(Cancelled)));
        let never = AtomicBool::new(false);
        let result = request.prepare().unwrap().run_cancellable(&|_| {}, None, &never).unwrap();
        let text = |output: &RunOutput| serde_json::to_string(output).unwrap();
        assert_eq!(text(&result.output), text(&request.run().unwrap().output));
    }

    #[test]
    fn bad_requests_and_bad_deals_are_errors_not_panics() {
        let zero = RunRequest { paths: Paths::Fixed(0), ..RunRequest::new(US_ASK) };
        assert!(matches!(zero.prepare(), Err(Error::InvalidRequest { parameter: "paths", .. })));
        for tolerance in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let auto = RunRequest { paths: Paths::Auto { tolerance, max_paths: 10 }, ..RunRequest::new(US_ASK) };
            assert!(matches!(auto.prepare(), Err(Error::InvalidRequest { parameter: "tolerance", .. })));
        }
        let misspelt = RunRequest::new(US_ASK.replace("commitment_usd_bn", "comitment_usd_bn"));
        match misspelt.prepare() {
            Err(Error::InvalidDeal(diagnostics)) => {
                assert!(diagnostics.iter().any(|d| d.hint.as_deref() == Some("did you mean `commitment_usd_bn`?")))
            }
            other => panic!("expected the deal's diagnostics, got {other:?}"),
        }
    }
}
