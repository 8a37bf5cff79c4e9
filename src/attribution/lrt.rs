//! Likelihood-ratio test of a maker's value weights against the uniform-weights null
//! (all four coefficients equal, so the profile is uniform whatever the temperature).

use super::glm::{fit, fit_glm, GlmRow, Row};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LikelihoodRatio {
    /// 2 (ll_full - ll_null), never negative.
    pub statistic: f64,
    /// Estimable features minus one (3 on full data).
    pub df: u32,
    pub p_value: f64,
}

/// Test H0: beta_autonomy = beta_beneficence = beta_nonmaleficence = beta_justice. The null
/// model is the one-feature GLM on the sum of the deltas. None when either fit did not
/// converge (the statistic would not be a likelihood ratio of two maxima).
pub fn lrt_uniform(rows: &[GlmRow]) -> Option<LikelihoodRatio> {
    let full = fit_glm(rows);
    if !full.converged() {
        return None;
    }
    let active: Vec<usize> = (0..4).filter(|i| full.estimable[*i]).collect();
    let null_rows: Vec<Row<1>> = rows
        .iter()
        .map(|r| Row {
            x: [active.iter().map(|i| r.x[*i]).sum()],
            y: r.y,
            w: r.w,
        })
        .collect();
    let null = fit(&null_rows);
    // A null with no variation (all sums 0) still has a defined likelihood at beta = 0.
    if !(null.converged() || null.status == super::glm::FitStatus::NoData) {
        return None;
    }
    let df = u32::try_from(active.len().saturating_sub(1)).ok()?;
    let statistic = (2.0 * (full.log_likelihood - null.log_likelihood)).max(0.0);
    let p_value = if df == 0 {
        1.0
    } else {
        let chi = ChiSquared::new(f64::from(df)).ok()?;
        (1.0 - chi.cdf(statistic)).clamp(0.0, 1.0)
    };
    Some(LikelihoodRatio {
        statistic,
        df,
        p_value,
    })
}
