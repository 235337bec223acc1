//! Laying a path's events out in the order `events.rs` states: speed machinery, apart from the
//! rules.
//!
//! What it speeds up: putting a path's events in order. Nearly all of them are anniversaries
//! (deemed allocations and project payments), and all of one project's fall on one day of the
//! year, so their order within a year is the same every year: each project's series is sorted
//! once and the years are laid out in that order (`Yearly`), with each date found from its year's
//! 1 January rather than by chrono's anniversary arithmetic. Only the few other events
//! (selections, funding payments, completions) are sorted, as packed integer keys (`KeyLayout`),
//! and merged in. docs/design.md ("Why is the timeline laid out year by year?") has what it saved.
//!
//! What it must preserve: exactly the order of sorting every event by (date, kind, selection
//! rank), anniversaries dated as `calendar::anniversary` dates them (29 February falling back to
//! the 28th in common years). The tests compare the two on the Korea MOU's paths and on
//! completions around 29 February.

use chrono::{Datelike, NaiveDate};

use super::events::{Event, EventKind};
use super::payment::{Accounts, ProjectState};
use crate::calendar;
use crate::deal::{Deal, ProjectCash, Recoup, Scope};
use crate::funding::Funding;

/// How a path packs `(day number, kind, the project's selection rank, index)` of an event into
/// one integer, most significant first, each in as few bits as the path needs, so that integer
/// order is the order of the tuple. No two events of one project and kind share a date
/// (anniversaries fall in different years, funding payments on different days), so the index
/// never decides the order; it says which event the key is.
#[derive(Debug, Clone, Copy)]
struct KeyLayout {
    first_day: i32,
    rank_bits: u32,
    index_bits: u32,
}

impl KeyLayout {
    const KIND_BITS: u32 = 3;

    /// For events dated `first_day..=last_day` (day numbers), `projects` ranks and `events`
    /// indices; `None` when they need more than 64 bits.
    fn new(first_day: i32, last_day: i32, projects: usize, events: usize) -> Option<Self> {
        let bits = |count: u64| u64::BITS - count.saturating_sub(1).leading_zeros();
        let day_bits = bits(u64::from(last_day.abs_diff(first_day)) + 1);
        let (rank_bits, index_bits) = (bits(projects as u64), bits(events as u64));
        (day_bits + Self::KIND_BITS + rank_bits + index_bits <= u64::BITS).then_some(KeyLayout {
            first_day,
            rank_bits,
            index_bits,
        })
    }

    fn key(&self, day: i32, kind: &EventKind, rank: usize, index: usize) -> u64 {
        self.day_key(day.abs_diff(self.first_day)) | self.within_day(kind, rank, index)
    }

    /// The part of a key that the date sets, `days` after the first day: keys of two dates
    /// differ by that of the days between them.
    fn day_key(&self, days: u32) -> u64 {
        u64::from(days) << (Self::KIND_BITS + self.rank_bits + self.index_bits)
    }

    /// The rest of a key.
    fn within_day(&self, kind: &EventKind, rank: usize, index: usize) -> u64 {
        (((u64::from(kind.rank()) << self.rank_bits) | rank as u64) << self.index_bits) | index as u64
    }

    fn index(&self, key: u64) -> usize {
        (key & ((1 << self.index_bits) - 1)) as usize
    }
}

/// A path's dated events in the order they apply: by date, kind, then the project's selection
/// rank. The anniversaries are laid out year by year; the other events are sorted by key and
/// merged in (see the module's doc). Its memory is kept from path to path (`scratch.rs`).
#[derive(Default)]
pub(super) struct Timeline {
    /// The events, in the order they apply.
    pub(super) events: Vec<Event>,
    /// Each project's selection rank.
    rank: Vec<usize>,
    /// The events that are not anniversaries, as found.
    dated: Vec<Event>,
    /// Their keys (see `KeyLayout`), sorted.
    keys: Vec<u64>,
    /// The projects' anniversary series in the order they apply within a leap year, and within a
    /// common year when a completion on 29 February makes that order differ: its anniversaries
    /// fall back to the 28th, among that day's other events.
    leap_years: Vec<Yearly>,
    common_years: Vec<Yearly>,
}

/// A series of one project's anniversary events of one kind: the `k`-th, for `k` in
/// `first..=last`, falls in year `completed_year + k`, on the same day of the year.
#[derive(Debug, Clone, Copy)]
struct Yearly {
    project: usize,
    rank: usize,
    /// Deemed allocations alone, or payments.
    allocations: bool,
    /// Payments up to the `combined`-th come with their project-scope account's allocation.
    combined: u32,
    completed_year: i32,
    first: u32,
    last: u32,
    /// The day of the year in a common year and in a leap year (`day_of_year_by_leap`).
    ordinals: [u32; 2],
    /// What an event of the series adds to the key of the day before 1 January, in a common year
    /// and in a leap year (see `KeyLayout`).
    keys: [u64; 2],
}

impl Yearly {
    fn kind(&self, k: u32) -> EventKind {
        if self.allocations {
            EventKind::AllocationDue { k }
        } else if k <= self.combined {
            EventKind::AllocationAndPayment { k }
        } else {
            EventKind::Payment { k }
        }
    }

    /// Where the series goes among others within a year of either kind.
    fn order(&self, leap: bool) -> (u32, u8, usize) {
        (self.ordinals[usize::from(leap)], self.kind(self.first).rank(), self.rank)
    }
}

/// The day of the year of `date`'s anniversaries in a common year and in a leap year (see
/// `calendar::anniversary`): one day later from March on in a leap year, and 29 February falls
/// back to the 28th in a common year.
fn day_of_year_by_leap(date: NaiveDate) -> [u32; 2] {
    let ordinal = date.ordinal();
    // 60 is 29 February in a leap year, 1 March in a common one.
    let late = u32::from(ordinal >= 60);
    if date.leap_year() { [ordinal - late, ordinal] } else { [ordinal, ordinal + late] }
}

impl Timeline {
    /// Fills `events` up to `until` (every project's last anniversary when `None`); `order` is
    /// the projects' selection order.
    pub(super) fn build(
        &mut self,
        deal: &Deal,
        funding: &[Funding],
        projects: &[ProjectState],
        accounts: &Accounts,
        order: &[usize],
        until: Option<NaiveDate>,
    ) {
        let Timeline { events, rank, dated, keys, leap_years, common_years } = self;
        rank.clear();
        rank.resize(deal.projects.len(), 0);
        for (position, &i) in order.iter().enumerate() {
            rank[i] = position;
        }
        events.clear();
        dated.clear();
        leap_years.clear();
        common_years.clear();
        push_events(dated, leap_years, deal, funding, projects, accounts, rank, until);

        let first_year = leap_years.iter().map(|y| y.completed_year + y.first as i32).min().unwrap_or(i32::MAX);
        let last_year = leap_years.iter().map(|y| y.completed_year + y.last as i32).max().unwrap_or(i32::MIN);
        let january_first = |year| NaiveDate::from_yo_opt(year, 1).expect("dates stay far from chrono's limits");
        // Without a date to stop at, the last anniversary's year ends the timeline.
        let until = until.unwrap_or_else(|| {
            let year = last_year.max(deal.end.year());
            NaiveDate::from_ymd_opt(year, 12, 31).expect("dates stay far from chrono's limits")
        });
        let end_day = until.num_days_from_ce();
        let last_year = last_year.min(until.year());
        let day_before = |year| january_first(year).num_days_from_ce() - 1;
        // Anniversaries fall from the first one's year to the horizon; the keys count from the day
        // before that year, so that each year's keys are that day's plus the series'.
        let range = if first_year <= last_year { (day_before(first_year), end_day) } else { (i32::MAX, i32::MIN) };
        let (first, last) = dated.iter().fold(range, |(first, last), e| (first.min(e.day), last.max(e.day)));
        if first > last {
            return;
        }
        let layout = KeyLayout::new(first, last, deal.projects.len(), dated.len())
            .expect("a path's days, projects and events fit in 64 bits");
        keys.clear();
        keys.extend(dated.iter().enumerate().map(|(i, e)| layout.key(e.day, &e.kind, rank[e.project], i)));
        keys.sort_unstable();

        for y in leap_years.iter_mut() {
            let within_day = layout.within_day(&y.kind(y.first), y.rank, 0);
            y.keys = y.ordinals.map(|ordinal| layout.day_key(ordinal) | within_day);
        }
        leap_years.sort_unstable_by_key(|y| y.order(true));
        if leap_years.iter().any(|y| y.ordinals == [59, 60]) {
            common_years.extend_from_slice(leap_years);
            common_years.sort_unstable_by_key(|y| y.order(false));
        }
        let mut next = 0;
        let mut previous = None;
        for year in first_year..=last_year {
            let new_year = january_first(year);
            let before = new_year.num_days_from_ce() - 1;
            let year_key = layout.day_key(before.abs_diff(first));
            let leap = usize::from(new_year.leap_year());
            // Without 29 February completions, the leap years' order is also the common years'.
            let series = if leap == 1 || common_years.is_empty() { &*leap_years } else { &*common_years };
            for y in series {
                let k = year.wrapping_sub(y.completed_year) as u32;
                if !(y.first..=y.last).contains(&k) {
                    continue;
                }
                let ordinal = y.ordinals[leap];
                let day = before + ordinal as i32;
                if day > end_day {
                    // The rest of the year is later still.
                    break;
                }
                let key = year_key + y.keys[leap];
                while let Some(&other) = keys.get(next).filter(|&&other| other < key) {
                    events.push(dated[layout.index(other)]);
                    next += 1;
                }
                debug_assert!(previous < Some(key), "two events share a date, kind and project");
                previous = Some(key);
                let date = new_year.with_ordinal(ordinal).expect("an anniversary's day of the year exists");
                events.push(Event { date, day, project: y.project, kind: y.kind(k) });
            }
        }
        events.extend(keys[next..].iter().map(|&other| dated[layout.index(other)]));
        debug_assert!(
            keys.windows(2).all(|w| w[0] >> layout.index_bits < w[1] >> layout.index_bits),
            "two events share a date, kind and project"
        );
    }
}

/// The date of a delayed project's `k`-th year of cash: `k` years and `months` months after its
/// completion, counted from that date in whole months as anniversaries are (month-end clamped).
pub(super) fn operating_date(completed: NaiveDate, k: u32, months: u32) -> NaiveDate {
    completed.checked_add_months(chrono::Months::new(12 * k + months)).expect("dates stay far from chrono's limits")
}

/// Pushes the events that are not anniversaries to `dated` (those after `until`, if given, left
/// out), and each funded project's series of anniversary events up to its last to `series` (the
/// horizon is the caller's). A project without a recoup account has no selection or completion
/// event: those events only move its account.
#[allow(clippy::too_many_arguments)]
fn push_events(
    dated: &mut Vec<Event>,
    series: &mut Vec<Yearly>,
    deal: &Deal,
    funding: &[Funding],
    projects: &[ProjectState],
    accounts: &Accounts,
    rank: &[usize],
    until: Option<NaiveDate>,
) {
    for (i, (f, state)) in funding.iter().zip(projects).enumerate() {
        if !f.is_funded() {
            continue;
        }
        let has_account = accounts.of_project[i].is_some();
        if has_account {
            dated.push(Event::new(deal.projects[i].selected, i, EventKind::Selected));
        }
        for &(date, amount) in &f.payments {
            dated.push(Event::new(date, i, EventKind::FundingPaid { amount }));
        }
        let Some(completed) = f.completed else {
            continue;
        };
        if has_account {
            dated.push(Event::new(completed, i, EventKind::Completed));
        }
        let waterfall = deal.waterfall_of(&deal.projects[i]);
        let allocations = match (waterfall.recoup_tier, waterfall.recoup) {
            (Some(_), Recoup::DeemedAllocation { life_years, .. }) => life_years,
            _ => 0,
        };
        let payments = state.payment_count;
        if let (Some(hit), ProjectCash::Level { life_years, construction_years, .. }) =
            (state.labor, &deal.projects[i].cash)
        {
            // Labour friction: the overrun on the original completion date, and each operating
            // year's cash on its own date, months after its anniversary (`events.rs`).
            let overrun = hit.cost_overrun * f.size_usd_bn;
            let original = calendar::anniversary(completed, *construction_years);
            if overrun > 0.0 && until.is_none_or(|until| original <= until) {
                dated.push(Event::new(original, i, EventKind::OverrunPaid { amount: overrun }));
            }
            for k in construction_years + 1..=construction_years + life_years {
                let date = operating_date(completed, k, hit.delay_months);
                if until.is_some_and(|until| date > until) {
                    break;
                }
                dated.push(Event::new(date, i, EventKind::OperatingPayment { k }));
            }
        }
        let own_account = waterfall.scope == Scope::Project;
        let yearly = |allocations, combined, first, last| Yearly {
            project: i,
            rank: rank[i],
            allocations,
            combined,
            completed_year: completed.year(),
            first,
            last,
            ordinals: day_of_year_by_leap(completed),
            keys: [0; 2],
        };
        // A project-scope account's allocations come with the payments while there are payments.
        let alone_from = if own_account { payments + 1 } else { 1 };
        if allocations >= alone_from {
            series.push(yearly(true, 0, alone_from, allocations));
        }
        if payments > 0 {
            series.push(yearly(false, if own_account { allocations } else { 0 }, 1, payments));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::anniversary;
    use crate::deal::Project;
    use crate::engine::PathDraws;
    use crate::engine::testing::{HEADER, MOU, d};
    use crate::funding;
    use crate::loan::AnnuityShape;
    use crate::spec::parse_deal;

    #[test]
    fn anniversaries_fall_on_one_day_of_the_year_for_each_kind_of_year() {
        // Every completion date of 2023–2030 (two 29 Februaries) and anniversaries up to 2110
        // (2100 is a common year): chrono's date and day number from the day of the year.
        let mut date = d(2023, 1, 1);
        while date < d(2031, 1, 1) {
            let ordinals = day_of_year_by_leap(date);
            for k in 0..=80 {
                let expected = anniversary(date, k);
                let new_year = NaiveDate::from_yo_opt(date.year() + k as i32, 1).unwrap();
                let ordinal = ordinals[usize::from(new_year.leap_year())];
                assert_eq!(NaiveDate::from_yo_opt(new_year.year(), ordinal), Some(expected), "{date} + {k}");
                assert_eq!(new_year.num_days_from_ce() - 1 + ordinal as i32, expected.num_days_from_ce());
            }
            date = date.succ_opt().unwrap();
        }
        assert_eq!(day_of_year_by_leap(d(2028, 2, 29)), [59, 60]);
        assert_eq!(day_of_year_by_leap(d(2027, 3, 1)), [60, 61]);
    }

    /// A path's timeline, and every one of its events sorted by `(date, kind, selection rank)`,
    /// the anniversaries from `calendar::anniversary`: what the timeline must lay out without
    /// sorting them.
    fn timeline_and_sorted_events(deal: &Deal, draws: &PathDraws) -> (Vec<String>, Vec<String>) {
        let mut deal = deal.clone();
        deal.set_generated_projects(deal.projects.len(), &mut draws.generated.clone());
        let selections = funding::Selections::of(&deal);
        let mut plan = funding::FundingPlan::default();
        funding::plan_into(&deal, &selections, &draws.declined, &[], &mut plan);
        let shape = |p: &Project| deal.facilities[p.facility].lending_terms().map(AnnuityShape::of);
        let projects: Vec<ProjectState> = deal
            .projects
            .iter()
            .zip(plan.projects())
            .enumerate()
            .map(|(i, (p, f))| {
                ProjectState::new(&deal, p, f, shape(p).as_ref(), false)
                    .with_labor(p, draws.labor.get(i).copied().flatten())
            })
            .collect();
        let accounts = Accounts::open(&deal, &selections.order, plan.projects());
        let mut timeline = Timeline::default();
        // The deal's own reading: past the horizon with a terminal value.
        let until = (deal.run.terminal_value == crate::deal::TerminalValue::Off).then_some(deal.end);
        timeline.build(&deal, plan.projects(), &projects, &accounts, &selections.order, until);

        let mut all = Vec::new();
        for (i, (f, state)) in plan.projects().iter().zip(&projects).enumerate().filter(|(_, (f, _))| f.is_funded()) {
            let account = accounts.of_project[i].is_some();
            let mut push = |date, kind| all.push(Event::new(date, i, kind));
            if account {
                push(deal.projects[i].selected, EventKind::Selected);
            }
            f.payments.iter().for_each(|&(date, amount)| push(date, EventKind::FundingPaid { amount }));
            let Some(completed) = f.completed else { continue };
            if account {
                push(completed, EventKind::Completed);
            }
            let waterfall = deal.waterfall_of(&deal.projects[i]);
            let allocations = match (waterfall.recoup_tier, waterfall.recoup) {
                (Some(_), Recoup::DeemedAllocation { life_years, .. }) => life_years,
                _ => 0,
            };
            let together = |k| waterfall.scope == Scope::Project && k <= allocations;
            let dates = (1..)
                .map(|k| (k, anniversary(completed, k)))
                .take_while(|&(_, date)| until.is_none_or(|until| date <= until));
            for (k, date) in dates.take(allocations.max(state.payment_count) as usize) {
                match k <= state.payment_count {
                    true if together(k) => push(date, EventKind::AllocationAndPayment { k }),
                    payment => {
                        if k <= allocations {
                            push(date, EventKind::AllocationDue { k });
                        }
                        if payment {
                            push(date, EventKind::Payment { k });
                        }
                    }
                }
            }
            // A project labour friction hit: its overrun and its operating years' cash, dated.
            if let (Some(hit), crate::deal::ProjectCash::Level { life_years, construction_years, .. }) =
                (state.labor, &deal.projects[i].cash)
            {
                let original = anniversary(completed, *construction_years);
                let overrun = hit.cost_overrun * f.size_usd_bn;
                if overrun > 0.0 && until.is_none_or(|until| original <= until) {
                    push(original, EventKind::OverrunPaid { amount: overrun });
                }
                for k in construction_years + 1..=construction_years + life_years {
                    let date = operating_date(completed, k, hit.delay_months);
                    if until.is_none_or(|until| date <= until) {
                        push(date, EventKind::OperatingPayment { k });
                    }
                }
            }
        }
        let rank = |i: usize| selections.order.iter().position(|&j| j == i).unwrap();
        all.sort_by_key(|e| (e.date, e.kind.rank(), rank(e.project)));
        let show = |events: &[Event]| events.iter().map(|e| format!("{} {} {:?}", e.date, e.project, e.kind)).collect();
        (show(&timeline.events), show(&all))
    }

    #[test]
    fn the_timeline_orders_events_by_date_kind_and_selection_rank() {
        let korea =
            parse_deal(include_str!("../../../../deals/kr-us-2025-mou.toml")).unwrap_or_else(|e| panic!("{e:?}"));
        let mut hit = 0;
        for path in 0..40 {
            let draws = PathDraws::draw(&korea, 7, path);
            hit += draws.labor.iter().flatten().count();
            let (timeline, sorted) = timeline_and_sorted_events(&korea, &draws);
            assert!(sorted.len() > 500, "{}", sorted.len());
            assert_eq!(timeline, sorted, "path {path}");
        }
        assert!(hit > 5, "labour friction hit {hit} projects: its delayed payments are laid out too");
        // Without a terminal value, the timeline stops at the horizon.
        let mut to_the_horizon = korea.clone();
        to_the_horizon.run.terminal_value = crate::deal::TerminalValue::Off;
        for path in 0..10 {
            let draws = PathDraws::draw(&to_the_horizon, 7, path);
            let (timeline, sorted) = timeline_and_sorted_events(&to_the_horizon, &draws);
            assert!(sorted.iter().all(|e| e[..10] <= *"2055-11-14"), "path {path}");
            assert_eq!(timeline, sorted, "path {path}");
        }
        // Completions on 28 and 29 February and 1 March of a leap year, in a project-scope
        // facility (allocations outlast some projects' payments, which outlast others') and a
        // portfolio one (allocations apart from payments), selected in an order unlike the file's.
        let project = |id: &str, facility: &str, selected: &str, years: usize| {
            format!(
                "[[project]]\nid = \"{id}\"\nfacility = \"{facility}\"\nselected = {selected}\nsize_usd_bn = 1.0\ncash_flows_usd_bn = [{}]\n",
                vec!["1.0"; years].join(", ")
            )
        };
        let mut source = format!(
            "{}{}",
            HEADER.replace("horizon_years = 10", "horizon_years = 30"),
            MOU.replace("commitment_usd_bn = 100.0", "commitment_usd_bn = 100.0\nfunding_lag = { days = 0 }")
        );
        source +=
            "[[facility]]\nid = \"g\"\ncommitment_usd_bn = 100.0\nfunding_lag = { days = 0 }\nwaterfall = \"pool\"\n";
        source += "[waterfall.pool]\nrecoup = \"deemed-allocation\"\ndeemed_rate = 0.05\ndeemed_life_years = 12\nscope = \"portfolio\"\n";
        source += "tiers = [ { until = \"recouped\", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]\n";
        for (id, facility, selected, years) in [
            ("a", "f", "2028-03-01", 25),
            ("b", "g", "2028-02-29", 8),
            ("c", "f", "2028-02-28", 15),
            ("d", "g", "2028-02-28", 20),
            ("e", "f", "2028-02-29", 30),
            ("h", "g", "2027-02-28", 3),
            ("i", "f", "2026-03-01", 22),
        ] {
            source += &project(id, facility, selected, years);
        }
        let deal = parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"));
        let (timeline, sorted) = timeline_and_sorted_events(&deal, &PathDraws::central(&deal));
        assert!(sorted.len() > 150, "{}", sorted.len());
        assert_eq!(timeline, sorted);
    }

    #[test]
    fn the_packed_event_key_orders_like_its_tuple() {
        let dates = [
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2056, 1, 1).unwrap(),
        ];
        let kinds = [
            EventKind::Selected,
            EventKind::FundingPaid { amount: 1.0 },
            EventKind::Completed,
            EventKind::AllocationDue { k: 7 },
            EventKind::Payment { k: 1 },
        ];
        let mut events = Vec::new();
        for &date in &dates {
            for &kind in &kinds {
                for rank in [0, 3, 69_999] {
                    events.push((Event::new(date, 0, kind), rank));
                }
            }
        }
        let days = |i: usize| dates[i].num_days_from_ce();
        let layout = KeyLayout::new(days(0), days(3), 70_000, events.len()).unwrap();
        let keys: Vec<u64> =
            events.iter().enumerate().map(|(i, (e, rank))| layout.key(e.day, &e.kind, *rank, i)).collect();
        for (i, (a, rank_a)) in events.iter().enumerate() {
            assert_eq!(layout.index(keys[i]), i);
            for (j, (b, rank_b)) in events.iter().enumerate() {
                let tuple = |e: &Event, rank: usize, index: usize| (e.date, e.kind.rank(), rank, index);
                assert_eq!(keys[i].cmp(&keys[j]), tuple(a, *rank_a, i).cmp(&tuple(b, *rank_b, j)), "{a:?} {b:?}");
            }
        }
        // 2^30 days need more bits than a key has beside 2^20 ranks and indices.
        assert!(KeyLayout::new(0, 1 << 30, 1 << 20, 1 << 20).is_none());
    }
}
