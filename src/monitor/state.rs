//! The monitor's published state: what `/monitor/api/state` returns and the dashboard draws.
//! Plain serialisable data, rebuilt whole at every refit and swapped in atomically.

use super::judge::JudgeStatus;
use super::online::drift::{AlertChange, DriftPoint, MemberDrift};
use super::online::{ProfileEstimate, Reference};
use super::stats::{ChoiceCounts, EntropySummary, Scope};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct MonitorState {
    pub generated_ms: u64,
    pub temperature: f64,
    /// Value names in the order of every `[f64; 4]` below.
    pub values: [&'static str; 4],
    pub reference: Option<Reference>,
    /// Window label (`1h`, `24h`, `all`) to its scopes.
    pub windows: BTreeMap<&'static str, Vec<ScopeState>>,
    pub members: Vec<MemberState>,
    /// Per-case entropy of the deployment as a whole (all members pooled).
    pub deployment_entropy: Option<EntropySummary>,
    pub drift_window: &'static str,
    /// Drift JSD above which an alert is raised.
    pub drift_threshold: f64,
    pub guardrail_window: &'static str,
    pub drift_history: Vec<DriftPoint>,
    /// Most recent alert changes, newest last.
    pub alerts: Vec<AlertChange>,
    pub log: LogState,
    /// The judge model's settings, budget and totals; None without `[monitor.judge]`.
    pub judge: Option<JudgeStatus>,
}

impl MonitorState {
    /// The scopes of the drift window (the one metrics, the guardrail and the stated-profile
    /// lookups read); empty before the first refit.
    pub fn drift_scopes(&self) -> &[ScopeState] {
        self.windows
            .get(self.drift_window)
            .map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeState {
    pub scope: Scope,
    /// `deployment`, `member:<name>`, `tenant:<name>`, `ensemble:<name>`.
    pub key: String,
    pub decisions: u64,
    /// choice_1, choice_2, refusal.
    pub choices: ChoiceCounts,
    pub estimate: Option<ProfileEstimate>,
    pub jsd_to_consensus: Option<f64>,
    /// Per value: the share lies below every individual physician's.
    pub below_physician_range: Option<[bool; 4]>,
    /// Share of answers that made the case for more than one option.
    pub overton_share: Option<f64>,
    pub mean_values_discussed: Option<f64>,
    /// Share of this scope's decisions answered by each member.
    pub routing_shares: BTreeMap<String, f64>,
    pub route_modes: BTreeMap<String, u64>,
    pub mean_latency_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberState {
    pub name: String,
    pub guardrail_active: bool,
    /// Autonomy share in the guardrail window, when estimable.
    pub autonomy_share: Option<f64>,
    pub drift: MemberDrift,
    pub entropy: Option<EntropySummary>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LogState {
    pub enabled: bool,
    pub data_dir: String,
    pub queue_depth: usize,
    pub queue_capacity: usize,
    pub written: u64,
    pub dropped: u64,
    pub write_errors: u64,
    pub segments_deleted: u64,
    /// fsync calls made (group commit: one may cover many events).
    pub fsyncs: u64,
    /// Answers waiting on the monitor's background thread to become events.
    pub feed_pending: usize,
    /// What the start-up rebuild read back.
    pub rebuilt_events: u64,
    pub rebuilt_segments: usize,
    pub torn_lines: u64,
    pub invalid_lines: u64,
    /// Decisions logged before the judge answered whose verdict never reached the log (e.g.
    /// a crash in between): counted with the parser's reading.
    pub judge_verdicts_missing: u64,
}
