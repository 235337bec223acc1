//! The run store: one SQLite file holding every run (and analysis job), its inputs, its state and,
//! once done, its result and the files rendered from it.
//!
//! The file is in WAL mode with `synchronous = FULL`: every state change is one transaction,
//! committed (and on disk) before the server reports it, so a run the server said was queued or
//! done is there after any crash. On opening for serving, runs a dead process left `queued` or
//! `running` become `interrupted` (docs/server.md, "Durability").
//!
//! The schema's version is SQLite's `user_version`; `open` creates or upgrades the file.

use std::path::Path;
use std::sync::Mutex;
use std::time::SystemTime;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// The schema this build writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    deal TEXT NOT NULL,
    input TEXT NOT NULL,
    overrides TEXT NOT NULL,
    seed TEXT,
    paths INTEGER,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    error TEXT,
    result TEXT
);
CREATE TABLE files (
    run TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    title TEXT,
    body BLOB NOT NULL,
    PRIMARY KEY (run, name)
);
";

/// What an interrupted run's `error` says.
const INTERRUPTED: &str = "the server stopped before the run finished; submit it again to run it";

/// The store failed (the disk, the file): not the client's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("run store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file is not a run store this version reads.
    #[error("{}: {why}", .path.display())]
    NotAStore { path: std::path::PathBuf, why: String },
}

/// Checks the schema version of an existing store.
fn check_version(path: &Path, version: i64) -> Result<(), StoreError> {
    let why = match version {
        SCHEMA_VERSION => return Ok(()),
        0 => "not a pactsim run store (or an empty one)".to_string(),
        newer => format!("a run store of schema version {newer}; this pactsim reads version {SCHEMA_VERSION}"),
    };
    Err(StoreError::NotAStore { path: path.to_path_buf(), why })
}

/// A run's state. The first two are live; the others are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Queued,
    Running,
    Done,
    Failed,
    Interrupted,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Interrupted => "interrupted",
            Status::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Status {
        match text {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            _ => Status::Interrupted,
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Status::Queued | Status::Running)
    }
}

/// A new run (or analysis job) as submitted.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// `run`, or the analysis: `compare`, `sensitivity`, `frontier`.
    pub kind: &'static str,
    /// The deal's id (an analysis: its first deal's).
    pub deal: String,
    /// A run: the deal's TOML text; an analysis: its request as JSON.
    pub input: String,
    /// The overrides as recorded (`KEY=VALUE`, `!KEY`).
    pub overrides: Vec<String>,
    pub seed: Option<u64>,
    pub paths: Option<u64>,
    /// Paths the whole job runs (an analysis: over all its evaluations), for progress.
    pub total: u64,
}

/// Paths done so far out of all the paths a run takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// A run as the API and `pactsim runs` show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RunStatus {
    pub id: String,
    /// `run`, `compare`, `sensitivity` or `frontier`.
    pub kind: String,
    /// The deal's id.
    pub deal: String,
    pub status: Status,
    pub progress: Progress,
    #[schema(value_type = Option<String>)]
    #[serde(serialize_with = "seed_text")]
    pub seed: Option<u64>,
    pub paths: Option<u64>,
    pub overrides: Vec<String>,
    /// The pactsim version that accepted the run.
    pub version: String,
    /// RFC 3339 times, UTC.
    pub created: String,
    pub started: Option<String>,
    pub finished: Option<String>,
    pub error: Option<String>,
}

/// Seeds are 64-bit: as numbers when JSON readers keep them exact (below 2^53), else as text.
fn seed_text<S: serde::Serializer>(seed: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
    match seed {
        Some(seed) if *seed < (1 << 53) => serializer.serialize_u64(*seed),
        Some(seed) => serializer.serialize_str(&seed.to_string()),
        None => serializer.serialize_none(),
    }
}

/// A file rendered from a finished run.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: String,
    pub content_type: &'static str,
    pub title: Option<String>,
    pub body: Vec<u8>,
}

/// What a run's result or file lookup found.
pub enum Lookup<T> {
    NoSuchRun,
    /// The run exists but is not done.
    NotDone(Status),
    /// The run is done but has no such file.
    NoSuchFile,
    Found(T),
}

pub struct Store {
    connection: Mutex<Connection>,
}

/// Now, as RFC 3339 in UTC with milliseconds.
pub fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(SystemTime::now()).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const STATUS_COLUMNS: &str = "id, kind, deal, status, progress_done, progress_total, seed, paths, overrides, version, created, started, finished, error";

fn status_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunStatus> {
    let overrides: String = row.get(8)?;
    let seed: Option<String> = row.get(6)?;
    Ok(RunStatus {
        id: row.get(0)?,
        kind: row.get(1)?,
        deal: row.get(2)?,
        status: Status::parse(&row.get::<_, String>(3)?),
        progress: Progress { done: row.get::<_, i64>(4)? as u64, total: row.get::<_, i64>(5)? as u64 },
        seed: seed.and_then(|s| s.parse().ok()),
        paths: row.get::<_, Option<i64>>(7)?.map(|p| p as u64),
        overrides: serde_json::from_str(&overrides).unwrap_or_default(),
        version: row.get(9)?,
        created: row.get(10)?,
        started: row.get(11)?,
        finished: row.get(12)?,
        error: row.get(13)?,
    })
}

impl Store {
    /// Opens (creating it if missing) the store a server runs on, and marks the runs a dead
    /// process left queued or running as interrupted. Returns how many it marked.
    pub fn open(path: &Path) -> Result<(Store, usize), StoreError> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version == 0 {
            connection.execute_batch(&format!("BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))?;
        } else {
            check_version(path, version)?;
        }
        let interrupted = connection.execute(
            "UPDATE runs SET status = 'interrupted', finished = ?1, error = ?2 WHERE status IN ('queued', 'running')",
            params![now(), INTERRUPTED],
        )?;
        Ok((Store { connection: Mutex::new(connection) }, interrupted))
    }

    /// Opens an existing store to read it (`pactsim runs`), changing nothing: a server may be
    /// running on it.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        check_version(path, connection.pragma_query_value(None, "user_version", |row| row.get(0))?)?;
        Ok(Store { connection: Mutex::new(connection) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        // A panic while the lock was held cannot leave a transaction half done (SQLite rolls it
        // back), so the connection is still good.
        let mut connection = self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut connection).map_err(StoreError::Sqlite)
    }

    /// Records a new queued run under `id`.
    pub fn insert(&self, id: &str, run: &NewRun) -> Result<RunStatus, StoreError> {
        let overrides = serde_json::to_string(&run.overrides).unwrap_or_else(|_| "[]".into());
        self.with(|c| {
            c.execute(
                "INSERT INTO runs (id, kind, deal, input, overrides, seed, paths, version, status, progress_total, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9, ?10)",
                params![
                    id,
                    run.kind,
                    run.deal,
                    run.input,
                    overrides,
                    run.seed.map(|s| s.to_string()),
                    run.paths.map(|p| p as i64),
                    pactsim::VERSION,
                    run.total as i64,
                    now()
                ],
            )?;
            c.query_row(&format!("SELECT {STATUS_COLUMNS} FROM runs WHERE id = ?1"), [id], status_row)
        })
    }

    /// A queued run starts. False when it is no longer queued.
    pub fn start(&self, id: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            let changed = c.execute(
                "UPDATE runs SET status = 'running', started = ?2 WHERE id = ?1 AND status = 'queued'",
                params![id, now()],
            )?;
            Ok(changed == 1)
        })
    }

    /// A live run ends without a result (`failed`, `cancelled`). False when it had already ended.
    pub fn end(&self, id: &str, status: Status, error: Option<&str>) -> Result<bool, StoreError> {
        self.with(|c| {
            let changed = c.execute(
                "UPDATE runs SET status = ?2, finished = ?3, error = ?4 WHERE id = ?1 AND status IN ('queued', 'running')",
                params![id, status.as_str(), now(), error],
            )?;
            Ok(changed == 1)
        })
    }

    /// A run is done: its result and files, in one transaction with its status.
    pub fn complete(&self, id: &str, result: &str, files: &[StoredFile]) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE runs SET status = 'done', finished = ?2, result = ?3, progress_done = progress_total
                 WHERE id = ?1 AND status = 'running'",
                params![id, now(), result],
            )?;
            for file in files {
                tx.execute(
                    "INSERT OR REPLACE INTO files (run, name, content_type, title, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, file.name, file.content_type, file.title, file.body],
                )?;
            }
            tx.commit()
        })
    }

    pub fn get(&self, id: &str) -> Result<Option<RunStatus>, StoreError> {
        self.with(|c| {
            c.query_row(&format!("SELECT {STATUS_COLUMNS} FROM runs WHERE id = ?1"), [id], status_row).optional()
        })
    }

    /// A job's kind and the input it was submitted with (a run: the deal's text; an analysis: its
    /// request).
    pub fn input(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        self.with(|c| {
            c.query_row("SELECT kind, input FROM runs WHERE id = ?1", [id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
    }

    /// Up to `limit` runs, newest first, older than the cursor when given; and the cursor of the
    /// next page when there are more.
    pub fn list(&self, limit: u32, cursor: Option<i64>) -> Result<(Vec<RunStatus>, Option<i64>), StoreError> {
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "SELECT {STATUS_COLUMNS}, seq FROM runs WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
            ))?;
            let rows = statement.query_map(params![cursor.unwrap_or(i64::MAX), i64::from(limit) + 1], |row| {
                Ok((status_row(row)?, row.get::<_, i64>(14)?))
            })?;
            let mut runs: Vec<(RunStatus, i64)> = rows.collect::<rusqlite::Result<_>>()?;
            let next = if runs.len() > limit as usize {
                runs.truncate(limit as usize);
                runs.last().map(|(_, seq)| *seq)
            } else {
                None
            };
            Ok((runs.into_iter().map(|(run, _)| run).collect(), next))
        })
    }

    /// A done run's result (the run output JSON, or an analysis's document).
    pub fn result(&self, id: &str) -> Result<Lookup<String>, StoreError> {
        self.with(|c| {
            let row: Option<(String, Option<String>)> = c
                .query_row("SELECT status, result FROM runs WHERE id = ?1", [id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            Ok(match row {
                None => Lookup::NoSuchRun,
                Some((status, Some(result))) if status == "done" => Lookup::Found(result),
                Some((status, _)) => Lookup::NotDone(Status::parse(&status)),
            })
        })
    }

    /// A file rendered from a done run: (content type, body).
    pub fn file(&self, id: &str, name: &str) -> Result<Lookup<(String, Vec<u8>)>, StoreError> {
        self.with(|c| {
            if let Some(answer) = unless_done(c, id)? {
                return Ok(answer);
            }
            let file = c
                .query_row("SELECT content_type, body FROM files WHERE run = ?1 AND name = ?2", [id, name], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            Ok(file.map_or(Lookup::NoSuchFile, Lookup::Found))
        })
    }

    /// The (name, title) of a done run's files whose names start with `prefix`, in name order.
    pub fn titles(&self, id: &str, prefix: &str) -> Result<Lookup<Vec<(String, String)>>, StoreError> {
        self.with(|c| {
            if let Some(answer) = unless_done(c, id)? {
                return Ok(answer);
            }
            let mut statement =
                c.prepare("SELECT name, coalesce(title, '') FROM files WHERE run = ?1 AND substr(name, 1, length(?2)) = ?2 ORDER BY rowid")?;
            let rows = statement.query_map([id, prefix], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(Lookup::Found(rows.collect::<rusqlite::Result<_>>()?))
        })
    }
}

/// What a lookup of a run's files answers when run `id` is missing or not done; `None` when it is
/// done, and its files can be read.
fn unless_done<T>(c: &Connection, id: &str) -> rusqlite::Result<Option<Lookup<T>>> {
    let status: Option<String> =
        c.query_row("SELECT status FROM runs WHERE id = ?1", [id], |row| row.get(0)).optional()?;
    Ok(match status {
        None => Some(Lookup::NoSuchRun),
        Some(status) if status != "done" => Some(Lookup::NotDone(Status::parse(&status))),
        Some(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn temp_path(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pactsim-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        dir
    }

    fn new_run() -> NewRun {
        NewRun {
            kind: "run",
            deal: "d".into(),
            input: "text".into(),
            overrides: vec!["a=1".into()],
            seed: Some(u64::MAX),
            paths: Some(10),
            total: 10,
        }
    }

    #[test]
    fn runs_left_live_by_a_dead_process_are_interrupted_on_opening() {
        let path = temp_path("interrupted");
        {
            let (store, _) = Store::open(&path).unwrap();
            store.insert("a", &new_run()).unwrap();
            store.insert("b", &new_run()).unwrap();
            store.insert("c", &new_run()).unwrap();
            assert!(store.start("b").unwrap());
            assert!(store.start("c").unwrap());
            store.complete("c", "{}", &[]).unwrap();
        }
        let (store, interrupted) = Store::open(&path).unwrap();
        assert_eq!(interrupted, 2);
        for id in ["a", "b"] {
            let run = store.get(id).unwrap().unwrap();
            assert_eq!(run.status, Status::Interrupted);
            assert!(run.finished.is_some() && run.error.is_some());
        }
        let done = store.get("c").unwrap().unwrap();
        assert_eq!(
            (done.status, done.seed, done.overrides.as_slice()),
            (Status::Done, Some(u64::MAX), &["a=1".to_string()][..])
        );
        assert!(matches!(store.result("c").unwrap(), Lookup::Found(text) if text == "{}"));
        assert!(matches!(store.result("a").unwrap(), Lookup::NotDone(Status::Interrupted)));
        let version: i64 = store.with(|c| c.pragma_query_value(None, "user_version", |r| r.get(0))).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_file_that_is_not_a_store_is_refused_by_name() {
        let path = temp_path("not-a-store");
        let _ = Connection::open(&path).unwrap().execute_batch("CREATE TABLE t (x); PRAGMA user_version = 7;");
        let error = Store::open(&path).err().expect("version 7 is refused").to_string();
        assert!(error.contains("schema version 7"), "{error}");
        let empty = temp_path("empty-store");
        drop(Connection::open(&empty).unwrap());
        let error = Store::open_read_only(&empty).err().expect("an empty file is not a store").to_string();
        assert!(error.contains("not a pactsim run store"), "{error}");
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&empty);
    }

    #[test]
    fn the_list_pages_newest_first() {
        let path = temp_path("pages");
        let (store, _) = Store::open(&path).unwrap();
        for id in ["r1", "r2", "r3", "r4", "r5"] {
            store.insert(id, &new_run()).unwrap();
        }
        let (first, next) = store.list(2, None).unwrap();
        assert_eq!(first.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r5", "r4"]);
        let (second, next) = store.list(2, next).unwrap();
        assert_eq!(second.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r3", "r2"]);
        let (third, next) = store.list(2, next).unwrap();
        assert_eq!(third.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r1"]);
        assert_eq!(next, None);
        let _ = std::fs::remove_file(&path);
    }
}
