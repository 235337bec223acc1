//! The `[fx]`, `[reserves]` and `[stability]` rules: a pair with an embedded history, a model
//! calibrated on a window of it, money and shares in range, and the sections each one needs.

use std::sync::Arc;

use chrono::{Months, NaiveDate};
use toml::Spanned;

use super::Checker;
use crate::calibrated_fx::CalibratedFx;
use crate::deal::*;
use crate::spec::raw::{RawDealFile, RawFx, RawReserves, RawStability};
use pactsim_data as data;
use pactsim_fx::{FxModel, FxModelKind};

/// The impact of a market purchase when `outflow_impact` is omitted: 1.8% depreciation per 1% of
/// GDP, the middle of Adler, Lisack and Mano (IMF WP 15/130)'s 1.7–2.0 (docs/semantics.md).
const DEFAULT_OUTFLOW_IMPACT: f64 = 0.018;

impl Checker {
    /// The three sections together; `None` inside when the file has none of them.
    pub(super) fn currency(&mut self, raw: &RawDealFile, deal: Option<&Deal>) -> Option<Option<Currency>> {
        if raw.fx.is_none() && raw.reserves.is_none() && raw.stability.is_none() {
            return Some(None);
        }
        let look_back = raw.stability.as_ref().and_then(|s| u32::try_from(*s.get_ref().window_months.get_ref()).ok());
        let fx = match &raw.fx {
            Some(fx) => self.fx(fx, deal, look_back.unwrap_or(0)).map(Some),
            None => Some(None),
        };
        let reserves = match &raw.reserves {
            Some(reserves) => self.reserves(reserves).map(Some),
            None => Some(None),
        };
        let (fx, reserves) = (fx?, reserves?);
        if let (Some(fx), Some(section)) = (&fx, &raw.fx)
            && fx.channel == FundingChannel::Market
            && reserves.is_none()
        {
            let channel = section.get_ref().funding_channel.as_ref().expect("market is never the default");
            self.fail(
                channel.span(),
                "fx.funding_channel",
                "\"market\" with no [reserves] section",
                "a [reserves] section, whose gdp_usd_bn scales the market's price impact",
            );
            return None;
        }
        let has_ara = reserves.is_some_and(|r| r.ara.is_some());
        let (stability, ara_floor) = match &raw.stability {
            Some(section) => {
                let (stability, floor) = self.stability(section, fx.is_some(), has_ara)?;
                (Some(stability), floor)
            }
            None => (None, None),
        };
        // Without a floor of its own the adequacy figures judge against the IMF's lower bound.
        let ara_floor = ara_floor.unwrap_or_else(|| {
            if has_ara {
                self.default_applied("stability.ara_floor", "1 (the IMF's lower bound of adequacy)");
            }
            1.0
        });
        let month_ends = deal.map_or_else(Vec::new, |d| crate::currency::month_ends(d.start, d.end));
        let month_end_days = deal.map_or_else(Vec::new, |d| {
            month_ends.iter().map(|&end| crate::calendar::days_between(d.start, end) as usize).collect()
        });
        Some(Some(Currency { fx, reserves, stability, ara_floor, month_ends, month_end_days }))
    }

    fn fx(&mut self, raw: &Spanned<RawFx>, deal: Option<&Deal>, look_back_months: u32) -> Option<Fx> {
        let f = raw.get_ref();
        let pair = self.one_of(&f.pair, "fx.pair", &data::FX_PAIRS, "one of the pairs with an embedded history:", "");
        let kind = self.name(
            &f.model,
            "fx.model",
            &[("gbm", FxModelKind::Gbm), ("garch", FxModelKind::Garch), ("bootstrap", FxModelKind::Bootstrap)],
        );
        let window = f.calibrate.get_ref();
        let from = self.date(&window.from, "fx.calibrate.from");
        let to = self.date(&window.to, "fx.calibrate.to");
        let channel = self.name_or_first(
            &f.funding_channel,
            "fx.funding_channel",
            &[("reserves", FundingChannel::Reserves), ("market", FundingChannel::Market)],
            true,
        );
        let outflow_impact = match &f.outflow_impact {
            Some(value) => self.non_negative(value, "fx.outflow_impact", "a log depreciation per 1% of GDP, 0 or more"),
            None => {
                if channel == Some(FundingChannel::Market) {
                    self.default_applied("fx.outflow_impact", &DEFAULT_OUTFLOW_IMPACT.to_string());
                }
                Some(DEFAULT_OUTFLOW_IMPACT)
            }
        };
        let swap_line = match &f.swap_line_usd_bn {
            Some(value) => self.money(value, "fx.swap_line_usd_bn"),
            None => Some(0.0),
        };
        let (pair, kind, from, to, deal) = (pair?, kind?, from?, to?, deal?);
        let pair = data::FX_PAIRS[pair];
        let history = data::fx_daily(pair).expect("every listed pair has a history");
        let (first, last) = (history.dates[0], *history.dates.last().expect("a history has rows"));
        let window_span = f.calibrate.span();
        if from >= to {
            self.fail(
                window_span,
                "fx.calibrate",
                format!("from {from} to {to}"),
                "a window whose `from` is before its `to`",
            );
            return None;
        }
        if from < first || to > last {
            self.fail(
                window_span,
                "fx.calibrate",
                format!("from {from} to {to}"),
                format!("a window within the embedded {pair} history, {first} to {last}"),
            );
            return None;
        }
        if deal.start <= first {
            self.fail(
                window_span,
                "fx.calibrate",
                format!("a deal starting {}", deal.start),
                format!("a deal starting after the {pair} history begins ({first}): paths start from the last rate before it"),
            );
            return None;
        }
        let in_window: Vec<f64> = history
            .dates
            .iter()
            .zip(&history.values)
            .filter(|(d, _)| **d >= from && **d <= to)
            .map(|(_, v)| *v)
            .collect();
        let returns: Vec<f64> = in_window.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let model = match self.fits.fit(pair, kind, (from, to), || FxModel::calibrate(kind, &returns)) {
            Ok(model) => model,
            Err(error) => {
                self.fail(
                    window_span,
                    "fx.calibrate",
                    format!(
                        "{} daily returns from {from} to {to}, on which the model cannot be fitted ({error})",
                        returns.len()
                    ),
                    "a longer window of the history (ten years or more is usual)",
                );
                return None;
            }
        };
        // Observations from the longest look-back before the start up to the last one before it.
        let look_back_from = deal.start.checked_sub_months(Months::new(look_back_months + 1)).unwrap_or(first);
        let before: Vec<(NaiveDate, f64)> = history
            .dates
            .iter()
            .zip(&history.values)
            .filter(|(d, _)| **d < deal.start)
            .map(|(d, v)| (*d, *v))
            .collect();
        let keep_from = before.partition_point(|(d, _)| *d < look_back_from).saturating_sub(1);
        let calibrated = CalibratedFx::new(model, returns.len(), before[keep_from..].to_vec(), deal.start, deal.end);
        Some(Fx {
            pair: pair.to_string(),
            kind,
            calibrate_from: from,
            calibrate_to: to,
            channel: channel?,
            outflow_impact: outflow_impact?,
            swap_line_usd_bn: swap_line?,
            model: Arc::new(calibrated),
        })
    }

    /// A finite number, 0 or more, of a unit other than money.
    fn non_negative(&mut self, value: &Spanned<f64>, field: &str, expected: &str) -> Option<f64> {
        let v = self.finite(value, field, expected)?;
        if v < 0.0 {
            self.fail(value.span(), field, format!("{v}"), expected);
            return None;
        }
        Some(v)
    }

    fn reserves(&mut self, raw: &Spanned<RawReserves>) -> Option<Reserves> {
        let r = raw.get_ref();
        let start = self.money(&r.start_usd_bn, "reserves.start_usd_bn");
        let gdp = self.money(&r.gdp_usd_bn, "reserves.gdp_usd_bn");
        if gdp == Some(0.0) {
            self.fail(r.gdp_usd_bn.span(), "reserves.gdp_usd_bn", "0", "a GDP above 0, USD billions");
        }
        let baseline = match &r.baseline_change_usd_bn_per_year {
            Some(value) => self.finite(value, "reserves.baseline_change_usd_bn_per_year", "USD billions per year"),
            None => {
                self.default_applied("reserves.baseline_change_usd_bn_per_year", "0");
                Some(0.0)
            }
        };
        let ara = match &r.ara {
            Some(ara) => self.ara(ara).map(Some),
            None => Some(None),
        };
        Some(Reserves {
            start_usd_bn: start?,
            gdp_usd_bn: gdp.filter(|g| *g > 0.0)?,
            baseline_change_usd_bn_per_year: baseline?,
            ara: ara?,
        })
    }

    fn ara(&mut self, raw: &Spanned<crate::spec::raw::RawAra>) -> Option<Ara> {
        let a = raw.get_ref();
        let exports = self.money(&a.exports_usd_bn, "reserves.ara.exports_usd_bn");
        let broad_money = self.money(&a.broad_money_usd_bn, "reserves.ara.broad_money_usd_bn");
        let short_term_debt = self.money(&a.short_term_debt_usd_bn, "reserves.ara.short_term_debt_usd_bn");
        let other = self.money(&a.other_liabilities_usd_bn, "reserves.ara.other_liabilities_usd_bn");
        let regime = self.name_or_first(
            &a.regime,
            "reserves.ara.regime",
            &[("floating", AraRegime::Floating), ("fixed", AraRegime::Fixed)],
            true,
        );
        let ara = Ara {
            exports_usd_bn: exports?,
            broad_money_usd_bn: broad_money?,
            short_term_debt_usd_bn: short_term_debt?,
            other_liabilities_usd_bn: other?,
            regime: regime?,
        };
        if ara.metric_usd_bn() <= 0.0 {
            self.fail(raw.span(), "reserves.ara", "a metric of 0", "inputs that give an ARA metric above 0");
            return None;
        }
        Some(ara)
    }

    /// The clause and its ARA floor, if it gives one.
    fn stability(
        &mut self,
        raw: &Spanned<RawStability>,
        has_fx: bool,
        has_ara: bool,
    ) -> Option<(Stability, Option<f64>)> {
        let s = raw.get_ref();
        if !has_fx {
            self.fail(
                raw.span(),
                "stability",
                "a stability clause with no [fx] section",
                "an [fx] section: the clause watches the exchange rate",
            );
            return None;
        }
        let trigger = self.non_negative(
            &s.depreciation_trigger,
            "stability.depreciation_trigger",
            "a share of the currency's dollar value, 0 or more (write 0.10, not 10)",
        );
        if trigger.is_some_and(|t| t >= 1.0) {
            self.fail(
                s.depreciation_trigger.span(),
                "stability.depreciation_trigger",
                format!("{}", s.depreciation_trigger.get_ref()),
                "a share below 1 (write 0.10 for a 10% loss, not 10)",
            );
        }
        let window = self.whole(&s.window_months, "stability.window_months", 1, 120);
        let floor = match &s.ara_floor {
            Some(value) => {
                if !has_ara {
                    self.fail(
                        value.span(),
                        "stability.ara_floor",
                        "an ARA floor with no [reserves] ara inputs",
                        "a [reserves] section with `ara` inputs whose adequacy the floor judges, or no ara_floor",
                    );
                    return None;
                }
                self.non_negative(value, "stability.ara_floor", "a multiple of the ARA metric, 0 or more (1 = 100%)")
                    .map(Some)
            }
            None => Some(None),
        };
        let accepts = self.fraction_value(&s.host_accepts_probability, "stability.host_accepts_probability");
        let deferral = self.whole(&s.deferral_months, "stability.deferral_months", 1, 120);
        let stability = Stability {
            depreciation_trigger: trigger.filter(|t| *t < 1.0)?,
            window_months: window?,
            host_accepts_probability: accepts?,
            deferral_months: deferral?,
        };
        Some((stability, floor?))
    }
}
