//! `pactsim run`: the default deal, every library deal, the JSON contract, `--out`.

use serde_json::Value;

use crate::{pactsim, repo_root, scratch, stderr, stdout};

fn run_json(args: &[&str]) -> Value {
    let output = pactsim(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("stdout is one JSON document")
}

/// A Stat has the numbers of the contract, in order (and equal when nothing varies).
#[track_caller]
fn assert_stat(value: &Value, name: &str) {
    let object = value.as_object().unwrap_or_else(|| panic!("{name} is not a Stat: {value}"));
    for key in ["mean", "mean_se", "p5", "p50", "p95"] {
        assert!(object.contains_key(key), "{name} lacks {key}");
    }
    if let Some(mean) = object["mean"].as_f64() {
        // serde_json writes NaN and infinity as null: a null beside a defined mean is one.
        let at = |key: &str| object[key].as_f64().unwrap_or_else(|| panic!("{name}.{key} is {}", object[key]));
        assert!(at("p5") <= at("p50") && at("p50") <= at("p95"), "{name}: quantiles out of order");
        assert!(at("mean_se") >= 0.0, "{name}: a negative standard error");
        if let Some(share) = object.get("defined_share") {
            let share = share.as_f64().unwrap_or_else(|| panic!("{name}.defined_share is {share}"));
            assert!(share > 0.0 && share <= 1.0, "{name}: defined on a share {share} of paths, yet it has a mean");
        }
        if at("mean_se") == 0.0 {
            for key in ["p5", "p50", "p95"] {
                assert_eq!(object[key].as_f64(), Some(mean), "{name}.{key}");
            }
        }
    } else {
        assert_eq!(object.get("defined_share").and_then(Value::as_f64), Some(0.0), "{name} is null but defined");
    }
}

/// Fields the contract allows to be null: dates that may not happen, a standard error that is
/// undefined at a zero mean, elasticities that are infinite (`∞` in the text form), and the
/// recouped share of a deal or facility with nothing to recoup.
const NULLABLE: [&str; 8] = [
    "funded_on",
    "recouped_on",
    "relative_se",
    "substitution",
    "demand",
    "foreign_supply",
    "domestic_supply",
    "recouped_share",
];

/// serde_json writes NaN and infinity as null, so a non-finite number in the engine shows as a
/// null where the contract has none: every Stat is checked, and every other null must be nullable.
fn assert_no_hidden_non_finite(value: &Value, path: &str) {
    fn walk(value: &Value, name: &str, path: &str) {
        match value {
            Value::Object(object) if object.contains_key("mean") && object.contains_key("p50") => {
                assert_stat(value, &format!("{path}: {name}"))
            }
            Value::Object(object) => object.iter().for_each(|(key, value)| walk(value, key, path)),
            Value::Array(items) => items.iter().for_each(|item| walk(item, name, path)),
            Value::Null => assert!(NULLABLE.contains(&name), "{path}: `{name}` is null"),
            _ => {}
        }
    }
    walk(value, "", path);
}

#[test]
fn a_null_where_the_contract_has_a_number_is_caught() {
    let hidden_nan = serde_json::json!({ "totals": { "investor_npv":
        { "mean": 1.0, "mean_se": 0.1, "p5": null, "p50": 1.0, "p95": 2.0 } } });
    assert!(std::panic::catch_unwind(|| assert_no_hidden_non_finite(&hidden_nan, "t")).is_err());
    let stray = serde_json::json!({ "facilities": [ { "commitment_usd_bn": null } ] });
    assert!(std::panic::catch_unwind(|| assert_no_hidden_non_finite(&stray, "t")).is_err());
    let fine = serde_json::json!({ "projects": [ { "funded_on": null } ], "totals": { "recoup_year":
        { "mean": null, "mean_se": null, "p5": null, "p50": null, "p95": null, "defined_share": 0.0 } } });
    assert_no_hidden_non_finite(&fine, "t");
}

#[test]
fn the_default_deal_is_the_korea_mou() {
    let document = run_json(&["run", "--json", "--paths", "128"]);
    assert_eq!(document["deal"], "kr-us-2025-mou");
    let from_file = run_json(&["run", "deals/kr-us-2025-mou.toml", "--json", "--paths", "128"]);
    assert_eq!(document["totals"], from_file["totals"]);
}

#[test]
fn the_json_follows_the_run_output_contract() {
    let document = run_json(&["run", "deals/kr-us-2025-mou.toml", "--json", "--paths", "128"]);
    assert_eq!(document["schema"], 1);
    for key in ["version", "deal", "title", "seed", "paths", "totals", "years", "facilities", "projects"] {
        assert!(document.get(key).is_some(), "missing {key}");
    }
    let totals = &document["totals"];
    for name in [
        "investor_paid",
        "investor_received",
        "investor_npv",
        "investor_irr",
        "investor_moic",
        "host_received",
        "host_tax",
        "host_npv",
        "recoup_year",
        "guarantee_calls",
        "losses",
        "equity_lost",
    ] {
        assert_stat(&totals[name], name);
    }
    assert!(totals["recouped_share"].is_number(), "the MOU's waterfall runs until recouped");
    assert!(totals["investor_irr"].get("defined_share").is_some());

    let years = document["years"].as_array().unwrap();
    assert_eq!(years.first().unwrap()["year"], 2025);
    assert_eq!(years.last().unwrap()["year"], 2055);
    for year in years {
        for name in ["investor_paid", "investor_received", "host_received", "host_tax", "deferred"] {
            assert_stat(&year[name], name);
        }
    }
    for facility in document["facilities"].as_array().unwrap() {
        assert!(facility["id"].is_string());
        for name in ["paid", "received", "committed_unfunded"] {
            assert_stat(&facility[name], name);
        }
    }
    for project in document["projects"].as_array().unwrap() {
        assert!(project["id"].is_string() && project["facility"].is_string());
        for flow in project["flows"].as_array().unwrap() {
            let get = |k: &str| flow[k].as_f64().unwrap_or_else(|| panic!("flow lacks {k}"));
            let parts = get("debt_service") + get("guarantee_fee") + get("host_tax") + get("investor") + get("host");
            assert!((get("cash") - parts).abs() < 1e-9, "{flow}");
            assert!(flow["date"].as_str().unwrap().len() == 10);
        }
    }
}

#[test]
fn the_korea_mou_never_funds_more_than_20bn_a_year() {
    let document = run_json(&["run", "deals/kr-us-2025-mou.toml", "--json", "--paths", "128"]);
    let mut by_year = std::collections::BTreeMap::<String, f64>::new();
    for project in document["projects"].as_array().unwrap() {
        if project["facility"] != "strategic" {
            continue;
        }
        for payment in project["funding"].as_array().unwrap() {
            *by_year.entry(payment["date"].as_str().unwrap()[..4].to_string()).or_default() +=
                payment["usd_bn"].as_f64().unwrap();
        }
    }
    assert!(!by_year.is_empty());
    assert!(by_year.values().all(|paid| *paid <= 20.0 + 1e-9), "{by_year:?}");
}

#[test]
fn every_deal_in_the_library_runs() {
    let deals = std::fs::read_dir(repo_root().join("deals")).unwrap();
    let mut count = 0;
    for entry in deals {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let path = path.to_str().unwrap().to_string();
            let document = run_json(&["run", &path, "--json", "--paths", "128"]);
            assert_eq!(document["schema"], 1, "{path}");
            assert_no_hidden_non_finite(&document, &path);
            let human = pactsim(&["run", &path, "--paths", "128"]);
            assert_eq!(human.status.code(), Some(0), "{path}");
            assert!(stdout(&human).contains("Investor"), "{path}");
            count += 1;
        }
    }
    assert!(count >= 4, "the library has the four 2025 deals");
}

#[test]
fn the_summary_shows_headline_recoup_and_years() {
    let output = pactsim(&["run", "--paths", "128"]);
    let text = stdout(&output);
    for word in ["Investor (KR)", "NPV", "IRR", "MOIC", "Host (US)", "Recoup", "Year"] {
        assert!(text.contains(word), "summary lacks {word}:\n{text}");
    }
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn out_writes_the_three_files() {
    let dir = scratch("run-out");
    let target = dir.join("results");
    let output = pactsim(&["run", "deals/jp-us-2025-mou.toml", "--paths", "128", "--out", target.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(target.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["deal"], "jp-us-2025-mou");
    let years = std::fs::read_to_string(target.join("years.csv")).unwrap();
    assert!(years.starts_with("year,investor_paid_mean,investor_paid_p5,"));
    assert_eq!(years.lines().count(), 1 + summary["years"].as_array().unwrap().len());
    let projects = std::fs::read_to_string(target.join("projects.csv")).unwrap();
    assert!(projects.starts_with("project,facility,date,cash,debt_service,"));
    let flows: usize =
        summary["projects"].as_array().unwrap().iter().map(|p| p["flows"].as_array().unwrap().len()).sum();
    assert_eq!(projects.lines().count(), 1 + flows);
    let leftovers: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn out_on_a_file_is_bad_input_and_writes_nothing() {
    let dir = scratch("run-out-file");
    let file = dir.join("taken");
    std::fs::write(&file, "x").unwrap();
    let output = pactsim(&["run", "--out", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not a folder"));
}
