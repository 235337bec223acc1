//! The worker pool: a bounded queue of jobs and a fixed number of worker threads that run them.
//!
//! Runs are CPU work for seconds to minutes, and each run is already parallel over its paths
//! (rayon, every core), so they run on plain threads of their own, never on the async reactor:
//! the reactor keeps answering status requests while every worker is busy. A job's progress and
//! its cancel flag are shared with the request handlers through `Live`.
//!
//! Every state change is committed to the store before anyone can see it: a job is in the store
//! as `queued` before it enters the queue, `running` before it runs, `done` with its files in one
//! transaction.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::store::{Status, Store, StoredFile};

/// What a job does once a worker takes it; `Ok` is its result text and files.
pub type Work = Box<dyn FnOnce(&Live) -> Result<Finished, Stopped> + Send>;

/// A job's result: the text `/result` serves and the files rendered from it.
pub struct Finished {
    pub result: String,
    pub files: Vec<StoredFile>,
}

/// Why a job ended without a result.
pub enum Stopped {
    Cancelled,
    Failed(String),
}

/// What the handlers and the worker running a job share.
#[derive(Debug, Default)]
pub struct Live {
    pub cancel: AtomicBool,
    pub done: AtomicU64,
}

struct Job {
    id: String,
    live: Arc<Live>,
    work: Work,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    /// Places taken by submissions being written to the store, not yet in `queue`.
    reserved: usize,
    /// Every queued or running job.
    live: HashMap<String, Arc<Live>>,
}

pub struct Pool {
    state: Mutex<State>,
    wake: Condvar,
    capacity: usize,
    store: Arc<Store>,
}

/// A place in the queue, held while a submission is written to the store.
pub struct Reservation<'a> {
    pool: &'a Pool,
    used: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.used {
            self.pool.lock().reserved -= 1;
        }
    }
}

impl Reservation<'_> {
    /// Queues a job already recorded in the store as queued.
    pub fn submit(mut self, id: String, work: Work) {
        let mut state = self.pool.lock();
        state.reserved -= 1;
        self.used = true;
        let live = Arc::new(Live::default());
        state.live.insert(id.clone(), live.clone());
        state.queue.push_back(Job { id, live, work });
        drop(state);
        self.pool.wake.notify_one();
    }
}

/// What `cancel` did.
pub enum Cancel {
    /// The job was still queued: it is now cancelled in the store.
    Dequeued,
    /// The job is running (or being taken by a worker): its flag is set; the worker records the end.
    Signalled,
    /// Not a live job of this process.
    NotLive,
}

impl Pool {
    /// A pool of `workers` threads over a queue of `capacity` jobs. With no workers, jobs stay
    /// queued (tests use this to fill the queue).
    pub fn start(store: Arc<Store>, workers: usize, capacity: usize) -> Arc<Pool> {
        let pool = Arc::new(Pool { state: Mutex::new(State::default()), wake: Condvar::new(), capacity, store });
        for n in 0..workers {
            let pool = pool.clone();
            std::thread::Builder::new()
                .name(format!("pactsim-worker-{n}"))
                .spawn(move || pool.work())
                .expect("the system starts a thread");
        }
        pool
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The lock is never held across code that could panic mid-change.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A place in the queue, or `None` when it is full.
    pub fn reserve(&self) -> Option<Reservation<'_>> {
        let mut state = self.lock();
        if state.queue.len() + state.reserved >= self.capacity {
            return None;
        }
        state.reserved += 1;
        Some(Reservation { pool: self, used: false })
    }

    /// Paths done so far by a live job.
    pub fn progress(&self, id: &str) -> Option<u64> {
        self.lock().live.get(id).map(|live| live.done.load(Ordering::Relaxed))
    }

    /// Whether a job is queued or running in this process.
    pub fn is_live(&self, id: &str) -> bool {
        self.lock().live.contains_key(id)
    }

    /// Cancels a live job: a queued one leaves the queue, a running one is told to stop.
    pub fn cancel(&self, id: &str) -> Cancel {
        let mut state = self.lock();
        let Some(live) = state.live.get(id).cloned() else { return Cancel::NotLive };
        live.cancel.store(true, Ordering::Relaxed);
        match state.queue.iter().position(|job| job.id == id) {
            Some(at) => {
                state.queue.remove(at);
                state.live.remove(id);
                drop(state);
                if let Err(error) = self.store.end(id, Status::Cancelled, None) {
                    eprintln!("pactsim serve: recording run {id} as cancelled: {error}");
                }
                Cancel::Dequeued
            }
            None => Cancel::Signalled,
        }
    }

    fn work(&self) {
        loop {
            let job = {
                let mut state = self.lock();
                loop {
                    if let Some(job) = state.queue.pop_front() {
                        break job;
                    }
                    state = self.wake.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            };
            let id = job.id.clone();
            if let Err(error) = self.execute(job) {
                eprintln!("pactsim serve: run {id}: {error}");
            }
            self.lock().live.remove(&id);
        }
    }

    fn execute(&self, job: Job) -> Result<(), crate::store::StoreError> {
        let Job { id, live, work } = job;
        if live.cancel.load(Ordering::Relaxed) {
            self.store.end(&id, Status::Cancelled, None)?;
            return Ok(());
        }
        if !self.store.start(&id)? {
            return Ok(());
        }
        // A panic is a bug; it fails this run and leaves the worker and the process running.
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&live))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Stopped::Failed(format!("internal error: {what}")))
        });
        match outcome {
            Ok(finished) => self.store.complete(&id, &finished.result, &finished.files),
            Err(Stopped::Cancelled) => self.store.end(&id, Status::Cancelled, None).map(drop),
            Err(Stopped::Failed(message)) => self.store.end(&id, Status::Failed, Some(&message)).map(drop),
        }
    }
}
