//! The demo's embedded policy and driver against the real proxy (skipped without shared data).

use pluralis::config::Policy;
use pluralis::demo;
use pluralis::valuebench::{read_experiment, shared_dir, MAIN_EXPERIMENT};

#[tokio::test]
async fn demo_policy_serves_and_the_driver_tallies_decisions() {
    let Some(dir) = shared_dir() else {
        eprintln!("skipped: no shared ValueBench folder");
        return;
    };
    let built = demo::replay_policy(&dir, "127.0.0.1:0").unwrap();
    assert!((built.weights.iter().sum::<f64>() - 1.0).abs() < 1e-6);
    assert!(built.members.iter().any(|m| m.ends_with("+autonomy")));
    let policy = Policy::from_toml_str(&built.toml).unwrap();
    let experiment = read_experiment(&dir, MAIN_EXPERIMENT).unwrap();
    let handle = pluralis::server::start(policy).await.unwrap();

    let mut requests = demo::dilemma_requests(&experiment, demo::DEMO_ENSEMBLE, 2);
    let n_dilemmas = requests.len();
    assert_eq!(
        n_dilemmas,
        2 * experiment
            .cases
            .iter()
            .filter(|c| c.has_physicians())
            .count()
    );
    requests.extend(demo::ordinary_requests(demo::DEMO_ENSEMBLE, 4));
    let mut last = (0, 0);
    let report = demo::drive(handle.local_addr(), requests, 8, |d, t| last = (d, t)).await;
    assert_eq!(last, (n_dilemmas + 4, n_dilemmas + 4));
    assert_eq!(report.failed, 0);
    assert_eq!(report.ordinary_ok, 4);
    assert_eq!(report.dilemmas_detected as usize, n_dilemmas);
    assert!(
        report
            .members
            .get(&built.default_member)
            .copied()
            .unwrap_or(0)
            >= 4
    );
    let counted: u64 = report.counts.values().map(|c| c.0 + c.1 + c.2).sum();
    assert_eq!(counted as usize, n_dilemmas);
    let spread = demo::spread(&experiment, &report.case_counts(experiment.cases.len()));
    assert!(spread.cases >= 40 && spread.mean_jsd.is_finite());
    let physicians = demo::physician_spread(&experiment);
    assert!(physicians.mean_jsd.abs() < 1e-12);
    handle.shutdown().await;
}
