//! `pactsim calibrate FILE.csv --model gbm|garch|bootstrap`: fits an exchange-rate model to a
//! daily rate series, so analysts (and the oracle tests) can see and check what a run would
//! simulate from.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use pactsim::fx::{FxError, FxModel, FxModelKind, MIN_RETURNS};
use serde_json::json;

use crate::Failure;
use crate::dated_csv::{self, Series};

pub fn calibrate(
    file: &Path,
    kind: FxModelKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    json: bool,
) -> Result<(), Failure> {
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        eprintln!("error: --from {from} is after --to {to}");
        return Err(Failure::BadInput);
    }
    // A name such as `fx/krw-usd-daily` that is not a file reads the embedded data set.
    let embedded = pactsim::data::data_set(&file.to_string_lossy()).filter(|_| !file.exists());
    let rows = match embedded {
        Some(set) => dated_csv::read_text(set.csv, file, Series::Rates)?,
        None => dated_csv::read(file, Series::Rates)?,
    };
    let window: Vec<_> =
        rows.iter().filter(|row| from.is_none_or(|f| row.date >= f) && to.is_none_or(|t| row.date <= t)).collect();
    let levels: Vec<f64> = window.iter().map(|row| row.value).collect();
    let returns = pactsim::fx::log_returns(&levels).expect("rates are read positive and finite");
    let (Some(first), Some(last)) = (window.first(), window.last()) else {
        eprintln!("error: {}: no rows {}", file.display(), describe_window(from, to));
        return Err(Failure::BadInput);
    };
    let model = match FxModel::calibrate(kind, &returns) {
        Ok(model) => model,
        Err(FxError::TooFewReturns { found }) => {
            eprintln!(
                "error: {}: {found} daily returns from {} to {}, expected at least {MIN_RETURNS}",
                file.display(),
                first.date,
                last.date
            );
            eprintln!("hint: widen the window (--from, --to) or use a longer series");
            return Err(Failure::BadInput);
        }
        Err(error @ FxError::Constant { .. }) => {
            eprintln!("error: {}: {error}", file.display());
            return Err(Failure::BadInput);
        }
        Err(error) => {
            return Err(Failure::Runtime(anyhow::Error::new(error).context(format!("calibrating {}", kind.name()))));
        }
    };
    let calibration = model.calibration();
    if json {
        let parameters: serde_json::Map<String, serde_json::Value> =
            calibration.iter().map(|(name, value)| (name.to_string(), json!(value))).collect();
        let document = json!({
            "model": kind.name(),
            "file": file.display().to_string(),
            "window": { "from": first.date.to_string(), "to": last.date.to_string() },
            "n_returns": returns.len(),
            "parameters": parameters,
        });
        println!("{}", serde_json::to_string_pretty(&document).context("serialising the calibration")?);
    } else {
        println!("model      {}", kind.name());
        println!("window     {} to {} ({} daily returns)", first.date, last.date, returns.len());
        for (name, value) in calibration {
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

fn describe_window(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("from {f} to {t}"),
        (Some(f), None) => format!("on or after {f}"),
        (None, Some(t)) => format!("on or before {t}"),
        (None, None) => "after the header".to_string(),
    }
}
