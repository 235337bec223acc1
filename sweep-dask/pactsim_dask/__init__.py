"""Run a pactsim sweep's units on a dask.distributed cluster and merge them.

Each unit is one task that runs ``pactsim sweep work MANIFEST --unit K -o PARTS`` as a subprocess on
its worker. A unit writes the same bytes every time it runs (to a temporary file renamed over its
part), so a task that Dask runs again after an error or a lost worker is harmless. The merge is
``pactsim sweep merge``, which checks every part and folds them in the manifest's order: the same
document as the analysis run on one machine, byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Sequence

__all__ = ["SweepError", "run_sweep", "run_unit", "units"]


class SweepError(RuntimeError):
    """A pactsim command failed; the message has its standard error."""


def _run(command: Sequence[str]) -> bytes:
    done = subprocess.run(list(command), capture_output=True, check=False)
    if done.returncode != 0:
        raise SweepError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def units(manifest_path: str | os.PathLike[str]) -> int:
    """The number of units a manifest plans."""
    with open(manifest_path, encoding="utf-8") as file:
        return int(json.load(file)["units"])


def run_unit(unit: int, manifest_path: str, parts_dir: str, binary: str = "pactsim") -> str:
    """Computes one unit (on whichever machine calls it) and returns its part's path."""
    _run([binary, "sweep", "work", manifest_path, "--unit", str(unit), "-o", parts_dir])
    return os.path.join(parts_dir, f"part-{unit:05d}.json")


def run_sweep(
    manifest_path: str | os.PathLike[str],
    parts_dir: str | os.PathLike[str],
    client,
    binary: str = "pactsim",
    retries: int = 3,
    merge_args: Sequence[str] = ("--json",),
) -> bytes:
    """Runs every unit of the sweep on ``client``'s cluster, one task a unit, then merges them.

    ``retries`` is how many times Dask runs a unit's task again after it raised; a task whose
    worker died is rescheduled by the scheduler (up to ``distributed.scheduler.allowed-failures``).
    Returns what ``pactsim sweep merge MANIFEST PARTS *merge_args`` prints (the analysis's JSON
    document by default). Paths are made absolute: workers must see the same files.
    """
    manifest = os.path.abspath(manifest_path)
    parts = os.path.abspath(parts_dir)
    if os.sep in binary:
        binary = os.path.abspath(binary)
    count = units(manifest)
    # Keys of this call only: a key the scheduler still holds would be taken as already computed.
    token = uuid.uuid4().hex[:12]
    futures = client.map(
        run_unit,
        range(count),
        manifest_path=manifest,
        parts_dir=parts,
        binary=binary,
        retries=retries,
        pure=False,
        key=[f"pactsim-unit-{k}-{token}" for k in range(count)],
    )
    client.gather(futures)
    return _run([binary, "sweep", "merge", manifest, parts, *merge_args])
