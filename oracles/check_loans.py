#!/usr/bin/env python3
"""Check pactsim's amortising loans and guarantee fees against QuantLib and numpy-financial.

Each seeded random case is a deal file (shared/contracts/deal-file.md) with one facility, one
investor-owned waterfall (`tiers = [ { investor = 1.0, host = 0.0 } ]`) and one listed project
selected on the deal's start date, whose `cash_flows_usd_bn` always cover the debt service and
the fee. Three instrument mixes are drawn:

* loan       -- `{ equity, loan }`
* guarantee  -- `{ equity, loan, guarantee }` with a `guarantee_fee_rate`
* guar-only  -- `{ equity, guarantee }` with a `guarantee_fee_rate`

(shares are multiples of 1/8, so they sum to exactly 1 in binary floating point; one fixed case
uses the contract's own 0.4/0.3/0.3). Loan rate 0..12% (some exactly 0), term 1..30 years,
principal 0.5..50 USD bn; start dates include 29 February.

`pactsim run FILE --json` is run and the project's `flows[]` are compared, year by year, with
QuantLib: `ql.sinkingNotionals(ql.Period(years, ql.Years), ql.Annual, rate, principal)` gives the
notionals N_0..N_n and the k-th payment is `N_{k-1} * rate + (N_{k-1} - N_k)`; the level payment
is also checked against `-numpy_financial.pmt(rate, years, principal)`. Where QuantLib loses
digits (rates near 0: the fixed case at 1e-9) the schedule is computed in 50-digit decimals
instead, and a note says so. Checked per flow:
`date` (k-th anniversary of `funded_on`, 29 Feb -> 28 Feb), `debt_service_investor` (investor's
loan), `debt_service_lenders` (guaranteed loan), `debt_service` (their sum), `guarantee_fee`
(fee rate x guaranteed notional before the payment), `guarantee_call` and `loss` (0: cash always
covers), `cash` (the cash flow) and the identity cash = debt_service + guarantee_fee + host_tax +
investor + host. Totals: investor_paid = (equity + loan) x size, guarantee_calls = losses = 0, and
investor_received = sum of the investor's equity cash, loan service and fees. Tolerance 1e-9
relative (absolute 1e-12 near zero).

Usage: PACTSIM_BIN=target/release/pactsim python oracles/check_loans.py [--cases N] [--seed S]
       python oracles/check_loans.py --self-check     # oracle libraries only, no binary
Exit status: 0 all agree, 1 a mismatch, 2 could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, localcontext
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass

import numpy_financial as npf
import QuantLib as ql

TOL = 1e-9
ABS_FLOOR = 1e-12


def qdate(d: dt.date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def anniversary(d: dt.date, k: int) -> dt.date:
    """Same month and day k years later; 29 February falls on 28 February in common years."""
    y = d.year + k
    try:
        return d.replace(year=y)
    except ValueError:
        return dt.date(y, 2, 28)


def ql_schedule(principal: float, rate: float, years: int, today: dt.date):
    """(payments, notionals) of a level-payment annual loan, from QuantLib."""
    ql.Settings.instance().evaluationDate = qdate(today)
    if principal == 0.0:
        return [0.0] * years, [0.0] * (years + 1)
    notionals = list(ql.sinkingNotionals(ql.Period(years, ql.Years), ql.Annual, rate, principal))
    if len(notionals) != years + 1:
        raise RuntimeError(f"QuantLib gave {len(notionals)} notionals for {years} years")
    payments = [notionals[k - 1] * rate + (notionals[k - 1] - notionals[k])
                for k in range(1, years + 1)]
    return payments, notionals


def exact_schedule(principal: float, rate: float, years: int):
    """(payments, notionals) in 50-digit decimal arithmetic, rounded to float at the end.

    The arbiter where QuantLib itself loses digits: at rates near 0 both QuantLib's notionals and
    the textbook annuity r / (1 - (1 + r)^-n) (numpy-financial's too) cancel catastrophically
    (at r = 1e-9 QuantLib's last payment is 4e-7 off)."""
    with localcontext() as ctx:
        ctx.prec = 50
        p, r = Decimal(principal), Decimal(rate)
        if r == 0:
            notionals = [p * (years - k) / years for k in range(years + 1)]
        else:
            g = (1 + r) ** years
            notionals = [p * (g - (1 + r) ** k) / (g - 1) for k in range(years + 1)]
        payments = [notionals[k - 1] * r + notionals[k - 1] - notionals[k]
                    for k in range(1, years + 1)]
        return [float(x) for x in payments], [float(x) for x in notionals]


def reference_schedule(principal: float, rate: float, years: int, today: dt.date, notes: list):
    """QuantLib's schedule, or the exact one where QuantLib is off by more than 1e-10."""
    q_pay, q_not = ql_schedule(principal, rate, years, today)
    e_pay, e_not = exact_schedule(principal, rate, years)
    off = max([abs(a - b) / max(abs(b), 1e-300) for a, b in zip(q_pay, e_pay) if b] + [0.0])
    if off > 1e-10:
        notes.append(f"QuantLib off the exact schedule by {off:.1e} relative (rate {rate!r}); "
                     f"compared with the exact schedule instead")
        return e_pay, e_not
    return q_pay, q_not


def close(got, want) -> bool:
    return got is not None and abs(got - want) <= max(TOL * abs(want), ABS_FLOOR)


def self_check() -> list[str]:
    """C-9 of models-and-oracles.md: 100 at 6% over 10 years."""
    bad = []
    pay, notionals = ql_schedule(100.0, 0.06, 10, dt.date(2025, 11, 14))
    want = [100, 92.4132, 84.3712, 75.8467, 66.8107, 57.2325, 47.0797, 36.3177, 24.9099,
            12.8177, 0]
    if any(abs(a - b) > 5e-5 for a, b in zip(notionals, want)):
        bad.append(f"C-9 notionals {notionals}")
    if any(abs(p - 13.586796) > 5e-7 for p in pay):
        bad.append(f"C-9 payments {pay}")
    if abs(-npf.pmt(0.06, 10, 100.0) - 13.586796) > 5e-7:
        bad.append(f"C-9 npf.pmt {npf.pmt(0.06, 10, 100.0)}")
    pay0, _ = ql_schedule(30.0, 0.0, 3, dt.date(2025, 1, 1))
    if any(abs(p - 10.0) > 1e-12 for p in pay0):
        bad.append(f"zero-rate payments {pay0}")
    if anniversary(dt.date(2028, 2, 29), 1) != dt.date(2029, 2, 28) or \
            anniversary(dt.date(2028, 2, 29), 4) != dt.date(2032, 2, 29):
        bad.append("anniversary rule")
    return [f"oracle self-check {b}" for b in bad]


@dataclass
class LoanCase:
    name: str
    start: dt.date
    rate: float
    years: int
    equity: float
    loan: float
    guarantee: float
    fee_rate: float
    size: float
    cash: list[float]
    horizon: int


SHARE_MIXES = {
    "loan": [(0.5, 0.5, 0.0), (0.25, 0.75, 0.0), (0.75, 0.25, 0.0), (0.125, 0.875, 0.0),
             (0.0, 1.0, 0.0)],
    "guarantee": [(0.5, 0.25, 0.25), (0.25, 0.375, 0.375), (0.375, 0.125, 0.5), (0.0, 0.5, 0.5),
                  (0.25, 0.5, 0.25)],
    "guar-only": [(0.5, 0.0, 0.5), (0.25, 0.0, 0.75), (0.875, 0.0, 0.125)],
}


def make_case(rng: random.Random, i: int, variant: str) -> LoanCase:
    equity, loan, guarantee = rng.choice(SHARE_MIXES[variant])
    pick = rng.random()
    rate = 0.0 if pick < 0.1 else round(rng.uniform(0.0, 0.12), 5)
    years = rng.randint(1, 30)
    principal = round(rng.uniform(0.5, 50.0), 4)
    size = principal / (loan if loan > 0 else guarantee)   # principal of the first loan share
    fee_rate = round(rng.uniform(0.0, 0.03), 5) if guarantee > 0 else 0.0
    if rng.random() < 0.2:
        start = dt.date(rng.choice((2028, 2032)), 2, 29)
    else:
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 2900))
    debt = (loan + guarantee) * size
    floor = debt * (1.0 + rate) + fee_rate * guarantee * size + 0.5
    cash = [round(floor * rng.uniform(1.0, 2.0), 6) for _ in range(years)]
    return LoanCase(f"{variant} #{i}", start, rate, years, equity, loan, guarantee, fee_rate, size,
                    cash, years + rng.randint(1, 5))


def fixed_cases() -> list[LoanCase]:
    return [
        # C-9 as a deal: investor loan 100 at 6% over 10 years
        LoanCase("C-9 loan 100 @ 6% x 10", dt.date(2025, 11, 14), 0.06, 10, 0.5, 0.5, 0.0, 0.0,
                 200.0, [200.0] * 10, 12),
        # the contract's shipbuilding facility mix
        LoanCase("contract mix 0.4/0.3/0.3 @ 5% x 12", dt.date(2026, 3, 2), 0.05, 12, 0.4, 0.3,
                 0.3, 0.01, 20.0, [10.0] * 12, 15),
        LoanCase("zero rate, 29 Feb start", dt.date(2028, 2, 29), 0.0, 5, 0.5, 0.25, 0.25, 0.02,
                 8.0, [9.0] * 5, 6),
        # a rate so small that the annuity formula r / (1 - (1 + r)^-n) loses digits
        LoanCase("tiny rate 1e-9 x 30", dt.date(2026, 6, 30), 1e-9, 30, 0.5, 0.25, 0.25, 0.005,
                 40.0, [25.0] * 30, 31),
        LoanCase("one-year loan", dt.date(2027, 12, 31), 0.12, 1, 0.5, 0.5, 0.0, 0.0, 1.0, [2.0], 1),
    ]


def deal_toml(c: LoanCase, ident: str) -> str:
    inst = [f"equity = {c.equity!r}"]
    if c.loan:
        inst.append(f"loan = {c.loan!r}")
    if c.guarantee:
        inst.append(f"guarantee = {c.guarantee!r}")
    fee = f"guarantee_fee_rate = {c.fee_rate!r}\n" if c.guarantee else ""
    cash = ", ".join(repr(x) for x in c.cash)
    return f"""schema = 1

[deal]
id = "{ident}"
title = "oracle loan case: {c.name}"
investor = "KR"
host = "US"
start = {c.start.isoformat()}
horizon_years = {c.horizon}

[[facility]]
id = "loans"
commitment_usd_bn = {c.size * 1.5 + 1.0!r}
instruments = {{ {', '.join(inst)} }}
loan = {{ rate = {c.rate!r}, years = {c.years} }}
{fee}waterfall = "owner"

[waterfall.owner]
tiers = [ {{ investor = 1.0, host = 0.0 }} ]

[[project]]
id = "p"
facility = "loans"
selected = {c.start.isoformat()}
size_usd_bn = {c.size!r}
cash_flows_usd_bn = [{cash}]
"""


def stat(x):
    """A Stat's mean, or a plain number."""
    if isinstance(x, dict):
        return x.get("mean")
    return x


def check_case(c: LoanCase, out: dict, notes: list) -> list[str]:
    bad = []
    inv_pay, inv_not = reference_schedule(c.loan * c.size, c.rate, c.years, c.start, notes)
    gua_pay, gua_not = reference_schedule(c.guarantee * c.size, c.rate, c.years, c.start, notes)
    # cross-oracle: QuantLib's level payment equals numpy-financial's annuity (where the
    # annuity formula keeps its digits)
    for p, principal in ((inv_pay, c.loan * c.size), (gua_pay, c.guarantee * c.size)):
        if principal > 0 and (c.rate == 0 or c.rate >= 1e-5):
            level = -float(npf.pmt(c.rate, c.years, principal))
            if not all(abs(x - level) <= 1e-9 * level for x in p):
                bad.append(f"oracles disagree: QuantLib {p[0]!r} vs numpy_financial.pmt {level!r}")

    projects = out.get("projects") or []
    if len(projects) != 1:
        return bad + [f"expected 1 project in the output, found {len(projects)}"]
    pr = projects[0]
    if pr.get("funded_on") != c.start.isoformat():
        bad.append(f"funded_on {pr.get('funded_on')!r}, expected {c.start.isoformat()}")
    funded = dt.date.fromisoformat(pr["funded_on"]) if pr.get("funded_on") else c.start
    flows = pr.get("flows") or []
    if len(flows) != c.years:
        bad.append(f"{len(flows)} flow rows, expected {c.years}")
    received = 0.0
    for k in range(1, min(len(flows), c.years) + 1):
        f = flows[k - 1]
        want = {
            "date": anniversary(funded, k).isoformat(),
            "cash": c.cash[k - 1],
            "debt_service_investor": inv_pay[k - 1],
            "debt_service_lenders": gua_pay[k - 1],
            "debt_service": inv_pay[k - 1] + gua_pay[k - 1],
            "guarantee_fee": c.fee_rate * gua_not[k - 1],
            "guarantee_call": 0.0,
            "loss": 0.0,
            "host_tax": 0.0,
            "host": 0.0,
        }
        want["investor"] = want["cash"] - want["debt_service"] - want["guarantee_fee"]
        for key, w in want.items():
            g = f.get(key)
            if key == "date":
                if g != w:
                    bad.append(f"year {k}: date {g!r}, expected {w}")
            elif not isinstance(g, (int, float)) or not close(float(g), w):
                src = {"debt_service_investor": "oracle schedule",
                       "debt_service_lenders": "oracle schedule",
                       "debt_service": "oracle schedule",
                       "guarantee_fee": "fee x oracle notional"}
                bad.append(f"year {k}: {key} {g!r}, expected {w!r} ({src.get(key, 'case')})")
        parts = [f.get(x) for x in ("debt_service", "guarantee_fee", "host_tax", "investor", "host")]
        if all(isinstance(x, (int, float)) for x in parts) and isinstance(f.get("cash"), (int, float)):
            if abs(sum(parts) - f["cash"]) > 1e-9 * max(1.0, abs(f["cash"])):
                bad.append(f"year {k}: cash {f['cash']!r} != sum of its parts {sum(parts)!r}")
        received += want["investor"] + want["debt_service_investor"] + want["guarantee_fee"]

    totals = out.get("totals") or {}
    for key, w in (("investor_paid", (c.equity + c.loan) * c.size), ("guarantee_calls", 0.0),
                   ("losses", 0.0), ("investor_received", received)):
        g = stat(totals.get(key))
        if not isinstance(g, (int, float)) or not close(float(g), w):
            bad.append(f"totals.{key} {g!r}, expected {w!r}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=150, help="random cases (default 150)")
    ap.add_argument("--seed", type=int, default=20251114)
    ap.add_argument("--bin", default=os.environ.get("PACTSIM_BIN"), help="default $PACTSIM_BIN")
    ap.add_argument("--keep", help="write the deal files into this folder and keep them")
    ap.add_argument("--self-check", action="store_true", help="check the oracle libraries only")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    problems = self_check()
    if problems:
        print("check_loans: the oracle libraries fail their own held-out cases:")
        for p in problems:
            print("  " + p)
        return 2
    print("check_loans: oracle self-check passed (C-9 QuantLib = numpy-financial, zero rate, "
          "anniversaries)")

    rng = random.Random(args.seed)
    variants = ["loan", "guarantee", "guar-only"]
    cases = fixed_cases() + [make_case(rng, i, variants[i % 3]) for i in range(args.cases)]
    if args.self_check:
        for c in cases:   # the oracle side of every case must at least compute
            ql_schedule(c.loan * c.size, c.rate, c.years, c.start)
            ql_schedule(c.guarantee * c.size, c.rate, c.years, c.start)
        print(f"check_loans: generated {len(cases)} cases")
        return 0
    if not args.bin:
        print("check_loans: set PACTSIM_BIN (or --bin) to the pactsim binary", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"check_loans: {binary} is not an executable", file=sys.stderr)
        return 2

    workdir = args.keep or tempfile.mkdtemp(prefix="pactsim-loans-")
    os.makedirs(workdir, exist_ok=True)
    failed = []
    for i, c in enumerate(cases):
        path = os.path.join(workdir, f"loan{i:04d}.toml")
        with open(path, "w") as fh:
            fh.write(deal_toml(c, f"oracle-loan-{i:04d}"))
        cmd = [binary, "run", path, "--json"]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if p.returncode != 0:
                raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()[:800]}")
            notes = []
            bad = check_case(c, json.loads(p.stdout), notes)
            for n in dict.fromkeys(notes):
                print(f"  note [{c.name}] {n}")
        except Exception as e:  # noqa: BLE001 -- any failure of the binary is a mismatch
            bad = [f"could not run: {e}"]
        if bad:
            failed.append((c, cmd, bad))
        elif args.verbose:
            print(f"  ok   {c.name}")

    by_variant = {}
    for c in cases:
        v = c.name.split(" #")[0] if " #" in c.name else "fixed"
        by_variant[v] = by_variant.get(v, 0) + 1
    print(f"check_loans: {len(cases)} deals (seed {args.seed}): {by_variant}; "
          f"{sum(c.years for c in cases)} loan years compared")
    for c, cmd, bad in failed[:20]:
        print(f"  MISMATCH [{c.name}] rate {c.rate!r} years {c.years} shares "
              f"{c.equity}/{c.loan}/{c.guarantee} fee {c.fee_rate!r} size {c.size!r} start {c.start}")
        for b in bad[:12]:
            print(f"    {b}")
        if len(bad) > 12:
            print(f"    … {len(bad) - 12} more")
        print(f"    command: {' '.join(cmd)}")
    if len(failed) > 20:
        print(f"  … and {len(failed) - 20} more mismatching deals")
    if not args.keep:
        for f in os.listdir(workdir):
            os.remove(os.path.join(workdir, f))
        os.rmdir(workdir)
    print(f"check_loans: {len(cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
