//! The detector's labelled data (policies/detector/*.jsonl) must stay well formed, so that
//! `train-detector` and the held-out evaluation read every line and measure what they claim.

use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    text: String,
    dilemma: bool,
    voice: String,
    setting: String,
    kind: String,
}

fn rows(name: &str) -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/detector")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{name} line {}: {e}", i + 1))
        })
        .collect()
}

/// The hand-written training files: train.jsonl and the later train-*.jsonl additions.
const TRAIN_FILES: [&str; 3] = ["train.jsonl", "train-breadth.jsonl", "train-hardneg.jsonl"];

fn train_rows() -> Vec<Row> {
    TRAIN_FILES.iter().flat_map(|f| rows(f)).collect()
}

fn normalised(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn every_row_has_text_and_tags() {
    for name in TRAIN_FILES.iter().chain(&["eval.jsonl"]) {
        for (i, r) in rows(name).iter().enumerate() {
            assert!(!r.text.trim().is_empty(), "{name} row {i}: empty text");
            for (field, v) in [
                ("voice", &r.voice),
                ("setting", &r.setting),
                ("kind", &r.kind),
            ] {
                assert!(!v.trim().is_empty(), "{name} row {i}: empty {field}");
            }
        }
    }
}

#[test]
fn no_text_appears_twice_within_or_across_files() {
    let mut seen = HashSet::new();
    for name in TRAIN_FILES.iter().chain(&["eval.jsonl"]) {
        for r in rows(name) {
            let key = normalised(&r.text);
            assert!(seen.insert(key), "{name}: duplicate text: {}", r.text);
        }
    }
}

#[test]
fn both_classes_are_well_represented_and_eval_is_a_real_share() {
    let train = train_rows();
    let eval = rows("eval.jsonl");
    let positives = |rs: &[Row]| rs.iter().filter(|r| r.dilemma).count();
    let (train_pos, eval_pos) = (positives(&train), positives(&eval));
    let (train_neg, eval_neg) = (train.len() - train_pos, eval.len() - eval_pos);
    assert!(
        train_pos + eval_pos >= 350,
        "positives: {}",
        train_pos + eval_pos
    );
    assert!(
        train_neg + eval_neg >= 350,
        "negatives: {}",
        train_neg + eval_neg
    );
    assert!(
        eval_pos >= 50 && eval_neg >= 50,
        "eval: {eval_pos}/{eval_neg}"
    );
    let share = eval.len() as f64 / (train.len() + eval.len()) as f64;
    assert!((0.12..=0.35).contains(&share), "eval share {share}");
}

#[test]
fn eval_is_written_in_other_voices_and_settings_than_train() {
    let train = train_rows();
    let eval = rows("eval.jsonl");
    let voices: HashSet<&str> = train.iter().map(|r| r.voice.as_str()).collect();
    let settings: HashSet<&str> = train.iter().map(|r| r.setting.as_str()).collect();
    let unseen = eval
        .iter()
        .filter(|r| !voices.contains(r.voice.as_str()) || !settings.contains(r.setting.as_str()))
        .count();
    assert!(
        unseen * 2 > eval.len(),
        "only {unseen} of {} eval rows have a voice or setting absent from train",
        eval.len()
    );
}
