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
- :func:`check` validates a deal and describes it;
- :func:`library` lists the deals embedded in the package;
- :class:`DealError` (a :class:`ValueError`) is raised for a deal or override that is not valid,
  with every problem found in ``.diagnostics``.

A run releases the GIL, uses every core (set ``RAYON_NUM_THREADS`` before importing to use fewer),
and stops within a fraction of a second on Ctrl-C (``KeyboardInterrupt``). With ``tqdm``
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

__all__ = ["DealError", "Result", "check", "library", "run", "__version__"]

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

        def build():
            import pandas as pd

            rows = {}
            for key, value in self.summary["totals"].items():
                if _is_stat(value):
                    row = {s: value.get(s) for s in STATISTICS}
                    if "defined_share" not in value:
                        row["defined_share"] = 1.0
                    rows[key] = row
                elif key.endswith("_share") and not isinstance(value, bool):
                    rows[key] = {s: (value if s == "mean" else None) for s in STATISTICS}
            frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(STATISTICS))
            frame = frame.astype("float64")
            frame.index.name = "figure"
            return frame

        return self._frame("totals", build)

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
        """With ``[trade]``: one row per tariff scenario and source (index ``scenario``,
        ``source``): the source's tariff in the scenario, its base value and tariff, and its
        figures (``value_usd_bn_*``, ``producer_price_change_*``, ``quantity_change_*``,
        ``duties_usd_bn_*``, ``producer_surplus_change_usd_bn_*``) as statistics across paths. The
        scenarios' market-wide figures and the relief are in ``summary["trade"]``. ``None`` for a
        deal without a trade side."""

        def build():
            trade = self.summary.get("trade")
            if trade is None:
                return None
            rows = []
            for scenario, figures in trade["scenarios"].items():
                for source, stats in figures["sources"].items():
                    base = trade["base"].get(source, {})
                    row = {
                        "scenario": scenario,
                        "source": source,
                        "tariff": trade["tariffs"][scenario].get(source),
                        "base_value_usd_bn": base.get("value_usd_bn"),
                        "base_tariff": base.get("tariff"),
                    }
                    row.update(stats)
                    rows.append(row)
            return _table(rows, ["scenario", "source"])

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
