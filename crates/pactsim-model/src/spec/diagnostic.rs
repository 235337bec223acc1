//! What is wrong with a deal file, precisely enough to fix it: where (the file or an override,
//! a byte span, then line and column), which field, what was found, what is allowed, and a hint
//! such as the closest valid name. Rendering for a terminal happens at the edge (the CLI); this
//! type only carries the facts.

use std::fmt;
use std::ops::Range;

use super::overrides::Override;

/// What a diagnostic's span is a range of.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// The deal file's text.
    #[default]
    File,
    /// An override: the `index`-th of those applied (0-based, in the order given), whose
    /// [`Override::argument`] (`KEY=VALUE` for a set, `KEY` for an unset) the span is a range of.
    Override { index: usize, given: Override },
}

/// One problem in a deal file, or in an override applied to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte range the problem is about, in the text `origin` names.
    pub span: Range<usize>,
    /// Where the span points: the deal file, or an override.
    pub origin: Origin,
    /// The field's path, e.g. `facility["strategic"].annual_cap_usd_bn`.
    pub field: String,
    /// What was found, e.g. `-5.0`.
    pub found: String,
    /// What is allowed, e.g. `a number of USD billions, 0 or more`.
    pub expected: String,
    /// A likely fix, e.g. "did you mean `annual_cap_usd_bn`?".
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(
        span: Range<usize>,
        field: impl Into<String>,
        found: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Diagnostic {
            span,
            origin: Origin::File,
            field: field.into(),
            found: found.into(),
            expected: expected.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The message without location: `field: found X, expected Y`.
    pub fn message(&self) -> String {
        let mut text = String::new();
        if !self.field.is_empty() {
            text.push_str(&self.field);
            text.push_str(": ");
        }
        text.push_str(&format!("found {}, expected {}", self.found, self.expected));
        text
    }

    /// 1-based line and column (in characters) of the span's start in `source` (the text `origin`
    /// names).
    pub fn line_column(&self, source: &str) -> (usize, usize) {
        line_column(source, self.span.start)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The valid name closest to `found`, if one is close enough to be a likely typo.
///
/// Close means a Jaro–Winkler similarity of 0.8 or more (good for long names with a slip), or at
/// most one edit per three characters (good for short ones: "mu" for "mou", "rnu" for "run").
pub fn closest_name<'a>(found: &str, valid: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let found = found.to_lowercase();
    let edits_allowed = (found.chars().count() / 3).max(1);
    valid
        .into_iter()
        .filter_map(|name| {
            let candidate = name.to_lowercase();
            let similarity = strsim::jaro_winkler(&found, &candidate);
            let edits = strsim::damerau_levenshtein(&found, &candidate);
            (similarity >= 0.8 || edits <= edits_allowed).then_some((name, similarity))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let source = "a = 1\ntitle = \"Korea–US\" x\n";
        assert_eq!(line_column(source, 0), (1, 1));
        assert_eq!(line_column(source, 6), (2, 1));
        let x = source.find(" x").unwrap() + 1;
        assert_eq!(line_column(source, x), (2, 20));
    }

    #[test]
    fn closest_name_finds_typos_and_ignores_strangers() {
        let valid = ["annual_cap_usd_bn", "commitment_usd_bn", "selection_ends"];
        assert_eq!(closest_name("anual_cap_usd_bn", valid), Some("annual_cap_usd_bn"));
        assert_eq!(closest_name("commitment", valid), Some("commitment_usd_bn"));
        assert_eq!(closest_name("zzz", valid), None);
        assert_eq!(closest_name("mu", ["mou", "owner"]), Some("mou"));
        assert_eq!(closest_name("rnu", ["run", "deal"]), Some("run"));
    }
}
