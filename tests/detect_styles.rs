//! The embedded detector on requests written in voices and formats the training corpus
//! (policies/detector/) does not have: clinician shorthand, patient and family voices,
//! non-native English, typos, chats with a system prompt where the dilemma is in the last turn,
//! long histories with the question buried, plus hard negatives in the same styles (ethics
//! questions posing no decision, routine either/or questions, trigger words, write-ups of
//! decisions already made). The set is tests/data/detect_styles.jsonl, the project's own text.
//! It is a robustness check, deliberately NOT training data: keep it out of policies/detector/.
//!
//! Lines: id, text, dilemma, voice, kind, and for chats `messages` ({role, content}), which are
//! scored as a real request (all messages); `text` is the same chat flattened, for
//! `pluralis detect --jsonl`.

mod jsonl;

use pluralis::detect::Detector;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Message {
    role: String,
    content: String,
}

#[derive(Deserialize)]
struct Line {
    id: String,
    text: String,
    dilemma: bool,
    kind: String,
    #[serde(default)]
    messages: Option<Vec<Message>>,
}

fn lines() -> Vec<Line> {
    jsonl::read_data("detect_styles.jsonl")
}

#[derive(Default)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Tally {
    fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// The style set, F1 floor set below the measured value (see README) so a retrain that loses
/// robustness fails here.
#[test]
fn embedded_detector_on_style_shifted_requests() {
    check_set("detect_styles.jsonl", 0.92);
}

/// A fresh set written by an engineer who had not seen the detector, its corpus or the style
/// set: F1 0.954 on its first run (see README). Not training data either.
#[test]
fn embedded_detector_on_a_fresh_set() {
    check_set("detect_fresh.jsonl", 0.93);
}

/// Fresh set B, written without sight of the detector or its data: F1 0.875 with the weights
/// before the breadth and hard-negative rows, 0.960 after (its misses guided those rows'
/// kinds, so it is a development set now; see README).
#[test]
fn embedded_detector_on_fresh_set_b() {
    check_set("detect_fresh_b.jsonl", 0.93);
}

/// Fresh set C, written without sight of the detector or its data and run once, after all
/// detector work of its session: F1 0.930 (precision 0.870, recall 1.000; see README). Not
/// tuned on.
#[test]
fn embedded_detector_on_fresh_set_c() {
    check_set("detect_fresh_c.jsonl", 0.90);
}

/// Detect every line of a set; print precision, recall, F1, per-kind counts and misses; fail
/// when F1 is under `floor`.
fn check_set(file: &str, floor: f64) {
    let detector = Detector::embedded().unwrap();
    let lines: Vec<Line> = jsonl::read_data(file);
    let positives = lines.iter().filter(|l| l.dilemma).count();
    assert!(positives >= 100 && lines.len() - positives >= 100);

    let mut all = Tally::default();
    let mut by_kind: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for l in &lines {
        let detection = match &l.messages {
            Some(messages) => {
                let pairs: Vec<(&str, &str)> = messages
                    .iter()
                    .map(|m| (m.role.as_str(), m.content.as_str()))
                    .collect();
                let d = detector.detect(&pairs);
                (d.score, d.dilemma)
            }
            None => {
                let d = detector.detect_text(&l.text);
                (d.score, d.dilemma)
            }
        };
        let (score, predicted) = detection;
        all.add(l.dilemma, predicted);
        by_kind
            .entry(&l.kind)
            .or_default()
            .add(l.dilemma, predicted);
        if predicted != l.dilemma {
            misses.push(format!(
                "{}: truth {} score {score:.3}",
                l.id,
                if l.dilemma { "dilemma" } else { "not" }
            ));
        }
    }
    eprintln!(
        "{file}: precision {:.3} recall {:.3} F1 {:.3} (tp {} fp {} fn {} tn {})",
        all.precision(),
        all.recall(),
        all.f1(),
        all.tp,
        all.fp,
        all.fn_,
        all.tn
    );
    for (kind, t) in &by_kind {
        eprintln!(
            "  {kind:<22} n {:>3}  correct {:>3}",
            t.tp + t.fp + t.fn_ + t.tn,
            t.tp + t.tn
        );
    }
    for m in &misses {
        eprintln!("  miss {m}");
    }
    assert!(all.f1() >= floor, "{file}: F1 {:.3}", all.f1());
}

#[test]
fn chats_flatten_to_their_text_and_ids_are_unique() {
    let lines = lines();
    for l in &lines {
        if let Some(messages) = &l.messages {
            assert!(messages.len() >= 2, "{}", l.id);
            for m in messages {
                assert!(
                    l.text.contains(&m.content),
                    "{}: text lacks a message",
                    l.id
                );
            }
        }
    }
    let mut ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), lines.len());
}
