//! Overrides: a deal's terms changed without editing its file (`--set KEY=VALUE`, `--unset KEY`;
//! the contract is shared/contracts/overrides.md).
//!
//! An [`Override`] is data, so the CLI, the service, sensitivity and sweeps apply overrides the
//! same way, through [`parse_deal_with`](super::parse_deal_with). They are applied to the parsed
//! TOML tree, before serde and validation, so an overridden value meets every rule, and gets every
//! diagnostic, that the same value written in the file would.
//!
//! How the parts fit:
//! - [`Override::parse`] reads the text form (`KEY=VALUE` for a set, `!KEY` for an unset) that
//!   `Display` writes and every output records.
//! - `Overrides` prepares a list for one file: it places each override's argument in a virtual
//!   region after the end of the file, so the keys and values an override puts into the tree carry
//!   spans that tell them from the file's, and `Overrides::locate` turns such a span back into an
//!   [`Origin::Override`]. It also works out the waterfall tiers' complements up front.
//! - `resolve` checks a key against the deal file's JSON Schema (generated from the `raw` types,
//!   so it accepts exactly what serde does) and turns it into steps: a field, an id, an index. A
//!   misspelt name is caught there, with the closest valid key, before anything changes.
//! - `edit_table` follows the steps through the tree and sets or removes what the last one names.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde_json::Value as Json;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::diagnostic::{Diagnostic, Origin, closest_name};

/// One change to a deal file's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// Set the value at `key` (a dotted path, such as `facility.strategic.annual_cap_usd_bn`) to
    /// `value`, a TOML value; text that is not valid TOML is taken as a string.
    Set { key: String, value: String },
    /// Remove the field, table or array element at `key`.
    Unset { key: String },
}

/// Override text that is neither `KEY=VALUE` nor `!KEY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}`: expected {expected}")]
pub struct OverrideSyntaxError {
    /// The text as given.
    pub text: String,
    /// The forms that were allowed.
    pub expected: &'static str,
}

impl Override {
    /// `Set` from a key and a value, as given.
    pub fn set(key: impl Into<String>, value: impl Into<String>) -> Override {
        Override::Set { key: key.into(), value: value.into() }
    }

    /// `Unset` of a key, as given.
    pub fn unset(key: impl Into<String>) -> Override {
        Override::Unset { key: key.into() }
    }

    /// Reads the form every output records: `KEY=VALUE` (a set) or `!KEY` (an unset). Space
    /// around the key and the value is dropped.
    pub fn parse(text: &str) -> Result<Override, OverrideSyntaxError> {
        match text.trim_start().strip_prefix('!') {
            Some(key) if !key.contains('=') => Ok(Override::unset(key.trim())),
            _ => Self::parse_with(text, "KEY=VALUE, or !KEY to remove a field"),
        }
    }

    /// Reads the argument of `--set`: `KEY=VALUE`, split at the first `=`.
    pub fn parse_set(text: &str) -> Result<Override, OverrideSyntaxError> {
        Self::parse_with(text, "KEY=VALUE, such as facility.strategic.annual_cap_usd_bn=25")
    }

    fn parse_with(text: &str, expected: &'static str) -> Result<Override, OverrideSyntaxError> {
        match text.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok(Override::set(key.trim(), value.trim())),
            _ => Err(OverrideSyntaxError { text: text.to_string(), expected }),
        }
    }

    /// The dotted key the override changes.
    pub fn key(&self) -> &str {
        match self {
            Override::Set { key, .. } | Override::Unset { key } => key,
        }
    }

    /// The override as given to its flag: `KEY=VALUE` for a set, `KEY` for an unset. A
    /// diagnostic about an override has a span in this text.
    pub fn argument(&self) -> String {
        match self {
            Override::Set { key, value } => format!("{key}={value}"),
            Override::Unset { key } => key.clone(),
        }
    }

    fn argument_len(&self) -> usize {
        match self {
            Override::Set { key, value } => key.len() + 1 + value.len(),
            Override::Unset { key } => key.len(),
        }
    }
}

/// The recorded form: `KEY=VALUE` for a set, `!KEY` for an unset (a key never starts with `!`).
impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Override::Set { key, value } => write!(f, "{key}={value}"),
            Override::Unset { key } => write!(f, "!{key}"),
        }
    }
}

impl FromStr for Override {
    type Err = OverrideSyntaxError;

    fn from_str(text: &str) -> Result<Override, OverrideSyntaxError> {
        Override::parse(text)
    }
}

/// A list of overrides prepared for one deal file.
pub(super) struct Overrides<'o> {
    given: &'o [Override],
    /// Where each override's argument starts in the virtual text: the file, then for each override
    /// a newline and its argument. Spans from the file all end before the first.
    starts: Vec<usize>,
    /// For an override of one share of a waterfall tier, the other share set to its complement.
    complements: Vec<Option<Complement>>,
}

/// A tier share the contract sets because an override set the other one.
struct Complement {
    key: String,
    value: String,
}

impl<'o> Overrides<'o> {
    pub(super) fn new(source: &str, given: &'o [Override]) -> Self {
        let mut starts = Vec::with_capacity(given.len());
        let mut next = source.len() + 1;
        for one in given {
            starts.push(next);
            next += one.argument_len() + 1;
        }
        let complements = given.iter().map(|one| complement(one, given)).collect();
        Overrides { given, starts, complements }
    }

    /// The overrides as every output records them, in order.
    pub(super) fn recorded(&self) -> Vec<String> {
        self.given.iter().map(Override::to_string).collect()
    }

    /// Applies every override in order. A key that names nothing the file or the contract has is
    /// an error; all such errors are returned, and then the document is not to be used.
    pub(super) fn apply<'i>(&'i self, document: &mut DeTable<'i>) -> Result<(), Vec<Diagnostic>> {
        if self.given.is_empty() {
            return Ok(());
        }
        // Keys are checked against the deal file's JSON Schema, made only when there are keys.
        let schema = super::json_schema();
        let schema = schema.as_value();
        let mut problems = Vec::new();
        for (index, one) in self.given.iter().enumerate() {
            let applied = resolve(schema, one.key(), self.starts[index]).and_then(|steps| {
                let edit = match one {
                    Override::Set { value, .. } => Edit::Set(toml_value(value, self.value_span(index).start)),
                    Override::Unset { .. } => match steps.last() {
                        Some(last) if last.required => {
                            return fail(
                                bad_key(
                                    last.span.clone(),
                                    one.key(),
                                    "a required field",
                                    "a field that may be left out",
                                )
                                .with_hint("set it to another value instead"),
                            );
                        }
                        _ => Edit::Unset,
                    },
                };
                edit_table(document, &steps, edit, one.key())
            });
            let applied = match (&self.complements[index], applied) {
                (Some(complement), Ok(())) => self.apply_complement(schema, index, complement, document),
                (_, applied) => applied,
            };
            if let Err(problem) = applied {
                problems.push(self.locate(*problem));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// Sets the other share of a tier. Anything said about it points at the override that caused
    /// it: its key and its value.
    fn apply_complement<'i>(
        &'i self,
        schema: &Json,
        index: usize,
        complement: &'i Complement,
        document: &mut DeTable<'i>,
    ) -> Result<(), Problem> {
        let one = &self.given[index];
        let start = self.starts[index];
        let mut steps = resolve(schema, &complement.key, start)?;
        for step in &mut steps {
            step.span = start..start + one.key().len();
        }
        let value = toml_value(&complement.value, 0);
        let value = Spanned::new(self.value_span(index), value.into_inner());
        edit_table(document, &steps, Edit::Set(value), one.key())
    }

    /// Where override `index`'s value sits in the virtual text (at least one byte wide, so an
    /// empty value can still be found by its span).
    fn value_span(&self, index: usize) -> Range<usize> {
        let one = &self.given[index];
        let start = self.starts[index] + one.key().len() + 1;
        start..(self.starts[index] + one.argument_len()).max(start + 1)
    }

    /// A diagnostic whose span lies in an override's region, made to point at that override.
    pub(super) fn locate(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        let Some(index) = self.starts.iter().rposition(|start| *start <= diagnostic.span.start) else {
            return diagnostic;
        };
        let one = &self.given[index];
        let offset = self.starts[index];
        let length = one.argument_len();
        let begin = (diagnostic.span.start - offset).min(length);
        let end = diagnostic.span.end.saturating_sub(offset).clamp(begin, length);
        diagnostic.span = begin..end;
        diagnostic.origin = Origin::Override { index, given: one.clone() };
        diagnostic
    }
}

// --- tier shares ----------------------------------------------------------------------------

/// `waterfall.NAME.tiers.N.investor` or `….host`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TierShare<'k> {
    waterfall: &'k str,
    tier: usize,
    /// The investor's share; else the host's.
    investor: bool,
}

impl<'k> TierShare<'k> {
    fn of(key: &'k str) -> Option<TierShare<'k>> {
        let parts: Vec<&str> = key.split('.').collect();
        let ["waterfall", waterfall, "tiers", tier, side] = parts[..] else { return None };
        let investor = match side {
            "investor" => true,
            "host" => false,
            _ => return None,
        };
        Some(TierShare { waterfall, tier: tier.parse().ok()?, investor })
    }

    fn other(self) -> TierShare<'k> {
        TierShare { investor: !self.investor, ..self }
    }

    fn key(self) -> String {
        let side = if self.investor { "investor" } else { "host" };
        format!("waterfall.{}.tiers.{}.{side}", self.waterfall, self.tier)
    }
}

/// A tier's two shares are complements: setting one sets the other to 1 minus it, unless the
/// list also sets the other (then both are taken as given, and validation judges them).
fn complement(one: &Override, all: &[Override]) -> Option<Complement> {
    let Override::Set { key, value } = one else { return None };
    let other = TierShare::of(key)?.other();
    let sets_other = all.iter().any(|o| matches!(o, Override::Set { key, .. } if TierShare::of(key) == Some(other)));
    if sets_other {
        return None;
    }
    let number = match DeValue::parse(value).ok()?.into_inner() {
        DeValue::Float(float) => float.as_str().to_string(),
        DeValue::Integer(integer) if integer.radix() == 10 => integer.as_str().to_string(),
        _ => return None,
    };
    Some(Complement { key: other.key(), value: one_minus(&number)? })
}

/// `1 - x` as TOML text, worked out in decimal: the complement of `0.8` is `0.2`, the same number
/// a file would write (in binary, `1.0 - 0.8` is 0.19999999999999996, so an override equal to the
/// file's value would move figures). Falls back on binary arithmetic past 30 significant digits.
fn one_minus(number: &str) -> Option<String> {
    if let Some((mantissa, scale)) = decimal(number) {
        let one = 10i128.checked_pow(scale)?;
        if let Some(difference) = one.checked_sub(mantissa) {
            return Some(decimal_text(difference, scale));
        }
    }
    let value: f64 = number.replace('_', "").parse().ok()?;
    let difference = 1.0 - value;
    difference.is_finite().then(|| format!("{difference:?}"))
}

/// A decimal number as `mantissa / 10^scale`, for up to 30 significant digits.
fn decimal(number: &str) -> Option<(i128, u32)> {
    let text = number.replace('_', "");
    let (negative, body) = match text.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (digits, exponent) = match body.split_once(['e', 'E']) {
        Some((digits, exponent)) => (digits, exponent.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all: String = [whole, fraction].concat();
    if whole.is_empty() || all.len() > 30 || !all.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut mantissa: i128 = all.parse().ok()?;
    let mut scale = i32::try_from(fraction.len()).ok()? - exponent;
    if scale < 0 {
        mantissa = mantissa.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?;
        scale = 0;
    }
    let scale = u32::try_from(scale).ok().filter(|s| *s <= 36)?;
    Some((if negative { -mantissa } else { mantissa }, scale))
}

/// `value / 10^scale` as a TOML float: `0.2`, `1.0`, `-0.5`.
fn decimal_text(value: i128, scale: u32) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let scale = scale as usize;
    let digits = format!("{:0>width$}", value.unsigned_abs(), width = scale + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    let fraction = fraction.trim_end_matches('0');
    format!("{sign}{whole}.{}", if fraction.is_empty() { "0" } else { fraction })
}

// --- keys against the schema -----------------------------------------------------------------

/// One part of a resolved key.
#[derive(Debug, Clone)]
struct Step<'k> {
    kind: StepKind<'k>,
    /// The key up to this part, and up to the part before it.
    path: &'k str,
    parent: &'k str,
    /// Where this part of the key sits in the virtual text.
    span: Range<usize>,
    /// The field is one its table must have (an unset may not remove it).
    required: bool,
}

#[derive(Debug, Clone, Copy)]
enum StepKind<'k> {
    /// A field of a table: a named field, a name in a table keyed by name, or a key of a table
    /// the schema leaves open.
    Field(&'k str),
    /// An element of an array of tables, by its `id`.
    Id(&'k str),
    /// An element of a plain array, 0-based.
    Index(usize),
}

/// Checks `key` against the schema, part by part, and says what each part names. `start` is where
/// the key begins in the virtual text.
fn resolve<'k>(schema: &Json, key: &'k str, start: usize) -> Result<Vec<Step<'k>>, Problem> {
    let mut steps = Vec::new();
    let mut shape = Shape::of(schema, schema);
    let mut offset = 0;
    for part in key.split('.') {
        let span = start + offset..start + offset + part.len();
        let parent = &key[..offset.saturating_sub(1)];
        let path = &key[..offset + part.len()];
        let rest = &key[offset + part.len()..];
        offset += part.len() + 1;
        if part.is_empty() {
            let found = if key.is_empty() { "no key".to_string() } else { format!("an empty part in `{key}`") };
            return fail(bad_key(span, key, found, "a dotted key such as `facility.strategic.annual_cap_usd_bn`"));
        }
        let (kind, next) = if shape.free {
            (StepKind::Field(part), Shape::free())
        } else if let Some(field) = shape.property(part) {
            (StepKind::Field(part), Shape::of(schema, field))
        } else if let Some(items) = shape.items() {
            let item = Shape::of(schema, items);
            if item.property("id").is_some() {
                (StepKind::Id(part), item)
            } else {
                let Ok(index) = part.parse::<usize>() else {
                    let found = format!("`{part}` where `{parent}` is an array");
                    return fail(bad_key(span, key, found, "the index of an element, counting from 0"));
                };
                (StepKind::Index(index), item)
            }
        } else if let Some(values) = shape.map_values() {
            (StepKind::Field(part), Shape::of(schema, values))
        } else if shape.has_fields() {
            let names = shape.field_names();
            let within = if parent.is_empty() { "a deal file".to_string() } else { format!("`{parent}`") };
            let found = format!("no `{part}` in {within}");
            let expected = format!("one of {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
            let mut problem = bad_key(span, key, found, expected);
            if let Some(close) = closest_name(part, names.iter().copied()) {
                let dot = if parent.is_empty() { "" } else { "." };
                problem = problem.with_hint(format!("did you mean `{parent}{dot}{close}{rest}`?"));
            }
            return fail(problem);
        } else {
            let found = format!("`{part}` under `{parent}`, which is {}", shape.describe());
            return fail(bad_key(span, key, found, format!("`{parent}` itself, with no part after it")));
        };
        let required = matches!(kind, StepKind::Field(_)) && shape.requires(part);
        steps.push(Step { kind, path, parent, span, required });
        shape = next;
    }
    Ok(steps)
}

/// A diagnostic passed up through the edit: boxed, as a `Diagnostic` is large for a `Result`.
type Problem = Box<Diagnostic>;

fn fail<T>(problem: Diagnostic) -> Result<T, Problem> {
    Err(Box::new(problem))
}

fn bad_key(span: Range<usize>, key: &str, found: impl Into<String>, expected: impl Into<String>) -> Diagnostic {
    Diagnostic::new(span, key, found, expected)
}

/// A node of the JSON Schema with `$ref`s followed and the branches of `anyOf` gathered: what a
/// value at some key may be.
#[derive(Default)]
struct Shape<'s> {
    branches: Vec<&'s serde_json::Map<String, Json>>,
    /// The schema says nothing about this value (`decline.rule`), so any key below it goes.
    free: bool,
}

/// Schema keywords that constrain a value; a node with none of them accepts anything.
const CONSTRAINTS: [&str; 10] =
    ["type", "properties", "items", "additionalProperties", "$ref", "anyOf", "oneOf", "allOf", "enum", "const"];

impl<'s> Shape<'s> {
    fn of(root: &'s Json, node: &'s Json) -> Shape<'s> {
        let mut shape = Shape::default();
        shape.gather(root, node, 0);
        shape
    }

    fn free() -> Shape<'s> {
        Shape { branches: Vec::new(), free: true }
    }

    fn gather(&mut self, root: &'s Json, node: &'s Json, depth: usize) {
        // The deal file's schema nests a few levels; the bound only guards against a `$ref` cycle.
        if depth > 32 {
            return;
        }
        match node {
            Json::Bool(true) => self.free = true,
            Json::Object(map) => {
                if let Some(target) =
                    map.get("$ref").and_then(Json::as_str).and_then(|r| root.pointer(r.trim_start_matches('#')))
                {
                    self.gather(root, target, depth + 1);
                }
                for combinator in ["anyOf", "oneOf", "allOf"] {
                    for branch in map.get(combinator).and_then(Json::as_array).into_iter().flatten() {
                        self.gather(root, branch, depth + 1);
                    }
                }
                if !map.keys().any(|k| CONSTRAINTS.contains(&k.as_str())) {
                    self.free = true;
                }
                self.branches.push(map);
            }
            _ => {}
        }
    }

    fn properties(&self) -> impl Iterator<Item = &'s serde_json::Map<String, Json>> + '_ {
        self.branches.iter().filter_map(|b| b.get("properties").and_then(Json::as_object))
    }

    fn property(&self, name: &str) -> Option<&'s Json> {
        self.properties().find_map(|p| p.get(name))
    }

    fn has_fields(&self) -> bool {
        self.properties().next().is_some()
    }

    fn field_names(&self) -> Vec<&'s str> {
        let mut names: Vec<&'s str> = Vec::new();
        for name in self.properties().flat_map(|p| p.keys()) {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }

    fn items(&self) -> Option<&'s Json> {
        self.branches.iter().find_map(|b| b.get("items"))
    }

    /// The schema of the values of a table keyed by name (`additionalProperties`).
    fn map_values(&self) -> Option<&'s Json> {
        self.branches.iter().find_map(|b| match b.get("additionalProperties") {
            Some(values @ (Json::Object(_) | Json::Bool(true))) => Some(values),
            _ => None,
        })
    }

    fn requires(&self, name: &str) -> bool {
        self.branches.iter().any(|b| {
            let listed =
                |field: &str| b.get(field).and_then(Json::as_array).is_some_and(|r| r.iter().any(|n| n == name));
            listed("required") && b.get("properties").and_then(Json::as_object).is_some_and(|p| p.contains_key(name))
        })
    }

    /// What a value of this shape is, in words, for a key that goes below a plain value.
    fn describe(&self) -> &'static str {
        let types = self.branches.iter().flat_map(|b| match b.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        });
        let is_date = self.branches.iter().any(|b| b.get("format").and_then(Json::as_str) == Some("date"));
        match types.into_iter().find(|t| *t != "null") {
            _ if is_date => "a date",
            Some("number") => "a number",
            Some("integer") => "a whole number",
            Some("string") => "a string",
            Some("boolean") => "true or false",
            _ => "a plain value",
        }
    }
}

// --- the edit --------------------------------------------------------------------------------

enum Edit<'i> {
    Set(Spanned<DeValue<'i>>),
    Unset,
}

/// Applies an edit at the place `steps` name below `table`. `key` is the override's key, for
/// messages.
fn edit_table<'i>(table: &mut DeTable<'i>, steps: &[Step<'i>], edit: Edit<'i>, key: &str) -> Result<(), Problem> {
    let Some((step, rest)) = steps.split_first() else { return Ok(()) };
    let StepKind::Field(name) = step.kind else {
        return fail(bad_key(step.span.clone(), key, format!("a table at `{}` in the file", step.parent), "an array"));
    };
    let Some(next) = rest.first() else {
        match edit {
            // The key keeps its place (and its span) in the file: the order of a table keyed by
            // source or by facility is the order the file gives.
            Edit::Set(value) => match table.get_mut(name) {
                Some(slot) => *slot = value,
                None => {
                    table.insert(Spanned::new(step.span.clone(), Cow::Borrowed(name)), value);
                }
            },
            Edit::Unset => {
                table.remove(name);
            }
        }
        return Ok(());
    };
    if !table.contains_key(name) {
        match (&edit, next.kind) {
            // Nothing there to remove.
            (Edit::Unset, StepKind::Field(_)) => return Ok(()),
            // A table the contract allows and the file lacks: made below.
            (Edit::Set(_), StepKind::Field(_)) => {}
            (_, StepKind::Id(id)) => return fail(unknown_id(next, key, id, &[])),
            (_, StepKind::Index(_)) => {
                let found = format!("no `{}` in the file", step.path);
                return fail(
                    bad_key(next.span.clone(), key, found, "an element of an array the file has")
                        .with_hint(format!("set the whole array instead: `{}=[ … ]`", step.path)),
                );
            }
        }
    }
    let child = table
        .entry(Spanned::new(step.span.clone(), Cow::Borrowed(name)))
        .or_insert_with(|| Spanned::new(step.span.clone(), DeValue::Table(DeTable::new())));
    edit_inside(child, step, rest, edit, key)
}

/// Applies an edit below `value`, which `step` names and which must be a table or an array.
fn edit_inside<'i>(
    value: &mut Spanned<DeValue<'i>>,
    step: &Step<'i>,
    rest: &[Step<'i>],
    edit: Edit<'i>,
    key: &str,
) -> Result<(), Problem> {
    match value.get_mut() {
        DeValue::Table(table) => edit_table(table, rest, edit, key),
        DeValue::Array(array) => edit_array(array, rest, edit, key),
        other => {
            let found = format!("{} {} at `{}` in the file", article(other.type_str()), other.type_str(), step.path);
            let span = rest.first().map_or(step.span.clone(), |next| next.span.clone());
            fail(
                bad_key(span, key, found, "a table or an array to look inside")
                    .with_hint(format!("set the whole value instead: `{}=…`", step.path)),
            )
        }
    }
}

fn edit_array<'i>(array: &mut DeArray<'i>, steps: &[Step<'i>], edit: Edit<'i>, key: &str) -> Result<(), Problem> {
    let Some((step, rest)) = steps.split_first() else { return Ok(()) };
    let position = match step.kind {
        StepKind::Id(id) => match array.iter().position(|item| id_of(item) == Some(id)) {
            Some(position) => position,
            None => {
                let ids: Vec<&str> = array.iter().filter_map(id_of).collect();
                return fail(unknown_id(step, key, id, &ids));
            }
        },
        StepKind::Index(index) if index < array.len() => index,
        StepKind::Index(index) => {
            // One past the end adds an element.
            if index == array.len()
                && rest.is_empty()
                && let Edit::Set(value) = edit
            {
                array.push(value);
                return Ok(());
            }
            return fail(out_of_range(step, key, index, array.len()));
        }
        StepKind::Field(_) => {
            return fail(bad_key(
                step.span.clone(),
                key,
                format!("an array at `{}` in the file", step.parent),
                "a table",
            ));
        }
    };
    if rest.is_empty() {
        match edit {
            Edit::Set(value) => array.as_mut()[position] = value,
            Edit::Unset => {
                let items = std::mem::replace(array, DeArray::new());
                *array = items.into_iter().enumerate().filter(|(i, _)| *i != position).map(|(_, item)| item).collect();
            }
        }
        return Ok(());
    }
    edit_inside(&mut array.as_mut()[position], step, rest, edit, key)
}

fn id_of<'a>(item: &'a Spanned<DeValue<'_>>) -> Option<&'a str> {
    item.get_ref().as_table()?.get("id")?.get_ref().as_str()
}

fn unknown_id(step: &Step<'_>, key: &str, id: &str, ids: &[&str]) -> Diagnostic {
    let expected = if ids.is_empty() {
        format!("an id of a `{}` in the file (it has none)", step.parent)
    } else {
        format!("an id in the file: {}", ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "))
    };
    let problem = bad_key(step.span.clone(), key, format!("no `{}` with id `{id}`", step.parent), expected);
    match closest_name(id, ids.iter().copied()) {
        Some(close) => {
            let rest = &key[step.path.len()..];
            problem.with_hint(format!("did you mean `{}.{close}{rest}`?", step.parent))
        }
        None => problem,
    }
}

fn out_of_range(step: &Step<'_>, key: &str, index: usize, len: usize) -> Diagnostic {
    let found = format!("element {index} of `{}`, which has {len}", step.parent);
    let expected = match len {
        0 => "an existing element (there are none)".to_string(),
        _ => format!("an index from 0 to {}", len - 1),
    };
    bad_key(step.span.clone(), key, found, expected)
}

fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// An override's value as a TOML value whose spans start at `start` in the virtual text; text
/// that is not valid TOML is a string (`fx.model=gbm`).
fn toml_value(text: &str, start: usize) -> Spanned<DeValue<'_>> {
    match DeValue::parse(text) {
        Ok(value) => shifted(value, start),
        // At least one byte wide, so an empty string can still be found by its span.
        Err(_) => Spanned::new(start..start + text.len().max(1), DeValue::String(Cow::Borrowed(text))),
    }
}

/// `value` with every span inside it moved `by` bytes on.
fn shifted(value: Spanned<DeValue<'_>>, by: usize) -> Spanned<DeValue<'_>> {
    let span = value.span();
    let moved = |span: Range<usize>| span.start + by..span.end + by;
    let inner = match value.into_inner() {
        DeValue::Table(table) => DeValue::Table(
            table
                .into_iter()
                .map(|(key, value)| (Spanned::new(moved(key.span()), key.into_inner()), shifted(value, by)))
                .collect(),
        ),
        DeValue::Array(array) => DeValue::Array(array.into_iter().map(|item| shifted(item, by)).collect()),
        scalar => scalar,
    };
    Spanned::new(moved(span), inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::Deal;
    use crate::spec::parse_deal_with;

    /// The spec tests' deal, with a pipeline and a `[decline]` to reach more kinds of key.
    fn source() -> String {
        let extra = "\n[pipeline.strategic]\nprojects_per_year = 2\nsize_usd_bn = 4.0\nirr = 0.07\nlife_years = 20\n\
                     \n[decline]\nrule = \"never\"\n";
        format!("{}{extra}", crate::spec::tests::BASE)
    }

    /// The deal read with overrides given in their text form.
    fn with(overrides: &[&str]) -> Result<Deal, Vec<Diagnostic>> {
        let overrides: Vec<Override> =
            overrides.iter().map(|text| Override::parse(text).expect("override text")).collect();
        parse_deal_with(&source(), &overrides)
    }

    #[track_caller]
    fn read(overrides: &[&str]) -> Deal {
        with(overrides).unwrap_or_else(|problems| panic!("{problems:#?}"))
    }

    /// The one diagnostic the overrides give.
    #[track_caller]
    fn rejected(overrides: &[&str]) -> Diagnostic {
        let problems = with(overrides).expect_err("the overrides must be rejected");
        assert_eq!(problems.len(), 1, "{problems:#?}");
        problems.into_iter().next().unwrap()
    }

    /// The text of the override a diagnostic points at, and the part of it the span covers.
    #[track_caller]
    fn pointed_at(problem: &Diagnostic) -> (usize, String) {
        let Origin::Override { index, given } = &problem.origin else { panic!("points at the file: {problem:#?}") };
        let argument = given.argument();
        (*index, argument[problem.span.clone()].to_string())
    }

    fn tier(deal: &Deal, waterfall: &str, index: usize) -> (f64, f64) {
        let waterfall = deal.waterfalls.iter().find(|w| w.name == waterfall).expect("waterfall");
        let tiers: Vec<_> = waterfall.recoup_tier.into_iter().chain([waterfall.final_tier]).collect();
        (tiers[index].investor, tiers[index].host)
    }

    #[test]
    fn text_forms_are_read_and_written_back() {
        assert_eq!(Override::parse("run.seed=3"), Ok(Override::set("run.seed", "3")));
        assert_eq!(Override::parse(" fx.model = gbm "), Ok(Override::set("fx.model", "gbm")));
        assert_eq!(Override::parse("deal.title=a=b"), Ok(Override::set("deal.title", "a=b")));
        assert_eq!(Override::parse("!stability"), Ok(Override::unset("stability")));
        assert!(Override::parse("stability").is_err());
        assert!(Override::parse("=3").is_err());
        assert!(Override::parse_set("!stability").is_err());
        for text in ["facility.strategic.annual_cap_usd_bn=25", "!stability", "fx.calibrate={ from = 2010-01-01 }"] {
            assert_eq!(Override::parse(text).map(|o| o.to_string()), Ok(text.to_string()));
        }
        assert_eq!(Override::unset("stability").argument(), "stability");
    }

    #[test]
    fn a_field_of_a_table() {
        assert_eq!(read(&["run.seed=99"]).run.seed, 99);
        let deal = read(&["waterfall.mou.host_tax_rate=0.25"]);
        assert_eq!(deal.waterfalls.iter().find(|w| w.name == "mou").map(|w| w.host_tax_rate), Some(0.25));
    }

    #[test]
    fn a_field_of_a_nested_inline_table() {
        let deal = read(&["run.discount_rate.investor=0.05", "facility.strategic.funding_lag.business_days=30"]);
        assert_eq!(deal.run.investor_discount_rate, 0.05);
        assert_eq!(deal.run.host_discount_rate, 0.045);
        assert_eq!(deal.facilities[0].funding_lag, crate::deal::FundingLag::BusinessDays(30));
    }

    #[test]
    fn an_element_of_an_array_of_tables_by_id() {
        let deal = read(&["facility.strategic.annual_cap_usd_bn=25", "project.yard.irr=0.09"]);
        assert_eq!(deal.facilities[0].annual_cap_usd_bn, Some(25.0));
        assert_eq!(deal.facilities[1].annual_cap_usd_bn, None);
        assert!(matches!(deal.projects[1].cash, crate::deal::ProjectCash::Level { irr, .. } if irr == 0.09));
    }

    #[test]
    fn a_table_keyed_by_name() {
        let deal = read(&[
            "pipeline.strategic.projects_per_year=5",
            "waterfall.owner.tiers=[ { investor = 0.6, host = 0.4 } ]",
        ]);
        assert_eq!(deal.pipelines[0].projects_per_year, 5.0);
        assert_eq!(tier(&deal, "owner", 0), (0.6, 0.4));
    }

    #[test]
    fn an_element_of_a_plain_array_by_index() {
        let deal =
            read(&["project.ohio-gas-power.cash_flows_usd_bn.2=4.5", "waterfall.mou.tiers.0.until=\"recouped\""]);
        assert!(
            matches!(&deal.projects[0].cash, crate::deal::ProjectCash::Explicit(flows) if flows == &[0.0, 0.0, 4.5, 2.9, 2.9]),
            "{:?}",
            deal.projects[0].cash
        );
    }

    #[test]
    fn one_past_the_end_of_a_plain_array_adds_an_element() {
        let deal = read(&["project.ohio-gas-power.cash_flows_usd_bn.5=5"]);
        assert!(matches!(&deal.projects[0].cash, crate::deal::ProjectCash::Explicit(flows) if flows.len() == 6));
        let problem = rejected(&["project.ohio-gas-power.cash_flows_usd_bn.7=5"]);
        assert!(problem.found.contains("element 7"), "{problem:#?}");
        assert_eq!(problem.expected, "an index from 0 to 4");
        assert_eq!(pointed_at(&problem), (0, "7".to_string()));
    }

    #[test]
    fn a_field_the_file_lacks_but_the_contract_allows_is_added() {
        let deal = read(&["facility.shipbuilding.annual_cap_usd_bn=5", "credit.default_correlation=0.2"]);
        assert_eq!(deal.facilities[1].annual_cap_usd_bn, Some(5.0));
        assert_eq!(deal.default_correlation, 0.2);
    }

    #[test]
    fn a_whole_table_as_an_inline_value() {
        let deal = read(&["facility.strategic.funding_lag={ days = 30 }"]);
        assert_eq!(deal.facilities[0].funding_lag, crate::deal::FundingLag::Days(30));
    }

    #[test]
    fn a_value_that_is_not_toml_is_a_string() {
        assert_eq!(read(&["deal.title=A what-if"]).title, "A what-if");
        assert_eq!(read(&["decline.rule=negative-npv"]).decline.rule, crate::deal::DeclineRule::NegativeNpv);
    }

    #[test]
    fn overrides_apply_left_to_right_and_are_recorded_as_given() {
        let deal = read(&["run.seed=1", "run.seed=2", "!facility.strategic.annual_cap_usd_bn"]);
        assert_eq!(deal.run.seed, 2);
        assert_eq!(deal.facilities[0].annual_cap_usd_bn, None);
        assert_eq!(deal.overrides, ["run.seed=1", "run.seed=2", "!facility.strategic.annual_cap_usd_bn"]);
        assert!(super::super::parse_deal(&source()).expect("valid").overrides.is_empty());
    }

    #[test]
    fn one_tier_share_sets_the_other_to_its_complement() {
        let deal = read(&["waterfall.mou.tiers.1.host=0.8"]);
        // Exactly the numbers a file would write: 0.2, not 1 - 0.8 in binary.
        assert_eq!(tier(&deal, "mou", 1), (0.2, 0.8));
        assert_eq!(tier(&deal, "mou", 0), (0.5, 0.5));
        assert_eq!(tier(&deal, "owner", 0), (1.0, 0.0));
        let deal = read(&["waterfall.mou.tiers.0.investor=0.35"]);
        assert_eq!(tier(&deal, "mou", 0), (0.35, 0.65));
        assert_eq!(tier(&read(&["waterfall.owner.tiers.0.host=0"]), "owner", 0), (1.0, 0.0));
    }

    #[test]
    fn both_tier_shares_set_are_taken_as_given() {
        let deal = read(&["waterfall.mou.tiers.1.host=0.8", "waterfall.mou.tiers.1.investor=0.2"]);
        assert_eq!(tier(&deal, "mou", 1), (0.2, 0.8));
        let problem = rejected(&["waterfall.mou.tiers.1.investor=0.3", "waterfall.mou.tiers.1.host=0.8"]);
        assert!(problem.found.contains("1.1"), "{problem:#?}");
    }

    #[test]
    fn a_complement_out_of_range_points_at_the_override_that_caused_it() {
        let problems = with(&["waterfall.mou.tiers.1.host=1.5"]).expect_err("rejected");
        // Both shares are out of range: the host's 1.5 and the investor's -0.5 it implies.
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems.iter().any(|p| p.field.ends_with("investor") && p.found == "-0.5"), "{problems:#?}");
        for problem in &problems {
            assert_eq!(pointed_at(problem), (0, "1.5".to_string()));
        }
    }

    #[test]
    fn complements_are_worked_out_in_decimal() {
        assert_eq!(one_minus("0.8").as_deref(), Some("0.2"));
        assert_eq!(one_minus("0.35").as_deref(), Some("0.65"));
        assert_eq!(one_minus("1").as_deref(), Some("0.0"));
        assert_eq!(one_minus("0").as_deref(), Some("1.0"));
        assert_eq!(one_minus("9e-1").as_deref(), Some("0.1"));
        assert_eq!(one_minus("1.5").as_deref(), Some("-0.5"));
        assert_eq!(one_minus("+0.000_1").as_deref(), Some("0.9999"));
        assert_eq!(one_minus("inf"), None);
    }

    #[test]
    fn a_misspelt_field_suggests_the_closest_key() {
        let problem = rejected(&["facility.strategic.anual_cap_usd_bn=25"]);
        assert_eq!(problem.field, "facility.strategic.anual_cap_usd_bn");
        assert!(problem.found.contains("`anual_cap_usd_bn`"), "{problem:#?}");
        assert!(problem.expected.contains("`annual_cap_usd_bn`"), "{problem:#?}");
        assert_eq!(problem.hint.as_deref(), Some("did you mean `facility.strategic.annual_cap_usd_bn`?"));
        assert_eq!(pointed_at(&problem), (0, "anual_cap_usd_bn".to_string()));
    }

    #[test]
    fn a_misspelt_table_suggests_the_closest_key() {
        let problem = rejected(&["run.seed=1", "!stabilty"]);
        assert_eq!(problem.hint.as_deref(), Some("did you mean `stability`?"));
        assert_eq!(pointed_at(&problem), (1, "stabilty".to_string()));
        let problem = rejected(&["facilty.strategic.annual_cap_usd_bn=25"]);
        assert_eq!(problem.hint.as_deref(), Some("did you mean `facility.strategic.annual_cap_usd_bn`?"));
        let problem = rejected(&["run.discount_rate.invstor=0.05"]);
        assert_eq!(problem.hint.as_deref(), Some("did you mean `run.discount_rate.investor`?"));
    }

    #[test]
    fn an_unknown_id_lists_the_ids_that_exist() {
        let problem = rejected(&["facility.strategc.annual_cap_usd_bn=25"]);
        assert!(problem.found.contains("no `facility` with id `strategc`"), "{problem:#?}");
        assert_eq!(problem.expected, "an id in the file: `strategic`, `shipbuilding`");
        assert_eq!(problem.hint.as_deref(), Some("did you mean `facility.strategic.annual_cap_usd_bn`?"));
        assert_eq!(pointed_at(&problem), (0, "strategc".to_string()));
        let problem = rejected(&["!project.nothing-like-it"]);
        assert_eq!(problem.expected, "an id in the file: `ohio-gas-power`, `yard`");
        assert_eq!(problem.hint, None);
    }

    #[test]
    fn a_key_below_a_plain_value_is_refused() {
        let problem = rejected(&["run.seed.x=1"]);
        assert!(problem.found.contains("a whole number"), "{problem:#?}");
        let problem = rejected(&["pipeline.strategic.irr.normal.mean=0.08"]);
        assert_eq!(problem.found, "a float at `pipeline.strategic.irr` in the file");
        assert_eq!(problem.hint.as_deref(), Some("set the whole value instead: `pipeline.strategic.irr=…`"));
        let problem = rejected(&["waterfall.mou.tiers.first.host=0.5"]);
        assert!(problem.found.contains("`first`"), "{problem:#?}");
    }

    #[test]
    fn a_bad_value_gets_the_files_diagnostic_at_the_override() {
        let problem = rejected(&["run.seed=1", "facility.strategic.annual_cap_usd_bn=-5"]);
        assert_eq!(problem.field, "facility[\"strategic\"].annual_cap_usd_bn");
        assert_eq!(problem.found, "-5");
        assert_eq!(problem.expected, "USD billions, 0 or more");
        assert_eq!(pointed_at(&problem), (1, "-5".to_string()));
        // The same value in the file gets the same words.
        let in_file = crate::spec::parse_deal(&source().replace("annual_cap_usd_bn = 20.0", "annual_cap_usd_bn = -5"))
            .expect_err("rejected");
        assert_eq!(
            (&in_file[0].field, &in_file[0].found, &in_file[0].expected),
            (&problem.field, &problem.found, &problem.expected)
        );
        assert_eq!(in_file[0].origin, Origin::File);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_a_serde_diagnostic_at_the_override() {
        let problem = rejected(&["run.seed=soon"]);
        assert_eq!(problem.field, "run.seed");
        assert!(problem.found.contains("soon"), "{problem:#?}");
        assert_eq!(pointed_at(&problem), (0, "soon".to_string()));
        let problem = rejected(&["facility.strategic.funding_lag={ dayz = 3 }"]);
        assert_eq!(problem.hint.as_deref(), Some("did you mean `days`?"));
        assert_eq!(pointed_at(&problem), (0, "dayz".to_string()));
    }

    #[test]
    fn unset_removes_a_field_a_table_or_an_array_element() {
        assert_eq!(read(&["!facility.strategic.annual_cap_usd_bn"]).facilities[0].annual_cap_usd_bn, None);
        let without_run = read(&["!run"]);
        assert_eq!(without_run.run.seed, 1);
        assert!(
            without_run.defaults_applied.iter().any(|d| d.starts_with("run.seed")),
            "{:?}",
            without_run.defaults_applied
        );
        let deal = read(&["!project.yard", "!pipeline.strategic"]);
        assert_eq!(deal.projects.len(), 1);
        assert!(deal.pipelines.is_empty());
        let flows = read(&["!project.ohio-gas-power.cash_flows_usd_bn.0"]);
        assert!(matches!(&flows.projects[0].cash, crate::deal::ProjectCash::Explicit(f) if f == &[0.0, 2.9, 2.9, 2.9]));
        // Unsetting what the file does not have, under a valid key, changes nothing.
        assert_eq!(Deal { overrides: Vec::new(), ..read(&["!stability", "!credit.sources"]) }, read(&[]));
    }

    #[test]
    fn unset_of_an_element_others_refer_to_is_the_files_diagnostic() {
        let problems = with(&["!facility.shipbuilding"]).expect_err("the yard's facility is gone");
        assert!(problems.iter().any(|p| p.field.contains("facility") && p.origin == Origin::File), "{problems:#?}");
    }

    #[test]
    fn unset_of_a_required_field_is_refused() {
        let problem = rejected(&["!deal.id"]);
        assert_eq!(problem.found, "a required field");
        assert_eq!(pointed_at(&problem), (0, "id".to_string()));
        assert!(with(&["!deal"]).is_err());
    }

    #[test]
    fn override_spans_lie_after_the_file_in_one_region_each() {
        let given = [Override::set("run.seed", "2"), Override::unset("stability"), Override::set("fx.model", "gbm")];
        let source = source();
        let overrides = Overrides::new(&source, &given);
        let end = source.len();
        assert_eq!(overrides.starts, [end + 1, end + 12, end + 22]);
        let at = |start: usize, end: usize| overrides.locate(Diagnostic::new(start..end, "f", "x", "y"));
        assert_eq!(at(3, 5).origin, Origin::File);
        assert_eq!(at(3, 5).span, 3..5);
        let second = at(end + 12, end + 21);
        assert_eq!(second.origin, Origin::Override { index: 1, given: given[1].clone() });
        assert_eq!(second.span, 0..9);
        let value = at(end + 31, end + 34);
        assert_eq!(value.origin, Origin::Override { index: 2, given: given[2].clone() });
        assert_eq!(&given[2].argument()[value.span], "gbm");
    }

    #[test]
    fn values_inside_an_inline_table_keep_their_place_in_the_override() {
        let problem = rejected(&["facility.strategic.instruments={ equity = 0.5, loan = -0.5 }"]);
        let (index, text) = pointed_at(&problem);
        assert_eq!(index, 0);
        assert_eq!(text, "-0.5", "{problem:#?}");
    }

    #[test]
    fn an_override_equal_to_the_files_value_reads_the_same_deal() {
        let plain = crate::spec::parse_deal(&source()).expect("valid");
        let same =
            read(&["facility.strategic.annual_cap_usd_bn=20.0", "waterfall.mou.tiers.1.host=0.9", "run.seed=20251114"]);
        assert_eq!(plain, Deal { overrides: Vec::new(), ..same });
    }
}
