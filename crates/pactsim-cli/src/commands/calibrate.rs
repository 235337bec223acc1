//! `pactsim calibrate FILE.csv --model gbm|garch|bootstrap`: fits an exchange-rate model to a
//! daily rate series, so analysts (and the oracle tests) can see and check what a run would
//! simulate from.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use pactsim::fx::FxModelKind;
use pactsim::tools::CalibrationError;

use crate::Failure;
use pactsim::dated_csv::Series;

use crate::dated_csv;

pub fn calibrate(
    file: &Path,
    kind: FxModelKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    json: bool,
) -> Result<(), Failure> {
    // A name such as `fx/krw-usd-daily` that is not a file reads the embedded data set.
    let embedded = pactsim::data::data_set(&file.to_string_lossy()).filter(|_| !file.exists());
    let rows = match embedded {
        Some(set) => dated_csv::read_text(set.csv, file, Series::Rates)?,
        None => dated_csv::read(file, Series::Rates)?,
    };
    let rates: Vec<(NaiveDate, f64)> = rows.iter().map(|row| (row.date, row.value)).collect();
    let fitted = match pactsim::tools::calibrate(&rates, kind, from, to) {
        Ok(fitted) => fitted,
        Err(error @ CalibrationError::WindowReversed { .. }) => {
            eprintln!("error: {error}");
            return Err(Failure::BadInput);
        }
        Err(error @ CalibrationError::TooFewReturns { .. }) => {
            eprintln!("error: {}: {error}", file.display());
            eprintln!("hint: widen the window (--from, --to) or use a longer series");
            return Err(Failure::BadInput);
        }
        Err(error @ (CalibrationError::EmptyWindow { .. } | CalibrationError::Series(_))) => {
            eprintln!("error: {}: {error}", file.display());
            return Err(Failure::BadInput);
        }
        Err(error @ CalibrationError::Fit { .. }) => return Err(Failure::Runtime(anyhow::Error::new(error))),
    };
    if json {
        let document = fitted.document(&file.display().to_string());
        println!("{}", serde_json::to_string_pretty(&document).context("serialising the calibration")?);
    } else {
        println!("model      {}", kind.name());
        let (first, last) = fitted.window;
        println!("window     {first} to {last} ({} daily returns)", fitted.returns);
        for (name, value) in fitted.model.calibration() {
            println!("{name:<20} {value:.6e}");
        }
        if kind == FxModelKind::Garch {
            println!(
                "(garch: mu, omega, the log-likelihood and next_day_variance are of returns in per cent, as arch fits them)"
            );
        }
    }
    Ok(())
}
