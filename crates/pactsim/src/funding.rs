//! From selection to funded projects: commitments cut oversize projects, funding calls fall due
//! after the lag, and each facility serves its calls first in, first out under its annual cap,
//! carrying what does not fit to the first business day of the next calendar year.

use std::collections::BTreeMap;

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
    pub projects: Vec<Funding>,
    /// `deferred[facility]` maps a calendar year to what was due by its end but still unpaid.
    pub deferred: Vec<BTreeMap<i32, f64>>,
    /// Payment lists of an earlier plan, emptied, for `plan_into` to fill again.
    spare_payments: Vec<Vec<(NaiveDate, f64)>>,
}

/// Plans are equal when they fund alike, whatever memory they keep for later plans.
impl PartialEq for FundingPlan {
    fn eq(&self, other: &Self) -> bool {
        self.projects == other.projects && self.deferred == other.deferred
    }
}

/// What every funding plan of a deal's projects starts from, found once: a path plans several
/// times (the stability clause's rounds), and counting business days for every due date was a
/// visible share of a plan.
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
        let first_due = (deal.projects.iter())
            .map(|p| calendar::due_date(p.selected, deal.facilities[p.facility].funding_lag))
            .collect();
        Selections { order, first_due }
    }
}

/// The funding of every project, written over an earlier plan: a Monte Carlo path plans its
/// funding several times, and the projects' payment lists keep their memory from one plan to
/// the next. `declined[i]` (when not empty) marks projects the investor refused: they are not
/// funded and leave the commitment to others. `postponed[i]` (when not empty) is where the
/// stability clause moved a call's due date.
pub fn plan_into(
    deal: &Deal,
    selections: &Selections,
    declined: &[bool],
    postponed: &[Option<NaiveDate>],
    plan: &mut FundingPlan,
) {
    let FundingPlan { projects, deferred, spare_payments } = plan;
    let order = &selections.order;
    spare_payments.extend(projects.drain(..).map(|funding| funding.payments));
    projects.extend(deal.projects.iter().zip(&selections.first_due).enumerate().map(|(i, (p, &first_due))| {
        let mut payments = spare_payments.pop().unwrap_or_default();
        payments.clear();
        Funding {
            size_usd_bn: p.size_usd_bn,
            size_cut_usd_bn: 0.0,
            due: postponed.get(i).copied().flatten().unwrap_or(first_due),
            first_due,
            call_usd_bn: 0.0,
            payments,
            completed: None,
            declined: false,
        }
    }));

    let mut left: Vec<f64> = deal.facilities.iter().map(|f| f.commitment_usd_bn).collect();
    for &i in order {
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
    }

    deferred.clear();
    deferred.extend(deal.facilities.iter().enumerate().map(|(index, facility)| {
        let mut calls: Vec<usize> =
            order.iter().copied().filter(|&i| deal.projects[i].facility == index && projects[i].is_funded()).collect();
        calls.sort_by_key(|&i| projects[i].due); // stable: selection order breaks ties
        serve_calls(facility, deal.end, &calls, projects)
    }));
}

/// Serves one facility's calls first in, first out; returns what was deferred past each year.
fn serve_calls(facility: &Facility, end: NaiveDate, calls: &[usize], projects: &mut [Funding]) -> BTreeMap<i32, f64> {
    // (year, used) in year order: a facility's calls span few years, so a list searched from the
    // end beats a map, which allocates a node on every plan.
    let mut used_by_year: Vec<(i32, f64)> = Vec::new();
    let mut queue_free_from: Option<NaiveDate> = None;
    let mut deferred: BTreeMap<i32, f64> = BTreeMap::new();
    let mut blocked = false;

    for &i in calls {
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
            let used = match used_by_year.iter().rposition(|&(y, _)| y == year) {
                Some(at) => &mut used_by_year[at].1,
                None => {
                    used_by_year.push((year, 0.0));
                    &mut used_by_year.last_mut().expect("just pushed").1
                }
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
            date = calendar::first_business_day(date.year() + 1);
        }
        if funding.completed.is_none() {
            // A call still open at the horizon holds every later call behind it.
            blocked = true;
        }
        record_deferred(funding, end, &mut deferred);
    }
    deferred
}

/// Adds, for each year from the year the call first fell due to the horizon's, what was still
/// unpaid at its end.
fn record_deferred(funding: &Funding, end: NaiveDate, deferred: &mut BTreeMap<i32, f64>) {
    if funding.first_due > end {
        return;
    }
    for year in funding.first_due.year()..=end.year() {
        let paid: f64 = funding.payments.iter().filter(|(d, _)| d.year() <= year).map(|(_, a)| a).sum();
        let unpaid = funding.call_usd_bn - paid;
        if unpaid <= MONEY_EPSILON {
            break;
        }
        *deferred.entry(year).or_insert(0.0) += unpaid;
    }
}
