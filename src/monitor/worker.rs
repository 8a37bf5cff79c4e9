//! A background thread for the monitor's CPU work (parsing answers into decision events,
//! counting them, refitting profiles), so it runs neither on the runtime threads that serve
//! requests nor at their priority.
//!
//! The thread lowers its own scheduling priority (Linux: `SCHED_BATCH` at nice 10): on a busy
//! machine the request-serving threads win the cores and monitor work waits, which is what
//! bounded queues with counted overflow are for. A worker made with a `tick` sleeps between
//! batches instead of being woken for every job: at 1,000 jobs/s that is ~100 wake-ups a
//! second instead of 1,000, and a sender never makes a system call.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// One piece of work.
pub type Job = Box<dyn FnOnce() + Send>;

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("background queue full")]
    Full,
    #[error("background worker stopped")]
    Stopped,
}

/// Handle to the thread. Dropping it lets the thread finish the queued jobs and exit; it is
/// never joined (a job may hold the last reference to the worker's owner, so the owner can be
/// dropped on the worker's own thread).
pub struct BackgroundWorker {
    tx: mpsc::Sender<Job>,
    pending: Arc<AtomicUsize>,
    capacity: usize,
}

impl BackgroundWorker {
    /// Starts the thread. `capacity` bounds the jobs waiting; `tick`, when given, is how long
    /// the thread sleeps between batches (else it wakes for every job).
    pub fn start(
        name: &str,
        capacity: usize,
        tick: Option<Duration>,
    ) -> std::io::Result<BackgroundWorker> {
        let (tx, rx) = mpsc::channel::<Job>();
        let pending = Arc::new(AtomicUsize::new(0));
        let left = pending.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                lower_priority();
                run(rx, &left, tick);
            })?;
        Ok(BackgroundWorker {
            tx,
            pending,
            capacity: capacity.max(1),
        })
    }

    /// Queues a job unless `capacity` jobs are already waiting. Never blocks.
    pub fn submit(&self, job: Job) -> Result<(), SubmitError> {
        if self.pending.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.pending.fetch_sub(1, Ordering::AcqRel);
            return Err(SubmitError::Full);
        }
        self.tx.send(job).map_err(|_| {
            self.pending.fetch_sub(1, Ordering::AcqRel);
            SubmitError::Stopped
        })
    }

    /// Resolves once every job queued before it has run (queued past the capacity bound).
    pub fn barrier(&self) -> tokio::sync::oneshot::Receiver<()> {
        let (done, waited) = tokio::sync::oneshot::channel();
        self.pending.fetch_add(1, Ordering::AcqRel);
        let job: Job = Box::new(move || {
            let _ = done.send(());
        });
        if self.tx.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::AcqRel);
        }
        waited
    }

    /// Jobs queued and not yet started.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }
}

fn run(rx: mpsc::Receiver<Job>, pending: &AtomicUsize, tick: Option<Duration>) {
    loop {
        let first = match tick {
            Some(tick) => {
                std::thread::sleep(tick);
                match rx.try_recv() {
                    Ok(job) => job,
                    Err(mpsc::TryRecvError::Empty) => continue,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            }
            None => match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        let mut next = Some(first);
        while let Some(job) = next {
            pending.fetch_sub(1, Ordering::AcqRel);
            // A panicking job must not take the monitor's background work down with it.
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                tracing::error!("monitor background job panicked");
            }
            next = rx.try_recv().ok();
        }
    }
}

/// Best effort: a platform or sandbox that refuses leaves the thread at normal priority.
fn lower_priority() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use thread_priority::unix::{
            set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
            ThreadSchedulePolicy,
        };
        use thread_priority::{ThreadPriority, ThreadPriorityValue};
        // Crossplatform 22 of 0..=99 maps to nice 10.
        let priority = ThreadPriorityValue::try_from(22u8)
            .map(ThreadPriority::Crossplatform)
            .unwrap_or(ThreadPriority::Min);
        let policy = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
        if let Err(error) = set_thread_priority_and_policy(thread_native_id(), priority, policy) {
            tracing::debug!(?error, "monitor background thread keeps normal priority");
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        use thread_priority::{set_current_thread_priority, ThreadPriority};
        if let Err(error) = set_current_thread_priority(ThreadPriority::Min) {
            tracing::debug!(?error, "monitor background thread keeps normal priority");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn runs_jobs_in_order_and_a_barrier_waits_for_them() {
        for tick in [None, Some(Duration::from_millis(2))] {
            let worker = BackgroundWorker::start("test-worker", 100, tick).unwrap();
            let seen = Arc::new(Mutex::new(Vec::new()));
            for n in 0..50 {
                let seen = seen.clone();
                worker
                    .submit(Box::new(move || seen.lock().unwrap().push(n)))
                    .unwrap();
            }
            worker.barrier().await.unwrap();
            assert_eq!(*seen.lock().unwrap(), (0..50).collect::<Vec<_>>());
            assert_eq!(worker.pending(), 0);
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_and_a_panicking_job_does_not_stop_the_thread() {
        let worker = BackgroundWorker::start("test-worker", 2, None).unwrap();
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        worker
            .submit(Box::new(move || {
                let _ = started.send(());
                let _ = gate.recv_timeout(Duration::from_secs(10));
            }))
            .unwrap();
        running.recv_timeout(Duration::from_secs(10)).unwrap();
        // The running job no longer counts: two more fill the queue.
        worker.submit(Box::new(|| panic!("job panics"))).unwrap();
        worker.submit(Box::new(|| {})).unwrap();
        assert_eq!(worker.submit(Box::new(|| {})), Err(SubmitError::Full));
        assert_eq!(worker.pending(), 2);
        release.send(()).unwrap();
        worker.barrier().await.unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = ran.clone();
        worker
            .submit(Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
            }))
            .unwrap();
        worker.barrier().await.unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_lowers_its_own_priority() {
        use thread_priority::unix::{
            thread_schedule_policy, NormalThreadSchedulePolicy, ThreadSchedulePolicy,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = BackgroundWorker::start("test-worker", 4, None).unwrap();
        worker
            .submit(Box::new(move || {
                let _ = tx.send(thread_schedule_policy().ok());
            }))
            .unwrap();
        let policy = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(
            policy,
            Some(ThreadSchedulePolicy::Normal(
                NormalThreadSchedulePolicy::Batch
            ))
        );
    }
}
