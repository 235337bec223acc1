//! Monte Carlo runs: the same seed gives the same bytes on any thread count; another seed differs.

use std::process::Command;

use crate::{repo_root, scratch, stdout};

/// The Korea MOU with its elasticities given as distributions, in a scratch folder of its own
/// (`name`), since tests run in parallel.
fn random_deal(name: &str) -> std::path::PathBuf {
    let source = std::fs::read_to_string(repo_root().join("deals/kr-us-2025-mou.toml")).unwrap();
    let random = source.replace(
        "elasticities = { substitution = 5.6, demand = -1.0, foreign_supply = 2.4, domestic_supply = 2.0 }",
        "elasticities = { substitution = { triangular = { min = 2.8, mode = 5.6, max = 8.0 } }, \
         demand = { uniform = { min = -1.5, max = -0.7 } }, foreign_supply = { lognormal = { median = 2.4, p95 = 13.0 } }, \
         domestic_supply = { normal = { mean = 2.0, sd = 1.5 } } }",
    );
    assert_ne!(source, random, "the elasticities line of the MOU file changed");
    let path = scratch(name).join("random.toml");
    std::fs::write(&path, random).unwrap();
    path
}

fn run(file: &std::path::Path, threads: &str, seed: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pactsim"))
        .args(["run", file.to_str().unwrap(), "--json", "--paths", "700", "--seed", seed])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    stdout(&output)
}

#[test]
fn same_seed_same_bytes_on_any_thread_count() {
    let file = random_deal("montecarlo-threads");
    let one = run(&file, "1", "42");
    assert_eq!(one, run(&file, "2", "42"));
    assert_eq!(one, run(&file, "3", "42"));
    assert_ne!(one, run(&file, "2", "43"));
    let document: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(document["paths"], 700);
    assert_eq!(document["deterministic"], false);
    let relief = &document["trade"]["investor_tariff_relief_usd_bn_per_year"];
    assert!(relief["p5"].as_f64() < relief["p95"].as_f64());
    assert!(relief["mean_se"].as_f64().unwrap() > 0.0);
}

#[test]
fn paths_auto_stops_on_whole_chunks_and_equals_a_fixed_run() {
    let file = random_deal("montecarlo-auto");
    let run = |paths: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_pactsim"))
            .args(["run", file.to_str().unwrap(), "--json", "--paths", paths, "--tolerance", "0.05", "--seed", "9"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap()
    };
    let mut auto = run("auto");
    let convergence = auto.as_object_mut().unwrap().remove("convergence").unwrap();
    assert_eq!(convergence["figure"], "deal_npv");
    let paths = auto["paths"].as_u64().unwrap();
    assert_eq!(paths % 128, 0);
    assert!(convergence["reached"].as_bool().unwrap());
    assert!(convergence["relative_se"].as_f64().unwrap() <= 0.05);
    assert_eq!(auto, run(&paths.to_string()));
}

/// `--keep-paths`: one row per path in path order, the same bytes on any thread count, and rows
/// whose means are the run output's means.
#[test]
fn kept_paths_are_the_paths_the_summary_averages() {
    let folder = scratch("montecarlo-keep");
    let deal = repo_root().join("deals/kr-us-2025-mou.toml");
    let keep = |threads: &str, name: &str| {
        let file = folder.join(name);
        let output = Command::new(env!("CARGO_BIN_EXE_pactsim"))
            .args(["run", deal.to_str().unwrap(), "--json", "--paths", "300", "--keep-paths", file.to_str().unwrap()])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let summary: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        (std::fs::read_to_string(file).unwrap(), summary)
    };
    let (one, summary) = keep("1", "one.csv");
    let (two, _) = keep("2", "two.csv");
    assert_eq!(one, two);
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let mut lines = one.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert_eq!(rows.iter().map(|r| r[0].parse::<u64>().unwrap()).collect::<Vec<_>>(), (0..300).collect::<Vec<_>>());
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mean = |name: &str| {
        let c = column(name);
        rows.iter().map(|r| r[c].parse::<f64>().unwrap()).sum::<f64>() / rows.len() as f64
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
    for name in ["investor_npv", "deal_npv", "losses", "guarantee_calls"] {
        let expected = summary["totals"][name]["mean"].as_f64().unwrap();
        assert!(close(mean(name), expected), "{name}: {} vs {expected}", mean(name));
    }
    let first_year = summary["years"][0]["year"].as_i64().unwrap();
    let paid = format!("investor_paid_{first_year}");
    assert!(close(mean(&paid), summary["years"][0]["investor_paid"]["mean"].as_f64().unwrap()));
}
