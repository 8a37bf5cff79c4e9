//! The paper's statistics as pure functions (no I/O): the value-attribution GLM, value
//! profiles, Jensen-Shannon divergence, decision entropy, likelihood-ratio test.
//!
//! Flow: per-case choice counts -> [`rows`] -> [`glm`] coefficients beta -> [`softmax_profile`]
//! -> [`jsd`] against the physician consensus.

mod divergence;
pub mod glm;
mod linalg;
pub mod lrt;
pub mod rows;

pub use divergence::{entropy_bits, jsd, softmax_profile};
pub use glm::{fit_glm, FitStatus, GlmFit, GlmRow};
pub use lrt::{lrt_uniform, LikelihoodRatio};
pub use rows::{rows_from_counts, rows_per_case, PatternCounts};

/// The paper's softmax temperature for value profiles.
pub const PAPER_TEMPERATURE: f64 = 0.262;

#[cfg(test)]
mod glm_tests;
