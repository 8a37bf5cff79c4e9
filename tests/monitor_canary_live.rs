//! The canary in a live server: unsure probe answers go to the judge model like live traffic
//! (threshold and budget hold, the reading is turned to the case's order), and a policy
//! reload that adds, changes or removes `[monitor.canary]` stops the old task and starts the
//! new one, never leaving two running.

mod sim_provider;

mod common;

use arc_swap::ArcSwap;
use common::{mock, Reply};
use pluralis::config::Policy;
use pluralis::metrics::Metrics;
use pluralis::monitor::canary::Canary;
use pluralis::monitor::canary_task::{CanarySync, CanaryTask};
use pluralis::monitor::log::{read_dir, DecisionEvent};
use pluralis::monitor::Monitor;
use pluralis::state::AppState;
use pluralis::values::Choice;
use sim_provider::provider;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The prober's policy: both agents through an `openai` upstream, a monitor on `data_dir`,
/// then `tail` (canary and judge tables, more upstreams).
fn policy(provider: &str, data_dir: &Path, tail: &str) -> Policy {
    Policy::from_toml_str(&format!(
        r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "far"
kind = "openai"
base_url = "{provider}"
models = ["sim/autonomy", "sim/beneficence"]
timeout_ms = 10000
retries = 0
[monitor]
refit_interval_ms = 60000
bootstrap_draws = 0
[monitor.log]
data_dir = "{}"
{tail}
"#,
        data_dir.display()
    ))
    .unwrap()
}

fn completion(content: &str) -> String {
    serde_json::json!({
        "id": "j", "object": "chat.completion", "created": 1, "model": "judge-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    })
    .to_string()
}

async fn logged(monitor: &Monitor, dir: &Path) -> Vec<DecisionEvent> {
    monitor.flush().await.unwrap();
    read_dir(dir).unwrap().events
}

#[tokio::test]
async fn unsure_probe_answers_go_to_the_judge_within_its_budget() {
    let server = provider().await;
    // The judge reads every answer as the first option shown.
    let judge_up = mock(|_, _| Reply::Json(200, completion("choice_1"))).await;
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{}/v1", server.local_addr());
    let tail = format!(
        "[monitor.canary]\nenabled = true\nmembers = [\"sim/autonomy\"]\nsamples = 2\n\
         max_probes_per_interval = 12\n\
         [monitor.judge]\nmodel = \"judge-model\"\nthreshold = 1.0\nmax_calls_per_minute = 5\n\
         timeout_ms = 5000\n\
         [[upstream]]\nname = \"judge-up\"\nkind = \"openai\"\nbase_url = \"{}\"\nmodels = [\"judge-model\"]\n",
        judge_up.base_url()
    );
    let policy = policy(&base, dir.path(), &tail);
    let config = policy.monitor.clone().unwrap();
    let mut state = AppState::build(policy, Arc::new(Metrics::new().unwrap())).unwrap();
    state.monitor = Some(Monitor::open(config.clone(), None, None).unwrap());
    let judge = state.judge.clone().expect("a judge");
    let canary = Canary::new(config.canary, None).unwrap();

    let report = canary.run_round(&state).await;
    assert_eq!((report.recorded, report.failed), (12, 0), "{report:?}");
    let events = logged(state.monitor.as_ref().unwrap(), dir.path()).await;
    let unsure = events.iter().filter(|e| e.confidence < 1.0).count();
    assert!(unsure >= 1, "no probe answer below the judge's threshold");
    let judged: Vec<&DecisionEvent> = events.iter().filter(|e| e.judge.is_some()).collect();
    // Budget: 5 calls a minute, whatever the number of unsure answers.
    assert_eq!(judged.len(), unsure.min(5));
    assert_eq!(judge_up.calls(), judged.len());
    assert_eq!(judge.counts().calls as usize, judged.len());
    assert_eq!(judge.counts().over_budget as usize, unsure - judged.len());
    for e in &judged {
        let review = e.judge.as_ref().unwrap().review.expect("a re-read");
        // "The first option shown" is the case's choice_2 in the swapped wording.
        let want = if e.request_id.contains("-swapped-") {
            Choice::Choice2
        } else {
            Choice::Choice1
        };
        assert_eq!(review.judge_decision, want, "{}", e.request_id);
        assert_eq!(e.decision, want);
    }
    server.shutdown().await;
}

fn canary_table(members: &str, enabled: bool) -> String {
    format!(
        "[monitor.canary]\nenabled = {enabled}\ninterval_ms = 100\nmembers = [{members}]\n\
         samples = 1\nvariants = [\"original\"]\nmax_probes_per_interval = 1\n"
    )
}

/// Waits (bounded) until `pred` holds for the logged events; returns them.
async fn wait_for(
    monitor: &Monitor,
    dir: &Path,
    pred: impl Fn(&[DecisionEvent]) -> bool,
) -> Vec<DecisionEvent> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let events = logged(monitor, dir).await;
        if pred(&events) || Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn count(events: &[DecisionEvent], member: &str) -> usize {
    events.iter().filter(|e| e.member == member).count()
}

#[tokio::test]
async fn a_reload_restarts_the_canary_only_when_its_table_changes() {
    let server = provider().await;
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{}/v1", server.local_addr());
    let autonomy = "\"sim/autonomy\"";
    let beneficence = "\"sim/beneficence\"";
    let first = policy(&base, dir.path(), &canary_table(autonomy, true));
    let handle = pluralis::server::start(first.clone()).await.unwrap();
    let monitor = handle.state().load().monitor.clone().unwrap();
    assert!(handle.canary().is_running());
    let events = wait_for(&monitor, dir.path(), |e| count(e, "sim/autonomy") >= 2).await;
    assert!(count(&events, "sim/autonomy") >= 2);

    // The same table: the task goes on (same config), still one task.
    handle.reload(first.clone()).unwrap();
    assert!(handle.canary().is_running());

    // Another member: the old task stops, the new one probes only the new member.
    let changed = policy(&base, dir.path(), &canary_table(beneficence, true));
    handle.reload(changed).unwrap();
    let before = count(&logged(&monitor, dir.path()).await, "sim/autonomy");
    let events = wait_for(&monitor, dir.path(), |e| count(e, "sim/beneficence") >= 4).await;
    assert!(
        count(&events, "sim/beneficence") >= 4,
        "the new canary never ran"
    );
    // At most a probe already in flight at the reload lands after it.
    assert!(
        count(&events, "sim/autonomy") <= before + 1,
        "the old canary kept running: {} autonomy probes after {before}",
        count(&events, "sim/autonomy")
    );
    assert_eq!(
        handle.canary().config().unwrap().members,
        vec!["sim/beneficence".to_owned()]
    );

    // Disabled: no task, no more probes.
    handle
        .reload(policy(&base, dir.path(), &canary_table(beneficence, false)))
        .unwrap();
    assert!(!handle.canary().is_running());
    let stopped = logged(&monitor, dir.path()).await.len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(logged(&monitor, dir.path()).await.len() <= stopped + 1);

    // Added back: running again.
    handle.reload(first).unwrap();
    assert!(handle.canary().is_running());
    handle.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn sync_reports_what_it_did_and_keeps_one_task() {
    let dir = tempfile::tempdir().unwrap();
    let build = |tail: &str| {
        let policy = policy("http://127.0.0.1:9/v1", dir.path(), tail);
        let config = policy.monitor.clone().unwrap();
        let mut state = AppState::build(policy, Arc::new(Metrics::new().unwrap())).unwrap();
        state.monitor = Some(Monitor::open(config, None, None).unwrap());
        state
    };
    let shared = Arc::new(ArcSwap::from_pointee(build("")));
    let task = CanaryTask::default();
    assert_eq!(task.sync(&shared).unwrap(), CanarySync::Off);
    shared.store(Arc::new(build(&canary_table("\"sim/autonomy\"", true))));
    assert_eq!(task.sync(&shared).unwrap(), CanarySync::Started);
    assert_eq!(task.sync(&shared).unwrap(), CanarySync::Kept);
    shared.store(Arc::new(build(&canary_table("\"sim/beneficence\"", true))));
    assert_eq!(task.sync(&shared).unwrap(), CanarySync::Restarted);
    assert!(task.is_running());
    // A table whose cases cannot be read is refused; the running task stays.
    let broken = format!(
        "{}cases = \"{}\"\n",
        canary_table("\"sim/autonomy\"", true),
        dir.path().join("missing.jsonl").display()
    );
    shared.store(Arc::new(build(&broken)));
    assert!(task.sync(&shared).is_err());
    assert!(task.is_running());
    assert_eq!(
        task.config().unwrap().members,
        vec!["sim/beneficence".to_owned()]
    );
    shared.store(Arc::new(build(&canary_table("\"sim/autonomy\"", false))));
    assert_eq!(task.sync(&shared).unwrap(), CanarySync::Stopped);
    assert!(!task.is_running());
    assert_eq!(task.sync(&shared).unwrap(), CanarySync::Off);
}
