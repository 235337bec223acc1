"""Random but valid deterministic deal files, for cross-checking pactsim against the oracle.

Why: hand cases cover the rules one at a time; random deals combine them (caps with FIFO
carry-overs, weekend starts, year-end selections, commitment cuts, loans the project cannot
carry, guarantee calls, all recoup rules and scopes, short horizons) in ways nobody writes by
hand.  Seeded: gen_deal(random.Random(seed)) always gives the same text.

CLI: python3 oracles/gen_deals.py OUTDIR [--cases N] [--seed S]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random

INSTRUMENTS = [
    {"equity": 1.0},
    {"equity": 0.5, "loan": 0.5},
    {"equity": 0.5, "guarantee": 0.5},
    {"equity": 0.4, "loan": 0.3, "guarantee": 0.3},
    {"equity": 0.6, "loan": 0.2, "guarantee": 0.2},
    {"equity": 0.25, "loan": 0.25, "guarantee": 0.5},
    {"equity": 0.2, "loan": 0.8},
    {"equity": 0.75, "guarantee": 0.25},
    {"equity": 0.5, "loan": 0.25, "guarantee": 0.25},
]
RARE_INSTRUMENTS = [{"loan": 1.0}, {"loan": 0.5, "guarantee": 0.5}, {"guarantee": 1.0}]
FIRST_TIERS = [(0.5, 0.5), (0.25, 0.75), (0.6, 0.4), (0.8, 0.2), (1.0, 0.0), (0.3, 0.7)]
LAST_TIERS = [(0.1, 0.9), (0.0, 1.0), (0.5, 0.5), (0.2, 0.8), (1.0, 0.0), (0.75, 0.25)]


def _num(x: float, nd: int = 4) -> str:
    s = f"{round(x, nd):.{nd}f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def _date(d: dt.date) -> str:
    return d.isoformat()


def _anniv(d: dt.date, k: int) -> dt.date:
    try:
        return d.replace(year=d.year + k)
    except ValueError:
        return dt.date(d.year + k, 2, 28)


def _rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max((hi - lo).days, 0)))


def _waterfall(rng: random.Random, name: str) -> list[str]:
    out = [f"[waterfall.{name}]"]
    if rng.random() < 0.6:
        out.append(f"host_tax_rate = {_num(rng.choice([0.0, 0.1, 0.21, rng.uniform(0, 0.4)]))}")
    kind = rng.random()
    if kind < 0.2:                      # ordinary one-tier waterfall
        a, h = rng.choice(LAST_TIERS)
        out.append(f"tiers = [ {{ investor = {_num(a)}, host = {_num(h)} }} ]")
        return out
    if kind < 0.25:                     # no tiers: investor-owned default
        return out
    recoup = rng.choice(["capital", "hurdle", "deemed-allocation", None])
    if recoup is not None:
        out.append(f'recoup = "{recoup}"')
    if recoup in ("hurdle", "deemed-allocation"):
        out.append(f"deemed_rate = {_num(rng.choice([0.055, 0.0, rng.uniform(0.01, 0.12)]))}")
    if recoup == "deemed-allocation":
        out.append(f"deemed_life_years = {rng.choice([1, 2, 3, 5, 10, 20])}")
    if rng.random() < 0.6:
        out.append(f'scope = "{rng.choice(["project", "portfolio"])}"')
    a1, h1 = rng.choice(FIRST_TIERS)
    a2, h2 = rng.choice(LAST_TIERS)
    out.append("tiers = [")
    out.append(f'  {{ until = "recouped", investor = {_num(a1)}, host = {_num(h1)} }},')
    out.append(f"  {{ investor = {_num(a2)}, host = {_num(h2)} }},")
    out.append("]")
    return out


def gen_deal(rng: random.Random, idx: int = 0) -> str:
    """One valid deal file (TOML text)."""
    start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 3 * 365))
    if rng.random() < 0.3:              # force a weekend start
        while start.weekday() < 5:
            start += dt.timedelta(days=1)
    elif rng.random() < 0.05:           # leap-day start: anniversaries fall on 28 February
        start = dt.date(2028, 2, 29)
    horizon = rng.choice([1, 2, 3, 4, 5, 8, 12, 20, 30]) if rng.random() < 0.5 else rng.randint(3, 30)
    end = _anniv(start, horizon)
    lines = ["schema = 1", "", "[deal]", f'id = "oracle-{idx}"', f'title = "oracle case {idx}"',
             'investor = "KR"', 'host = "US"', f"start = {_date(start)}", f"horizon_years = {horizon}", ""]

    nfac = rng.randint(1, 3)
    wf_names = [f"w{i}" for i in range(1, rng.randint(1, 3) + 1)]
    used_wfs: list[str] = []
    projects: list[list[str]] = []
    pcount = 0
    for fi in range(1, nfac + 1):
        fid = f"f{fi}"
        nproj = rng.randint(0, 6) if rng.random() < 0.1 else rng.randint(1, 6)
        sizes = [round(rng.choice([rng.uniform(0.5, 5), rng.uniform(5, 30)]), 3) for _ in range(nproj)]
        total = sum(sizes) or 10.0
        # commitment: sometimes too small, so later projects are cut (or cut to nothing)
        commitment = round(total * rng.choice([1.2, 2.0, rng.uniform(0.4, 0.95)]), 3)
        r = rng.random()
        ins = rng.choice(RARE_INSTRUMENTS) if r < 0.05 else (INSTRUMENTS[0] if r < 0.35 else rng.choice(INSTRUMENTS))
        call_share = ins.get("equity", 0.0) + ins.get("loan", 0.0)
        f = ["[[facility]]", f'id = "{fid}"', f"commitment_usd_bn = {_num(commitment, 3)}"]
        if rng.random() < 0.5 and call_share > 0:
            mean_call = call_share * total / max(nproj, 1)
            f.append(f"annual_cap_usd_bn = {_num(max(0.05, mean_call * rng.uniform(0.3, 1.8)), 3)}")
        sel_end = end
        if rng.random() < 0.25:
            sel_end = _rand_date(rng, start + dt.timedelta(days=(end - start).days // 3), end)
            f.append(f"selection_ends = {_date(sel_end)}")
        lag = rng.random()
        if lag < 0.4:
            f.append(f"funding_lag = {{ business_days = {rng.choice([0, 1, 5, 45, rng.randint(0, 90)])} }}")
        elif lag < 0.8:
            f.append(f"funding_lag = {{ days = {rng.choice([0, 1, 30, 45, rng.randint(0, 120)])} }}")
        if ins != {"equity": 1.0} or rng.random() < 0.3:
            f.append("instruments = { " + ", ".join(f"{k} = {_num(v)}" for k, v in ins.items()) + " }")
        if "loan" in ins or "guarantee" in ins:
            rate = rng.choice([0.0, 0.05, round(rng.uniform(0.01, 0.1), 4)])
            f.append(f"loan = {{ rate = {_num(rate)}, years = {rng.choice([1, 3, 5, 12, rng.randint(1, 20)])} }}")
            if rng.random() < 0.6:
                f.append(f"guarantee_fee_rate = {_num(rng.choice([0.01, rng.uniform(0.001, 0.05)]))}")
        wr = rng.random()
        if wr < 0.8:
            w = rng.choice(wf_names)
            f.append(f'waterfall = "{w}"')
            if w not in used_wfs:
                used_wfs.append(w)
        lines += f + [""]

        # projects; some selected in the last days of a year
        for s in sizes:
            pcount += 1
            if rng.random() < 0.25:
                y = rng.randint(start.year, sel_end.year)
                sel = dt.date(y, 12, rng.randint(15, 31))
                if not (start <= sel <= sel_end):
                    sel = _rand_date(rng, start, sel_end)
            elif rng.random() < 0.05:
                sel = rng.choice([start, sel_end])
            elif rng.random() < 0.05 and start <= dt.date(2028, 2, 29) <= sel_end:
                sel = dt.date(2028, 2, 29)
            else:
                sel = _rand_date(rng, start, min(sel_end, start + dt.timedelta(days=rng.choice([400, 1500, 10000]))))
            p = ["[[project]]", f'id = "p{pcount}"', f'facility = "{fid}"', f"selected = {_date(sel)}",
                 f"size_usd_bn = {_num(s, 3)}"]
            if rng.random() < 0.5:
                n = rng.randint(1, 14)
                level = s * rng.choice([0.02, 0.08, 0.15, 0.3, 0.6])   # small levels starve loans
                cfs = [0.0 if rng.random() < 0.15 else level * rng.uniform(0.3, 1.7) for _ in range(n)]
                p.append("cash_flows_usd_bn = [" + ", ".join(_num(c) for c in cfs) + "]")
            else:
                p.append(f"irr = {_num(rng.choice([0.0, 0.07, rng.uniform(-0.05, 0.15)]))}")
                p.append(f"life_years = {rng.randint(1, 25)}")
                if rng.random() < 0.7:
                    p.append(f"construction_years = {rng.randint(0, 4)}")
            projects.append(p)

    lines.append("")
    for w in used_wfs:
        lines += _waterfall(rng, w) + [""]
    # file order is not selection order: shuffle the projects a little
    if rng.random() < 0.5:
        rng.shuffle(projects)
    for p in projects:
        lines += p + [""]
    # Labour friction, certain or absent (one path, no draws: docs/semantics.md), from a stream of
    # its own, so that the deals' other draws (and every checker's cases built on them) stay
    # those of the generator before [labor] existed.
    lab = random.Random(f"labor-{idx}-{start.isoformat()}-{horizon}")
    if lab.random() < 0.15:
        lines += ["[labor]", f"incident_probability = {lab.choice([0, 1, 1])}",
                  f"delay_months = {lab.choice([0, 1, 6, 12, 18, lab.randint(0, 30)])}"]
        if lab.random() < 0.5:
            lines.append(f"cost_overrun = {_num(lab.choice([0.0, 0.05, lab.uniform(0, 0.3)]))}")
        lines.append("")
    if rng.random() < 0.6:
        lines.append("[run]")
        if rng.random() < 0.5:
            lines.append("paths = 1")
        if rng.random() < 0.5:
            lines.append(f"seed = {rng.randint(1, 10**6)}")
        if rng.random() < 0.8:
            lines.append(f"discount_rate = {{ investor = {_num(rng.uniform(0, 0.1))}, host = {_num(rng.uniform(0, 0.1))} }}")
        if rng.random() < 0.3:
            lines.append(f'terminal_value = "{rng.choice(["none", "remaining-flows"])}"')
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for i in range(a.cases):
        path = os.path.join(a.outdir, f"case-{a.seed}-{i:04d}.toml")
        with open(path, "w") as fh:
            fh.write(gen_deal(random.Random(a.seed * 100003 + i), i))
    print(f"wrote {a.cases} deal files to {a.outdir}")


if __name__ == "__main__":
    main()
