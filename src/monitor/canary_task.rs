//! The one canary task of a server, kept in line with the live policy's `[monitor.canary]`:
//! started with the server, and on every policy reload stopped and started afresh when the
//! table was added, removed or changed (a reload that leaves it as it was keeps the running
//! task, its cursor through the cases and its round count). Never two tasks at once: the old
//! one is aborted before the new one is spawned, under one lock.

use super::canary::{probe_counter, Canary};
use super::config::CanaryConfig;
use crate::state::SharedState;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::task::JoinHandle;

/// What [`CanaryTask::sync`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CanarySync {
    /// No canary wanted, none running.
    Off,
    Started,
    /// The table changed: the old task stopped, a new one started.
    Restarted,
    /// The table is as before: the running task goes on.
    Kept,
    /// The table was removed or disabled (or the server runs no monitor): the task stopped.
    Stopped,
}

struct Running {
    config: CanaryConfig,
    task: JoinHandle<()>,
}

#[derive(Default)]
pub struct CanaryTask {
    running: Mutex<Option<Running>>,
    /// `pluralis_canary_probes_total`, registered at the first start and shared by every
    /// canary after it.
    probes: Mutex<Option<prometheus::IntCounterVec>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CanaryTask {
    /// Brings the task in line with the live state's `[monitor.canary]` (enabled, and the
    /// server runs a monitor). A new table whose canary cannot be built (e.g. its cases file
    /// is unreadable) is an error and leaves the running task as it was. Needs a runtime.
    pub fn sync(&self, shared: &SharedState) -> anyhow::Result<CanarySync> {
        let state = shared.load_full();
        let wanted = state
            .policy
            .monitor
            .as_ref()
            .map(|m| &m.canary)
            .filter(|c| c.enabled && state.monitor.is_some());
        let mut running = lock(&self.running);
        let Some(config) = wanted else {
            return Ok(match running.take() {
                Some(old) => {
                    old.task.abort();
                    tracing::info!("canary probes stopped: [monitor.canary] off");
                    CanarySync::Stopped
                }
                None => CanarySync::Off,
            });
        };
        if running.as_ref().is_some_and(|r| &r.config == config) {
            return Ok(CanarySync::Kept);
        }
        anyhow::ensure!(
            tokio::runtime::Handle::try_current().is_ok(),
            "canary: no async runtime to run it on"
        );
        let canary = Canary::with_counter(config.clone(), self.counter(&state.metrics))?;
        tracing::info!(
            cases = canary.cases().len(),
            interval_ms = config.interval_ms,
            max_probes_per_interval = config.max_probes_per_interval,
            "canary probes scheduled"
        );
        let outcome = match running.take() {
            Some(old) => {
                old.task.abort();
                CanarySync::Restarted
            }
            None => CanarySync::Started,
        };
        *running = Some(Running {
            config: config.clone(),
            task: Arc::new(canary).spawn(Arc::clone(shared)),
        });
        Ok(outcome)
    }

    fn counter(&self, metrics: &crate::metrics::Metrics) -> Option<prometheus::IntCounterVec> {
        let mut probes = lock(&self.probes);
        if probes.is_none() {
            match probe_counter(metrics.registry()) {
                Ok(counter) => *probes = Some(counter),
                Err(error) => tracing::warn!(%error, "canary probe counter not registered"),
            }
        }
        probes.clone()
    }

    /// Whether a canary task is running (not stopped, not finished).
    pub fn is_running(&self) -> bool {
        lock(&self.running)
            .as_ref()
            .is_some_and(|r| !r.task.is_finished())
    }

    /// The table the running task was started with.
    pub fn config(&self) -> Option<CanaryConfig> {
        lock(&self.running).as_ref().map(|r| r.config.clone())
    }

    /// Stops the task, if any.
    pub fn stop(&self) {
        if let Some(old) = lock(&self.running).take() {
            old.task.abort();
        }
    }
}

impl Drop for CanaryTask {
    fn drop(&mut self) {
        self.stop();
    }
}
