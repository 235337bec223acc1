//! Dated numbers as CSV text: `date,amount` flows (`pactsim figures`) and `date,value` rates
//! (`pactsim calibrate`). The text needs a header naming a `date` column and the value column;
//! each row gives a date such as 2025-11-14 and a finite number. [`parse`] turns the bytes into
//! [`DatedValue`] rows, or into [`CsvProblem`]s that name the line of each bad row. Reading the
//! file and printing the problems belong to the caller.

use std::fmt;

use chrono::NaiveDate;

/// One row: its line in the text (1 is the header), date and number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedValue {
    pub line: u64,
    pub date: NaiveDate,
    pub value: f64,
}

/// What is wrong with the text, and on which line (1 is the header; 0 when the CSV reader could
/// not tell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvProblem {}

/// The rows of `text`, which needs a header with a `date` column and a `column` column; each value
/// must be a finite number. The bytes need not be UTF-8 as a whole: a row that is not is a problem
/// on its line. Reading stops at the first problem, which is the one the error holds.
pub fn parse(text: &[u8], column: &str) -> Result<Vec<DatedValue>, Vec<CsvProblem>> {
    let mut reader = csv::Reader::from_reader(text);
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let position = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(date_column), Some(value_column)) = (position("date"), position(column)) else {
        return Err(bad(
            1,
            format!(
                "found columns {:?}, expected a header with `date` and `{column}`",
                headers.iter().collect::<Vec<_>>()
            ),
        ));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let date_text = record.get(date_column).unwrap_or("").trim();
        let value_text = record.get(value_column).unwrap_or("").trim();
        let date = date_text
            .parse::<NaiveDate>()
            .map_err(|_| bad(line, format!("date: found \"{date_text}\", expected a date such as 2025-11-14")))?;
        let value = value_text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(line, format!("{column}: found \"{value_text}\", expected a finite number")))?;
        rows.push(DatedValue { line, date, value });
    }
    Ok(rows)
}

fn bad(line: u64, message: String) -> Vec<CsvProblem> {
    vec![CsvProblem { line, message }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn problem(text: &str, column: &str) -> CsvProblem {
        let problems = parse(text.as_bytes(), column).expect_err("the text must be rejected");
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].clone()
    }

    #[test]
    fn rows_keep_their_lines_dates_and_values() {
        let rows = parse(b"date,amount\n2025-01-01,-100\n 2026-01-01 , 110.5 \n", "amount").unwrap();
        let read: Vec<_> = rows.iter().map(|r| (r.line, r.date.to_string(), r.value)).collect();
        assert_eq!(read, [(2, "2025-01-01".to_string(), -100.0), (3, "2026-01-01".to_string(), 110.5)]);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let rows = parse(b"note,value,date\nx,1.5,2025-01-02\n", "value").unwrap();
        assert_eq!((rows[0].value, rows[0].date.to_string()), (1.5, "2025-01-02".to_string()));
    }

    #[test]
    fn a_header_only_text_has_no_rows_and_an_empty_one_no_header() {
        assert!(parse(b"date,value\n", "value").unwrap().is_empty());
        assert_eq!(problem("", "value").line, 1);
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let missing = problem("date,value\n2025-01-01,1\n", "amount");
        assert_eq!(missing.line, 1);
        assert!(missing.message.contains("expected a header with `date` and `amount`"), "{missing}");
        let date = problem("date,value\n2025-01-01,1\n2025-02-30,1\n", "value");
        assert_eq!(
            (date.line, date.message.as_str()),
            (3, "date: found \"2025-02-30\", expected a date such as 2025-11-14")
        );
        let number = problem("date,value\n2025-01-01,inf\n", "value");
        assert_eq!((number.line, number.message.as_str()), (2, "value: found \"inf\", expected a finite number"));
        assert_eq!(problem("date,value\n2025-01-01,1,2\n", "value").line, 2);
        let not_utf8 = parse(b"date,value\n2025-01-01,\xff\n", "value").unwrap_err();
        assert_eq!(not_utf8[0].line, 2, "{not_utf8:?}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let rows = parse(b"\xef\xbb\xbfdate,value\n2025-01-01,1\n2025-01-02,2\n", "value").unwrap();
        assert_eq!(rows.iter().map(|r| (r.line, r.value)).collect::<Vec<_>>(), [(2, 1.0), (3, 2.0)]);
    }
}
