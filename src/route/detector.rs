//! Which requests to an ensemble are dilemmas, and which two options they state. Routing asks a
//! [`DilemmaDetector`] so the classifier can be swapped (the trained detector of
//! `crate::detect` by default, or a fixed answer in tests) without touching the routing code.

use crate::config::DetectorConfig;
use crate::detect::{Detection, Detector, ModelError};
use std::sync::{Arc, OnceLock};

/// Judges a chat request given as (role, text) pairs, oldest first. The verdict's options
/// borrow from the messages.
pub trait DilemmaDetector: Send + Sync + 'static {
    fn detect<'a>(&self, messages: &'a [(&'a str, &'a str)]) -> Detection<'a>;

    fn is_dilemma(&self, messages: &[(&str, &str)]) -> bool {
        self.detect(messages).dilemma
    }
}

/// The trained detector (hashed n-gram logistic regression plus option extraction) with the
/// policy's threshold.
#[derive(Debug, Clone)]
pub struct Trained {
    detector: Arc<Detector>,
    threshold: f32,
}

impl Trained {
    /// `threshold`: the policy's, else the one stored with the weights.
    pub fn new(detector: Arc<Detector>, threshold: Option<f32>) -> Self {
        let threshold = threshold.unwrap_or(detector.model().threshold);
        Trained {
            detector,
            threshold,
        }
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }
}

impl DilemmaDetector for Trained {
    fn detect<'a>(&self, messages: &'a [(&'a str, &'a str)]) -> Detection<'a> {
        let mut d = self.detector.detect(messages);
        d.dilemma = d.score >= self.threshold;
        d
    }
}

/// A fixed verdict (tests, benches); options are still extracted from the newest user message.
#[derive(Debug, Clone, Copy)]
pub struct Always(pub bool);

impl DilemmaDetector for Always {
    fn detect<'a>(&self, messages: &'a [(&'a str, &'a str)]) -> Detection<'a> {
        let options = messages
            .iter()
            .rev()
            .find(|(role, _)| *role == "user")
            .and_then(|(_, text)| crate::detect::options::extract(text));
        Detection {
            dilemma: self.0,
            score: if self.0 { 1.0 } else { 0.0 },
            options,
        }
    }
}

/// The weights embedded in the binary, decoded once per process.
pub fn embedded() -> Result<Arc<Detector>, ModelError> {
    static EMBEDDED: OnceLock<Result<Arc<Detector>, ModelError>> = OnceLock::new();
    EMBEDDED
        .get_or_init(|| Detector::embedded().map(Arc::new))
        .clone()
}

/// The detector a policy asks for: its weight file (read once per state build, so a reload
/// picks up retrained weights) or the embedded weights, with its threshold.
pub fn from_config(config: &DetectorConfig) -> Result<Arc<dyn DilemmaDetector>, String> {
    let detector = match &config.weights {
        Some(path) => Arc::new(Detector::from_file(path).map_err(|e| e.to_string())?),
        None => embedded().map_err(|e| format!("embedded weights: {e}"))?,
    };
    Ok(Arc::new(Trained::new(detector, config.threshold)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIALYSIS: &str = "A patient with capacity refuses dialysis; her son asks the team to \
        start it anyway.\nChoice 1: Start dialysis as the son asks\nChoice 2: Respect her refusal";

    #[test]
    fn the_default_detector_is_the_trained_one() {
        let d = from_config(&DetectorConfig::default()).unwrap();
        let messages = [("user", DIALYSIS)];
        let v = d.detect(&messages);
        assert!(v.dilemma, "score {}", v.score);
        let options = v.options.unwrap();
        assert_eq!(options.first, "Start dialysis as the son asks");
        assert_eq!(options.second, "Respect her refusal");
        let ordinary = d.detect(&[("user", "What is the usual adult dose of paracetamol?")]);
        assert!(!ordinary.dilemma && ordinary.score < v.score);
        // Bare labels with no clinical content are not a dilemma (the interim rule said yes).
        assert!(!d.is_dilemma(&[("user", "Choice 1: apples\nChoice 2: oranges")]));
        assert!(!d.is_dilemma(&[]));
    }

    #[test]
    fn the_policy_threshold_overrides_the_stored_one() {
        let messages = [("user", DIALYSIS)];
        let strict = DetectorConfig {
            threshold: Some(0.999_999),
            ..DetectorConfig::default()
        };
        let v = from_config(&strict).unwrap().detect(&messages);
        assert!(!v.dilemma && v.score > 0.0);
        let lax = DetectorConfig {
            threshold: Some(1e-6),
            ..DetectorConfig::default()
        };
        assert!(from_config(&lax)
            .unwrap()
            .is_dilemma(&[("user", "Hello there")]));
    }

    #[test]
    fn a_weight_file_is_loaded_and_a_bad_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("w.bin");
        std::fs::write(&good, crate::detect::EMBEDDED_WEIGHTS).unwrap();
        let config = DetectorConfig {
            weights: Some(good),
            threshold: None,
        };
        assert!(from_config(&config)
            .unwrap()
            .is_dilemma(&[("user", DIALYSIS)]));
        let bad = dir.path().join("bad.bin");
        std::fs::write(&bad, b"not weights").unwrap();
        let error = from_config(&DetectorConfig {
            weights: Some(bad.clone()),
            threshold: None,
        })
        .err()
        .unwrap();
        assert!(error.contains("bad.bin"), "{error}");
        let missing = DetectorConfig {
            weights: Some(dir.path().join("missing.bin")),
            threshold: None,
        };
        assert!(from_config(&missing).is_err());
    }

    #[test]
    fn always_still_extracts_options() {
        let messages = [("user", "Choice 1: treat now\nChoice 2: wait")];
        let v = Always(true).detect(&messages);
        assert!(v.dilemma);
        assert_eq!(v.options.map(|o| o.first), Some("treat now"));
    }
}
