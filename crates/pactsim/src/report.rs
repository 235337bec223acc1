//! A run together with what its HTML report needs besides the run output: the paths' cumulative
//! figures (kept while the paths run), the SHA-256 of the deal's text and the provenance of its
//! tables. `pactsim report` and the server's report routes both build their pages from this.

use std::sync::atomic::AtomicBool;

use pactsim_model::spec::{Override, Provenance, provenance};
use pactsim_montecarlo::Cancelled;
use pactsim_report::html::{self, ReportDeal};
use pactsim_report::paths::{KeptFigures, PathFigures};

use crate::{PreparedRun, RunResult};

/// A finished run and what its report shows beyond the run output.
#[derive(Debug, Clone)]
pub struct ReportRun {
    pub result: RunResult,
    pub paths: PathFigures,
    /// SHA-256 of the deal's text, in hex.
    pub sha256: String,
    pub provenance: Vec<Provenance>,
}

impl ReportRun {
    /// The run as the report draws it, the deal's text named `file`.
    pub fn report_deal<'a>(&'a self, file: &'a str) -> ReportDeal<'a> {
        ReportDeal {
            file,
            sha256: &self.sha256,
            deal: &self.result.deal,
            output: &self.result.output,
            paths: &self.paths,
            provenance: &self.provenance,
        }
    }
}

impl PreparedRun {
    /// Runs the paths as `run` does (the same run output, to the byte), keeping the figures the
    /// report's charts need. `source` and `overrides` are the request's, for the provenance.
    pub fn run_for_report(self, source: &str, overrides: &[Override], progress: &(dyn Fn(u64) + Sync)) -> ReportRun {
        let never = AtomicBool::new(false);
        self.run_for_report_cancellable(source, overrides, progress, &never)
            .expect("nothing sets the flag, so nothing cancels")
    }

    /// `run_for_report`, stopped when `cancel` becomes true (see `run_cancellable`).
    pub fn run_for_report_cancellable(
        self,
        source: &str,
        overrides: &[Override],
        progress: &(dyn Fn(u64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<ReportRun, Cancelled> {
        let mut kept = KeptFigures::new(self.deal());
        let result = {
            let mut sink = |path: u64, figures: &[Option<f64>]| kept.push(path, figures);
            self.run_cancellable(progress, Some(&mut sink), cancel)?
        };
        Ok(ReportRun {
            result,
            paths: kept.finish(),
            sha256: html::sha256_hex(source),
            provenance: provenance(source, overrides),
        })
    }
}
