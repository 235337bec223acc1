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
    println!("pactsim {} bench ({seconds} s per line, 1 thread)", pactsim::VERSION);

    // The trade model on the embedded 7-source US auto market: one solve is one scenario.
    if let Some((name, deal)) = deals.iter().find(|(_, d)| d.trade.is_some()) {
        let trade = deal.trade.as_ref().expect("found with a trade section");
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
            black_box(pactsim::output::headline(deal, &outcome));
        });
        println!("deal run with figures, {name}: {rate:>12.0} runs/s");
    }
    Ok(())
}

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
