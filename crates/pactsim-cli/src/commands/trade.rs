//! `pactsim trade FILE`: the trade picture of a deal alone — the market, each scenario's
//! equilibrium by source, and the investor's tariff relief.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use pactsim::output::trade_document;
use pactsim::spec::Override;

use crate::diagnostics::read_deal;
use crate::{Failure, RunFlags};

pub fn trade(file: &Path, overrides: &[Override], json: bool, runs: RunFlags) -> Result<(), Failure> {
    let (origin, source) = read_deal(Some(file))?;
    let prepared = runs.prepare(&origin, source, overrides)?;
    if prepared.deal().trade.is_empty() {
        eprintln!("error: {}: the deal has no [trade] section", file.display());
        eprintln!(
            "hint: add one (see `pactsim schema`), e.g. [trade] sector = \"autos\" with no_deal and deal tariffs"
        );
        return Err(Failure::BadInput);
    }
    let result = runs.execute(prepared, json)?;
    let document = trade_document(&result.deal, &result.summary).expect("the same deal, checked above");
    let text = if json {
        serde_json::to_string_pretty(&document).context("serialising the trade section")? + "\n"
    } else {
        pactsim::output::text::trade_summary(&document)
    };
    std::io::stdout().lock().write_all(text.as_bytes()).context("writing to standard output")?;
    Ok(())
}
