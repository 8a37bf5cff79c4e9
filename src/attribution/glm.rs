//! Binomial GLM with logit link and no intercept, fitted by Newton's method (identical to IRLS
//! for the canonical link), with frequency weights and the robust standard errors statsmodels
//! reports for `GLM(y, X, family=Binomial(), freq_weights=w).fit(cov_type="HC3")`.
//!
//! statsmodels has no leverage-corrected HC3 for GLMs: for every `HC0`..`HC3` it falls back to
//! the plain sandwich `H^-1 S H^-1` without small-sample correction, where H is the Fisher
//! information `sum w mu(1-mu) x x'` and S = `sum w (y - mu)^2 x x'` (it divides the
//! frequency-weighted scores by sqrt(w) so weights are not squared). We reproduce exactly that,
//! so the numbers match the paper's; the golden tests pin it.
//!
//! Degenerate data never yields NaN or a panic: see [`FitStatus`].

// Index loops read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

use super::linalg::{cholesky, cholesky_inverse, cholesky_solve, sandwich};
use serde::Serialize;

/// One observation with K features: `y` is the proportion of valid runs that chose choice_1,
/// `w` the number of valid runs (a frequency weight).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row<const K: usize> {
    pub x: [f64; K],
    pub y: f64,
    pub w: f64,
}

/// A row of the paper's regression: x are the four value deltas in [`crate::values::Value::ALL`]
/// order.
pub type GlmRow = Row<4>;

/// How a fit ended. Only `Converged` carries standard errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitStatus {
    /// A finite maximum-likelihood estimate was found.
    Converged,
    /// No row with positive weight, or every feature is 0: nothing to learn; beta is 0.
    NoData,
    /// Every valid decision was the same option: the weights are not identified (any weighting
    /// that favours it fits); beta is 0, as in the paper's code.
    OneChoice,
    /// The features are linearly dependent; beta is 0.
    Collinear,
    /// (Quasi-)complete separation: the likelihood keeps rising as |beta| grows. beta is the
    /// finite iterate at which the search stopped (its direction is meaningful, its size is not).
    Separated,
    /// The iteration cap was reached; beta is the last iterate.
    NotConverged,
}

/// Result of a fit. Features that never vary (all 0) are not estimable: their beta is fixed at
/// 0 and their standard error is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fit<const K: usize> {
    #[serde(with = "serde_arrays")]
    pub beta: [f64; K],
    /// Robust (statsmodels "HC3" for GLM) standard errors; `None` unless converged and estimable.
    #[serde(with = "serde_arrays")]
    pub se: [Option<f64>; K],
    /// Two-sided p-values of the Wald z statistic beta/se (normal reference, as statsmodels).
    #[serde(with = "serde_arrays")]
    pub p_values: [Option<f64>; K],
    #[serde(with = "serde_arrays")]
    pub estimable: [bool; K],
    /// Weighted log-likelihood `sum w (y ln mu + (1-y) ln(1-mu))` at beta (no binomial constant).
    pub log_likelihood: f64,
    pub iterations: u32,
    pub status: FitStatus,
}

/// The paper's fit: four value coefficients.
pub type GlmFit = Fit<4>;

impl<const K: usize> Fit<K> {
    pub fn converged(&self) -> bool {
        self.status == FitStatus::Converged
    }
}

/// Serde for const-generic arrays (serde only derives arrays up to 32 of a concrete length).
mod serde_arrays {
    use serde::{Serialize, Serializer};
    pub fn serialize<S: Serializer, T: Serialize, const K: usize>(
        a: &[T; K],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(a.iter())
    }
}

/// Largest |beta| accepted as a finite estimate. Real value weights are a few units (the profile
/// temperature is 0.262); a coefficient of 20 already means fitted odds of e^20 on a one-step
/// delta, which only separation produces.
pub const SEPARATION_BETA: f64 = 20.0;
/// Newton converges quadratically; 100 steps is far beyond any non-separated fit.
pub const MAX_ITERATIONS: u32 = 100;
/// Stop when the largest step is below this (relative to 1 + max |beta|). The step is applied
/// before stopping, so by quadratic convergence the error left is about its square.
const STEP_TOLERANCE: f64 = 1e-11;
/// Looser stop for warm-started resampling refits: a last step of 1e-4 leaves an error near
/// 1e-8, far below what percentile intervals can resolve, and saves iterations per fit.
const RESAMPLE_STEP_TOLERANCE: f64 = 1e-4;

/// The logistic function, computed without overflow for large |eta|.
pub fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^eta) without overflow.
fn softplus(eta: f64) -> f64 {
    if eta > 0.0 {
        eta + (-eta).exp().ln_1p()
    } else {
        eta.exp().ln_1p()
    }
}

fn dot<const K: usize>(a: &[f64; K], b: &[f64; K]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn log_likelihood<const K: usize>(rows: &[Row<K>], beta: &[f64; K]) -> f64 {
    rows.iter()
        .map(|r| {
            let eta = dot(&r.x, beta);
            r.w * (r.y * eta - softplus(eta))
        })
        .sum()
}

/// Gradient and Fisher information at beta, in one pass over the rows. Inactive features get
/// a unit diagonal and zero gradient so Newton keeps them at exactly 0.
fn gradient_information<const K: usize>(
    rows: &[Row<K>],
    beta: &[f64; K],
    active: &[bool; K],
) -> ([f64; K], [[f64; K]; K]) {
    let mut g = [0.0; K];
    let mut h = [[0.0; K]; K];
    for r in rows {
        let mu = sigmoid(dot(&r.x, beta));
        let resid = r.w * (r.y - mu);
        let var = r.w * mu * (1.0 - mu);
        for i in 0..K {
            g[i] += resid * r.x[i];
            for j in 0..=i {
                h[i][j] += var * r.x[i] * r.x[j];
            }
        }
    }
    for i in 0..K {
        for j in 0..i {
            h[j][i] = h[i][j];
        }
        if !active[i] {
            g[i] = 0.0;
            for j in 0..K {
                h[i][j] = 0.0;
                h[j][i] = 0.0;
            }
            h[i][i] = 1.0;
        }
    }
    (g, h)
}

/// Rows that can contribute: positive finite weight, finite features, y clamped into [0, 1].
fn clean_rows<const K: usize>(rows: &[Row<K>]) -> Vec<Row<K>> {
    rows.iter()
        .filter(|r| r.w.is_finite() && r.w > 0.0 && r.x.iter().all(|v| v.is_finite()))
        .map(|r| Row {
            x: r.x,
            y: if r.y.is_finite() {
                r.y.clamp(0.0, 1.0)
            } else {
                0.5
            },
            w: r.w,
        })
        .collect()
}

fn empty_fit<const K: usize>(status: FitStatus, estimable: [bool; K], rows: &[Row<K>]) -> Fit<K> {
    let beta = [0.0; K];
    Fit {
        beta,
        se: [None; K],
        p_values: [None; K],
        estimable,
        log_likelihood: log_likelihood(rows, &beta),
        iterations: 0,
        status,
    }
}

/// Fit the GLM with standard errors and p-values.
pub fn fit<const K: usize>(rows: &[Row<K>]) -> Fit<K> {
    let rows = clean_rows(rows);
    let mut fit = fit_clean(&rows, [0.0; K], STEP_TOLERANCE);
    if fit.status == FitStatus::Converged {
        add_standard_errors(&rows, &mut fit);
    }
    fit
}

/// The paper's four-value fit (see [`fit`]).
pub fn fit_glm(rows: &[GlmRow]) -> GlmFit {
    fit(rows)
}

/// Coefficients only, for resampling loops that never read standard errors.
pub fn fit_coefficients<const K: usize>(rows: &[Row<K>]) -> Fit<K> {
    fit_clean(&clean_rows(rows), [0.0; K], STEP_TOLERANCE)
}

/// Coefficients only, starting Newton at `start` (e.g. the full-data estimate when refitting a
/// bootstrap resample, which saves most iterations). The optimum reached is the same.
pub fn fit_coefficients_from<const K: usize>(rows: &[Row<K>], start: [f64; K]) -> Fit<K> {
    let start = if start
        .iter()
        .all(|b| b.is_finite() && b.abs() < SEPARATION_BETA)
    {
        start
    } else {
        [0.0; K]
    };
    fit_clean(&clean_rows(rows), start, RESAMPLE_STEP_TOLERANCE)
}

/// Coefficients only, without the log-likelihood: the bootstrap's inner loop. `rows` must
/// already be clean (positive finite weights, y in [0, 1]); `start` as in
/// [`fit_coefficients_from`].
pub fn refit_beta<const K: usize>(rows: &[Row<K>], start: [f64; K]) -> ([f64; K], FitStatus) {
    match screen(rows) {
        Ok(active) => {
            let (beta, status, _) = newton(rows, start, active, RESAMPLE_STEP_TOLERANCE);
            (beta, status)
        }
        Err((status, _)) => ([0.0; K], status),
    }
}

/// Which features vary, or the status of data that cannot be fitted.
fn screen<const K: usize>(rows: &[Row<K>]) -> Result<[bool; K], (FitStatus, [bool; K])> {
    let mut active = [false; K];
    for r in rows {
        for (a, x) in active.iter_mut().zip(&r.x) {
            *a |= *x != 0.0;
        }
    }
    if rows.is_empty() || !active.iter().any(|a| *a) {
        return Err((FitStatus::NoData, active));
    }
    // Rows with all-zero features carry no information about beta (mu is 1/2 whatever beta is).
    let informative = rows.iter().filter(|r| r.x.iter().any(|v| *v != 0.0));
    let (mut any_c1, mut any_c2) = (false, false);
    for r in informative {
        any_c1 |= r.y > 0.0;
        any_c2 |= r.y < 1.0;
    }
    if !(any_c1 && any_c2) {
        return Err((FitStatus::OneChoice, active));
    }
    Ok(active)
}

fn fit_clean<const K: usize>(rows: &[Row<K>], start: [f64; K], tolerance: f64) -> Fit<K> {
    let active = match screen(rows) {
        Ok(active) => active,
        Err((status, active)) => return empty_fit(status, active, rows),
    };
    let (beta, status, iterations) = newton(rows, start, active, tolerance);
    let beta = match status {
        FitStatus::Collinear => [0.0; K],
        _ => beta,
    };
    Fit {
        beta,
        se: [None; K],
        p_values: [None; K],
        estimable: active,
        log_likelihood: log_likelihood(rows, &beta),
        iterations,
        status,
    }
}

/// Steps larger than this (in any coefficient) are checked against the likelihood and halved
/// until it does not fall. Smaller steps are in Newton's quadratic region and taken as they are,
/// which spares the logarithms on the resampling path.
const LINE_SEARCH_ABOVE: f64 = 0.1;

/// Newton's method from `start`. Returns the final beta (finite), the status and iterations.
fn newton<const K: usize>(
    rows: &[Row<K>],
    start: [f64; K],
    active: [bool; K],
    tolerance: f64,
) -> ([f64; K], FitStatus, u32) {
    let mut beta = start;
    for v in 0..K {
        if !active[v] || !beta[v].is_finite() {
            beta[v] = 0.0;
        }
    }
    for iteration in 1..=MAX_ITERATIONS {
        let (g, h) = gradient_information(rows, &beta, &active);
        let Some(l) = cholesky(&h) else {
            if iteration == 1 && beta.iter().any(|b| *b != 0.0) {
                // A warm start in a flat region: classify from the cold start instead.
                return newton(rows, [0.0; K], active, tolerance);
            }
            // At beta = 0 the information is 1/4 X'WX: singular means collinear features. Later,
            // it only collapses because fitted probabilities reached 0 or 1: separation.
            return if iteration == 1 {
                ([0.0; K], FitStatus::Collinear, iteration)
            } else {
                (beta, FitStatus::Separated, iteration)
            };
        };
        let step = cholesky_solve(&l, &g);
        let full_step = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        let mut scale = 1.0;
        if !full_step.is_finite() {
            return (beta, FitStatus::Separated, iteration);
        }
        if full_step > LINE_SEARCH_ABOVE {
            let ll = log_likelihood(rows, &beta);
            while scale >= 1e-10 {
                let candidate: [f64; K] = std::array::from_fn(|i| beta[i] + scale * step[i]);
                if log_likelihood(rows, &candidate) >= ll - 1e-12 * ll.abs().max(1.0) {
                    break;
                }
                scale *= 0.5;
            }
        }
        let next: [f64; K] = std::array::from_fn(|i| beta[i] + scale * step[i]);
        if !next.iter().all(|b| b.is_finite()) {
            return (beta, FitStatus::Separated, iteration);
        }
        beta = next;
        let max_beta = beta.iter().map(|b| b.abs()).fold(0.0, f64::max);
        if max_beta > SEPARATION_BETA {
            return (beta, FitStatus::Separated, iteration);
        }
        // The step just taken leaves an error of about its square (quadratic convergence), so
        // there is no need to evaluate the new point once the step is small enough.
        if full_step * scale <= tolerance * (1.0 + max_beta) {
            return (beta, FitStatus::Converged, iteration);
        }
    }
    (beta, FitStatus::NotConverged, MAX_ITERATIONS)
}

/// statsmodels' GLM "HC3": the uncorrected sandwich (see the module note).
fn add_standard_errors<const K: usize>(rows: &[Row<K>], fit: &mut Fit<K>) {
    let (_, h) = gradient_information(rows, &fit.beta, &fit.estimable);
    let Some(l) = cholesky(&h) else {
        return;
    };
    let bread = cholesky_inverse(&l);
    let mut meat = [[0.0; K]; K];
    for r in rows {
        let mu = sigmoid(dot(&r.x, &fit.beta));
        let e2 = r.w * (r.y - mu) * (r.y - mu);
        for i in 0..K {
            for j in 0..K {
                meat[i][j] += e2 * r.x[i] * r.x[j];
            }
        }
    }
    let cov = sandwich(&bread, &meat);
    for i in 0..K {
        if !fit.estimable[i] {
            continue;
        }
        let var = cov[i][i];
        if var.is_finite() && var > 0.0 {
            let se = var.sqrt();
            fit.se[i] = Some(se);
            let z = fit.beta[i] / se;
            fit.p_values[i] = Some(statrs::function::erf::erfc(
                z.abs() / std::f64::consts::SQRT_2,
            ));
        }
    }
}
