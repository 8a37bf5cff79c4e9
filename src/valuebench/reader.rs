//! Reading a ValueBench folder from disk.

use super::model::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Experiment folder the paper's main results come from.
pub const MAIN_EXPERIMENT: &str = "physician_recommendation";
/// Experiment folder with the autonomy-steered runs.
pub const STEERED_EXPERIMENT: &str = "aligned_recommendation";

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: invalid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}:{line}: invalid JSON: {source}")]
    JsonLine {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{0}: not a ValueBench folder (no llm_decisions/ or human_decisions/)")]
    NotValueBench(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReadError + '_ {
    move |source| ReadError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Read `cases.jsonl` (every status). Blank lines are skipped.
pub fn read_cases(path: &Path) -> Result<Vec<CaseLine>, ReadError> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    parse_cases(&text, path)
}

/// Parse `cases.jsonl` text (e.g. an embedded copy); `path` names it in errors.
pub fn parse_cases(text: &str, path: &Path) -> Result<Vec<CaseLine>, ReadError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| ReadError::JsonLine {
                path: path.to_owned(),
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// Parse the bytes of one decision file; `path` names it in errors.
pub fn parse_decision_file(bytes: &[u8], path: &Path) -> Result<DecisionFile, ReadError> {
    serde_json::from_slice(bytes).map_err(|source| ReadError::Json {
        path: path.to_owned(),
        source,
    })
}

/// Read every `*.json` decision file of a folder, sorted by file name. A missing folder is empty.
pub fn read_decision_dir(dir: &Path) -> Result<Vec<DecisionFile>, ReadError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let bytes = fs::read(p).map_err(io(p))?;
            parse_decision_file(&bytes, p)
        })
        .collect()
}

/// Read one experiment of a ValueBench folder, merging `llm_decisions/<experiment>/` with
/// `human_decisions/` per case. Cases present only in the human folder are kept too.
pub fn read_experiment(root: &Path, experiment: &str) -> Result<Experiment, ReadError> {
    let llm_dir = root.join("llm_decisions").join(experiment);
    let human_dir = root.join("human_decisions");
    if !llm_dir.is_dir() && !human_dir.is_dir() {
        return Err(ReadError::NotValueBench(root.to_owned()));
    }
    let mut merged: BTreeMap<String, CaseDecisions> = BTreeMap::new();
    for file in read_decision_dir(&llm_dir)?
        .into_iter()
        .chain(read_decision_dir(&human_dir)?)
    {
        let entry = merged
            .entry(file.case_id.clone())
            .or_insert_with(|| CaseDecisions {
                case_id: file.case_id.clone(),
                case: file.case.clone(),
                system_prompt: None,
                user_prompt: None,
                makers: BTreeMap::new(),
            });
        if entry.system_prompt.is_none() {
            entry.system_prompt = file.system_prompt;
        }
        if entry.user_prompt.is_none() {
            entry.user_prompt = file.user_prompt;
        }
        for (maker, runs) in file.models {
            entry.makers.entry(maker).or_default().extend(runs.runs);
        }
    }
    Ok(Experiment {
        name: experiment.to_owned(),
        cases: merged.into_values().collect(),
    })
}

/// The ValueBench folder shared with this project's checkout, if present: `$PLURALIS_VALUEBENCH`,
/// else `../shared/valuebench` relative to the crate root. Tests and benches use it and skip
/// (saying why) when it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let candidate = std::env::var_os("PLURALIS_VALUEBENCH")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
                .join("valuebench")
        });
    candidate
        .join("llm_decisions")
        .is_dir()
        .then_some(candidate)
}
