//! From selection to funded projects: commitments cut oversize projects, funding calls fall due
//! after the lag, and each facility serves its calls first in, first out under its annual cap,
//! carrying what does not fit to the first business day of the next calendar year.

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
    projects: Vec<Funding>,
    /// `deferred[facility]`: what was due by the end of each year but still unpaid.
    deferred: Vec<Deferred>,
    /// What the plan was made from (`plan_into` keeps a plan asked for again).
    inputs: PlanInputs,
    /// Payment lists of an earlier plan, emptied, for `plan_into` to fill again.
    spare_payments: Vec<Vec<(NaiveDate, f64)>>,
    /// Each facility's funded calls (due date, project) and what is left of its commitment: kept
    /// so a path's plans allocate nothing once the first has sized them.
    calls: Vec<Vec<(NaiveDate, usize)>>,
    left: Vec<f64>,
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
            // Only a deal made by hand calls before its start.
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

/// Everything a plan is made of, compared before planning again: a path's stability clause
/// settles on the funding calls with the deferrals the engine's first run then plans with, so a
/// path's last two plans are usually one. Amounts are compared by their bits: a plan is kept only
/// when planning again would give it to the byte.
#[derive(Debug, Clone, Default)]
struct PlanInputs {
    /// Each project's, in file order.
    projects: Vec<ProjectInputs>,
    order: Vec<usize>,
    facilities: Vec<FacilityInputs>,
    /// The deal's start and end; `None` before a first plan.
    span: Option<(NaiveDate, NaiveDate)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ProjectInputs {
    size: u64,
    facility: usize,
    first_due: NaiveDate,
    due: NaiveDate,
    declined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct FacilityInputs {
    commitment: u64,
    investor_cash_share: u64,
    annual_cap: Option<u64>,
}

impl PlanInputs {
    fn projects<'a>(
        deal: &'a Deal,
        selections: &'a Selections,
        declined: &'a [bool],
        postponed: &'a [Option<NaiveDate>],
    ) -> impl Iterator<Item = ProjectInputs> + 'a {
        (deal.projects.iter().zip(&selections.first_due).enumerate()).map(|(i, (project, &first_due))| ProjectInputs {
            size: project.size_usd_bn.to_bits(),
            facility: project.facility,
            first_due,
            due: postponed.get(i).copied().flatten().unwrap_or(first_due),
            declined: declined.get(i).copied().unwrap_or(false),
        })
    }

    fn facilities(deal: &Deal) -> impl Iterator<Item = FacilityInputs> + '_ {
        deal.facilities.iter().map(|facility| FacilityInputs {
            commitment: facility.commitment_usd_bn.to_bits(),
            investor_cash_share: facility.investor_cash_share().to_bits(),
            annual_cap: facility.annual_cap_usd_bn.map(f64::to_bits),
        })
    }

    fn are(&self, deal: &Deal, selections: &Selections, declined: &[bool], postponed: &[Option<NaiveDate>]) -> bool {
        self.span == Some((deal.start, deal.end))
            && self.order == selections.order
            && self.facilities.iter().copied().eq(Self::facilities(deal))
            && self.projects.iter().copied().eq(Self::projects(deal, selections, declined, postponed))
    }

    fn set(&mut self, deal: &Deal, selections: &Selections, declined: &[bool], postponed: &[Option<NaiveDate>]) {
        self.span = Some((deal.start, deal.end));
        self.order.clone_from(&selections.order);
        self.facilities.clear();
        self.facilities.extend(Self::facilities(deal));
        self.projects.clear();
        self.projects.extend(Self::projects(deal, selections, declined, postponed));
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
        let first_due =
            (deal.projects.iter()).map(|p| deal.facilities[p.facility].funding_lag.due_date(p.selected)).collect();
        Selections { order, first_due }
    }
}

/// The funding of every project, written over an earlier plan: a Monte Carlo path plans its
/// funding several times, and the projects' payment lists keep their memory from one plan to
/// the next. `declined[i]` (when not empty) marks projects the investor refused: they are not
/// funded and leave the commitment to others. `postponed[i]` (when not empty) is where the
/// stability clause moved a call's due date. A plan asked for again is kept as it is.
pub fn plan_into(
    deal: &Deal,
    selections: &Selections,
    declined: &[bool],
    postponed: &[Option<NaiveDate>],
    plan: &mut FundingPlan,
) {
    if plan.inputs.are(deal, selections, declined, postponed) {
        return;
    }
    plan.inputs.set(deal, selections, declined, postponed);
    let FundingPlan { projects, deferred, inputs, spare_payments, calls, left } = plan;
    let fresh = |i: usize, payments: Vec<(NaiveDate, f64)>| {
        let ProjectInputs { first_due, due, .. } = inputs.projects[i];
        Funding {
            size_usd_bn: deal.projects[i].size_usd_bn,
            size_cut_usd_bn: 0.0,
            due,
            first_due,
            call_usd_bn: 0.0,
            payments,
            completed: None,
            declined: false,
        }
    };
    // The projects an earlier plan of this path (or the last path) funded are written over in
    // place; only the difference in their number moves payment lists in or out of the spares.
    let count = deal.projects.len();
    spare_payments.extend(projects.drain(count.min(projects.len())..).map(|funding| funding.payments));
    for (i, funding) in projects.iter_mut().enumerate() {
        let mut payments = std::mem::take(&mut funding.payments);
        payments.clear();
        *funding = fresh(i, payments);
    }
    for i in projects.len()..count {
        let mut payments = spare_payments.pop().unwrap_or_default();
        payments.clear();
        projects.push(fresh(i, payments));
    }

    left.clear();
    left.extend(deal.facilities.iter().map(|f| f.commitment_usd_bn));
    calls.resize_with(deal.facilities.len(), Vec::new);
    calls.iter_mut().for_each(Vec::clear);
    for &i in &selections.order {
        let project = &deal.projects[i];
        let facility = &deal.facilities[project.facility];
        let funding = &mut projects[i];
        if inputs.projects[i].declined {
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
    use super::*;
    use crate::spec::parse_deal;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fresh_plan(deal: &Deal, declined: &[bool], postponed: &[Option<NaiveDate>]) -> FundingPlan {
        let mut plan = FundingPlan::default();
        plan_into(deal, &Selections::of(deal), declined, postponed, &mut plan);
        plan
    }

    #[test]
    fn a_plan_written_over_others_is_the_plan_made_afresh() {
        let project = |id: &str, selected: &str| {
            format!(
                "[[project]]\nid = \"{id}\"\nfacility = \"f\"\nselected = {selected}\nsize_usd_bn = 15.0\ncash_flows_usd_bn = [1.0]\n"
            )
        };
        let source = format!(
            "schema = 1\n[deal]\nid = \"t\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = 2026-01-01\nhorizon_years = 10\n\
             [[facility]]\nid = \"f\"\ncommitment_usd_bn = 40.0\nannual_cap_usd_bn = 20.0\n{}{}{}",
            project("a", "2026-03-02"),
            project("b", "2026-03-02"),
            project("c", "2026-06-01"),
        );
        let deal = parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"));
        let selections = Selections::of(&deal);
        // In turn: nothing moved; b moved past c; the same again; a refused; nothing moved again.
        let rounds: [(&[bool], &[Option<NaiveDate>]); 5] = [
            (&[], &[]),
            (&[], &[None, Some(d(2027, 6, 1)), None]),
            (&[], &[None, Some(d(2027, 6, 1)), None]),
            (&[true, false, false], &[None, Some(d(2027, 6, 1)), None]),
            (&[], &[]),
        ];
        let mut plan = FundingPlan::default();
        for (declined, postponed) in rounds {
            plan_into(&deal, &selections, declined, postponed, &mut plan);
            let expected = fresh_plan(&deal, declined, postponed);
            assert_eq!(plan, expected, "{declined:?} {postponed:?}");
            let owed: Vec<Vec<(i32, f64)>> = plan.deferred().iter().map(|d| d.iter().collect()).collect();
            let expected_owed: Vec<Vec<(i32, f64)>> = expected.deferred().iter().map(|d| d.iter().collect()).collect();
            assert_eq!(owed, expected_owed);
        }
        // The commitment leaves c 10 of its 15. With b moved past it, c is served second: 5 of
        // 2026's cap is left after a, and the rest is paid on Friday 1 January 2027.
        plan_into(&deal, &selections, &[], &[None, Some(d(2027, 6, 1)), None], &mut plan);
        let paid: Vec<Vec<(NaiveDate, f64)>> = plan.projects().iter().map(|f| f.payments.clone()).collect();
        assert_eq!(paid[0], vec![(d(2026, 3, 2), 15.0)]);
        assert_eq!(paid[2], vec![(d(2026, 6, 1), 5.0), (d(2027, 1, 1), 5.0)]);
        assert_eq!(paid[1], vec![(d(2027, 6, 1), 15.0)]);
        // At the end of 2026 c still owes 5 and b, first due in March, all of its 15.
        assert_eq!(plan.deferred()[0].iter().collect::<Vec<_>>(), vec![(2026, 5.0 + 15.0)]);
    }
}
