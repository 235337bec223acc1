//! `pactsim run [FILE] [--json] [--out DIR [--format csv|xlsx|parquet]] [--set KEY=VALUE]
//! [--unset KEY]`: run a deal and report it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::output::{RunOutput, parquet, tables, text, xlsx};
use pactsim::spec::Override;

use super::analysis::How;
use crate::diagnostics::read_deal;
use crate::{Failure, RunFlags, TableFormat};

pub fn run(
    file: Option<&Path>,
    overrides: &[Override],
    json: bool,
    out: Option<&Path>,
    format: TableFormat,
    runs: RunFlags,
    how: How,
) -> Result<(), Failure> {
    let (origin, source) = match (how, file) {
        (How::Here, _) => read_deal(file)?,
        (How::Sweep(_), Some(file)) => {
            let deal = how.read(file)?;
            (deal.origin, deal.text)
        }
        (How::Sweep(_), None) => {
            eprintln!("error: a sweep of a run needs the deal file");
            return Err(Failure::BadInput);
        }
    };
    if let Some(dir) = out
        && dir.exists()
        && !dir.is_dir()
    {
        eprintln!("error: --out {}: exists and is not a folder", dir.display());
        return Err(Failure::BadInput);
    }
    let prepared = runs.prepare(&origin, source.clone(), overrides)?;
    let result = match how {
        How::Here => runs.execute(prepared, json)?,
        How::Sweep(step) => {
            if prepared.fixed_paths().is_none() || runs.keep_paths.is_some() {
                eprintln!("error: a sweep of a run needs --paths N (not auto) and takes no --keep-paths");
                return Err(Failure::BadInput);
            }
            let refuse = |error| crate::diagnostics::report_error(&origin, &source, error);
            match step.execute(prepared, runs.progress, refuse)? {
                Some(result) => result,
                None => return Ok(()),
            }
        }
    };
    let pactsim::RunResult { deal, output: document, .. } = result;
    let text = serde_json::to_string_pretty(&document).context("serialising the run output")?;

    let mut written = Vec::new();
    if let Some(dir) = out {
        written = write_outputs(dir, &text, &document, format)
            .with_context(|| format!("writing results to {}", dir.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{text}").context("writing to standard output")?;
    } else {
        write!(stdout, "{}", text::run_summary(&deal, &document)).context("writing to standard output")?;
        if let Some(dir) = out {
            writeln!(stdout, "\nWrote {} to {}", written.join(", "), dir.display())
                .context("writing to standard output")?;
        }
    }
    Ok(())
}

/// Writes summary.json and the tables in `format`, under temporary names, then renames them into
/// place, so an interrupted run never leaves a file that looks complete. Returns the files' names.
fn write_outputs(dir: &Path, json: &str, document: &RunOutput, format: TableFormat) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut files = vec![("summary.json".to_string(), format!("{json}\n").into_bytes())];
    match format {
        TableFormat::Csv => files.extend(tables::run_csv_files(document)?),
        TableFormat::Xlsx => files.push(("tables.xlsx".to_string(), xlsx::workbook(document)?)),
        TableFormat::Parquet => files.extend(parquet::run_parquet_files(document)?),
    }
    let names = files.iter().map(|(name, _)| name.clone()).collect();
    let placed: Vec<(PathBuf, Vec<u8>)> = files.into_iter().map(|(name, bytes)| (dir.join(name), bytes)).collect();
    crate::files::write_all(&placed)?;
    Ok(names)
}
