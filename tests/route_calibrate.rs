//! Calibration on the shared ValueBench data (skipped when the folder is absent).

use pluralis::route::calibrate::{calibrate, CalibrateOptions};
use pluralis::route::mixture::CaseTable;
use pluralis::valuebench::{read_experiment, shared_dir, MAIN_EXPERIMENT};

#[test]
fn calibrated_mixture_is_closer_to_physicians_than_any_single_model() {
    let Some(root) = shared_dir() else {
        eprintln!("skipped: no shared ValueBench folder");
        return;
    };
    let experiment = read_experiment(&root, MAIN_EXPERIMENT).unwrap();
    let table = CaseTable::from_experiment(&experiment, None);
    assert!(table.n_cases() >= 40 && table.members.len() >= 10);
    let cal = calibrate(&table, CalibrateOptions { folds: 5, seed: 0 });
    assert!(
        cal.heldout_calibrated < cal.heldout_best_single,
        "calibrated {} vs best single {}",
        cal.heldout_calibrated,
        cal.heldout_best_single
    );
    assert!(cal.heldout_calibrated <= cal.heldout_uniform + 1e-3);
    // The mixture is more diverse per case than the best single model.
    let best = table
        .members
        .iter()
        .position(|m| *m == cal.best_single.0)
        .unwrap();
    let mut one_hot = vec![0.0; table.members.len()];
    one_hot[best] = 1.0;
    let all: Vec<usize> = (0..table.n_cases()).collect();
    let single = table.score(&one_hot, &all).mean_entropy_bits;
    assert!(
        cal.entropy_calibrated > single,
        "{} vs {single}",
        cal.entropy_calibrated
    );
}
