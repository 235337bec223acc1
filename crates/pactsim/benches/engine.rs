//! `cargo bench -p pactsim --features bench`: the engines' speed on the deal library (divan).
//! `pactsim bench` prints the same kind of figures from the binary, paths per second included.

use divan::{Bencher, black_box};
use pactsim::deal::Deal;
use pactsim::fx::{FxModel, FxModelKind};
use pactsim::trade::Scenario;

fn main() {
    divan::main();
}

const DEALS: [(&str, &str); 4] = [
    ("jp-us-2025-mou", include_str!("../../../deals/jp-us-2025-mou.toml")),
    ("kr-us-2025-kr-offer", include_str!("../../../deals/kr-us-2025-kr-offer.toml")),
    ("kr-us-2025-mou", include_str!("../../../deals/kr-us-2025-mou.toml")),
    ("kr-us-2025-us-ask", include_str!("../../../deals/kr-us-2025-us-ask.toml")),
];

fn deal(name: &str) -> Deal {
    let source = DEALS.iter().find(|(n, _)| *n == name).expect("a library deal").1;
    pactsim::spec::parse_deal(source).expect("library deals are valid")
}

/// One equilibrium of the 7-source US auto market.
#[divan::bench]
fn trade_solve(bencher: Bencher) {
    let deal = deal("kr-us-2025-mou");
    let trade = deal.trade.expect("the MOU has a trade section");
    let elasticities = trade.elasticities.central();
    let schedule = trade.schedules[Scenario::NoDeal.index()].clone();
    bencher.bench(|| pactsim::trade::solve(black_box(&trade.market), black_box(&schedule), black_box(elasticities)));
}

/// The central path of each library deal, with its headline figures.
#[divan::bench(args = ["jp-us-2025-mou", "kr-us-2025-kr-offer", "kr-us-2025-mou", "kr-us-2025-us-ask"])]
fn central_run(bencher: Bencher, name: &str) {
    let deal = deal(name);
    bencher.bench(|| {
        let outcome = pactsim::engine::run(black_box(&deal));
        pactsim::output::headline(&deal, &outcome)
    });
}

/// 1,024 Monte Carlo paths of each library deal (all threads).
#[divan::bench(args = ["jp-us-2025-mou", "kr-us-2025-kr-offer", "kr-us-2025-mou", "kr-us-2025-us-ask"], sample_count = 5)]
fn monte_carlo_1024_paths(bencher: Bencher, name: &str) {
    let deal = deal(name);
    bencher.bench(|| pactsim::montecarlo::simulate(black_box(&deal), 1024, 1, &|_| {}, None));
}

/// Daily returns whose volatility switches between calm and busy every 150 days (a stand-in for
/// FX history: an LCG's uniforms, so the bench needs no data file).
fn regime_returns(n: usize) -> Vec<f64> {
    let mut state: u64 = 42;
    (0..n)
        .map(|i| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            u * if (i / 150) % 2 == 0 { 0.01 } else { 0.03 }
        })
        .collect()
}

/// A GARCH(1,1)-t fit on 6,700 daily returns (about the KRW/USD history since 1999).
#[divan::bench(sample_count = 10)]
fn garch_fit_6700_returns(bencher: Bencher) {
    let returns = regime_returns(6_700);
    bencher.bench(|| FxModel::calibrate(FxModelKind::Garch, black_box(&returns)).expect("the fit converges"));
}

/// Ten years (2,520 trading days) of GARCH returns for one path.
#[divan::bench]
fn garch_simulate_2520_days(bencher: Bencher) {
    let model = FxModel::calibrate(FxModelKind::Garch, &regime_returns(6_700)).expect("the fit converges");
    let mut out = Vec::with_capacity(2_520);
    let mut rng = <rand::rngs::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
    bencher.bench_local(|| {
        out.clear();
        model.simulate(&mut rng, 2_520, &mut out);
        out.last().copied()
    });
}
