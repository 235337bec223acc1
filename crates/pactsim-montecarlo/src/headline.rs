//! A path's headline figures: what one outcome paid, received and was worth to each party, before
//! the figures across paths become Stats.

use chrono::{Datelike, NaiveDate};
use pactsim_model::deal::Deal;
use pactsim_model::figures::{self, Discount, FlowFigures, Irr, XirrSteps};
use pactsim_model::outcome::{DatedFlow, Outcome};
use pactsim_trade::{Accrual, Scenario};

/// The headline figures of one outcome, before they become Stats.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub investor_paid: f64,
    pub investor_received: f64,
    /// With the terminal value (a flow on the horizon date), as the IRR.
    pub investor_npv: f64,
    pub investor_irr: Irr,
    pub investor_moic: Option<f64>,
    pub host_received: f64,
    pub host_tax: f64,
    /// With the host's terminal value.
    pub host_npv: f64,
    /// What the investor, and the host, still own or are owed at the horizon, on the horizon date.
    pub investor_terminal_value: f64,
    pub host_terminal_value: f64,
    /// Whether every recoup account recouped by the horizon; `None` when the path has none.
    pub all_recouped: Option<bool>,
    pub recoup_year: Option<i32>,
    pub guarantee_calls: f64,
    pub losses: f64,
    /// Equity written off when projects defaulted.
    pub equity_lost: f64,
    /// Present value of the investor's tariff relief, when the deal has a `[trade]` section.
    pub tariff_relief_npv: Option<f64>,
}

impl Headline {
    pub fn deal_npv(&self) -> Option<f64> {
        self.tariff_relief_npv.map(|relief| self.investor_npv + relief)
    }
}

/// How the headline discounts each party's flows: to the deal's start at the party's rate; the
/// factors the investor's XIRR search steps by; and the discounting of the investor's tariff
/// relief from the trade's effective date to the deal's end (what a path without a snapback
/// accrues).
#[derive(Debug, Clone)]
pub struct Discounts {
    investor: Discount,
    host: Discount,
    xirr_steps: XirrSteps,
    /// Each trade market's.
    relief: Vec<Accrual>,
}

impl Discounts {
    /// For one outcome: no day's factor computed in advance.
    pub fn of(deal: &Deal) -> Self {
        Discounts::up_to(deal, deal.start)
    }

    /// For many outcomes: every day's factor to the horizon computed in advance.
    pub fn tabulated(deal: &Deal) -> Self {
        Discounts::up_to(deal, deal.end)
    }

    fn up_to(deal: &Deal, last: NaiveDate) -> Self {
        Discounts {
            investor: Discount::new(deal.run.investor_discount_rate, deal.start, last),
            host: Discount::new(deal.run.host_discount_rate, deal.start, last),
            xirr_steps: XirrSteps::spanning(deal.start, last),
            relief: (deal.trade.iter())
                .map(|trade| {
                    Accrual::new(deal.run.investor_discount_rate, deal.start, trade.relief_from(deal.start), deal.end)
                })
                .collect(),
        }
    }
}

impl Discounts {
    /// Paid, received, NPV and IRR of a part of the investor's flows (one facility's) with its
    /// terminal value on `horizon`, discounted like the investor's own.
    pub fn investor_figures(&self, flows: &[DatedFlow], terminal_value: f64, horizon: NaiveDate) -> FlowFigures {
        FlowFigures::with_terminal(flows, terminal_flow(terminal_value, horizon), &self.investor, &self.xirr_steps)
    }
}

/// A terminal value as one flow on the horizon date; none when it is nothing.
fn terminal_flow(value: f64, horizon: NaiveDate) -> Option<DatedFlow> {
    (value != 0.0).then_some(DatedFlow { date: horizon, amount: value })
}

pub fn headline(deal: &Deal, outcome: &Outcome) -> Headline {
    headline_with(deal, outcome, &Discounts::of(deal))
}

pub fn headline_with(deal: &Deal, outcome: &Outcome, discounts: &Discounts) -> Headline {
    let investor = discounts.investor_figures(&outcome.investor_flows, outcome.investor_terminal_value, deal.end);
    let host_terminal = terminal_flow(outcome.host_terminal_value, deal.end);
    let all_recouped = (!outcome.accounts.is_empty()).then(|| outcome.accounts.iter().all(|a| a.recouped_on.is_some()));
    let recoup_year = if all_recouped == Some(true) {
        outcome.accounts.iter().filter_map(|a| a.recouped_on).map(|d| d.year()).max()
    } else {
        None
    };
    Headline {
        investor_paid: investor.paid,
        investor_received: investor.received,
        investor_npv: investor.npv,
        investor_moic: figures::moic_of(investor.paid, investor.received),
        investor_irr: investor.irr,
        host_received: outcome.years.iter().map(|y| y.host_received).sum(),
        host_tax: outcome.years.iter().map(|y| y.host_tax).sum(),
        host_npv: discounts.host.npv(&outcome.host_flows)
            + host_terminal.map_or(0.0, |flow| discounts.host.npv(&[flow])),
        investor_terminal_value: outcome.investor_terminal_value,
        host_terminal_value: outcome.host_terminal_value,
        all_recouped,
        recoup_year,
        guarantee_calls: outcome.years.iter().map(|y| y.guarantee_calls).sum(),
        losses: outcome.years.iter().map(|y| y.losses).sum(),
        equity_lost: outcome.years.iter().map(|y| y.equity_lost).sum(),
        tariff_relief_npv: (!deal.trade.is_empty()).then(|| {
            // Each market's relief from its own effective date, summed in the deal's order.
            (deal.trade.iter().zip(&outcome.trade).zip(&discounts.relief))
                .map(|((trade, result), accrual)| relief_npv(deal, trade, result, accrual, outcome.snapback_from))
                .sum()
        }),
    }
}

/// The present value of one market's relief: accruing day by day from its first day to the
/// horizon, or to the day before the snapback and at the snapback tariffs from then.
fn relief_npv(
    deal: &Deal,
    trade: &pactsim_trade::Trade,
    result: &pactsim_trade::TradeOutcome,
    accrual: &Accrual,
    snapback_from: Option<NaiveDate>,
) -> f64 {
    let rate = deal.run.investor_discount_rate;
    let from = trade.relief_from(deal.start);
    let relief = result.investor_tariff_relief_usd_bn_per_year;
    let Some(date) = snapback_from else {
        return accrual.present_value(relief);
    };
    let snapped = date.max(from);
    let before = match snapped.pred_opt() {
        Some(last) if last >= from => {
            pactsim_trade::accrued_present_value(relief, rate, deal.start, from, last.min(deal.end))
        }
        _ => 0.0,
    };
    let snapped_relief = result.investor_relief_under(Scenario::Snapback, trade.investor);
    before + pactsim_trade::accrued_present_value(snapped_relief, rate, deal.start, snapped, deal.end)
}
