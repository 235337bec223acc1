#!/usr/bin/env python3
"""Check `pactsim sensitivity --method sobol` against SALib.

For each case, `$PACTSIM_BIN sensitivity DEAL --method sobol --n N ... --json --design-out FILE`
writes the design (one row per run, SALib's order for calc_second_order=False: for each base row
A, AB_1 .. AB_k, B; the inputs' values, then the output's mean). SALib's own estimator is then run
on the file's last column:

    SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False)

and its S1 and ST must equal the JSON's `first_order` and `total` to 1e-6 (absolute). The design
itself is checked too: N·(k+2) rows, every value within its input's range, and each AB_i equal to
A with column i from B. The intervals are pactsim's bootstrap percentiles, not SALib's normal
half-widths, so they are only checked to hold their estimate's neighbourhood (lo <= hi).

Cases: three inputs given by range and by distribution on the Korea MOU's deal_npv; every
distribution of the file (eight inputs) on investor_npv; one input on the US ask.

Usage: PACTSIM_BIN=target/release/pactsim python oracles/check_sensitivity.py
Exit status: 0 all agree, 1 a mismatch, 2 could not run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from SALib.analyze import sobol

TOLERANCE = 1e-6
REPO = Path(__file__).resolve().parent.parent

CASES = [
    (
        "deals/kr-us-2025-mou.toml",
        [
            "--n", "32", "--paths", "64", "--seed", "7",
            "--input", "run.discount_rate.investor=0.03..0.07",
            "--input", "pipeline.strategic.irr",
            "--input", "facility.strategic.annual_cap_usd_bn=10..40",
        ],
    ),
    ("deals/kr-us-2025-mou.toml", ["--n", "16", "--paths", "32", "--seed", "11", "--output", "investor_npv"]),
    ("deals/kr-us-2025-us-ask.toml", ["--n", "8", "--paths", "48", "--seed", "3", "--input", "run.discount_rate.host=0.03..0.06", "--output", "host_npv"]),
]


def run_case(binary: str, deal: str, extra: list[str], folder: Path) -> list[str]:
    design = folder / "design.csv"
    command = [binary, "sensitivity", deal, "--method", "sobol", "--json", "--design-out", str(design), *extra]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        return [f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}"]
    document = json.loads(done.stdout)
    inputs = document["inputs"]
    k, n = len(inputs), document["n"]
    header = design.read_text().splitlines()[0].split(",")
    table = np.loadtxt(design, delimiter=",", skiprows=1, ndmin=2)
    problems: list[str] = []
    if header != [i["key"] for i in inputs] + [document["output"]]:
        problems.append(f"design header {header}")
    if table.shape != (n * (k + 2), k + 1) or document["evaluations"] != n * (k + 2):
        return problems + [f"design of shape {table.shape}, expected {(n * (k + 2), k + 1)}"]
    X, Y = table[:, :k], table[:, k]
    for i, spec in enumerate(inputs):
        if not (X[:, i].min() >= spec["low"] and X[:, i].max() <= spec["high"]):
            problems.append(f"{spec['key']}: values outside {spec['low']}..{spec['high']}")
    for row in range(n):
        block = X[row * (k + 2):(row + 1) * (k + 2)]
        a, b = block[0], block[k + 1]
        for i in range(k):
            expected = a.copy()
            expected[i] = b[i]
            if not np.array_equal(block[1 + i], expected):
                problems.append(f"base row {row}: AB_{i + 1} is not A with column {i + 1} from B")
    problem = {"num_vars": k, "names": [i["key"] for i in inputs], "bounds": [[i["low"], i["high"]] for i in inputs]}
    salib = sobol.analyze(problem, Y, calc_second_order=False, seed=1)
    worst = 0.0
    for i, spec in enumerate(inputs):
        for ours, theirs, name in ((spec["first_order"], salib["S1"][i], "S1"), (spec["total"], salib["ST"][i], "ST")):
            gap = abs(ours - float(theirs))
            worst = max(worst, gap)
            if not gap <= TOLERANCE:
                problems.append(f"{spec['key']} {name}: pactsim {ours!r}, SALib {float(theirs)!r} (gap {gap:.3g})")
        for field in ("first_order_ci", "total_ci"):
            lo, hi = spec[field]
            if not lo <= hi:
                problems.append(f"{spec['key']} {field}: {lo} > {hi}")
    print(f"  {deal} {' '.join(extra)}: k={k}, N={n}, worst |S - SALib| = {worst:.2e}")
    return problems


def main() -> int:
    binary = os.environ.get("PACTSIM_BIN")
    if not binary or not Path(binary).exists():
        print("check_sensitivity: set PACTSIM_BIN to a built pactsim binary", file=sys.stderr)
        return 2
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for deal, extra in CASES:
            failures += run_case(binary, deal, extra, Path(folder))
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"check_sensitivity: {len(CASES)} cases, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
