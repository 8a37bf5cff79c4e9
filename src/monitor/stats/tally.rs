//! Additive counts for one scope: the GLM's sufficient statistics (choice counts per value-delta
//! pattern) plus what entropy, Overton coverage and routing shares need. Tallies merge by
//! addition, so windows are sums of time buckets.

use crate::monitor::log::DecisionEvent;
use crate::values::Choice;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The four value deltas of a dilemma (choice_1 minus choice_2), each in -2..=2.
pub type Pattern = [i8; 4];

/// Counts indexed by [`choice_index`]: choice_1, choice_2, refusal.
pub type ChoiceCounts = [u64; 3];

pub fn choice_index(choice: Choice) -> usize {
    match choice {
        Choice::Choice1 => 0,
        Choice::Choice2 => 1,
        Choice::Refusal => 2,
    }
}

pub const CHOICES: [Choice; 3] = [Choice::Choice1, Choice::Choice2, Choice::Refusal];

/// A label-safe rendering of a pattern for metrics and JSON: `"2,-1,0,0"`.
pub fn pattern_label(pattern: &Pattern) -> String {
    pattern
        .iter()
        .map(i8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn parse_pattern(label: &str) -> Option<Pattern> {
    let parts: Vec<i8> = label
        .split(',')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let pattern: Pattern = parts.try_into().ok()?;
    pattern
        .iter()
        .all(|d| (-2..=2).contains(d))
        .then_some(pattern)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Tagged decisions by value-delta pattern.
    pub by_pattern: HashMap<Pattern, ChoiceCounts>,
    /// Every decision, tagged or not.
    pub choices: ChoiceCounts,
    /// Decisions whose answer made the case for more than one option.
    pub presents_both: u64,
    /// Sum over decisions of how many of the four values the answer discussed.
    pub values_discussed: u64,
    /// Decisions per answering member (routing shares).
    pub by_member: BTreeMap<String, u64>,
    /// Decisions per route mode.
    pub by_mode: BTreeMap<String, u64>,
    /// Sum of latencies, milliseconds.
    pub latency_ms_sum: u64,
}

impl Tally {
    pub fn add(&mut self, event: &DecisionEvent) {
        let c = choice_index(event.decision);
        if let Some(pattern) = event.pattern() {
            self.by_pattern.entry(pattern).or_default()[c] += 1;
        }
        self.choices[c] += 1;
        self.presents_both += u64::from(event.presents_both);
        let mut discussed = event.values_discussed.clone();
        discussed.sort();
        discussed.dedup();
        self.values_discussed += discussed.len() as u64;
        *self.by_member.entry(event.member.clone()).or_default() += 1;
        *self.by_mode.entry(event.route_mode.clone()).or_default() += 1;
        self.latency_ms_sum += event.latency_ms;
    }

    pub fn merge(&mut self, other: &Tally) {
        for (pattern, counts) in &other.by_pattern {
            let mine = self.by_pattern.entry(*pattern).or_default();
            for (m, o) in mine.iter_mut().zip(counts) {
                *m += o;
            }
        }
        for (m, o) in self.choices.iter_mut().zip(&other.choices) {
            *m += o;
        }
        self.presents_both += other.presents_both;
        self.values_discussed += other.values_discussed;
        for (k, v) in &other.by_member {
            *self.by_member.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.by_mode {
            *self.by_mode.entry(k.clone()).or_default() += v;
        }
        self.latency_ms_sum += other.latency_ms_sum;
    }

    pub fn total(&self) -> u64 {
        self.choices.iter().sum()
    }

    /// Decisions with known value tags and a valid (non-refusal) choice: the GLM's evidence.
    pub fn tagged_valid(&self) -> u64 {
        self.by_pattern.values().map(|c| c[0] + c[1]).sum()
    }

    /// Share of decisions that presented more than one option's case.
    pub fn overton_share(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| self.presents_both as f64 / n as f64)
    }

    /// Mean number of the four values an answer discussed.
    pub fn mean_values_discussed(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| self.values_discussed as f64 / n as f64)
    }
}
