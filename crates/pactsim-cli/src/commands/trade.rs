//! `pactsim trade FILE`: the trade picture of a deal alone — the market, each scenario's
//! equilibrium by source, and the investor's tariff relief.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use pactsim::output::{TradeOutput, trade_document};
use pactsim::spec::Override;

use crate::diagnostics::read_deal;
use crate::{Failure, RunFlags};

pub fn trade(file: &Path, overrides: &[Override], json: bool, runs: RunFlags) -> Result<(), Failure> {
    let (origin, source) = read_deal(Some(file))?;
    let prepared = runs.prepare(&origin, source, overrides)?;
    if prepared.deal().trade.is_none() {
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
        render(&document)
    };
    std::io::stdout().lock().write_all(text.as_bytes()).context("writing to standard output")?;
    Ok(())
}

fn mean(stat: &pactsim::output::StatJson) -> f64 {
    stat.mean.unwrap_or(0.0)
}

fn elasticity(value: Option<f64>) -> String {
    value.map_or("∞".to_string(), |v| format!("{v}"))
}

/// The trade picture as tables, one per scenario.
pub fn render(document: &TradeOutput) -> String {
    let mut text = String::new();
    let t = &document.trade;
    let e = &t.elasticities;
    let _ = writeln!(text, "Trade: {} in {}, base year {} ({})", t.sector, t.importer, t.year, t.market);
    if !document.overrides.is_empty() {
        let _ = writeln!(text, "Overrides: {}", document.overrides.join(", "));
    }
    let _ = writeln!(
        text,
        "Elasticities: substitution {}, demand {}, foreign supply {}, domestic supply {}",
        elasticity(e.substitution),
        elasticity(e.demand),
        elasticity(e.foreign_supply),
        elasticity(e.domestic_supply)
    );
    if e.given.values().any(|g| g.contains('(')) {
        let _ = writeln!(
            text,
            "(elasticities shown at the distributions' central values; the tables give means over the paths)"
        );
    }
    let _ = writeln!(text, "Deal tariffs apply from {}. Changes are relative to {}.", t.effective, t.year);
    for (name, scenario) in &t.scenarios {
        let _ = writeln!(text);
        let _ = writeln!(
            text,
            "{name}: price index {:+.2}%, tariff revenue {:.2}, consumer surplus change {:+.2} (USD bn/yr)",
            mean(&scenario.price_index_change) * 100.0,
            mean(&scenario.tariff_revenue_usd_bn),
            mean(&scenario.consumer_surplus_change_usd_bn)
        );
        let _ = writeln!(text, "  source     tariff    value  producer price  quantity   duties  producer surplus");
        for (code, source) in &scenario.sources {
            let tariff = t.tariffs[name][code];
            let _ = writeln!(
                text,
                "  {code:<9} {:>6.1}%  {:>7.2}  {:>+13.2}%  {:>+7.2}%  {:>7.2}  {:>+16.3}",
                tariff * 100.0,
                mean(&source.value_usd_bn),
                mean(&source.producer_price_change) * 100.0,
                mean(&source.quantity_change) * 100.0,
                mean(&source.duties_usd_bn),
                mean(&source.producer_surplus_change_usd_bn)
            );
        }
    }
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "{} exporters' tariff relief under the deal: {:.3} USD bn a year (producer surplus, deal minus no deal)",
        t.investor,
        mean(&t.investor_tariff_relief_usd_bn_per_year)
    );
    text
}
