"""Checks of the credit oracle (credit_model.py) against closed forms and the research report.

Run: python oracles/test_credit_model.py   (numpy + scipy + numpy-financial: the oracle venv)
"""

from __future__ import annotations

import math
import os
import sys
import unittest

import numpy as np
import numpy_financial as npf
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import credit_model as cm  # noqa: E402


class AmortisingLoan(unittest.TestCase):
    def test_c9_annuity(self):
        # C-9: 100 at 6% over 10 years.
        self.assertAlmostEqual(cm.annuity_payment(100.0, 0.06, 10), 13.586796, places=6)
        self.assertAlmostEqual(cm.annuity_payment(100.0, 0.06, 10), -npf.pmt(0.06, 10, 100.0),
                               places=12)
        want = [100, 92.4132, 84.3712, 75.8467, 66.8107, 57.2325, 47.0797, 36.3177, 24.9099,
                12.8177, 0]
        for got, w in zip(cm.annuity_notionals(100.0, 0.06, 10), want):
            self.assertAlmostEqual(got, w, places=4)

    def test_notionals_follow_the_schedule(self):
        for p, r, n in [(1.0, 0.05, 3), (7.5, 0.0, 4), (2.0, 0.11, 12), (1.0, 1e-9, 5)]:
            a = cm.annuity_payment(p, r, n)
            nk = cm.annuity_notionals(p, r, n)
            self.assertEqual(len(nk), n + 1)
            self.assertAlmostEqual(nk[0], p, places=12)
            self.assertAlmostEqual(nk[-1], 0.0, places=12)
            for k in range(1, n + 1):   # N_k = N_{k-1} (1 + r) - A
                self.assertAlmostEqual(nk[k], nk[k - 1] * (1 + r) - a, places=12)
            self.assertEqual(cm.loan_eads(p, r, n), nk[:-1])

    def test_default_time_law(self):
        probs, surv = cm.default_time_probs(0.1, 3)
        self.assertEqual(len(probs), 3)
        for got, want in zip(probs, [0.1, 0.09, 0.081]):
            self.assertAlmostEqual(got, want, places=15)
        self.assertAlmostEqual(surv, 0.729, places=15)
        self.assertAlmostEqual(sum(probs) + surv, 1.0, places=15)

    def test_expected_loss_by_hand(self):
        # 1.0 at 5% over 3 years: N = 1, 0.6827914..., 0.3497224...; PD 10%, recovery 40%.
        nk = cm.annuity_notionals(1.0, 0.05, 3)
        a = 1.05 ** 3 * 0.05 / (1.05 ** 3 - 1)
        self.assertAlmostEqual(nk[1], 1.05 - a, places=14)
        self.assertAlmostEqual(nk[2], (1.05 - a) * 1.05 - a, places=14)
        el = cm.expected_loss_amortising(0.1, 0.4, nk[:-1])
        want = 0.6 * (0.1 * 1.0 + 0.9 * 0.1 * nk[1] + 0.81 * 0.1 * nk[2])
        self.assertAlmostEqual(el, want, places=15)
        self.assertAlmostEqual(el, 0.6 * (0.1 + 0.09 * 0.6827914334 + 0.081 * 0.3497224384),
                               places=9)

    def test_expected_loss_matches_the_loss_distribution(self):
        for pd, rec, (p, r, n) in [(0.02, 0.8, (10.0, 0.05, 12)), (0.3, 0.0, (1.0, 0.1, 2)),
                                   (0.007, 0.8, (33.3, 0.045, 25)), (0.5, 0.5, (2.0, 0.0, 4))]:
            eads = cm.loan_eads(p, r, n)
            dist = cm.loan_loss_distribution(pd, rec, eads)
            self.assertAlmostEqual(dist.total, 1.0, places=14)
            self.assertAlmostEqual(dist.mean, cm.expected_loss_amortising(pd, rec, eads),
                                   places=13)

    def test_constant_exposure(self):
        # EAD constant: EL = LGD EAD (1 - (1-PD)^n), the cumulative default rate times LGD.
        el = cm.expected_loss_amortising(0.03, 0.25, [5.0] * 7)
        self.assertAlmostEqual(el, 0.75 * 5.0 * (1 - 0.97 ** 7), places=14)

    def test_c12_project_finance_el(self):
        # C-12: 10-year CDR 6.7%, recovery 80% -> EL = 1.34% of EAD; flat annual PD about 0.69%.
        p = cm.cumulative_pd_to_annual(0.067, 10)
        self.assertAlmostEqual(p, 0.0069, delta=0.0001)
        self.assertAlmostEqual(cm.expected_loss_amortising(p, 0.8, [1.0] * 10), 0.0134, places=12)

    def test_monte_carlo_of_the_loan(self):
        # Simulate the rule directly (default before each payment with prob PD).
        rng = np.random.default_rng(7)
        pd, rec = 0.08, 0.3
        eads = np.array(cm.loan_eads(4.0, 0.06, 6))
        m = 400_000
        u = rng.random((m, len(eads))) < pd
        first = np.where(u.any(axis=1), u.argmax(axis=1), -1)
        loss = np.where(first >= 0, (1 - rec) * eads[np.maximum(first, 0)], 0.0)
        el = cm.expected_loss_amortising(pd, rec, eads)
        dist = cm.loan_loss_distribution(pd, rec, list(eads))
        self.assertLess(abs(loss.mean() - el), 4 * dist.mean_se(m))
        self.assertAlmostEqual(loss.std() / dist.sd, 1.0, delta=0.02)


class DiscreteLaw(unittest.TestCase):
    def test_quantiles_and_moments(self):
        d = cm.Discrete.from_atoms([2.0, 0.0, 1.0, 1.0], [0.25, 0.25, 0.25, 0.25])
        self.assertEqual(list(d.values), [0.0, 1.0, 2.0])
        self.assertEqual(list(d.probs), [0.25, 0.5, 0.25])
        self.assertEqual(d.quantile(0.25), 0.0)     # F(0) = 0.25 >= 0.25
        self.assertEqual(d.quantile(0.2500001), 1.0)
        self.assertEqual(d.quantile(0.75), 1.0)
        self.assertEqual(d.quantile(0.95), 2.0)
        self.assertEqual(d.quantile(-1.0), 0.0)
        self.assertEqual(d.quantile(2.0), 2.0)
        self.assertAlmostEqual(d.mean, 1.0)
        self.assertAlmostEqual(d.var, 0.5)
        self.assertAlmostEqual(d.kurtosis, 2.0)      # E(X-1)^4 = 0.5, var^2 = 0.25
        self.assertAlmostEqual(d.mean_se(200), math.sqrt(0.5 / 200))

    def test_binomial_quantiles_like_scipy(self):
        for n, p in [(10, 0.1), (40, 0.03), (7, 0.5)]:
            d = cm.default_count_distribution(n, p, 0.0)
            for a in (0.05, 0.5, 0.95, 0.99, 0.9):
                self.assertEqual(d.quantile(a), stats.binom.ppf(a, n, p), (n, p, a))


class Vasicek(unittest.TestCase):
    def test_c11_quantile(self):
        self.assertEqual(f"{float(cm.vasicek_quantile(0.999, 0.01, 0.12)):.6f}", "0.090326")

    def test_c11_basel(self):
        self.assertEqual(f"{cm.basel_correlation(0.01):.5f}", "0.19278")
        k = cm.basel_capital_k(0.01, 0.45, 2.5)
        self.assertEqual(f"{k:.6f}", "0.073853")
        self.assertEqual(f"{12.5 * k:.2%}", "92.32%")

    def test_cdf_inverts_quantile(self):
        for pd, rho in [(0.01, 0.12), (0.02, 0.3), (0.2, 0.05), (0.005, 0.7)]:
            for a in (0.01, 0.05, 0.5, 0.95, 0.999):
                x = float(cm.vasicek_quantile(a, pd, rho))
                self.assertAlmostEqual(float(cm.vasicek_cdf(x, pd, rho)), a, places=12)

    def test_mean_is_pd(self):
        # Research report §6: the numerical mean of the Vasicek loss distribution equals PD to 1e-6.
        for pd, rho in [(0.02, 0.12), (0.01, 0.5), (0.1, 0.2)]:
            self.assertAlmostEqual(cm.vasicek_mean_numeric(pd, rho), pd, delta=1e-9)

    def test_pdf_is_the_derivative(self):
        pd, rho = 0.03, 0.25
        for x in (0.001, 0.02, 0.1, 0.3):
            h = 1e-6 * x
            num = (float(cm.vasicek_cdf(x + h, pd, rho)) - float(cm.vasicek_cdf(x - h, pd, rho))) / (2 * h)
            self.assertAlmostEqual(float(cm.vasicek_pdf(x, pd, rho)) / num, 1.0, delta=1e-6)

    def test_large_n_approaches_vasicek(self):
        # The finite-N loss fraction K/N converges in law to the Vasicek distribution.
        n, pd, rho = 2000, 0.02, 0.2
        d = cm.default_count_distribution(n, pd, rho)
        for a in (0.5, 0.9, 0.95, 0.99):
            x = float(cm.vasicek_quantile(a, pd, rho))
            self.assertAlmostEqual(d.cdf(x * n), a, delta=0.01, msg=f"alpha={a}")
            self.assertAlmostEqual(d.quantile(a) / n, x, delta=0.1 * x)


class FiniteN(unittest.TestCase):
    CASES = [(20, 0.05, 0.2), (10, 0.04, 0.3), (50, 0.01, 0.5), (100, 0.02, 0.9999),
             (5, 0.3, 0.999999), (200, 0.005, 0.12), (30, 0.04, 1e-6), (8, 0.6, 0.4),
             (25, 0.5, 0.35), (1, 0.07, 0.5)]

    def test_sums_to_one_and_mean_is_n_pd(self):
        for n, pd, rho in self.CASES:
            d = cm.default_count_distribution(n, pd, rho)
            self.assertAlmostEqual(d.total, 1.0, delta=1e-12, msg=(n, pd, rho))
            self.assertAlmostEqual(d.mean, n * pd, delta=1e-11 * max(1, n), msg=(n, pd, rho))
            self.assertTrue((d.probs >= -1e-15).all())

    def test_variance_closed_form(self):
        for n, pd, rho in self.CASES:
            d = cm.default_count_distribution(n, pd, rho)
            self.assertAlmostEqual(d.var / cm.default_count_variance(n, pd, rho), 1.0, delta=1e-9,
                                   msg=(n, pd, rho))

    def test_owens_t_against_genz(self):
        for pd, rho in [(0.05, 0.2), (0.01, 0.9), (0.7, 0.3), (0.5, 0.4), (0.02, 1e-4), (0.3, 0.99)]:
            self.assertAlmostEqual(cm.joint_default_probability(pd, rho),
                                   cm.joint_default_probability_mvn(pd, rho), delta=1e-10)

    def test_two_projects_closed_form(self):
        # N = 2: P(K=2) = Phi2(c,c;rho), P(K=1) = 2 (PD - Phi2), P(K=0) = 1 - 2 PD + Phi2.
        for pd, rho in [(0.05, 0.2), (0.3, 0.7), (0.01, 0.95)]:
            p2 = cm.joint_default_probability(pd, rho)
            pmf = cm.default_count_pmf(2, pd, rho)
            for got, want in zip(pmf, [1 - 2 * pd + p2, 2 * (pd - p2), p2]):
                self.assertAlmostEqual(got, want, delta=1e-12)

    def test_rho_zero_is_binomial(self):
        for n, pd in [(20, 0.05), (13, 0.37)]:
            want = stats.binom.pmf(np.arange(n + 1), n, pd)
            np.testing.assert_allclose(cm.default_count_pmf(n, pd, 0.0), want, rtol=0, atol=1e-15)
            # and the quadrature itself, at a correlation too small to matter
            np.testing.assert_allclose(cm.default_count_pmf(n, pd, 1e-12), want, rtol=0, atol=1e-9)

    def test_rho_one_is_all_or_nothing(self):
        n, pd = 12, 0.08
        exact = cm.default_count_pmf(n, pd, 1.0)
        self.assertEqual(exact[0], 1 - pd)
        self.assertEqual(exact[n], pd)
        self.assertEqual(exact[1:n].sum(), 0.0)
        for rho, tol in [(0.999, 0.02), (0.99999, 2e-3), (1 - 1e-9, 2e-5)]:
            pmf = cm.default_count_pmf(n, pd, rho)
            self.assertAlmostEqual(pmf[0], 1 - pd, delta=tol, msg=rho)
            self.assertAlmostEqual(pmf[n], pd, delta=tol, msg=rho)
            self.assertLess(pmf[1:n].sum(), tol)

    def test_three_integrators_agree(self):
        for n, pd, rho in [(20, 0.05, 0.2), (50, 0.01, 0.5), (100, 0.02, 0.9999), (6, 0.3, 0.999999)]:
            pmf = cm.default_count_pmf(n, pd, rho)
            for k in sorted({0, 1, 2, n // 2, n - 1, n}):
                self.assertAlmostEqual(cm.default_count_pmf_quad(n, pd, rho, k), pmf[k],
                                       delta=1e-12, msg=(n, pd, rho, k))
            if rho <= 0.5:   # Gauss-Hermite is accurate only while p(z) is smooth
                gh = cm.default_count_pmf_gauss_hermite(n, pd, rho, 200)
                np.testing.assert_allclose(gh, pmf, rtol=0, atol=1e-8)

    def test_quantiles(self):
        d = cm.default_count_distribution(20, 0.05, 0.2)
        q = d.quantile(0.95)
        self.assertGreaterEqual(d.cdf(q), 0.95)
        self.assertLess(d.cdf(q - 1), 0.95)
        self.assertEqual(q, cm.default_count_quantile(20, 0.05, 0.2, 0.95))
        # correlation fattens the tail: the 95th percentile rises with rho at fixed PD
        qs = [cm.default_count_quantile(40, 0.05, r, 0.95) for r in (0.0, 0.2, 0.5, 0.8)]
        self.assertEqual(qs, sorted(qs))
        self.assertLess(qs[0], qs[-1])

    def test_monte_carlo_of_the_copula(self):
        # The latent-variable rule, simulated directly, against the integral.
        n, pd, rho = 15, 0.06, 0.35
        rng = np.random.default_rng(20251114)
        m = 400_000
        z = rng.standard_normal(m)[:, None]
        eps = rng.standard_normal((m, n))
        k = (math.sqrt(rho) * z + math.sqrt(1 - rho) * eps < stats.norm.ppf(pd)).sum(axis=1)
        freq = np.bincount(k, minlength=n + 1) / m
        pmf = cm.default_count_pmf(n, pd, rho)
        se = np.sqrt(pmf * (1 - pmf) / m)
        self.assertTrue((np.abs(freq - pmf) <= 5 * se + 1e-12).all(), (freq, pmf))


if __name__ == "__main__":
    unittest.main(verbosity=1)
