//! The finish of a path: its outcome from the state the events left. Each facility's totals count
//! every project, reported or not; the reported projects keep their rows; each year gets its
//! deferred calls and its share of the tariff relief (cut at the snapback, if the host snapped
//! back, after which the relief is the investor's surplus under the snapback tariffs).

use chrono::{Datelike, NaiveDate};

use super::PathDraws;
use super::payment::Run;
use super::scratch::DealConstants;
use super::terminal;
use crate::deal::Scope;
use crate::funding;
use crate::outcome::{AccountOutcome, DatedFlow, FacilityOutcome, Outcome, ProjectOutcome};

impl Run<'_> {
    /// The path's outcome, reporting the first `reported` projects. `constants` hold what depends
    /// on the deal alone (`scratch.rs`).
    pub(super) fn finish(
        mut self,
        plan: &funding::FundingPlan,
        draws: &PathDraws,
        reported: usize,
        constants: &mut DealConstants,
    ) -> Outcome {
        for deferred in plan.deferred() {
            for (year, amount) in deferred.iter() {
                if let Some(row) = self.years.iter_mut().find(|row| row.year == year) {
                    row.deferred += amount;
                }
            }
        }
        let deal = self.deal;
        if terminal::Terminal::played(deal) {
            for (project, funding) in deal.projects.iter().zip(self.funding) {
                self.terminal.open_call(project.facility, funding);
            }
        }
        let mut facility_flows = std::mem::take(&mut self.facility_flows).into_iter();
        // Every project counts toward its facility's figures, reported or not.
        let facilities = deal
            .facilities
            .iter()
            .enumerate()
            .map(|(index, facility)| {
                let mut outcome = FacilityOutcome {
                    id: facility.id.clone(),
                    commitment_usd_bn: facility.commitment_usd_bn,
                    paid: 0.0,
                    received: 0.0,
                    funded_usd_bn: 0.0,
                    pending_usd_bn: 0.0,
                    guarantee_calls: 0.0,
                    losses: 0.0,
                    equity_lost: 0.0,
                    all_recouped: None,
                    flows: facility_flows.next().expect("one list of flows per facility"),
                    terminal_value: self.terminal.investor[index],
                };
                let projects = deal.projects.iter().zip(self.funding).zip(&self.projects);
                for (i, ((project, funding), state)) in projects.enumerate() {
                    if project.facility != index {
                        continue;
                    }
                    if let Some(account) = self.accounts.of_project[i] {
                        let recouped = self.accounts.accounts[account].recouped_since().is_some();
                        outcome.all_recouped = Some(outcome.all_recouped.unwrap_or(true) && recouped);
                    }
                    let paid = funding.paid_usd_bn();
                    outcome.funded_usd_bn += funding.size_usd_bn * funding.funded_share();
                    outcome.pending_usd_bn += funding.call_usd_bn - paid;
                    outcome.paid += paid + state.totals.guarantee_calls + state.totals.overruns;
                    outcome.received += state.totals.received;
                    outcome.guarantee_calls += state.totals.guarantee_calls;
                    outcome.losses += state.totals.losses;
                    outcome.equity_lost += state.totals.equity_lost;
                }
                outcome.pending_usd_bn = outcome.pending_usd_bn.max(0.0);
                outcome
            })
            .collect();

        let projects: Vec<ProjectOutcome> = deal
            .projects
            .iter()
            .zip(self.funding)
            .zip(&mut self.projects)
            .take(reported)
            .enumerate()
            .map(|(i, ((project, funding), state))| ProjectOutcome {
                id: project.id.clone(),
                facility: deal.facilities[project.facility].id.clone(),
                selected: project.selected,
                due: funding.due,
                size_usd_bn: funding.size_usd_bn,
                size_cut_usd_bn: funding.size_cut_usd_bn,
                declined: funding.declined,
                funded_on: funding.completed,
                funding: funding.payments.iter().map(|&(date, amount)| DatedFlow { date, amount }).collect(),
                flows: std::mem::take(&mut state.outcome_flows),
                labor_delay_months: state.labor.map_or(0, |hit| hit.delay_months),
                cost_overrun_usd_bn: state.labor.map_or(0.0, |hit| hit.cost_overrun * funding.size_usd_bn),
                recouped_on: match self.accounts.of_project[i] {
                    Some(a) if deal.waterfall_of(project).scope == Scope::Project => {
                        self.accounts.accounts[a].recouped_since()
                    }
                    _ => None,
                },
            })
            .collect();

        let accounts = (self.accounts.owners.iter().zip(&self.accounts.accounts))
            .map(|(&(project, waterfall), state)| AccountOutcome {
                project,
                waterfall,
                recouped_on: state.recouped_since(),
            })
            .collect();

        // Flows are recorded as their events apply, in date order: already sorted.
        debug_assert!(self.investor_flows.is_sorted_by_key(|f| f.date) && self.host_flows.is_sorted_by_key(|f| f.date));
        // Each market's relief accrues in the years; the years' figure is their sum.
        let trade = (deal.trade.iter().enumerate())
            .map(|(m, trade)| {
                let outcome = match draws.elasticities.get(m) {
                    Some(&elasticities) => pactsim_trade::run_with(trade, elasticities),
                    None => constants.central_trade(m, trade),
                };
                let from = trade.relief_from(deal.start);
                // After a snapback the investor's relief is its surplus under the snapback tariffs.
                let (deal_until, snapped) = match draws.snapback_from {
                    Some(date) => (date.pred_opt().unwrap_or(date), Some(date.max(from))),
                    None => (deal.end, None),
                };
                let relief_shares = |until: NaiveDate| pactsim_trade::year_shares(deal.start.year(), from, until);
                let shares: &[(i32, f64)] = match snapped {
                    None => constants.full_relief_shares(m, || relief_shares(deal.end)),
                    Some(_) => &relief_shares(deal_until.min(deal.end)),
                };
                for (row, (_, share)) in self.years.iter_mut().zip(shares) {
                    row.tariff_relief += outcome.investor_tariff_relief_usd_bn_per_year * share;
                }
                if let Some(snapped) = snapped {
                    let relief = outcome.investor_relief_under(pactsim_trade::Scenario::Snapback, trade.investor);
                    for (row, (_, share)) in
                        self.years.iter_mut().zip(pactsim_trade::year_shares(deal.start.year(), snapped, deal.end))
                    {
                        row.tariff_relief += relief * share;
                    }
                }
                outcome
            })
            .collect();
        let declines = self.funding.iter().filter(|f| f.declined).count() as u32;
        let defaults = self.projects.iter().filter(|p| p.defaulted).count() as u32;
        Outcome {
            projects,
            facilities,
            accounts,
            investor_flows: self.investor_flows,
            host_flows: self.host_flows,
            years: self.years,
            trade,
            declines,
            defaults,
            snapback_from: draws.snapback_from,
            currency: None,
            investor_terminal_value: self.terminal.investor.iter().sum(),
            host_terminal_value: self.terminal.host,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::run;
    use crate::engine::testing::HEADER;
    use crate::spec::parse_deal;

    #[test]
    fn each_markets_relief_accrues_from_its_own_date_and_the_years_add_them_up() {
        let source = format!(
            "{HEADER}[trade]\n\
             [[trade.markets]]\nid = \"cars\"\nsector = \"autos\"\neffective = 2026-01-01\nno_deal = {{ KR = 0.25 }}\ndeal = {{ KR = 0.15 }}\n\
             [[trade.markets]]\nid = \"other\"\nsector = \"other-goods\"\neffective = 2026-07-01\nno_deal = {{ KR = 0.25 }}\ndeal = {{ KR = 0.15 }}\n"
        );
        let deal = parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"));
        let outcome = run(&deal);
        let [cars, other] = [0, 1].map(|m| outcome.trade[m].investor_tariff_relief_usd_bn_per_year);
        assert!(cars > 0.0 && other > 0.0);
        // 2026: all of it for cars; 1 July to 31 December (184 days) for the other goods.
        let expected = cars + other * 184.0 / 365.0;
        assert!((outcome.years[0].tariff_relief - expected).abs() < 1e-12, "{}", outcome.years[0].tariff_relief);
        assert!((outcome.years[1].tariff_relief - (cars + other)).abs() < 1e-12);
    }
}
