//! The HTML report: one self-contained page for one or several deals, readable offline and
//! without JavaScript, that prints well. Charts are inline SVG drawn by `charts`; nothing is
//! fetched from anywhere (the only links are the deal files' sources, which a reader follows).
//!
//! - `ReportDeal` is one deal's run as the report needs it: the run output, the deal, the kept
//!   paths' figures (`paths`), the file's provenance and the hash of its text.
//! - `deal_charts` and `comparison_charts` describe the charts (`charts::Chart`); `report_html`
//!   puts them, the tables and the words together; `--charts DIR` draws the same charts as files.
//!
//! Numbers in the headline tables are written by `display`, one rule per kind of figure, and each
//! carries `data-deal`, `data-figure` and `data-stat` attributes naming the run output's field,
//! so a test can check every number against the JSON.

use std::fmt::Write;

use pactsim_model::deal::Deal;
use pactsim_model::spec::Provenance;
use sha2::{Digest, Sha256};

use crate::charts::{self, BarGroup, Bars, Chart, ChartError, Colour, Corner, Layer, Plot, ValueFormat, XAxis};
use crate::paths::PathFigures;
use crate::{RunOutput, StatJson};

/// One deal's run, as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct ReportDeal<'a> {
    /// The deal file as the user named it (`deals/kr-us-2025-mou.toml`).
    pub file: &'a str,
    /// SHA-256 of the file's text, in hex (`sha256_hex`).
    pub sha256: &'a str,
    pub deal: &'a Deal,
    pub output: &'a RunOutput,
    pub paths: &'a PathFigures,
    pub provenance: &'a [Provenance],
}

/// A chart with the name its files get under `--charts DIR` and the caption the report gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedChart {
    /// A file stem: `kr-us-2025-mou-cumulative-net-cash`.
    pub name: String,
    pub caption: String,
    pub chart: Chart,
}

/// The SHA-256 of a deal file's text, as 64 hex digits.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// How a headline figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// USD billions, two decimals.
    Money,
    /// A fraction as a percentage with two decimals (an IRR).
    Percent,
    /// A ratio, two decimals (MOIC).
    Ratio,
    /// A calendar year, no decimals.
    Year,
    /// A count, one decimal.
    Count,
}

/// A number as the report writes it; `–` where the figure does not exist.
pub fn display(value: Option<f64>, how: Display) -> String {
    let Some(v) = value.filter(|v| v.is_finite()) else { return "–".to_string() };
    match how {
        Display::Money | Display::Ratio => format!("{v:.2}"),
        Display::Percent => format!("{:.2}%", v * 100.0),
        Display::Year => format!("{v:.0}"),
        Display::Count => format!("{v:.1}"),
    }
}

/// The headline figures: the run output's `totals` field, a label and how each is written.
fn headline_rows(output: &RunOutput) -> Vec<(&'static str, &'static str, Display, StatJson)> {
    let t = &output.totals;
    let mut rows = vec![
        ("investor_paid", "Investor paid (USD bn)", Display::Money, t.investor_paid),
        ("investor_received", "Investor received (USD bn)", Display::Money, t.investor_received),
        ("investor_npv", "Investor NPV (USD bn)", Display::Money, t.investor_npv),
        ("investor_irr", "Investor IRR", Display::Percent, t.investor_irr),
        ("investor_moic", "Investor MOIC (received / paid)", Display::Ratio, t.investor_moic),
        ("host_received", "Host distributions (USD bn)", Display::Money, t.host_received),
        ("host_tax", "Host tax (USD bn)", Display::Money, t.host_tax),
        ("host_npv", "Host NPV (USD bn)", Display::Money, t.host_npv),
    ];
    if let (Some(relief), Some(deal)) = (t.tariff_relief_npv, t.deal_npv) {
        rows.push(("tariff_relief_npv", "Tariff relief NPV (USD bn)", Display::Money, relief));
        rows.push(("deal_npv", "Deal NPV: investor NPV + relief (USD bn)", Display::Money, deal));
    }
    if t.recoup_accounts > 0 {
        rows.push(("recoup_year", "Recoup year (where recouped)", Display::Year, t.recoup_year));
    }
    rows.extend([
        ("guarantee_calls", "Guarantee calls (USD bn)", Display::Money, t.guarantee_calls),
        ("losses", "Losses: principal and arrears (USD bn)", Display::Money, t.losses),
        ("defaults", "Projects defaulted", Display::Count, t.defaults),
    ]);
    rows
}

/// Text for HTML, escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A headline number in a span that names its field.
fn number(deal: &str, figure: &str, stat: &str, value: Option<f64>, how: Display) -> String {
    format!(
        "<span class=\"n\" data-deal=\"{}\" data-figure=\"{figure}\" data-stat=\"{stat}\">{}</span>",
        esc(deal),
        display(value, how)
    )
}

/// "Source: pactsim 0.1.0, deals/x.toml, seed 7, 10,000 paths" (and the overrides, if any).
pub fn source_line(deals: &[ReportDeal<'_>]) -> String {
    let Some(first) = deals.first() else { return "Source: pactsim".to_string() };
    let files: Vec<&str> = deals.iter().map(|d| d.file).collect();
    let seeds: Vec<u64> = deals.iter().map(|d| d.output.seed).collect();
    let paths: Vec<u64> = deals.iter().map(|d| d.output.paths).collect();
    let same = |v: &[u64]| v.iter().all(|x| *x == v[0]);
    let seed = if same(&seeds) { format!("seed {}", seeds[0]) } else { "seeds in the report's footer".to_string() };
    let count = if same(&paths) { format!("{} paths", thousands(paths[0])) } else { "paths in the footer".to_string() };
    let mut line = format!("Source: pactsim {}, {}, {seed}, {count}", first.output.version, files.join(", "));
    if !first.output.overrides.is_empty() {
        let _ = write!(line, ", with {}", first.output.overrides.join(" "));
    }
    line
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn stat_band(label: &str, x: &[f64], low: Vec<f64>, high: Vec<f64>, colour: Colour, opacity: f64) -> Layer {
    Layer::Band { label: label.to_string(), x: x.to_vec(), low, high, colour, opacity }
}

fn line(label: &str, points: Vec<(f64, f64)>, colour: Colour, width: u32) -> Layer {
    Layer::Line { label: label.to_string(), points, colour, dashed: false, width }
}

fn chart(title: String, x_title: &str, y_title: &str, source: &str, legend: Corner, plot: Plot) -> Chart {
    Chart {
        title,
        x_title: x_title.to_string(),
        y_title: y_title.to_string(),
        source: source.to_string(),
        values: ValueFormat::Number,
        legend,
        plot,
    }
}

/// A month label `YYYY-MM` as the time of the month's end in years (2026-12 is 2027.0).
fn month_end(label: &str) -> Option<f64> {
    let (year, month) = label.split_once('-')?;
    let (year, month): (i32, i32) = (year.parse().ok()?, month.parse().ok()?);
    (1..=12).contains(&month).then(|| f64::from(year) + f64::from(month) / 12.0)
}

/// The investor's cumulative net cash as a fan: 5–95% and 25–75% bands and the median.
fn cumulative_layers(figures: &PathFigures, colour: Colour, name: Option<&str>, with_outer: bool) -> Vec<Layer> {
    let x: Vec<f64> = figures.cumulative_net_cash.iter().map(|y| f64::from(y.year)).collect();
    let pick = |f: fn(&crate::paths::Quantiles) -> f64| {
        figures.cumulative_net_cash.iter().map(|y| f(&y.usd_bn)).collect::<Vec<_>>()
    };
    let mut layers = Vec::new();
    if with_outer {
        layers.push(stat_band("5–95%", &x, pick(|q| q.p5), pick(|q| q.p95), colour, 0.15));
    }
    // Overlaid deals are told apart by colour: one legend entry each, the median's.
    let (band, median) = match name {
        Some(name) => (String::new(), format!("{name} (median, 25–75% band)")),
        None => ("25–75%".to_string(), "median".to_string()),
    };
    layers.push(stat_band(&band, &x, pick(|q| q.p25), pick(|q| q.p75), colour, 0.3));
    layers.push(line(&median, x.iter().copied().zip(pick(|q| q.p50)).collect(), colour, 3));
    layers
}

/// Every chart of one deal's section, in the order the report shows them.
pub fn deal_charts(d: &ReportDeal<'_>) -> Vec<NamedChart> {
    let source = source_line(std::slice::from_ref(d));
    let o = d.output;
    let id = &o.deal;
    let mut out = Vec::new();
    let mut push = |suffix: &str, caption: String, chart: Chart| {
        out.push(NamedChart { name: format!("{id}-{suffix}"), caption, chart })
    };

    // The investor's cumulative net cash.
    let mut layers = cumulative_layers(d.paths, Colour::nth(0), None, true);
    layers.push(Layer::Level { label: String::new(), y: 0.0, colour: Colour(90, 90, 90), dashed: true });
    push(
        "cumulative-net-cash",
        format!(
            "The investor's cumulative net cash (received minus paid, undiscounted) at each year's end: the median path and the 25–75% and 5–95% ranges across {} paths. Below zero, the investor has paid in more than it has got back.",
            thousands(o.paths)
        ),
        chart(
            format!("{}: investor's cumulative net cash", d.deal.investor),
            "Year (end)",
            "USD billions, nominal",
            &source,
            Corner::LowerLeft,
            Plot::Xy { axis: XAxis::Years, layers },
        ),
    );

    // Yearly flows (means).
    let years: Vec<f64> = o.years.iter().map(|y| f64::from(y.year)).collect();
    let series = [
        ("investor_paid", "investor paid"),
        ("investor_received", "investor received"),
        ("host_tax", "host tax"),
        ("host_received", "host distributions"),
        ("deferred", "deferred past the year"),
    ];
    let layers = series
        .iter()
        .enumerate()
        .map(|(i, (field, label))| {
            let points = years
                .iter()
                .zip(&o.years)
                .map(|(x, y)| (*x, y.figures.get(field).and_then(|s| s.mean).unwrap_or(f64::NAN)))
                .collect();
            Layer::Line {
                label: label.to_string(),
                points,
                colour: Colour::nth(i),
                dashed: *field == "deferred",
                width: 2,
            }
        })
        .collect();
    push(
        "yearly-flows",
        "Flows in each calendar year, mean across paths. Deferred: funding pushed past the year by the annual cap or the stability clause.".to_string(),
        chart(
            "Yearly flows (mean across paths)".to_string(),
            "Calendar year",
            "USD billions a year, nominal",
            &source,
            Corner::UpperRight,
            Plot::Xy { axis: XAxis::Years, layers },
        ),
    );

    // The recoup year.
    if o.totals.recoup_accounts > 0 && d.paths.paths > 0 {
        let r = &d.paths.recoup;
        let total = r.paths.max(1) as f64;
        let mut categories: Vec<String> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        if let (Some(first), Some(last)) = (r.by_year.first(), r.by_year.last()) {
            for year in first.0..=last.0 {
                categories.push(year.to_string());
                let count = r.by_year.iter().find(|(y, _)| *y == year).map_or(0, |(_, n)| *n);
                values.push(count as f64 / total);
            }
        }
        categories.push("never".to_string());
        values.push(r.never as f64 / total);
        let mut recoup = chart(
            "When the investor's capital is recouped".to_string(),
            "Year the last recoup account recouped (never: not by the horizon)",
            "Share of paths",
            &source,
            Corner::UpperLeft,
            Plot::Bars(Bars {
                categories,
                groups: vec![BarGroup { label: String::new(), values, intervals: None, colour: Colour::nth(2) }],
                horizontal: false,
            }),
        );
        recoup.values = ValueFormat::Percent;
        push(
            "recoup-year",
            format!(
                "Share of the {} paths on which every recoup account had recouped, by the year the last one did; \"never\": not by the horizon ({}).",
                thousands(o.paths),
                d.deal.end
            ),
            recoup,
        );
    }

    // The trade side: each market's tariffs and who gains, then the relief of them all by year.
    if let Some(all) = &o.trade {
        let several = all.markets.len() > 1;
        for entry in &all.markets {
            let trade = &entry.market;
            let named = |base: &str| if several { format!("{base}-{}", entry.id) } else { base.to_string() };
            let sources: Vec<String> = trade.base.keys().cloned().collect();
            let names: Vec<String> = sources.iter().map(|s| source_name(s, &trade.importer)).collect();
            let groups = trade
                .tariffs
                .iter()
                .enumerate()
                .map(|(i, (scenario, rates))| BarGroup {
                    label: scenario.replace('_', " "),
                    values: sources.iter().map(|s| rates.get(s).copied().unwrap_or(f64::NAN)).collect(),
                    intervals: None,
                    colour: Colour::nth(i),
                })
                .collect();
            let mut tariffs = chart(
                format!("Tariffs on {} imports into {}, by scenario", trade.sector, trade.importer),
                "Source of supply",
                "Tariff (ad valorem)",
                &source,
                Corner::UpperLeft,
                Plot::Bars(Bars { categories: names.clone(), groups, horizontal: false }),
            );
            tariffs.values = ValueFormat::Percent;
            push(
                &named("tariffs"),
                "The tariff each source of supply faces without the deal, under it, and after a snapback.".to_string(),
                tariffs,
            );

            if let (Some(deal), Some(no_deal)) = (trade.scenarios.get("deal"), trade.scenarios.get("no_deal")) {
                let change = |a: StatJson, b: StatJson| a.mean.zip(b.mean).map_or(f64::NAN, |(a, b)| a - b);
                let mut categories =
                    vec![format!("{} consumers", trade.importer), format!("{} tariff revenue", trade.importer)];
                let mut values = vec![
                    change(deal.consumer_surplus_change_usd_bn, no_deal.consumer_surplus_change_usd_bn),
                    change(deal.tariff_revenue_usd_bn, no_deal.tariff_revenue_usd_bn),
                ];
                for (code, name) in sources.iter().zip(&names) {
                    if let (Some(a), Some(b)) = (deal.sources.get(code), no_deal.sources.get(code)) {
                        categories.push(name.clone());
                        values.push(change(a.producer_surplus_change_usd_bn, b.producer_surplus_change_usd_bn));
                    }
                }
                push(
                    &named("gains-and-losses"),
                    format!(
                        "Who gains and who loses from the deal's tariffs in the {} market: the deal against no deal, a year, mean across paths (consumer surplus, tariff revenue, each source's producer surplus).",
                        trade.sector
                    ),
                    chart(
                        if several {
                            format!("Who gains and who loses on {}: deal against no deal", trade.sector)
                        } else {
                            "Who gains and who loses: deal against no deal".to_string()
                        },
                        "Change, USD billions a year",
                        "",
                        &source,
                        Corner::LowerRight,
                        Plot::Bars(Bars {
                            categories,
                            groups: vec![BarGroup {
                                label: String::new(),
                                values,
                                intervals: None,
                                colour: Colour::nth(0),
                            }],
                            horizontal: true,
                        }),
                    ),
                );
            }
        }
        let relief: Vec<(f64, StatJson)> =
            o.years.iter().filter_map(|y| y.figures.get("tariff_relief").map(|s| (f64::from(y.year), *s))).collect();
        let categories = relief.iter().map(|(y, _)| format!("{y:.0}")).collect();
        let values = relief.iter().map(|(_, s)| s.mean.unwrap_or(f64::NAN)).collect();
        let intervals =
            relief.iter().map(|(_, s)| (s.p5.unwrap_or(f64::NAN), s.p95.unwrap_or(f64::NAN))).collect::<Vec<_>>();
        push(
            "tariff-relief",
            "The investor's tariff relief accrued in each year (its exporters' surplus gain from the deal's tariff, less any snapback): mean, with the 5–95% range as whiskers.".to_string(),
            chart(
                format!("{}'s tariff relief by year", d.deal.investor),
                "Calendar year",
                "USD billions a year",
                &source,
                Corner::UpperRight,
                Plot::Bars(Bars {
                    categories,
                    groups: vec![BarGroup { label: "mean, 5–95% whiskers".into(), values, intervals: Some(intervals), colour: Colour::nth(2) }],
                    horizontal: false,
                }),
            ),
        );
    }

    // The exchange rate and reserves.
    if let Some(fx) = &o.fx {
        let months: Vec<(f64, StatJson)> =
            fx.months.iter().filter_map(|m| month_end(&m.month).map(|x| (x, m.rate))).collect();
        let x: Vec<f64> = months.iter().map(|m| m.0).collect();
        let get =
            |f: fn(&StatJson) -> Option<f64>| months.iter().map(|m| f(&m.1).unwrap_or(f64::NAN)).collect::<Vec<_>>();
        let median = get(|s| s.p50);
        let mut layers = vec![
            stat_band("5–95%", &x, get(|s| s.p5), get(|s| s.p95), Colour::nth(0), 0.2),
            line("median", x.iter().copied().zip(median.iter().copied()).collect(), Colour::nth(0), 3),
        ];
        let mut caption = format!(
            "The {} rate at each month's end ({} model, calibrated {} to {}): median and 5–95% range across paths.",
            fx.pair, fx.model, fx.calibration.from, fx.calibration.to
        );
        if let Some(stability) = d.deal.currency.as_ref().and_then(|c| c.stability.as_ref()) {
            let window = stability.window_months as usize;
            let trigger = stability.depreciation_trigger;
            if trigger < 1.0 && window > 0 {
                let points: Vec<(f64, f64)> =
                    (window..median.len()).map(|i| (x[i], median[i - window] / (1.0 - trigger))).collect();
                layers.push(Layer::Line {
                    label: format!(
                        "clause trigger on the median path: a {:.0}% loss over {window} months",
                        trigger * 100.0
                    ),
                    points,
                    colour: Colour::nth(4),
                    dashed: true,
                    width: 2,
                });
                let _ = write!(
                    caption,
                    " The stability clause lets the investor ask to defer a call when the currency has lost {:.0}% of its dollar value over {window} months (the rate has risen by {:.1}%); the dashed line is that level for the median path.",
                    trigger * 100.0,
                    (1.0 / (1.0 - trigger) - 1.0) * 100.0
                );
            }
        }
        push(
            "exchange-rate",
            caption,
            chart(
                format!("Exchange rate, {}", fx.pair),
                "Year (month ends)",
                &format!("{} (local currency per USD)", fx.pair),
                &source,
                Corner::UpperLeft,
                Plot::Xy { axis: XAxis::Years, layers },
            ),
        );
    }
    if let Some(reserves) = &o.reserves {
        let months: Vec<(f64, StatJson, Option<StatJson>)> = reserves
            .months
            .iter()
            .filter_map(|m| month_end(&m.month).map(|x| (x, m.reserves_usd_bn, m.ara_ratio)))
            .collect();
        let x: Vec<f64> = months.iter().map(|m| m.0).collect();
        let level =
            |f: fn(&StatJson) -> Option<f64>| months.iter().map(|m| f(&m.1).unwrap_or(f64::NAN)).collect::<Vec<_>>();
        let layers = vec![
            stat_band("5–95%", &x, level(|s| s.p5), level(|s| s.p95), Colour::nth(2), 0.2),
            line("median", x.iter().copied().zip(level(|s| s.p50)).collect(), Colour::nth(2), 3),
        ];
        push(
            "reserves",
            format!(
                "{}'s foreign-exchange reserves at each month's end: median and 5–95% range across paths.",
                d.deal.investor
            ),
            chart(
                format!("{}'s reserves", d.deal.investor),
                "Year (month ends)",
                "USD billions",
                &source,
                Corner::LowerLeft,
                Plot::Xy { axis: XAxis::Years, layers },
            ),
        );
        if let (Some(floor), true) = (reserves.ara_floor, months.iter().all(|m| m.2.is_some())) {
            let ratio = |f: fn(&StatJson) -> Option<f64>| {
                months.iter().map(|m| m.2.and_then(|s| f(&s)).unwrap_or(f64::NAN)).collect::<Vec<_>>()
            };
            let layers = vec![
                stat_band("5–95%", &x, ratio(|s| s.p5), ratio(|s| s.p95), Colour::nth(3), 0.2),
                line("median", x.iter().copied().zip(ratio(|s| s.p50)).collect(), Colour::nth(3), 3),
                Layer::Level { label: format!("floor ({floor:.2})"), y: floor, colour: Colour::nth(4), dashed: true },
            ];
            push(
                "ara-ratio",
                format!(
                    "Reserves over the IMF's ARA EM metric ({:.1} USD bn): median and 5–95% range, with the floor below which the stability clause may be invoked; the ratio was below it at some month's end on {:.1}% of paths.",
                    reserves.ara_usd_bn.unwrap_or(f64::NAN),
                    reserves.breach_probability.unwrap_or(0.0) * 100.0
                ),
                chart(
                    "Reserve adequacy (ARA ratio)".to_string(),
                    "Year (month ends)",
                    "Reserves / ARA metric (ratio)",
                    &source,
                    Corner::LowerLeft,
                    Plot::Xy { axis: XAxis::Years, layers },
                ),
            );
        }
    }
    out
}

fn source_name(code: &str, importer: &str) -> String {
    if code == "domestic" { format!("{importer} producers") } else { format!("{code} exporters") }
}

/// The charts that overlay several deals (none for one deal).
pub fn comparison_charts(deals: &[ReportDeal<'_>]) -> Vec<NamedChart> {
    if deals.len() < 2 {
        return Vec::new();
    }
    let source = source_line(deals);
    let mut layers: Vec<Layer> = Vec::new();
    for (i, d) in deals.iter().enumerate() {
        layers.extend(cumulative_layers(d.paths, Colour::nth(i), Some(&d.output.deal), false));
    }
    layers.push(Layer::Level { label: String::new(), y: 0.0, colour: Colour(90, 90, 90), dashed: true });
    let mut out = vec![NamedChart {
        name: "comparison-cumulative-net-cash".to_string(),
        caption: "The investor's cumulative net cash under each deal: median and 25–75% range across paths."
            .to_string(),
        chart: chart(
            "Investor's cumulative net cash, deal by deal".to_string(),
            "Year (end)",
            "USD billions, nominal",
            &source,
            Corner::LowerLeft,
            Plot::Xy { axis: XAxis::Years, layers },
        ),
    }];
    let with_ratio: Vec<&ReportDeal<'_>> = deals
        .iter()
        .filter(|d| d.output.reserves.as_ref().is_some_and(|r| r.months.iter().all(|m| m.ara_ratio.is_some())))
        .collect();
    if with_ratio.len() >= 2 {
        let mut layers = Vec::new();
        for (i, d) in with_ratio.iter().enumerate() {
            let Some(reserves) = &d.output.reserves else { continue };
            let points =
                reserves.months.iter().filter_map(|m| Some((month_end(&m.month)?, m.ara_ratio?.p50?))).collect();
            let floor = reserves.ara_floor.map_or(String::new(), |f| format!("; floor {f:.2}, dashed"));
            layers.push(line(&format!("{} (median{floor})", d.output.deal), points, Colour::nth(i), 3));
            if let Some(floor) = reserves.ara_floor {
                layers.push(Layer::Level { label: String::new(), y: floor, colour: Colour::nth(i), dashed: true });
            }
        }
        out.push(NamedChart {
            name: "comparison-ara-ratio".to_string(),
            caption: "Reserve adequacy under each deal: the median ARA ratio and each deal's floor.".to_string(),
            chart: chart(
                "Reserve adequacy (ARA ratio), deal by deal".to_string(),
                "Year (month ends)",
                "Reserves / ARA metric (ratio)",
                &source,
                Corner::LowerLeft,
                Plot::Xy { axis: XAxis::Years, layers },
            ),
        });
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; color: #1a1a1a; background: #fff;
  max-width: 62rem; margin: 0 auto; padding: 1.5rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .4rem; border-bottom: 2px solid #0072b2; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .4rem; }
p.meta, p.note, figcaption, footer { color: #444; font-size: .88rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; }
td.range { color: #555; white-space: nowrap; }
.n { font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1rem 0 1.5rem; }
figure svg { display: block; width: 100%; height: auto; max-width: 960px; }
figure svg text { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; }
dl.sources dt { font-weight: bold; margin-top: .6rem; font-family: monospace; }
dl.sources dd { margin: .1rem 0 .4rem 1.2rem; }
dl.sources ul { margin: .2rem 0; padding-left: 1.2rem; }
a.source { word-break: break-all; color: #0b5c99; }
footer { margin-top: 3rem; border-top: 1px solid #ccc; padding-top: .8rem; }
footer code { word-break: break-all; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure, table, dl.sources dd { break-inside: avoid; }
  section.deal + section.deal { break-before: page; }
  a.source { color: #000; text-decoration: none; }
}
"#;

/// Tables of yearly flows are long; they show these figures, as means.
const YEAR_COLUMNS: [(&str, &str); 6] = [
    ("investor_paid", "Investor paid"),
    ("investor_received", "Investor received"),
    ("host_tax", "Host tax"),
    ("host_received", "Host distributions"),
    ("deferred", "Deferred"),
    ("tariff_relief", "Tariff relief"),
];

/// The report for one or several deals' runs, as one HTML page.
pub fn report_html(deals: &[ReportDeal<'_>]) -> Result<String, ChartError> {
    let mut h = String::new();
    let title = match deals {
        [one] => format!("pactsim report: {}", one.output.title),
        _ => format!("pactsim report: {} deals compared", deals.len()),
    };
    let version = deals.first().map_or("", |d| d.output.version.as_str());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"pactsim {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(version),
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\">Monte Carlo simulation by pactsim {}. Money is in USD billions, nominal, unless a label says otherwise. \"5–95%\" is the range between the 5th and 95th percentiles across paths: nine paths in ten fall inside it. Deal files, seeds, paths and overrides are listed at the end, so every number can be reproduced.</p>\n</header>",
        esc(version)
    );

    if deals.len() > 1 {
        h.push_str("<section id=\"comparison\">\n<h2>The deals side by side</h2>\n");
        h.push_str("<p class=\"note\">Mean across paths, with the 5–95% range below it.</p>\n<table class=\"headline comparison\">\n<thead><tr><th>Figure</th>");
        for d in deals {
            let _ = write!(h, "<th>{}</th>", esc(&d.output.deal));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        // Rows in the order of the first deal, plus any the others add.
        let mut labels: Vec<(&str, &str, Display)> = Vec::new();
        for d in deals {
            for (field, label, how, _) in headline_rows(d.output) {
                if !labels.iter().any(|(f, _, _)| *f == field) {
                    labels.push((field, label, how));
                }
            }
        }
        for (field, label, how) in labels {
            let _ = write!(h, "<tr><td>{}</td>", esc(label));
            for d in deals {
                match headline_rows(d.output).into_iter().find(|r| r.0 == field) {
                    Some((_, _, _, stat)) => {
                        let _ = write!(
                            h,
                            "<td>{}<br><span class=\"range\">{} to {}</span></td>",
                            number(&d.output.deal, field, "mean", stat.mean, how),
                            number(&d.output.deal, field, "p5", stat.p5, how),
                            number(&d.output.deal, field, "p95", stat.p95, how)
                        );
                    }
                    None => h.push_str("<td>–</td>"),
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
        for named in comparison_charts(deals) {
            figure(&mut h, &named)?;
        }
        h.push_str("</section>\n");
    }

    for d in deals {
        deal_section(&mut h, d)?;
    }

    footer(&mut h, deals);
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// A self-contained page of charts with a title, an introduction and a footer line, in the
/// report's style: what `compare`, `sensitivity` and `frontier --report FILE` can write around
/// their own charts (tornado and Sobol bars: `Plot::Bars` with `horizontal` and `intervals`; the
/// frontier: `Layer::Points`), with `source_line` for their source lines.
pub fn chart_page(title: &str, intro: &str, charts: &[NamedChart], footer: &str) -> Result<String, ChartError> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{0}</h1>\n<p class=\"meta\">{1}</p>\n</header>\n",
        esc(title),
        esc(intro)
    );
    for named in charts {
        figure(&mut h, named)?;
    }
    let _ = write!(h, "<footer>\n<p>{}</p>\n</footer>\n</body>\n</html>\n", esc(footer));
    Ok(h)
}

fn figure(h: &mut String, named: &NamedChart) -> Result<(), ChartError> {
    let svg = charts::svg(&named.chart, charts::BASE_SIZE)?;
    let _ = write!(
        h,
        "<figure id=\"{}\" class=\"chart\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        esc(&named.name),
        svg_for_html(&svg, &named.chart.title),
        esc(&named.caption)
    );
    Ok(())
}

/// The SVG document as an element of the page: its accessible name, and no XML prologue.
fn svg_for_html(svg: &str, title: &str) -> String {
    let body = svg.trim_start_matches(|c: char| c != '<');
    let body = if body.starts_with("<?xml") {
        body.split_once("?>").map_or(body, |(_, rest)| rest.trim_start())
    } else {
        body
    };
    match body.strip_prefix("<svg") {
        Some(rest) => format!("<svg role=\"img\" aria-label=\"{}\"{rest}", esc(title)),
        None => body.to_string(),
    }
}

fn deal_section(h: &mut String, d: &ReportDeal<'_>) -> Result<(), ChartError> {
    let o = d.output;
    let id = o.deal.as_str();
    let _ = writeln!(
        h,
        "<section class=\"deal\" id=\"deal-{}\">\n<h2>{}</h2>\n<p class=\"meta\">Deal <code>{}</code> in <code>{}</code>: {} invests, {} hosts; from {} to {} ({} years). {} paths, seed {}.{}</p>",
        esc(id),
        esc(&o.title),
        esc(id),
        esc(d.file),
        esc(&d.deal.investor),
        esc(&d.deal.host),
        d.deal.start,
        d.deal.end,
        d.deal.horizon_years,
        thousands(o.paths),
        o.seed,
        if o.overrides.is_empty() {
            String::new()
        } else {
            format!(" Overrides: <code>{}</code>.", esc(&o.overrides.join(" ")))
        }
    );

    h.push_str("<h3>Headline figures</h3>\n<table class=\"headline\">\n<thead><tr><th>Figure</th><th>Mean</th><th>5%</th><th>Median</th><th>95%</th></tr></thead>\n<tbody>\n");
    for (field, label, how, stat) in headline_rows(o) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(label),
            number(id, field, "mean", stat.mean, how),
            number(id, field, "p5", stat.p5, how),
            number(id, field, "p50", stat.p50, how),
            number(id, field, "p95", stat.p95, how)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    let t = &o.totals;
    let mut notes = Vec::new();
    if t.investor_irr.defined_share.is_some_and(|s| s < 1.0) {
        notes.push(format!(
            "The IRR exists on {:.1}% of paths (where the investor's flows change sign); its figures are over those paths.",
            t.investor_irr.defined_share.unwrap_or(0.0) * 100.0
        ));
    }
    if let Some(share) = t.recouped_share {
        notes.push(format!(
            "Every recoup account recouped by the horizon on {:.1}% of paths; the recoup year is over those paths.",
            share * 100.0
        ));
    } else {
        notes.push("No waterfall runs until recouped: there is nothing to recoup.".to_string());
    }
    if o.deterministic {
        notes.push("Nothing in this deal is random: every path is the same, and so are the quantiles.".to_string());
    }
    let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&notes.join(" ")));

    let charts = deal_charts(d);
    let section_of = |name: &str| {
        let suffix = name.strip_prefix(id).unwrap_or(name).trim_start_matches('-');
        match suffix {
            "cumulative-net-cash" | "yearly-flows" => "cash",
            "recoup-year" => "recoup",
            "tariffs" | "tariff-relief" | "gains-and-losses" => "trade",
            _ => "currency",
        }
    };
    let shown = |h: &mut String, part: &str| -> Result<(), ChartError> {
        for named in charts.iter().filter(|c| section_of(&c.name) == part) {
            figure(h, named)?;
        }
        Ok(())
    };

    h.push_str("<h3>The investor's cash</h3>\n");
    shown(h, "cash")?;
    year_table(h, o);

    if t.recoup_accounts > 0 {
        h.push_str("<h3>Recoup</h3>\n");
        let r = &d.paths.recoup;
        let _ = writeln!(
            h,
            "<p>Never recouped by the horizon: <span class=\"n\">{:.1}%</span> of paths. Median recoup year where recouped: <span class=\"n\">{}</span>.</p>",
            r.never as f64 / r.paths.max(1) as f64 * 100.0,
            display(t.recoup_year.p50, Display::Year)
        );
        shown(h, "recoup")?;
        h.push_str("<table class=\"accounts\">\n<thead><tr><th>Recoup account</th><th>Waterfall</th><th>Recouped on the central path</th></tr></thead>\n<tbody>\n");
        for account in &o.recoup_accounts {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&account.account),
                esc(&account.waterfall),
                account.recouped_on.as_deref().map_or("not by the horizon".to_string(), esc)
            );
        }
        h.push_str("</tbody>\n</table>\n<p class=\"note\">The central path: every distribution at its central value, no defaults, no refusals, no generated projects.</p>\n");
    }

    if let Some(all) = &o.trade {
        h.push_str("<h3>The trade side</h3>\n");
        let _ = writeln!(
            h,
            "<p>The investor's tariff relief over every market the deal moves: <span class=\"n\">{}</span> USD bn a year (mean; 5–95%: {} to {}), its exporters' surplus gain, which enters the deal NPV. The press's yardstick, the tariff cut times base-year sales: {} USD bn a year.</p>",
            display(all.investor_tariff_relief_usd_bn_per_year.mean, Display::Money),
            display(all.investor_tariff_relief_usd_bn_per_year.p5, Display::Money),
            display(all.investor_tariff_relief_usd_bn_per_year.p95, Display::Money),
            display(Some(all.duty_saved_usd_bn_per_year), Display::Money),
        );
        for entry in &all.markets {
            let trade = &entry.market;
            let _ = writeln!(
                h,
                "<p>{} imports into {} (base year {}, {}); the deal's tariffs apply from {}. Relief <span class=\"n\">{}</span> USD bn a year (mean; 5–95%: {} to {}); duty saved {} USD bn a year.</p>",
                esc(&trade.sector),
                esc(&trade.importer),
                trade.year,
                esc(&trade.market),
                esc(&trade.effective),
                display(entry.investor_tariff_relief_usd_bn_per_year.mean, Display::Money),
                display(entry.investor_tariff_relief_usd_bn_per_year.p5, Display::Money),
                display(entry.investor_tariff_relief_usd_bn_per_year.p95, Display::Money),
                display(Some(entry.duty_saved_usd_bn_per_year), Display::Money),
            );
            h.push_str("<table class=\"trade\">\n<thead><tr><th>Source</th><th>Base value (USD bn)</th>");
            for scenario in trade.tariffs.keys() {
                let _ = write!(h, "<th>Tariff: {}</th>", esc(&scenario.replace('_', " ")));
            }
            h.push_str("</tr></thead>\n<tbody>\n");
            for (code, base) in &trade.base {
                let _ = write!(h, "<tr><td>{}</td><td>{:.2}</td>", esc(code), base.value_usd_bn);
                for rates in trade.tariffs.values() {
                    let _ = write!(
                        h,
                        "<td>{}</td>",
                        rates.get(code).map_or("–".to_string(), |r| format!("{:.1}%", r * 100.0))
                    );
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody>\n</table>\n");
        }
        shown(h, "trade")?;
    }

    if o.fx.is_some() || o.reserves.is_some() {
        h.push_str("<h3>The exchange rate and reserves</h3>\n");
        if let Some(reserves) = &o.reserves {
            let _ = writeln!(
                h,
                "<p>Deferral requests under the stability clause: <span class=\"n\">{}</span> a path (mean), <span class=\"n\">{}</span> granted. The swap line was drawn on <span class=\"n\">{:.1}%</span> of paths.</p>",
                display(reserves.deferral_requests.mean, Display::Count),
                display(reserves.deferrals_granted.mean, Display::Count),
                reserves.swap_draw_probability * 100.0
            );
        }
        shown(h, "currency")?;
    }

    h.push_str("<h3>Sources and assumptions</h3>\n");
    if d.provenance.is_empty() {
        h.push_str("<p>The deal file cites no sources.</p>\n");
    } else {
        h.push_str("<p class=\"note\">As the deal file gives them, table by table: its notes say which numbers are sourced and which are assumptions.</p>\n<dl class=\"sources\">\n");
        for p in d.provenance {
            let name = if p.table.is_empty() { "(the file)" } else { p.table.as_str() };
            let _ = writeln!(h, "<dt>[{}]</dt>\n<dd>", esc(name));
            if let Some(note) = &p.note {
                for paragraph in note.split("\n\n") {
                    let _ = writeln!(h, "<p>{}</p>", esc(&paragraph.split_whitespace().collect::<Vec<_>>().join(" ")));
                }
            }
            if !p.sources.is_empty() {
                h.push_str("<ul>\n");
                for source in &p.sources {
                    if is_web_address(source) {
                        let _ = writeln!(h, "<li><a class=\"source\" href=\"{0}\">{0}</a></li>", esc(source));
                    } else {
                        let _ = writeln!(h, "<li>{}</li>", esc(source));
                    }
                }
                h.push_str("</ul>\n");
            }
            h.push_str("</dd>\n");
        }
        h.push_str("</dl>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

/// Only `http` and `https` addresses become links.
fn is_web_address(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace)
}

fn year_table(h: &mut String, o: &RunOutput) {
    let columns: Vec<(&str, &str)> = YEAR_COLUMNS
        .iter()
        .copied()
        .filter(|(field, _)| o.years.first().is_some_and(|y| y.figures.contains_key(field)))
        .collect();
    h.push_str("<table class=\"years\">\n<thead><tr><th>Year</th>");
    for (_, label) in &columns {
        let _ = write!(h, "<th>{label}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for year in &o.years {
        let _ = write!(h, "<tr><td>{}</td>", year.year);
        for (field, _) in &columns {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                display(year.figures.get(field).and_then(|s| s.mean), Display::Money)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n<p class=\"note\">USD billions in each calendar year, mean across paths.</p>\n");
}

fn footer(h: &mut String, deals: &[ReportDeal<'_>]) {
    h.push_str("<footer>\n<h2>Reproduce these numbers</h2>\n");
    if let Some(first) = deals.first() {
        let _ = writeln!(
            h,
            "<p>pactsim {}. Random streams: {}.</p>",
            esc(&first.output.version),
            esc(&first.output.random)
        );
    }
    h.push_str("<table class=\"files\">\n<thead><tr><th>Deal file</th><th>SHA-256 of its text</th><th>Seed</th><th>Paths</th><th>Overrides</th></tr></thead>\n<tbody>\n");
    for d in deals {
        let overrides = if d.output.overrides.is_empty() { "none".to_string() } else { d.output.overrides.join(" ") };
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td><code class=\"sha256\">{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(d.file),
            esc(d.sha256),
            d.output.seed,
            d.output.paths,
            esc(&overrides)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    let mut command = String::from("pactsim report");
    for d in deals {
        let _ = write!(command, " {}", d.file);
    }
    if let Some(first) = deals.first() {
        let _ = write!(command, " --seed {} --paths {}", first.output.seed, first.output.paths);
        for o in &first.output.overrides {
            match o.strip_prefix('!') {
                Some(key) => {
                    let _ = write!(command, " --unset {key}");
                }
                None => {
                    let _ = write!(command, " --set '{o}'");
                }
            }
        }
    }
    let _ = writeln!(h, "<p>The same numbers again: <code>{} -o report.html</code></p>\n</footer>", esc(&command));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_one_way_per_kind() {
        assert_eq!(display(Some(-65.537), Display::Money), "-65.54");
        assert_eq!(display(Some(0.022975), Display::Percent), "2.30%");
        assert_eq!(display(Some(2033.4), Display::Year), "2033");
        assert_eq!(display(None, Display::Money), "–");
        assert_eq!(display(Some(f64::NAN), Display::Ratio), "–");
    }

    #[test]
    fn text_is_escaped_and_only_web_addresses_are_links() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert!(is_web_address("https://example.org/a?b=c"));
        assert!(!is_web_address("javascript:alert(1)") && !is_web_address("A ministry briefing"));
    }

    #[test]
    fn the_hash_is_sha256() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_page_of_charts_holds_each_chart_inline() {
        let tornado = NamedChart {
            name: "tornado".into(),
            caption: "Deal NPV when each term moves".into(),
            chart: Chart {
                title: "Tornado".into(),
                x_title: "Deal NPV, USD billions".into(),
                y_title: String::new(),
                source: "Source: test".into(),
                values: ValueFormat::Number,
                legend: Corner::LowerRight,
                plot: Plot::Bars(Bars {
                    categories: vec!["cap".into(), "split".into()],
                    groups: vec![BarGroup {
                        label: "low".into(),
                        values: vec![-3.0, -1.0],
                        intervals: None,
                        colour: Colour::nth(0),
                    }],
                    horizontal: true,
                }),
            },
        };
        let page = chart_page("Sensitivity <of> a deal", "intro", &[tornado], "pactsim test").unwrap();
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<figure id=\"tornado\""));
        assert!(page.contains("Sensitivity &lt;of&gt; a deal") && page.contains("<svg role=\"img\""));
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(10000), "10,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
