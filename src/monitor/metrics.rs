//! The monitor's Prometheus metrics, registered in the server's registry. Label sets are
//! bounded: members come from the policy, values are four, patterns at most 5^4, choices three,
//! tenants the policy's declared list plus `other` (capped, see `tenant_metrics`).

use super::judge::JudgeSlot;
use super::log::LogCounters;
use super::state::MonitorState;
use super::stats::{pattern_label, Pattern, Scope};
use super::tenant_metrics::TenantMetrics;
use crate::values::{Choice, Value};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{GaugeVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Label value under which the deployment as a whole is reported in per-member metrics.
pub const DEPLOYMENT_LABEL: &str = "_deployment";

#[derive(Clone)]
pub struct MonitorMetrics {
    value_share: GaugeVec,
    value_beta: GaugeVec,
    jsd_to_consensus: GaugeVec,
    drift_jsd: GaugeVec,
    drift_alert: IntGaugeVec,
    entropy: GaugeVec,
    guardrail: IntGaugeVec,
    decisions: IntCounterVec,
    observations: IntCounterVec,
    tenants: Arc<TenantMetrics>,
}

fn gauge(name: &str, help: &str, labels: &[&str]) -> prometheus::Result<GaugeVec> {
    GaugeVec::new(Opts::new(name, help), labels)
}

impl MonitorMetrics {
    pub fn register(registry: &Registry) -> prometheus::Result<MonitorMetrics> {
        let m = MonitorMetrics {
            value_share: gauge("pluralis_value_share", "Share of each value in the member's profile (softmax of GLM betas), drift window", &["member", "value"])?,
            value_beta: gauge("pluralis_value_beta", "GLM coefficient of each value for the member, drift window", &["member", "value"])?,
            jsd_to_consensus: gauge("pluralis_jsd_to_consensus", "Jensen-Shannon divergence (bits) of the member's profile from the physician consensus", &["member"])?,
            drift_jsd: gauge("pluralis_drift_jsd", "Jensen-Shannon divergence (bits) of the member's current profile from its baseline", &["member"])?,
            drift_alert: IntGaugeVec::new(Opts::new("pluralis_drift_alert", "1 while the member's drift alert is raised"), &["member"])?,
            entropy: gauge("pluralis_decision_entropy_bits", "Mean per-case decision entropy in bits", &["member"])?,
            guardrail: IntGaugeVec::new(Opts::new("pluralis_guardrail_active", "1 while the member is out of dilemma routing (autonomy share below the physician range)"), &["member"])?,
            decisions: IntCounterVec::new(Opts::new("pluralis_decisions_total", "Dilemma decisions by answering member and parsed choice"), &["member", "choice"])?,
            observations: IntCounterVec::new(Opts::new("pluralis_glm_observations_total", "GLM sufficient statistics: tagged decisions by member, value-delta pattern (autonomy,beneficence,nonmaleficence,justice) and choice"), &["member", "pattern", "choice"])?,
            tenants: Arc::new(TenantMetrics::register(registry)?),
        };
        registry.register(Box::new(m.value_share.clone()))?;
        registry.register(Box::new(m.value_beta.clone()))?;
        registry.register(Box::new(m.jsd_to_consensus.clone()))?;
        registry.register(Box::new(m.drift_jsd.clone()))?;
        registry.register(Box::new(m.drift_alert.clone()))?;
        registry.register(Box::new(m.entropy.clone()))?;
        registry.register(Box::new(m.guardrail.clone()))?;
        registry.register(Box::new(m.decisions.clone()))?;
        registry.register(Box::new(m.observations.clone()))?;
        Ok(m)
    }

    /// Counts one decision (called for live and replayed events alike, so after a restart the
    /// counters again equal the log's totals).
    pub fn observe(
        &self,
        member: &str,
        tenant: Option<&str>,
        pattern: Option<Pattern>,
        choice: Choice,
    ) {
        if let Some(tenant) = tenant {
            self.tenants.observe(tenant, choice);
        }
        self.decisions
            .with_label_values(&[member, choice.as_str()])
            .inc();
        if let Some(p) = pattern {
            self.observations
                .with_label_values(&[member, &pattern_label(&p), choice.as_str()])
                .inc();
        }
    }

    /// Publishes a refit's gauges.
    pub fn publish(&self, state: &MonitorState) {
        self.tenants.publish(state);
        for vec in [
            &self.value_share,
            &self.value_beta,
            &self.jsd_to_consensus,
            &self.entropy,
        ] {
            vec.reset();
        }
        for scope in state.drift_scopes() {
            let label = match &scope.scope {
                Scope::Member(name) => name.as_str(),
                Scope::Deployment => DEPLOYMENT_LABEL,
                _ => continue,
            };
            if let Some(est) = &scope.estimate {
                for v in Value::ALL {
                    self.value_share
                        .with_label_values(&[label, v.name()])
                        .set(est.profile[v.index()]);
                    self.value_beta
                        .with_label_values(&[label, v.name()])
                        .set(est.beta[v.index()]);
                }
            }
            if let Some(j) = scope.jsd_to_consensus {
                self.jsd_to_consensus.with_label_values(&[label]).set(j);
            }
        }
        if let Some(e) = &state.deployment_entropy {
            self.entropy
                .with_label_values(&[DEPLOYMENT_LABEL])
                .set(e.mean_bits);
        }
        for member in &state.members {
            let name = member.name.as_str();
            if let Some(e) = &member.entropy {
                self.entropy.with_label_values(&[name]).set(e.mean_bits);
            }
            match member.drift.jsd {
                Some(j) => self.drift_jsd.with_label_values(&[name]).set(j),
                None => {
                    let _ = self.drift_jsd.remove_label_values(&[name]);
                }
            }
            self.drift_alert
                .with_label_values(&[name])
                .set(i64::from(member.drift.alert));
            self.guardrail
                .with_label_values(&[name])
                .set(i64::from(member.guardrail_active));
        }
    }
}

/// Exposes the decision log's live counters at scrape time (no polling loop needed).
pub struct LogCollector {
    counters: Arc<LogCounters>,
    depth: Box<dyn Fn() -> usize + Send + Sync>,
    queue_depth: IntGauge,
    dropped: IntCounter,
    written: IntCounter,
    write_errors: IntCounter,
}

impl LogCollector {
    pub fn new(
        counters: Arc<LogCounters>,
        depth: Box<dyn Fn() -> usize + Send + Sync>,
    ) -> prometheus::Result<LogCollector> {
        Ok(LogCollector {
            counters,
            depth,
            queue_depth: IntGauge::new(
                "pluralis_decision_log_queue_depth",
                "Decision events waiting for the log writer",
            )?,
            dropped: IntCounter::new(
                "pluralis_decision_log_dropped_total",
                "Decision events dropped because the log queue was full (shed mode)",
            )?,
            written: IntCounter::new(
                "pluralis_decision_log_written_total",
                "Decision events written to the log",
            )?,
            write_errors: IntCounter::new(
                "pluralis_decision_log_write_errors_total",
                "Decision events the log failed to write",
            )?,
        })
    }
}

fn catch_up(counter: &IntCounter, value: u64) {
    counter.inc_by(value.saturating_sub(counter.get()));
}

impl Collector for LogCollector {
    fn desc(&self) -> Vec<&Desc> {
        let mut d = self.queue_depth.desc();
        d.extend(self.dropped.desc());
        d.extend(self.written.desc());
        d.extend(self.write_errors.desc());
        d
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.queue_depth.set((self.depth)() as i64);
        catch_up(&self.dropped, self.counters.dropped.load(Ordering::Relaxed));
        catch_up(&self.written, self.counters.written.load(Ordering::Relaxed));
        catch_up(
            &self.write_errors,
            self.counters.write_errors.load(Ordering::Relaxed),
        );
        let mut out = self.queue_depth.collect();
        out.extend(self.dropped.collect());
        out.extend(self.written.collect());
        out.extend(self.write_errors.collect());
        out
    }
}

/// Exposes the judge model's totals and budget at scrape time (`pluralis_judge_*`), read from
/// the monitor's [`JudgeSlot`] so they continue across policy reloads.
pub struct JudgeCollector {
    slot: Arc<JudgeSlot>,
    configured: IntGauge,
    calls_last_minute: IntGauge,
    budget: IntGauge,
    calls: IntCounter,
    reviews: IntCounterVec,
    tags: IntCounterVec,
    over_budget: IntCounter,
    failures: IntCounter,
}

impl JudgeCollector {
    pub fn new(slot: Arc<JudgeSlot>) -> prometheus::Result<JudgeCollector> {
        Ok(JudgeCollector {
            slot,
            configured: IntGauge::new("pluralis_judge_configured", "1 while the policy has a judge model ([monitor.judge])")?,
            calls_last_minute: IntGauge::new("pluralis_judge_calls_last_minute", "Judge model calls taken from the budget in the last 60 s")?,
            budget: IntGauge::new("pluralis_judge_budget_calls_per_minute", "Judge model calls the budget allows in any 60 s")?,
            calls: IntCounter::new("pluralis_judge_calls_total", "Judge model calls made (re-reads and option tagging)")?,
            reviews: IntCounterVec::new(Opts::new("pluralis_judge_reviews_total", "Low-confidence decisions the judge re-read, by whether it kept (agreed) or changed the parser's reading"), &["result"])?,
            tags: IntCounterVec::new(Opts::new("pluralis_judge_tags_total", "New dilemmas given option value tags by the judge, asked now or from its cache"), &["source"])?,
            over_budget: IntCounter::new("pluralis_judge_over_budget_total", "Judge calls skipped because the budget was spent")?,
            failures: IntCounter::new("pluralis_judge_failures_total", "Judge calls that gave nothing usable (transport, status, timeout, unreadable reply)")?,
        })
    }
}

impl Collector for JudgeCollector {
    fn desc(&self) -> Vec<&Desc> {
        let mut d = self.configured.desc();
        d.extend(self.calls_last_minute.desc());
        d.extend(self.budget.desc());
        d.extend(self.calls.desc());
        d.extend(self.reviews.desc());
        d.extend(self.tags.desc());
        d.extend(self.over_budget.desc());
        d.extend(self.failures.desc());
        d
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let counts = self.slot.counts();
        let (used, limit) = self.slot.budget();
        self.configured.set(i64::from(self.slot.configured()));
        self.calls_last_minute.set(used as i64);
        self.budget.set(limit as i64);
        catch_up(&self.calls, counts.calls);
        let agreed = counts.reviews.saturating_sub(counts.reviews_changed);
        catch_up(&self.reviews.with_label_values(&["agreed"]), agreed);
        catch_up(
            &self.reviews.with_label_values(&["changed"]),
            counts.reviews_changed,
        );
        catch_up(&self.tags.with_label_values(&["asked"]), counts.tags_asked);
        catch_up(
            &self.tags.with_label_values(&["cached"]),
            counts.tags_cached,
        );
        catch_up(&self.over_budget, counts.over_budget);
        catch_up(&self.failures, counts.failures);
        let mut out = self.configured.collect();
        out.extend(self.calls_last_minute.collect());
        out.extend(self.budget.collect());
        out.extend(self.calls.collect());
        out.extend(self.reviews.collect());
        out.extend(self.tags.collect());
        out.extend(self.over_budget.collect());
        out.extend(self.failures.collect());
        out
    }
}
