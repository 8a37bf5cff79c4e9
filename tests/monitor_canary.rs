//! Canary probes end to end on loopback: a pluralis server serving `sim` agents plays the
//! provider; a second state reaches it through an `openai` upstream, and the canary probes both
//! agents through the ordinary dispatch into a monitor with a real decision log.

mod sim_provider;

use arc_swap::ArcSwap;
use pluralis::config::Policy;
use pluralis::metrics::Metrics;
use pluralis::monitor::canary::{Canary, CANARY_ROUTE};
use pluralis::monitor::log::{read_dir, DecisionEvent};
use pluralis::monitor::{Monitor, ProbeVariant};
use pluralis::state::AppState;
use pluralis::values::{Choice, Value};
use sim_provider::provider;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn policy(base_url: &str, data_dir: &Path, canary: &str) -> Policy {
    Policy::from_toml_str(&format!(
        r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "far"
kind = "openai"
base_url = "{base_url}"
models = ["sim/autonomy", "sim/beneficence"]
timeout_ms = 10000
retries = 0
[[ensemble]]
name = "ens"
members = ["sim/autonomy", "sim/beneficence", "sim/autonomy+justice"]
default_member = "sim/autonomy"
[monitor]
refit_interval_ms = 60000
bootstrap_draws = 0
[monitor.log]
data_dir = "{}"
[monitor.canary]
enabled = true
interval_ms = 100
{canary}
"#,
        data_dir.display()
    ))
    .unwrap()
}

fn state(policy: Policy) -> AppState {
    let monitor_config = policy.monitor.clone().unwrap();
    let mut state = AppState::build(policy, Arc::new(Metrics::new().unwrap())).unwrap();
    state.monitor = Some(Monitor::open(monitor_config, None, None).unwrap());
    state
}

async fn logged(state: &AppState, dir: &Path) -> Vec<DecisionEvent> {
    state.monitor.as_ref().unwrap().flush().await.unwrap();
    read_dir(dir).unwrap().events
}

/// What a member of known weights must answer, in the case's terms, when the case moves its
/// value at all.
fn expected(member: &str, deltas: [i8; 4]) -> Option<Choice> {
    let value = if member == "sim/autonomy" {
        Value::Autonomy
    } else {
        Value::Beneficence
    };
    match deltas[value.index()] {
        d if d > 0 => Some(Choice::Choice1),
        d if d < 0 => Some(Choice::Choice2),
        _ => None,
    }
}

#[tokio::test]
async fn a_round_probes_every_member_within_budget_and_maps_swapped_answers_back() {
    let server = provider().await;
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{}/v1", server.local_addr());
    let policy = policy(
        &base,
        dir.path(),
        "samples = 2\nmax_probes_per_interval = 12",
    );
    let config = policy.monitor.clone().unwrap().canary;
    let state = state(policy);
    let registry = prometheus::Registry::new();
    let canary = Canary::new(config, Some(&registry)).unwrap();

    let report = canary.run_round(&state).await;
    // Ensemble members reduce to their plain models; 12 probes each.
    assert_eq!(report.members, 2);
    assert_eq!((report.recorded, report.failed), (24, 0), "{report:?}");

    let events = logged(&state, dir.path()).await;
    assert_eq!(events.len(), 24);
    let mut checked = 0;
    for member in ["sim/autonomy", "sim/beneficence"] {
        let mine: Vec<&DecisionEvent> = events.iter().filter(|e| e.member == member).collect();
        assert_eq!(mine.len(), 12);
        // Two cases, each in three wordings, twice.
        let cases: BTreeSet<&str> = mine.iter().map(|e| e.case_key.as_str()).collect();
        assert_eq!(cases.len(), 2);
        for variant in ProbeVariant::ALL {
            let tag = format!("-{}-", variant.as_str());
            assert_eq!(
                mine.iter().filter(|e| e.request_id.contains(&tag)).count(),
                4
            );
        }
        for e in &mine {
            assert_eq!(e.route_mode, CANARY_ROUTE);
            assert!(e.prompt_text.is_none() && e.answer_text.is_none());
            let tags = e.options.expect("bench cases carry value tags");
            if let Some(want) = expected(member, tags.deltas()) {
                assert_eq!(e.decision, want, "{member} {}", e.request_id);
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "only {checked} decisive probes");

    let monitor = state.monitor.as_ref().unwrap();
    let published = monitor.refit_now();
    let deployment = published.windows["all"]
        .iter()
        .find(|s| s.key == "deployment")
        .unwrap();
    assert_eq!(deployment.route_modes[CANARY_ROUTE], 24);
    let text = prometheus::TextEncoder::new()
        .encode_to_string(&registry.gather())
        .unwrap();
    assert!(text
        .contains("pluralis_canary_probes_total{member=\"sim/autonomy\",outcome=\"recorded\"} 12"));
    server.shutdown().await;
}

#[tokio::test]
async fn the_schedule_moves_through_the_cases_and_counts_failures() {
    let server = provider().await;
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{}/v1", server.local_addr());
    let canary_table = "samples = 1\nvariants = [\"swapped\"]\nmax_probes_per_interval = 3\n\
                        members = [\"sim/autonomy\"]";
    let policy = policy(&base, dir.path(), canary_table);
    let config = policy.monitor.clone().unwrap().canary;
    let shared = Arc::new(ArcSwap::from_pointee(state(policy)));
    let canary = Arc::new(Canary::new(config, None).unwrap());
    let task = Arc::clone(&canary).spawn(Arc::clone(&shared));

    // Bounded wait for three rounds (100 ms apart).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut events = Vec::new();
    while events.len() < 9 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        events = logged(&shared.load(), dir.path()).await;
    }
    task.abort();
    assert!(events.len() >= 9, "{} events", events.len());
    // One case per probe, each new until the bench is covered.
    let first: Vec<&str> = events[..9].iter().map(|e| e.case_key.as_str()).collect();
    let distinct: BTreeSet<&&str> = first.iter().collect();
    assert_eq!(distinct.len(), 9, "{first:?}");
    assert!(events.iter().all(|e| e.member == "sim/autonomy"));

    // A member whose provider is gone: probes fail, nothing is recorded.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let dir2 = tempfile::tempdir().unwrap();
    let state = state(self::policy(
        &gone,
        dir2.path(),
        "max_probes_per_interval = 2",
    ));
    let canary = Canary::new(state.policy.monitor.clone().unwrap().canary, None).unwrap();
    let report = canary.run_round(&state).await;
    assert_eq!((report.recorded, report.failed), (0, 4), "{report:?}");
    assert!(logged(&state, dir2.path()).await.is_empty());
    server.shutdown().await;
}
