//! `pluralis parse`: label answers in a JSONL file, or audit the parser against the labels
//! recorded in a ValueBench folder.

use crate::decide::audit::{audit_experiment, Tally};
use crate::decide::{Decider, OptionPair};
use crate::valuebench::{read_experiment, MAIN_EXPERIMENT};
use anyhow::Context;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSONL (`-` reads stdin) with `choice_1`, `choice_2`, `response` (and optional `reasoning`) per line; each
    /// line is written back to stdout with `parsed` and `confidence` added.
    #[arg(
        long,
        conflicts_with = "valuebench",
        required_unless_present = "valuebench"
    )]
    jsonl: Option<PathBuf>,
    /// A ValueBench folder: report agreement with its recorded `parsed_choice` labels.
    #[arg(long)]
    valuebench: Option<PathBuf>,
    /// Experiment subfolder of `llm_decisions` to audit.
    #[arg(long, default_value = MAIN_EXPERIMENT)]
    experiment: String,
    /// Also add `evidence` (span, snippet, cue) to each JSONL line. Off by default: the snippet
    /// is answer text.
    #[arg(long)]
    evidence: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match (&args.jsonl, &args.valuebench) {
        (Some(path), _) => run_jsonl(path, args.evidence),
        (None, Some(dir)) => run_valuebench(dir, &args.experiment),
        (None, None) => anyhow::bail!("give --jsonl FILE or --valuebench DIR"),
    }
}

/// An option may be given as text or as a ValueBench choice object `{"choice": "..."}`.
fn option_text(line: &serde_json::Value, key: &str) -> Option<String> {
    match line.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        v => v.get("choice")?.as_str().map(str::to_owned),
    }
}

fn run_jsonl(path: &Path, with_evidence: bool) -> anyhow::Result<()> {
    let input = super::open_jsonl(path)?;
    let decider = Decider::new();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut value: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: invalid JSON", path.display(), i + 1))?;
        let (Some(o1), Some(o2)) = (
            option_text(&value, "choice_1"),
            option_text(&value, "choice_2"),
        ) else {
            anyhow::bail!("{}:{}: needs choice_1 and choice_2", path.display(), i + 1);
        };
        let response = value.get("response").and_then(|v| v.as_str()).unwrap_or("");
        let reasoning = value.get("reasoning").and_then(|v| v.as_str());
        let d = decider.decide_prepared(&OptionPair::new(&o1, &o2), response, reasoning);
        let obj = value
            .as_object_mut()
            .with_context(|| format!("{}:{}: not a JSON object", path.display(), i + 1))?;
        obj.insert("parsed".into(), d.choice.as_str().into());
        obj.insert("confidence".into(), round3(d.confidence).into());
        if with_evidence {
            obj.insert("evidence".into(), serde_json::to_value(&d.evidence)?);
        }
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn run_valuebench(dir: &Path, experiment: &str) -> anyhow::Result<()> {
    let exp = read_experiment(dir, experiment)?;
    let audit = audit_experiment(&Decider::new(), &exp);
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "experiment {experiment}: agreement with recorded parsed_choice"
    )?;
    let row = |t: &Tally| format!("{:>5}/{:<5} {:6.2}%", t.agree, t.total, 100.0 * t.rate());
    for (model, t) in &audit.per_model {
        writeln!(out, "  {model:<40} {}", row(t))?;
    }
    writeln!(out, "  {:<40} {}", "OVERALL", row(&audit.overall))?;
    writeln!(out, "agreement by parser confidence:")?;
    for (i, t) in audit
        .by_confidence
        .iter()
        .enumerate()
        .filter(|(_, t)| t.total > 0)
    {
        let (lo, hi) = (i as f64 / 10.0, (i + 1) as f64 / 10.0);
        writeln!(out, "  [{lo:.1}, {hi:.1}) {}", row(t))?;
    }
    writeln!(out, "disagreements ({}):", audit.disagreements.len())?;
    for d in &audit.disagreements {
        let e = d.decision.evidence.as_ref();
        writeln!(
            out,
            "  {} {} run {}: recorded {} parsed {} (confidence {:.2}) {:?}",
            d.case_id,
            d.maker,
            d.run,
            d.recorded.as_str(),
            d.decision.choice.as_str(),
            d.decision.confidence,
            e.map_or("", |e| e.snippet.as_str()),
        )?;
    }
    out.flush()?;
    Ok(())
}
