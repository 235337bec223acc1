//! Deals side by side on common random numbers: each deal's totals exactly as `pactsim run` gives
//! them with the same seed, paths and overrides, its figures per dollar committed, and every deal's
//! paired differences against the first.
//!
//! A deal can be compared with variants of itself: an entry is a deal's text with overrides of its
//! own (applied after the common ones), so "the MOU without its stability clause" is the MOU's
//! text and `!stability`.

use std::sync::atomic::AtomicBool;

use indexmap::IndexMap;
use serde::Serialize;

use super::evaluate::{PathValues, evaluate};
use super::{Common, Crn, Difference, Figure, Progress, SCHEMA, chained, paired, parse};
use crate::Cancelled;
use crate::Error;
use crate::output::{StatJson, Totals};
use crate::spec::Override;
use pactsim_model::deal::Deal;
use pactsim_montecarlo::Total;

/// One deal to compare: a file's text, or a variant of it (its own overrides and a label).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Where the text came from, as the output records it (a file's path).
    pub file: String,
    pub text: String,
    /// The name the output gives the entry; `None`: the deal's id.
    pub label: Option<String>,
    /// Applied after the common overrides.
    pub overrides: Vec<Override>,
}

impl Entry {
    /// A deal file compared as it is.
    pub fn file(file: impl Into<String>, text: impl Into<String>) -> Entry {
        Entry { file: file.into(), text: text.into(), label: None, overrides: Vec::new() }
    }
}

/// Deals to compare, in order: differences are against the first.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    pub entries: Vec<Entry>,
    pub common: Common,
}

impl CompareRequest {
    /// Validates every deal with its overrides and resolves the seed and paths (the first deal's
    /// `[run]` by default). Error: the first problem found, naming the entry.
    pub fn prepare(&self) -> Result<PreparedCompare, Error> {
        if self.entries.len() < 2 {
            return Err(Error::InvalidRequest {
                parameter: "deals",
                message: format!(
                    "found {} deal, expected at least two to compare (deal files, or one file and --variant)",
                    self.entries.len()
                ),
            });
        }
        let fits = crate::spec::FxFits::default();
        let mut deals = Vec::with_capacity(self.entries.len());
        for (index, entry) in self.entries.iter().enumerate() {
            let overrides = chained(&self.common.overrides, entry.overrides.iter().cloned());
            let change = entry.label.as_ref().map(|label| format!("variant `{label}`"));
            deals.push(parse(&entry.text, &overrides, &fits, index, change)?);
        }
        let crn = self.common.resolve(&deals[0])?;
        Ok(PreparedCompare { request: self.clone(), deals, crn })
    }
}

/// A comparison whose deals are valid, with its seed and paths resolved.
pub struct PreparedCompare {
    request: CompareRequest,
    deals: Vec<Deal>,
    crn: Crn,
}

impl PreparedCompare {
    pub fn crn(&self) -> Crn {
        self.crn
    }

    /// Paths over all evaluations, for a progress bar.
    pub fn total_paths(&self) -> u64 {
        // Saturating: paths are the caller's number, and a total too large to count is only too large.
        self.crn.paths.saturating_mul(self.deals.len() as u64)
    }

    /// Runs every deal on the same paths, one after the other.
    pub fn run(self, progress: Progress) -> CompareOutput {
        self.run_cancellable(progress, &AtomicBool::new(false)).expect("nothing sets the flag, so nothing cancels")
    }

    /// `run`, stopped between paths when `cancel` is set.
    pub fn run_cancellable(self, progress: Progress, cancel: &AtomicBool) -> Result<CompareOutput, Cancelled> {
        let crn = self.crn;
        let mut deals = Vec::with_capacity(self.deals.len());
        let mut differences = Vec::new();
        let mut first: Option<(String, Vec<Figure>, Vec<PathValues>)> = None;
        for (index, (entry, deal)) in self.request.entries.iter().zip(self.deals).enumerate() {
            let label = entry.label.clone().unwrap_or_else(|| deal.id.clone());
            let figures = Figure::all_in(&deal);
            let evaluation = evaluate(deal, crn, &figures, index as u64 * crn.paths, progress, cancel)?;
            // The share of paths that recouped is not compared for a deal with no recoup account
            // (every path would count as recouped).
            let recoups = evaluation.result.output.totals.recoup_accounts > 0;
            let (figures, paths): (Vec<Figure>, Vec<PathValues>) = figures
                .into_iter()
                .zip(evaluation.paths)
                .filter(|(f, _)| recoups || *f != Figure::Total(Total::Recouped))
                .unzip();
            deals.push(compared(entry, &label, &evaluation.result));
            match &first {
                None => first = Some((label, figures, paths)),
                Some((versus, first_figures, first_paths)) => {
                    let figures = figures
                        .iter()
                        .zip(&paths)
                        .filter_map(|(figure, later)| {
                            let at = first_figures.iter().position(|f| f == figure)?;
                            let difference = paired(&first_paths[at], later, crn.paths, figure.may_be_undefined())?;
                            Some((figure.name(), difference))
                        })
                        .collect();
                    differences.push(Differences { deal: label, versus: versus.clone(), figures });
                }
            }
        }
        Ok(CompareOutput {
            schema: SCHEMA,
            kind: "compare",
            version: crate::VERSION,
            seed: crn.seed,
            paths: crn.paths,
            overrides: self.request.common.recorded(),
            deals,
            differences,
        })
    }
}

/// The `compare` document (schema 1).
#[derive(Debug, Clone, Serialize)]
pub struct CompareOutput {
    pub schema: u32,
    pub kind: &'static str,
    pub version: &'static str,
    pub seed: u64,
    pub paths: u64,
    /// The common overrides, applied to every deal before its own.
    pub overrides: Vec<String>,
    /// In the order given.
    pub deals: Vec<ComparedDeal>,
    /// Every deal after the first, against the first.
    pub differences: Vec<Differences>,
}

/// One deal of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedDeal {
    /// The deal's id.
    pub deal: String,
    /// The deal's id, or the variant's name.
    pub label: String,
    pub file: String,
    pub title: String,
    /// Every override the deal was run with, common ones first, as recorded.
    pub overrides: Vec<String>,
    /// The facilities' commitments, summed.
    pub committed_usd_bn: f64,
    /// Exactly the run output's totals.
    pub totals: Totals,
    /// From the run output's `reserves`, when the deal has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserves: Option<ComparedReserves>,
    pub per_usd_committed: PerUsdCommitted,
}

/// The reserves figures people cite, as the run output gives them.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedReserves {
    /// Share of paths on which the ARA ratio stood below the floor at some month's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breach_probability: Option<f64>,
    pub deferral_requests: StatJson,
    pub deferrals_granted: StatJson,
    pub swap_drawn_usd_bn: StatJson,
    /// The month-end whose mean reserves are lowest over the horizon.
    pub low_point: LowPoint,
}

/// The lowest month-end of the mean reserves, and that month's Stat.
#[derive(Debug, Clone, Serialize)]
pub struct LowPoint {
    pub month: String,
    pub reserves_usd_bn: StatJson,
}

/// Present values per dollar of the facilities' commitments.
#[derive(Debug, Clone, Serialize)]
pub struct PerUsdCommitted {
    pub investor_npv: StatJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal_npv: Option<StatJson>,
}

/// One deal's paired differences against the first, by figure (run output names).
#[derive(Debug, Clone, Serialize)]
pub struct Differences {
    pub deal: String,
    pub versus: String,
    pub figures: IndexMap<&'static str, Difference>,
}

fn compared(entry: &Entry, label: &str, result: &crate::RunResult) -> ComparedDeal {
    let output = &result.output;
    let committed: f64 = result.deal.facilities.iter().map(|f| f.commitment_usd_bn).sum();
    let per_usd = |stat: StatJson| scaled(stat, committed);
    let reserves = output.reserves.as_ref().map(|r| {
        let lowest = r
            .months
            .iter()
            .filter(|m| m.reserves_usd_bn.mean.is_some())
            .min_by(|a, b| a.reserves_usd_bn.mean.unwrap().total_cmp(&b.reserves_usd_bn.mean.unwrap()));
        ComparedReserves {
            breach_probability: r.breach_probability,
            deferral_requests: r.deferral_requests,
            deferrals_granted: r.deferrals_granted,
            swap_drawn_usd_bn: r.swap_drawn_usd_bn,
            low_point: LowPoint {
                month: lowest.map(|m| m.month.clone()).unwrap_or_default(),
                reserves_usd_bn: lowest.map_or(r.months[0].reserves_usd_bn, |m| m.reserves_usd_bn),
            },
        }
    });
    ComparedDeal {
        deal: output.deal.clone(),
        label: label.to_string(),
        file: entry.file.clone(),
        title: output.title.clone(),
        overrides: output.overrides.clone(),
        committed_usd_bn: committed,
        totals: output.totals.clone(),
        reserves,
        per_usd_committed: PerUsdCommitted {
            investor_npv: per_usd(output.totals.investor_npv),
            deal_npv: output.totals.deal_npv.map(per_usd),
        },
    }
}

/// A Stat divided by a positive amount (quantiles scale with it); all `None` for no amount.
fn scaled(stat: StatJson, by: f64) -> StatJson {
    let divide = |v: Option<f64>| v.filter(|_| by > 0.0).map(|v| v / by);
    StatJson {
        mean: divide(stat.mean),
        mean_se: divide(stat.mean_se),
        p5: divide(stat.p5),
        p50: divide(stat.p50),
        p95: divide(stat.p95),
        defined_share: stat.defined_share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Paths, RunRequest};

    const MOU: &str = include_str!("../../../../deals/kr-us-2025-mou.toml");
    const US_ASK: &str = include_str!("../../../../deals/kr-us-2025-us-ask.toml");

    fn common(paths: u64) -> Common {
        Common { seed: Some(5), paths: Some(paths), overrides: Vec::new() }
    }

    #[test]
    fn a_cancelled_comparison_stops_and_one_left_alone_gives_what_run_gives() {
        let entries = vec![Entry::file("mou", MOU), Entry::file("ask", US_ASK)];
        let request = CompareRequest { entries, common: common(64) };
        let cancelled = AtomicBool::new(true);
        assert_eq!(request.prepare().unwrap().run_cancellable(&|_| {}, &cancelled).err(), Some(Cancelled));
        let never = AtomicBool::new(false);
        let text = |output: &CompareOutput| serde_json::to_string(output).unwrap();
        let left_alone = request.prepare().unwrap().run_cancellable(&|_| {}, &never).unwrap();
        assert_eq!(text(&left_alone), text(&request.prepare().unwrap().run(&|_| {})));
    }

    #[test]
    fn each_entry_is_the_run_and_a_deal_against_itself_differs_by_zero() {
        let request = CompareRequest {
            entries: vec![Entry::file("a", MOU), Entry::file("b", MOU), Entry::file("c", US_ASK)],
            common: common(300),
        };
        let output = request.prepare().unwrap().run(&|_| {});
        let run = RunRequest { seed: Some(5), paths: Paths::Fixed(300), ..RunRequest::new(MOU) }.run().unwrap();
        let json = |v: &dyn erased::Json| v.text();
        assert_eq!(json(&output.deals[0].totals), json(&run.output.totals));
        let itself = &output.differences[0];
        assert_eq!((itself.deal.as_str(), itself.versus.as_str()), ("kr-us-2025-mou", "kr-us-2025-mou"));
        assert!(itself.figures.len() > 15);
        for (name, d) in &itself.figures {
            assert_eq!((d.mean, d.se), (0.0, 0.0), "{name}");
        }
        // Paired against the MOU on the same paths, the US ask's deal NPV differs with a standard
        // error below that of two independent runs.
        let ask = &output.differences[1].figures["deal_npv"];
        let se = |d: &ComparedDeal| d.totals.deal_npv.unwrap().mean_se.unwrap();
        let independent = (se(&output.deals[0]).powi(2) + se(&output.deals[2]).powi(2)).sqrt();
        assert!(ask.se < independent, "{} vs {independent}", ask.se);
        let means = output.deals[2].totals.deal_npv.unwrap().mean.unwrap()
            - output.deals[0].totals.deal_npv.unwrap().mean.unwrap();
        assert!((ask.mean - means).abs() < 1e-9 * means.abs().max(1.0));
    }

    #[test]
    fn a_variant_is_labelled_and_a_bad_one_names_itself() {
        let variant = Entry {
            label: Some("cap 25".into()),
            overrides: vec![Override::set("facility.strategic.annual_cap_usd_bn", "25")],
            ..Entry::file("a", MOU)
        };
        let request = CompareRequest { entries: vec![Entry::file("a", MOU), variant.clone()], common: common(128) };
        let output = request.prepare().unwrap().run(&|_| {});
        assert_eq!(output.deals[1].label, "cap 25");
        assert_eq!(output.deals[1].overrides, ["facility.strategic.annual_cap_usd_bn=25"]);
        assert_eq!(output.differences[0].deal, "cap 25");
        let bad = Entry { overrides: vec![Override::set("facility.strategic.anual_cap_usd_bn", "25")], ..variant };
        let request = CompareRequest { entries: vec![Entry::file("a", MOU), bad], common: common(128) };
        match request.prepare() {
            Err(Error::InvalidAnalysisDeal { deal: 1, change: Some(change), diagnostics }) => {
                assert_eq!(change, "variant `cap 25`");
                assert!(diagnostics[0].hint.as_deref().unwrap().contains("annual_cap_usd_bn"));
            }
            other => panic!("expected the variant's diagnostics, got {:?}", other.err()),
        }
        let one = CompareRequest { entries: vec![Entry::file("a", MOU)], common: common(128) };
        assert!(matches!(one.prepare(), Err(Error::InvalidRequest { parameter: "deals", .. })));
    }

    mod erased {
        pub trait Json {
            fn text(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn text(&self) -> String {
                serde_json::to_string(self).unwrap()
            }
        }
    }
}
