//! What `compare`, `sensitivity` and `frontier` share on the command line: the flags every
//! analysis takes, the progress bar over all its runs, reading its deal files, writing its files
//! without leaving half-written ones, and number formats for its tables.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use pactsim::analysis::{Common, Evaluations};
use pactsim::spec::Override;

use crate::Failure;
use crate::diagnostics::read_deal;
use crate::progress::{ProgressChoice, with_bar};

/// How many paths each run of an analysis takes, from which seed.
#[derive(Debug, Clone, clap::Args)]
pub struct AnalysisFlags {
    /// Monte Carlo paths of every run (default: the deal's [run] paths)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    paths: Option<u64>,
    /// Seed of every run: all runs share their random numbers (default: the deal's [run] seed)
    #[arg(long)]
    seed: Option<u64>,
    /// Show a progress bar even when the output goes to a pipe
    #[arg(long)]
    progress: bool,
}

impl AnalysisFlags {
    /// The library's settings: these flags and the common overrides.
    pub fn common(&self, overrides: &[Override]) -> Common {
        Common { seed: self.seed, paths: self.paths, overrides: overrides.to_vec() }
    }

    /// Runs `run` with a progress bar over `total` paths (all the analysis's runs).
    pub fn with_bar<T>(&self, json: bool, total: u64, run: impl FnOnce(&(dyn Fn(u64) + Sync)) -> T) -> T {
        with_bar(ProgressChoice { forced: self.progress, json }, Some(total), run)
    }
}

/// A deal file read for an analysis: the name its messages use and its text.
pub struct DealText {
    pub origin: String,
    pub text: String,
}

impl DealText {
    pub fn read(path: &Path) -> Result<DealText, Failure> {
        let (origin, text) = read_deal(Some(path))?;
        Ok(DealText { origin, text })
    }
}

/// Where an analysis's evaluations run: all here, one after the other, or as a step of a sweep
/// (`pactsim sweep`), which reads the deal files from its manifest.
#[derive(Clone, Copy)]
pub enum How<'a> {
    Here,
    Sweep(&'a super::sweep::Step),
}

impl How<'_> {
    /// Reads a deal file the analysis names.
    pub fn read(self, path: &Path) -> Result<DealText, Failure> {
        match self {
            How::Here => DealText::read(path),
            How::Sweep(step) => step.read(path),
        }
    }

    /// Runs the analysis with a progress bar, or does this step of its sweep: the document when
    /// there is one to print or write (here, and when a sweep merges).
    pub fn execute<A: Evaluations>(
        self,
        prepared: A,
        runs: &AnalysisFlags,
        json: bool,
        refuse: impl Fn(pactsim::Error) -> Failure,
    ) -> Result<Option<A::Output>, Failure> {
        match self {
            How::Here => {
                let total = prepared.evaluations() * prepared.crn().paths;
                runs.with_bar(json, total, |progress| prepared.run_all(progress)).map(Some).map_err(refuse)
            }
            How::Sweep(step) => step.execute(prepared, runs.progress, refuse),
        }
    }
}

/// Reports a refused analysis against its deals (in the library's order).
pub fn refused(deals: &[&DealText], error: pactsim::Error) -> Failure {
    let named: Vec<(&str, &str)> = deals.iter().map(|d| (d.origin.as_str(), d.text.as_str())).collect();
    crate::diagnostics::report_analysis_error(&named, error)
}

/// Refuses `--out DIR` when DIR exists and is not a folder.
pub fn check_out_dir(dir: Option<&Path>) -> Result<(), Failure> {
    if let Some(dir) = dir
        && dir.exists()
        && !dir.is_dir()
    {
        eprintln!("error: --out {}: exists and is not a folder", dir.display());
        return Err(Failure::BadInput);
    }
    Ok(())
}

/// Refuses a file to write whose folder does not exist, before anything runs.
pub fn check_out_file(flag: &str, file: Option<&Path>) -> Result<(), Failure> {
    if let Some(file) = file {
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !folder.is_dir() || file.is_dir() {
            eprintln!("error: {flag} {}: expected a file in an existing folder", file.display());
            return Err(Failure::BadInput);
        }
    }
    Ok(())
}

/// Prints a document as pretty JSON on standard output.
pub fn print_json(document: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(document).context("serialising the analysis")?;
    print_text(&format!("{text}\n"))
}

pub fn print_text(text: &str) -> Result<(), Failure> {
    std::io::stdout().lock().write_all(text.as_bytes()).context("writing to standard output")?;
    Ok(())
}

/// A number in a table: two decimals, or a dash where there is none.
pub fn number(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.2}"))
}

/// A share as a percentage with one decimal.
pub fn percent(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// Thousands separated by commas (10000 → 10,000).
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// The common overrides in a heading, or nothing.
pub fn overrides_note(overrides: &[String]) -> String {
    if overrides.is_empty() { String::new() } else { format!("; overrides: {}", overrides.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(number(Some(-42.426)), "-42.43");
        assert_eq!(percent(Some(0.3712)), "37.1%");
        assert_eq!(number(None), "-");
    }
}
