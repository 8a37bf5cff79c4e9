//! The judge model through a real upstream: a loopback mock plays the judge; the judge built
//! from a policy's `[monitor.judge]` re-reads a low-confidence decision and tags a new
//! dilemma's options, within its budget, and the monitor logs the judged event.

mod common;

use common::{mock, policy, Reply};
use pluralis::config::Policy;
use pluralis::metrics::Metrics;
use pluralis::monitor::judge::{Judge, JudgeTexts};
use pluralis::monitor::log::{case_key_for_vignette, read_dir, DecisionEvent};
use pluralis::monitor::{Monitor, MonitorConfig};
use pluralis::state::AppState;
use pluralis::values::{Choice, Value};
use std::sync::Arc;

const TAGS: &str = r#"{"choice_1": {"autonomy": "promotes", "beneficence": "violates", "nonmaleficence": "neutral", "justice": "neutral"}, "choice_2": {"autonomy": "violates", "beneficence": "promotes", "nonmaleficence": "neutral", "justice": "neutral"}}"#;

fn completion(content: &str) -> String {
    serde_json::json!({
        "id": "judge-1", "object": "chat.completion", "created": 1, "model": "judge-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    })
    .to_string()
}

/// The mock judge: "choice_2" to review prompts, fixed tags to tagging prompts.
async fn mock_judge() -> common::MockUpstream {
    mock(|_, got| {
        let body = String::from_utf8_lossy(&got.body);
        if body.contains("You label clinical answers") {
            Reply::Json(200, completion("choice_2"))
        } else if body.contains("You annotate clinical ethics dilemmas") {
            Reply::Json(200, completion(&format!("```json\n{TAGS}\n```")))
        } else {
            Reply::Json(400, "{}".into())
        }
    })
    .await
}

fn event(case: &str, confidence: f32) -> DecisionEvent {
    DecisionEvent {
        time_ms: 1,
        request_id: "req-1".into(),
        conversation: None,
        tenant: None,
        ensemble: Some("ens".into()),
        member: "member-a".into(),
        route_mode: "distributional".into(),
        persona: None,
        dilemma_score: 0.9,
        case_key: case_key_for_vignette(case),
        options: None,
        option_texts: None,
        decision: Choice::Choice1,
        confidence,
        values_discussed: vec![Value::Autonomy],
        presents_both: false,
        latency_ms: 5,
        prompt_text: None,
        answer_text: None,
        judge: None,
    }
}

fn texts(case: &str) -> JudgeTexts {
    JudgeTexts {
        options: [
            "Honour her refusal of dialysis".into(),
            "Start dialysis now".into(),
        ],
        case: case.into(),
        answer: "Both paths have merit; dialysis might be wiser.".into(),
    }
}

fn judged_policy(url: &str, data_dir: &std::path::Path, budget: u32) -> Policy {
    let monitor = format!(
        "[monitor]\nbootstrap_draws = 0\n[monitor.log]\ndata_dir = {:?}\n\
         [monitor.judge]\nmodel = \"judge-model\"\ntag_sample_rate = 1.0\n\
         max_calls_per_minute = {budget}\ntimeout_ms = 5000\n",
        data_dir.display().to_string()
    );
    policy(&[("judge-up", url, &["judge-model"], "")], &monitor)
}

#[tokio::test]
async fn the_judge_rereads_tags_and_the_monitor_logs_it() {
    let upstream = mock_judge().await;
    let dir = tempfile::tempdir().unwrap();
    let policy = judged_policy(&upstream.base_url(), dir.path(), 4);
    let monitor_config: MonitorConfig = policy.monitor.clone().unwrap();
    let state = AppState::build(policy, Arc::new(Metrics::new().unwrap())).unwrap();
    let judge = Judge::for_state(&state).expect("a judge for [monitor.judge]");

    let case = "A woman with kidney failure declines dialysis; her son asks you to start it.";
    let judged = judge.enrich(event(case, 0.3), &texts(case)).await;
    assert_eq!(judged.decision, Choice::Choice2);
    let tags = judged.options.expect("tags from the judge");
    assert_eq!(tags.deltas(), [2, -2, 0, 0]);
    let note = judged.judge.clone().unwrap();
    assert_eq!(note.model, "judge-model");
    assert_eq!(note.tags.as_deref(), Some("asked"));
    let review = note.review.unwrap();
    assert_eq!(
        (review.parser_decision, review.judge_decision),
        (Choice::Choice1, Choice::Choice2)
    );
    assert!(note.errors.is_empty());
    assert_eq!(upstream.calls(), 2);
    let sent: serde_json::Value = serde_json::from_slice(&upstream.last().body).unwrap();
    assert_eq!(sent["model"], "judge-model");
    assert_eq!(sent["stream"], false);
    assert_eq!(upstream.last().path, "/v1/chat/completions");

    // The monitor logs the judged event with its note and its judge tags.
    let monitor = Monitor::open(monitor_config, None, None).unwrap();
    monitor.record_durable(judged.clone()).await.unwrap();
    let logged = read_dir(dir.path()).unwrap().events;
    assert_eq!(logged, vec![judged]);

    // Budget: 4 calls a minute. Two are spent; new unsure dilemmas get at most two more.
    for i in 0..5 {
        let case = format!("{case} Variant {i}.");
        let _ = judge.enrich(event(&case, 0.3), &texts(&case)).await;
    }
    assert_eq!(upstream.calls(), 4);
    assert!(judge.counts().over_budget >= 8);
}

#[test]
fn a_judge_model_no_upstream_serves_is_rejected() {
    let text = "listen = \"127.0.0.1:0\"\n[monitor.judge]\nmodel = \"nobody\"\n\
        [[upstream]]\nname = \"u\"\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\nmodels = [\"m\"]\n";
    let error = Policy::from_toml_str(text).unwrap_err().to_string();
    assert!(error.contains("monitor.judge.model"), "{error}");
}

/// The judge's totals reach `/metrics` and `/monitor/api/state` from the real server, and keep
/// counting across a policy reload (which builds a new judge); a reload without
/// `[monitor.judge]` leaves the totals but reports no judge.
#[tokio::test]
async fn judge_totals_are_exported_and_survive_a_reload() {
    let upstream = mock_judge().await;
    let dir = tempfile::tempdir().unwrap();
    let policy = judged_policy(&upstream.base_url(), dir.path(), 30);
    let handle = pluralis::server::start(policy.clone()).await.unwrap();
    let addr = handle.local_addr();
    let case = "An elderly man refuses a feeding tube; his daughter insists.";
    let first = handle.state().load().judge.clone().unwrap();
    let _ = first.enrich(event(case, 0.3), &texts(case)).await;
    assert_eq!(upstream.calls(), 2, "a review and a tagging");

    handle.reload(policy.clone()).unwrap();
    let second = handle.state().load().judge.clone().unwrap();
    assert!(!Arc::ptr_eq(&first, &second), "a reload builds a new judge");
    let other = format!("{case} Again.");
    let _ = second.enrich(event(&other, 0.3), &texts(&other)).await;
    assert_eq!(upstream.calls(), 4);

    let metrics = common::send(addr, "GET", "/metrics", &[], "").await.text();
    for line in [
        "pluralis_judge_configured 1",
        "pluralis_judge_calls_total 4",
        "pluralis_judge_reviews_total{result=\"changed\"} 2",
        "pluralis_judge_reviews_total{result=\"agreed\"} 0",
        "pluralis_judge_tags_total{source=\"asked\"} 2",
        "pluralis_judge_failures_total 0",
        "pluralis_judge_over_budget_total 0",
        "pluralis_judge_budget_calls_per_minute 30",
        // Only the live judge's window: the first judge's calls left with it.
        "pluralis_judge_calls_last_minute 2",
    ] {
        assert!(metrics.contains(line), "{line} missing:\n{metrics}");
    }
    let monitor = handle.state().load().monitor.clone().unwrap();
    monitor.refit_now();
    let state = common::send(addr, "GET", "/monitor/api/state", &[], "")
        .await
        .json();
    let judge = &state["judge"];
    assert_eq!(judge["model"], "judge-model");
    assert_eq!(judge["counts"]["calls"], 4);
    assert_eq!(judge["counts"]["reviews_changed"], 2);
    assert_eq!(judge["calls_last_minute"], 2);
    assert_eq!(judge["max_calls_per_minute"], 30);

    // Judge removed by a reload: nothing live, totals kept.
    let monitor_only = format!(
        "[monitor]\nbootstrap_draws = 0\n[monitor.log]\ndata_dir = {:?}\n",
        dir.path().display().to_string()
    );
    let without = policy_of(&upstream.base_url(), &monitor_only);
    handle.reload(without).unwrap();
    assert!(monitor.refit_now().judge.is_none());
    assert_eq!(monitor.judge_counts().calls, 4);
    let metrics = common::send(addr, "GET", "/metrics", &[], "").await.text();
    assert!(metrics.contains("pluralis_judge_configured 0"));
    assert!(metrics.contains("pluralis_judge_calls_total 4"));
    handle.shutdown().await;
}

fn policy_of(url: &str, monitor: &str) -> Policy {
    policy(&[("judge-up", url, &["judge-model"], "")], monitor)
}

/// A decision logged before the judge answered counts once: not while pending, once its judged
/// line is recorded, and the same after a restart; if the judge's line never came (a crash in
/// between), the restart counts the parser's reading and says a verdict is missing.
#[tokio::test]
async fn a_pending_decision_counts_once_live_and_after_a_restart() {
    use pluralis::monitor::log::JudgeNote;
    let dir = tempfile::tempdir().unwrap();
    let config = MonitorConfig {
        bootstrap_draws: 0,
        log: pluralis::monitor::log::LogConfig {
            data_dir: dir.path().to_path_buf(),
            ..Default::default()
        },
        ..MonitorConfig::default()
    };
    let decisions = |m: &Monitor| -> (u64, [u64; 3]) {
        let state = m.refit_now();
        let Some(d) = state.windows["all"].iter().find(|s| s.key == "deployment") else {
            return (0, [0; 3]);
        };
        // choice_1, choice_2, refusal.
        (d.decisions, d.choices)
    };
    let case = "A man declines surgery; his wife wants it done.";
    let mut pending = event(case, 0.3);
    pending.judge = Some(JudgeNote::pending("judge-model"));
    let mut judged = event(case, 0.3);
    judged.decision = Choice::Choice2;
    judged.judge = Some(JudgeNote {
        pending: false,
        ..JudgeNote::pending("judge-model")
    });
    let mut lost = event(case, 0.3);
    lost.request_id = "req-2".into();
    lost.judge = Some(JudgeNote::pending("judge-model"));

    let monitor = Monitor::open(config.clone(), None, None).unwrap();
    monitor.record_durable(pending).await.unwrap();
    assert_eq!(decisions(&monitor).0, 0, "pending: not counted yet");
    monitor.record(judged.clone()).await.unwrap();
    assert_eq!(decisions(&monitor), (1, [0, 1, 0]), "counted once, judged");
    monitor.record_durable(lost).await.unwrap();
    monitor.flush().await.unwrap();
    let live = decisions(&monitor);
    drop(monitor);

    let raw = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("decisions-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap().lines().count())
        .sum::<usize>();
    assert_eq!(raw, 3, "pending, judged, pending lines on disk");
    let report = read_dir(dir.path()).unwrap();
    assert_eq!(report.events.len(), 2);
    assert_eq!(report.events[0], judged);
    assert_eq!(report.judge_verdicts_missing(), 1);

    let reopened = Monitor::open(config, None, None).unwrap();
    // The judged decision once, plus the one whose verdict was lost, with the parser's reading.
    assert_eq!(live, (1, [0, 1, 0]));
    assert_eq!(decisions(&reopened), (2, [1, 1, 0]));
    assert_eq!(reopened.state().log.judge_verdicts_missing, 1);
}
