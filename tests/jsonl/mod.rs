//! Reading the labelled JSONL sets under `tests/data/` (one object per non-blank line).

use serde::de::DeserializeOwned;

/// Every line of `tests/data/<name>`, parsed; panics (failing the test) on a bad line.
pub fn read_data<T: DeserializeOwned>(name: &str) -> Vec<T> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{path} line {}: {e}", i + 1))
        })
        .collect()
}
