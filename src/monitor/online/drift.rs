//! Drift: each member's current profile against its baseline. The baseline is pinned by an
//! operator in the policy, or else it is the member's first stable window: the profile of its
//! first `min_decisions` tagged decisions. That choice is a pure function of the log, so a
//! restart that replays the log finds the same baseline.

use super::profile::{estimate, ProfileEstimate};
use crate::attribution::jsd;
use crate::monitor::log::DecisionEvent;
use crate::monitor::stats::{Tally, WindowName};
use crate::values::Value;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Drift points kept for the dashboard's chart (one per member per refit).
const HISTORY_POINTS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DriftConfig {
    /// JSD (bits, in [0, 1]) between current profile and baseline above which an alert is
    /// raised. Default 0.1.
    pub threshold_jsd: f64,
    /// Tagged decisions needed in the current window (and to freeze a first-window baseline)
    /// before drift is judged. Default 200.
    pub min_decisions: u64,
    /// Window the current profile is taken from. Default `1h`.
    pub window: WindowName,
    /// URL receiving a JSON POST when an alert is raised or cleared. Default none.
    pub webhook_url: Option<String>,
    /// Operator-pinned baselines: member name to value shares (`autonomy = 0.4`, ...).
    pub baselines: BTreeMap<String, BTreeMap<Value, f64>>,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            threshold_jsd: 0.1,
            min_decisions: 200,
            window: WindowName::Hour,
            webhook_url: None,
            baselines: BTreeMap::new(),
        }
    }
}

impl DriftConfig {
    pub fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if !(self.threshold_jsd > 0.0 && self.threshold_jsd <= 1.0) {
            errors.push("monitor.drift.threshold_jsd: must be in (0, 1]".to_owned());
        }
        if self.min_decisions == 0 {
            errors.push("monitor.drift.min_decisions: must be at least 1".to_owned());
        }
        for (member, shares) in &self.baselines {
            if shares.len() != 4 || shares.values().any(|s| !(s.is_finite() && *s >= 0.0)) {
                errors.push(format!(
                    "monitor.drift.baselines.{member}: give all four values, each a share >= 0"
                ));
            }
        }
        errors
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineSource {
    Pinned,
    FirstStableWindow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub profile: [f64; 4],
    pub source: BaselineSource,
    /// Decisions behind it (0 when pinned).
    pub decisions: u64,
    /// Time of the last decision folded into it (0 when pinned).
    pub until_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftPoint {
    pub time_ms: u64,
    pub member: String,
    pub jsd: f64,
    pub autonomy_share: f64,
}

/// A raised or cleared alert, to be logged, counted and posted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertChange {
    pub member: String,
    pub raised: bool,
    pub jsd: f64,
    pub threshold: f64,
    pub decisions: u64,
    pub time_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MemberDrift {
    pub baseline: Option<Baseline>,
    pub jsd: Option<f64>,
    pub alert: bool,
}

#[derive(Debug, Clone)]
pub struct DriftTracker {
    config: DriftConfig,
    temperature: f64,
    /// First-window baselines still being collected.
    collecting: BTreeMap<String, (Tally, u64)>,
    pub members: BTreeMap<String, MemberDrift>,
    pub history: VecDeque<DriftPoint>,
}

impl DriftTracker {
    pub fn new(config: DriftConfig, temperature: f64) -> Self {
        let mut members = BTreeMap::new();
        for (member, shares) in &config.baselines {
            let raw = Value::ALL.map(|v| shares.get(&v).copied().unwrap_or(0.0));
            let total: f64 = raw.iter().sum();
            let profile = if total > 0.0 {
                raw.map(|s| s / total)
            } else {
                [0.25; 4]
            };
            members.insert(
                member.clone(),
                MemberDrift {
                    baseline: Some(Baseline {
                        profile,
                        source: BaselineSource::Pinned,
                        decisions: 0,
                        until_ms: 0,
                    }),
                    ..MemberDrift::default()
                },
            );
        }
        DriftTracker {
            config,
            temperature,
            collecting: BTreeMap::new(),
            members,
            history: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &DriftConfig {
        &self.config
    }

    /// Feeds first-window baselines; call for every event in log order.
    pub fn observe(&mut self, event: &DecisionEvent) {
        if event.pattern().is_none() {
            return;
        }
        let state = self.members.entry(event.member.clone()).or_default();
        if state.baseline.is_some() {
            return;
        }
        let (tally, until) = self.collecting.entry(event.member.clone()).or_default();
        tally.add(event);
        *until = (*until).max(event.time_ms);
        if tally.tagged_valid() < self.config.min_decisions {
            return;
        }
        let mut no_rng = rand::rngs::mock::StepRng::new(0, 0);
        if let Some(est) = estimate(tally, self.temperature, 0, &mut no_rng) {
            state.baseline = Some(Baseline {
                profile: est.profile,
                source: BaselineSource::FirstStableWindow,
                decisions: est.decisions,
                until_ms: *until,
            });
            self.collecting.remove(&event.member);
        }
    }

    /// Judges one member's current-window profile; returns an alert change, if any.
    pub fn evaluate(
        &mut self,
        member: &str,
        current: Option<&ProfileEstimate>,
        now_ms: u64,
    ) -> Option<AlertChange> {
        let state = self.members.entry(member.to_owned()).or_default();
        let (Some(baseline), Some(current)) = (&state.baseline, current) else {
            state.jsd = None;
            return None;
        };
        let jsd = jsd(&current.profile, &baseline.profile);
        state.jsd = Some(jsd);
        self.history.push_back(DriftPoint {
            time_ms: now_ms,
            member: member.to_owned(),
            jsd,
            autonomy_share: current.profile[Value::Autonomy.index()],
        });
        while self.history.len() > HISTORY_POINTS {
            self.history.pop_front();
        }
        let enough = current.decisions >= self.config.min_decisions;
        let alert = enough && jsd > self.config.threshold_jsd;
        // Without enough evidence the state holds: too few decisions neither raise nor clear.
        if !enough || alert == state.alert {
            return None;
        }
        state.alert = alert;
        Some(AlertChange {
            member: member.to_owned(),
            raised: alert,
            jsd,
            threshold: self.config.threshold_jsd,
            decisions: current.decisions,
            time_ms: now_ms,
        })
    }
}

#[cfg(test)]
mod tests;
