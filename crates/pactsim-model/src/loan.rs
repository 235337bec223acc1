//! Level-payment (annuity) loans: the payment, and the principal outstanding before each payment.

use crate::deal::LoanTerms;

/// A loan's schedule: `payment` due on anniversaries 1…`years` of disbursement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Annuity {
    pub principal: f64,
    pub rate: f64,
    pub years: u32,
    pub payment: f64,
    /// `ln(1 + r)` and `(1 + r)^n − 1`, kept because every payment of a guaranteed loan asks for
    /// the balance.
    log_growth: f64,
    grown: f64,
}

/// What every loan on one set of terms shares: a path's loans on a facility differ in principal
/// alone, so the engine finds this once per facility for all the paths it runs on one
/// `PathScratch`, rather than once per loan (a logarithm and two exponentials each) or per
/// payment (the growth a balance needs).
#[derive(Debug, Clone, PartialEq)]
pub struct AnnuityShape {
    terms: LoanTerms,
    log_growth: f64,
    /// `1 − (1 + r)^−n`, through exp_m1 and ln_1p, which keep its digits at tiny rates.
    discounted: f64,
    grown: f64,
    /// `(1 + r)^k − 1` for `k = 0..years`, as `Annuity::balance_after` computes it.
    growth: Vec<f64>,
}

impl AnnuityShape {
    pub fn of(terms: LoanTerms) -> Self {
        let n = f64::from(terms.years);
        let log_growth = terms.rate.ln_1p();
        AnnuityShape {
            terms,
            log_growth,
            discounted: -(-n * log_growth).exp_m1(),
            grown: (n * log_growth).exp_m1(),
            growth: (0..terms.years).map(|k| (f64::from(k) * log_growth).exp_m1()).collect(),
        }
    }

    /// The growth `Annuity::balance_after_in` reads for a loan on these terms.
    pub fn growth(&self) -> &[f64] {
        &self.growth
    }

    /// The loan of `principal` on these terms.
    pub fn annuity(&self, principal: f64) -> Annuity {
        let LoanTerms { rate, years } = self.terms;
        let payment = if rate == 0.0 { principal / f64::from(years) } else { principal * rate / self.discounted };
        Annuity { principal, rate, years, payment, log_growth: self.log_growth, grown: self.grown }
    }
}

impl Annuity {
    pub fn new(principal: f64, terms: LoanTerms) -> Self {
        AnnuityShape::of(terms).annuity(principal)
    }

    /// The scheduled payment on anniversary `k` (1-based); zero outside the term.
    pub fn payment_due(&self, k: u32) -> f64 {
        if (1..=self.years).contains(&k) { self.payment } else { 0.0 }
    }

    /// Principal outstanding after `k` payments, in closed form so that no rounding accumulates:
    /// `P · ((1+r)^n − (1+r)^k) / ((1+r)^n − 1)`.
    pub fn balance_after(&self, k: u32) -> f64 {
        self.balance_with(k, |k| (f64::from(k) * self.log_growth).exp_m1())
    }

    /// `balance_after`, with `growth` the loan's terms' `AnnuityShape::growth`.
    pub fn balance_after_in(&self, k: u32, growth: &[f64]) -> f64 {
        self.balance_with(k, |k| growth[k as usize])
    }

    /// `balance_after` with `(1 + r)^k − 1` from `grown`.
    fn balance_with(&self, k: u32, grown: impl Fn(u32) -> f64) -> f64 {
        if k >= self.years {
            return 0.0;
        }
        if self.rate == 0.0 {
            let (n, k) = (f64::from(self.years), f64::from(k));
            return self.principal * (n - k) / n;
        }
        self.principal * (self.grown - grown(k)) / self.grown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_quantlib_sinking_schedule() {
        // Validation case C-9: 100 at 6% over 10 years.
        let loan = Annuity::new(100.0, LoanTerms { rate: 0.06, years: 10 });
        assert!((loan.payment - 13.586796).abs() < 1e-6);
        let expected = [100.0, 92.4132, 84.3712, 75.8467, 66.8107, 57.2325, 47.0797, 36.3177, 24.9099, 12.8177, 0.0];
        for (k, notional) in expected.iter().enumerate() {
            assert!((loan.balance_after(k as u32) - notional).abs() < 5e-5, "k = {k}");
        }
    }

    #[test]
    fn each_payment_is_interest_plus_the_fall_in_principal() {
        let loan = Annuity::new(37.0, LoanTerms { rate: 0.045, years: 17 });
        for k in 1..=17 {
            let before = loan.balance_after(k - 1);
            let interest = loan.rate * before;
            let principal = before - loan.balance_after(k);
            assert!((interest + principal - loan.payment).abs() < 1e-12, "k = {k}");
        }
    }

    #[test]
    fn tiny_rates_keep_their_digits() {
        // At r = 1e-9 over 30 years on 10 the exact payment is 0.3333333385 and the balance after
        // 15 payments 5.0000000375 (exact rational arithmetic); the textbook formula loses eight
        // digits there.
        let loan = Annuity::new(10.0, LoanTerms { rate: 1e-9, years: 30 });
        assert!((loan.payment - 0.333_333_338_5).abs() < 1e-15, "{}", loan.payment);
        assert!((loan.balance_after(15) - 5.000_000_037_5).abs() < 1e-12, "{}", loan.balance_after(15));
    }

    #[test]
    fn the_shared_growth_gives_the_same_balances() {
        for terms in [
            LoanTerms { rate: 0.06, years: 12 },
            LoanTerms { rate: 1e-9, years: 30 },
            LoanTerms { rate: 0.0, years: 4 },
        ] {
            let shape = AnnuityShape::of(terms);
            let loan = shape.annuity(7.3);
            assert_eq!(loan, Annuity::new(7.3, terms));
            for k in 0..=terms.years + 2 {
                assert_eq!(
                    loan.balance_after_in(k, shape.growth()).to_bits(),
                    loan.balance_after(k).to_bits(),
                    "{terms:?} {k}"
                );
            }
        }
    }

    #[test]
    fn zero_rate_repays_in_equal_parts() {
        let loan = Annuity::new(12.0, LoanTerms { rate: 0.0, years: 4 });
        assert_eq!(loan.payment, 3.0);
        assert_eq!(loan.balance_after(1), 9.0);
        assert_eq!(loan.payment_due(5), 0.0);
    }
}
