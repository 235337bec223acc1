//! What a worker does for a run: the paths, then every file the API serves for it, rendered once
//! from the result and stored beside it. The result is the run output JSON exactly as
//! `pactsim run --json` prints it (pretty, with its final newline).

use std::sync::atomic::Ordering;

use pactsim::output::{charts, html, tables, xlsx};
use pactsim::spec::Override;

use crate::pool::{Finished, Live, Stopped, Work};
use crate::store::StoredFile;

/// The prefix of a run's stored chart files (`charts/NAME.svg`).
pub const CHART_PREFIX: &str = "charts/";

/// The job of a run whose request was validated into `prepared`.
pub fn run(id: String, prepared: pactsim::PreparedRun, source: String, overrides: Vec<Override>) -> Work {
    Box::new(move |live: &Live| {
        let progress = |done: u64| live.done.store(done, Ordering::Relaxed);
        let report = prepared
            .run_for_report_cancellable(&source, &overrides, &progress, &live.cancel)
            .map_err(|_| Stopped::Cancelled)?;
        render(&id, &report).map_err(Stopped::Failed)
    })
}

/// The run's result text and files.
fn render(id: &str, report: &pactsim::report::ReportRun) -> Result<Finished, String> {
    let document = &report.result.output;
    let json = serde_json::to_string_pretty(document).map_err(|e| format!("serialising the run output: {e}"))?;
    let mut files = Vec::new();
    let csv = tables::run_csv_files(document).map_err(|e| format!("writing the tables: {e}"))?;
    for (name, body) in csv {
        files.push(StoredFile { name, content_type: "text/csv; charset=utf-8", title: None, body });
    }
    let workbook = xlsx::workbook(document).map_err(|e| format!("writing the workbook: {e}"))?;
    files.push(StoredFile {
        name: "tables.xlsx".into(),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        title: None,
        body: workbook,
    });
    let file = format!("run {id}");
    let deal = report.report_deal(&file);
    let page = html::report_html(&[deal]).map_err(|e| format!("the report: {e}"))?;
    files.push(StoredFile {
        name: "report.html".into(),
        content_type: "text/html; charset=utf-8",
        title: None,
        body: page.into_bytes(),
    });
    for chart in html::deal_charts(&deal) {
        let svg = charts::svg(&chart.chart, charts::BASE_SIZE).map_err(|e| e.to_string())?;
        files.push(StoredFile {
            name: format!("{CHART_PREFIX}{}.svg", chart.name),
            content_type: "image/svg+xml",
            title: Some(chart.chart.title.clone()),
            body: svg.into_bytes(),
        });
    }
    Ok(Finished { result: format!("{json}\n"), files })
}
