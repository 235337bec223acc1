#!/usr/bin/env python3
"""Cross-check pactsim's correlated project defaults against exact answers (credit_model.py).

Runs `pactsim run FILE --json --paths N --seed S` on deal files built so that the exact law of
every checked figure is known, and compares the binary's Stats `{mean, p5, p50, p95, mean_se}`:

* mean     within 4 exact standard errors (sd of the exact law / sqrt(paths)) + 1e-9;
* mean_se  against the exact standard error: |mean_se / se - 1| <= 5 x the sampling spread of a
           sample SD, sqrt((kurtosis - 1) / (4 paths)), from the exact kurtosis (0 when the figure
           is certain);
* p95      between the exact (lower) quantiles at alpha -/+ 3 sqrt(alpha (1-alpha) / paths)
           (the issue's rule): the laws are discrete, so a type-7 sample quantile of `paths` draws
           falls there unless the empirical CDF strays 3 binomial standard deviations from the true
           one (a false alarm only when an atom's CDF lies within that band's edge, < 0.2%);
* p5, p50  the same with 4 standard deviations (extra checks; 3 gave one false alarm in ~180
           seeded random cases against a correct simulator).
Quantiles are compared to 1e-9 up to 10,000 paths (the default), where docs/semantics.md says
they are exact type-7; above that the binary sketches them (0.1% relative), and so do we.

The model under test (the issue): listed projects carry `annual_default_probability` PD and
`recovery_rate` R; `[credit] default_correlation` rho.  On each payment date, *before* the
payment, a surviving project defaults when sqrt(rho) Z_y + sqrt(1-rho) eps < Phi^-1(PD), Z_y one
factor per calendar year and path shared by all projects, eps fresh per project and date.  On
default the project pays nothing more; both loans recover R of their "outstanding principal and
arrears on that date", pro rata; the investor pays the guaranteed lenders the unrecovered rest
(a guarantee call); equity gets nothing.

What "outstanding principal and arrears on that date" is, for a default before the date's payment
---------------------------------------------------------------------------------------------------
Both loans are level annuities at `loan.rate` over `loan.years`, paid on anniversaries 1..n of
funding (docs/semantics.md).  Let N_k be the principal after the k-th scheduled payment
(N_0 = principal; N_k = N_{k-1} (1 + r) - A).  A default on payment date k happens before payment
k, so the k-th payment (interest for year k plus the k-th principal instalment) is never made.
Read literally:
  * outstanding principal = N_{k-1}, the principal before that date's scheduled payment.  The
    interest accrued over year k is *not* principal and not arrears (arrears are unpaid amounts of
    *earlier* payment dates; the k-th payment has not fallen short, it was never due: the project
    defaulted first).  So EAD_k = N_{k-1} + arrears.
  * arrears = unpaid parts of earlier dates' debt service: the investor loan's arrears and, for
    the guaranteed loan, the investor's guarantee claim (semantics: "what the guaranteed loan is
    owed is the lenders' scheduled payment plus the investor's guarantee claim").  Every deal
    below is built so that cash always meets the schedule before a default (cash flow = the
    scheduled debt service x (1 + 1e-12)), so arrears and claims are 0 at a default and the
    answer does not depend on how arrears are split.
  * "pro rata": the recovery pool R x (total owed) is shared in proportion to what each loan is
    owed, so each loan recovers R of its own principal + arrears (the same whether "owed" means
    principal + arrears or, as in step (1), that date's scheduled payments + arrears, because
    both loans have the same rate and term and therefore proportional schedules).

The investor's loss on a default at date k (what totals.losses and totals.guarantee_calls report)
----------------------------------------------------------------------------------------------
  investor loan (l S):  receives R N^l_{k-1} in cash (a recovery, part of investor_received);
                        loses (1 - R) N^l_{k-1}                                -> losses
  guaranteed loan (g S): lenders receive R N^g_{k-1} from the project and (1 - R) N^g_{k-1}
                        from the investor: a guarantee call (investor_paid, guarantee_calls);
                        the call is the investor's claim on a project that pays nothing more,
                        so it is never repaid                                  -> losses too
  equity (e S):         gets nothing more; not a loss in `losses` ("principal and arrears never
                        repaid"), it only shows in investor_received / investor_npv.
  So per path:  losses = (1 - R)(N^l_{k-1} + N^g_{k-1}),  guarantee_calls = (1 - R) N^g_{k-1},
  investor_paid = (e + l) S + guarantee call,
  investor_received = sum_{j<k} A^l + R N^l_{k-1}  (+ equity residuals of ~1e-12),
  investor_npv = -(e + l) S - call DF(t_k) + sum_{j<k} A^l DF(t_j) + R N^l_{k-1} DF(t_k)
  with DF(t) = 1.04^(-days/365) (funding on deal.start); survival: all n payments, no loss.

Default timing law
------------------
One project: its payment dates are anniversaries, one per calendar year, so each date draws a
different Z_y and P(default first on date k) = (1 - PD)^(k-1) PD whatever rho is; hence
EL = sum_k S(k-1) PD LGD EAD_k.  N identical one-year projects paying on dates of the *same*
calendar year share Z_y: the number K of defaults has the exact one-factor mixture law
P(K = k) = integral phi(z) C(N,k) p(z)^k (1-p(z))^(N-k) dz, and losses = K (1 - R) S.

Cases (fixed; plus --cases N seeded random variants of the same kinds):
  i-loan         one project, instruments { loan = 1.0 }, rho = 0
  i-loan-rho     the same with rho = 0.5 (one project: the law of its default date is unchanged)
  ii-pool-*      N one-year { loan = 1.0 } projects, one cash flow, all paying on one date
  ii-pool-split  half the projects selected 2026-01-01, half 2026-07-01: payments on 2027-01-01
                 and 2027-07-01, the same calendar year, so still one factor for all N
  iii-guarantee  { equity = 0.5, guarantee = 0.5 }: the loss shows up as guarantee calls
  iv-mixed       { equity = 0.25, loan = 0.25, guarantee = 0.5 }: both loans recover pro rata

If the binary does not support [credit] yet (exit status 2 and "not supported yet"; a binary
without --paths/--seed is retried with them in [run] only), prints
"check_credit: skipped — the binary does not support [credit] yet" and exits 0.

Usage: python oracles/check_credit.py [--bin PATH] [--seed S] [--paths N] [--cases N]
       python oracles/check_credit.py --exact       # the exact numbers only, no binary
Binary: --bin, else $PACTSIM_BIN, else /work/main/target/release/pactsim.
Exit status: 0 agree (or skipped), 1 mismatch (failing deal files, the binary's output and the
expectations kept in /tmp/pactsim-credit-failures/, cleared at each run), 2 could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import credit_model as cm  # noqa: E402

FAIL_DIR = "/tmp/pactsim-credit-failures"
DEFAULT_BIN = "/work/main/target/release/pactsim"
SKIP_MSG = "check_credit: skipped — the binary does not support [credit] yet"
CASH_MARGIN = 1e-12          # cash flows = scheduled debt service x (1 + CASH_MARGIN)
TOL = 1e-9                   # absolute/relative floor on every comparison
MEAN_Z = 4.0
QUANT_Z = {"p5": 4.0, "p50": 4.0, "p95": 3.0}   # p95: the 3; p5/p50 (extra) at 4
SE_Z = 5.0
# docs/semantics.md (Runs): quantiles are exact type-7 up to 10,000 paths; beyond that they come
# from a DDSketch with 0.1% relative accuracy (clamped to the exact min and max).
EXACT_QUANTILE_PATHS = 10000
SKETCH_REL = 1e-3
QUANTILES = {"p5": 0.05, "p50": 0.50, "p95": 0.95}
START = dt.date(2026, 1, 1)
DISCOUNT = 0.04


def fnum(x: float) -> str:
    return repr(float(x))


def anniversary(d: dt.date, k: int) -> dt.date:
    try:
        return d.replace(year=d.year + k)
    except ValueError:
        return dt.date(d.year + k, 2, 28)


def df(date: dt.date) -> float:
    return (1.0 + DISCOUNT) ** (-(date - START).days / 365.0)


@dataclass
class Case:
    name: str
    title: str
    toml: str
    expect: dict[str, cm.Discrete]              # totals.<figure> -> exact law of its path value
    info: dict[str, object] = field(default_factory=dict)
    seed: int = 1                               # the binary's seed (also in [run])


def _header(case_id: str, title: str, horizon: int, rho: float, paths: int, seed: int) -> str:
    return f"""schema = 1

[deal]
id = "{case_id}"
title = "{title}"
investor = "KR"
host = "US"
start = {START.isoformat()}
horizon_years = {horizon}

[credit]
default_correlation = {fnum(rho)}

[run]
paths = {paths}
seed = {seed}
discount_rate = {{ investor = {fnum(DISCOUNT)}, host = {fnum(DISCOUNT)} }}
"""


def _instruments(e: float, l: float, g: float) -> str:
    parts = [f"{k} = {fnum(v)}" for k, v in (("equity", e), ("loan", l), ("guarantee", g)) if v > 0]
    return "{ " + ", ".join(parts) + " }"


# ---------------------------------------------------------------------------------------------
# (i), (iii), (iv): one project, an amortising loan mix, cash = the scheduled debt service


def _one_project(name: str, horizon: int, rho: float, paths: int, seed: int, size: float, shares, rate: float,
                 years: int, cash: float, pd: float, rec: float) -> str:
    """The deal file of one project funded on START and paying `cash` on each of `years` anniversaries."""
    e, l, g = shares
    return _header(name, f"credit oracle {name}", horizon, rho, paths, seed) + f"""
[[facility]]
id = "f"
commitment_usd_bn = {fnum(size + 1.0)}
instruments = {_instruments(e, l, g)}
loan = {{ rate = {fnum(rate)}, years = {years} }}

[[project]]
id = "p"
facility = "f"
selected = {START.isoformat()}
size_usd_bn = {fnum(size)}
cash_flows_usd_bn = [{", ".join([fnum(cash)] * years)}]
annual_default_probability = {fnum(pd)}
recovery_rate = {fnum(rec)}
"""


def single_project_case(name: str, size: float, rate: float, years: int, pd: float, rec: float,
                        rho: float, shares=(0.0, 1.0, 0.0), paths: int = 10000,
                        seed: int = 1) -> Case:
    e, l, g = shares
    pl, pg = l * size, g * size
    nl = cm.annuity_notionals(pl, rate, years) if pl > 0 else [0.0] * (years + 1)
    ng = cm.annuity_notionals(pg, rate, years) if pg > 0 else [0.0] * (years + 1)
    al = cm.annuity_payment(pl, rate, years) if pl > 0 else 0.0
    ag = cm.annuity_payment(pg, rate, years) if pg > 0 else 0.0
    cash = (al + ag) * (1.0 + CASH_MARGIN)
    dates = [anniversary(START, k) for k in range(1, years + 1)]
    paid0 = (e + l) * size

    # Equity cash is what the project pays beyond debt service, all of it the investor's (an
    # investor-owned facility without tax); a default writes off the equity paid in less what it
    # had received (docs/semantics.md, "Defaults": equity_lost).
    equity_cash = cash - al - ag
    losses, calls, paid, received, npv, probs, equity_lost = [], [], [], [], [], [], []
    for p, k in cm.default_time_outcomes(pd, years):
        probs.append(p)
        equity_lost.append(0.0 if k is None else max(0.0, e * size - (k - 1) * equity_cash))
        if k is None:
            losses.append(0.0)
            calls.append(0.0)
            paid.append(paid0)
            received.append(years * al)
            npv.append(-paid0 + sum(al * df(d) for d in dates))
            continue
        call = (1.0 - rec) * ng[k - 1]
        rec_l = rec * nl[k - 1]
        losses.append((1.0 - rec) * (nl[k - 1] + ng[k - 1]))
        calls.append(call)
        paid.append(paid0 + call)
        received.append((k - 1) * al + rec_l)
        npv.append(-paid0 + sum(al * df(d) for d in dates[:k - 1]) + (rec_l - call) * df(dates[k - 1]))

    def law(vals):
        return cm.Discrete.from_atoms(vals, probs, merge_tol=1e-15)

    eads_total = [a + b for a, b in zip(nl[:-1], ng[:-1])]
    el = cm.expected_loss_amortising(pd, rec, eads_total)
    horizon = years + 2
    toml = _one_project(name, horizon, rho, paths, seed, size, shares, rate, years, cash, pd, rec)
    expect = {"losses": law(losses), "guarantee_calls": law(calls), "investor_paid": law(paid),
              "investor_received": law(received), "investor_npv": law(npv), "equity_lost": law(equity_lost)}
    info = {"kind": "single", "size": size, "shares": shares, "rate": rate, "years": years,
            "pd": pd, "recovery": rec, "rho": rho, "scheduled_payment": al + ag,
            "ead_by_date": eads_total, "expected_loss_closed_form": el,
            "expected_guarantee_calls": cm.expected_loss_amortising(pd, rec, ng[:-1])}
    assert abs(expect["losses"].mean - el) <= 1e-12 * max(1.0, el)
    return Case(name, f"one project {_instruments(e, l, g)} S={size} r={rate} n={years} "
                      f"PD={pd} R={rec} rho={rho}", toml, expect, info, seed)


def terminal_case(name: str, size: float, rate: float, years: int, horizon: int, pd: float, rec: float,
                  rho: float, shares=(0.25, 0.25, 0.5), paths: int = 10000, seed: int = 1) -> Case:
    """One project whose last `years - horizon` payment dates fall after the horizon: the terminal
    value (docs/semantics.md, "Terminal value") is 0 on a path that defaulted by the horizon, and
    otherwise, the same on every such path,
      sum over dates j after H of  v_j [ S_(j-1) PD (R N^l_(j-1) - (1 - R) N^g_(j-1))
                                         + S_j (investor loan payment + equity cash) ],
    S_m = (1 - PD)^m after m dates since the horizon, v_j = (1 + r)^(-(d_j - H)/365): the payments
    weighted by survival, the default that may come first by its chance. investor_npv adds it on
    the horizon date."""
    e, l, g = shares
    pl, pg = l * size, g * size
    nl = cm.annuity_notionals(pl, rate, years) if pl > 0 else [0.0] * (years + 1)
    ng = cm.annuity_notionals(pg, rate, years) if pg > 0 else [0.0] * (years + 1)
    al = cm.annuity_payment(pl, rate, years) if pl > 0 else 0.0
    ag = cm.annuity_payment(pg, rate, years) if pg > 0 else 0.0
    cash = (al + ag) * (1.0 + CASH_MARGIN)
    equity_cash = cash - al - ag
    dates = [anniversary(START, k) for k in range(1, years + 1)]
    end = anniversary(START, horizon)
    paid0 = (e + l) * size
    tv = 0.0
    for j in range(horizon + 1, years + 1):
        v = (1.0 + DISCOUNT) ** (-(dates[j - 1] - end).days / 365.0)
        before, after = (1.0 - pd) ** (j - horizon - 1), (1.0 - pd) ** (j - horizon)
        tv += v * (before * pd * (rec * nl[j - 1] - (1.0 - rec) * ng[j - 1]) + after * (al + equity_cash))
    values, npv, probs = [], [], []
    for k in range(1, horizon + 1):                 # default on date k, before its payment
        probs.append((1.0 - pd) ** (k - 1) * pd)
        values.append(0.0)
        call, rec_l = (1.0 - rec) * ng[k - 1], rec * nl[k - 1]
        npv.append(-paid0 + sum((al + equity_cash) * df(d) for d in dates[:k - 1]) + (rec_l - call) * df(dates[k - 1]))
    probs.append((1.0 - pd) ** horizon)             # paid every date up to the horizon
    values.append(tv)
    npv.append(-paid0 + sum((al + equity_cash) * df(d) for d in dates[:horizon]) + tv * df(end))

    def law(vals):
        return cm.Discrete.from_atoms(vals, probs, merge_tol=1e-15)

    toml = _one_project(name, horizon, rho, paths, seed, size, shares, rate, years, cash, pd, rec)
    expect = {"investor_terminal_value": law(values), "investor_npv": law(npv)}
    info = {"kind": "terminal", "size": size, "shares": shares, "rate": rate, "years": years,
            "horizon": horizon, "pd": pd, "recovery": rec, "rho": rho, "terminal_value_if_alive": tv}
    return Case(name, f"terminal value: one project {_instruments(e, l, g)} S={size} r={rate} n={years} "
                      f"horizon {horizon} PD={pd} R={rec} rho={rho}", toml, expect, info, seed)


# ---------------------------------------------------------------------------------------------
# (ii): N one-year loans paying on dates of one calendar year


def pool_case(name: str, n: int, size: float, rate: float, pd: float, rec: float, rho: float,
              split: bool = False, paths: int = 10000, seed: int = 1) -> Case:
    a = size * (1.0 + rate)                       # one-year annuity: principal + interest
    cash = a * (1.0 + CASH_MARGIN)
    kdist = cm.default_count_distribution(n, pd, rho)
    second = dt.date(START.year, 7, 1)
    projects = []
    for i in range(n):
        sel = second if (split and i >= n // 2) else START
        projects.append(f"""
[[project]]
id = "p{i:03d}"
facility = "f"
selected = {sel.isoformat()}
size_usd_bn = {fnum(size)}
cash_flows_usd_bn = [{fnum(cash)}]
annual_default_probability = {fnum(pd)}
recovery_rate = {fnum(rec)}
""")
    toml = _header(name, f"credit oracle {name}", 3, rho, paths, seed) + f"""
[[facility]]
id = "f"
commitment_usd_bn = {fnum(n * size + 1.0)}
instruments = {{ loan = 1.0 }}
loan = {{ rate = {fnum(rate)}, years = 1 }}
""" + "".join(projects)
    expect = {
        "losses": kdist.map(lambda k: k * (1.0 - rec) * size),
        "guarantee_calls": cm.Discrete.point(0.0),
        "investor_paid": cm.Discrete.point(n * size),
        "investor_received": kdist.map(lambda k: (n - k) * a + k * rec * size),
    }
    info = {"kind": "pool", "n": n, "size": size, "rate": rate, "pd": pd, "recovery": rec,
            "rho": rho, "split": split, "loss_per_default": (1.0 - rec) * size,
            "count_mean": kdist.mean, "count_sd": kdist.sd,
            "count_quantiles": {q: kdist.quantile(a_) for q, a_ in QUANTILES.items()},
            "count_pmf_head": [float(x) for x in kdist.probs[:min(n + 1, 12)]]}
    if split:
        # What a binary with one factor per *date* (not per calendar year) would give instead:
        # two independent groups of n//2 and n - n//2.
        h1 = cm.default_count_pmf(n // 2, pd, rho)
        h2 = cm.default_count_pmf(n - n // 2, pd, rho)
        conv = [0.0] * (n + 1)
        for i, x in enumerate(h1):
            for j, y in enumerate(h2):
                conv[i + j] += x * y
        alt = cm.Discrete.from_atoms(range(n + 1), conv)
        info["count_p95_if_factor_per_date"] = alt.quantile(0.95)
        info["count_sd_if_factor_per_date"] = alt.sd
    return Case(name, f"{n} one-year loans S={size} r={rate} PD={pd} R={rec} rho={rho}"
                      + (" (two payment dates in one calendar year)" if split else ""),
                toml, expect, info, seed)


# ---------------------------------------------------------------------------------------------


def fixed_cases(paths: int, seed: int) -> list[Case]:
    s = iter(range(seed, seed + 100))
    return [
        single_project_case("i-loan", 1.0, 0.05, 5, 0.10, 0.4, 0.0, paths=paths, seed=next(s)),
        single_project_case("i-loan-rho", 1.0, 0.05, 5, 0.10, 0.4, 0.5, paths=paths, seed=next(s)),
        pool_case("ii-pool-rho0", 20, 1.0, 0.05, 0.05, 0.4, 0.0, paths=paths, seed=next(s)),
        pool_case("ii-pool", 20, 1.0, 0.05, 0.05, 0.4, 0.2, paths=paths, seed=next(s)),
        pool_case("ii-pool-high", 20, 1.0, 0.05, 0.05, 0.4, 0.8, paths=paths, seed=next(s)),
        pool_case("ii-pool-split", 20, 1.0, 0.05, 0.05, 0.4, 0.5, split=True, paths=paths,
                  seed=next(s)),
        single_project_case("iii-guarantee", 2.0, 0.06, 4, 0.08, 0.25, 0.3,
                            shares=(0.5, 0.0, 0.5), paths=paths, seed=next(s)),
        single_project_case("iv-mixed", 4.0, 0.04, 6, 0.06, 0.5, 0.2,
                            shares=(0.25, 0.25, 0.5), paths=paths, seed=next(s)),
        # A large pool, where the loss distribution approaches Vasicek's large-portfolio limit.
        pool_case("v-large-pool", 200, 1.0, 0.05, 0.05, 0.4, 0.2, paths=paths, seed=next(s)),
        # Payments after the horizon: the terminal value's survival weights and expected default.
        terminal_case("vi-terminal", 4.0, 0.05, 8, 3, 0.08, 0.5, 0.3, paths=paths, seed=next(s)),
    ]


def vasicek_check(case: Case, out: dict) -> tuple[list[str], list[str]]:
    """For a large pool: the binary's 95th-percentile loss, as a share of the pool's exposure,
    against Vasicek's large-portfolio quantile; the two differ by the pool's granularity, so
    the allowance is a few defaults' worth (3/N) plus the exact finite-N quantile's own gap."""
    info = case.info
    if info.get("kind") != "pool" or info["n"] < 100:
        return [], []
    n, loss = info["n"], info["loss_per_default"]
    got = out["totals"]["losses"]["p95"] / (n * loss)
    limit = float(cm.vasicek_quantile(0.95, info["pd"], info["rho"]))
    finite = info["count_quantiles"]["p95"] / n
    allowance = 3.0 / n + abs(finite - limit)
    line = (f"  Vasicek large-portfolio p95 default share {limit:.4f}; exact finite-N {finite:.4f}; "
            f"binary {got:.4f} (allowed +/- {allowance:.4f})")
    problems = [] if abs(got - limit) <= allowance else [f"p95 default share {got} far from Vasicek's {limit}"]
    return problems, [line]


def random_cases(count: int, seed: int, paths: int) -> list[Case]:
    rng = random.Random(seed)
    out = []
    share_sets = [(0.0, 1.0, 0.0), (0.5, 0.0, 0.5), (0.25, 0.25, 0.5), (0.0, 0.5, 0.5),
                  (0.375, 0.125, 0.5), (0.0, 0.0, 1.0)]
    for i in range(count):
        pd = rng.choice([0.02, 0.03, 0.05, 0.08, 0.12, 0.2])
        rec = rng.choice([0.0, 0.25, 0.5, 0.8])
        rho = rng.choice([0.0, 0.1, 0.25, 0.4, 0.6, 0.9])
        rate = rng.choice([0.0, 0.03, 0.045, 0.07, 0.1])
        size = rng.choice([0.5, 1.0, 2.5, 10.0])
        if rng.random() < 0.5:
            out.append(single_project_case(f"rand{i}-single", size, rate, rng.randint(1, 10), pd,
                                           rec, rho, shares=rng.choice(share_sets),
                                           paths=paths, seed=seed + 100 + i))
        else:
            out.append(pool_case(f"rand{i}-pool", rng.randint(3, 40), size, rate, pd, rec, rho,
                                 split=rng.random() < 0.4, paths=paths, seed=seed + 100 + i))
    return out


# ---------------------------------------------------------------------------------------------
# running the binary


class Skip(Exception):
    pass


class RunError(Exception):
    pass


def run_binary(binary: str, path: str, paths: int, seed: int, flags: list[bool]) -> dict:
    """`pactsim run FILE --json --paths N --seed S`; flags[0] False once the binary rejected the
    flags (then paths and seed come from [run] in the file)."""
    def go(with_flags: bool):
        cmd = [binary, "run", path, "--json"]
        if with_flags:
            cmd += ["--paths", str(paths), "--seed", str(seed)]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            raise RunError(f"timed out: {' '.join(cmd)}")

    proc = go(flags[0])
    if flags[0] and proc.returncode == 2 and "unexpected argument" in proc.stderr and (
            "--paths" in proc.stderr or "--seed" in proc.stderr):
        flags[0] = False
        proc = go(False)
    if proc.returncode == 2 and "not supported yet" in proc.stderr:
        raise Skip(proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else "")
    if proc.returncode != 0:
        raise RunError(f"exit status {proc.returncode}\n{proc.stderr.strip()}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RunError(f"stdout is not JSON ({exc}): {proc.stdout[:300]!r}")


def compare(case: Case, out: dict, paths: int) -> tuple[list[str], list[str]]:
    """(problems, report lines) for one case."""
    problems, lines = [], []
    if out.get("paths") != paths:
        problems.append(f"output paths = {out.get('paths')!r}, asked for {paths}")
    totals = out.get("totals")
    if not isinstance(totals, dict):
        return problems + ["no totals object in the output"], lines
    for fig, law in case.expect.items():
        stat = totals.get(fig)
        if not isinstance(stat, dict):
            problems.append(f"totals.{fig}: missing")
            continue
        mu, se = law.mean, law.mean_se(paths)
        scale = max(1.0, abs(mu))
        got = stat.get("mean")
        if not isinstance(got, (int, float)):
            problems.append(f"totals.{fig}.mean: {got!r}")
            continue
        z = (got - mu) / se if se > 0 else (0.0 if abs(got - mu) <= TOL * scale else math.inf)
        lines.append(f"  {fig:18s} mean {got:.9g} exact {mu:.9g} (se {se:.3g}, z {z:+.2f})")
        if abs(got - mu) > MEAN_Z * se + TOL * scale:
            problems.append(f"totals.{fig}.mean = {got!r}, exact {mu!r}: off by {got - mu:.3g}, "
                            f"more than {MEAN_Z:g} x se {se:.3g} (z = {z:+.2f})")
        gse = stat.get("mean_se")
        if not isinstance(gse, (int, float)):
            problems.append(f"totals.{fig}.mean_se: missing or not a number ({gse!r})")
        elif se == 0.0:
            if abs(gse) > TOL * scale:
                problems.append(f"totals.{fig}.mean_se = {gse!r}, exact 0 (the figure is certain)")
        else:
            tol = SE_Z * law.sd_rel_error(paths) + 1e-6
            if abs(gse / se - 1.0) > tol:
                problems.append(f"totals.{fig}.mean_se = {gse!r}, exact {se!r} (ratio "
                                f"{gse / se:.4f}, allowed 1 +/- {tol:.4f})")
        for q, alpha in QUANTILES.items():
            g = stat.get(q)
            d = QUANT_Z[q] * math.sqrt(alpha * (1.0 - alpha) / paths)
            lo, hi = law.quantile(alpha - d), law.quantile(alpha + d)
            rel = TOL if paths <= EXACT_QUANTILE_PATHS else SKETCH_REL + TOL
            if not isinstance(g, (int, float)):
                problems.append(f"totals.{fig}.{q}: {g!r}")
            elif not (lo - TOL - rel * abs(lo) <= g <= hi + TOL + rel * abs(hi)):
                problems.append(f"totals.{fig}.{q} = {g!r}, exact quantile {law.quantile(alpha)!r}; "
                                f"allowed [{lo!r}, {hi!r}] (alpha {alpha} -/+ {d:.4f})")
        d95 = QUANT_Z["p95"] * math.sqrt(0.0475 / paths)
        lines[-1] += (f"  p95 {stat.get('p95')!r} in [{law.quantile(0.95 - d95)!r}, "
                      f"{law.quantile(0.95 + d95)!r}]")
    return problems, lines


def exact_report(case: Case, paths: int) -> list[str]:
    lines = [f"{case.name}: {case.title}"]
    info = case.info
    if info["kind"] == "single":
        lines.append(f"  scheduled payment {info['scheduled_payment']:.12g}; EAD by date "
                     + ", ".join(f"{x:.10g}" for x in info["ead_by_date"]))
        lines.append(f"  closed-form EL = sum_k (1-PD)^(k-1) PD (1-R) EAD_k = "
                     f"{info['expected_loss_closed_form']:.12g}; expected guarantee calls "
                     f"{info['expected_guarantee_calls']:.12g}")
    else:
        cq = info["count_quantiles"]
        lines.append(f"  defaults K: mean {info['count_mean']:.12g} sd {info['count_sd']:.10g} "
                     f"p5 {cq['p5']:g} p50 {cq['p50']:g} p95 {cq['p95']:g}; loss per default "
                     f"{info['loss_per_default']:.12g}")
        lines.append("  P(K=k), k=0..: " + ", ".join(f"{x:.6g}" for x in info["count_pmf_head"]))
        if info.get("split"):
            lines.append(f"  (a factor per payment date instead of per calendar year would give "
                         f"K p95 {info['count_p95_if_factor_per_date']:g}, sd "
                         f"{info['count_sd_if_factor_per_date']:.6g})")
    for fig, law in case.expect.items():
        d = QUANT_Z["p95"] * math.sqrt(0.0475 / paths)
        lines.append(f"  {fig:18s} mean {law.mean:.12g}  se@{paths} {law.mean_se(paths):.6g}  "
                     f"p5 {law.quantile(0.05):.10g}  p50 {law.quantile(0.5):.10g}  "
                     f"p95 {law.quantile(0.95):.10g} (band [{law.quantile(0.95 - d):.10g}, "
                     f"{law.quantile(0.95 + d):.10g}])")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.environ.get("PACTSIM_BIN", DEFAULT_BIN))
    ap.add_argument("--seed", type=int, default=20251114)
    ap.add_argument("--paths", type=int, default=10000,
                    help="paths per case (above 10000 the binary's quantiles are sketched: "
                         "0.1%% relative tolerance then)")
    ap.add_argument("--cases", type=int, default=3, help="seeded random cases besides the fixed ones")
    ap.add_argument("--exact", action="store_true", help="print the exact answers; no binary")
    a = ap.parse_args()

    cases = fixed_cases(a.paths, a.seed) + random_cases(a.cases, a.seed, a.paths)
    if a.exact:
        for c in cases:
            print("\n".join(exact_report(c, a.paths)))
        return 0
    if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
        print(f"check_credit: no executable binary at {a.bin}", file=sys.stderr)
        return 2

    shutil.rmtree(FAIL_DIR, ignore_errors=True)
    flags = [True]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="pactsim-credit-") as tmp:
        for i, c in enumerate(cases):
            path = os.path.join(tmp, f"{c.name}.toml")
            with open(path, "w") as fh:
                fh.write(c.toml)
            try:
                out = run_binary(a.bin, path, a.paths, c.seed, flags)
                problems, lines = compare(c, out, a.paths)
                more_problems, more_lines = vasicek_check(c, out)
                problems, lines = problems + more_problems, lines + more_lines
            except Skip as exc:
                if i == 0:
                    print(SKIP_MSG + (f" ({exc})" if str(exc) else ""))
                    return 0
                out, problems, lines = None, [f"binary rejected the deal: {exc}"], []
            except RunError as exc:
                out, problems, lines = None, [f"binary failed: {exc}"], []
            status = "ok" if not problems else "MISMATCH"
            print(f"{c.name}: {status} -- {c.title} (seed {c.seed})")
            for ln in lines:
                print(ln)
            if problems:
                failed += 1
                os.makedirs(FAIL_DIR, exist_ok=True)
                shutil.copy(path, os.path.join(FAIL_DIR, f"{c.name}.toml"))
                with open(os.path.join(FAIL_DIR, f"{c.name}.expected.txt"), "w") as fh:
                    fh.write("\n".join(exact_report(c, a.paths)) + "\n\nproblems:\n"
                             + "\n".join(problems) + "\n")
                if out is not None:
                    with open(os.path.join(FAIL_DIR, f"{c.name}.binary.json"), "w") as fh:
                        json.dump(out, fh, indent=1)
                for p in problems:
                    print(f"  !! {p}")
    if not flags[0]:
        print("check_credit: note: the binary rejected --paths/--seed; paths and seed came from [run]")
    if failed:
        print(f"check_credit: {failed} of {len(cases)} cases disagree; deal files and outputs kept "
              f"in {FAIL_DIR}/ (rerun one: {a.bin} run {FAIL_DIR}/NAME.toml --json "
              f"--paths {a.paths} --seed SEED, the case's seed above)")
        return 1
    print(f"check_credit: all {len(cases)} cases agree ({a.paths} paths each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
