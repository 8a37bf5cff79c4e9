use super::*;
use crate::monitor::log::{read_dir, FsyncPolicy, OptionTags, ValueTags};
use crate::values::{Alignment, Choice};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

fn config(dir: &std::path::Path) -> LogConfig {
    LogConfig {
        data_dir: dir.to_path_buf(),
        ..LogConfig::default()
    }
}

fn event(i: u64) -> DecisionEvent {
    DecisionEvent {
        time_ms: 1_700_000_000_000 + i,
        request_id: format!("req-{i}"),
        conversation: Some("c0ffee".to_owned()),
        tenant: Some("ward-a".to_owned()),
        ensemble: Some("pluralis-ensemble".to_owned()),
        member: "sim/a".to_owned(),
        route_mode: "distributional".to_owned(),
        persona: None,
        dilemma_score: 0.9,
        case_key: "vh:0011".to_owned(),
        options: Some(OptionTags {
            choice_1: ValueTags::from_fn(|_| Alignment::Promotes),
            choice_2: ValueTags::from_fn(|_| Alignment::Neutral),
        }),
        option_texts: Some(["do x".to_owned(), "do y".to_owned()]),
        decision: Choice::Choice1,
        confidence: 0.8,
        values_discussed: vec![],
        presents_both: false,
        latency_ms: 12,
        prompt_text: Some("patient text".to_owned()),
        answer_text: Some("answer text".to_owned()),
        judge: None,
    }
}

fn ids(dir: &std::path::Path) -> Vec<String> {
    read_dir(dir)
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.request_id)
        .collect()
}

#[tokio::test]
async fn events_round_trip_in_order_without_text_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let log = DecisionLog::open(&config(dir.path())).unwrap();
    for i in 0..5 {
        log.append(event(i)).await.unwrap();
    }
    log.flush().await.unwrap();
    log.close();
    let report = read_dir(dir.path()).unwrap();
    assert_eq!(report.events.len(), 5);
    assert_eq!(report.events[3].request_id, "req-3");
    assert!(report
        .events
        .iter()
        .all(|e| e.prompt_text.is_none() && e.answer_text.is_none() && e.option_texts.is_none()));
    let raw = std::fs::read_to_string(&list_segments(dir.path()).unwrap()[0].path).unwrap();
    assert!(!raw.contains("patient text") && !raw.contains("do x"));
}

#[tokio::test]
async fn text_is_kept_only_when_opted_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.include_option_text = true;
    let log = DecisionLog::open(&cfg).unwrap();
    log.append_durable(event(0)).await.unwrap();
    log.close();
    let e = &read_dir(dir.path()).unwrap().events[0];
    assert_eq!(e.option_texts.as_ref().unwrap()[0], "do x");
    assert!(e.prompt_text.is_none());
}

#[tokio::test]
async fn torn_last_line_is_skipped_and_earlier_events_survive() {
    let dir = tempfile::tempdir().unwrap();
    let log = DecisionLog::open(&config(dir.path())).unwrap();
    for i in 0..3 {
        log.append_durable(event(i)).await.unwrap();
    }
    log.close();
    let seg = &list_segments(dir.path()).unwrap()[0].path;
    let full = serde_json::to_string(&event(99)).unwrap();
    let mut f = OpenOptions::new().append(true).open(seg).unwrap();
    f.write_all(&full.as_bytes()[..full.len() / 2]).unwrap();
    drop(f);
    let report = read_dir(dir.path()).unwrap();
    assert_eq!(report.events.len(), 3);
    assert_eq!(report.torn_lines, 1);

    // A restart writes to a new segment, never after the torn bytes.
    let log = DecisionLog::open(&config(dir.path())).unwrap();
    log.append_durable(event(3)).await.unwrap();
    log.close();
    assert_eq!(ids(dir.path()), ["req-0", "req-1", "req-2", "req-3"]);
    assert_eq!(read_dir(dir.path()).unwrap().torn_lines, 1);
}

#[tokio::test]
async fn segments_rotate_by_size_and_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.segment_max_bytes = 1024;
    let log = DecisionLog::open(&cfg).unwrap();
    for i in 0..40 {
        log.append(event(i)).await.unwrap();
    }
    log.flush().await.unwrap();
    log.close();
    let segments = list_segments(dir.path()).unwrap();
    assert!(segments.len() >= 5, "only {} segments", segments.len());
    for s in &segments {
        assert!(std::fs::metadata(&s.path).unwrap().len() <= 1024);
    }
    let expected: Vec<String> = (0..40).map(|i| format!("req-{i}")).collect();
    assert_eq!(ids(dir.path()), expected);
}

#[tokio::test]
async fn retention_deletes_old_closed_segments_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.retention_hours = 1;
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    let age = |path: &std::path::Path| {
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap()
    };
    let log = DecisionLog::open(&cfg).unwrap();
    log.append_durable(event(0)).await.unwrap();
    let first = list_segments(dir.path()).unwrap()[0].path.clone();
    // Old but still being written to: the active segment is never deleted.
    age(&first);
    log.apply_retention_now().await.unwrap();
    assert!(first.exists());
    log.close();

    // Once closed, the next sweep (the one at start) deletes it for real.
    let log = DecisionLog::open(&cfg).unwrap();
    log.append_durable(event(1)).await.unwrap();
    assert!(!first.exists(), "old segment still on disk");
    assert_eq!(log.counters().segments_deleted.load(Ordering::Relaxed), 1);
    log.close();
    assert_eq!(ids(dir.path()), ["req-1"]);
}

#[tokio::test]
async fn restart_rebuilds_from_all_previous_segments() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3u64 {
        let log = DecisionLog::open(&config(dir.path())).unwrap();
        for i in 0..4 {
            log.append_durable(event(round * 10 + i)).await.unwrap();
        }
        log.close();
    }
    let report = read_dir(dir.path()).unwrap();
    assert_eq!(report.segments, 3);
    assert_eq!(report.events.len(), 12);
    assert_eq!(report.events[11].request_id, "req-23");
}

#[tokio::test]
async fn shed_mode_counts_overflow_and_never_waits() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.queue_capacity = 3;
    let log = DecisionLog::open_paused(&cfg).unwrap();
    let started = Instant::now();
    let mut dropped = 0;
    for i in 0..10 {
        if log.append(event(i)).await == Err(AppendError::Dropped) {
            dropped += 1;
        }
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(dropped, 7);
    assert_eq!(log.counters().dropped.load(Ordering::Relaxed), 7);
    assert_eq!(log.queue_depth(), 3);
    assert_eq!(log.try_append(event(11)), Err(AppendError::Dropped));
    assert_eq!(log.counters().dropped.load(Ordering::Relaxed), 8);
}

#[tokio::test]
async fn backpressure_mode_waits_instead_of_dropping() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.queue_capacity = 2;
    cfg.overflow = OverflowPolicy::Backpressure;
    let log = DecisionLog::open_paused(&cfg).unwrap();
    log.append(event(0)).await.unwrap();
    log.append(event(1)).await.unwrap();
    let third = tokio::time::timeout(Duration::from_millis(100), log.append(event(2))).await;
    assert!(third.is_err(), "third append should wait for room");
    assert_eq!(log.counters().dropped.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn per_event_fsync_acknowledged_events_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let log = DecisionLog::open(&config(dir.path())).unwrap();
    for i in 0..20 {
        log.append_durable(event(i)).await.unwrap();
    }
    assert!(log.counters().fsyncs.load(Ordering::Relaxed) >= 1);
    // Simulate a crash: no close, no flush, the writer is abandoned as it is.
    std::mem::forget(log);
    assert_eq!(ids(dir.path()).len(), 20);
}

#[tokio::test]
async fn interval_fsync_syncs_within_the_interval_without_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.fsync = FsyncPolicy::IntervalMs(20);
    let log = DecisionLog::open(&cfg).unwrap();
    log.append(event(0)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.counters().fsyncs.load(Ordering::Relaxed) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(log.counters().fsyncs.load(Ordering::Relaxed), 1);
    std::mem::forget(log);
    assert_eq!(ids(dir.path()), ["req-0"]);
}

#[test]
fn invalid_config_names_every_field() {
    let cfg = LogConfig {
        queue_capacity: 0,
        segment_max_bytes: 1,
        ..LogConfig::default()
    };
    let errors = cfg.validate().unwrap_err();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].contains("queue_capacity"));
}

#[tokio::test]
async fn concurrent_durable_appends_share_fsyncs() {
    let dir = tempfile::tempdir().unwrap();
    let log = DecisionLog::open(&config(dir.path())).unwrap();
    let appends = (0..200).map(|i| log.append_durable(event(i)));
    for result in futures_util::future::join_all(appends).await {
        result.unwrap();
    }
    // Group commit: events queued while an fsync runs are covered by the next one.
    let fsyncs = log.counters().fsyncs.load(Ordering::Relaxed);
    assert!(
        (1..=100).contains(&fsyncs),
        "{fsyncs} fsyncs for 200 events"
    );
    std::mem::forget(log);
    assert_eq!(ids(dir.path()).len(), 200);
}
