//! `[monitor.judge]`: the optional judge model. Plain data with defaults, validated in one pass.

use crate::decide::judge::JudgePolicy;
use serde::{Deserialize, Serialize};

/// ```toml
/// [monitor.judge]
/// model = "openai/gpt-4o-mini"   # any model an [[upstream]] serves (not an ensemble)
/// threshold = 0.75               # decisions the local parser reads below this are re-read
/// tag_sample_rate = 0.1          # share of new dilemmas whose options the judge tags
/// max_calls_per_minute = 30      # budget over both kinds of call
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeConfig {
    /// The model asked, by the name an `[[upstream]]` serves it under. Required.
    pub model: String,
    /// Decisions whose local confidence is below this (0..=1) go to the judge; 0 never.
    /// Default 0.75.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Probability (0..=1) that a dilemma with no known value tags (not a benchmark case, not
    /// tagged before) has its two options tagged by the judge. Default 0.1.
    #[serde(default = "default_tag_sample_rate")]
    pub tag_sample_rate: f64,
    /// Most judge calls in any 60 s, reviews and tagging together; calls past it are skipped
    /// (and counted). Default 30.
    #[serde(default = "default_max_calls_per_minute")]
    pub max_calls_per_minute: u32,
    /// Deadline of one judge call, milliseconds. Default 20000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Longest answer text (bytes) sent to the judge; longer ones keep head and tail.
    /// Default 12000.
    #[serde(default = "default_max_answer_bytes")]
    pub max_answer_bytes: usize,
    /// New dilemmas whose judge tags are remembered (by case key), so a dilemma is tagged
    /// once. Default 4096.
    #[serde(default = "default_tag_cache")]
    pub tag_cache: usize,
    /// Seed of the tagging sample (reproducible runs). Default 0.
    #[serde(default)]
    pub seed: u64,
}

fn default_threshold() -> f64 {
    JudgePolicy::default().threshold
}
fn default_tag_sample_rate() -> f64 {
    0.1
}
fn default_max_calls_per_minute() -> u32 {
    30
}
fn default_timeout_ms() -> u64 {
    20_000
}
fn default_max_answer_bytes() -> usize {
    JudgePolicy::default().max_answer_bytes
}
fn default_tag_cache() -> usize {
    4096
}

impl JudgeConfig {
    /// A config with every default, asking `model`.
    pub fn for_model(model: impl Into<String>) -> Self {
        JudgeConfig {
            model: model.into(),
            threshold: default_threshold(),
            tag_sample_rate: default_tag_sample_rate(),
            max_calls_per_minute: default_max_calls_per_minute(),
            timeout_ms: default_timeout_ms(),
            max_answer_bytes: default_max_answer_bytes(),
            tag_cache: default_tag_cache(),
            seed: 0,
        }
    }

    /// The decide stage's policy (when to ask, how much answer to send).
    pub fn policy(&self) -> JudgePolicy {
        JudgePolicy {
            threshold: self.threshold,
            max_answer_bytes: self.max_answer_bytes,
        }
    }

    /// Every problem, each naming its field.
    pub fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.model.trim().is_empty() {
            errors.push("monitor.judge.model: must name a model an upstream serves".to_owned());
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            errors.push("monitor.judge.threshold: must be within 0..=1".to_owned());
        }
        if !(0.0..=1.0).contains(&self.tag_sample_rate) {
            errors.push("monitor.judge.tag_sample_rate: must be within 0..=1".to_owned());
        }
        if self.max_calls_per_minute == 0 {
            errors.push("monitor.judge.max_calls_per_minute: must be at least 1".to_owned());
        }
        if self.timeout_ms == 0 {
            errors.push("monitor.judge.timeout_ms: must be at least 1".to_owned());
        }
        if self.max_answer_bytes < 256 {
            errors.push("monitor.judge.max_answer_bytes: at least 256".to_owned());
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_validation() {
        let cfg: JudgeConfig = toml::from_str("model = \"m\"").unwrap();
        assert_eq!(cfg, JudgeConfig::for_model("m"));
        assert!(cfg.validate().is_empty());
        assert!(toml::from_str::<JudgeConfig>("model = \"m\"\nrate = 1").is_err());
        let bad = JudgeConfig {
            model: " ".into(),
            threshold: 1.5,
            tag_sample_rate: -0.1,
            max_calls_per_minute: 0,
            timeout_ms: 0,
            max_answer_bytes: 10,
            ..JudgeConfig::for_model("m")
        };
        assert_eq!(bad.validate().len(), 6);
    }
}
