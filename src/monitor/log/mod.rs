//! The decision log: one JSON line per dilemma decision, appended to size-rotated segments
//! under the data directory by a dedicated writer thread fed through a bounded queue.
//!
//! Durability contract: with [`FsyncPolicy::PerEvent`] an event acknowledged by
//! [`DecisionLog::append_durable`] is on disk; with [`FsyncPolicy::IntervalMs`] a crash of the
//! machine loses at most that many milliseconds (a killed process loses nothing already written,
//! the bytes are in the kernel). A torn last line never hides earlier events: readers skip it.

mod config;
mod event;
mod reader;
mod segment;
mod writer;
mod writer_thread;

pub use config::{FsyncPolicy, LogConfig, OverflowPolicy};
pub use event::{
    case_key_for_vignette, hash_conversation, DecisionEvent, JudgeNote, JudgeReview, OptionTags,
    ValueTags,
};
pub use reader::{read_dir, read_segment, ReadReport};
pub use segment::{list_segments, Segment};
pub use writer::{AppendError, DecisionLog, LogCounters};
