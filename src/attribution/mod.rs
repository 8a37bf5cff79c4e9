//! The paper's statistics as pure functions (no I/O): the value-attribution GLM, value
//! profiles, Jensen-Shannon divergence, decision entropy, likelihood-ratio test, bootstrap and
//! the physician reference range.
//!
//! Flow: per-case choice counts ([`dataset`]) -> [`rows`] -> [`glm`] coefficients beta ->
//! [`softmax_profile`] -> [`jsd`] against the physician consensus -> [`audit`] (with
//! [`resample`] for intervals and the reference range).

pub mod audit;
pub mod dataset;
mod divergence;
pub mod glm;
mod linalg;
pub mod lrt;
pub mod report;
pub mod resample;
pub mod rows;
pub mod summary;

pub use audit::{run_audit, Audit, AuditConfig, MakerAudit, MakerKind, CONSENSUS_ID};
pub use dataset::AuditData;
pub use divergence::{entropy_bits, jsd, softmax_profile};
pub use glm::{fit_glm, FitStatus, GlmFit, GlmRow};
pub use lrt::{lrt_uniform, LikelihoodRatio};
pub use rows::{rows_from_counts, rows_per_case, PatternCounts};

/// The paper's softmax temperature for value profiles.
pub const PAPER_TEMPERATURE: f64 = 0.262;

#[cfg(test)]
mod glm_tests;
