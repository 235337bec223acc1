//! `pactsim figures FILE.csv`: NPV, XIRR and MOIC of any dated flows, with the same code the
//! deal engine uses, so analysts (and the oracle tests) can check them against other tools.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use pactsim::figures;
use pactsim::outcome::DatedFlow;
use serde_json::json;

use crate::{Failure, dated_csv};

pub fn figures(file: &Path, rate: f64, start: Option<NaiveDate>, json: bool) -> Result<(), Failure> {
    if !rate.is_finite() || rate <= -1.0 {
        eprintln!("error: --rate {rate}: expected an annual rate above -1 (write 0.05, not 5)");
        return Err(Failure::BadInput);
    }
    let flows = read_flows(file)?;
    let Some(first) = flows.iter().map(|f| f.date).min() else {
        eprintln!("error: {}: no flows (expected rows of date,amount after the header)", file.display());
        return Err(Failure::BadInput);
    };
    let to = start.unwrap_or(first);
    let npv = figures::npv(&flows, rate, to);
    let irr = figures::xirr(&flows);
    let moic = figures::moic(&flows);
    let paid = figures::paid(&flows);
    let received = figures::received(&flows);
    if json {
        let document = json!({
            "npv": npv,
            "irr": irr.rate,
            "irr_roots": irr.roots,
            "irr_multiple_roots": irr.has_multiple_roots(),
            "moic": moic,
            "paid": paid,
            "received": received,
        });
        println!("{}", serde_json::to_string_pretty(&document).context("serialising figures")?);
    } else {
        println!("flows     {} from {first}", flows.len());
        println!("paid      {paid:.6}");
        println!("received  {received:.6}");
        println!("NPV       {npv:.6} at {:.4}% to {to}", rate * 100.0);
        match irr.rate {
            Some(r) if irr.has_multiple_roots() => {
                let roots: Vec<String> = irr.roots.iter().map(|r| format!("{:.4}%", r * 100.0)).collect();
                println!("XIRR      {:.6}% (several roots: {}; Excel's choice shown)", r * 100.0, roots.join(", "));
            }
            Some(r) => println!("XIRR      {:.6}%", r * 100.0),
            None => println!("XIRR      none (the flows never change sign)"),
        }
        match moic {
            Some(m) => println!("MOIC      {m:.6}x"),
            None => println!("MOIC      none (nothing paid)"),
        }
    }
    Ok(())
}

fn read_flows(file: &Path) -> Result<Vec<DatedFlow>, Failure> {
    let rows = dated_csv::read(file, "amount")?;
    Ok(rows.into_iter().map(|row| DatedFlow { date: row.date, amount: row.value }).collect())
}
