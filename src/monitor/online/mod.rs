//! Online attribution: value profiles refitted from the sufficient statistics, compared with the
//! physician reference and with each member's own baseline.

pub mod drift;
pub mod profile;
pub mod reference;

pub use drift::{AlertChange, DriftConfig, DriftTracker};
pub use profile::{estimate, ProfileEstimate};
pub use reference::Reference;
