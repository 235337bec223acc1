//! Deals with `[fx]`, `[reserves]` and `[stability]`: the run reports the same calibration as
//! `pactsim calibrate` on the exported history, and the sections have the shape docs/output.md gives.

use serde_json::Value;

use crate::{pactsim, scratch, stderr, stdout};

fn json(args: &[&str]) -> Value {
    let output = pactsim(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

const DEAL: &str = r#"schema = 1
[deal]
id = "fx-only"
title = "A currency study"
investor = "KR"
host = "US"
start = 2026-01-01
horizon_years = 3

[fx]
pair = "KRW/USD"
model = "MODEL"
calibrate = { from = 2008-03-03, to = 2019-06-28 }

[reserves]
start_usd_bn = 400.0
gdp_usd_bn = 1800.0
ara = { exports_usd_bn = 700.0, broad_money_usd_bn = 2800.0, short_term_debt_usd_bn = 170.0, other_liabilities_usd_bn = 1400.0 }

[run]
paths = 300
"#;

#[test]
fn the_run_reports_the_fit_calibrate_gives_on_the_exported_history() {
    let dir = scratch("currency-calibration");
    let history = dir.join("krw.csv");
    let export = pactsim(&["data", "export", "fx/krw-usd-daily"]);
    std::fs::write(&history, stdout(&export)).unwrap();
    for model in ["gbm", "garch", "bootstrap"] {
        let deal = dir.join(format!("{model}.toml"));
        std::fs::write(&deal, DEAL.replace("MODEL", model)).unwrap();
        let run = json(&["run", deal.to_str().unwrap(), "--json"]);
        let calibrate = |series: &str| {
            json(&["calibrate", series, "--model", model, "--from", "2008-03-03", "--to", "2019-06-28", "--json"])
        };
        let fit = calibrate(history.to_str().unwrap());
        // The embedded set by name is the same series as its export.
        let by_name = calibrate("fx/krw-usd-daily");
        assert_eq!(by_name["parameters"], fit["parameters"], "{model}");
        let calibration = &run["fx"]["calibration"];
        assert_eq!(calibration["returns"], fit["n_returns"], "{model}");
        for (name, value) in fit["parameters"].as_object().unwrap() {
            assert_eq!(&calibration[name], value, "{model} {name}");
        }
        // Every month of the horizon, at its end: January 2026 to January 2029.
        let months = run["fx"]["months"].as_array().unwrap();
        assert_eq!(months.len(), 37);
        assert_eq!(months[0]["month"], "2026-01");
        assert_eq!(run["reserves"]["months"].as_array().unwrap().len(), 37);
        // No deal flows and no baseline: reserves stay where they start, on every path.
        let last = &run["reserves"]["months"][36];
        assert_eq!(last["reserves_usd_bn"]["p5"], 400.0);
        assert_eq!(last["reserves_usd_bn"]["p95"], 400.0);
        // 0.05·700 + 0.05·2800 + 0.30·170 + 0.15·1400 = 436
        assert_eq!(run["reserves"]["ara_usd_bn"], 436.0);
        assert_eq!(run["reserves"]["breach_probability"], 1.0);
        let rate = &months[36]["rate"];
        assert!(rate["p5"].as_f64() < rate["p50"].as_f64() && rate["p50"].as_f64() < rate["p95"].as_f64());
    }
    // --out adds months.csv: the month-end Stats of the JSON, row by row.
    let out = dir.join("out");
    let written = pactsim(&["run", dir.join("gbm.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let run = json(&["run", dir.join("gbm.toml").to_str().unwrap(), "--json"]);
    let csv = std::fs::read_to_string(out.join("months.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 38);
    assert!(lines[0].starts_with("month,rate_mean,rate_p5,rate_p50,rate_p95,reserves_usd_bn_mean"));
    assert!(lines[0].ends_with("ara_ratio_p95"));
    let last: Vec<&str> = lines[37].split(',').collect();
    assert_eq!(last[0], "2029-01");
    let p50: f64 = last[3].parse().unwrap();
    assert_eq!(Some(p50), run["fx"]["months"][36]["rate"]["p50"].as_f64());
}

#[test]
fn the_korea_files_report_currency_reserves_and_the_clause() {
    let mou = json(&["run", "deals/kr-us-2025-mou.toml", "--json", "--paths", "256"]);
    assert_eq!(mou["fx"]["pair"], "KRW/USD");
    assert!(mou["reserves"]["deferral_requests"]["mean"].as_f64().unwrap() > 0.0);
    let granted = mou["reserves"]["deferrals_granted"]["mean"].as_f64().unwrap();
    assert!(granted > 0.0 && granted <= mou["reserves"]["deferral_requests"]["mean"].as_f64().unwrap());
    let offer = json(&["run", "deals/kr-us-2025-kr-offer.toml", "--json", "--paths", "256"]);
    assert!(offer["reserves"]["swap_draw_probability"].as_f64().unwrap() > 0.0);
    assert_eq!(offer["reserves"]["deferrals_granted"]["mean"], 0.0);
    let japan = json(&["run", "deals/jp-us-2025-mou.toml", "--json", "--paths", "128"]);
    assert!(japan["reserves"].get("ara_usd_bn").is_none() && japan["reserves"].get("breach_probability").is_none());
    assert!(japan["reserves"]["months"][0].get("ara_ratio").is_none());
}
