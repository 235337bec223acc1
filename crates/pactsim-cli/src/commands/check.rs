//! `pactsim check FILE [--set KEY=VALUE] [--unset KEY]`: validate only.

use std::path::Path;

use pactsim::spec::Override;

use crate::Failure;
use crate::diagnostics::load_deal_with;

pub fn check(file: &Path, overrides: &[Override]) -> Result<(), Failure> {
    let deal = load_deal_with(file, overrides)?;
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let trade = match deal.trade.len() {
        0 => String::new(),
        1 => ", a trade section".to_string(),
        markets => format!(", a trade section of {markets} markets"),
    };
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
    let overrides = match deal.overrides.is_empty() {
        true => String::new(),
        false => format!(" with overrides {}", deal.overrides.join(", ")),
    };
    eprintln!(
        "{}: valid deal \"{}\" ({}, {}{trade}{currency}){overrides}",
        file.display(),
        deal.id,
        count(deal.facilities.len(), "facility", "facilities"),
        count(deal.projects.len(), "project", "projects")
    );
    Ok(())
}
