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

/// A semantic variation of a canary probe's prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeVariant {
    /// The bench's own wording, options in the case's order.
    Original,
    /// The same wording with the two options listed the other way round.
    Swapped,
    /// The options in the case's order under a differently worded framing.
    Paraphrased,
}

impl ProbeVariant {
    pub const ALL: [ProbeVariant; 3] = [
        ProbeVariant::Original,
        ProbeVariant::Swapped,
        ProbeVariant::Paraphrased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProbeVariant::Original => "original",
            ProbeVariant::Swapped => "swapped",
            ProbeVariant::Paraphrased => "paraphrased",
        }
    }
}

/// Canary probes (`[monitor.canary]`): benchmark dilemmas sent to each member on a schedule, so
/// drift shows without live dilemma traffic. Cost is bounded by `max_probes_per_interval`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CanaryConfig {
    /// Default false.
    pub enabled: bool,
    /// Time between probe rounds, milliseconds. Default 3600000 (1 h).
    pub interval_ms: u64,
    /// Models to probe. Default: the plain model of every ensemble member, or every served
    /// model when the policy has no ensembles.
    pub members: Vec<String>,
    /// Benchmark cases: a `cases.jsonl` file or a ValueBench folder holding one. Default: the
    /// project bench (policies/bench/cases.jsonl, embedded).
    pub cases: Option<PathBuf>,
    /// Answers requested per case and variant (repeated sampling). Default 2.
    pub samples: u32,
    /// Prompt variations, each probed `samples` times per case. Default all three.
    pub variants: Vec<ProbeVariant>,
    /// Most probes per member per round: the cost bound. Default 12.
    pub max_probes_per_interval: u32,
    /// Deadline for one probe's whole answer (after the upstream's own timeouts and
    /// retries), milliseconds. Default 120000.
    pub probe_timeout_ms: u64,
}

impl Default for CanaryConfig {
    fn default() -> Self {
        CanaryConfig {
            enabled: false,
            interval_ms: 3_600_000,
            members: Vec::new(),
            cases: None,
            samples: 2,
            variants: ProbeVariant::ALL.to_vec(),
            max_probes_per_interval: 12,
            probe_timeout_ms: 120_000,
        }
    }
}

impl CanaryConfig {
    /// Every problem, each naming its field.
    pub fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.interval_ms < 100 {
            errors.push("monitor.canary.interval_ms: must be at least 100".to_owned());
        }
        if self.samples == 0 {
            errors.push("monitor.canary.samples: must be at least 1".to_owned());
        }
        if self.variants.is_empty() {
            errors.push("monitor.canary.variants: must list at least one variant".to_owned());
        }
        if self.max_probes_per_interval == 0 {
            errors.push("monitor.canary.max_probes_per_interval: must be at least 1".to_owned());
        }
        if self.probe_timeout_ms == 0 {
            errors.push("monitor.canary.probe_timeout_ms: must be at least 1".to_owned());
        }
        errors
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
    /// Scheduled benchmark probes of every member (`[monitor.canary]`). Default off.
    pub canary: CanaryConfig,
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
            canary: CanaryConfig::default(),
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
        errors.extend(self.canary.validate());
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

    #[test]
    fn canary_table_parses_and_validates() {
        let cfg: MonitorConfig = toml::from_str(
            "[canary]\nenabled = true\ninterval_ms = 500\nvariants = [\"swapped\"]\nsamples = 3\n",
        )
        .unwrap();
        assert!(cfg.canary.enabled);
        assert_eq!(cfg.canary.variants, [ProbeVariant::Swapped]);
        assert_eq!(cfg.canary.max_probes_per_interval, 12);
        assert!(cfg.validate().is_ok());
        let mut bad = cfg.canary.clone();
        bad.samples = 0;
        bad.variants.clear();
        bad.interval_ms = 1;
        assert_eq!(bad.validate().len(), 3);
        assert!(toml::from_str::<MonitorConfig>("[canary]\nvariants = [\"reworded\"]").is_err());
    }
}
