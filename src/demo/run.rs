//! Choosing the demo's data (recorded ValueBench answers, else the simulation), driving its
//! traffic through a running proxy, and the report: the deployment's decision spread against
//! the reference panel's and a single member's.

use super::sim::{sim_agents, sim_policy};
use super::{
    dilemma_requests, ordinary_requests, physician_spread, replay_policy, spread, DemoPolicy,
    DriveReport, DriveRequest, Spread, DEMO_ENSEMBLE,
};
use crate::attribution::PAPER_TEMPERATURE;
use crate::monitor::online::Reference;
use crate::route::steer::steering_sentence;
use crate::valuebench::{self, Experiment, ReadError, MAIN_EXPERIMENT};
use crate::values::Value;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Requests in flight at once while driving.
const CONCURRENCY: usize = 16;

/// Where the demo's answers come from.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoSource {
    /// Recorded real answers from a ValueBench folder (`replay` upstream).
    Replay(PathBuf),
    /// SIMULATED agents with known value weights on the project's bench (`sim` upstream).
    Sim,
}

/// Everything the demo runs on.
#[derive(Debug, Clone)]
pub struct DemoSetup {
    pub source: DemoSource,
    pub policy: DemoPolicy,
    /// The dilemmas (prompts) and the reference panel's votes.
    pub experiment: Experiment,
    /// Label of the reference panel in the report.
    pub reference: String,
    /// The live monitor's decision log of this run (the policy's `[monitor]` table).
    pub data_dir: PathBuf,
}

impl DemoSetup {
    pub fn simulated(&self) -> bool {
        self.source == DemoSource::Sim
    }
}

/// The replay setup on `replay` (or the shared ValueBench folder, see
/// [`valuebench::shared_dir`]); the simulation when neither is there.
pub fn setup(replay: Option<PathBuf>, listen: &str) -> Result<DemoSetup, ReadError> {
    let data_dir = std::env::temp_dir().join(format!("pluralis-demo-{}", std::process::id()));
    let mut setup = source_setup(replay, listen, data_dir.clone())?;
    // The simulation's monitor compares with the SIMULATED panel the ensemble was calibrated
    // to, never with the real physicians; with ValueBench data the real reference stays.
    let reference = if setup.simulated() {
        Some(write_sim_reference(&setup, &data_dir)?)
    } else {
        None
    };
    setup
        .policy
        .toml
        .push_str(&monitor_table(&data_dir, reference.as_deref()));
    Ok(setup)
}

/// File name of the simulated panel's reference in the demo's data directory.
pub const SIM_REFERENCE_FILE: &str = "simulated-physician-reference.json";

/// The simulated panel's physician reference (profiles fitted to its votes, as
/// `pluralis attribute` would), marked simulated.
pub fn sim_reference(setup: &DemoSetup) -> anyhow::Result<Reference> {
    let mut reference =
        Reference::from_experiment(&setup.experiment, PAPER_TEMPERATURE, &setup.reference)?;
    reference.simulated = true;
    Ok(reference)
}

/// Writes [`sim_reference`] into `data_dir` (whole or not at all: written aside, then
/// renamed) and returns its path.
fn write_sim_reference(setup: &DemoSetup, data_dir: &Path) -> Result<PathBuf, ReadError> {
    let path = data_dir.join(SIM_REFERENCE_FILE);
    let io = |source| ReadError::Io {
        path: path.clone(),
        source,
    };
    let reference = sim_reference(setup).map_err(|e| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            e.to_string(),
        ))
    })?;
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let aside = data_dir.join(format!(
        "{SIM_REFERENCE_FILE}.{:x}.tmp",
        rand::random::<u64>()
    ));
    std::fs::write(&aside, format!("{:#}\n", reference.to_attribute_json())).map_err(io)?;
    std::fs::rename(&aside, &path).map_err(io)?;
    Ok(path)
}

/// The demo's `[monitor]` table, so `/monitor` is live while the demo runs: a decision log of
/// its own per run (the dashboard shows this run only), fsync every 100 ms (the demo needs no
/// per-event durability), refits every 2 s, the physician reference from `reference` when
/// given (else the monitor's default), and the guardrail off so the report shows the
/// calibrated mixture as calibrated (the dashboard still shows each member's autonomy share
/// against the physician range).
pub fn monitor_table(data_dir: &Path, reference: Option<&Path>) -> String {
    let quoted = |p: &Path| toml::Value::String(p.display().to_string());
    let reference = reference.map_or(String::new(), |file| {
        format!("reference_file = {}\n", quoted(file))
    });
    format!(
        "\n[monitor]\nrefit_interval_ms = 2000\n{reference}[monitor.log]\ndata_dir = {}\n\
         fsync = {{ interval_ms = 100 }}\n[monitor.guardrail]\nenabled = false\n",
        quoted(data_dir)
    )
}

fn source_setup(
    replay: Option<PathBuf>,
    listen: &str,
    data_dir: PathBuf,
) -> Result<DemoSetup, ReadError> {
    match replay.or_else(valuebench::shared_dir) {
        Some(dir) => {
            let policy = replay_policy(&dir, listen)?;
            let experiment = valuebench::read_experiment(&dir, MAIN_EXPERIMENT)?;
            let panel = experiment
                .makers()
                .iter()
                .filter(|m| valuebench::is_physician(m))
                .count();
            Ok(DemoSetup {
                source: DemoSource::Replay(dir),
                policy,
                experiment,
                reference: format!("physician panel ({panel} physicians)"),
                data_dir,
            })
        }
        None => {
            let sim = sim_policy(listen)?;
            Ok(DemoSetup {
                source: DemoSource::Sim,
                policy: sim.policy,
                experiment: sim.experiment,
                reference: format!("SIMULATED physician panel ({} sim agents)", sim.physicians),
                data_dir,
            })
        }
    }
}

/// What one demo run measured.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    /// The ensemble's traffic (dilemmas and ordinary requests, interleaved).
    pub ensemble: DriveReport,
    /// The same dilemmas sent to the default member alone.
    pub single: DriveReport,
    pub dilemmas: usize,
    pub ordinary: usize,
    pub reference_spread: Spread,
    pub ensemble_spread: Spread,
    pub single_spread: Spread,
}

/// The demo's requests to the ensemble: every case as `patients` patients, plus a tenth as
/// many ordinary requests (at least 4), interleaved as real traffic would be.
pub fn ensemble_requests(experiment: &Experiment, patients: usize) -> (Vec<DriveRequest>, usize) {
    let mut requests = dilemma_requests(experiment, DEMO_ENSEMBLE, patients);
    let dilemmas = requests.len();
    requests.extend(ordinary_requests(DEMO_ENSEMBLE, (dilemmas / 10).max(4)));
    interleave(&mut requests);
    (requests, dilemmas)
}

/// Drive the demo's traffic through the proxy at `addr` and measure the spreads.
/// `progress(done, total)` follows the ensemble's traffic.
pub async fn run(
    setup: &DemoSetup,
    addr: SocketAddr,
    patients: usize,
    progress: impl FnMut(usize, usize),
) -> DemoOutcome {
    let experiment = &setup.experiment;
    let (requests, dilemmas) = ensemble_requests(experiment, patients);
    let ordinary = requests.len() - dilemmas;
    let ensemble = super::drive(addr, requests, CONCURRENCY, progress).await;
    let alone = dilemma_requests(experiment, &setup.policy.default_member, patients);
    let single = super::drive(addr, alone, CONCURRENCY, |_, _| {}).await;
    let n = experiment.cases.len();
    DemoOutcome {
        reference_spread: physician_spread(experiment),
        ensemble_spread: spread(experiment, &ensemble.case_counts(n)),
        single_spread: spread(experiment, &single.case_counts(n)),
        ensemble,
        single,
        dilemmas,
        ordinary,
    }
}

/// The banner printed before the traffic: what is served and from what data.
pub fn describe(setup: &DemoSetup, addr: SocketAddr) -> String {
    let mut out = String::new();
    match &setup.source {
        DemoSource::Replay(dir) => {
            let _ = writeln!(
                out,
                "pluralis demo: proxy on http://{addr} replaying {}",
                dir.display()
            );
        }
        DemoSource::Sim => {
            let _ = writeln!(
                out,
                "pluralis demo: proxy on http://{addr}\n\
                 *** SIMULATION: no ValueBench folder found (--replay DIR, $PLURALIS_VALUEBENCH or \
                 ../shared/valuebench). ***\n\
                 The members are simulated agents with known value weights (`sim` upstream) \
                 answering the project's {} bench dilemmas (policies/bench/cases.jsonl), compared \
                 with a simulated physician panel. The figures show the mechanism, not evidence \
                 about real models or physicians.",
                setup.experiment.cases.len()
            );
        }
    }
    let _ = writeln!(
        out,
        "ensemble `{DEMO_ENSEMBLE}` (distributional, weights calibrated to the {}):",
        setup.reference
    );
    for (m, w) in setup.policy.members.iter().zip(&setup.policy.weights) {
        let known = if setup.simulated() {
            known_weights(m)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {m:<42} {w:.3}{known}");
    }
    let _ = writeln!(
        out,
        "live monitor (value profiles, drift, routing; updates as the demo runs): \
         http://{addr}/monitor\n  decision log: {}",
        setup.data_dir.display()
    );
    out
}

/// A sim member's true weights (after its steering, before its temperature), for the banner.
fn known_weights(member: &str) -> String {
    let (name, steer) = match member.rsplit_once('+') {
        Some((name, value)) => (name, Value::from_name(value)),
        None => (member, None),
    };
    let Some(agent) = sim_agents().into_iter().find(|a| a.name == name) else {
        return String::new();
    };
    let system = steer.map_or("", steering_sentence);
    let (weights, _) = agent.steered_weights(system);
    let shown: Vec<String> = weights.iter().map(|x| format!("{x:.2}")).collect();
    format!(
        "  true weights a/b/n/j {} / temperature {}",
        shown.join(" "),
        agent.temperature
    )
}

/// The report printed after the traffic.
pub fn render(setup: &DemoSetup, outcome: &DemoOutcome) -> String {
    let mut out = String::new();
    let (e, s) = (&outcome.ensemble, &outcome.single);
    let _ = writeln!(
        out,
        "{} dilemmas detected, {} ordinary answered by the default member, {} failed",
        e.dilemmas_detected,
        e.ordinary_ok,
        e.failed + s.failed
    );
    let members: Vec<String> = e.members.iter().map(|(m, c)| format!("{m} {c}")).collect();
    let _ = writeln!(out, "answers per member: {}", members.join(", "));
    let what = if setup.simulated() {
        "SIMULATED decision spread"
    } else {
        "decision spread"
    };
    let _ = writeln!(
        out,
        "\n{what} over {} benchmark cases (per-case JSD to the {}: lower is closer):",
        outcome.reference_spread.cases, setup.reference
    );
    let _ = writeln!(
        out,
        "  {:<44} {:>8} {:>14} {:>15}",
        "", "mean JSD", "entropy (bits)", "autonomy share"
    );
    let single = format!("single model {}", setup.policy.default_member);
    let ensemble = format!("pluralis ensemble ({} members)", setup.policy.members.len());
    for (name, spread) in [
        (setup.reference.as_str(), &outcome.reference_spread),
        (ensemble.as_str(), &outcome.ensemble_spread),
        (single.as_str(), &outcome.single_spread),
    ] {
        let autonomy = spread
            .autonomy_share
            .map_or("-".to_owned(), |a| format!("{a:.3}"));
        let _ = writeln!(
            out,
            "  {name:<44} {:>8.4} {:>14.3} {:>15}",
            spread.mean_jsd, spread.mean_entropy_bits, autonomy
        );
    }
    if setup.simulated() {
        let _ = writeln!(
            out,
            "  (simulation: agents and panel are value-weighted models, not clinicians or LLMs)"
        );
    }
    out
}

/// Spread ordinary requests among the dilemmas (deterministic).
fn interleave(requests: &mut [DriveRequest]) {
    let n = requests.len();
    for i in 0..n {
        let j = (i * 7919) % n;
        requests.swap(i, j);
    }
}

#[cfg(test)]
mod monitor_tests {
    use super::*;

    #[test]
    fn the_demo_policy_runs_the_monitor_on_its_own_log() {
        let dir = std::path::Path::new("/tmp/pluralis demo \"x\"");
        let mut toml = sim_policy("127.0.0.1:0").unwrap().policy.toml;
        toml.push_str(&monitor_table(dir, None));
        let policy = crate::config::Policy::from_toml_str(&toml).unwrap();
        let monitor = policy.monitor.unwrap();
        assert!(monitor.enabled);
        assert_eq!(monitor.log.data_dir, dir);
        assert_eq!(monitor.reference_file, None);
        assert!(!monitor.guardrail.enabled);
        assert!(monitor.validate().is_ok());
    }

    #[test]
    fn with_valuebench_data_the_monitor_keeps_the_real_reference() {
        let Some(dir) = valuebench::shared_dir() else {
            eprintln!("skipped: ValueBench folder absent (set PLURALIS_VALUEBENCH)");
            return;
        };
        let setup = setup(Some(dir), "127.0.0.1:0").unwrap();
        assert!(!setup.simulated());
        let policy = crate::config::Policy::from_toml_str(&setup.policy.toml).unwrap();
        // No reference file named: the monitor discovers the real physician reference.
        assert_eq!(policy.monitor.unwrap().reference_file, None);
    }
}
