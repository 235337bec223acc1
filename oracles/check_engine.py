"""Cross-check the pactsim binary against the independent oracle on random deal files.

Why: two implementations written apart from the same contract disagree exactly where one of
them (or the contract) is wrong.  For each generated deal this runs `pactsim run FILE --json`,
compares every deterministic figure with contract_engine.run_deal to 1e-9 relative + 1e-9
absolute, and checks invariants on the binary's own output (money conserved per flow row,
annual caps respected, commitments never exceeded).

Usage: python3 oracles/check_engine.py [--cases N] [--seed S] [--bin PATH] [--keep-going]
Binary: --bin, else $PACTSIM_BIN, else /work/main/target/release/pactsim.
Failing deals (with both outputs) are kept in /tmp/pactsim-oracle-failures/.
Exit 0 when everything agrees, 1 otherwise.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract_engine import run_deal  # noqa: E402
from gen_deals import gen_deal  # noqa: E402

FAIL_DIR = "/tmp/pactsim-oracle-failures"
REL = ABS = 1e-9

TOTALS = ["investor_paid", "investor_received", "investor_npv", "investor_moic", "host_received",
          "host_tax", "host_npv", "guarantee_calls", "losses", "equity_lost", "recoup_year", "recouped_share",
          "investor_terminal_value", "host_terminal_value",
          "recoup_accounts"]
YEAR_FIELDS = ["investor_paid", "investor_received", "host_received", "host_tax", "deferred"]
FAC_FIELDS = ["paid", "received", "committed_unfunded", "funded_usd_bn", "pending_usd_bn",
              "guarantee_calls", "losses", "equity_lost", "npv", "moic", "recouped_share", "terminal_value"]
PROJ_FIELDS = ["funded_on", "size_usd_bn", "size_cut_usd_bn", "due"]
FLOW_FIELDS = ["date", "cash", "debt_service", "debt_service_investor", "debt_service_lenders",
               "guarantee_fee", "guarantee_call", "host_tax", "investor", "host", "loss"]


def val(x):
    """A Stat's mean, or the plain value."""
    if isinstance(x, dict) and "mean" in x:
        return x["mean"]
    return x


def same(a, b) -> bool:
    a, b = val(a), val(b)
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return abs(a - b) <= REL * max(abs(a), abs(b)) + ABS


class Diff:
    def __init__(self):
        self.items: list[tuple[str, object, object]] = []

    def cmp(self, where: str, binv, orav) -> None:
        if not same(binv, orav):
            self.items.append((where, val(binv), orav))

    def note(self, where: str, msg: str) -> None:
        self.items.append((where, msg, None))


def compare(b: dict, o: dict, d: Diff) -> None:
    bt = b.get("totals", {})
    if o["totals"]["investor_irr"] is not None and "investor_irr" in bt:
        bi = val(bt["investor_irr"])
        if bi is None or abs(bi - o["totals"]["investor_irr"]) > 1e-7:
            d.cmp("totals.investor_irr", bi, o["totals"]["investor_irr"])
    for k in TOTALS:
        if k not in bt:
            d.note(f"totals.{k}", "missing in binary output")
            continue
        d.cmp(f"totals.{k}", bt[k], o["totals"][k])

    by = {y["year"]: y for y in b.get("years", [])}
    oy = {y["year"]: y for y in o["years"]}
    if sorted(by) != sorted(oy):
        d.note("years", f"binary years {sorted(by)} vs oracle {sorted(oy)}")
    for y in sorted(set(by) & set(oy)):
        for k in YEAR_FIELDS:
            d.cmp(f"years[{y}].{k}", by[y].get(k), oy[y][k])

    bf = {f["id"]: f for f in b.get("facilities", [])}
    for of in o["facilities"]:
        f = bf.get(of["id"])
        if f is None:
            d.note(f"facilities[{of['id']}]", "missing in binary output")
            continue
        for k in FAC_FIELDS:
            d.cmp(f"facilities[{of['id']}].{k}", f.get(k), of[k])
        if of["irr"] is not None:
            bi = val(f.get("irr"))
            if bi is None or abs(bi - of["irr"]) > 1e-7:
                d.cmp(f"facilities[{of['id']}].irr", bi, of["irr"])

    bp = {p["id"]: p for p in b.get("projects", [])}
    for op in o["projects"]:
        p = bp.get(op["id"])
        pid = op["id"]
        if p is None:
            d.note(f"projects[{pid}]", "missing in binary output")
            continue
        for k in PROJ_FIELDS:
            d.cmp(f"projects[{pid}].{k}", p.get(k), op[k])
        bfund = [(x["date"], x["usd_bn"]) for x in p.get("funding", [])]
        ofund = [(x["date"], x["usd_bn"]) for x in op["funding"]]
        if len(bfund) != len(ofund) or any(x[0] != y[0] or not same(x[1], y[1]) for x, y in zip(bfund, ofund)):
            d.note(f"projects[{pid}].funding", f"binary {bfund} vs oracle {ofund}")
        bfl, ofl = p.get("flows", []), op["flows"]
        if len(bfl) != len(ofl):
            d.note(f"projects[{pid}].flows", f"binary has {len(bfl)} rows, oracle {len(ofl)}"
                   f" (binary dates {[r['date'] for r in bfl][:4]}…, oracle {[r['date'] for r in ofl][:4]}…)")
        for i, (x, y) in enumerate(zip(bfl, ofl)):
            for k in FLOW_FIELDS:
                d.cmp(f"projects[{pid}].flows[{i}].{k}", x.get(k), y[k])
        if "recouped_on" in p:
            d.cmp(f"projects[{pid}].recouped_on", p["recouped_on"], op["recouped_on"])

    ba = {a["account"]: a for a in b.get("recoup_accounts", [])}
    oa = {a["account"]: a for a in o["recoup_accounts"]}
    if sorted(ba) != sorted(oa):
        d.note("recoup_accounts", f"binary {sorted(ba)} vs oracle {sorted(oa)}")
    for k in sorted(set(ba) & set(oa)):
        d.cmp(f"recoup_accounts[{k}].recouped_on", ba[k].get("recouped_on"), oa[k]["recouped_on"])


def invariants(b: dict, deal: dict, d: Diff) -> None:
    """Rules the binary's output must satisfy whatever the oracle says."""
    tol = lambda x: 1e-9 * (1 + abs(x))  # noqa: E731
    facs = {f["id"]: f for f in deal.get("facility", [])}
    funded_by_fac = collections.defaultdict(float)
    paid_by_fac_year = collections.defaultdict(float)
    for p in b.get("projects", []):
        funded_by_fac[p.get("facility")] += val(p.get("size_usd_bn")) or 0.0
        for x in p.get("funding", []):
            paid_by_fac_year[(p.get("facility"), x["date"][:4])] += x["usd_bn"]
        for i, r in enumerate(p.get("flows", [])):
            parts = r["debt_service"] + r["guarantee_fee"] + r["host_tax"] + r["investor"] + r["host"]
            if abs(r["cash"] - parts) > tol(r["cash"]):
                d.note(f"invariant projects[{p['id']}].flows[{i}]",
                       f"cash {r['cash']} != ds+fee+tax+investor+host {parts}")
            if "debt_service_investor" in r and abs(
                    r["debt_service"] - r["debt_service_investor"] - r["debt_service_lenders"]) > tol(r["debt_service"]):
                d.note(f"invariant projects[{p['id']}].flows[{i}]", "debt_service != investor + lenders parts")
            for k in FLOW_FIELDS[1:]:
                if r.get(k, 0.0) < -1e-12:
                    d.note(f"invariant projects[{p['id']}].flows[{i}].{k}", f"negative {r[k]}")
    for (fid, year), paid in paid_by_fac_year.items():
        cap = facs.get(fid, {}).get("annual_cap_usd_bn")
        if cap is not None and paid > cap + tol(cap):
            d.note(f"invariant facilities[{fid}] {year}", f"funded {paid} > cap {cap}")
    for fid, f in facs.items():
        c = f["commitment_usd_bn"]
        if funded_by_fac[fid] > c + tol(c):
            d.note(f"invariant facilities[{fid}]", f"project sizes {funded_by_fac[fid]} > commitment {c}")
    for f in b.get("facilities", []):
        c = facs.get(f["id"], {}).get("commitment_usd_bn")
        if c is not None and val(f.get("funded_usd_bn", 0.0)) > c + tol(c):
            d.note(f"invariant facilities[{f['id']}]", f"funded_usd_bn {val(f['funded_usd_bn'])} > commitment {c}")


def check_text(text: str, name: str, binary: str, tmp: str) -> tuple[Diff, dict | None, dict | None, str]:
    path = os.path.join(tmp, name)
    with open(path, "w") as fh:
        fh.write(text)
    d = Diff()
    proc = subprocess.run([binary, "run", path, "--json"], capture_output=True, text=True, timeout=120)
    o = run_deal(text)
    if proc.returncode != 0:
        d.note("exit status", f"{proc.returncode}: {proc.stderr.strip()[:600]}")
        return d, None, o, path
    try:
        b = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        d.note("stdout", f"not JSON: {e}")
        return d, None, o, path
    compare(b, o, d)
    invariants(b, tomllib.loads(text), d)
    return d, b, o, path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20251114)
    ap.add_argument("--bin", default=os.environ.get("PACTSIM_BIN", "/work/main/target/release/pactsim"))
    ap.add_argument("--show", type=int, default=3, help="mismatches printed per failing deal")
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        print(f"pactsim binary not found at {a.bin} (build it with cargo build --release)", file=sys.stderr)
        return 1
    shutil.rmtree(FAIL_DIR, ignore_errors=True)      # this script's own scratch folder
    os.makedirs(FAIL_DIR, exist_ok=True)
    failing = 0
    fields = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="pactsim-oracle-") as tmp:
        for i in range(a.cases):
            text = gen_deal(random.Random(a.seed * 100003 + i), i)
            name = f"case-{a.seed}-{i:04d}.toml"
            d, b, o, path = check_text(text, name, a.bin, tmp)
            if not d.items:
                continue
            failing += 1
            kept = os.path.join(FAIL_DIR, name)
            shutil.copy(path, kept)
            with open(kept[:-5] + ".binary.json", "w") as fh:
                json.dump(b, fh, indent=1)
            with open(kept[:-5] + ".oracle.json", "w") as fh:
                json.dump(o, fh, indent=1, default=str)
            print(f"MISMATCH {kept}: {len(d.items)} difference(s)")
            for where, bv, ov in d.items[: a.show]:
                print(f"  {where}: binary={bv!r} oracle={ov!r}")
            for where, _, _ in d.items:
                fields[where.split("[")[0].split(".")[0] + "." + where.rsplit(".", 1)[-1]] += 1
    if failing:
        print(f"{failing}/{a.cases} deals disagree; kinds: {dict(fields.most_common(12))}")
        return 1
    print(f"ok: {a.cases} deals (seed {a.seed}) agree with the oracle to 1e-9; invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
