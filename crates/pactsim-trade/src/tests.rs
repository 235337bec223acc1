//! The trade model against closed forms, limits and its own equations.

use super::*;

fn market(rows: &[(&str, f64, f64)]) -> Market {
    Market {
        importer: "US".into(),
        year: 2024,
        origin: "test".into(),
        sources: rows
            .iter()
            .map(|(code, value, tariff)| MarketSource {
                code: code.to_string(),
                base_value_usd_bn: *value,
                base_tariff: *tariff,
            })
            .collect(),
    }
}

fn autos() -> Market {
    market(&[
        ("domestic", 300.0, 0.0),
        ("KR", 37.4, 0.0),
        ("JP", 39.9, 0.025),
        ("EU", 45.4, 0.025),
        ("MX", 49.7, 0.0),
        ("CA", 28.3, 0.0),
        ("ROW", 16.0, 0.025),
    ])
}

const NO_DEAL: [f64; 7] = [0.0, 0.25, 0.15, 0.15, 0.0, 0.0, 0.25];
const DEAL: [f64; 7] = [0.0, 0.15, 0.15, 0.15, 0.0, 0.0, 0.25];

fn elasticities(sigma: f64, eta: f64, foreign: f64, domestic: f64) -> Elasticities {
    Elasticities { substitution: sigma, demand: eta, foreign_supply: foreign, domestic_supply: domestic }
}

#[test]
fn every_market_clears() {
    let m = autos();
    for e in [elasticities(5.6, -1.0, 2.4, 2.0), elasticities(0.5, -2.5, 0.1, 40.0), elasticities(12.0, 0.0, 1.0, 0.3)]
    {
        let eq = solve(&m, &NO_DEAL, e);
        for (i, s) in eq.sources.iter().enumerate() {
            let epsilon = if i == 0 { e.domestic_supply } else { e.foreign_supply };
            // Supply q = p^ε equals demand (τ p / P)^(−σ) P^η.
            assert!((s.quantity.ln() - epsilon * s.producer_price.ln()).abs() < 1e-11, "{e:?} source {i}");
        }
        let index: f64 = m
            .sources
            .iter()
            .zip(&eq.sources)
            .zip(NO_DEAL)
            .map(|((src, s), t)| {
                let spend = src.base_value_usd_bn * (1.0 + src.base_tariff);
                let tau = (1.0 + t) / (1.0 + src.base_tariff);
                spend * (tau * s.producer_price).powf(1.0 - e.substitution)
            })
            .sum::<f64>()
            / m.sources.iter().map(|s| s.base_value_usd_bn * (1.0 + s.base_tariff)).sum::<f64>();
        assert!((index.powf(1.0 / (1.0 - e.substitution)) - eq.price_index).abs() < 1e-12);
    }
}

#[test]
fn flat_supply_has_a_closed_form_price_index() {
    let m = autos();
    let e = elasticities(5.6, -1.0, f64::INFINITY, f64::INFINITY);
    let eq = solve(&m, &DEAL, e);
    let spend: Vec<f64> = m.sources.iter().map(|s| s.base_value_usd_bn * (1.0 + s.base_tariff)).collect();
    let total: f64 = spend.iter().sum();
    let index: f64 = m
        .sources
        .iter()
        .zip(&spend)
        .zip(DEAL)
        .map(|((s, w), t)| w / total * ((1.0 + t) / (1.0 + s.base_tariff)).powf(1.0 - 5.6))
        .sum();
    assert!((eq.price_index - index.powf(1.0 / (1.0 - 5.6))).abs() < 1e-14);
    assert!(eq.sources.iter().all(|s| s.producer_price == 1.0 && s.producer_surplus_change_usd_bn == 0.0));
}

#[test]
fn no_tariff_change_is_the_base_year() {
    let m = autos();
    let base: Vec<f64> = m.sources.iter().map(|s| s.base_tariff).collect();
    let eq = solve(&m, &base, elasticities(5.6, -1.0, 2.4, 2.0));
    assert!((eq.price_index - 1.0).abs() < 1e-14);
    assert!(eq.consumer_surplus_change_usd_bn.abs() < 1e-10);
    for (s, src) in eq.sources.iter().zip(&m.sources) {
        assert!((s.value_usd_bn - src.base_value_usd_bn).abs() < 1e-10);
        assert!(s.producer_surplus_change_usd_bn.abs() < 1e-10);
    }
}

#[test]
fn cobb_douglas_is_the_limit_of_sigma_one() {
    let m = autos();
    let at_one = solve(&m, &NO_DEAL, elasticities(1.0, -0.5, 3.0, 2.0));
    for sigma in [1.0 - 1e-7, 1.0 + 1e-7] {
        let near = solve(&m, &NO_DEAL, elasticities(sigma, -0.5, 3.0, 2.0));
        assert!((near.price_index - at_one.price_index).abs() < 1e-7, "{sigma}");
    }
}

/// Near σ = 1 the CES aggregate must not cancel digits: the price index moves smoothly through
/// σ = 1 (found by the independent oracle, which used 50-digit arithmetic).
#[test]
fn the_price_index_is_accurate_next_to_unit_substitution() {
    let m = market(&[("domestic", 300.0, 0.0), ("KR", 100.0, 0.0), ("JP", 100.0, 0.0)]);
    let tariffs = [0.0, 0.25, 0.0];
    let at = |sigma: f64| solve(&m, &tariffs, elasticities(sigma, 0.0, 0.05, 0.05)).price_index - 1.0;
    // The oracle's 50-digit value at σ = 1.000000001.
    assert!((at(1.000_000_001) - 0.045_639_552_591_074_89).abs() < 1e-12, "{}", at(1.000_000_001));
    for sigma in [1.000_001, 0.999_999, 1.0 + 1e-12] {
        assert!((at(sigma) - at(1.0)).abs() < 1e-5, "{sigma}");
    }
}

#[test]
fn consumer_surplus_is_continuous_at_unit_demand_elasticity() {
    let m = autos();
    let at = solve(&m, &NO_DEAL, elasticities(5.6, -1.0, 2.4, 2.0));
    let base_spending: f64 = m.sources.iter().map(|s| s.base_value_usd_bn * (1.0 + s.base_tariff)).sum();
    assert!((at.consumer_surplus_change_usd_bn + base_spending * at.price_index.ln()).abs() < 1e-9);
    let near = solve(&m, &NO_DEAL, elasticities(5.6, -1.0 + 1e-9, 2.4, 2.0));
    assert!((near.consumer_surplus_change_usd_bn - at.consumer_surplus_change_usd_bn).abs() < 1e-6);
}

#[test]
fn producer_surplus_is_the_area_left_of_supply() {
    // v ∫_1^p s^ε ds = v (p^(1+ε) − 1)/(1+ε), checked by the trapezoid rule.
    let m = autos();
    let e = elasticities(5.6, -1.0, 2.4, 2.0);
    let eq = solve(&m, &NO_DEAL, e);
    let kr = eq.sources[1];
    let steps = 200_000;
    let (a, b) = (1.0, kr.producer_price);
    let h = (b - a) / steps as f64;
    let area: f64 =
        (0..steps).map(|i| 0.5 * h * ((a + i as f64 * h).powf(2.4) + (a + (i + 1) as f64 * h).powf(2.4))).sum();
    assert!((kr.producer_surplus_change_usd_bn - 37.4 * area).abs() < 1e-8);
}

#[test]
fn cutting_the_investors_tariff_helps_its_exporters_and_hurts_rivals() {
    let m = autos();
    let e = elasticities(5.6, -1.0, 2.4, 2.0);
    let (no_deal, deal) = (solve(&m, &NO_DEAL, e), solve(&m, &DEAL, e));
    assert!(deal.sources[1].producer_surplus_change_usd_bn > no_deal.sources[1].producer_surplus_change_usd_bn);
    assert!(deal.sources[1].quantity > no_deal.sources[1].quantity);
    assert!(deal.sources[2].value_usd_bn < no_deal.sources[2].value_usd_bn, "Japan loses share");
    assert!(deal.price_index < no_deal.price_index);
    assert!(deal.consumer_surplus_change_usd_bn > no_deal.consumer_surplus_change_usd_bn);
}

#[test]
fn the_solver_survives_extreme_markets() {
    let m = market(&[("domestic", 0.5, 0.0), ("A", 400.0, 0.3), ("B", 0.5, 0.0)]);
    for e in
        [elasticities(0.05, -3.0, 0.05, 50.0), elasticities(20.0, 0.0, 1e6, 0.01), elasticities(1.0, 0.0, 0.05, 0.05)]
    {
        let eq = solve(&m, &[0.0, 5.0, 0.0], e);
        assert!(eq.price_index.is_finite() && eq.price_index > 0.0, "{e:?}");
        assert!(eq.sources.iter().all(|s| s.value_usd_bn.is_finite() && s.quantity > 0.0), "{e:?}");
    }
}

/// SMART's linear formulas are a first-order view of the exact model: with flat supply they
/// agree on the investor's imports for a small tariff change and drift apart for 25% → 15%.
#[test]
fn smart_agrees_for_small_changes_and_diverges_for_large_ones() {
    let m = autos();
    let e = elasticities(5.6, -1.0, f64::INFINITY, f64::INFINITY);
    let relative_gap = |cut: f64| {
        let mut deal = NO_DEAL;
        deal[1] = NO_DEAL[1] - cut;
        let (start, end) = (solve(&m, &NO_DEAL, e), solve(&m, &deal, e));
        let view = smart_view(&m, &NO_DEAL, &deal, &start, &end, e);
        let kr = &view.sources[0];
        assert_eq!(kr.code, "KR");
        (kr.smart_change_usd_bn - kr.exact_change_usd_bn).abs() / kr.exact_change_usd_bn.abs()
    };
    // The gap shrinks in proportion to the change (first-order agreement) …
    let (tiny, small) = (relative_gap(0.0001), relative_gap(0.001));
    assert!(small < 3e-3, "SMART should agree for a 0.1 pp cut: gap {small}");
    assert!((small / tiny - 10.0).abs() < 0.5, "gap not first order: {tiny} → {small}");
    // … and is a fifth of the change for Korea's cut (20.8% with these elasticities).
    let large = relative_gap(0.10);
    assert!(large > 0.15, "SMART should diverge for 25% → 15%: gap {large}");
}

#[test]
fn year_shares_cover_the_horizon() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let shares = year_shares(2025, d(2025, 11, 14), d(2055, 11, 14));
    assert_eq!(shares.len(), 31);
    assert!((shares[0].1 - 48.0 / 365.0).abs() < 1e-15);
    assert_eq!(shares[1].1, 1.0);
    assert!((shares[30].1 - 318.0 / 365.0).abs() < 1e-15);
}

#[test]
fn accrued_present_value_sums_daily_discounted_accruals() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let (start, from, end) = (d(2025, 11, 14), d(2025, 11, 14), d(2030, 3, 1));
    let slow: f64 = {
        let mut total = 0.0;
        let mut day = from;
        while day <= end {
            let days_in_year = if NaiveDate::from_ymd_opt(day.year(), 2, 29).is_some() { 366.0 } else { 365.0 };
            total += 3.0 / days_in_year * 1.05f64.powf(-((day - start).num_days() as f64) / 365.0);
            day = day.succ_opt().unwrap();
        }
        total
    };
    assert!((accrued_present_value(3.0, 0.05, start, from, end) - slow).abs() < 1e-10);
    let undiscounted: f64 = year_shares(2025, from, end).iter().map(|(_, s)| 3.0 * s).sum();
    assert!((accrued_present_value(3.0, 0.0, start, from, end) - undiscounted).abs() < 1e-12);
}
