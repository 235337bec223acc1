//! The routes of `/v1` (../shared/contracts/service.md), the page, and the OpenAPI document
//! generated from the handlers' annotations.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactsim::spec::Override;
use utoipa::OpenApi;

use crate::App;
use crate::error::{ApiError, ErrorBody};
use crate::jobs::{self, CHART_PREFIX};
use crate::pool::Cancel;
use crate::store::{Lookup, NewRun, RunStatus, Status};

/// How long a client is told to wait when the queue is full.
const RETRY_AFTER_SECONDS: u32 = 5;
/// How long `DELETE` waits for a running run to stop before answering with its status as it is.
const CANCEL_WAIT: Duration = Duration::from_secs(10);
/// The page size of `GET /v1/runs` when the client names none, and the most it may ask for.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

#[derive(OpenApi)]
#[openapi(
    info(title = "pactsim", description = "The pactsim service: deals, checks, runs and analyses (API version 1)."),
    paths(
        list_deals,
        get_deal,
        check,
        create_run,
        list_runs,
        get_run,
        cancel_run,
        run_result,
        run_deal,
        years_csv,
        tables_xlsx,
        report_html,
        list_charts,
        chart_svg,
        crate::analyses::compare,
        crate::analyses::sensitivity,
        crate::analyses::frontier,
    ),
    components(schemas(ErrorBody, RunStatus, Status, DealEntry, CheckAnswer, DiscountRates, RunList, Accepted, ChartEntry, crate::analyses::CompareBody, crate::analyses::SensitivityBody, crate::analyses::FrontierBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Documents the bearer token every `/v1` route takes when the server has one.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![SecurityRequirement::new("token", Vec::<String>::new())]);
    }
}

/// `GET /openapi.json`
pub async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = DOCUMENT.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".into()));
    ([(header::CONTENT_TYPE, "application/json")], text.clone()).into_response()
}

/// A deal of the library.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DealEntry {
    pub id: String,
    pub title: String,
    /// Where it lives in a pactsim checkout.
    pub file: String,
}

/// The deal library with each deal's title (read from its `[deal] title`).
pub fn library() -> Vec<DealEntry> {
    pactsim::library::DEALS
        .iter()
        .map(|(id, text)| {
            let title = text
                .parse::<toml::Table>()
                .ok()
                .and_then(|table| table.get("deal")?.get("title")?.as_str().map(str::to_string))
                .unwrap_or_default();
            DealEntry { id: id.to_string(), title, file: format!("deals/{id}.toml") }
        })
        .collect()
}

#[utoipa::path(get, path = "/v1/deals", tag = "deals",
    responses((status = 200, description = "The deal library", body = [DealEntry])))]
pub async fn list_deals(State(app): State<App>) -> Json<Vec<DealEntry>> {
    Json(app.deals.clone())
}

#[utoipa::path(get, path = "/v1/deals/{id}", tag = "deals",
    params(("id" = String, Path, description = "The deal's id, e.g. kr-us-2025-mou")),
    responses(
        (status = 200, description = "The deal's TOML text", content_type = "application/toml", body = String),
        (status = 404, description = "No such deal", body = ErrorBody)))]
pub async fn get_deal(Path(id): Path<String>) -> Result<Response, ApiError> {
    let text = pactsim::library::deal(&id).ok_or_else(|| ApiError::not_found(format!("no library deal `{id}`")))?;
    Ok(([(header::CONTENT_TYPE, "application/toml; charset=utf-8")], text).into_response())
}

/// The query of `POST /v1/runs` and `POST /v1/check`, in order (overrides apply in the order given).
struct RunQuery {
    paths: Option<u64>,
    seed: Option<u64>,
    overrides: Vec<Override>,
}

fn number(name: &str, value: &str) -> Result<u64, ApiError> {
    value
        .parse::<u64>()
        .map_err(|_| ApiError::bad_parameter(format!("{name}: expected a whole number, found `{value}`")))
}

/// Reads the query; only `allowed` keys may appear.
fn run_query(raw: Option<&str>, allowed: &[&str]) -> Result<RunQuery, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_parameter(format!("the query does not decode: {e}")))?;
    let mut query = RunQuery { paths: None, seed: None, overrides: Vec::new() };
    for (key, value) in pairs {
        if !allowed.contains(&key.as_str()) {
            return Err(ApiError::bad_parameter(format!("unknown parameter `{key}`; expected {}", allowed.join(", "))));
        }
        match key.as_str() {
            "paths" => query.paths = Some(number("paths", &value)?),
            "seed" => query.seed = Some(number("seed", &value)?),
            "set" => query.overrides.push(
                Override::parse_set(&value)
                    .map_err(|e| ApiError::unprocessable("invalid_override", format!("set: {e}")))?,
            ),
            _ => query.overrides.push(Override::unset(value)),
        }
    }
    Ok(query)
}

/// The body as the deal's text.
fn deal_text(body: Bytes) -> Result<String, ApiError> {
    String::from_utf8(body.to_vec()).map_err(|_| ApiError::unprocessable("invalid_deal", "the deal is not UTF-8 text"))
}

/// Runs `f` on the blocking pool (store calls, deal validation).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| Err(ApiError::internal("a request's work failed")))
}

/// What `POST /v1/check` says about a valid deal.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CheckAnswer {
    pub valid: bool,
    /// The deal's id.
    pub deal: String,
    pub title: String,
    pub investor: String,
    pub host: String,
    /// The deal's start: the date NPVs are discounted to.
    pub start: String,
    pub end: String,
    pub facilities: usize,
    pub projects: usize,
    /// Importing markets of its `[trade]` section.
    pub markets: usize,
    /// The seed and paths of its `[run]`.
    pub seed: u64,
    pub paths: u64,
    /// The overrides applied, as recorded.
    pub overrides: Vec<String>,
    /// The rates of its `[run]` that the investor's and the host's NPVs are discounted at.
    pub discount_rate: DiscountRates,
}

/// Yearly discount rates, as fractions (0.05 is 5%).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DiscountRates {
    pub investor: f64,
    pub host: f64,
}

#[utoipa::path(post, path = "/v1/check", tag = "deals",
    params(
        ("set" = Option<Vec<String>>, Query, description = "KEY=VALUE, repeatable, applied in order with unset"),
        ("unset" = Option<Vec<String>>, Query, description = "KEY, repeatable")),
    request_body(content = String, content_type = "application/toml", description = "The deal's TOML text"),
    responses(
        (status = 200, description = "The deal is valid", body = CheckAnswer),
        (status = 422, description = "The deal or an override is not valid", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody)))]
pub async fn check(RawQuery(raw): RawQuery, body: Bytes) -> Result<Json<CheckAnswer>, ApiError> {
    let query = run_query(raw.as_deref(), &["set", "unset"])?;
    let text = deal_text(body)?;
    blocking(move || {
        let deal = pactsim::spec::parse_deal_with(&text, &query.overrides)
            .map_err(|diagnostics| ApiError::invalid_deal(&text, &diagnostics))?;
        Ok(Json(CheckAnswer {
            valid: true,
            title: deal.title.clone(),
            investor: deal.investor.clone(),
            host: deal.host.clone(),
            start: deal.start.to_string(),
            end: deal.end.to_string(),
            facilities: deal.facilities.len(),
            projects: deal.projects.len(),
            markets: deal.trade.len(),
            seed: deal.run.seed,
            paths: deal.run.paths,
            overrides: deal.overrides.clone(),
            discount_rate: DiscountRates {
                investor: deal.run.investor_discount_rate,
                host: deal.run.host_discount_rate,
            },
            deal: deal.id,
        }))
    })
    .await
}

/// `202` to a submission.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub id: String,
    pub status: Status,
}

/// Records a job in the store, queues it, and answers 202 with its `Location`; 429 when the queue
/// is full (nothing is recorded then).
pub async fn submit(
    app: &App,
    location: &str,
    new: NewRun,
    work: impl FnOnce(String) -> crate::pool::Work + Send + 'static,
) -> Result<Response, ApiError> {
    let id = crate::ids::new_id();
    let app2 = app.clone();
    let id2 = id.clone();
    blocking(move || {
        let Some(place) = app2.pool.reserve() else {
            let mut error =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "queue_full", "the run queue is full; try again shortly");
            error.retry_after = Some(RETRY_AFTER_SECONDS);
            return Err(error);
        };
        app2.store.insert(&id2, &new)?;
        place.submit(id2.clone(), work(id2));
        Ok(())
    })
    .await?;
    let mut response =
        (StatusCode::ACCEPTED, Json(Accepted { id: id.clone(), status: Status::Queued })).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("{location}/{id}")) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

#[utoipa::path(post, path = "/v1/runs", tag = "runs",
    params(
        ("paths" = Option<u64>, Query, description = "Monte Carlo paths (default: the deal's [run] paths), at most the server's --max-paths"),
        ("seed" = Option<u64>, Query, description = "Seed of the random streams (default: the deal's [run] seed)"),
        ("set" = Option<Vec<String>>, Query, description = "KEY=VALUE, repeatable, applied in order with unset"),
        ("unset" = Option<Vec<String>>, Query, description = "KEY, repeatable")),
    request_body(content = String, content_type = "application/toml", description = "The deal's TOML text"),
    responses(
        (status = 202, description = "Queued; Location names the run", body = Accepted),
        (status = 400, description = "A query parameter is not a number or not known", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody),
        (status = 422, description = "The deal or an override is not valid, or paths are out of range", body = ErrorBody),
        (status = 429, description = "The queue is full (see Retry-After)", body = ErrorBody)))]
pub async fn create_run(State(app): State<App>, RawQuery(raw): RawQuery, body: Bytes) -> Result<Response, ApiError> {
    let query = run_query(raw.as_deref(), &["paths", "seed", "set", "unset"])?;
    let max_paths = app.limits.max_paths;
    if let Some(paths) = query.paths
        && paths > max_paths
    {
        return Err(too_many_paths(paths, max_paths));
    }
    let source = deal_text(body)?;
    let RunQuery { paths, seed, overrides } = query;
    let (prepared, source, overrides) = blocking(move || {
        let request = pactsim::RunRequest {
            overrides: overrides.clone(),
            seed,
            paths: paths.map_or(pactsim::Paths::FromDeal, pactsim::Paths::Fixed),
            ..pactsim::RunRequest::new(source.clone())
        };
        let prepared = request.prepare().map_err(|error| ApiError::from_request(&source, error))?;
        Ok((prepared, source, overrides))
    })
    .await?;
    let paths = prepared.fixed_paths().unwrap_or(0);
    if paths > max_paths {
        return Err(too_many_paths(paths, max_paths));
    }
    let new = NewRun {
        kind: "run",
        deal: prepared.deal().id.clone(),
        input: source.clone(),
        overrides: overrides.iter().map(Override::to_string).collect(),
        seed: Some(prepared.seed()),
        paths: Some(paths),
        total: paths,
    };
    submit(&app, "/v1/runs", new, move |id| jobs::run(id, prepared, source, overrides)).await
}

fn too_many_paths(paths: u64, max: u64) -> ApiError {
    ApiError::unprocessable("too_many_paths", format!("paths: found {paths}, this server runs at most {max}"))
}

/// A page of runs, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RunList {
    pub runs: Vec<RunStatus>,
    /// The `cursor` of the next page, or null on the last.
    pub next: Option<String>,
}

#[utoipa::path(get, path = "/v1/runs", tag = "runs",
    params(
        ("limit" = Option<u32>, Query, description = "Runs per page, 1 to 500 (default 50)"),
        ("cursor" = Option<String>, Query, description = "The `next` of the previous page")),
    responses(
        (status = 200, description = "Runs and analyses, newest first", body = RunList),
        (status = 400, description = "A bad limit or cursor", body = ErrorBody)))]
pub async fn list_runs(State(app): State<App>, RawQuery(raw): RawQuery) -> Result<Json<RunList>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_parameter(format!("the query does not decode: {e}")))?;
    let mut limit = DEFAULT_LIMIT;
    let mut cursor = None;
    for (key, value) in pairs {
        match key.as_str() {
            "limit" => {
                limit = match value.parse::<u32>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                    _ => {
                        return Err(ApiError::bad_parameter(format!(
                            "limit: expected a whole number from 1 to {MAX_LIMIT}, found `{value}`"
                        )));
                    }
                }
            }
            "cursor" => {
                cursor = Some(value.parse::<i64>().map_err(|_| {
                    ApiError::bad_parameter(format!("cursor: `{value}` is not a cursor this server gave"))
                })?)
            }
            other => {
                return Err(ApiError::bad_parameter(format!("unknown parameter `{other}`; expected limit, cursor")));
            }
        }
    }
    let app2 = app.clone();
    let (mut runs, next) = blocking(move || Ok(app2.store.list(limit, cursor)?)).await?;
    for run in &mut runs {
        app.live_progress(run);
    }
    Ok(Json(RunList { runs, next: next.map(|n| n.to_string()) }))
}

#[utoipa::path(get, path = "/v1/runs/{id}", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run's status", body = RunStatus),
        (status = 404, description = "No such run", body = ErrorBody)))]
pub async fn get_run(State(app): State<App>, Path(id): Path<String>) -> Result<Json<RunStatus>, ApiError> {
    Ok(Json(app.status(id).await?))
}

#[utoipa::path(delete, path = "/v1/runs/{id}", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run as it stands after the cancellation: `cancelled` (or `done` if it finished first)", body = RunStatus),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run had already ended", body = ErrorBody)))]
pub async fn cancel_run(State(app): State<App>, Path(id): Path<String>) -> Result<Json<RunStatus>, ApiError> {
    let status = app.status(id.clone()).await?;
    if status.status == Status::Cancelled {
        return Ok(Json(status));
    }
    if status.status.is_final() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_ended",
            format!("run {id} has already ended: {}", status.status.as_str()),
        ));
    }
    let app2 = app.clone();
    let id2 = id.clone();
    let what = blocking(move || Ok(app2.pool.cancel(&id2))).await?;
    if let Cancel::Signalled = what {
        // The worker stops within about one path's time a thread and records the end.
        let deadline = tokio::time::Instant::now() + CANCEL_WAIT;
        while app.pool.is_live(&id) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(Json(app.status(id).await?))
}

/// A done run's stored text or file, or the error saying why not.
fn found<T>(id: &str, what: &str, lookup: Lookup<T>) -> Result<T, ApiError> {
    match lookup {
        Lookup::Found(value) => Ok(value),
        Lookup::NoSuchRun => Err(ApiError::not_found(format!("no run `{id}`"))),
        Lookup::NoSuchFile => Err(ApiError::not_found(format!("run {id} has no {what}"))),
        Lookup::NotDone(status) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_done",
            format!("run {id} is {}; its {what} exists once it is done", status.as_str()),
        )),
    }
}

#[utoipa::path(get, path = "/v1/runs/{id}/result", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run output JSON, byte for byte what `pactsim run FILE --json` prints with the same seed, paths and overrides (an analysis: its `--json` document)", content_type = "application/json", body = Object),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run is not done", body = ErrorBody)))]
pub async fn run_result(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let app2 = app.clone();
    let id2 = id.clone();
    let lookup = blocking(move || Ok(app2.store.result(&id2)?)).await?;
    let text = found(&id, "result", lookup)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

#[utoipa::path(get, path = "/v1/runs/{id}/deal.toml", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The deal's TOML text exactly as submitted (before its overrides, which the run's status lists), whatever the run's state", content_type = "application/toml", body = String),
        (status = 404, description = "No such run, or an analysis (its deals are in its request)", body = ErrorBody)))]
pub async fn run_deal(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let app2 = app.clone();
    let id2 = id.clone();
    let (kind, text) =
        blocking(move || app2.store.input(&id2)?.ok_or_else(|| ApiError::not_found(format!("no run `{id2}`")))).await?;
    if kind != "run" {
        return Err(ApiError::not_found(format!(
            "{id} is a {kind} analysis: it has no single deal file; its deals are in its request"
        )));
    }
    Ok(([(header::CONTENT_TYPE, "application/toml; charset=utf-8")], text).into_response())
}

/// A stored file of a done run, served with its content type.
async fn stored_file(app: App, id: String, name: String, what: &str) -> Result<Response, ApiError> {
    let app2 = app.clone();
    let (id2, name2) = (id.clone(), name.clone());
    let lookup = blocking(move || Ok(app2.store.file(&id2, &name2)?)).await?;
    let (content_type, body) = found(&id, what, lookup)?;
    let mut response = body.into_response();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/v1/runs/{id}/years.csv", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The years table, as `pactsim run --out DIR` writes years.csv", content_type = "text/csv", body = String),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run is not done", body = ErrorBody)))]
pub async fn years_csv(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    stored_file(app, id, "years.csv".into(), "years table").await
}

#[utoipa::path(get, path = "/v1/runs/{id}/tables.xlsx", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run's tables as one workbook, as `pactsim run --out DIR --format xlsx` writes it", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run is not done", body = ErrorBody)))]
pub async fn tables_xlsx(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    stored_file(app, id, "tables.xlsx".into(), "workbook").await
}

#[utoipa::path(get, path = "/v1/runs/{id}/report.html", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The self-contained HTML report of the run, as `pactsim report` writes it", content_type = "text/html", body = String),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run is not done", body = ErrorBody)))]
pub async fn report_html(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    stored_file(app, id, "report.html".into(), "report").await
}

/// A chart of a run's report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChartEntry {
    /// Its name: `GET /v1/runs/{id}/charts/{name}.svg`.
    pub name: String,
    pub title: String,
}

#[utoipa::path(get, path = "/v1/runs/{id}/charts", tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The report's charts of the deal, in the report's order", body = [ChartEntry]),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run is not done", body = ErrorBody)))]
pub async fn list_charts(State(app): State<App>, Path(id): Path<String>) -> Result<Json<Vec<ChartEntry>>, ApiError> {
    let app2 = app.clone();
    let id2 = id.clone();
    let lookup = blocking(move || Ok(app2.store.titles(&id2, CHART_PREFIX)?)).await?;
    let charts = found(&id, "charts", lookup)?
        .into_iter()
        .map(|(file, title)| {
            let name = file.strip_prefix(CHART_PREFIX).unwrap_or(&file);
            ChartEntry { name: name.strip_suffix(".svg").unwrap_or(name).to_string(), title }
        })
        .collect();
    Ok(Json(charts))
}

#[utoipa::path(get, path = "/v1/runs/{id}/charts/{name}.svg", tag = "runs",
    params(("id" = String, Path, description = "The run's id"), ("name" = String, Path, description = "A chart's name from /charts")),
    responses(
        (status = 200, description = "The chart as SVG", content_type = "image/svg+xml", body = String),
        (status = 404, description = "No such run or chart", body = ErrorBody),
        (status = 409, description = "The run is not done", body = ErrorBody)))]
pub async fn chart_svg(State(app): State<App>, Path((id, file)): Path<(String, String)>) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".svg") else {
        return Err(ApiError::not_found(format!("no chart `{file}`; charts are served as NAME.svg")));
    };
    stored_file(app, id, format!("{CHART_PREFIX}{name}.svg"), &format!("chart `{name}`")).await
}

impl crate::AppState {
    /// A run's status, with the live progress of a running run.
    pub async fn status(self: &Arc<Self>, id: String) -> Result<RunStatus, ApiError> {
        let app = self.clone();
        let id2 = id.clone();
        let mut status =
            blocking(move || app.store.get(&id2)?.ok_or_else(|| ApiError::not_found(format!("no run `{id2}`"))))
                .await?;
        self.live_progress(&mut status);
        Ok(status)
    }

    fn live_progress(&self, status: &mut RunStatus) {
        if status.status == Status::Running
            && let Some(done) = self.pool.progress(&status.id)
        {
            status.progress.done = done.min(status.progress.total);
        }
    }
}

/// The page and its assets, compiled in.
pub mod page {
    use super::*;

    const INDEX: &str = include_str!("../assets/index.html");
    const APP_JS: &str = include_str!("../assets/app.js");
    const STYLE: &str = include_str!("../assets/style.css");

    pub async fn index() -> Response {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response()
    }

    pub async fn app_js() -> Response {
        ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], APP_JS).into_response()
    }

    pub async fn style() -> Response {
        ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
    }
}

/// Middleware: with a token, every `/v1` request must carry `Authorization: Bearer TOKEN`.
pub async fn authorise(
    State(app): State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some(token) = &app.limits.token
        && request.uri().path().starts_with("/v1")
    {
        let given = request.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes()).unwrap_or_default();
        let expected = format!("Bearer {token}");
        if !constant_time_eq(given, expected.as_bytes()) {
            let mut response = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this server needs `Authorization: Bearer TOKEN` on every /v1 request",
            )
            .into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

/// Equality whose time depends on the lengths only, not on where the bytes first differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        difference |= usize::from(x ^ y);
    }
    difference == 0
}

/// 404 for an unknown route, 405 for a known route with another method (made JSON by
/// `json_errors`).
pub async fn not_found() -> Response {
    crate::error::bare(StatusCode::NOT_FOUND)
}

pub async fn method_not_allowed() -> Response {
    crate::error::bare(StatusCode::METHOD_NOT_ALLOWED)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_equal_only_when_equal() {
        use super::constant_time_eq as eq;
        assert!(eq(b"Bearer abc", b"Bearer abc"));
        assert!(!eq(b"Bearer abd", b"Bearer abc"));
        assert!(!eq(b"Bearer ab", b"Bearer abc"));
        assert!(!eq(b"", b"Bearer abc"));
    }
}
