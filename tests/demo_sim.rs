//! `pluralis demo` without a ValueBench folder: PLURALIS_VALUEBENCH points at an empty
//! directory, so the demo must fall back to the simulated ensemble, drive its traffic through
//! the real proxy and report, labelled as simulation.

use pluralis::config::Policy;
use pluralis::demo::{self, DemoSource};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// An empty directory, set as PLURALIS_VALUEBENCH for this test binary (the same value for
/// every test in it, so they may run in parallel).
fn empty_valuebench() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        std::env::set_var("PLURALIS_VALUEBENCH", &path);
        (dir, path)
    })
    .1
}

#[tokio::test]
async fn without_valuebench_the_demo_drives_the_sim_ensemble_and_reports() {
    empty_valuebench();
    let setup = demo::setup(None, "127.0.0.1:0").unwrap();
    assert_eq!(setup.source, DemoSource::Sim);
    assert!(setup.reference.contains("SIMULATED"));
    let policy = Policy::from_toml_str(&setup.policy.toml).unwrap();
    let handle = pluralis::server::start(policy).await.unwrap();
    let addr = handle.local_addr();

    let patients = 10;
    let mut last = (0, 0);
    let outcome = demo::run(&setup, addr, patients, |d, t| last = (d, t)).await;
    let cases = setup.experiment.cases.len();
    assert_eq!(cases, 40);
    assert_eq!(outcome.dilemmas, cases * patients);
    assert_eq!(last.0, last.1);
    assert_eq!(last.0, outcome.dilemmas + outcome.ordinary);
    let (e, s) = (&outcome.ensemble, &outcome.single);
    assert_eq!(e.failed + s.failed, 0);
    assert_eq!(e.dilemmas_detected as usize, outcome.dilemmas);
    assert_eq!(e.ordinary_ok as usize, outcome.ordinary);
    let decided: u64 = e.counts.values().map(|c| c.0 + c.1).sum();
    assert_eq!(
        decided as usize, outcome.dilemmas,
        "every sim answer is a decision"
    );
    // Dilemmas spread over several members; ordinary traffic stays on the default member.
    assert!(e.members.len() >= 3, "{:?}", e.members);
    assert!(e.members[&setup.policy.default_member] >= outcome.ordinary as u64);
    let alone: u64 = s.counts.values().map(|c| c.0 + c.1).sum();
    assert_eq!(alone as usize, outcome.dilemmas);
    // The calibrated ensemble is closer to the panel and more spread than its default member.
    let (ens, one) = (&outcome.ensemble_spread, &outcome.single_spread);
    assert_eq!(ens.cases, cases);
    assert!(ens.mean_jsd < one.mean_jsd, "{ens:?} vs {one:?}");
    assert!(
        ens.mean_entropy_bits > one.mean_entropy_bits,
        "{ens:?} vs {one:?}"
    );
    assert!(outcome.reference_spread.mean_jsd.abs() < 1e-12);

    let banner = demo::describe(&setup, addr);
    assert!(banner.contains("SIMULATION"));
    assert!(banner.contains("true weights"));
    let report = demo::render(&setup, &outcome);
    assert!(report.contains("SIMULATED decision spread"));
    assert!(report.contains(&format!("{} dilemmas detected", outcome.dilemmas)));
    handle.shutdown().await;
}

#[test]
fn the_demo_command_falls_back_to_the_simulation() {
    let dir = empty_valuebench();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pluralis"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--patients",
            "2",
            "--no-serve",
        ])
        .env("PLURALIS_VALUEBENCH", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the demo did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("*** SIMULATION"), "{stdout}");
    assert!(stdout.contains("80 dilemmas detected"), "{stdout}");
    assert!(stdout.contains("0 failed"), "{stdout}");
    assert!(stdout.contains("SIMULATED physician panel"), "{stdout}");
}

/// The simulation's `/monitor` compares with the SIMULATED panel the ensemble was calibrated
/// to (its physicians' profiles fitted as `pluralis attribute` fits them), marked simulated;
/// never with the real physician reference under policies/.
#[tokio::test]
async fn the_sim_demo_monitor_uses_the_simulated_panel_as_reference() {
    use pluralis::attribution::{run_audit, AuditConfig, AuditData, MakerKind, PAPER_TEMPERATURE};
    use pluralis::monitor::online::reference::{Reference, DEFAULT_REFERENCE_FILE};
    empty_valuebench();
    let setup = demo::setup(None, "127.0.0.1:0").unwrap();
    let mut policy = Policy::from_toml_str(&setup.policy.toml).unwrap();
    let file = setup.data_dir.join(demo::SIM_REFERENCE_FILE);
    let monitor = policy.monitor.as_mut().unwrap();
    assert_eq!(monitor.reference_file.as_deref(), Some(file.as_path()));
    // A log of this test's own (the other test's server uses the setup's data_dir).
    let log_dir = tempfile::tempdir().unwrap();
    monitor.log.data_dir = log_dir.path().to_path_buf();
    let handle = pluralis::server::start(policy).await.unwrap();
    let state = handle.state().load().monitor.clone().unwrap().state();
    let shown = state.reference.clone().expect("a reference");

    // The simulated panel's own audit, computed here from the setup's experiment.
    let data = AuditData::from_experiment(&setup.experiment);
    let config = AuditConfig {
        temperature: PAPER_TEMPERATURE,
        bootstrap: 0,
    };
    let audit = run_audit(&data, &config, &mut rand::rngs::mock::StepRng::new(0, 0));
    let consensus = audit
        .makers
        .iter()
        .find(|m| m.kind == MakerKind::Consensus)
        .unwrap();
    assert!(shown.simulated);
    assert!(shown.source.contains("SIMULATED"), "{}", shown.source);
    assert_eq!(shown.physicians, 20);
    for i in 0..4 {
        assert!((shown.consensus_profile[i] - consensus.profile[i]).abs() < 1e-9);
        assert!((shown.physician_min[i] - audit.reference.min_share[i]).abs() < 1e-9);
        assert!((shown.physician_max[i] - audit.reference.max_share[i]).abs() < 1e-9);
    }
    let real = Reference::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_REFERENCE_FILE),
    )
    .unwrap();
    assert!(!real.simulated);
    assert!(
        (0..4).any(|i| (real.consensus_profile[i] - shown.consensus_profile[i]).abs() > 1e-3),
        "the simulated panel must not be the real physicians' reference"
    );
    // The JSON the dashboard reads says so too.
    let json =
        pluralis::monitor::dashboard::state_json(&handle.state().load().monitor.clone().unwrap());
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["reference"]["simulated"], true);
    handle.shutdown().await;
}
