//! Memory and deal-wide values kept from path to path: speed machinery, apart from the rules.
//!
//! What it speeds up: a Monte Carlo run plays thousands of paths of one deal. Rather than copy
//! the deal for each path's generated projects and allocate a path's buffers afresh, a
//! [`PathScratch`] keeps one copy of the deal, into which each path's generated projects move
//! (`Deal::set_generated_projects`), and `Buffers`: the memory a path fills (the timeline, the
//! flows, the funding plan, the credit draws, the stability clause's rounds), and what depends on
//! the deal alone, found by the first path that needs it (`DealConstants`, `LoanShapes`, each
//! default probability's inverse normal in the credit draws, the clause's calendar dates). The
//! Monte Carlo runner makes one `PathScratch` for each chunk of paths it runs
//! (`pactsim_montecarlo::CHUNK`, 128 paths); `run_path` makes one for a single path.
//!
//! What it must preserve: a path's outcome is the one fresh memory gives. A buffer is written
//! over before it is read; nothing a path leaves behind is read by the next except what depends
//! on the deal alone. The test below runs paths through one `PathScratch` against `run_path`.

use super::PathDraws;
use super::clause::{self, DeferralAnswers};
use super::credit::CreditDraws;
use super::timeline::Timeline;
use crate::deal::Deal;
use crate::funding;
use crate::loan::AnnuityShape;
use crate::outcome::{DatedFlow, Outcome};

/// A copy of a deal that paths reuse for their generated projects, and a path's buffers, which
/// keep their capacity from path to path (see the module's doc).
pub struct PathScratch {
    deal: Deal,
    listed: usize,
    buffers: Buffers,
}

impl PathScratch {
    pub fn new(deal: &Deal) -> Self {
        PathScratch { deal: deal.clone(), listed: deal.projects.len(), buffers: Buffers::default() }
    }

    /// Takes back an outcome of `run` whose figures have been read, so the next path reuses its
    /// flows' memory.
    pub fn recycle(&mut self, outcome: Outcome) {
        self.buffers.recycle(outcome);
    }

    /// Runs one path: generated projects join the listed ones, which keep their indices, and
    /// only the listed ones are reported. The draws are taken by value so the generated projects
    /// move rather than being copied.
    pub fn run(&mut self, draws: PathDraws) -> Outcome {
        self.run_reporting(draws, self.listed)
    }

    /// `run` for a path's figures alone, which read no project's detail: no project is
    /// reported, so none copies its names, payments and rows into the outcome.
    pub fn run_for_figures(&mut self, draws: PathDraws) -> Outcome {
        self.run_reporting(draws, 0)
    }

    fn run_reporting(&mut self, mut draws: PathDraws, reported: usize) -> Outcome {
        self.deal.set_generated_projects(self.listed, &mut draws.generated);
        clause::run_deal(&self.deal, &draws, reported, &mut self.buffers)
    }
}

/// What a path fills and a later path can fill again without allocating.
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) timeline: Timeline,
    pub(super) investor_flows: Vec<DatedFlow>,
    pub(super) host_flows: Vec<DatedFlow>,
    /// The investor's flows by facility.
    pub(super) facility_flows: Vec<Vec<DatedFlow>>,
    /// What paths share because it depends on the deal alone.
    pub(super) constants: DealConstants,
    /// Each facility's loan shape, which depends on the deal alone.
    pub(super) loan_shapes: LoanShapes,
    /// The last run's funding plan (also the stability clause's, while it settles on the calls).
    pub(super) plan: funding::FundingPlan,
    /// The path's draws for the host's answers under the stability clause.
    pub(super) deferral_answers: DeferralAnswers,
    /// The path's base log exchange rates (`CalibratedFx::log_rates`), handed back when the path
    /// is done with them.
    pub(super) base_log_rate: Vec<f64>,
    /// The path's credit draws.
    pub(super) credit: CreditDraws,
    /// What the stability clause's rounds fill again and again.
    pub(super) clause: ClauseScratch,
}

impl Buffers {
    /// Takes back the flows of an outcome that has been read.
    pub(super) fn recycle(&mut self, outcome: Outcome) {
        self.investor_flows = outcome.investor_flows;
        self.host_flows = outcome.host_flows;
        self.facility_flows = outcome.facilities.into_iter().map(|f| f.flows).collect();
    }
}

/// What a path's outcome needs that depends on the deal alone, found by the first path that needs it.
#[derive(Default)]
pub(super) struct DealConstants {
    /// Each trade market solved at its central elasticities, which every path without drawn
    /// elasticities reports: copied rather than solved again.
    trade: Vec<Option<pactsim_trade::TradeOutcome>>,
    /// Each market's share of its relief in each year on a path without a snapback.
    full_relief_shares: Vec<Option<Vec<(i32, f64)>>>,
}

impl DealConstants {
    /// `pactsim_trade::run(trade)` for market `m`, solved by the first path that asks.
    pub(super) fn central_trade(&mut self, m: usize, trade: &pactsim_trade::Trade) -> pactsim_trade::TradeOutcome {
        if self.trade.len() <= m {
            self.trade.resize(m + 1, None);
        }
        self.trade[m].get_or_insert_with(|| pactsim_trade::run(trade)).clone()
    }

    /// Market `m`'s share of its relief in each year on a path without a snapback, as `count`
    /// finds it the first time.
    pub(super) fn full_relief_shares(&mut self, m: usize, count: impl FnOnce() -> Vec<(i32, f64)>) -> &[(i32, f64)] {
        if self.full_relief_shares.len() <= m {
            self.full_relief_shares.resize(m + 1, None);
        }
        self.full_relief_shares[m].get_or_insert_with(count)
    }
}

/// Each facility's loan shape (`None` without loans), found by the first path.
#[derive(Default)]
pub(super) struct LoanShapes(Option<Vec<Option<AnnuityShape>>>);

impl LoanShapes {
    pub(super) fn of(&mut self, deal: &Deal) -> &[Option<AnnuityShape>] {
        self.0.get_or_insert_with(|| deal.facilities.iter().map(|f| f.lending_terms().map(AnnuityShape::of)).collect())
    }
}

/// The memory the stability clause's rounds write over, kept from path to path.
#[derive(Default)]
pub(super) struct ClauseScratch {
    /// The funding calls' payments, in date order (`Clause::settle_on_calls`), and by facility.
    pub(super) calls: Vec<DatedFlow>,
    pub(super) calls_by_facility: Vec<Vec<DatedFlow>>,
    /// A currency path's flow days and net flows (`CurrencyPath::recycle`).
    pub(super) net_flows: crate::currency::NetFlows,
    pub(super) days: crate::currency::ClauseDays,
}

/// The vector `buffer` held, emptied, leaving an empty one in its place.
pub(super) fn take_cleared<T>(buffer: &mut Vec<T>) -> Vec<T> {
    let mut taken = std::mem::take(buffer);
    taken.clear();
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_path;
    use crate::spec::parse_deal;

    /// Paths run one after another through one `PathScratch` (its memory written over, its
    /// deal-wide values found once) end as paths run on fresh memory: on the Korea MOU (pipelines,
    /// defaults, the stability clause) and the Japan MOU.
    #[test]
    fn paths_through_one_scratch_end_as_on_fresh_memory() {
        for source in [
            include_str!("../../../../deals/kr-us-2025-mou.toml"),
            include_str!("../../../../deals/jp-us-2025-mou.toml"),
        ] {
            let deal = parse_deal(source).unwrap_or_else(|e| panic!("{e:?}"));
            let mut scratch = PathScratch::new(&deal);
            for path in 0..12 {
                let draws = PathDraws::draw(&deal, 5, path);
                let fresh = run_path(&deal, &draws);
                let reused = scratch.run(draws.clone());
                assert_eq!(reused, fresh, "{} path {path}", deal.id);
                scratch.recycle(reused);
                let figures = scratch.run_for_figures(draws);
                assert_eq!(
                    (&figures.investor_flows, &figures.host_flows, &figures.years, &figures.facilities),
                    (&fresh.investor_flows, &fresh.host_flows, &fresh.years, &fresh.facilities),
                    "{} path {path}",
                    deal.id
                );
                scratch.recycle(figures);
            }
        }
    }
}
