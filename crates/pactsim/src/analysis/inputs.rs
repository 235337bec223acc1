//! The uncertain inputs of a deal: each distribution its file gives, by the override key that
//! sets it, with the range the engine draws it within.

use pactsim_model::deal::Deal;
use pactsim_model::engine::bounds;
use pactsim_numeric::distribution::Distribution;

/// A distribution in a deal file.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// The override key that sets it, e.g. `pipeline.strategic.irr`.
    pub key: String,
    pub distribution: Distribution,
    /// The engine truncates draws to `[low, high]` (a pipeline's IRR to (−99%, 100%), an
    /// elasticity to its sign): a percentile is of the distribution it draws from.
    low: f64,
    high: f64,
}

impl Uncertain {
    /// The value at cumulative probability `p` of the distribution the engine draws from.
    pub fn percentile(&self, p: f64) -> f64 {
        self.distribution.quantile_within(p, self.low, self.high)
    }
}

/// Every distribution of `deal`'s file (fixed numbers are not inputs): each pipeline's size, IRR,
/// life and construction time in file order, then each market's trade elasticities, then the
/// labour friction's delay and cost overrun.
///
/// The truncation bounds are those of the engine's draws (`engine::bounds`); a percentile away
/// from the tails does not reach them.
pub fn uncertain_inputs(deal: &Deal) -> Vec<Uncertain> {
    let mut inputs = Vec::new();
    let mut add = |key: String, distribution: Distribution, (low, high): (f64, f64)| {
        if distribution.is_random() {
            inputs.push(Uncertain { key, distribution, low, high });
        }
    };
    for pipeline in &deal.pipelines {
        let at = |field: &str| format!("pipeline.{}.{field}", deal.facilities[pipeline.facility].id);
        add(at("size_usd_bn"), pipeline.size_usd_bn, bounds::SIZE_USD_BN);
        add(at("irr"), pipeline.irr, bounds::IRR);
        add(at("life_years"), pipeline.life_years, bounds::LIFE_YEARS);
        add(at("construction_years"), pipeline.construction_years, bounds::CONSTRUCTION_YEARS);
    }
    // One market is written in the one-market form (`trade.elasticities`); several are an array
    // of tables reached by id (`trade.markets.ID.elasticities`).
    let several = deal.trade.len() > 1;
    for trade in &deal.trade {
        let e = trade.elasticities;
        let prefix =
            if several { format!("trade.markets.{}.elasticities", trade.id) } else { "trade.elasticities".into() };
        let at = |name: &str| format!("{prefix}.{name}");
        add(at("substitution"), e.substitution, bounds::SUPPLY_OR_SUBSTITUTION);
        add(at("demand"), e.demand, bounds::DEMAND);
        add(at("foreign_supply"), e.foreign_supply, bounds::SUPPLY_OR_SUBSTITUTION);
        add(at("domestic_supply"), e.domestic_supply, bounds::SUPPLY_OR_SUBSTITUTION);
    }
    if let Some(labor) = deal.labor {
        add("labor.delay_months".into(), labor.delay_months, bounds::LABOR_DELAY_MONTHS);
        add("labor.cost_overrun".into(), labor.cost_overrun, bounds::COST_OVERRUN);
    }
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_korea_mou_has_nine_distributions_its_pipelines_and_labour_friction_draw() {
        let deal = crate::spec::parse_deal(include_str!("../../../../deals/kr-us-2025-mou.toml")).unwrap();
        let keys: Vec<String> = uncertain_inputs(&deal).into_iter().map(|u| u.key).collect();
        assert_eq!(
            keys,
            [
                "pipeline.strategic.size_usd_bn",
                "pipeline.strategic.irr",
                "pipeline.strategic.life_years",
                "pipeline.strategic.construction_years",
                "pipeline.shipbuilding.size_usd_bn",
                "pipeline.shipbuilding.irr",
                "pipeline.shipbuilding.life_years",
                "pipeline.shipbuilding.construction_years",
                "labor.delay_months",
            ]
        );
        let irr = &uncertain_inputs(&deal)[1];
        // normal(0.081, 0.016): the 10th percentile is 0.081 − 1.2816 × 0.016.
        assert!((irr.percentile(0.1) - (0.081 - 1.281_551_565_544_6 * 0.016)).abs() < 1e-9);
    }
}
