//! The FX-stability clause, settled by running the path again until its deferrals stand still.
//!
//! The clause: the investor may ask to defer a funding call when, on the eve of its due date, its
//! currency has lost at least `depreciation_trigger` of its dollar value over the `window_months`
//! before, or its reserves (with what the swap line lends) stand below `ara_floor` times the ARA
//! metric (`currency::CurrencyPath::crisis_before`). The host accepts each request with
//! `host_accepts_probability`; an accepted call falls due `deferral_months` later, where it is
//! tested again. Why the clause is settled by iteration rather than inside the event loop is in
//! docs/design.md.

use chrono::NaiveDate;

use super::PathDraws;
use super::scratch::{Buffers, ClauseScratch};
use crate::currency::CurrencyPath;
use crate::deal::Deal;
use crate::funding::{self, Funding};
use crate::outcome::{DatedFlow, Outcome};

/// Runs every project of a path, then its currency and reserves, and plays the stability clause.
///
/// The clause's decisions and the path depend on each other: a granted deferral moves a call,
/// which changes the flows, the reserves and the rate from its due date on. They are settled by
/// iteration. Given how many times each call was deferred, the path is run and every call's
/// requests are replayed on it in turn; that gives new counts, and the path is run again until
/// the counts stand still. A test on a date sees only flows before it, and those depend only on
/// decisions before it, so each round settles every test up to a later date than the round
/// before, whatever counts it started from; the counts that stand still are the only ones that
/// can, and the ones a day-by-day play of the clause would reach. The start only changes how
/// many rounds it takes. The outcome reports the first `reported` projects.
pub(super) fn run_deal(deal: &Deal, draws: &PathDraws, reported: usize, buffers: &mut Buffers) -> Outcome {
    run_deal_from(deal, draws, reported, buffers, ClauseStart::FundingCalls)
}

/// Where the stability clause's iteration starts (tests check that both reach one result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClauseStart {
    FundingCalls,
    #[cfg_attr(not(test), allow(dead_code))]
    NoDeferral,
}

fn run_deal_from(
    deal: &Deal,
    draws: &PathDraws,
    reported: usize,
    buffers: &mut Buffers,
    start: ClauseStart,
) -> Outcome {
    // Every run of the path takes the projects in one order: found once.
    let selections = funding::Selections::of(deal);
    let Some(currency) = &deal.currency else {
        return super::run_projects(deal, draws, &selections, reported, buffers, &[]);
    };
    let mut base_log_rate = std::mem::take(&mut buffers.base_log_rate);
    match &currency.fx {
        Some(fx) => {
            let mut rng = draws.currency.map(|(seed, path)| {
                pactsim_numeric::rng::stream(seed, pactsim_numeric::rng::Purpose::ExchangeRate, path)
            });
            fx.model.log_rates(rng.as_mut(), &mut base_log_rate);
        }
        None => base_log_rate.clear(),
    }
    // The central path draws nothing: the host's answers need chance, so nothing is deferred.
    let Some((stability, (seed, path))) = currency.stability.zip(draws.currency) else {
        let mut outcome = super::run_projects(deal, draws, &selections, reported, buffers, &[]);
        let memory = std::mem::take(&mut buffers.clause.net_flows);
        let by_facility = |j: usize| outcome.facilities[j].flows.as_slice();
        let path = CurrencyPath::build(deal, currency, &base_log_rate, &outcome.investor_flows, by_facility, memory);
        outcome.currency = Some(path.outcome(0, 0));
        buffers.clause.net_flows = path.recycle();
        buffers.base_log_rate = base_log_rate;
        return outcome;
    };
    let clause = Clause { deal, currency, stability, base_log_rate: &base_log_rate };
    // The iteration reaches the one fixed point from any start, so it starts where the funding
    // calls alone lead (the path's largest flows while calls fall due); the engine's first run
    // then usually confirms it, where a start with no deferral needs a second run.
    buffers.deferral_answers.reset(deal.projects.len(), seed, path);
    let mut decisions = if stability.host_accepts_probability > 0.0 && start == ClauseStart::FundingCalls {
        clause.settle_on_calls(
            &selections,
            &draws.declined,
            &mut buffers.plan,
            &mut buffers.deferral_answers,
            &mut buffers.clause,
        )
    } else {
        ClauseDecisions::none(deal.projects.len())
    };
    loop {
        let mut outcome = super::run_projects(deal, draws, &selections, reported, buffers, &decisions.moved);
        let memory = std::mem::take(&mut buffers.clause.net_flows);
        let by_facility = |j: usize| outcome.facilities[j].flows.as_slice();
        let path = CurrencyPath::build(deal, currency, &base_log_rate, &outcome.investor_flows, by_facility, memory);
        // The clause tests every project's call: its size and first due date come from the
        // run's funding plan, reported or not.
        let replayed =
            clause.replay(&path, buffers.plan.projects(), &mut buffers.deferral_answers, &mut buffers.clause.days);
        let settled = (replayed.granted == decisions.granted)
            .then(|| path.outcome(replayed.requests, replayed.granted.iter().sum()));
        buffers.clause.net_flows = path.recycle();
        if settled.is_some() {
            outcome.currency = settled;
            buffers.base_log_rate = base_log_rate;
            return outcome;
        }
        decisions = replayed;
        buffers.recycle(outcome);
    }
}

/// A path's stability clause: what it needs to replay the investor's requests and the host's
/// answers on a currency path.
struct Clause<'a> {
    deal: &'a Deal,
    currency: &'a crate::deal::Currency,
    stability: crate::deal::Stability,
    base_log_rate: &'a [f64],
}

/// The clause's decisions on one currency path.
struct ClauseDecisions {
    requests: u32,
    /// Deferrals granted, per project.
    granted: Vec<u32>,
    /// The due date each deferred call moved to; `None` for calls never deferred.
    moved: Vec<Option<NaiveDate>>,
}

impl ClauseDecisions {
    fn none(projects: usize) -> Self {
        ClauseDecisions { requests: 0, granted: vec![0; projects], moved: vec![None; projects] }
    }
}

/// The uniforms that decide the host's answers on one path: request `n` of project `i` draws the
/// one at block `n` of the project's deferral stream. Every round of the clause's iteration asks
/// the same requests again, so each is drawn once a path.
#[derive(Default)]
pub(super) struct DeferralAnswers {
    per_project: Vec<pactsim_numeric::rng::BlockUniforms>,
}

impl DeferralAnswers {
    /// Forgets the last path's uniforms (keeping the memory) for path `path` of `projects` projects.
    fn reset(&mut self, projects: usize, seed: u64, path: u64) {
        use pactsim_numeric::rng::{BlockUniforms, Purpose};
        let purpose = |i: usize| Purpose::Deferral { project: i as u32 };
        self.per_project.truncate(projects);
        for (i, uniforms) in self.per_project.iter_mut().enumerate() {
            uniforms.reopen(seed, purpose(i), path);
        }
        let known = self.per_project.len();
        self.per_project.extend((known..projects).map(|i| BlockUniforms::new(seed, purpose(i), path)));
    }

    /// The uniform of `project`'s request `request` (0-based).
    fn uniform(&mut self, project: usize, request: u32) -> f64 {
        self.per_project[project].at(request as usize)
    }
}

/// Rounds of the funding-calls-only iteration before the engine takes over (it converges in a
/// few; the engine's iteration settles whatever is left).
const CALL_ROUNDS: usize = 20;

impl Clause<'_> {
    /// Every funded project's call (`funding`: the plan's), tested in turn from its first due
    /// date: each request draws one uniform, at the request's number for this project, and a
    /// granted one moves the call. Calls of facilities whose money is raised abroad (funding
    /// channel `"none"`) are not the investor's to defer: they are not tested.
    fn replay(
        &self,
        path: &CurrencyPath,
        funding: &[Funding],
        answers: &mut DeferralAnswers,
        days: &mut crate::currency::ClauseDays,
    ) -> ClauseDecisions {
        let deal = self.deal;
        let mut decisions = ClauseDecisions::none(deal.projects.len());
        for (i, (project, funding)) in deal.projects.iter().zip(funding).enumerate() {
            let facility = &deal.facilities[project.facility];
            if funding.size_usd_bn <= 0.0
                || facility.investor_cash_share() <= 0.0
                || facility.funding_channel == crate::deal::FundingChannel::Outside
            {
                continue;
            }
            let mut due = funding.first_due;
            while due <= deal.end && path.crisis_before(&self.stability, due, days) {
                decisions.requests += 1;
                if answers.uniform(i, decisions.granted[i]) >= self.stability.host_accepts_probability {
                    break;
                }
                decisions.granted[i] += 1;
                due = days.deferred_due(deal.start, &self.stability, due);
                decisions.moved[i] = Some(due);
            }
        }
        decisions
    }

    /// The decisions the funding calls alone settle on: the clause's iteration with the calls'
    /// payments as the investor's only flows.
    /// `plan` is written over (the engine's runs plan again after it).
    fn settle_on_calls(
        &self,
        selections: &funding::Selections,
        declined: &[bool],
        plan: &mut funding::FundingPlan,
        answers: &mut DeferralAnswers,
        scratch: &mut ClauseScratch,
    ) -> ClauseDecisions {
        let deal = self.deal;
        let mut decisions = ClauseDecisions::none(deal.projects.len());
        let (calls, by_facility) = (&mut scratch.calls, &mut scratch.calls_by_facility);
        by_facility.resize_with(deal.facilities.len(), Vec::new);
        for _ in 0..CALL_ROUNDS {
            funding::plan_into(deal, selections, declined, &decisions.moved, plan);
            calls.clear();
            by_facility.iter_mut().for_each(Vec::clear);
            for (project, funding) in deal.projects.iter().zip(plan.projects()) {
                let payments = funding.payments.iter().map(|&(date, amount)| DatedFlow { date, amount: -amount });
                calls.extend(payments.clone());
                by_facility[project.facility].extend(payments);
            }
            calls.sort_by_key(|flow| flow.date);
            by_facility.iter_mut().for_each(|flows| flows.sort_by_key(|flow| flow.date));
            let memory = std::mem::take(&mut scratch.net_flows);
            let of = |j: usize| by_facility[j].as_slice();
            let path = CurrencyPath::build(deal, self.currency, self.base_log_rate, calls, of, memory);
            let replayed = self.replay(&path, plan.projects(), answers, &mut scratch.days);
            scratch.net_flows = path.recycle();
            if replayed.granted == decisions.granted {
                return replayed;
            }
            decisions = replayed;
        }
        decisions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_path;
    use crate::spec::parse_deal;

    /// `run_path` with the clause's iteration started from no deferral at all.
    fn run_path_from_no_deferral(deal: &Deal, draws: &PathDraws) -> Outcome {
        let mut deal = deal.clone();
        let listed = deal.projects.len();
        deal.set_generated_projects(listed, &mut draws.generated.clone());
        run_deal_from(&deal, draws, listed, &mut Buffers::default(), ClauseStart::NoDeferral)
    }

    /// The clause's iteration has one fixed point: started from the funding calls' decisions or
    /// from none, every path of the Korea MOU (generated projects; only the strategic facility's
    /// calls are tested, about 2.5 deferrals granted a path) ends the same.
    #[test]
    fn the_clause_settles_the_same_from_any_start() {
        let deal =
            parse_deal(include_str!("../../../../deals/kr-us-2025-mou.toml")).unwrap_or_else(|e| panic!("{e:?}"));
        let mut granted = 0;
        for path in 0..40 {
            let draws = PathDraws::draw(&deal, 11, path);
            let outcome = run_path(&deal, &draws);
            assert_eq!(outcome, run_path_from_no_deferral(&deal, &draws), "path {path}");
            granted += outcome.currency.unwrap().deferrals_granted;
        }
        assert!(granted > 60, "{granted}");
    }
}
