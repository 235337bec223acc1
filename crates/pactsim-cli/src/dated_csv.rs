//! CSV files of dated numbers (`date,amount` flows for `figures`, `date,value` rates for
//! `calibrate`): the file is read here and parsed by `pactsim::dated_csv`, which checks every row;
//! every bad row is reported as `error: FILE:LINE: …`, the first twenty of them, then a count.

use std::path::Path;

use pactsim::dated_csv::{DatedValue, Series};

use crate::Failure;
use crate::diagnostics::why_unreadable;

/// Bad rows shown before the rest are only counted: enough to see the pattern, few enough that the
/// first ones stay on screen.
const BAD_ROWS_SHOWN: usize = 20;

/// The rows of `file`. Prints every problem and returns bad input when there is one.
pub fn read(file: &Path, series: Series) -> Result<Vec<DatedValue>, Failure> {
    // Read whole first, so that a file that cannot be read is told apart from a bad line in it.
    let bytes = std::fs::read(file).map_err(|error| {
        eprintln!("error: cannot read {}: {}", file.display(), why_unreadable(&error));
        Failure::BadInput
    })?;
    read_text(&bytes, file, series)
}

/// The rows of an embedded data set's text, named `name` in messages (see [`read`]).
pub fn read_text(text: impl AsRef<[u8]>, name: &Path, series: Series) -> Result<Vec<DatedValue>, Failure> {
    pactsim::dated_csv::parse(text.as_ref(), series).map_err(|problems| {
        for problem in problems.iter().take(BAD_ROWS_SHOWN) {
            eprintln!("error: {}:{}: {}", name.display(), problem.line, problem.message);
        }
        if problems.len() > BAD_ROWS_SHOWN {
            let more = problems.len() - BAD_ROWS_SHOWN;
            eprintln!("error: {}: … and {more} more bad rows ({} in all)", name.display(), problems.len());
        }
        Failure::BadInput
    })
}
