//! Tiny dense linear algebra for K x K symmetric positive-definite systems (K <= 4 here), on
//! fixed-size arrays so the bootstrap's hundreds of thousands of fits never allocate.

// Index loops read like the textbook formulas they implement.
#![allow(clippy::needless_range_loop)]

/// Cholesky factor L (lower) of a symmetric matrix, or None when it is not numerically
/// positive definite (a pivot below `tol` times the largest diagonal entry).
pub fn cholesky<const K: usize>(a: &[[f64; K]; K]) -> Option<[[f64; K]; K]> {
    let scale = (0..K).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let tol = scale * 1e-12;
    let mut l = [[0.0; K]; K];
    for i in 0..K {
        for j in 0..=i {
            let mut s = a[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            if i == j {
                if s.is_nan() || s <= tol {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// Solve (L L^T) x = b.
pub fn cholesky_solve<const K: usize>(l: &[[f64; K]; K], b: &[f64; K]) -> [f64; K] {
    let mut y = [0.0; K];
    for i in 0..K {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
    }
    let mut x = [0.0; K];
    for i in (0..K).rev() {
        let mut s = y[i];
        for k in i + 1..K {
            s -= l[k][i] * x[k];
        }
        x[i] = s / l[i][i];
    }
    x
}

/// Inverse of L L^T, column by column.
pub fn cholesky_inverse<const K: usize>(l: &[[f64; K]; K]) -> [[f64; K]; K] {
    let mut inv = [[0.0; K]; K];
    for j in 0..K {
        let mut e = [0.0; K];
        e[j] = 1.0;
        let col = cholesky_solve(l, &e);
        for i in 0..K {
            inv[i][j] = col[i];
        }
    }
    inv
}

/// A B A for symmetric A (the sandwich estimator's shape).
pub fn sandwich<const K: usize>(a: &[[f64; K]; K], b: &[[f64; K]; K]) -> [[f64; K]; K] {
    let mut ab = [[0.0; K]; K];
    for i in 0..K {
        for j in 0..K {
            ab[i][j] = (0..K).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    let mut out = [[0.0; K]; K];
    for i in 0..K {
        for j in 0..K {
            out[i][j] = (0..K).map(|k| ab[i][k] * a[k][j]).sum();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system() {
        let a = [[4.0, 2.0], [2.0, 3.0]];
        let l = cholesky(&a).unwrap();
        let x = cholesky_solve(&l, &[2.0, 1.0]);
        // 4x + 2y = 2, 2x + 3y = 1 -> x = 0.5, y = 0
        assert!((x[0] - 0.5).abs() < 1e-14 && x[1].abs() < 1e-14);
        let inv = cholesky_inverse(&l);
        assert!((inv[0][0] - 3.0 / 8.0).abs() < 1e-14);
        assert!((inv[0][1] + 2.0 / 8.0).abs() < 1e-14);
    }

    #[test]
    fn rejects_singular() {
        assert!(cholesky(&[[1.0, 1.0], [1.0, 1.0]]).is_none());
        assert!(cholesky(&[[0.0, 0.0], [0.0, 0.0]]).is_none());
    }
}
