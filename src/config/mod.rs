//! The policy file: plain, validated data (TOML). Runtime state built from it (clients, breakers,
//! metrics) lives in `server::state`, never here.
//!
//! Loading happens in two steps: `toml` deserialises (unknown fields are rejected, the first
//! syntax or type error is reported with its location), then [`Policy::validate`] checks every
//! cross-field rule and reports all failures at once, each naming its field.

mod detector;
mod sim;
mod tenants;
mod validate;

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use detector::DetectorConfig;
pub use sim::{SimAgentConfig, ValueWeights};
pub use tenants::{
    tenant_name_problem, TenantKeyConfig, TenantsConfig, DEFAULT_TENANT_HEADER, MAX_TENANTS,
    OTHER_TENANT,
};
pub use validate::FieldError;

/// Default listen address: loopback only, so a policy without `[auth]` is safe by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default request body limit: 1 MiB, ample for chat requests, small enough to bound memory.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// A whole policy file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Address the proxy listens on, `ip:port`. Default `127.0.0.1:8080`. `--listen` overrides it.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Providers the proxy forwards to, in priority order (`[[upstream]]` tables).
    #[serde(default, rename = "upstream")]
    pub upstreams: Vec<UpstreamConfig>,
    /// Client authentication. Required when `listen` is not a loopback address.
    #[serde(default)]
    pub auth: AuthConfig,
    /// Request limits.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Virtual models spreading dilemmas across member models (`[[ensemble]]` tables).
    #[serde(default, rename = "ensemble")]
    pub ensembles: Vec<crate::route::ensemble::EnsembleConfig>,
    /// The live attribution monitor (`[monitor]`, see README "Monitor"). Absent: no decision
    /// log, no `/monitor`.
    #[serde(default)]
    pub monitor: Option<crate::monitor::MonitorConfig>,
    /// The dilemma detector routing uses (`[detector]`). Default: the embedded trained weights.
    #[serde(default)]
    pub detector: DetectorConfig,
    /// Declared tenants and how a request names its own (`[tenants]`, see README "Monitor").
    /// Absent: events carry no tenant.
    #[serde(default)]
    pub tenants: Option<TenantsConfig>,
}

/// Which implementation serves an upstream. Adding a kind = one variant here plus one arm in
/// `upstream::build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpstreamKind {
    /// Any OpenAI-compatible HTTP API (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp, ...).
    Openai,
    /// Recorded real answers from a ValueBench-format folder (`dir`); no network.
    Replay,
    /// Simulated agents with known value weights (`agents`) answering two-option dilemmas by the
    /// attribution GLM; a ground truth for tests and the demo. No network.
    Sim,
}

/// One `[[upstream]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Unique name, used in logs, metrics labels and `fallback` lists. Required.
    pub name: String,
    /// Implementation. Required; `"openai"` for now.
    pub kind: UpstreamKind,
    /// Base URL including the API prefix, e.g. `https://api.openai.com/v1`. Required for
    /// `openai`. `http://` is allowed (loopback and internal endpoints).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Name of the environment variable holding the upstream's API key (sent as
    /// `Authorization: Bearer`). Optional; the key itself never appears in the file.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Kind `replay`: the ValueBench-format folder whose recorded answers are served. Required
    /// for `replay`.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// Kind `sim`: the simulated agents; each agent's name is a model this upstream serves.
    #[serde(default)]
    pub agents: Vec<SimAgentConfig>,
    /// Kind `sim`: a `cases.jsonl` of dilemmas the agents recognise. Default: the embedded
    /// project bench (policies/bench/cases.jsonl).
    #[serde(default)]
    pub cases: Option<PathBuf>,
    /// Kind `sim`: seed of the agents' choice draws (same seed, same answers). Default 0.
    #[serde(default)]
    pub seed: u64,
    /// Model names this upstream serves; a request's `model` picks the first upstream listing it.
    /// Required, except for kind `sim` where it defaults to the agents' names.
    #[serde(default)]
    pub models: Vec<String>,
    /// Per-attempt deadline for the upstream's response headers, and the longest allowed gap
    /// between two body chunks, in milliseconds. Default 60000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// TCP + TLS connect deadline in milliseconds. Default 5000.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Extra attempts after the first on connect errors, timeouts, 429 and 5xx. Default 2.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Base backoff before a retry, in milliseconds; doubles per attempt, full jitter. Default 100.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    /// Cap on one backoff sleep, in milliseconds. Default 2000.
    #[serde(default = "default_backoff_max_ms")]
    pub backoff_max_ms: u64,
    /// Consecutive failed requests (after retries) that open the circuit breaker; 0 disables
    /// the breaker. Default 5.
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// How long an open breaker rejects requests before letting one probe through, in
    /// milliseconds. Default 30000.
    #[serde(default = "default_breaker_open_ms")]
    pub breaker_open_ms: u64,
    /// Names of upstreams to try, in order, when this one fails or its breaker is open; only
    /// those that also serve the requested model are used. Default empty.
    #[serde(default)]
    pub fallback: Vec<String>,
    /// PEM file with extra CA certificates trusted for this upstream, on top of the webpki roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

/// `[auth]`: bearer keys clients must present (`Authorization: Bearer <key>`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Name of an environment variable holding accepted keys, comma-separated. Optional.
    #[serde(default)]
    pub keys_env: Option<String>,
    /// Accepted keys as lowercase hex SHA-256 digests of the key (`printf %s KEY | sha256sum`).
    #[serde(default)]
    pub key_sha256: Vec<String>,
}

impl AuthConfig {
    /// True when any key source is configured, i.e. requests must authenticate.
    pub fn enabled(&self) -> bool {
        self.keys_env.is_some() || !self.key_sha256.is_empty()
    }
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest accepted request body, in bytes; larger gets 413. Default 1048576 (1 MiB).
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// On SIGTERM/SIGINT, how long in-flight requests and streams may take to finish, in
    /// milliseconds, before the process exits anyway. Default 30000.
    #[serde(default = "default_shutdown_drain_ms")]
    pub shutdown_drain_ms: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            shutdown_drain_ms: default_shutdown_drain_ms(),
        }
    }
}

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("policy is not valid TOML for pluralis: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("policy has {} error(s):\n{}", .0.len(), validate::join(.0))]
    Invalid(Vec<FieldError>),
}

impl Policy {
    /// Parse and validate a policy from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        let mut policy: Policy = toml::from_str(text)?;
        policy.fill_defaults();
        policy.validate().map_err(PolicyError::Invalid)?;
        Ok(policy)
    }

    /// Read, parse and validate a policy file; `listen` replaces the file's address when given
    /// (validation, e.g. the auth rule for non-loopback addresses, sees the final address).
    pub fn load(path: &Path, listen: Option<SocketAddr>) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut policy: Policy = toml::from_str(&text)?;
        if let Some(addr) = listen {
            policy.listen = addr;
        }
        policy.fill_defaults();
        policy.validate().map_err(PolicyError::Invalid)?;
        Ok(policy)
    }

    /// Defaults that depend on other fields: a `sim` upstream without `models` serves its agents.
    fn fill_defaults(&mut self) {
        for upstream in &mut self.upstreams {
            if upstream.kind == UpstreamKind::Sim && upstream.models.is_empty() {
                upstream.models = upstream.agents.iter().map(|a| a.name.clone()).collect();
            }
        }
    }

    /// Every model name the policy exposes, in policy order, without duplicates.
    pub fn model_names(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.upstreams
            .iter()
            .flat_map(|u| u.models.iter())
            .filter(|m| seen.insert(m.as_str()))
            .map(String::as_str)
            .collect()
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_timeout_ms() -> u64 {
    60_000
}
fn default_connect_timeout_ms() -> u64 {
    5_000
}
fn default_retries() -> u32 {
    2
}
fn default_backoff_ms() -> u64 {
    100
}
fn default_backoff_max_ms() -> u64 {
    2_000
}
fn default_breaker_failures() -> u32 {
    5
}
fn default_breaker_open_ms() -> u64 {
    30_000
}
fn default_max_body_bytes() -> usize {
    DEFAULT_MAX_BODY_BYTES
}
fn default_shutdown_drain_ms() -> u64 {
    30_000
}
