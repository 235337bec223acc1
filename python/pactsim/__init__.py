"""pactsim in Python: simulate investment-for-tariff trade deals and get the results as pandas
DataFrames.

>>> import pactsim
>>> r = pactsim.run("deals/kr-us-2025-mou.toml", paths=10_000, seed=3,
...                 set={"facility.strategic.annual_cap_usd_bn": 25}, unset=["stability"])
>>> r.summary["totals"]["investor_npv"]["mean"]     # the run output, as `pactsim run --json`
>>> r.totals                                         # one row per figure
>>> r.paths()                                        # every path's figures

The engine is the same Rust library the `pactsim` command uses: the same deal, overrides, seed and
number of paths give the same numbers, to the last bit, on any number of threads.

- :func:`run` runs a deal (a file, TOML text, or the id of a deal in :func:`library`) and returns
  a :class:`Result`;
- :func:`compare`, :func:`sensitivity` (tornado or Sobol' indices) and :func:`frontier` run the
  analyses of ``pactsim compare``, ``pactsim sensitivity`` and ``pactsim frontier`` on common
  random numbers, with the same arguments, and return the ``--json`` document with DataFrames;
- :func:`check` validates a deal and describes it;
- :func:`library` lists the deals embedded in the package;
- :class:`DealError` (a :class:`ValueError`) is raised for a deal or override that is not valid,
  with every problem found in ``.diagnostics``.

A run or an analysis releases the GIL, uses every core (set ``RAYON_NUM_THREADS`` before importing
to use fewer), and stops within a fraction of a second on Ctrl-C (``KeyboardInterrupt``). With ``tqdm``
installed, a run that takes more than a second shows a progress bar, in a notebook or a terminal.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import math as _math
import numbers as _numbers
import os as _os
import re as _re
import tomllib as _tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Union

from . import _pactsim

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "Comparison",
    "DealError",
    "Frontier",
    "Result",
    "Sobol",
    "Tornado",
    "check",
    "compare",
    "frontier",
    "library",
    "run",
    "sensitivity",
    "__version__",
]

__version__: str = _pactsim.__version__

#: A deal as :func:`run` and :func:`check` take it.
DealLike = Union[str, "_os.PathLike[str]"]

#: The statistics of a figure across paths, in the order they appear in DataFrame columns.
STATISTICS = ("mean", "mean_se", "p5", "p50", "p95", "defined_share")


class DealError(ValueError):
    """The deal, with its overrides, is not valid.

    ``str(error)`` reads like the ``pactsim`` command's message. ``diagnostics`` holds one dict per
    problem, in the order found, with these keys:

    - ``origin``: ``"file"`` (the problem is in the deal's text) or ``"override"`` (in one of the
      overrides given);
    - ``file``: the deal's name (its path, the library id, or ``"<text>"``) when ``origin`` is
      ``"file"``, else ``None``;
    - ``override``: the override as recorded (``"KEY=VALUE"``, ``"!KEY"`` for a removal) when
      ``origin`` is ``"override"``, else ``None``; ``override_index``: its position among the
      overrides applied;
    - ``line``, ``column``: 1-based, in the file (or in the override's ``KEY=VALUE`` text);
    - ``field``: the field's path, such as ``facility["strategic"].annual_cap_usd_bn``;
    - ``message``: ``"<field>: found <found>, expected <expected>"``; ``found``, ``expected``;
    - ``hint``: a likely fix (such as the closest valid name), or ``None``;
    - ``text``: the line of text the problem is on.
    """

    def __init__(self, origin: str, diagnostics: list[dict[str, Any]]):
        self.origin = origin
        self.diagnostics = diagnostics
        super().__init__(_render(origin, diagnostics))

    def __reduce__(self):
        return (DealError, (self.origin, self.diagnostics))


def _render(origin: str, diagnostics: list[dict[str, Any]]) -> str:
    count = len(diagnostics)
    problems = f"{count} problem{'' if count == 1 else 's'}"
    with_overrides = any(d["origin"] == "override" for d in diagnostics)
    if with_overrides:
        lines = [f"{origin} with the overrides given is not a valid deal ({problems})"]
    else:
        lines = [f"{origin} is not a valid deal file ({problems})"]
    for d in diagnostics:
        if d["origin"] == "file":
            lines.append(f"{origin}:{d['line']}:{d['column']}: {d['message']}")
        else:
            lines.append(f"in override {d['override']}: {d['message']}")
        if d["hint"]:
            lines.append(f"  hint: {d['hint']}")
    return "\n".join(lines)


def library() -> list[dict[str, str]]:
    """The deal library embedded in the package (the ``deals/`` folder of the checkout it was
    built from), sorted by id: dicts with ``id`` (the file name without ``.toml``, which
    :func:`run` and :func:`check` accept in place of a path), ``title`` and ``text`` (the TOML).
    """
    deals = []
    for deal_id, text in _pactsim.library():
        title = _tomllib.loads(text).get("deal", {}).get("title", "")
        deals.append({"id": deal_id, "title": title, "text": text})
    return deals


def _read_deal(deal: DealLike) -> tuple[str, str]:
    """The deal's name (for messages) and its text.

    A path-like object is a file. A string with a line break (or nothing but white space) is TOML
    text. Any other string is a file when one exists there, else the id of a library deal.
    """
    if isinstance(deal, _os.PathLike):
        path = _os.fspath(deal)
        return path, _read_file(path)
    if not isinstance(deal, str):
        raise TypeError(f"deal: expected a path or TOML text, found {type(deal).__name__}")
    if "\n" in deal or not deal.strip():
        return "<text>", deal
    if _os.path.exists(deal):
        return deal, _read_file(deal)
    ids = {d_id: text for d_id, text in _pactsim.library()}
    if deal in ids:
        return deal, ids[deal]
    names = ", ".join(ids)
    raise FileNotFoundError(
        f"{deal}: no such file, and no library deal has that id (pactsim.library() holds {names})"
    )


def _read_file(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


_BARE_KEY = _re.compile(r"^[A-Za-z0-9_-]+$")


def _toml(value: Any, nested: bool = False) -> str:
    """A Python value as TOML text. A top-level string is taken as TOML text as it is (as after
    ``--set KEY=``), so ``"gbm"``, ``"2029-01-19"`` and ``"{ business_days = 30 }"`` mean what
    they mean on the command line; a string inside a list or dict is a TOML string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _numbers.Integral):
        return str(int(value))
    if isinstance(value, _numbers.Real):
        number = float(value)
        if _math.isnan(number):
            return "nan"
        if _math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    if isinstance(value, str):
        return _json.dumps(value, ensure_ascii=False) if nested else value
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        fields = []
        for key, item in value.items():
            key = str(key)
            name = key if _BARE_KEY.match(key) else _json.dumps(key, ensure_ascii=False)
            fields.append(f"{name} = {_toml(item, nested=True)}")
        return "{ " + ", ".join(fields) + " }" if fields else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item, nested=True) for item in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as a TOML value: {value!r}")


def _overrides(
    set: Mapping[str, Any] | None, unset: Iterable[str], overrides: Iterable[str]
) -> list[tuple[str, str | None]]:
    """The overrides in the order they apply: ``overrides`` (recorded forms), then ``set``, then
    ``unset``."""
    if isinstance(unset, str):
        raise TypeError("unset: expected a list of keys, such as ['stability'], not one string")
    if isinstance(overrides, str):
        raise TypeError("overrides: expected a list of 'KEY=VALUE' or '!KEY' strings, not one string")
    given = [_pactsim.parse_override(text) for text in overrides]
    given += [(str(key), _toml(value)) for key, value in (set or {}).items()]
    given += [(str(key), None) for key in unset]
    return given


def _deal_error(origin: str, error: Exception) -> DealError:
    diagnostics = [dict(d) for d in error.args[0]]
    for d in diagnostics:
        d["file"] = origin if d["origin"] == "file" else None
    return DealError(origin, diagnostics)


def check(
    deal: DealLike,
    *,
    set: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    overrides: Iterable[str] = (),
) -> dict[str, Any]:
    """Validate a deal (with overrides) and describe it, or raise :class:`DealError`.

    ``deal`` is a path, TOML text or a library id, as for :func:`run`; the overrides are as for
    :func:`run`. The description: ``id``, ``title``, ``investor``, ``host``, ``start``, ``end``,
    ``horizon_years``, ``facilities`` (``id``, ``commitment_usd_bn``, ``annual_cap_usd_bn``,
    ``pipeline``: whether it generates projects), ``projects`` (listed projects' ids), ``trade``,
    ``fx``, ``reserves``, ``stability`` (whether the deal has each section), ``random`` (whether
    anything in it is random), ``seed`` and ``paths`` (its ``[run]``), ``overrides`` (as recorded)
    and ``defaults_applied``.
    """
    origin, text = _read_deal(deal)
    given = _overrides(set, unset, overrides)
    try:
        described = _pactsim.check(text, given)
    except _pactsim.InvalidDeal as error:
        raise _deal_error(origin, error) from None
    return _json.loads(described)


ProgressArg = Union[bool, None, Callable[[int, Union[int, None]], Any]]


class _Bar:
    """A tqdm bar (``tqdm.auto``: a widget in notebooks, text on standard error elsewhere) that
    appears once a run has taken a second."""

    def __init__(self, required: bool):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if required:
                raise ImportError("progress=True needs tqdm: pip install tqdm") from None
            self.bar = None
            return
        self.bar = tqdm(total=None, unit="paths", delay=1.0, leave=False, dynamic_ncols=True)

    def __call__(self, done: int, total: int | None) -> None:
        if self.bar is None:
            return
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(progress: ProgressArg) -> tuple[Callable[[int, int | None], Any] | None, _Bar | None]:
    if callable(progress) and not isinstance(progress, bool):
        return progress, None
    if progress is False or (progress is None and _os.environ.get("PACTSIM_NO_PROGRESS")):
        return None, None
    bar = _Bar(required=progress is True)
    return (bar, bar) if bar.bar is not None else (None, None)


def _check_count(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{name}: expected a whole number, found {value!r}")
    value = int(value)
    if not low <= value < 2**64:
        raise ValueError(f"{name}: expected a whole number from {low} to 2**64 - 1, found {value}")
    return value


def run(
    deal: DealLike,
    *,
    paths: int | Literal["auto"] | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    overrides: Iterable[str] = (),
    tolerance: float = 0.01,
    max_paths: int = 1_000_000,
    keep_paths: bool = False,
    progress: ProgressArg = None,
) -> Result:
    """Run a deal's Monte Carlo paths and return a :class:`Result`.

    Parameters
    ----------
    deal
        A deal file (a :class:`os.PathLike`, or a string naming an existing file), TOML text (a
        string with a line break), or the id of a deal in :func:`library` (``"kr-us-2025-mou"``).
    paths
        How many paths: ``None`` for the deal's ``[run] paths``, a number, or ``"auto"`` to run
        until the standard error of the headline mean is at most ``tolerance`` of it (or
        ``max_paths`` are done), as ``pactsim run --paths auto``.
    seed
        The seed of the random streams; ``None`` for the deal's ``[run] seed``.
    set
        Terms to change, ``{KEY: VALUE}``, as ``--set KEY=VALUE`` (keys such as
        ``"facility.strategic.annual_cap_usd_bn"``). Numbers, booleans, dates, lists and dicts
        become the TOML values they are; a string is TOML text as on the command line (``"gbm"``,
        ``"2029-01-19"``, ``"{ business_days = 30 }"``).
    unset
        Keys to remove, as ``--unset KEY`` (``["stability"]`` removes the ``[stability]`` table).
    overrides
        Overrides in their recorded form (``"KEY=VALUE"``, ``"!KEY"``), as a run output lists them
        in ``summary["overrides"]``: a run can be reproduced from its file, these and its seed.
        Applied first, then ``set`` (in order), then ``unset``.
    tolerance, max_paths
        With ``paths="auto"``: the relative standard error to reach, and where to stop regardless.
    keep_paths
        Keep every path's figures during the run, so :meth:`Result.paths` returns at once (without
        it, :meth:`Result.paths` runs the paths again, which gives the same figures).
    progress
        ``None``: a tqdm progress bar when tqdm is installed, the run takes more than a second and
        ``PACTSIM_NO_PROGRESS`` is not set; ``True``: always a bar (tqdm required); ``False``: no
        bar; a callable: called as ``progress(done, total)`` as paths complete (``total`` is
        ``None`` with ``paths="auto"``).

    Raises
    ------
    DealError
        The deal or an override is not valid.
    ValueError, TypeError
        A parameter of the run is out of range or of the wrong type.
    FileNotFoundError
        ``deal`` names no file and no library deal.
    KeyboardInterrupt
        Ctrl-C during the run: the paths stop, nothing is returned.
    """
    origin, text = _read_deal(deal)
    given = _overrides(set, unset, overrides)
    request = _Request(origin, text, given, seed, paths, tolerance, max_paths)
    output, kept = request.execute(keep_paths, progress)
    return Result(request, output, kept, progress)


class _Request:
    """What decides a run's numbers, kept so that :meth:`Result.paths` can run the paths again."""

    def __init__(self, origin, text, given, seed, paths, tolerance, max_paths):
        self.origin = origin
        self.text = text
        self.given = given
        self.seed = None if seed is None else _check_count("seed", seed, 0)
        self.auto = None
        self.paths = None
        if isinstance(paths, str):
            if paths != "auto":
                raise ValueError(f"paths: expected a number of paths or 'auto', found {paths!r}")
            if isinstance(tolerance, bool) or not isinstance(tolerance, _numbers.Real):
                raise TypeError(f"tolerance: expected a number, found {tolerance!r}")
            self.auto = (float(tolerance), _check_count("max_paths", max_paths, 1))
        elif paths is not None:
            self.paths = _check_count("paths", paths, 1)

    def execute(self, keep_paths: bool, progress: ProgressArg):
        callback, bar = _progress(progress)
        try:
            return _pactsim.run(
                self.text, self.given, self.seed, self.paths, self.auto, keep_paths, callback
            )
        except _pactsim.InvalidDeal as error:
            raise _deal_error(self.origin, error) from None
        finally:
            if bar is not None:
                bar.close()

    def again(self, seed: int, paths: int) -> _Request:
        """The same request for exactly the paths and seed a run resolved."""
        request = _Request(self.origin, self.text, self.given, seed, paths, 0.01, 1)
        return request


def _is_stat(value: Any) -> bool:
    return isinstance(value, dict) and "mean" in value and "p50" in value


def _flatten(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A JSON row as flat columns: each Stat as ``<figure>_<statistic>``, other numbers, strings and
    booleans as they are; lists and other dicts left out. Also returns the Stat columns."""
    flat: dict[str, Any] = {}
    stat_columns = []
    for key, value in row.items():
        if _is_stat(value):
            for statistic in STATISTICS:
                if statistic in value:
                    flat[f"{key}_{statistic}"] = value[statistic]
                    stat_columns.append(f"{key}_{statistic}")
        elif value is None or isinstance(value, (str, bool, int, float)):
            flat[key] = value
    return flat, stat_columns


def _table(rows: Sequence[Mapping[str, Any]], index: str | list[str]) -> pd.DataFrame:
    import pandas as pd

    flat_rows = []
    stat_columns: dict[str, None] = {}
    for row in rows:
        flat, stats = _flatten(row)
        flat_rows.append(flat)
        stat_columns.update(dict.fromkeys(stats))
    frame = pd.DataFrame.from_records(flat_rows)
    for column in stat_columns:
        frame[column] = frame[column].astype("float64")
    if len(frame.columns):
        frame = frame.set_index(index)
    return frame


def _totals_rows(totals: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A run output's totals as rows of :data:`STATISTICS`, by figure."""
    rows = {}
    for key, value in totals.items():
        if _is_stat(value):
            row = {s: value.get(s) for s in STATISTICS}
            if "defined_share" not in value:
                row["defined_share"] = 1.0
            rows[key] = row
        elif key.endswith("_share") and not isinstance(value, bool):
            rows[key] = {s: (value if s == "mean" else None) for s in STATISTICS}
    return rows


def _totals_frame(totals: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_dict(_totals_rows(totals), orient="index", columns=list(STATISTICS))
    frame = frame.astype("float64")
    frame.index.name = "figure"
    return frame


class Result:
    """A run's results. The run output document is :attr:`summary` (and :attr:`json`, its text);
    the DataFrames are views of it, built when first asked for; :meth:`paths` gives every path's
    figures."""

    def __init__(self, request: _Request, output: str, kept, progress: ProgressArg):
        self._request = request
        self._progress = progress
        self._kept = kept
        self._frames: dict[str, Any] = {}
        #: The run output (schema 1) as JSON text, exactly as ``pactsim run --json`` prints it
        #: (without the final line break).
        self.json: str = output
        #: The run output (schema 1) as a dict: equal to ``json.loads`` of ``pactsim run --json``.
        self.summary: dict[str, Any] = _json.loads(output)

    def __repr__(self) -> str:
        s = self.summary
        npv = s["totals"]["investor_npv"]["mean"]
        return (
            f"<pactsim.Result {s['deal']}: {s['paths']} paths, seed {s['seed']}, "
            f"investor NPV mean {npv:.3f} USD bn>"
        )

    def _frame(self, name: str, build: Callable[[], Any]):
        if name not in self._frames:
            self._frames[name] = build()
        return self._frames[name]

    @property
    def totals(self) -> pd.DataFrame:
        """One row per figure of ``summary["totals"]`` (index ``figure``), with columns ``mean``,
        ``mean_se``, ``p5``, ``p50``, ``p95`` and ``defined_share`` (float64; NaN where the
        figure exists on no path). ``defined_share`` is 1 for figures that exist on every path.
        Shares across paths (``recouped_share``, ``snapback_share``) are rows whose ``mean`` is the
        share and whose other statistics are NaN."""

        return self._frame("totals", lambda: _totals_frame(self.summary["totals"]))

    @property
    def years(self) -> pd.DataFrame:
        """One row per calendar year of the horizon (index ``year``), a column per figure and
        statistic: ``investor_paid_mean``, ``investor_paid_mean_se``, ``investor_paid_p5``, …
        (float64), for every figure of ``summary["years"]``."""
        return self._frame("years", lambda: _table(self.summary["years"], "year"))

    @property
    def facilities(self) -> pd.DataFrame:
        """One row per facility (index ``id``): its Stats as ``<figure>_<statistic>`` columns
        (float64) and its other numbers (``commitment_usd_bn``, …)."""
        return self._frame("facilities", lambda: _table(self.summary["facilities"], "id"))

    @property
    def months(self) -> pd.DataFrame | None:
        """With ``[fx]`` or ``[reserves]``: one row per month of the horizon (index ``month``, a
        monthly :class:`pandas.PeriodIndex`), the month-end exchange rate (``rate_*``), reserves
        (``reserves_usd_bn_*``) and ARA ratio (``ara_ratio_*``) as statistics across paths, as
        ``months.csv``. ``None`` for a deal without a currency."""

        def build():
            import pandas as pd

            fx = (self.summary.get("fx") or {}).get("months")
            reserves = (self.summary.get("reserves") or {}).get("months")
            if fx is None and reserves is None:
                return None
            rows: dict[str, dict[str, Any]] = {}
            for month in (fx or []) + (reserves or []):
                rows.setdefault(month["month"], {"month": month["month"]}).update(month)
            frame = _table(list(rows.values()), "month")
            frame.index = pd.PeriodIndex(frame.index, freq="M", name="month")
            return frame

        return self._frame("months", build)

    @property
    def trade(self) -> pd.DataFrame | None:
        """With ``[trade]``: one row per market, tariff scenario and source (index ``market``,
        ``scenario``, ``source``): the source's tariff in the scenario, its base value and tariff,
        and its figures (``value_usd_bn_*``, ``producer_price_change_*``, ``quantity_change_*``,
        ``duties_usd_bn_*``, ``producer_surplus_change_usd_bn_*``) as statistics across paths. The
        scenarios' market-wide figures, each market's relief and duty saved, and their sums are in
        ``summary["trade"]``. ``None`` for a deal without a trade side."""

        def build():
            trade = self.summary.get("trade")
            if trade is None:
                return None
            rows = []
            for market in trade["markets"]:
                for scenario, figures in market["scenarios"].items():
                    for source, stats in figures["sources"].items():
                        base = market["base"].get(source, {})
                        row = {
                            "market": market["id"],
                            "scenario": scenario,
                            "source": source,
                            "tariff": market["tariffs"][scenario].get(source),
                            "base_value_usd_bn": base.get("value_usd_bn"),
                            "base_tariff": base.get("tariff"),
                        }
                        row.update(stats)
                        rows.append(row)
            return _table(rows, ["market", "scenario", "source"])

        return self._frame("trade", build)

    def paths_arrow(self) -> pa.RecordBatch:
        """Every path's figures as a :class:`pyarrow.RecordBatch`: a ``path`` column (uint64),
        then the figures a kept path reports (float64, null where a figure does not exist on the
        path): the totals (``investor_npv``, …; ``recouped``, ``snapback``, ``irr_multiple_roots``
        as 0/1), each year's figures as ``<figure>_<year>``, and with a currency its totals; the
        columns of ``pactsim run --keep-paths``. A deal with nothing random has one path, which
        stands for all. The figures come from the engine's memory as Arrow buffers, not through
        text."""
        import pyarrow as pa

        if self._kept is None:
            again = self._request.again(self.summary["seed"], self.summary["paths"])
            output, kept = again.execute(True, self._progress)
            # The same figures; an auto run's record of how it stopped is all that differs.
            first = {k: v for k, v in self.summary.items() if k != "convergence"}
            if _json.loads(output) != first:
                raise RuntimeError("running the paths again gave another result (a bug; please report it)")
            self._kept = kept
        names, path_buffer, columns = self._kept
        rows = len(path_buffer) // 8
        arrays = [pa.Array.from_buffers(pa.uint64(), rows, [None, pa.py_buffer(path_buffer)])]
        for data, validity, nulls in columns:
            buffers = [None if validity is None else pa.py_buffer(validity), pa.py_buffer(data)]
            arrays.append(pa.Array.from_buffers(pa.float64(), rows, buffers, null_count=nulls))
        return pa.RecordBatch.from_arrays(arrays, names=["path", *names])

    def paths(self) -> pd.DataFrame:
        """Every path's figures as a DataFrame indexed by ``path`` (see :meth:`paths_arrow` for the
        columns; here float64 with NaN where a figure does not exist on a path). Without
        ``keep_paths=True`` the first call runs the paths again (same seed, same paths: the same
        figures, checked against this result)."""
        return self._frame("paths", lambda: self.paths_arrow().to_pandas().set_index("path"))


# --- analyses: compare, sensitivity, frontier --------------------------------------------------


def _analysis_error(origins: Sequence[str], error: Exception) -> DealError:
    """An analysis's ``InvalidDeal`` (diagnostics, index of the deal, change made to it) as a
    :class:`DealError` naming the deal it points into."""
    _diagnostics, index, _change = error.args
    return _deal_error(origins[min(index, len(origins) - 1)], error)


def _counts(seed: Any, paths: Any) -> tuple[int | None, int | None]:
    seed = None if seed is None else _check_count("seed", seed, 0)
    paths = None if paths is None else _check_count("paths", paths, 1)
    return seed, paths


def _number_text(name: str, value: Any) -> str:
    """A range's end as the command line's ``LO..HI`` reads it (an int stays whole)."""
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise TypeError(f"{name}: expected a number, found {value!r}")
    if isinstance(value, _numbers.Integral):
        return str(int(value))
    return repr(float(value))


def _ranges(name: str, ranges: Mapping[str, Any] | None) -> list[str]:
    """``{KEY: (LO, HI)}`` as the command line's ``KEY=LO..HI`` texts (``{KEY: None}`` for a
    distribution's key alone, which Sobol' takes)."""
    if ranges is None:
        return []
    if not isinstance(ranges, Mapping):
        raise TypeError(f"{name}: expected a dict {{KEY: (LO, HI)}}, found {type(ranges).__name__}")
    texts = []
    for key, bounds in ranges.items():
        if bounds is None and name == "inputs":
            texts.append(str(key))
            continue
        if isinstance(bounds, str) or not isinstance(bounds, Sequence) or len(bounds) != 2:
            raise TypeError(f"{name}: {key}: expected (LO, HI), found {bounds!r}")
        low, high = (_number_text(f"{name}: {key}", b) for b in bounds)
        texts.append(f"{key}={low}..{high}")
    return texts


class _Analysis:
    """An analysis's results: :attr:`document` (and :attr:`json`, its text) and DataFrames built
    from it when first asked for."""

    def __init__(self, output: str):
        self._frames: dict[str, Any] = {}
        #: The document as JSON text, exactly as the command's ``--json`` prints it (without the
        #: final line break).
        self.json: str = output
        #: The document as a dict: equal to ``json.loads`` of the command's ``--json`` output.
        self.document: dict[str, Any] = _json.loads(output)

    def _frame(self, name: str, build: Callable[[], Any]):
        if name not in self._frames:
            self._frames[name] = build()
        return self._frames[name]

    def __repr__(self) -> str:
        d = self.document
        return f"<pactsim.{type(self).__name__}: {d['paths']} paths a run, seed {d['seed']}>"


class Comparison(_Analysis):
    """What :func:`compare` returns (the document of ``pactsim compare --json``)."""

    @property
    def deals(self) -> pd.DataFrame:
        """One row per compared deal (index ``label``): ``deal`` (its id), ``file``, ``title``,
        ``committed_usd_bn`` and ``overrides`` (as recorded, the common ones first)."""

        def build():
            import pandas as pd

            columns = ["label", "deal", "file", "title", "committed_usd_bn", "overrides"]
            rows = [{c: d.get(c) for c in columns} for d in self.document["deals"]]
            return pd.DataFrame.from_records(rows, columns=columns).set_index("label")

        return self._frame("deals", build)

    @property
    def totals(self) -> pd.DataFrame:
        """Each deal's totals (as :attr:`Result.totals`): index ``label``, ``figure``; columns
        ``mean``, ``mean_se``, ``p5``, ``p50``, ``p95``, ``defined_share`` (float64)."""

        def build():
            import pandas as pd

            records = []
            for d in self.document["deals"]:
                for figure, row in _totals_rows(d["totals"]).items():
                    records.append({"label": d["label"], "figure": figure, **row})
            frame = pd.DataFrame.from_records(records, columns=["label", "figure", *STATISTICS])
            frame[list(STATISTICS)] = frame[list(STATISTICS)].astype("float64")
            return frame.set_index(["label", "figure"])

        return self._frame("totals", build)

    @property
    def differences(self) -> pd.DataFrame:
        """Each deal's paired differences against the first, path by path on the same paths:
        index ``deal``, ``versus``, ``figure``; columns ``mean``, ``se`` and ``defined_share`` (the
        share of paths on which both exist; NaN for figures that exist on every path)."""

        def build():
            import pandas as pd

            records = []
            for d in self.document["differences"]:
                for figure, value in d["figures"].items():
                    records.append(
                        {
                            "deal": d["deal"],
                            "versus": d["versus"],
                            "figure": figure,
                            "mean": value["mean"],
                            "se": value["se"],
                            "defined_share": value.get("defined_share"),
                        }
                    )
            columns = ["deal", "versus", "figure", "mean", "se", "defined_share"]
            frame = pd.DataFrame.from_records(records, columns=columns)
            frame[columns[3:]] = frame[columns[3:]].astype("float64")
            return frame.set_index(["deal", "versus", "figure"])

        return self._frame("differences", build)


class Tornado(_Analysis):
    """What :func:`sensitivity` returns with ``method="tornado"`` (the document of ``pactsim
    sensitivity --method tornado --json``)."""

    def __repr__(self) -> str:
        d = self.document
        return f"<pactsim.Tornado of {d['output']}: {len(d['inputs'])} inputs, {d['paths']} paths a run>"

    @property
    def inputs(self) -> pd.DataFrame:
        """One row per input, largest swing first (index ``key``): ``source``, ``distribution``,
        ``low_value``, ``low_mean``, ``low_se``, ``high_value``, ``high_mean``, ``high_se``,
        ``swing`` and ``swing_se`` (the output's means with the input at each end)."""

        def build():
            import pandas as pd

            columns = ["key", "source", "distribution"]
            columns += [f"{end}_{x}" for end in ("low", "high") for x in ("value", "mean", "se")]
            columns += ["swing", "swing_se"]
            records = []
            for i in self.document["inputs"]:
                row = {"key": i["key"], "source": i.get("source"), "distribution": i.get("distribution")}
                for end in ("low", "high"):
                    for x in ("value", "mean", "se"):
                        row[f"{end}_{x}"] = i[end][x]
                row["swing"] = i["swing"]
                row["swing_se"] = i.get("swing_se")
                records.append(row)
            frame = pd.DataFrame.from_records(records, columns=columns)
            frame[columns[3:]] = frame[columns[3:]].astype("float64")
            return frame.set_index("key")

        return self._frame("inputs", build)


class Sobol(_Analysis):
    """What :func:`sensitivity` returns with ``method="sobol"`` (the document of ``pactsim
    sensitivity --method sobol --json``), and the design it ran."""

    def __init__(self, output: str, rows: list[list[float]], outputs: list[float]):
        super().__init__(output)
        self._design = (rows, outputs)

    def __repr__(self) -> str:
        d = self.document
        return f"<pactsim.Sobol of {d['output']}: N = {d['n']}, {len(d['inputs'])} inputs>"

    @property
    def indices(self) -> pd.DataFrame:
        """One row per input (index ``key``): its range (``low``, ``high``), ``first_order`` with
        its 95% bootstrap interval (``first_order_low``, ``first_order_high``), ``total`` with
        ``total_low``, ``total_high`` (float64)."""

        def build():
            import pandas as pd

            columns = ["key", "low", "high", "first_order", "first_order_low", "first_order_high"]
            columns += ["total", "total_low", "total_high"]
            records = []
            for i in self.document["inputs"]:
                records.append(
                    {
                        "key": i["key"],
                        "low": i["low"],
                        "high": i["high"],
                        "first_order": i["first_order"],
                        "first_order_low": i["first_order_ci"][0],
                        "first_order_high": i["first_order_ci"][1],
                        "total": i["total"],
                        "total_low": i["total_ci"][0],
                        "total_high": i["total_ci"][1],
                    }
                )
            frame = pd.DataFrame.from_records(records, columns=columns)
            frame[columns[1:]] = frame[columns[1:]].astype("float64")
            return frame.set_index("key")

        return self._frame("indices", build)

    @property
    def design(self) -> pd.DataFrame:
        """The design, one row per evaluation in SALib's order (what ``--design-out`` writes): a
        column per input with its value, then the output's mean (float64)."""

        def build():
            import pandas as pd

            rows, outputs = self._design
            keys = [i["key"] for i in self.document["inputs"]]
            frame = pd.DataFrame(rows, columns=keys, dtype="float64")
            frame[self.document["output"]] = pd.Series(outputs, dtype="float64")
            return frame

        return self._frame("design", build)


class Frontier(_Analysis):
    """What :func:`frontier` returns (the document of ``pactsim frontier --json``)."""

    def __repr__(self) -> str:
        d = self.document
        efficient = sum(p["efficient"] for p in d["points"])
        return f"<pactsim.Frontier: {len(d['points'])} points, {efficient} efficient>"

    @property
    def points(self) -> pd.DataFrame:
        """One row per point (index ``point``, from 0 as in the document): a column per varied
        term with its value, a column per objective with the output's mean, ``<objective>_se``,
        and ``efficient`` (bool)."""

        def build():
            import pandas as pd

            records = []
            for n, p in enumerate(self.document["points"]):
                row: dict[str, Any] = {"point": n, **p["values"], **p["outputs"]}
                row.update({f"{name}_se": se for name, se in p["se"].items()})
                row["efficient"] = bool(p["efficient"])
                records.append(row)
            return pd.DataFrame.from_records(records).set_index("point")

        return self._frame("points", build)

    @property
    def marked(self) -> pd.DataFrame:
        """One row per marked deal (index ``deal``): ``file``, a column per objective,
        ``<objective>_se`` (float64), ``efficient`` (bool), ``dominated_by`` (int64), and when
        points dominate it the point that improves on it most (``improvement_point``, a nullable
        Int64 counted from 0 as in the document) and by how much (``improvement_by``, NaN when
        none does)."""

        def build():
            import pandas as pd

            names = [o["name"] for o in self.document["objectives"]]
            columns = ["deal", "file", *names, *(f"{n}_se" for n in names)]
            columns += ["efficient", "dominated_by", "improvement_point", "improvement_by"]
            records = []
            for m in self.document["marked"]:
                improvement = m.get("improvement") or {}
                row: dict[str, Any] = {"deal": m["deal"], "file": m["file"], **m["outputs"]}
                row.update({f"{name}_se": se for name, se in m["se"].items()})
                row.update(efficient=m["efficient"], dominated_by=m["dominated_by"])
                row.update(improvement_point=improvement.get("point"), improvement_by=improvement.get("by"))
                records.append(row)
            frame = pd.DataFrame.from_records(records, columns=columns)
            numbers = [*names, *(f"{n}_se" for n in names), "improvement_by"]
            frame[numbers] = frame[numbers].astype("float64")
            frame["efficient"] = frame["efficient"].astype(bool)
            frame["dominated_by"] = frame["dominated_by"].astype("int64")
            frame["improvement_point"] = frame["improvement_point"].astype("Int64")
            return frame.set_index("deal")

        return self._frame("marked", build)


_VARIANT_KEYS = {"set", "unset", "overrides"}


def compare(
    deals: Sequence[DealLike],
    *,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    paths: int | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    overrides: Iterable[str] = (),
) -> Comparison:
    """Compare deals side by side on the same paths, as ``pactsim compare``, and each one's paired
    differences against the first.

    Parameters
    ----------
    deals
        The deals (paths, TOML text or library ids, as for :func:`run`); at least one.
    variants
        Variants of the first deal, as ``--variant "NAME: --set KEY=VALUE --unset KEY"``:
        ``{NAME: {"set": {KEY: VALUE}, "unset": [KEY], "overrides": ["KEY=VALUE"]}}`` (each key
        optional), compared after the deals.
    paths, seed
        Paths of every run and their seed (default: the first deal's ``[run]``).
    set, unset, overrides
        Overrides applied to every deal, as for :func:`run`, before a variant's own.

    Returns a :class:`Comparison`: ``.document`` equals ``pactsim compare --json``;
    ``.deals``, ``.totals`` and ``.differences`` are DataFrames.

    Raises :class:`DealError` for a deal or override that is not valid, :class:`ValueError` or
    :class:`TypeError` for a parameter that is not.
    """
    if isinstance(deals, (str, _os.PathLike)) or not isinstance(deals, Sequence):
        raise TypeError("deals: expected a list of deals (paths, TOML text or library ids)")
    if not deals:
        raise ValueError("deals: expected at least one deal")
    seed, paths = _counts(seed, paths)
    common = _overrides(set, unset, overrides)
    read = [_read_deal(deal) for deal in deals]
    origins = [origin for origin, _ in read]
    entries = [(origin, text, None, []) for origin, text in read]
    for name, variant in (variants or {}).items():
        if not isinstance(variant, Mapping) or not _VARIANT_KEYS.issuperset(variant):
            raise TypeError(
                f"variants: {name}: expected a dict with 'set', 'unset' or 'overrides', found {variant!r}"
            )
        own = _overrides(variant.get("set"), variant.get("unset", ()), variant.get("overrides", ()))
        entries.append((read[0][0], read[0][1], str(name), own))
        origins.append(read[0][0])
    try:
        output = _pactsim.compare(entries, common, seed, paths)
    except _pactsim.InvalidDeal as error:
        raise _analysis_error(origins, error) from None
    return Comparison(output)


def sensitivity(
    deal: DealLike,
    *,
    method: Literal["tornado", "sobol"] = "tornado",
    output: str | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    inputs: Mapping[str, tuple[float, float] | None] | None = None,
    n: int | None = None,
    paths: int | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    overrides: Iterable[str] = (),
) -> Tornado | Sobol:
    """How much a figure's mean moves with each input, as ``pactsim sensitivity``.

    Parameters
    ----------
    deal
        A path, TOML text or library id, as for :func:`run`.
    method
        ``"tornado"``: one input at a time at a low and a high value (each distribution at its
        10th and 90th percentile, or ``ranges``); ``"sobol"``: first-order and total Sobol'
        indices over ``inputs`` (default: every distribution of the deal).
    output
        The figure (``--output``), such as ``"investor_npv"``; ``None``: the command's default.
    ranges
        Tornado only: ``{KEY: (LO, HI)}``, as ``--range KEY=LO..HI``.
    inputs
        Sobol' only: ``{KEY: (LO, HI)}`` as ``--input KEY=LO..HI``, or ``{KEY: None}`` for a
        distribution of the deal over its own range (``--input KEY``).
    n
        Sobol' only, required: the number of base rows (a power of two, such as 256).
    paths, seed, set, unset, overrides
        As for :func:`compare`: every run's paths and seed, and overrides applied to the deal.

    Returns a :class:`Tornado` (``.inputs``) or a :class:`Sobol` (``.indices``, and ``.design``:
    the rows ``--design-out`` writes), whose ``.document`` equals the command's ``--json``.

    Raises :class:`DealError` for a deal or override that is not valid, :class:`ValueError` or
    :class:`TypeError` for a parameter that is not (such as an unknown key or output).
    """
    origin, text = _read_deal(deal)
    seed, paths = _counts(seed, paths)
    given = _overrides(set, unset, overrides)
    try:
        if method == "tornado":
            if inputs is not None:
                raise ValueError("inputs goes with method='sobol' (the tornado takes ranges)")
            if n is not None:
                raise ValueError("n goes with method='sobol'")
            return Tornado(_pactsim.tornado(text, given, seed, paths, output, _ranges("ranges", ranges)))
        if method == "sobol":
            if ranges is not None:
                raise ValueError("ranges goes with method='tornado' (Sobol' takes inputs)")
            if n is None:
                raise ValueError(
                    "method='sobol' needs n, the number of base rows (a power of two, such as 256)"
                )
            n = _check_count("n", n, 1)
            found = _pactsim.sobol(text, given, n, seed, paths, output, _ranges("inputs", inputs))
            return Sobol(*found)
    except _pactsim.InvalidDeal as error:
        raise _analysis_error([origin], error) from None
    raise ValueError(f"method: expected 'tornado' or 'sobol', found {method!r}")


def frontier(
    deal: DealLike,
    *,
    vary: Mapping[str, tuple[float, float]],
    points: int = 64,
    objectives: Sequence[str] | Mapping[str, str] = (),
    mark: Sequence[DealLike] = (),
    paths: int | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    unset: Iterable[str] = (),
    overrides: Iterable[str] = (),
) -> Frontier:
    """The negotiable terms sampled over their ranges, the efficient points, and real deals placed
    against them, as ``pactsim frontier``.

    Parameters
    ----------
    deal
        A path, TOML text or library id, as for :func:`run`.
    vary
        The terms to vary, ``{KEY: (LO, HI)}``, as ``--vary KEY=LO..HI``.
    points
        How many points to sample (``--points``).
    objectives
        As ``--objective``: ``["NAME=FIGURE[:min|max]", …]`` or ``{NAME: "FIGURE[:min|max]"}``;
        empty: the command's default (investor ``deal_npv`` and host ``host_npv``, maximised).
    mark
        Deals to place against the points (``--mark``): paths, TOML text or library ids.
    paths, seed, set, unset, overrides
        As for :func:`compare`: every run's paths and seed, and overrides applied to every deal.

    Returns a :class:`Frontier` (``.points``, ``.marked``), whose ``.document`` equals ``pactsim
    frontier --json``.

    Raises :class:`DealError` for a deal or override that is not valid, :class:`ValueError` or
    :class:`TypeError` for a parameter that is not.
    """
    origin, text = _read_deal(deal)
    seed, paths = _counts(seed, paths)
    points = _check_count("points", points, 1)
    given = _overrides(set, unset, overrides)
    if isinstance(objectives, Mapping):
        objectives = [f"{name}={figure}" for name, figure in objectives.items()]
    elif isinstance(objectives, str):
        raise TypeError("objectives: expected a list of 'NAME=FIGURE[:min|max]', not one string")
    if isinstance(mark, (str, _os.PathLike)):
        raise TypeError("mark: expected a list of deals, not one")
    marked = [_read_deal(m) for m in mark]
    origins = [origin, *(o for o, _ in marked)]
    try:
        output = _pactsim.frontier(
            text, given, _ranges("vary", vary), points, seed, paths, [str(o) for o in objectives], marked
        )
    except _pactsim.InvalidDeal as error:
        raise _analysis_error(origins, error) from None
    return Frontier(output)
