//! `pactsim data list` and `pactsim data export NAME`: the data sets embedded in the binary (their
//! sources are in `data/SOURCES.md`), so analysts can see and reuse exactly what the model reads.

use std::io::Write as _;

use anyhow::Context;
use pactsim::data::{ALL, DataSet, data_set};

use crate::Failure;

/// One line per data set: name, rows, and the date range (or, for tables, the description).
pub fn list() -> Result<(), Failure> {
    let width = ALL.iter().map(|set| set.name.len()).max().unwrap_or(0);
    let mut text = format!("{:width$}  {:>5}  range or contents\n", "name", "rows");
    for set in ALL {
        let about = match set.span() {
            Some((first, last)) => format!("{first} to {last}"),
            None => set.description.to_string(),
        };
        text += &format!("{:width$}  {:>5}  {about}\n", set.name, set.rows());
    }
    write_stdout(&text)
}

/// Prints a data set's CSV, header included, exactly as embedded.
pub fn export(name: &str) -> Result<(), Failure> {
    let Some(set) = data_set(name) else {
        eprintln!("error: no data set named `{name}`");
        let names = ALL.iter().map(|set: &DataSet| set.name);
        match pactsim::spec::closest_name(name, names) {
            Some(close) => eprintln!("hint: did you mean `{close}`? (`pactsim data list` shows them all)"),
            None => eprintln!("hint: `pactsim data list` shows the {} data sets", ALL.len()),
        }
        return Err(Failure::BadInput);
    };
    write_stdout(set.csv)
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => Ok(result.context("writing to standard output")?),
    }
}
