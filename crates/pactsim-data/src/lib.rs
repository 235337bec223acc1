//! Data sets that ship inside the binary. Each is a plain CSV in the repository's `data/` folder,
//! with its sources in `data/SOURCES.md` and a script there that rebuilds or checks it.
//!
//! [`ALL`] lists every set by name (its path under `data/` without `.csv`) for `pactsim data`.
//! Typed readers sit beside the sets they read: [`sector_market`] for the trade engine's markets,
//! [`fx_daily`] for the daily exchange-rate histories (ECB reference rates crossed through the
//! euro, local currency per USD).

pub mod dated_csv;

use chrono::NaiveDate;

use pactsim_trade::{Elasticities, Market, MarketSource};

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

pub const US_OTHER_GOODS_2024: DataSet = DataSet {
    name: "trade/us-other-goods-2024",
    description: "US market 2024 for every good other than cars, auto parts, steel and aluminium (and EU pharmaceuticals) by source (domestic, KR, JP, EU, ROW), USD bn, with 2024 tariffs",
    csv: include_str!("../../../data/trade/us-other-goods-2024.csv"),
};

pub const KRW_USD_DAILY: DataSet = DataSet {
    name: "fx/krw-usd-daily",
    description: "KRW per USD, daily ECB reference rates crossed through the euro (KRW/EUR ÷ USD/EUR), 6 significant digits",
    csv: include_str!("../../../data/fx/krw-usd-daily.csv"),
};

pub const JPY_USD_DAILY: DataSet = DataSet {
    name: "fx/jpy-usd-daily",
    description: "JPY per USD, daily ECB reference rates crossed through the euro (JPY/EUR ÷ USD/EUR), 6 significant digits",
    csv: include_str!("../../../data/fx/jpy-usd-daily.csv"),
};

pub const KOREA_RESERVES_MONTHLY: DataSet = DataSet {
    name: "korea/reserves-monthly",
    description: "Korea's official FX reserves at the end of each month, 2024-01 to 2025-12 (BOK), USD bn, with status and source; no figure for 2024-02",
    csv: include_str!("../../../data/korea/reserves-monthly.csv"),
};

pub const KOREA_ARA_INPUTS_2025: DataSet = DataSet {
    name: "korea/ara-inputs-2025",
    description: "Korea's IMF ARA EM inputs for 2025 (exports, broad money, short-term debt, other liabilities — an assumed upper bound) with GDP and reserves",
    csv: include_str!("../../../data/korea/ara-inputs-2025.csv"),
};

pub const JAPAN_RESERVES: DataSet = DataSet {
    name: "japan/reserves",
    description: "Japan's official reserve assets (MOF) at the month-ends found, USD bn, with status and source",
    csv: include_str!("../../../data/japan/reserves.csv"),
};

pub const ALL: [DataSet; 7] = [
    US_AUTOS_2024,
    US_OTHER_GOODS_2024,
    KRW_USD_DAILY,
    JPY_USD_DAILY,
    KOREA_RESERVES_MONTHLY,
    KOREA_ARA_INPUTS_2025,
    JAPAN_RESERVES,
];

/// The embedded data set with this name.
pub fn data_set(name: &str) -> Option<DataSet> {
    ALL.iter().find(|set| set.name == name).copied()
}

impl DataSet {
    /// The number of data rows (non-empty lines after the header).
    pub fn rows(&self) -> usize {
        self.csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count()
    }

    /// The first and last entry of the first column when that column holds dates or months (its
    /// header is `date` or `month`), as written in the file.
    pub fn span(&self) -> Option<(&'static str, &'static str)> {
        let mut lines = self.csv.lines().filter(|l| !l.trim().is_empty());
        let first_cell = |line: &'static str| line.split(',').next().unwrap_or("").trim();
        if !matches!(first_cell(lines.next()?), "date" | "month") {
            return None;
        }
        let first = first_cell(lines.next()?);
        let last = lines.next_back().map_or(first, first_cell);
        Some((first, last))
    }
}

/// A daily series: ascending dates with one value each.
#[derive(Debug, Clone, PartialEq)]
pub struct DailySeries {
    pub dates: Vec<NaiveDate>,
    pub values: Vec<f64>,
}

/// Pairs with an embedded history, for messages ("KRW/USD", "JPY/USD").
pub const FX_PAIRS: [&str; 2] = ["KRW/USD", "JPY/USD"];

/// The data set behind each of [`FX_PAIRS`], in the same order.
const FX_DATA: [DataSet; 2] = [KRW_USD_DAILY, JPY_USD_DAILY];

/// The embedded daily history of a pair written "KRW/USD" or "JPY/USD" (local currency per USD);
/// None for other pairs.
pub fn fx_daily(pair: &str) -> Option<DailySeries> {
    let index = FX_PAIRS.iter().position(|p| *p == pair)?;
    let data = FX_DATA[index];
    Some(parse_daily(data.csv).unwrap_or_else(|e| panic!("embedded {} is malformed: {e}", data.name)))
}

/// Reads `date,value` rows: ISO dates strictly ascending, values finite and positive.
pub fn parse_daily(csv: &str) -> Result<DailySeries, String> {
    let mut lines = csv.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("empty file")?;
    if header.trim() != "date,value" {
        return Err(format!("unexpected header {header:?}, expected \"date,value\""));
    }
    let mut series = DailySeries { dates: Vec::new(), values: Vec::new() };
    for (index, line) in lines {
        let at = |what: String| format!("line {}: {what}", index + 1);
        let (date, value) = line.split_once(',').ok_or_else(|| at(format!("expected date,value in {line:?}")))?;
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|e| at(format!("date {date:?}: {e}")))?;
        let value: f64 = value.trim().parse().map_err(|e| at(format!("value {value:?}: {e}")))?;
        if !(value.is_finite() && value > 0.0) {
            return Err(at(format!("value {value}: expected a positive number")));
        }
        if let Some(previous) = series.dates.last()
            && *previous >= date
        {
            return Err(at(format!("date {date} does not follow {previous}")));
        }
        series.dates.push(date);
        series.values.push(value);
    }
    Ok(series)
}

/// A sector with an embedded market: its data set and the elasticities a deal that gives none
/// uses (sources and derivations in `data/SOURCES.md`).
#[derive(Debug, Clone, Copy)]
pub struct Sector {
    pub name: &'static str,
    pub data: DataSet,
    pub elasticities: Elasticities,
}

/// Sectors with an embedded market.
pub const SECTORS: [Sector; 2] = [
    // "Default elasticities for autos": GTAP ESUBM(mvh) 5.6; demand -1; foreign supply 2.4 (exporters
    // bear 70% of a tariff change); domestic supply 2.
    Sector { name: "autos", data: US_AUTOS_2024, elasticities: DEFAULT_ELASTICITIES },
    // "Default elasticities for other goods": the Armington meta-analysis median 3.8; demand -1;
    // foreign supply 15.2 (border pass-through 0.8); domestic supply 2.
    Sector {
        name: "other-goods",
        data: US_OTHER_GOODS_2024,
        elasticities: Elasticities { substitution: 3.8, demand: -1.0, foreign_supply: 15.2, domestic_supply: 2.0 },
    },
];

/// Elasticities used when a deal's `[trade]` gives none and its market is its own
/// (`[trade.market]`), and for the autos sector (sources and derivations in `data/SOURCES.md`,
/// "Default elasticities for autos").
pub const DEFAULT_ELASTICITIES: Elasticities =
    Elasticities { substitution: 5.6, demand: -1.0, foreign_supply: 2.4, domestic_supply: 2.0 };

/// The embedded sector of this name, if there is one.
pub fn sector(name: &str) -> Option<Sector> {
    SECTORS.iter().find(|s| s.name == name).copied()
}

/// The embedded market of a sector, if there is one.
pub fn sector_market(sector: &str) -> Option<Market> {
    let data = self::sector(sector)?.data;
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
    use chrono::Datelike;

    use super::*;
    use pactsim_trade::DOMESTIC;

    /// The mean of the days of `series` in `year` (and `month`, if given).
    fn average(series: &DailySeries, year: i32, month: Option<u32>) -> f64 {
        let days: Vec<f64> = series
            .dates
            .iter()
            .zip(&series.values)
            .filter(|(d, _)| d.year() == year && month.is_none_or(|m| d.month() == m))
            .map(|(_, v)| *v)
            .collect();
        assert!(!days.is_empty(), "no days in {year}-{month:?}");
        days.iter().sum::<f64>() / days.len() as f64
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn every_pair_has_a_clean_history_from_the_euros_first_day() {
        for pair in FX_PAIRS {
            let series = fx_daily(pair).unwrap();
            assert_eq!(series.dates.len(), series.values.len());
            assert_eq!(series.dates[0], date("1999-01-04"), "{pair}");
            assert!(series.dates.len() > 7000, "{pair}: {} days", series.dates.len());
            assert!(series.dates.windows(2).all(|w| w[0] < w[1]), "{pair}: dates not strictly ascending");
            assert!(series.values.iter().all(|v| v.is_finite() && *v > 0.0), "{pair}");
        }
        assert_eq!(fx_daily("KRW/EUR"), None);
        assert_eq!(fx_daily("krw/usd"), None);
    }

    #[test]
    fn a_day_is_the_ecb_cross_rate() {
        // eurofxref-hist.csv, 1999-01-04: USD 1.1789, JPY 133.73, KRW 1398.59 per EUR.
        let krw = fx_daily("KRW/USD").unwrap();
        let jpy = fx_daily("JPY/USD").unwrap();
        assert!((krw.values[0] - 1398.59 / 1.1789).abs() < 0.005, "{}", krw.values[0]);
        assert!((jpy.values[0] - 133.73 / 1.1789).abs() < 0.0005, "{}", jpy.values[0]);
    }

    #[test]
    fn krw_annual_averages_match_the_research() {
        // research deal-facts V11: 2025 average of the daily ECB cross 1,421.52 (BOK: 1,422.16);
        // 2024: 1,363.53 (MOEF/BOK: 1,363.98).
        let krw = fx_daily("KRW/USD").unwrap();
        let y2025 = average(&krw, 2025, None);
        let y2024 = average(&krw, 2024, None);
        assert!((y2025 - 1421.52).abs() < 0.05, "{y2025}");
        assert!((y2024 - 1363.53).abs() < 0.05, "{y2024}");
        // And against the published BOK averages, within the 0.05% the research reports.
        assert!((y2025 / 1422.16 - 1.0).abs() < 0.0005, "{y2025}");
        assert!((y2024 / 1363.98 - 1.0).abs() < 0.0005, "{y2024}");
    }

    #[test]
    fn krw_monthly_averages_are_within_three_and_a_half_won_of_the_bok() {
        // BOK monthly averages (daytime close), research deal-facts §3.3, from
        // https://biz.chosun.com/en/en-policy/2025/12/30/4S6DLFSVBFFIDAXH63TFFZSZNE/?outputType=amp
        let bok = [
            (2024, 11, 1394.3),
            (2024, 12, 1436.8),
            (2025, 1, 1455.5),
            (2025, 2, 1445.6),
            (2025, 3, 1457.9),
            (2025, 4, 1441.9),
            (2025, 5, 1390.7),
            (2025, 6, 1365.2),
            (2025, 7, 1376.9),
            (2025, 8, 1389.9),
            (2025, 9, 1392.4),
            (2025, 10, 1424.8),
            (2025, 11, 1460.4),
            (2025, 12, 1467.1),
        ];
        let krw = fx_daily("KRW/USD").unwrap();
        for (year, month, expected) in bok {
            let got = average(&krw, year, Some(month));
            assert!((got - expected).abs() <= 3.5, "{year}-{month:02}: {got} vs BOK {expected}");
        }
    }

    #[test]
    fn jpy_annual_averages_match_the_research() {
        // research deal-facts §3.3: ECB cross 2024 average 151.43, 2025 average 149.66.
        let jpy = fx_daily("JPY/USD").unwrap();
        let y2024 = average(&jpy, 2024, None);
        let y2025 = average(&jpy, 2025, None);
        assert!((y2024 - 151.43).abs() < 0.01, "{y2024}");
        assert!((y2025 - 149.66).abs() < 0.01, "{y2025}");
    }

    #[test]
    fn parse_daily_refuses_what_the_api_promises_never_to_return() {
        let ok = parse_daily("date,value\n2025-01-02,1.5\n2025-01-03,1.6\n").unwrap();
        assert_eq!(ok.dates, [date("2025-01-02"), date("2025-01-03")]);
        assert_eq!(ok.values, [1.5, 1.6]);
        let error = |text: &str| parse_daily(text).unwrap_err();
        assert!(error("day,value\n").contains("unexpected header"));
        assert!(error("date,value\n2025-01-03,1\n2025-01-03,1\n").contains("line 3: date 2025-01-03 does not follow"));
        assert!(error("date,value\n2025-01-03,1\n2025-01-02,1\n").contains("does not follow"));
        assert!(error("date,value\n2025-01-02,-1\n").contains("positive"));
        assert!(error("date,value\n2025-01-02,NaN\n").contains("positive"));
        assert!(error("date,value\n2025-13-02,1\n").contains("line 2: date"));
        assert!(error("date,value\n2025-01-02\n").contains("expected date,value"));
    }

    /// The cells of a data set's rows (after the header), each row with as many cells as the header.
    fn cells(set: DataSet) -> Vec<Vec<&'static str>> {
        let mut lines = set.csv.lines();
        let width = lines.next().unwrap().split(',').count();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert!(rows.iter().all(|r| r.len() == width), "{}: ragged rows", set.name);
        rows
    }

    #[test]
    fn korean_reserves_reproduce_the_research_checks() {
        let rows = cells(KOREA_RESERVES_MONTHLY);
        let reserves =
            |month: &str| -> Option<f64> { rows.iter().find(|r| r[0] == month).map(|r| r[1].parse().unwrap()) };
        // 2024-01..2025-12 with the February 2024 gap left out.
        assert_eq!(rows.len(), 23);
        assert_eq!(reserves("2024-02"), None);
        assert!(rows.windows(2).all(|w| w[0][0] < w[1][0]));
        // research V5: 2025 change 428.05 - 415.60 = +12.45; low May 404.60, high Nov 430.66.
        let change = reserves("2025-12").unwrap() - reserves("2024-12").unwrap();
        assert!((change - 12.45).abs() < 1e-9, "{change}");
        let year: Vec<(&str, f64)> =
            rows.iter().filter(|r| r[0].starts_with("2025")).map(|r| (r[0], r[1].parse().unwrap())).collect();
        assert_eq!(year.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap(), &("2025-05", 404.60));
        assert_eq!(year.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap(), &("2025-11", 430.66));
        // research V4 with the ARA inputs: short-term debt / reserves = 41.8% (MOEF).
        let ara = cells(KOREA_ARA_INPUTS_2025);
        let item = |name: &str| -> f64 { ara.iter().find(|r| r[0] == name).unwrap()[1].parse().unwrap() };
        assert_eq!(item("reserves"), reserves("2025-12").unwrap());
        assert_eq!(format!("{:.1}", 100.0 * item("short_term_debt") / item("reserves")), "41.8");
        // Derived rows are the arithmetic of their inputs.
        assert!((item("broad_money") - item("m2_krw") / item("krw_per_usd_nov_2025") * 1000.0).abs() < 0.005);
        assert!((item("other_liabilities") - (item("external_liabilities") - item("short_term_debt_q2"))).abs() < 1e-9);
        assert!(ara.iter().any(|r| r[0] == "other_liabilities" && r[4] == "A" && r[5] == "yes"));
    }

    #[test]
    fn every_data_set_has_rows_and_a_unique_name() {
        for set in ALL {
            assert!(set.rows() > 0, "{}", set.name);
            assert_eq!(data_set(set.name).map(|s| s.name), Some(set.name));
            assert_eq!(ALL.iter().filter(|s| s.name == set.name).count(), 1, "{}", set.name);
        }
        assert!(data_set("fx/krw-usd").is_none());
        assert_eq!(US_AUTOS_2024.span(), None);
        let krw = fx_daily("KRW/USD").unwrap();
        let (first, last) = KRW_USD_DAILY.span().unwrap();
        assert_eq!((date(first), date(last)), (krw.dates[0], *krw.dates.last().unwrap()));
        assert_eq!(KRW_USD_DAILY.rows(), krw.dates.len());
    }

    #[test]
    fn the_us_auto_market_has_the_seven_sources() {
        let market = sector_market("autos").unwrap();
        let codes: Vec<&str> = market.sources.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, [DOMESTIC, "KR", "JP", "EU", "MX", "CA", "ROW"]);
        assert!(market.sources.iter().all(|s| s.base_value_usd_bn > 0.0 && s.base_tariff >= 0.0));
        assert_eq!(market.sources.iter().find(|s| s.code == "KR").unwrap().base_tariff, 0.0);
    }

    #[test]
    fn the_other_goods_market_adds_up_to_its_sources() {
        let market = sector_market("other-goods").unwrap();
        let value = |code: &str| market.sources.iter().find(|s| s.code == code).unwrap().base_value_usd_bn;
        // Korea: customs exports to the US 127.8 less cars 37.386, parts 8.22, steel 2.9 and
        // aluminium 0.78 (data/SOURCES.md).
        assert!((value("KR") - (127.8 - 37.386 - 8.22 - 2.9 - 0.78)).abs() < 5e-4);
        // Japan: (21.3 - 7.2) tn yen at 151.43 yen a dollar.
        assert!((value("JP") - 14_100.0 / 151.43).abs() < 5e-4);
        // Imports are 20.57% of the market (the Yale Budget Lab's import share).
        let imports: f64 = market.sources.iter().filter(|s| !s.is_domestic()).map(|s| s.base_value_usd_bn).sum();
        assert!((imports / (imports + value(DOMESTIC)) - 0.2057).abs() < 1e-6);
        assert_eq!(sector("other-goods").unwrap().elasticities.substitution, 3.8);
    }
}
