//! The monitor end to end without the server: record, refit, restart from the log, and agree
//! with the offline attribution over the same decisions.

use pluralis::attribution::{fit_glm, rows_per_case, softmax_profile, PatternCounts};
use pluralis::monitor::log::{DecisionEvent, OptionTags, ValueTags};
use pluralis::monitor::stats::Scope;
use pluralis::monitor::{Monitor, MonitorConfig};
use pluralis::values::{Alignment, Choice, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ALIGN: [Alignment; 3] = [Alignment::Violates, Alignment::Neutral, Alignment::Promotes];

/// A synthetic case: random tags drawn from the seed (no benchmark text).
fn case(rng: &mut ChaCha8Rng) -> OptionTags {
    OptionTags {
        choice_1: ValueTags::from_fn(|_| ALIGN[rng.gen_range(0..3)]),
        choice_2: ValueTags::from_fn(|_| ALIGN[rng.gen_range(0..3)]),
    }
}

/// Decisions of a simulated member with known weights (the GLM's own model).
fn decisions(
    member: &str,
    beta: [f64; 4],
    cases: usize,
    runs: usize,
    seed: u64,
) -> Vec<DecisionEvent> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for c in 0..cases {
        let tags = case(&mut rng);
        let eta: f64 = (0..4).map(|i| f64::from(tags.deltas()[i]) * beta[i]).sum();
        let p = 1.0 / (1.0 + (-eta).exp());
        for r in 0..runs {
            let decision = match rng.gen::<f64>() {
                x if x < 0.03 => Choice::Refusal,
                x if x < p => Choice::Choice1,
                _ => Choice::Choice2,
            };
            out.push(DecisionEvent {
                time_ms: pluralis::monitor::runtime::now_ms(),
                request_id: format!("{member}-{c}-{r}"),
                conversation: None,
                tenant: Some("ward".into()),
                ensemble: Some("ens".into()),
                member: member.into(),
                route_mode: "distributional".into(),
                persona: None,
                dilemma_score: 0.9,
                case_key: format!("synthetic-{c}"),
                options: Some(tags),
                option_texts: None,
                decision,
                confidence: 0.9,
                values_discussed: vec![Value::Autonomy],
                presents_both: r % 3 == 0,
                latency_ms: 5,
                prompt_text: None,
                answer_text: None,
                judge: None,
            });
        }
    }
    out
}

/// What `pluralis attribute` computes: one row per case.
fn offline_profile(events: &[DecisionEvent]) -> [f64; 4] {
    let mut per_case: std::collections::BTreeMap<&str, PatternCounts> = Default::default();
    for e in events {
        let c = per_case.entry(&e.case_key).or_insert(PatternCounts {
            deltas: e.options.unwrap().deltas(),
            choice_1: 0,
            choice_2: 0,
        });
        match e.decision {
            Choice::Choice1 => c.choice_1 += 1,
            Choice::Choice2 => c.choice_2 += 1,
            Choice::Refusal => {}
        }
    }
    let counts: Vec<PatternCounts> = per_case.into_values().collect();
    softmax_profile(&fit_glm(&rows_per_case(&counts)).beta, 0.262)
}

fn config(dir: &std::path::Path) -> MonitorConfig {
    let mut cfg = MonitorConfig::default();
    cfg.log.data_dir = dir.to_path_buf();
    cfg.bootstrap_draws = 20;
    cfg
}

fn member_profile(monitor: &Monitor, window: &str, member: &str) -> [f64; 4] {
    let state = monitor.state();
    state.windows[window]
        .iter()
        .find(|s| s.scope == Scope::Member(member.into()))
        .and_then(|s| s.estimate.as_ref())
        .map(|e| e.profile)
        .unwrap()
}

#[tokio::test]
async fn monitor_matches_offline_attribution_and_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let a = decisions("sim/a", [1.2, 0.4, 0.1, -0.3], 60, 10, 1);
    let b = decisions("sim/b", [-0.2, 0.9, 0.6, 0.2], 60, 10, 2);
    let registry = prometheus::Registry::new();
    let monitor = Monitor::open(config(dir.path()), None, Some(&registry)).unwrap();
    for e in a.iter().chain(&b) {
        monitor.record(e.clone()).await.unwrap();
    }
    monitor.flush().await.unwrap();
    monitor.refit_now();
    for (member, events) in [("sim/a", &a), ("sim/b", &b)] {
        let offline = offline_profile(events);
        for window in ["1h", "all"] {
            let live = member_profile(&monitor, window, member);
            for v in 0..4 {
                assert!(
                    (live[v] - offline[v]).abs() < 1e-6,
                    "{member} {window}: {live:?} vs {offline:?}"
                );
            }
        }
    }
    let state = monitor.state();
    assert_eq!(state.log.written, 1200);
    let deployment = state.windows["all"]
        .iter()
        .find(|s| s.scope == Scope::Deployment)
        .unwrap();
    assert_eq!(deployment.decisions, 1200);
    assert!((deployment.routing_shares["sim/a"] - 0.5).abs() < 1e-12);
    assert!(state.members.iter().all(|m| m.entropy.is_some()));

    let text = prometheus::TextEncoder::new()
        .encode_to_string(&registry.gather())
        .unwrap();
    assert!(
        text.contains("pluralis_decision_log_written_total 1200"),
        "{text}"
    );
    assert!(text.contains("pluralis_value_share{member=\"sim/a\",value=\"autonomy\"}"));
    assert!(text
        .contains("pluralis_glm_observations_total{choice=\"choice_1\",member=\"sim/a\",pattern="));

    // Crash without closing anything: the restarted monitor rebuilds the same profiles.
    let before = member_profile(&monitor, "all", "sim/a");
    std::mem::forget(monitor);
    let restarted = Monitor::open(config(dir.path()), None, None).unwrap();
    assert_eq!(restarted.state().log.rebuilt_events, 1200);
    let after = member_profile(&restarted, "all", "sim/a");
    for v in 0..4 {
        assert!((before[v] - after[v]).abs() < 1e-12);
    }
}
