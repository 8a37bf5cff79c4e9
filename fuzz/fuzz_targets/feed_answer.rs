//! Fuzz the monitor feed's answer reader (JSON completion bodies and SSE streams).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::route::feed::answer;

fuzz_target!(|data: &[u8]| {
    let _ = answer::read(data, true);
    let _ = answer::read(data, false);
});
