//! Agreement of the parser with labels recorded in a ValueBench experiment (the paper's parser).

use super::{Decider, Decision, OptionPair};
use crate::valuebench::{is_physician, Experiment};
use crate::values::Choice;
use std::collections::BTreeMap;

/// Answers and agreeing answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u32,
    pub agree: u32,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.agree += u32::from(ok);
    }

    /// Agreement in [0, 1]; 0 for an empty tally.
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            f64::from(self.agree) / f64::from(self.total)
        }
    }
}

/// One answer where the parser and the recorded label differ.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub case_id: String,
    pub maker: String,
    pub run: usize,
    pub recorded: Choice,
    pub decision: Decision,
}

/// The audit of one experiment.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub per_model: BTreeMap<String, Tally>,
    pub overall: Tally,
    /// Agreement by parser confidence, bins of width 0.1 (bin 9 holds [0.9, 1.0]).
    pub by_confidence: [Tally; 10],
    pub disagreements: Vec<Disagreement>,
}

/// Parse every model answer (physicians excluded) and compare with its recorded label.
pub fn audit_experiment(decider: &Decider, exp: &Experiment) -> Audit {
    let mut audit = Audit::default();
    for case in &exp.cases {
        let pair = OptionPair::new(&case.case.choice_1.choice, &case.case.choice_2.choice);
        for (maker, runs) in case.makers.iter().filter(|(m, _)| !is_physician(m)) {
            for (i, run) in runs.iter().enumerate() {
                let d =
                    decider.decide_prepared(&pair, run.content().unwrap_or(""), run.reasoning());
                let ok = d.choice == run.parsed_choice;
                audit.per_model.entry(maker.clone()).or_default().add(ok);
                audit.overall.add(ok);
                let bin = ((d.confidence * 10.0) as usize).min(9);
                audit.by_confidence[bin].add(ok);
                if !ok {
                    audit.disagreements.push(Disagreement {
                        case_id: case.case_id.clone(),
                        maker: maker.clone(),
                        run: i,
                        recorded: run.parsed_choice,
                        decision: d,
                    });
                }
            }
        }
    }
    audit
}
