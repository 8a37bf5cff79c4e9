//! Value profiles that persona and steer routing start from, never hard-coded: the individual
//! physicians' profiles (persona mode draws from their spread) and the recorded models'
//! profiles (steer mode's member profiles until the monitor has enough decisions of its own).
//!
//! Sources, in order: the ensemble's `profiles` file (the JSON `pluralis attribute --format
//! json` prints: `decision_makers[]` with `kind` and `profile`), else a fit of the ValueBench
//! folder's recorded decisions (`valuebench::shared_dir()`), computed once per process.

use crate::attribution::resample::fit_counts;
use crate::attribution::{softmax_profile, AuditData, PAPER_TEMPERATURE};
use crate::values::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Profiles by decision maker, each in [`Value::ALL`] order, summing to 1.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordedProfiles {
    /// Where they came from (a file path or a ValueBench folder), for logs and docs.
    pub source: String,
    /// One per individual physician (anonymous: ids are not kept).
    pub physicians: Vec<[f64; 4]>,
    /// By model id as recorded (e.g. `openai/gpt-5.2`).
    pub models: BTreeMap<String, [f64; 4]>,
}

impl RecordedProfiles {
    /// Parse `pluralis attribute --format json` output. Makers whose profile is missing or is
    /// not a distribution are skipped; a document without any usable profile is an error.
    pub fn from_attribute_json(text: &str, source: &str) -> Result<RecordedProfiles, String> {
        let doc: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let makers = doc
            .get("decision_makers")
            .and_then(Json::as_array)
            .ok_or("missing `decision_makers`")?;
        let mut out = RecordedProfiles {
            source: source.to_owned(),
            ..RecordedProfiles::default()
        };
        for maker in makers {
            let Some(profile) = profile_of(maker.get("profile")) else {
                continue;
            };
            match maker.get("kind").and_then(Json::as_str) {
                Some("physician") => out.physicians.push(profile),
                Some("model") => {
                    if let Some(id) = maker.get("id").and_then(Json::as_str) {
                        out.models.insert(id.to_owned(), profile);
                    }
                }
                _ => {}
            }
        }
        if out.physicians.is_empty() && out.models.is_empty() {
            return Err("no physician or model profile in `decision_makers`".into());
        }
        Ok(out)
    }

    /// Fit every maker of already-read audit data (the paper's GLM and softmax temperature).
    pub fn from_audit_data(data: &AuditData, source: &str) -> RecordedProfiles {
        let profile =
            |counts| softmax_profile(&fit_counts(&data.deltas, counts).beta, PAPER_TEMPERATURE);
        RecordedProfiles {
            source: source.to_owned(),
            physicians: data
                .physicians
                .iter()
                .map(|p| profile(&p.counts))
                .filter(is_distribution)
                .collect(),
            models: data
                .models
                .iter()
                .map(|m| (m.id.clone(), profile(&m.counts)))
                .filter(|(_, p)| is_distribution(p))
                .collect(),
        }
    }

    /// Read a file (see [`Self::from_attribute_json`]).
    pub fn load(path: &Path) -> Result<RecordedProfiles, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        Self::from_attribute_json(&text, &path.display().to_string())
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Fit the recorded decisions of a ValueBench folder, once per folder per process (reading
    /// and fitting thousands of answers is too slow to repeat on every policy reload).
    pub fn from_valuebench(dir: &Path) -> Result<Arc<RecordedProfiles>, String> {
        static CACHE: OnceLock<Mutex<BTreeMap<PathBuf, Arc<RecordedProfiles>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(found) = cache.lock().ok().and_then(|c| c.get(dir).cloned()) {
            return Ok(found);
        }
        let experiment =
            crate::valuebench::read_experiment(dir, crate::valuebench::MAIN_EXPERIMENT)
                .map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let data = AuditData::from_experiment(&experiment);
        let profiles = Arc::new(Self::from_audit_data(&data, &dir.display().to_string()));
        if let Ok(mut c) = cache.lock() {
            c.insert(dir.to_owned(), Arc::clone(&profiles));
        }
        Ok(profiles)
    }

    /// The profiles an ensemble uses: its `profiles` file when set, else the shared ValueBench
    /// folder when present, else none.
    pub fn discover(file: Option<&Path>) -> Result<Option<Arc<RecordedProfiles>>, String> {
        if let Some(file) = file {
            return Self::load(file).map(|p| Some(Arc::new(p)));
        }
        match crate::valuebench::shared_dir() {
            Some(dir) => Self::from_valuebench(&dir).map(Some),
            None => Ok(None),
        }
    }
}

/// `{autonomy: .., beneficence: .., nonmaleficence: .., justice: ..}` as a distribution.
fn profile_of(obj: Option<&Json>) -> Option<[f64; 4]> {
    let obj = obj?;
    let mut out = [0.0; 4];
    for v in Value::ALL {
        out[v.index()] = obj.get(v.name())?.as_f64()?;
    }
    is_distribution(&out).then_some(out)
}

fn is_distribution(p: &[f64; 4]) -> bool {
    p.iter().all(|x| x.is_finite() && *x >= 0.0) && (p.iter().sum::<f64>() - 1.0).abs() < 1e-6
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn maker(kind: &str, id: &str, p: [f64; 4]) -> Json {
        serde_json::json!({"id": id, "kind": kind, "profile": {
            "autonomy": p[0], "beneficence": p[1], "nonmaleficence": p[2], "justice": p[3]}})
    }

    #[test]
    fn reads_physicians_and_models_from_an_attribute_report() {
        let doc = serde_json::json!({"temperature": 0.262, "decision_makers": [
            maker("model", "a/x", [0.1, 0.4, 0.4, 0.1]),
            maker("consensus", "physician_consensus", [0.25; 4]),
            maker("physician", "human/p1", [0.5, 0.3, 0.1, 0.1]),
            maker("physician", "human/p2", [0.2, 0.2, 0.3, 0.3]),
            maker("physician", "human/bad", [0.9, 0.9, 0.0, 0.0]),
        ]});
        let p = RecordedProfiles::from_attribute_json(&doc.to_string(), "f").unwrap();
        assert_eq!(p.physicians.len(), 2, "the non-distribution is skipped");
        assert_eq!(p.models["a/x"], [0.1, 0.4, 0.4, 0.1]);
        assert!(RecordedProfiles::from_attribute_json(r#"{"decision_makers": []}"#, "f").is_err());
        assert!(RecordedProfiles::from_attribute_json("[", "f").is_err());
    }

    #[test]
    fn fits_the_shared_valuebench_panel() {
        let Some(dir) = crate::valuebench::shared_dir() else {
            eprintln!("skipped: no shared ValueBench folder");
            return;
        };
        let p = RecordedProfiles::from_valuebench(&dir).unwrap();
        assert!(
            p.physicians.len() >= 10,
            "{} physicians",
            p.physicians.len()
        );
        assert!(!p.models.is_empty());
        // The panel has a spread: not every physician weighs autonomy alike.
        let autonomy: Vec<f64> = p.physicians.iter().map(|x| x[0]).collect();
        let (lo, hi) = autonomy
            .iter()
            .fold((1.0f64, 0.0f64), |(l, h), a| (l.min(*a), h.max(*a)));
        assert!(hi - lo > 0.05, "autonomy shares {autonomy:?}");
        assert!(Arc::ptr_eq(
            &p,
            &RecordedProfiles::from_valuebench(&dir).unwrap()
        ));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(s in ".{0,400}") {
            let _ = RecordedProfiles::from_attribute_json(&s, "x");
        }
    }
}
