//! An exchange-rate model calibrated on a window of the embedded history, held by the deal: the
//! fitted model, the observed rates paths start from and the deal's calendar of simulated days.
//! The deal owns it (validation fits it once, when the file is read); `currency` simulates from it.

use chrono::NaiveDate;

use crate::calendar;

/// An exchange-rate model calibrated on a window of the embedded history, with the observed rates
/// its paths start from and the deal's calendar of simulated days.
#[derive(Debug, Clone)]
pub struct CalibratedFx {
    pub model: pactsim_fx::FxModel,
    /// Daily log returns in the calibration window.
    pub returns: usize,
    /// Observed `(date, rate)` from the longest look-back the stability clause may need before
    /// `deal.start`, up to the last observation before it; the last one is where paths start.
    history: Vec<(NaiveDate, f64)>,
    /// For each day from `deal.start` to the horizon, how many simulated returns (one per
    /// Monday-to-Friday day after the last observation) have moved the rate by its end.
    pub(crate) steps: Vec<u32>,
}

impl PartialEq for CalibratedFx {
    fn eq(&self, other: &Self) -> bool {
        self.returns == other.returns
            && self.history == other.history
            && self.steps == other.steps
            && self.model.calibration() == other.model.calibration()
    }
}

impl CalibratedFx {
    /// `history` must hold at least one observation, all before `start`.
    pub fn new(
        model: pactsim_fx::FxModel,
        returns: usize,
        history: Vec<(NaiveDate, f64)>,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Self {
        let (from, _) = *history.last().expect("an observation before the start");
        let mut steps = Vec::with_capacity(calendar::days_between(start, end).max(0) as usize + 1);
        let mut taken = 0u32;
        for day in from.iter_days().skip(1).take_while(|d| *d <= end) {
            if calendar::is_business_day(day) {
                taken += 1;
            }
            if day >= start {
                steps.push(taken);
            }
        }
        CalibratedFx { model, returns, history, steps }
    }

    /// The last observation before the deal starts: every path starts from it.
    pub fn last_observed(&self) -> (NaiveDate, f64) {
        *self.history.last().expect("at least one observation before the start")
    }

    /// The observed rate on `date` (the last observation on or before it).
    pub(crate) fn observed_on(&self, date: NaiveDate) -> f64 {
        let after = self.history.partition_point(|(d, _)| *d <= date);
        self.history[after.saturating_sub(1)].1
    }

    /// Simulated returns a path needs: one per Monday-to-Friday day to the horizon.
    pub fn trading_days(&self) -> usize {
        self.steps.last().map_or(0, |&n| n as usize)
    }

    /// Writes a path's base log rates in `out` (whatever it held): entry `k` is ln(rate) after `k`
    /// simulated returns, from the last observation (entry 0) to the horizon
    /// (`trading_days() + 1` entries). Without a generator (the central path) the rate stays put.
    pub fn log_rates<R: rand::Rng + ?Sized>(&self, rng: Option<&mut R>, out: &mut Vec<f64>) {
        let (days, start) = (self.trading_days(), self.last_observed().1.ln());
        out.clear();
        out.push(start);
        match rng {
            Some(rng) => self.model.simulate_log_levels(rng, days, start, out),
            None => out.resize(days + 1, start),
        }
    }
}
