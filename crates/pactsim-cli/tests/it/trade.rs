//! `pactsim trade` and the trade parts of `pactsim run`.

use serde_json::Value;

use crate::{pactsim, stderr, stdout};

fn json(args: &[&str]) -> Value {
    let output = pactsim(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

fn mean(stat: &Value) -> f64 {
    stat["mean"].as_f64().unwrap_or_else(|| panic!("not a Stat: {stat}"))
}

#[test]
fn the_trade_section_has_the_issue_shape() {
    let document = json(&["trade", "deals/kr-us-2025-mou.toml", "--json", "--paths", "128"]);
    let markets = document["markets"].as_array().unwrap();
    let ids: Vec<&str> = markets.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cars", "other-goods"]);
    // The deal's relief and duty saved are the markets' sums.
    let sum = |name: &str| {
        markets.iter().map(|m| m[name]["mean"].as_f64().unwrap_or_else(|| m[name].as_f64().unwrap())).sum::<f64>()
    };
    assert!(
        (mean(&document["investor_tariff_relief_usd_bn_per_year"]) - sum("investor_tariff_relief_usd_bn_per_year"))
            .abs()
            < 1e-9
    );
    assert!(
        (document["duty_saved_usd_bn_per_year"].as_f64().unwrap() - sum("duty_saved_usd_bn_per_year")).abs() < 1e-12
    );
    // Cars: 10 points on Korea's $37.386bn.
    assert!((markets[0]["duty_saved_usd_bn_per_year"].as_f64().unwrap() - 3.7386).abs() < 1e-12);
    let trade = &markets[0];
    for scenario in ["no_deal", "deal", "snapback"] {
        let s = &trade["scenarios"][scenario];
        for name in ["price_index_change", "tariff_revenue_usd_bn", "consumer_surplus_change_usd_bn"] {
            assert!(mean(&s[name]).is_finite(), "{scenario}.{name}");
        }
        for source in ["domestic", "KR", "JP", "EU", "MX", "CA", "ROW"] {
            for name in [
                "value_usd_bn",
                "producer_price_change",
                "quantity_change",
                "duties_usd_bn",
                "producer_surplus_change_usd_bn",
            ] {
                assert!(mean(&s["sources"][source][name]).is_finite(), "{scenario}.{source}.{name}");
            }
        }
        let duties: f64 = s["sources"].as_object().unwrap().values().map(|v| mean(&v["duties_usd_bn"])).sum();
        assert!((duties - mean(&s["tariff_revenue_usd_bn"])).abs() < 1e-9);
    }
    assert!(mean(&trade["investor_tariff_relief_usd_bn_per_year"]) > 0.0);
    assert_eq!(trade["tariffs"]["deal"]["KR"], 0.15);
    assert_eq!(trade["tariffs"]["no_deal"]["KR"], 0.25);
}

#[test]
fn the_run_output_carries_relief_years_and_the_deal_npv() {
    for deal in ["deals/kr-us-2025-mou.toml", "deals/jp-us-2025-mou.toml"] {
        let document = json(&["run", deal, "--json", "--paths", "128"]);
        let totals = &document["totals"];
        let relief = mean(&totals["tariff_relief_npv"]);
        assert!(relief > 0.0, "{deal}");
        assert!((mean(&totals["deal_npv"]) - (mean(&totals["investor_npv"]) + relief)).abs() < 1e-9, "{deal}");
        let per_year = mean(&document["trade"]["investor_tariff_relief_usd_bn_per_year"]);
        let rows: f64 = document["years"].as_array().unwrap().iter().map(|y| mean(&y["tariff_relief"])).sum();
        // Thirty years of relief, give or take the partial first and last years.
        assert!((rows / per_year - 30.0).abs() < 1.0, "{deal}: {rows} over {per_year}");
    }
}

#[test]
fn the_trade_tables_name_every_source_and_scenario() {
    let output = pactsim(&["trade", "deals/jp-us-2025-mou.toml", "--paths", "128"]);
    let text = stdout(&output);
    for word in [
        "no_deal",
        "deal",
        "snapback",
        "domestic",
        "JP",
        "ROW",
        "tariff relief",
        "Market cars",
        "Market other-goods",
        "duty saved",
    ] {
        assert!(text.contains(word), "{word} missing:\n{text}");
    }
}

#[test]
fn a_deal_without_trade_is_bad_input_for_trade() {
    let dir = crate::scratch("no-trade");
    let file = dir.join("deal.toml");
    std::fs::write(&file, "schema = 1\n[deal]\nid = \"x\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = 2025-01-01\nhorizon_years = 5\n").unwrap();
    let output = pactsim(&["trade", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no [trade] section"));
}
