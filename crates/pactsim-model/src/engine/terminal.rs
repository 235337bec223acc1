//! The terminal value: what is still owed or owned at the horizon, valued on the horizon date
//! (`[run] terminal_value = "remaining-flows"`, the default; docs/semantics.md, "Terminal value";
//! why this rule, in docs/design.md).
//!
//! The rule. After the horizon every funded project goes on paying under the deal's own rules —
//! debt service, the guarantee fee, host tax, the tiers with the recoup accounts as they stand,
//! deemed allocations falling due — until its last payment, with no new funding, no drawn default
//! and no recoup status judged. A party's flow on a date `d` after the horizon `H` adds
//! `survival · flow · (1 + r)^(−(d − H) / 365)` to its terminal value, `r` being its discount rate
//! and `survival` the chance the project has paid without defaulting on each of its payment dates
//! since the horizon, `(1 − PD)^n` after `n` of them (1 on the central path, which has no
//! defaults). On each such date the default that may come first adds, at the chance
//! `survival · PD` that it comes then, what it brings the investor: the recovery on its loan and
//! guarantee claim less its call on the guarantee (`Run::default`'s figures). A funding call still
//! open at the horizon counts what the investor has paid toward it, at cost.
//!
//! Each value is one flow on the horizon date: in the NPVs (discounted like any flow on that
//! date), in the investor's XIRR as its last flow, and in the deal NPV; not in what was paid or
//! received, which are cash.

use chrono::NaiveDate;

use super::payment::Run;
use crate::calendar::days_between;
use crate::deal::{Deal, TerminalValue};
use crate::funding::Funding;

/// The terminal values of one path as its events after the horizon apply.
pub(super) struct Terminal {
    horizon: NaiveDate,
    investor_log_growth: f64,
    host_log_growth: f64,
    /// Whether survival weights apply: a path whose projects may default.
    weighted: bool,
    /// The investor's terminal value on each facility's projects, so far.
    pub(super) investor: Vec<f64>,
    pub(super) host: f64,
}

impl Terminal {
    pub(super) fn new(deal: &Deal, weighted: bool) -> Self {
        Terminal {
            horizon: deal.end,
            investor_log_growth: deal.run.investor_discount_rate.ln_1p(),
            host_log_growth: deal.run.host_discount_rate.ln_1p(),
            weighted,
            investor: vec![0.0; deal.facilities.len()],
            host: 0.0,
        }
    }

    /// Whether events after the horizon are played: with `terminal_value = "remaining-flows"`.
    pub(super) fn played(deal: &Deal) -> bool {
        deal.run.terminal_value == TerminalValue::RemainingFlows
    }

    /// The factor of a flow on `date` (after the horizon) at a rate whose `ln(1 + r)` is given.
    fn factor(&self, log_growth: f64, date: NaiveDate) -> f64 {
        (-log_growth * (days_between(self.horizon, date) as f64 / 365.0)).exp()
    }

    /// An investor flow after the horizon on a project of `facility` that has survived so far
    /// with probability `survival`.
    pub(super) fn investor(&mut self, facility: usize, date: NaiveDate, amount: f64, survival: f64) {
        self.investor[facility] += survival * amount * self.factor(self.investor_log_growth, date);
    }

    /// A host flow (tax and distributions) after the horizon, likewise.
    pub(super) fn host(&mut self, date: NaiveDate, amount: f64, survival: f64) {
        self.host += survival * amount * self.factor(self.host_log_growth, date);
    }

    /// A call still open at the horizon: what the investor paid toward it, at cost.
    pub(super) fn open_call(&mut self, facility: usize, funding: &Funding) {
        if funding.completed.is_none() {
            self.investor[facility] += funding.paid_usd_bn();
        }
    }
}

impl Run<'_> {
    /// Before project `i`'s `k`-th payment, on `date` after the horizon: the default that may come
    /// then, at its chance, and the survival that weights the payment (see the module's doc).
    pub(super) fn expected_default_after_horizon(&mut self, i: usize, date: NaiveDate, k: u32) {
        let credit = self.deal.projects[i].credit;
        let probability = credit.annual_default_probability;
        if !self.terminal.weighted || probability <= 0.0 {
            return;
        }
        let (recovery, call, _) = self.default_figures(i, k, credit.recovery_rate);
        let facility = self.deal.projects[i].facility;
        let survival = self.projects[i].survival;
        self.terminal.investor(facility, date, recovery - call, survival * probability);
        self.projects[i].survival = survival * (1.0 - probability);
    }
}

#[cfg(test)]
mod tests {
    //! Hand-computed terminal values: ten years from 2026-01-01, so the horizon is 2036-01-01.

    use crate::engine::testing::{HEADER, close};
    use crate::engine::{PathDraws, run, run_path};
    use crate::spec::parse_deal;

    fn deal(body: &str) -> crate::deal::Deal {
        parse_deal(&format!("{HEADER}{body}")).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// The factor of a flow `days` after the horizon at 4% (the default rate).
    fn at_4(days: f64) -> f64 {
        1.04f64.powf(-days / 365.0)
    }

    const TAXED: &str = r#"
[[facility]]
id = "f"
commitment_usd_bn = 10.0
waterfall = "w"
[waterfall.w]
host_tax_rate = 0.2
[[project]]
id = "p"
facility = "f"
selected = 2030-06-01
size_usd_bn = 1.0
cash_flows_usd_bn = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
"#;

    #[test]
    fn flows_after_the_horizon_are_valued_on_the_horizon_date_at_each_partys_rate() {
        // Paid on 2031-06-01 … 2040-06-01: five payments after the horizon, 0.8 to the investor
        // and 0.2 of tax to the host each.
        let d = deal(TAXED);
        let outcome = run(&d);
        assert_eq!(outcome.projects[0].flows.len(), 5, "rows stop at the horizon");
        let days = [152.0, 517.0, 882.0, 1247.0, 1613.0]; // 2036-06-01 … 2040-06-01 (2040 is leap)
        let investor: f64 = days.iter().map(|&d| 0.8 * at_4(d)).sum();
        let host: f64 = days.iter().map(|&d| 0.2 * at_4(d)).sum();
        assert!((outcome.investor_terminal_value - investor).abs() < 1e-12, "{}", outcome.investor_terminal_value);
        assert!((outcome.host_terminal_value - host).abs() < 1e-12);
        close(outcome.facilities[0].terminal_value, outcome.investor_terminal_value);
        // Nothing after the horizon counts in the years or the flows.
        assert!(outcome.investor_flows.iter().all(|f| f.date <= d.end));
        // Switched off, there is none.
        let off = run(&deal(&format!("{TAXED}[run]\nterminal_value = \"none\"\n")));
        assert_eq!((off.investor_terminal_value, off.host_terminal_value), (0.0, 0.0));
        assert_eq!(off.investor_flows, outcome.investor_flows);
    }

    #[test]
    fn each_payment_after_the_horizon_is_weighted_by_survival_and_the_default_before_it_by_its_chance() {
        // Funded on 2035-06-01 (10: equity 5, loan 5 at 0% over 2 years), it pays 5 on 2036-06-01
        // and 2037-06-01, both after the horizon, so no default is drawn; PD 0.1, recovery 0.5.
        let d = deal(
            r#"
[[facility]]
id = "f"
commitment_usd_bn = 10.0
instruments = { equity = 0.5, loan = 0.5 }
loan = { rate = 0.0, years = 2 }
[[project]]
id = "p"
facility = "f"
selected = 2035-06-01
size_usd_bn = 10.0
cash_flows_usd_bn = [5.0, 5.0]
annual_default_probability = 0.1
recovery_rate = 0.5
"#,
        );
        let outcome = run_path(&d, &PathDraws::draw(&d, 1, 0));
        assert_eq!(outcome.defaults, 0);
        // 2036-06-01: a default first (0.1) would recover 0.5 · 5; else (0.9) the loan's 2.5 and
        // equity's 2.5. 2037-06-01: 0.9 · 0.1 · 0.5 · 2.5, then 0.81 · 5.
        let first = (0.1 * 2.5 + 0.9 * 5.0) * at_4(152.0);
        let second = (0.9 * 0.1 * 0.5 * 2.5 + 0.81 * 5.0) * at_4(517.0);
        assert!((outcome.investor_terminal_value - (first + second)).abs() < 1e-12);
        // The central path has no defaults: no weights.
        let central = run(&d);
        assert!((central.investor_terminal_value - 5.0 * (at_4(152.0) + at_4(517.0))).abs() < 1e-12);
    }

    #[test]
    fn a_call_still_open_at_the_horizon_counts_what_was_paid_toward_it() {
        // 3 a year under the cap: 3 on 2035-06-01, 3 on Tuesday 1 January 2036 (the horizon's
        // day), 4 still owed; the project never starts.
        let outcome = run(&deal(
            "[[facility]]\nid = \"f\"\ncommitment_usd_bn = 10.0\nannual_cap_usd_bn = 3.0\n[[project]]\nid = \"p\"\n\
             facility = \"f\"\nselected = 2035-06-01\nsize_usd_bn = 10.0\ncash_flows_usd_bn = [5.0, 5.0, 5.0]\n",
        ));
        assert_eq!(outcome.projects[0].funded_on, None);
        close(outcome.investor_terminal_value, 6.0);
    }
}
