//! pactsim's HTTP service (`pactsim serve`) and its run store: the engine behind HTTP for a team's
//! shared server and the web page it serves. The contract is ../shared/contracts/service.md.
//!
//! # Brief overview
//!
//! - `api` holds the routes: the deal library, checks, runs and their results and files, the page
//!   and the OpenAPI document generated from the handlers' annotations; `analyses` the analysis
//!   jobs. `error` is the one error shape every answer uses (`{ error, message }`, plus
//!   diagnostics for a bad deal).
//! - `store` is the SQLite file (WAL) of runs, their inputs, states, results and rendered files.
//! - `pool` is the bounded queue and the worker threads that run jobs off the async reactor;
//!   `jobs` is what a worker does for a run (the paths, then every file the API serves for it).
//!
//! A run is validated when it is submitted (bad input is a 422 at once, never a failed run), then
//! recorded as queued, run by a worker, and recorded as done with its result and files in one
//! transaction. The result is the run output JSON exactly as `pactsim run --json` prints it.
//!
//! This is an edge: it depends on the `pactsim` library only, and it is the only part of pactsim
//! that opens sockets. The `pactsim` binary calls [`serve`].

mod analyses;
mod api;
mod error;
mod ids;
mod jobs;
mod pool;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use store::{RunStatus, Status, Store, StoreError};

/// The largest body a request may send.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What `pactsim serve` was asked for.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub store: PathBuf,
    /// With a token, every `/v1` request must carry `Authorization: Bearer TOKEN`.
    pub token: Option<String>,
    pub max_paths: u64,
    pub workers: usize,
    pub queue: usize,
}

/// The default number of workers: one. Each run is already parallel over its paths on every
/// core, so a second worker would not finish runs sooner, only split the cores between two runs
/// and hold the memory of both (docs/design.md, "How many runs at once?").
pub const DEFAULT_WORKERS: usize = 1;

/// The limits the routes enforce.
#[derive(Debug, Clone)]
pub struct Limits {
    pub token: Option<String>,
    pub max_paths: u64,
}

/// What every handler shares.
pub struct AppState {
    store: Arc<Store>,
    pool: Arc<pool::Pool>,
    limits: Limits,
    deals: Vec<api::DealEntry>,
}

type App = Arc<AppState>;

/// Why the server would not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Bad input: the command line exits 2.
    #[error(
        "refusing to listen on {0} without a token: that address is reachable from other machines, and anyone who can reach it could run and read every deal\nhint: pass --token TOKEN (or set PACTSIM_TOKEN), or listen on 127.0.0.1"
    )]
    NoToken(SocketAddr),
    #[error("--workers: expected at least 1 worker")]
    NoWorkers,
    #[error("--queue: expected room for at least 1 run")]
    NoQueue,
    #[error("opening the run store {}: {source}", .path.display())]
    Store { path: PathBuf, source: StoreError },
    #[error("listening on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    /// Whether the user asked for something this server refuses (exit 2) rather than the
    /// system failing (exit 1).
    pub fn is_bad_input(&self) -> bool {
        use std::io::ErrorKind;
        match self {
            ServeError::NoToken(_) | ServeError::NoWorkers | ServeError::NoQueue => true,
            // A file that cannot be opened (a missing folder, a folder, no permission) or is not
            // a store: the user named the wrong one.
            ServeError::Store { source: StoreError::NotAStore { .. }, .. } => true,
            ServeError::Store { source: StoreError::Sqlite(error), .. } => {
                matches!(
                    error.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::NotADatabase)
                )
            }
            // An address in use, not this machine's, or a privileged port.
            ServeError::Bind { source, .. } => {
                matches!(
                    source.kind(),
                    ErrorKind::AddrInUse | ErrorKind::AddrNotAvailable | ErrorKind::PermissionDenied
                )
            }
            ServeError::Io(_) => false,
        }
    }
}

/// The router over a store, with `workers` threads and a queue of `queue` jobs.
pub fn router(store: Store, limits: Limits, workers: usize, queue: usize) -> Router {
    let store = Arc::new(store);
    let pool = pool::Pool::start(store.clone(), workers, queue);
    let app = Arc::new(AppState { store, pool, limits, deals: api::library() });
    Router::new()
        .route("/", get(api::page::index))
        .route("/assets/app.js", get(api::page::app_js))
        .route("/assets/style.css", get(api::page::style))
        .route("/openapi.json", get(api::openapi))
        .route("/v1/deals", get(api::list_deals))
        .route("/v1/deals/{id}", get(api::get_deal))
        .route("/v1/check", post(api::check))
        .route("/v1/runs", post(api::create_run).get(api::list_runs))
        .route("/v1/runs/{id}", get(api::get_run).delete(api::cancel_run))
        .route("/v1/runs/{id}/result", get(api::run_result))
        .route("/v1/runs/{id}/deal.toml", get(api::run_deal))
        .route("/v1/runs/{id}/years.csv", get(api::years_csv))
        .route("/v1/runs/{id}/tables.xlsx", get(api::tables_xlsx))
        .route("/v1/runs/{id}/report.html", get(api::report_html))
        .route("/v1/runs/{id}/charts", get(api::list_charts))
        .route("/v1/runs/{id}/charts/{file}", get(api::chart_svg))
        .merge(analyses::routes())
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(app.clone(), api::authorise))
        .layer(axum::middleware::map_response(error::json_errors))
        .with_state(app)
}

/// Checks the configuration, opens the store and serves until Ctrl-C or SIGTERM. `listening` is
/// called with the address bound (the port chosen when the configuration asked for port 0).
pub fn serve(config: Config, listening: impl FnOnce(SocketAddr, usize)) -> Result<(), ServeError> {
    if config.token.is_none() && !config.addr.ip().is_loopback() {
        return Err(ServeError::NoToken(config.addr));
    }
    if config.workers == 0 {
        return Err(ServeError::NoWorkers);
    }
    if config.queue == 0 {
        return Err(ServeError::NoQueue);
    }
    let (store, interrupted) =
        Store::open(&config.store).map_err(|source| ServeError::Store { path: config.store.clone(), source })?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        // The handlers are in place before the server says it listens: a signal sent as soon as
        // it does stops it gracefully.
        let stop = shutdown()?;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServeError::Bind { addr: config.addr, source })?;
        listening(listener.local_addr()?, interrupted);
        let limits = Limits { token: config.token, max_paths: config.max_paths };
        let app = router(store, limits, config.workers, config.queue);
        axum::serve(listener, app).with_graceful_shutdown(stop).await?;
        Ok(())
    })
}

/// A future that resolves on Ctrl-C (SIGINT) or SIGTERM, its handlers registered at once. Runs
/// still going are left to the store's recovery: they read `interrupted` after the next start, as
/// after a crash.
#[cfg(unix)]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
