//! Deal files with overrides: whatever the text and the overrides, `spec::parse_deal_with` gives a
//! `Deal` or diagnostics, never a panic; every diagnostic's span lies within what it points at (the
//! text, or the override as given), on character boundaries (the CLI slices there to show it); and
//! a deal small enough to run quickly runs once on its central path with finite flows.
//!
//! An input is a deal file's text, then optionally a line `#--overrides--` and one override a
//! line: `set PATH=VALUE` or `unset PATH`, as `pactsim run --set/--unset` takes them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pactsim_model::deal::Deal;
use pactsim_model::spec::{self, Diagnostic, Origin, Override};

/// The line that ends the deal text and starts the overrides.
const OVERRIDES_MARKER: &str = "#--overrides--";

/// A deal is run only within these bounds, so that one input takes milliseconds, not seconds.
const MAX_RUN_HORIZON_YEARS: u32 = 40;
const MAX_RUN_PROJECTS: usize = 40;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, overrides) = split(input);

    let parsed = spec::parse_deal_with(text, &overrides);

    match parsed {
        Ok(deal) => run_if_cheap(&deal),
        Err(diagnostics) => check_diagnostics(text, &diagnostics),
    }
});

/// The deal text before the marker line, and the overrides on the lines after it (lines that are
/// neither form are skipped).
fn split(input: &str) -> (&str, Vec<Override>) {
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

fn parse_override(line: &str) -> Option<Override> {
    if let Some(assignment) = line.strip_prefix("set ") {
        Override::parse_set(assignment).ok()
    } else {
        line.strip_prefix("unset ").map(Override::unset)
    }
}

fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) {
    assert!(!diagnostics.is_empty(), "a rejected deal names at least one problem");
    for diagnostic in diagnostics {
        let argument;
        let pointed_at = match &diagnostic.origin {
            Origin::File => text,
            Origin::Override { given, .. } => {
                argument = given.argument();
                argument.as_str()
            }
        };
        let span = &diagnostic.span;
        assert!(
            span.start <= span.end && span.end <= pointed_at.len(),
            "span {span:?} outside {pointed_at:?}: {diagnostic:?}"
        );
        assert!(
            pointed_at.is_char_boundary(span.start) && pointed_at.is_char_boundary(span.end),
            "span {span:?} splits a character: {diagnostic:?}"
        );
        let (line, column) = diagnostic.line_column(pointed_at);
        assert!(line >= 1 && column >= 1);
        let _ = spec::line_column(pointed_at, span.end);
        let _ = diagnostic.to_string();
    }
}

fn run_if_cheap(deal: &Deal) {
    if deal.horizon_years > MAX_RUN_HORIZON_YEARS || deal.projects.len() > MAX_RUN_PROJECTS {
        return;
    }
    let outcome = pactsim_model::engine::run(deal);
    for (party, flows) in [("investor", &outcome.investor_flows), ("host", &outcome.host_flows)] {
        for flow in flows {
            assert!(flow.amount.is_finite(), "{party} flow {} on {} is not finite", flow.amount, flow.date);
        }
    }
}
