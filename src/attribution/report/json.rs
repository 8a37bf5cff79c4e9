//! The `--format json` shape: `{"temperature", "cases", "decision_makers": [{"id", "kind",
//! "beta": {value: ..}, "profile": {value: ..}, "mean_entropy_bits", "jsd_to_consensus", ..}]}`
//! plus further fields (standard errors, tests, flags, intervals, the physician reference).

use super::value_names;
use crate::attribution::{Audit, MakerAudit};
use serde::Serialize;
use serde_json::{json, Map, Value as Json};

fn by_value<T: Serialize>(a: &[T; 4]) -> Json {
    let mut m = Map::new();
    for (name, v) in value_names().iter().zip(a) {
        m.insert((*name).to_owned(), json!(v));
    }
    Json::Object(m)
}

fn maker(m: &MakerAudit) -> Json {
    json!({
        "id": m.id,
        "kind": m.kind,
        "beta": by_value(&m.fit.beta),
        "profile": by_value(&m.profile),
        "mean_entropy_bits": m.entropy.map(|e| e.mean),
        "jsd_to_consensus": m.jsd_to_consensus,
        "fit_status": m.fit.status,
        "se_hc3": by_value(&m.fit.se),
        "p_values": by_value(&m.fit.p_values),
        "lrt_uniform": m.lrt_uniform,
        "entropy": m.entropy,
        "agreement_with_physician_majority": m.agreement_with_physician_majority,
        "within_physician_range": m.within_physician_range,
        "below_physician_min": by_value(&m.below_physician_min),
        "ci95": m.intervals.map(|i| json!({
            "beta": by_value(&i.beta),
            "profile": by_value(&i.profile),
            "jsd_to_consensus": i.jsd_to_consensus,
        })),
    })
}

/// The audit as one JSON object (see the module note).
pub fn to_json(audit: &Audit) -> Json {
    let r = &audit.reference;
    // Leave-one-out JSDs keyed by physician id (the reference keeps physician order).
    let physicians = audit
        .makers
        .iter()
        .filter(|m| m.kind == crate::attribution::MakerKind::Physician);
    let loo: Map<String, Json> = physicians
        .zip(&r.loo_jsd)
        .map(|(m, v)| (m.id.clone(), json!(v)))
        .collect();
    json!({
        "temperature": audit.temperature,
        "cases": audit.cases,
        "bootstrap": audit.bootstrap,
        "physician_reference": {
            "jsd_p95": r.p95,
            "jsd_p95_ci95": r.p95_ci95,
            "loo_jsd": loo,
            "min_share": by_value(&r.min_share),
            "max_share": by_value(&r.max_share),
        },
        "decision_makers": audit.makers.iter().map(maker).collect::<Vec<_>>(),
    })
}
