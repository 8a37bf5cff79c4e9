//! The `pluralis` command line. Each subcommand lives in its own file and only parses
//! arguments, calls into the library, and prints; no logic of its own.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod attribute;
mod calibrate;
mod demo;
mod detect;
mod healthcheck;
mod parse;
mod serve;
mod train_detector;

#[derive(Debug, Parser)]
#[command(
    name = "pluralis",
    version,
    about = "OpenAI-compatible proxy with a pluralism guardrail for clinical AI"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the OpenAI API in front of the upstreams a policy names.
    Serve(serve::Args),
    /// Audit decisions in ValueBench format: value profiles, entropy, JSD to physicians.
    Attribute(attribute::Args),
    /// Start the proxy on an embedded ensemble (replay, else simulated), drive dilemmas, compare spreads.
    Demo(demo::Args),
    /// Fit distributional routing weights to the physician panel (cross-validated).
    Calibrate(calibrate::Args),
    /// Parse free-text answers into choice_1 / choice_2 / REFUSAL.
    Parse(parse::Args),
    /// Score requests as clinical ethical dilemmas.
    Detect(detect::Args),
    /// Rebuild the dilemma detector's weights from labelled JSONL.
    TrainDetector(train_detector::Args),
    /// Probe a running proxy's /healthz (exit 0 when healthy); for container HEALTHCHECKs.
    Healthcheck(healthcheck::Args),
}

/// Entry point of the binary: parse arguments, run the subcommand, map errors to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Attribute(args) => attribute::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Detect(args) => detect::run(args),
        Command::TrainDetector(args) => train_detector::run(args),
        Command::Healthcheck(args) => healthcheck::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pluralis: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// A JSONL input named on the command line: a file, or stdin for `-`.
fn open_jsonl(path: &std::path::Path) -> anyhow::Result<Box<dyn std::io::BufRead>> {
    use anyhow::Context;
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    Ok(Box::new(std::io::BufReader::new(file)))
}
