//! Reads every segment back, in order, skipping what a crash can leave behind: a last line
//! without its newline (torn write) or a line that is not a valid event. A decision recorded
//! before the judge answered (a pending line) is replaced by its judged line when that came,
//! so each decision is read once.

use super::event::DecisionEvent;
use super::segment::list_segments;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::path::Path;

/// The events of a log directory and what had to be skipped to read them.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// One per decision, in log order; a judged line sits where its pending line was.
    pub events: Vec<DecisionEvent>,
    pub segments: usize,
    /// Final lines cut short by a crash (no trailing newline).
    pub torn_lines: u64,
    /// Complete lines that did not parse as an event.
    pub invalid_lines: u64,
    /// Pending lines replaced by their judged line.
    pub judged_lines: u64,
    /// Pending lines, by (request id, member), whose judged line has not been read (yet):
    /// indexes into `events`, oldest first.
    pending: HashMap<(String, String), VecDeque<usize>>,
}

impl ReadReport {
    /// Pending decisions whose judged line never came (the judge's verdict was lost, e.g. by a
    /// crash): they count with the parser's reading.
    pub fn judge_verdicts_missing(&self) -> u64 {
        self.pending.values().map(|q| q.len() as u64).sum()
    }

    fn push(&mut self, event: DecisionEvent) {
        if event.judge_pending() {
            self.pending
                .entry(event.judge_key())
                .or_default()
                .push_back(self.events.len());
            self.events.push(event);
            return;
        }
        // A judged event takes the place of the pending line it follows up, if any.
        if event.judge.is_some() {
            let key = event.judge_key();
            if let Some(queue) = self.pending.get_mut(&key) {
                if let Some(index) = queue.pop_front() {
                    if queue.is_empty() {
                        self.pending.remove(&key);
                    }
                    if let Some(slot) = self.events.get_mut(index) {
                        *slot = event;
                        self.judged_lines += 1;
                        return;
                    }
                }
            }
        }
        self.events.push(event);
    }
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
            Ok(event) => report.push(event),
            Err(_) => report.invalid_lines += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::log::JudgeNote;
    use crate::monitor::stats::tests::tagged_event;
    use crate::values::Choice;
    use proptest::prelude::*;

    fn line(event: &DecisionEvent) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(event).unwrap();
        bytes.push(b'\n');
        bytes
    }

    /// A pending line for request `id`, and its judged line (the judge changed the reading).
    fn pair(id: &str) -> (DecisionEvent, DecisionEvent) {
        let mut pending = tagged_event("m", 5, "case-1", Choice::Choice1);
        pending.request_id = id.into();
        pending.judge = Some(JudgeNote::pending("judge"));
        let mut judged = pending.clone();
        judged.decision = Choice::Choice2;
        judged.judge = Some(JudgeNote {
            pending: false,
            ..JudgeNote::pending("judge")
        });
        (pending, judged)
    }

    #[test]
    fn a_judged_line_replaces_its_pending_line_across_segments() {
        let (p1, j1) = pair("r1");
        let (p2, _) = pair("r2");
        let plain = tagged_event("m", 6, "case-2", Choice::Choice1);
        let mut report = ReadReport::default();
        // Segment one ends with both pending lines; the judged line of r1 is in segment two.
        read_segment(&[line(&p1), line(&plain), line(&p2)].concat(), &mut report);
        assert_eq!(report.judge_verdicts_missing(), 2);
        read_segment(&line(&j1), &mut report);
        // r1 once, judged, in its place; r2 with the parser's reading (verdict lost).
        assert_eq!(report.events, vec![j1.clone(), plain, p2]);
        assert_eq!(
            (report.judged_lines, report.judge_verdicts_missing()),
            (1, 1)
        );
        // A judged line whose pending line is gone (e.g. retention) still counts once.
        let mut alone = ReadReport::default();
        read_segment(&line(&j1), &mut alone);
        assert_eq!(alone.events, vec![j1]);
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut report = ReadReport::default();
            read_segment(&bytes, &mut report);
            prop_assert!(report.torn_lines <= 1);
        }
    }
}
