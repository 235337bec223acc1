//! `--set KEY=VALUE` and `--unset KEY` (shared/contracts/overrides.md): bad keys and values exit 2
//! pointing at the override, an override equal to the file changes no byte, and every output
//! records the overrides in order.

use serde_json::Value;

use crate::{pactsim, rejected, stderr, stdout};

const KOREA: &str = "deals/kr-us-2025-mou.toml";

/// `pactsim run KOREA --json` on a few paths from a fixed seed, with `extra` arguments: the text.
fn run_text(extra: &[&str]) -> String {
    let mut args = vec!["run", KOREA, "--json", "--paths", "200", "--seed", "7"];
    args.extend_from_slice(extra);
    let output = pactsim(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

fn run_json(extra: &[&str]) -> Value {
    serde_json::from_str(&run_text(extra)).expect("stdout is one JSON document")
}

#[test]
fn a_misspelt_key_exits_2_naming_the_override_and_the_closest_key() {
    for command in ["run", "check", "trade"] {
        let err = rejected(&[command, KOREA, "--set", "facility.strategic.anual_cap_usd_bn=25"]);
        assert!(err.contains("in --set facility.strategic.anual_cap_usd_bn=25"), "{err}");
        assert!(err.contains("did you mean `facility.strategic.annual_cap_usd_bn`?"), "{err}");
    }
    let err = rejected(&["check", KOREA, "--unset", "stabilty"]);
    assert!(err.contains("in --unset stabilty"), "{err}");
    assert!(err.contains("did you mean `stability`?"), "{err}");
}

#[test]
fn an_unknown_id_lists_the_ids_that_exist() {
    let err = rejected(&["check", KOREA, "--set", "project.kr-gas-pwer.irr=0.08"]);
    assert!(err.contains("no `project` with id `kr-gas-pwer`"), "{err}");
    assert!(err.contains("`kr-gas-power`, `masga-shipyard`"), "{err}");
    assert!(err.contains("did you mean `project.kr-gas-power.irr`?"), "{err}");
}

#[test]
fn a_bad_value_points_at_the_override_not_at_the_file() {
    let err = rejected(&["run", KOREA, "--set", "facility.strategic.annual_cap_usd_bn=-5"]);
    assert!(err.contains("in --set facility.strategic.annual_cap_usd_bn=-5"), "{err}");
    assert!(err.contains("found -5, expected USD billions, 0 or more"), "{err}");
    assert!(!err.contains(&format!("{KOREA}:")), "no line of the file is blamed: {err}");
    // The same words a file gets for a value of the wrong type.
    let err = rejected(&["check", KOREA, "--set", "run.seed=soon"]);
    assert!(err.contains("in --set run.seed=soon: run.seed: found string \"soon\""), "{err}");
}

#[test]
fn malformed_override_text_is_bad_input() {
    let err = rejected(&["check", KOREA, "--set", "facility.strategic.annual_cap_usd_bn"]);
    assert!(err.contains("expected KEY=VALUE"), "{err}");
}

#[test]
fn an_override_equal_to_the_files_value_changes_no_byte_but_the_list() {
    let plain = run_text(&[]);
    let same = [
        "facility.strategic.annual_cap_usd_bn=20",
        "waterfall.mou.tiers.1.host=0.9",
        "trade.markets.cars.deal.KR=0.15",
        "run.discount_rate.investor=0.05",
    ];
    let args: Vec<&str> = same.iter().flat_map(|one| ["--set", *one]).collect();
    let overridden = run_text(&args);
    let listed: Vec<String> = same.iter().map(|one| format!("    \"{one}\"")).collect();
    let expected = plain.replacen("\"overrides\": [],", &format!("\"overrides\": [\n{}\n  ],", listed.join(",\n")), 1);
    assert_ne!(expected, plain, "the plain run records an empty list");
    assert!(expected == overridden, "outputs differ beyond the overrides list");
}

#[test]
fn a_larger_cap_changes_the_figures() {
    let plain = run_json(&[]);
    let larger = run_json(&["--set", "facility.strategic.annual_cap_usd_bn=25"]);
    assert_eq!(larger["overrides"], serde_json::json!(["facility.strategic.annual_cap_usd_bn=25"]));
    let paid = |document: &Value| -> Vec<f64> {
        let years = document["years"].as_array().expect("years");
        years.iter().map(|year| year["investor_paid"]["mean"].as_f64().unwrap_or(0.0)).collect()
    };
    assert_ne!(paid(&plain), paid(&larger), "the cap moves funding between years");
    assert_ne!(plain["totals"]["investor_npv"], larger["totals"]["investor_npv"]);
}

#[test]
fn unset_removes_the_stability_clause() {
    let plain = run_json(&[]);
    let without = run_json(&["--unset", "stability"]);
    assert_eq!(without["overrides"], serde_json::json!(["!stability"]));
    let requests = |document: &Value| document["reserves"]["deferral_requests"]["mean"].as_f64();
    assert!(requests(&plain).is_some_and(|mean| mean > 0.0), "the clause is used on some path: {:?}", requests(&plain));
    assert_eq!(requests(&without), Some(0.0));
}

#[test]
fn every_output_records_the_overrides_in_the_order_given() {
    let args = ["--set", "run.seed=3", "--unset", "stability", "--set", "fx.model=gbm", "--set", "run.seed=9"];
    let recorded = ["run.seed=3", "!stability", "fx.model=gbm", "run.seed=9"];

    let text = run_text(&args);
    let document: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(document["overrides"], serde_json::json!(recorded));
    // Placed right after `paths`.
    let position = |key: &str| text.find(&format!("\n  \"{key}\":")).unwrap_or_else(|| panic!("no {key}"));
    assert!(position("paths") < position("overrides") && position("overrides") < position("deterministic"));

    let mut trade_args = vec!["trade", KOREA, "--json", "--paths", "20"];
    trade_args.extend_from_slice(&args);
    let output = pactsim(&trade_args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let trade: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(trade["overrides"], serde_json::json!(recorded));
    assert!(trade.get("investor_tariff_relief_usd_bn_per_year").is_some());

    let summary = ["run", KOREA, "--paths", "20"];
    let output = pactsim(&[&summary[..], &args[..]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains(&format!("Overrides: {}", recorded.join(", "))), "{}", stdout(&output));

    let output = pactsim(&[&["trade", KOREA, "--paths", "20"][..], &args[..]].concat());
    assert!(stdout(&output).contains(&format!("Overrides: {}", recorded.join(", "))), "{}", stdout(&output));

    let output = pactsim(&[&["check", KOREA][..], &args[..]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("with overrides {}", recorded.join(", "))), "{}", stderr(&output));
}
