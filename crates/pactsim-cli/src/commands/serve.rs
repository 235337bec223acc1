//! `pactsim serve`: the HTTP service and its run store (crate `pactsim-server`); `pactsim runs
//! list` and `pactsim runs show ID` read the same store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pactsim_server::{Config, RunStatus, Store};

use crate::Failure;

/// The flags of `pactsim serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeFlags {
    /// The address to listen on; any address that is not loopback needs a token
    #[arg(long, default_value = "127.0.0.1:7878")]
    addr: SocketAddr,
    /// The SQLite file of runs (created if missing)
    #[arg(long, value_name = "FILE", default_value = "pactsim-runs.sqlite")]
    store: PathBuf,
    /// Every /v1 request must carry `Authorization: Bearer TOKEN` (default: the environment
    /// variable PACTSIM_TOKEN)
    #[arg(long)]
    token: Option<String>,
    /// The most paths a run may ask for
    #[arg(long, default_value_t = 1_000_000)]
    max_paths: u64,
    /// Runs at once (each already uses every core)
    #[arg(long, default_value_t = pactsim_server::DEFAULT_WORKERS)]
    workers: usize,
    /// Runs waiting at most; more get 429
    #[arg(long, default_value_t = 64)]
    queue: usize,
}

pub fn serve(flags: ServeFlags) -> Result<(), Failure> {
    let config = Config {
        addr: flags.addr,
        store: flags.store.clone(),
        token: flags.token.or_else(|| std::env::var("PACTSIM_TOKEN").ok()).filter(|token| !token.is_empty()),
        max_paths: flags.max_paths,
        workers: flags.workers,
        queue: flags.queue,
    };
    let store = flags.store.display().to_string();
    let listening = |addr: SocketAddr, interrupted: usize| {
        if interrupted > 0 {
            eprintln!("{interrupted} run(s) the last server left unfinished are now `interrupted`");
        }
        eprintln!("pactsim serve: listening on http://{addr}/ (store {store}); Ctrl-C stops");
    };
    match pactsim_server::serve(config, listening) {
        Ok(()) => Ok(()),
        Err(error) if error.is_bad_input() => {
            eprintln!("error: {error}");
            Err(Failure::BadInput)
        }
        Err(error) => Err(Failure::Runtime(error.into())),
    }
}

fn open(store: &Path) -> Result<Store, Failure> {
    if !store.is_file() {
        eprintln!("error: --store {}: no such file", store.display());
        return Err(Failure::BadInput);
    }
    Store::open_read_only(store).with_context(|| format!("opening {}", store.display())).map_err(Failure::Runtime)
}

/// `pactsim runs list`: every run, newest first, one a line.
pub fn list(store: &Path) -> Result<(), Failure> {
    let store = open(store)?;
    let mut cursor = None;
    println!("{:<26}  {:<11}  {:<11}  {:>9}  {:<24}  deal", "id", "kind", "status", "paths", "created");
    loop {
        let (runs, next) = store.list(500, cursor).context("reading the store")?;
        for run in &runs {
            let paths = run.paths.map_or("-".to_string(), |p| p.to_string());
            println!(
                "{:<26}  {:<11}  {:<11}  {:>9}  {:<24}  {}",
                run.id,
                run.kind,
                run.status.as_str(),
                paths,
                run.created,
                run.deal
            );
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}

/// `pactsim runs show ID [--json]`: one run's status (as `GET /v1/runs/{id}` gives it).
pub fn show(store: &Path, id: &str, json: bool) -> Result<(), Failure> {
    let store = open(store)?;
    let Some(run) = store.get(id).context("reading the store")? else {
        eprintln!("error: no run `{id}` in this store");
        return Err(Failure::BadInput);
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&run).context("serialising the run")?);
    } else {
        print!("{}", describe(&run));
    }
    Ok(())
}

fn describe(run: &RunStatus) -> String {
    let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_string());
    let mut text = format!(
        "run       {}\nkind      {}\ndeal      {}\nstatus    {}\n",
        run.id,
        run.kind,
        run.deal,
        run.status.as_str()
    );
    text += &format!("progress  {} of {} paths\n", run.progress.done, run.progress.total);
    text += &format!("seed      {}\n", run.seed.map_or("-".to_string(), |s| s.to_string()));
    text += &format!("paths     {}\n", run.paths.map_or("-".to_string(), |p| p.to_string()));
    if !run.overrides.is_empty() {
        text += &format!("overrides {}\n", run.overrides.join(" "));
    }
    text += &format!(
        "version   {}\ncreated   {}\nstarted   {}\nfinished  {}\n",
        run.version,
        run.created,
        optional(&run.started),
        optional(&run.finished)
    );
    if let Some(error) = &run.error {
        text += &format!("error     {error}\n");
    }
    text
}
