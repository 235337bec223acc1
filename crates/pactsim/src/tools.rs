//! The two tools that work on series rather than deals: the figures of any dated flows (`pactsim
//! figures`) and an exchange-rate model fitted to a daily rate (`pactsim calibrate`). Their rules
//! (which rates make sense, which window is fitted) and their JSON documents are here so every edge
//! gives the same answer; reading the series from a file is the edge's job.

use chrono::NaiveDate;
use indexmap::IndexMap;
use pactsim_fx::{FxError, FxModel, FxModelKind, MIN_RETURNS};
use pactsim_model::figures;
use pactsim_model::outcome::DatedFlow;
use serde::Serialize;

use crate::Error;

/// Checks an annual discount rate given as a fraction: above -1 and below 1, so that 5 meaning 5%
/// is refused rather than computed at 500%.
pub fn check_rate(parameter: &'static str, rate: f64) -> Result<(), Error> {
    if rate.is_finite() && rate > -1.0 && rate < 1.0 {
        return Ok(());
    }
    Err(Error::InvalidRequest {
        parameter,
        message: format!("{rate}: expected an annual rate as a fraction, above -1 and below 1"),
    })
}

/// NPV, XIRR and MOIC of dated flows: what `pactsim figures --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct FlowFigures {
    pub npv: f64,
    /// Excel's root when there are several (`irr_roots` lists them all).
    pub irr: Option<f64>,
    pub irr_roots: Vec<f64>,
    pub irr_multiple_roots: bool,
    pub moic: Option<f64>,
    pub paid: f64,
    pub received: f64,
    /// The date the NPV discounts to.
    #[serde(skip)]
    pub discounted_to: NaiveDate,
}

/// The figures of `flows` at `rate`, discounted to `start` (default: the earliest flow).
pub fn flow_figures(flows: &[DatedFlow], rate: f64, start: Option<NaiveDate>) -> Result<FlowFigures, Error> {
    check_rate("rate", rate)?;
    let Some(first) = flows.iter().map(|f| f.date).min() else {
        return Err(Error::InvalidRequest { parameter: "flows", message: "no flows".into() });
    };
    let discounted_to = start.unwrap_or(first);
    let irr = figures::xirr(flows);
    Ok(FlowFigures {
        npv: figures::npv(flows, rate, discounted_to),
        irr: irr.rate,
        irr_multiple_roots: irr.has_multiple_roots(),
        irr_roots: irr.roots,
        moic: figures::moic(flows),
        paid: figures::paid(flows),
        received: figures::received(flows),
        discounted_to,
    })
}

/// Why a model could not be fitted to a window of a series.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("--from {from} is after --to {to}")]
    WindowReversed { from: NaiveDate, to: NaiveDate },
    #[error("no rows {}", describe_window(*from, *to))]
    EmptyWindow { from: Option<NaiveDate>, to: Option<NaiveDate> },
    #[error("{found} daily returns from {first} to {last}, expected at least {MIN_RETURNS}")]
    TooFewReturns { found: usize, first: NaiveDate, last: NaiveDate },
    /// The series is unusable (constant, not finite); bad input.
    #[error("{0}")]
    Series(FxError),
    /// The fit itself failed on a usable series.
    #[error("calibrating {kind}: {error}")]
    Fit { kind: &'static str, error: FxError },
}

fn describe_window(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("from {f} to {t}"),
        (Some(f), None) => format!("on or after {f}"),
        (None, Some(t)) => format!("on or before {t}"),
        (None, None) => "after the header".to_string(),
    }
}

/// A model fitted to a window of a daily rate.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub kind: FxModelKind,
    pub model: FxModel,
    /// The first and last observation of the window.
    pub window: (NaiveDate, NaiveDate),
    pub returns: usize,
}

/// What `pactsim calibrate --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationOutput {
    pub model: &'static str,
    /// The series' file or embedded data set, as named.
    pub file: String,
    pub window: WindowJson,
    pub n_returns: usize,
    pub parameters: IndexMap<&'static str, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowJson {
    pub from: String,
    pub to: String,
}

impl Calibration {
    pub fn document(&self, file: &str) -> CalibrationOutput {
        CalibrationOutput {
            model: self.kind.name(),
            file: file.to_string(),
            window: WindowJson { from: self.window.0.to_string(), to: self.window.1.to_string() },
            n_returns: self.returns,
            parameters: self.model.calibration().into_iter().collect(),
        }
    }
}

/// Fits `kind` to the rates (positive, dates ascending) between `from` and `to`, both inclusive.
pub fn calibrate(
    rates: &[(NaiveDate, f64)],
    kind: FxModelKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Calibration, CalibrationError> {
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(CalibrationError::WindowReversed { from, to });
    }
    let window: Vec<&(NaiveDate, f64)> =
        rates.iter().filter(|(date, _)| from.is_none_or(|f| *date >= f) && to.is_none_or(|t| *date <= t)).collect();
    let (Some(&&(first, _)), Some(&&(last, _))) = (window.first(), window.last()) else {
        return Err(CalibrationError::EmptyWindow { from, to });
    };
    let levels: Vec<f64> = window.iter().map(|(_, rate)| *rate).collect();
    let returns = pactsim_fx::log_returns(&levels).map_err(CalibrationError::Series)?;
    let model = FxModel::calibrate(kind, &returns).map_err(|error| match error {
        FxError::TooFewReturns { found } => CalibrationError::TooFewReturns { found, first, last },
        error @ FxError::Constant { .. } => CalibrationError::Series(error),
        error => CalibrationError::Fit { kind: kind.name(), error },
    })?;
    Ok(Calibration { kind, model, window: (first, last), returns: returns.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rates_given_as_percentages_are_refused() {
        for rate in [0.05, 0.0, -0.5, 0.999] {
            assert!(check_rate("rate", rate).is_ok(), "{rate}");
        }
        for rate in [1.0, 5.0, 6.5, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(check_rate("rate", rate), Err(Error::InvalidRequest { parameter: "rate", .. })), "{rate}");
        }
    }

    #[test]
    fn flow_figures_are_the_engine_figures() {
        let flows =
            [DatedFlow { date: d(2020, 1, 1), amount: -100.0 }, DatedFlow { date: d(2021, 1, 1), amount: 110.0 }];
        let result = flow_figures(&flows, 0.1, None).unwrap();
        // 366 days at 10% ACT/365F: 110 / 1.1^(366/365) - 100.
        assert!((result.npv - (110.0 / 1.1f64.powf(366.0 / 365.0) - 100.0)).abs() < 1e-12);
        assert_eq!((result.paid, result.received, result.moic), (100.0, 110.0, Some(1.1)));
        assert!((result.irr.unwrap() - (1.1f64.powf(365.0 / 366.0) - 1.0)).abs() < 1e-10);
        assert!(matches!(flow_figures(&[], 0.1, None), Err(Error::InvalidRequest { parameter: "flows", .. })));
    }

    #[test]
    fn the_window_must_hold_rows_and_run_forward() {
        let rates: Vec<(NaiveDate, f64)> = (0..10).map(|i| (d(2020, 1, 1) + chrono::Days::new(i), 1.0)).collect();
        let reversed = calibrate(&rates, FxModelKind::Gbm, Some(d(2021, 1, 1)), Some(d(2020, 1, 1)));
        assert!(matches!(reversed, Err(CalibrationError::WindowReversed { .. })));
        let empty = calibrate(&rates, FxModelKind::Gbm, Some(d(2030, 1, 1)), None).unwrap_err();
        assert_eq!(empty.to_string(), "no rows on or after 2030-01-01");
        let short = calibrate(&rates, FxModelKind::Gbm, None, None).unwrap_err();
        assert!(matches!(short, CalibrationError::TooFewReturns { found: 9, .. }), "{short:?}");
    }
}
