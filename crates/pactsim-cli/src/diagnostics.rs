//! Reading deal files and showing what is wrong with them, compiler-style, on standard error.

use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use pactsim::deal::Deal;
use pactsim::spec::{self, Diagnostic};

use crate::Failure;

/// The default deal, embedded so `pactsim run` works with no file at hand.
pub const DEFAULT_DEAL_NAME: &str = "kr-us-2025-mou.toml (embedded)";
pub const DEFAULT_DEAL: &str = include_str!("../../../deals/kr-us-2025-mou.toml");

/// Reads and validates a deal file, printing every problem found.
pub fn load_deal(path: &Path) -> Result<Deal, Failure> {
    let (origin, source) = read_deal(Some(path))?;
    parse_deal(&origin, &source)
}

/// Validates deal text, printing every problem found under the name `origin`.
pub fn parse_deal(origin: &str, source: &str) -> Result<Deal, Failure> {
    spec::parse_deal(source).map_err(|diagnostics| {
        report(origin, source, &diagnostics);
        Failure::BadInput
    })
}

/// Prints why a run request was refused; every such reason is bad input.
pub fn report_error(origin: &str, source: &str, error: pactsim::Error) -> Failure {
    match error {
        pactsim::Error::InvalidDeal(diagnostics) => report(origin, source, &diagnostics),
        pactsim::Error::InvalidRequest { parameter, message } => {
            eprintln!("error: --{}: {message}", parameter.replace('_', "-"))
        }
    }
    Failure::BadInput
}

/// The text of a deal file, or of the embedded default deal when no file is given, with the name
/// its messages use.
pub fn read_deal(path: Option<&Path>) -> Result<(String, String), Failure> {
    let Some(path) = path else { return Ok((DEFAULT_DEAL_NAME.to_string(), DEFAULT_DEAL.to_string())) };
    match std::fs::read_to_string(path) {
        Ok(source) => Ok((path.display().to_string(), source)),
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            Err(Failure::BadInput)
        }
    }
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
    eprintln!("error: {origin} is not a valid deal file ({count} problem{})", if count == 1 { "" } else { "s" });
}

/// One diagnostic: a title naming file, line, column and field, the source line with the span
/// marked, and a hint when there is a likely fix.
pub fn render(renderer: &Renderer, origin: &str, source: &str, diagnostic: &Diagnostic) -> String {
    let (line, column) = diagnostic.line_column(source);
    let title = format!("{origin}:{line}:{column}: {}", diagnostic.message());
    let span = clamp(source, diagnostic.span.clone());
    let label = format!("expected {}", diagnostic.expected);
    let mut group = Level::ERROR
        .primary_title(title)
        .element(Snippet::source(source).path(origin).annotation(AnnotationKind::Primary.span(span).label(label)));
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
