//! The `[pipeline.<facility>]` rules: a facility that exists, a positive selection rate, and
//! distributions whose values make a project (positive size, IRR above −100% and centred at most
//! at 100%, a life of a year or more).

use toml::Spanned;

use super::Checker;
use crate::deal::Pipeline;
use crate::spec::raw::RawPipeline;
use pactsim_numeric::distribution::Distribution;

impl Checker {
    pub(super) fn pipeline(
        &mut self,
        facility: &str,
        raw: &Spanned<RawPipeline>,
        facility_ids: &[&str],
    ) -> Option<Pipeline> {
        let p = raw.get_ref();
        let at = |field: &str| format!("pipeline.{facility}.{field}");
        let facility_index = facility_ids.iter().position(|id| *id == facility);
        if facility_index.is_none() {
            let name = Spanned::new(raw.span(), facility.to_string());
            self.one_of(
                &name,
                &format!("pipeline.{facility}"),
                facility_ids,
                "a [pipeline.<facility>] for one of the facilities defined:",
                "a [[facility]] to generate projects for (this file defines none)",
            );
        }
        let rate = match p.projects_per_year.get_ref() {
            toml::Value::Float(_) | toml::Value::Integer(_) => {
                let v = p
                    .projects_per_year
                    .get_ref()
                    .as_float()
                    .or_else(|| p.projects_per_year.get_ref().as_integer().map(|i| i as f64))
                    .expect("a number");
                if v.is_finite() && v > 0.0 && v <= 1000.0 {
                    Some(v)
                } else {
                    self.fail(
                        p.projects_per_year.span(),
                        &at("projects_per_year"),
                        format!("{v}"),
                        "a mean number of selections per year above 0 (and at most 1000)",
                    );
                    None
                }
            }
            other => {
                self.fail(
                    p.projects_per_year.span(),
                    &at("projects_per_year"),
                    format!("{} {other}", other.type_str()),
                    "a number of selections per year",
                );
                None
            }
        };
        let size = self.bounded(&p.size_usd_bn, &at("size_usd_bn"), 0.0, false, "sizes above 0 (USD billions)");
        const IRR_EXPECTED: &str = "IRRs as fractions, above -1 and at most 1 (write 0.07 for 7%, not 7)";
        let irr = match self.bounded(&p.irr, &at("irr"), -1.0, false, IRR_EXPECTED) {
            // A central IRR above 100% is surely a percentage (7 for 7%), and every draw would be
            // cut to the 100% that generated projects are held to.
            Some(irr) if irr.central() > 1.0 => {
                self.fail(p.irr.span(), &at("irr"), irr.describe(), IRR_EXPECTED);
                None
            }
            irr => irr,
        };
        let life = self.bounded(
            &p.life_years,
            &at("life_years"),
            0.5,
            true,
            "lives of at least one year (draws are rounded to whole years)",
        );
        let construction = match &p.construction_years {
            Some(value) => self.bounded(
                value,
                &at("construction_years"),
                -0.5,
                true,
                "0 years or more (draws are rounded to whole years)",
            ),
            None => {
                self.default_applied(&at("construction_years"), "0");
                Some(Distribution::Fixed(0.0))
            }
        };
        let credit =
            self.credit_fields(&p.annual_default_probability, &p.recovery_rate, &format!("pipeline.{facility}."));
        Some(Pipeline {
            facility: facility_index?,
            projects_per_year: rate?,
            size_usd_bn: size?,
            irr: irr?,
            life_years: life?,
            construction_years: construction?,
            credit: credit?,
        })
    }

    /// A distribution whose central value lies above `low` and whose bounded support does too
    /// (a normal's tail is truncated when drawn); `inclusive` allows the support to touch it.
    fn bounded(
        &mut self,
        value: &Spanned<toml::Value>,
        field: &str,
        low: f64,
        inclusive: bool,
        expected: &str,
    ) -> Option<Distribution> {
        let distribution = self.distribution(value, field)?;
        let (support_low, _) = distribution.support();
        let above = |v: f64| if inclusive { v >= low } else { v > low };
        let fits = distribution.central().is_finite()
            && above(distribution.central())
            && (above(support_low)
                || support_low == f64::NEG_INFINITY
                || (matches!(distribution, Distribution::LogNormal { .. }) && low <= 0.0));
        if !fits {
            self.fail(value.span(), field, distribution.describe(), expected);
            return None;
        }
        Some(distribution)
    }
}
