//! `pactsim._pactsim`: the extension module behind the `pactsim` Python package (an edge, like the
//! `pactsim` binary: it depends on the `pactsim` front door only).
//!
//! # Brief overview
//!
//! The Python package (`python/pactsim/__init__.py`) reads files, turns keyword arguments into
//! overrides and builds DataFrames; this module does what needs the library:
//!
//! - [`run`] prepares a `RunRequest` and runs it on a thread of its own while the calling thread,
//!   without the GIL most of the time, wakes every few tens of milliseconds to let Python handle
//!   signals (Ctrl-C raises `KeyboardInterrupt` there, and the run is cancelled through
//!   `PreparedRun::run_cancellable`) and to report progress to a Python callback. It returns the
//!   run output as the JSON text `pactsim run --json` prints, and, when asked, every path's kept
//!   figures as Arrow buffers (`Columns`), which `pyarrow` wraps without parsing anything.
//! - [`check`] validates a deal and describes it; [`library`] is the embedded deal library;
//!   [`parse_override`] reads the recorded form of an override (`KEY=VALUE`, `!KEY`).
//! - [`compare`], [`tornado`], [`sobol`] and [`frontier`] build the library's analysis requests
//!   as the `pactsim compare`, `sensitivity` and `frontier` commands do (ranges and objectives in
//!   their command-line text), run them without the GIL, and return the document `--json` prints
//!   as JSON text (Sobol' also its design).
//! - Bad input raises `InvalidDeal` (its one argument: the diagnostics as dicts), which the package
//!   turns into `pactsim.DealError` with the name of the file or text they point into.
//!
//! Nothing here panics on bad input; a panic while paths run (a bug) comes back as `RuntimeError`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use pactsim::analysis::compare::{CompareRequest, Entry};
use pactsim::analysis::frontier::{FrontierRequest, Mark, Objective};
use pactsim::analysis::sobol::{SobolInput, SobolRequest};
use pactsim::analysis::tornado::TornadoRequest;
use pactsim::analysis::{Common, Range, Stopped};
use pactsim::montecarlo::{Layout, PathSink};
use pactsim::spec::{Diagnostic, Origin, Override};
use pactsim::{Paths, RunRequest};
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

create_exception!(
    _pactsim,
    InvalidDeal,
    PyValueError,
    "The deal, with its overrides, is not valid; args[0] holds the diagnostics as dicts."
);

/// The deal library (`deals/` in the repository), compiled in: (file stem, text), sorted by name.
const LIBRARY: [(&str, &str); 5] = pactsim::library::DEALS;

/// How often the calling thread wakes during a run to handle signals and report progress.
const POLL: Duration = Duration::from_millis(50);

/// An override as the package passes it: `(key, Some(value))` sets, `(key, None)` removes.
type OverrideArg = (String, Option<String>);

/// Every kept path's figures, column by column, as Arrow wants them: values (NaN where a figure
/// does not exist on a path, which the validity bitmap marks) and a validity bitmap, least
/// significant bit first, per column.
struct Columns {
    names: Vec<String>,
    paths: Vec<u64>,
    values: Vec<Vec<f64>>,
    validity: Vec<Vec<u8>>,
    nulls: Vec<usize>,
}

/// What `run` hands Python for kept paths: the column names, the path numbers (u64) as bytes, and
/// per column its values (f64) as bytes, its validity bitmap as bytes (`None` when every value is
/// there) and its null count. All in native byte order, as Arrow's buffers are.
type ColumnsArg<'py> =
    (Vec<String>, Bound<'py, PyBytes>, Vec<(Bound<'py, PyBytes>, Option<Bound<'py, PyBytes>>, usize)>);

impl Columns {
    fn new(names: Vec<String>) -> Self {
        let count = names.len();
        Columns {
            names,
            paths: Vec::new(),
            values: vec![Vec::new(); count],
            validity: vec![Vec::new(); count],
            nulls: vec![0; count],
        }
    }

    fn push(&mut self, path: u64, figures: &[Option<f64>]) {
        let row = self.paths.len();
        self.paths.push(path);
        let (byte, bit) = (row / 8, row % 8);
        for (i, figure) in figures.iter().enumerate() {
            if bit == 0 {
                self.validity[i].push(0);
            }
            match figure {
                Some(value) => {
                    self.values[i].push(*value);
                    self.validity[i][byte] |= 1 << bit;
                }
                None => {
                    self.values[i].push(f64::NAN);
                    self.nulls[i] += 1;
                }
            }
        }
    }

    fn into_python(self, py: Python<'_>) -> PyResult<ColumnsArg<'_>> {
        let paths = native_bytes(py, &self.paths, u64::to_ne_bytes)?;
        let mut columns = Vec::with_capacity(self.values.len());
        for ((values, validity), nulls) in self.values.iter().zip(&self.validity).zip(self.nulls) {
            let data = native_bytes(py, values, f64::to_ne_bytes)?;
            let validity = if nulls == 0 { None } else { Some(PyBytes::new(py, validity)) };
            columns.push((data, validity, nulls));
        }
        Ok((self.names, paths, columns))
    }
}

/// Numbers as one `bytes` object, written in place.
fn native_bytes<'py, T: Copy>(
    py: Python<'py>,
    numbers: &[T],
    bytes: fn(T) -> [u8; 8],
) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, numbers.len() * 8, |buffer| {
        for (out, number) in buffer.chunks_exact_mut(8).zip(numbers) {
            out.copy_from_slice(&bytes(*number));
        }
        Ok(())
    })
}

fn overrides(given: Vec<OverrideArg>) -> Vec<Override> {
    given
        .into_iter()
        .map(|(key, value)| match value {
            Some(value) => Override::set(key, value),
            None => Override::unset(key),
        })
        .collect()
}

/// Why a request was refused, as a Python exception: `InvalidDeal` with the diagnostics, or
/// `ValueError` naming the parameter.
fn request_error(py: Python<'_>, source: &str, error: pactsim::Error) -> PyErr {
    match error {
        pactsim::Error::InvalidDeal(diagnostics) | pactsim::Error::InvalidAnalysisDeal { diagnostics, .. } => {
            match diagnostics_list(py, source, &diagnostics) {
                Ok(list) => InvalidDeal::new_err((list.unbind(),)),
                Err(error) => error,
            }
        }
        pactsim::Error::InvalidRequest { parameter, message } => {
            PyValueError::new_err(format!("{parameter}: {message}"))
        }
    }
}

/// Each diagnostic as a dict: where it points (`origin` "file" or "override", the override as
/// given, 1-based line and column in the file's text or the override's), the field, what was
/// found and expected, the one-line message, a hint, and the line of text it points into.
fn diagnostics_list<'py>(py: Python<'py>, source: &str, diagnostics: &[Diagnostic]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for diagnostic in diagnostics {
        let dict = PyDict::new(py);
        let argument;
        let text = match &diagnostic.origin {
            Origin::File => {
                dict.set_item("origin", "file")?;
                dict.set_item("override", py.None())?;
                dict.set_item("override_index", py.None())?;
                source
            }
            Origin::Override { index, given } => {
                argument = given.argument();
                dict.set_item("origin", "override")?;
                dict.set_item("override", given.to_string())?;
                dict.set_item("override_index", index)?;
                argument.as_str()
            }
        };
        let (line, column) = diagnostic.line_column(text);
        dict.set_item("line", line)?;
        dict.set_item("column", column)?;
        dict.set_item("field", &diagnostic.field)?;
        dict.set_item("message", diagnostic.message())?;
        dict.set_item("found", &diagnostic.found)?;
        dict.set_item("expected", &diagnostic.expected)?;
        dict.set_item("hint", diagnostic.hint.as_deref())?;
        dict.set_item("text", text.lines().nth(line - 1).unwrap_or(""))?;
        list.append(dict)?;
    }
    Ok(list)
}

/// What the run thread hands back.
type RunOutcome = Result<(pactsim::RunResult, Option<Columns>), RunFailure>;

enum RunFailure {
    Request(pactsim::Error),
    Cancelled,
}

/// Runs a deal and returns `(run output JSON, kept paths or None)`.
///
/// `paths`: `None` for the deal's `[run] paths`, else a number; `auto`: `(tolerance, max_paths)`
/// to run until the headline mean settles (then `paths` is ignored). `progress`, when given, is
/// called on the calling thread as `progress(done, total)` (`total` is `None` when not known
/// beforehand) whenever more paths are done.
#[pyfunction]
#[pyo3(signature = (deal, overrides_given, seed=None, paths=None, auto=None, keep_paths=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    deal: String,
    overrides_given: Vec<OverrideArg>,
    seed: Option<u64>,
    paths: Option<u64>,
    auto: Option<(f64, u64)>,
    keep_paths: bool,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<(String, Option<ColumnsArg<'py>>)> {
    let paths = match (auto, paths) {
        (Some((tolerance, max_paths)), _) => Paths::Auto { tolerance, max_paths },
        (None, Some(paths)) => Paths::Fixed(paths),
        (None, None) => Paths::FromDeal,
    };
    let request = RunRequest { overrides: overrides(overrides_given), seed, paths, ..RunRequest::new(deal) };
    let cancel = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    // 0 until the run is prepared, or for `auto`, whose total is not known beforehand.
    let total = AtomicU64::new(0);
    let caller = std::thread::current();

    let outcome: PyResult<RunOutcome> = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            // However the thread ends, the caller wakes to see it.
            let _wake = WakeOnDrop(caller.clone());
            let prepared = request.prepare().map_err(RunFailure::Request)?;
            total.store(prepared.fixed_paths().unwrap_or(0), Ordering::Relaxed);
            let mut kept = keep_paths.then(|| {
                let first_year = first_year(prepared.deal());
                Columns::new(Layout::of(prepared.deal()).kept_columns(first_year))
            });
            let mut sink = kept.as_mut().map(|k| move |path: u64, figures: &[Option<f64>]| k.push(path, figures));
            let keep = sink.as_mut().map(|s| s as PathSink);
            let report = |paths: u64| {
                done.store(paths, Ordering::Relaxed);
                caller.unpark();
            };
            let result = prepared.run_cancellable(&report, keep, &cancel).map_err(|_| RunFailure::Cancelled)?;
            Ok((result, kept))
        });
        let mut reported = 0;
        loop {
            py.detach(|| std::thread::park_timeout(POLL));
            let finished = worker.is_finished();
            let mut polled = py.check_signals();
            if polled.is_ok()
                && let Some(callback) = &progress
            {
                let now = done.load(Ordering::Relaxed);
                if now != reported {
                    reported = now;
                    let total = Some(total.load(Ordering::Relaxed)).filter(|&t| t > 0);
                    polled = callback.call1((now, total)).map(drop);
                }
            }
            if let Err(error) = polled {
                // Ctrl-C (KeyboardInterrupt), another signal's handler, or the progress callback
                // raised: stop the paths and let the exception through once the thread is done.
                cancel.store(true, Ordering::Relaxed);
                let _ = py.detach(|| worker.join());
                return Err(error);
            }
            if finished {
                break;
            }
        }
        py.detach(|| worker.join()).map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            PyRuntimeError::new_err(format!("pactsim failed while running paths (a bug; please report it): {message}"))
        })
    });
    match outcome? {
        Ok((result, kept)) => {
            let json = py
                .detach(|| serde_json::to_string_pretty(&result.output))
                .map_err(|e| PyRuntimeError::new_err(format!("serialising the run output: {e}")))?;
            let kept = kept.map(|columns| columns.into_python(py)).transpose()?;
            Ok((json, kept))
        }
        Err(RunFailure::Request(error)) => Err(request_error(py, &request.deal, error)),
        // Only this function sets the flag, and it returned before reaching here when it did.
        Err(RunFailure::Cancelled) => Err(PyKeyboardInterrupt::new_err("the run was cancelled")),
    }
}

fn first_year(deal: &pactsim::deal::Deal) -> i32 {
    use chrono::Datelike as _;
    deal.start.year()
}

/// Unparks a thread when dropped.
struct WakeOnDrop(std::thread::Thread);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.unpark();
    }
}

/// Validates a deal with its overrides and returns a description of it as JSON text (see the
/// package's `check`).
#[pyfunction]
fn check(py: Python<'_>, deal: String, overrides_given: Vec<OverrideArg>) -> PyResult<String> {
    let overrides = overrides(overrides_given);
    let parsed = py.detach(|| pactsim::spec::parse_deal_with(&deal, &overrides));
    let deal_checked = match parsed {
        Ok(deal) => deal,
        Err(diagnostics) => return Err(InvalidDeal::new_err((diagnostics_list(py, &deal, &diagnostics)?.unbind(),))),
    };
    Ok(describe(&deal_checked).to_string())
}

/// What `check` tells about a valid deal.
fn describe(deal: &pactsim::deal::Deal) -> serde_json::Value {
    let currency = deal.currency.as_ref();
    serde_json::json!({
        "id": deal.id,
        "title": deal.title,
        "investor": deal.investor,
        "host": deal.host,
        "start": deal.start.to_string(),
        "end": deal.end.to_string(),
        "horizon_years": deal.horizon_years,
        "facilities": deal.facilities.iter().enumerate().map(|(j, f)| serde_json::json!({
            "id": f.id,
            "commitment_usd_bn": f.commitment_usd_bn,
            "annual_cap_usd_bn": f.annual_cap_usd_bn,
            "pipeline": deal.pipelines.iter().any(|p| p.facility == j),
        })).collect::<Vec<_>>(),
        "projects": deal.projects.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        "trade": !deal.trade.is_empty(),
        "fx": currency.is_some_and(|c| c.fx.is_some()),
        "reserves": currency.is_some_and(|c| c.reserves.is_some()),
        "stability": currency.is_some_and(|c| c.stability.is_some()),
        "random": deal.is_random(),
        "seed": deal.run.seed,
        "paths": deal.run.paths,
        "overrides": deal.overrides,
        "defaults_applied": deal.defaults_applied,
    })
}

/// The embedded deal library: `(id, text)` for each deal of `deals/`, sorted by id.
#[pyfunction]
fn library() -> Vec<(&'static str, &'static str)> {
    LIBRARY.to_vec()
}

/// Reads an override's recorded form, as run outputs list them: `KEY=VALUE` sets, `!KEY` removes.
/// Returns `(key, value)`, with `value` `None` for a removal.
#[pyfunction]
fn parse_override(text: &str) -> PyResult<OverrideArg> {
    match Override::parse(text) {
        Ok(Override::Set { key, value }) => Ok((key, Some(value))),
        Ok(Override::Unset { key }) => Ok((key, None)),
        Err(error) => Err(PyValueError::new_err(format!("override {error}"))),
    }
}

/// The settings every analysis takes, as the command line's `--seed`, `--paths` and overrides.
fn analysis_common(seed: Option<u64>, paths: Option<u64>, overrides_given: Vec<OverrideArg>) -> Common {
    Common { seed, paths, overrides: overrides(overrides_given) }
}

/// Why an analysis was refused: `InvalidDeal` with the diagnostics, the index of the deal (among
/// `texts`, in the request's order) they point into and the change the analysis made to it (or
/// `None`), or `ValueError` naming the parameter.
fn analysis_error(py: Python<'_>, texts: &[&str], error: pactsim::Error) -> PyErr {
    let (index, change, diagnostics) = match error {
        pactsim::Error::InvalidRequest { parameter, message } => {
            return PyValueError::new_err(format!("{parameter}: {message}"));
        }
        pactsim::Error::InvalidDeal(diagnostics) => (0, None, diagnostics),
        pactsim::Error::InvalidAnalysisDeal { deal, change, diagnostics } => {
            (deal.min(texts.len().saturating_sub(1)), change, diagnostics)
        }
    };
    let source = texts.get(index).copied().unwrap_or("");
    match diagnostics_list(py, source, &diagnostics) {
        Ok(list) => InvalidDeal::new_err((list.unbind(), index, change)),
        Err(error) => error,
    }
}

/// Prepares and runs an analysis on a thread of its own, without the GIL; its refusal as
/// [`analysis_error`] says. The calling thread looks for signals every `POLL`: on Ctrl-C (or any
/// signal handler that raises) it sets the analysis's cancel flag, waits for the thread, which
/// stops within about a path's time, and lets the exception through.
fn analyse<T: Send>(
    py: Python<'_>,
    texts: &[&str],
    work: impl FnOnce(&AtomicBool) -> Result<T, Stopped> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let caller = std::thread::current();
    let outcome = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let _wake = WakeOnDrop(caller.clone());
            work(&cancel)
        });
        loop {
            py.detach(|| std::thread::park_timeout(POLL));
            if worker.is_finished() {
                break;
            }
            if let Err(signal) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                let _ = py.detach(|| worker.join());
                return Err(signal);
            }
        }
        py.detach(|| worker.join())
            .map_err(|_| PyRuntimeError::new_err("pactsim failed while running an analysis (a bug; please report it)"))
    })?;
    match outcome {
        Ok(document) => Ok(document),
        Err(Stopped::Refused(error)) => Err(analysis_error(py, texts, error)),
        // Only this function sets the flag, and it returned before reaching here when it did.
        Err(Stopped::Cancelled) => Err(PyKeyboardInterrupt::new_err("the analysis was cancelled")),
    }
}

fn serialising(error: serde_json::Error) -> PyErr {
    PyRuntimeError::new_err(format!("serialising the analysis: {error}"))
}

/// Ranges in their command-line text (`KEY=LO..HI`), read as the command line reads them.
fn parse_ranges(texts: &[String], parameter: &'static str) -> Result<Vec<Range>, pactsim::Error> {
    texts.iter().map(|text| Range::parse(text, parameter)).collect()
}

/// Compares deals as `pactsim compare --json` and returns its document's JSON text. `entries`:
/// `(file, text, label, own overrides)` in order; a variant is the first deal's file and text
/// with a label and its overrides, as `--variant` makes it.
#[pyfunction]
#[pyo3(signature = (entries, overrides_given, seed=None, paths=None))]
fn compare(
    py: Python<'_>,
    entries: Vec<(String, String, Option<String>, Vec<OverrideArg>)>,
    overrides_given: Vec<OverrideArg>,
    seed: Option<u64>,
    paths: Option<u64>,
) -> PyResult<String> {
    let entries: Vec<Entry> = entries
        .into_iter()
        .map(|(file, text, label, own)| Entry { label, overrides: overrides(own), ..Entry::file(file, text) })
        .collect();
    let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
    let request = CompareRequest { entries: entries.clone(), common: analysis_common(seed, paths, overrides_given) };
    let document = analyse(py, &texts, |cancel| Ok(request.prepare()?.run_cancellable(&|_| {}, cancel)?))?;
    py.detach(|| serde_json::to_string_pretty(&document)).map_err(serialising)
}

/// A tornado as `pactsim sensitivity --method tornado --json`: `ranges` as `--range` takes them.
#[pyfunction]
#[pyo3(signature = (deal, overrides_given, seed=None, paths=None, output=None, ranges=Vec::new()))]
fn tornado(
    py: Python<'_>,
    deal: String,
    overrides_given: Vec<OverrideArg>,
    seed: Option<u64>,
    paths: Option<u64>,
    output: Option<String>,
    ranges: Vec<String>,
) -> PyResult<String> {
    let ranges = parse_ranges(&ranges, "range").map_err(|error| analysis_error(py, &[], error))?;
    let common = analysis_common(seed, paths, overrides_given);
    let request = TornadoRequest { deal: deal.clone(), common, output, ranges };
    let document = analyse(py, &[&deal], |cancel| request.prepare()?.run_cancellable(&|_| {}, cancel))?;
    py.detach(|| serde_json::to_string_pretty(&document)).map_err(serialising)
}

/// Sobol' indices as `pactsim sensitivity --method sobol --json`: `inputs` as `--input` takes
/// them (a distribution's key, or `KEY=LO..HI`). Returns the document's JSON text and the design:
/// its rows (the inputs' values, in SALib's order) and the output's mean at each.
#[pyfunction]
#[pyo3(signature = (deal, overrides_given, n, seed=None, paths=None, output=None, inputs=Vec::new()))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn sobol(
    py: Python<'_>,
    deal: String,
    overrides_given: Vec<OverrideArg>,
    n: u64,
    seed: Option<u64>,
    paths: Option<u64>,
    output: Option<String>,
    inputs: Vec<String>,
) -> PyResult<(String, Vec<Vec<f64>>, Vec<f64>)> {
    let mut parsed = Vec::with_capacity(inputs.len());
    for text in &inputs {
        parsed.push(if text.contains('=') {
            SobolInput::Range(Range::parse(text, "input").map_err(|error| analysis_error(py, &[], error))?)
        } else {
            SobolInput::Distribution(text.trim().to_string())
        });
    }
    let common = analysis_common(seed, paths, overrides_given);
    let request = SobolRequest { deal: deal.clone(), common, output, inputs: parsed, n };
    let result = analyse(py, &[&deal], |cancel| request.prepare()?.run_cancellable(&|_| {}, cancel))?;
    let json = py.detach(|| serde_json::to_string_pretty(&result.output)).map_err(serialising)?;
    Ok((json, result.design.rows, result.design.outputs))
}

/// A frontier as `pactsim frontier --json`: `vary` and `objectives` as `--vary` and
/// `--objective` take them, `marks` as `(file, text)`.
#[pyfunction]
#[pyo3(signature = (deal, overrides_given, vary, points, seed=None, paths=None, objectives=Vec::new(), marks=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn frontier(
    py: Python<'_>,
    deal: String,
    overrides_given: Vec<OverrideArg>,
    vary: Vec<String>,
    points: u64,
    seed: Option<u64>,
    paths: Option<u64>,
    objectives: Vec<String>,
    marks: Vec<(String, String)>,
) -> PyResult<String> {
    let vary = parse_ranges(&vary, "vary").map_err(|error| analysis_error(py, &[], error))?;
    let objectives: Vec<Objective> = objectives
        .iter()
        .map(|t| Objective::parse(t))
        .collect::<Result<_, _>>()
        .map_err(|error| analysis_error(py, &[], error))?;
    let texts: Vec<&str> = std::iter::once(deal.as_str()).chain(marks.iter().map(|(_, t)| t.as_str())).collect();
    let marks = marks.iter().map(|(file, text)| Mark { file: file.clone(), text: text.clone() }).collect();
    let common = analysis_common(seed, paths, overrides_given);
    let request = FrontierRequest { deal: deal.clone(), common, vary, points, objectives, marks };
    let document = analyse(py, &texts, |cancel| request.prepare()?.run_cancellable(&|_| {}, cancel))?;
    py.detach(|| serde_json::to_string_pretty(&document)).map_err(serialising)
}

#[pymodule]
fn _pactsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", pactsim::VERSION)?;
    m.add("InvalidDeal", m.py().get_type::<InvalidDeal>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(library, m)?)?;
    m.add_function(wrap_pyfunction!(parse_override, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(tornado, m)?)?;
    m.add_function(wrap_pyfunction!(sobol, m)?)?;
    m.add_function(wrap_pyfunction!(frontier, m)?)?;
    Ok(())
}
