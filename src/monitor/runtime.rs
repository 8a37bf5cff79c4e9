//! The running monitor: takes decision events from the request path, keeps the counts, owns the
//! log writer, refits on a schedule and publishes state, metrics, alerts and the guardrail.

use super::config::MonitorConfig;
use super::judge::{Judge, JudgeSlot};
use super::log::{read_dir, AppendError, DecisionEvent, DecisionLog, OverflowPolicy};
use super::metrics::{JudgeCollector, LogCollector, MonitorMetrics};
use super::online::{DriftTracker, Reference};
use super::refit::{fit_windows, refit, RefitInput};
use super::state::{LogState, MonitorState};
use super::stats::Stats;
use super::webhook::Webhook;
use super::worker::{BackgroundWorker, Job, SubmitError};
use anyhow::Context;
use arc_swap::ArcSwap;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// File in the data directory holding the conversation-hash salt.
const SALT_FILE: &str = "conversation-salt";

fn random_salt() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Reads the deployment's salt, creating it (random) on first start.
fn load_or_create_salt(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let path = data_dir.join(SALT_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let salt = text.trim();
        if !salt.is_empty() {
            return Ok(salt.to_owned());
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let salt = random_salt();
    std::fs::write(&path, &salt).with_context(|| format!("writing {}", path.display()))?;
    Ok(salt)
}

/// Alert changes kept for the dashboard.
const RECENT_ALERTS: usize = 50;
/// How long the feed's background thread sleeps between batches of decisions: the most an
/// answer waits before its event is built, counted and queued for the log.
const FEED_TICK: Duration = Duration::from_millis(10);

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

struct Counts {
    stats: Stats,
    drift: DriftTracker,
}

struct RefitState {
    guardrail: BTreeMap<String, bool>,
    alerts: VecDeque<super::online::AlertChange>,
}

pub struct Monitor {
    config: MonitorConfig,
    reference: Option<Reference>,
    log: Option<DecisionLog>,
    counts: Mutex<Counts>,
    refit_state: Mutex<RefitState>,
    state: ArcSwap<MonitorState>,
    metrics: Option<MonitorMetrics>,
    webhook: Option<Webhook>,
    rebuilt: LogState,
    conversation_salt: String,
    /// The live policy's judge model, and the totals of those before it.
    judge: Arc<JudgeSlot>,
    /// Builds and records decision events off the request path (`shed` overflow only: a
    /// backpressured event must be able to wait, which a bounded background queue cannot).
    feed_worker: Option<BackgroundWorker>,
    /// Runs the scheduled refits at low priority.
    refit_worker: BackgroundWorker,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain counts behind: keep using them.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Monitor {
    /// Rebuilds the counts from the log, opens the writer on a new segment and refits once.
    pub fn open(
        config: MonitorConfig,
        reference: Option<Reference>,
        registry: Option<&prometheus::Registry>,
    ) -> anyhow::Result<Arc<Monitor>> {
        config
            .validate()
            .map_err(|errors| anyhow::anyhow!(errors.join("; ")))?;
        let metrics = registry.map(MonitorMetrics::register).transpose()?;
        let judge = Arc::new(JudgeSlot::default());
        if let Some(registry) = registry {
            registry.register(Box::new(JudgeCollector::new(judge.clone())?))?;
        }
        let mut stats = Stats::new(config.max_cases);
        let mut drift = DriftTracker::new(config.drift.clone(), config.temperature);
        let mut rebuilt = LogState::default();
        let log = if config.enabled {
            let report = read_dir(&config.log.data_dir).with_context(|| {
                format!("reading decision log in {}", config.log.data_dir.display())
            })?;
            let now = now_ms();
            for event in &report.events {
                stats.record(event, now);
                drift.observe(event);
                if let Some(m) = &metrics {
                    m.observe(
                        &event.member,
                        event.tenant.as_deref(),
                        event.pattern(),
                        event.decision,
                    );
                }
            }
            tracing::info!(
                events = report.events.len(),
                judged_lines = report.judged_lines,
                judge_verdicts_missing = report.judge_verdicts_missing(),
                segments = report.segments,
                torn_lines = report.torn_lines,
                invalid_lines = report.invalid_lines,
                "monitor state rebuilt from the decision log"
            );
            rebuilt.rebuilt_events = report.events.len() as u64;
            rebuilt.rebuilt_segments = report.segments;
            rebuilt.torn_lines = report.torn_lines;
            rebuilt.invalid_lines = report.invalid_lines;
            rebuilt.judge_verdicts_missing = report.judge_verdicts_missing();
            let log = DecisionLog::open(&config.log).with_context(|| {
                format!("opening decision log in {}", config.log.data_dir.display())
            })?;
            if let Some(registry) = registry {
                let collector =
                    LogCollector::new(log.counters().clone(), Box::new(log.depth_probe()))?;
                registry.register(Box::new(collector))?;
            }
            Some(log)
        } else {
            None
        };
        let webhook = config
            .drift
            .webhook_url
            .as_deref()
            .map(Webhook::new)
            .transpose()?;
        let conversation_salt = if config.enabled {
            load_or_create_salt(&config.log.data_dir)?
        } else {
            random_salt()
        };
        let feed_worker = (config.log.overflow == OverflowPolicy::Shed)
            .then(|| {
                BackgroundWorker::start("monitor-feed", config.log.queue_capacity, Some(FEED_TICK))
            })
            .transpose()
            .context("starting the monitor's feed thread")?;
        let refit_worker = BackgroundWorker::start("monitor-refit", 1, None)
            .context("starting the monitor's refit thread")?;
        let monitor = Arc::new(Monitor {
            feed_worker,
            refit_worker,
            reference,
            log,
            counts: Mutex::new(Counts { stats, drift }),
            refit_state: Mutex::new(RefitState {
                guardrail: BTreeMap::new(),
                alerts: VecDeque::new(),
            }),
            state: ArcSwap::from_pointee(MonitorState::default()),
            metrics,
            webhook,
            rebuilt,
            conversation_salt,
            judge,
            config,
        });
        monitor.refit_now();
        Ok(monitor)
    }

    /// The monitor a server runs for its policy's `[monitor]` table: physician reference found,
    /// state rebuilt from the log, metrics in `registry`, refits scheduled. Needs a runtime.
    pub fn start(
        config: &MonitorConfig,
        registry: &prometheus::Registry,
    ) -> anyhow::Result<Arc<Monitor>> {
        let reference = Reference::discover(config.reference_file.as_deref(), config.temperature)?;
        if reference.is_none() {
            tracing::warn!(
                "no physician reference found: profiles are shown without the physician range"
            );
        }
        let monitor = Monitor::open(config.clone(), reference, Some(registry))?;
        monitor.spawn_refit_loop();
        Ok(monitor)
    }

    /// Records one dilemma decision: counts it, then hands it to the log writer by the overflow
    /// policy. In `shed` mode this never waits.
    pub async fn record(&self, event: DecisionEvent) -> Result<(), AppendError> {
        self.count(&event);
        match (&self.log, self.config.log.overflow) {
            (None, _) => Ok(()),
            (Some(log), OverflowPolicy::Shed) => log.try_append(event),
            (Some(log), OverflowPolicy::Backpressure) => log.append(event).await,
        }
    }

    /// Counts and enqueues for the log without waiting, whatever the overflow policy: for
    /// callers on the monitor's own threads (see [`Monitor::offload`]).
    pub fn record_now(&self, event: DecisionEvent) -> Result<(), AppendError> {
        self.count(&event);
        match &self.log {
            None => Ok(()),
            Some(log) => log.try_append(event),
        }
    }

    /// True when decision events are to be built and recorded through [`Monitor::offload`].
    pub fn offloads(&self) -> bool {
        self.feed_worker.is_some()
    }

    /// Runs `job` (which builds an event and calls [`Monitor::record_now`]) on the monitor's
    /// background thread. Never waits: a full queue sheds the job, counted as a dropped event.
    pub fn offload(&self, job: Job) -> Result<(), AppendError> {
        let Some(worker) = &self.feed_worker else {
            return Err(AppendError::Closed);
        };
        worker.submit(job).map_err(|error| match error {
            SubmitError::Full => {
                if let Some(log) = &self.log {
                    log.counters().dropped.fetch_add(1, Ordering::Relaxed);
                }
                AppendError::Dropped
            }
            SubmitError::Stopped => AppendError::Closed,
        })
    }

    /// Like [`Monitor::record`] but returns only once the event is durable under the fsync
    /// policy: for callers that must not complete a response before its decision is on disk.
    /// A pending event (the judge still to answer) is written but not counted: its judged
    /// event, recorded after, is.
    pub async fn record_durable(&self, event: DecisionEvent) -> Result<(), AppendError> {
        self.count(&event);
        match &self.log {
            None => Ok(()),
            Some(log) => log.append_durable(event).await,
        }
    }

    fn count(&self, event: &DecisionEvent) {
        // Counted when its judged line is recorded (see `JudgeNote::pending`).
        if event.judge_pending() {
            return;
        }
        {
            let mut counts = lock(&self.counts);
            counts.stats.record(event, now_ms());
            counts.drift.observe(event);
        }
        if let Some(m) = &self.metrics {
            m.observe(
                &event.member,
                event.tenant.as_deref(),
                event.pattern(),
                event.decision,
            );
        }
    }

    /// Refits from the current counts and publishes the result.
    pub fn refit_now(&self) -> Arc<MonitorState> {
        let now = now_ms();
        let input = {
            let counts = lock(&self.counts);
            RefitInput::capture(&counts.stats, now)
        };
        // One refit at a time; the request path only ever waits for the short count lock.
        let mut refit_state = lock(&self.refit_state);
        let windows = fit_windows(&input, &self.config, self.reference.as_ref());
        let RefitState { guardrail, alerts } = &mut *refit_state;
        let (mut state, changes) = {
            let mut counts = lock(&self.counts);
            let reference = self.reference.as_ref();
            let drift = &mut counts.drift;
            refit(
                &input,
                windows,
                &self.config,
                reference,
                drift,
                guardrail,
                now,
            )
        };
        for change in changes {
            tracing::warn!(
                member = %change.member,
                raised = change.raised,
                jsd = change.jsd,
                threshold = change.threshold,
                decisions = change.decisions,
                "value drift alert {}",
                if change.raised { "raised" } else { "cleared" }
            );
            if let Some(hook) = &self.webhook {
                hook.spawn_post(change.clone());
            }
            alerts.push_back(change);
            while alerts.len() > RECENT_ALERTS {
                alerts.pop_front();
            }
        }
        state.alerts = alerts.iter().cloned().collect();
        state.log = self.log_state();
        state.judge = self.judge.status();
        if let Some(m) = &self.metrics {
            m.publish(&state);
        }
        let state = Arc::new(state);
        self.state.store(state.clone());
        state
    }

    fn log_state(&self) -> LogState {
        let mut s = self.rebuilt.clone();
        s.enabled = self.log.is_some();
        s.data_dir = self.config.log.data_dir.display().to_string();
        if let Some(log) = &self.log {
            let c = log.counters();
            s.queue_depth = log.queue_depth();
            s.queue_capacity = log.capacity();
            s.written = c.written.load(Ordering::Relaxed);
            s.dropped = c.dropped.load(Ordering::Relaxed);
            s.write_errors = c.write_errors.load(Ordering::Relaxed);
            s.segments_deleted = c.segments_deleted.load(Ordering::Relaxed);
            s.fsyncs = c.fsyncs.load(Ordering::Relaxed);
        }
        s.feed_pending = self
            .feed_worker
            .as_ref()
            .map_or(0, BackgroundWorker::pending);
        s
    }

    /// Refits every `refit_interval_ms` on the low-priority refit thread until the monitor is
    /// dropped.
    pub fn spawn_refit_loop(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let period = Duration::from_millis(self.config.refit_interval_ms);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(monitor) = weak.upgrade() else { break };
                // Bootstrap fits are CPU work: keep them off the request-serving threads and
                // below their priority.
                let (done, finished) = tokio::sync::oneshot::channel();
                let worker = monitor.clone();
                // The refit may post a webhook, which needs the runtime.
                let runtime = tokio::runtime::Handle::current();
                let job: Job = Box::new(move || {
                    let _entered = runtime.enter();
                    worker.refit_now();
                    let _ = done.send(());
                });
                let submitted = monitor.refit_worker.submit(job);
                drop(monitor);
                if submitted.is_err() || finished.await.is_err() {
                    tracing::error!("monitor refit did not run");
                }
            }
        })
    }

    /// Makes `judge` the one the monitor reports (`/metrics`, `/monitor`): the server calls
    /// this at start and after every reload with the new state's judge.
    pub fn attach_judge(&self, judge: Option<Arc<Judge>>) {
        self.judge.attach(judge);
    }

    /// The judge's totals across reloads.
    pub fn judge_counts(&self) -> super::judge::JudgeCounts {
        self.judge.counts()
    }

    /// The last published state.
    pub fn state(&self) -> Arc<MonitorState> {
        self.state.load_full()
    }

    /// Whether the guardrail currently keeps `member` out of dilemma routing.
    pub fn guardrail_active(&self, member: &str) -> bool {
        self.state
            .load()
            .members
            .iter()
            .any(|m| m.name == member && m.guardrail_active)
    }

    /// A member's profile in the drift window, for routing by stated patient values.
    pub fn member_profile(&self, member: &str) -> Option<[f64; 4]> {
        let state = self.state.load();
        state
            .drift_scopes()
            .iter()
            .find(|s| matches!(&s.scope, super::stats::Scope::Member(n) if n == member))?
            .estimate
            .as_ref()
            .map(|e| e.profile)
    }

    pub fn config(&self) -> &MonitorConfig {
        &self.config
    }

    /// Salt of the conversation hashes in events: kept in the data directory, so a
    /// conversation keeps its hash across restarts while hashes of another deployment differ.
    pub fn conversation_salt(&self) -> &str {
        &self.conversation_salt
    }

    /// True when an event must be on disk before the response that produced it completes
    /// (`fsync = "per_event"` with the log on).
    pub fn wants_durable_events(&self) -> bool {
        self.log.is_some() && self.config.log.fsync == super::log::FsyncPolicy::PerEvent
    }

    /// Waits until everything recorded so far (offloaded events included) is written and
    /// fsynced.
    pub async fn flush(&self) -> Result<(), AppendError> {
        if let Some(worker) = &self.feed_worker {
            worker.barrier().await.map_err(|_| AppendError::Closed)?;
        }
        match &self.log {
            Some(log) => log.flush().await,
            None => Ok(()),
        }
    }
}
