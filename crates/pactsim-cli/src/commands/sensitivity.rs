//! `pactsim sensitivity FILE --method tornado|sobol`: which inputs move a figure of a deal, one at
//! a time (the tornado, drawn in the terminal) or all together (Sobol' indices, with the design
//! written as CSV for SALib).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim::analysis::Range;
use pactsim::analysis::sobol::{Design, SobolInput, SobolOutput, SobolRequest};
use pactsim::analysis::tornado::{TornadoOutput, TornadoRequest};
use pactsim::spec::Override;

use super::analysis::{
    AnalysisFlags, How, check_out_file, number, overrides_note, print_json, print_text, refused, thousands,
};
use crate::Failure;

/// `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// One input at a time at a low and a high value (each distribution at its 10th and 90th
    /// percentile, or --range)
    Tornado,
    /// First-order and total Sobol' indices over --input (default: every distribution)
    Sobol,
}

/// The arguments of `sensitivity`.
pub struct SensitivityArgs<'a> {
    pub file: &'a Path,
    pub method: Method,
    pub output: Option<String>,
    pub ranges: &'a [String],
    pub inputs: &'a [String],
    pub n: Option<u64>,
    pub design_out: Option<&'a PathBuf>,
    pub overrides: &'a [Override],
    pub json: bool,
    pub runs: &'a AnalysisFlags,
    pub how: How<'a>,
}

pub fn sensitivity(args: SensitivityArgs) -> Result<(), Failure> {
    let method_only = |flag: &str, given: bool, method: &str| {
        if given {
            eprintln!("error: {flag} goes with --method {method}");
            return Err(Failure::BadInput);
        }
        Ok(())
    };
    match args.method {
        Method::Tornado => {
            method_only("--input", !args.inputs.is_empty(), "sobol (the tornado takes --range)")?;
            method_only("--n", args.n.is_some(), "sobol")?;
            method_only("--design-out", args.design_out.is_some(), "sobol")?;
            tornado(args)
        }
        Method::Sobol => {
            method_only("--range", !args.ranges.is_empty(), "tornado (Sobol' takes --input)")?;
            sobol(args)
        }
    }
}

/// Reads each `KEY=LO..HI`, exiting 2 on the first bad one.
fn ranges(texts: &[String], flag: &'static str) -> Result<Vec<Range>, Failure> {
    texts.iter().map(|text| Range::parse(text, flag).map_err(|error| refused(&[], error))).collect()
}

fn tornado(args: SensitivityArgs) -> Result<(), Failure> {
    let ranges = ranges(args.ranges, "range")?;
    let deal = args.how.read(args.file)?;
    let request = TornadoRequest {
        deal: deal.text.clone(),
        common: args.runs.common(args.overrides),
        output: args.output,
        ranges,
    };
    let prepared = request.prepare().map_err(|error| refused(&[&deal], error))?;
    let evaluations = prepared.evaluations();
    let Some(document) = args.how.execute(prepared, args.runs, args.json, |error| refused(&[&deal], error))? else {
        return Ok(());
    };
    if args.json { print_json(&document) } else { print_text(&render_tornado(&document, &deal.origin, evaluations)) }
}

/// Cells of a tornado bar on each side of the base.
const HALF: usize = 24;

/// The tornado: a bar per input from the base to the output at the input's low value (`-`) and
/// at its high value (`+`), largest swing on top, then the numbers.
pub fn render_tornado(document: &TornadoOutput, origin: &str, evaluations: u64) -> String {
    let mut text = String::new();
    let h = &document.header;
    let base = document.base.mean;
    let _ = writeln!(
        text,
        "Tornado of {} for {origin}: {evaluations} runs of {} paths (seed {}{})",
        document.output,
        thousands(h.paths),
        h.seed,
        overrides_note(&h.overrides)
    );
    let _ = writeln!(
        text,
        "base {} ± {}; distributions held at their {:.0}th and {:.0}th percentiles\n",
        number(Some(base)),
        number(Some(document.base.se)),
        document.percentiles[0] * 100.0,
        document.percentiles[1] * 100.0
    );
    let reach = document
        .inputs
        .iter()
        .flat_map(|i| [(i.low.mean - base).abs(), (i.high.mean - base).abs()])
        .fold(0.0, f64::max);
    let key_width = document.inputs.iter().map(|i| i.key.len()).max().unwrap_or(0).max(5);
    // Cells from the base's column to a mean's, signed.
    let cells = |mean: f64| if reach > 0.0 { ((mean - base) / reach * HALF as f64).round() as i64 } else { 0 };
    let axis = [base - reach, base, base + reach].map(|v| number(Some(v)));
    let _ = writeln!(text, "{:key_width$}  {:<w$}{:^9}{:>w$}", "", axis[0], axis[1], axis[2], w = HALF - 4);
    for input in &document.inputs {
        let mut bar = [' '; 2 * HALF + 1];
        // The longer side first, so a shorter one on the same side still shows.
        let mut sides = [(cells(input.low.mean), '-'), (cells(input.high.mean), '+')];
        sides.sort_by_key(|(c, _)| std::cmp::Reverse(c.abs()));
        for (c, mark) in sides {
            let (from, to) =
                if c < 0 { (HALF as i64 + c, HALF as i64 - 1) } else { (HALF as i64 + 1, HALF as i64 + c) };
            for cell in from..=to {
                bar[cell as usize] = mark;
            }
        }
        bar[HALF] = '|';
        let _ = writeln!(text, "{:key_width$}  {}", input.key, bar.iter().collect::<String>().trim_end());
    }
    let _ = writeln!(text, "{:key_width$}  (- the input at its low value, + at its high value, | the base)\n", "");
    let _ = writeln!(
        text,
        "{:key_width$}  {:>12}  {:>10}  {:>12}  {:>10}  {:>16}",
        "input", "low value", "mean", "high value", "mean", "swing ± se"
    );
    for input in &document.inputs {
        let swing = match input.swing_se {
            Some(se) => format!("{} ± {}", number(Some(input.swing)), number(Some(se))),
            None => number(Some(input.swing)),
        };
        let _ = writeln!(
            text,
            "{:key_width$}  {:>12}  {:>10}  {:>12}  {:>10}  {:>16}",
            input.key,
            format!("{:.4}", input.low.value),
            number(Some(input.low.mean)),
            format!("{:.4}", input.high.value),
            number(Some(input.high.mean)),
            swing
        );
    }
    text
}

fn sobol(args: SensitivityArgs) -> Result<(), Failure> {
    check_out_file("--design-out", args.design_out.map(PathBuf::as_path))?;
    let Some(n) = args.n else {
        eprintln!("error: --method sobol needs --n N, the number of base rows (a power of two, such as 256)");
        return Err(Failure::BadInput);
    };
    let mut inputs = Vec::with_capacity(args.inputs.len());
    for text in args.inputs {
        inputs.push(if text.contains('=') {
            SobolInput::Range(Range::parse(text, "input").map_err(|error| refused(&[], error))?)
        } else {
            SobolInput::Distribution(text.trim().to_string())
        });
    }
    let deal = args.how.read(args.file)?;
    let request = SobolRequest {
        deal: deal.text.clone(),
        common: args.runs.common(args.overrides),
        output: args.output,
        inputs,
        n,
    };
    let prepared = request.prepare().map_err(|error| refused(&[&deal], error))?;
    let Some(result) = args.how.execute(prepared, args.runs, args.json, |error| refused(&[&deal], error))? else {
        return Ok(());
    };
    if let Some(file) = args.design_out {
        let csv = design_csv(&result.output, &result.design).context("writing the design")?;
        crate::files::write_all(&[(file.clone(), csv)]).with_context(|| format!("writing {}", file.display()))?;
    }
    if args.json {
        print_json(&result.output)
    } else {
        let mut text = render_sobol(&result.output, &deal.origin);
        if let Some(file) = args.design_out {
            let _ = writeln!(
                text,
                "\nWrote the design ({} rows, SALib's order) to {}",
                result.design.rows.len(),
                file.display()
            );
        }
        print_text(&text)
    }
}

/// One row per evaluation in SALib's order: the inputs' values, then the output's mean.
fn design_csv(output: &SobolOutput, design: &Design) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = output.inputs.iter().map(|i| i.key.as_str()).collect();
    header.push(output.output);
    writer.write_record(&header)?;
    for (row, y) in design.rows.iter().zip(&design.outputs) {
        let mut record: Vec<String> = row.iter().map(f64::to_string).collect();
        record.push(y.to_string());
        writer.write_record(&record)?;
    }
    Ok(writer.into_inner()?)
}

/// The indices, largest total first.
pub fn render_sobol(output: &SobolOutput, origin: &str) -> String {
    let mut text = String::new();
    let h = &output.header;
    let _ = writeln!(
        text,
        "Sobol' indices of {} for {origin}: N = {}, {} inputs, {} runs of {} paths (seed {}{})",
        output.output,
        output.n,
        output.inputs.len(),
        thousands(output.evaluations),
        thousands(h.paths),
        h.seed,
        overrides_note(&h.overrides)
    );
    let _ = writeln!(
        text,
        "the output's mean over the design: {}, standard deviation {}; intervals: 95% bootstrap ({} resamples)\n",
        number(Some(output.output_mean)),
        number(Some(output.output_sd)),
        output.resamples
    );
    let key_width = output.inputs.iter().map(|i| i.key.len()).max().unwrap_or(0).max(5);
    let _ = writeln!(
        text,
        "{:key_width$}  {:>22}  {:>24}  {:>24}",
        "input", "range", "first order (95% CI)", "total (95% CI)"
    );
    let mut inputs: Vec<_> = output.inputs.iter().collect();
    inputs.sort_by(|a, b| b.total.total_cmp(&a.total));
    let index = |x: f64, [lo, hi]: [f64; 2]| format!("{x:.3} ({lo:.3}, {hi:.3})");
    for input in inputs {
        let _ = writeln!(
            text,
            "{:key_width$}  {:>22}  {:>24}  {:>24}",
            input.key,
            format!("{:.4} .. {:.4}", input.low, input.high),
            index(input.first_order, input.first_order_ci),
            index(input.total, input.total_ci)
        );
    }
    let _ = writeln!(
        text,
        "\nFirst order: the share of the variance of the output's mean an input explains alone; total: with its interactions."
    );
    text
}
