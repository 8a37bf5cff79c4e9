//! `pluralis demo`: a self-contained run of the product. It builds an embedded policy (a
//! `replay` upstream serving a ValueBench folder's recorded models or, when no folder is
//! found, a `sim` upstream of SIMULATED agents on the project's bench; and an ensemble whose
//! weights are calibrated on the spot to the reference panel, with an autonomy-steered member
//! where that helps), starts the real proxy, drives a stream of dilemma and ordinary requests
//! through it over HTTP, and compares the decision spread of the deployment and of a single
//! model with the panel's.

mod drive;
mod run;
mod sim;

pub use drive::{drive, DriveReport, DriveRequest};
pub use run::{
    describe, ensemble_requests, monitor_table, render, run, setup, sim_reference, DemoOutcome,
    DemoSetup, DemoSource, SIM_REFERENCE_FILE,
};
pub use sim::{sim_agents, sim_experiment, sim_physicians, sim_policy, SimDemo};

use crate::attribution::{
    fit_glm, rows_per_case, softmax_profile, PatternCounts, PAPER_TEMPERATURE,
};
use crate::route::calibrate::{calibrate, steer_share, CalibrateOptions};
use crate::route::mixture::{bernoulli_jsd, binary_entropy, valid_rate, CaseTable};
use crate::valuebench::{
    self, CaseDecisions, Experiment, ReadError, MAIN_EXPERIMENT, STEERED_EXPERIMENT,
};
use crate::values::Value;
use std::fmt::Write as _;
use std::path::Path;

/// Name of the demo's ensemble (the virtual model clients ask for).
pub const DEMO_ENSEMBLE: &str = "pluralis-ensemble";

/// Ordinary (non-dilemma) requests mixed into the demo's traffic.
pub const ORDINARY_PROMPTS: [&str; 4] = [
    "What is the usual adult dose of paracetamol for a fever?",
    "Summarise the discharge instructions after a knee arthroscopy in plain language.",
    "Which vaccines are recommended for a healthy 65-year-old?",
    "Draft a short reminder message for a patient's follow-up appointment next Tuesday.",
];

/// The embedded policy and what it was built from.
#[derive(Debug, Clone)]
pub struct DemoPolicy {
    pub toml: String,
    pub members: Vec<String>,
    pub weights: Vec<f64>,
    pub default_member: String,
}

/// Build the demo policy for a ValueBench folder: every recorded model behind one `replay`
/// upstream, and the calibrated (autonomy-restored where possible) ensemble.
pub fn replay_policy(dir: &Path, listen: &str) -> Result<DemoPolicy, ReadError> {
    let main = valuebench::read_experiment(dir, MAIN_EXPERIMENT)?;
    let steered = if dir.join("llm_decisions").join(STEERED_EXPERIMENT).is_dir() {
        Some(valuebench::read_experiment(dir, STEERED_EXPERIMENT)?)
    } else {
        None
    };
    let models = CaseTable::from_experiment(&main, None).members;
    let mut upstream = String::new();
    let _ = writeln!(
        upstream,
        "[[upstream]]\nname = \"replay\"\nkind = \"replay\""
    );
    let _ = writeln!(upstream, "dir = {}", quote(&dir.display().to_string()));
    let list: Vec<String> = models.iter().map(|m| quote(m)).collect();
    let _ = writeln!(upstream, "models = [{}]", list.join(", "));
    Ok(calibrated_policy(
        &main,
        steered.as_ref(),
        &upstream,
        listen,
    ))
}

/// The demo policy around `upstream` (TOML of the `[[upstream]]` serving every maker of
/// `main`): an ensemble of those makers with weights calibrated to `main`'s physician panel,
/// plus the first maker of `steered` as an `+autonomy` member when that brings the mixture's
/// autonomy share to the panel's (else the plain calibration, without it).
pub fn calibrated_policy(
    main: &Experiment,
    steered: Option<&Experiment>,
    upstream: &str,
    listen: &str,
) -> DemoPolicy {
    let mut table = CaseTable::from_experiment(main, None);
    let models = table.members.clone();
    let plain = calibrate(&table, CalibrateOptions::default());
    let mut members = plain.members.clone();
    let mut weights = plain.weights.clone();
    if let Some(steered) = steered {
        if let Some(maker) = steered.makers().into_iter().find(|m| models.contains(m)) {
            table.add_member(format!("{maker}+autonomy"), steered, &maker);
            let cal = calibrate(&table, CalibrateOptions::default());
            let target = table
                .reference_profile()
                .map(|p| p[Value::Autonomy.index()]);
            // Falling short even with every dilemma on the steered member means steering
            // this member cannot restore the share: keep the plain calibration then.
            let steered = target.and_then(|t| {
                steer_share(&table, &cal.weights, models.len(), Value::Autonomy, t)
                    .filter(|(_, reached)| *reached >= t)
            });
            if let Some((w, _)) = steered {
                members = cal.members;
                weights = w;
            }
        }
    }
    let default_member = members
        .iter()
        .zip(&weights)
        .filter(|(m, _)| !m.contains('+'))
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(m, _)| m.clone())
        .unwrap_or_default();
    let mut toml = String::new();
    let _ = writeln!(toml, "listen = {}\n", quote(listen));
    toml.push_str(upstream);
    let _ = writeln!(toml, "\n[[ensemble]]\nname = {}", quote(DEMO_ENSEMBLE));
    let list: Vec<String> = members.iter().map(|m| quote(m)).collect();
    let _ = writeln!(toml, "members = [{}]", list.join(", "));
    let _ = writeln!(toml, "default_member = {}", quote(&default_member));
    let _ = writeln!(toml, "dilemma_mode = \"distributional\"");
    let pairs: Vec<String> = members
        .iter()
        .zip(&weights)
        .map(|(m, w)| format!("{} = {w:.4}", quote(m)))
        .collect();
    let _ = writeln!(toml, "weights = {{ {} }}", pairs.join(", "));
    DemoPolicy {
        toml,
        members,
        weights,
        default_member,
    }
}

/// A TOML string literal.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The benchmark requests of the demo: every case with physician votes, as `patients`
/// different patients (distinct `user` fields), to `model`.
pub fn dilemma_requests(
    experiment: &Experiment,
    model: &str,
    patients: usize,
) -> Vec<DriveRequest> {
    let mut out = Vec::new();
    for (case_index, case) in experiment
        .cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.has_physicians())
    {
        let (Some(system), Some(user)) = (&case.system_prompt, &case.user_prompt) else {
            continue;
        };
        for p in 0..patients {
            out.push(DriveRequest {
                case: Some(case_index),
                body: serde_json::json!({
                    "model": model,
                    "user": format!("demo-patient-{p}-case-{case_index}"),
                    "messages": [
                        {"role": "system", "content": system},
                        {"role": "user", "content": user},
                    ],
                })
                .to_string(),
            });
        }
    }
    out
}

/// Ordinary requests to `model`, `n` of them.
pub fn ordinary_requests(model: &str, n: usize) -> Vec<DriveRequest> {
    (0..n)
        .map(|i| DriveRequest {
            case: None,
            body: serde_json::json!({
                "model": model,
                "user": format!("demo-visitor-{i}"),
                "messages": [{"role": "user", "content": ORDINARY_PROMPTS[i % ORDINARY_PROMPTS.len()]}],
            })
            .to_string(),
        })
        .collect()
}

/// A decision maker's spread over the cases, against the physicians.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean_jsd: f64,
    pub mean_entropy_bits: f64,
    pub autonomy_share: Option<f64>,
    pub cases: usize,
}

/// Spread of per-case (choice_1, choice_2) counts, indexed like `experiment.cases`.
pub fn spread(experiment: &Experiment, counts: &[(u64, u64)]) -> Spread {
    let (mut jsd, mut entropy, mut n) = (0.0, 0.0, 0usize);
    let mut patterns = Vec::new();
    for (case, &(c1, c2)) in experiment.cases.iter().zip(counts) {
        let (a, b, _) = case.physician_counts();
        let (Some(p), Some(q)) = (rate(c1, c2), valid_rate([a, b, 0])) else {
            continue;
        };
        patterns.push(PatternCounts {
            deltas: case.case.deltas(),
            choice_1: c1,
            choice_2: c2,
        });
        jsd += bernoulli_jsd(p, q);
        entropy += binary_entropy(p);
        n += 1;
    }
    let fit = fit_glm(&rows_per_case(&patterns));
    Spread {
        mean_jsd: jsd / n.max(1) as f64,
        mean_entropy_bits: entropy / n.max(1) as f64,
        autonomy_share: fit
            .converged()
            .then(|| softmax_profile(&fit.beta, PAPER_TEMPERATURE)[Value::Autonomy.index()]),
        cases: n,
    }
}

/// The physician panel's own spread (JSD 0 by definition).
pub fn physician_spread(experiment: &Experiment) -> Spread {
    let counts: Vec<(u64, u64)> = experiment
        .cases
        .iter()
        .map(|c: &CaseDecisions| {
            let (a, b, _) = c.physician_counts();
            (u64::from(a), u64::from(b))
        })
        .collect();
    spread(experiment, &counts)
}

fn rate(c1: u64, c2: u64) -> Option<f64> {
    (c1 + c2 > 0).then(|| c1 as f64 / (c1 + c2) as f64)
}
