//! `[detector]`: which trained dilemma-detector weights routing uses, and the score threshold.
//! Plain config data; the detector itself lives in `crate::detect`.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorConfig {
    /// A weight file written by `pluralis train-detector`. Default: the weights embedded in the
    /// binary (policies/detector-weights.bin at build time).
    #[serde(default)]
    pub weights: Option<PathBuf>,
    /// Score (0..1) at or above which a request counts as a dilemma. Default: the threshold
    /// stored with the weights (chosen on held-out data when they were trained).
    #[serde(default)]
    pub threshold: Option<f32>,
}

impl DetectorConfig {
    /// Every problem with this table, each naming its field.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(t) = self.threshold {
            if !(t > 0.0 && t < 1.0) {
                out.push((
                    "detector.threshold".to_owned(),
                    "must be strictly between 0 and 1".to_owned(),
                ));
            }
        }
        if self
            .weights
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            out.push((
                "detector.weights".to_owned(),
                "must name a weight file (or be left out for the embedded weights)".to_owned(),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_must_be_a_probability() {
        let ok: DetectorConfig = toml::from_str("threshold = 0.4").unwrap();
        assert!(ok.problems().is_empty());
        let bad: DetectorConfig = toml::from_str("threshold = 1.5\nweights = \"\"").unwrap();
        assert_eq!(bad.problems().len(), 2);
        assert!(toml::from_str::<DetectorConfig>("treshold = 0.4").is_err());
    }
}
