//! `pactsim frontier FILE --vary KEY=LO..HI … [--objective NAME=FIGURE[:min|max]] [--mark
//! OTHER.toml]`: the negotiable terms sampled over their ranges, the efficient points, and real
//! deals placed against them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pactsim::analysis::Range;
use pactsim::analysis::frontier::{FrontierOutput, FrontierRequest, Mark, Objective};
use pactsim::spec::Override;

use super::analysis::{
    AnalysisFlags, DealText, How, number, overrides_note, print_json, print_text, refused, thousands,
};
use crate::Failure;

/// The arguments of `frontier`.
pub struct FrontierArgs<'a> {
    pub file: &'a Path,
    pub vary: &'a [String],
    pub points: u64,
    pub objectives: &'a [String],
    pub marks: &'a [PathBuf],
    pub overrides: &'a [Override],
    pub json: bool,
    pub runs: &'a AnalysisFlags,
    pub how: How<'a>,
}

pub fn frontier(args: FrontierArgs) -> Result<(), Failure> {
    let vary: Vec<Range> =
        args.vary.iter().map(|t| Range::parse(t, "vary")).collect::<Result<_, _>>().map_err(|e| refused(&[], e))?;
    let objectives: Vec<Objective> =
        args.objectives.iter().map(|t| Objective::parse(t)).collect::<Result<_, _>>().map_err(|e| refused(&[], e))?;
    let deal = args.how.read(args.file)?;
    let marked: Vec<DealText> = args.marks.iter().map(|m| args.how.read(m)).collect::<Result<_, _>>()?;
    let marks = args
        .marks
        .iter()
        .zip(&marked)
        .map(|(file, text)| Mark { file: file.display().to_string(), text: text.text.clone() })
        .collect();
    let request = FrontierRequest {
        deal: deal.text.clone(),
        common: args.runs.common(args.overrides),
        vary,
        points: args.points,
        objectives,
        marks,
    };
    let named: Vec<&DealText> = std::iter::once(&deal).chain(&marked).collect();
    let prepared = request.prepare().map_err(|error| refused(&named, error))?;
    let Some(document) = args.how.execute(prepared, args.runs, args.json, |error| refused(&named, error))? else {
        return Ok(());
    };
    if args.json { print_json(&document) } else { print_text(&render(&document, &deal.origin)) }
}

/// The efficient points (by the first objective) and where each marked deal stands.
pub fn render(document: &FrontierOutput, origin: &str) -> String {
    let mut text = String::new();
    let h = &document.header;
    let terms: Vec<String> = document.vary.iter().map(|t| format!("{} {}..{}", t.key, t.low, t.high)).collect();
    let _ = writeln!(
        text,
        "Frontier of {origin}: {} points over {}; {} paths a run (seed {}{})",
        document.points.len(),
        terms.join(", "),
        thousands(h.paths),
        h.seed,
        overrides_note(&h.overrides)
    );
    let objectives: Vec<String> = document
        .objectives
        .iter()
        .map(|o| format!("{} = {} ({:?})", o.name, o.figure, o.sense).to_lowercase())
        .collect();
    let _ = writeln!(text, "objectives (means over paths): {}", objectives.join(", "));
    let mut efficient: Vec<(usize, &pactsim::analysis::frontier::Point)> =
        document.points.iter().enumerate().filter(|(_, p)| p.efficient).collect();
    let first = &document.objectives[0].name;
    efficient.sort_by(|a, b| a.1.outputs[first].total_cmp(&b.1.outputs[first]));
    let _ = writeln!(text, "\nefficient points: {} of {}", efficient.len(), document.points.len());
    let width = |name: &str| name.len().max(10);
    let _ = write!(text, "{:>6}", "point");
    for o in &document.objectives {
        let _ = write!(text, "  {:>w$}", o.name, w = width(&o.name));
    }
    for t in &document.vary {
        let _ = write!(text, "  {:>w$}", t.key, w = width(&t.key));
    }
    text.push('\n');
    for (index, point) in efficient {
        let _ = write!(text, "{:>6}", index + 1);
        for o in &document.objectives {
            let _ = write!(text, "  {:>w$}", number(Some(point.outputs[&o.name])), w = width(&o.name));
        }
        for t in &document.vary {
            let _ = write!(text, "  {:>w$}", format!("{:.4}", point.values[&t.key]), w = width(&t.key));
        }
        text.push('\n');
    }
    if !document.marked.is_empty() {
        let _ = writeln!(text, "\nmarked deals:");
    }
    for mark in &document.marked {
        let outputs: Vec<String> =
            mark.outputs.iter().map(|(name, v)| format!("{name} {}", number(Some(*v)))).collect();
        let place = match mark.improvement {
            None => "efficient: no point dominates it".to_string(),
            Some(improvement) => format!(
                "dominated by {} point{}; point {} is better by at least {} in every objective",
                mark.dominated_by,
                if mark.dominated_by == 1 { "" } else { "s" },
                improvement.point + 1,
                number(Some(improvement.by))
            ),
        };
        let _ = writeln!(text, "  {} ({}): {}; {place}", mark.deal, mark.file, outputs.join(", "));
    }
    text
}
