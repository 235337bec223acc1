//! The deterministic deal engine: one path of a validated deal, from selection to the horizon.
//!
//! # How the parts fit
//!
//! A path is played in this order (`run_projects` below reads the same way):
//!
//! 1. **Draws** (`draws.rs`, [`PathDraws`]): the projects the pipelines generate, the investor's
//!    refusals and the host's snapback, the trade elasticities, and the keys of the path's credit
//!    and currency streams. The central path draws nothing.
//! 2. **Funding** (`crate::funding`): commitments cut oversize projects, calls fall due after the
//!    funding lag and are served first in, first out under each facility's annual cap. Funding
//!    does not depend on project cash, so it is settled before anything else.
//! 3. **Events in date order** (`events.rs`): selections, funding payments, completions, deemed
//!    allocations falling due and project payments, in one timeline, because pooled
//!    (`portfolio`) recoup accounts tie projects together. Within a date the order is fixed:
//!    selections, funding, completions, deemed allocations, then project payments, each kind in
//!    selection order.
//! 4. **The rules each event applies** (`payment.rs`): funding is equity paid into the project's
//!    recoup account; a project's payment goes to debt service first (both loans, pro rata to what
//!    each is owed), then the guarantee fee, then the host's tax and the tiers (`waterfall`);
//!    a default stops the payments and recovers part of the loans (`credit.rs` says who
//!    defaults: a one-factor Gaussian copula).
//! 5. **After the horizon** (`terminal.rs`), with `terminal_value = "remaining-flows"`: the
//!    events go on under the same rules, and each party's flows then make its terminal value.
//! 6. **The finish** (`finish.rs`): each facility's totals, the reported projects, the recoup
//!    accounts, the terminal values and each year's tariff relief.
//! 7. **The stability clause** (`clause.rs`), when the deal has a currency: the path's exchange
//!    rate and reserves follow from its flows (`currency`), the clause defers calls on them, and
//!    the deferrals move the flows, so the path is run again until the deferrals stand still.
//!
//! What only makes this fast lives beside the rules, in files that say what they speed up and
//! what they must preserve: `scratch.rs` (memory and deal-wide values kept from path to path,
//! [`PathScratch`]), `timeline.rs` (laying the events out in order without sorting them all), the
//! tables in `credit.rs`, and outside the engine `funding/plan.rs` (a funding plan's memory and
//! reuse) and `currency::ClauseDays` (the clause's calendar dates, found once). None of them may
//! change an output bit: the timeline and the funding plan are tested against the plain
//! computation, and paths run on one `PathScratch` against paths run on fresh memory.

mod clause;
mod credit;
mod draws;
mod events;
mod finish;
mod payment;
mod scratch;
mod terminal;
mod timeline;

use chrono::NaiveDate;

use crate::deal::Deal;
use crate::funding;
use crate::outcome::Outcome;

pub use draws::{PathDraws, bounds, standalone_npv};
pub use payment::level_cash_flow;
pub use scratch::PathScratch;

use payment::Run;
use scratch::Buffers;

/// Runs a deal once with every random input at its central value.
pub fn run(deal: &Deal) -> Outcome {
    run_path(deal, &PathDraws::central(deal))
}

/// Runs one path of a deal with its draws.
pub fn run_path(deal: &Deal, draws: &PathDraws) -> Outcome {
    if draws.generated.is_empty() {
        return clause::run_deal(deal, draws, deal.projects.len(), &mut Buffers::default());
    }
    PathScratch::new(deal).run(draws.clone())
}

/// Plays the deal's projects once, with the due dates the stability clause `postponed`: funding
/// first, then every dated event in order under the rules; the outcome reports the first
/// `reported` projects. `buffers` lend their memory (`scratch.rs`).
fn run_projects(
    deal: &Deal,
    draws: &PathDraws,
    selections: &funding::Selections,
    reported: usize,
    buffers: &mut Buffers,
    postponed: &[Option<NaiveDate>],
) -> Outcome {
    funding::plan_into(deal, selections, &draws.declined, postponed, &mut buffers.plan);
    let Buffers { plan, timeline, loan_shapes, credit, constants, investor_flows, host_flows, facility_flows, .. } =
        buffers;
    let funding = plan.projects();
    let order = &selections.order;
    let credit = draws.credit.map(|(seed, path)| credit.for_path(deal, seed, path));
    let mut by_facility = std::mem::take(facility_flows);
    by_facility.resize_with(deal.facilities.len(), Vec::new);
    by_facility.iter_mut().for_each(Vec::clear);
    let flows = (scratch::take_cleared(investor_flows), scratch::take_cleared(host_flows), by_facility);
    let mut state = Run::start(deal, funding, order, reported, loan_shapes.of(deal), credit, &draws.labor, flows);

    // With a terminal value the projects go on paying after the horizon (`terminal.rs`).
    let until = if terminal::Terminal::played(deal) { None } else { Some(deal.end) };
    timeline.build(deal, funding, &state.projects, &state.accounts, order, until);
    for &event in &timeline.events {
        state.apply(event);
        // Judged after every event up to the horizon, so an account that reopens and recoups
        // again on one day reports that day; after the horizon nothing is judged.
        if event.date <= deal.end
            && let Some(account) = state.account(event.project)
        {
            account.review(event.date);
        }
    }
    state.finish(plan, draws, reported, constants)
}

/// What the engine's tests share: small deals written out in full, worked out by hand.
#[cfg(test)]
pub(crate) mod testing {
    use chrono::NaiveDate;

    use crate::outcome::Outcome;
    use crate::spec::parse_deal;

    /// A deal's `[deal]` table: ten years from 2026-01-01.
    pub(crate) const HEADER: &str = "schema = 1\n[deal]\nid = \"t\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = 2026-01-01\nhorizon_years = 10\n";

    /// One facility under the MOU's waterfall: deemed allocation over 20 years at 5.5%, split
    /// 50/50 until recouped, then 10/90.
    pub(crate) const MOU: &str = r#"
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "mou"
[waterfall.mou]
recoup = "deemed-allocation"
deemed_rate = 0.055
deemed_life_years = 20
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
"#;

    /// The central run of `HEADER` followed by `body`.
    pub(crate) fn run_toml(body: &str) -> Outcome {
        let source = format!("{HEADER}{body}");
        let deal = parse_deal(&source).unwrap_or_else(|e| panic!("{e:?}"));
        super::run(&deal)
    }

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[track_caller]
    pub(crate) fn close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-12, "{actual} != {expected}");
    }
}
