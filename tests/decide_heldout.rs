//! The parser on the project's own answers (tests/data/decide_heldout.jsonl): original text in
//! styles the benchmark rarely uses (negations, hedges, Option A/B, ordinals, paraphrase only,
//! refusals, decisions stated last, Chinese). Each line: choice_1, choice_2, response, expected.

mod jsonl;

use pluralis::decide::{Decider, OptionPair};
use pluralis::values::Choice;
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    id: String,
    style: String,
    choice_1: String,
    choice_2: String,
    response: String,
    expected: Choice,
}

fn lines() -> Vec<Line> {
    jsonl::read_data("decide_heldout.jsonl")
}

#[test]
fn heldout_accuracy() {
    let decider = Decider::new();
    let lines = lines();
    assert!(lines.len() >= 100);
    let mut misses = Vec::new();
    for l in &lines {
        let d = decider.decide_prepared(
            &OptionPair::new(&l.choice_1, &l.choice_2),
            &l.response,
            None,
        );
        if d.choice != l.expected {
            misses.push(format!(
                "{} ({}): expected {} got {} at {:.2}",
                l.id,
                l.style,
                l.expected.as_str(),
                d.choice.as_str(),
                d.confidence
            ));
        }
    }
    let accuracy = 1.0 - misses.len() as f64 / lines.len() as f64;
    eprintln!("held-out accuracy {accuracy:.3} ({} lines)", lines.len());
    for m in &misses {
        eprintln!("  miss {m}");
    }
    assert!(accuracy >= 0.95, "held-out accuracy {accuracy:.3}");
}

#[test]
fn every_refusal_style_is_read_as_refusal() {
    let decider = Decider::new();
    for l in lines().iter().filter(|l| l.expected == Choice::Refusal) {
        let d = decider.decide(&l.choice_1, &l.choice_2, &l.response);
        assert_eq!(d.choice, Choice::Refusal, "{}: {:?}", l.id, l.response);
    }
}
