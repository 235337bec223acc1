#!/usr/bin/env python3
"""Rebuild data/japan/reserves.csv: Japan's official reserve assets (Ministry of
Finance), USD bn, at the few month-ends the research found (research/deal-facts.md
section 3.7). For comparison with Korea: Japan's $550bn pledge against its reserves.

Each value carries the URL it was read from; the one derived value (March 2025)
is computed here. Values keep the precision of their source. Status marks:
S single source, D derived here (data/SOURCES.md).

Usage (from the repository root; standard library only):
    python3 data/japan/build_japan_reserves.py           # write the CSV
    python3 data/japan/build_japan_reserves.py --check   # exit 1 if the committed CSV differs
"""

import decimal
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in data/
import datafile  # noqa: E402  (data/datafile.py: the write / --check command line)

CSV_NAME = "reserves.csv"

D = decimal.Decimal

# End-July 2024: $1,219.1bn, reported in a Korean reserves article (Japan ranked 2nd).
JUL_2024 = D("1219.1")
URL_JUL_2024 = "https://cm.asiae.co.kr/en/article/2024090316523074929"
# End-February 2025: MOF template, "reserve assets totaled $1,253,281 million".
FEB_2025 = D("1253.281")
URL_FEB_2025 = "https://thedollarhub.com/?p=34388"
# End-March 2025: "$1.27 trillion as of March 2025, marking a $19.2 billion monthly increase
# from February" (MOF figures as reported). Derived as February + 19.2, which the source's
# rounded $1.27T confirms.
MAR_2025_RISE = D("19.2")
MAR_2025_ROUNDED_TN = D("1.27")
URL_MAR_2025 = "https://www.ainvest.com/news/japan-foreign-reserves-surge-1-27-trillion-glimpse-global-liquidity-strategy-2505"
# About September 2025: "approximately $1341 billion ... as of September 2025" (an educational
# site, not MOF; approximate in both value and month).
SEP_2025 = D("1341")
URL_SEP_2025 = "https://the-basis-point.netlify.app/3.2"


def build():
    mar_2025 = FEB_2025 + MAR_2025_RISE
    assert round(mar_2025 / 1000, 2) == MAR_2025_ROUNDED_TN, mar_2025
    # Keep the precision of the rise (0.1bn), not of February's figure.
    mar_2025 = mar_2025.quantize(D("0.1"))
    rows = [
        ("2024-07", JUL_2024, "S", URL_JUL_2024, ""),
        ("2025-02", FEB_2025, "S", URL_FEB_2025, "MOF template: $1253281 million"),
        ("2025-03", mar_2025, "D", URL_MAR_2025, "February + 19.2 monthly rise; source rounds to $1.27T"),
        ("2025-09", SEP_2025, "S", URL_SEP_2025, "approximate in value and month; not MOF; verify"),
    ]
    lines = ["month,reserves_usd_bn,status,source,note"]
    for month, value, status, url, note in rows:
        assert "," not in url + note
        lines.append("%s,%s,%s,%s,%s" % (month, value, status, url, note))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(datafile.main(sys.argv, HERE, lambda: {CSV_NAME: build()}))
