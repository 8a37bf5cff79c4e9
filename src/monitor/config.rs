//! Monitor settings (`[monitor]` in a policy): plain data with defaults, validated in one pass.

use super::judge::JudgeConfig;
use super::log::LogConfig;
use super::online::DriftConfig;
use super::stats::{WindowName, DEFAULT_MAX_CASES};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuardrailConfig {
    /// Take members whose autonomy share is below every physician's out of dilemma routing.
    /// Default true (only acts when a physician reference is loaded).
    pub enabled: bool,
    /// Tagged decisions in `window` before the guardrail judges a member. Default 100.
    pub min_decisions: u64,
    /// Default `24h`.
    pub window: WindowName,
}

impl Default for GuardrailConfig {
    fn default() -> Self {
        GuardrailConfig {
            enabled: true,
            min_decisions: 100,
            window: WindowName::Day,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitorConfig {
    /// Default true.
    pub enabled: bool,
    pub log: LogConfig,
    /// How often profiles are refitted from the counts, milliseconds. Default 5000.
    pub refit_interval_ms: u64,
    /// Softmax temperature of value profiles. Default: the paper's 0.262.
    pub temperature: f64,
    /// Poisson bootstrap draws per profile for the intervals; 0 disables. Default 200.
    pub bootstrap_draws: usize,
    /// Seed of the bootstrap (reproducible intervals). Default 0.
    pub seed: u64,
    /// Distinct case keys tracked for per-case entropy. Default 20000.
    pub max_cases: usize,
    /// Physician reference (`pluralis attribute --format json` output). Default:
    /// `policies/reference/physicians.json` when it exists, else a ValueBench folder if present.
    pub reference_file: Option<PathBuf>,
    pub drift: DriftConfig,
    pub guardrail: GuardrailConfig,
    /// The optional judge model (`[monitor.judge]`); absent: no judge calls.
    pub judge: Option<JudgeConfig>,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            enabled: true,
            log: LogConfig::default(),
            refit_interval_ms: 5000,
            temperature: crate::attribution::PAPER_TEMPERATURE,
            bootstrap_draws: 200,
            seed: 0,
            max_cases: DEFAULT_MAX_CASES,
            reference_file: None,
            drift: DriftConfig::default(),
            guardrail: GuardrailConfig::default(),
            judge: None,
        }
    }
}

impl MonitorConfig {
    /// Every problem at once, each naming its field.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = self.log.validate().err().unwrap_or_default();
        errors.extend(self.drift.validate());
        if self.refit_interval_ms < 100 {
            errors.push("monitor.refit_interval_ms: must be at least 100".to_owned());
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            errors.push("monitor.temperature: must be a positive number".to_owned());
        }
        if self.bootstrap_draws > 10_000 {
            errors.push("monitor.bootstrap_draws: at most 10000".to_owned());
        }
        if self.guardrail.min_decisions == 0 {
            errors.push("monitor.guardrail.min_decisions: must be at least 1".to_owned());
        }
        if let Some(judge) = &self.judge {
            errors.extend(judge.validate());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partial_toml_and_rejects_unknown_fields() {
        let cfg: MonitorConfig = toml::from_str(
            "refit_interval_ms = 1000\n[log]\nfsync = { interval_ms = 50 }\n[drift]\nwindow = \"24h\"\n",
        )
        .unwrap();
        assert_eq!(cfg.refit_interval_ms, 1000);
        assert_eq!(
            cfg.log.fsync,
            crate::monitor::log::FsyncPolicy::IntervalMs(50)
        );
        assert_eq!(cfg.drift.window, WindowName::Day);
        assert!(cfg.validate().is_ok());
        assert!(toml::from_str::<MonitorConfig>("refit_interval = 1").is_err());
    }

    #[test]
    fn reports_every_error() {
        let mut cfg = MonitorConfig {
            refit_interval_ms: 1,
            temperature: 0.0,
            ..MonitorConfig::default()
        };
        cfg.log.queue_capacity = 0;
        assert_eq!(cfg.validate().unwrap_err().len(), 3);
    }
}
