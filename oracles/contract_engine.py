"""Independent oracle for pactsim's deterministic deal engine.

Why: the Rust engine in crates/ is checked against this second implementation, written only
from the public contract (shared/contracts/deal-file.md, run-output.md) and the project's
documented choices (docs/semantics.md, docs/output.md), never from the Rust source.  Standard
library only (tomllib, datetime) so that no numerical library is shared with anything else.

Scope: schema, [deal], [[facility]], [waterfall.NAME], [[project]], [run].  One path.
Entry point: run_deal(toml_text) -> dict of plain floats (see docstring of run_deal).
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field

EPS = 1e-9          # "owed <= 1e-9" threshold of docs/semantics.md
FUND_EPS = 1e-12    # a call remainder below this counts as paid (float noise only)


# --------------------------------------------------------------------------- calendar

def anniversary(d: dt.date, k: int) -> dt.date:
    """k-th anniversary, always from the original date; 29 Feb -> 28 Feb when needed."""
    try:
        return d.replace(year=d.year + k)
    except ValueError:
        return dt.date(d.year + k, 2, 28)


def is_business(d: dt.date) -> bool:
    return d.weekday() < 5


def add_business_days(d: dt.date, n: int) -> dt.date:
    """N-th business day after d, counting from the day after; N = 0 is d itself."""
    cur = d
    while n > 0:
        cur += dt.timedelta(days=1)
        if is_business(cur):
            n -= 1
    return cur


def first_business_day_of(year: int) -> dt.date:
    d = dt.date(year, 1, 1)
    while not is_business(d):
        d += dt.timedelta(days=1)
    return d


def yearfrac(a: dt.date, b: dt.date) -> float:
    """ACT/365F year fraction from a to b."""
    return (b - a).days / 365.0


def annuity_payment(principal: float, rate: float, years: int) -> float:
    if principal == 0.0:
        return 0.0
    if rate == 0.0:
        return principal / years
    return principal * rate / (1.0 - (1.0 + rate) ** (-years))


# --------------------------------------------------------------------------- model

@dataclass
class Waterfall:
    name: str
    host_tax_rate: float = 0.0
    recoup: str = "capital"
    deemed_rate: float = 0.0
    deemed_life_years: int = 0
    scope: str = "project"
    tiers: list = field(default_factory=lambda: [{"investor": 1.0, "host": 0.0}])

    @property
    def has_until(self) -> bool:
        return any("until" in t for t in self.tiers)


@dataclass
class Facility:
    id: str
    commitment: float
    cap: float | None
    lag_days: int | None
    lag_bdays: int | None
    equity: float
    loan: float
    guarantee: float
    loan_rate: float
    loan_years: int
    fee_rate: float
    waterfall: Waterfall


@dataclass
class Project:
    id: str
    order: int                    # position in the file
    facility: Facility
    selected: dt.date
    size_orig: float
    cash_flows: list | None       # explicit form
    irr: float | None
    life: int | None
    construction: int
    # filled in by the engine
    size: float = 0.0
    cut: float = 0.0
    due: dt.date | None = None
    call: float = 0.0
    parts: list = field(default_factory=list)       # [(date, usd)]
    completed: dt.date | None = None
    paid: float = 0.0
    rows: list = field(default_factory=list)
    account: "Account | None" = None
    delay: int | None = None      # labour friction: months its operation is delayed (None: not hit)
    overrun: tuple | None = None  # labour friction: (date, amount) paid as equity


class Account:
    """A recoup account: owed through the first tier, and whether/when it recouped."""

    def __init__(self, name: str, wf: Waterfall):
        self.name = name
        self.wf = wf
        self.eq_paid = 0.0        # capital
        self.rcpt = 0.0           # capital / deemed: first-tier receipts
        self.bal = 0.0            # hurdle balance at self.bal_date
        self.bal_date: dt.date | None = None
        self.alloc_due = 0.0      # deemed: allocations fallen due
        self.members: list[Project] = []     # selected projects (in event order)
        self.allocs_fallen: dict[str, int] = {}
        self.status = False
        self.recoup_date: dt.date | None = None

    def owed(self, t: dt.date) -> float:
        rule = self.wf.recoup
        if rule == "capital":
            return self.eq_paid - self.rcpt
        if rule == "hurdle":
            if self.bal_date is None:
                return 0.0
            return self.bal * (1.0 + self.wf.deemed_rate) ** yearfrac(self.bal_date, t)
        return self.alloc_due - self.rcpt

    def _roll(self, t: dt.date) -> None:
        if self.bal_date is not None:
            self.bal *= (1.0 + self.wf.deemed_rate) ** yearfrac(self.bal_date, t)
        self.bal_date = t

    def add_equity(self, t: dt.date, e: float) -> None:
        self.eq_paid += e
        if self.wf.recoup == "hurdle":
            self._roll(t)
            self.bal += e

    def receive(self, t: dt.date, r: float) -> None:
        self.rcpt += r
        if self.wf.recoup == "hurdle":
            self._roll(t)
            self.bal -= r

    def evaluate(self, t: dt.date, pending: set) -> None:
        ok = self.owed(t) <= EPS and not any(p.id in pending for p in self.members)
        if ok and self.wf.recoup == "deemed-allocation":
            L = self.wf.deemed_life_years
            ok = all(self.allocs_fallen.get(p.id, 0) >= L for p in self.members)
        if ok and not self.status:
            self.recoup_date = t
        self.status = ok


# --------------------------------------------------------------------------- parsing

def _lag(f: dict) -> tuple[int | None, int | None]:
    lag = f.get("funding_lag", {"days": 0})
    if "business_days" in lag:
        return None, int(lag["business_days"])
    return int(lag.get("days", 0)), None


def parse(doc: dict):
    deal = doc["deal"]
    wfs: dict[str, Waterfall] = {}
    for name, w in doc.get("waterfall", {}).items():
        wfs[name] = Waterfall(
            name=name,
            host_tax_rate=float(w.get("host_tax_rate", 0.0)),
            recoup=w.get("recoup", "capital"),
            deemed_rate=float(w.get("deemed_rate", 0.0)),
            deemed_life_years=int(w.get("deemed_life_years", 0)),
            scope=w.get("scope", "project"),
            tiers=[dict(t) for t in w.get("tiers", [{"investor": 1.0, "host": 0.0}])],
        )
    facs: dict[str, Facility] = {}
    for f in doc.get("facility", []):
        ins = f.get("instruments", {"equity": 1.0})
        loan = f.get("loan", {"rate": 0.0, "years": 1})
        lag_days, lag_bdays = _lag(f)
        if "waterfall" in f:
            wf = wfs[f["waterfall"]]
        else:
            wf = Waterfall(name=f"<investor-owned:{f['id']}>")
        facs[f["id"]] = Facility(
            id=f["id"],
            commitment=float(f["commitment_usd_bn"]),
            cap=float(f["annual_cap_usd_bn"]) if "annual_cap_usd_bn" in f else None,
            lag_days=lag_days, lag_bdays=lag_bdays,
            equity=float(ins.get("equity", 0.0)),
            loan=float(ins.get("loan", 0.0)),
            guarantee=float(ins.get("guarantee", 0.0)),
            loan_rate=float(loan["rate"]), loan_years=int(loan["years"]),
            fee_rate=float(f.get("guarantee_fee_rate", 0.0)),
            waterfall=wf,
        )
    projects = []
    for i, p in enumerate(doc.get("project", [])):
        projects.append(Project(
            id=p["id"], order=i, facility=facs[p["facility"]], selected=p["selected"],
            size_orig=float(p["size_usd_bn"]),
            cash_flows=[float(c) for c in p["cash_flows_usd_bn"]] if "cash_flows_usd_bn" in p else None,
            irr=float(p["irr"]) if "irr" in p else None,
            life=int(p["life_years"]) if "life_years" in p else None,
            construction=int(p.get("construction_years", 0)),
        ))
    labor = doc.get("labor")
    if labor is not None and float(labor["incident_probability"]) >= 1.0:
        # Certain hits only (the oracle plays one path without draws): fixed delay and overrun.
        delay = int(round(float(labor["delay_months"])))
        overrun = float(labor.get("cost_overrun", 0.0))
        for p in projects:
            if p.cash_flows is None and p.construction > 0:
                p.delay, p.overrun = delay, overrun
    run = doc.get("run", {})
    dr = run.get("discount_rate", {})
    rates = (float(dr.get("investor", 0.04)), float(dr.get("host", 0.04)))
    terminal = run.get("terminal_value", "remaining-flows") == "remaining-flows"
    return deal, list(facs.values()), wfs, projects, rates, terminal


# --------------------------------------------------------------------------- engine

def project_cash(p: Project) -> list[float]:
    """Cash on anniversaries 1..n_cf of completion, for the (possibly cut) size."""
    if p.cash_flows is not None:
        scale = p.size / p.size_orig if p.cut > 0 else 1.0
        return [c * scale for c in p.cash_flows]
    S, r, c, L = p.size, p.irr, p.construction, p.life
    if r == 0.0:
        C = S / L
    else:
        C = S * (1.0 + r) ** c * r / (1.0 - (1.0 + r) ** (-L))
    return [0.0] * c + [C] * L


def fund_facility(f: Facility, projs: list[Project], end: dt.date) -> None:
    """FIFO funding with the annual cap and carry-over to the next year's first business day."""
    used: dict[int, float] = {}
    queue_free: dt.date | None = None      # completion date of the previous (non-zero) call
    blocked = False                        # an earlier call never completed: FIFO blocks the rest
    for p in projs:
        if p.size <= 0.0:
            continue
        if p.call == 0.0:
            if p.due <= end:
                p.completed = p.due
            continue
        if blocked:
            continue
        t = p.due if queue_free is None else max(p.due, queue_free)
        remaining = p.call
        while t <= end:
            if f.cap is None:
                pay = remaining
            else:
                pay = min(remaining, f.cap - used.get(t.year, 0.0))
            if pay > 0.0:
                p.parts.append((t, pay))
                used[t.year] = used.get(t.year, 0.0) + pay
                remaining -= pay
            if remaining <= FUND_EPS:
                remaining = 0.0
                break
            t = first_business_day_of(t.year + 1)
        p.paid = p.call - remaining
        if remaining == 0.0:
            p.completed = p.parts[-1][0]
            queue_free = p.completed
        else:
            blocked = True


def add_months(d: dt.date, months: int) -> dt.date:
    """`months` calendar months after d, the day clamped to the month's end."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def payment_dates(p: Project) -> list[tuple[dt.date, int, bool]]:
    """(date, k, operating) of every payment, in the order they are applied.  A project labour
    friction hit (docs/semantics.md, "Labour friction") keeps its loan dates on the anniversaries
    of funding (k up to its construction years or its loan term, whichever is longer) and has its
    operating years' cash on their own dates, k years and `delay` months after funding completed;
    on a date with both, the anniversary's payment comes first."""
    f = p.facility
    has_debt = (f.loan > 0.0 or f.guarantee > 0.0)
    Y = f.loan_years if has_debt else 0
    n = max(len(project_cash(p)), Y)
    if p.delay is None:
        return [(anniversary(p.completed, k), k, False) for k in range(1, n + 1)]
    c, L = p.construction, p.life
    dates = [(anniversary(p.completed, k), k, False) for k in range(1, max(c, Y) + 1)]
    dates += [(add_months(p.completed, 12 * k + p.delay), k, True) for k in range(c + 1, c + L + 1)]
    return sorted(dates, key=lambda x: (x[0], x[2]))


def debt_rows(p: Project, end: dt.date | None) -> None:
    """Steps (1) and (2) per payment date; fills p.rows with everything but the tier split.
    Rows after `end` are kept too (None: to the project's last payment) for the terminal value."""
    f = p.facility
    cash = project_cash(p)
    has_debt = (f.loan > 0.0 or f.guarantee > 0.0)
    Y = f.loan_years if has_debt else 0
    Pi, Pg = f.loan * p.size, f.guarantee * p.size
    Ai = annuity_payment(Pi, f.loan_rate, Y) if has_debt else 0.0
    Ag = annuity_payment(Pg, f.loan_rate, Y) if has_debt else 0.0
    bal_g = Pg
    arrears, claim, fee_unpaid = 0.0, 0.0, 0.0
    dates = payment_dates(p)
    for index, (d, k, operating) in enumerate(dates):
        if end is not None and d > end:
            break
        c = cash[k - 1] if k <= len(cash) else 0.0
        if p.delay is not None and not operating and k > p.construction:
            c = 0.0                       # a delayed project's operating cash comes on its own date
        loan_date = k <= Y and not operating
        si = Ai if loan_date else 0.0
        sg = Ag if loan_date else 0.0
        owe_i = si + arrears
        owe_g = sg + claim
        total = owe_i + owe_g
        ds = min(c, total)
        if total > 0.0:
            part_i = ds * owe_i / total
            part_g = ds * owe_g / total
        else:
            part_i = part_g = 0.0
        to_lenders = min(part_g, sg)
        to_claim = part_g - to_lenders
        call = sg - to_lenders
        arrears = owe_i - part_i
        claim = claim - to_claim + call
        left = c - ds
        # (2) guarantee fee on the guaranteed principal outstanding before this payment
        fee_due = fee_unpaid + (f.fee_rate * bal_g if loan_date else 0.0)
        fee = min(left, fee_due)
        fee_unpaid = fee_due - fee
        left -= fee
        if loan_date:
            bal_g = bal_g * (1.0 + f.loan_rate) - sg if k < Y else 0.0
        tax = f.waterfall.host_tax_rate * left if left > 0.0 else 0.0
        p.rows.append(dict(
            date=d, cash=c, debt_service=ds, debt_service_investor=part_i + to_claim,
            debt_service_lenders=to_lenders, guarantee_fee=fee, guarantee_call=call,
            host_tax=tax, distributable=left - tax, investor=0.0, host=0.0, loss=0.0))
        if index == len(dates) - 1:
            p.rows[-1]["loss"] = arrears + claim + fee_unpaid


def split(wf: Waterfall, acct: Account | None, t: dt.date, D: float) -> tuple[float, float]:
    """Tier split of distributable cash D; returns (investor, host)."""
    tiers = wf.tiers
    if "until" not in tiers[0]:
        return tiers[0]["investor"] * D, tiers[0]["host"] * D
    a, ha = tiers[0]["investor"], tiers[0]["host"]
    b, hb = tiers[1]["investor"], tiers[1]["host"]
    O = acct.owed(t)
    if O > EPS and D > 0.0:
        x = D if a == 0.0 else min(D, O / a)
    else:
        x = 0.0
    acct.receive(t, a * x)
    rest = D - x
    return a * x + b * rest, ha * x + hb * rest


def run_deal(toml_text: str) -> dict:
    """Run a deterministic deal file; returns the figures pactsim prints, as plain floats.

    Keys: totals{...}, years[...], facilities[...], projects[...], recoup_accounts[...].
    Dates are ISO strings; missing figures (recoup date/year) are None.
    """
    doc = tomllib.loads(toml_text)
    deal, facs, wfs, projects, (r_inv, r_host), terminal = parse(doc)
    start: dt.date = deal["start"]
    end = anniversary(start, int(deal["horizon_years"]))
    # With a terminal value the projects go on paying after the horizon (docs/semantics.md,
    # "Terminal value"): every event is played to the end of each project; none is judged after.
    last_event = None if terminal else end
    ordered = sorted(projects, key=lambda p: (p.selected, p.order))

    # ---- commitment cuts, due dates, calls
    left = {f.id: f.commitment for f in facs}
    for p in ordered:
        f = p.facility
        p.size = min(p.size_orig, left[f.id])
        if p.size < 0.0:
            p.size = 0.0
        p.cut = p.size_orig - p.size
        left[f.id] -= p.size
        if f.lag_bdays is not None:
            p.due = add_business_days(p.selected, f.lag_bdays)
        else:
            p.due = p.selected + dt.timedelta(days=f.lag_days)
        p.call = (f.equity + f.loan) * p.size
    for f in facs:
        fund_facility(f, [p for p in ordered if p.facility is f], end)
    for p in ordered:
        if p.completed is not None and p.size > 0.0:
            debt_rows(p, last_event)
            # the overrun: paid as equity on the original completion date, outside the cap
            share = p.overrun if isinstance(p.overrun, float) else 0.0
            p.overrun = None
            if share > 0.0:
                when = anniversary(p.completed, p.construction)
                if last_event is None or when <= last_event:
                    p.overrun = (when, share * p.size)
        elif not isinstance(p.overrun, tuple):
            p.overrun = None

    # ---- recoup accounts
    accounts: dict[str, Account] = {}
    for p in ordered:
        wf = p.facility.waterfall
        if p.size <= 0.0 or not wf.has_until:
            continue
        name = f"portfolio:{wf.name}" if wf.scope == "portfolio" else f"project:{p.id}"
        if name not in accounts:
            accounts[name] = Account(name, wf)
        p.account = accounts[name]

    # ---- events, in the documented same-date order: selection (starts "pending"), funding
    #      payments, deemed allocations falling due, project payments; ties by project order.
    rank = {p.id: i for i, p in enumerate(ordered)}
    events = []      # (date, kind, rank, seq, project, payload)
    for p in ordered:
        acct = p.account
        if acct is not None:
            events.append((p.selected, 0, p, None))
            if p.call == 0.0 and p.completed is not None:
                events.append((p.completed, 1, p, 0.0))
            events.extend((d, 1, p, a) for d, a in p.parts)
            if acct.wf.recoup == "deemed-allocation" and p.completed is not None:
                L, r = acct.wf.deemed_life_years, acct.wf.deemed_rate
                E = _equity_paid(p)
                for k in range(1, L + 1):
                    d = anniversary(p.completed, k)
                    if last_event is not None and d > last_event:
                        break
                    events.append((d, 2, p, E / L + r * E * (L - k + 1) / L))
        if p.overrun is not None and acct is not None:
            events.append((p.overrun[0], 1, p, ("overrun", p.overrun[1])))
        events.extend((row["date"], 3, p, row) for row in p.rows)
    events = [(d, kind, rank[p.id], i, p, x) for i, (d, kind, p, x) in enumerate(events)]
    events.sort(key=lambda e: e[:4])

    pending: set[str] = set()
    for d, kind, _, _, p, payload in events:
        acct = p.account
        if kind == 0:
            pending.add(p.id)
            acct.members.append(p)
        elif kind == 1 and isinstance(payload, tuple):
            acct.add_equity(d, payload[1])            # an overrun: all equity
        elif kind == 1:
            acct.add_equity(d, payload * _equity_share(p))
            if d == p.completed:
                pending.discard(p.id)
        elif kind == 2:
            acct.alloc_due += payload
            acct.allocs_fallen[p.id] = acct.allocs_fallen.get(p.id, 0) + 1
        else:
            payload["investor"], payload["host"] = split(
                p.facility.waterfall, acct, d, payload["distributable"])
        if acct is not None and d <= end:
            acct.evaluate(d, pending)

    return _report(deal, facs, ordered, projects, accounts, start, end, r_inv, r_host, terminal)


def _equity_share(p: Project) -> float:
    """Part of each funding payment that is equity (the rest is the investor's loan)."""
    f = p.facility
    return f.equity / (f.equity + f.loan) if p.call > 0.0 else 0.0


def _equity_paid(p: Project) -> float:
    return sum(a for _, a in p.parts) * _equity_share(p)


# --------------------------------------------------------------------------- XIRR

def xirr_single(flows: list[tuple[dt.date, float]]) -> float | None:
    """XIRR (ACT/365F) only where it is unambiguous: the same-date-netted flows change sign
    exactly once, so by Descartes' rule there is exactly one root in (-1, inf).  Anything else
    returns None and is left to the other oracles (pyxirr)."""
    net: dict[dt.date, float] = {}
    for d, x in flows:
        net[d] = net.get(d, 0.0) + x
    pts = sorted((d, x) for d, x in net.items() if x != 0.0)
    if len(pts) < 2:
        return None
    changes = sum(1 for (_, a), (_, b) in zip(pts, pts[1:]) if (a < 0) != (b < 0))
    if changes != 1:
        return None
    d0 = pts[0][0]

    def xnpv(r: float) -> float:
        return sum(x * (1.0 + r) ** (-(d - d0).days / 365.0) for d, x in pts)

    lo, hi = -0.99, 10.0
    flo, fhi = xnpv(lo), xnpv(hi)
    if flo == 0.0:
        return lo
    if (flo < 0) == (fhi < 0):
        return None           # root outside (-0.99, 10): not compared
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = xnpv(mid)
        if fm == 0.0 or hi - lo < 1e-15:
            return mid
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------- report

def _report(deal, facs, ordered, projects, accounts, start, end, r_inv, r_host, terminal) -> dict:
    years = {y: dict(year=y, investor_paid=0.0, investor_received=0.0, host_received=0.0,
                     host_tax=0.0, deferred=0.0) for y in range(start.year, end.year + 1)}
    tot = dict(investor_paid=0.0, investor_received=0.0, investor_npv=0.0, host_received=0.0,
               host_tax=0.0, host_npv=0.0, guarantee_calls=0.0, losses=0.0,
               equity_lost=0.0)      # one path, no defaults: no equity is written off
    inv_flows: list[tuple[dt.date, float]] = []
    fac_flows: dict[str, list[tuple[dt.date, float]]] = {f.id: [] for f in facs}
    fac_out = {f.id: dict(id=f.id, paid=0.0, received=0.0, committed_unfunded=0.0,
                          funded_usd_bn=0.0, pending_usd_bn=0.0, commitment_usd_bn=f.commitment,
                          guarantee_calls=0.0, losses=0.0, equity_lost=0.0, npv=0.0)
               for f in facs}

    def disc(r, d, x):
        return x / (1.0 + r) ** yearfrac(start, d)

    # Terminal values: each party's flows after the horizon, discounted to the horizon at its
    # rate (one path without defaults: no survival weights), and calls still open at cost.
    tv_inv = {f.id: 0.0 for f in facs}
    tv_host = 0.0
    for p in ordered:
        fo = fac_out[p.facility.id]
        if terminal and p.size > 0.0 and p.call > 0.0 and p.completed is None:
            tv_inv[p.facility.id] += sum(a for _, a in p.parts)
        after = [row for row in p.rows if row["date"] > end]
        p.rows = [row for row in p.rows if row["date"] <= end]
        for row in after:
            rec = row["investor"] + row["debt_service_investor"] + row["guarantee_fee"]
            tv_inv[p.facility.id] += (rec - row["guarantee_call"]) / (1.0 + r_inv) ** yearfrac(end, row["date"])
            tv_host += (row["host"] + row["host_tax"]) / (1.0 + r_host) ** yearfrac(end, row["date"])
        for d, a in p.parts:
            tot["investor_paid"] += a
            years[d.year]["investor_paid"] += a
            fo["paid"] += a
            tot["investor_npv"] += disc(r_inv, d, -a)
            fo["npv"] += disc(r_inv, d, -a)
            inv_flows.append((d, -a))
            fac_flows[p.facility.id].append((d, -a))
        if p.overrun is not None:
            d, a = p.overrun
            if d <= end:
                tot["investor_paid"] += a
                years[d.year]["investor_paid"] += a
                fo["paid"] += a
                tot["investor_npv"] += disc(r_inv, d, -a)
                fo["npv"] += disc(r_inv, d, -a)
                inv_flows.append((d, -a))
                fac_flows[p.facility.id].append((d, -a))
            else:
                tv_inv[p.facility.id] -= a / (1.0 + r_inv) ** yearfrac(end, d)
        for row in p.rows:
            d = row["date"]
            call = row["guarantee_call"]
            rec = row["investor"] + row["debt_service_investor"] + row["guarantee_fee"]
            tot["investor_paid"] += call
            tot["guarantee_calls"] += call
            tot["investor_received"] += rec
            tot["investor_npv"] += disc(r_inv, d, rec - call)
            fo["npv"] += disc(r_inv, d, rec - call)
            inv_flows.append((d, rec - call))
            fac_flows[p.facility.id].append((d, rec - call))
            tot["host_received"] += row["host"]
            tot["host_tax"] += row["host_tax"]
            tot["host_npv"] += disc(r_host, d, row["host"] + row["host_tax"])
            tot["losses"] += row["loss"]
            y = years[d.year]
            y["investor_paid"] += call
            y["investor_received"] += rec
            y["host_received"] += row["host"]
            y["host_tax"] += row["host_tax"]
            fo["paid"] += call
            fo["received"] += rec
            fo["guarantee_calls"] += call
            fo["losses"] += row["loss"]
        # funded size (pro rata for part-funded) and pending investor funding
        if p.size > 0.0:
            if p.call > 0.0:
                fo["funded_usd_bn"] += p.size * p.paid / p.call
                fo["pending_usd_bn"] += p.call - p.paid
            elif p.completed is not None:
                fo["funded_usd_bn"] += p.size
            # deferred: calls due by 31 Dec y (within the horizon) still unpaid at the end of y
            if p.call > 0.0 and p.due <= end:
                for y in range(p.due.year, end.year + 1):
                    unpaid = p.call - sum(a for d, a in p.parts if d.year <= y)
                    if unpaid > FUND_EPS:
                        years[y]["deferred"] += unpaid
    for fo in fac_out.values():
        fo["committed_unfunded"] = fo["commitment_usd_bn"] - fo["funded_usd_bn"]
        fo["moic"] = fo["received"] / fo["paid"] if fo["paid"] > 0 else None
        tv = tv_inv[fo["id"]]
        fo["terminal_value"] = tv
        fo["npv"] += disc(r_inv, end, tv)
        # the terminal value is the last flow of the XIRR; None: not checked (see xirr_single)
        fo["irr"] = xirr_single(fac_flows[fo["id"]] + ([(end, tv)] if tv != 0.0 else []))
        # every account its projects pay into recouped? None when none of them has an account
        accts = {id(p.account): p.account for p in ordered
                 if p.facility.id == fo["id"] and p.account is not None}
        if accts:
            fo["recouped_share"] = 1.0 if all(a.status for a in accts.values()) else 0.0
        else:
            fo["recouped_share"] = None

    recoup_dates = [a.recoup_date if a.status else None for a in accounts.values()]
    if accounts and all(d is not None for d in recoup_dates):
        tot["recouped_share"] = 1.0
        tot["recoup_year"] = float(max(recoup_dates).year)
    elif not accounts:
        tot["recouped_share"] = None      # nothing to recoup is not "everything recouped"
        tot["recoup_year"] = None
    else:
        tot["recouped_share"] = 0.0
        tot["recoup_year"] = None
    tot["investor_moic"] = tot["investor_received"] / tot["investor_paid"] if tot["investor_paid"] > 0 else None
    tot["recoup_accounts"] = len(accounts)
    tv = sum(tv_inv[f.id] for f in facs)
    tot["investor_terminal_value"] = tv
    tot["host_terminal_value"] = tv_host
    tot["investor_npv"] += disc(r_inv, end, tv)
    tot["host_npv"] += disc(r_host, end, tv_host)
    # None: not checked (see xirr_single)
    tot["investor_irr"] = xirr_single(inv_flows + ([(end, tv)] if tv != 0.0 else []))

    proj_out = []
    for p in projects:
        acct = p.account
        proj_out.append(dict(
            id=p.id, facility=p.facility.id,
            funded_on=p.completed.isoformat() if p.completed else None,
            selected=p.selected.isoformat(), due=p.due.isoformat(),
            size_usd_bn=p.size, size_cut_usd_bn=p.cut,
            recouped_on=(acct.recoup_date.isoformat() if acct and acct.status and acct.wf.scope == "project" else None),
            funding=[dict(date=d.isoformat(), usd_bn=a) for d, a in p.parts],
            flows=[{k: (v.isoformat() if k == "date" else v) for k, v in row.items() if k != "distributable"}
                   for row in p.rows],
        ))
    return dict(
        deal=deal["id"],
        totals=tot,
        years=[years[y] for y in sorted(years)],
        facilities=list(fac_out.values()),
        projects=proj_out,
        recoup_accounts=[dict(account=a.name, waterfall=a.wf.name,
                              recouped_on=a.recoup_date.isoformat() if a.status else None)
                         for a in accounts.values()],
        investor_flows=[(d.isoformat(), x) for d, x in inv_flows],
        facility_flows={k: [(d.isoformat(), x) for d, x in v] for k, v in fac_flows.items()},
    )


if __name__ == "__main__":
    import json
    import sys
    with open(sys.argv[1], "rb") as fh:
        print(json.dumps(run_deal(fh.read().decode()), indent=1))
