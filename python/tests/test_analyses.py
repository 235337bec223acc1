"""pactsim.compare, pactsim.sensitivity and pactsim.frontier: the document equals the command
line's ``--json`` output for the same arguments (with PACTSIM_BIN set), the DataFrames' columns,
and bad input raises."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import pactsim

REPO = Path(__file__).resolve().parents[2]
KOREA = str(REPO / "deals" / "kr-us-2025-mou.toml")
US_ASK = str(REPO / "deals" / "kr-us-2025-us-ask.toml")
OFFER = str(REPO / "deals" / "kr-us-2025-kr-offer.toml")
PACTSIM_BIN = os.environ.get("PACTSIM_BIN")
STATISTICS = ["mean", "mean_se", "p5", "p50", "p95", "defined_share"]


def cli_json(*args: str) -> dict:
    command = [PACTSIM_BIN, *args, "--json"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def comparison() -> pactsim.Comparison:
    return pactsim.compare(
        [KOREA, US_ASK],
        variants={"no clause": {"unset": ["stability"]}},
        paths=256,
        seed=11,
        set={"run.discount_rate.investor": 0.06},
    )


def test_compare_document_equals_the_cli(comparison: pactsim.Comparison) -> None:
    assert comparison.document["kind"] == "compare"
    assert [d["label"] for d in comparison.document["deals"]][-1] == "no clause"
    if PACTSIM_BIN:
        expected = cli_json(
            "compare", KOREA, US_ASK, "--variant", "no clause: --unset stability",
            "--paths", "256", "--seed", "11", "--set", "run.discount_rate.investor=0.06",
        )
        assert comparison.document == expected


def test_compare_tables(comparison: pactsim.Comparison) -> None:
    labels = [d["label"] for d in comparison.document["deals"]]
    assert list(comparison.deals.index) == labels
    assert list(comparison.deals.columns) == ["deal", "file", "title", "committed_usd_bn", "overrides"]
    totals = comparison.totals
    assert totals.index.names == ["label", "figure"]
    assert list(totals.columns) == STATISTICS
    first = comparison.document["deals"][0]["totals"]
    assert totals.loc[(labels[0], "deal_npv"), "mean"] == first["deal_npv"]["mean"]
    differences = comparison.differences
    assert differences.index.names == ["deal", "versus", "figure"]
    assert list(differences.columns) == ["mean", "se", "defined_share"]
    assert set(differences.index.get_level_values("deal")) == set(labels[1:])


def test_compare_bad_input_raises() -> None:
    with pytest.raises(pactsim.DealError) as caught:
        pactsim.compare([KOREA, US_ASK], paths=8, set={"facility.strategic.annual_cap_usd_bn": -1})
    assert caught.value.diagnostics[0]["origin"] == "override"
    with pytest.raises(pactsim.DealError):
        pactsim.compare([KOREA], variants={"bad": {"set": {"no.such.key": 1}}}, paths=8)
    with pytest.raises(ValueError):
        pactsim.compare([], paths=8)
    with pytest.raises(TypeError):
        pactsim.compare([KOREA], variants={"bad": {"sett": {}}}, paths=8)


def test_tornado(tmp_path: Path) -> None:
    tornado = pactsim.sensitivity(
        KOREA, method="tornado", ranges={"run.discount_rate.investor": (0.03, 0.07)}, paths=64, seed=9
    )
    assert isinstance(tornado, pactsim.Tornado)
    if PACTSIM_BIN:
        expected = cli_json(
            "sensitivity", KOREA, "--method", "tornado", "--range", "run.discount_rate.investor=0.03..0.07",
            "--paths", "64", "--seed", "9",
        )
        assert tornado.document == expected
    inputs = tornado.inputs
    assert inputs.index.name == "key"
    assert list(inputs.columns) == [
        "source", "distribution", "low_value", "low_mean", "low_se",
        "high_value", "high_mean", "high_se", "swing", "swing_se",
    ]
    assert list(inputs.index) == [i["key"] for i in tornado.document["inputs"]]
    assert inputs.loc["run.discount_rate.investor", "high_value"] == 0.07


def test_sobol_and_its_design() -> None:
    inputs = {"run.discount_rate.investor": (0.03, 0.07), "pipeline.strategic.irr": None}
    sobol = pactsim.sensitivity(KOREA, method="sobol", n=4, inputs=inputs, paths=32, seed=5)
    assert isinstance(sobol, pactsim.Sobol)
    if PACTSIM_BIN:
        expected = cli_json(
            "sensitivity", KOREA, "--method", "sobol", "--n", "4",
            "--input", "run.discount_rate.investor=0.03..0.07", "--input", "pipeline.strategic.irr",
            "--paths", "32", "--seed", "5",
        )
        assert sobol.document == expected
    indices = sobol.indices
    assert list(indices.index) == ["run.discount_rate.investor", "pipeline.strategic.irr"]
    assert list(indices.columns) == [
        "low", "high", "first_order", "first_order_low", "first_order_high", "total", "total_low", "total_high",
    ]
    design = sobol.design
    assert list(design.columns) == ["run.discount_rate.investor", "pipeline.strategic.irr", "deal_npv"]
    assert len(design) == sobol.document["evaluations"] == 16


def test_frontier() -> None:
    vary = {"facility.strategic.annual_cap_usd_bn": (10, 40), "run.discount_rate.host": (0.03, 0.06)}
    frontier = pactsim.frontier(KOREA, vary=vary, points=8, mark=[US_ASK], paths=40, seed=3)
    if PACTSIM_BIN:
        expected = cli_json(
            "frontier", KOREA, "--vary", "facility.strategic.annual_cap_usd_bn=10..40",
            "--vary", "run.discount_rate.host=0.03..0.06", "--points", "8", "--mark", US_ASK,
            "--paths", "40", "--seed", "3",
        )
        assert frontier.document == expected
    points = frontier.points
    assert len(points) == 8
    assert list(points.columns) == [
        "facility.strategic.annual_cap_usd_bn", "run.discount_rate.host",
        "investor", "host", "investor_se", "host_se", "efficient",
    ]
    assert points["efficient"].dtype == bool and points["efficient"].any()
    marked = frontier.marked
    assert list(marked.index) == ["kr-us-2025-us-ask"]
    assert list(marked.columns) == [
        "file", "investor", "host", "investor_se", "host_se",
        "efficient", "dominated_by", "improvement_point", "improvement_by",
    ]
    assert marked.loc["kr-us-2025-us-ask", "file"] == US_ASK
    assert marked["improvement_by"].dtype == "float64" and marked["dominated_by"].dtype == "int64"


def test_objectives_as_a_dict_equal_the_flag_form() -> None:
    vary = {"facility.strategic.annual_cap_usd_bn": (10, 40)}
    a = pactsim.frontier(KOREA, vary=vary, points=2, paths=8, seed=1, objectives={"inv": "investor_npv:max"})
    b = pactsim.frontier(KOREA, vary=vary, points=2, paths=8, seed=1, objectives=["inv=investor_npv:max"])
    assert a.document == b.document
    assert a.document["objectives"] == [{"name": "inv", "figure": "investor_npv", "sense": "max"}]


def test_bad_keys_and_arguments_raise() -> None:
    with pytest.raises(ValueError):
        pactsim.sensitivity(KOREA, ranges={"no.such.key": (0, 1)}, paths=8)
    with pytest.raises(ValueError):
        pactsim.sensitivity(KOREA, output="no_such_figure", paths=8)
    with pytest.raises(ValueError):
        pactsim.sensitivity(KOREA, method="sobol", inputs={"no.such.key": (0, 1)}, n=4, paths=8)
    with pytest.raises(ValueError, match="needs n"):
        pactsim.sensitivity(KOREA, method="sobol", paths=8)
    with pytest.raises(ValueError, match="method"):
        pactsim.sensitivity(KOREA, method="morris", paths=8)
    with pytest.raises(ValueError):
        pactsim.frontier(KOREA, vary={"no.such.key": (0, 1)}, points=2, paths=8)
    with pytest.raises(ValueError):
        pactsim.frontier(KOREA, vary={"facility.strategic.annual_cap_usd_bn": (40, 10)}, points=2, paths=8)
    with pytest.raises(pactsim.DealError) as caught:
        pactsim.frontier(
            KOREA, vary={"facility.strategic.annual_cap_usd_bn": (10, 40)}, points=2, paths=8, unset=["deal.start"]
        )
    assert caught.value.origin == KOREA
    with pytest.raises(TypeError):
        pactsim.frontier(KOREA, vary={"facility.strategic.annual_cap_usd_bn": "10..40"}, points=2, paths=8)


def test_an_analysis_releases_the_gil() -> None:
    import threading
    import time

    done = threading.Event()

    def work() -> None:
        pactsim.compare([KOREA, US_ASK, OFFER], paths=3000, seed=2)
        done.set()

    thread = threading.Thread(target=work)
    start = time.perf_counter()
    thread.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    thread.join()
    elapsed = time.perf_counter() - start
    # Python code ran on this thread all along: with the GIL held, it would not have ticked.
    assert elapsed < 0.05 or ticks > elapsed * 100, (ticks, elapsed)
