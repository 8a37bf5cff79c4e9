//! Plain data types mirroring ValueBench's JSON schema.

use crate::values::{Alignment, Choice, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One option of a dilemma with its value tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseChoice {
    pub choice: String,
    pub autonomy: Alignment,
    pub beneficence: Alignment,
    pub nonmaleficence: Alignment,
    pub justice: Alignment,
}

impl CaseChoice {
    pub fn alignment(&self, value: Value) -> Alignment {
        match value {
            Value::Autonomy => self.autonomy,
            Value::Beneficence => self.beneficence,
            Value::Nonmaleficence => self.nonmaleficence,
            Value::Justice => self.justice,
        }
    }
}

/// A dilemma: vignette plus two tagged options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub vignette: String,
    pub choice_1: CaseChoice,
    pub choice_2: CaseChoice,
}

impl Case {
    /// The paper's features: delta_v = align(choice_1, v) - align(choice_2, v), in [`Value::ALL`] order.
    pub fn deltas(&self) -> [i8; 4] {
        Value::ALL.map(|v| self.choice_1.alignment(v).score() - self.choice_2.alignment(v).score())
    }
}

/// A line of `cases.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseLine {
    pub case_id: String,
    #[serde(default)]
    pub status: Option<String>,
    pub vignette: String,
    pub choice_1: CaseChoice,
    pub choice_2: CaseChoice,
}

impl CaseLine {
    pub fn case(&self) -> Case {
        Case {
            vignette: self.vignette.clone(),
            choice_1: self.choice_1.clone(),
            choice_2: self.choice_2.clone(),
        }
    }

    pub fn is_approved(&self) -> bool {
        self.status.as_deref() == Some("approved")
    }
}

/// One recorded answer. `full_response` is an OpenAI chat completion for models and
/// `{type: "human", participant_id, response_text}` for physicians; kept as raw JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub full_response: serde_json::Value,
    pub parsed_choice: Choice,
}

impl Run {
    /// The assistant text of a model answer (`choices[0].message.content`), if any.
    pub fn content(&self) -> Option<&str> {
        self.full_response
            .pointer("/choices/0/message/content")
            .and_then(|v| v.as_str())
            .or_else(|| {
                self.full_response
                    .get("response_text")
                    .and_then(|v| v.as_str())
            })
    }

    /// A separate reasoning field, when the provider returned one.
    pub fn reasoning(&self) -> Option<&str> {
        self.full_response
            .pointer("/choices/0/message/reasoning")
            .and_then(|v| v.as_str())
    }
}

/// All runs of one decision maker on one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MakerRuns {
    #[serde(default)]
    pub temperature: Option<f64>,
    pub runs: Vec<Run>,
}

/// One `<case_id>.json` decision file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionFile {
    pub case_id: String,
    pub case: Case,
    #[serde(default)]
    pub system_prompt: Option<String>,
    #[serde(default)]
    pub user_prompt: Option<String>,
    pub models: BTreeMap<String, MakerRuns>,
}

/// Decisions of every maker on one case, merged across the LLM and human folders.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDecisions {
    pub case_id: String,
    pub case: Case,
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
    /// Maker id (`openai/gpt-5.2`, `human/participant_x`) to its runs.
    pub makers: BTreeMap<String, Vec<Run>>,
}

impl CaseDecisions {
    /// Counts of (choice_1, choice_2, refusal) for a maker.
    pub fn counts(&self, maker: &str) -> (u32, u32, u32) {
        let mut c = (0, 0, 0);
        for run in self.makers.get(maker).map(Vec::as_slice).unwrap_or(&[]) {
            match run.parsed_choice {
                Choice::Choice1 => c.0 += 1,
                Choice::Choice2 => c.1 += 1,
                Choice::Refusal => c.2 += 1,
            }
        }
        c
    }

    /// Physician votes pooled over every `human/...` maker: (choice_1, choice_2, refusal).
    pub fn physician_counts(&self) -> (u32, u32, u32) {
        let mut c = (0, 0, 0);
        for maker in self.makers.keys().filter(|m| is_physician(m)) {
            let (a, b, r) = self.counts(maker);
            c = (c.0 + a, c.1 + b, c.2 + r);
        }
        c
    }

    pub fn has_physicians(&self) -> bool {
        self.makers.keys().any(|m| is_physician(m))
    }
}

/// Physician panel members are stored under `human/participant_<id>`.
pub fn is_physician(maker: &str) -> bool {
    maker.starts_with("human/")
}

/// One experiment (a subfolder of `llm_decisions`, e.g. `physician_recommendation`) merged with
/// the human decisions, per case, in case-id order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Experiment {
    pub name: String,
    pub cases: Vec<CaseDecisions>,
}

impl Experiment {
    /// Every maker id seen, models first then physicians, each group sorted.
    pub fn makers(&self) -> Vec<String> {
        let mut all: std::collections::BTreeSet<&str> = Default::default();
        for c in &self.cases {
            all.extend(c.makers.keys().map(String::as_str));
        }
        let (mut phys, mut models): (Vec<_>, Vec<_>) = all
            .into_iter()
            .map(str::to_owned)
            .partition(|m| is_physician(m));
        models.append(&mut phys);
        models
    }

    pub fn case(&self, case_id: &str) -> Option<&CaseDecisions> {
        self.cases.iter().find(|c| c.case_id == case_id)
    }
}
