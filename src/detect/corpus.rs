//! The labelled examples the detector is trained and evaluated on.
//!
//! Every `*.jsonl` file of the data folder (default `policies/detector/`) holds lines
//! `{"text": "...", "dilemma": true|false, ...}`; other fields are kept out of training. A line's
//! split is its `"split"` field (`"train"` or `"eval"`) when present, else `eval` for files whose
//! name contains `eval`, else `train`. The ValueBench vignettes (approved and draft cases) can be
//! added to the training split as extra positives, written out as a user would ask them.

use crate::valuebench::CaseLine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One labelled text.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub dilemma: bool,
}

/// The training and held-out evaluation examples, each in a fixed order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corpus {
    pub train: Vec<Example>,
    pub eval: Vec<Example>,
}

#[derive(Deserialize)]
struct Line {
    text: String,
    dilemma: bool,
    #[serde(default)]
    split: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {source}")]
    Json {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{path}:{line}: unknown split {split:?} (expected \"train\" or \"eval\")")]
    Split {
        path: PathBuf,
        line: usize,
        split: String,
    },
}

/// Reads every `*.jsonl` file of `dir`, in file-name order, lines in file order.
pub fn load_dir(dir: &Path) -> Result<Corpus, CorpusError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CorpusError::Io { path, source }
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    let mut corpus = Corpus::default();
    for path in &paths {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let file_is_eval = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("eval"));
        for (i, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(raw).map_err(|source| CorpusError::Json {
                path: path.clone(),
                line: i + 1,
                source,
            })?;
            let is_eval = match line.split.as_deref() {
                None => file_is_eval,
                Some("eval") => true,
                Some("train") => false,
                Some(other) => {
                    return Err(CorpusError::Split {
                        path: path.clone(),
                        line: i + 1,
                        split: other.to_owned(),
                    })
                }
            };
            let example = Example {
                text: line.text,
                dilemma: line.dilemma,
            };
            if is_eval {
                corpus.eval.push(example);
            } else {
                corpus.train.push(example);
            }
        }
    }
    Ok(corpus)
}

/// The ValueBench cases used as extra positives: approved and draft (`needs_review`) ones.
pub fn usable_case(case: &CaseLine) -> bool {
    matches!(case.status.as_deref(), Some("approved" | "needs_review"))
}

/// Writes a case out as a user might send it; the shape varies with `variant` so that the
/// model does not learn one template (labels, lists, inline question, bare vignette).
pub fn case_as_request(case: &CaseLine, variant: usize) -> String {
    let v = case.vignette.trim();
    let a = case.choice_1.choice.trim().trim_end_matches('.');
    let b = case.choice_2.choice.trim().trim_end_matches('.');
    let (la, lb) = (lower_first(a), lower_first(b));
    match variant % 8 {
        0 => format!("{v}\n\nChoice 1: {a}\nChoice 2: {b}\n\nWhich would you choose?"),
        1 => format!("{v} Option A: {a}. Option B: {b}. What do you recommend?"),
        2 => format!("{v}\n\nShould we {la} or {lb}?"),
        3 => format!("I need advice on a case. {v}\nThe two ways forward are:\n1. {a}\n2. {b}\nWhat would you do?"),
        4 => format!("{v}\n- {a}\n- {b}\nWhich is the right call here?"),
        5 => format!("{v} We can't decide whether to {la} or {lb}. Help us think it through."),
        6 => format!("{v} What is the ethically right thing to do?"),
        _ => format!("Quick question from the ward. {v} Do we {la}, or {lb}?"),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Extra positives from the usable ValueBench cases, in file order.
pub fn valuebench_examples(cases: &[CaseLine]) -> Vec<Example> {
    cases
        .iter()
        .filter(|c| usable_case(c))
        .enumerate()
        .map(|(i, c)| Example {
            text: case_as_request(c, i),
            dilemma: true,
        })
        .collect()
}

/// SHA-256 over the examples' labels and texts, in order (recorded in the weight file).
pub fn digest(examples: &[Example]) -> [u8; 32] {
    let mut h = Sha256::new();
    for e in examples {
        h.update([u8::from(e.dilemma)]);
        h.update((e.text.len() as u64).to_le_bytes());
        h.update(e.text.as_bytes());
    }
    h.finalize().into()
}
