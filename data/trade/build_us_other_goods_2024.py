#!/usr/bin/env python3
"""Rebuild data/trade/us-other-goods-2024.csv from published 2024 figures.

The embedded market "other-goods" for the trade engine: US imports in 2024 of every good other
than the sectors that keep a Section 232 treatment of their own under the 2025 deals (passenger
vehicles, auto parts, steel and aluminium; for the EU, where a sourced share exists, also
pharmaceuticals, which are outside the reciprocal tariff), by source, in USD billions, with the
2024 average ad-valorem tariff, and the US producers' own sales at home. It is the market where
the reciprocal tariff ("all other goods") applies.

Every input number below carries the URL it was read from (pages in the project's stored corpus
of public web pages, or shared/research/deal-facts.md and models-and-oracles.md where the number
was transcribed from there). The derivation and caveats are in data/SOURCES.md, "trade/us-other-
goods-2024.csv": read them before using these rows; several are upper bounds.

Usage:
    python3 build_us_other_goods_2024.py           # write the CSV
    python3 build_us_other_goods_2024.py --check   # exit 1 if the committed CSV differs

Standard library only.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in data/
import datafile  # noqa: E402  (data/datafile.py: the write / --check command line)

CSV_NAME = "us-other-goods-2024.csv"

# ---------------------------------------------------------------------------
# The sectors taken out, per source, from the autos market's own inputs
# (data/trade/build_us_autos_2024.py, series A: US Commerce "auto" imports, customs value).
# https://opportimes.com/top-10-auto-exporters-to-the-united-states-in-2024
# ---------------------------------------------------------------------------
# Read from the autos builder itself, so one sourced number has one home.
from build_us_autos_2024 import A_CA_MUSD, A_JP_MUSD, A_KR_MUSD, A_MX_MUSD, A_TOTAL_MUSD  # noqa: E402
# The EU's cars in the autos market: Eurostat EUR 38.9 bn x 1.0824 (build_us_autos_2024.py).
EU_CARS_MUSD = round(38.9 * 1.0824 * 1000)

# ---------------------------------------------------------------------------
# Korea. Korean customs exports to the US, 2024: USD 127.8 bn (127.79), MOTIE / KITA, C in
# shared/research/deal-facts.md §3.4:
#   http://chinaview.cn/20250101/0ff671532b404056b5043e03c8e619ee/c.html
#   https://www.sakshipost.com/news/south-koreas-exports-rise-82-pc-2024-new-annual-record-363892
#   https://m.ajupress.com/view/20250106104256509
# A mirror statistic (Korea-reported, FOB) for a US import value; see SOURCES.md.
# ---------------------------------------------------------------------------
KR_EXPORTS_TO_US_BN = 127.8
# Auto parts to the US, 2024: USD 8.22 bn (KAICA, via KBS; deal-facts §4.2, S).
# http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=191172
KR_PARTS_BN = 8.22
# US steel and aluminium imports from Korea, 2024: 2.9 and 0.78 USD bn (US Commerce ITA data
# cited by CNBC, via Asia Economy, 2025-02-11).
# https://cm.asiae.co.kr/en/article/2025021105044987232
KR_STEEL_BN = 2.9
KR_ALUMINIUM_BN = 0.78

# ---------------------------------------------------------------------------
# Japan. Ministry of Finance, finalised 2024: exports to the US JPY 21.3 tn, of which
# automobiles and automobile parts JPY 7.2 tn.
#   https://www.nippon.com/en/japan-data/h02371/trump-tariffs-set-to-deal-heavy-blow-to-trade-partner-japan.html
#   (JPY 21.3 tn also: https://usfijitimes.org/trump-seeks-to-achieve-zero-balance-trade-equilibr)
# JPY per USD, 2024 average of the ECB cross rates: 151.43 (deal-facts §3.3, D; the embedded
# data set fx/jpy-usd-daily gives the same).
# ---------------------------------------------------------------------------
JP_EXPORTS_TO_US_JPY_TN = 21.3
JP_AUTOS_AND_PARTS_JPY_TN = 7.2
JPY_PER_USD_2024 = 151.43

# ---------------------------------------------------------------------------
# EU-27. Eurostat: EU exports of goods to the US in 2024, EUR 531.6 bn; of which "cars and other
# vehicles" 9.6% and "medicinal and pharmaceutical products" 22.5% (SITC shares).
#   https://thepoliticreview.com/u-s-trade-deficit-with-the-european-union-increased-to-over-215-billion-last-year
#   (EUR 531.6 bn also: https://www.mic-cust.com/mic-blog/posts/detail/ad/us-increases-trade-deficit-with-eu-as-trump-threatens-tariffs/
#    and https://fintechnews.site/us-trade-deficit-with-eu-hits-record-high-as-trump-prepares-tariffs)
# USD per EUR, 2024 average: 1.0824 (as in build_us_autos_2024.py).
# US steel imports from Germany, 2024: USD 1.9 bn (ITA via Asia Economy, above); no other EU
# member is in the ITA's top five for steel or aluminium.
# ---------------------------------------------------------------------------
EU_EXPORTS_TO_US_EUR_BN = 531.6
EU_VEHICLES_SHARE = 0.096
EU_PHARMA_SHARE = 0.225
USD_PER_EUR_2024 = 1.0824
EU_STEEL_BN = 1.9

# ---------------------------------------------------------------------------
# Every source. US goods imports in 2024: USD 3,295 bn (a record; balance-of-payments basis),
# Census Bureau / BEA, 2025-02-05, as quoted by the Coalition for a Prosperous America:
#   https://rejectfreetrade.com/?p=7979   ("$3.295 trillion")
#   https://wolfstreet.com/?p=101942      ("$3.30 trillion")
#   https://bea.gov/news/2025/us-international-trade-goods-and-services-december-and-annual-2024
# Steel and aluminium from the other top-five suppliers (ITA via Asia Economy, above): steel
# Canada 7.14, Mexico 3.5, Brazil 2.99; aluminium Canada 9.42, UAE 0.92, China 0.77, Bahrain 0.53.
# ---------------------------------------------------------------------------
US_GOODS_IMPORTS_BN = 3295.0
OTHER_STEEL_ALUMINIUM_BN = 7.14 + 3.5 + 2.99 + 9.42 + 0.92 + 0.77 + 0.53

# ---------------------------------------------------------------------------
# Domestic sales. The import share of US spending on goods, 0.2057, from the Yale Budget Lab's
# tariff model (config/global_assumptions.yaml; shared/research/models-and-oracles.md, case C-3,
# [src]). US producers' sales at home are imports x (1 - m) / m: an ASSUMPTION that the share of
# this market equals the economy-wide one (see SOURCES.md).
# ---------------------------------------------------------------------------
IMPORT_SHARE = 0.2057

# ---------------------------------------------------------------------------
# 2024 tariffs. KORUS: nearly all US tariffs on Korean goods eliminated by 2024 (0, as for cars).
# Everyone else: the average effective rate before the 2025 tariffs, USD 84 bn of duties on USD
# 4,283 bn of imports in the CBO baseline used by the Yale Budget Lab (models-and-oracles.md,
# Yale Tariff Model row, [src]): 84 / 4283 = 0.0196.
# ---------------------------------------------------------------------------
T_KR = 0.0
T_AVERAGE = 84.0 / 4283.0


def build():
    bn = 1000.0
    kr_total = KR_EXPORTS_TO_US_BN
    kr = kr_total - A_KR_MUSD / bn - KR_PARTS_BN - KR_STEEL_BN - KR_ALUMINIUM_BN

    jp_total = JP_EXPORTS_TO_US_JPY_TN * bn / JPY_PER_USD_2024
    jp = (JP_EXPORTS_TO_US_JPY_TN - JP_AUTOS_AND_PARTS_JPY_TN) * bn / JPY_PER_USD_2024

    eu_total = EU_EXPORTS_TO_US_EUR_BN * USD_PER_EUR_2024
    eu = eu_total * (1.0 - EU_VEHICLES_SHARE - EU_PHARMA_SHARE) - EU_STEEL_BN

    # The rest of the world: every other source (Mexico, Canada, China and the others), the total
    # less the three named sources' totals, less the passenger vehicles of series A not already in
    # the named sources and the steel and aluminium found for the other suppliers.
    # Series A's Japanese and EU cars are inside the Japanese and EU totals taken out above, so
    # only Mexico's, Canada's and the rest's remain in the residual.
    a_row = A_TOTAL_MUSD - A_MX_MUSD - A_JP_MUSD - A_KR_MUSD - A_CA_MUSD - EU_CARS_MUSD
    other_autos = (A_MX_MUSD + A_CA_MUSD + a_row) / bn
    row = US_GOODS_IMPORTS_BN - kr_total - jp_total - eu_total - other_autos - OTHER_STEEL_ALUMINIUM_BN
    assert row > 0.5 * US_GOODS_IMPORTS_BN, row

    imports = kr + jp + eu + row
    domestic = imports * (1.0 - IMPORT_SHARE) / IMPORT_SHARE

    rows = [
        ("domestic", domestic, 0.0),
        ("KR", kr, T_KR),
        ("JP", jp, T_AVERAGE),
        ("EU", eu, T_AVERAGE),
        ("ROW", row, T_AVERAGE),
    ]
    lines = ["source,base_value_usd_bn,base_tariff"]
    for name, value, tariff in rows:
        lines.append("%s,%.3f,%.4f" % (name, value, tariff))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(datafile.main(sys.argv, HERE, lambda: {CSV_NAME: build()}))
