//! The statistics the monitor needs, behind one small seam. TEMPORARY bodies until
//! `crate::attribution` (issue 3) lands on main; then every function here delegates to it so the
//! monitor and `pluralis attribute` compute the same numbers.

/// One GLM row: value deltas, proportion choosing choice_1, number of valid decisions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub x: [f64; 4],
    pub y: f64,
    pub w: f64,
}

/// Coefficients of the no-intercept binomial GLM, and whether the fit converged to a finite
/// estimate (degenerate data gives zeros or a stopped iterate, never NaN).
pub fn fit_beta(rows: &[Row]) -> ([f64; 4], bool) {
    let mut beta = [0.0f64; 4];
    for _ in 0..100 {
        let mut grad = [0.0; 4];
        let mut hess = [[0.0; 4]; 4];
        for r in rows {
            let eta: f64 = (0..4).map(|i| r.x[i] * beta[i]).sum();
            let mu = 1.0 / (1.0 + (-eta).exp());
            for i in 0..4 {
                grad[i] += r.w * (r.y - mu) * r.x[i];
                for j in 0..4 {
                    hess[i][j] += r.w * mu * (1.0 - mu) * r.x[i] * r.x[j];
                }
            }
        }
        for (i, row) in hess.iter_mut().enumerate() {
            row[i] += 1e-9;
        }
        let Some(step) = solve(hess, grad) else {
            return ([0.0; 4], false);
        };
        for i in 0..4 {
            beta[i] += step[i];
        }
        if step.iter().all(|s| s.abs() < 1e-12) {
            return (beta, beta.iter().all(|b| b.is_finite()));
        }
    }
    let finite = beta.iter().all(|b| b.is_finite());
    (if finite { beta } else { [0.0; 4] }, false)
}

fn solve(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-15 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..4 {
            let f = a[row][col] / a[col][col];
            for k in col..4 {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 4];
    for row in (0..4).rev() {
        let s: f64 = (row + 1..4).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// softmax(beta / t).
pub fn softmax_profile(beta: &[f64; 4], t: f64) -> [f64; 4] {
    let z = beta.map(|b| b / t);
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|v| (v - max).exp());
    let sum: f64 = e.iter().sum();
    e.map(|v| v / sum)
}

/// Jensen-Shannon divergence, base 2, in [0, 1].
pub fn jsd(p: &[f64], q: &[f64]) -> f64 {
    let term = |a: f64, m: f64| {
        if a > 0.0 && m > 0.0 {
            a * (a / m).log2()
        } else {
            0.0
        }
    };
    let sp: f64 = p.iter().sum();
    let sq: f64 = q.iter().sum();
    let mut total = 0.0;
    for (a, b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = 0.5 * (a + b);
        total += 0.5 * (term(a, m) + term(b, m));
    }
    total.clamp(0.0, 1.0)
}

/// Shannon entropy in bits of an unnormalised distribution; 0 when empty.
pub fn entropy_bits(p: &[f64]) -> f64 {
    let n: f64 = p.iter().filter(|v| **v > 0.0).sum();
    if n <= 0.0 {
        return 0.0;
    }
    -p.iter()
        .filter(|v| **v > 0.0)
        .map(|v| (v / n) * (v / n).log2())
        .sum::<f64>()
}
