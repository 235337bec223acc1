"""The extension module behind :mod:`pactsim` (Rust, PyO3). Use :mod:`pactsim` instead."""

from collections.abc import Callable
from typing import Any

__version__: str

class InvalidDeal(ValueError):
    """The deal with its overrides is not valid; ``args[0]`` holds the diagnostics as dicts."""

_Override = tuple[str, str | None]
_Columns = tuple[list[str], bytes, list[tuple[bytes, bytes | None, int]]]

def run(
    deal: str,
    overrides_given: list[_Override],
    seed: int | None = None,
    paths: int | None = None,
    auto: tuple[float, int] | None = None,
    keep_paths: bool = False,
    progress: Callable[[int, int | None], Any] | None = None,
) -> tuple[str, _Columns | None]:
    """Run a deal's text with overrides; return the run output's JSON text and, with
    ``keep_paths``, every path's kept figures as Arrow buffers (names, path numbers as uint64,
    and per column its float64 values, validity bitmap or None, and null count)."""

def check(deal: str, overrides_given: list[_Override]) -> str:
    """Validate a deal's text with overrides; return its description as JSON text."""

def library() -> list[tuple[str, str]]:
    """The embedded deal library: (id, TOML text), sorted by id."""

def parse_override(text: str) -> _Override:
    """Read an override's recorded form: ``KEY=VALUE`` -> (key, value), ``!KEY`` -> (key, None)."""

def compare(
    entries: list[tuple[str, str, str | None, list[_Override]]],
    overrides_given: list[_Override],
    seed: int | None = None,
    paths: int | None = None,
) -> str:
    """Compare deals, (file, text, label or None, own overrides) each, as ``pactsim compare
    --json``; return the document's JSON text. Bad input raises InvalidDeal, whose args are
    (diagnostics, index of the entry, change or None), or ValueError."""

def tornado(
    deal: str,
    overrides_given: list[_Override],
    seed: int | None = None,
    paths: int | None = None,
    output: str | None = None,
    ranges: list[str] = [],
) -> str:
    """A tornado, ranges as ``--range KEY=LO..HI``; return the document's JSON text."""

def sobol(
    deal: str,
    overrides_given: list[_Override],
    n: int,
    seed: int | None = None,
    paths: int | None = None,
    output: str | None = None,
    inputs: list[str] = [],
) -> tuple[str, list[list[float]], list[float]]:
    """Sobol' indices, inputs as ``--input KEY[=LO..HI]``; return the document's JSON text, the
    design's rows (SALib's order) and the output's mean at each."""

def frontier(
    deal: str,
    overrides_given: list[_Override],
    vary: list[str],
    points: int,
    seed: int | None = None,
    paths: int | None = None,
    objectives: list[str] = [],
    marks: list[tuple[str, str]] = [],
) -> str:
    """A frontier, vary and objectives as ``--vary`` and ``--objective`` take them, marks as
    (file, text); return the document's JSON text."""
