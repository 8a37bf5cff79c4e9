//! The audit's input as plain counts: per case, its value deltas and every maker's
//! (choice_1, choice_2, refusal) counts. Built from an already-read ValueBench
//! [`Experiment`](crate::valuebench::Experiment); no file access here.

use super::rows::PatternCounts;
use crate::valuebench::{is_physician, Experiment};

/// Choice counts of one maker on one case: [choice_1, choice_2, refusal].
pub type Counts = [u32; 3];

/// One decision maker's counts, indexed like [`AuditData::deltas`].
#[derive(Debug, Clone, PartialEq)]
pub struct MakerCounts {
    pub id: String,
    pub counts: Vec<Counts>,
}

impl MakerCounts {
    /// Per-case pattern counts (the GLM's input), in case order.
    pub fn patterns(&self, deltas: &[[i8; 4]]) -> Vec<PatternCounts> {
        deltas
            .iter()
            .zip(&self.counts)
            .map(|(d, c)| PatternCounts {
                deltas: *d,
                choice_1: u64::from(c[0]),
                choice_2: u64::from(c[1]),
            })
            .collect()
    }
}

/// Everything the audit reads, restricted to the cases with at least one valid physician vote
/// (the paper computes its profiles there).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditData {
    /// Value deltas per case, in [`crate::values::Value::ALL`] order.
    pub deltas: Vec<[i8; 4]>,
    /// Models (non-`human/` makers), sorted by id.
    pub models: Vec<MakerCounts>,
    /// Individual physicians, sorted by id.
    pub physicians: Vec<MakerCounts>,
}

impl AuditData {
    /// Collect counts from an experiment, keeping only cases with a valid physician vote.
    pub fn from_experiment(experiment: &Experiment) -> AuditData {
        let cases: Vec<_> = experiment
            .cases
            .iter()
            .filter(|c| {
                let (a, b, _) = c.physician_counts();
                a + b > 0
            })
            .collect();
        let maker_ids = experiment.makers();
        let collect = |id: &String| MakerCounts {
            id: id.clone(),
            counts: cases
                .iter()
                .map(|c| {
                    let (a, b, r) = c.counts(id);
                    [a, b, r]
                })
                .collect(),
        };
        let (physician_ids, model_ids): (Vec<&String>, Vec<&String>) =
            maker_ids.iter().partition(|m| is_physician(m));
        AuditData {
            deltas: cases.iter().map(|c| c.case.deltas()).collect(),
            models: model_ids.into_iter().map(collect).collect(),
            physicians: physician_ids.into_iter().map(collect).collect(),
        }
    }

    pub fn cases(&self) -> usize {
        self.deltas.len()
    }

    /// Physician votes pooled per case (the consensus maker's counts).
    pub fn consensus(&self) -> Vec<Counts> {
        self.pooled_physicians(None)
    }

    /// Physician votes pooled per case, leaving out physician `skip` when given.
    pub fn pooled_physicians(&self, skip: Option<usize>) -> Vec<Counts> {
        let mut pooled = vec![[0u32; 3]; self.cases()];
        for (i, p) in self.physicians.iter().enumerate() {
            if Some(i) == skip {
                continue;
            }
            for (acc, c) in pooled.iter_mut().zip(&p.counts) {
                for k in 0..3 {
                    acc[k] = acc[k].saturating_add(c[k]);
                }
            }
        }
        pooled
    }
}
