//! One refit: from the counts to a [`MonitorState`]. Pure apart from the drift tracker and the
//! guardrail map it updates, so it can run on a blocking thread outside the stats lock.

use super::config::MonitorConfig;
use super::online::drift::{AlertChange, DriftTracker};
use super::online::{estimate, Reference};
use super::state::{MemberState, MonitorState, ScopeState};
use super::stats::{Scope, Stats, Tally, WindowName};
use crate::attribution::{entropy_bits, jsd};
use crate::values::Value;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Everything a refit reads, copied out of the lock.
pub struct RefitInput {
    pub windows: Vec<(WindowName, BTreeMap<Scope, Tally>)>,
    pub entropy: BTreeMap<String, Option<super::stats::EntropySummary>>,
    pub deployment_entropy: Option<super::stats::EntropySummary>,
}

impl RefitInput {
    pub fn capture(stats: &Stats, now_ms: u64) -> RefitInput {
        let windows: Vec<_> = WindowName::ALL
            .iter()
            .map(|w| (*w, stats.window(*w, now_ms)))
            .collect();
        let mut entropy = BTreeMap::new();
        for scope in stats.all_time().keys() {
            if let Scope::Member(name) = scope {
                entropy.insert(name.clone(), stats.cases.entropy(name, entropy_bits));
            }
        }
        RefitInput {
            windows,
            entropy,
            deployment_entropy: stats.cases.entropy("", entropy_bits),
        }
    }
}

/// Profiles of every scope in every window: the expensive part, run without any lock.
pub fn fit_windows(
    input: &RefitInput,
    config: &MonitorConfig,
    reference: Option<&Reference>,
) -> BTreeMap<&'static str, Vec<ScopeState>> {
    // Seeded per refit: intervals are reproducible for the same counts.
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut windows = BTreeMap::new();
    for (name, tallies) in &input.windows {
        let scopes: Vec<ScopeState> = tallies
            .iter()
            .map(|(scope, tally)| scope_state(scope, tally, config, reference, &mut rng))
            .collect();
        windows.insert(name.label(), scopes);
    }
    windows
}

/// Builds the new state from fitted windows; updates drift and the guardrail (cheap); returns
/// alert changes to announce.
pub fn refit(
    input: &RefitInput,
    windows: BTreeMap<&'static str, Vec<ScopeState>>,
    config: &MonitorConfig,
    reference: Option<&Reference>,
    drift: &mut DriftTracker,
    guardrail: &mut BTreeMap<String, bool>,
    now_ms: u64,
) -> (MonitorState, Vec<AlertChange>) {
    let find = |window: WindowName, member: &str| -> Option<&ScopeState> {
        windows
            .get(window.label())?
            .iter()
            .find(|s: &&ScopeState| matches!(&s.scope, Scope::Member(n) if n == member))
    };
    let mut alerts = Vec::new();
    let mut members = Vec::new();
    for (name, entropy) in &input.entropy {
        let drift_estimate = find(config.drift.window, name).and_then(|s| s.estimate.as_ref());
        if let Some(change) = drift.evaluate(name, drift_estimate, now_ms) {
            alerts.push(change);
        }
        let guard_estimate = find(config.guardrail.window, name).and_then(|s| s.estimate.as_ref());
        let autonomy_share = guard_estimate.map(|e| e.profile[Value::Autonomy.index()]);
        let active = guardrail.entry(name.clone()).or_insert(false);
        if let (true, Some(reference), Some(est)) =
            (config.guardrail.enabled, reference, guard_estimate)
        {
            // Too little evidence holds the previous state rather than flapping.
            if est.decisions >= config.guardrail.min_decisions {
                let below =
                    reference.below_range(Value::Autonomy, est.profile[Value::Autonomy.index()]);
                if below != *active {
                    tracing::warn!(member = %name, active = below, "guardrail state changed");
                }
                *active = below;
            }
        }
        members.push(MemberState {
            name: name.clone(),
            guardrail_active: *active,
            autonomy_share,
            drift: drift.members.get(name).cloned().unwrap_or_default(),
            entropy: *entropy,
        });
    }
    let state = MonitorState {
        generated_ms: now_ms,
        temperature: config.temperature,
        values: Value::ALL.map(Value::name),
        reference: reference.cloned(),
        windows,
        members,
        deployment_entropy: input.deployment_entropy,
        drift_window: config.drift.window.label(),
        drift_threshold: config.drift.threshold_jsd,
        guardrail_window: config.guardrail.window.label(),
        drift_history: drift.history.iter().cloned().collect(),
        alerts: Vec::new(),
        log: Default::default(),
        judge: None,
    };
    (state, alerts)
}

fn scope_state(
    scope: &Scope,
    tally: &Tally,
    config: &MonitorConfig,
    reference: Option<&Reference>,
    rng: &mut ChaCha8Rng,
) -> ScopeState {
    let est = estimate(tally, config.temperature, config.bootstrap_draws, rng);
    let jsd_to_consensus = match (&est, reference) {
        (Some(e), Some(r)) => Some(jsd(&e.profile, &r.consensus_profile)),
        _ => None,
    };
    let below_physician_range = match (&est, reference) {
        (Some(e), Some(r)) => Some(Value::ALL.map(|v| r.below_range(v, e.profile[v.index()]))),
        _ => None,
    };
    let total = tally.total();
    let routing_shares = tally
        .by_member
        .iter()
        .map(|(m, n)| (m.clone(), *n as f64 / total.max(1) as f64))
        .collect();
    ScopeState {
        scope: scope.clone(),
        key: scope.key(),
        decisions: total,
        choices: tally.choices,
        estimate: est,
        jsd_to_consensus,
        below_physician_range,
        overton_share: tally.overton_share(),
        mean_values_discussed: tally.mean_values_discussed(),
        routing_shares,
        route_modes: tally.by_mode.clone(),
        mean_latency_ms: (total > 0).then(|| tally.latency_ms_sum as f64 / total as f64),
    }
}
