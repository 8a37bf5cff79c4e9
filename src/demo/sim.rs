//! The demo without recorded data: SIMULATED agents (the `sim` upstream kind) on the embedded
//! project bench. Six decided agents with differing value weights, all lower on autonomy than
//! the panel (as the paper found of real models), form the ensemble; a simulated physician
//! panel of agents drawn around a spread of weights is the reference. The most
//! autonomy-leaning agent also serves autonomy-steered (`+autonomy`), as the replay demo's
//! steered model does; steering an agent that gives autonomy almost no weight cannot reach
//! the panel's share. Everything here is a simulation and the demo labels it so: it shows
//! the mechanism, not evidence about real models or physicians.

use super::{calibrated_policy, DemoPolicy};
use crate::route::steer::steering_sentence;
use crate::upstream::sim_model::{dilemma_prompt, SimAgent, SimCases, DILEMMA_SYSTEM_PROMPT};
use crate::valuebench::{CaseDecisions, Experiment, ReadError, Run, MAIN_EXPERIMENT};
use crate::values::Value;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Simulated physicians in the reference panel.
pub const SIM_PHYSICIANS: usize = 20;
/// Runs per agent and case used to calibrate the ensemble's weights.
const CALIBRATION_RUNS: usize = 40;
/// Seed of the demo's simulated panel and draws (fixed: the demo is reproducible).
const SIM_SEED: u64 = 2026;

/// The ensemble's agents: (name, weights in [`Value::ALL`] order).
const AGENTS: [(&str, [f64; 4]); 6] = [
    ("sim/cautious", [0.2, 1.4, 1.8, 0.4]),
    ("sim/paternalist", [0.1, 1.9, 1.0, 0.3]),
    ("sim/harm-averse", [0.3, 0.7, 1.9, 0.6]),
    ("sim/fair-share", [0.3, 0.9, 0.7, 1.5]),
    ("sim/balanced", [0.5, 1.0, 1.0, 0.6]),
    ("sim/deferent", [1.0, 0.7, 0.8, 0.4]),
];
/// The agents' temperature: below the panel's 1, so each agent is more decided than a
/// physician (single models are near-deterministic per dilemma).
const AGENT_TEMPERATURE: f64 = 0.5;
/// Centre and half-width of the simulated physicians' weights (uniform around the centre).
const PHYSICIAN_CENTRE: [f64; 4] = [1.0, 0.9, 0.9, 0.5];
const PHYSICIAN_HALF_WIDTH: f64 = 1.0;

/// The six simulated ensemble agents.
pub fn sim_agents() -> Vec<SimAgent> {
    AGENTS
        .iter()
        .map(|(name, weights)| SimAgent {
            name: (*name).to_owned(),
            weights: *weights,
            temperature: AGENT_TEMPERATURE,
        })
        .collect()
}

/// `n` simulated physicians, weights drawn uniformly around [`PHYSICIAN_CENTRE`].
pub fn sim_physicians(n: usize, seed: u64) -> Vec<SimAgent> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| SimAgent {
            name: format!("human/simulated-physician-{:02}", i + 1),
            weights: PHYSICIAN_CENTRE
                .map(|c| c + rng.gen_range(-PHYSICIAN_HALF_WIDTH..=PHYSICIAN_HALF_WIDTH)),
            temperature: 1.0,
        })
        .collect()
}

/// A ValueBench-shaped experiment on `cases`: each physician answers each case once, each
/// agent `runs` times, all under `system`.
pub fn sim_experiment(
    cases: &SimCases,
    physicians: &[SimAgent],
    agents: &[SimAgent],
    runs: usize,
    system: &str,
) -> Experiment {
    let answer = |agent: &SimAgent, line, key: String| {
        let (p, choice, steered) = agent.choose(system, line, key.as_bytes(), SIM_SEED);
        Run {
            full_response: serde_json::json!({
                "simulation": true, "p_choice_1": p, "steered": steered,
            }),
            parsed_choice: choice,
        }
    };
    let cases = cases
        .lines()
        .map(|line| {
            let mut makers = BTreeMap::new();
            for doc in physicians {
                makers.insert(doc.name.clone(), vec![answer(doc, line, "panel".into())]);
            }
            for agent in agents {
                let answers = (0..runs)
                    .map(|k| answer(agent, line, format!("calibration-{k}")))
                    .collect();
                makers.insert(agent.name.clone(), answers);
            }
            CaseDecisions {
                case_id: line.case_id.clone(),
                case: line.case(),
                system_prompt: Some(DILEMMA_SYSTEM_PROMPT.to_owned()),
                user_prompt: Some(dilemma_prompt(&line.case())),
                makers,
            }
        })
        .collect();
    Experiment {
        name: MAIN_EXPERIMENT.to_owned(),
        cases,
    }
}

/// The simulated demo: its policy and the experiment (prompts and the simulated panel) the
/// report compares against.
#[derive(Debug, Clone)]
pub struct SimDemo {
    pub policy: DemoPolicy,
    pub experiment: Experiment,
    pub physicians: usize,
}

/// The embedded sim policy: one `sim` upstream serving the six agents, and the ensemble
/// calibrated to the simulated panel, with the most autonomy-leaning agent steered toward
/// autonomy when that brings the mixture's autonomy share to the panel's.
pub fn sim_policy(listen: &str) -> Result<SimDemo, ReadError> {
    let cases = SimCases::embedded()?;
    let physicians = sim_physicians(SIM_PHYSICIANS, SIM_SEED);
    let agents = sim_agents();
    let main = sim_experiment(
        &cases,
        &physicians,
        &agents,
        CALIBRATION_RUNS,
        DILEMMA_SYSTEM_PROMPT,
    );
    let most_autonomous = agents
        .iter()
        .max_by(|a, b| {
            a.weights[Value::Autonomy.index()].total_cmp(&b.weights[Value::Autonomy.index()])
        })
        .cloned();
    let steered_system = format!(
        "{DILEMMA_SYSTEM_PROMPT} {}",
        steering_sentence(Value::Autonomy)
    );
    let steered = most_autonomous
        .map(|a| sim_experiment(&cases, &[], &[a], CALIBRATION_RUNS, &steered_system));

    let mut upstream = String::new();
    let _ = writeln!(
        upstream,
        "[[upstream]]\nname = \"sim\"\nkind = \"sim\"\nseed = {SIM_SEED}"
    );
    let _ = writeln!(upstream, "agents = [");
    for a in &agents {
        let [au, be, nm, ju] = a.weights;
        let _ = writeln!(
            upstream,
            "  {{ name = \"{}\", temperature = {:?}, weights = {{ autonomy = {au:?}, beneficence = {be:?}, nonmaleficence = {nm:?}, justice = {ju:?} }} }},",
            a.name, a.temperature
        );
    }
    let _ = writeln!(upstream, "]");
    let policy = calibrated_policy(&main, steered.as_ref(), &upstream, listen);
    Ok(SimDemo {
        policy,
        experiment: main,
        physicians: physicians.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Policy;

    #[test]
    fn sim_policy_is_valid_and_calibrated() {
        let demo = sim_policy("127.0.0.1:0").unwrap();
        let policy = Policy::from_toml_str(&demo.policy.toml).unwrap();
        assert_eq!(policy.upstreams[0].models.len(), AGENTS.len());
        assert!((demo.policy.weights.iter().sum::<f64>() - 1.0).abs() < 1e-6);
        assert_eq!(demo.experiment.cases.len(), 40);
        assert!(demo
            .experiment
            .cases
            .iter()
            .all(|c| c.physician_counts().0 + c.physician_counts().1 == SIM_PHYSICIANS as u32));
        assert!(AGENTS.iter().any(|(n, _)| *n == demo.policy.default_member));
        // The steered twin restores the autonomy share, and no member takes every dilemma.
        assert!(demo
            .policy
            .members
            .contains(&"sim/deferent+autonomy".to_owned()));
        assert!(demo.policy.weights.iter().all(|w| *w < 0.5));
        assert!(policy.upstreams[0]
            .agents
            .iter()
            .all(|a| a.temperature == Some(AGENT_TEMPERATURE)));
    }

    #[test]
    fn physicians_are_spread_and_reproducible() {
        let a = sim_physicians(SIM_PHYSICIANS, 1);
        assert_eq!(a, sim_physicians(SIM_PHYSICIANS, 1));
        let autonomy: Vec<f64> = a.iter().map(|d| d.weights[0]).collect();
        let lo = autonomy.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = autonomy.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        assert!(hi - lo > PHYSICIAN_HALF_WIDTH, "{lo}..{hi}");
        assert!(a.iter().all(|d| d.name.starts_with("human/")));
    }
}
