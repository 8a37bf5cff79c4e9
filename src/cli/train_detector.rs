//! `pluralis train-detector`: rebuild the dilemma detector's weights from labelled JSONL and
//! report precision, recall and F1 on the held-out split.

use crate::detect::{corpus, train};
use crate::valuebench;
use anyhow::Context;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of labelled `*.jsonl` files (`text`, `dilemma`; files named `*eval*` are held out).
    #[arg(long, default_value = "policies/detector")]
    data: PathBuf,
    /// Where to write the weights.
    #[arg(long, default_value = "policies/detector-weights.bin")]
    out: PathBuf,
    /// ValueBench folder whose approved and draft vignettes are added as extra positives
    /// (default: the shared folder when present).
    #[arg(long)]
    valuebench: Option<PathBuf>,
    /// Train on the repository's examples only.
    #[arg(long)]
    no_valuebench: bool,
    /// Print the misclassified held-out texts.
    #[arg(long)]
    show_errors: bool,
    /// Bucket table size as a power of two (the committed weights use the default).
    #[arg(long, default_value_t = train::TrainConfig::default().bits)]
    bits: u8,
    /// Passes over the training set.
    #[arg(long, default_value_t = train::TrainConfig::default().epochs)]
    epochs: u32,
    /// AdaGrad base step.
    #[arg(long, default_value_t = train::TrainConfig::default().learning_rate)]
    learning_rate: f32,
    /// L2 penalty per update.
    #[arg(long, default_value_t = train::TrainConfig::default().l2)]
    l2: f32,
    /// Probability at or above which a request is called a dilemma (stored in the weights).
    #[arg(long, default_value_t = train::TrainConfig::default().threshold)]
    threshold: f32,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let data = corpus::load_dir(&args.data)?;
    anyhow::ensure!(
        !data.train.is_empty(),
        "{}: no training examples",
        args.data.display()
    );
    let vb_dir = if args.no_valuebench {
        None
    } else {
        args.valuebench.clone().or_else(valuebench::shared_dir)
    };
    let cases = match &vb_dir {
        Some(dir) => Some(
            valuebench::read_cases(&dir.join("cases.jsonl"))
                .with_context(|| format!("reading ValueBench cases from {}", dir.display()))?,
        ),
        None => None,
    };
    let cfg = train::TrainConfig {
        bits: args.bits,
        epochs: args.epochs,
        learning_rate: args.learning_rate,
        l2: args.l2,
        threshold: args.threshold,
        ..Default::default()
    };
    let report = train::build(&data, cases.as_deref(), &cfg);
    let bytes = report.model.encode();
    std::fs::write(&args.out, &bytes).with_context(|| format!("{}", args.out.display()))?;
    println!(
        "trained on {} examples ({} from ValueBench); wrote {} ({} bytes, sha256 {})",
        report.train_examples,
        report.valuebench_examples,
        args.out.display(),
        bytes.len(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
    for (name, m) in [("train", report.train), ("eval", report.eval)] {
        println!(
            "{name:5}: n={} precision={:.4} recall={:.4} f1={:.4} (tp={} fp={} tn={} fn={})",
            m.total(),
            m.precision(),
            m.recall(),
            m.f1(),
            m.true_pos,
            m.false_pos,
            m.true_neg,
            m.false_neg
        );
    }
    if args.show_errors {
        for &i in &report.eval_errors {
            let e = &data.eval[i];
            println!("miss (labelled {}): {}", e.dilemma, e.text);
        }
    }
    Ok(())
}
