//! `pactsim report FILE [FILE …] -o report.html [--charts DIR]`: one self-contained HTML page
//! with each deal's headline figures, charts, sources and assumptions (several files: side by
//! side), and each chart as SVG and PNG at a slide's size when asked.
//!
//! Every file is read and validated, with its overrides, before any runs: a bad one stops the
//! command with nothing written (exit 2). Each run keeps its paths' yearly figures long enough to
//! take the quantiles of cumulative figures (`pactsim::output::paths`). Files are written under
//! temporary names and renamed into place.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::output::charts;
use pactsim::output::html::{self, ReportDeal};
use pactsim::report::ReportRun;
use pactsim::spec::Override;

use crate::diagnostics::read_deal;
use crate::{Failure, RunFlags, progress};

/// One deal file, read and validated.
struct Prepared {
    origin: String,
    source: String,
    run: pactsim::PreparedRun,
}

pub fn report(
    files: &[PathBuf],
    overrides: &[Override],
    output: &Path,
    charts_dir: Option<&Path>,
    runs: RunFlags,
) -> Result<(), Failure> {
    if runs.keep_paths.is_some() {
        eprintln!("error: --keep-paths is for `pactsim run`; `pactsim report` keeps what its charts need");
        return Err(Failure::BadInput);
    }
    if output.is_dir() {
        eprintln!("error: -o {}: is a folder; name the HTML file to write", output.display());
        return Err(Failure::BadInput);
    }
    if let Some(dir) = charts_dir
        && dir.exists()
        && !dir.is_dir()
    {
        eprintln!("error: --charts {}: exists and is not a folder", dir.display());
        return Err(Failure::BadInput);
    }
    let mut prepared = Vec::with_capacity(files.len());
    let mut failed = false;
    for file in files {
        let (origin, source) = read_deal(Some(file))?;
        match runs.prepare(&origin, source.clone(), overrides) {
            Ok(run) => prepared.push(Prepared { origin, source, run }),
            Err(Failure::BadInput) => failed = true,
            Err(other) => return Err(other),
        }
    }
    if failed {
        return Err(Failure::BadInput);
    }
    let mut ids: Vec<&str> = prepared.iter().map(|p| p.run.deal().id.as_str()).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
        eprintln!("error: the deal `{}` is named twice; a report shows each deal once", pair[0]);
        return Err(Failure::BadInput);
    }

    let mut results: Vec<(String, ReportRun)> = Vec::with_capacity(prepared.len());
    for one in prepared {
        let choice = progress::ProgressChoice { forced: runs.progress, json: false };
        let length = one.run.fixed_paths();
        let run = one.run;
        let report =
            progress::with_bar(choice, length, |progress| run.run_for_report(&one.source, overrides, progress));
        results.push((one.origin, report));
    }
    let deals: Vec<ReportDeal<'_>> = results.iter().map(|(origin, report)| report.report_deal(origin)).collect();

    let page = html::report_html(&deals).context("drawing the report's charts")?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(output.to_path_buf(), page.into_bytes())];
    if let Some(dir) = charts_dir {
        let mut named = html::comparison_charts(&deals);
        for d in &deals {
            named.extend(html::deal_charts(d));
        }
        for chart in named {
            let svg = charts::svg(&chart.chart, charts::SLIDE_SIZE).context("drawing a chart")?;
            let png = charts::png(&chart.chart, charts::SLIDE_SIZE).context("drawing a chart")?;
            files.push((dir.join(format!("{}.svg", chart.name)), svg.into_bytes()));
            files.push((dir.join(format!("{}.png", chart.name)), png));
        }
    }
    write_all(&files, charts_dir).with_context(|| format!("writing {}", output.display()))?;
    eprintln!(
        "Wrote {}{}",
        output.display(),
        charts_dir.map_or(String::new(), |dir| format!(" and {} chart files to {}", files.len() - 1, dir.display()))
    );
    Ok(())
}

/// Creates `dir` when given, then writes every file (see `files::write_all`).
fn write_all(files: &[(PathBuf, Vec<u8>)], dir: Option<&Path>) -> anyhow::Result<()> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::files::write_all(files)
}
