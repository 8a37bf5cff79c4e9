use super::*;
use crate::route::mixture::bernoulli_jsd;
use rand::Rng;

fn numeric_slope(r: f64, q: f64) -> f64 {
    let h = 1e-6;
    (bernoulli_jsd(r + h, q) - bernoulli_jsd(r - h, q)) / (2.0 * h)
}

/// Members with near-deterministic stances on synthetic cases; the panel is a known mixture.
fn synthetic(true_weights: &[f64], n_cases: usize, seed: u64) -> CaseTable {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = true_weights.len();
    let mut counts = vec![Vec::new(); k];
    let mut reference = Vec::new();
    for _ in 0..n_cases {
        let mut rate = 0.0;
        for (m, row) in counts.iter_mut().enumerate() {
            let c1: u32 = if rng.gen_bool(0.5) {
                rng.gen_range(8..=10)
            } else {
                rng.gen_range(0..=2)
            };
            row.push([c1, 10 - c1, 0]);
            rate += true_weights[m] * c1 as f64 / 10.0;
        }
        let votes = (rate * 1000.0).round() as u32;
        reference.push([votes, 1000 - votes, 0]);
    }
    CaseTable {
        case_ids: (0..n_cases).map(|i| format!("case-{i}")).collect(),
        members: (0..k).map(|i| format!("m{i}")).collect(),
        counts,
        reference,
        deltas: vec![[1, -1, 0, 0]; n_cases],
    }
}

#[test]
fn jsd_slope_matches_finite_difference() {
    for &(r, q) in &[(0.2, 0.7), (0.5, 0.5), (0.9, 0.1), (0.05, 0.6)] {
        let (a, b) = (jsd_slope(r, q), numeric_slope(r, q));
        assert!((a - b).abs() < 1e-5, "r={r} q={q}: {a} vs {b}");
    }
}

#[test]
fn fit_recovers_a_known_mixture() {
    let truth = [0.6, 0.3, 0.1, 0.0];
    let table = synthetic(&truth, 60, 1);
    let cases: Vec<usize> = (0..60).collect();
    let w = fit_weights(&table, &cases);
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let fitted = table.score(&w, &cases).mean_jsd;
    let uniform = table.score(&[0.25; 4], &cases).mean_jsd;
    assert!(fitted < 1e-3, "fitted JSD {fitted}");
    assert!(fitted < uniform / 10.0, "{fitted} vs uniform {uniform}");
    for (got, want) in w.iter().zip(truth) {
        assert!((got - want).abs() < 0.05, "{w:?} vs {truth:?}");
    }
}

#[test]
fn calibration_beats_uniform_and_single_members_held_out() {
    let table = synthetic(&[0.5, 0.4, 0.1, 0.0, 0.0], 50, 2);
    let cal = calibrate(&table, CalibrateOptions { folds: 5, seed: 3 });
    assert_eq!(cal.cases, 50);
    assert!(cal.heldout_calibrated < cal.heldout_uniform);
    assert!(cal.heldout_calibrated < cal.heldout_best_single);
    assert!(SHRINKAGE_GRID.contains(&cal.shrinkage));
    assert!(
        cal.shrinkage <= 0.5,
        "a true mixture needs little shrinkage"
    );
    assert!((cal.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(cal.entropy_calibrated > 0.0);
}

#[test]
fn calibration_is_reproducible_for_a_seed() {
    let table = synthetic(&[0.3, 0.3, 0.4], 30, 4);
    let opts = CalibrateOptions { folds: 3, seed: 9 };
    assert_eq!(calibrate(&table, opts), calibrate(&table, opts));
}

#[test]
fn degenerate_tables_do_not_panic() {
    let empty = CaseTable::default();
    let cal = calibrate(&empty, CalibrateOptions::default());
    assert!(cal.weights.is_empty());
    let one = synthetic(&[1.0], 3, 5);
    let cal = calibrate(&one, CalibrateOptions::default());
    assert_eq!(cal.weights, vec![1.0]);
}

#[test]
fn folds_partition_the_cases() {
    let a = fold_assignment(23, 4, 1);
    for f in 0..4 {
        let n = a.iter().filter(|&&x| x == f).count();
        assert!((5..=6).contains(&n));
    }
    let cases: Vec<usize> = (0..23).collect();
    let (train, test) = split(&cases, &a, 2);
    assert_eq!(train.len() + test.len(), 23);
    assert!(test.iter().all(|c| !train.contains(c)));
}

#[test]
fn steer_share_reaches_the_target_share() {
    use crate::values::Value;
    // Member 0 always picks the autonomy-promoting option, member 1 never does.
    let n = 20;
    let mut deltas = Vec::new();
    for i in 0..n {
        deltas.push(match i % 4 {
            0 => [1, -1, 0, 0],
            1 => [-1, 0, 1, 0],
            2 => [1, 0, 0, -1],
            _ => [0, 1, -1, 1],
        });
    }
    let pro = |d: &[i8; 4]| if d[0] >= 0 { [9, 1, 0] } else { [1, 9, 0] };
    let anti = |d: &[i8; 4]| if d[0] > 0 { [2, 8, 0] } else { [7, 3, 0] };
    let table = CaseTable {
        case_ids: (0..n).map(|i| i.to_string()).collect(),
        members: vec!["steered".into(), "plain".into()],
        counts: vec![
            deltas.iter().map(pro).collect(),
            deltas.iter().map(anti).collect(),
        ],
        reference: deltas.iter().map(|_| [5, 5, 0]).collect(),
        deltas,
    };
    let start = [0.0, 1.0];
    let base = table.mixture_profile(&start).unwrap()[0];
    let target = base + 0.2;
    let (w, share) = steer_share(&table, &start, 0, Value::Autonomy, target).unwrap();
    assert!((share - target).abs() < 1e-6, "{share} vs {target}");
    assert!(w[0] > 0.0 && w[0] < 1.0);
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // Already above target: unchanged.
    let (w2, _) = steer_share(&table, &start, 0, Value::Autonomy, base - 0.1).unwrap();
    assert_eq!(w2, start.to_vec());
}
