//! Invariants the contract promises, checked on thousands of generated deals: money is conserved
//! on every payment, annual caps and commitments are never exceeded, recoup counts only
//! first-tier receipts, lenders always get their schedule, and nothing is NaN.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, Days, NaiveDate};
use pactsim::deal::{Deal, Recoup, Scope};
use pactsim::loan::Annuity;
use pactsim::outcome::Outcome;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct FacilitySpec {
    commitment: f64,
    cap: Option<f64>,
    lag: (bool, u32),
    shares: (f64, f64, f64),
    loan: (f64, u32),
    fee: f64,
    waterfall: usize,
}

#[derive(Debug, Clone)]
struct WaterfallSpec {
    tax: f64,
    recoup: u8,
    rate: f64,
    life: u32,
    portfolio: bool,
    first: Option<f64>,
    last: f64,
}

#[derive(Debug, Clone)]
struct ProjectSpec {
    facility: usize,
    selected_day: u64,
    size: f64,
    cash: Result<Vec<f64>, (f64, u32, u32)>,
}

fn money(max: f64) -> impl Strategy<Value = f64> {
    (0u32..=1000).prop_map(move |k| max * f64::from(k) / 1000.0)
}

fn shares() -> impl Strategy<Value = (f64, f64, f64)> {
    prop_oneof![
        Just((1.0, 0.0, 0.0)),
        Just((0.0, 1.0, 0.0)),
        Just((0.0, 0.0, 1.0)),
        Just((0.4, 0.3, 0.3)),
        Just((0.05, 0.45, 0.5)),
        Just((0.5, 0.0, 0.5)),
    ]
}

fn facility() -> impl Strategy<Value = FacilitySpec> {
    (
        money(80.0).prop_map(|c| c + 1.0),
        prop::option::of(money(30.0).prop_map(|c| c + 0.5)),
        (any::<bool>(), 0u32..100),
        shares(),
        (money(0.12), 1u32..25),
        money(0.05),
        0usize..3,
    )
        .prop_map(|(commitment, cap, lag, shares, loan, fee, waterfall)| FacilitySpec {
            commitment,
            cap,
            lag,
            shares,
            loan,
            fee,
            waterfall,
        })
}

fn waterfall() -> impl Strategy<Value = WaterfallSpec> {
    (money(0.4), 0u8..3, money(0.12), 1u32..30, any::<bool>(), prop::option::of(money(1.0)), money(1.0)).prop_map(
        |(tax, recoup, rate, life, portfolio, first, last)| WaterfallSpec {
            tax,
            recoup,
            rate,
            life,
            portfolio,
            first,
            last,
        },
    )
}

fn project(facilities: usize, days: u64) -> impl Strategy<Value = ProjectSpec> {
    (
        0..facilities,
        0..days,
        money(60.0).prop_map(|s| s + 0.1),
        prop_oneof![
            prop::collection::vec(money(12.0), 0..15).prop_map(Ok),
            (money(0.2), 1u32..30, 0u32..5).prop_map(Err),
        ],
    )
        .prop_map(|(facility, selected_day, size, cash)| ProjectSpec { facility, selected_day, size, cash })
}

fn deal_source() -> impl Strategy<Value = String> {
    (0u64..800, 2u32..31, prop::collection::vec(facility(), 1..4), prop::collection::vec(waterfall(), 3))
        .prop_flat_map(|(start_offset, horizon, facilities, waterfalls)| {
            let count = facilities.len();
            let days = u64::from(horizon) * 365 / 2 + 1;
            (
                Just(start_offset),
                Just(horizon),
                Just(facilities),
                Just(waterfalls),
                prop::collection::vec(project(count, days), 0..9),
            )
        })
        .prop_map(|(start_offset, horizon, facilities, waterfalls, projects)| {
            render(start_offset, horizon, &facilities, &waterfalls, &projects)
        })
}

fn render(
    start_offset: u64,
    horizon: u32,
    facilities: &[FacilitySpec],
    waterfalls: &[WaterfallSpec],
    projects: &[ProjectSpec],
) -> String {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(start_offset);
    let mut s = format!(
        "schema = 1\n[deal]\nid = \"generated\"\ntitle = \"generated\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = {start}\nhorizon_years = {horizon}\n"
    );
    for (i, f) in facilities.iter().enumerate() {
        let _ = writeln!(s, "[[facility]]\nid = \"f{i}\"\ncommitment_usd_bn = {:?}", f.commitment);
        if let Some(cap) = f.cap {
            let _ = writeln!(s, "annual_cap_usd_bn = {cap:?}");
        }
        let unit = if f.lag.0 { "business_days" } else { "days" };
        let _ = writeln!(s, "funding_lag = {{ {unit} = {} }}", f.lag.1);
        let (e, l, g) = f.shares;
        let _ = writeln!(s, "instruments = {{ equity = {e:?}, loan = {l:?}, guarantee = {g:?} }}");
        let _ = writeln!(
            s,
            "loan = {{ rate = {:?}, years = {} }}\nguarantee_fee_rate = {:?}\nwaterfall = \"w{}\"",
            f.loan.0, f.loan.1, f.fee, f.waterfall
        );
    }
    for (i, w) in waterfalls.iter().enumerate() {
        let recoup = ["capital", "hurdle", "deemed-allocation"][w.recoup as usize];
        let scope = if w.portfolio { "portfolio" } else { "project" };
        let _ = writeln!(
            s,
            "[waterfall.w{i}]\nhost_tax_rate = {:?}\nrecoup = \"{recoup}\"\ndeemed_rate = {:?}\ndeemed_life_years = {}\nscope = \"{scope}\"",
            w.tax, w.rate, w.life
        );
        let last = format!("{{ investor = {:?}, host = {:?} }}", w.last, 1.0 - w.last);
        match w.first {
            Some(a) => {
                let _ = writeln!(
                    s,
                    "tiers = [ {{ until = \"recouped\", investor = {a:?}, host = {:?} }}, {last} ]",
                    1.0 - a
                );
            }
            None => {
                let _ = writeln!(s, "tiers = [ {last} ]");
            }
        }
    }
    for (i, p) in projects.iter().enumerate() {
        let selected = start + Days::new(p.selected_day);
        let _ = writeln!(
            s,
            "[[project]]\nid = \"p{i}\"\nfacility = \"f{}\"\nselected = {selected}\nsize_usd_bn = {:?}",
            p.facility, p.size
        );
        match &p.cash {
            Ok(flows) => {
                let flows: Vec<String> = flows.iter().map(|c| format!("{c:?}")).collect();
                let _ = writeln!(s, "cash_flows_usd_bn = [{}]", flows.join(", "));
            }
            Err((irr, life, construction)) => {
                let _ = writeln!(s, "irr = {irr:?}\nlife_years = {life}\nconstruction_years = {construction}");
            }
        }
    }
    s
}

/// Generated deals may select after a facility's selection end; none is set, so every deal parses.
fn parse(source: &str) -> Deal {
    pactsim::spec::parse_deal(source).unwrap_or_else(|e| panic!("generated deal rejected: {e:?}\n{source}"))
}

const TOLERANCE: f64 = 1e-9;

fn check_invariants(deal: &Deal, outcome: &Outcome) -> Result<(), TestCaseError> {
    for project in &outcome.projects {
        for row in &project.flows {
            let values = [
                row.cash,
                row.debt_service_investor,
                row.debt_service_lenders,
                row.guarantee_fee,
                row.guarantee_call,
                row.host_tax,
                row.investor,
                row.host,
                row.loss,
                row.investor_first_tier,
            ];
            prop_assert!(values.iter().all(|v| v.is_finite() && *v >= -TOLERANCE), "negative or non-finite in {row:?}");
            let split = row.debt_service() + row.guarantee_fee + row.host_tax + row.investor + row.host;
            prop_assert!((row.cash - split).abs() <= TOLERANCE * (1.0 + row.cash), "money not conserved: {row:?}");
            prop_assert!(row.investor_first_tier <= row.investor + TOLERANCE);
        }
    }

    // Caps per facility and calendar year; commitments per facility.
    for (index, facility) in deal.facilities.iter().enumerate() {
        let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
        let mut sizes = 0.0;
        for (project, result) in deal.projects.iter().zip(&outcome.projects) {
            if project.facility != index {
                continue;
            }
            sizes += result.size_usd_bn;
            for payment in &result.funding {
                *by_year.entry(payment.date.year()).or_default() += payment.amount;
                prop_assert!(payment.date >= result.due, "paid before due");
            }
            let paid: f64 = result.funding.iter().map(|f| f.amount).sum();
            let call = facility.investor_cash_share() * result.size_usd_bn;
            prop_assert!(paid <= call + TOLERANCE);
            if result.funded_on.is_some() {
                prop_assert!((paid - call).abs() <= TOLERANCE, "completed without paying the call");
            }
        }
        if let Some(cap) = facility.annual_cap_usd_bn {
            for (year, paid) in &by_year {
                prop_assert!(
                    *paid <= cap + TOLERANCE,
                    "facility {} paid {paid} in {year} over its cap {cap}",
                    facility.id
                );
            }
        }
        prop_assert!(sizes <= facility.commitment_usd_bn + TOLERANCE, "commitment exceeded");
    }

    // The guaranteed lenders always get exactly their schedule: from cash or from the investor.
    for (project, result) in deal.projects.iter().zip(&outcome.projects) {
        let facility = &deal.facilities[project.facility];
        let Some(terms) = facility.lending_terms() else {
            continue;
        };
        let loan = Annuity::new(facility.instruments.guarantee * result.size_usd_bn, terms);
        for (k, row) in result.flows.iter().enumerate() {
            let scheduled = loan.payment_due(k as u32 + 1);
            prop_assert!(
                (row.debt_service_lenders + row.guarantee_call - scheduled).abs() <= TOLERANCE,
                "lenders off schedule: {row:?}"
            );
        }
    }

    // Recoup counts first-tier receipts only: under "capital" per project, they never exceed the
    // equity paid, and reach it exactly when the project recoups.
    for (project, result) in deal.projects.iter().zip(&outcome.projects) {
        let facility = &deal.facilities[project.facility];
        let waterfall = &deal.waterfalls[facility.waterfall];
        if waterfall.recoup != Recoup::Capital || waterfall.scope != Scope::Project || !waterfall.has_recoup() {
            continue;
        }
        let equity = facility.instruments.equity * result.size_usd_bn;
        let first_tier: f64 = result.flows.iter().map(|f| f.investor_first_tier).sum();
        prop_assert!(first_tier <= equity + TOLERANCE, "first tier paid {first_tier} on equity {equity}");
        if result.recouped_on.is_some() && result.size_usd_bn > 0.0 {
            prop_assert!((first_tier - equity).abs() <= 1e-6, "recouped with {first_tier} of {equity}");
        }
    }

    // The investor's ledger is the sum of its parts.
    let funding: f64 = outcome.projects.iter().flat_map(|p| &p.funding).map(|f| f.amount).sum();
    let rows = outcome.projects.iter().flat_map(|p| &p.flows);
    let calls: f64 = rows.clone().map(|r| r.guarantee_call).sum();
    let received: f64 = rows.map(|r| r.investor_received()).sum();
    let net: f64 = outcome.investor_flows.iter().map(|f| f.amount).sum();
    prop_assert!((net - (received - funding - calls)).abs() <= 1e-7, "investor ledger {net} vs parts");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_generated_deals(source in deal_source()) {
        let deal = parse(&source);
        let outcome = pactsim::engine::run(&deal);
        check_invariants(&deal, &outcome)?;
        // Deterministic: the same deal gives the same outcome, and the output has no NaN.
        prop_assert_eq!(&outcome, &pactsim::engine::run(&deal));
        let summary = pactsim::montecarlo::simulate(&deal, 1, 1, &|_| {}, None);
        let document = pactsim::output::run_output(&deal, &summary, "test");
        // Debug prints a non-finite float as `NaN` or `inf` (serde_json would print null).
        let debug = format!("{document:?}");
        let non_finite = debug.split(|c: char| !c.is_alphanumeric()).find(|word| matches!(*word, "NaN" | "inf"));
        prop_assert!(non_finite.is_none(), "a non-finite number in the run output: {}", debug);
    }
}

/// A currency for a generated deal: reserves far below their floor, so the stability clause asks
/// to defer every call it meets, and the host grants with probability `accepts`.
fn currency_source(model: &str, accepts: f64, deferral_months: u32, swap_line: f64) -> String {
    format!(
        "\n[fx]\npair = \"KRW/USD\"\nmodel = \"{model}\"\ncalibrate = {{ from = 2010-01-01, to = 2019-12-31 }}\n\
         swap_line_usd_bn = {swap_line:?}\n\
         [reserves]\nstart_usd_bn = 100.0\ngdp_usd_bn = 1800.0\nbaseline_change_usd_bn_per_year = -3.0\n\
         ara = {{ exports_usd_bn = 700.0, broad_money_usd_bn = 2800.0, short_term_debt_usd_bn = 170.0, other_liabilities_usd_bn = 1400.0 }}\n\
         [stability]\ndepreciation_trigger = 0.5\nwindow_months = 3\nhost_accepts_probability = {accepts:?}\n\
         deferral_months = {deferral_months}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// The stability clause only moves calls: on random paths with deferrals, caps, commitments,
    /// money and the lenders' schedules still hold, requests and grants agree, and reserves and
    /// rates stay finite.
    #[test]
    fn invariants_hold_with_the_stability_clause(
        source in deal_source(),
        model in prop::sample::select(vec!["gbm", "bootstrap"]),
        accepts in 0.0f64..=1.0,
        deferral_months in 1u32..25,
        swap_line in prop::sample::select(vec![0.0, 50.0, 400.0]),
        path in 0u64..1000,
    ) {
        let deal = parse(&format!("{source}{}", currency_source(model, accepts, deferral_months, swap_line)));
        let draws = pactsim::engine::PathDraws::draw(&deal, 7, path);
        let outcome = pactsim::engine::run_path(&deal, &draws);
        check_invariants(&deal, &outcome)?;
        let currency = outcome.currency.as_ref().expect("a currency outcome");
        prop_assert!(currency.deferrals_granted <= currency.deferral_requests);
        let calls = outcome.projects.iter().filter(|p| p.size_usd_bn > 0.0).count() as u32;
        prop_assert!(currency.deferral_requests - currency.deferrals_granted <= calls);
        prop_assert!(currency.swap_peak_usd_bn <= swap_line + TOLERANCE);
        if swap_line == 0.0 {
            // Every test is in a crisis, so every call still due within the horizon was asked about
            // at least on its last due date.
            let tested = deal.projects.iter().zip(&outcome.projects).filter(|(project, result)| {
                deal.facilities[project.facility].investor_cash_share() > 0.0
                    && result.size_usd_bn > 0.0
                    && result.due <= deal.end
            });
            prop_assert!(currency.deferral_requests >= tested.count() as u32);
        }
        for month in &currency.months {
            prop_assert!(month.rate.is_some_and(f64::is_finite) && month.rate.unwrap() > 0.0);
            prop_assert!(month.reserves_usd_bn.is_some_and(f64::is_finite));
        }
        // The path is a function of its draws.
        prop_assert_eq!(&outcome, &pactsim::engine::run_path(&deal, &draws));
    }
}

mod trade_markets {
    //! The trade model on generated markets: every source's market clears, the price index is
    //! the CES aggregate of the prices it produced, and nothing is NaN or infinite.

    use pactsim::trade::{Elasticities, Market, MarketSource, solve};
    use proptest::prelude::*;

    fn market() -> impl Strategy<Value = (Vec<(f64, f64)>, Vec<f64>)> {
        prop::collection::vec((0.1f64..400.0, 0.0f64..0.5), 2..9).prop_flat_map(|rows| {
            let n = rows.len();
            (Just(rows), prop::collection::vec(0.0f64..1.0, n))
        })
    }

    fn elasticity() -> impl Strategy<Value = f64> {
        prop_oneof![0.05f64..50.0, Just(f64::INFINITY)]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        #[test]
        fn markets_clear(
            (rows, tariffs) in market(),
            sigma in prop_oneof![0.2f64..12.0, Just(1.0)],
            eta in prop_oneof![-3.0f64..0.0, Just(-1.0), Just(0.0)],
            foreign in elasticity(),
            domestic in elasticity(),
        ) {
            let market = Market {
                importer: "US".into(),
                year: 2024,
                origin: "generated".into(),
                sources: rows.iter().enumerate().map(|(i, (v, t))| MarketSource {
                    code: if i == 0 { "domestic".into() } else { format!("S{i}") },
                    base_value_usd_bn: *v,
                    base_tariff: if i == 0 { 0.0 } else { *t },
                }).collect(),
            };
            let mut scenario = tariffs.clone();
            scenario[0] = 0.0;
            let e = Elasticities { substitution: sigma, demand: eta, foreign_supply: foreign, domestic_supply: domestic };
            let eq = solve(&market, &scenario, e);
            prop_assert!(eq.price_index.is_finite() && eq.price_index > 0.0);
            prop_assert!(eq.consumer_surplus_change_usd_bn.is_finite());
            let mut aggregate = 0.0;
            let mut spending = 0.0;
            for (i, (source, s)) in market.sources.iter().zip(&eq.sources).enumerate() {
                let epsilon = if i == 0 { domestic } else { foreign };
                prop_assert!(s.value_usd_bn.is_finite() && s.quantity > 0.0 && s.producer_price > 0.0);
                if epsilon.is_finite() {
                    prop_assert!((s.quantity.ln() - epsilon * s.producer_price.ln()).abs() < 1e-9, "source {} does not clear", i);
                } else {
                    prop_assert_eq!(s.producer_price, 1.0);
                }
                let tau = (1.0 + scenario[i]) / (1.0 + source.base_tariff);
                let weight = source.base_value_usd_bn * (1.0 + source.base_tariff);
                spending += weight;
                aggregate += weight * if (sigma - 1.0).abs() < 1e-12 { (tau * s.producer_price).ln() } else { (tau * s.producer_price).powf(1.0 - sigma) };
                prop_assert!((s.value_usd_bn - source.base_value_usd_bn * s.producer_price * s.quantity).abs() <= 1e-9 * (1.0 + s.value_usd_bn));
            }
            let index = if (sigma - 1.0).abs() < 1e-12 { (aggregate / spending).exp() } else { (aggregate / spending).powf(1.0 / (1.0 - sigma)) };
            prop_assert!((index / eq.price_index - 1.0).abs() < 1e-10, "P {} vs aggregate {}", eq.price_index, index);
        }
    }
}
