//! `pactsim run [FILE] [--json] [--out DIR] [--set KEY=VALUE] [--unset KEY]`: run a deal and
//! report it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::output::{RunOutput, StatJson};
use pactsim::spec::Override;

use crate::diagnostics::read_deal;
use crate::summary;
use crate::{Failure, RunFlags};

pub fn run(
    file: Option<&Path>,
    overrides: &[Override],
    json: bool,
    out: Option<&Path>,
    runs: RunFlags,
) -> Result<(), Failure> {
    let (origin, source) = read_deal(file)?;
    if let Some(dir) = out
        && dir.exists()
        && !dir.is_dir()
    {
        eprintln!("error: --out {}: exists and is not a folder", dir.display());
        return Err(Failure::BadInput);
    }
    let pactsim::RunResult { deal, output: document, .. } =
        runs.execute(runs.prepare(&origin, source, overrides)?, json)?;
    let text = serde_json::to_string_pretty(&document).context("serialising the run output")?;

    if let Some(dir) = out {
        write_outputs(dir, &text, &document).with_context(|| format!("writing results to {}", dir.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{text}").context("writing to standard output")?;
    } else {
        write!(stdout, "{}", summary::render(&deal, &document)).context("writing to standard output")?;
        if let Some(dir) = out {
            let months = if has_months(&document) { ", months.csv" } else { "" };
            writeln!(stdout, "\nWrote summary.json, years.csv, projects.csv{months} to {}", dir.display())
                .context("writing to standard output")?;
        }
    }
    Ok(())
}

/// Writes the files under temporary names, then renames them into place, so an interrupted run
/// never leaves a file that looks complete.
fn write_outputs(dir: &Path, json: &str, document: &RunOutput) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut files = vec![
        ("summary.json", format!("{json}\n").into_bytes()),
        ("years.csv", years_csv(document)?),
        ("projects.csv", projects_csv(document)?),
    ];
    if has_months(document) {
        files.push(("months.csv", months_csv(document)?));
    }
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (name, bytes) in &files {
        let temporary = dir.join(format!(".{name}.partial"));
        std::fs::write(&temporary, bytes).with_context(|| format!("writing {}", temporary.display()))?;
        staged.push((temporary, dir.join(name)));
    }
    for (temporary, target) in staged {
        std::fs::rename(&temporary, &target).with_context(|| format!("renaming into {}", target.display()))?;
    }
    Ok(())
}

fn years_csv(document: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Every year has the same figures: the columns are the first year's.
    let figures: Vec<&str> = document.years.first().map(|y| y.figures.keys().copied().collect()).unwrap_or_default();
    let mut header = vec!["year".to_string()];
    for figure in &figures {
        header.extend(["mean", "p5", "p50", "p95"].map(|part| format!("{figure}_{part}")));
    }
    writer.write_record(&header)?;
    for year in &document.years {
        let mut record = vec![year.year.to_string()];
        for stat in year.figures.values() {
            record.extend(stat_cells(*stat));
        }
        writer.write_record(&record)?;
    }
    Ok(writer.into_inner()?)
}

fn has_months(document: &RunOutput) -> bool {
    document.fx.is_some() || document.reserves.is_some()
}

/// One row per month: the rate (with `[fx]`), reserves and the ARA ratio (with `[reserves]` and
/// its `ara` inputs) at the month's end, each as mean, p5, p50, p95.
fn months_csv(document: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let fx = document.fx.as_ref().map(|fx| &fx.months);
    let reserves = document.reserves.as_ref().map(|r| &r.months);
    let with_ratio = reserves.is_some_and(|months| months.iter().all(|m| m.ara_ratio.is_some()));
    let mut figures: Vec<&str> = Vec::new();
    if fx.is_some() {
        figures.push("rate");
    }
    if reserves.is_some() {
        figures.push("reserves_usd_bn");
    }
    if with_ratio {
        figures.push("ara_ratio");
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["month".to_string()];
    for figure in &figures {
        header.extend(["mean", "p5", "p50", "p95"].map(|part| format!("{figure}_{part}")));
    }
    writer.write_record(&header)?;
    let count = fx.map_or(0, Vec::len).max(reserves.map_or(0, Vec::len));
    for i in 0..count {
        let month = fx.map(|m| m[i].month.clone()).or_else(|| reserves.map(|m| m[i].month.clone()));
        let mut record = vec![month.unwrap_or_default()];
        if let Some(months) = fx {
            record.extend(stat_cells(months[i].rate));
        }
        if let Some(months) = reserves {
            record.extend(stat_cells(months[i].reserves_usd_bn));
            if with_ratio {
                record.extend(stat_cells(months[i].ara_ratio.expect("checked above")));
            }
        }
        writer.write_record(&record)?;
    }
    Ok(writer.into_inner()?)
}

fn stat_cells(stat: StatJson) -> [String; 4] {
    [stat.mean, stat.p5, stat.p50, stat.p95].map(|v| v.map(|v| v.to_string()).unwrap_or_default())
}

fn projects_csv(document: &RunOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "project",
        "facility",
        "date",
        "cash",
        "debt_service",
        "debt_service_investor",
        "debt_service_lenders",
        "guarantee_fee",
        "guarantee_call",
        "host_tax",
        "investor",
        "host",
        "loss",
    ])?;
    for project in &document.projects {
        for flow in &project.flows {
            let numbers = [
                flow.cash,
                flow.debt_service,
                flow.debt_service_investor,
                flow.debt_service_lenders,
                flow.guarantee_fee,
                flow.guarantee_call,
                flow.host_tax,
                flow.investor,
                flow.host,
                flow.loss,
            ];
            let mut record = vec![project.id.clone(), project.facility.clone(), flow.date.clone()];
            record.extend(numbers.iter().map(|n| n.to_string()));
            writer.write_record(&record)?;
        }
    }
    Ok(writer.into_inner()?)
}
