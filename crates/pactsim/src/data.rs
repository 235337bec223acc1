//! Data sets that ship inside the binary. Each is a plain CSV in the repository's `data/` folder,
//! with its sources in `data/SOURCES.md` and a script there that rebuilds it.

use crate::trade::{Elasticities, Market, MarketSource};

/// An embedded data set: its name (its path under `data/` without `.csv`) and its text.
#[derive(Debug, Clone, Copy)]
pub struct DataSet {
    pub name: &'static str,
    pub description: &'static str,
    pub csv: &'static str,
}

pub const US_AUTOS_2024: DataSet = DataSet {
    name: "trade/us-autos-2024",
    description: "US passenger-vehicle market 2024 by source (domestic, KR, JP, EU, MX, CA, ROW), USD bn at producer prices, with 2024 tariffs",
    csv: include_str!("../../../data/trade/us-autos-2024.csv"),
};

pub const ALL: [DataSet; 1] = [US_AUTOS_2024];

/// Sectors with an embedded market, and the data set each uses.
pub const SECTORS: [(&str, DataSet); 1] = [("autos", US_AUTOS_2024)];

/// Elasticities used when a deal's `[trade]` gives none (sources and derivations in
/// `data/SOURCES.md`, "Default elasticities for autos").
pub const DEFAULT_ELASTICITIES: Elasticities =
    Elasticities { substitution: 5.6, demand: -1.0, foreign_supply: 2.4, domestic_supply: 2.0 };

/// The embedded market of a sector, if there is one.
pub fn sector_market(sector: &str) -> Option<Market> {
    let (_, data) = SECTORS.iter().find(|(name, _)| *name == sector)?;
    let sources = parse_market(data.csv).unwrap_or_else(|e| panic!("embedded {} is malformed: {e}", data.name));
    Some(Market { importer: "US".to_string(), year: 2024, origin: format!("embedded data set {}", data.name), sources })
}

/// Reads `source,base_value_usd_bn,base_tariff` rows.
pub fn parse_market(csv: &str) -> Result<Vec<MarketSource>, String> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().ok_or("empty file")?;
    if header.trim() != "source,base_value_usd_bn,base_tariff" {
        return Err(format!("unexpected header {header:?}"));
    }
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let [code, value, tariff] = cells.as_slice() else {
                return Err(format!("expected three cells in {line:?}"));
            };
            let number = |text: &str| text.parse::<f64>().map_err(|e| format!("{text:?}: {e}"));
            Ok(MarketSource { code: code.to_string(), base_value_usd_bn: number(value)?, base_tariff: number(tariff)? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trade::DOMESTIC;

    #[test]
    fn the_us_auto_market_has_the_seven_sources() {
        let market = sector_market("autos").unwrap();
        let codes: Vec<&str> = market.sources.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, [DOMESTIC, "KR", "JP", "EU", "MX", "CA", "ROW"]);
        assert!(market.sources.iter().all(|s| s.base_value_usd_bn > 0.0 && s.base_tariff >= 0.0));
        assert_eq!(market.sources.iter().find(|s| s.code == "KR").unwrap().base_tariff, 0.0);
    }
}
