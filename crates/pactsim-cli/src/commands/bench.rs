//! `pactsim bench`: how fast the engines run on this machine, for the record (never asserted in
//! tests). Each measurement repeats the work for about `--seconds` and reports the rate.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pactsim::deal::Deal;
use pactsim::trade::Scenario;

use crate::Failure;
use crate::diagnostics::{DEFAULT_DEAL, DEFAULT_DEAL_NAME, load_deal, parse_deal};

pub fn bench(files: &[PathBuf], seconds: f64) -> Result<(), Failure> {
    if !(seconds.is_finite() && seconds > 0.0) {
        eprintln!("error: --seconds {seconds}: expected a positive number of seconds");
        return Err(Failure::BadInput);
    }
    let budget = Duration::from_secs_f64(seconds);
    let deals = deals_to_run(files)?;
    println!("pactsim {} bench ({seconds} s per line; solves and central runs on 1 thread)", pactsim::VERSION);

    // The trade model on the embedded 7-source US auto market: one solve is one scenario.
    if let Some((name, deal)) = deals.iter().find(|(_, d)| !d.trade.is_empty()) {
        let trade = deal.trade.first().expect("found with a trade section");
        let e = trade.elasticities.central();
        let schedule = &trade.schedules[Scenario::NoDeal.index()];
        let rate = measure(budget, || {
            black_box(pactsim::trade::solve(black_box(&trade.market), black_box(schedule), black_box(e)));
        });
        println!("trade solve, {}-source market of {name}: {rate:>12.0} solves/s", trade.market.sources.len());
    }
    for (name, deal) in &deals {
        let rate = measure(budget, || {
            let outcome = pactsim::engine::run(black_box(deal));
            black_box(pactsim::montecarlo::headline::headline(deal, &outcome));
        });
        println!("central run with figures, {name}: {rate:>12.0} runs/s");
    }
    let stress = parse_deal("stress deal (embedded)", STRESS_DEAL)?;
    let threads = rayon::current_num_threads();
    for (name, deal) in
        deals.iter().map(|(n, d)| (n.as_str(), d)).chain([("stress: ~200 generated projects over 30 years", &stress)])
    {
        if !deal.is_random() {
            println!("Monte Carlo, {name}: nothing random (one path stands for all)");
            continue;
        }
        let (paths, elapsed) = monte_carlo(deal, budget);
        println!(
            "Monte Carlo, {name}: {:>10.0} paths/s on {threads} threads ({paths} paths in {:.2} s)",
            paths as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64()
        );
    }
    Ok(())
}

/// About `budget` of Monte Carlo: a first batch sets the pace, a second fills the time.
fn monte_carlo(deal: &Deal, budget: Duration) -> (u64, Duration) {
    let probe = 1024;
    let started = Instant::now();
    black_box(pactsim::montecarlo::simulate(deal, probe, 1, &|_| {}, None));
    let per_path = started.elapsed().as_secs_f64() / probe as f64;
    let paths = ((budget.as_secs_f64() / per_path) as u64).clamp(probe, 10_000_000);
    let started = Instant::now();
    black_box(pactsim::montecarlo::simulate(deal, paths, 1, &|_| {}, None));
    (paths, started.elapsed())
}

/// A deal built to be heavy: about 200 generated projects over 30 years with loans, guarantees,
/// correlated defaults, a deemed-allocation waterfall and a trade section with uncertain
/// elasticities.
const STRESS_DEAL: &str = r#"
schema = 1
[deal]
id = "stress"
title = "Stress test: about 200 generated projects over 30 years"
investor = "KR"
host = "US"
start = 2026-01-01
horizon_years = 30
[[facility]]
id = "all"
commitment_usd_bn = 100000.0
annual_cap_usd_bn = 60.0
funding_lag = { business_days = 45 }
instruments = { equity = 0.5, loan = 0.3, guarantee = 0.2 }
loan = { rate = 0.05, years = 12 }
guarantee_fee_rate = 0.01
waterfall = "mou"
[waterfall.mou]
host_tax_rate = 0.21
recoup = "deemed-allocation"
deemed_rate = 0.055
deemed_life_years = 20
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[pipeline.all]
projects_per_year = 6.7
size_usd_bn = { lognormal = { median = 2.0, p95 = 10.0 } }
irr = { normal = { mean = 0.075, sd = 0.02 } }
life_years = { triangular = { min = 15.0, mode = 25.0, max = 40.0 } }
construction_years = { triangular = { min = 1.0, mode = 3.0, max = 6.0 } }
annual_default_probability = 0.007
recovery_rate = 0.8
[credit]
default_correlation = 0.2
[trade]
sector = "autos"
no_deal = { KR = 0.25 }
deal = { KR = 0.15 }
elasticities = { substitution = { triangular = { min = 2.8, mode = 5.6, max = 8.0 } }, demand = { uniform = { min = -1.5, max = -0.7 } } }
"#;

/// Calls `work` repeatedly for about `budget`; returns calls per second.
fn measure(budget: Duration, mut work: impl FnMut()) -> f64 {
    work(); // warm caches before timing
    let start = Instant::now();
    let mut calls: u64 = 0;
    let mut batch: u64 = 1;
    while start.elapsed() < budget {
        for _ in 0..batch {
            work();
        }
        calls += batch;
        batch = (batch * 2).min(1 << 16);
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

/// The files given; else every deal in `./deals`; else the embedded default deal.
fn deals_to_run(files: &[PathBuf]) -> Result<Vec<(String, Deal)>, Failure> {
    let mut paths: Vec<PathBuf> = files.to_vec();
    if paths.is_empty()
        && let Ok(entries) = std::fs::read_dir(Path::new("deals"))
    {
        paths = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
    }
    if paths.is_empty() {
        return Ok(vec![(DEFAULT_DEAL_NAME.to_string(), parse_deal(DEFAULT_DEAL_NAME, DEFAULT_DEAL)?)]);
    }
    paths.iter().map(|p| Ok((p.display().to_string(), load_deal(p)?))).collect()
}
