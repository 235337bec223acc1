//! `pactsim calibrate`: exchange-rate models fitted to a `date,value` file.

use std::path::PathBuf;

use serde_json::Value;

use crate::{pactsim, scratch, stderr, stdout};

/// A rate file of `days` weekdays from 2020-01-01 (a pseudo-random walk with calm and busy
/// stretches), and its values.
fn rate_file(name: &str, days: usize) -> (PathBuf, Vec<(String, f64)>) {
    let mut state: u64 = 42;
    let mut level = 1200.0f64;
    let mut rows = Vec::new();
    let mut date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for i in 0..days {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        let scale = if (i / 150) % 2 == 0 { 0.006 } else { 0.02 };
        level *= (scale * u).exp();
        rows.push((date.to_string(), (level * 100.0).round() / 100.0));
        date = date.succ_opt().unwrap();
        while chrono::Datelike::weekday(&date).number_from_monday() > 5 {
            date = date.succ_opt().unwrap();
        }
    }
    let file = scratch(name).join("rate.csv");
    let text: String = rows.iter().map(|(d, v)| format!("{d},{v}\n")).collect();
    std::fs::write(&file, format!("date,value\n{text}")).unwrap();
    (file, rows)
}

fn calibrate(args: &[&str]) -> Value {
    let mut all = vec!["calibrate"];
    all.extend_from_slice(args);
    all.push("--json");
    let output = pactsim(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn gbm_reports_the_sample_sd_of_log_returns_in_the_window() {
    let (file, rows) = rate_file("calibrate-gbm", 400);
    let file = file.to_str().unwrap();
    let document = calibrate(&[file, "--model", "gbm", "--from", &rows[50].0, "--to", &rows[299].0]);
    let returns: Vec<f64> = rows[50..300].windows(2).map(|w| (w[1].1 / w[0].1).ln()).collect();
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let sd = (returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert_eq!(document["model"], "gbm");
    assert_eq!(document["n_returns"], 249);
    assert_eq!(document["window"]["from"], rows[50].0.as_str());
    assert_eq!(document["window"]["to"], rows[299].0.as_str());
    let reported = document["parameters"]["daily_log_return_sd"].as_f64().unwrap();
    assert!((reported - sd).abs() <= 1e-14 * sd, "{reported} vs {sd}");
    let names: Vec<&String> = document["parameters"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["daily_log_return_sd", "mu", "sigma", "mu_annual", "sigma_annual"]);
}

#[test]
fn garch_and_bootstrap_report_their_parameters_in_order() {
    let (file, _) = rate_file("calibrate-garch", 1500);
    let file = file.to_str().unwrap();
    let garch = calibrate(&[file, "--model", "garch"]);
    assert_eq!(garch["n_returns"], 1499);
    let names: Vec<&String> = garch["parameters"].as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        ["mu", "omega", "alpha", "beta", "nu", "daily_log_return_sd", "log_likelihood", "next_day_variance"]
    );
    let p = &garch["parameters"];
    let (alpha, beta) = (p["alpha"].as_f64().unwrap(), p["beta"].as_f64().unwrap());
    // Volatility switches regime every 150 days: strongly persistent.
    assert!(alpha >= 0.0 && beta >= 0.0 && alpha + beta < 1.0 && alpha + beta > 0.9, "{p}");
    assert!(p["nu"].as_f64().unwrap() > 2.0);
    let bootstrap = calibrate(&[file, "--model", "bootstrap"]);
    assert!(bootstrap["parameters"]["mean_block_length"].as_f64().unwrap() > 0.0);
    let text = pactsim(&["calibrate", file, "--model", "garch"]);
    assert_eq!(text.status.code(), Some(0));
    assert!(stdout(&text).contains("alpha"), "{}", stdout(&text));
}

/// Bad arguments and files that are not there (bad files, case by case, are golden files:
/// `golden.rs`).
#[test]
fn bad_arguments_and_missing_files_are_bad_input() {
    let missing = pactsim(&["calibrate", "no/such/file.csv", "--model", "gbm"]);
    assert_eq!(missing.status.code(), Some(2));
    // A file that is not there has no line to blame.
    assert_eq!(stderr(&missing), "error: cannot read no/such/file.csv: no such file\n");
    let (file, _) = rate_file("calibrate-window", 300);
    let empty = pactsim(&["calibrate", file.to_str().unwrap(), "--model", "gbm", "--from", "2030-01-01"]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr(&empty).contains("no rows on or after 2030-01-01"), "{}", stderr(&empty));
    let reversed =
        pactsim(&["calibrate", file.to_str().unwrap(), "--model", "gbm", "--from", "2021-01-01", "--to", "2020-01-01"]);
    assert_eq!(reversed.status.code(), Some(2));
    assert!(stderr(&reversed).contains("--from 2021-01-01 is after --to 2020-01-01"), "{}", stderr(&reversed));
    let unknown = pactsim(&["calibrate", file.to_str().unwrap(), "--model", "markov"]);
    assert_eq!(unknown.status.code(), Some(2));
}
