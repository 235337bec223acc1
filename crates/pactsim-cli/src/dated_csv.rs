//! CSV files of dated numbers (`date,amount` flows for `figures`, `date,value` rates for
//! `calibrate`): the file is read here and parsed by `pactsim::dated_csv`; every bad row is
//! reported as `error: FILE:LINE: …`.

use std::path::Path;

use pactsim::dated_csv::DatedValue;

use crate::Failure;

/// The rows of `file`, which needs a header with a `date` column and a `column` column; each value
/// must be a finite number. Prints the error and returns bad input otherwise.
pub fn read(file: &Path, column: &str) -> Result<Vec<DatedValue>, Failure> {
    let bytes = std::fs::read(file).map_err(|e| bad(file, 1, format!("cannot read: {e}")))?;
    read_text(&bytes, file, column)
}

/// The rows of an embedded data set's text, named `name` in messages (see [`read`]).
pub fn read_text(text: impl AsRef<[u8]>, name: &Path, column: &str) -> Result<Vec<DatedValue>, Failure> {
    pactsim::dated_csv::parse(text.as_ref(), column).map_err(|problems| {
        for problem in problems {
            eprintln!("error: {}:{}: {}", name.display(), problem.line, problem.message);
        }
        Failure::BadInput
    })
}

/// Prints `error: FILE:LINE: what` and returns bad input.
pub fn bad(file: &Path, line: u64, what: String) -> Failure {
    eprintln!("error: {}:{line}: {what}", file.display());
    Failure::BadInput
}
