//! `pactsim figures`: NPV and XIRR of a flows file (bad files, case by case: `golden.rs`).

use serde_json::Value;

use crate::{pactsim, scratch, stderr, stdout};

#[test]
fn figures_of_a_leap_year_flow() {
    let dir = scratch("figures");
    let file = dir.join("flows.csv");
    std::fs::write(&file, "date,amount\n2020-01-01,-100\n2021-01-01,110\n").unwrap();
    let output = pactsim(&["figures", file.to_str().unwrap(), "--rate", "0.05", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let irr = document["irr"].as_f64().unwrap();
    assert!((irr - 0.0997140).abs() < 1e-6, "{irr}");
    let npv = document["npv"].as_f64().unwrap();
    assert!((npv - (-100.0 + 110.0 / 1.05f64.powf(366.0 / 365.0))).abs() < 1e-12);
    assert_eq!(document["irr_multiple_roots"], false);
}

/// A rate written as a percentage (`--rate 5` for 5%) would discount at 500%: it is refused with
/// the fraction it probably meant, as a deal file refuses `irr = 6.5`.
#[test]
fn a_rate_given_as_a_percentage_is_bad_input() {
    let dir = scratch("figures-rate");
    let file = dir.join("flows.csv");
    std::fs::write(&file, "date,amount\n2020-01-01,-100\n2021-01-01,110\n").unwrap();
    let figures = |rate: &str| pactsim(&["figures", file.to_str().unwrap(), "--rate", rate]);
    for (rate, hint) in [
        ("5", "hint: rates are fractions: for 5% write --rate 0.05"),
        ("6.5", "hint: rates are fractions: for 6.5% write --rate 0.065"),
        ("1", "hint: rates are fractions: for 1% write --rate 0.01"),
        ("-1", "hint: rates are fractions: for -1% write --rate -0.01"),
        ("-250", "hint: rates are fractions: 0.05 for 5%"),
        ("inf", "hint: rates are fractions: 0.05 for 5%"),
        ("NaN", "hint: rates are fractions: 0.05 for 5%"),
    ] {
        let output = figures(rate);
        assert_eq!(output.status.code(), Some(2), "--rate {rate}");
        assert!(stdout(&output).is_empty(), "--rate {rate}: {}", stdout(&output));
        let err = stderr(&output);
        assert!(err.contains(&format!("error: --rate {rate}: expected an annual rate as a fraction")), "{err}");
        assert!(err.contains("above -1 and below 1"), "{err}");
        assert!(err.lines().last() == Some(hint), "--rate {rate}: {err}");
    }
    for rate in ["0.999", "-0.5", "0"] {
        assert_eq!(figures(rate).status.code(), Some(0), "--rate {rate}");
    }
}
