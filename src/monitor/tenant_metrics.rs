//! Per-tenant Prometheus metrics: decisions by tenant and choice, and each tenant's value
//! profile and distance to the physician consensus. Tenant names come from the policy's
//! bounded `[tenants]` list (the request path never passes a client's raw value), and the
//! label set is capped here as well, so a decision log written under older policies cannot
//! grow it past [`MAX_TENANT_LABELS`]: further names are counted under `other`.

use super::state::MonitorState;
use super::stats::Scope;
use crate::config::{MAX_TENANTS, OTHER_TENANT};
use crate::values::{Choice, Value};
use prometheus::{GaugeVec, IntCounterVec, Opts, Registry};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// Distinct tenant label values: every declarable tenant plus `other`.
pub const MAX_TENANT_LABELS: usize = MAX_TENANTS + 1;

pub struct TenantMetrics {
    decisions: IntCounterVec,
    value_share: GaugeVec,
    jsd_to_consensus: GaugeVec,
    labels: Mutex<BTreeSet<String>>,
}

impl TenantMetrics {
    pub fn register(registry: &Registry) -> prometheus::Result<TenantMetrics> {
        let m = TenantMetrics {
            decisions: IntCounterVec::new(
                Opts::new(
                    "pluralis_tenant_decisions_total",
                    "Dilemma decisions by tenant (declared in [tenants], or other) and parsed choice",
                ),
                &["tenant", "choice"],
            )?,
            value_share: GaugeVec::new(
                Opts::new(
                    "pluralis_tenant_value_share",
                    "Share of each value in the tenant's profile (softmax of GLM betas), drift window",
                ),
                &["tenant", "value"],
            )?,
            jsd_to_consensus: GaugeVec::new(
                Opts::new(
                    "pluralis_tenant_jsd_to_consensus",
                    "Jensen-Shannon divergence (bits) of the tenant's profile from the physician consensus, drift window",
                ),
                &["tenant"],
            )?,
            labels: Mutex::new(BTreeSet::new()),
        };
        registry.register(Box::new(m.decisions.clone()))?;
        registry.register(Box::new(m.value_share.clone()))?;
        registry.register(Box::new(m.jsd_to_consensus.clone()))?;
        Ok(m)
    }

    /// The label for `tenant`: itself while the label set has room (or already holds it),
    /// else `other`.
    fn label(&self, tenant: &str) -> String {
        let mut labels = self
            .labels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if labels.contains(tenant) {
            return tenant.to_owned();
        }
        // Keep one place for `other` itself.
        if labels.len() + usize::from(!labels.contains(OTHER_TENANT)) < MAX_TENANT_LABELS {
            labels.insert(tenant.to_owned());
            return tenant.to_owned();
        }
        OTHER_TENANT.to_owned()
    }

    /// Counts one decision of a tenant.
    pub fn observe(&self, tenant: &str, choice: Choice) {
        let label = self.label(tenant);
        self.decisions
            .with_label_values(&[&label, choice.as_str()])
            .inc();
    }

    /// Publishes each tenant scope of the drift window.
    pub fn publish(&self, state: &MonitorState) {
        self.value_share.reset();
        self.jsd_to_consensus.reset();
        for scope in state.drift_scopes() {
            let Scope::Tenant(name) = &scope.scope else {
                continue;
            };
            let label = self.label(name);
            if label != *name {
                continue; // over the cap: `other` has its own scope
            }
            if let Some(est) = &scope.estimate {
                for v in Value::ALL {
                    self.value_share
                        .with_label_values(&[&label, v.name()])
                        .set(est.profile[v.index()]);
                }
            }
            if let Some(j) = scope.jsd_to_consensus {
                self.jsd_to_consensus.with_label_values(&[&label]).set(j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_capped_and_overflow_counts_as_other() {
        let registry = Registry::new();
        let metrics = TenantMetrics::register(&registry).unwrap();
        for i in 0..MAX_TENANT_LABELS + 20 {
            metrics.observe(&format!("t{i}"), Choice::Choice1);
        }
        metrics.observe(OTHER_TENANT, Choice::Choice2);
        let families = registry.gather();
        let decisions = families
            .iter()
            .find(|f| f.get_name() == "pluralis_tenant_decisions_total")
            .unwrap();
        let tenants: BTreeSet<String> = decisions
            .get_metric()
            .iter()
            .flat_map(|m| m.get_label())
            .filter(|l| l.get_name() == "tenant")
            .map(|l| l.get_value().to_owned())
            .collect();
        assert_eq!(tenants.len(), MAX_TENANT_LABELS);
        assert!(tenants.contains(OTHER_TENANT) && tenants.contains("t0"));
        assert!(!tenants.contains(&format!("t{}", MAX_TENANT_LABELS)));
        let total: f64 = decisions
            .get_metric()
            .iter()
            .map(|m| m.get_counter().get_value())
            .sum();
        assert_eq!(total, (MAX_TENANT_LABELS + 21) as f64, "nothing lost");
    }
}
