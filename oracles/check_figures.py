#!/usr/bin/env python3
"""Check `pactsim figures` (NPV, XIRR, IRR roots, MOIC) against pyxirr and numpy-financial.

Seeded random dated cash flows are written as CSV (`date,amount`) and run through
`$PACTSIM_BIN figures FILE --rate=R --json`; the binary's answers are compared with:

* npv   -- pyxirr.xnpv(rate, dates, amounts), discounted to the earliest date (or moved to
           `--start`, before or after it, by the factor (1 + rate)^((start - earliest) / 365)).
           Tolerance 1e-9 relative to the sum of the absolute discounted flows (the scale of the
           cancellation error; the npv itself may be ~0). Cases whose dates are exactly 365 days
           apart (ACT/365F year fraction = whole years, on any calendar, leap or not) are also
           checked against numpy_financial.npv, which knows only whole periods.
* irr   -- pyxirr.xirr (ACT/365F, its default), to 1e-7 (absolute below |irr| = 1, relative
           above). `irr` must be null when pyxirr raises InvalidPaymentsError (no sign change) or
           finds no rate (None/NaN); the one exception is an extreme root (1 + r < 1e-3 or
           r > 1000) that pyxirr cannot see, which passes with a note when it is a true root.
* roots -- every root of the XNPV in (-1, inf), found independently here by bracketing on a grid
           in u = ln(1 + r) from -50 to 30 and refining with scipy's brentq. `irr_roots` must be
           that set (1e-7 in r, or in u for extreme roots), `irr_multiple_roots` must say whether
           it has several elements, and a flow with one sign change
           (pyxirr.is_conventional_cash_flow) has exactly one root (Descartes' rule of signs).
           When there are several roots, docs/semantics.md says pactsim reports the root Newton's
           method reaches from 0.1, failing that the lowest root. pyxirr.xirr is called with
           guess=0.1 (without a guess, 0.10.8 does not always start there). When pactsim's `irr`
           is another root than pyxirr's, it passes with a note if it is the documented choice
           (Newton replicated here; pyxirr's own fallback differs: it takes the first of its
           brackets -1, -0.75, -0.5, ..., 1e6 whose root passes an absolute |XNPV| < 1e-3 test,
           which roots near -1 fail), and fails otherwise (or is only noted with
           --allow-root-choice).
* moic, paid, received -- received / paid of the signed flows (negative = paid); 1e-12 relative.

Random cases are drawn so the answer is well posed: amounts in 0.01..100 (pyxirr's convergence
test is an absolute 1e-3 on the XNPV, so tiny amounts would make the oracle itself loose), every
root lies in [-0.95, 10], roots are at least 0.01 apart and simple (the XNPV crosses zero with a
slope), pyxirr finds a rate whenever a root exists (it cannot near r = -1, where its absolute
1e-3 test on a huge XNPV never passes), and a case without roots is not within 1e-6 of touching
zero. Cases that fail these tests are redrawn (deterministically, from the same seed). Kinds:
conventional (one outflow then inflows, 20% reversed), non-conventional (>= 2 sign changes),
yearly (365-day steps, for numpy-financial), leap (spans over 29 February, flows on it), no sign
change (all one sign; irr null); 10% of cases pass `--start`.

Fixed cases: C-8 (-50, -100, 600, 300, -100 yearly: 1.8544 on a 2097..2101 span without a
29 February, 1.8516 on 2020..2024 where 2020 is leap, second root -0.7689), C-10 (-100 on
2020-01-01, +110 on 2021-01-01: 9.9714% ACT/365F), flows without a sign change, a single flow,
two flows on one date, all-zero flows, `--start` before, on and after flows, a negative rate,
extreme roots, and a case where Newton from 0.1 diverges (pactsim -0.93, pyxirr -0.079).

Usage: PACTSIM_BIN=target/release/pactsim python oracles/check_figures.py [--cases N] [--seed S]
       python oracles/check_figures.py --self-check     # oracle libraries only, no binary
Exit status: 0 all agree, 1 a mismatch, 2 could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import numpy as np
import numpy_financial as npf
import pyxirr
from scipy.optimize import brentq

IRR_TOL = 1e-7
NPV_TOL = 1e-9
MOIC_TOL = 1e-12
ROOT_MIN, ROOT_MAX = -0.95, 10.0


# --------------------------------------------------------------------------------------------
# Oracle-side maths


def year_fractions(dates: list[dt.date], ref: dt.date) -> list[float]:
    return [(d - ref).days / 365.0 for d in dates]


def xnpv_terms(rate: float, t: list[float], amounts: list[float]) -> list[float]:
    return [a * (1.0 + rate) ** (-ti) for a, ti in zip(amounts, t)]


def abs_scale(rate: float, t: list[float], amounts: list[float]) -> float:
    return sum(abs(x) for x in xnpv_terms(rate, t, amounts))


def all_roots(dates: list[dt.date], amounts: list[float]):
    """Every root of the XNPV in (-1, inf) for ln(1 + r) in [-50, 30], plus a diagnostic.

    Works in u = ln(1 + r): h(u) = sum a_i exp(-u t_i) has the sign of the XNPV. To stay finite
    at both ends h is scaled by a positive factor, exp(u t_max) for u < 0 and 1 for u >= 0, so
    every exponent is <= 0 (the roots do not move). Roots this far out (1 + r down to 2e-22, r up
    to 1e13) are real but numerically extreme; see EXTREME below. Returns (roots, min_rel):
    min_rel is the smallest |h| / sum |terms| seen on the grid, a measure of how close the
    function comes to touching zero."""
    if not (any(x > 0 for x in amounts) and any(x < 0 for x in amounts)):
        return [], 1.0   # no sign change among the non-zero flows: no root (all zero: none)
    t = np.array(year_fractions(dates, min(dates)))
    a = np.array(amounts, dtype=float)
    tmax = float(t.max())

    def terms_at(u):
        u = np.asarray(u, dtype=float)
        shift = np.where(u < 0, tmax, 0.0)
        return a[None, :] * np.exp(-u[:, None] * (t[None, :] - shift[:, None]))

    def h(u: float) -> float:
        return float(terms_at([u]).sum())

    us = np.linspace(-50.0, 30.0, 32001)
    terms = terms_at(us)
    vals = terms.sum(axis=1)
    rel = np.abs(vals) / np.maximum(np.abs(terms).sum(axis=1), 1e-300)
    roots = []
    for i in range(len(us) - 1):
        if vals[i] == 0.0:
            roots.append(float(us[i]))
        elif vals[i] * vals[i + 1] < 0:
            roots.append(brentq(h, us[i], us[i + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps))
    rates = []
    for u in roots:
        r = math.expm1(u)
        if -0.999 < r < 1000:
            # polish in r space (brentq on a tight bracket) so the root is accurate in r itself
            g = lambda x: sum(ai * (1.0 + x) ** (-ti) for ai, ti in zip(amounts, t))
            lo, hi = r - 1e-9 * max(1, abs(r)), r + 1e-9 * max(1, abs(r))
            if g(lo) * g(hi) < 0:
                r = brentq(g, lo, hi, xtol=1e-16, rtol=4 * np.finfo(float).eps)
        rates.append(r)
    return sorted(rates), float(rel.min())


def newton_from(dates, amounts, x: float = 0.1) -> float:
    """Plain Newton's method on the XNPV from x (50 steps; stop when |XNPV| < 1e-9 or the step
    < 1e-9), NaN when it leaves (-1, inf) or does not settle. This is the rule docs/semantics.md
    gives for the root pactsim reports: this root if Newton reaches one, else the lowest root."""
    t = year_fractions(dates, min(dates))
    for _ in range(50):
        if not x > -1.0 or not math.isfinite(x):
            return math.nan
        try:
            fx = sum(a * (1.0 + x) ** (-ti) for a, ti in zip(amounts, t))
            dfx = sum(-ti * a * (1.0 + x) ** (-ti - 1.0) for a, ti in zip(amounts, t))
        except OverflowError:
            return math.nan
        if abs(fx) < 1e-9:
            return x
        if dfx == 0.0 or not math.isfinite(dfx):
            return math.nan
        step = fx / dfx
        if abs(step) < 1e-9:
            return x - step
        x -= step
    return math.nan


def extreme(r: float) -> bool:
    """A root pyxirr (and Excel) cannot report: its |XNPV| < 1e-3 test is absolute, and near
    r = -1 the XNPV's scale explodes; its search brackets end at 1e6."""
    return r < -0.999 or r > 1000.0


def same_root(a: float, b: float) -> bool:
    """Equal to 1e-7 in r, or (for the extreme roots) to 1e-7 in ln(1 + r)."""
    if close(a, b, IRR_TOL):
        return True
    if a <= -1 or b <= -1:
        return False
    ua, ub = math.log1p(a), math.log1p(b)
    return abs(ua - ub) <= IRR_TOL * max(1.0, abs(ua))


def root_slope_ok(dates, amounts, r: float) -> bool:
    """The XNPV crosses zero with a clear slope at r (not a near-double root)."""
    t = year_fractions(dates, min(dates))
    d = sum(-ti * a * (1.0 + r) ** (-ti - 1.0) for a, ti in zip(amounts, t))
    return abs(d) * (1.0 + r) > 1e-4 * abs_scale(r, t, amounts)


def close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def pyxirr_rate(dates, amounts, guess=0.1):
    """pyxirr.xirr's answer: ("rate", r), ("invalid", msg) or ("none", None).

    The guess is passed explicitly: docs/semantics.md promises the root Newton's method reaches
    from 0.1 (Excel's default guess), and pyxirr 0.10.8 called without a guess does not always
    start there (e.g. flows 0.717024, -5.095939, 0.018485, 0.397561 on 2033-06-09, 2034-07-13,
    2034-10-07, 2036-08-12: guess=None gives -0.69958, guess=0.1 gives 4.98997)."""
    try:
        r = pyxirr.xirr(dates, amounts, guess=guess)
    except pyxirr.InvalidPaymentsError as e:
        return "invalid", str(e)
    if r is None or not math.isfinite(r):
        return "none", None
    return "rate", float(r)


# --------------------------------------------------------------------------------------------
# Self-check of the oracle libraries (held-out cases C-8, C-10 of models-and-oracles.md)


def self_check() -> list[str]:
    bad = []

    def expect(what, got, want, tol):
        if got is None or not abs(got - want) <= tol:
            bad.append(f"oracle self-check {what}: got {got!r}, want {want!r} (±{tol})")

    c8 = [-50.0, -100.0, 600.0, 300.0, -100.0]
    expect("C-8 pyxirr.irr", pyxirr.irr(c8), 1.8544, 5e-5)
    expect("C-8 npf.irr", float(npf.irr(c8)), -0.7689, 5e-5)
    expect("C-8 xirr 2097..2101", pyxirr.xirr([dt.date(2097 + i, 1, 1) for i in range(5)], c8),
           1.8544, 5e-5)
    expect("C-8 xirr 2020..2024 (leap)", pyxirr.xirr([dt.date(2020 + i, 1, 1) for i in range(5)], c8),
           1.8516, 5e-5)
    if pyxirr.is_conventional_cash_flow(c8) or list(pyxirr.zero_crossing_points(c8)) != [1, 3]:
        bad.append("oracle self-check C-8: pyxirr does not see two sign changes")
    roots, _ = all_roots([dt.date(2097 + i, 1, 1) for i in range(5)], c8)
    if len(roots) != 2:
        bad.append(f"oracle self-check C-8: root finder found {roots}, want two roots")
    else:
        expect("C-8 roots[0]", roots[0], -0.7689, 5e-5)
        expect("C-8 roots[1]", roots[1], 1.8544, 5e-5)
    c10 = [dt.date(2020, 1, 1), dt.date(2021, 1, 1)]
    expect("C-10 ACT/365F", pyxirr.xirr(c10, [-100.0, 110.0]), 0.099714, 5e-7)
    expect("C-10 30/360", pyxirr.xirr(c10, [-100.0, 110.0], day_count="30/360"), 0.100000, 5e-7)
    expect("C-10 ACT/360", pyxirr.xirr(c10, [-100.0, 110.0], day_count=pyxirr.DayCount.ACT_360),
           0.098283, 5e-7)
    expect("npf.npv(0.1,[-100,60,60])", float(npf.npv(0.1, [-100, 60, 60])), 4.1322, 5e-5)
    try:
        pyxirr.xirr(c10, [100.0, 110.0])
        bad.append("oracle self-check: pyxirr.xirr accepted flows without a sign change")
    except pyxirr.InvalidPaymentsError:
        pass
    return bad


# --------------------------------------------------------------------------------------------
# Cases


@dataclass
class Case:
    name: str
    dates: list[dt.date]
    amounts: list[float]
    rate: float
    start: dt.date | None = None
    yearly: bool = False          # dates exactly 365 days apart, one flow per year from the first
    notes: list[str] = field(default_factory=list)


def rand_amount(rng: random.Random) -> float:
    # log-uniform in 0.01..100, rounded to 1e-6 so the CSV stays readable
    return round(10 ** rng.uniform(-2, 2), 6) or 0.01


def rand_dates(rng: random.Random, n: int, first: dt.date, min_gap=20, max_gap=800):
    out = [first]
    for _ in range(n - 1):
        out.append(out[-1] + dt.timedelta(days=rng.randint(min_gap, max_gap)))
    return out


def rand_first_date(rng: random.Random) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 3650))


def rand_rate(rng: random.Random) -> float:
    pick = rng.random()
    if pick < 0.1:
        return 0.0
    if pick < 0.2:
        return 0.04
    return round(rng.uniform(-0.05, 0.30), 6)


def well_posed(dates, amounts) -> bool:
    roots, min_rel = all_roots(dates, amounts)
    if any(r < ROOT_MIN or r > ROOT_MAX for r in roots):
        return False
    if any(b - a < 0.01 for a, b in zip(roots, roots[1:])):
        return False
    if not all(root_slope_ok(dates, amounts, r) for r in roots):
        return False
    if not roots and min_rel < 1e-6 and len({math.copysign(1, a) for a in amounts}) > 1:
        return False
    if pyxirr.is_conventional_cash_flow(amounts) and len(roots) != 1:
        return False   # its one root is beyond r = 1e13 (e.g. -0.13 then +20.6 twelve days on)
    status, r = pyxirr_rate(dates, amounts)
    if status == "rate" and not any(close(r, x, 1e-6) for x in roots):
        return False   # pyxirr "converged" on a non-root (its 1e-3 test); not a fair oracle here
    if status == "none" and roots:
        return False   # a root pyxirr cannot reach (|XNPV| < 1e-3 is absolute): oracle's limit
    return True


def gen_conventional(rng):
    n = rng.randint(2, 12)
    dates = rand_dates(rng, n, rand_first_date(rng))
    out = -rand_amount(rng)
    ins = [rand_amount(rng) for _ in range(n - 1)]
    k = abs(out) * rng.uniform(0.5, 3.0) / sum(ins)   # keep the IRR in a sensible range
    ins = [max(0.01, round(x * k, 6)) for x in ins]
    if rng.random() < 0.2:   # reversed: inflow first (a loan from the holder's side)
        return dates, [-out] + [-x for x in ins]
    return dates, [out] + ins


def gen_nonconventional(rng):
    n = rng.randint(3, 12)
    dates = rand_dates(rng, n, rand_first_date(rng))
    while True:
        signs = [rng.choice((-1, 1)) for _ in range(n)]
        changes = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
        if changes >= 2:
            break
    return dates, [s * rand_amount(rng) for s in signs]


def gen_yearly(rng):
    """Flows exactly 365 days apart: ACT/365F year fractions are whole, as numpy-financial assumes."""
    n = rng.randint(2, 15)
    first = rand_first_date(rng)
    dates = [first + dt.timedelta(days=365 * k) for k in range(n)]
    if rng.random() < 0.6:
        amounts = [-rand_amount(rng)] + [rand_amount(rng) for _ in range(n - 1)]
        k = abs(amounts[0]) * rng.uniform(0.5, 3.0) / sum(amounts[1:])
        amounts = [amounts[0]] + [max(0.01, round(x * k, 6)) for x in amounts[1:]]
    else:
        amounts = [rng.choice((-1, 1)) * rand_amount(rng) for _ in range(n)]
    return dates, amounts


def gen_leap(rng):
    """Spans that contain a 29 February; some flows fall on it, some spans start on it."""
    year = rng.choice((2024, 2028, 2032, 2096, 2104))
    anchor = dt.date(year, 2, 29)
    n = rng.randint(2, 6)
    kind = rng.random()
    if kind < 0.3:
        first = anchor
    elif kind < 0.6:
        first = anchor - dt.timedelta(days=rng.randint(1, 400))
    else:
        first = anchor - dt.timedelta(days=365 * rng.randint(1, 3) + rng.randint(0, 2))
    dates = rand_dates(rng, n, first, 30, 500)
    if 0.3 <= kind < 0.45 and anchor not in dates:
        # put one of the later flows on the 29th itself
        j = min(range(1, n), key=lambda k: abs((dates[k] - anchor).days))
        dates[j] = anchor
        dates = sorted(set(dates))
        n = len(dates)
    amounts = [-rand_amount(rng)] + [rand_amount(rng) for _ in range(n - 1)]
    return dates, amounts


def gen_no_sign_change(rng):
    n = rng.randint(1, 8)
    dates = rand_dates(rng, n, rand_first_date(rng))
    s = rng.choice((-1, 1))
    return dates, [s * rand_amount(rng) for _ in range(n)]


def fixed_cases() -> list[Case]:
    c8 = [-50.0, -100.0, 600.0, 300.0, -100.0]
    d = dt.date
    cases = [
        Case("C-8 yearly 2097..2101 (no 29 Feb)", [d(2097 + i, 1, 1) for i in range(5)], c8, 0.1),
        Case("C-8 yearly 2020..2024 (2020 leap)", [d(2020 + i, 1, 1) for i in range(5)], c8, 0.1),
        Case("C-8 365-day spaced", [d(2030, 6, 1) + dt.timedelta(days=365 * i) for i in range(5)],
             c8, 0.04, yearly=True),
        Case("C-10 leap year", [d(2020, 1, 1), d(2021, 1, 1)], [-100.0, 110.0], 0.05),
        Case("C-10 non-leap year", [d(2021, 1, 1), d(2022, 1, 1)], [-100.0, 110.0], 0.1,
             yearly=True),
        Case("npf doc example", [d(2031, 1, 1) + dt.timedelta(days=365 * i) for i in range(3)],
             [-100.0, 60.0, 60.0], 0.1, yearly=True),
        Case("all positive", [d(2026, 1, 1), d(2027, 1, 1), d(2028, 3, 1)], [1.0, 2.0, 3.5], 0.04),
        Case("all negative", [d(2026, 1, 1), d(2027, 1, 1)], [-1.0, -2.0], 0.04),
        Case("single flow", [d(2026, 5, 5)], [-7.5], 0.04),
        Case("two flows on one date", [d(2026, 1, 1), d(2026, 1, 1), d(2027, 1, 1)],
             [-60.0, -40.0, 112.0], 0.03),
        Case("start before the first flow", [d(2027, 3, 1), d(2029, 3, 1)], [-10.0, 12.5], 0.06,
             start=d(2025, 11, 14)),
        Case("start on 29 Feb", [d(2028, 3, 1), d(2030, 2, 28)], [-10.0, 12.5], 0.045,
             start=d(2028, 2, 29)),
        Case("start between the flows", [d(2020, 1, 1), d(2021, 1, 1)], [-100.0, 110.0], 0.05,
             start=d(2020, 7, 1)),
        Case("all zero", [d(2026, 1, 1), d(2027, 1, 1)], [0.0, 0.0], 0.04),
        Case("negative rate", [d(2026, 1, 1), d(2026, 9, 30), d(2028, 2, 29)], [-5.0, 1.0, 4.5],
             -0.02),
        # Extreme roots (1 + r < 1e-3 or r > 1000): real, but beyond what pyxirr can report.
        Case("extreme: only root at r = -1 + 1.4e-9",
             [d(2029, 8, 23), d(2031, 4, 3), d(2033, 5, 25), d(2033, 8, 6)],
             [14.058229, -8.620317, 15.808613, -0.268569], 0.258334),
        Case("extreme: roots 8.10 and -1 + 1.7e-8",
             [d(2025, 8, 22), d(2026, 5, 4), d(2027, 4, 10), d(2027, 5, 18)],
             [1.190687, 0.144902, -51.350649, 7.989637], 0.0),
        Case("root choice: Newton from 0.1 diverges, lowest root -0.93 vs pyxirr -0.079",
             [d(2030, 2, 15), d(2031, 7, 27), d(2033, 2, 19), d(2034, 2, 5), d(2035, 3, 2),
              d(2036, 6, 4), d(2038, 7, 25), d(2039, 10, 3), d(2039, 11, 29), d(2042, 2, 2),
              d(2042, 4, 1), d(2042, 10, 23)],
             [-0.057882, 0.247136, -84.38163, 0.070867, -0.012818, 0.05815, -20.028683, 8.416838,
              56.719758, 0.975717, -0.014636, -0.167854], -0.001144),
        Case("extreme: a root near r = 7.5e4", [d(2030, 1, 1), d(2030, 5, 31), d(2031, 1, 1)],
             [-0.01, 1.0, -2.0], 0.04),
    ]
    return cases


def random_cases(seed: int, n: int) -> list[Case]:
    rng = random.Random(seed)
    gens = [("conventional", gen_conventional, 0.35), ("nonconventional", gen_nonconventional, 0.30),
            ("yearly", gen_yearly, 0.15), ("leap", gen_leap, 0.12),
            ("no-sign-change", gen_no_sign_change, 0.08)]
    out = []
    while len(out) < n:
        x = rng.random()
        for name, gen, p in gens:
            if x < p:
                break
            x -= p
        for _attempt in range(100):
            dates, amounts = gen(rng)
            if well_posed(dates, amounts):
                break
        else:
            continue
        start = None
        if rng.random() < 0.1:
            start = min(dates) + dt.timedelta(
                days=rng.randint(-900, max(1, (max(dates) - min(dates)).days)))
        out.append(Case(f"{name} #{len(out)}", dates, amounts, rand_rate(rng), start=start,
                        yearly=(name == "yearly")))
    return out


# --------------------------------------------------------------------------------------------
# Running the binary and comparing


def write_csv(path: str, case: Case) -> None:
    with open(path, "w") as f:
        f.write("date,amount\n")
        for d, a in zip(case.dates, case.amounts):
            f.write(f"{d.isoformat()},{a!r}\n")


def run_binary(binary: str, path: str, case: Case):
    cmd = [binary, "figures", path, f"--rate={case.rate!r}", "--json"]
    if case.start is not None:
        cmd.append(f"--start={case.start.isoformat()}")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()[:500]}")
    return json.loads(p.stdout), cmd


def num(x):
    return None if x is None else float(x)


def check_case(case: Case, out: dict, strict_root_choice: bool = True) -> tuple[list[str], list[str]]:
    """Returns (mismatches, notes)."""
    bad, notes = [], []
    dates, amounts, rate = case.dates, case.amounts, case.rate
    for key in ("npv", "irr", "irr_roots", "irr_multiple_roots", "moic", "paid", "received"):
        if key not in out:
            bad.append(f"missing field {key!r}")
    if bad:
        return bad, notes

    # NPV
    ref = case.start if case.start is not None else min(dates)
    o_npv = pyxirr.xnpv(rate, dates, amounts)
    if case.start is not None:
        # moved from the earliest date to `start` (before or after it): one exact factor
        o_npv *= (1.0 + rate) ** ((case.start - min(dates)).days / 365.0)
    t = year_fractions(dates, ref)
    scale = max(abs_scale(rate, t, amounts), 1e-300)
    b_npv = num(out["npv"])
    if b_npv is None or abs(b_npv - o_npv) > NPV_TOL * scale:
        bad.append(f"npv: pactsim {b_npv!r}, pyxirr.xnpv {o_npv!r}")
    if case.yearly and case.start is None:
        n_npv = float(npf.npv(rate, amounts))
        if b_npv is None or abs(b_npv - n_npv) > NPV_TOL * scale:
            bad.append(f"npv: pactsim {b_npv!r}, numpy_financial.npv {n_npv!r}")

    # paid / received / MOIC
    paid = -sum(a for a in amounts if a < 0)
    received = sum(a for a in amounts if a > 0)
    for key, want in (("paid", paid), ("received", received)):
        got = num(out[key])
        if got == 0.0 and math.copysign(1.0, got) < 0:
            notes.append(f"{key} is printed as -0.0")
        if got is None or abs(got - want) > MOIC_TOL * max(1.0, abs(want)):
            bad.append(f"{key}: pactsim {got!r}, expected {want!r}")
    want_moic = received / paid if paid > 0 else None
    got_moic = num(out["moic"])
    if (want_moic is None) != (got_moic is None) or (
            want_moic is not None and abs(got_moic - want_moic) > MOIC_TOL * max(1.0, want_moic)):
        bad.append(f"moic: pactsim {got_moic!r}, expected {want_moic!r}")

    # IRR
    status, p_rate = pyxirr_rate(dates, amounts)
    roots, _ = all_roots(dates, amounts)
    b_irr = num(out["irr"])
    b_roots = sorted(float(x) for x in out["irr_roots"] or [])
    b_multi = out["irr_multiple_roots"]
    conventional = pyxirr.is_conventional_cash_flow(amounts)
    crossings = list(pyxirr.zero_crossing_points(amounts))

    if status == "invalid":
        if b_irr is not None or b_roots:
            bad.append(f"irr: pyxirr raises InvalidPaymentsError ({p_rate}); pactsim irr {b_irr!r} "
                       f"roots {b_roots}")
    elif status == "none":
        if b_irr is not None:
            if extreme(b_irr) and any(same_root(b_irr, r) for r in roots):
                notes.append(f"pyxirr finds no rate; pactsim reports the extreme root {b_irr!r} "
                             f"(all roots {roots})")
            elif any(same_root(b_irr, r) for r in roots):
                bad.append(f"irr: pyxirr finds no rate, pactsim {b_irr!r} (a true root; "
                           f"all roots {roots})")
            else:
                bad.append(f"irr: pyxirr finds no rate, pactsim {b_irr!r} (not a root)")
    else:
        if b_irr is None:
            bad.append(f"irr: pactsim null, pyxirr.xirr {p_rate!r}")
        elif not close(b_irr, p_rate, IRR_TOL):
            polished = [r for r in roots if close(r, p_rate, 1e-6)]
            if polished and close(b_irr, polished[0], IRR_TOL):
                notes.append(f"pyxirr's rate {p_rate!r} is loose; pactsim {b_irr!r} matches the "
                             f"polished root {polished[0]!r}")
            elif any(close(b_irr, r, IRR_TOL) for r in roots):
                newton = newton_from(dates, amounts, 0.1)
                documented = next((r for r in roots if same_root(newton, r)), None) \
                    if math.isfinite(newton) else None
                rule = "Newton from 0.1" if documented is not None else \
                    "lowest root (Newton from 0.1 fails)"
                if documented is None:
                    documented = roots[0]
                if close(b_irr, documented, IRR_TOL):
                    # pactsim follows docs/semantics.md; pyxirr's own fallback differs (it takes
                    # the first of its brackets -1, -0.75, -0.5, ... 1e6 whose root passes its
                    # absolute |XNPV| < 1e-3 test, which roots near -1 fail)
                    notes.append(f"irr root choice: pactsim {b_irr!r} ({rule}, as documented), "
                                 f"pyxirr.xirr(guess=0.1) {p_rate!r}; roots {roots}")
                else:
                    (bad if strict_root_choice else notes).append(
                        f"irr root choice: pactsim {b_irr!r}, pyxirr.xirr(guess=0.1) {p_rate!r}, "
                        f"documented rule ({rule}) {documented!r}; roots {roots}")
            else:
                bad.append(f"irr: pactsim {b_irr!r}, pyxirr.xirr {p_rate!r} (roots {roots})")

    # roots and the multiple-roots flag
    if len(b_roots) != len(roots) or not all(same_root(a, b) for a, b in zip(b_roots, roots)):
        bad.append(f"irr_roots: pactsim {b_roots}, oracle (grid + brentq) {roots}")
    if b_irr is not None and b_roots and not any(close(b_irr, r, 1e-12) for r in b_roots):
        bad.append(f"irr {b_irr!r} is not among pactsim's own irr_roots {b_roots}")
    if b_multi != (len(b_roots) > 1):
        bad.append(f"irr_multiple_roots {b_multi!r} but irr_roots has {len(b_roots)} element(s)")
    if conventional and len(roots) == 1 and (len(b_roots) != 1 or b_multi):
        bad.append(f"conventional flow (one sign change at {crossings}) but pactsim roots {b_roots}, "
                   f"multiple {b_multi!r}")
    if not conventional and len(b_roots) > 1 and b_multi is not True:
        bad.append("non-conventional flow with several roots but irr_multiple_roots is not true")
    if not conventional and len(crossings) >= 2 and len(roots) > 1:
        d_status, d_rate = pyxirr_rate(dates, amounts, guess=None)
        extra = "" if d_rate == p_rate else f" (without a guess pyxirr gives {d_rate!r})"
        notes.append(f"multiple roots {roots}; pyxirr(guess=0.1) {p_rate!r}{extra}, "
                     f"pactsim {b_irr!r}")
    return bad, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=400, help="random cases (default 400)")
    ap.add_argument("--seed", type=int, default=20251114)
    ap.add_argument("--bin", default=os.environ.get("PACTSIM_BIN"), help="default $PACTSIM_BIN")
    ap.add_argument("--keep", help="write the case CSVs into this folder and keep them")
    ap.add_argument("--self-check", action="store_true", help="check the oracle libraries only")
    ap.add_argument("--allow-root-choice", action="store_true",
                    help="report, but do not fail on, a pactsim irr that is a root other than "
                         "pyxirr's when there are several")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    problems = self_check()
    if problems:
        print("check_figures: the oracle libraries fail their own held-out cases:")
        for p in problems:
            print("  " + p)
        return 2
    print("check_figures: oracle self-check passed (C-8, C-10, npf.npv)")

    cases = fixed_cases() + random_cases(args.seed, args.cases)
    if args.self_check:
        kinds = {}
        for c in cases:
            kinds[c.name.split(" #")[0]] = kinds.get(c.name.split(" #")[0], 0) + 1
        print(f"check_figures: generated {len(cases)} cases: {kinds}")
        return 0
    if not args.bin:
        print("check_figures: set PACTSIM_BIN (or --bin) to the pactsim binary", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"check_figures: {binary} is not an executable", file=sys.stderr)
        return 2

    workdir = args.keep or tempfile.mkdtemp(prefix="pactsim-figures-")
    os.makedirs(workdir, exist_ok=True)
    failed, multi_notes, other_notes = [], [], []
    root_choice = 0
    for i, case in enumerate(cases):
        path = os.path.join(workdir, f"case{i:04d}.csv")
        write_csv(path, case)
        try:
            out, cmd = run_binary(binary, path, case)
            bad, notes = check_case(case, out, not args.allow_root_choice)
        except Exception as e:  # noqa: BLE001 -- any failure of the binary is a mismatch
            cmd = [binary, "figures", path, f"--rate={case.rate!r}", "--json"]
            out, bad, notes = None, [f"could not run: {e}"], []
        if any(b.startswith("irr root choice") for b in bad + notes):
            root_choice += 1
        for n in notes:
            (multi_notes if n.startswith("multiple roots") else other_notes).append((case, n))
        if bad:
            failed.append((case, cmd, out, bad))
        elif args.verbose:
            print(f"  ok   {case.name}")

    n_yearly = sum(1 for c in cases if c.yearly and c.start is None)
    n_multi = len(multi_notes)
    print(f"check_figures: {len(cases)} cases ({len(fixed_cases())} fixed, {args.cases} random, "
          f"seed {args.seed}); {n_yearly} also against numpy_financial.npv; "
          f"{n_multi} with several roots; {root_choice} root-choice differences")
    negzero = [(c, n) for c, n in other_notes if n.endswith("printed as -0.0")]
    for case, n in other_notes:
        if not n.endswith("printed as -0.0"):
            print(f"  note [{case.name}] {n}")
    if negzero:
        case, n = negzero[0]
        print(f"  note: {len(negzero)} cases print paid or received as -0.0 (valid JSON, odd money); "
              f"e.g. [{case.name}] {n}: flows "
              + "; ".join(f"{d} {a!r}" for d, a in zip(case.dates, case.amounts)))
    for case, cmd, out, bad in failed[:25]:
        print(f"  MISMATCH [{case.name}] rate {case.rate!r}"
              + (f" start {case.start}" if case.start else ""))
        for b in bad:
            print(f"    {b}")
        print("    flows: " + "; ".join(f"{d} {a!r}" for d, a in zip(case.dates, case.amounts)))
        print(f"    command: {' '.join(cmd)}")
        if out is not None:
            print(f"    pactsim: {json.dumps(out)}")
    if len(failed) > 25:
        print(f"  … and {len(failed) - 25} more mismatching cases")
    if not args.keep:
        for f in os.listdir(workdir):
            os.remove(os.path.join(workdir, f))
        os.rmdir(workdir)
    print(f"check_figures: {len(cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
