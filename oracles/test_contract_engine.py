"""Hand-computed cases for the oracle engine (contract_engine.py).

Why: the oracle is only worth something if its own numbers are right; each case below is worked
by hand from the contract's rules (the expected numbers are written out, not computed by the
engine).  Run: python3 oracles/test_contract_engine.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contract_engine import add_months, add_business_days, anniversary, run_deal, xirr_single  # noqa: E402
import datetime as dt  # noqa: E402

HEAD = """schema = 1
[deal]
id = "t"
title = "t"
investor = "KR"
host = "US"
start = {start}
horizon_years = {h}
"""


def deal(body, start="2026-01-01", h=10):
    return HEAD.format(start=start, h=h) + body


def flows(out, pid):
    return next(p for p in out["projects"] if p["id"] == pid)["flows"]


def proj(out, pid):
    return next(p for p in out["projects"] if p["id"] == pid)


class Calendar(unittest.TestCase):
    def test_business_days(self):
        self.assertEqual(add_business_days(dt.date(2026, 1, 2), 3), dt.date(2026, 1, 7))
        self.assertEqual(add_business_days(dt.date(2026, 1, 3), 1), dt.date(2026, 1, 5))
        self.assertEqual(add_business_days(dt.date(2026, 1, 3), 0), dt.date(2026, 1, 3))

    def test_leap_anniversary(self):
        self.assertEqual(anniversary(dt.date(2028, 2, 29), 1), dt.date(2029, 2, 28))
        self.assertEqual(anniversary(dt.date(2028, 2, 29), 4), dt.date(2032, 2, 29))


class Xirr(unittest.TestCase):
    def test_act365(self):
        # research note C-10: -100 on 2020-01-01, +110 on 2021-01-01 -> 9.9714% ACT/365F
        r = xirr_single([(dt.date(2020, 1, 1), -100.0), (dt.date(2021, 1, 1), 110.0)])
        self.assertAlmostEqual(r, 1.1 ** (365 / 366) - 1, places=12)

    def test_multiple_sign_changes_not_judged(self):
        d = [dt.date(2020 + i, 1, 1) for i in range(5)]
        self.assertIsNone(xirr_single(list(zip(d, [-50.0, -100.0, 600.0, 300.0, -100.0]))))


class Cases(unittest.TestCase):
    def close(self, a, b, tol=1e-9):
        self.assertTrue(abs(a - b) <= tol * (1 + abs(b)), f"{a} != {b}")

    def test_deemed_allocation(self):
        # $10bn, 20-year deemed life, 5.5%: allocations 1.05, 1.0225, 0.995 (0.5 + 0.055*remaining)
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "mou"
[waterfall.mou]
recoup = "deemed-allocation"
deemed_rate = 0.055
deemed_life_years = 20
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "p"
facility = "f"
selected = 2026-03-02
size_usd_bn = 10.0
cash_flows_usd_bn = [3.0, 1.0, 5.0]
"""))
        f = flows(out, "p")
        # year 1: owed 1.05, x = 2.1 -> 1.05/1.05, rest 0.9 at 10/90
        self.close(f[0]["investor"], 1.05 + 0.09)
        self.close(f[0]["host"], 1.05 + 0.81)
        # year 2: owed 1.0225, D = 1 < 2.045 -> 0.5/0.5, shortfall 0.5225 carries
        self.close(f[1]["investor"], 0.5)
        # year 3: owed 0.5225 + 0.995 = 1.5175; x = 3.035; rest 1.965
        self.close(f[2]["investor"], 1.5175 + 0.1965)
        self.close(f[2]["host"], 1.5175 + 1.7685)
        self.assertIsNone(out["recoup_accounts"][0]["recouped_on"])
        self.assertEqual(out["totals"]["recouped_share"], 0.0)

    def test_labour_delay_moves_every_operating_flow(self):
        # docs/semantics.md, "Labour friction": with probability 1 and 6 months, every operating
        # cash flow of a built project is exactly 6 months later than with probability 0.
        body = """
[[facility]]
id = "f"
commitment_usd_bn = 100.0
instruments = { equity = 0.5, loan = 0.5 }
loan = { rate = 0.05, years = 4 }
[[project]]
id = "p"
facility = "f"
selected = 2026-08-31
size_usd_bn = 10.0
irr = 0.08
life_years = 6
construction_years = 2
[labor]
incident_probability = %s
delay_months = 6
[run]
terminal_value = "none"
"""
        on_time = [(r["date"], r["cash"]) for r in flows(run_deal(deal(body % "0")), "p") if r["cash"] > 0]
        late = [(r["date"], r["cash"]) for r in flows(run_deal(deal(body % "1")), "p") if r["cash"] > 0]
        self.assertEqual(len(on_time), 6)
        moved = [(add_months(dt.date.fromisoformat(d), 6).isoformat(), c) for d, c in on_time]
        self.assertEqual(late, moved)
        self.assertEqual(late[2][0], "2032-02-29")

    def test_cap_carry_over(self):
        # cap 5/yr: A 4 in 2026; B 8 -> 1 on 2026-06-01, 5 on 2027-01-01 (Fri),
        # 2 on 2028-01-03 (1 Jan 2028 is a Saturday); C 1 waits for B, paid 2028-01-03.
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
annual_cap_usd_bn = 5.0
[[project]]
id = "A"
facility = "f"
selected = 2026-03-02
size_usd_bn = 4.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "C"
facility = "f"
selected = 2026-07-01
size_usd_bn = 1.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "B"
facility = "f"
selected = 2026-06-01
size_usd_bn = 8.0
cash_flows_usd_bn = [1.0]
"""))
        b, c = proj(out, "B"), proj(out, "C")
        self.assertEqual([(x["date"], x["usd_bn"]) for x in b["funding"]],
                         [("2026-06-01", 1.0), ("2027-01-01", 5.0), ("2028-01-03", 2.0)])
        self.assertEqual(b["funded_on"], "2028-01-03")
        self.assertEqual(c["funded_on"], "2028-01-03")
        self.assertEqual(b["flows"][0]["date"], "2029-01-03")
        yrs = {y["year"]: y for y in out["years"]}
        self.close(yrs[2026]["deferred"], 7.0 + 1.0)
        self.close(yrs[2027]["deferred"], 2.0 + 1.0)
        self.close(yrs[2028]["deferred"], 0.0)
        self.close(yrs[2026]["investor_paid"], 5.0)
        self.close(yrs[2028]["investor_paid"], 3.0)

    def test_commitment_cut(self):
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 10.0
[[project]]
id = "A"
facility = "f"
selected = 2026-03-02
size_usd_bn = 7.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "B"
facility = "f"
selected = 2026-04-01
size_usd_bn = 6.0
cash_flows_usd_bn = [6.0]
[[project]]
id = "C"
facility = "f"
selected = 2026-05-01
size_usd_bn = 1.0
cash_flows_usd_bn = [6.0]
"""))
        b, c = proj(out, "B"), proj(out, "C")
        self.close(b["size_usd_bn"], 3.0)
        self.close(b["size_cut_usd_bn"], 3.0)
        self.close(b["flows"][0]["cash"], 3.0)      # scaled by 3/6
        self.assertIsNone(c["funded_on"])
        self.close(c["size_cut_usd_bn"], 1.0)
        self.close(out["facilities"][0]["funded_usd_bn"], 10.0)

    def test_pro_rata_crossing_capital(self):
        # equity 10, tax 25%: D = 6, 6, 9; owed 10 -> inv 3, 3, then x = 8 (4/4) + 1 at 10/90
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "w"
[waterfall.w]
host_tax_rate = 0.25
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "p"
facility = "f"
selected = 2026-03-02
size_usd_bn = 10.0
cash_flows_usd_bn = [8.0, 8.0, 12.0]
"""))
        f = flows(out, "p")
        self.close(f[2]["investor"], 4.1)
        self.close(f[2]["host"], 4.9)
        self.close(f[2]["host_tax"], 3.0)
        t = out["totals"]
        self.close(t["investor_received"], 10.1)
        self.close(t["host_received"], 10.9)
        self.close(t["host_tax"], 7.0)
        self.assertEqual(out["recoup_accounts"][0]["recouped_on"], "2029-03-02")
        self.assertEqual(t["recoup_year"], 2029)

    def test_hurdle(self):
        # 10 compounded at 10% for 365 days = 11; D = 30: x = 22 -> 11 to investor, rest to host
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "w"
[waterfall.w]
recoup = "hurdle"
deemed_rate = 0.1
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.0, host = 1.0 } ]
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 10.0
cash_flows_usd_bn = [30.0]
"""))
        f = flows(out, "p")
        self.close(f[0]["investor"], 11.0)
        self.close(f[0]["host"], 19.0)

    def test_portfolio_capital(self):
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "w"
[waterfall.w]
scope = "portfolio"
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "p1"
facility = "f"
selected = 2026-01-05
size_usd_bn = 10.0
cash_flows_usd_bn = [30.0]
[[project]]
id = "p2"
facility = "f"
selected = 2026-06-01
size_usd_bn = 10.0
cash_flows_usd_bn = [4.0, 30.0]
"""))
        self.close(flows(out, "p1")[0]["investor"], 15.0)
        self.close(flows(out, "p2")[0]["investor"], 2.0)
        self.close(flows(out, "p2")[1]["investor"], 3.0 + 2.4)
        self.assertEqual(out["recoup_accounts"][0]["recouped_on"], "2028-06-01")

    def test_guarantee_call_and_fee(self):
        # guaranteed loan 5 at 10% over 2 years: payment 2.880952...; cash 1 then 10
        pay = 5 * 0.1 / (1 - 1.1 ** -2)
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
instruments = { equity = 0.5, guarantee = 0.5 }
loan = { rate = 0.1, years = 2 }
guarantee_fee_rate = 0.01
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 10.0
cash_flows_usd_bn = [1.0, 10.0]
"""))
        f = flows(out, "p")
        self.close(f[0]["debt_service_lenders"], 1.0)
        self.close(f[0]["guarantee_call"], pay - 1.0)
        self.close(f[0]["guarantee_fee"], 0.0)
        self.close(f[1]["debt_service_lenders"], pay)
        self.close(f[1]["debt_service_investor"], pay - 1.0)
        bal = 5 * 1.1 - pay
        self.close(f[1]["guarantee_fee"], 0.05 + 0.01 * bal)
        self.close(f[1]["investor"], 10.0 - 2 * pay + 1.0 - 0.05 - 0.01 * bal)
        self.close(f[1]["loss"], 0.0)
        self.close(out["totals"]["guarantee_calls"], pay - 1.0)
        self.close(out["totals"]["investor_paid"], 5.0 + pay - 1.0)

    def test_pro_rata_arrears_and_loss(self):
        # investor loan 2 and guaranteed loan 2, rate 0, 2 years: 1.0 each due per year.
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
instruments = { equity = 0.5, loan = 0.25, guarantee = 0.25 }
loan = { rate = 0.0, years = 2 }
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 8.0
cash_flows_usd_bn = [1.0]
"""))
        f = flows(out, "p")
        self.assertEqual(len(f), 2)
        self.close(f[0]["debt_service_investor"], 0.5)
        self.close(f[0]["debt_service_lenders"], 0.5)
        self.close(f[0]["guarantee_call"], 0.5)
        self.close(f[1]["guarantee_call"], 1.0)
        self.close(f[1]["loss"], 3.0)     # arrears 1.5 + claim 1.5
        t = out["totals"]
        self.close(t["investor_paid"], 6.0 + 1.5)
        self.close(t["investor_received"], 0.5)
        self.close(t["losses"], 3.0)

    def test_irr_form_and_npv(self):
        # irr 10%, 1 construction year, 2-year life on 10: C = 10*1.1*0.1/(1-1.1^-2)
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
[[project]]
id = "p"
facility = "f"
selected = 2026-01-01
size_usd_bn = 10.0
irr = 0.1
life_years = 2
construction_years = 1
[run]
discount_rate = { investor = 0.1, host = 0.05 }
"""))
        f = flows(out, "p")
        C = 10 * 1.1 * 0.1 / (1 - 1.1 ** -2)
        self.assertEqual([r["cash"] for r in f][:1], [0.0])
        self.close(f[1]["cash"], C)
        self.close(f[2]["cash"], C)
        # flows dated 2026-01-01 and anniversaries: NPV at 10% with 365-day years except 2028 leap
        npv = -10 + C / 1.1 ** (730 / 365) + C / 1.1 ** (1096 / 365)
        self.close(out["totals"]["investor_npv"], npv)

    def test_horizon_cuts_project(self):
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
funding_lag = { business_days = 45 }
[[project]]
id = "p"
facility = "f"
selected = 2027-12-01
size_usd_bn = 10.0
cash_flows_usd_bn = [1.0, 1.0, 1.0]
""", h=3))
        p = proj(out, "p")
        # due 45 business days after 2027-12-01 = 2028-02-02; end 2029-01-01 -> no payment date
        self.assertEqual(p["due"], "2028-02-02")
        self.assertEqual(p["flows"], [])
        self.assertEqual(len(out["years"]), 4)

    def test_zero_equity_account_not_recouped_before_selection(self):
        # An all-guarantee project owes nothing through the first tier; its account is pending
        # from selection to completion, so it can only become recouped on completion (due date).
        out = run_deal(deal("""
[[facility]]
id = "g"
commitment_usd_bn = 10.0
instruments = { guarantee = 1.0 }
loan = { rate = 0.05, years = 3 }
waterfall = "w"
[[facility]]
id = "e"
commitment_usd_bn = 10.0
[waterfall.w]
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "early"
facility = "e"
selected = 2026-02-02
size_usd_bn = 1.0
cash_flows_usd_bn = [1.0]
[[project]]
id = "guaranteed"
facility = "g"
selected = 2027-06-01
size_usd_bn = 5.0
cash_flows_usd_bn = [3.0, 3.0, 3.0]
""", h=5))
        self.assertEqual(out["recoup_accounts"][0]["recouped_on"], "2027-06-01")

    def test_same_day_unrecoup_and_recoup(self):
        # Portfolio recouped 2027-01-05; on 2028-06-01 p2's funding (2.0 equity) comes first,
        # then p0 pays 10: x = 4, investor 2 -> recouped again that day.  The oracle reads
        # "the date it last became recouped" event by event: 2028-06-01.
        out = run_deal(deal("""
[[facility]]
id = "f"
commitment_usd_bn = 100.0
waterfall = "w"
[waterfall.w]
scope = "portfolio"
tiers = [ { until = "recouped", investor = 0.5, host = 0.5 }, { investor = 0.1, host = 0.9 } ]
[[project]]
id = "p1"
facility = "f"
selected = 2026-01-05
size_usd_bn = 10.0
cash_flows_usd_bn = [40.0, 0.0]
[[project]]
id = "p0"
facility = "f"
selected = 2026-06-01
size_usd_bn = 1.0
cash_flows_usd_bn = [0.0, 10.0]
[[project]]
id = "p2"
facility = "f"
selected = 2028-06-01
size_usd_bn = 2.0
cash_flows_usd_bn = [1.0]
""", h=3))
        # 2027-01-05: owed 11 (p1 10 + p0 1), D = 40 -> x = 22: 11 + 1.8
        self.close(flows(out, "p1")[0]["investor"], 12.8)
        self.close(flows(out, "p0")[1]["investor"], 2.0 + 0.6)
        self.assertEqual(out["recoup_accounts"][0]["recouped_on"], "2028-06-01")


class GeneratedInvariants(unittest.TestCase):
    def test_oracle_conserves_money_on_generated_deals(self):
        import random
        import tomllib
        from check_engine import Diff, invariants
        from gen_deals import gen_deal
        for i in range(150):
            text = gen_deal(random.Random(i), i)
            d = Diff()
            invariants(run_deal(text), tomllib.loads(text), d)
            self.assertEqual(d.items, [], f"case {i}")


if __name__ == "__main__":
    unittest.main()
