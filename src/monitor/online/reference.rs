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
    /// Mean per-case decision entropy of the pooled panel (the consensus entry), when reported:
    /// the spread the deployment's decisions are compared with.
    pub consensus_mean_entropy_bits: Option<f64>,
    /// 95th percentile of the physicians' leave-one-out JSD to the others' consensus: a JSD to
    /// consensus at or below it is within the natural inter-physician range.
    pub jsd_p95: Option<f64>,
    /// The panel is SIMULATED (the demo without ValueBench data), not real physicians: the
    /// dashboard says so. Read from a top-level `"simulated": true` in the file.
    pub simulated: bool,
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
        let profiles: Vec<[f64; 4]> = makers
            .iter()
            .filter(|m| kind(m).as_deref() == Some("physician"))
            .filter_map(|m| values_of(m.get("profile")))
            .collect();
        // The attribute JSON's `physician_reference` block carries the range; a reduced file
        // may hold only that block (no individual physicians).
        let block = doc.get("physician_reference");
        let range = (
            values_of(block.and_then(|b| b.get("min_share"))),
            values_of(block.and_then(|b| b.get("max_share"))),
        );
        let (physician_min, physician_max, physicians) = match range {
            (Some(min), Some(max)) => {
                let n = block
                    .and_then(|b| b.get("physicians"))
                    .and_then(serde_json::Value::as_u64)
                    .map_or(profiles.len(), |n| n as usize);
                (min, max, n)
            }
            _ => {
                anyhow::ensure!(
                    !profiles.is_empty(),
                    "no physician profiles or physician_reference"
                );
                let mut min = [f64::INFINITY; 4];
                let mut max = [f64::NEG_INFINITY; 4];
                for p in &profiles {
                    for i in 0..4 {
                        min[i] = min[i].min(p[i]);
                        max[i] = max[i].max(p[i]);
                    }
                }
                (min, max, profiles.len())
            }
        };
        anyhow::ensure!(
            (0..4).all(|i| physician_min[i] <= physician_max[i]),
            "physician_reference: a min_share above its max_share"
        );
        let jsd_p95 = block
            .and_then(|b| b.get("jsd_p95"))
            .and_then(serde_json::Value::as_f64);
        // A file written by `to_attribute_json` names where its figures came from.
        let source = doc
            .get("source")
            .and_then(serde_json::Value::as_str)
            .unwrap_or(source);
        Ok(Reference {
            source: source.to_owned(),
            temperature,
            consensus_profile,
            consensus_beta,
            physician_min,
            physician_max,
            physicians,
            consensus_mean_entropy_bits: consensus
                .get("mean_entropy_bits")
                .and_then(serde_json::Value::as_f64),
            jsd_p95,
            simulated: doc
                .get("simulated")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// This reference as a file [`Reference::from_attribute_json`] reads back to the same
    /// figures (the reduced attribute JSON: consensus entry and `physician_reference`).
    pub fn to_attribute_json(&self) -> serde_json::Value {
        let values = |x: &[f64; 4]| {
            let map: serde_json::Map<String, serde_json::Value> = Value::ALL
                .iter()
                .map(|v| (v.name().to_owned(), serde_json::json!(x[v.index()])))
                .collect();
            serde_json::Value::Object(map)
        };
        serde_json::json!({
            "source": self.source,
            "temperature": self.temperature,
            "simulated": self.simulated,
            "decision_makers": [{
                "id": "physician_consensus",
                "kind": "consensus",
                "beta": values(&self.consensus_beta),
                "profile": values(&self.consensus_profile),
                "mean_entropy_bits": self.consensus_mean_entropy_bits,
            }],
            "physician_reference": {
                "physicians": self.physicians,
                "min_share": values(&self.physician_min),
                "max_share": values(&self.physician_max),
                "jsd_p95": self.jsd_p95,
            },
        })
    }

    pub fn load(path: &Path) -> anyhow::Result<Reference> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading physician reference {}", path.display()))?;
        Self::from_attribute_json(&text, &path.display().to_string())
            .with_context(|| format!("physician reference {}", path.display()))
    }

    /// From an audit run in process (`pluralis attribute`'s engine).
    pub fn from_audit(
        audit: &crate::attribution::Audit,
        source: &str,
    ) -> anyhow::Result<Reference> {
        use crate::attribution::MakerKind;
        let consensus = audit
            .makers
            .iter()
            .find(|m| m.kind == MakerKind::Consensus)
            .context("audit has no physician consensus")?;
        let physicians = audit
            .makers
            .iter()
            .filter(|m| m.kind == MakerKind::Physician)
            .count();
        anyhow::ensure!(physicians > 0, "audit has no physicians");
        Ok(Reference {
            source: source.to_owned(),
            temperature: audit.temperature,
            consensus_profile: consensus.profile,
            consensus_beta: consensus.fit.beta,
            physician_min: audit.reference.min_share,
            physician_max: audit.reference.max_share,
            physicians,
            consensus_mean_entropy_bits: consensus.entropy.map(|e| e.mean),
            jsd_p95: Some(audit.reference.p95),
            simulated: false,
        })
    }

    /// Computes the reference from a ValueBench folder (physician votes), without bootstrap.
    pub fn from_valuebench(dir: &Path, temperature: f64) -> anyhow::Result<Reference> {
        let experiment =
            crate::valuebench::read_experiment(dir, crate::valuebench::MAIN_EXPERIMENT)
                .with_context(|| format!("reading {}", dir.display()))?;
        Self::from_experiment(&experiment, temperature, &dir.display().to_string())
    }

    /// Computes the reference from an experiment's physician votes, without bootstrap.
    pub fn from_experiment(
        experiment: &crate::valuebench::Experiment,
        temperature: f64,
        source: &str,
    ) -> anyhow::Result<Reference> {
        use crate::attribution::{run_audit, AuditConfig, AuditData};
        let data = AuditData::from_experiment(experiment);
        anyhow::ensure!(data.cases() > 0, "no case with physician votes in {source}");
        let config = AuditConfig {
            temperature,
            bootstrap: 0,
        };
        let mut rng = rand::rngs::mock::StepRng::new(0, 0);
        Self::from_audit(&run_audit(&data, &config, &mut rng), source)
    }

    /// The reference a server uses: the configured file; else the default file under
    /// policies/ when present; else a ValueBench folder when present; else none (the monitor
    /// then reports profiles without physician comparisons).
    pub fn discover(file: Option<&Path>, temperature: f64) -> anyhow::Result<Option<Reference>> {
        if let Some(file) = file {
            return Self::load(file).map(Some);
        }
        let default = Path::new(DEFAULT_REFERENCE_FILE);
        if default.is_file() {
            return Self::load(default).map(Some);
        }
        if let Some(dir) = crate::valuebench::shared_dir() {
            return Self::from_valuebench(&dir, temperature).map(Some);
        }
        Ok(None)
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
        assert_eq!(r.consensus_mean_entropy_bits, Some(0.9));
        assert_eq!(r.jsd_p95, None);
        assert!(r.below_range(Value::Autonomy, 0.1));
        assert!(!r.below_range(Value::Autonomy, 0.3));
    }

    #[test]
    fn written_reference_reads_back_the_same() {
        let doc = serde_json::json!({"temperature": 0.3, "cases": 3, "decision_makers": [
            maker("physician", 0.2, 0.5), maker("physician", 0.6, 0.7), maker("consensus", 0.4, 0.9)],
            "physician_reference": {"jsd_p95": 0.05, "physicians": 2,
                "min_share": {"autonomy": 0.2, "beneficence": 0.1, "nonmaleficence": 0.1, "justice": 0.1},
                "max_share": {"autonomy": 0.6, "beneficence": 0.3, "nonmaleficence": 0.3, "justice": 0.3}}});
        let mut r = Reference::from_attribute_json(&doc.to_string(), "x").unwrap();
        assert!(!r.simulated);
        r.simulated = true;
        let again =
            Reference::from_attribute_json(&r.to_attribute_json().to_string(), "x").unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn rejects_incomplete_reference() {
        let doc =
            serde_json::json!({"temperature": 0.3, "decision_makers": [maker("model", 0.1, 0.0)]});
        assert!(Reference::from_attribute_json(&doc.to_string(), "x").is_err());
        assert!(Reference::from_attribute_json("{", "x").is_err());
    }

    #[test]
    fn rejects_an_inverted_physician_range() {
        let shares = |a: f64| {
            serde_json::json!({"autonomy": a, "beneficence": 0.2,
            "nonmaleficence": 0.2, "justice": 0.2})
        };
        let doc = |min: f64, max: f64| {
            serde_json::json!({"temperature": 0.3,
            "decision_makers": [maker("consensus", 0.4, 0.9)],
            "physician_reference": {"min_share": shares(min), "max_share": shares(max)}})
        };
        assert!(Reference::from_attribute_json(&doc(0.1, 0.5).to_string(), "x").is_ok());
        let inverted = Reference::from_attribute_json(&doc(0.5, 0.1).to_string(), "x");
        assert!(format!("{:#}", inverted.unwrap_err()).contains("min_share above"));
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn committed_reference_file_matches_the_data_it_came_from() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_REFERENCE_FILE);
        let from_file = Reference::load(&file).unwrap();
        assert!(from_file.physicians > 0 && from_file.jsd_p95.is_some());
        let Some(dir) = crate::valuebench::shared_dir() else {
            eprintln!("skipped: ValueBench folder absent (set PLURALIS_VALUEBENCH)");
            return;
        };
        let computed = Reference::from_valuebench(&dir, from_file.temperature).unwrap();
        assert_eq!(computed.physicians, from_file.physicians);
        for i in 0..4 {
            assert!((computed.consensus_profile[i] - from_file.consensus_profile[i]).abs() < 1e-9);
            assert!((computed.physician_min[i] - from_file.physician_min[i]).abs() < 1e-9);
            assert!((computed.physician_max[i] - from_file.physician_max[i]).abs() < 1e-9);
        }
        assert_eq!(
            computed
                .consensus_mean_entropy_bits
                .map(|e| (e * 1e9).round()),
            from_file
                .consensus_mean_entropy_bits
                .map(|e| (e * 1e9).round())
        );
    }
}
