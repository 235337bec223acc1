//! CSV files of dated numbers (`date,amount` flows for `figures`, `date,value` rates for
//! `calibrate`): read with the `csv` crate, every bad row reported as `error: FILE:LINE: …`.

use std::path::Path;

use chrono::NaiveDate;

use crate::Failure;
use crate::diagnostics::why_unreadable;

/// One row: its line in the file (1 is the header), date and number.
#[derive(Debug, Clone, Copy)]
pub struct DatedValue {
    pub line: u64,
    pub date: NaiveDate,
    pub value: f64,
}

/// The rows of `file`, which needs a header with a `date` column and a `column` column; each value
/// must be a finite number. Prints the error and returns bad input otherwise.
pub fn read(file: &Path, column: &str) -> Result<Vec<DatedValue>, Failure> {
    // Read whole first, so that a file that cannot be read is told apart from a bad line in it.
    let bytes = std::fs::read(file).map_err(|error| {
        eprintln!("error: cannot read {}: {}", file.display(), why_unreadable(&error));
        Failure::BadInput
    })?;
    read_from(csv::Reader::from_reader(bytes.as_slice()), file, column)
}

/// The rows of an embedded data set's text, named `name` in messages (see [`read`]).
pub fn read_text(text: &str, name: &Path, column: &str) -> Result<Vec<DatedValue>, Failure> {
    read_from(csv::Reader::from_reader(text.as_bytes()), name, column)
}

fn read_from<R: std::io::Read>(
    mut reader: csv::Reader<R>,
    file: &Path,
    column: &str,
) -> Result<Vec<DatedValue>, Failure> {
    let headers = reader.headers().map_err(|e| bad(file, 1, e.to_string()))?.clone();
    let position = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(date_column), Some(value_column)) = (position("date"), position(column)) else {
        return Err(bad(
            file,
            1,
            format!(
                "found columns {:?}, expected a header with `date` and `{column}`",
                headers.iter().collect::<Vec<_>>()
            ),
        ));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(file, e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let date_text = record.get(date_column).unwrap_or("").trim();
        let value_text = record.get(value_column).unwrap_or("").trim();
        let date = date_text
            .parse::<NaiveDate>()
            .map_err(|_| bad(file, line, format!("date: found \"{date_text}\", expected a date such as 2025-11-14")))?;
        let value =
            value_text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                bad(file, line, format!("{column}: found \"{value_text}\", expected a finite number"))
            })?;
        rows.push(DatedValue { line, date, value });
    }
    Ok(rows)
}

/// Prints `error: FILE:LINE: what` and returns bad input.
pub fn bad(file: &Path, line: u64, what: String) -> Failure {
    eprintln!("error: {}:{line}: {what}", file.display());
    Failure::BadInput
}
