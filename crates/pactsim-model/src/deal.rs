//! The validated deal: what the engine runs. Every value here has passed `spec::validate`, so the
//! engine never re-checks it: shares sum to one, money is finite and non-negative, references are
//! resolved to indices, dates lie within the horizon.
//!
//! Who makes a `Deal`: outside this crate, only `spec::parse_deal` (a crate-private field stops
//! any other crate from writing one out). Inside it, validation makes them, and the engine derives
//! two from a validated deal through the named methods below, each of which keeps validation's
//! invariants: `Deal::alone` (one project on its own, for its standalone NPV) and
//! `Deal::set_generated_projects` (a path's copy, with the projects its pipelines generated).
//! The fields are public for reading; nothing outside this crate writes them.

use chrono::NaiveDate;

use pactsim_numeric::distribution::Distribution;
use pactsim_trade::Trade;

/// A validated deal.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: String,
    pub title: String,
    pub investor: String,
    pub host: String,
    pub start: NaiveDate,
    pub horizon_years: u32,
    /// `start + horizon_years`, the last simulated day.
    pub end: NaiveDate,
    pub facilities: Vec<Facility>,
    /// Named waterfalls, plus the implicit investor-owned one when a facility names none.
    pub waterfalls: Vec<Waterfall>,
    /// Listed projects in file order.
    pub projects: Vec<Project>,
    /// Generated projects, per facility (`[pipeline.<facility>]`), in file order.
    pub pipelines: Vec<Pipeline>,
    /// `[credit] default_correlation`: the weight ρ of the systematic factor (0 without `[credit]`).
    pub default_correlation: f64,
    /// `[decline]`: when the investor refuses a selected project (never, without the section).
    pub decline: Decline,
    /// `[labor]`: construction friction on the projects that are built (none without the section).
    pub labor: Option<Labor>,
    pub run: RunSettings,
    /// The tariff side: the markets of `[trade]` (its one market, or its `[[trade.markets]]`),
    /// in file order; empty without the section.
    pub trade: Vec<Trade>,
    /// `[fx]`, `[reserves]` and `[stability]`: the investor's currency and reserves, when the file
    /// has any of them.
    pub currency: Option<Currency>,
    /// Every default the file relied on, as `field = value`, for the run output.
    pub defaults_applied: Vec<String>,
    /// The overrides the file was read with, in order, as recorded (`KEY=VALUE`, `!KEY` for an
    /// unset), for every output that comes from the deal.
    pub overrides: Vec<String>,
    /// Only this crate can write this field, so only this crate can make a `Deal`.
    pub(crate) sealed: Sealed,
}

/// The crate-private field of a `Deal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Sealed;

impl Deal {
    /// The deal a project's standalone NPV is judged on (`engine::standalone_npv`, for
    /// `decline.rule = "negative-npv"`): the project alone, without credit risk, in a copy of its
    /// facility whose commitment is the project's size, with no annual cap and no selection end,
    /// under a copy of its waterfall with `scope = "project"`; no pipelines, trade, currency or
    /// refusals. The deal's dates, run settings and default correlation stay.
    ///
    /// Keeps validation's invariants: the one facility and waterfall are validated ones with
    /// fewer constraints, the project's index references resolve to them (0), and its selection
    /// date lies within the horizon as before.
    pub(crate) fn alone(&self, project: &Project) -> Deal {
        let facility = Facility {
            commitment_usd_bn: project.size_usd_bn,
            annual_cap_usd_bn: None,
            selection_ends: None,
            waterfall: 0,
            ..self.facilities[project.facility].clone()
        };
        let waterfall = Waterfall { scope: Scope::Project, ..self.waterfall_of(project).clone() };
        Deal {
            id: self.id.clone(),
            title: self.title.clone(),
            investor: self.investor.clone(),
            host: self.host.clone(),
            start: self.start,
            horizon_years: self.horizon_years,
            end: self.end,
            facilities: vec![facility],
            waterfalls: vec![waterfall],
            projects: vec![Project { facility: 0, credit: Credit::default(), ..project.clone() }],
            pipelines: Vec::new(),
            default_correlation: self.default_correlation,
            decline: Decline::default(),
            labor: None,
            run: self.run,
            trade: Vec::new(),
            currency: None,
            defaults_applied: Vec::new(),
            overrides: Vec::new(),
            sealed: Sealed,
        }
    }

    /// Makes this deal one path's: its first `listed` projects (the validated deal's own, which
    /// keep their indices) followed by the path's generated projects, moved out of `generated`.
    /// The engine's `PathScratch` keeps one copy of a deal and calls this for each path, so a path
    /// does not copy the deal.
    ///
    /// Keeps validation's invariants as long as `generated` comes from this deal's pipelines
    /// (`engine::PathDraws::draw`): each generated project then belongs to a facility with a
    /// pipeline, is selected within the horizon, and has a positive size and an IRR, life and
    /// construction within the bounds the draws clamp them to.
    pub(crate) fn set_generated_projects(&mut self, listed: usize, generated: &mut Vec<Project>) {
        debug_assert!(
            generated.iter().all(|p| self.pipelines.iter().any(|pipeline| pipeline.facility == p.facility)
                && self.start <= p.selected
                && p.selected <= self.end
                && p.size_usd_bn > 0.0),
            "generated projects come from the deal's pipelines"
        );
        self.projects.truncate(listed);
        self.projects.append(generated);
    }

    /// The waterfall that splits a project's equity cash.
    pub fn waterfall_of(&self, project: &Project) -> &Waterfall {
        &self.waterfalls[self.facilities[project.facility].waterfall]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    pub id: String,
    pub commitment_usd_bn: f64,
    pub annual_cap_usd_bn: Option<f64>,
    pub selection_ends: Option<NaiveDate>,
    pub funding_lag: FundingLag,
    pub instruments: Instruments,
    /// Present whenever `instruments` has a loan or guarantee share.
    pub loan: Option<LoanTerms>,
    pub guarantee_fee_rate: f64,
    /// Index into `Deal::waterfalls`.
    pub waterfall: usize,
    /// How the facility's USD is raised (`[[facility]] funding_channel`, else `[fx]`'s): whether
    /// its flows move the investor's reserves, the exchange rate, or neither.
    pub funding_channel: FundingChannel,
}

impl Facility {
    /// The investor's cash share of a project's size: equity plus its own loan.
    pub fn investor_cash_share(&self) -> f64 {
        self.instruments.equity + self.instruments.loan
    }

    /// Loan terms when the facility lends (directly or under guarantee).
    pub fn lending_terms(&self) -> Option<LoanTerms> {
        if self.instruments.loan > 0.0 || self.instruments.guarantee > 0.0 { self.loan } else { None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundingLag {
    Days(u32),
    BusinessDays(u32),
}

impl Deal {
    /// Whether anything in the deal is random, so that its Monte Carlo paths differ.
    pub fn is_random(&self) -> bool {
        self.trade.iter().any(trade_is_random)
            || !self.pipelines.is_empty()
            || self.credit_is_random()
            || self.decline_is_random()
            || self.currency_is_random()
            || self.labor.is_some_and(|labor| labor.is_random())
    }

    fn decline_is_random(&self) -> bool {
        matches!(self.decline.rule, DeclineRule::Probability(p) if p > 0.0)
    }

    /// Whether some project or pipeline can default.
    pub fn credit_is_random(&self) -> bool {
        self.projects.iter().any(|p| p.credit.annual_default_probability > 0.0)
            || self.pipelines.iter().any(|p| p.credit.annual_default_probability > 0.0)
    }

    /// Whether the exchange rate is simulated or the stability clause's answers are drawn.
    pub fn currency_is_random(&self) -> bool {
        self.currency.as_ref().is_some_and(|c| c.fx.is_some() || c.stability.is_some())
    }
}

/// Whether any of the trade's elasticities is drawn rather than fixed.
pub fn trade_is_random(trade: &Trade) -> bool {
    let e = trade.elasticities;
    [e.substitution, e.demand, e.foreign_supply, e.domestic_supply].iter().any(|d| d.is_random())
}

impl FundingLag {
    /// The date a funding call for a project selected on `selected` falls due.
    pub fn due_date(self, selected: NaiveDate) -> NaiveDate {
        match self {
            FundingLag::Days(days) => selected + chrono::Days::new(u64::from(days)),
            FundingLag::BusinessDays(n) => crate::calendar::add_business_days(selected, n),
        }
    }
}

/// Shares of a project's financing; they sum to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instruments {
    pub equity: f64,
    pub loan: f64,
    pub guarantee: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoanTerms {
    pub rate: f64,
    pub years: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    pub name: String,
    pub host_tax_rate: f64,
    pub recoup: Recoup,
    pub scope: Scope,
    /// The first tier when it runs `until = "recouped"`; `None` for a single-tier waterfall.
    pub recoup_tier: Option<Tier>,
    /// The tier that takes everything else.
    pub final_tier: Tier,
}

impl Waterfall {
    /// Whether this waterfall keeps recoup accounts.
    pub fn has_recoup(&self) -> bool {
        self.recoup_tier.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recoup {
    /// Owed = equity paid minus first-tier receipts.
    Capital,
    /// Owed = equity compounded at `rate` minus first-tier receipts compounded the same way.
    Hurdle { rate: f64 },
    /// Owed = deemed allocations fallen due minus first-tier receipts.
    DeemedAllocation { rate: f64, life_years: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Project,
    Portfolio,
}

/// Shares of one tier; `investor + host = 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tier {
    pub investor: f64,
    pub host: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: String,
    /// Index into `Deal::facilities`.
    pub facility: usize,
    pub selected: NaiveDate,
    pub size_usd_bn: f64,
    pub cash: ProjectCash,
    pub credit: Credit,
}

/// When the investor refuses a selected project, and the host's answer.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Decline {
    pub rule: DeclineRule,
    /// Chance the host moves the investor's tariff to the `snapback` table after a refusal.
    pub snapback_probability: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum DeclineRule {
    #[default]
    Never,
    /// Refuse a project whose own NPV to the investor, at its discount rate and ignoring default,
    /// is negative.
    NegativeNpv,
    /// Refuse each selected project with this probability.
    Probability(f64),
}

/// `[labor]`: the chance a project's construction is hit, once, and what a hit does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Labor {
    pub incident_probability: f64,
    /// Months the completion and every operating cash flow move later (rounded when drawn).
    pub delay_months: Distribution,
    /// Share of the project's size the investor pays on top, on the original completion date.
    pub cost_overrun: Distribution,
}

impl Labor {
    /// Whether a path's hits differ from the central path's: a chance strictly between 0 and 1,
    /// or a certain hit of a drawn size.
    pub fn is_random(&self) -> bool {
        let certain = self.incident_probability >= 1.0;
        (self.incident_probability > 0.0 && !certain)
            || (certain && (self.delay_months.is_random() || self.cost_overrun.is_random()))
    }
}

/// A project's credit risk: the chance a surviving project defaults on each payment date, and the
/// share of its loans' outstanding principal and arrears recovered when it does.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Credit {
    pub annual_default_probability: f64,
    pub recovery_rate: f64,
}

/// Projects the host selects at random for one facility: a Poisson process of selections from
/// `deal.start` until the facility's `selection_ends` (or the horizon), stopping once the
/// commitment is used.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Index into `Deal::facilities`.
    pub facility: usize,
    pub projects_per_year: f64,
    pub size_usd_bn: Distribution,
    pub irr: Distribution,
    pub life_years: Distribution,
    pub construction_years: Distribution,
    pub credit: Credit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProjectCash {
    /// One non-negative flow per year after funding completes.
    Explicit(Vec<f64>),
    /// No cash for `construction_years`, then a level flow for `life_years` giving `irr`.
    Level { irr: f64, life_years: u32, construction_years: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSettings {
    pub paths: u64,
    pub seed: u64,
    pub investor_discount_rate: f64,
    pub host_discount_rate: f64,
    /// Whether what is still owed or owned at the horizon is valued on the horizon date.
    pub terminal_value: TerminalValue,
}

/// `[run] terminal_value`: what the parties' claims at the horizon are worth (docs/semantics.md,
/// "Terminal value").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalValue {
    /// `"remaining-flows"`: each party's flows after the horizon, as the deal's rules would pay
    /// them, weighted by the chance the project survives to pay them and discounted to the horizon
    /// at the party's discount rate.
    RemainingFlows,
    /// `"none"`: nothing after the horizon counts.
    Off,
}

/// The investor's currency and reserves: what `[fx]`, `[reserves]` and `[stability]` say.
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    pub fx: Option<Fx>,
    pub reserves: Option<Reserves>,
    pub stability: Option<Stability>,
    /// Reserves below this multiple of the ARA metric are a breach: the swap line is drawn and the
    /// stability clause may fire (`[stability] ara_floor`, else 1, the IMF's lower bound).
    pub ara_floor: f64,
    /// The last day of every calendar month of the horizon (`currency::month_ends`).
    pub month_ends: Vec<NaiveDate>,
    /// Days from `deal.start` to each of `month_ends`.
    pub month_end_days: Vec<usize>,
}

/// `[fx]`: the exchange-rate model and how the deal's dollars reach the market.
#[derive(Debug, Clone, PartialEq)]
pub struct Fx {
    /// "KRW/USD": local currency per US dollar.
    pub pair: String,
    pub kind: pactsim_fx::FxModelKind,
    pub calibrate_from: NaiveDate,
    pub calibrate_to: NaiveDate,
    pub channel: FundingChannel,
    /// Log depreciation per 1% of GDP of net USD bought in the market.
    pub outflow_impact: f64,
    pub swap_line_usd_bn: f64,
    /// The calibrated model and the observed rates paths start from; shared, never copied per path.
    pub model: std::sync::Arc<crate::calibrated_fx::CalibratedFx>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundingChannel {
    /// Payments come out of reserves and receipts go back in; the rate does not move.
    Reserves,
    /// Net USD is bought in the spot market and moves the rate; reserves do not move.
    Market,
    /// `"none"`: money raised abroad (company-led): neither reserves nor the rate move, and the
    /// stability clause does not apply to its calls.
    Outside,
}

impl FundingChannel {
    /// The name the deal file and the run output use.
    pub fn name(self) -> &'static str {
        match self {
            FundingChannel::Reserves => "reserves",
            FundingChannel::Market => "market",
            FundingChannel::Outside => "none",
        }
    }
}

/// `[reserves]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reserves {
    pub start_usd_bn: f64,
    pub gdp_usd_bn: f64,
    pub baseline_change_usd_bn_per_year: f64,
    /// `None`: no adequacy metric, so no ratio, breach or swap drawing.
    pub ara: Option<Ara>,
}

/// Inputs of the IMF ARA EM metric, USD billions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ara {
    pub exports_usd_bn: f64,
    pub broad_money_usd_bn: f64,
    pub short_term_debt_usd_bn: f64,
    pub other_liabilities_usd_bn: f64,
    pub regime: AraRegime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AraRegime {
    Floating,
    Fixed,
}

impl Ara {
    /// The metric: weights on exports, broad money, short-term debt and other liabilities (IMF
    /// 2015, "Assessing Reserve Adequacy — Specific Proposals"; sources in docs/semantics.md).
    pub fn metric_usd_bn(&self) -> f64 {
        let [x, m2, std, ol] = match self.regime {
            AraRegime::Floating => [0.05, 0.05, 0.30, 0.15],
            AraRegime::Fixed => [0.10, 0.10, 0.30, 0.20],
        };
        x * self.exports_usd_bn
            + m2 * self.broad_money_usd_bn
            + std * self.short_term_debt_usd_bn
            + ol * self.other_liabilities_usd_bn
    }
}

/// `[stability]`: the FX-stability clause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stability {
    /// The currency has lost at least this share of its dollar value …
    pub depreciation_trigger: f64,
    /// … over this many months.
    pub window_months: u32,
    pub host_accepts_probability: f64,
    pub deferral_months: u32,
}
