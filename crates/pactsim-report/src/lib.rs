//! The run output (schema 1): the public JSON contract, built in one place from a deal's outcome.
//!
//! The engine's types can change freely; these types change only with the contract
//! (`docs/output.md` lists the fields pactsim adds to it).

pub mod charts;
pub mod html;
pub mod parquet;
pub mod paths;
pub mod tables;
pub mod text;
pub mod xlsx;

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use pactsim_model::deal::Deal;
use pactsim_model::outcome::FlowRow;
use pactsim_montecarlo::stats::Stat;
use pactsim_montecarlo::{
    CurrencyFigure, FacilityFigure, MonthFigure, ScenarioFigure, SourceFigure, Summary, Total, YearFigure,
};
use pactsim_trade::{Scenario, Trade};

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct RunOutput {
    pub schema: u32,
    pub version: String,
    pub deal: String,
    pub title: String,
    pub seed: u64,
    pub paths: u64,
    /// The overrides the deal file was read with, in order, as recorded (`KEY=VALUE`, `!KEY`).
    pub overrides: Vec<String>,
    pub deterministic: bool,
    /// The random streams used (algorithm and crate versions).
    pub random: String,
    pub defaults_applied: Vec<String>,
    pub totals: Totals,
    pub years: Vec<Year>,
    pub facilities: Vec<Facility>,
    pub projects: Vec<Project>,
    pub recoup_accounts: Vec<RecoupAccount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade: Option<TradeJson>,
    /// Present when the deal has an `[fx]` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxJson>,
    /// Present when the deal has a `[reserves]` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserves: Option<ReservesJson>,
    /// With `--paths auto`: what the run stopped on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convergence: Option<ConvergenceJson>,
}

/// How a `--paths auto` run stopped.
#[derive(Debug, Clone, Serialize)]
pub struct ConvergenceJson {
    /// The figure whose mean had to settle: `deal_npv`, or `investor_npv` without `[trade]`.
    pub figure: &'static str,
    pub tolerance: f64,
    pub max_paths: u64,
    /// Standard error of that mean over its absolute value, when it is defined.
    pub relative_se: Option<f64>,
    /// Whether the tolerance was met (else the run stopped at `max_paths`).
    pub reached: bool,
}

/// A Stat as JSON: `null` where the figure exists on no path; `defined_share` where it may not exist.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct StatJson {
    pub mean: Option<f64>,
    /// Monte Carlo standard error of the mean (0 in a deterministic run).
    pub mean_se: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defined_share: Option<f64>,
}

impl From<Stat> for StatJson {
    fn from(s: Stat) -> Self {
        StatJson { mean: s.mean, mean_se: s.mean_se, p5: s.p5, p50: s.p50, p95: s.p95, defined_share: s.defined_share }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Totals {
    pub investor_paid: StatJson,
    pub investor_received: StatJson,
    pub investor_npv: StatJson,
    pub investor_irr: StatJson,
    pub investor_moic: StatJson,
    pub host_received: StatJson,
    pub host_tax: StatJson,
    pub host_npv: StatJson,
    /// What the investor still owns or is owed at the horizon, valued on the horizon date
    /// (docs/semantics.md, "Terminal value"); included in `investor_npv`, `investor_irr` (a last
    /// flow on the horizon date) and `deal_npv`; 0 with `run.terminal_value = "none"`.
    pub investor_terminal_value: StatJson,
    /// The host's likewise, included in `host_npv`.
    pub host_terminal_value: StatJson,
    /// Share of paths on which every recoup account recouped by the horizon, among the paths that
    /// have one; `null` when the deal has no recoup account (no waterfall runs until recouped).
    pub recouped_share: Option<f64>,
    pub recoup_year: StatJson,
    pub guarantee_calls: StatJson,
    /// Principal, arrears and guarantee claims never repaid.
    pub losses: StatJson,
    /// Equity written off when projects defaulted (apart from `losses`).
    pub equity_lost: StatJson,
    pub irr_multiple_roots: bool,
    pub recoup_accounts: usize,
    /// Present when the deal has a `[trade]` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tariff_relief_npv: Option<StatJson>,
    /// `investor_npv + tariff_relief_npv`: is the deal worth it to the investor?
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal_npv: Option<StatJson>,
    /// Number of projects that defaulted.
    pub defaults: StatJson,
    /// Number of projects the investor refused.
    pub declines: StatJson,
    /// Share of paths on which the host snapped the investor's tariff back.
    pub snapback_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Year {
    pub year: i32,
    /// Each of the year's figures (`YearFigure::ALL`, by name), in that order; `tariff_relief`
    /// only when the deal has a `[trade]` section.
    #[serde(flatten)]
    pub figures: IndexMap<&'static str, StatJson>,
}

impl Year {
    pub fn get(&self, figure: YearFigure) -> Option<StatJson> {
        self.figures.get(figure.name()).copied()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Facility {
    pub id: String,
    pub paid: StatJson,
    pub received: StatJson,
    /// The investor's NPV, IRR and MOIC on this facility's projects alone (like the totals').
    pub npv: StatJson,
    pub irr: StatJson,
    pub moic: StatJson,
    /// The investor's terminal value on the facility's projects (in its `npv` and `irr`).
    pub terminal_value: StatJson,
    /// Share of paths on which every recoup account of the facility's projects recouped, among
    /// the paths that have one; `null` when its waterfall never runs until recouped.
    pub recouped_share: Option<f64>,
    /// How the facility's USD is raised: "reserves", "market" or "none".
    pub funding_channel: &'static str,
    pub committed_unfunded: StatJson,
    pub commitment_usd_bn: f64,
    pub funded_usd_bn: StatJson,
    pub pending_usd_bn: StatJson,
    pub guarantee_calls: StatJson,
    pub losses: StatJson,
    pub equity_lost: StatJson,
}

#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub id: String,
    pub facility: String,
    pub funded_on: Option<String>,
    pub selected: String,
    pub due: String,
    pub size_usd_bn: f64,
    pub size_cut_usd_bn: f64,
    /// The investor refused the project (on the central path).
    pub declined: bool,
    pub recouped_on: Option<String>,
    /// Months labour friction delayed its operation, and the overrun paid (central path).
    pub labor_delay_months: u32,
    pub cost_overrun_usd_bn: f64,
    pub funding: Vec<Payment>,
    pub flows: Vec<Flow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub date: String,
    pub usd_bn: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub date: String,
    pub cash: f64,
    pub debt_service: f64,
    pub host_tax: f64,
    pub investor: f64,
    pub host: f64,
    pub guarantee_fee: f64,
    pub investor_first_tier: f64,
    pub debt_service_investor: f64,
    pub debt_service_lenders: f64,
    pub guarantee_call: f64,
    pub recovery: f64,
    pub defaulted: bool,
    pub loss: f64,
    pub equity_lost: f64,
}

impl From<&FlowRow> for Flow {
    fn from(row: &FlowRow) -> Self {
        Flow {
            date: row.date.to_string(),
            cash: row.cash,
            debt_service: row.debt_service(),
            host_tax: row.host_tax,
            investor: row.investor,
            host: row.host,
            guarantee_fee: row.guarantee_fee,
            investor_first_tier: row.investor_first_tier,
            debt_service_investor: row.debt_service_investor,
            debt_service_lenders: row.debt_service_lenders,
            guarantee_call: row.guarantee_call,
            recovery: row.recovery,
            defaulted: row.defaulted,
            loss: row.loss,
            equity_lost: row.equity_lost,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RecoupAccount {
    pub account: String,
    pub waterfall: String,
    pub recouped_on: Option<String>,
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The schema-1 document of a run.
pub fn run_output(deal: &Deal, summary: &Summary, version: &str) -> RunOutput {
    let l = &summary.layout;
    let st = |index: usize| StatJson::from(summary.stat(index));
    let total = |figure: Total| st(l.total(figure));
    let central = &summary.central;
    RunOutput {
        schema: SCHEMA,
        version: version.to_string(),
        deal: deal.id.clone(),
        title: deal.title.clone(),
        seed: summary.seed,
        paths: summary.paths,
        overrides: deal.overrides.clone(),
        deterministic: summary.deterministic,
        random: RANDOM_STREAMS.to_string(),
        defaults_applied: deal.defaults_applied.clone(),
        totals: Totals {
            investor_paid: total(Total::InvestorPaid),
            investor_received: total(Total::InvestorReceived),
            investor_npv: total(Total::InvestorNpv),
            investor_irr: total(Total::InvestorIrr),
            investor_moic: total(Total::InvestorMoic),
            host_received: total(Total::HostReceived),
            host_tax: total(Total::HostTax),
            host_npv: total(Total::HostNpv),
            investor_terminal_value: total(Total::InvestorTerminalValue),
            host_terminal_value: total(Total::HostTerminalValue),
            recouped_share: summary.stat(l.total(Total::Recouped)).mean,
            recoup_year: total(Total::RecoupYear),
            guarantee_calls: total(Total::GuaranteeCalls),
            losses: total(Total::Losses),
            equity_lost: total(Total::EquityLost),
            irr_multiple_roots: summary.stat(l.total(Total::IrrMultipleRoots)).mean.unwrap_or(0.0) > 0.0,
            recoup_accounts: central.accounts.len(),
            tariff_relief_npv: (!deal.trade.is_empty()).then(|| total(Total::TariffReliefNpv)),
            deal_npv: (!deal.trade.is_empty()).then(|| total(Total::DealNpv)),
            defaults: total(Total::Defaults),
            declines: total(Total::Declines),
            snapback_share: summary.stat(l.total(Total::Snapback)).mean.unwrap_or(0.0),
        },
        years: central
            .years
            .iter()
            .enumerate()
            .map(|(i, y)| Year {
                year: y.year,
                figures: YearFigure::ALL
                    .iter()
                    .filter(|&&figure| figure != YearFigure::TariffRelief || !deal.trade.is_empty())
                    .map(|&figure| (figure.name(), st(l.year(i, figure))))
                    .collect(),
            })
            .collect(),
        facilities: deal
            .facilities
            .iter()
            .enumerate()
            .map(|(j, f)| Facility {
                id: f.id.clone(),
                paid: st(l.facility(j, FacilityFigure::Paid)),
                received: st(l.facility(j, FacilityFigure::Received)),
                npv: st(l.facility(j, FacilityFigure::Npv)),
                irr: st(l.facility(j, FacilityFigure::Irr)),
                moic: st(l.facility(j, FacilityFigure::Moic)),
                terminal_value: st(l.facility(j, FacilityFigure::TerminalValue)),
                recouped_share: summary.stat(l.facility(j, FacilityFigure::Recouped)).mean,
                funding_channel: f.funding_channel.name(),
                committed_unfunded: st(l.facility(j, FacilityFigure::CommittedUnfunded)),
                commitment_usd_bn: f.commitment_usd_bn,
                funded_usd_bn: st(l.facility(j, FacilityFigure::Funded)),
                pending_usd_bn: st(l.facility(j, FacilityFigure::Pending)),
                guarantee_calls: st(l.facility(j, FacilityFigure::GuaranteeCalls)),
                losses: st(l.facility(j, FacilityFigure::Losses)),
                equity_lost: st(l.facility(j, FacilityFigure::EquityLost)),
            })
            .collect(),
        projects: central
            .projects
            .iter()
            .map(|p| Project {
                id: p.id.clone(),
                facility: p.facility.clone(),
                funded_on: date(p.funded_on),
                selected: p.selected.to_string(),
                due: p.due.to_string(),
                size_usd_bn: p.size_usd_bn,
                size_cut_usd_bn: p.size_cut_usd_bn,
                declined: p.declined,
                recouped_on: date(p.recouped_on),
                labor_delay_months: p.labor_delay_months,
                cost_overrun_usd_bn: p.cost_overrun_usd_bn,
                funding: p.funding.iter().map(|f| Payment { date: f.date.to_string(), usd_bn: f.amount }).collect(),
                flows: p.flows.iter().map(Flow::from).collect(),
            })
            .collect(),
        recoup_accounts: central
            .accounts
            .iter()
            .map(|a| RecoupAccount {
                account: a.name(deal),
                waterfall: deal.waterfalls[a.waterfall].name.clone(),
                recouped_on: date(a.recouped_on),
            })
            .collect(),
        trade: (!deal.trade.is_empty()).then(|| trade_output(&deal.trade, summary)),
        fx: deal.currency.as_ref().and_then(|c| c.fx.as_ref().map(|fx| fx_output(c, fx, summary))),
        reserves: deal.currency.as_ref().and_then(|c| c.reserves.map(|r| reserves_output(c, &r, summary))),
        convergence: None,
    }
}

/// The `fx` section: the model, its calibration and the rate at every month's end.
#[derive(Debug, Clone, Serialize)]
pub struct FxJson {
    pub pair: String,
    pub model: &'static str,
    pub funding_channel: &'static str,
    pub outflow_impact: f64,
    pub swap_line_usd_bn: f64,
    pub calibration: FxCalibrationJson,
    /// The last observed rate before the deal starts: where every path starts.
    pub start: ObservedRateJson,
    /// Month-end rates, local currency per USD.
    pub months: Vec<MonthRateJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FxCalibrationJson {
    pub from: String,
    pub to: String,
    /// Daily log returns between consecutive observations in the window.
    pub returns: usize,
    /// The fitted parameters (see docs/fx.md for each model's).
    #[serde(flatten)]
    pub parameters: IndexMap<&'static str, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObservedRateJson {
    pub date: String,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthRateJson {
    pub month: String,
    pub rate: StatJson,
}

/// The `reserves` section: levels and adequacy at every month's end, and the stability clause.
#[derive(Debug, Clone, Serialize)]
pub struct ReservesJson {
    pub start_usd_bn: f64,
    /// The IMF ARA EM metric the ratios divide by; the ARA fields are absent without `ara` inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ara_usd_bn: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ara_regime: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ara_floor: Option<f64>,
    /// Share of paths on which the ratio stood below the floor at some month's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breach_probability: Option<f64>,
    /// Requests to defer a funding call under the stability clause, per path.
    pub deferral_requests: StatJson,
    pub deferrals_granted: StatJson,
    /// The most drawn on the swap line at once, per path.
    pub swap_drawn_usd_bn: StatJson,
    /// Share of paths on which the swap line was drawn.
    pub swap_draw_probability: f64,
    pub months: Vec<MonthReservesJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthReservesJson {
    pub month: String,
    pub reserves_usd_bn: StatJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ara_ratio: Option<StatJson>,
}

fn fx_output(currency: &pactsim_model::deal::Currency, fx: &pactsim_model::deal::Fx, summary: &Summary) -> FxJson {
    use pactsim_fx::FxModelKind;
    let l = &summary.layout;
    let (date, rate) = fx.model.last_observed();
    FxJson {
        pair: fx.pair.clone(),
        model: match fx.kind {
            FxModelKind::Gbm => "gbm",
            FxModelKind::Garch => "garch",
            FxModelKind::Bootstrap => "bootstrap",
        },
        funding_channel: fx.channel.name(),
        outflow_impact: fx.outflow_impact,
        swap_line_usd_bn: fx.swap_line_usd_bn,
        calibration: FxCalibrationJson {
            from: fx.calibrate_from.to_string(),
            to: fx.calibrate_to.to_string(),
            returns: fx.model.returns,
            parameters: fx.model.model.calibration().into_iter().collect(),
        },
        start: ObservedRateJson { date: date.to_string(), rate },
        months: pactsim_model::currency::month_labels(currency)
            .into_iter()
            .enumerate()
            .map(|(i, month)| MonthRateJson { month, rate: summary.stat(l.month(i, MonthFigure::Rate)).into() })
            .collect(),
    }
}

fn reserves_output(
    currency: &pactsim_model::deal::Currency,
    reserves: &pactsim_model::deal::Reserves,
    summary: &Summary,
) -> ReservesJson {
    let l = &summary.layout;
    let st = |index: usize| StatJson::from(summary.stat(index));
    let share = |figure: CurrencyFigure| summary.stat(l.currency(figure)).mean.unwrap_or(0.0);
    ReservesJson {
        start_usd_bn: reserves.start_usd_bn,
        ara_usd_bn: reserves.ara.map(|a| a.metric_usd_bn()),
        ara_regime: reserves.ara.map(|a| match a.regime {
            pactsim_model::deal::AraRegime::Floating => "floating",
            pactsim_model::deal::AraRegime::Fixed => "fixed",
        }),
        ara_floor: reserves.ara.map(|_| currency.ara_floor),
        breach_probability: reserves.ara.map(|_| share(CurrencyFigure::Breach)),
        deferral_requests: st(l.currency(CurrencyFigure::DeferralRequests)),
        deferrals_granted: st(l.currency(CurrencyFigure::DeferralsGranted)),
        swap_drawn_usd_bn: st(l.currency(CurrencyFigure::SwapPeak)),
        swap_draw_probability: share(CurrencyFigure::SwapDrawn),
        months: pactsim_model::currency::month_labels(currency)
            .into_iter()
            .enumerate()
            .map(|(i, month)| MonthReservesJson {
                month,
                reserves_usd_bn: st(l.month(i, MonthFigure::Reserves)),
                ara_ratio: reserves.ara.map(|_| st(l.month(i, MonthFigure::AraRatio))),
            })
            .collect(),
    }
}

/// How the random draws were made, recorded with every result so it can be reproduced.
pub const RANDOM_STREAMS: &str = "ChaCha8 (rand 0.10.4, rand_distr 0.6.0), one stream per (seed, purpose, path); \
     inverse-transform draws, except the exchange rate's daily returns: ziggurat normals (rand_distr) for gbm, \
     ziggurat Student-t (pactsim fx/student_t.rs) for garch";

/// The `trade` section: each market the deal moves, and the investor's relief summed over them.
/// A deal with one market also has that market's fields at the top (the one-market form's
/// output, unchanged).
#[derive(Debug, Clone, Serialize)]
pub struct TradeJson {
    /// The one market's fields, for a deal with one.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub single: Option<MarketJson>,
    /// The exporters' surplus gain summed over the markets (the relief in `deal_npv`).
    pub investor_tariff_relief_usd_bn_per_year: StatJson,
    /// The press's yardstick summed over the markets: tariff cuts times base-year sales.
    pub duty_saved_usd_bn_per_year: f64,
    pub markets: Vec<MarketEntryJson>,
}

/// One market in `trade.markets[]`: its id, its fields and its relief.
#[derive(Debug, Clone, Serialize)]
pub struct MarketEntryJson {
    pub id: String,
    #[serde(flatten)]
    pub market: MarketJson,
    /// The investor's producer surplus under `deal` minus under `no_deal`, per year.
    pub investor_tariff_relief_usd_bn_per_year: StatJson,
    /// The investor's tariff cut (`no_deal` minus `deal`) times its base-year sales.
    pub duty_saved_usd_bn_per_year: f64,
}

/// One market: its data, tariffs, three equilibria and the SMART view.
#[derive(Debug, Clone, Serialize)]
pub struct MarketJson {
    pub sector: String,
    pub importer: String,
    pub year: i32,
    /// Where the base market comes from.
    pub market: String,
    pub effective: String,
    /// The investor's source in the market.
    pub investor: String,
    /// The elasticities solved with (central values of any distributions; `null` is infinite).
    pub elasticities: ElasticitiesJson,
    pub base: IndexMap<String, BaseJson>,
    /// The full tariff schedule of each scenario, after overrides.
    pub tariffs: IndexMap<&'static str, IndexMap<String, f64>>,
    pub scenarios: IndexMap<&'static str, ScenarioJson>,
    pub smart_view: SmartJson,
}

#[derive(Debug, Clone, Serialize)]
pub struct ElasticitiesJson {
    pub substitution: Option<f64>,
    pub demand: Option<f64>,
    pub foreign_supply: Option<f64>,
    pub domestic_supply: Option<f64>,
    /// How each was given in the deal file (a number or a distribution).
    pub given: IndexMap<&'static str, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaseJson {
    pub value_usd_bn: f64,
    pub tariff: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioJson {
    pub price_index_change: StatJson,
    pub tariff_revenue_usd_bn: StatJson,
    pub consumer_surplus_change_usd_bn: StatJson,
    pub sources: IndexMap<String, SourceJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceJson {
    pub value_usd_bn: StatJson,
    pub producer_price_change: StatJson,
    pub quantity_change: StatJson,
    pub duties_usd_bn: StatJson,
    pub producer_surplus_change_usd_bn: StatJson,
}

/// The SMART decomposition of the deal's tariff change (from `no_deal` to `deal`).
#[derive(Debug, Clone, Serialize)]
pub struct SmartJson {
    pub import_demand_elasticity: f64,
    pub trade_creation_usd_bn: f64,
    pub exact_imports_change_usd_bn: f64,
    pub sources: IndexMap<String, SmartSourceJson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SmartSourceJson {
    pub trade_creation_usd_bn: f64,
    pub trade_diversion_usd_bn: f64,
    pub price_effect_usd_bn: f64,
    pub smart_change_usd_bn: f64,
    pub exact_change_usd_bn: f64,
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// What `pactsim trade --json` prints: the overrides the deal was read with, then the `trade`
/// section of the run output.
#[derive(Debug, Clone, Serialize)]
pub struct TradeOutput {
    pub overrides: Vec<String>,
    #[serde(flatten)]
    pub trade: TradeJson,
}

/// The trade picture of a deal with a `[trade]` section; `None` without one.
pub fn trade_document(deal: &Deal, summary: &Summary) -> Option<TradeOutput> {
    (!deal.trade.is_empty())
        .then(|| TradeOutput { overrides: deal.overrides.clone(), trade: trade_output(&deal.trade, summary) })
}

/// The `trade` section of a deal's markets (one or more).
pub fn trade_output(markets: &[Trade], summary: &Summary) -> TradeJson {
    let l = &summary.layout;
    let entries: Vec<MarketEntryJson> = (markets.iter().enumerate())
        .map(|(m, trade)| MarketEntryJson {
            id: trade.id.clone(),
            market: market_output(m, trade, summary),
            investor_tariff_relief_usd_bn_per_year: summary.stat(l.relief(m)).into(),
            duty_saved_usd_bn_per_year: trade.duty_saved_usd_bn_per_year(),
        })
        .collect();
    TradeJson {
        single: (entries.len() == 1).then(|| entries[0].market.clone()),
        investor_tariff_relief_usd_bn_per_year: summary.stat(l.relief_sum()).into(),
        duty_saved_usd_bn_per_year: markets.iter().map(Trade::duty_saved_usd_bn_per_year).sum(),
        markets: entries,
    }
}

/// Market `m` of a deal, solved.
fn market_output(m: usize, trade: &Trade, summary: &Summary) -> MarketJson {
    let outcome = &summary.central.trade[m];
    let l = &summary.layout;
    let st = |index: usize| StatJson::from(summary.stat(index));
    let codes: Vec<&str> = trade.market.sources.iter().map(|s| s.code.as_str()).collect();
    let e = outcome.elasticities;
    let spec = trade.elasticities;
    let scenario = |s: Scenario| {
        let sources = codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let json = SourceJson {
                    value_usd_bn: st(l.source(m, s, i, SourceFigure::Value)),
                    producer_price_change: st(l.source(m, s, i, SourceFigure::ProducerPriceChange)),
                    quantity_change: st(l.source(m, s, i, SourceFigure::QuantityChange)),
                    duties_usd_bn: st(l.source(m, s, i, SourceFigure::Duties)),
                    producer_surplus_change_usd_bn: st(l.source(m, s, i, SourceFigure::ProducerSurplusChange)),
                };
                (code.to_string(), json)
            })
            .collect();
        ScenarioJson {
            price_index_change: st(l.scenario(m, s, ScenarioFigure::PriceIndexChange)),
            tariff_revenue_usd_bn: st(l.scenario(m, s, ScenarioFigure::TariffRevenue)),
            consumer_surplus_change_usd_bn: st(l.scenario(m, s, ScenarioFigure::ConsumerSurplusChange)),
            sources,
        }
    };
    let smart_source = |r: &pactsim_trade::SmartSource| SmartSourceJson {
        trade_creation_usd_bn: r.trade_creation_usd_bn,
        trade_diversion_usd_bn: r.trade_diversion_usd_bn,
        price_effect_usd_bn: r.price_effect_usd_bn,
        smart_change_usd_bn: r.smart_change_usd_bn,
        exact_change_usd_bn: r.exact_change_usd_bn,
    };
    MarketJson {
        sector: trade.sector.clone(),
        importer: trade.market.importer.clone(),
        year: trade.market.year,
        market: trade.market.origin.clone(),
        effective: trade.effective.to_string(),
        investor: codes[trade.investor].to_string(),
        elasticities: ElasticitiesJson {
            substitution: finite(e.substitution),
            demand: finite(e.demand),
            foreign_supply: finite(e.foreign_supply),
            domestic_supply: finite(e.domestic_supply),
            given: IndexMap::from([
                ("substitution", spec.substitution.describe()),
                ("demand", spec.demand.describe()),
                ("foreign_supply", spec.foreign_supply.describe()),
                ("domestic_supply", spec.domestic_supply.describe()),
            ]),
        },
        base: trade
            .market
            .sources
            .iter()
            .map(|s| (s.code.clone(), BaseJson { value_usd_bn: s.base_value_usd_bn, tariff: s.base_tariff }))
            .collect(),
        tariffs: Scenario::ALL
            .iter()
            .map(|s| {
                let rates = codes.iter().zip(&trade.schedules[s.index()]).map(|(c, r)| (c.to_string(), *r)).collect();
                (s.name(), rates)
            })
            .collect(),
        scenarios: Scenario::ALL.iter().map(|&s| (s.name(), scenario(s))).collect(),
        smart_view: SmartJson {
            import_demand_elasticity: outcome.smart.import_demand_elasticity,
            trade_creation_usd_bn: outcome.smart.trade_creation_usd_bn,
            exact_imports_change_usd_bn: outcome.smart.exact_imports_change_usd_bn,
            sources: outcome.smart.sources.iter().map(|r| (r.code.clone(), smart_source(r))).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    //! The run output of hand-checkable deals: one project of 10 paying 2 a year for 8 years, all
    //! to the investor, so every figure can be worked out on paper.

    use pactsim_model::spec::parse_deal;
    use pactsim_montecarlo::{YearFigure, simulate};

    use super::*;

    const HEADER: &str = "schema = 1\n[deal]\nid = \"t\"\ntitle = \"A title\"\ninvestor = \"KR\"\nhost = \"US\"\n\
        start = 2026-01-01\nhorizon_years = 10\n[[facility]]\nid = \"f\"\ncommitment_usd_bn = 10.0\nwaterfall = \"w\"\n\
        [waterfall.w]\ntiers = [ { investor = 1.0, host = 0.0 } ]\n[[project]]\nid = \"p\"\nfacility = \"f\"\n\
        selected = 2026-03-02\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]\n";

    fn output(source: &str, paths: u64) -> RunOutput {
        let deal = parse_deal(source).unwrap_or_else(|e| panic!("{e:?}"));
        run_output(&deal, &simulate(&deal, paths, 1, &|_| {}, None), "test")
    }

    #[test]
    fn a_deterministic_deal_has_equal_quantiles_and_its_hand_computed_totals() {
        let document = output(HEADER, 50);
        assert!(document.deterministic);
        assert_eq!(
            (document.deal.as_str(), document.title.as_str(), document.version.as_str()),
            ("t", "A title", "test")
        );
        let t = &document.totals;
        for (stat, expected) in [(t.investor_paid, 10.0), (t.investor_received, 16.0), (t.host_received, 0.0)] {
            assert_eq!([stat.mean, stat.p5, stat.p50, stat.p95], [Some(expected); 4]);
            assert_eq!(stat.mean_se, Some(0.0));
        }
        assert_eq!(t.investor_moic.mean, Some(1.6));
        assert_eq!(t.recoup_accounts, 0, "a single tier of 100% has no recoup account");
        assert_eq!(t.recouped_share, None, "nothing to recoup is not everything recouped");
        assert!(t.tariff_relief_npv.is_none() && t.deal_npv.is_none(), "no [trade], no relief");
    }

    #[test]
    fn years_cover_the_horizon_in_order_and_sum_to_the_totals() {
        let document = output(HEADER, 1);
        let years: Vec<i32> = document.years.iter().map(|y| y.year).collect();
        assert_eq!(years, (2026..=2036).collect::<Vec<_>>(), "a horizon from 2026-01-01 touches eleven years");
        let sum = |figure| document.years.iter().map(|y| y.get(figure).unwrap().mean.unwrap()).sum::<f64>();
        assert!((sum(YearFigure::InvestorPaid) - 10.0).abs() < 1e-12);
        assert!((sum(YearFigure::InvestorReceived) - 16.0).abs() < 1e-12);
        let names: Vec<&str> = document.years[0].figures.keys().copied().collect();
        assert_eq!(names, ["investor_paid", "investor_received", "host_received", "host_tax", "deferred"]);
    }

    #[test]
    fn the_listed_project_reports_its_dated_flows() {
        let document = output(HEADER, 1);
        let [project] = &document.projects[..] else { panic!("one listed project") };
        assert_eq!((project.id.as_str(), project.facility.as_str()), ("p", "f"));
        assert_eq!(project.flows.len(), 8);
        assert!(project.flows.iter().all(|f| f.investor == 2.0 && f.host == 0.0 && f.cash == 2.0));
        let paid: f64 = project.funding.iter().map(|p| p.usd_bn).sum();
        assert_eq!(paid, 10.0);
    }

    #[test]
    fn a_figure_defined_on_no_path_is_null_with_a_zero_share() {
        // Paid 10, received nothing: no IRR and no MOIC above zero to speak of.
        let source = HEADER.replace("[2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]", "[0.0]");
        let irr = output(&source, 1).totals.investor_irr;
        assert_eq!((irr.mean, irr.p50, irr.defined_share), (None, None, Some(0.0)));
    }
}
