//! Fuzz the decision-log segment reader on torn and corrupt bytes: it never panics, at most the
//! last line is torn, and every event it keeps writes back as a line it reads again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::monitor::log::{read_segment, ReadReport};

fuzz_target!(|data: &[u8]| {
    let mut report = ReadReport::default();
    read_segment(data, &mut report);
    assert!(report.torn_lines <= 1);
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(report.events.len() as u64 + report.invalid_lines <= lines);

    let mut written = Vec::new();
    for event in &report.events {
        written.extend_from_slice(&serde_json::to_vec(event).expect("an event serialises"));
        written.push(b'\n');
    }
    let mut again = ReadReport::default();
    read_segment(&written, &mut again);
    assert_eq!(again.invalid_lines, 0);
    assert_eq!(again.events, report.events);
});
