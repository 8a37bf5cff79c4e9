//! Per-case decision statistics: binary decision entropy, its summary, agreement with the
//! physician majority, and percentiles.

use super::dataset::Counts;
use super::divergence::entropy_bits;
use serde::Serialize;

/// Shannon entropy (bits) of a maker's choice_1 / choice_2 split on one case, refusals left
/// out; None without a valid run.
pub fn case_entropy(c: &Counts) -> Option<f64> {
    (c[0] + c[1] > 0).then(|| entropy_bits(&[f64::from(c[0]), f64::from(c[1])]))
}

/// The option most valid runs chose: Some(true) for choice_1, Some(false) for choice_2, None on
/// a tie or without a valid run.
pub fn majority(c: &Counts) -> Option<bool> {
    match c[0].cmp(&c[1]) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => None,
    }
}

/// Share of cases where the maker's majority equals the physicians' majority, over the cases
/// where both have one. None when there is no such case.
pub fn agreement_rate(maker: &[Counts], physicians: &[Counts]) -> Option<f64> {
    let (mut agree, mut total) = (0u32, 0u32);
    for (m, p) in maker.iter().zip(physicians) {
        if let (Some(a), Some(b)) = (majority(m), majority(p)) {
            total += 1;
            agree += u32::from(a == b);
        }
    }
    (total > 0).then(|| f64::from(agree) / f64::from(total))
}

/// Percentile with linear interpolation between order statistics (numpy's default), `q` in
/// [0, 100]. `sorted` must be ascending; None when empty.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = (q.clamp(0.0, 100.0) / 100.0) * last as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi.min(last)] - sorted[lo]) * frac)
}

/// Sort finite values ascending (NaN-free input assumed; NaNs are dropped).
pub fn sorted(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Descriptive statistics of per-case entropies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EntropySummary {
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (n - 1); 0 with one case.
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    pub p10: f64,
    pub p25: f64,
    pub p75: f64,
    pub p90: f64,
    /// Cases with a valid run.
    pub cases: usize,
}

/// Summary of a maker's per-case entropies; None when it has no valid run anywhere.
pub fn entropy_summary(counts: &[Counts]) -> Option<EntropySummary> {
    let v = sorted(counts.iter().filter_map(case_entropy));
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    Some(EntropySummary {
        mean: if n > 0 { mean } else { return None },
        median: percentile(&v, 50.0)?,
        sd,
        min: *v.first()?,
        max: *v.last()?,
        p10: percentile(&v, 10.0)?,
        p25: percentile(&v, 25.0)?,
        p75: percentile(&v, 75.0)?,
        p90: percentile(&v, 90.0)?,
        cases: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 50.0), Some(2.5));
        assert!((percentile(&v, 95.0).unwrap() - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn entropy_and_agreement() {
        assert_eq!(case_entropy(&[10, 0, 0]), Some(0.0));
        assert_eq!(case_entropy(&[5, 5, 3]), Some(1.0));
        assert_eq!(case_entropy(&[0, 0, 10]), None);
        let maker = [[9, 1, 0], [0, 10, 0], [5, 5, 0], [0, 0, 10]];
        let phys = [[15, 5, 0], [15, 5, 0], [1, 19, 0], [10, 10, 0]];
        // Case 1 agrees, case 2 disagrees, case 3 is a maker tie, case 4 has no valid run.
        assert_eq!(agreement_rate(&maker, &phys), Some(0.5));
        let s = entropy_summary(&maker).unwrap();
        assert_eq!(s.cases, 3);
        assert_eq!(s.max, 1.0);
        assert_eq!(s.median, case_entropy(&[9, 1, 0]).unwrap());
        assert!(entropy_summary(&[[0, 0, 3]]).is_none());
    }
}
