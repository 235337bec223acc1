#!/usr/bin/env python3
"""Cross-check pactsim's currency, reserves and stability-clause engine ([fx], [reserves],
[stability]) against an independent computation written from the public contract and
docs/semantics.md ("Currency, reserves and the stability clause"), never from crates/.

The investor's dated flows come from contract_engine.run_deal (the independent deal engine; the
binary's own projects[].funding / flows are not used), the history and calibration window from
`pactsim data export fx/<pair>-daily` (checked against the ECB source by data/fx/build_fx_daily.py
--check). Each deal is a gen_deals.gen_deal deal (listed projects only: caps, lags, cuts, loans,
guarantees) with [fx] and [reserves] appended, or for the clause a small deal built here.

Checks (case kinds cycle through the list):

1. reserves  `funding_channel = "reserves"`, no swap line, no [stability]. The flows do not depend
             on the rate, so every path has the same reserves: each month's reserves Stat
             (mean, p5, p50, p95) = start + baseline * days / 365 + net investor flow to the
             month's end (last day of the month; the horizon's end for the last), 1e-9 rel +
             1e-9 abs; ara_ratio = that / the IMF ARA EM metric (floating 0.05/0.05/0.30/0.15,
             fixed 0.10/0.10/0.30/0.20; regime default floating); ara_usd_bn; breach_probability
             0 or 1 (ratio below the floor, 1, in some month); no swap drawing, no requests.
2. swap      the same with swap_line_usd_bn > 0 and a start near the floor: reserves = own +
             clamp(floor * ARA - own, 0, line); swap_drawn_usd_bn = the largest drawing over every
             day of the horizon (computed day by day); swap_draw_probability 0 or 1.
   floor     the same (with or without a line) under a [stability] that can only fire on the ARA
             test (depreciation_trigger 1 - 1e-9, a billionfold rise of the rate within the
             window; 0.95 was reached on one path of 4,000 under a fit with alpha + beta = 1;
             host_accepts_probability 0, so flows never move):
             the floor is ara_floor; deferral_requests = the number of calls (investor cash > 0,
             due within the horizon) whose ratio at the end of the day before the due date is
             below ara_floor; deferrals_granted = 0.
3. market    every deal of 1./2./floor is run again with `funding_channel = "market"` and the same
             seed: reserves = start + baseline * days / 365 (+ the swap line on those), and each
             month's rate Stat (mean, p5, p50, p95) = the reserves run's x exp(outflow_impact *
             (net USD bought to the month's end) / gdp * 100), net bought = -net investor flow,
             to 1e-9 relative (common random numbers; a positive factor commutes with quantiles).
   channels  in 1./2./floor some facilities carry a funding_channel of their own ("none",
             "market", "reserves"): reserves move only with the flows of the facilities on
             "reserves" (their own channel, else [fx]'s), the rate only with those on "market",
             and the ARA test counts only calls of facilities not on "none".
4. rates     fx.start = the last observation before deal.start; fx.calibration mu / sigma = mean
             and ddof-0 sd of the window's log returns (1e-9 rel; docs/fx.md on branch fxmodels);
             with model gbm and 4,000 paths, month m's log rate is normal with mean
             ln(start) + mu n and sd sigma sqrt(n), n = Monday-Friday days from the day after the
             last observation to the month end: ln p5/p50/p95 within 4 standard errors of a sample
             quantile, sd sqrt(q (1-q) / N) / phi(z_q) in log units (exp commutes with order
             statistics), and the mean within 4 x sd / sqrt(N) of start exp(mu n + sigma^2 n / 2).
             The months of one case share their paths, so their gaps are correlated; with the
             default seed the worst is ~3.3 s.e. First months with n = 2..5 steps pin the step count.
             With model garch, the first three months against an independent GARCH-t simulation
             from the reported fit (numpy and scipy's t; 40,000 paths): the share of simulated log
             rates below each binary quantile is q within 4 s.e.
5. defer-p   a [stability] whose test always fires (depreciation_trigger 0 and reserves far below
             ara_floor on every day, whatever is paid) and host_accepts_probability p < 1; 1-3
             calls. A call with M test dates (the due date, then every deferral_months, month-end
             clamped, while within the horizon) makes K requests, P(K = k) = p^(k-1) (1-p) for
             k < M, P(K = M) = p^(M-1), and is granted K - 1 (refused) or M (all granted) times:
             mean requests within 4 exact s.e. of sum (1 - p^M) / (1 - p); total granted / total
             requests within 4 s.e. (delta method, exact moments) of p; every quantile q of
             requests within [granted_q, granted_q + calls] (requests - granted per path is the
             number of refused calls). One call deferred yearly (half the defer-p deals): each
             path's counts follow from the year it paid the call (--keep-paths investor_paid_<year>:
             paid at the k-th test = k requests, k - 1 granted; never paid = M and M), and the
             binary's requests / granted mean, p5, p50, p95 must be those of the per-path counts
             (1e-9), i.e. requests - granted is 0 or 1 on every path.
   defer-all p = 1: every call is deferred past the horizon: requests = granted = sum M exactly on
             every path, years[].deferred = the calls due by each year's end, investor_paid 0,
             pending = the calls, and reserves = start + baseline * days / 365 (no funding left).

Prints the worst gap per check. Usage:
  PACTSIM_BIN=target/release/pactsim "$(scripts/oracle-venv)" oracles/check_currency.py \
      [--cases N] [--seed S] [--only KIND]
Failing deals (deal, both outputs) are kept in /tmp/pactsim-currency-failures/ (cleared at each
run). Exit 0 all agree, 1 a mismatch, 2 could not run.
"""
from __future__ import annotations

import argparse
import bisect
import calendar
import csv
import datetime as dt
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract_engine import anniversary, is_business, run_deal  # noqa: E402
from gen_deals import _num, gen_deal  # noqa: E402

FAIL_DIR = "/tmp/pactsim-currency-failures"
REL = ABS = 1e-9
ON_FLOOR = 1e-12          # "a ratio within 1e-12 of the floor counts as on it"
UNREACHABLE_TRIGGER = 1 - 1e-9  # a depreciation the floor cases' paths never reach (see 2. floor)
NEAR = 1e-7               # cases whose ratio is this close to the floor skip the 0/1 breach check
QUANTILE_PATHS = 4000    # gbm and garch cases: enough paths to test the rate's quantiles
GARCH_SAMPLE = 40000     # paths of the independent GARCH simulation
PATHS = 256
DEFER_PATHS = 4000
QS = {"p5": 0.05, "p50": 0.50, "p95": 0.95}
ARA_WEIGHTS = {"floating": (0.05, 0.05, 0.30, 0.15), "fixed": (0.10, 0.10, 0.30, 0.20)}
KINDS = ["reserves", "swap", "floor", "reserves", "defer-p", "defer-all"]


# --------------------------------------------------------------------------- helpers

def binary() -> str:
    b = os.environ.get("PACTSIM_BIN") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "pactsim")
    if not os.path.exists(b):
        print(f"check_currency: no pactsim binary at {b} (set PACTSIM_BIN)", file=sys.stderr)
        sys.exit(2)
    return b


def run_bin(bin_: str, path: str, paths: int, seed: int, keep: str | None = None) -> dict:
    keep_args = ["--keep-paths", keep] if keep else []
    p = subprocess.run([bin_, "run", path, "--json", "--paths", str(paths), "--seed", str(seed), *keep_args],
                       capture_output=True, text=True, env={**os.environ, "PACTSIM_NO_PROGRESS": "1"})
    if p.returncode != 0:
        raise RuntimeError(f"pactsim run exit {p.returncode}: {p.stderr.strip()[:2000]}")
    return json.loads(p.stdout)


_HIST: dict[str, tuple[list[dt.date], list[float]]] = {}


def history(bin_: str, pair: str) -> tuple[list[dt.date], list[float]]:
    if pair not in _HIST:
        name = "fx/" + pair.split("/")[0].lower() + "-usd-daily"
        out = subprocess.run([bin_, "data", "export", name], capture_output=True, text=True, check=True).stdout
        dates, vals = [], []
        for line in out.splitlines()[1:]:
            d, v = line.split(",")
            dates.append(dt.date.fromisoformat(d))
            vals.append(float(v))
        _HIST[pair] = (dates, vals)
    return _HIST[pair]


def add_months(d: dt.date, k: int) -> dt.date:
    m = d.month - 1 + k
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def month_ends(start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        last = dt.date(y, m, calendar.monthrange(y, m)[1])
        out.append((f"{y:04d}-{m:02d}", min(last, end)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def weekdays_between(a: dt.date, b: dt.date) -> int:
    """Monday-Friday days in (a, b]."""
    n, d = 0, a
    full, rest = divmod((b - a).days, 7)
    n = 5 * full
    d = a + dt.timedelta(days=7 * full)
    while d < b:
        d += dt.timedelta(days=1)
        n += is_business(d)
    return n


class Flows:
    """The investor's net dated flows (receipts +, payments -), cumulated for lookups by day."""

    def __init__(self, flows: list[tuple[str, float]]):
        net: dict[dt.date, float] = {}
        for d, x in flows:
            day = dt.date.fromisoformat(d)
            net[day] = net.get(day, 0.0) + x
        self.days = sorted(net)
        self.cum, s = [], 0.0
        for d in self.days:
            s += net[d]
            self.cum.append(s)

    def to(self, d: dt.date) -> float:
        """Net flow dated on or before d."""
        i = bisect.bisect_right(self.days, d)
        return self.cum[i - 1] if i else 0.0


def ara_metric(ara: dict) -> float:
    w = ARA_WEIGHTS[ara.get("regime", "floating")]
    return (w[0] * ara["exports_usd_bn"] + w[1] * ara["broad_money_usd_bn"]
            + w[2] * ara["short_term_debt_usd_bn"] + w[3] * ara["other_liabilities_usd_bn"])


class Gaps:
    """Worst gap per named check, and the failures."""

    def __init__(self):
        self.worst: dict[str, tuple[float, str]] = {}
        self.count: dict[str, int] = {}
        self.cover: dict[str, int] = {}      # how often each situation came up

    def saw(self, what: str, n: int = 1) -> None:
        self.cover[what] = self.cover.get(what, 0) + n

    def add(self, check: str, gap: float, where: str) -> None:
        self.count[check] = self.count.get(check, 0) + 1
        if check not in self.worst or gap > self.worst[check][0]:
            self.worst[check] = (gap, where)


def rel_gap(a: float, b: float) -> float:
    """Gap in units of the tolerance REL*max(|a|,|b|) + ABS (<= 1 passes)."""
    return abs(a - b) / (REL * max(abs(a), abs(b)) + ABS)


# --------------------------------------------------------------------------- deal generation

def fx_block(rng: random.Random, channel: str, swap: float, model: str | None = None) -> tuple[str, dict]:
    pair = rng.choice(["KRW/USD", "JPY/USD"])
    model = model or rng.choice(["gbm", "gbm", "garch", "bootstrap"])
    frm = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 22 * 365))
    to = min(frm + dt.timedelta(days=rng.randint(3 * 365, 25 * 365)), dt.date(2025, 12, 31))
    impact = rng.choice([0.018, rng.uniform(0.0, 0.05)])
    lines = ["[fx]", f'pair = "{pair}"', f'model = "{model}"',
             f"calibrate = {{ from = {frm.isoformat()}, to = {to.isoformat()} }}",
             f'funding_channel = "{channel}"', f"outflow_impact = {_num(impact, 5)}"]
    if swap > 0:
        lines.append(f"swap_line_usd_bn = {_num(swap, 3)}")
    return "\n".join(lines) + "\n", dict(pair=pair, model=model, frm=frm, to=to, impact=round(impact, 5))


def ara_inputs(rng: random.Random, scale: float = 1.0) -> dict:
    ara = dict(exports_usd_bn=round(rng.uniform(50, 900) * scale, 3),
               broad_money_usd_bn=round(rng.uniform(100, 4000) * scale, 3),
               short_term_debt_usd_bn=round(rng.uniform(10, 300) * scale, 3),
               other_liabilities_usd_bn=round(rng.uniform(20, 900) * scale, 3))
    r = rng.random()
    if r < 0.4:
        ara["regime"] = "fixed"
    elif r < 0.7:
        ara["regime"] = "floating"
    return ara


def reserves_block(start: float, gdp: float, baseline: float | None, ara: dict) -> str:
    items = ", ".join(f'{k} = "{v}"' if k == "regime" else f"{k} = {_num(v, 3)}" for k, v in ara.items())
    lines = ["[reserves]", f"start_usd_bn = {_num(start, 3)}", f"gdp_usd_bn = {_num(gdp, 3)}"]
    if baseline is not None:
        lines.append(f"baseline_change_usd_bn_per_year = {_num(baseline, 3)}")
    lines.append(f"ara = {{ {items} }}")
    return "\n".join(lines) + "\n"


def stability_block(trigger: float, window: int, floor: float | None, p: float, months: int) -> str:
    lines = ["[stability]", f"depreciation_trigger = {_num(trigger, 12)}", f"window_months = {window}"]
    if floor is not None:
        lines.append(f"ara_floor = {_num(floor)}")
    lines += [f"host_accepts_probability = {_num(p)}", f"deferral_months = {months}"]
    return "\n".join(lines) + "\n"


def strip_run(text: str) -> str:
    """gen_deal's [run] table is last; paths and seed come from the command line instead."""
    i = text.find("\n[run]")
    return text if i < 0 else text[:i + 1]


def gen_exact(rng: random.Random, idx: int, kind: str) -> dict:
    """kinds reserves / swap / floor: a gen_deals deal plus [fx], [reserves] (and [stability])."""
    base = strip_run(gen_deal(rng, idx))
    ara = ara_inputs(rng)
    metric = ara_metric(ara)
    floor = 1.0
    stab = ""
    if kind == "floor":
        floor = rng.choice([0.8, 1.0, 1.5, round(rng.uniform(0.5, 2.0), 4)])
        stab = stability_block(UNREACHABLE_TRIGGER, rng.randint(1, 6), floor, 0.0, rng.randint(1, 24))
    swap = 0.0
    if kind == "swap" or (kind == "floor" and rng.random() < 0.5):
        swap = round(metric * floor * rng.uniform(0.02, 0.5), 3)
    # floor kind with a line: start below the floor, so the line's drawing decides the ARA test
    spread = (0.85, 1.0) if kind == "floor" and swap > 0 else (0.85, 1.15) if swap > 0 or kind == "floor" else (0.6, 1.6)
    start = round(metric * floor * rng.uniform(*spread), 3)
    baseline = None if rng.random() < 0.2 else round(rng.uniform(-40, 40), 3)
    gdp = round(rng.uniform(300, 5000), 3)
    fx, fxm = fx_block(rng, "reserves", swap)
    # An own "market" channel moves the reserves run's rate too, whose law check 4 tests under gbm and
    # garch: only bootstrap deals get one.
    base, channels = facility_channels(rng, base, fxm["model"] == "bootstrap")
    text = base + "\n" + fx + "\n" + reserves_block(start, gdp, baseline, ara) + ("\n" + stab if stab else "")
    return dict(kind=kind, text=text, fx=fxm, start=start, gdp=gdp, baseline=baseline or 0.0,
                ara=ara, metric=metric, floor=floor, swap=swap, channels=channels)


def facility_channels(rng: random.Random, text: str, market: bool) -> tuple[str, dict]:
    """Gives some facilities a funding channel of their own ([[facility]] funding_channel): "none"
    (their flows move neither reserves nor the rate, and the clause does not test their calls),
    "market" or "reserves" whatever [fx] says. Returns the text and {facility id: channel or None}."""
    channels: dict[str, str | None] = {}
    out = []
    for line in text.split("\n"):
        out.append(line)
        if line.startswith('id = "f') and out[-2:-1] == ["[[facility]]"]:
            fid = line.split('"')[1]
            r = rng.random()
            channel = "none" if r < 0.25 else "market" if r < 0.35 and market else "reserves" if r < 0.45 else None
            channels[fid] = channel
            if channel is not None:
                out.append(f'funding_channel = "{channel}"')
    return "\n".join(out), channels


def gen_defer(rng: random.Random, idx: int, kind: str) -> dict:
    """kinds defer-p / defer-all: 1-3 calls in one uncapped facility, reserves far below the floor."""
    start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 4 * 365))
    # clamp: calls due on the 31st, deferred monthly, a horizon ending on a 29th or 30th: whether each
    # deferral counts from the last due date or from the original one changes the number of tests
    clamp = kind == "defer-all" and rng.random() < 0.4
    if clamp:
        start = start.replace(day=1) + dt.timedelta(days=rng.choice([28, 29]))
    elif rng.random() < 0.3:
        start = start.replace(day=min(rng.choice([28, 29, 30, 31]), calendar.monthrange(start.year, start.month)[1]))
    horizon = rng.randint(1, 12)
    end = anniversary(start, horizon)
    ins = rng.choice([{"equity": 1.0}, {"equity": 0.5, "loan": 0.5}, {"equity": 0.4, "loan": 0.3, "guarantee": 0.3}])
    # defer-p with one call deferred yearly: each test falls in its own calendar year, so the year a
    # path paid the call (--keep-paths) tells how many requests it made and how many were granted
    single = kind == "defer-p" and rng.random() < 0.5
    nproj = 1 if single else rng.randint(1, 3)
    lines = ["schema = 1", "", "[deal]", f'id = "currency-{idx}"', f'title = "currency oracle {idx}"',
             'investor = "KR"', 'host = "US"', f"start = {start.isoformat()}", f"horizon_years = {horizon}", "",
             "[[facility]]", 'id = "f1"', f"commitment_usd_bn = {_num(1000.0)}",
             "instruments = { " + ", ".join(f"{k} = {_num(v)}" for k, v in ins.items()) + " }"]
    if clamp:
        lines.append("funding_lag = { days = 0 }")
    elif rng.random() < 0.5:
        lines.append(f"funding_lag = {{ business_days = {rng.choice([0, 5, 45])} }}")
    else:
        lines.append(f"funding_lag = {{ days = {rng.choice([0, 1, 30, 45])} }}")
    if "loan" in ins or "guarantee" in ins:
        lines.append("loan = { rate = 0.05, years = 5 }")
    total_cash = 0.0
    for i in range(nproj):
        sel = start + dt.timedelta(days=rng.randint(1, max(1, (end - start).days * 2 // 3)))
        if clamp or rng.random() < 0.3:            # month-end due dates: clamping in deferrals
            while clamp and calendar.monthrange(sel.year, sel.month)[1] < 31:
                sel = sel.replace(day=1) - dt.timedelta(days=1)
            sel = sel.replace(day=calendar.monthrange(sel.year, sel.month)[1])
            sel = min(max(sel, start + dt.timedelta(days=1)), end)
        size = round(rng.uniform(1, 30), 3)
        cfs = [round(size * rng.uniform(0.05, 0.3), 4) for _ in range(rng.randint(1, 10))]
        total_cash += sum(cfs)
        lines += ["", "[[project]]", f'id = "p{i + 1}"', 'facility = "f1"', f"selected = {sel.isoformat()}",
                  f"size_usd_bn = {_num(size, 3)}", "cash_flows_usd_bn = [" + ", ".join(_num(c) for c in cfs) + "]"]
    # reserves at most start + all cash ever received: keep that far below floor * ARA
    floor = rng.choice([1.0, 1.5, round(rng.uniform(0.8, 3.0), 3)])
    res_start = round(rng.uniform(20, 300), 3)
    baseline = round(rng.uniform(-20, 0), 3)
    need = (res_start + total_cash) * 2.0 / floor
    ara = ara_inputs(rng)
    scale = max(1.0, need / ara_metric(ara))
    ara = {k: (round(v * scale, 3) if k != "regime" else v) for k, v in ara.items()}
    p = 1.0 if kind == "defer-all" else round(rng.uniform(0.2, 0.9), 3)
    months = 1 if clamp else rng.choice([1, 3, 6, 12, 12, 24]) if kind == "defer-all" else 12 if single else rng.choice([3, 6, 12])
    fx, fxm = fx_block(rng, "reserves", 0.0)
    text = ("\n".join(lines) + "\n\n" + fx + "\n"
            + reserves_block(res_start, round(rng.uniform(300, 5000), 3), baseline, ara) + "\n"
            + stability_block(0.0, rng.randint(1, 12), floor, p, months))
    return dict(kind=kind, text=text, fx=fxm, start=res_start, baseline=baseline, ara=ara,
                metric=ara_metric(ara), floor=floor, swap=0.0, p=p, months=months)


# --------------------------------------------------------------------------- the checks

class Case:
    def __init__(self, idx: int, meta: dict, gaps: Gaps):
        self.idx, self.meta, self.gaps = idx, meta, gaps
        self.doc = tomllib.loads(meta["text"])
        self.start: dt.date = self.doc["deal"]["start"]
        self.end = anniversary(self.start, int(self.doc["deal"]["horizon_years"]))
        self.problems: list[str] = []
        self.oracle = run_deal(meta["text"])
        self.flows = Flows(self.oracle["investor_flows"])
        self.no_flows = Flows([])

    def channel(self, fid: str, default: str) -> str:
        """A facility's funding channel: its own, else [fx]'s (`default`)."""
        return self.meta.get("channels", {}).get(fid) or default

    def channel_flows(self, channel: str, default: str) -> Flows:
        """The net flows of the facilities whose channel is `channel` when [fx] says `default`."""
        by = self.oracle["facility_flows"]
        return Flows([x for fid, flows in by.items() if self.channel(fid, default) == channel for x in flows])

    def fail(self, msg: str) -> None:
        self.problems.append(msg)

    def exact(self, check: str, where: str, got, want: float) -> None:
        if got is None:
            self.fail(f"{where}: missing, expected {want!r}")
            return
        g = rel_gap(float(got), want)
        self.gaps.add(check, g * REL, f"case {self.idx} {where}")   # reported as a relative-ish gap
        if g > 1.0:
            self.fail(f"{where}: binary {got!r}, oracle {want!r}")

    def stat_exact(self, check: str, where: str, stat: dict | None, want: float) -> None:
        if not isinstance(stat, dict):
            self.fail(f"{where}: not a Stat: {stat!r}")
            return
        for k in ("mean", "p5", "p50", "p95"):
            self.exact(check, f"{where}.{k}", stat.get(k), want)

    # ---- the calls of the deal (contract_engine's dates and sizes)
    def calls(self) -> list[tuple[dt.date, float]]:
        facs = {f["id"]: f for f in self.doc.get("facility", [])}
        out = []
        for p in self.oracle["projects"]:
            if self.channel(p["facility"], "reserves") == "none":
                continue                       # company money raised abroad: not the clause's
            ins = facs[p["facility"]].get("instruments", {"equity": 1.0})
            call = (ins.get("equity", 0.0) + ins.get("loan", 0.0)) * p["size_usd_bn"]
            if p["size_usd_bn"] > 0.0 and call > 0.0:
                out.append((dt.date.fromisoformat(p["due"]), call))
        return out

    # ---- reserves, ratio, breach, swap line (checks 1, 2, floor; market reserves)
    def own(self, d: dt.date, flows: Flows) -> float:
        m = self.meta
        return m["start"] + m["baseline"] * (d - self.start).days / 365.0 + flows.to(d)

    def draw(self, own: float) -> float:
        m = self.meta
        return min(max(m["floor"] * m["metric"] - own, 0.0), m["swap"])

    def check_reserves(self, out: dict, flows: Flows, tag: str) -> None:
        m = self.meta
        r = out.get("reserves")
        if r is None:
            self.fail(f"{tag}: no reserves section")
            return
        self.exact("ara_usd_bn", f"{tag} reserves.ara_usd_bn", r.get("ara_usd_bn"), m["metric"])
        self.exact("ara_usd_bn", f"{tag} reserves.ara_floor", r.get("ara_floor"), m["floor"])
        months = month_ends(self.start, self.end)
        got = [x.get("month") for x in r.get("months", [])]
        if got != [lab for lab, _ in months]:
            self.fail(f"{tag}: reserves.months {got[:3]}…{got[-3:]} ≠ {[lab for lab, _ in months][:3]}…")
            return
        breach, near = False, False
        for (lab, me), row in zip(months, r["months"]):
            own = self.own(me, flows)
            res = own + self.draw(own)
            self.stat_exact("reserves", f"{tag} reserves.{lab}.reserves_usd_bn", row.get("reserves_usd_bn"), res)
            self.stat_exact("ara_ratio", f"{tag} reserves.{lab}.ara_ratio", row.get("ara_ratio"), res / m["metric"])
            short = (m["floor"] * m["metric"] - own - m["swap"]) / m["metric"]
            breach |= short > ON_FLOOR
            near |= abs(short) < NEAR
        self.gaps.saw(f"{tag} runs: " + ("near the floor, breach not checked" if near else
                                          "breach" if breach else "no breach"))
        if not near:
            self.exact("breach", f"{tag} reserves.breach_probability", r.get("breach_probability"), float(breach))
        # the largest drawing outstanding on any day
        ndays = (self.end - self.start).days
        t = np.arange(ndays + 1)
        days = np.array([(d - self.start).days for d in flows.days], dtype=np.int64)
        cum = np.concatenate([[0.0], np.array(flows.cum, dtype=float)])
        own_d = m["start"] + m["baseline"] * t / 365.0 + cum[np.searchsorted(days, t, side="right")]
        drawn = float(np.max(np.clip(m["floor"] * m["metric"] - own_d, 0.0, m["swap"])))
        if m["swap"] > 0:
            self.gaps.saw(f"{tag} runs with a swap line: " + ("never drawn" if drawn == 0 else
                          "drawn to its size" if drawn == m["swap"] else "drawn within its size"))
        self.stat_exact("swap", f"{tag} reserves.swap_drawn_usd_bn", r.get("swap_drawn_usd_bn"), drawn)
        if not 0.0 < drawn < NEAR:
            self.exact("swap", f"{tag} reserves.swap_draw_probability", r.get("swap_draw_probability"),
                       float(drawn > 0.0))

    def check_requests(self, out: dict, flows: Flows, tag: str) -> None:
        """floor kind: the ARA test alone decides; nothing is granted (p = 0). The test reads the
        ratio at the end of the day before the due date, swap-line drawing included (the reported
        ratio). For a call due on deal.start that day is before the clock starts and the docs do
        not say what the reserves were: both start_usd_bn and the baseline's extrapolation, with
        and without the line, are accepted (the binary takes start_usd_bn without the line)."""
        m = self.meta
        lo = hi = 0
        for due, _ in self.calls():
            if due > self.end:
                continue
            prev = due - dt.timedelta(days=1)
            owns = [self.own(prev, flows)] + ([m["start"]] if due == self.start else [])
            readings = set()
            for own in owns:
                if abs(own / m["metric"] - m["floor"]) < NEAR or \
                        abs((own + m["swap"]) / m["metric"] - m["floor"]) < NEAR:
                    return                              # too close to call (a drawn line sits *on* the floor)
                with_line = (own + self.draw(own)) / m["metric"] < m["floor"] - ON_FLOOR
                readings.add(with_line)
                if due == self.start:
                    readings.add(own / m["metric"] < m["floor"] - ON_FLOOR)
                self.gaps.saw(f"{tag} floor-test calls: " + ("request" if with_line else "none")
                              + (", the line's drawing decides" if with_line != (own < m["floor"] * m["metric"])
                                 else "") + (", due on deal.start (either reading)" if due == self.start else ""))
            lo += min(readings)
            hi += max(readings)
        r = out["reserves"]
        got = r.get("deferral_requests", {})
        if lo == hi:
            self.stat_exact("requests", f"{tag} reserves.deferral_requests", got, float(lo))
        else:
            for k in ("mean", "p5", "p50", "p95"):
                if not lo <= got.get(k, -1) <= hi:
                    self.fail(f"{tag} reserves.deferral_requests.{k}: binary {got.get(k)!r}, oracle {lo}..{hi}")
        self.stat_exact("requests", f"{tag} reserves.deferrals_granted", r.get("deferrals_granted"), 0.0)

    # ---- market channel (check 3)
    def check_market(self, res_out: dict, mkt_out: dict) -> None:
        """The market run's rate is the reserves run's times the impact of what the market run buys
        and the reserves run does not: the facilities that follow [fx] (explicit channels stay)."""
        m = self.meta
        bought_market_run = self.channel_flows("market", "market")
        bought_reserves_run = self.channel_flows("market", "reserves")
        months = month_ends(self.start, self.end)
        a, b = res_out["fx"]["months"], mkt_out["fx"]["months"]
        if [x["month"] for x in a] != [lab for lab, _ in months] or [x["month"] for x in b] != [x["month"] for x in a]:
            self.fail("fx.months labels differ from the month ends")
            return
        for (lab, me), ra, rb in zip(months, a, b):
            bought = -(bought_market_run.to(me) - bought_reserves_run.to(me))
            factor = math.exp(m["fx"]["impact"] * bought / m["gdp"] * 100.0)
            for k in ("mean", "p5", "p50", "p95"):
                want = ra["rate"][k] * factor
                g = abs(rb["rate"][k] - want) / abs(want)
                self.gaps.add("market", g, f"case {self.idx} fx.{lab}.rate.{k}")
                if g > 1e-9:
                    self.fail(f"market fx.{lab}.rate.{k}: binary {rb['rate'][k]!r}, reserves run × "
                              f"exp(impact·bought/gdp·100) = {want!r} (bought {bought:.6g})")

    # ---- rates (check 4)
    def check_rates(self, out: dict, bin_: str, paths: int) -> None:
        fxm = self.meta["fx"]
        dates, vals = history(bin_, fxm["pair"])
        i = bisect.bisect_left(dates, self.start) - 1
        last, s0 = dates[i], vals[i]
        fx = out.get("fx", {})
        st = fx.get("start", {})
        if st.get("date") != last.isoformat():
            self.fail(f"fx.start.date {st.get('date')} ≠ last observation before deal.start {last}")
        self.exact("rates", "fx.start.rate", st.get("rate"), s0)
        lo = bisect.bisect_left(dates, fxm["frm"])
        hi = bisect.bisect_right(dates, fxm["to"])
        r = np.diff(np.log(np.array(vals[lo:hi])))
        mu, sigma = float(np.mean(r)), float(np.std(r, ddof=0))
        cal = fx.get("calibration", {})
        if cal.get("returns") != len(r):
            self.fail(f"fx.calibration.returns {cal.get('returns')} ≠ {len(r)}")
        if fxm["model"] == "garch":
            self.check_garch_rates(fx, r, s0, last, paths)
            return
        if fxm["model"] != "gbm":
            return
        g_mu = abs(cal.get("mu", math.nan) - mu) / (1e-12 * float(np.mean(np.abs(r))))
        self.gaps.add("calibration", g_mu * 1e-12, f"case {self.idx} fx.calibration.mu")
        if not g_mu <= 1.0:
            self.fail(f"fx.calibration.mu {cal.get('mu')!r} ≠ mean log return {mu!r}")
        self.exact("calibration", "fx.calibration.sigma", cal.get("sigma"), sigma)
        for (lab, me), row in zip(month_ends(self.start, self.end), fx.get("months", [])):
            n = weekdays_between(last, me)
            stat = row["rate"]
            if n == 0:
                self.stat_exact("rates", f"fx.{lab}.rate (no step)", stat, s0)
                continue
            loc, s = math.log(s0) + mu * n, sigma * math.sqrt(n)
            for k, q in QS.items():
                z = norm.ppf(q)
                se = s * math.sqrt(q * (1 - q) / paths) / norm.pdf(z)
                g = abs(math.log(stat[k]) - (loc + z * s)) / se
                self.gaps.add("gbm quantiles (s.e.)", g, f"case {self.idx} fx.{lab}.rate.{k} (n={n})")
                if g > 4.0:
                    self.fail(f"fx.{lab}.rate.{k} = {stat[k]!r}: ln off the lognormal quantile "
                              f"{math.exp(loc + z * s)!r} by {g:.2f} s.e. (n = {n}, N = {paths})")
            mean = math.exp(loc + s * s / 2)
            se = mean * math.sqrt(math.expm1(s * s)) / math.sqrt(paths)
            g = abs(stat["mean"] - mean) / se
            self.gaps.add("gbm mean (s.e.)", g, f"case {self.idx} fx.{lab}.rate.mean (n={n})")
            if g > 4.0:
                self.fail(f"fx.{lab}.rate.mean = {stat['mean']!r}, lognormal mean {mean!r}: {g:.2f} s.e.")

    def check_garch_rates(self, fx: dict, r: np.ndarray, s0: float, last: dt.date, paths: int) -> None:
        """The first three months of a GARCH-t run against an independent simulation (numpy, scipy's
        t) from the reported fit, as docs/fx.md defines the paths: per-cent returns m + e_t with m
        the window's mean return, e_t = sqrt(h_t) sqrt((nu-2)/nu) z_t, z_t ~ t(nu),
        h_1 = next_day_variance, h_(t+1) = omega + alpha e_t^2 + beta h_t. For each binary quantile
        p_q, the share of the simulation's log rates below ln p_q must be q within 4 s.e.
        (sqrt(q (1-q) (1/N_binary + 1/N_sim))): a test of the t innovations, the variance
        recursion, the drift and the step count together."""
        cal = fx.get("calibration", {})
        om, al, be, nu, h1 = (cal[k] for k in ("omega", "alpha", "beta", "nu", "next_day_variance"))
        m = float(np.mean(r)) * 100.0
        unit = math.sqrt((nu - 2.0) / nu)
        months = list(zip(month_ends(self.start, self.end), fx.get("months", [])))[:3]
        steps = [weekdays_between(last, me) for (_, me), _ in months]
        rng = np.random.default_rng(20251129 + self.idx)
        h = np.full(GARCH_SAMPLE, h1)
        log_rate = np.full(GARCH_SAMPLE, math.log(s0))
        after: dict[int, np.ndarray] = {0: log_rate.copy()}
        for day in range(1, max(steps, default=0) + 1):
            e = np.sqrt(h) * unit * student_t.rvs(nu, size=GARCH_SAMPLE, random_state=rng)
            log_rate += (m + e) / 100.0
            h = om + al * e * e + be * h
            after[day] = np.sort(log_rate)
        for ((lab, _), row), n in zip(months, steps):
            stat = row["rate"]
            if n == 0:
                self.stat_exact("rates", f"fx.{lab}.rate (no step)", stat, s0)
                continue
            for k, q in QS.items():
                share = np.searchsorted(after[n], math.log(stat[k])) / GARCH_SAMPLE
                g = abs(share - q) / math.sqrt(q * (1 - q) * (1 / paths + 1 / GARCH_SAMPLE))
                self.gaps.add("garch quantiles (s.e.)", g, f"case {self.idx} fx.{lab}.rate.{k} (n={n})")
                if g > 4.0:
                    self.fail(f"fx.{lab}.rate.{k} = {stat[k]!r}: {share:.4f} of an independent GARCH-t "
                              f"simulation lies below it, not {q} ({g:.2f} s.e.; n = {n}, N = {paths})")
        self.gaps.saw("garch rate months", len(months))

    # ---- stability clause (check 5)
    def test_dates(self, due: dt.date, chained: bool) -> int:
        """Number of tests of a call granted every time: its due date, then every
        deferral_months (month-end clamped) while within the horizon."""
        k, t = 0, due
        while t <= self.end:
            k += 1
            t = add_months(t, self.meta["months"]) if chained else add_months(due, k * self.meta["months"])
        return k

    def check_defer(self, out: dict, paths: int) -> None:
        m = self.meta
        calls = [(d, c) for d, c in self.calls() if d <= self.end]
        Ms = [self.test_dates(d, True) for d, _ in calls]
        Ms_alt = [self.test_dates(d, False) for d, _ in calls]
        self.gaps.saw(f"{m['kind']} calls tested more than once", sum(M > 1 for M in Ms))
        self.gaps.saw(f"{m['kind']} calls whose clamped deferral dates depend on the reading",
                      sum(a != b for a, b in zip(Ms, Ms_alt)))
        r = out["reserves"]
        req, gr = r["deferral_requests"], r["deferrals_granted"]
        note = "" if Ms == Ms_alt else f" (from the original due date instead: {sum(Ms_alt)})"
        self.exact("breach", "reserves.breach_probability", r.get("breach_probability"), 1.0)
        if m["p"] == 1.0:
            self.stat_exact("defer-all", "reserves.deferral_requests", req, float(sum(Ms)))
            self.stat_exact("defer-all", "reserves.deferrals_granted", gr, float(sum(Ms)))
            if req.get("mean") != sum(Ms) and note:
                self.fail("deferral steps counted" + note)
            for y in out["years"]:
                want = sum(c for d, c in calls if d.year <= y["year"])
                self.stat_exact("defer-all", f"years.{y['year']}.deferred", y["deferred"], want)
            self.stat_exact("defer-all", "totals.investor_paid", out["totals"]["investor_paid"], 0.0)
            self.stat_exact("defer-all", "facilities.f1.pending_usd_bn", out["facilities"][0]["pending_usd_bn"],
                            sum(c for _, c in self.calls()))
            self.check_reserves(out, self.no_flows, "defer-all")
            return
        p = m["p"]
        if not calls:
            self.stat_exact("requests", "reserves.deferral_requests (no call due)", req, 0.0)
            return
        EK = VK = EG = VD = 0.0
        for M in Ms:
            law = [(k, k - 1, p ** (k - 1) * (1 - p)) for k in range(1, M + 1)] + [(M, M, p ** M)]
            ek = sum(w * k for k, _, w in law)
            eg = sum(w * g for _, g, w in law)
            EK += ek
            EG += eg
            VK += sum(w * (k - ek) ** 2 for k, _, w in law)
            VD += sum(w * (g - p * k) ** 2 for k, g, w in law)       # E[G - pK] = 0
        if VK == 0.0:                                   # every call is tested once: M = 1
            self.stat_exact("requests", "reserves.deferral_requests", req, EK)
        g = abs(req["mean"] - EK) / math.sqrt(VK / paths) if VK > 0.0 else 0.0
        self.gaps.add("requests mean (s.e.)", g, f"case {self.idx}")
        if g > 4.0:
            self.fail(f"deferral_requests.mean {req['mean']!r}, exact {EK!r}: {g:.2f} s.e.{note}")
        ratio = gr["mean"] / req["mean"]
        g = abs(ratio - p) / (math.sqrt(VD / paths) / EK)
        self.gaps.add("granted share (s.e.)", g, f"case {self.idx}")
        if g > 4.0:
            self.fail(f"granted / requested = {ratio!r}, host_accepts_probability {p}: {g:.2f} s.e.")
        self.gaps.add("granted share (abs)", abs(ratio - p), f"case {self.idx}")
        for k in ("p5", "p50", "p95"):
            if not gr[k] - 1e-9 <= req[k] <= gr[k] + len(calls) + 1e-9:
                self.fail(f"deferral_requests.{k} {req[k]} not within [granted.{k}, granted.{k} + "
                          f"{len(calls)} calls] = [{gr[k]}, {gr[k] + len(calls)}]")


    def check_defer_paths(self, out: dict, keep_csv: str) -> None:
        """One call deferred yearly (defer-p): from each path's investor_paid_<year> (--keep-paths),
        the first test year with a payment is the refused request k (K = k, G = k - 1); no payment
        means every request was granted (K = G = M). The binary's requests and granted Stats must
        be the mean and type-7 quantiles of these per-path counts, so that requests - granted is 0
        or 1 on every path."""
        calls = [(d, c) for d, c in self.calls() if d <= self.end]
        if self.meta["p"] == 1.0 or len(calls) != 1 or self.meta["months"] != 12:
            return
        (due, call), M = calls[0], self.test_dates(calls[0][0], True)
        years, t = [], due
        for _ in range(M):
            years.append(t.year)
            t = add_months(t, 12)
        with open(keep_csv) as fh:
            rows = list(csv.DictReader(fh))
        K, G = [], []
        for row in rows:
            paid = [float(row[f"investor_paid_{y}"]) for y in years]
            k = next((i for i, x in enumerate(paid) if x > 1e-12), None)
            if k is None:
                K.append(M)
                G.append(M)
            else:
                if abs(paid[k] - call) > 1e-9 * call:
                    self.fail(f"path {row['path']}: paid {paid[k]!r} in {years[k]}, the call is {call!r}")
                K.append(k + 1)
                G.append(k)
        self.gaps.saw("defer-p single yearly calls checked path by path", len(rows))
        r = out["reserves"]
        for name, xs in (("deferral_requests", K), ("deferrals_granted", G)):
            arr = np.array(xs, dtype=float)
            want = {"mean": float(arr.mean()), **{k: float(np.quantile(arr, q)) for k, q in QS.items()}}
            for k, w in want.items():
                self.exact("per path", f"reserves.{name}.{k} (from the paths' payments)", r[name][k], w)


# --------------------------------------------------------------------------- driver

def run_case(idx: int, kind: str, seed: int, bin_: str, tmp: str, gaps: Gaps, outs: dict) -> Case:
    """Generate case idx, run it (and its market twin), check; outs collects the deal and outputs."""
    rng = random.Random(seed * 100003 + idx)
    meta = gen_defer(rng, idx, kind) if kind.startswith("defer") else gen_exact(rng, idx, kind)
    outs["deal"] = meta["text"]
    case = Case(idx, meta, gaps)
    path = os.path.join(tmp, f"currency-{idx:03d}-{kind}.toml")
    with open(path, "w") as fh:
        fh.write(meta["text"])
    run_seed = rng.randint(1, 10**9)
    if kind.startswith("defer"):
        keep = path.replace(".toml", "-paths.csv")
        outs["reserves"] = out = run_bin(bin_, path, DEFER_PATHS, run_seed, keep)
        case.check_defer(out, DEFER_PATHS)
        case.check_defer_paths(out, keep)
        case.check_rates(out, bin_, DEFER_PATHS)
        return case
    paths = QUANTILE_PATHS if meta["fx"]["model"] in ("gbm", "garch") else PATHS
    outs["reserves"] = res = run_bin(bin_, path, paths, run_seed)
    case.exact("engine", "totals.investor_paid (deal engine)", res["totals"]["investor_paid"]["mean"],
               case.oracle["totals"]["investor_paid"])
    from_reserves = case.channel_flows("reserves", "reserves")
    case.check_reserves(res, from_reserves, "reserves")
    if kind == "floor":
        case.check_requests(res, from_reserves, "reserves")
    case.check_rates(res, bin_, paths)
    mpath = path.replace(".toml", "-market.toml")
    with open(mpath, "w") as fh:
        # [fx]'s channel alone (the last one in the text): a facility's own channel stays
        head, _, tail = meta["text"].rpartition('funding_channel = "reserves"')
        fh.write(head + 'funding_channel = "market"' + tail)
    outs["market"] = mkt = run_bin(bin_, mpath, paths, run_seed)
    from_reserves = case.channel_flows("reserves", "market")
    case.check_reserves(mkt, from_reserves, "market")
    if kind == "floor":
        case.check_requests(mkt, from_reserves, "market")
    case.check_market(res, mkt)
    return case


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20251114)
    ap.add_argument("--only", choices=sorted(set(KINDS)))
    a = ap.parse_args()
    bin_ = binary()
    shutil.rmtree(FAIL_DIR, ignore_errors=True)
    gaps = Gaps()
    t0 = time.time()
    failed = 0
    kinds_run: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="pactsim-currency-") as tmp:
        for i in range(a.cases):
            kind = a.only or KINDS[i % len(KINDS)]
            kinds_run[kind] = kinds_run.get(kind, 0) + 1
            outs: dict = {}
            try:
                problems = run_case(i, kind, a.seed, bin_, tmp, gaps, outs).problems
            except Exception as e:                      # noqa: BLE001 - report and keep the deal
                problems = [f"{type(e).__name__}: {e}"]
            if problems:
                failed += 1
                os.makedirs(FAIL_DIR, exist_ok=True)
                stem = os.path.join(FAIL_DIR, f"currency-{i:03d}-{kind}")
                if outs.get("deal"):
                    with open(stem + ".toml", "w") as fh:
                        fh.write(outs["deal"])
                for tag in ("reserves", "market"):
                    if tag in outs:
                        with open(f"{stem}.{tag}.json", "w") as fh:
                            json.dump(outs[tag], fh, indent=1)
                print(f"FAIL case {i} ({kind}): {len(problems)} problem(s), kept in {stem}.*")
                for msg in problems[:8]:
                    print(f"    {msg}")
    print(f"check_currency: {a.cases} cases ({', '.join(f'{k} {v}' for k, v in sorted(kinds_run.items()))}), "
          f"seed {a.seed}, {time.time() - t0:.1f} s")
    for check, (g, where) in sorted(gaps.worst.items()):
        print(f"  worst {check:<24} {g:10.3g}  over {gaps.count[check]:6d} comparisons  ({where})")
    for what, n in sorted(gaps.cover.items()):
        print(f"  seen {n:5d} x {what}")
    if failed:
        print(f"check_currency: {failed} of {a.cases} cases FAILED (deals in {FAIL_DIR})")
        return 1
    print("check_currency: all agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
