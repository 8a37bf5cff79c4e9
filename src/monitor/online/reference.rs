//! The physician reference the monitor compares against: the consensus profile, the range of
//! individual physicians' shares, and the panel's decision spread. Never hard-coded: read from
//! the JSON `pluralis attribute --format json` prints (saved under policies/), or computed from a
//! ValueBench folder when one is present.

use crate::values::Value;
use anyhow::Context;
use serde::Serialize;
use std::path::Path;

/// Where a policy keeps the physician reference by default.
pub const DEFAULT_REFERENCE_FILE: &str = "policies/reference/physicians.json";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    /// Where the figures came from (a file path or a ValueBench folder).
    pub source: String,
    pub temperature: f64,
    /// Pooled physician votes' profile, `Value::ALL` order.
    pub consensus_profile: [f64; 4],
    pub consensus_beta: [f64; 4],
    /// Lowest and highest share of each value over individual physicians.
    pub physician_min: [f64; 4],
    pub physician_max: [f64; 4],
    pub physicians: usize,
    /// Mean over physicians of their mean per-case entropy, when reported.
    pub physician_mean_entropy_bits: Option<f64>,
    /// Per-case entropy of the pooled panel (the consensus entry), when reported.
    pub consensus_mean_entropy_bits: Option<f64>,
}

fn values_of(obj: Option<&serde_json::Value>) -> Option<[f64; 4]> {
    let obj = obj?;
    let mut out = [0.0; 4];
    for v in Value::ALL {
        out[v.index()] = obj.get(v.name())?.as_f64()?;
    }
    Some(out)
}

impl Reference {
    /// Parses `pluralis attribute --format json` output.
    pub fn from_attribute_json(text: &str, source: &str) -> anyhow::Result<Reference> {
        let doc: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
        let temperature = doc
            .get("temperature")
            .and_then(serde_json::Value::as_f64)
            .context("missing temperature")?;
        let makers = doc
            .get("decision_makers")
            .and_then(serde_json::Value::as_array)
            .context("missing decision_makers")?;
        let kind = |m: &serde_json::Value| {
            m.get("kind")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let consensus = makers
            .iter()
            .find(|m| kind(m).as_deref() == Some("consensus"))
            .context("no decision maker of kind consensus")?;
        let consensus_profile =
            values_of(consensus.get("profile")).context("consensus profile incomplete")?;
        let consensus_beta =
            values_of(consensus.get("beta")).context("consensus beta incomplete")?;
        let physicians: Vec<&serde_json::Value> = makers
            .iter()
            .filter(|m| kind(m).as_deref() == Some("physician"))
            .collect();
        let profiles: Vec<[f64; 4]> = physicians
            .iter()
            .filter_map(|m| values_of(m.get("profile")))
            .collect();
        anyhow::ensure!(!profiles.is_empty(), "no physician profiles");
        let mut physician_min = [f64::INFINITY; 4];
        let mut physician_max = [f64::NEG_INFINITY; 4];
        for p in &profiles {
            for i in 0..4 {
                physician_min[i] = physician_min[i].min(p[i]);
                physician_max[i] = physician_max[i].max(p[i]);
            }
        }
        let entropy = |m: &serde_json::Value| {
            m.get("mean_entropy_bits")
                .and_then(serde_json::Value::as_f64)
        };
        let entropies: Vec<f64> = physicians.iter().filter_map(|m| entropy(m)).collect();
        Ok(Reference {
            source: source.to_owned(),
            temperature,
            consensus_profile,
            consensus_beta,
            physician_min,
            physician_max,
            physicians: profiles.len(),
            physician_mean_entropy_bits: (!entropies.is_empty())
                .then(|| entropies.iter().sum::<f64>() / entropies.len() as f64),
            consensus_mean_entropy_bits: entropy(consensus),
        })
    }

    pub fn load(path: &Path) -> anyhow::Result<Reference> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading physician reference {}", path.display()))?;
        Self::from_attribute_json(&text, &path.display().to_string())
            .with_context(|| format!("physician reference {}", path.display()))
    }

    /// Whether a share of `value` lies below every individual physician's.
    pub fn below_range(&self, value: Value, share: f64) -> bool {
        share < self.physician_min[value.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maker(kind: &str, a: f64, entropy: f64) -> serde_json::Value {
        let rest = (1.0 - a) / 3.0;
        serde_json::json!({"id": format!("{kind}-{a}"), "kind": kind,
            "beta": {"autonomy": a, "beneficence": 0.0, "nonmaleficence": 0.0, "justice": 0.0},
            "profile": {"autonomy": a, "beneficence": rest, "nonmaleficence": rest, "justice": rest},
            "mean_entropy_bits": entropy, "jsd_to_consensus": 0.0})
    }

    #[test]
    fn reads_attribute_json() {
        let doc = serde_json::json!({"temperature": 0.3, "cases": 3, "decision_makers": [
            maker("model", 0.1, 0.0), maker("physician", 0.2, 0.5),
            maker("physician", 0.6, 0.7), maker("consensus", 0.4, 0.9)]});
        let r = Reference::from_attribute_json(&doc.to_string(), "x").unwrap();
        assert_eq!(r.physicians, 2);
        assert_eq!(r.physician_min[0], 0.2);
        assert_eq!(r.physician_max[0], 0.6);
        assert_eq!(r.consensus_profile[0], 0.4);
        assert!((r.physician_mean_entropy_bits.unwrap() - 0.6).abs() < 1e-12);
        assert!(r.below_range(Value::Autonomy, 0.1));
        assert!(!r.below_range(Value::Autonomy, 0.3));
    }

    #[test]
    fn rejects_incomplete_reference() {
        let doc =
            serde_json::json!({"temperature": 0.3, "decision_makers": [maker("model", 0.1, 0.0)]});
        assert!(Reference::from_attribute_json(&doc.to_string(), "x").is_err());
        assert!(Reference::from_attribute_json("{", "x").is_err());
    }
}
