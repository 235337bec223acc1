//! CSV files of dated numbers (`date,amount` flows for `figures`, `date,value` rates for
//! `calibrate`): read with the `csv` crate in one pass that checks every row, so that every bad
//! row is reported (as `error: FILE:LINE: …`, the first twenty of them) and one round of edits can
//! fix the file.

use std::path::Path;

use chrono::NaiveDate;

use crate::Failure;
use crate::diagnostics::why_unreadable;

/// Bad rows shown before the rest are only counted: enough to see the pattern, few enough that the
/// first ones stay on screen.
const BAD_ROWS_SHOWN: usize = 20;

/// What a file holds: the name of its number's column and the rules its rows follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// `date,amount`: dated flows in any order, each amount a finite number (`figures`).
    Flows,
    /// `date,value`: a daily exchange rate, dates strictly ascending, each value above 0
    /// (`calibrate`).
    Rates,
}

impl Series {
    fn column(self) -> &'static str {
        match self {
            Series::Flows => "amount",
            Series::Rates => "value",
        }
    }

    /// What the number column may hold, as messages say it.
    fn allowed(self) -> &'static str {
        match self {
            Series::Flows => "a finite number",
            Series::Rates => "a positive exchange rate",
        }
    }

    fn accepts(self, value: f64) -> bool {
        match self {
            Series::Flows => value.is_finite(),
            Series::Rates => value.is_finite() && value > 0.0,
        }
    }
}

/// One row: its date and number.
#[derive(Debug, Clone, Copy)]
pub struct DatedValue {
    pub date: NaiveDate,
    pub value: f64,
}

/// The rows of `file`, which needs a header with a `date` column and the series' number column.
/// Prints every problem and returns bad input when there is one.
pub fn read(file: &Path, series: Series) -> Result<Vec<DatedValue>, Failure> {
    // Read whole first, so that a file that cannot be read is told apart from a bad line in it.
    let bytes = std::fs::read(file).map_err(|error| {
        eprintln!("error: cannot read {}: {}", file.display(), why_unreadable(&error));
        Failure::BadInput
    })?;
    read_from(csv::Reader::from_reader(bytes.as_slice()), file, series)
}

/// The rows of an embedded data set's text, named `name` in messages (see [`read`]).
pub fn read_text(text: &str, name: &Path, series: Series) -> Result<Vec<DatedValue>, Failure> {
    read_from(csv::Reader::from_reader(text.as_bytes()), name, series)
}

fn read_from<R: std::io::Read>(
    mut reader: csv::Reader<R>,
    file: &Path,
    series: Series,
) -> Result<Vec<DatedValue>, Failure> {
    let column = series.column();
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            eprintln!("error: {}:1: {}", file.display(), describe(&error));
            return Err(Failure::BadInput);
        }
    };
    let position = |name: &str| headers.iter().position(|h| h.trim() == name);
    // Without both columns no row can be read, so the header is the only problem reported.
    let (Some(date_column), Some(value_column)) = (position("date"), position(column)) else {
        let found = if headers.is_empty() {
            "an empty file".to_string()
        } else {
            format!("columns {:?}", headers.iter().collect::<Vec<_>>())
        };
        eprintln!("error: {}:1: found {found}, expected a header with `date` and `{column}`", file.display());
        return Err(Failure::BadInput);
    };
    let mut bad_rows = BadRows { file, count: 0 };
    let mut rows = Vec::new();
    // The last date read and its line, which the next date must follow in a series of rates.
    let mut previous: Option<(NaiveDate, u64)> = None;
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                bad_rows.report(error.position().map_or(0, |p| p.line()), &describe(&error));
                // A read that failed may fail again at the same place: stop rather than loop.
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let date_text = record.get(date_column).unwrap_or("").trim();
        let value_text = record.get(value_column).unwrap_or("").trim();
        let mut problems = Vec::new();
        let date = date_text.parse::<NaiveDate>().ok();
        match (date, previous) {
            (None, _) => {
                problems.push(format!("date: found \"{date_text}\", expected a date such as 2025-11-14"));
            }
            (Some(date), Some((last, last_line))) if series == Series::Rates && date <= last => {
                problems
                    .push(format!("date {date} does not follow {last} on line {last_line}: expected ascending dates"));
            }
            _ => {}
        }
        let value = value_text.parse::<f64>().ok().filter(|v| series.accepts(*v));
        if value.is_none() {
            problems.push(format!("{column}: found \"{value_text}\", expected {}", series.allowed()));
        }
        if let Some(date) = date {
            previous = Some((date, line));
        }
        match (date, value) {
            (Some(date), Some(value)) if problems.is_empty() => rows.push(DatedValue { date, value }),
            _ => bad_rows.report(line, &problems.join("; ")),
        }
    }
    bad_rows.finish()?;
    Ok(rows)
}

/// A CSV error in plain words (the crate's own text names record numbers and bytes).
fn describe(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            let fields = if *len == 1 { "field" } else { "fields" };
            format!("found {len} {fields}, expected {expected_len} as in the header")
        }
        csv::ErrorKind::Utf8 { .. } => "found bytes that are not UTF-8 text".to_string(),
        _ => error.to_string(),
    }
}

/// Bad rows, printed as they are found up to [`BAD_ROWS_SHOWN`], then counted.
struct BadRows<'a> {
    file: &'a Path,
    count: usize,
}

impl BadRows<'_> {
    fn report(&mut self, line: u64, what: &str) {
        if self.count < BAD_ROWS_SHOWN {
            eprintln!("error: {}:{line}: {what}", self.file.display());
        }
        self.count += 1;
    }

    /// Bad input if any row was bad, after saying how many went unshown.
    fn finish(self) -> Result<(), Failure> {
        if self.count > BAD_ROWS_SHOWN {
            let more = self.count - BAD_ROWS_SHOWN;
            eprintln!("error: {}: … and {more} more bad rows ({} in all)", self.file.display(), self.count);
        }
        if self.count > 0 { Err(Failure::BadInput) } else { Ok(()) }
    }
}
