//! Dated numbers as CSV text: `date,amount` flows (`pactsim figures`) and `date,value` rates
//! (`pactsim calibrate`). The text needs a header naming a `date` column and the series' number
//! column; each row gives a date such as 2025-11-14 and a number the series accepts. [`parse`]
//! checks every row in one pass and returns the rows, or every bad row as a [`CsvProblem`] naming
//! its line as an editor numbers it, so that one round of edits can fix the file. Reading the file
//! and printing the problems belong to the caller.

use std::fmt;

use chrono::NaiveDate;

/// What a series holds: the name of its number's column and the rules its rows follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// `date,amount`: dated flows in any order, each amount a finite number (`figures`).
    Flows,
    /// `date,value`: a daily exchange rate, dates strictly ascending, each value above 0
    /// (`calibrate`).
    Rates,
}

impl Series {
    pub fn column(self) -> &'static str {
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

/// The rows of `text`, or every problem found in it, in line order. Without a header naming both
/// columns no row can be read, so the header is then the only problem. The bytes need not be
/// UTF-8 as a whole: a row that is not is a problem on its line.
pub fn parse(text: &[u8], series: Series) -> Result<Vec<DatedValue>, Vec<CsvProblem>> {
    let column = series.column();
    let mut lines = Lines::new(text);
    let mut reader = csv::Reader::from_reader(text);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            return Err(vec![CsvProblem { line: lines.of(error.position()).max(1), message: describe(&error) }]);
        }
    };
    let position = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(date_column), Some(value_column)) = (position("date"), position(column)) else {
        let found = if headers.is_empty() {
            "an empty file".to_string()
        } else {
            format!("columns {:?}", headers.iter().collect::<Vec<_>>())
        };
        let message = format!("found {found}, expected a header with `date` and `{column}`");
        return Err(vec![CsvProblem { line: lines.of(headers.position()).max(1), message }]);
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    // The last date read and its line, which the next date must follow in a series of rates.
    let mut previous: Option<(NaiveDate, u64)> = None;
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(CsvProblem { line: lines.of(error.position()), message: describe(&error) });
                // A read that failed may fail again at the same place: stop rather than loop.
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        };
        let line = lines.of(record.position());
        let date_text = record.get(date_column).unwrap_or("").trim();
        let value_text = record.get(value_column).unwrap_or("").trim();
        let mut wrong = Vec::new();
        let date = date_text.parse::<NaiveDate>().ok();
        match (date, previous) {
            (None, _) => wrong.push(format!("date: found \"{date_text}\", expected a date such as 2025-11-14")),
            (Some(date), Some((last, last_line))) if series == Series::Rates && date <= last => {
                wrong.push(format!("date {date} does not follow {last} on line {last_line}: expected ascending dates"))
            }
            _ => {}
        }
        let value = value_text.parse::<f64>().ok().filter(|v| series.accepts(*v));
        if value.is_none() {
            wrong.push(format!("{column}: found \"{value_text}\", expected {}", series.allowed()));
        }
        if let Some(date) = date {
            previous = Some((date, line));
        }
        match (date, value) {
            (Some(date), Some(value)) if wrong.is_empty() => rows.push(DatedValue { line, date, value }),
            _ => problems.push(CsvProblem { line, message: wrong.join("; ") }),
        }
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn problem(text: &str, series: Series) -> CsvProblem {
        let problems = parse(text.as_bytes(), series).expect_err("the text must be rejected");
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].clone()
    }

    #[test]
    fn rows_keep_their_lines_dates_and_values() {
        let rows = parse(b"date,amount\n2025-01-01,-100\n 2026-01-01 , 110.5 \n", Series::Flows).unwrap();
        let read: Vec<_> = rows.iter().map(|r| (r.line, r.date.to_string(), r.value)).collect();
        assert_eq!(read, [(2, "2025-01-01".to_string(), -100.0), (3, "2026-01-01".to_string(), 110.5)]);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let rows = parse(b"note,value,date\nx,1.5,2025-01-02\n", Series::Rates).unwrap();
        assert_eq!((rows[0].value, rows[0].date.to_string()), (1.5, "2025-01-02".to_string()));
    }

    #[test]
    fn a_header_only_text_has_no_rows_and_an_empty_one_no_header() {
        assert!(parse(b"date,value\n", Series::Rates).unwrap().is_empty());
        assert_eq!(problem("", Series::Rates).line, 1);
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let missing = problem("date,value\n2025-01-01,1\n", Series::Flows);
        assert_eq!(missing.line, 1);
        assert!(missing.message.contains("expected a header with `date` and `amount`"), "{missing}");
        let date = problem("date,value\n2025-01-01,1\n2025-02-30,1\n", Series::Rates);
        assert_eq!(
            (date.line, date.message.as_str()),
            (3, "date: found \"2025-02-30\", expected a date such as 2025-11-14")
        );
        let number = problem("date,amount\n2025-01-01,inf\n", Series::Flows);
        assert_eq!((number.line, number.message.as_str()), (2, "amount: found \"inf\", expected a finite number"));
        let rate = problem("date,value\n2025-01-01,0\n", Series::Rates);
        assert_eq!((rate.line, rate.message.as_str()), (2, "value: found \"0\", expected a positive exchange rate"));
        assert_eq!(problem("date,value\n2025-01-01,1,2\n", Series::Rates).line, 2);
        let not_utf8 = parse(b"date,value\n2025-01-01,\xff\n", Series::Rates).unwrap_err();
        assert_eq!(not_utf8[0].line, 2, "{not_utf8:?}");
    }

    #[test]
    fn every_bad_row_is_reported_each_with_all_its_problems() {
        let text = "date,value\n2025-01-02,1\nnope,1\n2025-01-01,-2\n2025-01-05,2\n2025-01-06,x\n";
        let problems = parse(text.as_bytes(), Series::Rates).unwrap_err();
        let found: Vec<(u64, &str)> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (3, "date: found \"nope\", expected a date such as 2025-11-14"),
                (
                    4,
                    "date 2025-01-01 does not follow 2025-01-02 on line 2: expected ascending dates; \
                     value: found \"-2\", expected a positive exchange rate"
                ),
                (6, "value: found \"x\", expected a positive exchange rate"),
            ]
        );
        // Flows may come in any order.
        assert!(parse(b"date,amount\n2025-01-02,1\n2025-01-01,-2\n", Series::Flows).is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let rows = parse(b"\xef\xbb\xbfdate,value\n2025-01-01,1\n2025-01-02,2\n", Series::Rates).unwrap();
        assert_eq!(rows.iter().map(|r| (r.line, r.value)).collect::<Vec<_>>(), [(2, 1.0), (3, 2.0)]);
    }

    /// Each row's line, as an editor numbers them.
    #[track_caller]
    fn lines(text: &[u8]) -> Vec<u64> {
        parse(text, Series::Rates).unwrap().iter().map(|r| r.line).collect()
    }

    #[test]
    fn lines_are_counted_across_blank_lines_and_any_line_end() {
        assert_eq!(lines(b"date,value\n\n2025-01-01,1\n\n\n2025-01-02,2\n"), [3, 6]);
        assert_eq!(lines(b"date,value\r\n2025-01-01,1\r\n\r\n2025-01-02,2\r\n"), [2, 4]);
        assert_eq!(lines(b"date,value\r2025-01-01,1\r2025-01-02,2\r"), [2, 3]);
        assert_eq!(lines(b"\n\ndate,value\n\"2025-01-01\",\"1\n\"\n2025-01-02,2"), [4, 6]);
        let in_crlf = parse(b"date,value\r\n2025-01-01,1\r\n2025-01-02,x\r\n", Series::Rates).unwrap_err();
        assert_eq!(in_crlf[0].line, 3, "{in_crlf:?}");
        let after_blank = parse(b"date,value\n\n2025-01-01,1,2\n", Series::Rates).unwrap_err();
        assert_eq!(after_blank[0].line, 3, "{after_blank:?}");
        let header = parse(b"\r\n\r\ndate,amount\r\n", Series::Rates).unwrap_err();
        assert_eq!(header[0].line, 3, "{header:?}");
    }
}
