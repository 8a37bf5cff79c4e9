//! Distributions over the four values: the softmax value profile, Jensen-Shannon divergence and
//! Shannon entropy, all in bits.
//!
//! Inputs are sanitised rather than rejected so callers on the request path never see NaN:
//! negative or non-finite probabilities count as 0, a vector summing to 0 counts as uniform.

/// The paper's value profile: softmax(beta / t). `t` is the temperature (0.262 in the paper).
///
/// A non-positive or NaN `t` is taken as the limit t -> 0+ (all mass on the largest beta, ties
/// split). NaN coefficients count as 0. The result always sums to 1.
pub fn softmax_profile(beta: &[f64; 4], t: f64) -> [f64; 4] {
    let t = if t.is_nan() || t <= 0.0 {
        f64::MIN_POSITIVE
    } else {
        t
    };
    let z = beta.map(|b| {
        let b = if b.is_nan() { 0.0 } else { b };
        (b / t).clamp(-f64::MAX, f64::MAX)
    });
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|v| (v - max).exp());
    let sum: f64 = e.iter().sum();
    // sum >= 1 because the largest entry contributes exp(0).
    e.map(|v| v / sum)
}

/// Normalise a vector into a probability distribution (see the module note on sanitising).
/// Entries beyond `len` are read as 0.
fn normalised(p: &[f64], len: usize) -> Vec<f64> {
    let clean: Vec<f64> = (0..len)
        .map(|i| match p.get(i) {
            Some(v) if v.is_finite() && *v > 0.0 => *v,
            _ => 0.0,
        })
        .collect();
    let sum: f64 = clean.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        clean.into_iter().map(|v| v / sum).collect()
    } else if len == 0 {
        clean
    } else {
        vec![1.0 / len as f64; len]
    }
}

/// Kullback-Leibler term p*log2(p/m), 0 where p is 0.
fn kl_term(p: f64, m: f64) -> f64 {
    if p > 0.0 && m > 0.0 {
        p * (p / m).log2()
    } else {
        0.0
    }
}

/// Jensen-Shannon divergence in bits: the squared Jensen-Shannon distance, in [0, 1]; equal to
/// scipy's `jensenshannon(p, q, base=2) ** 2`. Both inputs are normalised first; a shorter input
/// is padded with zeros.
pub fn jsd(p: &[f64], q: &[f64]) -> f64 {
    let len = p.len().max(q.len());
    let p = normalised(p, len);
    let q = normalised(q, len);
    let mut total = 0.0;
    for (a, b) in p.iter().zip(&q) {
        let m = 0.5 * (a + b);
        total += 0.5 * (kl_term(*a, m) + kl_term(*b, m));
    }
    // Rounding can push the sum a hair outside [0, 1].
    total.clamp(0.0, 1.0)
}

/// Shannon entropy in bits of a (possibly unnormalised) distribution; 0 for an empty or all-zero
/// input, because a maker with no valid decision shows no spread.
pub fn entropy_bits(p: &[f64]) -> f64 {
    let total: f64 = p.iter().filter(|v| v.is_finite() && **v > 0.0).sum();
    if total <= 0.0 || !total.is_finite() {
        return 0.0;
    }
    let h: f64 = p
        .iter()
        .filter(|v| v.is_finite() && **v > 0.0)
        .map(|v| {
            let x = v / total;
            -x * x.log2()
        })
        .sum();
    // `+ 0.0` turns the -0.0 of a one-point distribution into 0.0.
    h.max(0.0) + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uniform_betas_give_uniform_profile() {
        let p = softmax_profile(&[0.7; 4], 0.262);
        for v in p {
            assert!((v - 0.25).abs() < 1e-15);
        }
    }

    #[test]
    fn lower_temperature_sharpens() {
        let beta = [1.0, 0.5, 0.2, 0.0];
        let warm = softmax_profile(&beta, 1.0);
        let cold = softmax_profile(&beta, 0.1);
        assert!(cold[0] > warm[0]);
        assert!(cold[3] < warm[3]);
    }

    #[test]
    fn zero_temperature_is_argmax() {
        assert_eq!(
            softmax_profile(&[1.0, 3.0, 2.0, 0.0], 0.0),
            [0.0, 1.0, 0.0, 0.0]
        );
    }

    #[test]
    fn jsd_known_values() {
        // Disjoint supports: exactly one bit.
        assert!((jsd(&[1.0, 0.0], &[0.0, 1.0]) - 1.0).abs() < 1e-15);
        // scipy: jensenshannon([.5,.5],[.9,.1],base=2)**2
        let v = jsd(&[0.5, 0.5], &[0.9, 0.1]);
        assert!((v - 0.146_793_102_436_052_1).abs() < 1e-12, "{v}");
    }

    #[test]
    fn entropy_known_values() {
        assert_eq!(entropy_bits(&[10.0, 0.0]), 0.0);
        assert!((entropy_bits(&[5.0, 5.0]) - 1.0).abs() < 1e-15);
        assert!((entropy_bits(&[0.25; 4]) - 2.0).abs() < 1e-15);
        assert_eq!(entropy_bits(&[]), 0.0);
    }

    fn dist() -> impl Strategy<Value = Vec<f64>> {
        proptest::collection::vec(0.0f64..10.0, 4)
    }

    proptest! {
        #[test]
        fn softmax_sums_to_one(b in proptest::array::uniform4(-1e6f64..1e6), t in -1.0f64..5.0) {
            let p = softmax_profile(&b, t);
            prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            prop_assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
        }

        #[test]
        fn jsd_symmetric_bounded_zero_on_equal(p in dist(), q in dist()) {
            let a = jsd(&p, &q);
            let b = jsd(&q, &p);
            prop_assert!((a - b).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&a));
            prop_assert!(jsd(&p, &p) < 1e-12);
        }

        #[test]
        fn jsd_never_nan(p in proptest::collection::vec(proptest::num::f64::ANY, 0..6),
                         q in proptest::collection::vec(proptest::num::f64::ANY, 0..6)) {
            let v = jsd(&p, &q);
            prop_assert!((0.0..=1.0).contains(&v));
        }

        #[test]
        fn entropy_bounded(p in dist()) {
            let h = entropy_bits(&p);
            prop_assert!((0.0..=2.0 + 1e-12).contains(&h));
        }
    }
}
