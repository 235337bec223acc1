//! The investor's currency and reserves along one path: the exchange rate and the reserves at the
//! end of every day from `deal.start` to the horizon, their adequacy under the IMF's ARA metric,
//! the swap line, and the test the stability clause applies when a funding call falls due.
//!
//! A path's exchange rate is its simulated base path (the calibrated model's returns, one per
//! Monday-to-Friday day, like the history it was fitted on) plus, under the `market` channel, a
//! permanent shift for every dollar the deal buys or sells. The base path does not depend on the
//! deal's flows, so two variants of a deal run with the same seed see the same base path (common
//! random numbers) and differ exactly by their flows' impact.

mod clause_days;

pub use clause_days::ClauseDays;

use chrono::{Datelike, Months, NaiveDate};

use crate::calendar;
use crate::deal::{Currency, Deal, FundingChannel, Fx, Reserves, Stability};
use crate::outcome::{CurrencyOutcome, DatedFlow, MonthRow};

/// Ratios within this of the floor count as on it: a swap line that tops reserves up to the
/// floor must not read as a breach through rounding.
const RATIO_EPSILON: f64 = 1e-12;

/// One path's exchange rate and reserves, at the end of any day from `deal.start` to the horizon.
///
/// Both are closed forms of the investor's cumulative net flows, so nothing is stepped day by day:
/// reserves are `start + baseline · days / 365` plus the net flow of the facilities funded from
/// reserves plus the swap line's drawing, which is a function of the same day's reserves; the log
/// rate is the base path's plus `outflow_impact` per 1% of GDP of net USD bought by the facilities
/// funded in the market. Facilities whose channel is `"none"` move neither.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencyPath<'a> {
    deal: &'a Deal,
    currency: &'a Currency,
    /// Base ln(local currency per USD) after each number of simulated returns
    /// (`CalibratedFx::log_rates`); empty without `[fx]`.
    base_log_rate: &'a [f64],
    flows: NetFlows,
    /// The ARA metric, USD billions (0 without `[reserves]` or its `ara`).
    ara: f64,
    /// Reserves below this are topped up from the swap line.
    floor_usd_bn: f64,
    swap_line_usd_bn: f64,
    /// `deal.start`'s day number (`Datelike::num_days_from_ce`), which every test counts from.
    start_day: i64,
}

/// Days with flows through one channel, ascending, and the net flow up to the end of each.
#[derive(Debug, Clone, Default, PartialEq)]
struct ChannelFlows {
    dates: Vec<NaiveDate>,
    to_end: Vec<f64>,
}

impl ChannelFlows {
    /// The net flow to the end of the last of the first `days` flow days (0 before the first).
    fn before(&self, days: usize) -> f64 {
        if days == 0 { 0.0 } else { self.to_end[days - 1] }
    }

    /// The net flow up to the end of `date`.
    fn to(&self, date: NaiveDate) -> f64 {
        self.before(self.dates.partition_point(|d| *d <= date))
    }

    /// The net flow up to the end of the day before `date`.
    fn before_date(&self, date: NaiveDate) -> f64 {
        self.before(self.dates.partition_point(|d| *d < date))
    }

    /// Written over with the cumulative net flow of `flows` (in date order) by day.
    fn fill(&mut self, flows: &[DatedFlow]) {
        self.dates.clear();
        self.to_end.clear();
        let (mut total, mut last) = (0.0, None);
        for flow in flows {
            total += flow.amount;
            if last == Some(flow.date) {
                *self.to_end.last_mut().expect("one per date") = total;
            } else {
                last = Some(flow.date);
                self.dates.push(flow.date);
                self.to_end.push(total);
            }
        }
    }
}

/// A path's net flows through the reserves and through the market; also the memory a path hands
/// to the next (`CurrencyPath::recycle`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetFlows {
    reserves: ChannelFlows,
    market: ChannelFlows,
    /// The flows of several facilities on one channel, gathered in date order.
    gathered: Vec<DatedFlow>,
}

impl NetFlows {
    /// The net flows of every facility whose funding channel is `channel`: `of(j)` gives facility
    /// `j`'s flows in date order, and `all` every facility's together, read as they are when every
    /// facility is on the channel.
    fn fill<'f>(
        &mut self,
        deal: &Deal,
        channel: FundingChannel,
        all: &[DatedFlow],
        of: impl Fn(usize) -> &'f [DatedFlow],
    ) {
        let on = |f: &crate::deal::Facility| f.funding_channel == channel;
        let target = match channel {
            FundingChannel::Reserves => &mut self.reserves,
            _ => &mut self.market,
        };
        if deal.facilities.iter().all(on) {
            target.fill(all);
        } else {
            self.gathered.clear();
            for (j, _) in deal.facilities.iter().enumerate().filter(|(_, f)| on(f)) {
                self.gathered.extend_from_slice(of(j));
            }
            // Stable: one date's flows keep their order, so the day's total adds up as above.
            self.gathered.sort_by_key(|flow| flow.date);
            target.fill(&self.gathered);
        }
    }
}

impl<'a> CurrencyPath<'a> {
    /// The path given its base log rates (`CalibratedFx::log_rates`; empty without `[fx]`)
    /// and the investor's dated flows (negative: paid out), in date order: `all` of them, and
    /// facility `j`'s alone from `by_facility(j)`. `memory` is written over: an earlier path's
    /// (`recycle`), so a path's rounds build without allocating.
    pub fn build<'f>(
        deal: &'a Deal,
        currency: &'a Currency,
        base_log_rate: &'a [f64],
        all: &[DatedFlow],
        by_facility: impl Fn(usize) -> &'f [DatedFlow] + Copy,
        mut memory: NetFlows,
    ) -> Self {
        let ara = currency.reserves.and_then(|r| r.ara).map_or(0.0, |a| a.metric_usd_bn());
        memory.fill(deal, FundingChannel::Reserves, all, by_facility);
        memory.fill(deal, FundingChannel::Market, all, by_facility);
        CurrencyPath {
            deal,
            currency,
            base_log_rate,
            flows: memory,
            ara,
            floor_usd_bn: currency.ara_floor * ara,
            swap_line_usd_bn: currency.fx.as_ref().map_or(0.0, |fx| fx.swap_line_usd_bn),
            start_day: i64::from(deal.start.num_days_from_ce()),
        }
    }

    /// The path's memory, for the next `build`.
    pub fn recycle(self) -> NetFlows {
        self.flows
    }

    /// Reserves without the swap line at the end of `date`, for `date` within the horizon.
    fn own_reserves(&self, reserves: &Reserves, date: NaiveDate) -> f64 {
        let days = calendar::days_between(self.deal.start, date) as usize;
        self.own_reserves_after(reserves, days, self.flows.reserves.to(date))
    }

    /// Reserves without the swap line at the end of the day `days` after the start, given the net
    /// flow from reserves to then.
    fn own_reserves_after(&self, reserves: &Reserves, days: usize, deal_flows: f64) -> f64 {
        // Through i64, which converts to f64 in one instruction where usize takes several; a
        // horizon's days are far below either's limit, so the value is the same.
        let days = days as i64 as f64;
        reserves.start_usd_bn + reserves.baseline_change_usd_bn_per_year * days / 365.0 + deal_flows
    }

    /// What the swap line lends when reserves of its own are `own`: enough to reach the floor, as
    /// far as the line reaches; repaid as soon as reserves stand above the floor without it.
    fn swap_drawing(&self, own: f64) -> f64 {
        (self.floor_usd_bn - own).clamp(0.0, self.swap_line_usd_bn)
    }

    /// Reserves with the swap line's drawing, when those of its own are `own`.
    fn with_swap_line(&self, own: f64) -> f64 {
        own + self.swap_drawing(own)
    }

    /// The most drawn on the swap line at once. Own reserves move linearly between flow days, so
    /// their lowest points are the start, the horizon, each flow day and the day before it.
    fn swap_peak(&self) -> f64 {
        let Some(reserves) = self.currency.reserves else { return 0.0 };
        if self.swap_line_usd_bn == 0.0 {
            return 0.0;
        }
        let (start, end) = (self.deal.start, self.deal.end);
        let flow_days = self.flows.reserves.dates.iter().flat_map(|d| [d.pred_opt(), Some(*d)]).flatten();
        [start, end]
            .into_iter()
            .chain(flow_days)
            .filter(|d| *d >= start && *d <= end)
            .map(|d| self.swap_drawing(self.own_reserves(&reserves, d)))
            .fold(0.0, f64::max)
    }

    /// The rate at the end of the day `days` after the start (within the horizon), given the net
    /// flow through the market to then.
    fn rate_after(&self, fx: &Fx, days: usize, market_flow: impl FnOnce() -> f64) -> f64 {
        let base = self.base_log_rate[fx.model.steps[days] as usize];
        let shift = match &self.currency.reserves {
            Some(r) if !self.flows.market.dates.is_empty() => market_shift(fx, r, -market_flow()),
            _ => 0.0,
        };
        (base + shift).exp()
    }

    /// The rate at the end of `date`, `days` after the start: observed before the start.
    fn rate_at(&self, fx: &Fx, days: i64, date: impl FnOnce() -> NaiveDate, net_flow: impl FnOnce() -> f64) -> f64 {
        if days < 0 { fx.model.observed_on(date()) } else { self.rate_after(fx, days as usize, net_flow) }
    }

    fn ara_ratio_of(&self, reserves: Option<f64>) -> Option<f64> {
        reserves.filter(|_| self.ara > 0.0).map(|r| r / self.ara)
    }

    fn below_floor(&self, ratio: f64) -> bool {
        ratio < self.currency.ara_floor - RATIO_EPSILON
    }

    /// Whether the stability clause lets the investor ask to defer a call falling due on `due`
    /// (within the horizon): judged on the state at the end of the day before, the eve, so the
    /// day's own flows do not count. Before the start, reserves are `start_usd_bn` with what the
    /// line would lend on them, and rates are observed. `days` keeps the day each window opens
    /// for the next test of the same eve.
    pub fn crisis_before(&self, stability: &Stability, due: NaiveDate, days: &mut ClauseDays) -> bool {
        let eve = i64::from(due.num_days_from_ce()) - self.start_day - 1;
        // The eve's date is needed only before the start and when its window is first asked for.
        let eve_date = || due.pred_opt().expect("dates stay far from chrono's limits");
        // The flows to the end of the eve are those dated before `due`.
        let from_reserves = || self.flows.reserves.before_date(due);
        let bought = || self.flows.market.before_date(due);
        // The reserves test first: it is the cheaper of the two, and on a path that drains
        // reserves it settles most tests alone.
        if let Some(r) = &self.currency.reserves {
            let own = if eve < 0 { r.start_usd_bn } else { self.own_reserves_after(r, eve as usize, from_reserves()) };
            if self.ara_ratio_of(Some(self.with_swap_line(own))).is_some_and(|ratio| self.below_floor(ratio)) {
                return true;
            }
        }
        let Some(fx) = &self.currency.fx else { return false };
        let (then, then_date) = if eve < 0 {
            window_opening(self.deal.start, stability, eve_date())
        } else {
            days.opening(self.deal.start, stability, eve as usize, eve_date)
        };
        // The share of its dollar value the currency lost over the window: 1 − S(then) / S(eve)
        // with S in local currency per USD.
        let then_rate = self.rate_at(fx, then, || then_date, || self.flows.market.to(then_date));
        let loss = 1.0 - then_rate / self.rate_at(fx, eve, eve_date, bought);
        loss >= stability.depreciation_trigger - RATIO_EPSILON
    }

    /// Month-end figures and the path's totals.
    pub fn outcome(&self, deferral_requests: u32, deferrals_granted: u32) -> CurrencyOutcome {
        // Month ends ascend within the horizon, so the net flow to each is found by walking the
        // flow days once, and their day numbers were counted when the deal was read. The sections
        // are borrowed once, not copied for every month.
        let currency = self.currency;
        let (fx, reserves) = (currency.fx.as_ref(), currency.reserves.as_ref());
        let (mut from_reserves, mut bought) = (0, 0);
        let mut breached = false;
        let up_to = |channel: &ChannelFlows, count: &mut usize, date: NaiveDate| {
            while channel.dates.get(*count).is_some_and(|d| *d <= date) {
                *count += 1;
            }
            channel.before(*count)
        };
        let months = (currency.month_ends.iter().zip(&currency.month_end_days))
            .map(|(&date, &days)| {
                let reserve_flow = up_to(&self.flows.reserves, &mut from_reserves, date);
                let market_flow = up_to(&self.flows.market, &mut bought, date);
                let reserves_usd_bn =
                    reserves.map(|r| self.with_swap_line(self.own_reserves_after(r, days, reserve_flow)));
                let ara_ratio = self.ara_ratio_of(reserves_usd_bn);
                breached |= ara_ratio.is_some_and(|ratio| self.below_floor(ratio));
                MonthRow { rate: fx.map(|fx| self.rate_after(fx, days, || market_flow)), reserves_usd_bn, ara_ratio }
            })
            .collect();
        CurrencyOutcome { months, breached, deferral_requests, deferrals_granted, swap_peak_usd_bn: self.swap_peak() }
    }
}

/// The log shift of the rate after `bought` USD billions were bought in the market, net.
fn market_shift(fx: &Fx, reserves: &Reserves, bought: f64) -> f64 {
    fx.outflow_impact * bought / reserves.gdp_usd_bn * 100.0
}

/// The day the stability clause's window to the end of `eve` opens: `eve` moved back the window's
/// calendar months (clamped to the month's end, like `deferred_due`), as days from `start` and as
/// a date.
fn window_opening(start: NaiveDate, stability: &Stability, eve: NaiveDate) -> (i64, NaiveDate) {
    let date =
        eve.checked_sub_months(Months::new(stability.window_months)).expect("dates stay far from chrono's limits");
    (calendar::days_between(start, date), date)
}

/// The last day of every calendar month from `start` to `end` (`end` for its own month).
pub fn month_ends(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut ends = Vec::new();
    let mut first = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).expect("a valid month");
    while first <= end {
        let next = first.checked_add_months(Months::new(1)).expect("dates stay far from chrono's limits");
        ends.push(next.pred_opt().expect("a valid date").min(end));
        first = next;
    }
    ends
}

/// The month-end labels `YYYY-MM` of a currency's months, in order.
pub fn month_labels(currency: &Currency) -> Vec<String> {
    currency.month_ends.iter().map(|d| format!("{:04}-{:02}", d.year(), d.month())).collect()
}

/// The date a granted deferral moves a call to.
pub fn deferred_due(due: NaiveDate, stability: &Stability) -> NaiveDate {
    due.checked_add_months(Months::new(stability.deferral_months)).expect("dates stay far from chrono's limits")
}

#[cfg(test)]
mod tests {
    //! Deterministic checks: the reserves, ratios and the market channel's shift recomputed by
    //! hand from the run's own flows, and the stability clause's draws against their probability.

    use super::*;
    use crate::engine::{self, PathDraws};
    use crate::spec::parse_deal;

    /// A deal from `start` for `years` with one project of `size` selected on `selected` (paid at
    /// once, no cap) and yearly `cash` flows; the sections of `rest` follow.
    fn one_project_deal(start: &str, years: u32, selected: &str, size: f64, cash: &str, rest: &str) -> Deal {
        let source = format!(
            "schema = 1\n[deal]\nid = \"t\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = {start}\n\
             horizon_years = {years}\n\n[[facility]]\nid = \"f\"\ncommitment_usd_bn = 100.0\n\n[[project]]\nid = \"p\"\n\
             facility = \"f\"\nselected = {selected}\nsize_usd_bn = {size:?}\ncash_flows_usd_bn = [{cash}]\n{rest}"
        );
        parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// One $30bn project selected in 2026, paying 3.0 a year for 12 years, and a currency section;
    /// `extra` is appended (e.g. a `[stability]`).
    fn deal_with(channel: &str, swap_line: f64, extra: &str) -> Deal {
        let sections = format!(
            r#"
[fx]
pair = "KRW/USD"
model = "gbm"
calibrate = {{ from = 2010-01-01, to = 2024-12-31 }}
funding_channel = "{channel}"
outflow_impact = 0.02
swap_line_usd_bn = {swap_line}

[reserves]
start_usd_bn = 400.0
gdp_usd_bn = 1800.0
baseline_change_usd_bn_per_year = 7.3
ara = {{ exports_usd_bn = 700.0, broad_money_usd_bn = 3000.0, short_term_debt_usd_bn = 180.0, other_liabilities_usd_bn = 700.0 }}
{extra}
"#
        );
        one_project_deal("2026-01-01", 4, "2026-03-10", 30.0, &["3.0"; 12].join(", "), &sections)
    }

    fn random_draws(deal: &Deal, seed: u64, path: u64) -> PathDraws {
        PathDraws::draw(deal, seed, path)
    }

    /// The investor's net flow up to and including `date`.
    fn net_flow_to(outcome: &crate::outcome::Outcome, date: NaiveDate) -> f64 {
        outcome.investor_flows.iter().filter(|f| f.date <= date).map(|f| f.amount).sum()
    }

    #[test]
    fn money_raised_abroad_moves_neither_reserves_nor_the_rate_and_is_not_deferred() {
        // The deal of the test below with its one facility on "none", under a clause that always
        // fires and always grants: its call is paid as due and reserves follow the baseline alone.
        let mut deal = deal_with(
            "market",
            0.0,
            "[stability]\ndepreciation_trigger = 0.0\nwindow_months = 1\nara_floor = 5.0\n\
             host_accepts_probability = 1.0\ndeferral_months = 12\n",
        );
        deal.facilities[0].funding_channel = FundingChannel::Outside;
        let outcome = engine::run_path(&deal, &random_draws(&deal, 3, 0));
        assert_eq!(outcome.projects[0].funding[0].date.to_string(), "2026-03-10");
        let currency = outcome.currency.as_ref().unwrap();
        assert_eq!((currency.deferral_requests, currency.deferrals_granted), (0, 0));
        let twin = {
            let mut twin = deal.clone();
            twin.projects.clear();
            engine::run_path(&twin, &random_draws(&twin, 3, 0))
        };
        for ((end, row), without) in
            deal.currency.as_ref().unwrap().month_ends.iter().zip(&currency.months).zip(&twin.currency.unwrap().months)
        {
            let days = (*end - deal.start).num_days() as f64;
            assert!((row.reserves_usd_bn.unwrap() - (400.0 + 7.3 * days / 365.0)).abs() < 1e-9, "{end}");
            assert_eq!(row.rate, without.rate, "{end}: the deal's flows do not move the rate");
        }
    }

    #[test]
    fn reserves_move_by_the_baseline_and_the_deals_flows() {
        let deal = deal_with("reserves", 0.0, "");
        let outcome = engine::run(&deal);
        let currency = outcome.currency.as_ref().unwrap();
        let ends = &deal.currency.as_ref().unwrap().month_ends;
        assert_eq!(ends.len(), 49); // January 2026 to January 2030 (the horizon's end)
        assert_eq!(ends.last().unwrap().to_string(), "2030-01-01");
        // ARA = 0.05·700 + 0.05·3000 + 0.30·180 + 0.15·700 = 35 + 150 + 54 + 105
        let ara = 344.0;
        let (_, observed) = deal.currency.as_ref().unwrap().fx.as_ref().unwrap().model.last_observed();
        for (end, row) in ends.iter().zip(&currency.months) {
            let days = (*end - deal.start).num_days() as f64;
            let expected = 400.0 + 7.3 * days / 365.0 + net_flow_to(&outcome, *end);
            assert!((row.reserves_usd_bn.unwrap() - expected).abs() < 1e-9, "{end}");
            assert!((row.ara_ratio.unwrap() - expected / ara).abs() < 1e-12, "{end}");
            // The central path's rate stays at the last observation.
            assert!((row.rate.unwrap() / observed - 1.0).abs() < 1e-12);
        }
        // The project is paid for on its selection day: reserves fall by 30 then.
        let march = &currency.months[2];
        let expected = 400.0 + 7.3 * 89.0 / 365.0 - 30.0;
        assert!((march.reserves_usd_bn.unwrap() - expected).abs() < 1e-9);
        assert!(!currency.breached);
    }

    #[test]
    fn the_market_channel_shifts_the_rate_by_the_flows_impact_and_leaves_reserves() {
        let by_reserves = deal_with("reserves", 0.0, "");
        let by_market = deal_with("market", 0.0, "");
        for path in 0..3 {
            let a = engine::run_path(&by_reserves, &random_draws(&by_reserves, 9, path));
            let b = engine::run_path(&by_market, &random_draws(&by_market, 9, path));
            assert_eq!(a.investor_flows, b.investor_flows);
            let (ca, cb) = (a.currency.clone().unwrap(), b.currency.unwrap());
            let ends = &by_reserves.currency.as_ref().unwrap().month_ends;
            for ((end, ra), rb) in ends.iter().zip(&ca.months).zip(&cb.months) {
                // Same base path (common random numbers), shifted by 0.02 per 1% of GDP bought.
                let bought = -net_flow_to(&a, *end);
                let shift = (rb.rate.unwrap() / ra.rate.unwrap()).ln();
                assert!((shift - 0.02 * bought / 1800.0 * 100.0).abs() < 1e-12, "{end}: {shift}");
                let days = (*end - by_market.start).num_days() as f64;
                assert!((rb.reserves_usd_bn.unwrap() - (400.0 + 7.3 * days / 365.0)).abs() < 1e-9);
            }
        }
        // A path's base rate really moves: not the central path's constant.
        let a = engine::run_path(&by_reserves, &random_draws(&by_reserves, 9, 0)).currency.unwrap();
        assert_ne!(a.months[0].rate, a.months[20].rate);
    }

    #[test]
    fn the_swap_line_tops_reserves_up_to_the_floor_and_is_repaid() {
        // A floor of 1.25·344 = 430 lies above the 400 the deal starts with.
        let floor = "[stability]\ndepreciation_trigger = 0.9\nwindow_months = 1\nara_floor = 1.25\nhost_accepts_probability = 0.0\ndeferral_months = 12\n";
        let without = engine::run(&deal_with("reserves", 0.0, floor)).currency.unwrap();
        let with = engine::run(&deal_with("reserves", 20.0, floor)).currency.unwrap();
        for (a, b) in without.months.iter().zip(&with.months) {
            let own = a.reserves_usd_bn.unwrap();
            let expected = own + (430.0 - own).clamp(0.0, 20.0);
            assert!((b.reserves_usd_bn.unwrap() - expected).abs() < 1e-9);
        }
        // After the $30bn payment the line is drawn in full: 400 − 30 + 20 is still below 430.
        assert!((with.swap_peak_usd_bn - 20.0).abs() < 1e-12);
        assert!(without.breached && with.breached);
        // A line that covers the gap ends the breach.
        let deep = engine::run(&deal_with("reserves", 60.0, floor)).currency.unwrap();
        assert!(!deep.breached, "{:?}", deep.months[2]);
        assert_eq!(without.swap_peak_usd_bn, 0.0);
    }

    #[test]
    fn granted_deferrals_are_the_accepted_share_of_requests() {
        // A trigger of 0 fires at every call: each request is granted with probability 0.3, and a
        // granted call is tested again 6 months later until refused or past the horizon.
        let clause = "[stability]\ndepreciation_trigger = 0.0\nwindow_months = 3\nhost_accepts_probability = 0.3\ndeferral_months = 6\n";
        let deal = deal_with("reserves", 0.0, clause);
        let (mut requests, mut granted) = (0u32, 0u32);
        for path in 0..4000 {
            let c = engine::run_path(&deal, &random_draws(&deal, 5, path)).currency.unwrap();
            // Every grant is followed by another request until the call is refused or past the end.
            assert!(c.deferral_requests >= c.deferrals_granted);
            assert!(c.deferral_requests - c.deferrals_granted <= 1);
            requests += c.deferral_requests;
            granted += c.deferrals_granted;
        }
        let share = f64::from(granted) / f64::from(requests);
        let se = (0.3 * 0.7 / f64::from(requests)).sqrt();
        assert!((share - 0.3).abs() < 4.0 * se, "{share} ± {se}");
    }

    #[test]
    fn a_granted_deferral_moves_the_payment_and_counts_as_deferred() {
        let clause = "[stability]\ndepreciation_trigger = 0.0\nwindow_months = 3\nhost_accepts_probability = 1.0\ndeferral_months = 12\n";
        let deal = deal_with("reserves", 0.0, clause);
        let outcome = engine::run_path(&deal, &random_draws(&deal, 5, 0));
        let c = outcome.currency.as_ref().unwrap();
        // Due 2026-03-10, deferred to 2027, 2028, 2029 and then 2030-03-10, past the horizon.
        assert_eq!((c.deferral_requests, c.deferrals_granted), (4, 4));
        assert!(outcome.projects[0].funding.is_empty());
        for year in &outcome.years[..4] {
            assert_eq!(year.deferred, 30.0, "{}", year.year);
        }
        // Nothing left the reserves.
        let last = c.months.last().unwrap().reserves_usd_bn.unwrap();
        assert!((last - (400.0 + 7.3 * 1461.0 / 365.0)).abs() < 1e-9);
    }

    /// A deal that starts on 2008-11-03 with one call due that day: the clause compares the won
    /// on the eve (the last ECB rate on or before 2008-11-02) with three months earlier (on or
    /// before 2008-08-02), both observed, so the test is exact whatever the path draws.
    fn crisis_of_2008(trigger: f64) -> (u32, f64) {
        let sections = format!(
            r#"
[fx]
pair = "KRW/USD"
model = "gbm"
calibrate = {{ from = 2000-01-01, to = 2007-12-31 }}

[stability]
depreciation_trigger = {trigger:?}
window_months = 3
host_accepts_probability = 0.0
deferral_months = 12
"#
        );
        let deal = one_project_deal("2008-11-03", 2, "2008-11-03", 10.0, "1.0", &sections);
        let history = pactsim_data::fx_daily("KRW/USD").unwrap();
        let on = |date: NaiveDate| {
            let after = history.dates.partition_point(|d| *d <= date);
            history.values[after - 1]
        };
        let loss =
            1.0 - on(NaiveDate::from_ymd_opt(2008, 8, 2).unwrap()) / on(NaiveDate::from_ymd_opt(2008, 11, 2).unwrap());
        let outcome = engine::run_path(&deal, &random_draws(&deal, 3, 0));
        (outcome.currency.unwrap().deferral_requests, loss)
    }

    #[test]
    fn the_depreciation_trigger_compares_the_eve_with_the_window_before_it() {
        let (_, loss) = crisis_of_2008(0.1);
        // The won lost about a fifth of its dollar value from August to October 2008.
        assert!(loss > 0.2 && loss < 0.3, "{loss}");
        assert_eq!(crisis_of_2008(loss - 1e-6).0, 1);
        assert_eq!(crisis_of_2008(loss + 1e-6).0, 0);
    }
}
