//! Per-case decision counts for decision entropy: how spread a member's (and the
//! deployment's) decisions are on the same dilemma. Bounded: past `max_cases` distinct case
//! keys, new cases are not tracked (and counted as such) so memory stays flat.

use super::tally::{choice_index, ChoiceCounts};
use crate::values::Choice;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct CaseCounts {
    max_cases: usize,
    /// Case key to (maker: member name or the deployment's "") to counts.
    cases: HashMap<String, BTreeMap<String, ChoiceCounts>>,
    pub untracked: u64,
}

/// Summary of per-case entropies for one maker.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EntropySummary {
    /// Cases with at least two valid decisions (entropy of one decision says nothing).
    pub cases: usize,
    pub mean_bits: f64,
    pub median_bits: f64,
}

impl CaseCounts {
    pub fn new(max_cases: usize) -> Self {
        CaseCounts {
            max_cases,
            cases: HashMap::new(),
            untracked: 0,
        }
    }

    pub fn add(&mut self, case_key: &str, makers: &[&str], choice: Choice) {
        if !self.cases.contains_key(case_key) {
            if self.cases.len() >= self.max_cases {
                self.untracked += 1;
                return;
            }
            self.cases.insert(case_key.to_owned(), BTreeMap::new());
        }
        if let Some(by_maker) = self.cases.get_mut(case_key) {
            for maker in makers {
                by_maker.entry((*maker).to_owned()).or_default()[choice_index(choice)] += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Per-case entropy (bits, over the valid choices) of `maker`, summarised.
    pub fn entropy(
        &self,
        maker: &str,
        entropy_bits: impl Fn(&[f64]) -> f64,
    ) -> Option<EntropySummary> {
        let mut values: Vec<f64> = self
            .cases
            .values()
            .filter_map(|by_maker| by_maker.get(maker))
            .filter(|c| c[0] + c[1] >= 2)
            .map(|c| entropy_bits(&[c[0] as f64, c[1] as f64]))
            .collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            0.5 * (values[n / 2 - 1] + values[n / 2])
        };
        Some(EntropySummary {
            cases: n,
            mean_bits: values.iter().sum::<f64>() / n as f64,
            median_bits: median,
        })
    }
}
