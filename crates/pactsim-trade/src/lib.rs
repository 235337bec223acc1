//! The trade engine: what a tariff schedule does to one importing market and to each source.
//!
//! One market, non-linear CES (Armington) demand across sources, constant-elasticity supply per
//! source, ad-valorem tariffs, solved exactly in "hat" form from the base equilibrium (values at
//! producer prices, base tariffs). With `τ_s = (1+t1_s)/(1+t0_s)` and base consumer-price shares
//! `π_s`, the price index is `P = [Σ π_s (τ_s p_s)^(1−σ)]^(1/(1−σ))`, total demand `Q = P^η`,
//! demand `q_s = (τ_s p_s / P)^(−σ) Q` and supply `q_s = p_s^ε_s`. Market clearing gives each
//! producer price as a function of `P` alone, `p_s = (τ_s^(−σ) P^(σ+η))^(1/(ε_s+σ))`, so the model
//! reduces to one equation in `ln P`, which is strictly decreasing and is bracketed and solved by
//! safeguarded Newton steps.
//!
//! `smart_view` reports the linear WITS-SMART decomposition (trade creation, diversion, price
//! effect) of the deal's tariff change beside the exact result, for analysts used to it.

use chrono::{Datelike, NaiveDate};

use pactsim_numeric::distribution::Distribution;

/// The market's own producers; they pay no tariff.
pub const DOMESTIC: &str = "domestic";

/// One validated trade market of a deal: the `[trade]` section's one market, or one of its
/// `[[trade.markets]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    /// The market's name in the deal (its `id`, or the sector's name for the one-market form).
    pub id: String,
    pub sector: String,
    /// Deal tariffs apply from this date.
    pub effective: NaiveDate,
    pub market: Market,
    /// Tariff per source (aligned with `market.sources`) in each scenario, overrides applied.
    pub schedules: [Vec<f64>; 3],
    pub elasticities: ElasticitySpec,
    /// Index of the investor's source in `market.sources`.
    pub investor: usize,
}

impl Trade {
    /// The first day the investor's tariff relief accrues in a deal starting on `start`: the
    /// later of the deal's start and the day deal tariffs apply.
    pub fn relief_from(&self, start: NaiveDate) -> NaiveDate {
        self.effective.max(start)
    }

    /// The press's yardstick of what the deal is worth to the investor's exporters each year: the
    /// tariff cut (its `no_deal` tariff less its `deal` tariff) times its sales to the market in
    /// the base year, at base volumes and producer prices; no price or volume responds.
    pub fn duty_saved_usd_bn_per_year(&self) -> f64 {
        let [no_deal, deal, _] = &self.schedules;
        let base = self.market.sources[self.investor].base_value_usd_bn;
        (no_deal[self.investor] - deal[self.investor]) * base
    }
}

/// The base equilibrium: one row per source, `domestic` included.
#[derive(Debug, Clone, PartialEq)]
pub struct Market {
    pub importer: String,
    pub year: i32,
    /// Where the numbers come from: an embedded data set or the deal file.
    pub origin: String,
    pub sources: Vec<MarketSource>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MarketSource {
    pub code: String,
    /// Sales in the market at producer prices in the base year, USD billions.
    pub base_value_usd_bn: f64,
    pub base_tariff: f64,
}

impl MarketSource {
    pub fn is_domestic(&self) -> bool {
        self.code == DOMESTIC
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticitySpec {
    pub substitution: Distribution,
    pub demand: Distribution,
    pub foreign_supply: Distribution,
    pub domestic_supply: Distribution,
}

impl ElasticitySpec {
    pub fn central(&self) -> Elasticities {
        Elasticities {
            substitution: self.substitution.central(),
            demand: self.demand.central(),
            foreign_supply: self.foreign_supply.central(),
            domestic_supply: self.domestic_supply.central(),
        }
    }
}

/// Elasticities of one solve: σ > 0, η ≤ 0, supply > 0 (infinite: fixed producer prices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elasticities {
    pub substitution: f64,
    pub demand: f64,
    pub foreign_supply: f64,
    pub domestic_supply: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    NoDeal,
    Deal,
    Snapback,
}

impl Scenario {
    pub const ALL: [Scenario; 3] = [Scenario::NoDeal, Scenario::Deal, Scenario::Snapback];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::NoDeal => "no_deal",
            Scenario::Deal => "deal",
            Scenario::Snapback => "snapback",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One scenario's equilibrium, relative to the base year.
#[derive(Debug, Clone, PartialEq)]
pub struct Equilibrium {
    /// `P`, the consumer price index relative to the base year.
    pub price_index: f64,
    pub tariff_revenue_usd_bn: f64,
    pub consumer_surplus_change_usd_bn: f64,
    pub sources: Vec<SourceEquilibrium>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceEquilibrium {
    /// Sales at producer prices, `v · p · q`.
    pub value_usd_bn: f64,
    /// `p`, the producer price relative to the base year.
    pub producer_price: f64,
    /// `q`, the quantity relative to the base year.
    pub quantity: f64,
    pub duties_usd_bn: f64,
    pub producer_surplus_change_usd_bn: f64,
}

/// The trade picture of a deal: three equilibria and the investor's relief.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeOutcome {
    pub elasticities: Elasticities,
    pub scenarios: [Equilibrium; 3],
    /// The investor's producer surplus under `deal` minus under `no_deal`, per year.
    pub investor_tariff_relief_usd_bn_per_year: f64,
    pub smart: SmartView,
}

impl TradeOutcome {
    /// The investor's producer surplus under `scenario` minus under `no_deal`, per year.
    pub fn investor_relief_under(&self, scenario: Scenario, investor: usize) -> f64 {
        self.scenarios[scenario.index()].sources[investor].producer_surplus_change_usd_bn
            - self.scenarios[Scenario::NoDeal.index()].sources[investor].producer_surplus_change_usd_bn
    }
}

/// Solves the three scenarios at the elasticities' central values.
pub fn run(trade: &Trade) -> TradeOutcome {
    run_with(trade, trade.elasticities.central())
}

/// Solves the three scenarios at given elasticities.
pub fn run_with(trade: &Trade, elasticities: Elasticities) -> TradeOutcome {
    let scenarios = Scenario::ALL.map(|s| solve(&trade.market, &trade.schedules[s.index()], elasticities));
    let relief = scenarios[Scenario::Deal.index()].sources[trade.investor].producer_surplus_change_usd_bn
        - scenarios[Scenario::NoDeal.index()].sources[trade.investor].producer_surplus_change_usd_bn;
    // (kept in step with `TradeOutcome::investor_relief_under(Scenario::Deal, …)`)
    let smart = smart_view(
        &trade.market,
        &trade.schedules[Scenario::NoDeal.index()],
        &trade.schedules[Scenario::Deal.index()],
        &scenarios[Scenario::NoDeal.index()],
        &scenarios[Scenario::Deal.index()],
        elasticities,
    );
    TradeOutcome { elasticities, scenarios, investor_tariff_relief_usd_bn_per_year: relief, smart }
}

/// Per source, the part of `ln p_s` and its slope in `ln P`: `ln p_s = a_s + b_s · ln P`.
struct PriceResponse {
    intercept: f64,
    slope: f64,
}

fn price_response(ln_tau: f64, sigma: f64, eta: f64, epsilon: f64) -> PriceResponse {
    if epsilon.is_infinite() {
        return PriceResponse { intercept: 0.0, slope: 0.0 };
    }
    let denominator = epsilon + sigma;
    PriceResponse { intercept: -sigma * ln_tau / denominator, slope: (sigma + eta) / denominator }
}

/// `ln Σ w_i e^{c·a_i} / c` (a CES aggregate in logs) and its weights' mean of `da_i`; the
/// Cobb–Douglas limit `Σ w_i a_i` as `c → 0`.
fn log_aggregate(weights: &[f64], logs: &[f64], slopes: &[f64], c: f64) -> (f64, f64) {
    let peak = logs.iter().copied().fold(f64::NEG_INFINITY, |m, a| m.max(c * a));
    let trough = logs.iter().copied().fold(f64::INFINITY, |m, a| m.min(c * a));
    if c.abs() < 1e-300 {
        let mean: f64 = weights.iter().zip(logs).map(|(w, a)| w * a).sum();
        let slope: f64 = weights.iter().zip(slopes).map(|(w, da)| w * da).sum();
        return (mean, slope);
    }
    if peak.abs() < 1.0 && trough.abs() < 1.0 {
        // Near σ = 1 the terms are close to 1: ln Σ w e^{ca} = ln(1 + Σ w (e^{ca} − 1)) keeps the
        // digits that the plain sum would cancel (the weights sum to 1).
        let mut excess = 0.0;
        let mut slope = 0.0;
        for ((w, a), da) in weights.iter().zip(logs).zip(slopes) {
            let grown = (c * a).exp_m1();
            excess += w * grown;
            slope += w * (1.0 + grown) * da;
        }
        return (excess.ln_1p() / c, slope / (1.0 + excess));
    }
    let mut sum = 0.0;
    let mut slope = 0.0;
    for ((w, a), da) in weights.iter().zip(logs).zip(slopes) {
        let term = w * (c * a - peak).exp();
        sum += term;
        slope += term * da;
    }
    ((sum.ln() + peak) / c, slope / sum)
}

/// The equilibrium of `market` under `tariffs` (aligned with its sources).
pub fn solve(market: &Market, tariffs: &[f64], e: Elasticities) -> Equilibrium {
    let (sigma, eta) = (e.substitution, e.demand);
    let spending: Vec<f64> = market.sources.iter().map(|s| s.base_value_usd_bn * (1.0 + s.base_tariff)).collect();
    let base_spending: f64 = spending.iter().sum();
    let shares: Vec<f64> = spending.iter().map(|v| v / base_spending).collect();
    let ln_tau: Vec<f64> =
        market.sources.iter().zip(tariffs).map(|(s, t)| (1.0 + t).ln() - (1.0 + s.base_tariff).ln()).collect();
    let supply: Vec<f64> =
        market.sources.iter().map(|s| if s.is_domestic() { e.domestic_supply } else { e.foreign_supply }).collect();
    let responses: Vec<PriceResponse> =
        ln_tau.iter().zip(&supply).map(|(lt, eps)| price_response(*lt, sigma, eta, *eps)).collect();
    let slopes: Vec<f64> = responses.iter().map(|r| r.slope).collect();

    // G(x) = ln P implied by the sources' prices at ln P = x, minus x; strictly decreasing.
    let mut logs = vec![0.0; shares.len()];
    let mut gap = |x: f64| -> (f64, f64) {
        for ((l, lt), r) in logs.iter_mut().zip(&ln_tau).zip(&responses) {
            *l = lt + r.intercept + r.slope * x;
        }
        let (value, slope) = log_aggregate(&shares, &logs, &slopes, 1.0 - sigma);
        (value - x, slope - 1.0)
    };
    let ln_p = solve_decreasing(&mut gap);

    let price_index = ln_p.exp();
    let quantity_index = (eta * ln_p).exp();
    let sources: Vec<SourceEquilibrium> = market
        .sources
        .iter()
        .zip(tariffs)
        .zip(&ln_tau)
        .zip(responses.iter().zip(&supply))
        .map(|(((source, tariff), lt), (r, epsilon))| {
            let ln_price = r.intercept + r.slope * ln_p;
            let producer_price = ln_price.exp();
            let quantity = (-sigma * (lt + ln_price - ln_p)).exp() * quantity_index;
            let value_usd_bn = source.base_value_usd_bn * producer_price * quantity;
            let producer_surplus_change_usd_bn = if epsilon.is_infinite() {
                0.0
            } else {
                source.base_value_usd_bn * ((1.0 + epsilon) * ln_price).exp_m1() / (1.0 + epsilon)
            };
            SourceEquilibrium {
                value_usd_bn,
                producer_price,
                quantity,
                duties_usd_bn: tariff * value_usd_bn,
                producer_surplus_change_usd_bn,
            }
        })
        .collect();
    let tariff_revenue_usd_bn = sources.iter().map(|s| s.duties_usd_bn).sum();
    // −E0 (P^(1+η) − 1)/(1+η), which is −E0 ln P at η = −1.
    let exponent = 1.0 + eta;
    let growth = if exponent.abs() < 1e-12 { ln_p } else { (exponent * ln_p).exp_m1() / exponent };
    Equilibrium { price_index, tariff_revenue_usd_bn, consumer_surplus_change_usd_bn: -base_spending * growth, sources }
}

/// The root of a strictly decreasing function given with its slope: bracket by doubling steps
/// from 0, then Newton steps kept inside the bracket, bisection otherwise.
fn solve_decreasing(f: &mut dyn FnMut(f64) -> (f64, f64)) -> f64 {
    let (f0, _) = f(0.0);
    if f0 == 0.0 {
        return 0.0;
    }
    let direction = if f0 > 0.0 { 1.0 } else { -1.0 };
    let mut step = 0.25;
    let (mut low, mut high) = (0.0, 0.0);
    for _ in 0..200 {
        let x = direction * step;
        let (value, _) = f(x);
        if (value > 0.0) == (f0 > 0.0) && value != 0.0 {
            if direction > 0.0 {
                low = x
            } else {
                high = x
            }
            step *= 2.0;
        } else {
            if direction > 0.0 {
                high = x
            } else {
                low = x
            }
            break;
        }
    }
    // Decreasing: positive at `low`, negative at `high`.
    pactsim_numeric::solve::bracketed_newton(f, low, high, false, |x| 1e-15 * (1.0 + x.abs()))
}

/// The WITS-SMART view of the deal's tariff change (from `no_deal` to `deal`), per foreign source,
/// beside the exact change.
#[derive(Debug, Clone, PartialEq)]
pub struct SmartView {
    /// The import-demand elasticity SMART needs, implied by the CES model:
    /// `−σ(1 − m) + η m`, with `m` the imports' share of spending under `no_deal`.
    pub import_demand_elasticity: f64,
    /// Σ of trade creation: SMART's change in total imports.
    pub trade_creation_usd_bn: f64,
    /// The exact change in total imports (at producer prices).
    pub exact_imports_change_usd_bn: f64,
    /// Foreign sources, in market order.
    pub sources: Vec<SmartSource>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SmartSource {
    pub code: String,
    pub trade_creation_usd_bn: f64,
    pub trade_diversion_usd_bn: f64,
    pub price_effect_usd_bn: f64,
    /// SMART's implied change in imports from this source: its diversion plus its share (of
    /// import spending) of total creation.
    pub smart_change_usd_bn: f64,
    pub exact_change_usd_bn: f64,
}

fn smart_view(
    market: &Market,
    before: &[f64],
    after: &[f64],
    start: &Equilibrium,
    end: &Equilibrium,
    e: Elasticities,
) -> SmartView {
    let foreign: Vec<usize> = (0..market.sources.len()).filter(|&i| !market.sources[i].is_domestic()).collect();
    // SMART's demand side is defined over domestic (tariff-inclusive) prices, so its shares are
    // shares of spending; that makes the view agree with the exact model to first order.
    let spending: Vec<f64> = start.sources.iter().zip(before).map(|(s, t)| s.value_usd_bn * (1.0 + t)).collect();
    let total_spending: f64 = spending.iter().sum();
    let import_spending: f64 = foreign.iter().map(|&i| spending[i]).sum();
    let m = if total_spending > 0.0 { import_spending / total_spending } else { 0.0 };
    let em = -e.substitution * (1.0 - m) + e.demand * m;
    let ex = e.foreign_supply;
    let supply_factor = if ex.is_infinite() { 1.0 } else { 1.0 - em / ex };

    let mut rows = Vec::with_capacity(foreign.len());
    let mut creation_total = 0.0;
    for &k in &foreign {
        let m_k = start.sources[k].value_usd_bn;
        let relative_change = (after[k] - before[k]) / (1.0 + before[k]);
        let creation = m_k * em * relative_change / supply_factor;
        // The others' tariff change, weighted by their spending, against this source's.
        let others: f64 = foreign.iter().filter(|&&j| j != k).map(|&j| spending[j]).sum();
        let others_tau = if others > 0.0 {
            foreign
                .iter()
                .filter(|&&j| j != k)
                .map(|&j| spending[j] * (1.0 + after[j]) / (1.0 + before[j]))
                .sum::<f64>()
                / others
        } else {
            1.0
        };
        let x = others_tau / ((1.0 + after[k]) / (1.0 + before[k])) - 1.0;
        let denominator = spending[k] + others + spending[k] * e.substitution * x;
        let diversion = if denominator > 0.0 { m_k * others * e.substitution * x / denominator } else { 0.0 };
        let price_effect = if ex.is_infinite() { 0.0 } else { m_k * relative_change * em / (ex - em) };
        creation_total += creation;
        rows.push(SmartSource {
            code: market.sources[k].code.clone(),
            trade_creation_usd_bn: creation,
            trade_diversion_usd_bn: diversion,
            price_effect_usd_bn: price_effect,
            smart_change_usd_bn: 0.0,
            exact_change_usd_bn: end.sources[k].value_usd_bn - m_k,
        });
    }
    for (row, &k) in rows.iter_mut().zip(&foreign) {
        let share = if import_spending > 0.0 { spending[k] / import_spending } else { 0.0 };
        row.smart_change_usd_bn = row.trade_diversion_usd_bn + share * creation_total;
    }
    let imports_before: f64 = foreign.iter().map(|&i| start.sources[i].value_usd_bn).sum();
    let exact_imports_change_usd_bn =
        foreign.iter().map(|&i| end.sources[i].value_usd_bn).sum::<f64>() - imports_before;
    SmartView {
        import_demand_elasticity: em,
        trade_creation_usd_bn: creation_total,
        exact_imports_change_usd_bn,
        sources: rows,
    }
}

/// The share of each calendar year `first_year..=end.year()` spent under the deal tariff within
/// `[from, end]` (both included): days covered over the days of the year.
pub fn year_shares(first_year: i32, from: NaiveDate, end: NaiveDate) -> Vec<(i32, f64)> {
    (first_year..=end.year())
        .map(|year| {
            let year_start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
            let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
            let days_in_year = (year_end - year_start).num_days() + 1;
            let (a, b) = (from.max(year_start), end.min(year_end));
            let covered = if b >= a { (b - a).num_days() + 1 } else { 0 };
            (year, covered as f64 / days_in_year as f64)
        })
        .collect()
}

/// Present value at `start` (ACT/365F, rate `rate`) of a yearly amount accruing day by day from
/// `from` to `end`: each day earns `amount / days in its year`, dated that day.
pub fn accrued_present_value(amount: f64, rate: f64, start: NaiveDate, from: NaiveDate, end: NaiveDate) -> f64 {
    Accrual::new(rate, start, from, end).present_value(amount)
}

/// `accrued_present_value` of any yearly amount over one span: the discounting depends on the
/// dates and the rate alone, so a Monte Carlo run takes its powers once for every path's relief
/// (they were some 60 `powf` a path), and each amount costs a division and a product a year.
#[derive(Debug, Clone)]
pub struct Accrual {
    /// Each year the span covers: its days, and the sum of its covered days' discount factors.
    years: Vec<(f64, f64)>,
}

impl Accrual {
    pub fn new(rate: f64, start: NaiveDate, from: NaiveDate, end: NaiveDate) -> Self {
        let daily_discount = (1.0 + rate).powf(-1.0 / 365.0);
        let years = (from.year()..=end.year())
            .filter_map(|year| {
                let year_start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
                let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
                let (a, b) = (from.max(year_start), end.min(year_end));
                if b < a {
                    return None;
                }
                let days_in_year = ((year_end - year_start).num_days() + 1) as f64;
                let (first, last) = ((a - start).num_days(), (b - start).num_days());
                let days = (last - first + 1) as f64;
                // Σ_{i=first}^{last} v^i, a geometric series.
                let sum = if rate == 0.0 {
                    days
                } else {
                    daily_discount.powf(first as f64) * (1.0 - daily_discount.powf(days)) / (1.0 - daily_discount)
                };
                Some((days_in_year, sum))
            })
            .collect();
        Accrual { years }
    }

    /// The present value of `amount` a year accruing over the span.
    pub fn present_value(&self, amount: f64) -> f64 {
        self.years.iter().fold(0.0, |total, (days_in_year, sum)| total + amount / days_in_year * sum)
    }
}

#[cfg(test)]
mod tests;
