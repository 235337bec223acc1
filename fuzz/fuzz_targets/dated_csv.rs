//! Dated CSV text (`pactsim figures` flows, `pactsim calibrate` rates): whatever the bytes,
//! `dated_csv::parse` gives rows of finite numbers in line order, or problems naming lines that
//! exist, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactsim::dated_csv;

fuzz_target!(|data: &[u8]| {
    // The CSV reader counts lines by their `\n`; one without any is line 1.
    let last_line = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for column in ["value", "amount"] {
        match dated_csv::parse(data, column) {
            Ok(rows) => {
                for row in &rows {
                    assert!(row.value.is_finite(), "line {}: {} is not finite", row.line, row.value);
                    assert!(row.line <= last_line, "row on line {} of {last_line}", row.line);
                }
                assert!(rows.windows(2).all(|pair| pair[0].line <= pair[1].line), "rows out of line order");
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
