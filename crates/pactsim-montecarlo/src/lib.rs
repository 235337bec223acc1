//! The Monte Carlo runner: many paths of a deal, in parallel, with results that are the same bits
//! for the same seed whatever the thread count.
//!
//! Paths are cut into fixed chunks of `CHUNK` paths. Chunks run in parallel (rayon) in waves;
//! each chunk gathers its paths' figures and summarises them figure by figure, in path order (a
//! `stats::Chunk`); the chunks of a wave are then merged into each figure's `Accumulator` in chunk
//! order, figures in parallel, while the next wave runs. Every path draws only from its own
//! streams (`rng`), and each figure's merges happen in chunk order whichever thread does them, so
//! neither the thread count nor the order chunks finish changes anything; memory is bounded by two
//! waves, not by the number of paths.
//!
//! Which figures are kept is the `Layout`: the run output's totals, each year's and each
//! facility's figures, and the trade section's, in a fixed order.
//!
//! A run can be stopped from another thread (the `_cancellable` entry points take an
//! `AtomicBool`): each chunk looks at the flag before each path, and the run looks at it before
//! merging a wave, so a stopped run merges nothing more and ends with `Cancelled` within about
//! one path's time a thread. A run that is not stopped does exactly what it did without the flag.

pub mod headline;
pub mod stats;

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Datelike;
use rayon::prelude::*;

use crate::headline::{Discounts, headline_with};
use crate::stats::{Accumulator, Chunk, ChunkRecord, ChunkRows, Stat};
use pactsim_model::deal::Deal;
use pactsim_model::engine::{self, PathDraws, PathScratch};
use pactsim_model::outcome::Outcome;
use pactsim_trade::Scenario;

/// Paths per chunk: the unit of parallel work and of fixed-order merging.
pub const CHUNK: u64 = 128;
/// Chunks per wave: bounds memory and sets how often progress is reported.
const WAVE: u64 = 32;

/// Declares a family of figures once: the enum (variants in layout order, each with the name a
/// kept path's column and the run output use), `ALL` in that order, and `COUNT`. Everything else —
/// the layout, kept-path columns, the years table — is derived from these declarations.
macro_rules! figures {
    ($(#[$meta:meta])* pub enum $family:ident { $($(#[$doc:meta])* $variant:ident => $name:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $family {
            $($(#[$doc])* $variant,)*
        }

        impl $family {
            /// Every figure of the family, in layout order.
            pub const ALL: &'static [$family] = &[$($family::$variant,)*];
            pub const COUNT: usize = $family::ALL.len();

            /// The figure's name: a kept path's column, and the run output's field where it has one.
            pub fn name(self) -> &'static str {
                match self {
                    $($family::$variant => $name,)*
                }
            }
        }
    };
}

figures! {
    /// Figures of the run totals.
    pub enum Total {
        InvestorPaid => "investor_paid",
        InvestorReceived => "investor_received",
        InvestorNpv => "investor_npv",
        InvestorIrr => "investor_irr",
        InvestorMoic => "investor_moic",
        HostReceived => "host_received",
        HostTax => "host_tax",
        HostNpv => "host_npv",
        /// What each party still owns or is owed at the horizon, valued on the horizon date
        /// (counted in its NPV, and the investor's in its IRR and the deal NPV).
        InvestorTerminalValue => "investor_terminal_value",
        HostTerminalValue => "host_terminal_value",
        /// 1 when every recoup account recouped by the horizon, else 0; missing on a path with no
        /// recoup account. Its mean where it exists is `recouped_share`.
        Recouped => "recouped",
        RecoupYear => "recoup_year",
        GuaranteeCalls => "guarantee_calls",
        Losses => "losses",
        /// Equity written off when projects defaulted (apart from `losses`).
        EquityLost => "equity_lost",
        /// 1 when the investor's flows have several IRRs.
        IrrMultipleRoots => "irr_multiple_roots",
        TariffReliefNpv => "tariff_relief_npv",
        DealNpv => "deal_npv",
        /// Projects that defaulted.
        Defaults => "defaults",
        /// Projects the investor refused.
        Declines => "declines",
        /// 1 when the host snapped the tariff back on the path: its mean is `snapback_share`.
        Snapback => "snapback",
    }
}

figures! {
    /// Figures of each calendar year.
    pub enum YearFigure {
        InvestorPaid => "investor_paid",
        InvestorReceived => "investor_received",
        HostReceived => "host_received",
        HostTax => "host_tax",
        /// Funding pushed past the year by caps or the stability clause.
        Deferred => "deferred",
        /// The investor's tariff relief accrued in the year; only with a `[trade]` section.
        TariffRelief => "tariff_relief",
    }
}

/// Receives each kept path's index and figures, in path order (see `Layout::kept_columns`).
pub type PathSink<'r, 's> = &'r mut (dyn FnMut(u64, &[Option<f64>]) + 's);

figures! {
    /// Figures of each facility.
    pub enum FacilityFigure {
        Paid => "paid",
        Received => "received",
        /// The investor's NPV, IRR and MOIC on the facility's projects alone.
        Npv => "npv",
        Irr => "irr",
        Moic => "moic",
        /// The investor's terminal value on the facility's projects.
        TerminalValue => "terminal_value",
        CommittedUnfunded => "committed_unfunded",
        Funded => "funded_usd_bn",
        Pending => "pending_usd_bn",
        GuaranteeCalls => "guarantee_calls",
        Losses => "losses",
        EquityLost => "equity_lost",
        /// 1 when every recoup account of the facility's projects recouped by the horizon, else 0;
        /// missing on a path where none of its projects has one.
        Recouped => "recouped",
    }
}

figures! {
    /// Figures of each trade scenario, before its sources' figures.
    pub enum ScenarioFigure {
        PriceIndexChange => "price_index_change",
        TariffRevenue => "tariff_revenue_usd_bn",
        ConsumerSurplusChange => "consumer_surplus_change_usd_bn",
    }
}

figures! {
    /// Figures of each source of a trade scenario.
    pub enum SourceFigure {
        Value => "value_usd_bn",
        ProducerPriceChange => "producer_price_change",
        QuantityChange => "quantity_change",
        Duties => "duties_usd_bn",
        ProducerSurplusChange => "producer_surplus_change_usd_bn",
    }
}

figures! {
    /// Figures of a path's currency and reserves, after its months.
    pub enum CurrencyFigure {
        /// 1 when reserves stood below the floor at some month's end: its mean is `breach_probability`.
        Breach => "reserves_breach",
        DeferralRequests => "deferral_requests",
        DeferralsGranted => "deferrals_granted",
        /// The most drawn on the swap line at once.
        SwapPeak => "swap_drawn_usd_bn",
        /// 1 when the swap line was drawn at all.
        SwapDrawn => "swap_drawn",
    }
}

figures! {
    /// Figures of each month of the horizon, at its end.
    pub enum MonthFigure {
        Rate => "rate",
        Reserves => "reserves_usd_bn",
        AraRatio => "ara_ratio",
    }
}

/// Where each figure sits in a path's vector of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    years: usize,
    facilities: usize,
    /// The sources of each trade market, in the deal's order; empty without `[trade]`.
    markets: Vec<usize>,
    /// Months of the horizon when the deal has a currency; 0 without.
    months: usize,
    has_currency: bool,
}

impl Layout {
    pub fn of(deal: &Deal) -> Self {
        Layout {
            years: (deal.end.year() - deal.start.year() + 1) as usize,
            facilities: deal.facilities.len(),
            markets: deal.trade.iter().map(|t| t.market.sources.len()).collect(),
            months: deal.currency.as_ref().map_or(0, |c| c.month_ends.len()),
            has_currency: deal.currency.is_some(),
        }
    }

    // The order: totals, years, the currency's totals (these three are what a kept path
    // reports), facilities, each trade market's block then the markets' summed relief, then the
    // currency's months.

    fn currency_totals(&self) -> usize {
        if self.has_currency { CurrencyFigure::COUNT } else { 0 }
    }

    pub fn currency(&self, figure: CurrencyFigure) -> usize {
        Total::COUNT + self.years * YearFigure::COUNT + figure as usize
    }

    fn months_start(&self) -> usize {
        self.trade_start() + self.trade_block()
    }

    pub fn month(&self, month_index: usize, figure: MonthFigure) -> usize {
        self.months_start() + month_index * MonthFigure::COUNT + figure as usize
    }

    /// One market's figures: three scenarios, each its own and its sources', then its relief.
    fn market_block(sources: usize) -> usize {
        3 * (ScenarioFigure::COUNT + sources * SourceFigure::COUNT) + 1
    }

    /// Every market's block, then their summed relief; nothing without `[trade]`.
    fn trade_block(&self) -> usize {
        if self.markets.is_empty() {
            0
        } else {
            self.markets.iter().map(|&sources| Self::market_block(sources)).sum::<usize>() + 1
        }
    }

    pub fn len(&self) -> usize {
        self.months_start() + self.months * MonthFigure::COUNT
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn total(&self, figure: Total) -> usize {
        figure as usize
    }

    pub fn year(&self, year_index: usize, figure: YearFigure) -> usize {
        Total::COUNT + year_index * YearFigure::COUNT + figure as usize
    }

    pub fn facility(&self, facility: usize, figure: FacilityFigure) -> usize {
        self.kept_len() + facility * FacilityFigure::COUNT + figure as usize
    }

    fn trade_start(&self) -> usize {
        self.kept_len() + self.facilities * FacilityFigure::COUNT
    }

    /// Where market `m`'s block starts.
    fn market_start(&self, m: usize) -> usize {
        self.trade_start() + self.markets[..m].iter().map(|&sources| Self::market_block(sources)).sum::<usize>()
    }

    pub fn scenario(&self, m: usize, scenario: Scenario, figure: ScenarioFigure) -> usize {
        self.market_start(m)
            + scenario.index() * (ScenarioFigure::COUNT + self.markets[m] * SourceFigure::COUNT)
            + figure as usize
    }

    pub fn source(&self, m: usize, scenario: Scenario, source: usize, figure: SourceFigure) -> usize {
        self.market_start(m)
            + scenario.index() * (ScenarioFigure::COUNT + self.markets[m] * SourceFigure::COUNT)
            + ScenarioFigure::COUNT
            + source * SourceFigure::COUNT
            + figure as usize
    }

    /// Market `m`'s relief per year.
    pub fn relief(&self, m: usize) -> usize {
        self.market_start(m) + 3 * (ScenarioFigure::COUNT + self.markets[m] * SourceFigure::COUNT)
    }

    /// The markets' relief per year, summed path by path.
    pub fn relief_sum(&self) -> usize {
        self.trade_start() + self.trade_block() - 1
    }

    /// Names of the figures a kept path reports: the totals, each year's figures as
    /// `<figure>_<year>`, and with a currency its totals. They are the first figures of the
    /// layout, in its order.
    pub fn kept_columns(&self, first_year: i32) -> Vec<String> {
        let totals = Total::ALL.iter().map(|t| t.name().to_string());
        let years = (0..self.years)
            .flat_map(|i| YearFigure::ALL.iter().map(move |f| format!("{}_{}", f.name(), first_year + i as i32)));
        let currency = CurrencyFigure::ALL.iter().take(self.currency_totals()).map(|f| f.name().to_string());
        totals.chain(years).chain(currency).collect()
    }

    fn kept_len(&self) -> usize {
        Total::COUNT + self.years * YearFigure::COUNT + self.currency_totals()
    }

    /// Whether the figure at `index` may not exist on a path (and so carries `defined_share`).
    pub fn may_be_undefined(&self, index: usize) -> bool {
        [Total::InvestorIrr, Total::InvestorMoic, Total::RecoupYear, Total::Recouped]
            .iter()
            .any(|t| self.total(*t) == index)
            || (0..self.facilities).any(|j| {
                [FacilityFigure::Irr, FacilityFigure::Moic, FacilityFigure::Recouped]
                    .iter()
                    .any(|f| self.facility(j, *f) == index)
            })
    }
}

/// One path's figures in layout order (`None` where a figure does not exist on the path), into
/// `values` (of `layout.len()`, reused from path to path).
pub fn path_figures(
    deal: &Deal,
    layout: &Layout,
    discounts: &Discounts,
    outcome: &Outcome,
    values: &mut [Option<f64>],
) {
    assert_eq!(values.len(), layout.len(), "one value per figure of the layout");
    let h = headline_with(deal, outcome, discounts);
    values.fill(Some(0.0));
    let mut set = |index: usize, value: Option<f64>| values[index] = value;
    set(layout.total(Total::InvestorPaid), Some(h.investor_paid));
    set(layout.total(Total::InvestorReceived), Some(h.investor_received));
    set(layout.total(Total::InvestorNpv), Some(h.investor_npv));
    set(layout.total(Total::InvestorIrr), h.investor_irr.rate);
    set(layout.total(Total::InvestorMoic), h.investor_moic);
    set(layout.total(Total::HostReceived), Some(h.host_received));
    set(layout.total(Total::HostTax), Some(h.host_tax));
    set(layout.total(Total::HostNpv), Some(h.host_npv));
    set(layout.total(Total::InvestorTerminalValue), Some(h.investor_terminal_value));
    set(layout.total(Total::HostTerminalValue), Some(h.host_terminal_value));
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    set(layout.total(Total::Recouped), h.all_recouped.map(flag));
    set(layout.total(Total::RecoupYear), h.recoup_year.map(f64::from));
    set(layout.total(Total::GuaranteeCalls), Some(h.guarantee_calls));
    set(layout.total(Total::Losses), Some(h.losses));
    set(layout.total(Total::EquityLost), Some(h.equity_lost));
    set(layout.total(Total::IrrMultipleRoots), Some(if h.investor_irr.has_multiple_roots() { 1.0 } else { 0.0 }));
    set(layout.total(Total::TariffReliefNpv), h.tariff_relief_npv);
    set(layout.total(Total::DealNpv), h.deal_npv());
    set(layout.total(Total::Defaults), Some(f64::from(outcome.defaults)));
    set(layout.total(Total::Declines), Some(f64::from(outcome.declines)));
    set(layout.total(Total::Snapback), Some(if outcome.snapback_from.is_some() { 1.0 } else { 0.0 }));
    for (i, y) in outcome.years.iter().enumerate() {
        set(layout.year(i, YearFigure::InvestorPaid), Some(y.investor_paid));
        set(layout.year(i, YearFigure::InvestorReceived), Some(y.investor_received));
        set(layout.year(i, YearFigure::HostReceived), Some(y.host_received));
        set(layout.year(i, YearFigure::HostTax), Some(y.host_tax));
        set(layout.year(i, YearFigure::Deferred), Some(y.deferred));
        set(layout.year(i, YearFigure::TariffRelief), Some(y.tariff_relief));
    }
    for (j, f) in outcome.facilities.iter().enumerate() {
        // With one facility its figures are the investor's, found above.
        let (npv, irr, moic) = if outcome.facilities.len() == 1 {
            (h.investor_npv, h.investor_irr.rate, h.investor_moic)
        } else {
            let own = discounts.investor_figures(&f.flows, f.terminal_value, deal.end);
            (own.npv, own.irr.rate, pactsim_model::figures::moic_of(own.paid, own.received))
        };
        set(layout.facility(j, FacilityFigure::Npv), Some(npv));
        set(layout.facility(j, FacilityFigure::Irr), irr);
        set(layout.facility(j, FacilityFigure::Moic), moic);
        set(layout.facility(j, FacilityFigure::TerminalValue), Some(f.terminal_value));
        set(layout.facility(j, FacilityFigure::Paid), Some(f.paid));
        set(layout.facility(j, FacilityFigure::Received), Some(f.received));
        set(layout.facility(j, FacilityFigure::CommittedUnfunded), Some(f.committed_unfunded()));
        set(layout.facility(j, FacilityFigure::Funded), Some(f.funded_usd_bn));
        set(layout.facility(j, FacilityFigure::Pending), Some(f.pending_usd_bn));
        set(layout.facility(j, FacilityFigure::GuaranteeCalls), Some(f.guarantee_calls));
        set(layout.facility(j, FacilityFigure::Losses), Some(f.losses));
        set(layout.facility(j, FacilityFigure::EquityLost), Some(f.equity_lost));
        set(layout.facility(j, FacilityFigure::Recouped), f.all_recouped.map(flag));
    }
    for (m, trade) in outcome.trade.iter().enumerate() {
        for scenario in Scenario::ALL {
            let eq = &trade.scenarios[scenario.index()];
            set(layout.scenario(m, scenario, ScenarioFigure::PriceIndexChange), Some(eq.price_index - 1.0));
            set(layout.scenario(m, scenario, ScenarioFigure::TariffRevenue), Some(eq.tariff_revenue_usd_bn));
            set(
                layout.scenario(m, scenario, ScenarioFigure::ConsumerSurplusChange),
                Some(eq.consumer_surplus_change_usd_bn),
            );
            for (s, source) in eq.sources.iter().enumerate() {
                set(layout.source(m, scenario, s, SourceFigure::Value), Some(source.value_usd_bn));
                set(
                    layout.source(m, scenario, s, SourceFigure::ProducerPriceChange),
                    Some(source.producer_price - 1.0),
                );
                set(layout.source(m, scenario, s, SourceFigure::QuantityChange), Some(source.quantity - 1.0));
                set(layout.source(m, scenario, s, SourceFigure::Duties), Some(source.duties_usd_bn));
                set(
                    layout.source(m, scenario, s, SourceFigure::ProducerSurplusChange),
                    Some(source.producer_surplus_change_usd_bn),
                );
            }
        }
        set(layout.relief(m), Some(trade.investor_tariff_relief_usd_bn_per_year));
    }
    if !outcome.trade.is_empty() {
        let sum = outcome.trade.iter().map(|t| t.investor_tariff_relief_usd_bn_per_year).sum();
        set(layout.relief_sum(), Some(sum));
    }
    if let Some(currency) = &outcome.currency {
        let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
        set(layout.currency(CurrencyFigure::Breach), flag(currency.breached));
        set(layout.currency(CurrencyFigure::DeferralRequests), Some(f64::from(currency.deferral_requests)));
        set(layout.currency(CurrencyFigure::DeferralsGranted), Some(f64::from(currency.deferrals_granted)));
        set(layout.currency(CurrencyFigure::SwapPeak), Some(currency.swap_peak_usd_bn));
        set(layout.currency(CurrencyFigure::SwapDrawn), flag(currency.swap_peak_usd_bn > 0.0));
        for (i, m) in currency.months.iter().enumerate() {
            set(layout.month(i, MonthFigure::Rate), m.rate);
            set(layout.month(i, MonthFigure::Reserves), m.reserves_usd_bn);
            set(layout.month(i, MonthFigure::AraRatio), m.ara_ratio);
        }
    }
}

/// The result of a run: a Stat for every figure of the layout, and the central path's detail.
#[derive(Debug, Clone)]
pub struct Summary {
    pub paths: u64,
    pub seed: u64,
    /// True when nothing in the deal is random: one path was computed and stands for all.
    pub deterministic: bool,
    pub layout: Layout,
    pub stats: Vec<Stat>,
    /// The deal with every random input at its central value and no defaults or refusals: the
    /// source of the listed projects' dated detail.
    pub central: Outcome,
}

impl Summary {
    pub fn stat(&self, index: usize) -> Stat {
        self.stats[index]
    }
}

/// A run was stopped, through its flag, before its paths were done: there is no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the run was cancelled before its paths were done")
    }
}

impl std::error::Error for Cancelled {}

/// One chunk's figures, and its kept paths' figures when paths are kept.
struct ChunkResult {
    figures: Chunk,
    /// The chunk's first path.
    first: u64,
    /// The kept figures (`Layout::kept_len` a path) of each path from `first`, when paths are kept.
    kept: Vec<Option<f64>>,
}

/// Paths of one deal run so far, folded into one accumulator per figure.
pub struct Runner<'a> {
    deal: &'a Deal,
    seed: u64,
    layout: Layout,
    deterministic: bool,
    discounts: Discounts,
    totals: Vec<Accumulator>,
    /// Paths run so far (a multiple of `CHUNK` except at the very end of a run).
    done: u64,
}

impl<'a> Runner<'a> {
    pub fn new(deal: &'a Deal, seed: u64) -> Self {
        let layout = Layout::of(deal);
        let deterministic = !deal.is_random();
        let totals = vec![Accumulator::default(); layout.len()];
        Runner {
            deal,
            seed,
            layout,
            deterministic,
            discounts: if deterministic { Discounts::of(deal) } else { Discounts::tabulated(deal) },
            totals,
            done: 0,
        }
    }

    /// Runs paths up to (not including) `paths`, in chunks; a deal with nothing random runs one
    /// path, which stands for all.
    /// With `keep`, each path's kept figures also go to the sink, in path order; at most two
    /// waves of paths are held at a time (one running, one being merged).
    pub fn run_to(&mut self, paths: u64, progress: &(dyn Fn(u64) + Sync), keep: Option<PathSink<'_, '_>>) {
        let never = AtomicBool::new(false);
        self.run_to_cancellable(paths, progress, keep, &never).expect("nothing sets the flag, so nothing cancels");
    }

    /// `run_to`, stopped early when `cancel` becomes true: then it returns `Cancelled`, having
    /// merged no path of the wave that was running and handed no more paths to `keep`; the runner
    /// holds the whole waves merged before.
    pub fn run_to_cancellable(
        &mut self,
        paths: u64,
        progress: &(dyn Fn(u64) + Sync),
        mut keep: Option<PathSink<'_, '_>>,
        cancel: &AtomicBool,
    ) -> Result<(), Cancelled> {
        let cancelled = || cancel.load(Ordering::Relaxed);
        let target = self.target(paths);
        let (deal, seed, layout, discounts) = (self.deal, self.seed, &self.layout, &self.discounts);
        let keeping = keep.is_some();
        // Buffers of a chunk's numbers, handed back once merged and taken again by later chunks.
        // Allocating and freeing them chunk by chunk on several threads fragmented the allocator's
        // heaps: a 30,000-path run of the Korea MOU (1.4 MB a buffer) peaked anywhere from 200 to
        // 260 MB, against mostly 194 MB with reuse.
        let spare = Mutex::new(Vec::new());
        let take = || spare.lock().expect("no thread panicked holding it").pop().unwrap_or_default();
        let give_back = |buffer: Vec<f64>| spare.lock().expect("no thread panicked holding it").push(buffer);
        // The chunks of paths `start..end`, in parallel.
        let run_wave = |start: u64, end: u64| -> Vec<ChunkResult> {
            (start / CHUNK..end.div_ceil(CHUNK))
                .into_par_iter()
                .map(|c| {
                    let paths = (c * CHUNK).max(start)..((c + 1) * CHUNK).min(end);
                    run_chunk(deal, seed, layout, discounts, paths, take(), keeping, &cancelled)
                })
                .collect()
        };
        // A wave's results are merged, in chunk order, while the next wave runs. Each figure is
        // merged on its own, so figures are spread over the threads: beyond 10,000 paths the merge
        // is a sketch insertion per figure and path, which on one thread would keep every other
        // waiting. One figure's chunks in a row also keep its sketch in cache.
        let merge = |totals: &mut [Accumulator], parts: &[ChunkResult]| {
            totals.par_iter_mut().enumerate().for_each(|(figure, total)| {
                for part in parts {
                    total.merge_chunk(&part.figures, figure);
                }
            });
        };
        // The paths of the wave that starts at `started`, if any are left.
        let wave_from =
            |started: u64| (started < target).then(|| (started, target.min((started / CHUNK + WAVE) * CHUNK)));
        let mut pending: Option<(Vec<ChunkResult>, u64)> = None;
        let mut started = self.done;
        loop {
            if cancelled() {
                return Err(Cancelled);
            }
            let next = wave_from(started);
            let totals = &mut self.totals;
            let (finished, running) = match (pending.take(), next) {
                (Some(finished), Some((start, end))) => {
                    let ((), running) = rayon::join(|| merge(totals, &finished.0), || run_wave(start, end));
                    (Some(finished), Some((running, end)))
                }
                (Some(finished), None) => {
                    merge(totals, &finished.0);
                    (Some(finished), None)
                }
                (None, Some((start, end))) => (None, Some((run_wave(start, end), end))),
                (None, None) => break,
            };
            if let Some((parts, reached)) = finished {
                if let Some(sink) = keep.as_mut() {
                    for part in &parts {
                        for (path, figures) in (part.first..).zip(part.kept.chunks_exact(layout.kept_len())) {
                            sink(path, figures);
                        }
                    }
                }
                parts.into_iter().for_each(|part| give_back(part.figures.into_buffer()));
                self.done = reached;
                progress(reached);
            }
            if let Some((_, end)) = running {
                started = end;
            }
            // The next wave takes a buffer a chunk: spare buffers beyond those (after a short last
            // wave, or the last) would only sit beside the exact values as they grow.
            let chunks = wave_from(started).map_or(0, |(start, end)| end.div_ceil(CHUNK) - start / CHUNK);
            spare.lock().expect("no thread panicked holding it").truncate(chunks as usize);
            pending = running;
        }
        Ok(())
    }

    pub fn stat(&self, index: usize) -> Stat {
        self.totals[index].stat(self.layout.may_be_undefined(index))
    }

    /// The paths a run of `paths` paths takes: one for a deal with nothing random.
    fn target(&self, paths: u64) -> u64 {
        if self.deterministic { 1 } else { paths.max(1) }
    }

    /// Chunks `chunks` of a run of `paths` paths, in parallel and not merged: what a unit of a run
    /// split over machines computes. `merge_records` of every chunk's record, in order, is the run.
    pub fn chunk_records(&self, paths: u64, chunks: std::ops::Range<u64>) -> Vec<ChunkRecord> {
        let target = self.target(paths);
        let (deal, seed, layout, discounts) = (self.deal, self.seed, &self.layout, &self.discounts);
        chunks
            .into_par_iter()
            .map(|c| {
                let paths = c * CHUNK..((c + 1) * CHUNK).min(target);
                run_chunk(deal, seed, layout, discounts, paths, Vec::new(), false, &|| false).figures.record()
            })
            .collect()
    }

    /// Merges chunks' records, in chunk order, after the paths merged so far, exactly as a run
    /// merges its own chunks. Panics if a record has not this deal's figures.
    pub fn merge_records(&mut self, records: &[ChunkRecord]) {
        assert!(records.iter().all(|r| r.figures.len() == self.layout.len()), "records of this deal's figures");
        self.totals.par_iter_mut().enumerate().for_each(|(figure, total)| {
            for record in records {
                total.merge_record(record, figure);
            }
        });
        self.done += records.iter().map(|r| r.paths).sum::<u64>();
    }

    /// The summary, reporting `paths` for a deal with nothing random (every path is the one run).
    pub fn summary(self, paths: u64) -> Summary {
        // Figures in parallel: up to 10,000 paths each one's quantiles select among its values,
        // the most work left once the paths are run.
        let stats = (0..self.layout.len()).into_par_iter().map(|i| self.stat(i)).collect();
        Summary {
            paths: if self.deterministic { paths } else { self.done },
            seed: self.seed,
            deterministic: self.deterministic,
            layout: self.layout,
            stats,
            central: engine::run(self.deal),
        }
    }
}

/// The chunks of `CHUNK` paths a run of `paths` paths of `deal` is cut into (one path, so one
/// chunk, for a deal with nothing random).
pub fn chunk_count(deal: &Deal, paths: u64) -> u64 {
    if deal.is_random() { paths.max(1).div_ceil(CHUNK) } else { 1 }
}

/// Runs the paths `paths` (within one chunk) into the chunk's figures, and the kept figures when
/// `keeping`; stops short when `cancelled` says so.
#[allow(clippy::too_many_arguments)]
fn run_chunk(
    deal: &Deal,
    seed: u64,
    layout: &Layout,
    discounts: &Discounts,
    paths: std::ops::Range<u64>,
    buffer: Vec<f64>,
    keeping: bool,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> ChunkResult {
    let first = paths.start;
    let mut rows = ChunkRows::new(layout.len(), (paths.end - paths.start) as usize, buffer);
    let mut kept = Vec::new();
    let mut scratch = PathScratch::new(deal);
    let mut figures = vec![None; layout.len()];
    for path in paths {
        // A cancelled run's chunks stop short; the run returns before merging them.
        if cancelled() {
            break;
        }
        let outcome = scratch.run_for_figures(PathDraws::draw(deal, seed, path));
        path_figures(deal, layout, discounts, &outcome, &mut figures);
        scratch.recycle(outcome);
        rows.push(&figures);
        if keeping {
            kept.extend_from_slice(&figures[..layout.kept_len()]);
        }
    }
    ChunkResult { figures: rows.finish(), first, kept }
}

/// Runs `paths` paths of `deal` with `seed`, calling `progress` with the paths done so far.
pub fn simulate(
    deal: &Deal,
    paths: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
    keep: Option<PathSink>,
) -> Summary {
    let mut runner = Runner::new(deal, seed);
    runner.run_to(paths, progress, keep);
    runner.summary(paths)
}

/// `simulate`, stopped early with `Cancelled` when `cancel` becomes true.
pub fn simulate_cancellable(
    deal: &Deal,
    paths: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
    keep: Option<PathSink>,
    cancel: &AtomicBool,
) -> Result<Summary, Cancelled> {
    let mut runner = Runner::new(deal, seed);
    runner.run_to_cancellable(paths, progress, keep, cancel)?;
    Ok(runner.summary(paths))
}

/// How a run stops by itself: when the standard error of the headline mean (`deal_npv` with a
/// `[trade]` section, else `investor_npv`) is at most `tolerance` of its absolute value, or at
/// `max_paths`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Convergence {
    pub tolerance: f64,
    pub max_paths: u64,
}

/// What a self-stopping run reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Converged {
    pub figure: Total,
    pub relative_se: Option<f64>,
    pub reached: bool,
}

/// Runs batches of paths (1,024, then doubling; always whole chunks, so the result equals a run of
/// the same number of paths) until the headline converges.
pub fn simulate_to_tolerance(
    deal: &Deal,
    seed: u64,
    convergence: Convergence,
    progress: &(dyn Fn(u64) + Sync),
    keep: Option<PathSink>,
) -> (Summary, Converged) {
    let never = AtomicBool::new(false);
    simulate_to_tolerance_cancellable(deal, seed, convergence, progress, keep, &never)
        .expect("nothing sets the flag, so nothing cancels")
}

/// `simulate_to_tolerance`, stopped early with `Cancelled` when `cancel` becomes true.
pub fn simulate_to_tolerance_cancellable(
    deal: &Deal,
    seed: u64,
    convergence: Convergence,
    progress: &(dyn Fn(u64) + Sync),
    mut keep: Option<PathSink>,
    cancel: &AtomicBool,
) -> Result<(Summary, Converged), Cancelled> {
    let figure = if deal.trade.is_empty() { Total::InvestorNpv } else { Total::DealNpv };
    let mut runner = Runner::new(deal, seed);
    let index = runner.layout.total(figure);
    let max_paths = convergence.max_paths.max(CHUNK).div_ceil(CHUNK) * CHUNK;
    let mut next = (8 * CHUNK).min(max_paths);
    loop {
        runner.run_to_cancellable(next, progress, keep.as_deref_mut(), cancel)?;
        let stat = runner.stat(index);
        let relative_se = stat.mean.zip(stat.mean_se).and_then(|(m, se)| (m != 0.0).then(|| se / m.abs()));
        let reached = runner.deterministic || relative_se.is_some_and(|r| r <= convergence.tolerance);
        if reached || next >= max_paths {
            let paths = runner.done;
            return Ok((runner.summary(paths), Converged { figure, relative_se, reached }));
        }
        next = (next * 2).min(max_paths);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{ChunkRows, EXACT_PATHS};
    use pactsim_model::spec::parse_deal;

    /// Six years of one facility filled by a random pipeline with defaults: a few dozen figures,
    /// some of which (the IRR, the recoup year) do not exist on every path (without a terminal
    /// value, which would give most paths an IRR).
    fn random_deal() -> Deal {
        let header = "schema = 1\n[deal]\nid = \"t\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\n";
        let source = header.to_string()
            + r#"start = 2026-01-01
horizon_years = 6
[[facility]]
id = "f"
commitment_usd_bn = 40.0
[pipeline.f]
projects_per_year = 1.0
size_usd_bn = { lognormal = { median = 5.0, p95 = 30.0 } }
irr = { normal = { mean = 0.07, sd = 0.03 } }
life_years = 4
annual_default_probability = 0.05
recovery_rate = 0.4
[run]
terminal_value = "none"
"#;
        parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Every figure's Stat to the bit (`{:?}` prints the shortest decimal that reads back to the
    /// same bits).
    fn bits(stats: &[Stat]) -> Vec<String> {
        stats.iter().map(|s| format!("{s:?}")).collect()
    }

    /// The run the simple way: one path at a time into one accumulator per figure and chunk,
    /// merged in chunk order, on one thread.
    fn one_by_one(deal: &Deal, paths: u64, seed: u64) -> Vec<Stat> {
        let layout = Layout::of(deal);
        let discounts = Discounts::tabulated(deal);
        let mut totals = vec![Accumulator::default(); layout.len()];
        let mut figures = vec![None; layout.len()];
        for chunk in (0..paths).step_by(CHUNK as usize) {
            let mut parts = vec![Accumulator::default(); layout.len()];
            for path in chunk..(chunk + CHUNK).min(paths) {
                let outcome = engine::run_path(deal, &PathDraws::draw(deal, seed, path));
                path_figures(deal, &layout, &discounts, &outcome, &mut figures);
                parts.iter_mut().zip(&figures).for_each(|(part, value)| part.push(*value));
            }
            totals.iter_mut().zip(&parts).for_each(|(total, part)| total.merge(part));
        }
        (0..layout.len()).map(|i| totals[i].stat(layout.may_be_undefined(i))).collect()
    }

    /// The run's chunks summed as a run sums them, on one thread.
    fn chunks(deal: &Deal, paths: u64, seed: u64) -> Vec<Chunk> {
        let layout = Layout::of(deal);
        let discounts = Discounts::tabulated(deal);
        let mut figures = vec![None; layout.len()];
        let starts = (0..paths).step_by(CHUNK as usize);
        starts
            .map(|start| {
                let chunk = start..(start + CHUNK).min(paths);
                let mut rows = ChunkRows::new(layout.len(), chunk.clone().count(), Vec::new());
                for path in chunk {
                    let outcome = engine::run_path(deal, &PathDraws::draw(deal, seed, path));
                    path_figures(deal, &layout, &discounts, &outcome, &mut figures);
                    rows.push(&figures);
                }
                rows.finish()
            })
            .collect()
    }

    /// Every figure's Stat from `chunks` merged in the order given.
    fn merged<'c>(deal: &Deal, chunks: impl Iterator<Item = &'c Chunk>) -> Vec<Stat> {
        let layout = Layout::of(deal);
        let mut totals = vec![Accumulator::default(); layout.len()];
        for chunk in chunks {
            totals.iter_mut().enumerate().for_each(|(figure, total)| total.merge_chunk(chunk, figure));
        }
        (0..layout.len()).map(|i| totals[i].stat(layout.may_be_undefined(i))).collect()
    }

    fn on_threads(threads: usize, run: impl FnOnce() -> Summary + Send) -> Summary {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(run)
    }

    #[test]
    fn a_cancelled_run_stops_between_waves_and_an_uncancelled_one_is_unchanged() {
        let deal = random_deal();
        let wave = WAVE * CHUNK;
        let paths = 3 * wave;
        let cancel = AtomicBool::new(false);
        let mut kept = Vec::new();
        let mut sink = |path: u64, _: &[Option<f64>]| kept.push(path);
        // Cancelled once the first wave is merged: the second, running meanwhile, is dropped.
        let progress = |done: u64| cancel.store(done >= wave, Ordering::Relaxed);
        let result = simulate_cancellable(&deal, paths, 3, &progress, Some(&mut sink), &cancel);
        assert_eq!(result.err(), Some(Cancelled));
        assert_eq!(kept, (0..wave).collect::<Vec<_>>(), "only the merged wave's paths reach the sink");

        let stopped = AtomicBool::new(true);
        let convergence = Convergence { tolerance: 1e-9, max_paths: paths };
        let result = simulate_to_tolerance_cancellable(&deal, 3, convergence, &|_| {}, None, &stopped);
        assert_eq!(result.err(), Some(Cancelled));

        let never = AtomicBool::new(false);
        let whole = simulate_cancellable(&deal, wave + 5, 3, &|_| {}, None, &never).expect("not cancelled");
        assert_eq!(bits(&whole.stats), bits(&simulate(&deal, wave + 5, 3, &|_| {}, None).stats));
    }

    #[test]
    fn past_the_exact_limit_any_thread_count_gives_the_bits_of_chunks_merged_in_order() {
        let deal = random_deal();
        // Past the limit in the middle of a wave, ending inside a chunk.
        let paths = EXACT_PATHS as u64 + 5 * CHUNK + 17;
        let chunks = chunks(&deal, paths, 11);
        let in_order = merged(&deal, chunks.iter());
        for threads in [1, 2, 3] {
            let summary = on_threads(threads, || simulate(&deal, paths, 11, &|_| {}, None));
            assert_eq!(summary.paths, paths);
            assert_eq!(bits(&summary.stats), bits(&in_order), "{threads} threads");
        }
        // Merged in another order, the means differ in their last bits: the comparison above would
        // catch a run that merged out of order.
        assert_ne!(bits(&merged(&deal, chunks.iter().rev())), bits(&in_order));
        // Path by path, the means round differently too; the quantiles, which see the same values
        // in the same order, and the share of paths where a figure exists do not.
        let close = |x: Option<f64>, y: Option<f64>| x.zip(y).map_or(x == y, |(x, y)| (x - y).abs() <= 1e-12 * x.abs());
        for (a, b) in one_by_one(&deal, paths, 11).iter().zip(&in_order) {
            let quantiles = |s: &Stat| format!("{:?}", (s.p5, s.p50, s.p95, s.defined_share));
            assert_eq!(quantiles(a), quantiles(b));
            assert!(close(a.mean, b.mean) && close(a.mean_se, b.mean_se), "{a:?} vs {b:?}");
        }
        // The NPV exists on every path, so its quantiles come from the sketch; the IRR is missing
        // on enough paths to keep its values exact.
        let layout = Layout::of(&deal);
        let npv = in_order[layout.total(Total::InvestorNpv)];
        assert!(npv.mean_se.unwrap() > 0.0 && npv.p5 < npv.p50 && npv.p50 < npv.p95, "{npv:?}");
        let irr_share = in_order[layout.total(Total::InvestorIrr)].defined_share.unwrap();
        assert!(irr_share > 0.5 && irr_share * (paths as f64) < EXACT_PATHS as f64, "{irr_share}");
    }

    #[test]
    fn chunk_records_merged_in_order_elsewhere_give_the_run_to_the_bit() {
        let deal = random_deal();
        // Past the exact limit, ending inside a chunk: records carry what the sketch takes too.
        let paths = EXACT_PATHS as u64 + 3 * CHUNK + 17;
        let count = chunk_count(&deal, paths);
        assert_eq!(count, paths.div_ceil(CHUNK));
        let runner = Runner::new(&deal, 11);
        // Three uneven units, computed in reverse order, merged in chunk order.
        let cuts = [0, 5, 61, count];
        let mut units: Vec<Vec<ChunkRecord>> =
            cuts.windows(2).rev().map(|w| runner.chunk_records(paths, w[0]..w[1])).collect();
        units.reverse();
        let mut merged = Runner::new(&deal, 11);
        for unit in &units {
            merged.merge_records(unit);
        }
        let summary = merged.summary(paths);
        assert_eq!(summary.paths, paths);
        assert_eq!(bits(&summary.stats), bits(&simulate(&deal, paths, 11, &|_| {}, None).stats));
        // Out of order, the bits differ: the comparison above would catch a misordered merge.
        let mut shuffled = Runner::new(&deal, 11);
        for unit in units.iter().rev() {
            shuffled.merge_records(unit);
        }
        assert_ne!(bits(&shuffled.summary(paths).stats), bits(&summary.stats));
    }
}
