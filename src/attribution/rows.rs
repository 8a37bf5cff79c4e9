//! Building regression rows: from one maker's per-case counts, or from the aggregated
//! sufficient statistics a live monitor keeps (counts per member x delta pattern x choice).
//!
//! Aggregating cases that share a delta pattern leaves the coefficients unchanged (the
//! likelihood depends only on the per-pattern totals) but not the robust standard errors: those
//! then treat each pattern, not each case, as the independent unit.

use super::glm::GlmRow;
use std::collections::BTreeMap;

/// Decisions of one maker on one delta pattern (or one case). Refusals are not counted: the
/// paper's target is P(choice_1) among valid runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatternCounts {
    /// delta_v = align(choice_1, v) - align(choice_2, v), each in -2..=2.
    pub deltas: [i8; 4],
    pub choice_1: u64,
    pub choice_2: u64,
}

impl PatternCounts {
    pub fn valid(&self) -> u64 {
        self.choice_1 + self.choice_2
    }

    /// The paper's row: y = share of choice_1 among valid runs, w = number of valid runs.
    /// None when there is no valid run (the paper drops such cases).
    pub fn row(&self) -> Option<GlmRow> {
        let n = self.valid();
        (n > 0).then(|| GlmRow {
            x: self.deltas.map(f64::from),
            y: self.choice_1 as f64 / n as f64,
            w: n as f64,
        })
    }
}

/// One row per case, in input order, dropping cases without valid runs (the paper's rows).
pub fn rows_per_case(counts: &[PatternCounts]) -> Vec<GlmRow> {
    counts.iter().filter_map(PatternCounts::row).collect()
}

/// One row per distinct delta pattern after summing counts (what a monitor that keeps only
/// sufficient statistics can fit). Ordered by pattern, so the result is deterministic.
pub fn rows_from_counts(counts: &[PatternCounts]) -> Vec<GlmRow> {
    let mut merged: BTreeMap<[i8; 4], (u64, u64)> = BTreeMap::new();
    for c in counts {
        let e = merged.entry(c.deltas).or_default();
        e.0 = e.0.saturating_add(c.choice_1);
        e.1 = e.1.saturating_add(c.choice_2);
    }
    merged
        .into_iter()
        .filter_map(|(deltas, (choice_1, choice_2))| {
            PatternCounts {
                deltas,
                choice_1,
                choice_2,
            }
            .row()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::glm::fit_glm;

    #[test]
    fn drops_cases_without_valid_runs() {
        let c = [
            PatternCounts {
                deltas: [1, 0, -1, 0],
                choice_1: 3,
                choice_2: 1,
            },
            PatternCounts {
                deltas: [0, 1, 0, 0],
                choice_1: 0,
                choice_2: 0,
            },
        ];
        let rows = rows_per_case(&c);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].y, 0.75);
        assert_eq!(rows[0].w, 4.0);
        assert_eq!(rows[0].x, [1.0, 0.0, -1.0, 0.0]);
    }

    #[test]
    fn merging_patterns_keeps_coefficients() {
        let c = [
            PatternCounts {
                deltas: [1, 0, -1, 0],
                choice_1: 7,
                choice_2: 3,
            },
            PatternCounts {
                deltas: [1, 0, -1, 0],
                choice_1: 2,
                choice_2: 8,
            },
            PatternCounts {
                deltas: [0, 2, 0, -1],
                choice_1: 6,
                choice_2: 4,
            },
            PatternCounts {
                deltas: [-1, 1, 0, 0],
                choice_1: 1,
                choice_2: 9,
            },
            PatternCounts {
                deltas: [0, -1, 1, 1],
                choice_1: 5,
                choice_2: 5,
            },
            PatternCounts {
                deltas: [1, 1, 1, 0],
                choice_1: 8,
                choice_2: 2,
            },
        ];
        let merged = rows_from_counts(&c);
        assert_eq!(merged.len(), 5);
        let a = fit_glm(&rows_per_case(&c));
        let b = fit_glm(&merged);
        assert!(a.converged() && b.converged());
        for i in 0..4 {
            assert!((a.beta[i] - b.beta[i]).abs() < 1e-9, "{a:?} {b:?}");
        }
    }
}
