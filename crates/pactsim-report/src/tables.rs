//! The run output as tables that spreadsheets and data frames read: `years.csv` (one row per year,
//! every year figure as mean, p5, p50, p95), `projects.csv` (every listed project's dated flows),
//! and `months.csv` (the exchange rate, reserves and the ARA ratio at each month's end) where the
//! deal has a currency. Bytes, not files: writing them is the caller's job.

use crate::{RunOutput, StatJson};

/// Every table of a run, by file name, in the order they are listed to users.
pub fn run_tables(document: &RunOutput) -> Result<Vec<(&'static str, Vec<u8>)>, csv::Error> {
    let mut tables = vec![("years.csv", years_csv(document)?), ("projects.csv", projects_csv(document)?)];
    if has_months(document) {
        tables.push(("months.csv", months_csv(document)?));
    }
    Ok(tables)
}

fn years_csv(document: &RunOutput) -> Result<Vec<u8>, csv::Error> {
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
    finish(writer)
}

pub fn has_months(document: &RunOutput) -> bool {
    document.fx.is_some() || document.reserves.is_some()
}

/// One row per month: the rate (with `[fx]`), reserves and the ARA ratio (with `[reserves]` and
/// its `ara` inputs) at the month's end, each as mean, p5, p50, p95.
fn months_csv(document: &RunOutput) -> Result<Vec<u8>, csv::Error> {
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
    finish(writer)
}

fn stat_cells(stat: StatJson) -> [String; 4] {
    [stat.mean, stat.p5, stat.p50, stat.p95].map(|v| v.map(|v| v.to_string()).unwrap_or_default())
}

fn projects_csv(document: &RunOutput) -> Result<Vec<u8>, csv::Error> {
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
    finish(writer)
}

/// The bytes written. A writer into memory cannot fail to flush; the error is kept for form.
fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer.into_inner().map_err(|error| csv::Error::from(error.into_error()))
}
