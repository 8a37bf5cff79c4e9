//! `pluralis detect --jsonl FILE`: score each line's `text` as a clinical ethical dilemma.

use crate::detect::Detector;
use anyhow::Context;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSONL input, one object with a `text` field per line; `-` reads stdin. Each line is
    /// written to stdout with `dilemma`, `score` and (when stated) `options` added.
    #[arg(long)]
    jsonl: PathBuf,
    /// Weight file to use instead of the embedded one.
    #[arg(long)]
    weights: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let detector = match &args.weights {
        Some(path) => Detector::from_file(path)?,
        None => Detector::embedded().context("embedded detector weights")?,
    };
    let input = super::open_jsonl(&args.jsonl)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", args.jsonl.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut value: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: invalid JSON", args.jsonl.display(), i + 1))?;
        let obj = value
            .as_object_mut()
            .with_context(|| format!("{}:{}: not a JSON object", args.jsonl.display(), i + 1))?;
        let text = obj
            .get("text")
            .and_then(|t| t.as_str())
            .with_context(|| format!("{}:{}: no string `text`", args.jsonl.display(), i + 1))?;
        let d = detector.detect_text(text);
        let (dilemma, score) = (d.dilemma, d.score);
        let options = d.options.map(|o| serde_json::json!([o.first, o.second]));
        obj.insert("dilemma".into(), dilemma.into());
        obj.insert("score".into(), serde_json::json!(round4(score)));
        if let Some(options) = options {
            obj.insert("options".into(), options);
        }
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Four decimals are plenty for a probability and keep the output stable across platforms.
fn round4(x: f32) -> f64 {
    (f64::from(x) * 1e4).round() / 1e4
}
