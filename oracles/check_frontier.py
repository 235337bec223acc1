#!/usr/bin/env python3
"""Check `pactsim frontier` against pymoo's non-dominated sorting.

For each case, `$PACTSIM_BIN frontier DEAL --vary ... --json` gives the design points with the
objectives' means and an `efficient` flag, and the marked deals with theirs. pymoo minimises, so
the objectives to maximise are negated; then

* the points flagged efficient must be exactly pymoo's first front:
  `NonDominatedSorting().do(F, only_non_dominated_front=True)`;
* a marked deal is efficient exactly when it is in the first front of the points with it added;
  `dominated_by` is the number of points pymoo's `Dominator.get_relation` says dominate it, and
  `improvement` (when dominated) is the largest, over those points, of the smallest gain over the
  objectives, at that point (computed here with numpy).

Cases: the default objectives over the MOU's cap and pre-recoup split with the three Korea
deals marked; three objectives, one to minimise (losses), over the cap and the host's discount
rate; a design with many equal points (a term that moves nothing), where equal points must not
dominate each other.

Usage: PACTSIM_BIN=target/release/pactsim python oracles/check_frontier.py
Exit status: 0 all agree, 1 a mismatch, 2 could not run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from pymoo.util.dominator import Dominator
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

REPO = Path(__file__).resolve().parent.parent
MARKS = ["--mark", "deals/kr-us-2025-us-ask.toml", "--mark", "deals/kr-us-2025-kr-offer.toml", "--mark", "deals/kr-us-2025-mou.toml"]

CASES = [
    [
        "deals/kr-us-2025-mou.toml", "--points", "32", "--paths", "48", "--seed", "5",
        "--vary", "facility.strategic.annual_cap_usd_bn=10..40",
        "--vary", "waterfall.mou.tiers.0.host=0.3..0.7", *MARKS,
    ],
    [
        "deals/kr-us-2025-mou.toml", "--points", "24", "--paths", "32", "--seed", "9",
        "--vary", "facility.strategic.annual_cap_usd_bn=10..40",
        "--vary", "run.discount_rate.host=0.03..0.06",
        "--objective", "investor=deal_npv", "--objective", "host=host_npv:max", "--objective", "losses=losses:min",
        "--mark", "deals/kr-us-2025-us-ask.toml",
    ],
    [
        "deals/kr-us-2025-us-ask.toml", "--points", "16", "--paths", "16", "--seed", "2",
        "--vary", "trade.markets.cars.elasticities.demand=-1.5..-0.5",
        "--objective", "korea=investor_npv", "--objective", "us=host_npv",
    ],
]


def minimised(outputs: dict, objectives: list[dict]) -> list[float]:
    return [-outputs[o["name"]] if o["sense"] == "max" else outputs[o["name"]] for o in objectives]


def run_case(binary: str, args: list[str]) -> list[str]:
    command = [binary, "frontier", *args, "--json"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        return [f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}"]
    document = json.loads(done.stdout)
    objectives = document["objectives"]
    points = document["points"]
    F = np.array([minimised(p["outputs"], objectives) for p in points])
    problems: list[str] = []
    front = set(NonDominatedSorting().do(F, only_non_dominated_front=True).tolist())
    flagged = {i for i, p in enumerate(points) if p["efficient"]}
    if front != flagged:
        problems.append(f"efficient points {sorted(flagged)}, pymoo's first front {sorted(front)}")
    for mark in document["marked"]:
        m = np.array(minimised(mark["outputs"], objectives))
        combined = np.vstack([F, m])
        in_front = len(points) in set(NonDominatedSorting().do(combined, only_non_dominated_front=True).tolist())
        if mark["efficient"] != in_front:
            problems.append(f"{mark['deal']}: efficient {mark['efficient']}, pymoo {in_front}")
        dominating = [i for i in range(len(points)) if Dominator.get_relation(F[i], m) == 1]
        if mark["dominated_by"] != len(dominating):
            problems.append(f"{mark['deal']}: dominated_by {mark['dominated_by']}, pymoo {len(dominating)}")
        if dominating:
            gains = {i: float(np.min(m - F[i])) for i in dominating}
            best = max(gains.values())
            got = mark.get("improvement")
            if got is None or abs(got["by"] - best) > 1e-9 * max(1.0, abs(best)) or abs(gains[got["point"]] - best) > 1e-9 * max(1.0, abs(best)):
                problems.append(f"{mark['deal']}: improvement {got}, expected {best} from one of {dominating}")
        elif "improvement" in mark:
            problems.append(f"{mark['deal']}: an improvement without a dominating point")
    dominated = sum(1 for mark in document["marked"] if not mark["efficient"])
    print(
        f"  {' '.join(args[:1])}: {len(points)} points, {len(front)} on pymoo's first front, "
        f"{len(document['marked'])} marked ({dominated} dominated)"
    )
    return problems


def main() -> int:
    binary = os.environ.get("PACTSIM_BIN")
    if not binary or not Path(binary).exists():
        print("check_frontier: set PACTSIM_BIN to a built pactsim binary", file=sys.stderr)
        return 2
    failures: list[str] = []
    for args in CASES:
        failures += run_case(binary, args)
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"check_frontier: {len(CASES)} cases, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
