//! Segment files: `decisions-<seq>.jsonl`, numbered in write order; listing and retention.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const PREFIX: &str = "decisions-";
const SUFFIX: &str = ".jsonl";

/// One segment file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub seq: u64,
    pub path: PathBuf,
}

pub(crate) fn segment_path(dir: &Path, seq: u64) -> PathBuf {
    // Zero-padded so a plain `ls` lists segments in write order too.
    dir.join(format!("{PREFIX}{seq:010}{SUFFIX}"))
}

fn parse_seq(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?
        .strip_suffix(SUFFIX)?
        .parse()
        .ok()
}

/// Every segment in `dir`, in write order. A missing directory has none.
pub fn list_segments(dir: &Path) -> io::Result<Vec<Segment>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut segments = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if let Some(seq) = name.to_str().and_then(parse_seq) {
            segments.push(Segment {
                seq,
                path: entry.path(),
            });
        }
    }
    segments.sort_by_key(|s| s.seq);
    Ok(segments)
}

/// Deletes closed segments (every one but `active_seq`) last modified more than `max_age`
/// before `now`. Returns how many were deleted.
pub(crate) fn apply_retention(
    dir: &Path,
    active_seq: Option<u64>,
    max_age: Duration,
    now: SystemTime,
) -> io::Result<u64> {
    let mut deleted = 0;
    for segment in list_segments(dir)? {
        if Some(segment.seq) == active_seq {
            continue;
        }
        let modified = std::fs::metadata(&segment.path)?.modified()?;
        let age = now.duration_since(modified).unwrap_or(Duration::ZERO);
        if age > max_age {
            std::fs::remove_file(&segment.path)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
