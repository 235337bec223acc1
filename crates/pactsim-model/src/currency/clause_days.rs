//! The stability clause's calendar dates, found once and read back by day number: speed
//! machinery, apart from the clause's rules (`window_opening`, `deferred_due`).
//!
//! What it speeds up: every round of every path tests much the same few dozen due dates, and each
//! test needs the day its window opens and, when a deferral is granted, the date it moves to:
//! chrono's month arithmetic each time. `ClauseDays` keeps each answer by day number from the
//! deal's start. The engine keeps one in each `PathScratch`, so the dates are found once for all
//! the paths it runs.
//!
//! What it must preserve: each date is exactly what `window_opening` or `deferred_due` gives;
//! the dates are forgotten when the deal's start or the clause's months change.

use chrono::NaiveDate;

use super::{deferred_due, window_opening};
use crate::calendar;
use crate::deal::Stability;

/// The dates the stability clause's tests need, by days from the start: the day each eve's
/// window opens (`window_opening`) and the date each due date defers to (`deferred_due`), each
/// found the first time a test asks (see the module's doc).
#[derive(Debug, Clone, Default)]
pub struct ClauseDays {
    /// The deal's start, window and deferral the dates are for.
    of: Option<(NaiveDate, u32, u32)>,
    /// By eve: the window's opening, days from the start (negative before it), and its date.
    openings: Vec<Option<(i64, NaiveDate)>>,
    /// By due date: the date a granted deferral moves it to.
    deferred: Vec<Option<NaiveDate>>,
}

impl ClauseDays {
    /// Forgets another deal's or clause's dates.
    fn for_clause(&mut self, start: NaiveDate, stability: &Stability) -> &mut Self {
        let of = Some((start, stability.window_months, stability.deferral_months));
        if self.of != of {
            self.of = of;
            self.openings.clear();
            self.deferred.clear();
        }
        self
    }

    /// `window_opening(start, stability, eve_date())`, for the eve `eve` days after `start`.
    pub(super) fn opening(
        &mut self,
        start: NaiveDate,
        stability: &Stability,
        eve: usize,
        eve_date: impl FnOnce() -> NaiveDate,
    ) -> (i64, NaiveDate) {
        *memo(&mut self.for_clause(start, stability).openings, eve)
            .get_or_insert_with(|| window_opening(start, stability, eve_date()))
    }

    /// `deferred_due(due, stability)`.
    pub fn deferred_due(&mut self, start: NaiveDate, stability: &Stability, due: NaiveDate) -> NaiveDate {
        let Ok(day) = usize::try_from(calendar::days_between(start, due)) else { return deferred_due(due, stability) };
        *memo(&mut self.for_clause(start, stability).deferred, day).get_or_insert_with(|| deferred_due(due, stability))
    }
}

/// Entry `at` of a memo, grown with unknown entries as far as needed.
fn memo<T: Copy>(entries: &mut Vec<Option<T>>, at: usize) -> &mut Option<T> {
    if entries.len() <= at {
        entries.resize(at + 1, None);
    }
    &mut entries[at]
}
