//! Temporary home of the routing modules until `src/route/mod.rs` (proxy core) lands on main;
//! the files already live in `src/route/` and move under `route` unchanged.

#[path = "../route/calibrate.rs"]
pub mod calibrate;
#[path = "../route/ensemble.rs"]
pub mod ensemble;
#[path = "../route/mixture.rs"]
pub mod mixture;
#[path = "../upstream/replay_store.rs"]
pub mod replay_store;
#[path = "../route/steer.rs"]
pub mod steer;
#[path = "../route/sticky.rs"]
pub mod sticky;
#[path = "../upstream/synth.rs"]
pub mod synth;
