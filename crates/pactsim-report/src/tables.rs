//! The run output as tables that spreadsheets and data frames read, built once (`run_tables`) and
//! written in three formats: CSV here, one workbook (`xlsx`), one Parquet file a table (`parquet`).
//!
//! - `totals`: one row per total (`figure, mean, p5, p50, p95, defined_share`); a number that is
//!   not a distribution (`recouped_share`, `snapback_share`) has its value as `mean` only.
//! - `years`: one row per calendar year, every year figure as mean, p5, p50, p95.
//! - `facilities`: one row per facility, its commitment and each of its Stats.
//! - `projects`: every listed project's dated flows (the central path).
//! - `months`: the exchange rate, reserves and the ARA ratio at each month's end, where the deal
//!   has a currency.
//! - `trade`: where the deal has a `[trade]` section, long form: `scenario, source, figure, mean,
//!   p5, p50, p95`, with `market` as the source of market-wide figures.
//!
//! Bytes, not files: writing them is the caller's job.

use crate::{RunOutput, StatJson};

/// What a column holds; every cell of the column is of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Whole numbers (a year).
    Integer,
    /// Numbers, empty where the figure does not exist.
    Number,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Number(Option<f64>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// One table: its name (the file's stem, the sheet's name), typed columns, rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(name: &'static str, columns: impl IntoIterator<Item = (String, Kind)>) -> Self {
        let columns = columns.into_iter().map(|(name, kind)| Column { name, kind }).collect();
        Table { name, columns, rows: Vec::new() }
    }

    /// Appends a row; its cells must match the columns one to one (a bug otherwise).
    fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "table {}: one cell a column", self.name);
        self.rows.push(row);
    }
}

const STAT_PARTS: [&str; 4] = ["mean", "p5", "p50", "p95"];

fn stat_columns(figure: &str) -> impl Iterator<Item = (String, Kind)> + '_ {
    STAT_PARTS.iter().map(move |part| (format!("{figure}_{part}"), Kind::Number))
}

fn stat_cells(stat: StatJson) -> [Cell; 4] {
    [stat.mean, stat.p5, stat.p50, stat.p95].map(Cell::Number)
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_string())
}

fn number(value: f64) -> Cell {
    Cell::Number(Some(value))
}

/// Every table of a run, in the order they are listed to users; `months` and `trade` only where
/// the deal has them.
pub fn run_tables(document: &RunOutput) -> Vec<Table> {
    let mut tables =
        vec![totals_table(document), years_table(document), facilities_table(document), projects_table(document)];
    if has_months(document) {
        tables.push(months_table(document));
    }
    if document.trade.is_some() {
        tables.push(trade_table(document));
    }
    tables
}

/// Every table of a run as CSV, by file name, in the order of `run_tables`.
pub fn run_csv_files(document: &RunOutput) -> Result<Vec<(String, Vec<u8>)>, csv::Error> {
    run_tables(document).iter().map(|table| Ok((format!("{}.csv", table.name), csv_bytes(table)?))).collect()
}

/// A table as CSV: a header of column names, then one record a row; numbers as Rust's shortest
/// round-trip decimals, an empty cell where a figure does not exist.
pub fn csv_bytes(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(table.columns.iter().map(|c| c.name.as_str()))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Text(text) => text.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Number(value) => value.map(|v| v.to_string()).unwrap_or_default(),
        }))?;
    }
    // A writer into memory cannot fail to flush; the error is kept for form.
    writer.into_inner().map_err(|error| csv::Error::from(error.into_error()))
}

fn totals_table(document: &RunOutput) -> Table {
    let mut table = Table::new(
        "totals",
        [("figure".to_string(), Kind::Text)]
            .into_iter()
            .chain(STAT_PARTS.iter().map(|p| (p.to_string(), Kind::Number)))
            .chain([("defined_share".to_string(), Kind::Number)]),
    );
    let t = &document.totals;
    let mut stats: Vec<(&str, StatJson)> = vec![
        ("investor_paid", t.investor_paid),
        ("investor_received", t.investor_received),
        ("investor_npv", t.investor_npv),
        ("investor_irr", t.investor_irr),
        ("investor_moic", t.investor_moic),
        ("host_received", t.host_received),
        ("host_tax", t.host_tax),
        ("host_npv", t.host_npv),
        ("recoup_year", t.recoup_year),
        ("guarantee_calls", t.guarantee_calls),
        ("losses", t.losses),
    ];
    if let (Some(relief), Some(deal)) = (t.tariff_relief_npv, t.deal_npv) {
        stats.extend([("tariff_relief_npv", relief), ("deal_npv", deal)]);
    }
    stats.extend([("defaults", t.defaults), ("declines", t.declines)]);
    for (figure, stat) in stats {
        let mut row = vec![text(figure)];
        row.extend(stat_cells(stat));
        row.push(Cell::Number(stat.defined_share));
        table.push(row);
    }
    // A share is a number, or null where it has no meaning (no recoup account to recoup).
    let value = |figure: &str, v: Option<f64>| {
        vec![
            text(figure),
            Cell::Number(v),
            Cell::Number(None),
            Cell::Number(None),
            Cell::Number(None),
            Cell::Number(None),
        ]
    };
    table.push(value("recouped_share", t.recouped_share));
    table.push(value("snapback_share", Some(t.snapback_share)));
    table
}

fn years_table(document: &RunOutput) -> Table {
    // Every year has the same figures: the columns are the first year's.
    let figures: Vec<&str> = document.years.first().map(|y| y.figures.keys().copied().collect()).unwrap_or_default();
    let mut table = Table::new(
        "years",
        [("year".to_string(), Kind::Integer)].into_iter().chain(figures.iter().flat_map(|f| stat_columns(f))),
    );
    for year in &document.years {
        let mut row = vec![Cell::Integer(i64::from(year.year))];
        for stat in year.figures.values() {
            row.extend(stat_cells(*stat));
        }
        table.push(row);
    }
    table
}

fn facilities_table(document: &RunOutput) -> Table {
    const FIGURES: [&str; 7] =
        ["paid", "received", "committed_unfunded", "funded_usd_bn", "pending_usd_bn", "guarantee_calls", "losses"];
    let mut table = Table::new(
        "facilities",
        [("facility".to_string(), Kind::Text), ("commitment_usd_bn".to_string(), Kind::Number)]
            .into_iter()
            .chain(FIGURES.iter().flat_map(|f| stat_columns(f))),
    );
    for f in &document.facilities {
        let mut row = vec![text(&f.id), number(f.commitment_usd_bn)];
        for stat in
            [f.paid, f.received, f.committed_unfunded, f.funded_usd_bn, f.pending_usd_bn, f.guarantee_calls, f.losses]
        {
            row.extend(stat_cells(stat));
        }
        table.push(row);
    }
    table
}

pub fn has_months(document: &RunOutput) -> bool {
    document.fx.is_some() || document.reserves.is_some()
}

/// One row per month: the rate (with `[fx]`), reserves and the ARA ratio (with `[reserves]` and
/// its `ara` inputs) at the month's end, each as mean, p5, p50, p95.
fn months_table(document: &RunOutput) -> Table {
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
    let mut table = Table::new(
        "months",
        [("month".to_string(), Kind::Text)].into_iter().chain(figures.iter().flat_map(|f| stat_columns(f))),
    );
    let count = fx.map_or(0, Vec::len).max(reserves.map_or(0, Vec::len));
    for i in 0..count {
        let month = fx.map(|m| m[i].month.clone()).or_else(|| reserves.map(|m| m[i].month.clone()));
        let mut row = vec![Cell::Text(month.unwrap_or_default())];
        if let Some(months) = fx {
            row.extend(stat_cells(months[i].rate));
        }
        if let Some(months) = reserves {
            row.extend(stat_cells(months[i].reserves_usd_bn));
            if let (true, Some(ratio)) = (with_ratio, months[i].ara_ratio) {
                row.extend(stat_cells(ratio));
            }
        }
        table.push(row);
    }
    table
}

fn projects_table(document: &RunOutput) -> Table {
    const NUMBERS: [&str; 10] = [
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
    ];
    let mut table = Table::new(
        "projects",
        ["project", "facility", "date"]
            .map(|c| (c.to_string(), Kind::Text))
            .into_iter()
            .chain(NUMBERS.map(|c| (c.to_string(), Kind::Number))),
    );
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
            let mut row = vec![text(&project.id), text(&project.facility), text(&flow.date)];
            row.extend(numbers.map(number));
            table.push(row);
        }
    }
    table
}

/// The trade section in long form: each scenario's market-wide figures (source `market`), then
/// each source's tariff and figures, then the investor's relief.
fn trade_table(document: &RunOutput) -> Table {
    let mut table = Table::new(
        "trade",
        ["market", "scenario", "source", "figure"]
            .map(|c| (c.to_string(), Kind::Text))
            .into_iter()
            .chain(STAT_PARTS.map(|p| (p.to_string(), Kind::Number))),
    );
    let Some(all) = &document.trade else { return table };
    let mut push = |market: &str, scenario: &str, source: &str, figure: &str, stat: StatJson| {
        let mut row = vec![text(market), text(scenario), text(source), text(figure)];
        row.extend(stat_cells(stat));
        table.push(row);
    };
    let fixed = |v: f64| StatJson {
        mean: Some(v),
        mean_se: None,
        p5: Some(v),
        p50: Some(v),
        p95: Some(v),
        defined_share: None,
    };
    for entry in &all.markets {
        let (id, trade) = (entry.id.as_str(), &entry.market);
        for (name, scenario) in &trade.scenarios {
            push(id, name, "market", "price_index_change", scenario.price_index_change);
            push(id, name, "market", "tariff_revenue_usd_bn", scenario.tariff_revenue_usd_bn);
            push(id, name, "market", "consumer_surplus_change_usd_bn", scenario.consumer_surplus_change_usd_bn);
            for (source, figures) in &scenario.sources {
                if let Some(rate) = trade.tariffs.get(name).and_then(|rates| rates.get(source)) {
                    push(id, name, source, "tariff", fixed(*rate));
                }
                push(id, name, source, "value_usd_bn", figures.value_usd_bn);
                push(id, name, source, "producer_price_change", figures.producer_price_change);
                push(id, name, source, "quantity_change", figures.quantity_change);
                push(id, name, source, "duties_usd_bn", figures.duties_usd_bn);
                push(id, name, source, "producer_surplus_change_usd_bn", figures.producer_surplus_change_usd_bn);
            }
        }
        push(
            id,
            "deal",
            &trade.investor,
            "investor_tariff_relief_usd_bn_per_year",
            entry.investor_tariff_relief_usd_bn_per_year,
        );
        push(id, "deal", &trade.investor, "duty_saved_usd_bn_per_year", fixed(entry.duty_saved_usd_bn_per_year));
    }
    table
}
