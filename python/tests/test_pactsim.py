"""The pactsim Python package as its users call it: results equal to the command line's, the
DataFrames' shape, overrides, bad input, progress, Ctrl-C, and the notebook example.

Run by scripts/python-test in a fresh virtual environment with the package installed from the
checkout. With PACTSIM_BIN set (scripts/test sets it to the release binary), results are also
compared with the binary's own output; without it, with the golden files it is tested against.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import pactsim

REPO = Path(__file__).resolve().parents[2]
DEALS = sorted((REPO / "deals").glob("*.toml"))
GOLDEN = REPO / "crates" / "pactsim-cli" / "tests" / "golden"
BAD = sorted((GOLDEN / "bad").glob("*.toml"))
PACTSIM_BIN = os.environ.get("PACTSIM_BIN")

# A deal with nothing random, no trade side and no currency: one project of 10 paying 2 a year.
SMALL = """schema = 1
[deal]
id = "t"
title = "A title"
investor = "KR"
host = "US"
start = 2026-01-01
horizon_years = 10
[[facility]]
id = "f"
commitment_usd_bn = 10.0
waterfall = "w"
[waterfall.w]
tiers = [ { investor = 1.0, host = 0.0 } ]
[[project]]
id = "p"
facility = "f"
selected = 2026-03-02
size_usd_bn = 10.0
cash_flows_usd_bn = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
"""


def cli(*args: str) -> str:
    done = subprocess.run([PACTSIM_BIN, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout


def golden_run(deal: Path) -> str:
    return (GOLDEN / "runs" / f"{deal.stem}.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def korea() -> pactsim.Result:
    """The Korea MOU (trade side, FX, reserves, the stability clause), kept paths and all."""
    return pactsim.run(REPO / "deals" / "kr-us-2025-mou.toml", paths=600, seed=5, keep_paths=True, progress=False)


# --- results equal the command line's ----------------------------------------------------------


@pytest.mark.parametrize("deal", DEALS, ids=[d.stem for d in DEALS])
def test_summary_equals_the_cli_json_for_every_library_deal(deal: Path) -> None:
    result = pactsim.run(deal, paths=2000, seed=7, progress=False)
    expected = golden_run(deal)
    assert result.summary == json.loads(expected)
    assert result.json + "\n" == expected, "the same bytes as `pactsim run --json`"
    if PACTSIM_BIN:
        printed = cli("run", str(deal), "--paths", "2000", "--seed", "7", "--json")
        assert result.json + "\n" == printed


def test_the_same_bytes_on_one_thread_as_on_all() -> None:
    code = (
        "import pactsim, sys; "
        "sys.stdout.write(pactsim.run('kr-us-2025-kr-offer', paths=1000, seed=11, progress=False).json)"
    )
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    one = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert one.stdout == pactsim.run("kr-us-2025-kr-offer", paths=1000, seed=11, progress=False).json


def test_a_deal_is_a_path_a_text_or_a_library_id() -> None:
    file = REPO / "deals" / "kr-us-2025-us-ask.toml"
    by_path = pactsim.run(file, paths=256, seed=1, progress=False).json
    assert pactsim.run(str(file), paths=256, seed=1, progress=False).json == by_path
    assert pactsim.run(file.read_text(encoding="utf-8"), paths=256, seed=1, progress=False).json == by_path
    assert pactsim.run("kr-us-2025-us-ask", paths=256, seed=1, progress=False).json == by_path
    with pytest.raises(FileNotFoundError, match="kr-us-2025-mou"):
        pactsim.run("kr-us-2025-mu", paths=10)


def test_the_library_is_the_deals_folder() -> None:
    library = pactsim.library()
    assert [d["id"] for d in library] == [d.stem for d in DEALS]
    for entry, file in zip(library, DEALS):
        assert entry["text"] == file.read_text(encoding="utf-8")
        assert entry["title"] and isinstance(entry["title"], str)


def test_the_seed_and_paths_default_to_the_deals_run_section() -> None:
    result = pactsim.run(SMALL, progress=False)
    described = pactsim.check(SMALL)
    assert (result.summary["seed"], result.summary["paths"]) == (described["seed"], described["paths"])
    assert result.summary["deterministic"] is True


# --- DataFrames ---------------------------------------------------------------------------------


def test_totals_is_one_row_per_figure_with_the_statistics(korea: pactsim.Result) -> None:
    totals = korea.totals
    assert list(totals.columns) == ["mean", "mean_se", "p5", "p50", "p95", "defined_share"]
    assert (totals.dtypes == "float64").all()
    assert totals.index.name == "figure"
    stats = {k: v for k, v in korea.summary["totals"].items() if isinstance(v, dict)}
    assert list(stats) == [f for f in totals.index if not f.endswith("_share")]
    for figure, stat in stats.items():
        for statistic in ["mean", "mean_se", "p5", "p50", "p95"]:
            expected = stat[statistic]
            got = totals.loc[figure, statistic]
            assert (math.isnan(got) if expected is None else got == expected), (figure, statistic)
        assert totals.loc[figure, "defined_share"] == stat.get("defined_share", 1.0)
    assert totals.loc["recouped_share", "mean"] == korea.summary["totals"]["recouped_share"]
    assert "deal_npv" in totals.index, "the Korea MOU has a trade side"


def test_years_is_one_row_per_year_and_a_column_per_figure_and_statistic(korea: pactsim.Result) -> None:
    years = korea.years
    rows = korea.summary["years"]
    assert years.index.name == "year"
    assert years.index.dtype == "int64"
    assert list(years.index) == [row["year"] for row in rows]
    figures = [k for k in rows[0] if k != "year"]
    assert "tariff_relief" in figures
    statistics = ["mean", "mean_se", "p5", "p50", "p95"]
    assert list(years.columns) == [f"{f}_{s}" for f in figures for s in statistics]
    assert (years.dtypes == "float64").all()
    assert years.loc[rows[3]["year"], "investor_paid_p95"] == rows[3]["investor_paid"]["p95"]


def test_facilities_months_and_trade(korea: pactsim.Result) -> None:
    facilities = korea.facilities
    assert list(facilities.index) == [f["id"] for f in korea.summary["facilities"]]
    assert facilities.index.name == "id"
    assert facilities["paid_mean"].dtype == "float64"
    assert facilities["commitment_usd_bn"].dtype == "float64"
    assert facilities.loc["strategic", "paid_mean"] == korea.summary["facilities"][0]["paid"]["mean"]

    months = korea.months
    assert isinstance(months.index, pd.PeriodIndex) and months.index.freqstr == "M"
    assert len(months) == len(korea.summary["fx"]["months"])
    for figure in ["rate", "reserves_usd_bn", "ara_ratio"]:
        assert months[f"{figure}_mean"].dtype == "float64"
    first = korea.summary["reserves"]["months"][0]
    assert months.iloc[0]["reserves_usd_bn_p50"] == first["reserves_usd_bn"]["p50"]

    trade = korea.trade
    assert trade.index.names == ["market", "scenario", "source"]
    markets = korea.summary["trade"]["markets"]
    assert [m["id"] for m in markets] == ["cars", "other-goods"]
    assert len(trade) == sum(len(s["sources"]) for m in markets for s in m["scenarios"].values())
    for column in ["tariff", "base_value_usd_bn", "base_tariff", "value_usd_bn_mean", "duties_usd_bn_p95"]:
        assert trade[column].dtype == "float64", column
    for market in markets:
        investor = market["investor"]
        assert trade.loc[(market["id"], "deal", investor), "tariff"] == market["tariffs"]["deal"][investor]


def test_a_deal_without_a_currency_or_trade_has_no_months_or_trade() -> None:
    result = pactsim.run(SMALL, paths=10, progress=False)
    assert result.months is None and result.trade is None
    assert result.totals.loc["investor_paid", "mean"] == 10.0
    assert "deal_npv" not in result.totals.index


def test_paths_are_every_paths_figures_through_arrow(korea: pactsim.Result) -> None:
    batch = korea.paths_arrow()
    assert isinstance(batch, pa.RecordBatch)
    assert batch.num_rows == 600
    assert batch.schema.field("path").type == pa.uint64()
    assert all(field.type == pa.float64() for field in batch.schema if field.name != "path")

    frame = korea.paths()
    assert frame.index.name == "path"
    assert list(frame.index) == list(range(600))
    assert (frame.dtypes == "float64").all()
    start = int(korea.summary["years"][0]["year"])
    assert frame.columns[0] == "investor_paid"
    assert f"investor_paid_{start}" in frame.columns and "reserves_breach" in frame.columns
    # The Stats are of these very values: the median of 600 values is the mean of the middle two.
    npv = frame["investor_npv"].to_numpy()
    assert np.median(npv) == korea.totals.loc["investor_npv", "p50"]
    assert math.isclose(npv.mean(), korea.totals.loc["investor_npv", "mean"], rel_tol=1e-12)
    # A figure that does not exist on a path is null in Arrow and NaN in pandas.
    irr = batch.column(batch.schema.get_field_index("investor_irr"))
    assert irr.null_count == frame["investor_irr"].isna().sum()
    share = korea.totals.loc["investor_irr", "defined_share"]
    assert frame["investor_irr"].notna().mean() == pytest.approx(share)


def test_paths_without_keep_paths_run_again_and_give_the_same_figures(korea: pactsim.Result) -> None:
    again = pactsim.run(REPO / "deals" / "kr-us-2025-mou.toml", paths=600, seed=5, progress=False)
    assert again._kept is None
    pd.testing.assert_frame_equal(again.paths(), korea.paths())


@pytest.mark.skipif(not PACTSIM_BIN, reason="needs PACTSIM_BIN (scripts/test sets it)")
def test_paths_equal_the_clis_kept_paths_bit_for_bit(tmp_path: Path) -> None:
    file = tmp_path / "paths.csv"
    cli("run", "deals/jp-us-2025-mou.toml", "--paths", "300", "--seed", "2", "--keep-paths", str(file))
    rows = list(csv.reader(io.StringIO(file.read_text())))
    frame = pactsim.run("jp-us-2025-mou", paths=300, seed=2, progress=False).paths()
    assert rows[0] == ["path", *frame.columns]
    expected = np.array([[float(x) if x else math.nan for x in row[1:]] for row in rows[1:]])
    assert np.array_equal(frame.to_numpy(), expected, equal_nan=True)


# --- overrides -----------------------------------------------------------------------------------


def test_overrides_are_applied_recorded_and_reproduce_a_run() -> None:
    deal = REPO / "deals" / "kr-us-2025-mou.toml"
    result = pactsim.run(
        deal, paths=300, seed=3, set={"facility.strategic.annual_cap_usd_bn": 25}, unset=["stability"], progress=False
    )
    assert result.summary["overrides"] == ["facility.strategic.annual_cap_usd_bn=25", "!stability"]
    described = pactsim.check(deal, set={"facility.strategic.annual_cap_usd_bn": 25}, unset=["stability"])
    assert described["facilities"][0]["annual_cap_usd_bn"] == 25.0
    assert described["stability"] is False and pactsim.check(deal)["stability"] is True
    again = pactsim.run(deal, paths=300, seed=3, overrides=result.summary["overrides"], progress=False)
    assert again.json == result.json
    if PACTSIM_BIN:
        printed = cli(
            "run", str(deal), "--paths", "300", "--seed", "3", "--json",
            "--set", "facility.strategic.annual_cap_usd_bn=25", "--unset", "stability",
        )
        assert result.json + "\n" == printed


def test_an_override_to_the_files_own_value_changes_no_figure() -> None:
    plain = pactsim.run("kr-us-2025-us-ask", paths=256, seed=4, progress=False).summary
    same = pactsim.run("kr-us-2025-us-ask", paths=256, seed=4, set={"run.paths": 256}, progress=False).summary
    assert same.pop("overrides") == ["run.paths=256"]
    plain.pop("overrides")
    assert same == plain


def test_python_values_become_toml_values() -> None:
    toml = pactsim._toml
    assert [toml(25), toml(0.5), toml(True), toml(1e-7), toml(float("inf"))] == ["25", "0.5", "true", "1e-07", "inf"]
    assert toml(np.float64(0.25)) == "0.25" and toml(np.int64(3)) == "3"
    import datetime

    assert toml(datetime.date(2029, 1, 19)) == "2029-01-19"
    assert toml("gbm") == "gbm", "a string is TOML text, as after --set KEY="
    assert toml({"business_days": 30}) == "{ business_days = 30 }"
    assert toml([{"investor": 0.5, "host": 0.5}, "x"]) == '[{ investor = 0.5, host = 0.5 }, "x"]'
    with pytest.raises(TypeError):
        toml(object())


def test_a_bad_override_is_a_deal_error_pointing_at_the_override() -> None:
    with pytest.raises(pactsim.DealError) as caught:
        pactsim.run("kr-us-2025-mou", paths=10, set={"facility.strategic.anual_cap_usd_bn": 25})
    [d] = caught.value.diagnostics
    assert (d["origin"], d["override"], d["file"]) == ("override", "facility.strategic.anual_cap_usd_bn=25", None)
    assert d["hint"] == "did you mean `facility.strategic.annual_cap_usd_bn`?"
    assert "in override facility.strategic.anual_cap_usd_bn=25" in str(caught.value)

    with pytest.raises(pactsim.DealError) as caught:
        pactsim.check("kr-us-2025-mou", set={"facility.strategic.annual_cap_usd_bn": -5})
    [d] = caught.value.diagnostics
    assert d["origin"] == "override" and d["field"] == 'facility["strategic"].annual_cap_usd_bn'
    with pytest.raises(ValueError, match="KEY=VALUE"):
        pactsim.run("kr-us-2025-mou", overrides=["no-equals-sign"])


# --- bad input -----------------------------------------------------------------------------------


def expected_problems(case: Path) -> list[str]:
    """`line:column: message` of each problem in the CLI's golden message for a bad deal file."""
    prefix = f"error: {case.name}:"
    stderr = case.with_suffix(".stderr").read_text(encoding="utf-8")
    return [line[len(prefix):] for line in stderr.splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("case", BAD, ids=[c.stem for c in BAD])
def test_every_bad_deal_file_raises_deal_error_with_the_clis_diagnostics(case: Path) -> None:
    with pytest.raises(pactsim.DealError) as caught:
        pactsim.check(case)
    error = caught.value
    assert isinstance(error, ValueError)
    found = [f"{d['line']}:{d['column']}: {d['message']}" for d in error.diagnostics]
    assert found == expected_problems(case)
    for d in error.diagnostics:
        assert d["origin"] == "file" and d["file"] == str(case)
        assert set(d) >= {"line", "column", "field", "message", "hint", "found", "expected", "text"}
    assert str(error).startswith(f"{case} is not a valid deal file")
    with pytest.raises(pactsim.DealError):
        pactsim.run(case.read_text(encoding="utf-8"), paths=10)


def test_bad_parameters_are_value_or_type_errors() -> None:
    for bad in [dict(paths=0), dict(paths="many"), dict(seed=-1), dict(paths="auto", tolerance=0.0)]:
        with pytest.raises(ValueError):
            pactsim.run(SMALL, **bad)
    with pytest.raises(TypeError):
        pactsim.run(SMALL, paths=2.5)
    with pytest.raises(TypeError):
        pactsim.run(SMALL, unset="stability")


def test_a_deal_error_survives_pickling() -> None:
    import pickle

    with pytest.raises(pactsim.DealError) as caught:
        pactsim.check(BAD[0])
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.diagnostics == caught.value.diagnostics and str(copy) == str(caught.value)


# --- running: auto, progress, the GIL, Ctrl-C ----------------------------------------------------


def test_an_auto_run_records_how_it_stopped() -> None:
    result = pactsim.run("kr-us-2025-us-ask", paths="auto", tolerance=1e-9, max_paths=1024, seed=1, progress=False)
    assert result.summary["paths"] == 1024
    assert result.summary["convergence"]["reached"] is False
    assert len(result.paths()) == 1024


def test_progress_reports_to_a_callable_and_its_exception_stops_the_run() -> None:
    seen: list[tuple[int, int | None]] = []
    pactsim.run("kr-us-2025-us-ask", paths=5000, seed=1, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5000, 5000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)

    def fail(done: int, total: int | None) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        pactsim.run("kr-us-2025-us-ask", paths=5000, seed=1, progress=fail)


def test_progress_true_draws_a_bar() -> None:
    pytest.importorskip("tqdm")
    result = pactsim.run(SMALL, paths=5, progress=True)
    assert result.summary["paths"] == 5


def test_a_run_releases_the_gil() -> None:
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    started = time.monotonic()
    pactsim.run("kr-us-2025-mou", paths=8192, seed=1, progress=False)
    elapsed = time.monotonic() - started
    stop.set()
    counter.join()
    # Holding the GIL for the whole run would leave the counter at one tick or two.
    assert ticks >= 20, (ticks, elapsed)


def test_ctrl_c_stops_a_long_run_within_a_second() -> None:
    sent: list[float] = []

    def interrupt() -> None:
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(1.5, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            pactsim.run("kr-us-2025-mou", paths=50_000_000, seed=1, progress=False)
        returned = time.monotonic()
    finally:
        timer.cancel()
    assert sent, "the run ended before the interrupt"
    assert returned - sent[0] < 1.0, f"control came back {returned - sent[0]:.2f} s after Ctrl-C"
    # The engine is left usable.
    assert pactsim.run(SMALL, paths=10, progress=False).summary["paths"] == 10


def test_ctrl_c_stops_a_long_analysis() -> None:
    # A comparison of 2 × 50 million paths would run for hours: only the interrupt ends it.
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            pactsim.compare(["kr-us-2025-mou", "kr-us-2025-us-ask"], paths=50_000_000, seed=1)
    finally:
        timer.cancel()
    # The engine is left usable.
    assert len(pactsim.compare([SMALL, SMALL], paths=10).deals) == 2


# --- the notebook example ------------------------------------------------------------------------


def test_the_notebook_example_runs(tmp_path: Path) -> None:
    out = tmp_path / "cumulative-cash.png"
    env = dict(os.environ, PACTSIM_EXAMPLE_OUT=str(out), PACTSIM_NO_PROGRESS="1")
    subprocess.run([sys.executable, str(REPO / "docs" / "python-example.py")], cwd=REPO, env=env, check=True)
    assert out.read_bytes().startswith(b"\x89PNG")
