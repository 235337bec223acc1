//! The `[trade]` section's rules: a known sector or a market of its own, tariff tables naming only
//! the market's sources, elasticities of the right sign, the investor among the sources.

use toml::Spanned;

use super::Checker;
use crate::deal::Deal;
use crate::spec::diagnostic::closest_name;
use crate::spec::raw::{RawBySource, RawDate, RawElasticities, RawMarket, RawTrade};
use pactsim_data as data;
use pactsim_numeric::distribution::Distribution;
use pactsim_trade::{DOMESTIC, ElasticitySpec, Market, MarketSource, Trade};

/// Tariffs above this are surely percentages written as numbers (25 for 25%).
const TARIFF_CEILING: f64 = 5.0;

impl Checker {
    /// A number or a distribution table, checked for finite, ordered parameters.
    pub(super) fn distribution(&mut self, value: &Spanned<toml::Value>, field: &str) -> Option<Distribution> {
        const FORMS: [&str; 4] = ["normal", "lognormal", "triangular", "uniform"];
        let expected = "a number, or one of { normal = { mean, sd } }, { lognormal = { median, p95 } }, \
                        { triangular = { min, mode, max } }, { uniform = { min, max } }";
        let span = value.span();
        let number = |v: &toml::Value| match v {
            toml::Value::Float(f) => Some(*f),
            toml::Value::Integer(i) => Some(*i as f64),
            _ => None,
        };
        match value.get_ref() {
            toml::Value::Float(_) | toml::Value::Integer(_) => {
                let v = number(value.get_ref()).expect("a number");
                if v.is_nan() {
                    self.fail(span, field, "nan", expected);
                    return None;
                }
                Some(Distribution::Fixed(v))
            }
            toml::Value::Table(table) if table.len() == 1 => {
                let (form, parameters) = table.iter().next().expect("one entry");
                let Some(form_index) = FORMS.iter().position(|f| f == form) else {
                    let found = format!("a distribution named `{form}`");
                    match closest_name(form, FORMS) {
                        Some(close) => {
                            self.fail_with_hint(span, field, found, expected, format!("did you mean `{close}`?"))
                        }
                        None => self.fail(span, field, found, expected),
                    }
                    return None;
                };
                let names: &[&str] = match form_index {
                    0 => &["mean", "sd"],
                    1 => &["median", "p95"],
                    2 => &["min", "mode", "max"],
                    _ => &["min", "max"],
                };
                let toml::Value::Table(parameters) = parameters else {
                    self.fail(
                        span,
                        field,
                        format!("`{form}` without a table of parameters"),
                        format!("{form} = {{ {} }}", names.join(", ")),
                    );
                    return None;
                };
                let mut values = Vec::with_capacity(names.len());
                for name in names {
                    match parameters.get(*name).and_then(number).filter(|v| v.is_finite()) {
                        Some(v) => values.push(v),
                        None => {
                            self.fail(
                                span,
                                &format!("{field}.{form}.{name}"),
                                "no finite number",
                                format!("{form} = {{ {} }}", names.join(", ")),
                            );
                            return None;
                        }
                    }
                }
                if let Some(extra) = parameters.keys().find(|k| !names.contains(&k.as_str())) {
                    self.fail(
                        span,
                        &format!("{field}.{form}"),
                        format!("unknown parameter `{extra}`"),
                        format!("exactly {}", names.join(", ")),
                    );
                    return None;
                }
                let (ok, rule, distribution) = match form_index {
                    0 => (values[1] >= 0.0, "sd ≥ 0", Distribution::Normal { mean: values[0], sd: values[1] }),
                    1 => (
                        values[0] > 0.0 && values[1] >= values[0],
                        "0 < median ≤ p95",
                        Distribution::LogNormal { median: values[0], p95: values[1] },
                    ),
                    2 => (
                        values[0] <= values[1] && values[1] <= values[2],
                        "min ≤ mode ≤ max",
                        Distribution::Triangular { min: values[0], mode: values[1], max: values[2] },
                    ),
                    _ => {
                        (values[0] <= values[1], "min ≤ max", Distribution::Uniform { min: values[0], max: values[1] })
                    }
                };
                if !ok {
                    self.fail(span, field, distribution.describe(), format!("parameters with {rule}"));
                    return None;
                }
                Some(distribution)
            }
            other => {
                self.fail(span, field, format!("{} {other}", other.type_str()), expected);
                None
            }
        }
    }

    /// `[trade]`: its one market, or each of its `[[trade.markets]]`, in file order.
    pub(super) fn trade(&mut self, raw: &Spanned<RawTrade>, deal: Option<&Deal>) -> Option<Vec<Trade>> {
        let t = raw.get_ref();
        let one_market = t.sector.is_some()
            || t.effective.is_some()
            || t.no_deal.is_some()
            || t.deal.is_some()
            || t.snapback.is_some()
            || t.elasticities.is_some()
            || t.market.is_some();
        let Some(markets) = &t.markets else {
            let Some(sector) = &t.sector else {
                self.fail(
                    raw.span(),
                    "trade.sector",
                    "no `sector` and no `markets`",
                    "`sector = \"autos\"` (one market), or `[[trade.markets]]` tables (several)",
                );
                return None;
            };
            let fields = MarketFields {
                id: sector.get_ref().trim().to_string(),
                at: "trade".to_string(),
                span: raw.span(),
                sector,
                effective: t.effective.as_ref(),
                no_deal: t.no_deal.as_ref(),
                deal: t.deal.as_ref(),
                snapback: t.snapback.as_ref(),
                elasticities: t.elasticities.as_ref(),
                market: t.market.as_ref(),
            };
            return self.trade_market(&fields, deal).map(|market| vec![market]);
        };
        if one_market {
            self.fail(
                raw.span(),
                "trade",
                "`markets` beside the one-market fields (`sector`, `deal`, …)",
                "either the one-market fields, or `[[trade.markets]]` tables, each with its own",
            );
            return None;
        }
        if markets.get_ref().is_empty() {
            self.fail(markets.span(), "trade.markets", "an empty list", "at least one market");
            return None;
        }
        let mut built = Vec::new();
        let mut ids: Vec<&str> = Vec::new();
        let mut ok = true;
        for market in markets.get_ref() {
            let m = market.get_ref();
            let id = m.id.get_ref().as_str();
            let at = format!("trade.markets[\"{id}\"]");
            if self.identifier(&m.id, &format!("{at}.id")).is_none() {
                ok = false;
            } else if ids.contains(&id) {
                self.fail(
                    m.id.span(),
                    &format!("{at}.id"),
                    format!("\"{id}\" a second time"),
                    "market ids that are unique",
                );
                ok = false;
            }
            ids.push(id);
            let fields = MarketFields {
                id: id.to_string(),
                at,
                span: market.span(),
                sector: &m.sector,
                effective: m.effective.as_ref(),
                no_deal: m.no_deal.as_ref(),
                deal: m.deal.as_ref(),
                snapback: m.snapback.as_ref(),
                elasticities: m.elasticities.as_ref(),
                market: m.market.as_ref(),
            };
            match self.trade_market(&fields, deal) {
                Some(market) => built.push(market),
                None => ok = false,
            }
        }
        ok.then_some(built)
    }

    /// One market: a known sector or a market of its own, tariff tables naming only its sources,
    /// elasticities of the right sign, the investor among the sources.
    fn trade_market(&mut self, t: &MarketFields, deal: Option<&Deal>) -> Option<Trade> {
        let at = |field: &str| format!("{}.{field}", t.at);
        let sector = t.sector.get_ref().trim().to_string();
        let embedded = data::sector(&sector);
        let market = match t.market {
            Some(market) => self.market(market, deal, &at("market")),
            None => match data::sector_market(&sector) {
                Some(market) => Some(market),
                None => {
                    let sectors: Vec<&str> = data::SECTORS.iter().map(|s| s.name).collect();
                    let table = if t.at == "trade" { "[trade.market]".to_string() } else { at("market") };
                    let expected = format!(
                        "a sector with an embedded market ({}), or a {table} table",
                        sectors.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
                    );
                    let found = format!("\"{sector}\"");
                    match closest_name(&sector, sectors) {
                        Some(close) => self.fail_with_hint(
                            t.sector.span(),
                            &at("sector"),
                            found,
                            expected,
                            format!("did you mean \"{close}\"?"),
                        ),
                        None => self.fail(t.sector.span(), &at("sector"), found, expected),
                    }
                    None
                }
            },
        };
        let deal = deal?;
        let market = market?;
        if market.importer != deal.host {
            let span = t.market.and_then(|m| m.get_ref().importer.as_ref()).map_or(t.sector.span(), |i| i.span());
            self.fail(
                span,
                &at("market.importer"),
                format!("\"{}\"", market.importer),
                format!("the deal's host \"{}\" (the market where its tariffs apply)", deal.host),
            );
        }
        let codes: Vec<&str> = market.sources.iter().map(|s| s.code.as_str()).collect();
        let investor = codes.iter().position(|c| *c == deal.investor);
        if investor.is_none() {
            self.fail(
                t.span.clone(),
                &t.at,
                format!("a market without the investor's source \"{}\"", deal.investor),
                format!("a market whose sources include \"{}\" (sources: {})", deal.investor, codes.join(", ")),
            );
        }

        let base: Vec<f64> = market.sources.iter().map(|s| s.base_tariff).collect();
        let no_deal = self.tariffs(t.no_deal, &at("no_deal"), &codes, &base);
        let deal_tariffs = no_deal.as_ref().and_then(|nd| self.tariffs(t.deal, &at("deal"), &codes, nd));
        let snapback = deal_tariffs.as_ref().and_then(|d| self.tariffs(t.snapback, &at("snapback"), &codes, d));
        for (table, name) in [(t.no_deal, "no_deal"), (t.deal, "deal")] {
            if table.is_none() {
                self.default_applied(&at(name), "{} (no change)");
            }
        }

        let effective = match t.effective {
            Some(date) => self.date(date, &at("effective")).and_then(|d| {
                if d > deal.end {
                    self.fail(
                        date.span(),
                        &at("effective"),
                        d.to_string(),
                        format!("a date on or before the horizon's end, {}", deal.end),
                    );
                    None
                } else {
                    Some(d)
                }
            }),
            None => {
                self.default_applied(&at("effective"), &format!("{} (deal.start)", deal.start));
                Some(deal.start)
            }
        };
        // A market of the deal's own takes the autos defaults; an embedded one its sector's.
        let defaults = match (t.market, embedded) {
            (None, Some(sector)) => sector.elasticities,
            _ => data::DEFAULT_ELASTICITIES,
        };
        let elasticities = self.elasticities(t.elasticities, &at("elasticities"), defaults);
        Some(Trade {
            id: t.id.clone(),
            sector,
            effective: effective?,
            market,
            schedules: [no_deal?, deal_tariffs?, snapback?],
            elasticities: elasticities?,
            investor: investor?,
        })
    }

    /// A tariff table over `inherited`: named sources get the new rate.
    fn tariffs(
        &mut self,
        raw: Option<&Spanned<RawBySource>>,
        field: &str,
        codes: &[&str],
        inherited: &[f64],
    ) -> Option<Vec<f64>> {
        let mut rates = inherited.to_vec();
        let Some(raw) = raw else { return Some(rates) };
        let mut ok = true;
        for (key, value) in raw.get_ref() {
            if self.annotation(key, value, field) {
                continue;
            }
            let at = format!("{field}.{key}");
            if key == DOMESTIC {
                self.fail(
                    value.span(),
                    &at,
                    "a tariff on `domestic`",
                    "tariffs on foreign sources only (the host's own producers pay none)",
                );
                ok = false;
                continue;
            }
            let Some(index) = self.source_index(key, value, &at, codes) else {
                ok = false;
                continue;
            };
            match self.number(value, &at, "a tariff as a fraction, 0 or more (write 0.25, not 25)") {
                Some(rate) if (0.0..=TARIFF_CEILING).contains(&rate) => rates[index] = rate,
                Some(rate) if rate < 0.0 => {
                    self.fail(value.span(), &at, format!("{rate}"), "a tariff as a fraction, 0 or more");
                    ok = false;
                }
                Some(rate) => {
                    self.fail_with_hint(
                        value.span(),
                        &at,
                        format!("{rate}"),
                        format!("a tariff as a fraction from 0 to {TARIFF_CEILING}"),
                        "write 0.25 for 25%",
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        ok.then_some(rates)
    }

    /// `sources` and `note` may annotate any table; returns whether `key` was one of them.
    fn annotation(&mut self, key: &str, value: &Spanned<toml::Value>, field: &str) -> bool {
        match key {
            "note" => {
                if !value.get_ref().is_str() {
                    self.fail(value.span(), &format!("{field}.note"), value.get_ref().type_str(), "a string");
                }
                true
            }
            "sources" => {
                let strings = value.get_ref().as_array().is_some_and(|items| items.iter().all(toml::Value::is_str));
                if !strings {
                    self.fail(
                        value.span(),
                        &format!("{field}.sources"),
                        value.get_ref().type_str(),
                        "an array of strings (URLs)",
                    );
                }
                true
            }
            _ => false,
        }
    }

    fn source_index(&mut self, key: &str, value: &Spanned<toml::Value>, field: &str, codes: &[&str]) -> Option<usize> {
        if let Some(index) = codes.iter().position(|c| *c == key) {
            return Some(index);
        }
        let foreign: Vec<&str> = codes.iter().copied().filter(|c| *c != DOMESTIC).collect();
        let expected = format!("a source of the market: {}", foreign.join(", "));
        let found = format!("unknown source `{key}`");
        match closest_name(key, foreign.iter().copied()) {
            Some(close) => {
                self.fail_with_hint(value.span(), field, found, expected, format!("did you mean `{close}`?"))
            }
            None => self.fail(value.span(), field, found, expected),
        }
        None
    }

    fn number(&mut self, value: &Spanned<toml::Value>, field: &str, expected: &str) -> Option<f64> {
        let v = match value.get_ref() {
            toml::Value::Float(f) => *f,
            toml::Value::Integer(i) => *i as f64,
            other => {
                self.fail(value.span(), field, format!("{} {other}", other.type_str()), expected);
                return None;
            }
        };
        if !v.is_finite() {
            self.fail(value.span(), field, format!("{v}"), expected);
            return None;
        }
        Some(v)
    }

    fn market(&mut self, raw: &Spanned<RawMarket>, deal: Option<&Deal>, at: &str) -> Option<Market> {
        let m = raw.get_ref();
        let values_at = format!("{at}.base_value_usd_bn");
        let mut sources = Vec::new();
        let mut ok = true;
        for (key, value) in m.base_value_usd_bn.get_ref() {
            if self.annotation(key, value, &values_at) {
                continue;
            }
            let field = format!("{values_at}.{key}");
            match self.number(value, &field, "USD billions, 0 or more") {
                Some(v) if v >= 0.0 => {
                    sources.push(MarketSource { code: key.clone(), base_value_usd_bn: v, base_tariff: 0.0 })
                }
                Some(v) => {
                    self.fail(value.span(), &field, format!("{v}"), "USD billions, 0 or more");
                    ok = false;
                }
                None => ok = false,
            }
        }
        if ok && !sources.iter().any(|s| s.base_value_usd_bn > 0.0) {
            self.fail(
                m.base_value_usd_bn.span(),
                &values_at,
                "no source with sales",
                "at least one source with a value above 0",
            );
            ok = false;
        }
        if let Some(tariffs) = &m.base_tariff {
            let codes: Vec<String> = sources.iter().map(|s| s.code.clone()).collect();
            let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
            let zeros = vec![0.0; codes.len()];
            match self.tariffs(Some(tariffs), &format!("{at}.base_tariff"), &codes, &zeros) {
                Some(rates) => {
                    for (source, rate) in sources.iter_mut().zip(rates) {
                        source.base_tariff = rate;
                    }
                }
                None => ok = false,
            }
        }
        let importer = match (&m.importer, deal) {
            (Some(importer), _) => importer.get_ref().clone(),
            (None, Some(deal)) => {
                self.default_applied(&format!("{at}.importer"), &format!("\"{}\" (deal.host)", deal.host));
                deal.host.clone()
            }
            (None, None) => return None,
        };
        let year = match &m.year {
            Some(year) => self.whole(year, &format!("{at}.year"), 1900, 2200).map(|y| y as i32),
            None => Some(deal.map_or(0, |d| chrono::Datelike::year(&d.start) - 1)),
        };
        if !ok {
            return None;
        }
        Some(Market { importer, year: year?, origin: "deal file [trade.market]".to_string(), sources })
    }

    fn elasticities(
        &mut self,
        raw: Option<&Spanned<RawElasticities>>,
        at: &str,
        defaults: pactsim_trade::Elasticities,
    ) -> Option<ElasticitySpec> {
        let e = raw.map(|r| r.get_ref());
        let mut one =
            |value: Option<&Spanned<toml::Value>>, name: &str, default: f64, rule: Rule| -> Option<Distribution> {
                let field = format!("{at}.{name}");
                let Some(value) = value else {
                    self.default_applied(&field, &format!("{default}"));
                    return Some(Distribution::Fixed(default));
                };
                let distribution = self.distribution(value, &field)?;
                let (low, high) = distribution.support();
                let central = distribution.central();
                let fits = match rule {
                    // A normal's unbounded tails are for the Monte Carlo runner to truncate; a
                    // lognormal never reaches its lower bound of 0.
                    Rule::Positive | Rule::Supply => {
                        central > 0.0
                            && (rule == Rule::Supply || central.is_finite())
                            && (low > 0.0
                                || low == f64::NEG_INFINITY
                                || matches!(distribution, Distribution::LogNormal { .. }))
                    }
                    Rule::NotPositive => {
                        central <= 0.0 && central.is_finite() && (high <= 0.0 || high == f64::INFINITY)
                    }
                };
                if !fits {
                    let expected = match rule {
                        Rule::Positive => format!("a finite {name} above 0"),
                        Rule::Supply => format!("{name} above 0 (`inf` for a flat supply)"),
                        Rule::NotPositive => {
                            format!("a finite {name} of 0 or below (demand falls as prices rise)")
                        }
                    };
                    self.fail(value.span(), &field, distribution.describe(), expected);
                    return None;
                }
                Some(distribution)
            };
        let substitution =
            one(e.and_then(|e| e.substitution.as_ref()), "substitution", defaults.substitution, Rule::Positive);
        let demand = one(e.and_then(|e| e.demand.as_ref()), "demand", defaults.demand, Rule::NotPositive);
        let foreign_supply =
            one(e.and_then(|e| e.foreign_supply.as_ref()), "foreign_supply", defaults.foreign_supply, Rule::Supply);
        let domestic_supply =
            one(e.and_then(|e| e.domestic_supply.as_ref()), "domestic_supply", defaults.domestic_supply, Rule::Supply);
        Some(ElasticitySpec {
            substitution: substitution?,
            demand: demand?,
            foreign_supply: foreign_supply?,
            domestic_supply: domestic_supply?,
        })
    }
}

/// The fields of one market, from the one-market `[trade]` form or a `[[trade.markets]]` table;
/// `at` is the path diagnostics name its fields under (`trade`, `trade.markets["autos"]`).
struct MarketFields<'r> {
    id: String,
    at: String,
    span: std::ops::Range<usize>,
    sector: &'r Spanned<String>,
    effective: Option<&'r RawDate>,
    no_deal: Option<&'r Spanned<RawBySource>>,
    deal: Option<&'r Spanned<RawBySource>>,
    snapback: Option<&'r Spanned<RawBySource>>,
    elasticities: Option<&'r Spanned<RawElasticities>>,
    market: Option<&'r Spanned<RawMarket>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Finite and above 0.
    Positive,
    /// Above 0, or infinite (a flat supply).
    Supply,
    /// Finite and at most 0.
    NotPositive,
}
