//! `pactsim figures FILE.csv`: NPV, XIRR and MOIC of any dated flows, with the same code the
//! deal engine uses, so analysts (and the oracle tests) can check them against other tools.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use pactsim::outcome::DatedFlow;

use crate::{Failure, dated_csv};

pub fn figures(file: &Path, rate: f64, start: Option<NaiveDate>, json: bool) -> Result<(), Failure> {
    check_rate("--rate", rate)?;
    let flows = read_flows(file)?;
    let Ok(figures) = pactsim::tools::flow_figures(&flows, rate, start) else {
        eprintln!("error: {}: no flows (expected rows of date,amount after the header)", file.display());
        return Err(Failure::BadInput);
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&figures).context("serialising figures")?);
        return Ok(());
    }
    let first = flows.iter().map(|f| f.date).min().expect("figures exist only for flows");
    println!("flows     {} from {first}", flows.len());
    println!("paid      {:.6}", figures.paid);
    println!("received  {:.6}", figures.received);
    println!("NPV       {:.6} at {:.4}% to {}", figures.npv, rate * 100.0, figures.discounted_to);
    match figures.irr {
        Some(r) if figures.irr_multiple_roots => {
            let roots: Vec<String> = figures.irr_roots.iter().map(|r| format!("{:.4}%", r * 100.0)).collect();
            println!("XIRR      {:.6}% (several roots: {}; Excel's choice shown)", r * 100.0, roots.join(", "));
        }
        Some(r) => println!("XIRR      {:.6}%", r * 100.0),
        None => println!("XIRR      none (the flows never change sign)"),
    }
    match figures.moic {
        Some(m) => println!("MOIC      {m:.6}x"),
        None => println!("MOIC      none (nothing paid)"),
    }
    Ok(())
}

/// An annual rate given on the command line, checked by the library's rule (a fraction above -1
/// and below 1: 5 for 5% would discount at 500%); a refusal names the fraction it probably meant,
/// as a deal file does for `irr = 6.5`.
fn check_rate(flag: &str, rate: f64) -> Result<(), Failure> {
    if pactsim::tools::check_rate("rate", rate).is_ok() {
        return Ok(());
    }
    eprintln!("error: {flag} {rate}: expected an annual rate as a fraction, above -1 and below 1");
    if rate.is_finite() && rate.abs() < 100.0 {
        eprintln!("hint: rates are fractions: for {rate}% write {flag} {}", fraction_of_percent(rate));
    } else {
        eprintln!("hint: rates are fractions: 0.05 for 5%");
    }
    Err(Failure::BadInput)
}

/// `percent` / 100 as written by hand: 6.5 gives 0.065 (not the 0.065000000000000002 that f64
/// division can print).
fn fraction_of_percent(percent: f64) -> String {
    let text = format!("{:.12}", percent / 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn read_flows(file: &Path) -> Result<Vec<DatedFlow>, Failure> {
    let rows = dated_csv::read(file, pactsim::dated_csv::Series::Flows)?;
    Ok(rows.into_iter().map(|row| DatedFlow { date: row.date, amount: row.value }).collect())
}
