//! The live attribution monitor: every dilemma decision is appended to a durable log
//! (`log`), folded into bounded sufficient statistics (`stats`), refitted into value profiles
//! and compared with the physician reference and each member's baseline (`online`, `drift`),
//! exported to Prometheus (`metrics`) and shown on the `/monitor` page (`dashboard`).

pub mod log;
pub mod online;
pub mod stats;
