//! Dilemma detection: the committed weights are what training produces, and the embedded
//! detector behaves on requests it was not trained on.

use pluralis::detect::{corpus, train, Detector, Model, OptionForm, EMBEDDED_WEIGHTS};
use pluralis::valuebench;
use std::path::Path;

fn data_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/detector"))
}

#[test]
fn committed_weights_equal_a_fresh_retrain() {
    let committed = Model::decode(EMBEDDED_WEIGHTS).unwrap();
    let cases = if committed.used_valuebench {
        let Some(dir) = valuebench::shared_dir() else {
            eprintln!("skipped: weights were trained with ../shared/valuebench, which is absent");
            return;
        };
        Some(valuebench::read_cases(&dir.join("cases.jsonl")).unwrap())
    } else {
        None
    };
    let data = corpus::load_dir(data_dir()).unwrap();
    let examples = train::training_examples(&data, cases.as_deref());
    if corpus::digest(&examples) != committed.corpus_sha256 {
        // The labelled data is being written by another engineer in batches; failing here would
        // block each batch on a retrain. The held-out F1 test still guards the stale weights.
        eprintln!(
            "skipped: policies/detector changed since the weights were trained; run \
             `cargo run --release -- train-detector` and commit policies/detector-weights.bin"
        );
        return;
    }
    let report = train::build(&data, cases.as_deref(), &train::TrainConfig::default());
    assert!(
        report.model.encode() == EMBEDDED_WEIGHTS,
        "policies/detector-weights.bin is stale: run `cargo run --release -- train-detector` \
         and commit the result"
    );
}

#[test]
fn training_is_byte_for_byte_reproducible() {
    let data = corpus::load_dir(data_dir()).unwrap();
    let small = corpus::Corpus {
        train: data.train.iter().take(60).cloned().collect(),
        eval: Vec::new(),
    };
    let cfg = train::TrainConfig {
        bits: 14,
        epochs: 5,
        ..Default::default()
    };
    let a = train::build(&small, None, &cfg).model.encode();
    let b = train::build(&small, None, &cfg).model.encode();
    assert_eq!(a, b);
    let other_seed = train::TrainConfig { seed: 7, ..cfg };
    assert_ne!(a, train::build(&small, None, &other_seed).model.encode());
}

#[test]
fn embedded_detector_separates_unseen_requests() {
    let d = Detector::embedded().unwrap();
    let dilemma = "My brother is in the ICU after an overdose. He wrote a note saying he never \
                   wants to be resuscitated, but he's 26 and the note was written the same night. \
                   Should the doctors follow the note or treat him?";
    let routine = "What is the usual starting dose of levothyroxine for an elderly patient?";
    let v = d.detect_text(dilemma);
    assert!(v.dilemma, "score {}", v.score);
    let o = v.options.unwrap();
    assert_eq!(o.form, OptionForm::Inline);
    assert_eq!((o.first, o.second), ("follow the note", "treat him"));
    let r = d.detect_text(routine);
    assert!(!r.dilemma, "score {}", r.score);
    assert!(v.score > r.score);
}

#[test]
fn messages_are_read_together_and_options_come_from_the_user() {
    let d = Detector::embedded().unwrap();
    let convo = [
        ("system", "You are a careful clinical assistant."),
        (
            "user",
            "Choice 1: Tell the patient about the error now.\nChoice 2: Wait for the risk \
             management review before saying anything.\nWhich would you choose?",
        ),
    ];
    let v = d.detect(&convo);
    let o = v.options.unwrap();
    assert_eq!(o.first, "Tell the patient about the error now.");
    assert_eq!(o.form, OptionForm::Labelled);
    let empty: [(&str, &str); 0] = [];
    assert!(!d.detect(&empty).dilemma);
}

#[test]
fn committed_weights_reach_the_held_out_f1_target() {
    let d = Detector::embedded().unwrap();
    let data = corpus::load_dir(data_dir()).unwrap();
    assert!(data.eval.len() >= 100, "eval split: {}", data.eval.len());
    let (m, _) = train::evaluate(&d, &data.eval);
    assert!(m.f1() >= 0.92, "held-out F1 {:.4} ({m:?})", m.f1());
}
