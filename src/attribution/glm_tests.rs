//! Behaviour of the GLM on simulated and degenerate data.

// Index loops compare parallel arrays element by element.
#![allow(clippy::needless_range_loop)]

use super::glm::*;
use super::{lrt_uniform, softmax_profile};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Simulate `cases` dilemmas with random deltas in -2..=2 and `runs` Bernoulli draws each from
/// the logit model with weights `beta`.
fn simulate(rng: &mut impl Rng, beta: [f64; 4], cases: usize, runs: u32) -> Vec<GlmRow> {
    (0..cases)
        .map(|_| {
            let x: [f64; 4] = std::array::from_fn(|_| f64::from(rng.gen_range(-2i8..=2)));
            let eta: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let hits = (0..runs).filter(|_| rng.gen::<f64>() < p).count();
            GlmRow {
                x,
                y: hits as f64 / f64::from(runs),
                w: f64::from(runs),
            }
        })
        .collect()
}

#[test]
fn recovers_known_weights() {
    let truth = [0.8, 0.3, -0.4, 1.1];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let rows = simulate(&mut rng, truth, 4000, 10);
    let fit = fit_glm(&rows);
    assert_eq!(fit.status, FitStatus::Converged);
    for i in 0..4 {
        assert!((fit.beta[i] - truth[i]).abs() < 0.05, "{fit:?}");
        let se = fit.se[i].unwrap();
        assert!(se > 0.0);
        // statsmodels' freq-weighted sandwich uses the proportion's residual once per run, so
        // with 10 runs per case it is sqrt(10) too small; scaled back it covers the truth.
        assert!((fit.beta[i] - truth[i]).abs() < 4.0 * se * 10f64.sqrt());
    }
    assert!(fit.p_values[0].unwrap() < 1e-6);
}

#[test]
fn uniform_null_holds_for_equal_weights_and_fails_otherwise() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let equal = simulate(&mut rng, [0.5; 4], 3000, 5);
    let unequal = simulate(&mut rng, [1.2, 0.2, 0.2, 0.2], 3000, 5);
    let e = lrt_uniform(&equal).unwrap();
    let u = lrt_uniform(&unequal).unwrap();
    assert_eq!(e.df, 3);
    assert!(e.p_value > 0.001, "{e:?}");
    assert!(u.p_value < 1e-10, "{u:?}");
}

#[test]
fn all_one_choice_gives_zero_weights() {
    let rows: Vec<GlmRow> = (0..5)
        .map(|i| GlmRow {
            x: [1.0, f64::from(i), -1.0, 0.0],
            y: 1.0,
            w: 10.0,
        })
        .collect();
    let fit = fit_glm(&rows);
    assert_eq!(fit.status, FitStatus::OneChoice);
    assert_eq!(fit.beta, [0.0; 4]);
    assert_eq!(fit.se, [None; 4]);
    assert_eq!(softmax_profile(&fit.beta, 0.262), [0.25; 4]);
}

#[test]
fn no_rows_or_no_variation_is_no_data() {
    assert_eq!(fit_glm(&[]).status, FitStatus::NoData);
    let zero = [GlmRow {
        x: [0.0; 4],
        y: 0.5,
        w: 3.0,
    }];
    assert_eq!(fit_glm(&zero).status, FitStatus::NoData);
    let no_weight = [GlmRow {
        x: [1.0; 4],
        y: 0.5,
        w: 0.0,
    }];
    assert_eq!(fit_glm(&no_weight).status, FitStatus::NoData);
}

#[test]
fn separation_is_flagged_with_finite_values() {
    // choice_1 exactly when autonomy is promoted by it.
    let rows: Vec<GlmRow> = [1.0, -1.0, 2.0, -2.0, 1.0, -1.0]
        .iter()
        .enumerate()
        .map(|(i, a)| GlmRow {
            x: [*a, (i % 3) as f64 - 1.0, 0.5 * (i as f64 - 2.0), 0.0],
            y: if *a > 0.0 { 1.0 } else { 0.0 },
            w: 1.0,
        })
        .collect();
    let fit = fit_glm(&rows);
    assert_eq!(fit.status, FitStatus::Separated);
    assert!(fit.beta.iter().all(|b| b.is_finite()));
    assert!(fit.beta[0] > 1.0, "{fit:?}");
    assert!(fit.log_likelihood.is_finite());
    assert_eq!(fit.se, [None; 4]);
}

#[test]
fn constant_feature_is_not_estimable_but_others_are() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut rows = simulate(&mut rng, [0.6, -0.2, 0.4, 0.0], 500, 10);
    for r in &mut rows {
        r.x[3] = 0.0;
    }
    let fit = fit_glm(&rows);
    assert_eq!(fit.status, FitStatus::Converged);
    assert_eq!(fit.estimable, [true, true, true, false]);
    assert_eq!(fit.beta[3], 0.0);
    assert_eq!(fit.se[3], None);
    assert!(fit.se[0].is_some());
}

#[test]
fn collinear_features_are_flagged() {
    let rows: Vec<GlmRow> = (0..6)
        .map(|i| {
            let a = f64::from(i) - 2.0;
            GlmRow {
                x: [a, a, 1.0, 0.0],
                y: if i % 2 == 0 { 0.3 } else { 0.6 },
                w: 4.0,
            }
        })
        .collect();
    let fit = fit_glm(&rows);
    assert_eq!(fit.status, FitStatus::Collinear);
    assert_eq!(fit.beta, [0.0; 4]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn never_nan_or_panic(rows in proptest::collection::vec(
        (proptest::array::uniform4(-2i8..=2), 0.0f64..=1.0, 0u32..12), 0..12)) {
        let rows: Vec<GlmRow> = rows
            .into_iter()
            .map(|(x, y, w)| GlmRow { x: x.map(f64::from), y, w: f64::from(w) })
            .collect();
        let fit = fit_glm(&rows);
        prop_assert!(fit.beta.iter().all(|b| b.is_finite()));
        prop_assert!(fit.log_likelihood.is_finite());
        prop_assert!(fit.se.iter().flatten().all(|s| s.is_finite() && *s > 0.0));
        prop_assert!(fit.p_values.iter().flatten().all(|p| (0.0..=1.0).contains(p)));
        let p = softmax_profile(&fit.beta, 0.262);
        prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        if let Some(l) = lrt_uniform(&rows) {
            prop_assert!(l.statistic.is_finite() && (0.0..=1.0).contains(&l.p_value));
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn recovers_weights_from_any_seed(seed in any::<u64>()) {
        let truth = [0.7, -0.3, 0.2, 0.5];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let fit = fit_glm(&simulate(&mut rng, truth, 1500, 10));
        prop_assert_eq!(fit.status, FitStatus::Converged);
        for i in 0..4 {
            prop_assert!((fit.beta[i] - truth[i]).abs() < 0.15, "{:?}", fit);
        }
    }
}

#[test]
fn warm_started_refit_reaches_the_same_optimum() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let rows = simulate(&mut rng, [0.9, -0.4, 0.3, 0.6], 300, 10);
    let full = fit_glm(&rows);
    for start in [[0.0; 4], full.beta, [3.0, -3.0, 2.0, -2.0]] {
        let (beta, status) = refit_beta(&rows, start);
        assert_eq!(status, FitStatus::Converged);
        for i in 0..4 {
            assert!(
                (beta[i] - full.beta[i]).abs() < 1e-7,
                "{beta:?} vs {:?}",
                full.beta
            );
        }
    }
    let separated = [
        GlmRow {
            x: [1.0, 0.0, 0.0, 0.0],
            y: 1.0,
            w: 3.0,
        },
        GlmRow {
            x: [-1.0, 1.0, 0.0, 0.0],
            y: 0.0,
            w: 3.0,
        },
        GlmRow {
            x: [0.0, 1.0, 0.0, 0.0],
            y: 0.5,
            w: 2.0,
        },
    ];
    let (beta, status) = refit_beta(&separated, [0.5; 4]);
    assert_eq!(status, FitStatus::Separated);
    assert!(beta.iter().all(|b| b.is_finite()));
}
