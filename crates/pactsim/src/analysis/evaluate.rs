//! One evaluation of an analysis: a deal run as `pactsim run` runs it, with the per-path values of
//! the figures the analysis needs kept in path order.

use std::sync::atomic::AtomicBool;

use pactsim_model::deal::Deal;
use pactsim_montecarlo::Cancelled;

use super::{Crn, Figure, Progress};
use crate::request::{PreparedRun, RunResult};

/// A figure's value on every path of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct PathValues {
    /// In path order; one value when nothing in the deal is random (it stands for every path).
    values: Vec<Option<f64>>,
}

impl PathValues {
    /// The value on `path` (`None` where the figure does not exist on it).
    pub fn get(&self, path: usize) -> Option<f64> {
        match self.values.as_slice() {
            [only] => *only,
            values => values[path],
        }
    }

    #[cfg(test)]
    pub fn of(values: Vec<Option<f64>>) -> Self {
        PathValues { values }
    }
}

/// What one evaluation gives: the run, and for each figure asked for its value on every path.
pub struct Evaluation {
    pub result: RunResult,
    pub paths: Vec<PathValues>,
}

/// The request `pactsim run FILE --seed S --paths N` with these overrides makes, for a deal
/// already validated with them.
pub fn prepared(deal: Deal, crn: Crn) -> PreparedRun {
    PreparedRun::from_parts(deal, crn.seed, crn.paths)
}

/// Runs `deal` on the analysis's paths, keeping the values of `figures` (each must exist in the
/// deal), reporting progress as `before` plus the paths done; stopped when `cancel` is set.
pub fn evaluate(
    deal: Deal,
    crn: Crn,
    figures: &[Figure],
    before: u64,
    progress: Progress,
    cancel: &AtomicBool,
) -> Result<Evaluation, Cancelled> {
    let layout = pactsim_montecarlo::Layout::of(&deal);
    let indices: Vec<usize> = figures.iter().map(|f| f.index(&layout)).collect();
    let mut columns: Vec<Vec<Option<f64>>> = vec![Vec::new(); figures.len()];
    let mut keep = |_path: u64, values: &[Option<f64>]| {
        for (column, &index) in columns.iter_mut().zip(&indices) {
            column.push(values[index]);
        }
    };
    let report = |done: u64| progress(before + done);
    let keep = if figures.is_empty() { None } else { Some(&mut keep as pactsim_montecarlo::PathSink) };
    let result = prepared(deal, crn).run_cancellable(&report, keep, cancel)?;
    let paths = columns.into_iter().map(|values| PathValues { values }).collect();
    Ok(Evaluation { result, paths })
}
