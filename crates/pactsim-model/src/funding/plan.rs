//! A funding plan's memory, kept from one plan to the next: speed machinery, apart from the rules
//! in `mod.rs`.
//!
//! What it speeds up: a Monte Carlo path plans its funding several times (the stability clause
//! settles on the funding calls alone, then each engine run plans again with the deferrals it
//! found). `Memory` keeps what those plans would allocate again (the projects' payment lists,
//! each facility's calls and what is left of its commitment) and what the last plan was made
//! from: the clause usually settles on the deferrals the engine's first run then plans with, so a
//! path's last two plans are usually one, and a plan asked for again is kept as it is.
//! docs/design.md ("Why does a funding plan remember what it was made from?") has what it saved.
//!
//! What it must preserve: a plan written over any earlier one is the plan made afresh, to the
//! byte; a plan is kept only when every input it reads is the same, amounts compared by their
//! bits. The test below plans over others in turn and compares with fresh plans.

use chrono::NaiveDate;

use super::{Calls, Funding, Selections};
use crate::deal::Deal;

/// What a plan was made from, and memory for the next plan to write over.
#[derive(Debug, Clone, Default)]
pub(super) struct Memory {
    /// What the plan was made from (`plan_into` keeps a plan asked for again).
    inputs: PlanInputs,
    /// Payment lists of an earlier plan, emptied, for the next plan to fill again.
    spare_payments: Vec<Vec<(NaiveDate, f64)>>,
    /// Each facility's funded calls (due date, project) and what is left of its commitment.
    calls: Vec<Calls>,
    left: Vec<f64>,
}

impl Memory {
    /// Whether the last plan was made from these inputs, so that planning again would give it to
    /// the byte.
    pub(super) fn was_made_from(
        &self,
        deal: &Deal,
        selections: &Selections,
        declined: &[bool],
        postponed: &[Option<NaiveDate>],
    ) -> bool {
        self.inputs.are(deal, selections, declined, postponed)
    }

    /// Remembers the inputs of the plan about to be made.
    pub(super) fn remember(
        &mut self,
        deal: &Deal,
        selections: &Selections,
        declined: &[bool],
        postponed: &[Option<NaiveDate>],
    ) {
        self.inputs.set(deal, selections, declined, postponed);
    }

    /// Writes `count` projects' funding over the last plan's `projects`, project `i`'s as
    /// `unplanned(i, payments)` makes it from an emptied payment list of an earlier plan: the
    /// projects an earlier plan funded are written over in place, and only the difference in
    /// their number moves payment lists in or out of the spares.
    pub(super) fn reset_projects(
        &mut self,
        projects: &mut Vec<Funding>,
        count: usize,
        unplanned: impl Fn(usize, Vec<(NaiveDate, f64)>) -> Funding,
    ) {
        let spare_payments = &mut self.spare_payments;
        spare_payments.extend(projects.drain(count.min(projects.len())..).map(|funding| funding.payments));
        for (i, funding) in projects.iter_mut().enumerate() {
            let mut payments = std::mem::take(&mut funding.payments);
            payments.clear();
            *funding = unplanned(i, payments);
        }
        for i in projects.len()..count {
            let mut payments = spare_payments.pop().unwrap_or_default();
            payments.clear();
            projects.push(unplanned(i, payments));
        }
    }

    /// For `facilities` facilities: what is left of each commitment (empty, for the caller to
    /// fill) and each facility's calls (empty).
    pub(super) fn per_facility(&mut self, facilities: usize) -> (&mut Vec<f64>, &mut [Calls]) {
        self.left.clear();
        self.calls.resize_with(facilities, Vec::new);
        self.calls.iter_mut().for_each(Vec::clear);
        (&mut self.left, &mut self.calls)
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
            due: super::due_date(selections, postponed, i),
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

#[cfg(test)]
mod tests {
    use super::super::{FundingPlan, Selections, plan_into};
    use crate::deal::Deal;
    use crate::engine::testing::d;
    use crate::spec::parse_deal;
    use chrono::NaiveDate;

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
