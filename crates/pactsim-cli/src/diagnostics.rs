//! Reading deal files and showing what is wrong with them, compiler-style, on standard error.

use std::io::{ErrorKind, IsTerminal};
use std::path::Path;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use pactsim::deal::Deal;
use pactsim::spec::{self, Diagnostic, Origin, Override};

use crate::Failure;

/// The default deal, embedded so `pactsim run` works with no file at hand.
pub const DEFAULT_DEAL_NAME: &str = "kr-us-2025-mou.toml (embedded)";
pub const DEFAULT_DEAL: &str = include_str!("../../../deals/kr-us-2025-mou.toml");
const DEFAULT_DEAL_FILE: &str = "kr-us-2025-mou.toml";

/// The files of the deal library (`deals/` in the repository), sorted, so that a user away from a
/// checkout who names one is told where it lives. A CLI test checks the list against the folder.
const LIBRARY_DEALS: [&str; 5] = [
    "eu-us-2025-framework.toml",
    "jp-us-2025-mou.toml",
    "kr-us-2025-kr-offer.toml",
    "kr-us-2025-mou.toml",
    "kr-us-2025-us-ask.toml",
];

/// Reads and validates a deal file, printing every problem found.
pub fn load_deal(path: &Path) -> Result<Deal, Failure> {
    load_deal_with(path, &[])
}

/// Reads a deal file, applies `overrides` and validates the result, printing every problem found.
pub fn load_deal_with(path: &Path, overrides: &[Override]) -> Result<Deal, Failure> {
    let (origin, source) = read_deal(Some(path))?;
    parse_deal_with(&origin, &source, overrides)
}

/// Why a file could not be read, in plain words where the reason is a common one (the system's
/// own text otherwise).
pub fn why_unreadable(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => "no such file".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a folder, not a file".to_string(),
        ErrorKind::InvalidData => "it is not text (UTF-8)".to_string(),
        _ => error.to_string(),
    }
}

/// After a deal file was not found: when its name is close to a library deal's (given without
/// `deals/`, without `.toml`, or misspelt), lists the library and names the closest deal. The
/// library is the `deals/` folder under the current directory when there is one (the repository's
/// root, where the README's commands run), else the library's names as compiled in.
fn point_to_the_library(path: &Path) {
    let Some(name) = path.file_name().map(|name| name.to_string_lossy()) else { return };
    let local = local_deals();
    let names: Vec<&str> = match &local {
        Some(names) => names.iter().map(String::as_str).collect(),
        None => LIBRARY_DEALS.to_vec(),
    };
    let stem = |name: &str| name.strip_suffix(".toml").unwrap_or(name).to_string();
    let stems: Vec<String> = names.iter().map(|name| stem(name)).collect();
    let Some(closest) = pactsim::spec::closest_name(&stem(&name), stems.iter().map(String::as_str)) else { return };
    let closest = format!("{closest}.toml");
    if local.is_some() {
        eprintln!("note: deals/ holds {}", names.join(", "));
        eprintln!("hint: did you mean deals/{closest}?");
    } else {
        eprintln!("note: the deal library (deals/ in a pactsim checkout) holds {}", names.join(", "));
        if closest == DEFAULT_DEAL_FILE {
            eprintln!("hint: {closest} is the default deal: `pactsim run` with no file runs its embedded copy");
        } else {
            eprintln!("hint: did you mean {closest}? It is in the deals/ folder of a pactsim checkout");
        }
    }
}

/// The `.toml` files of `./deals`, sorted; `None` when there is no such folder.
fn local_deals() -> Option<Vec<String>> {
    let entries = std::fs::read_dir("deals").ok()?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    Some(names)
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

/// Prints why a run request was refused; every such reason is bad input.
pub fn report_error(origin: &str, source: &str, error: pactsim::Error) -> Failure {
    report_analysis_error(&[(origin, source)], error)
}

/// Prints why an analysis was refused: `deals` are the names and texts of its deals, in the order
/// the library numbers them. Every such reason is bad input.
pub fn report_analysis_error(deals: &[(&str, &str)], error: pactsim::Error) -> Failure {
    match error {
        pactsim::Error::InvalidDeal(diagnostics) => match deals.first() {
            Some((origin, source)) => report(origin, source, &diagnostics),
            None => eprintln!("error: the deal is not valid"),
        },
        pactsim::Error::InvalidRequest { parameter, message } => {
            eprintln!("error: --{}: {message}", parameter.replace('_', "-"))
        }
        pactsim::Error::InvalidAnalysisDeal { deal, change, diagnostics } => {
            let Some(&(origin, source)) = deals.get(deal).or(deals.last()) else {
                eprintln!("error: deal {deal} of the analysis is not valid");
                return Failure::BadInput;
            };
            report(origin, source, &diagnostics);
            if let Some(change) = change {
                eprintln!("note: this is the deal with {change}, which the analysis runs");
            }
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
            eprintln!("error: cannot read {}: {}", path.display(), why_unreadable(&error));
            if error.kind() == ErrorKind::NotFound {
                point_to_the_library(path);
            }
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
