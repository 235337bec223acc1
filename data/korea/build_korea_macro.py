#!/usr/bin/env python3
"""Rebuild data/korea/reserves-monthly.csv and data/korea/ara-inputs-2025.csv.

Korea's official foreign-exchange reserves at the end of each month of 2024
and 2025 (Bank of Korea, USD bn), and the inputs of the IMF ARA EM metric for
2025 (exports, broad money, short-term external debt, other liabilities) with
nominal GDP.

The numbers are transcribed from the published figures (news reports of the
BOK and MOEF releases, research/deal-facts.md sections 3.1, 3.3 and 3.4); each
carries its URL below and in the CSV. Values the research derived, and the
"other liabilities" assumption, are computed here from their inputs, so the
arithmetic is checked rather than typed. Status marks: S single source,
C confirmed by two or more, D derived here, A assumption (data/SOURCES.md).

Usage (from the repository root; standard library only):
    python3 data/korea/build_korea_macro.py           # write both CSVs
    python3 data/korea/build_korea_macro.py --check   # exit 1 if a committed CSV differs
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in data/
import datafile  # noqa: E402  (data/datafile.py: the write / --check command line)
RESERVES_CSV = "reserves-monthly.csv"
ARA_CSV = "ara-inputs-2025.csv"

# ---------------------------------------------------------------------------
# Reserves, end of month, USD bn (BOK releases, as reported).
# (month, value, status, URL of the report that gives it)
# ---------------------------------------------------------------------------
# End-2023, used only for the 2024 checks: 420.15 (businesskorea, below).
END_2023 = 420.15
# April 2024 release: 413.26 at end-April, "down 5.99 billion dollars ... from a month earlier".
APR_2024 = 413.26
APR_2024_FALL = 5.99
URL_APR_2024 = "http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=185292"
# December 2024 release: 415.6 at end-December, "up 210 million dollars from a month earlier"
# (KBS). WAM via urdupoint prints "$21 million"; the November release (econwatcher, 415.39) agrees
# with 210 million, so the "$21M" is a typo there.
DEC_2024 = 415.60
DEC_2024_RISE = 0.21
URL_DEC_2024 = "https://www.urdupoint.com/en/middle-east/koreas-foreign-reserves-hit-5-yr-low-in-dece-1903991.html"
URL_DEC_2024_KBS = "http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=190123"
NOV_2024 = 415.39
URL_NOV_2024 = "https://econwatcher.com/en/article-6756b4b57d58afddaf8a2a48.html"

RESERVES = [
    ("2024-01", 415.76, "S", "http://www.businesskorea.co.kr/news/articleView.html?idxno=210995"),
    # 2024-02: no figure found (research deal-facts §3.1 and §8 item 6): the row is omitted.
    ("2024-03", round(APR_2024 + APR_2024_FALL, 2), "D", URL_APR_2024),
    ("2024-04", APR_2024, "S", URL_APR_2024),
    ("2024-05", 412.83, "C/D", "https://en.amwalalghad.com/s-koreas-foreign-reserves-fall-by-430m-in-may"),
    ("2024-06", 412.21, "C", "http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=186432"),
    ("2024-07", 413.51, "C/D", "https://cm.asiae.co.kr/en/article/2024080216480143584"),
    ("2024-08", 415.92, "C", "https://cm.asiae.co.kr/en/article/2024090316523074929"),
    ("2024-09", 419.97, "C", "https://southkoreannetwork.com/2024/10/foreign-reserves-up-for-3rd-month-in.html"),
    # The research derived October (September - 4.28); the October release itself gives 415.69.
    (
        "2024-10",
        415.69,
        "C",
        "https://koreajoongangdaily.joins.com/news/2024-11-05/business/finance/Koreas-foreign-reserves-drop-in-October-as-strong-US-dollar-takes-its-toll/2170695",
    ),
    ("2024-11", NOV_2024, "C", URL_NOV_2024),
    ("2024-12", DEC_2024, "C", URL_DEC_2024),
    ("2025-01", 411.01, "C", "https://newsarenaindia.com/international/south-korea-s-foreign-reserves-hit-five-year-low/35720"),
    (
        "2025-02",
        409.21,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-03-06/business/finance/Koreas-foreign-reserves-hit-fresh-five-year-low-in-February/2255958",
    ),
    ("2025-03", 409.66, "C", "https://bignewsnetwork.com/news/278141955/s-korea-foreign-reserves-rebound-in-march"),
    ("2025-04", 404.67, "C", "https://english.news.cn/20250508/a94c1fd035a642dd8017d71c6374f1dd/c.html"),
    (
        "2025-05",
        404.60,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-06-05/business/finance/Koreas-foreign-reserves-fall-to-fresh-fiveyear-low-in-May-BOK-data-shows/2323322",
    ),
    (
        "2025-06",
        410.20,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-07-03/business/finance/Koreas-foreign-reserves-rise-for-1st-time-in-3-months-in-June-BOK/2344415",
    ),
    (
        "2025-07",
        411.33,
        "C/D",
        "https://koreajoongangdaily.joins.com/news/2025-08-05/business/economy/Koreas-foreign-reserves-up-for-2nd-month-in-July-despite-strong-dollar/2368619",
    ),
    (
        "2025-08",
        416.29,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-09-03/business/finance/Koreas-foreign-reserves-up-for-3rd-month-in-August-amid-weak-dollar/2390078",
    ),
    (
        "2025-09",
        422.02,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-10-10/business/finance/Foreign-reserves-up-for-4th-consecutive-month-in-Sept/2417251",
    ),
    (
        "2025-10",
        428.82,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-11-05/business/finance/Koreas-foreign-reserves-rise-to-nearly-3yr-high-in-October/2436927",
    ),
    (
        "2025-11",
        430.66,
        "C",
        "https://koreajoongangdaily.joins.com/news/2025-12-03/business/finance/Koreas-foreign-reserves-rise-to-over-3yr-high-in-November/2468599",
    ),
    (
        "2025-12",
        428.05,
        "C",
        "https://koreajoongangdaily.joins.com/news/2026-01-06/business/finance/Koreas-foreign-reserves-fall-for-1st-time-in-7-months-in-December-BOK/2493597",
    ),
]

# ---------------------------------------------------------------------------
# ARA EM inputs, 2025.
# ---------------------------------------------------------------------------
# Exports of goods, balance-of-payments basis, 2025, USD bn (BOK; research §3.2, C).
EXPORTS_GOODS_BOP_2025 = 718.94
URL_EXPORTS = "https://koreajoongangdaily.joins.com/news/2026-02-06/business/economy/Korea-logs-largest-annual-current-account-surplus-in-2025-BOK/2517766"
# M2, new definition (excluding beneficiary certificates), seasonally adjusted average, Nov 2025,
# trillion won (BOK; research §3.4, S).
M2_NOV_2025_KRW_TN = 4057.5
URL_M2 = "https://cm.asiae.co.kr/en/article/2026011411044307705"
# KRW per USD, BOK monthly average, Nov 2025 (research §3.3, S; the ECB cross gives 1,459.86).
# A monthly-average rate for a monthly-average stock.
KRW_PER_USD_NOV_2025 = 1460.4
URL_KRW_NOV = "https://biz.chosun.com/en/en-policy/2025/12/30/4S6DLFSVBFFIDAXH63TFFZSZNE/?outputType=amp"
# Short-term external debt (original maturity), end-2025 and end-2024, USD bn (MOEF; research §3.4).
STD_END_2025 = 179.0
STD_END_2024 = 146.5
URL_STD = "https://english.moef.go.kr/pc/selectTbPressCenterDtl.do?boardCd=N0001&seq=6356"
# MOEF's published ratios of short-term debt to reserves (same release): V4.
STD_RATIO_END_2025_PCT = 41.8
STD_RATIO_END_2024_PCT = 35.3
# Short-term external debt, end-Q2 2025, USD bn (MOEF quarterly series; research §3.4, S).
STD_END_Q2_2025 = 167.1
URL_STD_Q2 = "https://english.moef.go.kr/pc/selectTbPressCenterDtl.do?boardCd=N0001&seq=6231"
# External financial liabilities (IIP, all instruments), end-Q2 2025, USD bn (BOK; research §3.4, C).
IIP_LIABILITIES_END_Q2_2025 = 1651.4
URL_IIP = "https://biz.chosun.com/en/en-policy/2025/08/20/RUP3YZYK6JH5ZIPUWH3E7JD6MU/?outputType=amp"
# Nominal GDP 2024, USD bn ($1.868T; BOK; research §3.4, C). No 2025 USD figure in the research.
GDP_2024 = 1868.0
URL_GDP = "http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=191368"

# Research V5: 2025 change, intra-year low and high.
V5_CHANGE_2025 = 12.45


def reserves_rows():
    return [(m, v, s, u) for m, v, s, u in RESERVES]


def ara_rows(reserves_end_2025):
    broad_money_usd_bn = M2_NOV_2025_KRW_TN / KRW_PER_USD_NOV_2025 * 1000.0
    # ASSUMPTION (data/SOURCES.md): the portfolio split of Korea's external liabilities was not
    # found. Other liabilities are taken as all external financial liabilities less short-term debt
    # at the same date: an upper bound on portfolio equity + long-term portfolio debt, since it
    # also holds FDI, long-term loans, trade credit and derivatives.
    other_liabilities = IIP_LIABILITIES_END_Q2_2025 - STD_END_Q2_2025
    return [
        ("exports_goods_bop", "%.2f" % EXPORTS_GOODS_BOP_2025, "usd_bn", "2025", "C", "no", URL_EXPORTS),
        ("m2_krw", "%.1f" % M2_NOV_2025_KRW_TN, "krw_tn", "2025-11", "S", "no", URL_M2),
        ("krw_per_usd_nov_2025", "%.1f" % KRW_PER_USD_NOV_2025, "krw_per_usd", "2025-11", "S", "no", URL_KRW_NOV),
        ("broad_money", "%.2f" % broad_money_usd_bn, "usd_bn", "2025-11", "D", "yes", "m2_krw / krw_per_usd_nov_2025"),
        ("short_term_debt", "%.1f" % STD_END_2025, "usd_bn", "2025-12-31", "S", "no", URL_STD),
        ("external_liabilities", "%.1f" % IIP_LIABILITIES_END_Q2_2025, "usd_bn", "2025-06-30", "C", "no", URL_IIP),
        ("short_term_debt_q2", "%.1f" % STD_END_Q2_2025, "usd_bn", "2025-06-30", "S", "no", URL_STD_Q2),
        (
            "other_liabilities",
            "%.1f" % other_liabilities,
            "usd_bn",
            "2025-06-30",
            "A",
            "yes",
            "ASSUMPTION upper bound: external_liabilities - short_term_debt_q2 (portfolio split not found; see data/SOURCES.md)",
        ),
        ("gdp_nominal_2024", "%.1f" % GDP_2024, "usd_bn", "2024", "C", "no", URL_GDP),
        ("reserves", "%.2f" % reserves_end_2025, "usd_bn", "2025-12-31", "C", "no", RESERVES[-1][3]),
    ]


def validate():
    """The research's validation cases on these numbers (deal-facts §7 V4, V5)."""
    by_month = {m: v for m, v, _, _ in RESERVES}
    months = [m for m, _, _, _ in RESERVES]
    assert months == sorted(months) and len(set(months)) == len(months)
    assert "2024-02" not in by_month  # the gap stays a gap
    # March 2024 from the April release; November 2024 from the December release.
    assert by_month["2024-03"] == 419.25
    assert round(DEC_2024 - DEC_2024_RISE, 2) == NOV_2024
    # V4: short-term external debt / reserves, as MOEF published.
    assert round(100 * STD_END_2025 / by_month["2025-12"], 1) == STD_RATIO_END_2025_PCT
    assert round(100 * STD_END_2024 / by_month["2024-12"], 1) == STD_RATIO_END_2024_PCT
    # V5: the 2025 change, low and high.
    assert round(by_month["2025-12"] - by_month["2024-12"], 2) == V5_CHANGE_2025
    y2025 = {m: v for m, v in by_month.items() if m.startswith("2025")}
    assert min(y2025.items(), key=lambda kv: kv[1]) == ("2025-05", 404.60)
    assert max(y2025.items(), key=lambda kv: kv[1]) == ("2025-11", 430.66)
    # End-2024 against end-2023 (the Dec 2024 release: "a sharp decline from $420.15 billion").
    assert by_month["2024-12"] < END_2023
    return by_month


def build():
    by_month = validate()
    reserves = "month,reserves_usd_bn,status,source\n" + "".join(
        "%s,%.2f,%s,%s\n" % row for row in reserves_rows()
    )
    ara = "item,value,unit,date,status,derived,source\n" + "".join(
        ",".join(row) + "\n" for row in ara_rows(by_month["2025-12"])
    )
    for text in (reserves, ara):
        for line in text.splitlines():
            assert line.count(",") == text.splitlines()[0].count(","), line
    return {RESERVES_CSV: reserves, ARA_CSV: ara}


if __name__ == "__main__":
    sys.exit(datafile.main(sys.argv, HERE, build))
