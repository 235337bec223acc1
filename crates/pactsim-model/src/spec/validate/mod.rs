//! The contract's rules for a deal file, applied to the `raw` types. Each rule that fails adds a
//! `Diagnostic`; the deal is built only when none did. Defaults the file relied on are recorded
//! so the run output can list them.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;

mod currency;
mod pipeline;
mod trade;

use super::diagnostic::{Diagnostic, closest_name};
use super::raw::*;
use crate::calendar;
use crate::deal::*;

/// Paths when `[run] paths` is omitted and something in the deal is random (the contract's default).
const DEFAULT_RANDOM_PATHS: u64 = 10_000;

/// Tolerance for shares that must sum to one.
const SHARE_SUM_TOLERANCE: f64 = 1e-9;

pub(super) fn validate(raw: &RawDealFile, fits: &super::FxFits) -> Result<Deal, Vec<Diagnostic>> {
    let mut check = Checker { fits: fits.clone(), ..Checker::default() };
    let deal = check.deal_file(raw);
    if check.diagnostics.is_empty() {
        Ok(deal.expect("a deal is built whenever no rule failed"))
    } else {
        check.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        Err(check.diagnostics)
    }
}

/// A sum of shares as a person would write it: adding fractions leaves noise far below anything a
/// deal file holds (0.4 + 0.3 + 0.2 is 0.8999999999999999 in binary floating point).
fn as_written(sum: f64) -> f64 {
    (sum * 1e12).round() / 1e12
}

#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
    defaults: Vec<String>,
    /// Exchange-rate models fitted before, for a caller reading many variants of one deal.
    fits: super::FxFits,
}

impl Checker {
    fn fail(&mut self, span: Range<usize>, field: &str, found: impl Into<String>, expected: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(span, field, found, expected));
    }

    fn fail_with_hint(
        &mut self,
        span: Range<usize>,
        field: &str,
        found: impl Into<String>,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic::new(span, field, found, expected).with_hint(hint));
    }

    fn default_applied(&mut self, field: &str, value: &str) {
        self.defaults.push(format!("{field} = {value}"));
    }

    // --- values ---------------------------------------------------------------------------

    /// A finite number (TOML allows `nan` and `inf`; the contract does not).
    fn finite(&mut self, value: &Spanned<f64>, field: &str, expected: &str) -> Option<f64> {
        let v = *value.get_ref();
        if v.is_finite() {
            Some(v)
        } else {
            self.fail(value.span(), field, format!("{v}"), expected);
            None
        }
    }

    /// Money: finite and not negative.
    fn money(&mut self, value: &Spanned<f64>, field: &str) -> Option<f64> {
        const EXPECTED: &str = "USD billions, 0 or more";
        let v = self.finite(value, field, EXPECTED)?;
        if v < 0.0 {
            self.fail(value.span(), field, format!("{v}"), EXPECTED);
            return None;
        }
        Some(v)
    }

    /// A share or rate between 0 and 1 (a fraction, never a percentage).
    fn fraction(&mut self, value: &Spanned<f64>, field: &str) -> Option<f64> {
        const EXPECTED: &str = "a fraction from 0 to 1 (write 0.15, not 15)";
        let v = self.finite(value, field, EXPECTED)?;
        if !(0.0..=1.0).contains(&v) {
            self.fail(value.span(), field, format!("{v}"), EXPECTED);
            return None;
        }
        Some(v)
    }

    /// A fraction between 0 and 1 given as any TOML number.
    fn fraction_value(&mut self, value: &Spanned<toml::Value>, field: &str) -> Option<f64> {
        let number = match value.get_ref() {
            toml::Value::Float(f) => *f,
            toml::Value::Integer(i) => *i as f64,
            other => {
                self.fail(value.span(), field, format!("{} {other}", other.type_str()), "a fraction from 0 to 1");
                return None;
            }
        };
        self.fraction(&Spanned::new(value.span(), number), field)
    }

    /// `annual_default_probability` (below 1) and `recovery_rate` of a project or pipeline;
    /// `at` is the table's path with a trailing dot.
    fn credit_fields(
        &mut self,
        probability: &Option<Spanned<toml::Value>>,
        recovery: &Option<Spanned<toml::Value>>,
        at: &str,
    ) -> Option<Credit> {
        let field = |name: &str| format!("{at}{name}");
        let annual_default_probability = match probability {
            Some(value) => match self.fraction_value(value, &field("annual_default_probability")) {
                Some(p) if p >= 1.0 => {
                    self.fail(value.span(), &field("annual_default_probability"), "1", "a probability below 1");
                    None
                }
                other => other,
            },
            None => Some(0.0),
        };
        let recovery_rate = match recovery {
            Some(value) => self.fraction_value(value, &field("recovery_rate")),
            None => {
                if annual_default_probability.is_some_and(|p| p > 0.0) {
                    self.default_applied(&field("recovery_rate"), "0 (nothing recovered)");
                }
                Some(0.0)
            }
        };
        Some(Credit { annual_default_probability: annual_default_probability?, recovery_rate: recovery_rate? })
    }

    /// `[decline]`: the rule, and a snapback probability that needs a `[trade]` to act on.
    fn decline(&mut self, raw: &Spanned<RawDecline>, has_trade: bool) -> Option<Decline> {
        let d = raw.get_ref();
        let expected = "\"never\", \"negative-npv\" or { probability = p }";
        let rule = match d.rule.get_ref() {
            toml::Value::String(name) => {
                let named = Spanned::new(d.rule.span(), name.clone());
                self.name(
                    &named,
                    "decline.rule",
                    &[("never", DeclineRule::Never), ("negative-npv", DeclineRule::NegativeNpv)],
                )
            }
            toml::Value::Table(table) if table.len() == 1 && table.contains_key("probability") => {
                let value = Spanned::new(d.rule.span(), table["probability"].clone());
                self.fraction_value(&value, "decline.rule.probability").map(DeclineRule::Probability)
            }
            other => {
                self.fail(d.rule.span(), "decline.rule", format!("{} {other}", other.type_str()), expected);
                None
            }
        };
        let snapback_probability = match &d.snapback_probability {
            Some(value) => {
                let p = self.fraction_value(value, "decline.snapback_probability");
                if p.is_some_and(|p| p > 0.0) && !has_trade {
                    self.fail(
                        value.span(),
                        "decline.snapback_probability",
                        "a snapback with no [trade] section",
                        "a [trade] section whose `snapback` tariffs the host would impose",
                    );
                    return None;
                }
                p
            }
            None => {
                self.default_applied("decline.snapback_probability", "0");
                Some(0.0)
            }
        };
        Some(Decline { rule: rule?, snapback_probability: snapback_probability? })
    }

    /// `[labor]`: a probability, a delay in months of 0 or more and an overrun share of 0 or more
    /// (each a number or a distribution whose support has no negative part).
    fn labor(&mut self, raw: &Spanned<RawLabor>) -> Option<Labor> {
        let l = raw.get_ref();
        let incident_probability = self.fraction_value(&l.incident_probability, "labor.incident_probability");
        let mut non_negative = |value: &Spanned<toml::Value>, field: &str, what: &str| {
            let distribution = self.distribution(value, field)?;
            let (low, _) = distribution.support();
            // A normal's lower tail is cut at 0 when drawn; a lognormal never reaches it.
            let normal = matches!(distribution, pactsim_numeric::distribution::Distribution::Normal { .. });
            if distribution.central() < 0.0 || (low < 0.0 && !normal) {
                self.fail(value.span(), field, distribution.describe(), format!("{what}, 0 or more"));
                return None;
            }
            Some(distribution)
        };
        let delay_months = non_negative(&l.delay_months, "labor.delay_months", "a delay in months");
        let cost_overrun = match &l.cost_overrun {
            Some(value) => non_negative(value, "labor.cost_overrun", "a share of the project's size"),
            None => {
                self.default_applied("labor.cost_overrun", "0");
                Some(pactsim_numeric::distribution::Distribution::Fixed(0.0))
            }
        };
        Some(Labor {
            incident_probability: incident_probability?,
            delay_months: delay_months?,
            cost_overrun: cost_overrun?,
        })
    }

    /// An annual interest or discount rate: above -100% and at most 100% a year.
    fn rate(&mut self, value: &Spanned<f64>, field: &str) -> Option<f64> {
        const EXPECTED: &str = "an annual rate as a fraction, above -1 and at most 1 (write 0.05, not 5)";
        let v = self.finite(value, field, EXPECTED)?;
        if v <= -1.0 || v > 1.0 {
            self.fail(value.span(), field, format!("{v}"), EXPECTED);
            return None;
        }
        Some(v)
    }

    fn whole(&mut self, value: &Spanned<i64>, field: &str, min: i64, max: i64) -> Option<u32> {
        let v = *value.get_ref();
        if v < min || v > max {
            self.fail(value.span(), field, format!("{v}"), format!("a whole number from {min} to {max}"));
            return None;
        }
        u32::try_from(v).ok()
    }

    fn date(&mut self, value: &RawDate, field: &str) -> Option<NaiveDate> {
        let datetime = value.get_ref();
        let expected = "a date such as 2025-11-14 (no time, no offset)";
        let (Some(date), None, None) = (datetime.date, datetime.time, datetime.offset) else {
            self.fail(value.span(), field, datetime.to_string(), expected);
            return None;
        };
        match NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day)) {
            Some(d) => Some(d),
            None => {
                self.fail(value.span(), field, datetime.to_string(), expected);
                None
            }
        }
    }

    fn date_in_horizon(
        &mut self,
        value: &RawDate,
        field: &str,
        horizon: Option<(NaiveDate, NaiveDate)>,
    ) -> Option<NaiveDate> {
        let date = self.date(value, field)?;
        if let Some((start, end)) = horizon
            && (date < start || date > end)
        {
            self.fail(value.span(), field, date.to_string(), format!("a date within the horizon, {start} to {end}"));
            return None;
        }
        Some(date)
    }

    fn identifier(&mut self, value: &Spanned<String>, field: &str) -> Option<String> {
        let id = value.get_ref();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            self.fail(value.span(), field, format!("\"{id}\""), "lower-case letters, digits and hyphens ([a-z0-9-]+)");
            return None;
        }
        Some(id.clone())
    }

    fn party(&mut self, value: &Spanned<String>, field: &str) -> Option<String> {
        let code = value.get_ref();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            self.fail(
                value.span(),
                field,
                format!("\"{code}\""),
                "an ISO 3166-1 alpha-2 code such as \"KR\", or \"EU\"",
            );
            return None;
        }
        Some(code.clone())
    }

    /// One of a fixed set of names, with the closest one as a hint.
    fn name<T: Copy>(&mut self, value: &Spanned<String>, field: &str, allowed: &[(&str, T)]) -> Option<T> {
        let names: Vec<&str> = allowed.iter().map(|(name, _)| *name).collect();
        let index = self.one_of(value, field, &names, "one of", "")?;
        Some(allowed[index].1)
    }

    /// `name` for an optional field whose default is the first of `allowed`; the default is
    /// reported when `report_default` says the field mattered.
    fn name_or_first<T: Copy>(
        &mut self,
        value: &Option<Spanned<String>>,
        field: &str,
        allowed: &[(&str, T)],
        report_default: bool,
    ) -> Option<T> {
        match value {
            Some(value) => self.name(value, field, allowed),
            None => {
                let (name, default) = allowed[0];
                if report_default {
                    self.default_applied(field, &format!("\"{name}\""));
                }
                Some(default)
            }
        }
    }

    /// The index of `value` among `names`; otherwise a diagnostic listing them (`listing`, or
    /// `when_none` if there are none) with the closest as a hint.
    fn one_of(
        &mut self,
        value: &Spanned<String>,
        field: &str,
        names: &[&str],
        listing: &str,
        when_none: &str,
    ) -> Option<usize> {
        let found = value.get_ref().as_str();
        if let Some(index) = names.iter().position(|name| *name == found) {
            return Some(index);
        }
        let expected = if names.is_empty() {
            when_none.to_string()
        } else {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            format!("{listing} {}", quoted.join(", "))
        };
        match closest_name(found, names.iter().copied()) {
            Some(close) => self.fail_with_hint(
                value.span(),
                field,
                format!("\"{found}\""),
                expected,
                format!("did you mean \"{close}\"?"),
            ),
            None => self.fail(value.span(), field, format!("\"{found}\""), expected),
        }
        None
    }

    // --- sections -------------------------------------------------------------------------

    fn deal_file(&mut self, raw: &RawDealFile) -> Option<Deal> {
        if *raw.schema.get_ref() != 1 {
            self.fail(
                raw.schema.span(),
                "schema",
                raw.schema.get_ref().to_string(),
                "1 (the only deal file schema so far)",
            );
        }
        let deal = self.deal_table(&raw.deal);
        let horizon = deal.as_ref().map(|d| (d.start, d.end));
        let waterfall_names: Vec<&str> = raw.waterfall.keys().map(String::as_str).collect();

        let mut waterfalls: Vec<Waterfall> = Vec::new();
        for (name, table) in &raw.waterfall {
            if let Some(w) = self.waterfall(name, table) {
                waterfalls.push(w);
            }
        }
        let waterfalls_ok = waterfalls.len() == raw.waterfall.len();

        // Facilities without a waterfall share an implicit investor-owned one, placed after the
        // named ones.
        let owner_index = waterfalls.len();
        let mut facilities = Vec::new();
        let mut facility_ids: Vec<&str> = Vec::new();
        for facility in &raw.facility {
            let f = facility.get_ref();
            let id = f.id.get_ref().as_str();
            if facility_ids.contains(&id) {
                self.fail(
                    f.id.span(),
                    &format!("facility[\"{id}\"].id"),
                    format!("\"{id}\" a second time"),
                    "facility ids that are unique",
                );
            }
            facility_ids.push(id);
            if let Some((mut built, waterfall)) = self.facility(facility, horizon, &waterfall_names) {
                built.waterfall = waterfall.unwrap_or(owner_index);
                facilities.push(built);
            }
        }
        if facilities.iter().any(|f| f.waterfall == owner_index) {
            waterfalls.push(Waterfall {
                name: "(investor-owned)".to_string(),
                host_tax_rate: 0.0,
                recoup: Recoup::Capital,
                scope: Scope::Project,
                recoup_tier: None,
                final_tier: Tier { investor: 1.0, host: 0.0 },
            });
        }
        let facilities_ok = facilities.len() == raw.facility.len();

        let mut projects = Vec::new();
        let mut project_ids = HashSet::new();
        for project in &raw.project {
            let p = project.get_ref();
            if !project_ids.insert(p.id.get_ref().clone()) {
                self.fail(
                    p.id.span(),
                    &format!("project[\"{}\"].id", p.id.get_ref()),
                    format!("\"{}\" a second time", p.id.get_ref()),
                    "project ids that are unique",
                );
            }
            if let Some(built) = self.project(project, horizon, &raw.facility, &facility_ids) {
                projects.push(built);
            }
        }

        let run = self.run(raw.run.as_ref());
        let mut pipelines = Vec::new();
        for (facility, table) in &raw.pipeline {
            if let Some(pipeline) = self.pipeline(facility, table, &facility_ids) {
                pipelines.push(pipeline);
            }
        }
        let pipelines_ok = pipelines.len() == raw.pipeline.len();
        let trade = match &raw.trade {
            Some(section) => self.trade(section, deal.as_ref()),
            None => Some(Vec::new()),
        };
        let currency = self.currency(raw, deal.as_ref());
        if facilities_ok && let Some(currency) = &currency {
            self.funding_channels(raw, &mut facilities, currency.as_ref());
        }

        if !self.diagnostics.is_empty()
            || !facilities_ok
            || !waterfalls_ok
            || !pipelines_ok
            || projects.len() != raw.project.len()
        {
            return None;
        }
        let deal = deal?;
        let default_correlation = match &raw.credit {
            Some(credit) => self.fraction_value(&credit.get_ref().default_correlation, "credit.default_correlation"),
            None => Some(0.0),
        };
        let labor = match &raw.labor {
            Some(labor) => self.labor(labor).map(Some),
            None => Some(None),
        };
        let decline = match &raw.decline {
            Some(decline) => self.decline(decline, trade.as_ref().is_some_and(|markets| !markets.is_empty())),
            None => Some(Decline::default()),
        };
        let mut deal = Deal {
            facilities,
            waterfalls,
            projects,
            pipelines,
            default_correlation: default_correlation?,
            decline: decline?,
            labor: labor?,
            run: run?,
            trade: trade?,
            currency: currency?,
            ..deal
        };
        if deal.run.paths == 0 {
            let random = deal.is_random();
            deal.run.paths = if random { DEFAULT_RANDOM_PATHS } else { 1 };
            let why = if random { "something in the deal is random" } else { "nothing in the deal is random" };
            self.default_applied("run.paths", &format!("{} ({why})", deal.run.paths));
        }
        deal.defaults_applied = std::mem::take(&mut self.defaults);
        Some(deal)
    }

    /// `[deal]`: returns a Deal with empty collections, filled in by the caller.
    fn deal_table(&mut self, raw: &Spanned<RawDeal>) -> Option<Deal> {
        let d = raw.get_ref();
        let id = self.identifier(&d.id, "deal.id");
        let investor = self.party(&d.investor, "deal.investor");
        let host = self.party(&d.host, "deal.host");
        let start = self.date(&d.start, "deal.start");
        let horizon_years = self.whole(&d.horizon_years, "deal.horizon_years", 1, 100);
        if d.title.get_ref().trim().is_empty() {
            self.fail(d.title.span(), "deal.title", "an empty title", "a title for people");
        }
        let (start, horizon_years) = (start?, horizon_years?);
        Some(Deal {
            id: id?,
            title: d.title.get_ref().clone(),
            investor: investor?,
            host: host?,
            start,
            horizon_years,
            end: calendar::anniversary(start, horizon_years),
            facilities: Vec::new(),
            waterfalls: Vec::new(),
            projects: Vec::new(),
            trade: Vec::new(),
            currency: None,
            pipelines: Vec::new(),
            default_correlation: 0.0,
            decline: Decline::default(),
            labor: None,
            run: RunSettings {
                paths: 1,
                seed: 1,
                investor_discount_rate: 0.04,
                host_discount_rate: 0.04,
                terminal_value: TerminalValue::RemainingFlows,
            },
            defaults_applied: Vec::new(),
            overrides: Vec::new(),
            sealed: Sealed,
        })
    }

    /// A facility and the index of its waterfall (`None`: the implicit investor-owned one).
    fn facility(
        &mut self,
        raw: &Spanned<RawFacility>,
        horizon: Option<(NaiveDate, NaiveDate)>,
        waterfall_names: &[&str],
    ) -> Option<(Facility, Option<usize>)> {
        let f = raw.get_ref();
        let id = f.id.get_ref().clone();
        if id.is_empty() {
            self.fail(f.id.span(), "facility.id", "an empty id", "a name for the facility");
        }
        let at = |field: &str| format!("facility[\"{id}\"].{field}");

        let commitment = self.money(&f.commitment_usd_bn, &at("commitment_usd_bn"));
        let cap = match &f.annual_cap_usd_bn {
            Some(cap) => self.money(cap, &at("annual_cap_usd_bn")).map(Some),
            None => Some(None),
        };
        let selection_ends = match &f.selection_ends {
            Some(date) => self.date_in_horizon(date, &at("selection_ends"), horizon).map(Some),
            None => Some(None),
        };
        let funding_lag = match &f.funding_lag {
            Some(lag) => self.funding_lag(lag, &at("funding_lag")),
            None => {
                self.default_applied(&at("funding_lag"), "{ days = 0 }");
                Some(FundingLag::Days(0))
            }
        };
        let instruments = match &f.instruments {
            Some(shares) => self.instruments(shares, &at("instruments")),
            None => {
                self.default_applied(&at("instruments"), "{ equity = 1.0 }");
                Some(Instruments { equity: 1.0, loan: 0.0, guarantee: 0.0 })
            }
        };
        let loan = match &f.loan {
            Some(loan) => {
                let l = loan.get_ref();
                let rate = self.rate(&l.rate, &at("loan.rate"));
                let years = self.whole(&l.years, &at("loan.years"), 1, 100);
                Some(rate.zip(years).map(|(rate, years)| LoanTerms { rate, years }))
            }
            None => Some(None),
        };
        if let (Some(shares), None) = (&instruments, &f.loan)
            && (shares.loan > 0.0 || shares.guarantee > 0.0)
        {
            let span = f.instruments.as_ref().map_or(f.id.span(), |i| i.span());
            self.fail(
                span,
                &at("loan"),
                "no `loan` terms",
                "`loan = { rate = …, years = … }` because the facility has a loan or guarantee share",
            );
        }
        let fee = match &f.guarantee_fee_rate {
            Some(fee) => self.fraction(fee, &at("guarantee_fee_rate")),
            None => {
                // Listed only where it matters: a facility that guarantees loans.
                if instruments.is_some_and(|i| i.guarantee > 0.0) {
                    self.default_applied(&at("guarantee_fee_rate"), "0");
                }
                Some(0.0)
            }
        };
        let waterfall = match &f.waterfall {
            Some(name) => self
                .one_of(
                    name,
                    &at("waterfall"),
                    waterfall_names,
                    "one of the waterfalls defined:",
                    "the name of a [waterfall.NAME] table (this file defines none)",
                )
                .map(Some),
            None => {
                self.default_applied(&at("waterfall"), "investor-owned (all equity cash to the investor)");
                Some(None)
            }
        };
        Some((
            Facility {
                id,
                commitment_usd_bn: commitment?,
                annual_cap_usd_bn: cap?,
                selection_ends: selection_ends?,
                funding_lag: funding_lag?,
                instruments: instruments?,
                loan: loan?,
                guarantee_fee_rate: fee?,
                waterfall: usize::MAX,
                // Settled once the currency sections are read (`funding_channels`).
                funding_channel: FundingChannel::Reserves,
            },
            waterfall?,
        ))
    }

    /// A facility's `funding_channel`, when the file gives one.
    fn facility_channel(&mut self, raw: &RawFacility) -> Option<Option<FundingChannel>> {
        let Some(value) = &raw.funding_channel else { return Some(None) };
        let field = format!("facility[\"{}\"].funding_channel", raw.id.get_ref());
        let channels = [
            ("reserves", FundingChannel::Reserves),
            ("market", FundingChannel::Market),
            ("none", FundingChannel::Outside),
        ];
        self.name(value, &field, &channels).map(Some)
    }

    /// Gives each facility its funding channel: its own, else `[fx]`'s (`"reserves"` without
    /// `[fx]`). The market channel moves the rate of `[fx]` by a share of `[reserves]`'s GDP, so a
    /// facility on it needs both sections.
    fn funding_channels(&mut self, raw: &RawDealFile, facilities: &mut [Facility], currency: Option<&Currency>) {
        let default = currency.and_then(|c| c.fx.as_ref()).map_or(FundingChannel::Reserves, |fx| fx.channel);
        for (facility, raw_facility) in facilities.iter_mut().zip(&raw.facility) {
            let f = raw_facility.get_ref();
            match self.facility_channel(f) {
                Some(Some(channel)) => facility.funding_channel = channel,
                Some(None) => {
                    facility.funding_channel = default;
                    if currency.is_some() {
                        self.default_applied(
                            &format!("facility[\"{}\"].funding_channel", facility.id),
                            &format!("\"{}\" (as [fx])", default.name()),
                        );
                    }
                }
                None => continue,
            }
            let needs = match currency {
                _ if facility.funding_channel != FundingChannel::Market => None,
                Some(Currency { fx: Some(_), reserves: Some(_), .. }) => None,
                Some(Currency { fx: Some(_), .. }) => {
                    Some("a [reserves] section, whose gdp_usd_bn scales the market's price impact")
                }
                _ => Some("an [fx] section whose rate the purchases move, and a [reserves] section for its GDP"),
            };
            if let (Some(expected), Some(value)) = (needs, &f.funding_channel) {
                self.fail(
                    value.span(),
                    &format!("facility[\"{}\"].funding_channel", facility.id),
                    "\"market\" without the sections the market channel reads",
                    expected,
                );
            }
        }
    }

    fn funding_lag(&mut self, raw: &Spanned<RawFundingLag>, field: &str) -> Option<FundingLag> {
        let lag = raw.get_ref();
        match (&lag.business_days, &lag.days) {
            (Some(n), None) => self.whole(n, &format!("{field}.business_days"), 0, 3650).map(FundingLag::BusinessDays),
            (None, Some(n)) => self.whole(n, &format!("{field}.days"), 0, 3650).map(FundingLag::Days),
            _ => {
                self.fail(
                    raw.span(),
                    field,
                    "neither or both of `business_days` and `days`",
                    "exactly one: `{ business_days = 45 }` or `{ days = 45 }`",
                );
                None
            }
        }
    }

    fn instruments(&mut self, raw: &Spanned<RawInstruments>, field: &str) -> Option<Instruments> {
        let i = raw.get_ref();
        let mut share = |value: &Option<Spanned<f64>>, name: &str| match value {
            Some(v) => self.fraction(v, &format!("{field}.{name}")),
            None => Some(0.0),
        };
        let (equity, loan, guarantee) =
            (share(&i.equity, "equity"), share(&i.loan, "loan"), share(&i.guarantee, "guarantee"));
        let (equity, loan, guarantee) = (equity?, loan?, guarantee?);
        let sum = equity + loan + guarantee;
        if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
            self.fail(
                raw.span(),
                field,
                format!("shares summing to {}", as_written(sum)),
                "equity + loan + guarantee = 1",
            );
            return None;
        }
        Some(Instruments { equity, loan, guarantee })
    }

    fn waterfall(&mut self, name: &str, raw: &Spanned<RawWaterfall>) -> Option<Waterfall> {
        let w = raw.get_ref();
        let at = |field: &str| format!("waterfall.{name}.{field}");
        let host_tax_rate = match &w.host_tax_rate {
            Some(rate) => self.fraction(rate, &at("host_tax_rate")),
            None => {
                self.default_applied(&at("host_tax_rate"), "0");
                Some(0.0)
            }
        };
        #[derive(Clone, Copy)]
        enum RecoupKind {
            Capital,
            Hurdle,
            Deemed,
        }
        // Recoup rule and scope matter only to a waterfall whose first tier runs until recouped.
        let recoups =
            w.tiers.as_ref().is_some_and(|tiers| tiers.get_ref().first().is_some_and(|t| t.get_ref().until.is_some()));
        let kind = self.name_or_first(
            &w.recoup,
            &at("recoup"),
            &[
                ("capital", RecoupKind::Capital),
                ("hurdle", RecoupKind::Hurdle),
                ("deemed-allocation", RecoupKind::Deemed),
            ],
            recoups,
        );
        let scope = self.name_or_first(
            &w.scope,
            &at("scope"),
            &[("project", Scope::Project), ("portfolio", Scope::Portfolio)],
            recoups,
        );
        let recoup_span = w.recoup.as_ref().map_or(raw.span(), |r| r.span());
        let mut deemed_rate = || match &w.deemed_rate {
            Some(rate) => self.rate(rate, &at("deemed_rate")),
            None => {
                self.fail(
                    recoup_span.clone(),
                    &at("deemed_rate"),
                    "no `deemed_rate`",
                    "a `deemed_rate` because this recoup rule needs one",
                );
                None
            }
        };
        let recoup = match kind? {
            RecoupKind::Capital => Some(Recoup::Capital),
            RecoupKind::Hurdle => deemed_rate().map(|rate| Recoup::Hurdle { rate }),
            RecoupKind::Deemed => {
                let rate = deemed_rate();
                let life = match &w.deemed_life_years {
                    Some(years) => self.whole(years, &at("deemed_life_years"), 1, 100),
                    None => {
                        self.fail(
                            recoup_span.clone(),
                            &at("deemed_life_years"),
                            "no `deemed_life_years`",
                            "`deemed_life_years` because \"deemed-allocation\" needs one",
                        );
                        None
                    }
                };
                rate.zip(life).map(|(rate, life_years)| Recoup::DeemedAllocation { rate, life_years })
            }
        };
        let tiers = self.tiers(name, w.tiers.as_ref());
        let (recoup_tier, final_tier) = tiers?;
        Some(Waterfall {
            name: name.to_string(),
            host_tax_rate: host_tax_rate?,
            recoup: recoup?,
            scope: scope?,
            recoup_tier,
            final_tier,
        })
    }

    fn tiers(&mut self, name: &str, raw: Option<&Spanned<Vec<Spanned<RawTier>>>>) -> Option<(Option<Tier>, Tier)> {
        let field = format!("waterfall.{name}.tiers");
        let Some(raw) = raw else {
            self.default_applied(&field, "[{ investor = 1.0, host = 0.0 }]");
            return Some((None, Tier { investor: 1.0, host: 0.0 }));
        };
        let tiers = raw.get_ref();
        if tiers.is_empty() {
            self.fail(raw.span(), &field, "an empty list", "at least one tier, e.g. [{ investor = 1.0, host = 0.0 }]");
            return None;
        }
        let mut built = Vec::new();
        let count = tiers.len();
        for (index, tier) in tiers.iter().enumerate() {
            let t = tier.get_ref();
            let at = format!("{field}[{index}]");
            let investor = self.fraction(&t.investor, &format!("{at}.investor"));
            let host = self.fraction(&t.host, &format!("{at}.host"));
            if let (Some(investor), Some(host)) = (investor, host)
                && (investor + host - 1.0).abs() > SHARE_SUM_TOLERANCE
            {
                self.fail(
                    tier.span(),
                    &at,
                    format!("investor {investor} + host {host} = {}", as_written(investor + host)),
                    "shares that sum to 1",
                );
            }
            let last = index + 1 == count;
            match &t.until {
                Some(until) => {
                    self.name(until, &format!("{at}.until"), &[("recouped", ())]);
                    if index > 0 {
                        self.fail(
                            until.span(),
                            &format!("{at}.until"),
                            "`until` on a tier after the first",
                            "`until = \"recouped\"` only on the first tier",
                        );
                    } else if last {
                        self.fail(
                            until.span(),
                            &format!("{at}.until"),
                            "`until` on the last tier",
                            "a last tier without `until`, to take the cash once its condition holds",
                        );
                    }
                }
                None if !last => {
                    self.fail(tier.span(), &at, "a tier without `until` before the last", "`until = \"recouped\"` here, or no later tiers (a tier without `until` takes all remaining cash)");
                }
                None => {}
            }
            built.push(investor.zip(host).map(|(investor, host)| Tier { investor, host }));
        }
        let built: Option<Vec<Tier>> = built.into_iter().collect();
        let built = built?;
        match built.as_slice() {
            [only] => Some((None, *only)),
            [first, last] => Some((Some(*first), *last)),
            _ => None,
        }
    }

    fn project(
        &mut self,
        raw: &Spanned<RawProject>,
        horizon: Option<(NaiveDate, NaiveDate)>,
        facilities: &[Spanned<RawFacility>],
        facility_ids: &[&str],
    ) -> Option<Project> {
        let p = raw.get_ref();
        let id = p.id.get_ref().clone();
        if id.is_empty() {
            self.fail(p.id.span(), "project.id", "an empty id", "a name for the project");
        }
        let at = |field: &str| format!("project[\"{id}\"].{field}");
        let credit = self.credit_fields(&p.annual_default_probability, &p.recovery_rate, &at(""));
        let facility = self.one_of(
            &p.facility,
            &at("facility"),
            facility_ids,
            "one of the facilities defined:",
            "the id of a [[facility]] (this file defines none)",
        );
        let selected = self.date_in_horizon(&p.selected, &at("selected"), horizon);
        if let (Some(selected), Some(index)) = (selected, facility) {
            let f = facilities[index].get_ref();
            if let Some(ends) = f.selection_ends.as_ref().and_then(|d| d.get_ref().date)
                && let Some(ends) =
                    NaiveDate::from_ymd_opt(i32::from(ends.year), u32::from(ends.month), u32::from(ends.day))
                && selected > ends
            {
                self.fail(
                    p.selected.span(),
                    &at("selected"),
                    selected.to_string(),
                    format!(
                        "a date on or before {ends}, when selection ends for facility \"{}\"",
                        p.facility.get_ref()
                    ),
                );
            }
        }
        let size = self.money(&p.size_usd_bn, &at("size_usd_bn"));
        if size == Some(0.0) {
            self.fail(p.size_usd_bn.span(), &at("size_usd_bn"), "0", "a size above 0");
        }
        let cash = self.project_cash(raw, &at);
        Some(Project {
            id,
            facility: facility?,
            selected: selected?,
            size_usd_bn: size.filter(|s| *s > 0.0)?,
            cash: cash?,
            credit: credit?,
        })
    }

    fn project_cash(&mut self, raw: &Spanned<RawProject>, at: &dyn Fn(&str) -> String) -> Option<ProjectCash> {
        let p = raw.get_ref();
        let level_given = p.irr.is_some() || p.life_years.is_some() || p.construction_years.is_some();
        match (&p.cash_flows_usd_bn, level_given) {
            (Some(flows), false) => {
                let mut values = Vec::with_capacity(flows.get_ref().len());
                for (i, flow) in flows.get_ref().iter().enumerate() {
                    values.push(self.money(flow, &format!("{}[{i}]", at("cash_flows_usd_bn"))));
                }
                values.into_iter().collect::<Option<Vec<f64>>>().map(ProjectCash::Explicit)
            }
            (None, true) => {
                let irr = match &p.irr {
                    Some(irr) => self.rate(irr, &at("irr")),
                    None => {
                        self.fail(
                            raw.span(),
                            &at("irr"),
                            "no `irr`",
                            "`irr` with `life_years` (and optionally `construction_years`)",
                        );
                        None
                    }
                };
                let life = match &p.life_years {
                    Some(years) => self.whole(years, &at("life_years"), 1, 100),
                    None => {
                        self.fail(raw.span(), &at("life_years"), "no `life_years`", "`life_years` with `irr`");
                        None
                    }
                };
                let construction = match &p.construction_years {
                    Some(years) => self.whole(years, &at("construction_years"), 0, 100),
                    None => {
                        self.default_applied(&at("construction_years"), "0");
                        Some(0)
                    }
                };
                Some(ProjectCash::Level { irr: irr?, life_years: life?, construction_years: construction? })
            }
            (Some(flows), true) => {
                self.fail(
                    flows.span(),
                    &at("cash_flows_usd_bn"),
                    "both `cash_flows_usd_bn` and `irr`/`life_years`/`construction_years`",
                    "one of the two ways to give a project's cash",
                );
                None
            }
            (None, false) => {
                self.fail(
                    raw.span(),
                    &at("cash_flows_usd_bn"),
                    "no cash flows",
                    "`cash_flows_usd_bn = [ … ]`, or `irr` and `life_years`",
                );
                None
            }
        }
    }

    fn run(&mut self, raw: Option<&Spanned<RawRun>>) -> Option<RunSettings> {
        let empty = RawRun {
            paths: None,
            seed: None,
            discount_rate: None,
            terminal_value: None,
            sources: Vec::new(),
            note: None,
        };
        let r = raw.map_or(&empty, |r| r.get_ref());
        let paths = match &r.paths {
            Some(paths) => self.whole(paths, "run.paths", 1, 100_000_000).map(u64::from),
            // Settled once the deal is built: 10000 when anything in it is random, else 1.
            None => Some(0),
        };
        let seed = match &r.seed {
            Some(seed) if *seed.get_ref() < 0 => {
                self.fail(seed.span(), "run.seed", seed.get_ref().to_string(), "a whole number, 0 or more");
                None
            }
            Some(seed) => Some(*seed.get_ref() as u64),
            None => {
                self.default_applied("run.seed", "1");
                Some(1)
            }
        };
        let rates = r.discount_rate.as_ref().map(|d| d.get_ref());
        let mut discount = |value: Option<&Spanned<f64>>, party: &str| match value {
            Some(v) => self.rate(v, &format!("run.discount_rate.{party}")),
            None => {
                self.default_applied(&format!("run.discount_rate.{party}"), "0.04");
                Some(0.04)
            }
        };
        let investor = discount(rates.and_then(|d| d.investor.as_ref()), "investor");
        let host = discount(rates.and_then(|d| d.host.as_ref()), "host");
        let terminal_value = self.name_or_first(
            &r.terminal_value,
            "run.terminal_value",
            &[("remaining-flows", TerminalValue::RemainingFlows), ("none", TerminalValue::Off)],
            true,
        );
        Some(RunSettings {
            paths: paths?,
            seed: seed?,
            investor_discount_rate: investor?,
            host_discount_rate: host?,
            terminal_value: terminal_value?,
        })
    }
}
