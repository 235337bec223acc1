//! Reading deal files and showing what is wrong with them, compiler-style, on standard error.

use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use pactsim::deal::Deal;
use pactsim::spec::{self, Diagnostic, Origin, Override};

use crate::Failure;

/// The default deal, embedded so `pactsim run` works with no file at hand.
pub const DEFAULT_DEAL_NAME: &str = "kr-us-2025-mou.toml (embedded)";
pub const DEFAULT_DEAL: &str = include_str!("../../../deals/kr-us-2025-mou.toml");

/// Reads and validates a deal file, printing every problem found.
pub fn load_deal(path: &Path) -> Result<Deal, Failure> {
    load_deal_with(path, &[])
}

/// Reads a deal file, applies `overrides` and validates the result, printing every problem found.
pub fn load_deal_with(path: &Path, overrides: &[Override]) -> Result<Deal, Failure> {
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            return Err(Failure::BadInput);
        }
    };
    parse_deal_with(&path.display().to_string(), &source, overrides)
}

/// Validates deal text, printing every problem found under the name `origin`.
pub fn parse_deal(origin: &str, source: &str) -> Result<Deal, Failure> {
    parse_deal_with(origin, source, &[])
}

/// Applies `overrides` to deal text and validates it, printing every problem found under the name
/// `origin`.
pub fn parse_deal_with(origin: &str, source: &str, overrides: &[Override]) -> Result<Deal, Failure> {
    spec::parse_deal_with(source, overrides).map_err(|diagnostics| {
        report(origin, source, &diagnostics);
        Failure::BadInput
    })
}

fn report(origin: &str, source: &str, diagnostics: &[Diagnostic]) {
    let renderer = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for diagnostic in diagnostics {
        eprintln!("{}", render(&renderer, origin, source, diagnostic));
    }
    let count = diagnostics.len();
    let problems = format!("{count} problem{}", if count == 1 { "" } else { "s" });
    if diagnostics.iter().any(|d| d.origin != Origin::File) {
        eprintln!("error: {origin} with the overrides given is not a valid deal ({problems})");
    } else {
        eprintln!("error: {origin} is not a valid deal file ({problems})");
    }
}

/// One diagnostic: a title naming where it points (file, line and column, or the override as
/// given) and the field, the line with the span marked, and a hint when there is a likely fix.
pub fn render(renderer: &Renderer, origin: &str, source: &str, diagnostic: &Diagnostic) -> String {
    let argument;
    // An override's line has no file to name: the title says which flag it came from.
    let (title, text, path) = match &diagnostic.origin {
        Origin::File => {
            let (line, column) = diagnostic.line_column(source);
            (format!("{origin}:{line}:{column}: {}", diagnostic.message()), source, Some(origin))
        }
        Origin::Override { given, .. } => {
            let flag = match given {
                Override::Set { .. } => "--set",
                Override::Unset { .. } => "--unset",
            };
            argument = given.argument();
            (format!("in {flag} {argument}: {}", diagnostic.message()), argument.as_str(), None)
        }
    };
    let span = clamp(text, diagnostic.span.clone());
    let label = format!("expected {}", diagnostic.expected);
    let mut group = Level::ERROR
        .primary_title(title)
        .element(Snippet::source(text).path(path).annotation(AnnotationKind::Primary.span(span).label(label)));
    if let Some(hint) = &diagnostic.hint {
        group = group.element(Level::HELP.message(hint.clone()));
    }
    renderer.render(&[group]).to_string()
}

fn clamp(source: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = span.start.min(source.len());
    let end = span.end.clamp(start, source.len());
    start..end
}
