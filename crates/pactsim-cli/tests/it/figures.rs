//! `pactsim figures`: NPV and XIRR of a flows file.

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

#[test]
fn a_bad_amount_is_bad_input_with_its_line() {
    let dir = scratch("figures-bad");
    let file = dir.join("flows.csv");
    std::fs::write(&file, "date,amount\n2020-01-01,-100\n2021-01-01,lots\n").unwrap();
    let output = pactsim(&["figures", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(":3: amount: found \"lots\""), "{}", stderr(&output));
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

#[test]
fn a_missing_or_unreadable_file_is_named_without_a_line() {
    let output = pactsim(&["figures", "no/such/flows.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "error: cannot read no/such/flows.csv: no such file\n");
    let output = pactsim(&["figures", "deals"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "error: cannot read deals: it is a folder, not a file\n");
}

/// Every bad row is reported, not only the first, so one pass fixes the file; past twenty, a count.
#[test]
fn every_bad_row_is_reported_up_to_twenty() {
    let dir = scratch("figures-bad-rows");
    let file = dir.join("flows.csv");
    std::fs::write(
        &file,
        "date,amount\n2020-01-01,-100\n2020-13-01,5\n2021-01-01,lots\n2021-06-01,1,2\n2021-07-01,inf\n2021-08-01,7\n",
    )
    .unwrap();
    let output = pactsim(&["figures", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    let name = file.display();
    assert_eq!(
        stderr(&output),
        format!(
            "error: {name}:3: date: found \"2020-13-01\", expected a date such as 2025-11-14\n\
             error: {name}:4: amount: found \"lots\", expected a finite number\n\
             error: {name}:5: found 3 fields, expected 2 as in the header\n\
             error: {name}:6: amount: found \"inf\", expected a finite number\n"
        )
    );

    let rows: String = (1..=25).map(|day| format!("2020-01-{day:02},{day}%\n")).collect();
    std::fs::write(&file, format!("date,amount\n{rows}")).unwrap();
    let output = pactsim(&["figures", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 21, "{err}");
    assert_eq!(lines[0], format!("error: {name}:2: amount: found \"1%\", expected a finite number"));
    assert_eq!(lines[19], format!("error: {name}:21: amount: found \"20%\", expected a finite number"));
    assert_eq!(lines[20], format!("error: {name}: … and 5 more bad rows (25 in all)"));
}
