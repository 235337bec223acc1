//! Where a deal's numbers come from: every `sources` list and `note` of a deal file, with the table
//! each belongs to, for reports that cite them beside the figures.
//!
//! Validation keeps what the engine needs and drops the prose, so provenance is read from the
//! parsed TOML tree (after the overrides, so a table an override removes takes its notes with
//! it), table by table in file order. Any table may carry them: `[deal]`, each `[[facility]]`
//! and `[[project]]` (named by `id`), inline tables such as `trade.elasticities`.

use toml::de::{DeTable, DeValue};

use super::Override;
use super::overrides::Overrides;

/// The sources and note of one table of a deal file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The table's key, as overrides name it: `deal`, `facility.strategic`, `trade.elasticities`,
    /// or an empty string for the file's top level.
    pub table: String,
    pub note: Option<String>,
    /// As written: usually web addresses, sometimes a citation in words.
    pub sources: Vec<String>,
}

/// The provenance of every table that has a `note` or `sources`, in file order. A file that does
/// not parse, or an override that does not apply, gives none: `parse_deal_with` says why.
pub fn provenance(source: &str, overrides: &[Override]) -> Vec<Provenance> {
    let overrides = Overrides::new(source, overrides);
    let Ok(mut document) = DeTable::parse(source) else { return Vec::new() };
    if overrides.apply(document.get_mut()).is_err() {
        return Vec::new();
    }
    let mut found = Vec::new();
    walk_table(document.get_ref(), String::new(), &mut found);
    found
}

fn walk_table(table: &DeTable<'_>, key: String, found: &mut Vec<Provenance>) {
    let note = table.iter().find(|(k, _)| k.get_ref() == "note").and_then(|(_, v)| match v.get_ref() {
        DeValue::String(text) => Some(text.trim().to_string()),
        _ => None,
    });
    let sources: Vec<String> = table
        .iter()
        .find(|(k, _)| k.get_ref() == "sources")
        .map(|(_, v)| match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::String(text) => Some(text.trim().to_string()),
                    _ => None,
                })
                .collect(),
            DeValue::String(text) => vec![text.trim().to_string()],
            _ => Vec::new(),
        })
        .unwrap_or_default();
    if note.is_some() || !sources.is_empty() {
        found.push(Provenance { table: key.clone(), note, sources });
    }
    for (name, value) in table.iter() {
        let child = join(&key, name.get_ref());
        match value.get_ref() {
            DeValue::Table(inner) => walk_table(inner, child, found),
            DeValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if let DeValue::Table(inner) = item.get_ref() {
                        // Elements of an array of tables are named by their id, as overrides
                        // name them; elements without one by their position.
                        let id = inner.iter().find(|(k, _)| k.get_ref() == "id").and_then(|(_, v)| match v.get_ref() {
                            DeValue::String(id) => Some(id.to_string()),
                            _ => None,
                        });
                        walk_table(inner, join(&child, &id.unwrap_or_else(|| index.to_string())), found);
                    }
                }
            }
            _ => {}
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
schema = 1
note = "top"
[deal]
id = "d"
note = """
  A deal.
"""
sources = ["https://example.org/a", "A ministry briefing"]
[[facility]]
id = "strategic"
sources = ["https://example.org/f"]
[trade]
elasticities = { substitution = 4.0, note = "from the literature", sources = ["Broda and Weinstein (2006)"] }
[stability]
note = "the clause"
"#;

    #[test]
    fn every_table_with_a_note_or_sources_in_file_order() {
        let found = provenance(FILE, &[]);
        let tables: Vec<&str> = found.iter().map(|p| p.table.as_str()).collect();
        assert_eq!(tables, ["", "deal", "facility.strategic", "trade.elasticities", "stability"]);
        assert_eq!(found[1].note.as_deref(), Some("A deal."));
        assert_eq!(found[1].sources, ["https://example.org/a", "A ministry briefing"]);
        assert_eq!(found[3].sources, ["Broda and Weinstein (2006)"]);
    }

    #[test]
    fn an_unset_table_takes_its_note_with_it_and_bad_text_gives_none() {
        let found = provenance(FILE, &[Override::unset("stability")]);
        assert!(found.iter().all(|p| p.table != "stability"));
        assert!(provenance("not = [toml", &[]).is_empty());
    }
}
