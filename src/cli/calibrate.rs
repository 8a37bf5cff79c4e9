//! `pluralis calibrate`: fit distributional routing weights to a physician panel.

use crate::route::calibrate::{
    calibrate, single_member_jsd, steer_share, CalibrateOptions, Calibration,
};
use crate::route::mixture::CaseTable;
use crate::valuebench::{self, MAIN_EXPERIMENT, STEERED_EXPERIMENT};
use crate::values::Value;
use anyhow::Context;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Suffix naming a member steered toward autonomy by system prompt (see `route::persona`).
pub const AUTONOMY_STEERED_SUFFIX: &str = "+autonomy";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// ValueBench-format folder (default: the shared one, `$PLURALIS_VALUEBENCH` or ../shared/valuebench).
    #[arg(long)]
    pub valuebench: Option<PathBuf>,
    /// Members to include (default: every recorded model), e.g. --members openai/gpt-5.2 x-ai/grok-4.
    #[arg(long, num_args = 1..)]
    pub members: Option<Vec<String>>,
    /// Cross-validation folds across cases.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write the fitted ensembles in policy syntax here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let root = match args.valuebench {
        Some(dir) => dir,
        None => valuebench::shared_dir()
            .context("no --valuebench given and no shared ValueBench folder found")?,
    };
    let main = valuebench::read_experiment(&root, MAIN_EXPERIMENT)?;
    let table = CaseTable::from_experiment(&main, args.members.as_deref());
    anyhow::ensure!(
        table.n_cases() > 0,
        "{}: no cases with physician votes",
        root.display()
    );
    anyhow::ensure!(!table.members.is_empty(), "no members");
    let options = CalibrateOptions {
        folds: args.folds,
        seed: args.seed,
    };

    println!(
        "{} cases with physician votes, {} members; per-member mean per-case JSD to the panel:",
        table.n_cases(),
        table.members.len()
    );
    for (m, name) in table.members.iter().enumerate() {
        println!("  {name:<40} {:.4}", single_member_jsd(&table, m));
    }

    let plain = calibrate(&table, options);
    print_calibration("distributional (recorded members)", &plain);
    let mut policy = policy_block("pluralis-distributional", &plain);

    let steered_dir = root.join("llm_decisions").join(STEERED_EXPERIMENT);
    if steered_dir.is_dir() {
        let steered = valuebench::read_experiment(&root, STEERED_EXPERIMENT)?;
        let mut with_steered = table.clone();
        for maker in steered.makers() {
            if valuebench::is_physician(&maker) {
                continue;
            }
            let name = format!("{maker}{AUTONOMY_STEERED_SUFFIX}");
            with_steered.add_member(name, &steered, &maker);
        }
        if with_steered.members.len() > table.members.len() {
            let cal = calibrate(&with_steered, options);
            print_calibration("distributional + autonomy-steered members", &cal);
            policy.push('\n');
            policy.push_str(&policy_block("pluralis-distributional-steered", &cal));
            if let Some(block) = restore_autonomy(&with_steered, &plain, &cal, table.members.len())
            {
                policy.push('\n');
                policy.push_str(&block);
            }
        }
    }

    if let Some(out) = args.out {
        std::fs::write(&out, &policy).with_context(|| format!("writing {}", out.display()))?;
        println!("\nwrote {}", out.display());
    } else {
        println!("\n{policy}");
    }
    Ok(())
}

/// Shift the steered fit toward the (first) steered member until the mixture's autonomy share
/// reaches the physicians'; print what that costs in JSD and return the policy block.
fn restore_autonomy(
    table: &CaseTable,
    plain: &Calibration,
    steered: &Calibration,
    first_steered: usize,
) -> Option<String> {
    let autonomy = Value::Autonomy.index();
    let target = table.reference_profile()?[autonomy];
    let all: Vec<usize> = (0..table.n_cases()).collect();
    let mut plain_w = plain.weights.clone();
    plain_w.resize(table.members.len(), 0.0);
    let plain_share = table.mixture_profile(&plain_w)?[autonomy];
    let steered_share = table.mixture_profile(&steered.weights)?[autonomy];
    let (weights, share) = steer_share(
        table,
        &steered.weights,
        first_steered,
        Value::Autonomy,
        target,
    )?;
    let score = table.score(&weights, &all);
    println!("\nautonomy share of the value profile (physician consensus {target:.3}):");
    println!(
        "  calibrated {plain_share:.3} (JSD {:.4}); with steered member {steered_share:.3} (JSD {:.4}); autonomy-restored {share:.3} (JSD {:.4}, entropy {:.3}, in-sample)",
        table.score(&plain_w, &all).mean_jsd,
        table.score(&steered.weights, &all).mean_jsd,
        score.mean_jsd,
        score.mean_entropy_bits
    );
    let restored = Calibration {
        weights,
        ..steered.clone()
    };
    Some(policy_block("pluralis-autonomy-restored", &restored).replacen(
        "# pluralis calibrate:",
        "# pluralis calibrate: steered fit shifted toward the steered member until the autonomy share matches the physicians';",
        1,
    ))
}

fn print_calibration(title: &str, cal: &Calibration) {
    println!(
        "\n{title}: {} cases, {}-fold CV, shrinkage toward uniform {:.1}",
        cal.cases, cal.folds, cal.shrinkage
    );
    println!("  held-out mean per-case JSD to physicians (lower is closer):");
    println!("    calibrated mixture   {:.4}", cal.heldout_calibrated);
    println!("    uniform mixture      {:.4}", cal.heldout_uniform);
    println!(
        "    best single member   {:.4}   (in-sample best: {} {:.4})",
        cal.heldout_best_single, cal.best_single.0, cal.best_single.1
    );
    println!(
        "  mean per-case decision entropy (bits): calibrated {:.3}, uniform {:.3}, physicians {:.3}",
        cal.entropy_calibrated, cal.entropy_uniform, cal.entropy_reference
    );
}

/// The fitted weights as a policy `[[ensemble]]` block.
pub fn policy_block(name: &str, cal: &Calibration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# pluralis calibrate: held-out mean per-case JSD {:.4} (uniform {:.4}, best single {:.4}); shrinkage {:.1}",
        cal.heldout_calibrated, cal.heldout_uniform, cal.heldout_best_single, cal.shrinkage
    );
    let _ = writeln!(out, "[[ensemble]]");
    let _ = writeln!(out, "name = {}", toml_string(name));
    let members: Vec<String> = cal.members.iter().map(|m| toml_string(m)).collect();
    let _ = writeln!(out, "members = [{}]", members.join(", "));
    // Non-dilemma traffic goes, unsteered, to the member with the largest weight.
    let default_member = cal
        .members
        .iter()
        .zip(&cal.weights)
        .filter(|(m, _)| !m.ends_with(AUTONOMY_STEERED_SUFFIX))
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or("", |(m, _)| m.as_str());
    let _ = writeln!(out, "default_member = {}", toml_string(default_member));
    let _ = writeln!(out, "dilemma_mode = \"distributional\"");
    let weights: Vec<String> = cal
        .members
        .iter()
        .zip(&cal.weights)
        .map(|(m, w)| format!("{} = {w:.4}", toml_string(m)))
        .collect();
    let _ = writeln!(out, "weights = {{ {} }}", weights.join(", "));
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_block_is_valid_toml_with_the_weights() {
        let cal = Calibration {
            members: vec!["a/x".into(), "b/\"y\"".into(), "a/x+autonomy".into()],
            weights: vec![0.3, 0.2, 0.5],
            shrinkage: 0.1,
            heldout_calibrated: 0.1,
            heldout_uniform: 0.2,
            heldout_best_single: 0.3,
            best_single: ("a/x+autonomy".into(), 0.3),
            entropy_calibrated: 0.5,
            entropy_uniform: 0.5,
            entropy_reference: 0.7,
            folds: 5,
            cases: 50,
        };
        let parsed: toml::Value = toml::from_str(&policy_block("e", &cal)).unwrap();
        let ensemble = &parsed["ensemble"][0];
        assert_eq!(ensemble["name"].as_str(), Some("e"));
        assert_eq!(ensemble["dilemma_mode"].as_str(), Some("distributional"));
        // The steered member is never the default for ordinary traffic.
        assert_eq!(ensemble["default_member"].as_str(), Some("a/x"));
        assert_eq!(ensemble["weights"]["b/\"y\""].as_float(), Some(0.2));
        assert_eq!(ensemble["members"].as_array().map(Vec::len), Some(3));
    }
}
