//! `pactsim check FILE`: validate only.

use std::path::Path;

use crate::Failure;
use crate::diagnostics::load_deal;

pub fn check(file: &Path) -> Result<(), Failure> {
    let deal = load_deal(file)?;
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let trade = if deal.trade.is_some() { ", a trade section" } else { "" };
    let currency = match &deal.currency {
        Some(c) => {
            let sections = [
                ("[fx]", c.fx.is_some()),
                ("[reserves]", c.reserves.is_some()),
                ("[stability]", c.stability.is_some()),
            ];
            let named: Vec<&str> = sections.iter().filter(|(_, present)| *present).map(|(name, _)| *name).collect();
            format!(", {}", named.join(" "))
        }
        None => String::new(),
    };
    eprintln!(
        "{}: valid deal \"{}\" ({}, {}{trade}{currency})",
        file.display(),
        deal.id,
        count(deal.facilities.len(), "facility", "facilities"),
        count(deal.projects.len(), "project", "projects")
    );
    Ok(())
}
