//! One logged dilemma decision. Holds identifiers, tags and the parsed decision; no prompt,
//! answer or option text unless the policy opts in (patient data).

use crate::values::{Alignment, Choice, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How one option relates to each value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ValueTags {
    pub autonomy: Alignment,
    pub beneficence: Alignment,
    pub nonmaleficence: Alignment,
    pub justice: Alignment,
}

impl ValueTags {
    pub fn get(&self, value: Value) -> Alignment {
        match value {
            Value::Autonomy => self.autonomy,
            Value::Beneficence => self.beneficence,
            Value::Nonmaleficence => self.nonmaleficence,
            Value::Justice => self.justice,
        }
    }

    pub fn from_fn(mut f: impl FnMut(Value) -> Alignment) -> Self {
        ValueTags {
            autonomy: f(Value::Autonomy),
            beneficence: f(Value::Beneficence),
            nonmaleficence: f(Value::Nonmaleficence),
            justice: f(Value::Justice),
        }
    }
}

/// The value tags of both options of a dilemma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OptionTags {
    pub choice_1: ValueTags,
    pub choice_2: ValueTags,
}

impl OptionTags {
    /// The paper's features: align(choice_1, v) - align(choice_2, v) in [`Value::ALL`] order.
    pub fn deltas(&self) -> [i8; 4] {
        Value::ALL.map(|v| self.choice_1.get(v).score() - self.choice_2.get(v).score())
    }

    pub fn from_case(case: &crate::valuebench::Case) -> Self {
        OptionTags {
            choice_1: ValueTags::from_fn(|v| case.choice_1.alignment(v)),
            choice_2: ValueTags::from_fn(|v| case.choice_2.alignment(v)),
        }
    }
}

/// One dilemma answer as the monitor records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionEvent {
    /// Unix time of the decision, milliseconds.
    pub time_ms: u64,
    pub request_id: String,
    /// [`hash_conversation`] of the conversation or `user` id, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The virtual model (ensemble) the client asked for, when it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<String>,
    /// The model that answered.
    pub member: String,
    /// `passthrough`, `distributional`, `persona`, `overton`, `steer`.
    pub route_mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    pub dilemma_score: f32,
    /// A benchmark case id, or [`case_key_for_vignette`] of the prompt.
    pub case_key: String,
    /// Value tags of the two options, when known (benchmark case or judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<OptionTags>,
    /// The two options' texts: only when the policy opts in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_texts: Option<[String; 2]>,
    pub decision: Choice,
    pub confidence: f32,
    #[serde(default)]
    pub values_discussed: Vec<Value>,
    /// The answer made the case for more than one option (the Overton measure).
    #[serde(default)]
    pub presents_both: bool,
    /// Time from request to the end of the answer, milliseconds.
    pub latency_ms: u64,
    /// Prompt and answer text: only when the policy opts in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_text: Option<String>,
    /// What the optional judge model did for this event (re-read the answer, tagged the
    /// options), when it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<JudgeNote>,
}

/// The judge model's part in one event, so every decision stays explainable after the fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeNote {
    /// The judge model, as the policy names it.
    pub model: String,
    /// The judge re-read the answer: the local parser's reading and the judge's, which is the
    /// event's `decision` (its `confidence` stays the parser's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<JudgeReview>,
    /// The options' value tags came from the judge: `asked` now, or `cached` from an earlier
    /// event with the same case key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Judge calls that gave nothing usable, e.g. `review: timeout`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// This line is the parser's reading, made durable before the response ended while the
    /// judge was still to answer; a later line with the same request id and member (the
    /// judged event) takes its place. Readers and the monitor count the decision once: the
    /// judged line when it came, else (a crash before the judge answered) this one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

impl JudgeNote {
    /// The note of an event recorded before `model` has answered.
    pub fn pending(model: &str) -> JudgeNote {
        JudgeNote {
            model: model.to_owned(),
            review: None,
            tags: None,
            errors: Vec::new(),
            pending: true,
        }
    }
}

/// A low-confidence decision re-read by the judge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JudgeReview {
    pub parser_decision: Choice,
    pub parser_confidence: f32,
    pub judge_decision: Choice,
}

impl DecisionEvent {
    /// Recorded before the judge answered; see [`JudgeNote::pending`].
    pub fn judge_pending(&self) -> bool {
        self.judge.as_ref().is_some_and(|n| n.pending)
    }

    /// The key a judged line and its pending line share.
    pub fn judge_key(&self) -> (String, String) {
        (self.request_id.clone(), self.member.clone())
    }

    /// The GLM feature pattern, when the options' tags are known.
    pub fn pattern(&self) -> Option<[i8; 4]> {
        self.options.as_ref().map(OptionTags::deltas)
    }

    /// Remove every text field the config does not opt into; called by the writer so no
    /// caller can leak text by mistake.
    pub fn redact(&mut self, keep_options: bool, keep_prompt: bool) {
        if !keep_options {
            self.option_texts = None;
        }
        if !keep_prompt {
            self.prompt_text = None;
            self.answer_text = None;
        }
    }
}

fn short_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hex::encode(&hasher.finalize()[..8])
}

/// A stable, non-reversible id for a conversation (salted so ids from another deployment do
/// not match).
pub fn hash_conversation(salt: &str, conversation_id: &str) -> String {
    short_hash(&[salt.as_bytes(), conversation_id.as_bytes()])
}

/// A case key for a dilemma that is not a known benchmark case: a hash of the vignette after
/// lower-casing and collapsing whitespace, so trivially reformatted prompts share a key.
pub fn case_key_for_vignette(vignette: &str) -> String {
    let normalised: Vec<String> = vignette.split_whitespace().map(str::to_lowercase).collect();
    format!("vh:{}", short_hash(&[normalised.join(" ").as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vignette_key_ignores_case_and_spacing() {
        let a = case_key_for_vignette("A patient  refuses\n treatment.");
        let b = case_key_for_vignette("a PATIENT refuses treatment.");
        assert_eq!(a, b);
        assert_ne!(a, case_key_for_vignette("a patient accepts treatment."));
        assert!(a.starts_with("vh:"));
    }

    #[test]
    fn conversation_hash_depends_on_salt() {
        assert_ne!(hash_conversation("s1", "c"), hash_conversation("s2", "c"));
        assert_eq!(hash_conversation("s1", "c"), hash_conversation("s1", "c"));
    }

    #[test]
    fn deltas_follow_the_paper_coding() {
        use Alignment::*;
        let tags = OptionTags {
            choice_1: ValueTags::from_fn(|v| {
                if v == Value::Autonomy {
                    Promotes
                } else {
                    Neutral
                }
            }),
            choice_2: ValueTags::from_fn(|v| {
                if v == Value::Autonomy {
                    Violates
                } else {
                    Promotes
                }
            }),
        };
        assert_eq!(tags.deltas(), [2, -1, -1, -1]);
    }
}
