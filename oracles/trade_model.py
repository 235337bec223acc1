"""Independent oracle of pactsim's trade model: one importing market, CES (Armington) demand
across sources, constant-elasticity supply per source, ad-valorem tariffs, solved exactly in
"hat" form from the base equilibrium.

Written from the specification (issue text; research report models-and-oracles.md §1.5), never
from crates/.  Notation (all relative to the base year, base = 1):

    tau_s = (1+t1_s)/(1+t0_s)            pi_s = v_s(1+t0_s) / sum v(1+t0)
    P     = [sum pi_s (tau_s p_s)^(1-sigma)]^(1/(1-sigma))      (sigma = 1: prod (tau_s p_s)^pi_s)
    Q     = P^eta
    q_s   = (tau_s p_s / P)^(-sigma) Q   (demand)   =   p_s^eps_s   (supply; eps = inf => p_s = 1)

How it is solved.  Equating supply and demand in logs, for a given L = ln P each source's
producer price is closed form:

    x_s = ln p_s = (-sigma ln tau_s + (sigma + eta) L) / (eps_s + sigma)      (x_s = 0 if eps = inf)

so the n market-clearing equations reduce to one equation in L:  g(L) = F(L) - L = 0, where F
is the CES aggregate of y_s = ln tau_s + x_s(L).  F is a generalised mean of the y_s, so
F'(L) is a weighted mean of b_s = (sigma+eta)/(eps_s+sigma) < 1 (eta <= 0 < eps), hence g is
strictly decreasing and the root is unique; it lies between min_s and max_s of
L*_s = c_s/(1-b_s) (the L where y_s(L) = L).  brentq on that bracket, then Newton polish.
A direct n-dimensional solve (scipy.optimize.root) is provided too, for the self-tests.

Figures (spec):  price_index_change = P-1;  tariff_revenue = sum t1_s value_s;
consumer_surplus_change = -E0 (P^(1+eta)-1)/(1+eta)  (-E0 ln P at eta = -1), E0 = sum v(1+t0);
per source value = v p q, producer_price_change = p-1, quantity_change = q-1, duties = t1 value,
producer_surplus_change = v (p^(1+eps)-1)/(1+eps) (0 for eps = inf).
"""
from __future__ import annotations

import math
import tomllib

import numpy as np
from scipy import optimize

DOMESTIC = "domestic"
SCENARIOS = ("no_deal", "deal", "snapback")
SOURCE_FIELDS = ("value_usd_bn", "producer_price_change", "quantity_change", "duties_usd_bn",
                 "producer_surplus_change_usd_bn")
SCENARIO_FIELDS = ("price_index_change", "tariff_revenue_usd_bn", "consumer_surplus_change_usd_bn")


# ---------------------------------------------------------------------------------------------
# distributions -> central values

def central(x) -> float:
    """Central value of a plain number or a distribution table (normal -> mean, lognormal ->
    median, triangular -> mode, uniform -> midpoint)."""
    if isinstance(x, bool):
        raise TypeError("boolean where a number was expected")
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, dict):
        kinds = [k for k in x if k not in ("sources", "note")]
        if len(kinds) != 1:
            raise ValueError(f"distribution table must have one kind, got {kinds}")
        k = kinds[0]
        d = x[k]
        if k == "normal":
            return float(d["mean"])
        if k == "lognormal":
            return float(d["median"])
        if k == "triangular":
            return float(d["mode"])
        if k == "uniform":
            return (float(d["min"]) + float(d["max"])) / 2.0
        raise ValueError(f"unknown distribution {k!r}")
    raise TypeError(f"not a number or distribution: {x!r}")


# ---------------------------------------------------------------------------------------------
# the model

def _ces_log_aggregate(w: np.ndarray, y: np.ndarray, sigma: float) -> float:
    """ln of [sum w exp((1-sigma) y)]^(1/(1-sigma)) with sum w = 1; Cobb-Douglas at sigma = 1.
    Written with expm1/log1p so that sigma near 1 keeps full accuracy."""
    d = 1.0 - sigma
    if d == 0.0:
        return float(np.dot(w, y))
    z = d * y
    if np.max(np.abs(z)) < 1.0:
        return math.log1p(float(np.dot(w, np.expm1(z)))) / d
    m = float(np.max(z))
    return (m + math.log(float(np.dot(w, np.exp(z - m))))) / d


def _coeffs(log_tau: np.ndarray, eps: np.ndarray, sigma: float, eta: float):
    """x_s(L) = a_s + b_s L and y_s(L) = ln tau_s + x_s(L) = c_s + b_s L."""
    a = np.zeros_like(log_tau)
    b = np.zeros_like(log_tau)
    fin = np.isfinite(eps)
    a[fin] = -sigma * log_tau[fin] / (eps[fin] + sigma)
    b[fin] = (sigma + eta) / (eps[fin] + sigma)
    return a, b, log_tau + a


def solve_log_price_index(pi, log_tau, eps, sigma, eta) -> float:
    """L = ln P at the equilibrium (1-D reduction; see the module docstring)."""
    a, b, c = _coeffs(log_tau, eps, sigma, eta)

    def g(L):
        return _ces_log_aggregate(pi, c + b * L, sigma) - L

    stars = c / (1.0 - b)
    lo, hi = float(np.min(stars)), float(np.max(stars))
    pad = 1e-9 * (1.0 + max(abs(lo), abs(hi)))
    lo, hi = lo - pad, hi + pad
    glo, ghi = g(lo), g(hi)
    if not (glo >= 0.0 >= ghi):
        raise RuntimeError(f"bracket failed: g({lo})={glo}, g({hi})={ghi}")
    L = optimize.brentq(g, lo, hi, xtol=1e-16, rtol=8.9e-16, maxiter=500)
    # Newton polish: g'(L) = (CES-share-weighted mean of b) - 1.
    for _ in range(3):
        y = c + b * L
        z = (1.0 - sigma) * y
        s = pi * np.exp(z - np.max(z))
        s = s / s.sum()
        dg = float(np.dot(s, b)) - 1.0
        step = g(L) / dg
        L -= step
        if abs(step) < 1e-17:
            break
    return L


def _expm1_over(k: float, x: float) -> float:
    """(exp(k x) - 1)/k, with the limit x at k = 0."""
    if k == 0.0:
        return x
    return math.expm1(k * x) / k


def solve(market: dict, tariffs: dict, elasticities: dict) -> dict:
    """Equilibrium of one scenario.

    market: {"base_value_usd_bn": {src: v}, "base_tariff": {src: t0}} (missing t0 = 0;
            domestic always 0).
    tariffs: {src: t1} - the scenario's full schedule (a missing source keeps its base tariff).
    elasticities: {"substitution", "demand", "foreign_supply", "domestic_supply"}: numbers or
            distribution tables (central values used); supply may be inf.
    Returns the scenario figures (plain floats) plus "P" and per-source "p", "q".
    """
    values = market["base_value_usd_bn"]
    base_t = market.get("base_tariff", {}) or {}
    names = list(values)
    sigma = central(elasticities["substitution"])
    eta = central(elasticities["demand"])
    eps_f = central(elasticities["foreign_supply"])
    eps_d = central(elasticities["domestic_supply"])

    v = np.array([float(values[s]) for s in names])
    t0 = np.array([0.0 if s == DOMESTIC else float(base_t.get(s, 0.0)) for s in names])
    t1 = np.array([0.0 if s == DOMESTIC else float(tariffs.get(s, t0[i])) for i, s in enumerate(names)])
    eps = np.array([eps_d if s == DOMESTIC else eps_f for s in names])

    e0 = v * (1.0 + t0)
    E0 = float(e0.sum())
    pi = e0 / E0
    log_tau = np.log1p(t1) - np.log1p(t0)

    L = solve_log_price_index(pi, log_tau, eps, sigma, eta)
    a, b, _ = _coeffs(log_tau, eps, sigma, eta)
    x = a + b * L                                          # ln p_s
    lq = -sigma * (log_tau + x - L) + eta * L              # ln q_s (demand side)

    out_sources = {}
    revenue = 0.0
    for i, s in enumerate(names):
        xi, lqi, vi, ei = float(x[i]), float(lq[i]), float(v[i]), float(eps[i])
        value = vi * math.exp(xi + lqi)
        duties = float(t1[i]) * value
        revenue += duties
        ps = 0.0 if math.isinf(ei) else vi * _expm1_over(1.0 + ei, xi)
        out_sources[s] = {
            "value_usd_bn": value,
            "producer_price_change": math.expm1(xi),
            "quantity_change": math.expm1(lqi),
            "duties_usd_bn": duties,
            "producer_surplus_change_usd_bn": ps,
            "p": math.exp(xi),
            "q": math.exp(lqi),
            "t0": float(t0[i]),
            "t1": float(t1[i]),
        }
    cs = -E0 * _expm1_over(1.0 + eta, L)
    return {
        "price_index_change": math.expm1(L),
        "tariff_revenue_usd_bn": revenue,
        "consumer_surplus_change_usd_bn": cs,
        "sources": out_sources,
        "P": math.exp(L),
    }


def residuals(market: dict, tariffs: dict, elasticities: dict, p: dict) -> dict:
    """Market-clearing residuals ln(demand) - ln(supply) per finite-supply source, and the
    price-index identity, evaluated in levels at given producer prices p (for the self-tests)."""
    r = _levels(market, tariffs, elasticities)
    names, pi, tau, eps, sigma, eta = r
    pv = np.array([p[s] for s in names])
    P = _price_index_levels(pi, tau * pv, sigma)
    Q = P ** eta
    qd = (tau * pv / P) ** (-sigma) * Q
    return {s: (math.log(qd[i]) - eps[i] * math.log(pv[i])) if np.isfinite(eps[i]) else 0.0
            for i, s in enumerate(names)}


def _levels(market, tariffs, elasticities):
    values = market["base_value_usd_bn"]
    base_t = market.get("base_tariff", {}) or {}
    names = list(values)
    v = np.array([float(values[s]) for s in names])
    t0 = np.array([0.0 if s == DOMESTIC else float(base_t.get(s, 0.0)) for s in names])
    t1 = np.array([0.0 if s == DOMESTIC else float(tariffs.get(s, t0[i])) for i, s in enumerate(names)])
    e_f = central(elasticities["foreign_supply"])
    e_d = central(elasticities["domestic_supply"])
    eps = np.array([e_d if s == DOMESTIC else e_f for s in names])
    pi = v * (1 + t0) / np.sum(v * (1 + t0))
    return (names, pi, (1 + t1) / (1 + t0), eps, central(elasticities["substitution"]),
            central(elasticities["demand"]))


def _price_index_levels(pi, prices, sigma):
    if sigma == 1.0:
        return float(np.exp(np.dot(pi, np.log(prices))))
    return float(np.dot(pi, prices ** (1 - sigma)) ** (1 / (1 - sigma)))


def solve_nd(market: dict, tariffs: dict, elasticities: dict) -> dict:
    """Same equilibrium by a plain n-dimensional solve of the market-clearing equations in
    levels (scipy.optimize.root, hybr), unknowns ln p_s of finite-supply sources.  Used only to
    check the 1-D reduction; returns {"P": P, "p": {s: p_s}}."""
    names, pi, tau, eps, sigma, eta = _levels(market, tariffs, elasticities)
    fin = np.isfinite(eps)

    def prices(z):
        p = np.ones(len(names))
        p[fin] = np.exp(z)
        return p

    def f(z):
        p = prices(z)
        P = _price_index_levels(pi, tau * p, sigma)
        qd = (tau * p / P) ** (-sigma) * P ** eta
        return np.log(qd[fin]) - eps[fin] * z

    if fin.any():
        sol = optimize.root(f, np.zeros(int(fin.sum())), method="hybr", tol=1e-15)
        if not sol.success:
            sol = optimize.root(f, np.zeros(int(fin.sum())), method="lm", tol=1e-15)
        z = sol.x
    else:
        z = np.zeros(0)
    p = prices(z)
    return {"P": _price_index_levels(pi, tau * p, sigma), "p": dict(zip(names, p))}


# ---------------------------------------------------------------------------------------------
# deal files

def schedules(trade: dict) -> dict:
    """The three scenario tariff schedules {scenario: {src: t1}} from a [trade] table."""
    market = trade["market"]
    names = list(market["base_value_usd_bn"])
    base_t = market.get("base_tariff", {}) or {}
    base = {s: (0.0 if s == DOMESTIC else float(base_t.get(s, 0.0))) for s in names}
    out = {}
    cur = dict(base)
    for sc in SCENARIOS:
        table = trade.get(sc)
        if table is None and sc == "snapback":
            table = {}
        for s, t in (table or {}).items():
            if s in ("sources", "note"):
                continue
            if s not in base:
                raise ValueError(f"[trade].{sc} names {s!r}, not a source of the market")
            if s != DOMESTIC:
                cur[s] = float(t)
        out[sc] = dict(cur)
    return out


def scenarios(deal_toml_text: str, market: dict | None = None) -> dict:
    """All figures of `pactsim trade FILE --json` for a deal file with [trade.market].
    `market` ({"base_value_usd_bn": ..., "base_tariff": ...}) stands in for a missing
    [trade.market] (the oracle has no embedded data set of its own)."""
    doc = tomllib.loads(deal_toml_text)
    trade = doc["trade"]
    if "market" not in trade:
        if market is None:
            raise ValueError("the oracle needs [trade.market] (it has no embedded data set)")
        trade["market"] = market
    sched = schedules(trade)
    el = trade["elasticities"]
    res = {"scenarios": {sc: solve(trade["market"], sched[sc], el) for sc in SCENARIOS}}
    inv = doc["deal"]["investor"]
    srcs_deal = res["scenarios"]["deal"]["sources"]
    srcs_nd = res["scenarios"]["no_deal"]["sources"]
    if inv in srcs_deal:
        relief = (srcs_deal[inv]["producer_surplus_change_usd_bn"]
                  - srcs_nd[inv]["producer_surplus_change_usd_bn"])
    else:
        relief = 0.0
    res["investor_tariff_relief_usd_bn_per_year"] = relief
    res["investor"] = inv
    return res


def duty_saved(trade: dict, investor: str) -> float:
    """The press's yardstick for one market: the investor's tariff cut (no_deal minus deal) times
    its base-year sales, at base volumes and producer prices (docs/semantics.md, "Trade")."""
    sched = schedules(trade)
    return (sched["no_deal"][investor] - sched["deal"][investor]) * float(trade["market"]["base_value_usd_bn"][investor])


def markets(deal_toml_text: str) -> list:
    """Each market of a deal: [trade] itself (its id is its sector), or each [[trade.markets]]."""
    trade = tomllib.loads(deal_toml_text)["trade"]
    if "markets" in trade:
        return [dict(m) for m in trade["markets"]]
    return [dict(trade, id=trade["sector"])]


def all_markets(deal_toml_text: str) -> dict:
    """Every market's figures (as `scenarios`), the relief summed over them and the duty saved,
    for a deal whose markets all carry their own `market` table."""
    doc = tomllib.loads(deal_toml_text)
    inv = doc["deal"]["investor"]
    out = []
    for m in markets(deal_toml_text):
        one = {"schema": 1, "deal": doc["deal"], "trade": m}
        text = _toml_of(one)
        res = scenarios(text)
        res["id"] = m["id"]
        res["duty_saved_usd_bn_per_year"] = duty_saved(m, inv)
        out.append(res)
    return {"markets": out,
            "investor_tariff_relief_usd_bn_per_year": sum(r["investor_tariff_relief_usd_bn_per_year"] for r in out),
            "duty_saved_usd_bn_per_year": sum(r["duty_saved_usd_bn_per_year"] for r in out)}


def _toml_of(doc: dict) -> str:
    """A small TOML writer for the tables `all_markets` re-reads (numbers, strings, dates, tables)."""
    def value(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, str):
            return '"' + v + '"'
        if isinstance(v, float) and math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v) if not hasattr(v, "isoformat") else v.isoformat()
    lines = ["schema = 1", "[deal]"] + [f"{k} = {value(v)}" for k, v in doc["deal"].items()]
    lines.append("[trade]")
    lines += [f"{k} = {value(v)}" for k, v in doc["trade"].items() if k not in ("id", "market")]
    lines.append("[trade.market]")
    lines += [f"{k} = {value(v)}" for k, v in doc["trade"]["market"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import json
    import sys

    with open(sys.argv[1]) as fh:
        r = scenarios(fh.read())
    print(json.dumps(r, indent=1))
