//! The decision spread of a weighted mixture of members, case by case, against a reference panel.
//!
//! A deployment that routes each patient to member m with probability w_m, and whose member
//! answers case c with choice_1 in a fraction a_mc of its runs and with a valid (non-refusal)
//! answer in a fraction b_mc, recommends choice_1 among its valid answers at the rate
//! `sum_m w_m a_mc / sum_m w_m b_mc`. That is what a physician panel's rate is compared with.
//! Pure functions; the tables come from recorded decisions (see [`CaseTable::from_experiment`]).

use crate::attribution::{fit_glm, softmax_profile, GlmRow, PAPER_TEMPERATURE};
use crate::valuebench::{is_physician, Experiment};

/// Recorded (choice_1, choice_2, refusal) counts per member and case, and the reference panel's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseTable {
    pub case_ids: Vec<String>,
    pub members: Vec<String>,
    /// `counts[member][case]`.
    pub counts: Vec<Vec<[u32; 3]>>,
    /// The reference panel's pooled counts per case.
    pub reference: Vec<[u32; 3]>,
    /// The paper's value-alignment deltas per case (empty when unknown).
    pub deltas: Vec<[i8; 4]>,
}

impl CaseTable {
    /// Cases of `experiment` that have physician votes; every non-physician maker (or only the
    /// named `members`) becomes a member.
    pub fn from_experiment(experiment: &Experiment, members: Option<&[String]>) -> CaseTable {
        let cases: Vec<_> = experiment
            .cases
            .iter()
            .filter(|c| c.has_physicians())
            .collect();
        let members: Vec<String> = match members {
            Some(m) => m.to_vec(),
            None => experiment
                .makers()
                .into_iter()
                .filter(|m| !is_physician(m))
                .collect(),
        };
        let counts = members
            .iter()
            .map(|m| {
                cases
                    .iter()
                    .map(|c| {
                        let (a, b, r) = c.counts(m);
                        [a, b, r]
                    })
                    .collect()
            })
            .collect();
        CaseTable {
            case_ids: cases.iter().map(|c| c.case_id.clone()).collect(),
            members,
            counts,
            reference: cases
                .iter()
                .map(|c| {
                    let (a, b, r) = c.physician_counts();
                    [a, b, r]
                })
                .collect(),
            deltas: cases.iter().map(|c| c.case.deltas()).collect(),
        }
    }

    /// Add a member whose decisions come from another experiment (e.g. steered runs), matched
    /// by case id; cases it lacks get zero counts (it then contributes nothing there).
    pub fn add_member(&mut self, name: String, experiment: &Experiment, maker: &str) {
        let row = self
            .case_ids
            .iter()
            .map(|id| {
                experiment.case(id).map_or([0, 0, 0], |c| {
                    let (a, b, r) = c.counts(maker);
                    [a, b, r]
                })
            })
            .collect();
        self.members.push(name);
        self.counts.push(row);
    }

    pub fn n_cases(&self) -> usize {
        self.case_ids.len()
    }

    /// The reference panel's choice_1 rate among valid votes per case (None: no valid votes).
    pub fn reference_rate(&self, case: usize) -> Option<f64> {
        valid_rate(self.reference[case])
    }

    /// Per-member fractions (a, b) on a case: choice_1 share and valid share of all its runs.
    pub fn fractions(&self, member: usize, case: usize) -> Option<(f64, f64)> {
        let [a, b, r] = self.counts[member][case];
        let n = a + b + r;
        (n > 0).then(|| (a as f64 / n as f64, (a + b) as f64 / n as f64))
    }

    /// The mixture's choice_1 rate among valid answers on a case (None: no valid answer possible).
    pub fn mixture_rate(&self, weights: &[f64], case: usize) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for (m, &w) in weights.iter().enumerate() {
            if let Some((a, b)) = self.fractions(m, case) {
                num += w * a;
                den += w * b;
            }
        }
        (den > 0.0).then(|| (num / den).clamp(0.0, 1.0))
    }

    /// Mean per-case JSD (bits) between mixture and reference over `cases` where both are
    /// defined, and the mean per-case decision entropy (bits) of the mixture on those cases.
    pub fn score(&self, weights: &[f64], cases: &[usize]) -> MixtureScore {
        let (mut jsd, mut entropy, mut n) = (0.0, 0.0, 0usize);
        for &c in cases {
            if let (Some(p), Some(q)) = (self.mixture_rate(weights, c), self.reference_rate(c)) {
                jsd += bernoulli_jsd(p, q);
                entropy += binary_entropy(p);
                n += 1;
            }
        }
        let mean = |x: f64| if n == 0 { f64::NAN } else { x / n as f64 };
        MixtureScore {
            mean_jsd: mean(jsd),
            mean_entropy_bits: mean(entropy),
            cases: n,
        }
    }

    /// The paper's value profile (softmax(beta / 0.262) of the no-intercept GLM) of the
    /// mixture's per-case rates, each case weighted by the mixture's valid-answer share.
    pub fn mixture_profile(&self, weights: &[f64]) -> Option<[f64; 4]> {
        let rows = (0..self.n_cases()).filter_map(|c| {
            let den: f64 = weights
                .iter()
                .enumerate()
                .filter_map(|(m, w)| self.fractions(m, c).map(|(_, b)| w * b))
                .sum();
            Some(GlmRow {
                x: self.deltas.get(c)?.map(f64::from),
                y: self.mixture_rate(weights, c)?,
                w: den,
            })
        });
        profile(rows.collect())
    }

    /// The reference panel's value profile (pooled votes per case).
    pub fn reference_profile(&self) -> Option<[f64; 4]> {
        let rows = (0..self.n_cases()).filter_map(|c| {
            let [a, b, _] = self.reference[c];
            Some(GlmRow {
                x: self.deltas.get(c)?.map(f64::from),
                y: self.reference_rate(c)?,
                w: f64::from(a + b),
            })
        });
        profile(rows.collect())
    }

    /// Mean per-case decision entropy of the reference panel.
    pub fn reference_entropy(&self) -> f64 {
        let rates: Vec<f64> = (0..self.n_cases())
            .filter_map(|c| self.reference_rate(c))
            .collect();
        rates.iter().map(|&p| binary_entropy(p)).sum::<f64>() / rates.len().max(1) as f64
    }
}

fn profile(rows: Vec<GlmRow>) -> Option<[f64; 4]> {
    let fit = fit_glm(&rows);
    fit.converged()
        .then(|| softmax_profile(&fit.beta, PAPER_TEMPERATURE))
}

/// How close a mixture's per-case spread is to the reference panel's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixtureScore {
    pub mean_jsd: f64,
    pub mean_entropy_bits: f64,
    /// Cases where both rates were defined.
    pub cases: usize,
}

/// choice_1 / (choice_1 + choice_2), refusals left out.
pub fn valid_rate([a, b, _]: [u32; 3]) -> Option<f64> {
    (a + b > 0).then(|| a as f64 / (a + b) as f64)
}

/// Shannon entropy (bits) of a two-outcome distribution (p, 1 - p).
pub fn binary_entropy(p: f64) -> f64 {
    crate::attribution::entropy_bits(&[p, 1.0 - p])
}

/// Jensen-Shannon divergence (base 2, in [0, 1]) between (p, 1 - p) and (q, 1 - q).
pub fn bernoulli_jsd(p: f64, q: f64) -> f64 {
    crate::attribution::jsd(&[p, 1.0 - p], &[q, 1.0 - q])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> CaseTable {
        CaseTable {
            case_ids: vec!["x".into(), "y".into()],
            members: vec!["always1".into(), "always2".into(), "refuser".into()],
            counts: vec![
                vec![[10, 0, 0], [10, 0, 0]],
                vec![[0, 10, 0], [0, 5, 5]],
                vec![[0, 0, 10], [0, 0, 10]],
            ],
            reference: vec![[10, 10, 0], [15, 5, 0]],
            deltas: vec![[1, -1, 0, 0], [0, 1, -1, 0]],
        }
    }

    #[test]
    fn mixture_rate_accounts_for_refusals() {
        let t = table();
        assert_eq!(t.mixture_rate(&[0.5, 0.5, 0.0], 0), Some(0.5));
        // always2 gives a valid answer half the time on y: 0.5 / (0.5 + 0.25).
        let r = t.mixture_rate(&[0.5, 0.5, 0.0], 1).unwrap();
        assert!((r - 2.0 / 3.0).abs() < 1e-12);
        // A refusing member changes nothing among valid answers.
        assert_eq!(t.mixture_rate(&[0.25, 0.25, 0.5], 0), Some(0.5));
        assert_eq!(t.mixture_rate(&[0.0, 0.0, 1.0], 0), None);
    }

    #[test]
    fn score_is_zero_when_mixture_matches_panel() {
        let t = table();
        let s = t.score(&[0.5, 0.5, 0.0], &[0]);
        assert!(s.mean_jsd.abs() < 1e-12);
        assert!((s.mean_entropy_bits - 1.0).abs() < 1e-12);
        let single = t.score(&[1.0, 0.0, 0.0], &[0]);
        assert!((single.mean_jsd - 0.311_278).abs() < 1e-5, "{single:?}");
        assert_eq!(single.mean_entropy_bits, 0.0);
        assert_eq!(t.score(&[0.0, 0.0, 1.0], &[0, 1]).cases, 0);
    }
}
