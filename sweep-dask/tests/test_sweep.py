"""A sweep on a dask.distributed LocalCluster (worker processes): a worker killed in the middle of
the sweep and a unit that fails once are run again by Dask, and the merged document still equals
the one-machine command's output byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dask.distributed import Client, LocalCluster

from pactsim_dask import SweepError, run_sweep

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("PACTSIM_BIN", REPO / "target" / "release" / "pactsim")).resolve()
ANALYSIS = [
    "sensitivity",
    "deals/kr-us-2025-mou.toml",
    "--method",
    "sobol",
    "--n",
    "4",
    "--input",
    "run.discount_rate.investor=0.03..0.07",
    "--input",
    "pipeline.strategic.irr",
    "--paths",
    "64",
    "--seed",
    "9",
]


def pactsim(*args: str) -> bytes:
    return subprocess.run([str(BINARY), *args], cwd=REPO, capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def one_machine() -> bytes:
    return pactsim(*ANALYSIS, "--json")


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def plan(folder: Path, units: int) -> Path:
    manifest = folder / "sweep.json"
    pactsim("sweep", "plan", *ANALYSIS, "--units", str(units), "-o", str(manifest))
    return manifest


def test_a_worker_killed_mid_sweep_and_a_failed_unit_are_retried_to_the_same_bytes(tmp_path, client, one_machine):
    manifest = plan(tmp_path, 6)
    killed, failed = tmp_path / "killed", tmp_path / "failed"
    # Stands in for pactsim: the first time it is asked for unit 2 it kills the worker process
    # that started it (SIGKILL: the nanny starts a new worker and the scheduler reschedules the
    # task); the first time it is asked for unit 4 it fails (the task raises and Dask retries it).
    flaky = tmp_path / "flaky-pactsim"
    flaky.write_text(
        "#!/usr/bin/env bash\n"
        f'if [[ "$1 $2 $5" == "sweep work 2" && ! -e {killed} ]]; then touch {killed}; kill -9 $PPID; exit 1; fi\n'
        f'if [[ "$1 $2 $5" == "sweep work 4" && ! -e {failed} ]]; then touch {failed}; exit 3; fi\n'
        f'exec {BINARY} "$@"\n'
    )
    flaky.chmod(0o755)
    merged = run_sweep(manifest, tmp_path / "parts", client, binary=str(flaky), retries=2)
    assert killed.exists() and failed.exists(), "the worker was killed and the unit failed once"
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [f"part-{k:05d}.json" for k in range(6)]
    assert merged == one_machine


def test_a_unit_that_keeps_failing_is_reported(tmp_path, client):
    manifest = plan(tmp_path, 3)
    broken = tmp_path / "broken-pactsim"
    broken.write_text(f'#!/usr/bin/env bash\n[[ "$1 $2 $5" == "sweep work 1" ]] && {{ echo no disk >&2; exit 3; }}\nexec {BINARY} "$@"\n')
    broken.chmod(0o755)
    with pytest.raises(SweepError, match="no disk"):
        run_sweep(manifest, tmp_path / "parts", client, binary=str(broken), retries=1)


def test_the_command_line_runs_a_local_cluster(tmp_path, one_machine):
    manifest = plan(tmp_path, 3)
    merged = tmp_path / "merged.json"
    subprocess.run(
        [sys.executable, "-m", "pactsim_dask", str(manifest), str(tmp_path / "parts"), "--local", "2",
         "--binary", str(BINARY), "-o", str(merged)],
        cwd=tmp_path,
        check=True,
    )
    assert merged.read_bytes() == one_machine
