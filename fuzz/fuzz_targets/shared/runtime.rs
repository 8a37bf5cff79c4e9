//! The tokio runtime of a fuzz target that drives bodies or timers: one per process, since
//! building one per input would dominate the run. Include it with
//! `#[path = "shared/runtime.rs"] mod runtime;`.

use std::sync::OnceLock;

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    })
}
