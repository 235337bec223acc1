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
    let mut lines = Lines::new(text);
    let mut reader = csv::Reader::from_reader(text);
    let headers = reader.headers().map_err(|e| bad(lines.of(e.position()).max(1), e.to_string()))?.clone();
    let position = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(date_column), Some(value_column)) = (position("date"), position(column)) else {
        return Err(bad(
            lines.of(headers.position()).max(1),
            format!(
                "found columns {:?}, expected a header with `date` and `{column}`",
                headers.iter().collect::<Vec<_>>()
            ),
        ));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(lines.of(e.position()), e.to_string()))?;
        let line = lines.of(record.position());
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

/// Line numbers as an editor shows them: `\n`, `\r\n` and a lone `\r` each end a line, as each
/// ends a CSV record. The CSV reader's own positions count only `\n`, and are taken before the
/// line ends and blank lines that come ahead of a record, so they would put a row after a blank
/// line, every row of a CRLF file and every row of a CR file on an earlier line.
struct Lines<'a> {
    text: &'a [u8],
    /// Line ends before this byte are counted in `line`.
    counted_to: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        Lines { text, counted_to: 0, line: 1 }
    }

    /// The line of the first byte of the record at `position`: the first after the position that
    /// ends no line. 0 without a position. Positions come in order, so counting goes on from the
    /// last one.
    fn of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return 0 };
        let from = usize::try_from(position.byte()).map_or(self.text.len(), |byte| byte.min(self.text.len()));
        let start =
            self.text[from..].iter().position(|b| !matches!(b, b'\r' | b'\n')).map_or(self.text.len(), |i| from + i);
        if start < self.counted_to {
            (self.counted_to, self.line) = (0, 1);
        }
        for i in self.counted_to..start {
            let ends_line = match self.text[i] {
                b'\n' => true,
                b'\r' => self.text.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            self.line += u64::from(ends_line);
        }
        self.counted_to = start;
        self.line
    }
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

    /// Each row's line, as an editor numbers them.
    #[track_caller]
    fn lines(text: &[u8]) -> Vec<u64> {
        parse(text, "value").unwrap().iter().map(|r| r.line).collect()
    }

    #[test]
    fn lines_are_counted_across_blank_lines_and_any_line_end() {
        assert_eq!(lines(b"date,value\n\n2025-01-01,1\n\n\n2025-01-02,2\n"), [3, 6]);
        assert_eq!(lines(b"date,value\r\n2025-01-01,1\r\n\r\n2025-01-02,2\r\n"), [2, 4]);
        assert_eq!(lines(b"date,value\r2025-01-01,1\r2025-01-02,2\r"), [2, 3]);
        assert_eq!(lines(b"\n\ndate,value\n\"2025-01-01\",\"1\n\"\n2025-01-02,2"), [4, 6]);
        let in_crlf = parse(b"date,value\r\n2025-01-01,1\r\n2025-01-02,x\r\n", "value").unwrap_err();
        assert_eq!(in_crlf[0].line, 3, "{in_crlf:?}");
        let after_blank = parse(b"date,value\n\n2025-01-01,1,2\n", "value").unwrap_err();
        assert_eq!(after_blank[0].line, 3, "{after_blank:?}");
        let header = parse(b"\r\n\r\ndate,amount\r\n", "value").unwrap_err();
        assert_eq!(header[0].line, 3, "{header:?}");
    }
}
