//! Resampling: case-bootstrap draws and the physician leave-one-out reference.
//!
//! Every draw resamples the cases with replacement once and refits every maker on that same
//! resample (paired), so intervals of differences are meaningful. Multiplicities are drawn from
//! the caller's RNG up front, in draw order, so results depend only on the seed.
//!
//! Speed: a resample only changes case weights, so each refit sums the weighted counts per
//! distinct delta pattern (the GLM's sufficient statistics; same coefficients as per-case rows)
//! and starts Newton from the full-data estimate.

use super::dataset::{AuditData, Counts};
use super::divergence::{jsd, softmax_profile};
use super::glm::{fit_glm, refit_beta, GlmFit, GlmRow};
use rand::Rng;
use rayon::prelude::*;

/// Fit one maker's counts with one row per case (what statsmodels sees), with standard errors.
pub fn fit_counts(deltas: &[[i8; 4]], counts: &[Counts]) -> GlmFit {
    let rows: Vec<GlmRow> = deltas
        .iter()
        .zip(counts)
        .filter_map(|(d, c)| {
            let valid = c[0] + c[1];
            (valid > 0).then(|| GlmRow {
                x: d.map(f64::from),
                y: f64::from(c[0]) / f64::from(valid),
                w: f64::from(valid),
            })
        })
        .collect();
    fit_glm(&rows)
}

/// Case multiplicities of `draws` bootstrap resamples of `cases` cases.
pub fn draw_multiplicities(rng: &mut impl Rng, cases: usize, draws: usize) -> Vec<Vec<u32>> {
    (0..draws)
        .map(|_| {
            let mut m = vec![0u32; cases];
            for _ in 0..cases {
                m[rng.gen_range(0..cases)] += 1;
            }
            m
        })
        .collect()
}

/// What one resample yields, makers in [`maker_counts`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    pub beta: Vec<[f64; 4]>,
    pub jsd_to_consensus: Vec<f64>,
    /// JSD of each physician to the consensus of the other physicians.
    pub loo_jsd: Vec<f64>,
}

/// Makers in the audit's order: models, then the consensus, then physicians.
pub fn maker_counts(data: &AuditData) -> Vec<Vec<Counts>> {
    let mut all: Vec<Vec<Counts>> = data.models.iter().map(|m| m.counts.clone()).collect();
    all.push(data.consensus());
    all.extend(data.physicians.iter().map(|p| p.counts.clone()));
    all
}

/// Refits makers on case-weighted data from pattern sufficient statistics.
pub struct Refitter {
    pattern_of_case: Vec<usize>,
    patterns: Vec<[f64; 4]>,
    t: f64,
}

impl Refitter {
    pub fn new(deltas: &[[i8; 4]], t: f64) -> Refitter {
        let mut patterns: Vec<[i8; 4]> = deltas.to_vec();
        patterns.sort_unstable();
        patterns.dedup();
        let pattern_of_case = deltas
            .iter()
            .map(|d| patterns.binary_search(d).unwrap_or(0))
            .collect();
        Refitter {
            pattern_of_case,
            patterns: patterns.iter().map(|p| p.map(f64::from)).collect(),
            t,
        }
    }

    /// Coefficients of one maker with case `i` weighted by `mult[i]` (1 when None).
    pub fn beta(&self, counts: &[Counts], mult: Option<&[u32]>, start: [f64; 4]) -> [f64; 4] {
        let mut w = vec![0.0; self.patterns.len()];
        let mut hits = vec![0.0; self.patterns.len()];
        for (i, c) in counts.iter().enumerate() {
            let m = f64::from(mult.map_or(1, |m| m[i]));
            let p = self.pattern_of_case[i];
            w[p] += m * f64::from(c[0] + c[1]);
            hits[p] += m * f64::from(c[0]);
        }
        let rows: Vec<GlmRow> = self
            .patterns
            .iter()
            .zip(w.iter().zip(&hits))
            .filter(|(_, (w, _))| **w > 0.0)
            .map(|(x, (w, h))| GlmRow {
                x: *x,
                y: h / w,
                w: *w,
            })
            .collect();
        refit_beta(&rows, start).0
    }

    pub fn profile(&self, counts: &[Counts], mult: Option<&[u32]>, start: [f64; 4]) -> [f64; 4] {
        softmax_profile(&self.beta(counts, mult, start), self.t)
    }
}

/// Pooled physician counts leaving each physician out in turn.
pub fn loo_consensus_counts(data: &AuditData) -> Vec<Vec<Counts>> {
    (0..data.physicians.len())
        .map(|i| data.pooled_physicians(Some(i)))
        .collect()
}

/// JSD of each physician's profile to the pooled profile of the other physicians.
pub fn leave_one_out(
    refit: &Refitter,
    loo_counts: &[Vec<Counts>],
    physician_profiles: &[[f64; 4]],
    mult: Option<&[u32]>,
    starts: &[[f64; 4]],
) -> Vec<f64> {
    physician_profiles
        .iter()
        .zip(loo_counts)
        .zip(starts)
        .map(|((own, others), start)| jsd(own, &refit.profile(others, mult, *start)))
        .collect()
}

/// Everything a bootstrap needs, fixed across draws.
pub struct Bootstrap<'a> {
    pub refit: Refitter,
    pub makers: &'a [Vec<Counts>],
    pub loo_counts: &'a [Vec<Counts>],
    /// Full-data coefficients of `makers`, the warm starts.
    pub starts: &'a [[f64; 4]],
    /// Full-data coefficients of the leave-one-out consensus fits.
    pub loo_starts: &'a [[f64; 4]],
    pub n_models: usize,
}

impl Bootstrap<'_> {
    /// Refit every maker and the leave-one-out reference on one resample.
    pub fn draw(&self, mult: &[u32]) -> Draw {
        let beta: Vec<[f64; 4]> = self
            .makers
            .iter()
            .zip(self.starts)
            .map(|(c, s)| self.refit.beta(c, Some(mult), *s))
            .collect();
        let profiles: Vec<[f64; 4]> = beta
            .iter()
            .map(|b| softmax_profile(b, self.refit.t))
            .collect();
        let consensus = profiles[self.n_models];
        let jsd_to_consensus = profiles.iter().map(|p| jsd(p, &consensus)).collect();
        let loo_jsd = leave_one_out(
            &self.refit,
            self.loo_counts,
            &profiles[self.n_models + 1..],
            Some(mult),
            self.loo_starts,
        );
        Draw {
            beta,
            jsd_to_consensus,
            loo_jsd,
        }
    }

    /// Run `draws` resamples drawn from `rng`. Draws are refitted in parallel; the output is
    /// in draw order, so it depends only on the RNG, not on thread scheduling.
    pub fn run(&self, rng: &mut impl Rng, cases: usize, draws: usize) -> Vec<Draw> {
        draw_multiplicities(rng, cases, draws)
            .par_iter()
            .map(|m| self.draw(m))
            .collect()
    }
}
