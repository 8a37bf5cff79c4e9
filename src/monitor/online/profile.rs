//! Value profiles from sufficient statistics: the paper's GLM fitted on one row per value-delta
//! pattern. Grouping decisions by pattern gives the same likelihood, hence the same estimate, as
//! one row per case, because the model's prediction depends on the pattern alone.

use crate::attribution::glm::fit_coefficients;
use crate::attribution::{rows_from_counts, softmax_profile, FitStatus, PatternCounts};
use crate::monitor::stats::{Pattern, Tally};
use rand::Rng;
use serde::Serialize;
use statrs::distribution::Poisson;

/// A profile with its evidence and, when asked for, bootstrap intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileEstimate {
    /// Tagged, valid decisions the fit used.
    pub decisions: u64,
    /// Distinct value-delta patterns seen.
    pub patterns: usize,
    pub beta: [f64; 4],
    /// softmax(beta / T), in `Value::ALL` order.
    pub profile: [f64; 4],
    /// How the fit ended (separation and one-sided data are common on small windows).
    pub status: FitStatus,
    /// 95% percentile interval of each share over Poisson bootstrap draws, `[low, high]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<[[f64; 2]; 4]>,
}

fn pattern_counts(counts: &[(Pattern, [u64; 2])]) -> Vec<PatternCounts> {
    counts
        .iter()
        .map(|(deltas, c)| PatternCounts {
            deltas: *deltas,
            choice_1: c[0],
            choice_2: c[1],
        })
        .collect()
}

/// The paper's GLM on one row per pattern: coefficients and whether they converged.
fn fit_beta(counts: &[(Pattern, [u64; 2])]) -> ([f64; 4], FitStatus) {
    let fit = fit_coefficients(&rows_from_counts(&pattern_counts(counts)));
    (fit.beta, fit.status)
}

fn valid_counts(tally: &Tally) -> Vec<(Pattern, [u64; 2])> {
    let mut out: Vec<(Pattern, [u64; 2])> = tally
        .by_pattern
        .iter()
        .map(|(p, c)| (*p, [c[0], c[1]]))
        .filter(|(_, c)| c[0] + c[1] > 0)
        .collect();
    out.sort();
    out
}

/// Fits a profile; `None` without tagged valid decisions.
pub fn estimate(
    tally: &Tally,
    temperature: f64,
    bootstrap_draws: usize,
    rng: &mut impl Rng,
) -> Option<ProfileEstimate> {
    let counts = valid_counts(tally);
    if counts.is_empty() {
        return None;
    }
    let (beta, status) = fit_beta(&counts);
    let profile = softmax_profile(&beta, temperature);
    let interval = (bootstrap_draws > 0)
        .then(|| bootstrap(&counts, temperature, bootstrap_draws, rng))
        .flatten();
    Some(ProfileEstimate {
        decisions: counts.iter().map(|(_, c)| c[0] + c[1]).sum(),
        patterns: counts.len(),
        beta,
        profile,
        status,
        interval,
    })
}

/// Poisson bootstrap: each decision gets a Poisson(1) weight, so each count n is redrawn as
/// Poisson(n). Works on counts alone (no per-decision storage) and parallels resampling
/// decisions with replacement.
fn bootstrap(
    counts: &[(Pattern, [u64; 2])],
    temperature: f64,
    draws: usize,
    rng: &mut impl Rng,
) -> Option<[[f64; 2]; 4]> {
    let mut shares: [Vec<f64>; 4] = Default::default();
    for _ in 0..draws {
        let resampled: Vec<(Pattern, [u64; 2])> = counts
            .iter()
            .map(|(p, c)| (*p, c.map(|n| poisson(n, rng))))
            .collect();
        let (beta, _) = fit_beta(&resampled);
        let profile = softmax_profile(&beta, temperature);
        for (s, v) in shares.iter_mut().zip(profile) {
            s.push(v);
        }
    }
    let mut out = [[0.0; 2]; 4];
    for (o, s) in out.iter_mut().zip(shares.iter_mut()) {
        s.sort_by(f64::total_cmp);
        *o = [percentile(s, 0.025)?, percentile(s, 0.975)?];
    }
    Some(out)
}

fn poisson(n: u64, rng: &mut impl Rng) -> u64 {
    if n == 0 {
        return 0;
    }
    match Poisson::new(n as f64) {
        Ok(dist) => rng.sample::<f64, _>(dist) as u64,
        Err(_) => n,
    }
}

/// Linear-interpolated percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q.clamp(0.0, 1.0) * last as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::stats::Tally;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Decisions simulated from known weights by the GLM itself (patterns chosen so beta is
    /// identified: not all of them sum to zero).
    fn simulated_tally(beta: [f64; 4], per_pattern: u64, rng: &mut ChaCha8Rng) -> Tally {
        let mut tally = Tally::default();
        let patterns: [Pattern; 6] = [
            [1, -1, 0, 0],
            [1, 0, 0, 0],
            [0, 1, -1, 0],
            [0, 0, 1, -1],
            [2, -1, -1, 0],
            [0, 0, 0, 1],
        ];
        for p in patterns {
            let eta: f64 = (0..4).map(|i| f64::from(p[i]) * beta[i]).sum();
            let prob = 1.0 / (1.0 + (-eta).exp());
            let mut c = [0u64; 3];
            for _ in 0..per_pattern {
                if rng.gen::<f64>() < prob {
                    c[0] += 1
                } else {
                    c[1] += 1
                }
            }
            tally.by_pattern.insert(p, c);
        }
        tally
    }

    #[test]
    fn recovers_known_weights_and_brackets_them() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let truth = [0.8, 0.3, -0.2, 0.1];
        let tally = simulated_tally(truth, 4000, &mut rng);
        let est = estimate(&tally, 0.262, 200, &mut rng).unwrap();
        assert_eq!(est.status, FitStatus::Converged);
        for (b, t) in est.beta.iter().zip(truth) {
            assert!((b - t).abs() < 0.1, "beta {b} vs {t}");
        }
        let true_profile = softmax_profile(&truth, 0.262);
        let interval = est.interval.unwrap();
        for i in 0..4 {
            assert!(interval[i][0] <= est.profile[i] && est.profile[i] <= interval[i][1]);
            assert!(
                interval[i][0] - 0.05 <= true_profile[i]
                    && true_profile[i] <= interval[i][1] + 0.05
            );
        }
        assert!((est.profile.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn refusals_and_untagged_do_not_count_and_empty_is_none() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut tally = Tally::default();
        tally.by_pattern.insert([1, 0, 0, 0], [0, 0, 5]);
        assert!(estimate(&tally, 0.262, 0, &mut rng).is_none());
        tally.by_pattern.insert([1, -1, 0, 0], [3, 0, 0]);
        let est = estimate(&tally, 0.262, 10, &mut rng).unwrap();
        assert_eq!(est.decisions, 3);
        assert!(est.profile.iter().all(|p| p.is_finite()));
    }

    #[test]
    fn same_counts_same_fit() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let tally = simulated_tally([0.5, 0.0, 0.2, -0.3], 100, &mut rng);
        let a = estimate(&tally, 0.262, 0, &mut rng).unwrap();
        let b = estimate(&tally.clone(), 0.262, 0, &mut rng).unwrap();
        assert_eq!(a, b);
    }
}
