//! Reading a deal file: TOML text → `raw` types (serde, with spans) → validated `Deal`.
//!
//! Two stages, as in ripgrep's low-level and high-level arguments: `raw` accepts anything of the
//! right TOML shape and remembers where each value sits; `validate` applies the contract's rules and
//! builds a `Deal` whose invariants the engine relies on. Every problem becomes a `Diagnostic`
//! naming the span, the field, what was found and what is allowed. `overrides` changes the parsed
//! TOML before either stage, so an overridden value meets the same rules as the file's.

mod diagnostic;
mod fx_fits;
mod overrides;
mod provenance;
pub mod raw;
mod validate;

use std::ops::Range;

use serde::Deserialize;

pub use diagnostic::{Diagnostic, Origin, closest_name, line_column};
pub use fx_fits::FxFits;
pub use overrides::{Override, OverrideSyntaxError};
pub use provenance::{Provenance, provenance};

use crate::deal::Deal;

/// Parses and validates a deal file. All problems found are returned, in source order.
pub fn parse_deal(source: &str) -> Result<Deal, Vec<Diagnostic>> {
    parse_deal_with(source, &[])
}

/// Parses a deal file, applies `overrides` in order, and validates the result. Problems in the
/// file come first, in source order, then those an override caused, in the overrides' order; the
/// latter have an [`Origin::Override`]. The deal records the overrides (`Deal::overrides`).
pub fn parse_deal_with(source: &str, overrides: &[Override]) -> Result<Deal, Vec<Diagnostic>> {
    parse_deal_reusing(source, overrides, &FxFits::default())
}

/// [`parse_deal_with`], taking an exchange-rate model from `fits` when one was fitted to the same
/// pair, model and window before (and keeping a new fit there): for a caller that reads many
/// variants of one deal. The deal is the same as `parse_deal_with` gives.
pub fn parse_deal_reusing(source: &str, overrides: &[Override], fits: &FxFits) -> Result<Deal, Vec<Diagnostic>> {
    let overrides = overrides::Overrides::new(source, overrides);
    let mut document = match toml::de::DeTable::parse(source) {
        Ok(document) => document,
        Err(error) => return Err(vec![syntax_diagnostic(source, &error)]),
    };
    overrides.apply(document.get_mut())?;
    // The document is kept to name the field a serde error is about.
    let raw = match raw::RawDealFile::deserialize(toml::de::Deserializer::from(document.clone())) {
        Ok(raw) => raw,
        Err(error) => return Err(vec![overrides.locate(serde_diagnostic(source, &document, &error))]),
    };
    let mut deal = validate::validate(&raw, fits)
        .map_err(|diagnostics| diagnostics.into_iter().map(|d| overrides.locate(d)).collect::<Vec<_>>())?;
    deal.overrides = overrides.recorded();
    Ok(deal)
}

/// The JSON Schema of the deal file, generated from the `raw` types.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(raw::RawDealFile)
}

fn syntax_diagnostic(source: &str, error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let message = error.message().trim();
    let (found, expected) = match message.split_once(", expected ") {
        Some((found, expected)) => (found.to_string(), expected.to_string()),
        None => (message.to_string(), "valid TOML".to_string()),
    };
    let _ = source;
    Diagnostic::new(span, "", found, expected).with_hint("the file is not valid TOML (https://toml.io)")
}

/// Turns serde's message (unknown field, missing field, wrong type) into a diagnostic with the
/// field's full path and, for a misspelt name, the closest valid one.
fn serde_diagnostic(
    source: &str,
    document: &toml::Spanned<toml::de::DeTable<'_>>,
    error: &toml::de::Error,
) -> Diagnostic {
    let span = error.span().unwrap_or(0..source.len().min(1));
    let path = path_at(document, &span);
    let message = error.message().trim();

    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let field = join_path(&path.parent, name);
        let mut diagnostic = Diagnostic::new(
            span,
            field,
            format!("unknown field `{name}`"),
            format!("one of {}", valid.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")),
        );
        if let Some(close) = closest_name(name, valid.iter().copied()) {
            diagnostic = diagnostic.with_hint(format!("did you mean `{close}`?"));
        }
        return diagnostic;
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        return Diagnostic::new(span, join_path(&path.full, name), "nothing", "a value (this field is required)");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        return Diagnostic::new(span, path.full, found.to_string(), plain_type(expected));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another value"));
        return Diagnostic::new(span, path.full, found.to_string(), plain_type(expected));
    }
    Diagnostic::new(span, path.full, message.to_string(), "a value of the right type")
}

/// Serde's names for types, in an analyst's words.
fn plain_type(serde_name: &str) -> String {
    match serde_name {
        "f64" | "f32" => "a number".to_string(),
        "i64" | "u64" | "i32" | "u32" => "a whole number".to_string(),
        "a string" => "a string in quotes".to_string(),
        "a sequence" => "an array `[ … ]`".to_string(),
        "a boolean" => "true or false".to_string(),
        other if other.starts_with("struct ") || other == "a map" => "a table".to_string(),
        other if other.contains("Datetime") || other.contains("datetime") => "a date such as 2025-11-14".to_string(),
        other => other.to_string(),
    }
}

fn join_path(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") }
}

/// The dotted path of the innermost key or value containing a span, and of its parent table.
struct PathAt {
    full: String,
    parent: String,
}

/// Tables opened by a `[header]` do not span their bodies, so the search visits every entry
/// rather than following spans down.
fn path_at(document: &toml::Spanned<toml::de::DeTable<'_>>, span: &Range<usize>) -> PathAt {
    search_table(document.get_ref(), span, "").unwrap_or(PathAt { full: String::new(), parent: String::new() })
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.start < outer.end
}

fn search_table(table: &toml::de::DeTable<'_>, span: &Range<usize>, prefix: &str) -> Option<PathAt> {
    for (key, value) in table {
        let path = join_key(prefix, key.get_ref());
        if let Some(found) = search_value(value.get_ref(), span, &path) {
            return Some(found);
        }
        if contains(&key.span(), span) || contains(&value.span(), span) {
            return Some(PathAt { full: path, parent: prefix.to_string() });
        }
    }
    None
}

fn search_value(value: &toml::de::DeValue<'_>, span: &Range<usize>, path: &str) -> Option<PathAt> {
    match value {
        toml::de::DeValue::Table(table) => search_table(table, span, path),
        toml::de::DeValue::Array(array) => array.iter().enumerate().find_map(|(index, item)| {
            let item_path = format!("{path}{}", element_label(item.get_ref(), index));
            search_value(item.get_ref(), span, &item_path).or_else(|| {
                contains(&item.span(), span).then(|| PathAt { full: item_path.clone(), parent: path.to_string() })
            })
        }),
        _ => None,
    }
}

/// `["strategic"]` for a table with an `id`, `[2]` otherwise.
fn element_label(item: &toml::de::DeValue<'_>, index: usize) -> String {
    if let toml::de::DeValue::Table(table) = item
        && let Some(id) = table.get("id").and_then(|id| id.get_ref().as_str())
    {
        return format!("[\"{id}\"]");
    }
    format!("[{index}]")
}

fn join_key(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare { key.to_string() } else { format!("\"{key}\"") };
    if prefix.is_empty() { key } else { format!("{prefix}.{key}") }
}

#[cfg(test)]
mod tests;
