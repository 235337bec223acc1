//! `cargo bench -p pactsim --features bench`: the engines' speed on the deal library (divan).
//! `pactsim bench` prints the same kind of figures from the binary, paths per second included.

use divan::{Bencher, black_box};
use pactsim::deal::Deal;
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
