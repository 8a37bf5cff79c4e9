//! The live attribution monitor: every dilemma decision is appended to a durable log
//! (`log`), folded into bounded sufficient statistics (`stats`), refitted into value profiles
//! and compared with the physician reference and each member's baseline (`online`, `refit`),
//! exported to Prometheus (`metrics`) and shown on the `/monitor` page (`dashboard`).
//! `runtime::Monitor` ties them together; `state` is what it publishes. `judge` is the
//! optional judge model that re-reads unsure decisions and tags new dilemmas' options.

pub mod canary;
mod canary_probe;
pub mod canary_task;
pub mod config;
pub mod dashboard;
pub mod judge;
pub mod log;
pub mod metrics;
pub mod online;
pub mod refit;
pub mod runtime;
pub mod state;
pub mod stats;
pub mod tenant_metrics;
pub mod webhook;
pub mod worker;

pub use config::{CanaryConfig, GuardrailConfig, MonitorConfig, ProbeVariant};
pub use runtime::Monitor;
pub use state::MonitorState;
