//! Dated CSV text (`pactsim figures` flows, `pactsim calibrate` rates): whatever the bytes,
//! `dated_csv::parse` gives rows of finite numbers, each on a line of its own after the header's,
//! or problems naming lines that exist, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactsim_data::dated_csv::{self, Series};

fuzz_target!(|data: &[u8]| {
    // `\n`, `\r\n` and a lone `\r` each end a line.
    let line_ends =
        data.iter().enumerate().filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')));
    let last_line = line_ends.count() as u64 + 1;
    for series in [Series::Rates, Series::Flows] {
        match dated_csv::parse(data, series) {
            Ok(rows) => {
                for row in &rows {
                    assert!(row.value.is_finite(), "line {}: {} is not finite", row.line, row.value);
                    assert!((2..=last_line).contains(&row.line), "row on line {} of {last_line}", row.line);
                }
                assert!(rows.windows(2).all(|pair| pair[0].line < pair[1].line), "two rows on one line");
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "rejected text names at least one problem");
                for problem in &problems {
                    assert!(problem.line <= last_line, "{problem} beyond line {last_line}");
                    let _ = problem.to_string();
                }
            }
        }
    }
});
