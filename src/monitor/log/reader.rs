//! Reads every segment back, in order, skipping what a crash can leave behind: a last line
//! without its newline (torn write) or a line that is not a valid event.

use super::event::DecisionEvent;
use super::segment::list_segments;
use std::io;
use std::path::Path;

/// The events of a log directory and what had to be skipped to read them.
#[derive(Debug, Default)]
pub struct ReadReport {
    pub events: Vec<DecisionEvent>,
    pub segments: usize,
    /// Final lines cut short by a crash (no trailing newline).
    pub torn_lines: u64,
    /// Complete lines that did not parse as an event.
    pub invalid_lines: u64,
}

/// Reads all segments of `dir`, oldest first.
pub fn read_dir(dir: &Path) -> io::Result<ReadReport> {
    let mut report = ReadReport::default();
    for segment in list_segments(dir)? {
        let bytes = std::fs::read(&segment.path)?;
        report.segments += 1;
        read_segment(&bytes, &mut report);
    }
    Ok(report)
}

/// Reads one segment's bytes into `report`: complete event lines are kept, the rest counted.
/// Public as the fuzzing entry (`fuzz/fuzz_targets/decision_log.rs`); [`read_dir`] is the API.
pub fn read_segment(bytes: &[u8], report: &mut ReadReport) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            // A line without its newline is an interrupted write: the writer always ends a line
            // before acknowledging it, so nothing acknowledged is lost by skipping it.
            report.torn_lines += 1;
            break;
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<DecisionEvent>(line) {
            Ok(event) => report.events.push(event),
            Err(_) => report.invalid_lines += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut report = ReadReport::default();
            read_segment(&bytes, &mut report);
            prop_assert!(report.torn_lines <= 1);
        }
    }
}
