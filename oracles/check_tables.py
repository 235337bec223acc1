#!/usr/bin/env python3
"""Check `pactsim run --out DIR --format xlsx|parquet` against `--format csv` and summary.json, read
back with openpyxl and pyarrow as a user's spreadsheet or data frame would (docs/output.md).

For each library deal, one seed and path count, three runs (csv, xlsx, parquet):

1. the same tables in each format: CSV files = workbook sheets (after `about`) = Parquet files,
   in the same order, with the same column names;
2. every cell equal: numbers as numbers (a CSV number's float equals the sheet's and the
   Parquet column's, exactly), empty CSV cells are empty cells and nulls, text equal, years whole;
3. each sheet's header row is bold and frozen (panes at A2); the `about` sheet names the deal,
   version, seed and paths; each Parquet file's metadata names them too;
4. the tables are the JSON's: totals rows (mean, p5, p50, p95, defined_share) = summary.json's
   totals; years rows = years[] (every figure's mean, p5, p50, p95); summary.json is byte-equal
   across the three runs.

Usage: PACTSIM_BIN=target/release/pactsim "$(scripts/oracle-venv)" oracles/check_tables.py
Exit 0 all agree, 1 a mismatch, 2 could not run.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile

import openpyxl
import pyarrow.parquet as pq

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEALS = ["deals/kr-us-2025-mou.toml", "deals/kr-us-2025-us-ask.toml", "deals/kr-us-2025-kr-offer.toml",
         "deals/jp-us-2025-mou.toml"]
ORDER = ["totals", "years", "facilities", "projects", "months", "trade"]


def run(binary: str, deal: str, out: str, fmt: str) -> None:
    subprocess.run([binary, "run", deal, "--paths", "300", "--seed", "13", "--out", out, "--format", fmt],
                   cwd=REPO, check=True, capture_output=True, text=True, timeout=600)


def same(csv_cell: str, other) -> bool:
    if csv_cell == "":
        return other is None or other == ""
    try:
        number = float(csv_cell)
    except ValueError:
        return other == csv_cell
    if isinstance(other, bool) or not isinstance(other, (int, float)):
        return False
    return float(other) == number


def main() -> int:
    binary = os.environ.get("PACTSIM_BIN") or os.path.join(REPO, "target/release/pactsim")
    if not os.path.exists(binary):
        print(f"check_tables: no pactsim binary at {binary} (set PACTSIM_BIN)", file=sys.stderr)
        return 2
    problems: list[str] = []
    cells = 0
    with tempfile.TemporaryDirectory() as tmp:
        for deal in DEALS:
            name = os.path.splitext(os.path.basename(deal))[0]
            dirs = {fmt: os.path.join(tmp, name, fmt) for fmt in ("csv", "xlsx", "parquet")}
            for fmt, out in dirs.items():
                run(binary, deal, out, fmt)
            summaries = [open(os.path.join(d, "summary.json"), "rb").read() for d in dirs.values()]
            if len(set(summaries)) != 1:
                problems.append(f"{name}: summary.json differs between formats")
            doc = json.loads(summaries[0])

            tables = [t for t in ORDER if os.path.exists(os.path.join(dirs["csv"], f"{t}.csv"))]
            extra = sorted(set(f[:-4] for f in os.listdir(dirs["csv"]) if f.endswith(".csv")) - set(tables))
            if extra:
                problems.append(f"{name}: unexpected CSV tables {extra}")
            book = openpyxl.load_workbook(os.path.join(dirs["xlsx"], "tables.xlsx"))
            if book.sheetnames != ["about", *tables]:
                problems.append(f"{name}: sheets {book.sheetnames}, CSV tables {tables}")
            about = {r[0]: r[1] for r in book["about"].iter_rows(min_row=2, values_only=True)}
            for key, value in [("deal", doc["deal"]), ("pactsim", doc["version"]), ("seed", doc["seed"]),
                               ("paths", doc["paths"])]:
                if about.get(key) != value:
                    problems.append(f"{name}: about sheet {key} = {about.get(key)!r}, JSON {value!r}")
            parquet_files = sorted(f[:-8] for f in os.listdir(dirs["parquet"]) if f.endswith(".parquet"))
            if parquet_files != sorted(tables):
                problems.append(f"{name}: Parquet files {parquet_files}, CSV tables {tables}")

            for table in tables:
                with open(os.path.join(dirs["csv"], f"{table}.csv"), newline="") as f:
                    rows = list(csv.reader(f))
                header, body = rows[0], rows[1:]
                if table not in book.sheetnames:
                    continue
                sheet = book[table]
                sheet_rows = list(sheet.iter_rows(values_only=True))
                if list(sheet_rows[0]) != header:
                    problems.append(f"{name}/{table}: sheet header {sheet_rows[0]} vs CSV {header}")
                if sheet.freeze_panes != "A2":
                    problems.append(f"{name}/{table}: panes frozen at {sheet.freeze_panes}")
                if not all(c.font.b for c in sheet[1]):
                    problems.append(f"{name}/{table}: header not bold")
                if len(sheet_rows) - 1 != len(body):
                    problems.append(f"{name}/{table}: {len(sheet_rows) - 1} sheet rows, {len(body)} CSV rows")
                pt = pq.read_table(os.path.join(dirs["parquet"], f"{table}.parquet"))
                meta = {k.decode(): v.decode() for k, v in (pt.schema.metadata or {}).items()}
                if meta.get("pactsim.deal") != doc["deal"] or meta.get("pactsim.seed") != str(doc["seed"]):
                    problems.append(f"{name}/{table}: Parquet metadata {meta}")
                if pt.column_names != header:
                    problems.append(f"{name}/{table}: Parquet columns {pt.column_names} vs CSV {header}")
                columns = pt.to_pydict()
                for r, row in enumerate(body):
                    sheet_row = sheet_rows[r + 1] if r + 1 < len(sheet_rows) else ()
                    for c, cell in enumerate(row):
                        in_sheet = sheet_row[c] if c < len(sheet_row) else None
                        in_parquet = columns[header[c]][r] if header[c] in columns else "missing"
                        if not same(cell, in_sheet):
                            problems.append(f"{name}/{table} row {r + 2} {header[c]}: CSV {cell!r}, xlsx {in_sheet!r}")
                        if not same(cell, in_parquet):
                            problems.append(f"{name}/{table} row {r + 2} {header[c]}: CSV {cell!r}, Parquet {in_parquet!r}")
                        cells += 1

            # The tables are the JSON's.
            with open(os.path.join(dirs["csv"], "totals.csv"), newline="") as f:
                for row in csv.DictReader(f):
                    figure = row["figure"]
                    value = doc["totals"].get(figure)
                    if isinstance(value, dict):
                        for part in ("mean", "p5", "p50", "p95", "defined_share"):
                            if not same(row[part], value.get(part)):
                                problems.append(f"{name}/totals {figure} {part}: CSV {row[part]!r}, JSON {value.get(part)!r}")
                    elif not same(row["mean"], value):
                        problems.append(f"{name}/totals {figure}: CSV {row['mean']!r}, JSON {value!r}")
            with open(os.path.join(dirs["csv"], "years.csv"), newline="") as f:
                years = list(csv.DictReader(f))
            if len(years) != len(doc["years"]):
                problems.append(f"{name}/years: {len(years)} rows, JSON {len(doc['years'])}")
            for row, year in zip(years, doc["years"]):
                if int(row["year"]) != year["year"]:
                    problems.append(f"{name}/years: year {row['year']} vs {year['year']}")
                for figure, stat in year.items():
                    if figure == "year":
                        continue
                    for part in ("mean", "p5", "p50", "p95"):
                        if not same(row.get(f"{figure}_{part}", "missing"), stat[part]):
                            problems.append(f"{name}/years {year['year']} {figure}_{part}")
            print(f"  {name}: {len(tables)} tables")
    for p in problems[:40]:
        print("MISMATCH", p)
    print(f"check_tables: {len(DEALS)} deals, {cells} cells compared in three formats, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
