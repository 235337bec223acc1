//! `pactsim compare A.toml B.toml … [--variant "NAME: --set KEY=VALUE --unset KEY"]`: deals side
//! by side on the same paths, and each one's paired differences against the first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::analysis::compare::{CompareOutput, CompareRequest, ComparedDeal, Entry};
use pactsim::output::StatJson;
use pactsim::spec::Override;
use serde_json::Value;

use super::analysis::{
    AnalysisFlags, DealText, How, check_out_dir, number, overrides_note, percent, print_json, print_text, refused,
    thousands,
};
use crate::Failure;

/// The arguments of `compare`.
pub struct CompareArgs<'a> {
    pub files: &'a [PathBuf],
    pub variants: &'a [String],
    pub overrides: &'a [Override],
    pub json: bool,
    pub out: Option<&'a Path>,
    pub runs: &'a AnalysisFlags,
    pub how: How<'a>,
}

pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    check_out_dir(args.out)?;
    let mut variants = Vec::with_capacity(args.variants.len());
    for text in args.variants {
        match parse_variant(text) {
            Ok(variant) => variants.push(variant),
            Err(why) => {
                eprintln!("error: --variant `{text}`: {why}");
                eprintln!(
                    "hint: write a variant as \"NAME: --set KEY=VALUE --unset KEY\", e.g. \"no clause: --unset stability\""
                );
                return Err(Failure::BadInput);
            }
        }
    }
    let texts: Vec<DealText> = args.files.iter().map(|f| args.how.read(f)).collect::<Result<_, _>>()?;
    let mut entries: Vec<Entry> = args
        .files
        .iter()
        .zip(&texts)
        .map(|(file, deal)| Entry::file(file.display().to_string(), deal.text.clone()))
        .collect();
    let mut named: Vec<&DealText> = texts.iter().collect();
    for (label, overrides) in variants {
        entries.push(Entry { label: Some(label), overrides, ..entries[0].clone() });
        named.push(&texts[0]);
    }
    let request = CompareRequest { entries, common: args.runs.common(args.overrides) };
    let prepared = request.prepare().map_err(|error| refused(&named, error))?;
    let Some(document) = args.how.execute(prepared, args.runs, args.json, |error| refused(&named, error))? else {
        return Ok(());
    };
    if let Some(dir) = args.out {
        write_outputs(dir, &document).with_context(|| format!("writing results to {}", dir.display()))?;
    }
    if args.json {
        print_json(&document)
    } else {
        let mut text = render(&document);
        if let Some(dir) = args.out {
            let _ = writeln!(text, "\nWrote compare.json, deals.csv, differences.csv to {}", dir.display());
        }
        print_text(&text)
    }
}

/// Reads `NAME: --set KEY=VALUE --unset KEY …` (values with spaces in quotes).
pub fn parse_variant(text: &str) -> Result<(String, Vec<Override>), String> {
    let (name, flags) = text.split_once(':').ok_or("no `:` after the variant's name")?;
    let name = name.trim();
    if name.is_empty() {
        return Err("no name before `:`".into());
    }
    let words = split_words(flags)?;
    let mut overrides = Vec::new();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((flag, rest)) if flag.starts_with("--") => (flag.to_string(), Some(rest.to_string())),
            _ => (word, None),
        };
        let mut argument = || inline.clone().or_else(|| words.next()).ok_or(format!("{flag} without its argument"));
        match flag.as_str() {
            "--set" => overrides.push(Override::parse_set(&argument()?).map_err(|e| e.to_string())?),
            "--unset" => overrides.push(Override::unset(argument()?.trim())),
            other => return Err(format!("`{other}` is not --set or --unset")),
        }
    }
    Ok((name.to_string(), overrides))
}

/// Words separated by spaces; single or double quotes keep spaces in a word.
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    words.extend(word);
    Ok(words)
}

/// How a row's numbers are shown.
#[derive(Clone, Copy)]
enum Format {
    Money,
    Percent,
    Multiple,
    Plain,
}

impl Format {
    fn show(self, value: Option<f64>) -> String {
        match self {
            Format::Money | Format::Plain => number(value),
            Format::Percent => percent(value),
            Format::Multiple => value.map_or("-".into(), |v| format!("{v:.2}x")),
        }
    }

    /// A difference's mean with its sign, and its standard error.
    fn difference(self, mean: f64, se: f64) -> String {
        match self {
            Format::Percent => format!("{:+.1}% ± {:.1}%", mean * 100.0, se * 100.0),
            Format::Multiple => format!("{mean:+.2}x ± {se:.2}x"),
            Format::Money | Format::Plain => format!("{mean:+.2} ± {se:.2}"),
        }
    }
}

/// A row of the table: its title, the figure's name in the differences, its mean in an entry.
struct Row {
    title: &'static str,
    figure: &'static str,
    format: Format,
    mean: fn(&ComparedDeal) -> Option<f64>,
}

fn mean(stat: Option<StatJson>) -> Option<f64> {
    stat.and_then(|s| s.mean)
}

const ROWS: &[Row] = &[
    Row {
        title: "investor paid, USD bn",
        figure: "investor_paid",
        format: Format::Money,
        mean: |d| d.totals.investor_paid.mean,
    },
    Row {
        title: "investor received, USD bn",
        figure: "investor_received",
        format: Format::Money,
        mean: |d| d.totals.investor_received.mean,
    },
    Row {
        title: "investor NPV, USD bn",
        figure: "investor_npv",
        format: Format::Money,
        mean: |d| d.totals.investor_npv.mean,
    },
    Row {
        title: "investor IRR",
        figure: "investor_irr",
        format: Format::Percent,
        mean: |d| d.totals.investor_irr.mean,
    },
    Row {
        title: "investor MOIC",
        figure: "investor_moic",
        format: Format::Multiple,
        mean: |d| d.totals.investor_moic.mean,
    },
    Row {
        title: "host received, USD bn",
        figure: "host_received",
        format: Format::Money,
        mean: |d| d.totals.host_received.mean,
    },
    Row { title: "host NPV, USD bn", figure: "host_npv", format: Format::Money, mean: |d| d.totals.host_npv.mean },
    Row {
        title: "recouped (share of paths)",
        figure: "recouped_share",
        format: Format::Percent,
        mean: |d| d.totals.recouped_share,
    },
    Row { title: "recoup year", figure: "recoup_year", format: Format::Plain, mean: |d| d.totals.recoup_year.mean },
    Row {
        title: "guarantee calls, USD bn",
        figure: "guarantee_calls",
        format: Format::Money,
        mean: |d| d.totals.guarantee_calls.mean,
    },
    Row { title: "losses, USD bn", figure: "losses", format: Format::Money, mean: |d| d.totals.losses.mean },
    Row {
        title: "tariff relief NPV, USD bn",
        figure: "tariff_relief_npv",
        format: Format::Money,
        mean: |d| mean(d.totals.tariff_relief_npv),
    },
    Row { title: "deal NPV, USD bn", figure: "deal_npv", format: Format::Money, mean: |d| mean(d.totals.deal_npv) },
    Row {
        title: "investor NPV per USD committed",
        figure: "",
        format: Format::Plain,
        mean: |d| d.per_usd_committed.investor_npv.mean.map(|v| v * 100.0),
    },
    Row {
        title: "deal NPV per USD committed",
        figure: "",
        format: Format::Plain,
        mean: |d| mean(d.per_usd_committed.deal_npv).map(|v| v * 100.0),
    },
    Row {
        title: "reserves below the ARA floor (paths)",
        figure: "breach_probability",
        format: Format::Percent,
        mean: |d| d.reserves.as_ref().and_then(|r| r.breach_probability),
    },
    Row {
        title: "lowest month-end reserves, USD bn",
        figure: "",
        format: Format::Money,
        mean: |d| d.reserves.as_ref().and_then(|r| r.low_point.reserves_usd_bn.mean),
    },
    Row {
        title: "deferral requests per path",
        figure: "deferral_requests",
        format: Format::Plain,
        mean: |d| d.reserves.as_ref().and_then(|r| r.deferral_requests.mean),
    },
    Row {
        title: "deferrals granted per path",
        figure: "deferrals_granted",
        format: Format::Plain,
        mean: |d| d.reserves.as_ref().and_then(|r| r.deferrals_granted.mean),
    },
];

/// The comparison as two tables: the deals' means side by side, then the differences.
pub fn render(document: &CompareOutput) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Compared on the same {} paths (seed {}{}); means over paths",
        thousands(document.paths),
        document.seed,
        overrides_note(&document.overrides)
    );
    for deal in &document.deals {
        let own = deal.overrides.len() - document.overrides.len();
        let changes = if own > 0 {
            format!(" with {}", deal.overrides[document.overrides.len()..].join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(text, "  {}: {}{changes}", deal.label, deal.file);
    }
    let title_width = ROWS.iter().map(|r| r.title.len()).max().unwrap_or(0);
    let width = |label: &str| label.chars().count().max(12);
    let _ = write!(text, "\n{:title_width$}", "");
    for deal in &document.deals {
        let _ = write!(text, "  {:>w$}", deal.label, w = width(&deal.label));
    }
    text.push('\n');
    for row in ROWS {
        let values: Vec<Option<f64>> = document.deals.iter().map(|d| (row.mean)(d)).collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        let _ = write!(text, "{:title_width$}", row.title);
        for (deal, value) in document.deals.iter().zip(values) {
            let _ = write!(text, "  {:>w$}", row.format.show(value), w = width(&deal.label));
        }
        text.push('\n');
    }
    let _ = writeln!(text, "(per USD committed: cents of present value per dollar of the facilities' commitments)");
    if let Some(first) = document.differences.first() {
        let _ = writeln!(
            text,
            "\nDifferences against {} (mean ± standard error of the per-path differences)",
            first.versus
        );
        let width = |label: &str| label.chars().count().max(20);
        let _ = write!(text, "{:title_width$}", "");
        for difference in &document.differences {
            let _ = write!(text, "  {:>w$}", difference.deal, w = width(&difference.deal));
        }
        text.push('\n');
        for row in ROWS.iter().filter(|r| !r.figure.is_empty()) {
            if document.differences.iter().all(|d| !d.figures.contains_key(row.figure)) {
                continue;
            }
            let _ = write!(text, "{:title_width$}", row.title);
            for difference in &document.differences {
                let cell =
                    difference.figures.get(row.figure).map_or("-".into(), |d| row.format.difference(d.mean, d.se));
                let _ = write!(text, "  {:>w$}", cell, w = width(&difference.deal));
            }
            text.push('\n');
        }
    }
    text
}

/// `compare.json`, `deals.csv` (one row per deal and figure) and `differences.csv`.
fn write_outputs(dir: &Path, document: &CompareOutput) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(document)? + "\n";
    crate::files::write_all(&[
        (dir.join("compare.json"), json.into_bytes()),
        (dir.join("deals.csv"), deals_csv(document)?),
        (dir.join("differences.csv"), differences_csv(document)?),
    ])
}

/// Every figure of every deal, one per row, from the document as JSON (so every figure the
/// document has is there): totals, the reserves' figures, and the figures per USD committed.
fn deals_csv(document: &CompareOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["label", "deal", "file", "figure", "mean", "mean_se", "p5", "p50", "p95", "defined_share"])?;
    for deal in &document.deals {
        let value = serde_json::to_value(deal)?;
        let mut rows: Vec<(String, &Value)> = Vec::new();
        if let Some(totals) = value["totals"].as_object() {
            rows.extend(totals.iter().map(|(name, v)| (name.clone(), v)));
        }
        if let Some(reserves) = value["reserves"].as_object() {
            for (name, v) in reserves {
                if name == "low_point" {
                    rows.push(("reserves_low_point_usd_bn".into(), &v["reserves_usd_bn"]));
                } else {
                    rows.push((name.clone(), v));
                }
            }
        }
        if let Some(per_usd) = value["per_usd_committed"].as_object() {
            rows.extend(per_usd.iter().map(|(name, v)| (format!("{name}_per_usd_committed"), v)));
        }
        for (figure, v) in rows {
            let cell = |key: &str| v.get(key).and_then(Value::as_f64).map(|x| x.to_string()).unwrap_or_default();
            let mut record = vec![deal.label.clone(), deal.deal.clone(), deal.file.clone(), figure];
            match v {
                Value::Object(_) => record.extend(["mean", "mean_se", "p5", "p50", "p95", "defined_share"].map(cell)),
                Value::Number(n) => {
                    record.push(n.to_string());
                    record.extend(std::iter::repeat_n(String::new(), 5));
                }
                _ => continue,
            }
            writer.write_record(&record)?;
        }
    }
    Ok(writer.into_inner()?)
}

fn differences_csv(document: &CompareOutput) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["deal", "versus", "figure", "mean", "se", "defined_share"])?;
    for difference in &document.differences {
        for (figure, d) in &difference.figures {
            writer.write_record([
                difference.deal.clone(),
                difference.versus.clone(),
                figure.to_string(),
                d.mean.to_string(),
                d.se.to_string(),
                d.defined_share.map(|s| s.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_read_sets_unsets_and_quoted_values() {
        let (name, overrides) =
            parse_variant("cap 25: --set facility.strategic.annual_cap_usd_bn=25 --unset stability").unwrap();
        assert_eq!(name, "cap 25");
        assert_eq!(
            overrides,
            [Override::set("facility.strategic.annual_cap_usd_bn", "25"), Override::unset("stability")]
        );
        let (_, quoted) = parse_variant("lag: --set='facility.strategic.funding_lag={ days = 30 }'").unwrap();
        assert_eq!(quoted, [Override::set("facility.strategic.funding_lag", "{ days = 30 }")]);
        assert_eq!(parse_variant("same:").unwrap().1, []);
        for bad in ["no colon --unset stability", ": --unset stability", "x: --sett a=1", "x: --set", "x: --set 'a=1"] {
            assert!(parse_variant(bad).is_err(), "{bad}");
        }
    }
}
