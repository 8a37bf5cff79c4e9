//! Resampling: case-bootstrap draws and the physician leave-one-out reference.
//!
//! Every draw resamples the cases with replacement once and refits every maker on that same
//! resample (paired), so intervals of differences are meaningful. Multiplicities are drawn from
//! the caller's RNG up front, in draw order, so results depend only on the seed.

use super::dataset::{AuditData, Counts};
use super::divergence::{jsd, softmax_profile};
use super::glm::{fit_coefficients, fit_glm, GlmFit, GlmRow};
use rand::Rng;

/// Fit one maker's counts, each case weighted by its valid runs times its multiplicity.
/// `full` adds standard errors (point estimates); resampling loops skip them.
pub fn fit_counts(
    deltas: &[[i8; 4]],
    counts: &[Counts],
    mult: Option<&[u32]>,
    full: bool,
) -> GlmFit {
    let rows: Vec<GlmRow> = deltas
        .iter()
        .zip(counts)
        .enumerate()
        .filter_map(|(i, (d, c))| {
            let m = mult.map_or(1, |m| m[i]);
            let valid = c[0] + c[1];
            (m > 0 && valid > 0).then(|| GlmRow {
                x: d.map(f64::from),
                y: f64::from(c[0]) / f64::from(valid),
                w: f64::from(valid) * f64::from(m),
            })
        })
        .collect();
    if full {
        fit_glm(&rows)
    } else {
        fit_coefficients(&rows)
    }
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

/// JSD of each physician's profile to the pooled profile of the other physicians.
pub fn leave_one_out(
    data: &AuditData,
    physician_profiles: &[[f64; 4]],
    mult: Option<&[u32]>,
    t: f64,
) -> Vec<f64> {
    physician_profiles
        .iter()
        .enumerate()
        .map(|(i, own)| {
            let others = data.pooled_physicians(Some(i));
            let fit = fit_counts(&data.deltas, &others, mult, false);
            jsd(own, &softmax_profile(&fit.beta, t))
        })
        .collect()
}

/// Refit every maker on one resample.
pub fn one_draw(data: &AuditData, makers: &[Vec<Counts>], mult: &[u32], t: f64) -> Draw {
    let beta: Vec<[f64; 4]> = makers
        .iter()
        .map(|c| fit_counts(&data.deltas, c, Some(mult), false).beta)
        .collect();
    let profiles: Vec<[f64; 4]> = beta.iter().map(|b| softmax_profile(b, t)).collect();
    let consensus = profiles[data.models.len()];
    let jsd_to_consensus = profiles.iter().map(|p| jsd(p, &consensus)).collect();
    let loo_jsd = leave_one_out(data, &profiles[data.models.len() + 1..], Some(mult), t);
    Draw {
        beta,
        jsd_to_consensus,
        loo_jsd,
    }
}

/// Run `draws` bootstrap resamples.
pub fn bootstrap(data: &AuditData, t: f64, draws: usize, rng: &mut impl Rng) -> Vec<Draw> {
    let makers = maker_counts(data);
    draw_multiplicities(rng, data.cases(), draws)
        .iter()
        .map(|m| one_draw(data, &makers, m, t))
        .collect()
}
