//! The decision log's writer thread: the one place that touches segment files. Group commit:
//! whatever is queued when the writer wakes is encoded into one buffer, written with one
//! `write` per segment and covered by one fsync; under an interval fsync policy the writer
//! also lets a burst gather for a moment before it takes the batch. It rotates segments by
//! size and deletes closed ones by age. Callers reach it only through the queue of
//! [`super::writer::DecisionLog`], which lives apart so the caller side reads on its own.

use super::config::{FsyncPolicy, LogConfig};
use super::event::DecisionEvent;
use super::segment::{apply_retention, segment_path};
use super::writer::{Ack, AppendError, LogCounters, Msg};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Semaphore;

/// How often closed segments are checked against the retention age.
const RETENTION_CHECK_EVERY: Duration = Duration::from_secs(60);
/// Events written per fsync at most, so one fsync never waits behind an unbounded batch.
const MAX_BATCH: usize = 1024;
/// Under an interval fsync policy, how long the writer lets events gather after the first one
/// wakes it (at most a fifth of the interval): fewer wake-ups and writes per event, while no
/// caller waits for the disk.
const GATHER: Duration = Duration::from_millis(10);

pub(super) struct Writer {
    config: LogConfig,
    rx: mpsc::Receiver<Msg>,
    permits: Arc<Semaphore>,
    counters: Arc<LogCounters>,
    seq: u64,
    file: Option<File>,
    size: u64,
    /// When the oldest unsynced byte was written.
    dirty_since: Option<Instant>,
    last_retention: Instant,
    /// The batch's encoded lines, reused batch after batch, and where each line ends in it.
    buf: Vec<u8>,
    line_ends: Vec<usize>,
}

impl Writer {
    /// A writer that starts on segment `seq` (a new one: never a segment a crash may have torn).
    pub(super) fn new(
        config: LogConfig,
        rx: mpsc::Receiver<Msg>,
        permits: Arc<Semaphore>,
        counters: Arc<LogCounters>,
        seq: u64,
    ) -> Writer {
        Writer {
            config,
            rx,
            permits,
            counters,
            seq,
            file: None,
            size: 0,
            dirty_since: None,
            last_retention: Instant::now(),
            buf: Vec::new(),
            line_ends: Vec::new(),
        }
    }

    /// Handles batches until every handle is gone, then makes what it wrote durable.
    pub(super) fn run(&mut self) {
        let _span = tracing::info_span!("decision_log_writer").entered();
        self.retention();
        loop {
            let first = match self.rx.recv_timeout(self.wait_time()) {
                Ok(msg) => Some(msg),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            if let (Some(Msg::Event(..)), FsyncPolicy::IntervalMs(ms)) = (&first, self.config.fsync)
            {
                std::thread::sleep(GATHER.min(Duration::from_millis(ms / 5)));
            }
            let mut batch: Vec<Msg> = first.into_iter().collect();
            while batch.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(_) => break,
                }
            }
            self.handle(batch);
            if self.last_retention.elapsed() >= RETENTION_CHECK_EVERY {
                self.retention();
            }
        }
        // Channel closed: everything enqueued was handled above; make it durable.
        if let Err(err) = self.sync() {
            tracing::error!(error = %err, "decision log final fsync failed");
        }
    }

    fn wait_time(&self) -> Duration {
        let until_retention = RETENTION_CHECK_EVERY.saturating_sub(self.last_retention.elapsed());
        match (self.config.fsync, self.dirty_since) {
            (FsyncPolicy::IntervalMs(ms), Some(since)) => Duration::from_millis(ms)
                .saturating_sub(since.elapsed())
                .min(until_retention),
            _ => until_retention,
        }
    }

    fn handle(&mut self, batch: Vec<Msg>) {
        let mut acks = Vec::new();
        // The acks of the encoded lines not yet written, line by line.
        let mut line_acks: Vec<Option<Ack>> = Vec::new();
        let mut sync_requested = false;
        for msg in batch {
            match msg {
                Msg::Event(mut event, ack) => {
                    self.permits.add_permits(1);
                    event.redact(
                        self.config.include_option_text,
                        self.config.include_prompt_text,
                    );
                    if self.encode(&event) {
                        line_acks.push(ack);
                    } else {
                        self.counters.write_errors.fetch_add(1, Ordering::Relaxed);
                        acks.extend(ack.map(|ack| (ack, false)));
                    }
                }
                Msg::Flush(ack) => {
                    sync_requested = true;
                    acks.push((ack, true));
                }
                Msg::RetentionNow(ack) => {
                    self.write_encoded(&mut line_acks, &mut acks);
                    self.retention();
                    let _ = ack.send(Ok(()));
                }
            }
        }
        self.write_encoded(&mut line_acks, &mut acks);
        let due = match self.config.fsync {
            FsyncPolicy::PerEvent => true,
            FsyncPolicy::IntervalMs(ms) => self
                .dirty_since
                .is_some_and(|since| since.elapsed() >= Duration::from_millis(ms)),
        };
        let mut sync_ok = true;
        if due || sync_requested {
            if let Err(err) = self.sync() {
                tracing::error!(error = %err, "decision log fsync failed");
                sync_ok = false;
            }
        }
        // Under per_event nothing is acknowledged before its fsync returned.
        for (ack, ok) in acks {
            let result = if ok && sync_ok {
                Ok(())
            } else {
                Err(AppendError::WriteFailed)
            };
            let _ = ack.send(result);
        }
    }

    /// Appends the event's JSON line to the batch buffer.
    fn encode(&mut self, event: &DecisionEvent) -> bool {
        let start = self.buf.len();
        if let Err(err) = serde_json::to_writer(&mut self.buf, event) {
            tracing::error!(error = %err, "decision event did not serialise");
            self.buf.truncate(start);
            return false;
        }
        self.buf.push(b'\n');
        self.line_ends.push(self.buf.len());
        true
    }

    /// Writes the encoded lines, as few `write` calls as the segment size allows, and moves
    /// each line's ack, with whether its line was written, to `acks`.
    fn write_encoded(&mut self, line_acks: &mut Vec<Option<Ack>>, acks: &mut Vec<(Ack, bool)>) {
        let buf = std::mem::take(&mut self.buf);
        let ends = std::mem::take(&mut self.line_ends);
        let mut written = vec![false; ends.len()];
        // The lines [group_line..i) starting at byte group_start are not written yet.
        let (mut group_line, mut group_start, mut line_start) = (0, 0, 0);
        for (i, &end) in ends.iter().enumerate() {
            let in_segment = if self.file.is_some() { self.size } else { 0 };
            let group = (line_start - group_start) as u64;
            if group > 0
                && in_segment + group + (end - line_start) as u64 > self.config.segment_max_bytes
            {
                let ok = self.write_lines(&buf[group_start..line_start]);
                written[group_line..i].fill(ok);
                (group_line, group_start) = (i, line_start);
            }
            line_start = end;
        }
        if group_start < line_start {
            let ok = self.write_lines(&buf[group_start..line_start]);
            written[group_line..].fill(ok);
        }
        for (ack, ok) in line_acks.drain(..).zip(written) {
            let counter = if ok {
                &self.counters.written
            } else {
                &self.counters.write_errors
            };
            counter.fetch_add(1, Ordering::Relaxed);
            acks.extend(ack.map(|ack| (ack, ok)));
        }
        self.buf = buf;
        self.buf.clear();
        self.line_ends = ends;
        self.line_ends.clear();
    }

    fn write_lines(&mut self, lines: &[u8]) -> bool {
        match self.write_line(lines) {
            Ok(()) => true,
            Err(err) => {
                tracing::error!(error = %err, "decision log write failed");
                // Start a fresh segment next time rather than append after a partial line.
                self.file = None;
                false
            }
        }
    }

    /// Appends whole lines to the current segment, rotating first when they would not fit.
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        if self.file.is_some()
            && self.size > 0
            && self.size + line.len() as u64 > self.config.segment_max_bytes
        {
            self.sync()?;
            self.file = None;
        }
        if self.file.is_none() {
            self.open_next()?;
        }
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("no segment"))?;
        // Appends only, whole lines: a crash can tear only the last line being written.
        file.write_all(line)?;
        self.size += line.len() as u64;
        self.dirty_since.get_or_insert_with(Instant::now);
        Ok(())
    }

    fn open_next(&mut self) -> io::Result<()> {
        // create_new never reuses a segment; if another writer took this number, take the next.
        let file = loop {
            let path: PathBuf = segment_path(&self.config.data_dir, self.seq);
            match OpenOptions::new().create_new(true).append(true).open(&path) {
                Ok(file) => break file,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => self.seq += 1,
                Err(err) => return Err(err),
            }
        };
        // Make the new directory entry itself durable.
        if let Ok(dir) = File::open(&self.config.data_dir) {
            let _ = dir.sync_all();
        }
        self.seq += 1;
        self.file = Some(file);
        self.size = 0;
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.dirty_since.is_none() {
            return Ok(());
        }
        if let Some(file) = &self.file {
            file.sync_data()?;
            self.counters.fsyncs.fetch_add(1, Ordering::Relaxed);
        }
        self.dirty_since = None;
        Ok(())
    }

    fn retention(&mut self) {
        self.last_retention = Instant::now();
        if self.config.retention_hours == 0 {
            return;
        }
        let active = self.file.as_ref().map(|_| self.seq - 1);
        let max_age = Duration::from_secs(self.config.retention_hours * 3600);
        match apply_retention(&self.config.data_dir, active, max_age, SystemTime::now()) {
            Ok(deleted) => {
                if deleted > 0 {
                    tracing::info!(deleted, "decision log segments past retention deleted");
                }
                self.counters
                    .segments_deleted
                    .fetch_add(deleted, Ordering::Relaxed);
            }
            Err(err) => tracing::error!(error = %err, "decision log retention sweep failed"),
        }
    }
}
