//! Durability of the decision log under load, proven with SIGKILL on real processes.
//!
//! End to end on the real binary: `pluralis serve` with a sim ensemble and
//! `fsync = "per_event"` takes about 1,000 dilemma requests/s from many loopback connections,
//! is killed with SIGKILL mid-load, and then
//! - every dilemma request whose response had arrived whole has its event in the log;
//! - nothing before the end of the log is corrupt (at most one torn last line, reported);
//! - a server restarted on the same data directory rebuilds its counts from the log, and its
//!   per-member profiles equal the offline attribution fit of the logged decisions to 1e-6.
//!
//! The same contract one layer down: a child process (this test binary re-run in child mode)
//! records 1,000 events/s with `Monitor::record_durable` and prints each id once acknowledged;
//! the parent kills it mid-stream and checks the log holds every printed id.

mod load;
mod synthetic;

use pluralis::attribution::{fit_glm, rows_per_case, softmax_profile, PatternCounts};
use pluralis::monitor::log::{read_dir, DecisionEvent};
use pluralis::values::Choice;
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Offered load and when the process is killed.
const RATE_PER_S: u32 = 1000;
const LOAD_FOR: Duration = Duration::from_secs(3);
const KILL_AFTER: Duration = Duration::from_millis(1800);

/// A `pluralis serve` child process, killed (SIGKILL) when dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Served {
    /// Starts the binary and waits (bounded) for its "listening" line.
    fn start(policy: &Path, stderr: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pluralis"))
            .args(["serve", "--policy"])
            .arg(policy)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(stderr).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("pluralis listening on http://") {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr.parse().unwrap(),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "pluralis serve did not start:\n{}",
                    std::fs::read_to_string(stderr).unwrap_or_default()
                );
            }
        };
        Served { child, addr }
    }

    /// SIGKILL: no drain, no flush, no destructor runs in the server.
    fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn policy_text(data_dir: &Path) -> String {
    format!(
        r#"listen = "127.0.0.1:0"

[monitor]
refit_interval_ms = 60000
bootstrap_draws = 0

[monitor.log]
data_dir = {data_dir:?}
fsync = "per_event"
overflow = "backpressure"

[[upstream]]
name = "sim"
kind = "sim"
seed = 7
agents = [
  {{ name = "sim/autonomy-leaning", weights = {{ autonomy = 0.9, beneficence = 0.3, nonmaleficence = 0.2 }} }},
  {{ name = "sim/harm-averse", weights = {{ autonomy = 0.1, beneficence = 0.4, nonmaleficence = 0.9, justice = 0.2 }} }},
]

[[ensemble]]
name = "{ensemble}"
members = ["sim/autonomy-leaning", "sim/harm-averse"]
default_member = "sim/autonomy-leaning"
dilemma_mode = "distributional"
"#,
        data_dir = data_dir.display().to_string(),
        ensemble = load::ENSEMBLE,
    )
}

async fn monitor_state(addr: SocketAddr) -> serde_json::Value {
    use http_body_util::BodyExt;
    let client = load::client(1);
    let request = http::Request::get(format!("http://{addr}/monitor/api/state"))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(30), client.request(request))
        .await
        .expect("state request timed out")
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

/// What `pluralis attribute` computes for one member: the paper's GLM on one row per case,
/// then softmax at `temperature`.
fn offline_profiles(events: &[DecisionEvent], temperature: f64) -> BTreeMap<String, [f64; 4]> {
    let mut per_member: BTreeMap<&str, BTreeMap<&str, PatternCounts>> = BTreeMap::new();
    for e in events {
        let Some(tags) = e.options else { continue };
        let c = per_member
            .entry(&e.member)
            .or_default()
            .entry(&e.case_key)
            .or_insert(PatternCounts {
                deltas: tags.deltas(),
                choice_1: 0,
                choice_2: 0,
            });
        match e.decision {
            Choice::Choice1 => c.choice_1 += 1,
            Choice::Choice2 => c.choice_2 += 1,
            Choice::Refusal => {}
        }
    }
    per_member
        .into_iter()
        .map(|(member, cases)| {
            let counts: Vec<PatternCounts> = cases.into_values().collect();
            let beta = fit_glm(&rows_per_case(&counts)).beta;
            (member.to_owned(), softmax_profile(&beta, temperature))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_dilemma_load_loses_no_completed_event() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let data_dir = dir.path().join("data");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, policy_text(&data_dir)).unwrap();
    let stderr = dir.path().join("serve.log");
    let mut served = Served::start(&policy, &stderr);

    let spec = load::LoadSpec {
        url: format!("http://{}/v1/chat/completions", served.addr),
        rate_per_s: RATE_PER_S,
        duration: LOAD_FOR,
        max_in_flight: 512,
        bodies: load::dilemma_bodies(),
        id_prefix: "crash-".into(),
        conversations: 997,
        timeout: Duration::from_secs(20),
    };
    let started = Instant::now();
    let driver = tokio::spawn(async move { load::run(&spec).await });
    tokio::time::sleep(KILL_AFTER).await;
    served.kill_9();
    let killed_at = started.elapsed();
    let report = driver.await.unwrap();

    let completed: Vec<&load::Completed> = report.completed.iter().filter(|c| c.dilemma).collect();
    eprintln!(
        "load: {} started, {} completed ({} as dilemmas), {} failed, {} delayed starts; killed at {:?}",
        report.started,
        report.completed.len(),
        completed.len(),
        report.failed,
        report.delayed_starts,
        killed_at
    );
    assert!(
        report.completed.len() >= 200,
        "too few responses completed before the kill to prove anything: {}\n{}",
        report.completed.len(),
        std::fs::read_to_string(&stderr).unwrap_or_default()
    );
    assert!(
        completed.len() * 10 >= report.completed.len() * 9,
        "the bench prompts should be detected as dilemmas: {} of {}",
        completed.len(),
        report.completed.len()
    );
    assert!(
        report.failed > 0,
        "the kill landed after the load ended; nothing was cut"
    );

    let log = read_dir(&data_dir).unwrap();
    eprintln!(
        "log: {} events in {} segments, {} torn, {} invalid",
        log.events.len(),
        log.segments,
        log.torn_lines,
        log.invalid_lines
    );
    assert_eq!(log.invalid_lines, 0, "an earlier event is corrupt");
    assert!(log.torn_lines <= 1, "only the last line may be torn");
    let logged: HashSet<&str> = log.events.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(logged.len(), log.events.len(), "one event per request");
    let lost: Vec<&str> = completed
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !logged.contains(id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} completed dilemma responses have no event, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );

    // Restart on the same data directory: counts rebuilt from the log, profiles = offline fit.
    let restarted = Served::start(&policy, &dir.path().join("serve-2.log"));
    let state = monitor_state(restarted.addr).await;
    assert_eq!(state["log"]["rebuilt_events"], log.events.len() as u64);
    assert_eq!(state["log"]["torn_lines"], log.torn_lines);
    assert_eq!(state["log"]["invalid_lines"], 0);
    let all = state["windows"]["all"].as_array().unwrap();
    let deployment = all.iter().find(|s| s["key"] == "deployment").unwrap();
    assert_eq!(deployment["decisions"], log.events.len() as u64);

    let temperature = state["temperature"].as_f64().unwrap();
    let offline = offline_profiles(&log.events, temperature);
    assert!(!offline.is_empty(), "no tagged decisions were logged");
    for (member, expected) in &offline {
        let scope = all
            .iter()
            .find(|s| s["key"] == format!("member:{member}"))
            .unwrap_or_else(|| panic!("no scope for {member}"));
        let live: Vec<f64> = scope["estimate"]["profile"]
            .as_array()
            .unwrap_or_else(|| panic!("no profile for {member}: {scope}"))
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for v in 0..4 {
            assert!(
                (live[v] - expected[v]).abs() < 1e-6,
                "{member}: monitor {live:?} vs offline {expected:?}"
            );
        }
    }
}

/// Set in the child process: the data directory it records into.
const CHILD_DIR_ENV: &str = "PLURALIS_CRASH_CHILD_DATA_DIR";
const ACKED: &str = "acked ";

/// A synthetic decision (random tags, GLM choice with `beta`); no benchmark text.
fn synthetic_event(n: u64, rng: &mut rand_chacha::ChaCha8Rng) -> DecisionEvent {
    let (member, beta) = if n % 2 == 0 {
        ("sim/a", [1.0, 0.4, 0.2, -0.2])
    } else {
        ("sim/b", [0.1, 0.5, 0.9, 0.3])
    };
    let case = n % 60;
    let mut case_rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(case);
    let tags = synthetic::random_tags(&mut case_rng);
    let decision = synthetic::glm_choice(&tags, beta, rng);
    DecisionEvent {
        time_ms: pluralis::monitor::runtime::now_ms(),
        request_id: format!("ev-{n}"),
        conversation: None,
        tenant: None,
        ensemble: Some(load::ENSEMBLE.into()),
        member: member.into(),
        route_mode: "distributional".into(),
        persona: None,
        dilemma_score: 0.9,
        case_key: format!("synthetic-{case}"),
        options: Some(tags),
        option_texts: None,
        decision,
        confidence: 0.9,
        values_discussed: Vec::new(),
        presents_both: false,
        latency_ms: 1,
        prompt_text: None,
        answer_text: None,
        judge: None,
    }
}

fn monitor_config(data_dir: &Path) -> pluralis::monitor::MonitorConfig {
    let mut config = pluralis::monitor::MonitorConfig::default();
    config.log.data_dir = data_dir.to_path_buf();
    config.log.fsync = pluralis::monitor::log::FsyncPolicy::PerEvent;
    config.log.overflow = pluralis::monitor::log::OverflowPolicy::Backpressure;
    config.bootstrap_draws = 0;
    config
}

/// Child mode of [`record_durable_survives_sigkill_at_1000_events_per_s`]: records 1,000
/// events/s (bounded to 20 s) and prints each id once `record_durable` returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child process of record_durable_survives_sigkill_at_1000_events_per_s"]
async fn crash_child_records_until_killed() {
    use std::io::Write;
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        panic!("run only as the child of record_durable_survives_sigkill_at_1000_events_per_s");
    };
    let monitor =
        pluralis::monitor::Monitor::open(monitor_config(Path::new(&dir)), None, None).unwrap();
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(5);
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..20_000u64 {
        tokio::time::sleep_until(start + Duration::from_millis(n)).await;
        let event = synthetic_event(n, &mut rng);
        let monitor = monitor.clone();
        tasks.spawn(async move {
            let id = event.request_id.clone();
            monitor.record_durable(event).await.unwrap();
            let mut out = std::io::stdout().lock();
            writeln!(out, "{ACKED}{id}").unwrap();
            out.flush().unwrap();
        });
        while let Some(done) = tasks.try_join_next() {
            done.unwrap();
        }
    }
}

#[test]
fn record_durable_survives_sigkill_at_1000_events_per_s() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let data_dir = dir.path().join("data");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_records_until_killed",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_ENV, &data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut acked = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(id) = line.strip_prefix(ACKED) {
                acked.push(id.to_owned());
                if acked.len() == 300 {
                    let _ = tx.send(());
                }
            }
        }
        acked
    });
    // Kill once a few hundred events are acknowledged and more are on their way.
    let ready = rx.recv_timeout(Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    child.wait().unwrap();
    let acked = reader.join().unwrap();
    assert!(
        ready.is_ok(),
        "child acknowledged only {} events",
        acked.len()
    );

    let log = read_dir(&data_dir).unwrap();
    eprintln!(
        "{} acknowledged before SIGKILL; log: {} events, {} torn, {} invalid",
        acked.len(),
        log.events.len(),
        log.torn_lines,
        log.invalid_lines
    );
    assert_eq!(log.invalid_lines, 0, "an earlier event is corrupt");
    assert!(log.torn_lines <= 1, "only the last line may be torn");
    let logged: HashSet<&str> = log.events.iter().map(|e| e.request_id.as_str()).collect();
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !logged.contains(id.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost: {lost:?}",
        lost.len()
    );

    // Restart: counts rebuilt from the log; profiles equal the offline fit.
    let restarted =
        pluralis::monitor::Monitor::open(monitor_config(&data_dir), None, None).unwrap();
    let state = restarted.state();
    assert_eq!(state.log.rebuilt_events, log.events.len() as u64);
    let offline = offline_profiles(&log.events, state.temperature);
    assert_eq!(offline.len(), 2);
    for (member, expected) in &offline {
        let live = state.windows["all"]
            .iter()
            .find(|s| s.key == format!("member:{member}"))
            .and_then(|s| s.estimate.as_ref())
            .unwrap_or_else(|| panic!("no profile for {member}"))
            .profile;
        for v in 0..4 {
            assert!(
                (live[v] - expected[v]).abs() < 1e-6,
                "{member}: monitor {live:?} vs offline {expected:?}"
            );
        }
    }
}
