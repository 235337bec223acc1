//! Figures of dated cash flows: NPV, XIRR and MOIC, with the ACT/365F day count of Excel and pyxirr.
//!
//! XIRR is ill-posed when flows change sign more than once, so `xirr` finds every root it can
//! bracket, reports the one Excel and pyxirr report, and says when there were several.

use std::borrow::Borrow;

use chrono::NaiveDate;

use crate::calendar::{DaysFrom, days_between};
use crate::outcome::DatedFlow;

/// Net present value at `rate`, discounted to `to`: `Σ a / (1 + rate)^(days / 365)`.
pub fn npv(flows: &[DatedFlow], rate: f64, to: NaiveDate) -> f64 {
    Discount::new(rate, to, to).npv(flows)
}

/// Discounting at one rate to one date (ACT/365F), with the factor of every day up to a last
/// one computed in advance: a Monte Carlo run discounts the flows of every path to the same
/// date, mostly on days met before, and the exponential was a large share of a path's work.
#[derive(Debug, Clone)]
pub struct Discount {
    to: NaiveDate,
    log_growth: f64,
    /// `factors[d]`: the factor of the day `d` days after `to`.
    factors: Vec<f64>,
}

impl Discount {
    /// Factors computed in advance from `to` to `last` (none when `last` is not after `to`).
    pub fn new(rate: f64, to: NaiveDate, last: NaiveDate) -> Self {
        let log_growth = rate.ln_1p();
        let days = (last - to).num_days().max(0);
        let factors = (0..=days).map(|d| Self::compute(log_growth, d)).collect();
        Discount { to, log_growth, factors }
    }

    fn compute(log_growth: f64, days: i64) -> f64 {
        (-log_growth * (days as f64 / 365.0)).exp()
    }

    /// The factor of the day `days` days after `to`.
    fn factor(&self, days: i64) -> f64 {
        match usize::try_from(days).ok().and_then(|d| self.factors.get(d)) {
            Some(factor) => *factor,
            None => Self::compute(self.log_growth, days),
        }
    }

    /// `Σ a · factor(date)`, summed in the flows' order from −0.0 (as `FlowFigures` sums it).
    pub fn npv(&self, flows: &[DatedFlow]) -> f64 {
        // Flows come in date order, so a flow's days from `to` are mostly its ordinal plus those
        // of the flow before's year.
        let mut days = DaysFrom::new(self.to);
        flows.iter().map(|f| f.amount * self.factor(days.days_to(f.date))).sum()
    }
}

/// What the holder paid out: the negative flows, as a positive sum.
pub fn paid(flows: &[DatedFlow]) -> f64 {
    paid_and_received(flows).0
}

/// What the holder received: the positive flows.
pub fn received(flows: &[DatedFlow]) -> f64 {
    paid_and_received(flows).1
}

/// `paid` and `received` in one pass over the flows, each summed in their order.
pub fn paid_and_received(flows: &[DatedFlow]) -> (f64, f64) {
    // From 0.0, so that nothing paid prints as "0.0", not "-0.0".
    flows.iter().fold((0.0, 0.0), |sums, f| add_paid_or_received(sums, f.amount))
}

fn add_paid_or_received((mut paid, mut received): (f64, f64), amount: f64) -> (f64, f64) {
    if amount < 0.0 {
        paid -= amount;
    } else if amount > 0.0 {
        received += amount;
    }
    (paid, received)
}

/// The figures of one holder's flows that a Monte Carlo path reports, from one pass over the
/// flows where each figure took its own: what it paid and received, the NPV, and the flows
/// netted for the XIRR. A path's investor flows are about a thousand, and reading them was about
/// a third of its figures' cost. Each figure is the one its own function gives, to the bit.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowFigures {
    pub paid: f64,
    pub received: f64,
    pub npv: f64,
    pub irr: Irr,
}

impl FlowFigures {
    /// `paid_and_received`, `discount.npv` and `xirr_with(…, steps)` of `flows`.
    pub fn of(flows: &[DatedFlow], discount: &Discount, steps: &XirrSteps) -> Self {
        Self::with_terminal(flows, None, discount, steps)
    }

    /// `of`, with a value on a date no earlier than the last flow's (`terminal`: what is still
    /// owed or owned at the horizon) counted in the NPV and the XIRR as one more flow, and not in
    /// what was paid or received, which are cash.
    pub fn with_terminal(
        flows: &[DatedFlow],
        terminal: Option<DatedFlow>,
        discount: &Discount,
        steps: &XirrSteps,
    ) -> Self {
        debug_assert!(terminal.is_none_or(|t| flows.last().is_none_or(|last| last.date <= t.date)));
        // The first flow's place in the table of factors (none when it comes before the date
        // discounted to); the others' are as many days further as they come after it.
        let first =
            flows.first().or(terminal.as_ref()).and_then(|f| usize::try_from(days_between(discount.to, f.date)).ok());
        let (mut sums, mut npv, mut untabled) = ((0.0, 0.0), -0.0, first.is_none());
        // The factor of the date being read, looked up on its first flow.
        let mut factor = 0.0;
        let mut cash_flows_left = flows.len();
        let all = flows.iter().chain(terminal.as_ref());
        let netted = net_in_order(all, flows.len() + 1, |amount, new_date| {
            // The terminal value comes last; it is not cash.
            if cash_flows_left > 0 {
                sums = add_paid_or_received(sums, amount);
                cash_flows_left -= 1;
            }
            // Tabled factors only: an exponential's call in the loop would make the compiler keep
            // the sums in memory, and it even took each date's exponential before looking in the
            // table.
            if let Some(days) = new_date {
                match discount.factors.get(first.unwrap_or(0) + days as usize) {
                    Some(tabled) => factor = *tabled,
                    None => untabled = true,
                }
            }
            npv += amount * factor;
        });
        let Some(netted) = netted.filter(|_| !untabled) else {
            // A date went back, or one was not tabled, so the flows are read again, the figures
            // separately.
            let (paid, received) = paid_and_received(flows);
            let mut all: Vec<DatedFlow> = flows.to_vec();
            all.extend(terminal);
            return FlowFigures { paid, received, npv: discount.npv(&all), irr: xirr_with(&all, steps) };
        };
        let (paid, received) = sums;
        // Something paid and something received (the terminal value counted), as `search_roots`
        // asks before netting.
        let (out, back) = terminal.map_or(sums, |t| add_paid_or_received(sums, t.amount));
        let irr = if out > 0.0 && back > 0.0 { netted_roots(&netted, Shortcuts::ALL, Some(steps)) } else { Irr::NONE };
        FlowFigures { paid, received, npv, irr }
    }
}

/// Received over paid; `None` when nothing was paid.
pub fn moic(flows: &[DatedFlow]) -> Option<f64> {
    moic_of(paid(flows), received(flows))
}

/// Received over paid, from the two sums; `None` when nothing was paid.
pub fn moic_of(paid: f64, received: f64) -> Option<f64> {
    (paid > 0.0).then(|| received / paid)
}

/// The internal rates of return of a set of dated flows.
#[derive(Debug, Clone, PartialEq)]
pub struct Irr {
    /// The rate Excel's and pyxirr's XIRR report; `None` when the flows never change sign.
    pub rate: Option<f64>,
    /// Every root found in (−1, ∞), ascending.
    pub roots: Vec<f64>,
}

impl Irr {
    const NONE: Irr = Irr { rate: None, roots: Vec::new() };

    pub fn has_multiple_roots(&self) -> bool {
        self.roots.len() > 1
    }
}

/// Grid of `x = ln(1 + r)` on which roots are bracketed: r from about −1 + 1e-11 to 1.2e6.
const GRID_LOW: f64 = -25.0;
const GRID_HIGH: f64 = 14.0;
/// Grid step when the flows change sign more than once; cells where the XNPV turns are searched
/// for a pair of roots, so roots closer than a step are found too.
const GRID_STEP: f64 = 0.1;
/// Grid step when the flows change sign once (and so have exactly one root).
const COARSE_STEP: f64 = 0.25;

/// XIRR (ACT/365F): all roots bracketed on a grid of `ln(1 + r)`, refined by Halley's method with
/// bisection fallback.
pub fn xirr(flows: &[DatedFlow]) -> Irr {
    search_roots(flows, Shortcuts::ALL, None)
}

/// `xirr`, with the walk's step factors from `steps` (the same roots to the last bit).
pub fn xirr_with(flows: &[DatedFlow], steps: &XirrSteps) -> Irr {
    search_roots(flows, Shortcuts::ALL, Some(steps))
}

/// The factors of the XIRR walk's two grid steps for every day up to a last one: they depend on
/// the days alone, so a Monte Carlo run builds them once, where each path's walks built their
/// own (some 150 exponentials a path on the Korea MOU). Flow sets spanning more days build theirs.
#[derive(Debug, Clone)]
pub struct XirrSteps {
    /// At `GRID_STEP` and at `COARSE_STEP`.
    fine: DayFactors,
    coarse: DayFactors,
}

impl XirrSteps {
    /// For flow sets whose first and last dates lie within `first..=last`.
    pub fn spanning(first: NaiveDate, last: NaiveDate) -> Self {
        let days = u32::try_from(days_between(first, last)).unwrap_or(0);
        XirrSteps { fine: DayFactors::new(GRID_STEP, days), coarse: DayFactors::new(COARSE_STEP, days) }
    }

    /// The factors of the grid step `step` when they reach `last` days.
    fn at(&self, step: f64, last: u32) -> Option<&DayFactors> {
        let tables = if step == GRID_STEP {
            &self.fine
        } else if step == COARSE_STEP {
            &self.coarse
        } else {
            return None;
        };
        tables.reaches(last).then_some(tables)
    }
}

/// The work `search_roots` may save; tests turn each saving off to check what it changes.
#[derive(Debug, Clone, Copy)]
struct Shortcuts {
    /// Laguerre's bound on the roots of each side of `x = 0`, and cells proven to keep their sign
    /// left unsearched: the same roots.
    bounds: bool,
    /// Each flow's exponential from `DayFactors` when its tables take fewer exponentials than
    /// there are flows: the same roots to the last few bits.
    tables: bool,
}

impl Shortcuts {
    const ALL: Shortcuts = Shortcuts { bounds: true, tables: true };
}

fn search_roots(flows: &[DatedFlow], shortcuts: Shortcuts, steps: Option<&XirrSteps>) -> Irr {
    let has_positive = flows.iter().any(|f| f.amount > 0.0);
    let has_negative = flows.iter().any(|f| f.amount < 0.0);
    if !has_positive || !has_negative {
        return Irr::NONE;
    }
    // Flows on one date are netted (the XNPV is unchanged).
    netted_roots(&net(flows), shortcuts, steps)
}

/// `search_roots` of flows netted by date, with something paid and something received.
fn netted_roots(netted: &[Netted], shortcuts: Shortcuts, steps: Option<&XirrSteps>) -> Irr {
    // By Descartes' rule of signs for sums of powers, the number of roots in (−1, ∞) is at most
    // the number of sign changes of the netted flows in date order: with one change there is
    // exactly one root, and a coarse grid brackets it.
    let sign_changes = netted.windows(2).filter(|w| (w[0].amount > 0.0) != (w[1].amount > 0.0)).count();
    if sign_changes == 0 {
        return Irr::NONE;
    }
    let curve = Curve { steps, ..Curve::new(netted, shortcuts) };
    let mut roots = if sign_changes == 1 { curve.roots(COARSE_STEP, false) } else { curve.roots(GRID_STEP, true) };
    roots.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * (1.0 + b.abs()));

    let rate = match roots.as_slice() {
        [] => None,
        [only] => Some(*only),
        several => Some(excel_choice(netted, several)),
    };
    Irr { rate, roots }
}

/// One date's flows, netted; the date is counted in whole days (and in years, `days / 365`)
/// after the first date.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Netted {
    days: u32,
    years: f64,
    amount: f64,
}

/// The flows netted by date, in date order, without the dates whose flows cancel out.
fn net(flows: &[DatedFlow]) -> Vec<Netted> {
    // A run's flows come in date order, so they are netted as they come, and sorted first only
    // when a date goes back.
    net_in_order(flows, flows.len(), |_, _| {}).unwrap_or_else(|| {
        let mut sorted = flows.to_vec();
        sorted.sort_by_key(|f| f.date);
        net_in_order(&sorted, sorted.len(), |_, _| {}).expect("sorted by date")
    })
}

/// `net` of flows in date order, telling `each` every flow's amount as it comes, with the days
/// after the first date on a date's first flow; `None` when a flow's date comes before the one
/// before it.
fn net_in_order<'f>(
    flows: impl IntoIterator<Item = &'f DatedFlow>,
    most: usize,
    mut each: impl FnMut(f64, Option<u32>),
) -> Option<Vec<Netted>> {
    let mut flows = flows.into_iter();
    let Some(first) = flows.next() else {
        return Some(Vec::new());
    };
    each(first.amount, Some(0));
    // `most`: at most how many flows there are.
    let mut netted: Vec<Netted> = Vec::with_capacity(most);
    let mut days_from_first = DaysFrom::new(first.date);
    // The date being netted, its days after the first date, and its flows' sum so far; it is
    // kept once a later date comes, unless its flows cancel out.
    let (mut date, mut days, mut amount) = (first.date, 0, first.amount);
    let mut keep = |days: u32, amount: f64| {
        if amount != 0.0 {
            // Never more dates than flows: no push reallocates, and saying so keeps the
            // reallocation's call, and the spills around it, out of the loop.
            assert!(netted.len() < netted.capacity());
            netted.push(Netted { days, years: f64::from(days) / 365.0, amount });
        }
    };
    for f in flows {
        if f.date == date {
            each(f.amount, None);
            amount += f.amount;
            continue;
        }
        if f.date < date {
            return None;
        }
        keep(days, amount);
        // chrono's dates span fewer days than a u32 counts.
        days = u32::try_from(days_from_first.days_to(f.date)).expect("no flow before the first");
        each(f.amount, Some(days));
        (date, amount) = (f.date, f.amount);
    }
    keep(days, amount);
    Some(netted)
}

/// At most how many roots the XNPV has below and above `x = 0` (`r < 0` and `r > 0`), by
/// Laguerre's rule for partial sums: `XNPV(x) / x` is the Laplace transform of the running total
/// of the flows (a step function of time), so by the variation-diminishing property of the
/// kernel `e^(−x t)` it has no more roots for `x > 0` than the running total has sign changes
/// (Pólya and Szegő, Problems and Theorems in Analysis II, Part V; for cash flows, Norstrøm 1972).
/// Read backwards from the last flow, the same rule bounds the roots for `x < 0`. A running total
/// within rounding of zero could have either sign, so its side gets no bound (`usize::MAX`).
fn most_roots_each_side(flows: &[Netted]) -> [usize; 2] {
    /// The sign changes of the running total of `amounts`, which start with `first`.
    fn changes(amounts: impl Iterator<Item = f64>, first: f64) -> usize {
        // The first total is the first amount, so starting from its sign counts no change there.
        let (mut total, mut scale, mut negative, mut changes) = (0.0f64, 0.0f64, u64::from(first < 0.0), 0);
        for amount in amounts {
            total += amount;
            scale += amount.abs();
            // False for a total that is not a number, which gets no bound either.
            let clear_of_zero = total.abs() > 1e-12 * scale;
            if !clear_of_zero {
                return usize::MAX;
            }
            // Clear of zero, the total is negative where its sign bit is set.
            let now = total.to_bits() >> 63;
            changes += negative ^ now;
            negative = now;
        }
        changes as usize
    }
    let amount = |f: Option<&Netted>| f.map_or(0.0, |f| f.amount);
    let amounts = flows.iter().map(|f| f.amount);
    [changes(amounts.clone().rev(), amount(flows.last())), changes(amounts, amount(flows.first()))]
}

/// Among several roots, the one Excel and pyxirr report: where Newton's method from a guess of
/// 10% converges (pyxirr 0.10: 50 iterations, |f| or the step below 1e-9); failing that, the
/// lowest root.
fn excel_choice(flows: &[Netted], roots: &[f64]) -> f64 {
    let f = |r: f64| -> f64 {
        if r <= -1.0 {
            return f64::INFINITY;
        }
        flows.iter().map(|f| f.amount * (1.0 + r).powf(-f.years)).sum()
    };
    let df = |r: f64| -> f64 { flows.iter().map(|f| -f.amount * f.years * (1.0 + r).powf(-f.years - 1.0)).sum() };
    let mut r = 0.1;
    let mut reached = None;
    for _ in 0..50 {
        let value = f(r);
        if value.abs() < 1e-9 {
            reached = Some(r);
            break;
        }
        let delta = value / df(r);
        if delta.abs() < 1e-9 {
            reached = Some(r - delta);
            break;
        }
        r -= delta;
    }
    match reached {
        Some(r) if r.is_finite() && f(r).abs() < 1e-3 => {
            // Report our refined root nearest to where Newton stopped.
            *roots.iter().min_by(|a, b| (*a - r).abs().total_cmp(&(*b - r).abs())).expect("several roots")
        }
        _ => roots[0],
    }
}

/// Where in a cell (as a share of its width `h`) the cubic through its ends' values `f0`, `f1`
/// and slopes `d0`, `d1` (Hermite interpolation) is zero, for a cell whose ends differ in sign:
/// a start for Newton's method that is off by about the fourth power of the width, where the
/// chord is off by its square. A few Newton steps on the cubic from the chord's root, kept inside
/// the cell.
fn hermite_root(f0: f64, d0: f64, f1: f64, d1: f64, h: f64) -> f64 {
    let chord = f0 / (f0 - f1);
    let mut u = chord;
    for _ in 0..6 {
        let (u2, u3) = (u * u, u * u * u);
        let value = (2.0 * u3 - 3.0 * u2 + 1.0) * f0
            + (u3 - 2.0 * u2 + u) * h * d0
            + (3.0 * u2 - 2.0 * u3) * f1
            + (u3 - u2) * h * d1;
        let slope =
            (6.0 * u2 - 6.0 * u) * (f0 - f1) + (3.0 * u2 - 4.0 * u + 1.0) * h * d0 + (3.0 * u2 - 2.0 * u) * h * d1;
        let next = u - value / slope;
        if !(next > 0.0 && next < 1.0) {
            return chord;
        }
        u = next;
    }
    u
}

/// The XNPV as a function of `x = ln(1 + r)`, scaled so no term overflows: each flow's term is
/// `a e^(−x (t − shift))`, with the shift at the last flow below `x = 0` and at the first date
/// above, so no factor exceeds 1.
struct Curve<'a> {
    /// Netted, at least two.
    flows: &'a [Netted],
    /// The last flow's days and years after the first date: the shift below `x = 0`.
    last_day: u32,
    t_max: f64,
    /// Whether a cell that `keeps_its_sign` skips its turning-point search (tests turn it off to
    /// check that the results are the same).
    skip_proven_cells: bool,
    /// At most how many roots lie below and above `x = 0` (`most_roots_each_side`; `usize::MAX`
    /// for no bound). A side with at most one root is walked only until its sign changes, or not
    /// at all when its ends have one sign (an even number of roots, so none).
    most_roots: [usize; 2],
    /// Whether the factors at a point come from `DayFactors`' tables rather than an exponential
    /// per flow.
    tables: bool,
    /// The walk's step factors built in advance, if they were.
    steps: Option<&'a XirrSteps>,
    /// Where both sides' walks start.
    at_zero: AtZero,
}

/// The curve at `x = 0`, where every factor is 1, so both sides' walks start from the same sums:
/// taken once, they cost one pass over the flows where each walk took its own.
#[derive(Debug, Clone, Copy)]
struct AtZero {
    value: f64,
    /// Of the unscaled XNPV's sign, `Σ −t a`, as the walk's slopes are.
    slope: f64,
    /// The absolute sums of the negative flows and of the others, each added in date order as a
    /// walk adds the flows whose sign is not its anchor's.
    negative: f64,
    other: f64,
}

impl AtZero {
    fn of(flows: &[Netted]) -> Self {
        let mut at_zero = AtZero { value: 0.0, slope: 0.0, negative: 0.0, other: 0.0 };
        for f in flows {
            at_zero.value += f.amount;
            at_zero.slope -= f.years * f.amount;
            // Adding zero rather than branching, as the walk does.
            let negative = f.amount < 0.0;
            at_zero.negative += if negative { f.amount.abs() } else { 0.0 };
            at_zero.other += if negative { 0.0 } else { f.amount.abs() };
        }
        at_zero
    }

    /// The absolute sum of the flows whose sign is not `anchor`'s.
    fn opposite(&self, anchor: f64) -> f64 {
        if anchor < 0.0 { self.other } else { self.negative }
    }
}

/// A side's shift in days and in years.
#[derive(Debug, Clone, Copy)]
struct Shift {
    days: u32,
    years: f64,
}

impl Shift {
    /// Whole days between the shift and a flow `days` after the first date: back from the last
    /// flow below `x = 0`, on from the first date above (the only shift of 0 days, as the last
    /// flow comes after the first date).
    fn days_to(self, days: u32) -> u32 {
        // Not `abs_diff`: the side is the same for every flow of a loop, so this branch moves out
        // of it.
        if self.days == 0 { days } else { self.days - days }
    }
}

impl<'a> Curve<'a> {
    /// The curve of netted flows (at least two), with the savings `shortcuts` allows.
    fn new(flows: &'a [Netted], shortcuts: Shortcuts) -> Self {
        let last = flows[flows.len() - 1];
        Curve {
            flows,
            last_day: last.days,
            t_max: last.years,
            skip_proven_cells: shortcuts.bounds,
            most_roots: if shortcuts.bounds { most_roots_each_side(flows) } else { [usize::MAX; 2] },
            tables: shortcuts.tables && DayFactors::entries(last.days) < flows.len(),
            steps: None,
            at_zero: AtZero::of(flows),
        }
    }

    /// The shift below `x = 0` (`below`) or above.
    fn shift(&self, below: bool) -> Shift {
        if below { Shift { days: self.last_day, years: self.t_max } } else { Shift { days: 0, years: 0.0 } }
    }

    /// Each flow with its `t − shift` and its factor `e^(−x (t − shift))`, for an `x` on the
    /// shift's side of 0 (so the factor is at most 1).
    fn factors(&self, x: f64, shift: Shift) -> impl Iterator<Item = (&'a Netted, f64, f64)> {
        let tables = self.tables.then(|| DayFactors::new(x.abs(), self.last_day));
        self.factors_from(x, shift, tables)
    }

    /// `factors`, from `tables` (built at `|x|`) when there are any: owned by the iterator for a
    /// point's own tables, borrowed for tables built in advance.
    fn factors_from<T: Borrow<DayFactors>>(
        &self,
        x: f64,
        shift: Shift,
        tables: Option<T>,
    ) -> impl Iterator<Item = (&'a Netted, f64, f64)> {
        debug_assert!(if shift.days == 0 { x >= 0.0 } else { x <= 0.0 }, "{x} on the other side of {shift:?}");
        // `e^(−x (t − shift)) = e^(−|x| k / 365)` for the flow's `k` days from the shift.
        self.flows.iter().map(move |f| {
            // Above x = 0 the shift is 0 and `t − 0` is `t`, so the loops on that side skip the
            // subtraction.
            let tau = if shift.days == 0 { f.years } else { f.years - shift.years };
            let factor = match &tables {
                Some(tables) => tables.borrow().get(shift.days_to(f.days)),
                None => (-x * tau).exp(),
            };
            (f, tau, factor)
        })
    }

    /// Every root of the XNPV in `x ∈ [GRID_LOW, GRID_HIGH]`, ascending. The grid is walked from
    /// `x = 0` outwards by recurrence (each flow's term is multiplied by a fixed factor per step,
    /// so no term grows and none overflows); a cell whose ends differ in sign holds a root, and
    /// with `turning_points`, a cell where the slope changes sign is searched for its turning
    /// point, which splits a pair of roots that the ends do not show.
    fn roots(&self, step: f64, turning_points: bool) -> Vec<f64> {
        let at_zero = self.at_zero.value;
        // The sign far out on each side: the last flow's below, the first flow's above.
        let far = [self.flows[self.flows.len() - 1].amount, self.flows[0].amount];
        let single = |side: usize| at_zero != 0.0 && self.most_roots[side] <= 1;
        let steps = |side: usize, steps: usize| {
            if single(side) && at_zero != 0.0 && (at_zero < 0.0) == (far[side] < 0.0) { 0 } else { steps }
        };
        // x = 0 is the first point above too, so the walk below is needed only when it takes a
        // step, and its own x = 0 is left out.
        let below = match steps(0, (-GRID_LOW / step).ceil() as usize) {
            0 => Vec::new(),
            steps => self.walk(step, -1.0, steps, single(0)),
        };
        let above = self.walk(step, 1.0, steps(1, (GRID_HIGH / step).ceil() as usize), single(1));
        let points: Vec<(f64, f64, f64)> = below.into_iter().skip(1).rev().chain(above).collect();
        let mut roots = Vec::new();
        for cell in points.windows(2) {
            let ((x0, f0, d0), (x1, f1, d1)) = (cell[0], cell[1]);
            if f0 == 0.0 {
                roots.push(x0);
            } else if f1 != 0.0 && (f0 < 0.0) != (f1 < 0.0) {
                // The walk's slopes are of `Σ −t a e^(…)`; the scaled value's own slope adds
                // `shift · value` (the shift is `t_max` below x = 0).
                let shift = self.shift(x0 < 0.0).years;
                let start = x0 + (x1 - x0) * hermite_root(f0, d0 + shift * f0, f1, d1 + shift * f1, x1 - x0);
                roots.push(self.refine(x0, x1, f0 < 0.0, start));
            } else if turning_points
                && !single(usize::from(x0 >= 0.0))
                && f1 != 0.0
                && (d0 < 0.0) != (d1 < 0.0)
                && !(self.skip_proven_cells && self.keeps_its_sign(x0, x1, f0 > 0.0))
            {
                let turn = self.turning_point(x0, x1);
                let f_turn = self.sign_value(turn);
                if f_turn == 0.0 {
                    roots.push(turn);
                } else if (f_turn < 0.0) != (f0 < 0.0) {
                    roots.push(self.refine(x0, turn, f0 < 0.0, 0.5 * (x0 + turn)));
                    roots.push(self.refine(turn, x1, f_turn < 0.0, 0.5 * (turn + x1)));
                }
            }
        }
        if let Some(&(x, f, _)) = points.last()
            && f == 0.0
        {
            roots.push(x);
        }
        roots.into_iter().map(f64::exp_m1).collect()
    }

    /// `(x, value, slope)` at `x = 0, direction·step, 2·direction·step, …`, scaled like
    /// `sign_value`, with the slope of the unscaled XNPV's sign (`Σ −t a e^(…)`); it stops where
    /// no root can lie further out, and with `single_root` also at the first point whose sign
    /// differs from `x = 0`'s (or is zero).
    fn walk(&self, step: f64, direction: f64, steps: usize, single_root: bool) -> Vec<(f64, f64, f64)> {
        let shift = self.shift(direction < 0.0);
        // The flow that dominates far out on this side: the first one going up, the last going
        // down. Once it outweighs every flow of the opposite sign together, it does so for good
        // (their terms only shrink relative to it), so no root lies further out.
        let anchor = if direction > 0.0 { self.flows[0].amount } else { self.flows[self.flows.len() - 1].amount };
        // A grid point's value, slope, and the absolute sum of the terms whose sign is not the
        // anchor's, added term by term.
        let anchor_negative = anchor < 0.0;
        let add = move |(value, slope, opposite): (f64, f64, f64), term: f64, t: f64| {
            // Adding zero rather than branching: the signs alternate unpredictably, and
            // `opposite` (never −0) is unchanged by it.
            (value + term, slope - t * term, opposite + if (term < 0.0) != anchor_negative { term.abs() } else { 0.0 })
        };
        let zero = self.at_zero;
        let zero_negative = zero.value < 0.0;
        let other_sign = |value: f64| value == 0.0 || (value < 0.0) != zero_negative;
        let mut points = Vec::with_capacity(steps + 1);
        // Records point `k`; true when the walk stops there.
        let mut reached = |k: usize, (value, slope, opposite): (f64, f64, f64)| {
            points.push((direction * step * k as f64, value, slope));
            opposite < anchor.abs() || (single_root && k > 0 && other_sign(value))
        };
        if reached(0, (zero.value, zero.slope, zero.opposite(anchor))) || steps == 0 {
            return points;
        }
        // The first point is summed as each flow's factor is looked up from the tables, and the
        // factors are looked up again, to be kept, only for a walk that goes on: one that stops
        // there, as on each side of most sets with a bound, passes over the flows once. Factors
        // that are each an exponential of their own are taken once, and kept.
        let x = direction * step;
        let own_tables;
        let tables = match self.steps.and_then(|steps| steps.at(step, self.last_day)) {
            Some(tables) if self.tables => Some(tables),
            _ => {
                own_tables = self.tables.then(|| DayFactors::new(x.abs(), self.last_day));
                own_tables.as_ref()
            }
        };
        let collect = || -> Vec<f64> { self.factors_from(x, shift, tables).map(|(_, _, factor)| factor).collect() };
        let exponentials = tables.is_none().then(collect);
        let first_point = exponentials.as_deref();
        let first = if single_root {
            // A walk for one root stops at a first point of the other sign whatever the terms of
            // the anchor's other sign add up to, so their sum, a quarter of the point's work, is
            // taken only when it goes on (on few of the Korea MOU's paths).
            let only_value_and_slope = |(value, slope, opposite): (f64, f64, f64), term: f64, t: f64| {
                (value + term, slope - t * term, opposite)
            };
            let (value, slope, _) = self.point_at(x, shift, tables, first_point, only_value_and_slope);
            if other_sign(value) {
                (value, slope, f64::INFINITY)
            } else {
                self.point_at(x, shift, tables, first_point, add)
            }
        } else {
            self.point_at(x, shift, tables, first_point, add)
        };
        let mut k = 1;
        if reached(k, first) {
            return points;
        }
        let factors = exponentials.unwrap_or_else(collect);
        let mut terms: Vec<f64> = self.flows.iter().zip(&factors).map(|(f, factor)| f.amount * factor).collect();
        // Two grid points per pass over the flows: their sums are separate chains of additions,
        // which the processor overlaps, where one point's sums wait on each other.
        while k + 2 <= steps {
            let (mut near, mut far) = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0));
            for ((term, factor), f) in terms.iter_mut().zip(&factors).zip(self.flows) {
                let next = *term * factor;
                *term = next * factor;
                near = add(near, next, f.years);
                far = add(far, *term, f.years);
            }
            k += 2;
            if reached(k - 1, near) || reached(k, far) {
                return points;
            }
        }
        if k < steps {
            let mut last = (0.0, 0.0, 0.0);
            for ((term, factor), f) in terms.iter_mut().zip(&factors).zip(self.flows) {
                *term *= factor;
                last = add(last, *term, f.years);
            }
            reached(k + 1, last);
        }
        points
    }

    /// The sums `add` makes of the terms at `x`, with each flow's factor from `exponentials` when
    /// there are any, else from `tables` or an exponential of its own.
    fn point_at(
        &self,
        x: f64,
        shift: Shift,
        tables: Option<&DayFactors>,
        exponentials: Option<&[f64]>,
        add: impl Fn((f64, f64, f64), f64, f64) -> (f64, f64, f64),
    ) -> (f64, f64, f64) {
        match exponentials {
            Some(factors) => point_of(self.flows.iter().zip(factors.iter().copied()), add),
            None => point_of(self.factors_from(x, shift, tables).map(|(f, _, factor)| (f, factor)), add),
        }
    }

    /// Whether the XNPV provably keeps the sign `positive` says on all of `[low, high]` (a cell
    /// of one side of `x = 0`), far enough from zero that a rounded evaluation anywhere in the
    /// cell keeps it too. Then searching the cell for its turning point (several evaluations of
    /// every flow's exponential) cannot find a pair of roots, and is skipped.
    ///
    /// The flows of the sign in question sum to `S(x)`, the others to `O(x)` (as a positive
    /// amount); both are convex in `x`, as sums of exponentials. So `S` lies above its tangents at
    /// the ends and `O` below its chord, and `S − O` is at least the larger tangent minus the
    /// chord, a piecewise-linear bound whose least value is at an end or where the tangents cross.
    fn keeps_its_sign(&self, low: f64, high: f64, positive: bool) -> bool {
        let shift = self.shift(low < 0.0);
        let (mut same_low, mut same_high, mut slope_low, mut slope_high) = (0.0, 0.0, 0.0, 0.0);
        let (mut other_low, mut other_high) = (0.0, 0.0);
        for ((f, tau, factor_low), (_, _, factor_high)) in self.factors(low, shift).zip(self.factors(high, shift)) {
            let term_low = f.amount.abs() * factor_low;
            let term_high = f.amount.abs() * factor_high;
            if (f.amount > 0.0) == positive {
                same_low += term_low;
                same_high += term_high;
                slope_low -= tau * term_low;
                slope_high -= tau * term_high;
            } else {
                other_low += term_low;
                other_high += term_high;
            }
        }
        let width = high - low;
        // At `u ∈ [0, 1]` of the way across the cell.
        let bound = |u: f64| {
            let tangent = (same_low + slope_low * width * u).max(same_high - slope_high * width * (1.0 - u));
            tangent - ((1.0 - u) * other_low + u * other_high)
        };
        let mut least = bound(0.0).min(bound(1.0));
        let crossing = (same_high - slope_high * width - same_low) / ((slope_low - slope_high) * width);
        if crossing > 0.0 && crossing < 1.0 {
            least = least.min(bound(crossing));
        }
        // Rounding in any evaluation of the XNPV over the cell is a few multiples of n·ε of the
        // terms' absolute sum (at most the ends' largest, by convexity); 1e-9 of it is far above.
        let margin = 1e-9 * (same_low.max(same_high) + other_low.max(other_high));
        least > margin
    }

    /// Where the XNPV's slope changes sign within `[low, high]`: Newton steps on the slope kept
    /// inside the bracket, bisection otherwise.
    fn turning_point(&self, low: f64, high: f64) -> f64 {
        // The slope's sign and its derivative, scaled like `sign_value` on a fixed shift.
        let shift = self.shift(low < 0.0);
        let slope = |x: f64| {
            self.factors(x, shift).fold((0.0, 0.0), |(d, dd), (f, tau, factor)| {
                let term = f.amount * factor;
                (d - f.years * term, dd + f.years * tau * term)
            })
        };
        let low_negative = slope(low).0 < 0.0;
        // The XNPV is flat at a turning point, so its value there (all that is used) needs the
        // point only roughly.
        pactsim_numeric::solve::bracketed_newton(slope, low, high, low_negative, |_| 1e-10)
    }

    /// `Σ a · e^(−x (t − s))` with `s = t_max` for x < 0 and 0 otherwise: a positive multiple of
    /// the XNPV, so it has the XNPV's sign and roots.
    fn sign_value(&self, x: f64) -> f64 {
        self.factors(x, self.shift(x < 0.0)).map(|(f, _, factor)| f.amount * factor).sum()
    }

    /// The value and its first two derivatives at `x`, with the same scaling.
    fn value_slope_curvature(&self, x: f64, shift: Shift) -> (f64, f64, f64) {
        self.factors(x, shift).fold((0.0, 0.0, 0.0), |(v, d, dd), (f, tau, factor)| {
            let term = f.amount * factor;
            (v + term, d - tau * term, dd + tau * tau * term)
        })
    }

    /// A root in `[low, high]`, where the sign changes from negative at `low` when
    /// `low_negative` says so (as the walk found it): Halley steps from `start` that stay in the
    /// bracket, bisection otherwise.
    fn refine(&self, low: f64, high: f64, low_negative: bool, start: f64) -> f64 {
        let shift = self.shift(low < 0.0);
        pactsim_numeric::solve::bracketed_steps(
            |x| {
                let (value, slope, curvature) = self.value_slope_curvature(x, shift);
                (value, pactsim_numeric::solve::halley_step(value, slope, curvature))
            },
            low,
            high,
            low_negative,
            start,
            |x| 1e-15 * (1.0 + x.abs()),
        )
    }
}

/// A walk's point from each flow and its factor: the sums `add` makes of the terms `a · factor`.
/// Out of line: inlined into the walk, the sums were kept in memory rather than in registers, at
/// a quarter more instructions a flow.
#[inline(never)]
fn point_of<'f>(
    flows_and_factors: impl Iterator<Item = (&'f Netted, f64)>,
    add: impl Fn((f64, f64, f64), f64, f64) -> (f64, f64, f64),
) -> (f64, f64, f64) {
    flows_and_factors.fold((0.0, 0.0, 0.0), |sums, (f, factor)| add(sums, f.amount * factor, f.years))
}

/// `e^(−x k / 365)` at one `x ≥ 0` for whole numbers of days `k` up to a last one, each the
/// product of three table entries, `k = 1024 h + 32 m + l → high[h] · (middle[m] · low[l])`:
/// `65 + last / 1024` exponentials at a point where a curve's evaluation took one per flow (75
/// for the eleven thousand days of the Korea MOU, against the flows of some 800 dates). Every
/// entry is an exponential of its own, not a power of another, so a factor is within a few ulps
/// of the exponential it stands for.
#[derive(Debug, Clone)]
struct DayFactors {
    low: [f64; 32],
    middle: [f64; 32],
    high: Vec<f64>,
}

impl DayFactors {
    fn new(x: f64, last: u32) -> Self {
        let factor = |days: usize| (-x * (days as f64 / 365.0)).exp();
        DayFactors {
            low: std::array::from_fn(factor),
            middle: std::array::from_fn(|m| factor(m << 5)),
            high: (0..=last as usize >> 10).map(|h| factor(h << 10)).collect(),
        }
    }

    /// Whether the tables reach `last` days.
    fn reaches(&self, last: u32) -> bool {
        (last as usize >> 10) < self.high.len()
    }

    /// How many exponentials the tables up to `last` days take.
    fn entries(last: u32) -> usize {
        64 + (last as usize >> 10) + 1
    }

    fn get(&self, days: u32) -> f64 {
        let days = days as usize;
        self.high[days >> 10] * (self.middle[(days >> 5) & 31] * self.low[days & 31])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::year_fraction;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn yearly(amounts: &[f64]) -> Vec<DatedFlow> {
        // 2021-2025 has no leap day between consecutive 1 March dates … except 2024; use 1 Jan
        // of common-year spans and accept ACT/365F's exact day counts.
        amounts.iter().enumerate().map(|(i, &amount)| DatedFlow { date: d(2001 + i as i32, 1, 1), amount }).collect()
    }

    #[test]
    fn a_one_year_leap_flow_gives_the_act_365f_rate() {
        // Validation case C-10: −100 on 2020-01-01, +110 on 2021-01-01 → 9.9714%.
        let flows =
            [DatedFlow { date: d(2020, 1, 1), amount: -100.0 }, DatedFlow { date: d(2021, 1, 1), amount: 110.0 }];
        let irr = xirr(&flows);
        let expected = 1.1f64.powf(365.0 / 366.0) - 1.0;
        assert!((irr.rate.unwrap() - expected).abs() < 1e-12);
        assert!((irr.rate.unwrap() - 0.099714).abs() < 1e-6);
        assert!(!irr.has_multiple_roots());
    }

    #[test]
    fn several_roots_report_excels_choice_and_flag_it() {
        // Validation case C-8 (numpy-financial#28): roots 1.8544 and −0.7689; Excel and pyxirr
        // report 1.8544.
        let flows = yearly(&[-50.0, -100.0, 600.0, 300.0, -100.0]);
        let irr = xirr(&flows);
        assert_eq!(irr.roots.len(), 2, "{irr:?}");
        assert!((irr.roots[0] - -0.7689).abs() < 1e-3, "{irr:?}");
        assert!((irr.rate.unwrap() - 1.8544).abs() < 1e-3, "{irr:?}");
        assert!(irr.has_multiple_roots());
        for root in &irr.roots {
            assert!(npv(&flows, *root, d(2001, 1, 1)).abs() < 1e-9);
        }
    }

    #[test]
    fn no_sign_change_has_no_irr() {
        assert_eq!(xirr(&yearly(&[10.0, 20.0])).rate, None);
        assert_eq!(xirr(&yearly(&[-10.0, -20.0])).rate, None);
        assert_eq!(xirr(&[]).rate, None);
    }

    #[test]
    fn the_irr_zeroes_the_npv() {
        let flows =
            yearly(&[-33.3, 0.0, 0.0, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9, 2.9]);
        let rate = xirr(&flows).rate.unwrap();
        assert!(npv(&flows, rate, d(2001, 1, 1)).abs() < 1e-10);
    }

    #[test]
    fn losing_almost_everything_is_still_found() {
        let flows = yearly(&[-100.0, 0.001]);
        let rate = xirr(&flows).rate.unwrap();
        assert!((rate - (0.00001f64.powf(365.0 / 365.0) - 1.0)).abs() < 1e-9, "{rate}");
    }

    /// Uniform draws in [0, 1) from a deterministic LCG, so the tests need no random crate.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The grid search against a brute-force scan a hundred times finer, on generated flows with
    /// many sign changes.
    #[test]
    fn the_grid_finds_every_root_a_fine_scan_finds() {
        let mut next = uniform(0x2545_F491_4F6C_DD1D);
        for case in 0..400 {
            let n = 3 + (next() * 12.0) as usize;
            let mut day = 0u64;
            let flows: Vec<DatedFlow> = (0..n)
                .map(|_| {
                    day += 1 + (next() * 900.0) as u64;
                    let amount = (next() - 0.5) * 100.0 * if next() < 0.2 { 10.0 } else { 1.0 };
                    DatedFlow { date: d(2020, 1, 1) + chrono::Days::new(day), amount }
                })
                .collect();
            let irr = xirr(&flows);
            let first = flows.iter().map(|f| f.date).min().unwrap();
            let f = |x: f64| flows.iter().map(|fl| fl.amount * (-x * year_fraction(first, fl.date)).exp()).sum::<f64>();
            let mut brute = 0;
            let (mut x, step) = (-4.0, 0.0005);
            let mut previous = f(x);
            while x < 4.0 {
                x += step;
                let value = f(x);
                if (value < 0.0) != (previous < 0.0) {
                    brute += 1;
                }
                previous = value;
            }
            let found_in_range = irr.roots.iter().filter(|r| (-4.0..4.0).contains(&r.ln_1p())).count();
            assert!(
                found_in_range >= brute,
                "case {case}: {found_in_range} roots found, {brute} by brute force: {flows:?}"
            );
        }
    }

    /// Generated flows, each set with several sign changes: investment-like sets (funding, then
    /// yearly receipts with guarantee calls among them) and sets of random amounts and dates.
    fn flows_with_several_sign_changes(cases: usize) -> Vec<Vec<DatedFlow>> {
        let mut next = uniform(0x9E37_79B9_7F4A_7C15);
        (0..cases)
            .map(|case| {
                let mut day = 0u64;
                let n = 3 + (next() * if case % 2 == 0 { 60.0 } else { 12.0 }) as usize;
                (0..n)
                    .map(|i| {
                        day += 1 + (next() * if case % 2 == 0 { 400.0 } else { 900.0 }) as u64;
                        let amount = if case % 2 == 1 {
                            (next() - 0.5) * 100.0 * if next() < 0.2 { 10.0 } else { 1.0 }
                        } else if i < 3 || next() < 0.15 {
                            -next() * 20.0
                        } else {
                            next() * 5.0
                        };
                        DatedFlow { date: d(2020, 1, 1) + chrono::Days::new(day), amount }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_shortcuts_change_no_root() {
        let mut bounded = 0;
        for flows in flows_with_several_sign_changes(3000) {
            let unbounded = Shortcuts { bounds: false, ..Shortcuts::ALL };
            assert_eq!(search_roots(&flows, Shortcuts::ALL, None), search_roots(&flows, unbounded, None), "{flows:?}");
            bounded += usize::from(most_roots_each_side(&net(&flows)).iter().any(|&m| m <= 1));
        }
        // The investment-like half mostly has a side with at most one root.
        assert!(bounded > 1000, "{bounded}");
    }

    /// Laguerre's bound against the roots a fine scan finds on each side of r = 0.
    #[test]
    fn no_side_has_more_roots_than_its_partial_sums_allow() {
        let mut several = 0;
        for flows in flows_with_several_sign_changes(1500) {
            let netted = net(&flows);
            let bound = most_roots_each_side(&netted);
            let f = |x: f64| netted.iter().map(|f| f.amount * (-x * f.years).exp()).sum::<f64>();
            let sign_changes = |from: f64, to: f64| {
                let steps = 4000;
                let mut previous = f(from);
                let mut changes = 0;
                for j in 1..=steps {
                    let value = f(from + (to - from) * f64::from(j) / f64::from(steps));
                    changes += usize::from(value != 0.0 && previous != 0.0 && (value < 0.0) != (previous < 0.0));
                    previous = value;
                }
                changes
            };
            let found = [sign_changes(-1e-9, -3.0), sign_changes(1e-9, 3.0)];
            for side in 0..2 {
                assert!(
                    found[side] <= bound[side],
                    "side {side}: {} roots, bound {}: {flows:?}",
                    found[side],
                    bound[side]
                );
            }
            several += usize::from(found.iter().sum::<usize>() > 1);
        }
        assert!(several > 50, "{several}");
    }

    /// Wherever the bound says a cell keeps its sign, a scan of the cell finds no other sign.
    #[test]
    fn a_cell_proven_to_keep_its_sign_does() {
        let mut proven = 0;
        for flows in flows_with_several_sign_changes(600) {
            let netted = net(&flows);
            let curve = Curve { most_roots: [usize::MAX; 2], ..Curve::new(&netted, Shortcuts::ALL) };
            for cell in -40..20 {
                let (low, high) = (f64::from(cell) * GRID_STEP, f64::from(cell + 1) * GRID_STEP);
                let at = |u: f64| curve.sign_value(low + u * (high - low));
                for positive in [true, false] {
                    if curve.keeps_its_sign(low, high, positive) {
                        proven += 1;
                        assert!((0..=200).all(|j| (at(f64::from(j) / 200.0) > 0.0) == positive), "{flows:?} {cell}");
                    }
                }
            }
        }
        assert!(proven > 10_000, "{proven}");
    }

    /// The walk as its definition reads: one grid point per pass, each term multiplied in place;
    /// with `single_root`, it stops at the first point whose sign is not x = 0's too.
    fn walk_point_by_point(
        curve: &Curve,
        step: f64,
        direction: f64,
        steps: usize,
        single_root: bool,
    ) -> Vec<(f64, f64, f64)> {
        let shift = curve.shift(direction < 0.0);
        let mut terms: Vec<f64> = curve.flows.iter().map(|f| f.amount).collect();
        let anchor = if direction > 0.0 { curve.flows[0].amount } else { curve.flows[curve.flows.len() - 1].amount };
        let mut points = Vec::new();
        for k in 0..=steps {
            if k > 0 {
                for (term, (_, _, factor)) in terms.iter_mut().zip(curve.factors(direction * step, shift)) {
                    *term *= factor;
                }
            }
            let value: f64 = terms.iter().sum();
            let slope = terms.iter().zip(curve.flows).fold(0.0, |slope, (term, f)| slope - f.years * term);
            let opposite: f64 =
                terms.iter().filter(|term| (**term < 0.0) != (anchor < 0.0)).map(|term| term.abs()).sum();
            points.push((direction * step * k as f64, value, slope));
            let other_sign = value == 0.0 || (value < 0.0) != (points[0].1 < 0.0);
            if opposite < anchor.abs() || (single_root && k > 0 && other_sign) {
                break;
            }
        }
        points
    }

    #[test]
    fn the_walk_gives_the_points_of_its_definition() {
        // Step factors built in advance for spans too short for most of the flows, long enough
        // for some, and for all.
        let spans = [d(2020, 1, 1), d(2045, 1, 1), d(2100, 1, 1)].map(|last| XirrSteps::spanning(d(2020, 1, 1), last));
        for flows in flows_with_several_sign_changes(300) {
            let netted = net(&flows);
            for tables in [false, true] {
                for steps in [None, Some(&spans[0]), Some(&spans[1]), Some(&spans[2])] {
                    let curve =
                        Curve { most_roots: [usize::MAX; 2], tables, steps, ..Curve::new(&netted, Shortcuts::ALL) };
                    for (step, direction, steps) in
                        [(GRID_STEP, 1.0, 140), (GRID_STEP, -1.0, 250), (COARSE_STEP, 1.0, 3), (0.5, -1.0, 4)]
                    {
                        for single_root in [false, true] {
                            let walked = curve.walk(step, direction, steps, single_root);
                            let by_definition = walk_point_by_point(&curve, step, direction, steps, single_root);
                            assert_eq!(walked, by_definition, "{flows:?}");
                        }
                    }
                }
            }
        }
    }

    /// Step factors built in advance, whether or not they reach a set's last flow, give the roots
    /// the set's own step factors give, to the bit.
    #[test]
    fn step_factors_built_in_advance_change_no_root() {
        let start = d(2020, 1, 1);
        let spans = [start, d(2045, 1, 1), d(2100, 1, 1)].map(|last| XirrSteps::spanning(start, last));
        let mut from_advance = 0;
        for flows in portfolios(200).into_iter().chain(flows_with_several_sign_changes(600)) {
            let own = xirr(&flows);
            for steps in &spans {
                assert_eq!(xirr_with(&flows, steps), own, "{flows:?}");
            }
            let netted = net(&flows);
            let curve = Curve::new(&netted, Shortcuts::ALL);
            from_advance += usize::from(curve.tables && spans[2].at(GRID_STEP, curve.last_day).is_some());
        }
        assert!(from_advance > 150, "{from_advance}");
    }

    /// `flows` in an order of `next`'s choosing.
    fn shuffled(flows: &[DatedFlow], next: &mut impl FnMut() -> f64) -> Vec<DatedFlow> {
        let mut shuffled = flows.to_vec();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, (next() * (i + 1) as f64) as usize);
        }
        shuffled
    }

    /// Netting as it reads: each date's flows summed in the order they come, the dates that
    /// cancel out left out, and the days after the first date counted by chrono.
    fn net_by_definition(flows: &[DatedFlow]) -> Vec<Netted> {
        let mut by_date = std::collections::BTreeMap::<NaiveDate, f64>::new();
        for f in flows {
            by_date.entry(f.date).and_modify(|amount| *amount += f.amount).or_insert(f.amount);
        }
        let first = *by_date.keys().next().unwrap();
        by_date
            .into_iter()
            .filter(|(_, amount)| *amount != 0.0)
            .map(|(date, amount)| {
                let days = u32::try_from((date - first).num_days()).unwrap();
                Netted { days, years: f64::from(days) / 365.0, amount }
            })
            .collect()
    }

    #[test]
    fn netting_sums_each_date_and_counts_its_days() {
        let mut next = uniform(0xD1B5_4A32_D192_ED03);
        for flows in portfolios(100).into_iter().chain(flows_with_several_sign_changes(300)) {
            assert_eq!(net(&flows), net_by_definition(&flows), "{flows:?}");
            let shuffled = shuffled(&flows, &mut next);
            assert_eq!(net(&shuffled), net_by_definition(&shuffled), "{shuffled:?}");
        }
        // Flows that cancel out on the first date, the last, and one between.
        let cancelling = [
            (d(2020, 2, 29), 5.0),
            (d(2020, 2, 29), -5.0),
            (d(2023, 3, 1), -1.0),
            (d(2024, 2, 29), 2.0),
            (d(2024, 2, 29), -2.0),
            (d(2025, 1, 1), 3.0),
            (d(2030, 12, 31), 1.0),
            (d(2030, 12, 31), -1.0),
        ]
        .map(|(date, amount)| DatedFlow { date, amount });
        assert_eq!(net(&cancelling), net_by_definition(&cancelling));
        assert_eq!(net(&cancelling).len(), 2);
    }

    /// Every day's tabled factor against its own exponential, over the points a curve is
    /// evaluated at and a century of days: within a couple of ulps while the exponent is small
    /// (as at every root of the Korea MOU), and otherwise as far apart as a large exponent's
    /// roundings put them (its own, against those of its three parts).
    #[test]
    fn the_tabled_factors_are_the_exponentials_they_stand_for() {
        for x in [0.0, 1e-6, 0.003, 0.0228741, 0.1, 0.25, std::f64::consts::LN_2, 1.3, 4.0, 14.0, 25.0] {
            let tables = DayFactors::new(x, 36_600);
            for days in 0..=36_600u32 {
                let exponent = x * (f64::from(days) / 365.0);
                let direct = (-exponent).exp();
                let tabled = tables.get(days);
                assert!(
                    (tabled - direct).abs() <= f64::EPSILON * (3.0 + 2.0 * exponent) * direct + f64::MIN_POSITIVE,
                    "x {x}, {days} days: {tabled} against {direct}"
                );
            }
        }
    }

    /// Investors' flows like a Monte Carlo path's on the Korea MOU: many projects, each funded in
    /// a few payments over the first years and paying back quarterly for decades, with guarantee
    /// calls among the receipts; project yields from losses to gains, so IRRs on both sides of 0.
    fn portfolios(cases: usize) -> Vec<Vec<DatedFlow>> {
        let mut next = uniform(0x5851_F42D_4C95_7F2D);
        (0..cases)
            .map(|_| {
                let mut flows = Vec::new();
                let projects = 5 + (next() * 40.0) as u64;
                let yield_shift = next() * 0.25 - 0.1;
                for _ in 0..projects {
                    let start = (next() * 5.0 * 365.0) as u64;
                    let size = 1.0 + next() * 20.0;
                    let payments = 1 + (next() * 4.0) as u64;
                    for p in 0..payments {
                        let day = start + p * (30 + (next() * 120.0) as u64);
                        flows.push(DatedFlow {
                            date: d(2025, 1, 1) + chrono::Days::new(day),
                            amount: -size / payments as f64,
                        });
                    }
                    let first_receipt = start + 365 * (1 + (next() * 4.0) as u64);
                    let quarters = 40 + (next() * 60.0) as u64;
                    let quarterly = size * (yield_shift + 0.1 * next() + 0.03);
                    for q in 0..quarters {
                        let day = first_receipt + q * 91 + (next() * 5.0) as u64;
                        let amount = if next() < 0.02 { -size * 0.2 * next() } else { quarterly * (0.5 + next()) };
                        flows.push(DatedFlow { date: d(2025, 1, 1) + chrono::Days::new(day), amount });
                    }
                }
                flows.sort_by_key(|f| f.date);
                flows
            })
            .collect()
    }

    /// Roots found with the tables against the same roots found with an exponential per flow:
    /// as many, each within 1e-13 of its size (1e-16 within 1e-3 of r = 0, where the solver's own
    /// tolerance, 1e-15 in x, is coarser than that).
    fn assert_the_same_to_the_last_bits(tabled: &[f64], direct: &[f64], flows: &[DatedFlow]) {
        assert_eq!(tabled.len(), direct.len(), "{tabled:?} against {direct:?}: {flows:?}");
        for (root, direct_root) in tabled.iter().zip(direct) {
            assert!(
                (root - direct_root).abs() <= 1e-13 * direct_root.abs().max(1e-3),
                "{root} against {direct_root}: {flows:?}"
            );
        }
    }

    /// On flows like the Korea MOU's, where the tables pay for themselves, the IRR and every other
    /// root move only in their last bits from where an exponential per flow puts them.
    #[test]
    fn the_tables_move_an_irr_only_in_its_last_bits() {
        let mut tabled = 0;
        for flows in portfolios(400) {
            let irr = search_roots(&flows, Shortcuts::ALL, None);
            let direct = search_roots(&flows, Shortcuts { tables: false, ..Shortcuts::ALL }, None);
            assert_the_same_to_the_last_bits(&irr.roots, &direct.roots, &flows);
            assert_the_same_to_the_last_bits(irr.rate.as_slice(), direct.rate.as_slice(), &flows);
            tabled += usize::from(Curve::new(&net(&flows), Shortcuts::ALL).tables);
        }
        assert!(tabled > 300, "{tabled}");
    }

    /// The tables on every kind of cell the search meets, on both sides of r = 0: on flows too few
    /// to use them by themselves, the same roots to the last bits.
    #[test]
    fn the_tables_move_no_root_beyond_its_last_bits() {
        for flows in flows_with_several_sign_changes(1500) {
            let netted = net(&flows);
            let curve = Curve::new(&netted, Shortcuts::ALL);
            assert!(!curve.tables);
            let tabled = Curve { tables: true, ..curve }.roots(GRID_STEP, true);
            assert_the_same_to_the_last_bits(&tabled, &curve.roots(GRID_STEP, true), &flows);
        }
    }

    #[test]
    fn the_hermite_start_is_exact_on_a_cubic() {
        // f(x) = (x − 0.3)(x + 2)(x − 5) on the cell [0, 0.5]: the cubic through the ends and
        // slopes is f itself.
        let f = |x: f64| (x - 0.3) * (x + 2.0) * (x - 5.0);
        let df = |x: f64| (x + 2.0) * (x - 5.0) + (x - 0.3) * (x - 5.0) + (x - 0.3) * (x + 2.0);
        let u = hermite_root(f(0.0), df(0.0), f(0.5), df(0.5), 0.5);
        assert!((0.5 * u - 0.3).abs() < 1e-15, "{u}");
    }

    /// A `Discount`'s NPV against each flow's factor from its days as chrono counts them, to the
    /// bit: flows in and out of order, before the date discounted to and after the last tabled day.
    #[test]
    fn npv_is_the_sum_of_each_flow_discounted() {
        let mut next = uniform(0x94D0_49BB_1331_11EB);
        let to = d(2025, 1, 1);
        for flows in portfolios(100).into_iter().chain(flows_with_several_sign_changes(300)) {
            for rate in [0.0f64, 0.035, 0.08, -0.2] {
                let direct = |flows: &[DatedFlow]| -> f64 {
                    flows
                        .iter()
                        .map(|f| f.amount * (-rate.ln_1p() * ((f.date - to).num_days() as f64 / 365.0)).exp())
                        .sum()
                };
                for last in [to, d(2040, 6, 30), d(2200, 1, 1)] {
                    let discount = Discount::new(rate, to, last);
                    assert_eq!(discount.npv(&flows).to_bits(), direct(&flows).to_bits(), "{rate} {last}: {flows:?}");
                    let shuffled = shuffled(&flows, &mut next);
                    assert_eq!(discount.npv(&shuffled).to_bits(), direct(&shuffled).to_bits(), "{shuffled:?}");
                }
            }
        }
    }

    #[test]
    fn npv_discounts_act_365f_to_the_given_date() {
        let flows = [DatedFlow { date: d(2021, 1, 1), amount: 110.0 }];
        assert!((npv(&flows, 0.1, d(2020, 1, 1)) - 110.0 / 1.1f64.powf(366.0 / 365.0)).abs() < 1e-12);
    }

    #[test]
    fn moic_is_received_over_paid() {
        assert_eq!(moic(&yearly(&[-10.0, 5.0, 10.0])), Some(1.5));
        assert_eq!(moic(&yearly(&[5.0])), None);
    }

    /// Paid and received as they read, to the bit: the flows of one sign summed in order, and
    /// 0.0 (not −0.0) when there are none.
    #[test]
    fn paid_and_received_sum_the_flows_of_each_sign() {
        let by_definition = |flows: &[DatedFlow], sign: f64| {
            flows.iter().filter(|f| f.amount * sign > 0.0).map(|f| f.amount * sign).sum::<f64>() + 0.0
        };
        for flows in portfolios(50).into_iter().chain(flows_with_several_sign_changes(200)).chain([Vec::new()]) {
            let (paid, received) = paid_and_received(&flows);
            assert_eq!(paid.to_bits(), by_definition(&flows, -1.0).to_bits(), "{flows:?}");
            assert_eq!(received.to_bits(), by_definition(&flows, 1.0).to_bits(), "{flows:?}");
        }
        assert_eq!(paid(&yearly(&[5.0])).to_bits(), 0.0f64.to_bits());
    }

    /// The figures of one pass against each from its own function, to the bit: flows in and out
    /// of order, beginning before the date discounted to, and reaching past the last tabled day.
    #[test]
    fn flow_figures_are_each_figure_of_the_flows() {
        let mut next = uniform(0xBF58_476D_1CE4_E5B9);
        let steps = XirrSteps::spanning(d(2025, 1, 1), d(2100, 1, 1));
        let discounts = [
            Discount::new(0.035, d(2025, 1, 1), d(2100, 1, 1)),
            Discount::new(-0.2, d(2019, 6, 30), d(2100, 1, 1)),
            Discount::new(0.08, d(2025, 1, 1), d(2040, 6, 30)),
            Discount::new(0.08, d(2026, 3, 1), d(2100, 1, 1)),
        ];
        let one_sign = [yearly(&[-1.0, -2.0]), yearly(&[3.0, 0.0]), yearly(&[-1.0, 1.0]), Vec::new()];
        let sets = portfolios(100).into_iter().chain(flows_with_several_sign_changes(300)).chain(one_sign);
        let mut in_one_pass = 0;
        for flows in sets {
            for flows in [shuffled(&flows, &mut next), flows] {
                for discount in &discounts {
                    let figures = FlowFigures::of(&flows, discount, &steps);
                    let (paid, received) = paid_and_received(&flows);
                    assert_eq!(figures.paid.to_bits(), paid.to_bits(), "{flows:?}");
                    assert_eq!(figures.received.to_bits(), received.to_bits(), "{flows:?}");
                    assert_eq!(figures.npv.to_bits(), discount.npv(&flows).to_bits(), "{flows:?}");
                    assert_eq!(figures.irr, xirr_with(&flows, &steps), "{flows:?}");
                    let first = flows.first().map_or(0, |f| days_between(discount.to, f.date));
                    let last = flows.last().map_or(0, |f| days_between(discount.to, f.date));
                    let tabled = first >= 0 && last < discount.factors.len() as i64;
                    in_one_pass += usize::from(tabled && net_in_order(&flows, flows.len(), |_, _| {}).is_some());
                }
            }
        }
        assert!(in_one_pass > 500, "{in_one_pass}");
    }
}
