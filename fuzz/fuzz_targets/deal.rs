//! Deal files: whatever the text, `spec::parse_deal` gives a `Deal` or diagnostics, never a panic;
//! every diagnostic's span lies within the text, on character boundaries (the CLI slices the
//! source there to show it); and a deal small enough to run quickly runs once on its central path
//! with finite flows.
//!
//! An input is a deal file's text, then optionally a line `#--overrides--` and one override a
//! line: `set PATH=VALUE` or `unset PATH`, as `pactsim run --set/--unset` takes them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactsim::deal::Deal;
use pactsim::spec::{self, Diagnostic};

/// The line that ends the deal text and starts the overrides.
const OVERRIDES_MARKER: &str = "#--overrides--";

/// A deal is run only within these bounds, so that one input takes milliseconds, not seconds.
const MAX_RUN_HORIZON_YEARS: u32 = 40;
const MAX_RUN_PROJECTS: usize = 40;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, overrides) = split(input);

    // The one call site. Overrides are parsed here but not passed on yet: when the library reads
    // them (`spec::parse_deal_with(text, &overrides)` or the like), pass `overrides` in this call
    // and let `check_diagnostics` accept spans in the override region.
    let _ = &overrides;
    let parsed = spec::parse_deal(text);

    match parsed {
        Ok(deal) => run_if_cheap(&deal),
        Err(diagnostics) => check_diagnostics(text, &diagnostics),
    }
});

/// One `--set` or `--unset`, as written after the marker line.
#[derive(Debug)]
#[allow(dead_code)] // read once the library takes overrides
enum Override<'a> {
    Set { path: &'a str, value: &'a str },
    Unset { path: &'a str },
}

/// The deal text before the marker line, and the overrides on the lines after it (lines that are
/// neither form are skipped).
fn split(input: &str) -> (&str, Vec<Override<'_>>) {
    let mut start = 0;
    for line in input.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == OVERRIDES_MARKER {
            let rest = &input[start + line.len()..];
            return (&input[..start], rest.lines().filter_map(parse_override).collect());
        }
        start += line.len();
    }
    (input, Vec::new())
}

fn parse_override(line: &str) -> Option<Override<'_>> {
    if let Some(assignment) = line.strip_prefix("set ") {
        let (path, value) = assignment.split_once('=')?;
        Some(Override::Set { path, value })
    } else {
        line.strip_prefix("unset ").map(|path| Override::Unset { path })
    }
}

fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) {
    assert!(!diagnostics.is_empty(), "a rejected deal names at least one problem");
    for diagnostic in diagnostics {
        let span = &diagnostic.span;
        assert!(span.start <= span.end && span.end <= text.len(), "span {span:?} outside the text: {diagnostic:?}");
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "span {span:?} splits a character: {diagnostic:?}"
        );
        let (line, column) = diagnostic.line_column(text);
        assert!(line >= 1 && column >= 1);
        let _ = spec::line_column(text, span.end);
        let _ = diagnostic.to_string();
    }
}

fn run_if_cheap(deal: &Deal) {
    if deal.horizon_years > MAX_RUN_HORIZON_YEARS || deal.projects.len() > MAX_RUN_PROJECTS {
        return;
    }
    let outcome = pactsim::engine::run(deal);
    for (party, flows) in [("investor", &outcome.investor_flows), ("host", &outcome.host_flows)] {
        for flow in flows {
            assert!(flow.amount.is_finite(), "{party} flow {} on {} is not finite", flow.amount, flow.date);
        }
    }
}
