//! The four principles of biomedical ethics that ValueBench tags every choice with.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the four values. The order of [`Value::ALL`] is the order used in every
/// feature vector, profile and report in the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    Autonomy,
    Beneficence,
    Nonmaleficence,
    Justice,
}

impl Value {
    pub const ALL: [Value; 4] = [
        Value::Autonomy,
        Value::Beneficence,
        Value::Nonmaleficence,
        Value::Justice,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Value::Autonomy => "autonomy",
            Value::Beneficence => "beneficence",
            Value::Nonmaleficence => "nonmaleficence",
            Value::Justice => "justice",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_name(name: &str) -> Option<Value> {
        Value::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a choice relates to a value: ValueBench's `promotes` / `neutral` / `violates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    Promotes,
    Neutral,
    Violates,
}

impl Alignment {
    /// +1 promotes, 0 neutral, -1 violates (the paper's coding).
    pub fn score(self) -> i8 {
        match self {
            Alignment::Promotes => 1,
            Alignment::Neutral => 0,
            Alignment::Violates => -1,
        }
    }
}

/// A decision on a two-option dilemma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Choice {
    #[serde(rename = "choice_1")]
    Choice1,
    #[serde(rename = "choice_2")]
    Choice2,
    /// No recommendation: declined, deferred entirely, or both called equally valid.
    #[serde(rename = "REFUSAL", alias = "refusal")]
    Refusal,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Choice1 => "choice_1",
            Choice::Choice2 => "choice_2",
            Choice::Refusal => "REFUSAL",
        }
    }
}
