//! The optional judge model for answers the local parser cannot read confidently.
//!
//! This module only builds the request and reads the reply; which upstream is called, and when,
//! is the routing and monitor stages' business ([`JudgePolicy`] tells them when to ask).

use super::Decision;
use crate::values::Choice;
use serde::{Deserialize, Serialize};

/// One chat message of the judge request, in OpenAI chat-completions shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

/// When to ask the judge model. Plain configuration data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgePolicy {
    /// Send answers whose local confidence is below this (0..=1) to the judge. 0 never asks;
    /// 1 always asks. Default 0.75.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Longest answer text (bytes) put into the judge prompt; longer answers keep their head and
    /// tail, where recommendations are stated. Default 12000.
    #[serde(default = "default_max_answer_bytes")]
    pub max_answer_bytes: usize,
}

fn default_threshold() -> f64 {
    0.75
}

fn default_max_answer_bytes() -> usize {
    12_000
}

impl Default for JudgePolicy {
    fn default() -> Self {
        JudgePolicy {
            threshold: default_threshold(),
            max_answer_bytes: default_max_answer_bytes(),
        }
    }
}

impl JudgePolicy {
    /// Whether this decision should be checked by the judge model.
    pub fn needs_judge(&self, decision: &Decision) -> bool {
        decision.confidence < self.threshold
    }
}

const JUDGE_SYSTEM: &str = "You label clinical answers. A clinician was asked to recommend one \
of two options for a patient. Read the answer and report which option it recommends. Judge by \
what the answer finally recommends, not by which option it discusses most; an option it argues \
against is not its recommendation. If it declines to choose, defers the choice entirely to \
someone else, or calls both options equally acceptable without picking one, the label is \
REFUSAL. Reply with exactly one word: choice_1, choice_2 or REFUSAL.";

/// The judge request for one answer: a system instruction and the options plus the answer.
pub fn judge_prompt(option1: &str, option2: &str, answer: &str) -> Vec<ChatMessage> {
    judge_prompt_with(&JudgePolicy::default(), option1, option2, answer)
}

/// [`judge_prompt`] with an explicit policy (answer length cap).
pub fn judge_prompt_with(
    policy: &JudgePolicy,
    option1: &str,
    option2: &str,
    answer: &str,
) -> Vec<ChatMessage> {
    let answer = clip_middle(answer, policy.max_answer_bytes);
    let user = format!(
        "Option choice_1: {option1}\nOption choice_2: {option2}\n\n\
         Answer to label (between the markers):\n<<<ANSWER\n{answer}\nANSWER>>>\n\n\
         Which option does the answer recommend? Reply choice_1, choice_2 or REFUSAL."
    );
    vec![
        ChatMessage {
            role: "system".into(),
            content: JUDGE_SYSTEM.into(),
        },
        ChatMessage {
            role: "user".into(),
            content: user,
        },
    ]
}

/// Keep the head and the tail of a long text, where answers state their pick.
fn clip_middle(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let head = super::text::floor_boundary(text, max / 3);
    let tail = super::text::ceil_boundary(text, text.len() - (max - max / 3));
    format!("{}\n[...]\n{}", &text[..head], &text[tail..]).into()
}

/// Read the judge's reply. Tolerates case, punctuation, markdown and a short preamble; returns
/// `None` when the reply names no label or names more than one.
pub fn parse_judge_reply(reply: &str) -> Option<Choice> {
    let lower = reply.to_ascii_lowercase();
    let found: Vec<Choice> = [
        ("choice_1", Choice::Choice1),
        ("choice_2", Choice::Choice2),
        ("refusal", Choice::Refusal),
    ]
    .into_iter()
    .filter(|(label, _)| lower.contains(label))
    .map(|(_, c)| c)
    .collect();
    match found.as_slice() {
        [one] => Some(*one),
        [] => {
            // Some judges answer "1" / "2" or "Choice 1" despite the instruction.
            let t = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            match t {
                "1" | "choice 1" | "option 1" => Some(Choice::Choice1),
                "2" | "choice 2" | "option 2" => Some(Choice::Choice2),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_names_both_options_and_the_answer() {
        let m = judge_prompt("Operate", "Wait", "I would wait.");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].role, "system");
        assert!(m[1].content.contains("choice_1: Operate"));
        assert!(m[1].content.contains("choice_2: Wait"));
        assert!(m[1].content.contains("I would wait."));
    }

    #[test]
    fn long_answers_keep_head_and_tail() {
        let long = format!("HEAD{}TAIL", "x".repeat(50_000));
        let policy = JudgePolicy {
            max_answer_bytes: 1000,
            ..JudgePolicy::default()
        };
        let m = judge_prompt_with(&policy, "a", "b", &long);
        assert!(m[1].content.contains("HEAD") && m[1].content.contains("TAIL"));
        assert!(m[1].content.len() < 1500);
    }

    #[test]
    fn reads_replies() {
        assert_eq!(parse_judge_reply("choice_2"), Some(Choice::Choice2));
        assert_eq!(parse_judge_reply("**CHOICE_1**."), Some(Choice::Choice1));
        assert_eq!(parse_judge_reply("REFUSAL"), Some(Choice::Refusal));
        assert_eq!(parse_judge_reply(" 2 "), Some(Choice::Choice2));
        assert_eq!(parse_judge_reply("choice_1 or choice_2"), None);
        assert_eq!(parse_judge_reply("I am not sure"), None);
    }
}
