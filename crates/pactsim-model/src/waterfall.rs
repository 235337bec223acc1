//! The equity waterfall: host tax, then the tiers, with recoup accounts that say how much the
//! investor is still owed through the first tier under the deal's recoup rule.
//!
//! An account is one project (`scope = "project"`) or one waterfall's pool of projects
//! (`scope = "portfolio"`). It learns of equity paid in, deemed allocations falling due, first-tier
//! receipts and funding still pending; `owed` and `is_recouped` follow the contract's definitions.

use chrono::NaiveDate;

use crate::calendar::year_fraction;
use crate::deal::{Recoup, Tier, Waterfall};

/// Below this (USD billions) nothing is owed: a payment never leaves less than a dollar unsplit.
pub const OWED_EPSILON: f64 = 1e-9;

/// How much the investor is owed through the first tier, for one account.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoupAccount {
    rule: Recoup,
    /// `capital`: equity paid minus receipts. `hurdle`: the compounded balance as of `as_of`.
    /// `deemed-allocation`: allocations fallen due minus receipts.
    balance: f64,
    as_of: NaiveDate,
    /// Projects selected so far; an account with none is not yet open.
    selected_projects: u32,
    /// Projects selected whose funding has not completed.
    pending_projects: u32,
    /// Deemed allocations scheduled but not yet fallen due.
    allocations_ahead: u32,
    recouped_since: Option<NaiveDate>,
}

impl RecoupAccount {
    pub fn new(rule: Recoup, opened: NaiveDate) -> Self {
        RecoupAccount {
            rule,
            balance: 0.0,
            as_of: opened,
            selected_projects: 0,
            pending_projects: 0,
            allocations_ahead: 0,
            recouped_since: None,
        }
    }

    /// Brings a hurdle balance forward to `date` (other rules do not move with time).
    fn accrue_to(&mut self, date: NaiveDate) {
        if let Recoup::Hurdle { rate } = self.rule
            && date > self.as_of
        {
            self.balance *= (1.0 + rate).powf(year_fraction(self.as_of, date));
        }
        if date > self.as_of {
            self.as_of = date;
        }
    }

    pub fn project_selected(&mut self) {
        self.selected_projects += 1;
        self.pending_projects += 1;
    }

    /// Funding completed; under deemed allocation, `life_years` allocations are now scheduled.
    pub fn project_completed(&mut self, scheduled_allocations: u32) {
        self.pending_projects -= 1;
        self.allocations_ahead += scheduled_allocations;
    }

    pub fn equity_paid(&mut self, date: NaiveDate, amount: f64) {
        self.accrue_to(date);
        if !matches!(self.rule, Recoup::DeemedAllocation { .. }) {
            self.balance += amount;
        }
    }

    pub fn allocation_due(&mut self, amount: f64) {
        self.allocations_ahead -= 1;
        self.balance += amount;
    }

    /// What the investor is owed through the first tier on `date`.
    pub fn owed(&mut self, date: NaiveDate) -> f64 {
        self.accrue_to(date);
        self.balance
    }

    fn first_tier_received(&mut self, date: NaiveDate, amount: f64) {
        self.accrue_to(date);
        self.balance -= amount;
    }

    pub fn is_recouped(&self) -> bool {
        self.selected_projects > 0
            && self.balance <= OWED_EPSILON
            && self.pending_projects == 0
            && self.allocations_ahead == 0
    }

    /// Records the status after an event on `date`; returns the current recoup date.
    pub fn review(&mut self, date: NaiveDate) -> Option<NaiveDate> {
        match (self.is_recouped(), self.recouped_since) {
            (true, None) => self.recouped_since = Some(date),
            (false, Some(_)) => self.recouped_since = None,
            _ => {}
        }
        self.recouped_since
    }

    pub fn recouped_since(&self) -> Option<NaiveDate> {
        self.recouped_since
    }
}

/// The deemed allocation falling due on the `k`-th anniversary (1-based) for equity `equity`:
/// an equal principal instalment plus interest on the principal outstanding before it.
pub fn deemed_allocation(equity: f64, rate: f64, life_years: u32, k: u32) -> f64 {
    let life = f64::from(life_years);
    let outstanding = equity * (life - f64::from(k - 1)) / life;
    equity / life + rate * outstanding
}

/// How one payment of equity cash was split.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Split {
    pub host_tax: f64,
    pub investor: f64,
    pub host: f64,
    /// The investor's first-tier receipts, which count toward recoup.
    pub investor_first_tier: f64,
}

/// Splits `equity_cash` (≥ 0) paid on `date`: host tax first, then the tiers, crossing pro rata.
pub fn split(waterfall: &Waterfall, account: Option<&mut RecoupAccount>, date: NaiveDate, equity_cash: f64) -> Split {
    let host_tax = waterfall.host_tax_rate * equity_cash;
    let distributable = equity_cash - host_tax;
    let (first_tier_cash, first) = match (waterfall.recoup_tier, account) {
        (Some(tier), Some(account)) => {
            let owed = account.owed(date);
            let taken = if owed <= OWED_EPSILON {
                0.0
            } else if tier.investor > 0.0 {
                distributable.min(owed / tier.investor)
            } else {
                distributable
            };
            let investor = tier.investor * taken;
            account.first_tier_received(date, investor);
            (taken, Some((tier, investor)))
        }
        _ => (0.0, None),
    };
    let rest = distributable - first_tier_cash;
    let (first_investor, first_host) = match first {
        Some((_, investor)) => (investor, first_tier_cash - investor),
        None => (0.0, 0.0),
    };
    let Tier { investor: final_share, .. } = waterfall.final_tier;
    let rest_investor = final_share * rest;
    Split {
        host_tax,
        investor: first_investor + rest_investor,
        host: first_host + (rest - rest_investor),
        investor_first_tier: first_investor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::Scope;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn mou(recoup: Recoup) -> Waterfall {
        Waterfall {
            name: "mou".into(),
            host_tax_rate: 0.0,
            recoup,
            scope: Scope::Project,
            recoup_tier: Some(Tier { investor: 0.5, host: 0.5 }),
            final_tier: Tier { investor: 0.1, host: 0.9 },
        }
    }

    #[test]
    fn year_one_deemed_allocation_of_the_worked_example() {
        // Validation case V16: $10bn, 20 years, 5.5% → 0.50 principal + 0.55 interest.
        assert!((deemed_allocation(10.0, 0.055, 20, 1) - 1.05).abs() < 1e-12);
        // The last instalment carries interest on one instalment only.
        assert!((deemed_allocation(10.0, 0.055, 20, 20) - (0.5 + 0.055 * 0.5)).abs() < 1e-12);
    }

    #[test]
    fn a_payment_that_crosses_recoup_is_split_at_the_crossing_point() {
        let waterfall = mou(Recoup::Capital);
        let mut account = RecoupAccount::new(Recoup::Capital, day(2026, 1, 1));
        account.project_selected();
        account.equity_paid(day(2026, 1, 1), 10.0);
        account.project_completed(0);
        // 16 of cash at 50/50 would overshoot: 20 is needed to pay 10, here 16 pays 8.
        let s = split(&waterfall, Some(&mut account), day(2027, 1, 1), 16.0);
        assert!((s.investor - 8.0).abs() < 1e-12 && (s.host - 8.0).abs() < 1e-12);
        // Next year 10 of cash: 2 is still owed, so 4 of cash at 50/50 and 6 at 10/90.
        let s = split(&waterfall, Some(&mut account), day(2028, 1, 1), 10.0);
        assert!((s.investor - (2.0 + 0.6)).abs() < 1e-12, "{s:?}");
        assert!((s.host - (2.0 + 5.4)).abs() < 1e-12, "{s:?}");
        assert!((s.investor_first_tier - 2.0).abs() < 1e-12, "{s:?}");
        assert!(account.is_recouped());
    }

    #[test]
    fn host_tax_comes_off_first() {
        let mut waterfall = mou(Recoup::Capital);
        waterfall.host_tax_rate = 0.21;
        let s = split(&waterfall, None, day(2027, 1, 1), 100.0);
        assert!((s.host_tax - 21.0).abs() < 1e-12);
        assert!((s.investor + s.host + s.host_tax - 100.0).abs() < 1e-12);
    }

    #[test]
    fn a_hurdle_balance_compounds_act_365f() {
        let mut account = RecoupAccount::new(Recoup::Hurdle { rate: 0.08 }, day(2026, 1, 1));
        account.equity_paid(day(2026, 1, 1), 100.0);
        let owed = account.owed(day(2027, 1, 1));
        assert!((owed - 108.0).abs() < 1e-9);
        let owed = account.owed(day(2028, 1, 1)); // 2027 has 365 days; 2028's leap day is later
        assert!((owed - 108.0 * 1.08).abs() < 1e-9);
    }
}
