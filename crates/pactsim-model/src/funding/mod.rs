//! From selection to funded projects: commitments cut oversize projects, funding calls fall due
//! after the lag, and each facility serves its calls first in, first out under its annual cap,
//! carrying what does not fit to the first business day of the next calendar year.
//!
//! The rules, in the order `plan_into` applies them:
//! - Projects are taken in selection order: by selection date, then file order (`Selections`).
//! - A project's call falls due `funding_lag` after its selection (`FundingLag::due_date`), or
//!   where the stability clause moved it.
//! - Each project takes what is left of its facility's commitment and is cut to it; a project
//!   the investor refused takes nothing. The investor's call is `(equity + loan) · size`.
//! - Each facility serves its calls first in, first out by due date: a call is paid from the
//!   later of its due date and the day the call before it completed, up to what the annual cap
//!   leaves in that calendar year; the rest falls due on the first business day of the next year,
//!   again under the cap (`serve_calls`). A call still open at the horizon holds every later call
//!   behind it.
//! - What calls still owed at the end of each year is that year's deferred amount
//!   (`record_deferred`).
//!
//! A path plans its funding several times (the stability clause's rounds); `plan.rs` keeps a
//! plan's memory from one plan to the next and keeps a plan asked for again, apart from the rules.

mod plan;

use chrono::{Datelike, NaiveDate};

use crate::calendar;
use crate::deal::{Deal, Facility};

/// Amounts below this (USD billions, i.e. a thousandth of a cent) are rounding, not money.
pub const MONEY_EPSILON: f64 = 1e-12;

/// What the funding stage decided for one project.
#[derive(Debug, Clone, PartialEq)]
pub struct Funding {
    /// Size after the commitment cut; 0 when nothing was left.
    pub size_usd_bn: f64,
    /// What the commitment cut off.
    pub size_cut_usd_bn: f64,
    pub due: NaiveDate,
    /// The investor's cash owed: `(equity + loan) · size`.
    pub call_usd_bn: f64,
    /// When the call first fell due, before any deferral under the stability clause.
    pub first_due: NaiveDate,
    /// Payments toward the call, in date order.
    pub payments: Vec<(NaiveDate, f64)>,
    /// When the last part was paid; `None` while still pending at the horizon.
    pub completed: Option<NaiveDate>,
    /// The investor refused the project: it is not funded.
    pub declined: bool,
}

impl Funding {
    /// A project's funding before it is planned: its listed size, its call due on `due`, nothing
    /// cut, called or paid yet. `payments` is an empty list whose memory the plan reuses.
    fn unplanned(size_usd_bn: f64, first_due: NaiveDate, due: NaiveDate, payments: Vec<(NaiveDate, f64)>) -> Self {
        Funding {
            size_usd_bn,
            size_cut_usd_bn: 0.0,
            due,
            first_due,
            call_usd_bn: 0.0,
            payments,
            completed: None,
            declined: false,
        }
    }

    pub fn is_funded(&self) -> bool {
        self.size_usd_bn > 0.0
    }

    pub fn paid_usd_bn(&self) -> f64 {
        self.payments.iter().map(|(_, amount)| amount).sum()
    }

    /// The share of the project's size paid for by the horizon (1 once complete).
    pub fn funded_share(&self) -> f64 {
        match (self.completed, self.call_usd_bn > 0.0) {
            (Some(_), _) => 1.0,
            (None, true) => self.paid_usd_bn() / self.call_usd_bn,
            (None, false) => 0.0,
        }
    }
}

/// The funding of every project (in file order) and the deferred amounts per facility and year.
#[derive(Debug, Clone, Default)]
pub struct FundingPlan {
    projects: Vec<Funding>,
    /// `deferred[facility]`: what was due by the end of each year but still unpaid.
    deferred: Vec<Deferred>,
    /// What the plan was made from and the memory the next plan reuses (`plan.rs`).
    memory: plan::Memory,
}

impl FundingPlan {
    /// Every project's funding, in file order.
    pub fn projects(&self) -> &[Funding] {
        &self.projects
    }

    /// Each facility's amounts deferred past each year.
    pub fn deferred(&self) -> &[Deferred] {
        &self.deferred
    }
}

/// Plans are equal when they fund alike, whatever memory they keep for later plans.
impl PartialEq for FundingPlan {
    fn eq(&self, other: &Self) -> bool {
        self.projects == other.projects && self.deferred == other.deferred
    }
}

/// What one facility's calls still owed at the end of each calendar year, for the years they owed
/// anything. Held by year rather than in a map: a plan fills it for every path, several times,
/// and a map allocated its nodes each time.
#[derive(Debug, Clone, Default)]
pub struct Deferred {
    first_year: i32,
    /// `owed[k]` is year `first_year + k`'s; 0 where nothing was owed (an owed amount is above
    /// `MONEY_EPSILON`).
    owed: Vec<f64>,
}

impl Deferred {
    /// The years that owed something, in year order, with what they owed.
    pub fn iter(&self) -> impl Iterator<Item = (i32, f64)> + '_ {
        (self.first_year..).zip(&self.owed).filter(|&(_, &owed)| owed != 0.0).map(|(year, &owed)| (year, owed))
    }

    /// Nothing owed, with room for `first_year..=last_year`.
    fn reset(&mut self, first_year: i32, last_year: i32) {
        self.first_year = first_year;
        self.owed.clear();
        self.owed.resize((last_year - first_year + 1).max(0) as usize, 0.0);
    }

    fn add(&mut self, year: i32, amount: f64) {
        if year < self.first_year {
            // Validation keeps every call within the horizon; an earlier year still gets room.
            let earlier = (self.first_year - year) as usize;
            self.owed.splice(0..0, std::iter::repeat_n(0.0, earlier));
            self.first_year = year;
        }
        let at = (year - self.first_year) as usize;
        if at >= self.owed.len() {
            self.owed.resize(at + 1, 0.0);
        }
        self.owed[at] += amount;
    }
}

/// Equal when the same years owe the same amounts, however much room each keeps.
impl PartialEq for Deferred {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

/// What every funding plan of a deal's projects starts from: the order the rules take the
/// projects in and each one's first due date. Found once for all of a path's plans (the stability
/// clause's rounds), which would otherwise count the business days of every due date each time.
#[derive(Debug, Clone, PartialEq)]
pub struct Selections {
    /// Projects in the order the rules take them: by selection date, then by file order.
    pub order: Vec<usize>,
    /// Each project's first due date: its selection date plus its facility's funding lag.
    pub first_due: Vec<NaiveDate>,
}

impl Selections {
    pub fn of(deal: &Deal) -> Self {
        let mut order: Vec<usize> = (0..deal.projects.len()).collect();
        order.sort_by_key(|&i| (deal.projects[i].selected, i));
        let first_due =
            (deal.projects.iter()).map(|p| deal.facilities[p.facility].funding_lag.due_date(p.selected)).collect();
        Selections { order, first_due }
    }
}

/// The funding of every project, written over an earlier plan (whose memory it reuses, and which
/// it keeps as it is when asked for again: `plan.rs`). `declined[i]` (when not empty) marks
/// projects the investor refused: they are not funded and leave the commitment to others.
/// `postponed[i]` (when not empty) is where the stability clause moved a call's due date.
pub fn plan_into(
    deal: &Deal,
    selections: &Selections,
    declined: &[bool],
    postponed: &[Option<NaiveDate>],
    plan: &mut FundingPlan,
) {
    if plan.memory.was_made_from(deal, selections, declined, postponed) {
        return;
    }
    plan.memory.remember(deal, selections, declined, postponed);
    let FundingPlan { projects, deferred, memory } = plan;
    memory.reset_projects(projects, deal.projects.len(), |i, payments| {
        let first_due = selections.first_due[i];
        Funding::unplanned(deal.projects[i].size_usd_bn, first_due, due_date(selections, postponed, i), payments)
    });

    // The commitments, in selection order.
    let (left, calls) = memory.per_facility(deal.facilities.len());
    left.extend(deal.facilities.iter().map(|f| f.commitment_usd_bn));
    for &i in &selections.order {
        let project = &deal.projects[i];
        let facility = &deal.facilities[project.facility];
        let funding = &mut projects[i];
        if declined.get(i).copied().unwrap_or(false) {
            (funding.size_usd_bn, funding.declined) = (0.0, true);
            continue;
        }
        let remaining = &mut left[project.facility];
        let size = project.size_usd_bn.min(*remaining);
        let size = if size < MONEY_EPSILON { 0.0 } else { size };
        *remaining = (*remaining - size).max(0.0);
        funding.size_cut_usd_bn = project.size_usd_bn - size;
        funding.size_usd_bn = size;
        funding.call_usd_bn = facility.investor_cash_share() * size;
        if funding.is_funded() {
            calls[project.facility].push((funding.due, i));
        }
    }

    // Each facility's calls, first in, first out under its cap.
    deferred.resize_with(deal.facilities.len(), Deferred::default);
    for ((facility, calls), deferred) in deal.facilities.iter().zip(calls).zip(deferred.iter_mut()) {
        // In selection order, due dates are in order unless the stability clause moved a call.
        if !calls.is_sorted_by_key(|&(due, _)| due) {
            calls.sort_by_key(|&(due, _)| due); // stable: selection order breaks ties
        }
        deferred.reset(deal.start.year(), deal.end.year());
        serve_calls(facility, deal.end, calls, projects, deferred);
    }
}

/// A facility's funded calls: each one's due date and project.
type Calls = Vec<(NaiveDate, usize)>;

/// When project `i`'s call falls due: where the stability clause moved it (`postponed`), else
/// `funding_lag` after its selection.
fn due_date(selections: &Selections, postponed: &[Option<NaiveDate>], i: usize) -> NaiveDate {
    postponed.get(i).copied().flatten().unwrap_or(selections.first_due[i])
}

/// Serves one facility's calls first in, first out, and writes what was deferred past each year.
fn serve_calls(
    facility: &Facility,
    end: NaiveDate,
    calls: &[(NaiveDate, usize)],
    projects: &mut [Funding],
    deferred: &mut Deferred,
) {
    // Each call is paid from where the one before it completed, so payments only move forward in
    // time: the year being paid is the only one whose use of the cap is still needed.
    let mut used_in_year: Option<(i32, f64)> = None;
    let mut queue_free_from: Option<NaiveDate> = None;
    let mut blocked = false;

    for &(_, i) in calls {
        let funding = &mut projects[i];
        if funding.call_usd_bn <= 0.0 {
            // Nothing for the investor to pay: the guaranteed lenders fund it when due.
            if funding.due <= end {
                funding.completed = Some(funding.due);
            }
            continue;
        }
        let mut remaining = funding.call_usd_bn;
        let mut date = queue_free_from.map_or(funding.due, |free| free.max(funding.due));
        while !blocked && date <= end {
            let year = date.year();
            let used = match &mut used_in_year {
                Some((paying, used)) if *paying == year => used,
                slot => &mut slot.insert((year, 0.0)).1,
            };
            let room = facility.annual_cap_usd_bn.map_or(f64::INFINITY, |cap| cap - *used);
            let pay = remaining.min(room);
            if pay > MONEY_EPSILON {
                funding.payments.push((date, pay));
                *used += pay;
                remaining -= pay;
            }
            if remaining <= MONEY_EPSILON {
                funding.completed = Some(date);
                queue_free_from = Some(date);
                break;
            }
            date = calendar::first_business_day(year + 1);
        }
        if funding.completed.is_none() {
            // A call still open at the horizon holds every later call behind it.
            blocked = true;
        }
        record_deferred(funding, end, deferred);
    }
}

/// Adds, for each year from the year the call first fell due to the horizon's, what was still
/// unpaid at its end.
fn record_deferred(funding: &Funding, end: NaiveDate, deferred: &mut Deferred) {
    if funding.first_due > end {
        return;
    }
    // Payments are in date order: each year's total paid is the last one's plus its own, added in
    // the order a sum over all payments up to the year's end would add them.
    let mut payments = funding.payments.iter().peekable();
    let mut paid = 0.0;
    for year in funding.first_due.year()..=end.year() {
        while let Some(&(_, amount)) = payments.next_if(|(date, _)| date.year() <= year) {
            paid += amount;
        }
        let unpaid = funding.call_usd_bn - paid;
        if unpaid <= MONEY_EPSILON {
            break;
        }
        deferred.add(year, unpaid);
    }
}

#[cfg(test)]
mod tests {
    //! The rules through the engine's central run: each deal is small enough to work out by hand.

    use crate::engine::testing::{d, run_toml};
    use crate::outcome::Outcome;
    use chrono::NaiveDate;

    fn funding(outcome: &Outcome, project: usize) -> Vec<(NaiveDate, f64)> {
        outcome.projects[project].funding.iter().map(|f| (f.date, f.amount)).collect()
    }

    #[test]
    fn calls_beyond_the_cap_carry_to_the_first_business_day_first_in_first_out() {
        let outcome = run_toml(
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 100.0
annual_cap_usd_bn = 20.0
[[project]]
id = "a"
facility = "f"
selected = 2026-03-02
size_usd_bn = 15.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "b"
facility = "f"
selected = 2026-03-02
size_usd_bn = 15.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "c"
facility = "f"
selected = 2026-06-01
size_usd_bn = 15.0
cash_flows_usd_bn = [1.0]
"#,
        );
        assert_eq!(funding(&outcome, 0), vec![(d(2026, 3, 2), 15.0)]);
        // b gets what 2026's cap leaves (5), the rest on Friday 1 January 2027.
        assert_eq!(funding(&outcome, 1), vec![(d(2026, 3, 2), 5.0), (d(2027, 1, 1), 10.0)]);
        // c waits behind b; 2027 has 10 left; 1 January 2028 is a Saturday.
        assert_eq!(funding(&outcome, 2), vec![(d(2027, 1, 1), 10.0), (d(2028, 1, 3), 5.0)]);
        assert_eq!(outcome.projects[2].funded_on, Some(d(2028, 1, 3)));
        let deferred: Vec<f64> = outcome.years.iter().take(3).map(|y| y.deferred).collect();
        assert_eq!(deferred, vec![10.0 + 15.0, 5.0, 0.0]);
        // The cash-flow clock starts when funding completes.
        assert_eq!(outcome.projects[1].flows[0].date, d(2028, 1, 1));
    }
}
