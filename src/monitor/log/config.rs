//! Decision log settings: plain data, validated, with defaults (`[monitor.log]` in a policy).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// When the writer calls `fsync` on the active segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsyncPolicy {
    /// After every batch of events, before any of them is acknowledged (group commit).
    PerEvent,
    /// At most this many milliseconds after an event was written.
    IntervalMs(u64),
}

/// What happens when the bounded queue to the writer is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverflowPolicy {
    /// Drop the event and count it; the client's response never waits.
    Shed,
    /// The caller waits (asynchronously) for room in the queue.
    Backpressure,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Directory holding the `decisions-*.jsonl` segments. Default `./pluralis-data`.
    pub data_dir: PathBuf,
    /// Default `per_event`.
    pub fsync: FsyncPolicy,
    /// Events the queue to the writer holds before the overflow policy applies. Default 8192.
    pub queue_capacity: usize,
    /// Default `shed`.
    pub overflow: OverflowPolicy,
    /// A segment is closed and a new one opened past this size, in bytes. Default 64 MiB.
    pub segment_max_bytes: u64,
    /// Closed segments last modified longer ago than this are deleted, in hours. Default 720
    /// (30 days); 0 keeps everything.
    pub retention_hours: u64,
    /// Keep the two options' texts in events (patient data: off by default).
    pub include_option_text: bool,
    /// Keep prompt and answer text in events (patient data: off by default).
    pub include_prompt_text: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            data_dir: PathBuf::from("./pluralis-data"),
            fsync: FsyncPolicy::PerEvent,
            queue_capacity: 8192,
            overflow: OverflowPolicy::Shed,
            segment_max_bytes: 64 * 1024 * 1024,
            retention_hours: 720,
            include_option_text: false,
            include_prompt_text: false,
        }
    }
}

impl LogConfig {
    /// Every problem at once, each naming its field.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if self.queue_capacity == 0 {
            errors.push("monitor.log.queue_capacity: must be at least 1".to_owned());
        }
        if self.segment_max_bytes < 1024 {
            errors.push("monitor.log.segment_max_bytes: must be at least 1024".to_owned());
        }
        if self.fsync == FsyncPolicy::IntervalMs(0) {
            errors.push(
                "monitor.log.fsync: interval_ms must be at least 1 (or use per_event)".to_owned(),
            );
        }
        if self.data_dir.as_os_str().is_empty() {
            errors.push("monitor.log.data_dir: must not be empty".to_owned());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
