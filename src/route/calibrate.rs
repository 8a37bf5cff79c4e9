//! Fitting distributional routing weights to a physician panel.
//!
//! Objective: the mean per-case JSD between the mixture's choice rates and the panel's
//! ([`CaseTable::score`]). Weights live on the simplex and are fitted by exponentiated gradient
//! descent (multiplicative updates keep them positive and summing to one) with an adaptive step.
//! Fitted weights are shrunk toward uniform, `w = (1 - s) * fit + s * uniform`, and the shrinkage
//! s is chosen by K-fold cross-validation across cases, so the weights generalise to dilemmas
//! the panel never saw. Reported held-out figures use nested cross-validation: the shrinkage for
//! each outer fold is chosen on that fold's training cases only.

use crate::route::mixture::CaseTable;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Shrinkage values tried by cross-validation.
pub const SHRINKAGE_GRID: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
/// Iteration budget of one fit; each iteration is one pass over members and cases.
const MAX_ITERATIONS: usize = 2_000;
/// Rates are clamped this far from 0 and 1 where the JSD gradient is infinite.
const RATE_EPSILON: f64 = 1e-6;

/// Settings of a calibration run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrateOptions {
    /// Number of cross-validation folds (clamped to [2, number of cases]).
    pub folds: usize,
    /// Seed of the case shuffle that assigns folds.
    pub seed: u64,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions { folds: 5, seed: 0 }
    }
}

/// What calibration found.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub members: Vec<String>,
    /// Final weights (fitted on every case, shrunk by `shrinkage`), summing to 1.
    pub weights: Vec<f64>,
    /// Shrinkage toward uniform chosen by cross-validation on every case.
    pub shrinkage: f64,
    /// Held-out mean per-case JSD (nested CV) of the calibrated mixture.
    pub heldout_calibrated: f64,
    /// Mean per-case JSD of the uniform mixture (nothing is fitted, so held-out = in-sample).
    pub heldout_uniform: f64,
    /// Held-out JSD of the single member that was best on each fold's training cases.
    pub heldout_best_single: f64,
    /// The single member best on every case (in-sample) and its in-sample JSD.
    pub best_single: (String, f64),
    /// In-sample mean per-case entropy (bits) of the final mixture, the uniform one, and the panel.
    pub entropy_calibrated: f64,
    pub entropy_uniform: f64,
    pub entropy_reference: f64,
    pub folds: usize,
    pub cases: usize,
}

/// Fit weights on every case of `table`, with CV-chosen shrinkage and nested-CV held-out figures.
pub fn calibrate(table: &CaseTable, options: CalibrateOptions) -> Calibration {
    let all: Vec<usize> = (0..table.n_cases()).collect();
    let folds = options.folds.clamp(2, all.len().max(2));
    let assignment = fold_assignment(all.len(), folds, options.seed);
    let uniform = uniform_weights(table.members.len());

    let (mut cal_sum, mut single_sum, mut held_n) = (0.0, 0.0, 0usize);
    for fold in 0..folds {
        let (train, test) = split(&all, &assignment, fold);
        if train.is_empty() || test.is_empty() {
            continue;
        }
        let inner = fold_assignment(train.len(), folds, options.seed ^ (fold as u64 + 1));
        let s = choose_shrinkage(table, &train, &inner, folds);
        let w = shrink(&fit_weights(table, &train), s);
        let n = test.len() as f64;
        cal_sum += table.score(&w, &test).mean_jsd * n;
        let (best, _) = best_single(table, &train);
        single_sum += table
            .score(&one_hot(table.members.len(), best), &test)
            .mean_jsd
            * n;
        held_n += test.len();
    }

    let shrinkage = choose_shrinkage(table, &all, &assignment, folds);
    let weights = shrink(&fit_weights(table, &all), shrinkage);
    let (best, best_jsd) = best_single(table, &all);
    let held = held_n.max(1) as f64;
    Calibration {
        members: table.members.clone(),
        shrinkage,
        heldout_calibrated: cal_sum / held,
        heldout_uniform: table.score(&uniform, &all).mean_jsd,
        heldout_best_single: single_sum / held,
        best_single: (
            table.members.get(best).cloned().unwrap_or_default(),
            best_jsd,
        ),
        entropy_calibrated: table.score(&weights, &all).mean_entropy_bits,
        entropy_uniform: table.score(&uniform, &all).mean_entropy_bits,
        entropy_reference: table.reference_entropy(),
        weights,
        folds,
        cases: all.len(),
    }
}

/// Weights minimising the mean per-case JSD on `cases` (no shrinkage).
pub fn fit_weights(table: &CaseTable, cases: &[usize]) -> Vec<f64> {
    let k = table.members.len();
    let mut w = uniform_weights(k);
    if k < 2 || cases.is_empty() {
        return w;
    }
    let mut loss = table.score(&w, cases).mean_jsd;
    let mut step = 1.0;
    for _ in 0..MAX_ITERATIONS {
        let g = gradient(table, &w, cases);
        let scale = g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        if scale <= 1e-12 || !scale.is_finite() {
            break;
        }
        let mut next: Vec<f64> = w
            .iter()
            .zip(&g)
            .map(|(wi, gi)| wi * (-step * gi / scale).exp())
            .collect();
        normalise(&mut next);
        let next_loss = table.score(&next, cases).mean_jsd;
        if next_loss < loss {
            w = next;
            loss = next_loss;
            step *= 1.2;
        } else {
            step *= 0.5;
            if step < 1e-9 {
                break;
            }
        }
    }
    w
}

/// d(mean JSD)/d(w_m), treating w as free positive numbers (the rate is scale-invariant in w).
fn gradient(table: &CaseTable, w: &[f64], cases: &[usize]) -> Vec<f64> {
    let mut g = vec![0.0; w.len()];
    let mut n = 0usize;
    for &c in cases {
        let Some(q) = table.reference_rate(c) else {
            continue;
        };
        let (mut num, mut den) = (0.0, 0.0);
        for (m, &wm) in w.iter().enumerate() {
            if let Some((a, b)) = table.fractions(m, c) {
                num += wm * a;
                den += wm * b;
            }
        }
        if den <= 0.0 {
            continue;
        }
        n += 1;
        let r = (num / den).clamp(RATE_EPSILON, 1.0 - RATE_EPSILON);
        let d_rate = jsd_slope(r, q);
        for (m, gm) in g.iter_mut().enumerate() {
            if let Some((a, b)) = table.fractions(m, c) {
                *gm += d_rate * (a * den - num * b) / (den * den);
            }
        }
    }
    if n > 0 {
        g.iter_mut().for_each(|x| *x /= n as f64);
    }
    g
}

/// d JSD((r, 1-r), (q, 1-q)) / dr = (h'(m) - h'(r)) / 2 with h' (x) = log2((1 - x) / x).
fn jsd_slope(r: f64, q: f64) -> f64 {
    let m = 0.5 * (r + q);
    let h = |x: f64| ((1.0 - x) / x).log2();
    0.5 * (h(m) - h(r))
}

/// The shrinkage whose fitted-and-shrunk weights give the lowest held-out JSD across folds.
fn choose_shrinkage(table: &CaseTable, cases: &[usize], assignment: &[usize], folds: usize) -> f64 {
    let mut totals = [0.0; SHRINKAGE_GRID.len()];
    for fold in 0..folds {
        let (train, test) = split(cases, assignment, fold);
        if train.is_empty() || test.is_empty() {
            continue;
        }
        let fit = fit_weights(table, &train);
        for (total, &s) in totals.iter_mut().zip(&SHRINKAGE_GRID) {
            let score = table.score(&shrink(&fit, s), &test);
            if score.cases > 0 {
                *total += score.mean_jsd * score.cases as f64;
            }
        }
    }
    // Ties go to the larger shrinkage: fewer effective parameters for the same error.
    let mut best = SHRINKAGE_GRID.len() - 1;
    for i in (0..SHRINKAGE_GRID.len()).rev() {
        if totals[i] < totals[best] - 1e-12 {
            best = i;
        }
    }
    SHRINKAGE_GRID[best]
}

/// Index of the member with the lowest mean JSD on `cases`, and that JSD.
fn best_single(table: &CaseTable, cases: &[usize]) -> (usize, f64) {
    (0..table.members.len())
        .map(|m| {
            let s = table.score(&one_hot(table.members.len(), m), cases);
            (
                m,
                if s.cases == 0 {
                    f64::INFINITY
                } else {
                    s.mean_jsd
                },
            )
        })
        .fold((0, f64::INFINITY), |b, x| if x.1 < b.1 { x } else { b })
}

/// `positions` of a shuffled 0..n get fold `position % folds`; returns the fold of each index.
fn fold_assignment(n: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut fold_of = vec![0; n];
    for (pos, idx) in order.into_iter().enumerate() {
        fold_of[idx] = pos % folds.max(1);
    }
    fold_of
}

/// (train, test) case lists for one fold; `assignment[i]` is the fold of `cases[i]`.
fn split(cases: &[usize], assignment: &[usize], fold: usize) -> (Vec<usize>, Vec<usize>) {
    let (test, train): (Vec<_>, Vec<_>) =
        cases.iter().zip(assignment).partition(|(_, &f)| f == fold);
    (
        train.into_iter().map(|(c, _)| *c).collect(),
        test.into_iter().map(|(c, _)| *c).collect(),
    )
}

pub fn shrink(w: &[f64], s: f64) -> Vec<f64> {
    let u = 1.0 / w.len().max(1) as f64;
    w.iter().map(|x| (1.0 - s) * x + s * u).collect()
}

fn uniform_weights(k: usize) -> Vec<f64> {
    vec![1.0 / k.max(1) as f64; k]
}

fn one_hot(k: usize, i: usize) -> Vec<f64> {
    let mut w = vec![0.0; k];
    if let Some(x) = w.get_mut(i) {
        *x = 1.0;
    }
    w
}

fn normalise(w: &mut [f64]) {
    let total: f64 = w.iter().sum();
    if total > 0.0 && total.is_finite() {
        w.iter_mut().for_each(|x| *x /= total);
    }
}

/// Move `weights` toward member `toward` (`w(t) = (1 - t) w + t e_toward`) just far enough that
/// the mixture's profile share of `value` reaches `target`, by bisection on t (the share grows
/// with the weight of a member steered toward that value). Returns the weights and the share
/// reached, or None when no profile can be fitted. When even t = 1 falls short, returns t = 1.
pub fn steer_share(
    table: &CaseTable,
    weights: &[f64],
    toward: usize,
    value: crate::values::Value,
    target: f64,
) -> Option<(Vec<f64>, f64)> {
    let at = |t: f64| -> Vec<f64> {
        weights
            .iter()
            .enumerate()
            .map(|(m, w)| (1.0 - t) * w + if m == toward { t } else { 0.0 })
            .collect()
    };
    let share = |w: &[f64]| table.mixture_profile(w).map(|p| p[value.index()]);
    let start = share(weights)?;
    if start >= target {
        return Some((weights.to_vec(), start));
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    let full = at(1.0);
    if share(&full)? < target {
        let s = share(&full)?;
        return Some((full, s));
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if share(&at(mid))? < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let w = at(hi);
    let s = share(&w)?;
    Some((w, s))
}

/// Mean per-case JSD of one member alone (a convenience for reports).
pub fn single_member_jsd(table: &CaseTable, member: usize) -> f64 {
    let cases: Vec<usize> = (0..table.n_cases()).collect();
    let mut w = vec![0.0; table.members.len()];
    if let Some(x) = w.get_mut(member) {
        *x = 1.0;
    }
    table.score(&w, &cases).mean_jsd
}

#[cfg(test)]
#[path = "calibrate_tests.rs"]
mod tests;
