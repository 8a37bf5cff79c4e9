//! The parser on answers written unlike the benchmark's (tests/data/decide_styles.jsonl, the
//! project's own text): markdown headers and tables, verdict first or last in long reasoning,
//! "Option A/B", ordinals, "the former/latter", paraphrase only, negations, hedges, a final
//! "Recommendation:" line, JSON/YAML/XML-ish output, a separate reasoning field, a few other
//! languages, and refusals of several kinds (declining, deferring to the team or the patient,
//! "both equally valid", asking for facts). Each line: id, style, choice_1, choice_2, response,
//! optional reasoning, expected.

mod jsonl;

use pluralis::decide::{Decider, JudgePolicy, OptionPair};
use pluralis::values::Choice;
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    id: String,
    style: String,
    choice_1: String,
    choice_2: String,
    response: String,
    #[serde(default)]
    reasoning: Option<String>,
    expected: Choice,
}

/// Accuracy this set must keep (measured 0.870 when the floor was set; see README).
const ACCURACY_FLOOR: f64 = 0.86;

fn lines() -> Vec<Line> {
    jsonl::read_data("decide_styles.jsonl")
}

#[test]
fn style_shifted_answers_are_read() {
    let decider = Decider::new();
    let confident = JudgePolicy::default().threshold;
    let lines = lines();
    assert!(lines.len() >= 150, "{} lines", lines.len());
    let mut misses = Vec::new();
    let mut confident_misread_refusals = Vec::new();
    for l in &lines {
        let d = decider.decide_prepared(
            &OptionPair::new(&l.choice_1, &l.choice_2),
            &l.response,
            l.reasoning.as_deref(),
        );
        if d.choice == l.expected {
            continue;
        }
        let miss = format!(
            "{} ({}): expected {} got {} at {:.2}",
            l.id,
            l.style,
            l.expected.as_str(),
            d.choice.as_str(),
            d.confidence
        );
        if l.expected == Choice::Refusal && d.confidence >= confident {
            confident_misread_refusals.push(miss.clone());
        }
        misses.push(miss);
    }
    let accuracy = 1.0 - misses.len() as f64 / lines.len() as f64;
    eprintln!(
        "style-shifted accuracy {accuracy:.3} ({} of {} lines)",
        lines.len() - misses.len(),
        lines.len()
    );
    for m in &misses {
        eprintln!("  miss {m}");
    }
    assert!(
        confident_misread_refusals.is_empty(),
        "refusals read as a choice at confidence >= {confident}: {confident_misread_refusals:#?}"
    );
    assert!(
        accuracy >= ACCURACY_FLOOR,
        "style-shifted accuracy {accuracy:.3}"
    );
}

#[test]
fn the_set_covers_every_label_and_many_styles() {
    let lines = lines();
    for label in [Choice::Choice1, Choice::Choice2, Choice::Refusal] {
        let n = lines.iter().filter(|l| l.expected == label).count();
        assert!(n >= 25, "{} has {n} lines", label.as_str());
    }
    let with_reasoning = lines.iter().filter(|l| l.reasoning.is_some()).count();
    assert!(
        with_reasoning >= 8,
        "{with_reasoning} lines with a reasoning field"
    );
    let mut ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), lines.len(), "ids are unique");
}
