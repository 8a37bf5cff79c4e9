//! `pluralis attribute`: audit ValueBench-format decisions (value profiles, entropy, JSD to the
//! physician consensus, reference range, bootstrap intervals) and print or write a report.

use crate::attribution::{report, run_audit, AuditConfig, AuditData, PAPER_TEMPERATURE};
use crate::valuebench::{read_experiment, MAIN_EXPERIMENT};
use anyhow::Context;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// ValueBench folder (holding llm_decisions/ and human_decisions/).
    #[arg(long)]
    pub valuebench: PathBuf,
    /// Experiment subfolder of llm_decisions/.
    #[arg(long, default_value = MAIN_EXPERIMENT)]
    pub experiment: String,
    /// Softmax temperature of the value profiles.
    #[arg(long, default_value_t = PAPER_TEMPERATURE)]
    pub temperature: f64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Bootstrap resamples of the cases (0: no intervals; the physician reference is then the
    /// point leave-one-out distribution).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap's RNG (ChaCha8), for reproducible output.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also write a self-contained HTML report to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.temperature.is_finite() && args.temperature > 0.0,
        "--temperature must be a positive number"
    );
    let experiment = read_experiment(&args.valuebench, &args.experiment)
        .with_context(|| format!("reading {}", args.valuebench.display()))?;
    let data = AuditData::from_experiment(&experiment);
    anyhow::ensure!(
        data.cases() > 0,
        "no case with physician votes in {}",
        args.valuebench.display()
    );
    let config = AuditConfig {
        temperature: args.temperature,
        bootstrap: args.bootstrap,
    };
    let audit = run_audit(&data, &config, &mut ChaCha8Rng::seed_from_u64(args.seed));
    let text = match args.format {
        Format::Table => report::to_table(&audit),
        Format::Json => format!("{:#}\n", report::to_json(&audit)),
        Format::Csv => report::to_csv(&audit),
    };
    print!("{text}");
    if let Some(path) = &args.html {
        std::fs::write(path, report::to_html(&audit))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
