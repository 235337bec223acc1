"""Exact credit-risk results for pactsim's correlated project defaults (numpy + scipy only).

Written from the issue's credit specification, `shared/contracts/deal-file.md` ([credit],
`annual_default_probability`, `recovery_rate`), `docs/semantics.md` (debt service, guarantee
calls, losses) and the research report §6 (Vasicek / ASRF, cases C-11 and C-12) -- never from
`crates/`.

The model being checked (the issue, verbatim in substance): on each payment date of a project,
*before* that date's payment, a surviving project defaults when

    sqrt(rho) * Z_y + sqrt(1 - rho) * eps  <  Phi^-1(PD)

with Z_y ~ N(0,1) one systematic factor per calendar year and path (shared by every project),
eps ~ N(0,1) the project's own draw (fresh per payment date), PD = `annual_default_probability`.
Conditionally on Z_y = z a project defaults with probability

    p(z) = Phi( (Phi^-1(PD) - sqrt(rho) z) / sqrt(1 - rho) ),       E[p(Z)] = PD.

What this module gives, exactly (closed form or adaptive quadrature to ~1e-13):

(a) one defaultable amortising loan: annuity notionals, the default-time distribution, the exact
    expected loss  EL = sum_k S(k-1) * PD * LGD * EAD_k  with S(k) = (1-PD)^k, and the full
    discrete loss distribution (so Monte Carlo standard errors and quantiles are exact too);
(b) Vasicek's large-portfolio loss-fraction CDF, density and quantiles, and the Basel IRB
    corporate formula (C-11: L_0.999(PD=1%, rho=0.12) = 0.090326; rho(1%) = 0.19278;
    K(1%, 45%, 2.5) = 0.073853, RW = 92.32%);
(c) the exact finite-N distribution of the number K of defaults among N identical projects in
    one period with one common factor:
        P(K = k) = integral phi(z) C(N,k) p(z)^k (1-p(z))^(N-k) dz,
    computed with scipy.integrate.quad_vec (all k at once, split at the point z* where
    p(z*) = 1/2, which is where p jumps when rho -> 1), with a per-k scipy.integrate.quad and a
    Gauss-Hermite version to cross-check; its mean (= N PD exactly), variance (closed form with
    the bivariate normal P(two defaults) = Phi2(c, c; rho)) and quantiles.

Quantiles of a discrete distribution here are *lower* quantiles: the smallest atom x with
F(x) >= alpha.  A type-7 sample quantile of n i.i.d. draws lies, with high probability, between
the lower quantiles at alpha -/+ 3 sqrt(alpha (1 - alpha) / n) (see check_credit.py).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

# Integration range for the standard normal factor: phi(12) ~ 2e-32, so the mass left out is
# below 1e-31 (well under every tolerance used here).
Z_MAX = 12.0


# ---------------------------------------------------------------------------------------------
# Discrete distributions (atoms and probabilities) with exact moments and quantiles


@dataclass
class Discrete:
    """A finite discrete distribution: sorted distinct `values`, their `probs` (sum 1)."""

    values: np.ndarray
    probs: np.ndarray

    @staticmethod
    def from_atoms(values, probs, merge_tol: float = 0.0) -> "Discrete":
        v = np.asarray(values, dtype=float)
        p = np.asarray(probs, dtype=float)
        order = np.argsort(v, kind="stable")
        v, p = v[order], p[order]
        out_v: list[float] = []
        out_p: list[float] = []
        for x, q in zip(v, p):
            if out_v and abs(x - out_v[-1]) <= merge_tol * max(1.0, abs(x)):
                out_p[-1] += q
            else:
                out_v.append(float(x))
                out_p.append(float(q))
        return Discrete(np.array(out_v), np.array(out_p))

    @staticmethod
    def point(x: float) -> "Discrete":
        return Discrete(np.array([float(x)]), np.array([1.0]))

    def map(self, f) -> "Discrete":
        """The distribution of f(X) (f applied to each atom; equal images are merged)."""
        return Discrete.from_atoms([f(x) for x in self.values], self.probs, merge_tol=1e-15)

    @property
    def total(self) -> float:
        return float(self.probs.sum())

    @property
    def mean(self) -> float:
        return float(np.dot(self.values, self.probs))

    @property
    def var(self) -> float:
        if len(self.values) == 1:
            return 0.0                     # a point mass (no rounding noise from sum(probs))
        m = self.mean
        return float(np.dot((self.values - m) ** 2, self.probs))

    @property
    def sd(self) -> float:
        return math.sqrt(max(self.var, 0.0))

    @property
    def kurtosis(self) -> float:
        """Non-excess kurtosis E[(X-m)^4] / var^2 (1 for a two-point symmetric law; nan if var=0)."""
        v = self.var
        if v <= 0.0:
            return float("nan")
        m = self.mean
        return float(np.dot((self.values - m) ** 4, self.probs)) / (v * v)

    def cdf(self, x: float) -> float:
        return float(self.probs[self.values <= x].sum())

    def quantile(self, alpha: float, eps: float = 1e-12) -> float:
        """Lower quantile: the smallest atom x with F(x) >= alpha (alpha clipped to [0, 1])."""
        a = min(max(alpha, 0.0), 1.0)
        c = np.cumsum(self.probs)
        idx = int(np.searchsorted(c, a - eps, side="left"))
        idx = min(max(idx, 0), len(self.values) - 1)
        return float(self.values[idx])

    def mean_se(self, paths: int) -> float:
        """Standard error of the mean of `paths` i.i.d. draws."""
        return self.sd / math.sqrt(paths)

    def sd_rel_error(self, paths: int) -> float:
        """Asymptotic relative standard deviation of the sample SD: sqrt((kurtosis - 1) / (4 n))."""
        k = self.kurtosis
        if not math.isfinite(k):
            return 0.0
        return math.sqrt(max(k - 1.0, 0.0) / (4.0 * paths))


# ---------------------------------------------------------------------------------------------
# (a) one defaultable amortising loan


def annuity_payment(principal: float, rate: float, years: int) -> float:
    """Level annual payment of a loan of `principal` at `rate` over `years` (principal/years at 0).

    P r / (1 - (1+r)^-n), written with expm1/log1p so that tiny rates keep their digits.
    """
    if years <= 0:
        raise ValueError("years must be positive")
    if rate == 0.0:
        return principal / years
    return principal * rate / -math.expm1(-years * math.log1p(rate))


def annuity_notionals(principal: float, rate: float, years: int) -> list[float]:
    """Outstanding principal N_0..N_n of a level-payment loan (N_k right after the k-th payment).

    N_k = P ((1+r)^n - (1+r)^k) / ((1+r)^n - 1), or P (1 - k/n) at r = 0.  (C-9: 100 at 6% over
    10 years -> 100, 92.4132, 84.3712, ..., 12.8177, 0.)
    """
    n = years
    if rate == 0.0:
        return [principal * (1.0 - k / n) for k in range(n + 1)]
    lg = math.log1p(rate)
    gm1 = math.expm1(n * lg)
    return [principal * (gm1 - math.expm1(k * lg)) / gm1 for k in range(n + 1)]


def loan_eads(principal: float, rate: float, years: int) -> list[float]:
    """Exposure at default on payment date k = 1..n for a default *before* that date's payment:
    the principal outstanding before the payment, N_{k-1} (no arrears when cash always covers the
    schedule; the period's accrued interest is not part of "outstanding principal")."""
    return annuity_notionals(principal, rate, years)[:-1]


def default_time_probs(pd: float, n: int) -> tuple[list[float], float]:
    """P(default on payment date k), k = 1..n, for an independent per-date PD; and P(survive all).

    P(tau = k) = (1 - PD)^(k-1) PD = S(k-1) PD.  (Holds for one project under any rho: its payment
    dates are anniversaries, one per calendar year, so each date uses a different Z_y.)
    """
    probs = [(1.0 - pd) ** (k - 1) * pd for k in range(1, n + 1)]
    return probs, (1.0 - pd) ** n


def expected_loss_amortising(pd: float, recovery: float, eads) -> float:
    """EL = sum_k S(k-1) * PD * LGD * EAD_k, S(k) = (1-PD)^k, LGD = 1 - recovery."""
    lgd = 1.0 - recovery
    return sum((1.0 - pd) ** (k - 1) * pd * lgd * e for k, e in enumerate(eads, start=1))


def default_time_outcomes(pd: float, n: int):
    """[(prob, k)] with k = 1..n the default date and k = None survival: exhaustive outcomes."""
    probs, surv = default_time_probs(pd, n)
    return [(p, k) for k, p in enumerate(probs, start=1)] + [(surv, None)]


def loan_loss_distribution(pd: float, recovery: float, eads) -> Discrete:
    """Distribution of the loss (1 - R) EAD_tau (0 when the loan survives)."""
    lgd = 1.0 - recovery
    vals, probs = [], []
    for p, k in default_time_outcomes(pd, len(eads)):
        vals.append(0.0 if k is None else lgd * eads[k - 1])
        probs.append(p)
    return Discrete.from_atoms(vals, probs, merge_tol=1e-15)


def cumulative_pd_to_annual(cdr: float, years: int) -> float:
    """Flat annual PD p with 1 - (1 - p)^years = cdr."""
    return 1.0 - (1.0 - cdr) ** (1.0 / years)


# ---------------------------------------------------------------------------------------------
# (b) Vasicek large-portfolio (ASRF) and the Basel IRB corporate formula


def vasicek_cdf(x, pd: float, rho: float):
    """P(L <= x) for the large-portfolio loss fraction L = p(Z):
    F(x) = Phi((sqrt(1-rho) Phi^-1(x) - Phi^-1(PD)) / sqrt(rho)), 0 < rho < 1."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        out = stats.norm.cdf((math.sqrt(1.0 - rho) * stats.norm.ppf(x) - stats.norm.ppf(pd))
                             / math.sqrt(rho))
    return np.where(x <= 0.0, 0.0, np.where(x >= 1.0, 1.0, out))


def vasicek_quantile(alpha, pd: float, rho: float):
    """L_alpha = Phi((Phi^-1(PD) + sqrt(rho) Phi^-1(alpha)) / sqrt(1 - rho))."""
    return stats.norm.cdf((stats.norm.ppf(pd) + math.sqrt(rho) * stats.norm.ppf(alpha))
                          / math.sqrt(1.0 - rho))


def vasicek_pdf(x, pd: float, rho: float):
    """Density of L: sqrt((1-rho)/rho) exp(u^2/2 - (sqrt(1-rho) u - c)^2 / (2 rho)), u = Phi^-1(x)."""
    x = np.asarray(x, dtype=float)
    u = stats.norm.ppf(x)
    c = stats.norm.ppf(pd)
    return math.sqrt((1.0 - rho) / rho) * np.exp(0.5 * u * u
                                                  - (math.sqrt(1.0 - rho) * u - c) ** 2 / (2.0 * rho))


def vasicek_mean_numeric(pd: float, rho: float) -> float:
    """E[L] = integral of (1 - F(x)) over [0, 1] (equals PD; a numerical check of the CDF)."""
    val, _ = integrate.quad(lambda x: 1.0 - float(vasicek_cdf(x, pd, rho)), 0.0, 1.0,
                            limit=400, epsabs=1e-13, epsrel=1e-12,
                            points=[float(vasicek_quantile(0.5, pd, rho))])
    return val


def basel_correlation(pd: float) -> float:
    """Basel II corporate asset correlation: 0.12 w + 0.24 (1 - w), w = (1-e^{-50PD})/(1-e^{-50})."""
    w = (1.0 - math.exp(-50.0 * pd)) / (1.0 - math.exp(-50.0))
    return 0.12 * w + 0.24 * (1.0 - w)


def basel_maturity_b(pd: float) -> float:
    return (0.11852 - 0.05478 * math.log(pd)) ** 2


def basel_capital_k(pd: float, lgd: float, maturity: float) -> float:
    """K = LGD (L_0.999 - PD) (1 + (M - 2.5) b) / (1 - 1.5 b), rho = basel_correlation(PD)."""
    rho = basel_correlation(pd)
    b = basel_maturity_b(pd)
    l999 = float(vasicek_quantile(0.999, pd, rho))
    return lgd * (l999 - pd) * (1.0 + (maturity - 2.5) * b) / (1.0 - 1.5 * b)


# ---------------------------------------------------------------------------------------------
# (c) the exact finite-N one-period default count


def conditional_pd(z, pd: float, rho: float):
    """p(z) = Phi((Phi^-1(PD) - sqrt(rho) z) / sqrt(1 - rho)); rho = 1: 1 if z < Phi^-1(PD) else 0."""
    z = np.asarray(z, dtype=float)
    c = stats.norm.ppf(pd)
    if rho >= 1.0:
        return np.where(z < c, 1.0, 0.0)
    return stats.norm.cdf((c - math.sqrt(rho) * z) / math.sqrt(1.0 - rho))


def _jump_point(pd: float, rho: float) -> float | None:
    """z* with p(z*) = 1/2 (where p(z) is steepest): Phi^-1(PD) / sqrt(rho)."""
    if rho <= 0.0:
        return None
    return float(stats.norm.ppf(pd) / math.sqrt(rho))


def _breakpoints(pd: float, rho: float) -> list[float]:
    """[-12, ..., 12] with points around z* at the scale sqrt((1-rho)/rho) of p's transition."""
    zs = _jump_point(pd, rho)
    pts = [-Z_MAX, Z_MAX]
    if zs is not None and rho < 1.0:
        w = math.sqrt((1.0 - rho) / rho)
        pts += [zs + d for d in (-8 * w, -2 * w, 0.0, 2 * w, 8 * w) if -Z_MAX < zs + d < Z_MAX]
    return sorted(set(pts))


def _binom_pmf_all(n: int, p):
    """C(n,k) p^k (1-p)^(n-k) for k = 0..n (rows) and each p (columns), in logs; exact 0/1 at
    p in {0, 1} (scipy.stats.binom.pmf can raise OverflowError there)."""
    k = np.arange(n + 1, dtype=float)[:, None]
    p = np.atleast_1d(np.asarray(p, dtype=float))[None, :]
    logc = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.where(k > 0, k * np.log(p), 0.0) + np.where(n - k > 0, (n - k) * np.log1p(-p), 0.0)
        out = np.exp(logc + lp)
    out = np.where(np.isnan(out), 0.0, out)
    out = np.where(p == 0.0, (k == 0).astype(float), out)
    out = np.where(p == 1.0, (k == n).astype(float), out)
    return out


def default_count_pmf(n: int, pd: float, rho: float) -> np.ndarray:
    """P(K = k), k = 0..n (see _default_count_pmf; cached, a fresh copy each call)."""
    return np.array(_default_count_pmf(int(n), float(pd), float(rho)))


@functools.lru_cache(maxsize=256)
def _default_count_pmf(n: int, pd: float, rho: float) -> tuple:
    """P(K = k), k = 0..n, K = number of defaults among n projects with one common factor.

    rho = 0: Binomial(n, PD).  rho = 1: all-or-nothing (P(K=n) = PD, P(K=0) = 1 - PD).
    Otherwise adaptive vector quadrature (scipy.integrate.quad_vec) of phi(z) Binom(k; n, p(z))
    over z in [-12, 12], split at z* = Phi^-1(PD)/sqrt(rho).
    """
    if not (0.0 < pd < 1.0):
        raise ValueError("PD must be in (0, 1)")
    if not (0.0 <= rho <= 1.0):
        raise ValueError("rho must be in [0, 1]")
    if rho == 0.0:
        return tuple(stats.binom.pmf(np.arange(n + 1), n, pd))
    if rho == 1.0:
        out = np.zeros(n + 1)
        out[0] = 1.0 - pd
        out[n] += pd
        return tuple(out)

    def f(z):
        return stats.norm.pdf(z) * _binom_pmf_all(n, conditional_pd(z, pd, rho))[:, 0]

    pts = _breakpoints(pd, rho)
    total = np.zeros(n + 1)
    for a, b in zip(pts[:-1], pts[1:]):
        val, _err = integrate.quad_vec(f, a, b, epsabs=1e-15, epsrel=1e-12, limit=2000)
        total += val
    return tuple(total)


def default_count_pmf_quad(n: int, pd: float, rho: float, k: int) -> float:
    """One P(K = k) with scipy.integrate.quad (scalar), for cross-checking default_count_pmf."""
    logc = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)

    def f(z):
        p = float(conditional_pd(z, pd, rho))
        if (p == 0.0 and k > 0) or (p == 1.0 and k < n):
            return 0.0
        lp = (k * math.log(p) if k else 0.0) + ((n - k) * math.log1p(-p) if n - k else 0.0)
        return math.exp(logc + lp) * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    pts = _breakpoints(pd, rho)
    val = 0.0
    for a, b in zip(pts[:-1], pts[1:]):
        v, _ = integrate.quad(f, a, b, limit=1000, epsabs=1e-15, epsrel=1e-12)
        val += v
    return val


def default_count_pmf_gauss_hermite(n: int, pd: float, rho: float, nodes: int = 200) -> np.ndarray:
    """P(K = k) by Gauss-Hermite quadrature (probabilists' weights); fine for moderate rho only."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / math.sqrt(2.0 * math.pi)
    return _binom_pmf_all(n, conditional_pd(x, pd, rho)) @ w


def default_count_distribution(n: int, pd: float, rho: float) -> Discrete:
    pmf = default_count_pmf(n, pd, rho)
    return Discrete(np.arange(n + 1, dtype=float), pmf)


def joint_default_probability(pd: float, rho: float) -> float:
    """P(two given projects both default in the period) = Phi2(c, c; rho), c = Phi^-1(PD).

    Owen (1956): Phi2(h, h; rho) = Phi(h) - 2 T(h, sqrt((1-rho)/(1+rho))) for h != 0 (T: Owen's T
    function, scipy.special.owens_t); at h = 0 the classical 1/4 + arcsin(rho)/(2 pi).
    """
    c = float(stats.norm.ppf(pd))
    if rho == 0.0:
        return pd * pd
    if rho == 1.0:
        return pd
    a = math.sqrt((1.0 - rho) / (1.0 + rho))
    if c == 0.0:
        return 0.25 + math.asin(rho) / (2.0 * math.pi)
    # h = k, so h k > 0 in Owen's formula for either sign of h and no 1/2 correction is needed.
    return float(stats.norm.cdf(c)) - 2.0 * float(special.owens_t(c, a))


def joint_default_probability_mvn(pd: float, rho: float) -> float:
    """The same with scipy.stats.multivariate_normal (Genz), to cross-check the Owen's T form."""
    c = float(stats.norm.ppf(pd))
    mvn = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]],
                                    abseps=1e-12, releps=1e-12, maxpts=2_000_000)
    return float(mvn.cdf([c, c]))


def default_count_variance(n: int, pd: float, rho: float) -> float:
    """Var K = n PD (1-PD) + n (n-1) (Phi2(c,c;rho) - PD^2)  (closed form, bivariate normal)."""
    p2 = joint_default_probability(pd, rho)
    return n * pd * (1.0 - pd) + n * (n - 1) * (p2 - pd * pd)


def default_count_quantile(n: int, pd: float, rho: float, alpha: float) -> int:
    return int(default_count_distribution(n, pd, rho).quantile(alpha))


if __name__ == "__main__":
    print("C-11 L_0.999(PD=1%, rho=0.12) =", f"{float(vasicek_quantile(0.999, 0.01, 0.12)):.6f}")
    print("C-11 rho(1%) =", f"{basel_correlation(0.01):.5f}",
          " K(1%, 45%, 2.5) =", f"{basel_capital_k(0.01, 0.45, 2.5):.6f}",
          " RW =", f"{12.5 * basel_capital_k(0.01, 0.45, 2.5):.4%}")
    p = cumulative_pd_to_annual(0.067, 10)
    print("C-12 flat annual PD =", f"{p:.6f}", " EL =",
          f"{expected_loss_amortising(p, 0.8, [1.0] * 10):.6f}")
    d = default_count_distribution(20, 0.05, 0.2)
    print("N=20 PD=5% rho=0.2: mean", d.mean, "sd", d.sd, "p95", d.quantile(0.95))
