#![forbid(unsafe_code)]
//! pluralis: an OpenAI-compatible proxy with a pluralism guardrail for clinical AI.
//!
//! The folders follow the request path (see README "Architecture"):
//! `server` (listener, auth, limits, errors) -> `detect` (is this a dilemma) -> `route`
//! (ensemble modes) -> `upstream` (provider clients, retries, breaker) -> `decide` (which option
//! did the answer recommend) -> `monitor` (decision log, online attribution, drift).
//! `attribution` holds the paper's statistics as pure functions; `valuebench` reads the
//! benchmark's folder format; `values` names the four principles.

pub mod attribution;
pub mod body;
pub mod cli;
pub mod config;
pub mod decide;
pub mod demo;
pub mod detect;
pub mod error;
pub mod metrics;
pub mod monitor;
pub mod route;
pub mod server;
pub mod state;
pub mod upstream;
pub mod valuebench;
pub mod values;
