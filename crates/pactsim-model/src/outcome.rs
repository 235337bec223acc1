//! What one run of a deal produced: every dated flow, by project and by party. Figures (NPV, IRR,
//! Stats) are computed from this in `figures` and `output`; nothing here is summarised yet.

use chrono::NaiveDate;

use pactsim_trade::TradeOutcome;

/// The result of running a deal once.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// In the deal's file order.
    pub projects: Vec<ProjectOutcome>,
    /// In the deal's file order.
    pub facilities: Vec<FacilityOutcome>,
    pub accounts: Vec<AccountOutcome>,
    /// The investor's dated flows (negative: paid out), in date order.
    pub investor_flows: Vec<DatedFlow>,
    /// The host's dated receipts (tax and distributions), in date order.
    pub host_flows: Vec<DatedFlow>,
    /// One row per calendar year of the horizon.
    pub years: Vec<YearOutcome>,
    /// The trade picture of each market of `[trade]`, in the deal's order (empty without it).
    pub trade: Vec<TradeOutcome>,
    /// Projects the investor refused.
    pub declines: u32,
    /// Projects that defaulted (generated ones included).
    pub defaults: u32,
    /// When the host snapped the investor's tariff back, if it did.
    pub snapback_from: Option<NaiveDate>,
    /// The exchange rate and reserves, when the deal has a currency.
    pub currency: Option<CurrencyOutcome>,
    /// What the investor still owns or is owed at the horizon, valued on the horizon date (0 with
    /// `terminal_value = "none"`); each facility's part is in `facilities`.
    pub investor_terminal_value: f64,
    /// The host's likewise.
    pub host_terminal_value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedFlow {
    pub date: NaiveDate,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectOutcome {
    pub id: String,
    pub facility: String,
    pub selected: NaiveDate,
    pub due: NaiveDate,
    pub size_usd_bn: f64,
    pub size_cut_usd_bn: f64,
    /// The investor refused the project.
    pub declined: bool,
    pub funded_on: Option<NaiveDate>,
    /// The investor's funding payments.
    pub funding: Vec<DatedFlow>,
    pub flows: Vec<FlowRow>,
    /// Recoup date of the project's own account (`scope = "project"`).
    pub recouped_on: Option<NaiveDate>,
    /// Months labour friction delayed its operation (0 when not hit).
    pub labor_delay_months: u32,
    /// The cost overrun the investor paid on its original completion date (0 when not hit).
    pub cost_overrun_usd_bn: f64,
}

/// Where one payment of project cash went. `cash` = debt service + fee + tax + investor + host.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowRow {
    pub date: NaiveDate,
    pub cash: f64,
    /// Paid on the investor's loan and toward its guarantee claim.
    pub debt_service_investor: f64,
    /// Paid to the guaranteed lenders from the project's cash.
    pub debt_service_lenders: f64,
    pub guarantee_fee: f64,
    /// Paid by the investor to the guaranteed lenders (not project cash).
    pub guarantee_call: f64,
    pub host_tax: f64,
    /// Equity distributions to the investor.
    pub investor: f64,
    /// The part of `investor` paid through the first tier, which counts toward recoup.
    pub investor_first_tier: f64,
    /// Equity distributions to the host.
    pub host: f64,
    /// Recovered by the investor on its loan and claim when the project defaults.
    pub recovery: f64,
    /// The project defaulted on this date (before its payment) and pays nothing more.
    pub defaulted: bool,
    /// Arrears, claims and fees written off after the project's last payment, or on default.
    pub loss: f64,
    /// On default: the investor's equity in the project written off, what it paid in as equity
    /// less the equity distributions it had received (never below 0). Apart from `loss`.
    pub equity_lost: f64,
}

impl FlowRow {
    pub fn debt_service(&self) -> f64 {
        self.debt_service_investor + self.debt_service_lenders
    }

    /// Everything the investor received from this payment.
    pub fn investor_received(&self) -> f64 {
        self.debt_service_investor + self.guarantee_fee + self.investor + self.recovery
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FacilityOutcome {
    pub id: String,
    pub commitment_usd_bn: f64,
    /// Funding plus guarantee calls (and cost overruns under `[labor]`).
    pub paid: f64,
    pub received: f64,
    /// Size of projects funded by the horizon (pro rata for part-funded ones).
    pub funded_usd_bn: f64,
    /// Investor funding still due at the horizon.
    pub pending_usd_bn: f64,
    pub guarantee_calls: f64,
    pub losses: f64,
    /// Equity written off when the facility's projects defaulted.
    pub equity_lost: f64,
    /// Whether every recoup account of the facility's projects recouped by the horizon; `None`
    /// when none of its projects has one.
    pub all_recouped: Option<bool>,
    /// The investor's dated flows on the facility's projects (negative: paid out), in date order.
    pub flows: Vec<DatedFlow>,
    /// The investor's terminal value on the facility's projects, on the horizon date.
    pub terminal_value: f64,
}

impl FacilityOutcome {
    pub fn committed_unfunded(&self) -> f64 {
        (self.commitment_usd_bn - self.funded_usd_bn).max(0.0)
    }
}

/// A recoup account: a project's own (scope `project`) or a waterfall's portfolio. Its name is
/// built only for the output (`name`): a Monte Carlo path reads whether it recouped, not what it
/// is called.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountOutcome {
    /// The project whose account this is; `None` for a portfolio account.
    pub project: Option<usize>,
    /// The waterfall's index in `deal.waterfalls`.
    pub waterfall: usize,
    pub recouped_on: Option<NaiveDate>,
}

impl AccountOutcome {
    /// `project:<id>` or `portfolio:<waterfall>`.
    pub fn name(&self, deal: &crate::deal::Deal) -> String {
        match self.project {
            Some(i) => ["project:", &deal.projects[i].id].concat(),
            None => ["portfolio:", &deal.waterfalls[self.waterfall].name].concat(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YearOutcome {
    pub year: i32,
    pub investor_paid: f64,
    pub investor_received: f64,
    pub host_received: f64,
    pub host_tax: f64,
    pub deferred: f64,
    pub guarantee_calls: f64,
    pub losses: f64,
    /// Equity written off when projects defaulted.
    pub equity_lost: f64,
    /// The investor's yearly tariff relief times the share of the year under the deal tariff,
    /// summed over the markets.
    pub tariff_relief: f64,
}

/// What one path's currency and reserves did.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencyOutcome {
    /// One row per calendar month of the horizon, at the month's end.
    pub months: Vec<MonthRow>,
    /// Reserves stood below the floor at some month's end.
    pub breached: bool,
    pub deferral_requests: u32,
    pub deferrals_granted: u32,
    /// The most drawn on the swap line at once, USD billions.
    pub swap_peak_usd_bn: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthRow {
    pub rate: Option<f64>,
    pub reserves_usd_bn: Option<f64>,
    pub ara_ratio: Option<f64>,
}
