//! The decision log's handle: the caller side of the writer thread's bounded queue. Callers
//! never touch the file: they enqueue, and one thread ([`super::writer_thread`]) appends,
//! fsyncs by policy, rotates by size and deletes by age. This file holds what callers see
//! (enqueue, flush, queue depth, counters, shutdown); the thread's batching and file handling
//! live apart so each side of the channel reads on its own.
//!
//! The queue is an unbounded channel gated by a semaphore of `queue_capacity` permits: a
//! permit is taken to enqueue and given back when the writer dequeues. That gives both
//! overflow policies from one structure: `try_acquire` (shed, never waits) and an async
//! `acquire` (backpressure, waits without blocking a runtime thread).

use super::config::{LogConfig, OverflowPolicy};
use super::event::DecisionEvent;
use super::segment::list_segments;
use super::writer_thread::Writer;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::{oneshot, Semaphore};

/// Counters the writer and the callers share; read by metrics and the dashboard.
#[derive(Debug, Default)]
pub struct LogCounters {
    pub written: AtomicU64,
    pub dropped: AtomicU64,
    pub write_errors: AtomicU64,
    pub fsyncs: AtomicU64,
    pub segments_deleted: AtomicU64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppendError {
    #[error("decision log queue full; event dropped")]
    Dropped,
    #[error("decision log writer stopped")]
    Closed,
    #[error("decision log write failed")]
    WriteFailed,
}

/// How the writer answers a caller waiting on an event, a flush or a retention sweep.
pub(super) type Ack = oneshot::Sender<Result<(), AppendError>>;

/// What the handle sends the writer thread.
pub(super) enum Msg {
    Event(Box<DecisionEvent>, Option<Ack>),
    Flush(Ack),
    RetentionNow(Ack),
}

/// Handle to the decision log. Dropping it drains the queue, fsyncs and stops the writer.
pub struct DecisionLog {
    tx: Option<mpsc::Sender<Msg>>,
    permits: Arc<Semaphore>,
    capacity: usize,
    overflow: OverflowPolicy,
    counters: Arc<LogCounters>,
    thread: Option<JoinHandle<()>>,
}

impl DecisionLog {
    /// Creates the data directory and starts the writer on a new segment (never appending to
    /// a segment a crash may have torn).
    pub fn open(config: &LogConfig) -> io::Result<DecisionLog> {
        Self::open_inner(config, true)
    }

    /// A log whose writer never runs, so tests can fill the queue deterministically.
    #[cfg(test)]
    fn open_paused(config: &LogConfig) -> io::Result<DecisionLog> {
        Self::open_inner(config, false)
    }

    fn open_inner(config: &LogConfig, start: bool) -> io::Result<DecisionLog> {
        config
            .validate()
            .map_err(|errors| io::Error::new(io::ErrorKind::InvalidInput, errors.join("; ")))?;
        std::fs::create_dir_all(&config.data_dir)?;
        let next_seq = list_segments(&config.data_dir)?
            .last()
            .map_or(1, |s| s.seq + 1);
        let (tx, rx) = mpsc::channel();
        let permits = Arc::new(Semaphore::new(config.queue_capacity));
        let counters = Arc::new(LogCounters::default());
        let mut writer = Writer::new(
            config.clone(),
            rx,
            permits.clone(),
            counters.clone(),
            next_seq,
        );
        let thread = if start {
            Some(
                std::thread::Builder::new()
                    .name("decision-log".to_owned())
                    .spawn(move || writer.run())?,
            )
        } else {
            // Test-only path: keep the receiver alive but never drain it.
            std::mem::forget(writer);
            None
        };
        Ok(DecisionLog {
            tx: Some(tx),
            permits,
            capacity: config.queue_capacity,
            overflow: config.overflow,
            counters,
            thread,
        })
    }

    /// Enqueues an event by the overflow policy. In `shed` mode this never waits.
    pub async fn append(&self, event: DecisionEvent) -> Result<(), AppendError> {
        self.enqueue(event, None).await
    }

    /// Enqueues and waits until the event is written (and fsynced under `per_event`).
    pub async fn append_durable(&self, event: DecisionEvent) -> Result<(), AppendError> {
        let (ack, done) = oneshot::channel();
        self.enqueue(event, Some(ack)).await?;
        done.await.map_err(|_| AppendError::Closed)?
    }

    /// Non-async enqueue that never waits (shed semantics whatever the policy).
    pub fn try_append(&self, event: DecisionEvent) -> Result<(), AppendError> {
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => {
                permit.forget();
                self.send(Msg::Event(Box::new(event), None))
            }
            Err(_) => {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                Err(AppendError::Dropped)
            }
        }
    }

    async fn enqueue(&self, event: DecisionEvent, ack: Option<Ack>) -> Result<(), AppendError> {
        let permit = match self.overflow {
            OverflowPolicy::Shed => self.permits.clone().try_acquire_owned().map_err(|_| {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                AppendError::Dropped
            })?,
            OverflowPolicy::Backpressure => self
                .permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| AppendError::Closed)?,
        };
        // The writer gives the permit back when it dequeues the event.
        permit.forget();
        self.send(Msg::Event(Box::new(event), ack))
    }

    fn send(&self, msg: Msg) -> Result<(), AppendError> {
        let tx = self.tx.as_ref().ok_or(AppendError::Closed)?;
        tx.send(msg).map_err(|_| AppendError::Closed)
    }

    /// Waits until everything enqueued before is written and fsynced.
    pub async fn flush(&self) -> Result<(), AppendError> {
        let (ack, done) = oneshot::channel();
        self.send(Msg::Flush(ack))?;
        done.await.map_err(|_| AppendError::Closed)?
    }

    /// Runs the retention sweep now instead of at its next scheduled time.
    pub async fn apply_retention_now(&self) -> Result<(), AppendError> {
        let (ack, done) = oneshot::channel();
        self.send(Msg::RetentionNow(ack))?;
        done.await.map_err(|_| AppendError::Closed)?
    }

    /// Events waiting for the writer.
    pub fn queue_depth(&self) -> usize {
        self.capacity
            .saturating_sub(self.permits.available_permits())
    }

    /// A probe of the queue depth that outlives borrows (for a metrics collector).
    pub fn depth_probe(&self) -> impl Fn() -> usize + Send + Sync + 'static {
        let permits = self.permits.clone();
        let capacity = self.capacity;
        move || capacity.saturating_sub(permits.available_permits())
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn counters(&self) -> &Arc<LogCounters> {
        &self.counters
    }

    /// Stops accepting events, lets the writer drain and fsync, and waits for it.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("decision log writer panicked");
            }
        }
    }
}

impl Drop for DecisionLog {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests;
