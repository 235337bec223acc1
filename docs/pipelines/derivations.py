"""Arithmetic behind the pipeline fragments. Pure standard library: python3 derivations.py"""
import math
from datetime import date
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.95)
ND = NormalDist()

def lognormal_from_median_p95(median, p95):
    sd = math.log(p95 / median) / Z95
    return sd, median * math.exp(sd * sd / 2)

print("== Size distribution: moment fit in logs and levels (pooled sample B from fit_sizes.py)")
geo_mean, arith_mean = 10.18, 24.58          # exp(mean ln x), mean x of sample B
sd = math.sqrt(2 * math.log(arith_mean / geo_mean))
print(f"  sd(ln) matching the arithmetic mean = sqrt(2 ln({arith_mean}/{geo_mean})) = {sd:.4f}")
print(f"  p95 = {geo_mean} * exp({Z95:.4f} * {sd:.4f}) = {geo_mean*math.exp(Z95*sd):.1f}")
for med, p95 in ((10.0, 90.0), (10.18, 167.9), (3.0, 15.0)):
    s, m = lognormal_from_median_p95(med, p95)
    print(f"  lognormal(median {med}, p95 {p95}): sd(ln)={s:.4f} mean={m:.2f} "
          f"P(>100)={1-NormalDist(math.log(med), s).cdf(math.log(100)):.3f} "
          f"P(>20)={1-NormalDist(math.log(med), s).cdf(math.log(20)):.3f}")

print("\n== Selection windows and Poisson means")
def years(a, b):
    return (b - a).days / 365.25
T_jp = years(date(2025, 9, 4), date(2029, 1, 19))
T_kr = years(date(2025, 11, 14), date(2029, 1, 19))
print(f"  Japan window 2025-09-04 -> 2029-01-19: {(date(2029,1,19)-date(2025,9,4)).days} days = {T_jp:.3f} y")
print(f"  Korea window 2025-11-14 -> 2029-01-19: {(date(2029,1,19)-date(2025,11,14)).days} days = {T_kr:.3f} y")
_, mean_strat = lognormal_from_median_p95(10.0, 90.0)
_, mean_ship = lognormal_from_median_p95(3.0, 15.0)
for label, commit, T, m in (("JP strategic, 550 full", 550, T_jp, mean_strat),
                            ("JP strategic, 550-36 after the listed tranche", 514, T_jp, mean_strat),
                            ("KR strategic 200", 200, T_kr, mean_strat),
                            ("KR us-ask directed / kr-offer strategic 350", 350, T_kr, mean_strat),
                            ("KR MASGA 150 (paced to 2029-01-19)", 150, T_kr, mean_ship),
                            ("KR MASGA 150 (paced over 10 y, alternative)", 150, 10.0, mean_ship)):
    print(f"  {label}: lambda = {commit}/({m:.2f}*{T:.3f}) = {commit/(m*T):.2f} per year")
t_obs_jp = years(date(2025, 9, 4), date(2026, 2, 17))
t_cut_jp = years(date(2025, 9, 4), date(2026, 3, 3))
print(f"  Japan observed: 3 projects by 2026-02-17 ({t_obs_jp:.3f} y) = {3/t_obs_jp:.2f}/y; "
      f"to the 2026-03-03 cut-off ({t_cut_jp:.3f} y) = {3/t_cut_jp:.2f}/y; $36.0bn -> {36/t_cut_jp:.0f} bn/y")
# exact 95% Poisson interval for 3 events (chi-square quantiles, tabulated values)
lo, hi = 0.6186, 8.7673
print(f"  exact 95% Poisson CI for 3 events: [{lo}, {hi}] -> rate [{lo/t_cut_jp:.1f}, {hi/t_cut_jp:.1f}] per year")
t_cut_kr = years(date(2025, 11, 14), date(2026, 2, 28))
for lam in (2.5, 2.6, 4.5):
    print(f"  Korea: P(no selection in {t_cut_kr:.3f} y | lambda={lam}) = {math.exp(-lam*t_cut_kr):.2f}")

print("\n== Annual default probability from Moody's 10-year cumulative 6.7%")
cdr10 = 0.067
pd = 1 - (1 - cdr10) ** 0.1
print(f"  PD = 1 - (1 - {cdr10})^(1/10) = 1 - {1-cdr10}^0.1 = {pd:.6f}")
for n in (10, 20, 25, 30, 35):
    print(f"  cumulative over {n} y at flat PD: {1-(1-pd)**n:.4f}")
print(f"  10-y expected loss at 80% recovery: {cdr10*0.2:.4f}")

print("\n== Basel corporate asset correlation at that PD")
w = (1 - math.exp(-50 * pd)) / (1 - math.exp(-50))
rho = 0.12 * w + 0.24 * (1 - w)
print(f"  w = (1 - e^(-50*{pd:.5f}))/(1 - e^-50) = {w:.4f}; rho = 0.12*w + 0.24*(1-w) = {rho:.4f}")
# check against the research file: rho(1%) = 0.19278
w1 = (1 - math.exp(-0.5)) / (1 - math.exp(-50)); print(f"  check rho(PD=1%) = {0.12*w1+0.24*(1-w1):.5f} (research file: 0.19278)")
# 99.9% large-portfolio default fraction at this PD and rho
L999 = ND.cdf((ND.inv_cdf(pd) + math.sqrt(rho) * ND.inv_cdf(0.999)) / math.sqrt(1 - rho))
print(f"  Vasicek 99.9% one-year default fraction at PD {pd:.4f}, rho {rho:.3f}: {L999:.4f}")

print("\n== IRR distributions")
base = NormalDist(0.075, 0.020)
a = (0.055 - base.mean) / base.stdev
lam = ND.pdf(a) / (1 - ND.cdf(a))
tmean = base.mean + base.stdev * lam
tsd = base.stdev * math.sqrt(1 + a * lam - lam * lam)
print(f"  unfiltered universe N(0.075, 0.020): P(IRR < 5.5%) = {base.cdf(0.055):.3f}")
print(f"  truncated below 5.5% (Korea's filter): mean = {tmean:.4f}, sd = {tsd:.4f}")
for mu, s in ((0.081, 0.016), (0.075, 0.020), (0.060, 0.030)):
    d = NormalDist(mu, s)
    print(f"  N({mu}, {s}): P(<0)={d.cdf(0):.3f} P(<5.5%)={d.cdf(0.055):.3f} 5%-95% = [{d.inv_cdf(0.05):.3f}, {d.inv_cdf(0.95):.3f}]")

def irr(flows):
    lo, hi = -0.99, 1.0
    f = lambda r: sum(c / (1 + r) ** t for t, c in enumerate(flows))
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(lo) * f(mid) <= 0: hi = mid
        else: lo = mid
    return (lo + hi) / 2

def level_flows(size, rate, build, life):
    annuity = (1 - (1 + rate) ** -life) / rate
    c = size * (1 + rate) ** build / annuity   # PV at funding of the level flows = size
    return [-size] + [0.0] * (build) + [c] * life, c

# engine convention: cash_flows[i] paid on the (i+1)-th anniversary; no cash during construction.
flows, c = level_flows(1.0, 0.07, 5, 40)
print("\n== Cost-overrun illustration (Vogtle 3&4: planned ~5 y and $14bn, took ~15 y and $35bn)")
print(f"  planned: size 1.0, 5 y build, 40 y life, IRR 7% -> level flow {c:.4f}; check IRR {irr(flows):.4f}")
over = [-2.5] + [0.0] * 15 + [c] * 40
print(f"  same revenue, cost x2.5 and 15 y instead of 5: IRR {irr(over):.4f}")
over2 = [-2.5] + [0.0] * 5 + [c] * 40
print(f"  cost x2.5, build on time: IRR {irr(over2):.4f}")

# US ask: return-blind selection; projects that clear a commercial hurdle can raise private money
# and need not come to the fund, so the fund sees the universe truncated ABOVE the hurdle.
for hurdle in (0.09, 0.10):
    b = (hurdle - base.mean) / base.stdev
    m_above = base.mean - base.stdev * ND.pdf(b) / ND.cdf(b)
    print(f"  universe truncated above {hurdle:.2f}: mean = {m_above:.4f}")
