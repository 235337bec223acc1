//! `pactsim check FILE`: validate only.

use std::path::Path;

use crate::Failure;
use crate::diagnostics::load_deal;

pub fn check(file: &Path) -> Result<(), Failure> {
    let deal = load_deal(file)?;
    eprintln!(
        "{}: valid deal \"{}\" ({} facilities, {} projects)",
        file.display(),
        deal.id,
        deal.facilities.len(),
        deal.projects.len()
    );
    Ok(())
}
