//! Analyses as jobs: `POST /v1/analyses/compare`, `/sensitivity` and `/frontier` take a JSON body
//! with the deals (library ids or TOML texts) and the command line's options, validate it at once
//! (422 with diagnostics, as a run), and queue the analysis on the same pool as runs. It is then a
//! job like a run: its status, progress (paths over all its evaluations), cancellation and result
//! are under `/v1/runs/{id}`, and its result is the document the CLI prints with `--json` for the
//! same arguments.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use pactsim::analysis::compare::{CompareRequest, Entry};
use pactsim::analysis::frontier::{FrontierRequest, Mark, Objective};
use pactsim::analysis::sobol::{SobolInput, SobolRequest};
use pactsim::analysis::tornado::TornadoRequest;
use pactsim::analysis::{Common, Range, Stopped};
use pactsim::spec::Override;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::App;
use crate::error::{ApiError, ErrorBody};
use crate::pool::{Finished, Live, Stopped as PoolStop, Work};
use crate::store::NewRun;

/// An analysis may run at most this many times `--max-paths` paths over all its evaluations.
const MAX_EVALUATIONS: u64 = 256;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/v1/analyses/compare", post(compare))
        .route("/v1/analyses/sensitivity", post(sensitivity))
        .route("/v1/analyses/frontier", post(frontier))
}

/// A deal: a library deal by its id, or a deal file's text (named `name` in the document).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealRef {
    /// A library deal's id (`GET /v1/deals`), e.g. `kr-us-2025-mou`.
    pub id: Option<String>,
    /// A deal file's TOML text.
    pub text: Option<String>,
    /// With `text`: the name the document records for it (default `deal.toml`).
    pub name: Option<String>,
}

impl DealRef {
    /// (the name the document records, the text): a library deal is recorded as `deals/ID.toml`,
    /// as the command line run from a checkout records it.
    fn resolve(&self, field: &str) -> Result<(String, String), ApiError> {
        match (&self.id, &self.text) {
            (Some(id), None) => match pactsim::library::deal(id) {
                Some(text) => Ok((format!("deals/{id}.toml"), text.to_string())),
                None => Err(ApiError::unprocessable("invalid_request", format!("{field}: no library deal `{id}`"))),
            },
            (None, Some(text)) => Ok((self.name.clone().unwrap_or_else(|| "deal.toml".into()), text.clone())),
            _ => Err(ApiError::unprocessable("invalid_request", format!("{field}: give either `id` or `text`"))),
        }
    }
}

/// What every analysis takes, as the command line's `--seed`, `--paths`, `--set` and `--unset`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CommonBody {
    pub seed: Option<u64>,
    pub paths: Option<u64>,
    /// Applied to every deal, in order: `KEY=VALUE` sets, `!KEY` removes (as outputs record them).
    #[serde(default)]
    pub overrides: Vec<String>,
}

/// Overrides in their recorded form.
fn overrides(texts: &[String], field: &str) -> Result<Vec<Override>, ApiError> {
    texts
        .iter()
        .map(|text| {
            Override::parse(text).map_err(|e| ApiError::unprocessable("invalid_override", format!("{field}: {e}")))
        })
        .collect()
}

impl CommonBody {
    fn common(&self) -> Result<Common, ApiError> {
        Ok(Common { seed: self.seed, paths: self.paths, overrides: overrides(&self.overrides, "overrides")? })
    }
}

/// `POST /v1/analyses/compare`: deals side by side on the same paths (`pactsim compare`).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareBody {
    /// The deals; differences are against the first.
    pub deals: Vec<DealRef>,
    /// Variants of the first deal, each compared as a deal of its own (`--variant`).
    #[serde(default)]
    pub variants: Vec<VariantBody>,
    #[serde(flatten)]
    pub common: CommonBody,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantBody {
    pub name: String,
    /// `KEY=VALUE` sets, `!KEY` removes, applied after the common overrides.
    pub overrides: Vec<String>,
}

/// `POST /v1/analyses/sensitivity` (`pactsim sensitivity`).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitivityBody {
    pub deal: DealRef,
    /// `tornado` or `sobol`.
    pub method: String,
    /// A figure of the run output's totals (`--output`).
    pub output: Option<String>,
    /// Tornado: `KEY=LO..HI` inputs (`--range`).
    #[serde(default)]
    pub ranges: Vec<String>,
    /// Sobol': `KEY` (a distribution of the deal) or `KEY=LO..HI` (`--input`).
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Sobol': base rows, a power of two (`--n`).
    pub n: Option<u64>,
    #[serde(flatten)]
    pub common: CommonBody,
}

/// `POST /v1/analyses/frontier` (`pactsim frontier`).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontierBody {
    pub deal: DealRef,
    /// Terms and their ranges, `KEY=LO..HI` (`--vary`).
    pub vary: Vec<String>,
    /// Design points (`--points`, default 64).
    pub points: Option<u64>,
    /// `NAME=FIGURE[:min|max]` (`--objective`).
    #[serde(default)]
    pub objectives: Vec<String>,
    /// Real deals to place against the points (`--mark`).
    #[serde(default)]
    pub marks: Vec<DealRef>,
    #[serde(flatten)]
    pub common: CommonBody,
}

fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::unprocessable("invalid_request", format!("the body: {e}")))
}

/// An analysis validated and ready to queue.
struct Ready {
    kind: &'static str,
    /// The first deal's text, for locating diagnostics.
    deal: String,
    crn: pactsim::analysis::Crn,
    total: u64,
    overrides: Vec<String>,
    work: Analysis,
}

/// An analysis's run: its document as printed, or why it stopped.
type Analysis = Box<dyn FnOnce(&Live) -> Result<String, Stop> + Send>;

impl Ready {
    /// `run` runs the prepared analysis with a progress callback and returns its document.
    fn new<D: serde::Serialize>(
        kind: &'static str,
        deal: String,
        overrides: Vec<String>,
        (crn, total): (pactsim::analysis::Crn, u64),
        run: impl FnOnce(&(dyn Fn(u64) + Sync), &AtomicBool) -> Result<D, Stopped> + Send + 'static,
    ) -> Ready {
        let work: Analysis = Box::new(move |live: &Live| {
            let document = run(&progress(live), &live.cancel)?;
            printed(&document).map_err(Failed)
        });
        Ready { kind, deal, crn, total, overrides, work }
    }
}

/// Why an analysis job gave no document: the library's reasons, or its document not serialising.
enum Stop {
    Cancelled,
    Refused(pactsim::Error),
    Failed(String),
}

impl From<Stopped> for Stop {
    fn from(stopped: Stopped) -> Self {
        match stopped {
            Stopped::Cancelled => Stop::Cancelled,
            Stopped::Refused(error) => Stop::Refused(error),
        }
    }
}

use Stop::Failed;

/// The document as `--json` prints it.
fn printed(document: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(document).map(|text| format!("{text}\n")).map_err(|e| e.to_string())
}

/// Queues a validated analysis.
async fn queue(
    app: App,
    input: Bytes,
    prepare: impl FnOnce() -> Result<Ready, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let ready = tokio::task::spawn_blocking(prepare)
        .await
        .unwrap_or_else(|_| Err(ApiError::internal("preparing the analysis failed")))?;
    let max = app.limits.max_paths;
    if ready.crn.paths > max {
        return Err(ApiError::unprocessable(
            "too_many_paths",
            format!("paths: found {}, this server runs at most {max}", ready.crn.paths),
        ));
    }
    if ready.total > max.saturating_mul(MAX_EVALUATIONS) {
        return Err(ApiError::unprocessable(
            "too_many_paths",
            format!(
                "the analysis runs {} paths in all; this server runs at most {} ({MAX_EVALUATIONS} runs of --max-paths)",
                ready.total,
                max.saturating_mul(MAX_EVALUATIONS)
            ),
        ));
    }
    let new = NewRun {
        kind: ready.kind,
        deal: deal_id(&ready.deal),
        input: String::from_utf8_lossy(&input).into_owned(),
        overrides: ready.overrides,
        seed: Some(ready.crn.seed),
        paths: Some(ready.crn.paths),
        total: ready.total,
    };
    let work = ready.work;
    let job: Work = Box::new(move |live: &Live| {
        let result = work(live).map_err(|stop| match stop {
            Stop::Cancelled => PoolStop::Cancelled,
            Stop::Refused(error) => PoolStop::Failed(error.to_string()),
            Stop::Failed(why) => PoolStop::Failed(why),
        })?;
        Ok(Finished { result, files: Vec::new() })
    });
    crate::api::submit(&app, "/v1/runs", new, move |_| job).await
}

/// The deal's id as its `[deal] id` says (the text was validated).
fn deal_id(text: &str) -> String {
    text.parse::<toml::Table>()
        .ok()
        .and_then(|table| table.get("deal")?.get("id")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn ranges(texts: &[String], flag: &'static str) -> Result<Vec<Range>, ApiError> {
    texts.iter().map(|text| Range::parse(text, flag).map_err(|e| ApiError::from_request("", e))).collect()
}

/// Progress for a job: paths done over all its evaluations.
fn progress(live: &Live) -> impl Fn(u64) + Sync + '_ {
    |done| live.done.store(done, Ordering::Relaxed)
}

#[utoipa::path(post, path = "/v1/analyses/compare", tag = "analyses",
    request_body(content = CompareBody, description = "Deals (library ids or texts), variants of the first, and the common seed, paths and overrides"),
    responses(
        (status = 202, description = "Queued; its status, result (the `pactsim compare --json` document) and cancellation are under /v1/runs/{id}", body = crate::api::Accepted),
        (status = 422, description = "A bad body, deal, variant or override", body = ErrorBody),
        (status = 429, description = "The queue is full", body = ErrorBody)))]
pub async fn compare(State(app): State<App>, input: Bytes) -> Result<Response, ApiError> {
    let request: CompareBody = body(&input)?;
    queue(app, input, move || {
        let mut entries = Vec::new();
        for (index, deal) in request.deals.iter().enumerate() {
            let (file, text) = deal.resolve(&format!("deals[{index}]"))?;
            entries.push(Entry::file(file, text));
        }
        if let Some(first) = entries.first().cloned() {
            for (index, variant) in request.variants.iter().enumerate() {
                let overrides = overrides(&variant.overrides, &format!("variants[{index}].overrides"))?;
                entries.push(Entry { label: Some(variant.name.clone()), overrides, ..first.clone() });
            }
        }
        let common = request.common.common()?;
        let first = entries.first().map(|e| e.text.clone()).unwrap_or_default();
        let compare = CompareRequest { entries, common: common.clone() };
        let prepared = compare
            .prepare()
            .map_err(|e| analysis_error(&compare.entries.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(), e))?;
        let size = (prepared.crn(), prepared.total_paths());
        Ok(Ready::new("compare", first, request.common.overrides.clone(), size, move |progress, cancel| {
            Ok(prepared.run_cancellable(progress, cancel)?)
        }))
    })
    .await
}

#[utoipa::path(post, path = "/v1/analyses/sensitivity", tag = "analyses",
    request_body(content = SensitivityBody, description = "A deal, the method (tornado or sobol) and its inputs, and the common seed, paths and overrides"),
    responses(
        (status = 202, description = "Queued; its result is the `pactsim sensitivity --json` document", body = crate::api::Accepted),
        (status = 422, description = "A bad body, deal, range, input or override", body = ErrorBody),
        (status = 429, description = "The queue is full", body = ErrorBody)))]
pub async fn sensitivity(State(app): State<App>, input: Bytes) -> Result<Response, ApiError> {
    let request: SensitivityBody = body(&input)?;
    queue(app, input, move || {
        let (_, text) = request.deal.resolve("deal")?;
        let common = request.common.common()?;
        let recorded = request.common.overrides.clone();
        let only = |given: bool, what: &str, method: &str| match given {
            true => Err(ApiError::unprocessable("invalid_request", format!("{what} goes with method `{method}`"))),
            false => Ok(()),
        };
        match request.method.as_str() {
            "tornado" => {
                only(!request.inputs.is_empty(), "inputs", "sobol")?;
                only(request.n.is_some(), "n", "sobol")?;
                let tornado = TornadoRequest {
                    deal: text.clone(),
                    common,
                    output: request.output.clone(),
                    ranges: ranges(&request.ranges, "range")?,
                };
                let prepared = tornado.prepare().map_err(|e| analysis_error(&[&text], e))?;
                let size = (prepared.crn(), prepared.total_paths());
                Ok(Ready::new("sensitivity", text, recorded, size, move |progress, cancel| {
                    prepared.run_cancellable(progress, cancel)
                }))
            }
            "sobol" => {
                only(!request.ranges.is_empty(), "ranges", "tornado")?;
                let n = request.n.ok_or_else(|| {
                    ApiError::unprocessable(
                        "invalid_request",
                        "method sobol needs n, the number of base rows (a power of two, such as 256)",
                    )
                })?;
                let mut inputs = Vec::new();
                for input in &request.inputs {
                    inputs.push(match input.contains('=') {
                        true => {
                            SobolInput::Range(Range::parse(input, "input").map_err(|e| ApiError::from_request("", e))?)
                        }
                        false => SobolInput::Distribution(input.trim().to_string()),
                    });
                }
                let sobol = SobolRequest { deal: text.clone(), common, output: request.output.clone(), inputs, n };
                let prepared = sobol.prepare().map_err(|e| analysis_error(&[&text], e))?;
                let size = (prepared.crn(), prepared.total_paths());
                Ok(Ready::new("sensitivity", text, recorded, size, move |progress, cancel| {
                    prepared.run_cancellable(progress, cancel).map(|result| result.output)
                }))
            }
            other => Err(ApiError::unprocessable(
                "invalid_request",
                format!("method: found `{other}`, expected `tornado` or `sobol`"),
            )),
        }
    })
    .await
}

#[utoipa::path(post, path = "/v1/analyses/frontier", tag = "analyses",
    request_body(content = FrontierBody, description = "A deal, the terms varied, objectives, marked deals, and the common seed, paths and overrides"),
    responses(
        (status = 202, description = "Queued; its result is the `pactsim frontier --json` document", body = crate::api::Accepted),
        (status = 422, description = "A bad body, deal, range, objective or override", body = ErrorBody),
        (status = 429, description = "The queue is full", body = ErrorBody)))]
pub async fn frontier(State(app): State<App>, input: Bytes) -> Result<Response, ApiError> {
    let request: FrontierBody = body(&input)?;
    queue(app, input, move || {
        let (_, text) = request.deal.resolve("deal")?;
        let mut marks = Vec::new();
        for (index, mark) in request.marks.iter().enumerate() {
            let (file, text) = mark.resolve(&format!("marks[{index}]"))?;
            marks.push(Mark { file, text });
        }
        let objectives: Vec<Objective> = request
            .objectives
            .iter()
            .map(|t| Objective::parse(t).map_err(|e| ApiError::from_request("", e)))
            .collect::<Result<_, _>>()?;
        let texts: Vec<&str> = std::iter::once(text.as_str()).chain(marks.iter().map(|m| m.text.as_str())).collect();
        let texts: Vec<String> = texts.into_iter().map(str::to_string).collect();
        let frontier = FrontierRequest {
            deal: text.clone(),
            common: request.common.common()?,
            vary: ranges(&request.vary, "vary")?,
            points: request.points.unwrap_or(64),
            objectives,
            marks,
        };
        let prepared =
            frontier.prepare().map_err(|e| analysis_error(&texts.iter().map(String::as_str).collect::<Vec<_>>(), e))?;
        let size = (prepared.crn(), prepared.total_paths());
        Ok(Ready::new("frontier", text, request.common.overrides.clone(), size, move |progress, cancel| {
            prepared.run_cancellable(progress, cancel)
        }))
    })
    .await
}

/// A refused analysis: the diagnostics located in the text of the deal they point into.
fn analysis_error(texts: &[&str], error: pactsim::Error) -> ApiError {
    let index = match &error {
        pactsim::Error::InvalidAnalysisDeal { deal, .. } => *deal,
        _ => 0,
    };
    ApiError::from_request(texts.get(index).copied().unwrap_or(""), error)
}
