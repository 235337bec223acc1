//! `KEY=LO..HI`: an input of an analysis, a numeric key of the overrides contract and the range
//! it takes.

use crate::Error;
use crate::spec::Override;

/// An input and its range, `low < high`, both finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub key: String,
    pub low: f64,
    pub high: f64,
    /// Both ends written as whole numbers (`10..40`): kept, so a key that takes only whole
    /// numbers can be set to them.
    whole: bool,
}

impl Range {
    /// A range of `key` from `low` to `high`; `parameter` names the flag in an error.
    pub fn new(key: impl Into<String>, low: f64, high: f64, parameter: &'static str) -> Result<Range, Error> {
        let key = key.into();
        if !(low.is_finite() && high.is_finite()) {
            return Err(Error::InvalidRequest {
                parameter,
                message: format!("{key}: found {low}..{high}, expected finite numbers"),
            });
        }
        if low >= high {
            return Err(Error::InvalidRequest {
                parameter,
                message: format!("{key}={low}..{high}: expected LO below HI"),
            });
        }
        Ok(Range { key, low, high, whole: false })
    }

    /// Reads `KEY=LO..HI` (`trade.elasticities.substitution=3..8`, `fx.outflow_impact=-0.5..1.5`);
    /// `parameter` names the flag in an error.
    pub fn parse(text: &str, parameter: &'static str) -> Result<Range, Error> {
        let syntax = |why: &str| Error::InvalidRequest {
            parameter,
            message: format!(
                "`{text}`: {why}; expected KEY=LO..HI, such as facility.strategic.annual_cap_usd_bn=10..40"
            ),
        };
        let (key, range) = text.split_once('=').ok_or_else(|| syntax("no `=`"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(syntax("no key before `=`"));
        }
        let (low, high) = range.split_once("..").ok_or_else(|| syntax("no `..` between LO and HI"))?;
        let number = |part: &str, which: &str| {
            part.trim().parse::<f64>().map_err(|_| syntax(&format!("{which} `{}` is not a number", part.trim())))
        };
        let mut parsed = Range::new(key, number(low, "LO")?, number(high, "HI")?, parameter)?;
        let whole = |part: &str| part.trim().parse::<i64>().is_ok();
        parsed.whole = whole(low) && whole(high);
        Ok(parsed)
    }

    /// The point `u` of the way from low to high (`u` in [0, 1]).
    pub fn at(&self, u: f64) -> f64 {
        self.low + u * (self.high - self.low)
    }

    /// The override that sets the key to `value` (as a float; see [`Range::whole_override`]).
    pub fn set(&self, value: f64) -> Override {
        Override::set(self.key.clone(), super::number_text(value))
    }

    /// The override that sets the key to `value` rounded to a whole number, for keys that take
    /// only whole numbers; `None` unless both ends were written as whole numbers.
    pub fn whole_override(&self, value: f64) -> Option<Override> {
        self.whole.then(|| Override::set(self.key.clone(), format!("{}", value.round() as i64)))
    }

    /// The range as given: `KEY=LO..HI`.
    pub fn text(&self) -> String {
        format!("{}={}..{}", self.key, self.low, self.high)
    }
}

/// How an input's values are written into overrides: as floats, or, for a key that takes only
/// whole numbers, rounded to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    Float,
    Whole,
}

impl Written {
    /// The override that sets `range`'s key to `value`, and the value it sets.
    pub(crate) fn set(self, range: &Range, value: f64) -> (Override, f64) {
        match self {
            Written::Float => (range.set(value), value),
            Written::Whole => (range.whole_override(value).expect("whole only for whole ranges"), value.round()),
        }
    }
}

/// Finds how `range`'s key is written: as a float, unless the deal refuses a float there and
/// takes the whole number (both ends written as whole numbers). `check` validates the deal with
/// one override and returns its error; the float's error is returned when neither form is valid.
fn written(range: &Range, mut check: impl FnMut(Override) -> Result<(), Error>) -> Result<Written, Error> {
    let float = check(range.set(range.low));
    match (float, range.whole_override(range.low)) {
        (Ok(()), _) => Ok(Written::Float),
        (Err(error), Some(whole)) => match check(whole) {
            Ok(()) => Ok(Written::Whole),
            Err(_) => Err(error),
        },
        (Err(error), None) => Err(error),
    }
}

/// Checks that no key is given twice and that `deal` (with `overrides`) is valid with each
/// range's key at both ends, before anything runs; returns how each key is written. `flag` names
/// the flag the ranges came from, in messages and as the error's parameter.
pub(crate) fn check_ranges(
    deal: &str,
    overrides: &[Override],
    ranges: &[Range],
    flag: &'static str,
    fits: &crate::spec::FxFits,
) -> Result<Vec<Written>, Error> {
    let mut forms = Vec::with_capacity(ranges.len());
    for (i, range) in ranges.iter().enumerate() {
        if ranges[..i].iter().any(|r| r.key == range.key) {
            return Err(Error::InvalidRequest {
                parameter: flag,
                message: format!("{} is given twice; give each key once", range.key),
            });
        }
        let at = |change: Override, value: f64| {
            let what = format!("--{flag} {} at {value}", range.text());
            super::parse(deal, &super::chained(overrides, [change]), fits, 0, Some(what)).map(|_| ())
        };
        let form = written(range, |change| at(change, range.low))?;
        let (change, value) = form.set(range, range.high);
        at(change, value)?;
        forms.push(form);
    }
    Ok(forms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<Range, Error>) -> String {
        match result {
            Err(Error::InvalidRequest { parameter: "range", message }) => message,
            other => panic!("expected a range error, got {other:?}"),
        }
    }

    #[test]
    fn ranges_read_negative_and_decimal_ends() {
        let r = Range::parse("trade.elasticities.demand=-1.5..-0.5", "range").unwrap();
        assert_eq!((r.key.as_str(), r.low, r.high), ("trade.elasticities.demand", -1.5, -0.5));
        assert_eq!(r.set(r.at(0.5)), Override::set("trade.elasticities.demand", "-1.0"));
        assert_eq!(r.whole_override(1.0), None);
        let whole = Range::parse(" stability.window_months = 1..6 ", "range").unwrap();
        assert_eq!(whole.whole_override(2.6), Some(Override::set("stability.window_months", "3")));
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        assert!(message(Range::parse("fx.outflow_impact", "range")).contains("no `=`"));
        assert!(message(Range::parse("fx.outflow_impact=0.5", "range")).contains("no `..`"));
        assert!(message(Range::parse("fx.outflow_impact=a..1", "range")).contains("LO `a` is not a number"));
        assert!(message(Range::parse("fx.outflow_impact=2..1", "range")).contains("expected LO below HI"));
        assert!(message(Range::parse("fx.outflow_impact=1..1", "range")).contains("expected LO below HI"));
        assert!(message(Range::parse("fx.outflow_impact=0..inf", "range")).contains("finite"));
        assert!(message(Range::parse("=0..1", "range")).contains("no key"));
    }
}
