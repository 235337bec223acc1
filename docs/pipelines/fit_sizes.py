"""Lognormal fit of project sizes (USD bn) for the pactsim pipeline fragments.
Pure standard library; run: python3 fit_sizes.py"""
import math
from statistics import NormalDist, mean, stdev, median
Z95 = NormalDist().inv_cdf(0.95)

# Japan-US joint fact sheet, 2025-10-28 ("up to" sizes): White House fact-sheet copy
# (miragenews / tengele) for the non-energy lines, the energy sub-items from ANS and
# Bloomberg/The Edge (theexchangeasia). ENTRA1 and Kinder Morgan are unsized: left out.
CANDIDATES = {
    "westinghouse_ap1000_smr": 100.0,
    "ge_vernova_hitachi_smr": 100.0,
    "bechtel_kiewit_epc": 25.0,      # Edge 25, ANS 50 (conflict; 50 tested below)
    "softbank_power_infra": 25.0,
    "ge_vernova_power_equipment": 25.0,
    "toshiba_power_modules": 25.0,
    "carrier_thermal_cooling": 20.0,
    "mitsubishi_electric_dc_power": 30.0,
    "tdk_components": 25.0,
    "fujikura_optical_fibre": 20.0,
    "murata_components": 15.0,
    "panasonic_storage": 15.0,
    "fertilizer_ammonia_urea": 3.0,
    "copper_smelter": 2.0,
    "port_upgrades": 0.6,
    "diamond_grit": 0.5,
    "lfp_plant": 0.35,
}
# First tranche selected 2026-02-17.
TRANCHE = {"ohio_gas_power": 33.3, "texas_gulflink": 2.1, "georgia_diamonds": 0.6}

def fit(name, xs):
    logs = [math.log(x) for x in xs]
    mu, sd = mean(logs), stdev(logs)
    med, p95 = math.exp(mu), math.exp(mu + Z95 * sd)
    m = math.exp(mu + sd * sd / 2)
    print(f"{name}\n  n={len(xs)} mean(ln)={mu:.4f} sd(ln)={sd:.4f} -> median={med:.2f} p95={p95:.1f} "
          f"lognormal mean={m:.2f}\n  sample: median={median(xs):.2f} mean={mean(xs):.2f} sum={sum(xs):.2f} "
          f"min={min(xs)} max={max(xs)}")
    return mu, sd

def share_above(mu, sd, x):
    return 1 - NormalDist(mu, sd).cdf(math.log(x))

if __name__ == "__main__":
    a = fit("A: candidate list (17 sized items)", list(CANDIDATES.values()))
    c2 = dict(CANDIDATES, bechtel_kiewit_epc=50.0)
    fit("A2: candidate list with Bechtel/Kiewit at 50", list(c2.values()))
    pool = {k: v for k, v in CANDIDATES.items() if k != "diamond_grit"}  # same plant as the selected one
    pool.update(TRANCHE)
    b = fit("B: candidate list + first tranche (diamond plant once, at its selected 0.6)", list(pool.values()))
    fit("C: first tranche only", list(TRANCHE.values()))
    for lab, (mu, sd) in (("A", a), ("B", b)):
        print(f"{lab}: P(size>100)={share_above(mu, sd, 100):.3f} P(size>20)={share_above(mu, sd, 20):.3f} "
              f"P(size<1)={1-share_above(mu, sd, 1):.3f}")
