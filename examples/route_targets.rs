//! Measures issue 5's routing targets on the shared ValueBench data, in process, with the same
//! code the proxy runs per request: `Ensemble::route` picks the member for each patient (sticky
//! hash of the patient id), `ReplayStore::answer` serves that member's recorded answer (steered
//! runs for `+autonomy` members), and the recorded label of the served answer is the decision.
//!
//! Run: `cargo run --release --example route_targets [-- --patients 200 --seed 0]`
//!
//! Weights come from `pluralis calibrate`'s fit on the same cases (5-fold CV for the shrinkage),
//! so the deployment figures are in-sample for the weights; `pluralis calibrate` prints held-out
//! figures.

use pluralis::attribution::{
    fit_glm, rows_per_case, softmax_profile, PatternCounts, PAPER_TEMPERATURE,
};
use pluralis::route::calibrate::{calibrate, steer_share, CalibrateOptions};
use pluralis::route::ensemble::{Ensemble, EnsembleConfig};
use pluralis::route::mixture::{bernoulli_jsd, binary_entropy, valid_rate, CaseTable};
use pluralis::route::steer::steering_sentence;
use pluralis::upstream::replay_store::ReplayStore;
use pluralis::valuebench::{self, CaseDecisions, MAIN_EXPERIMENT, STEERED_EXPERIMENT};
use pluralis::values::{Choice, Value};

struct Outcome {
    jsd: f64,
    entropy: f64,
    autonomy: f64,
    unanswered: usize,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let patients = arg("--patients", 200) as usize;
    let seed = arg("--seed", 0);
    let Some(root) = valuebench::shared_dir() else {
        println!("skipped: no shared ValueBench folder (set PLURALIS_VALUEBENCH)");
        return Ok(());
    };
    let main = valuebench::read_experiment(&root, MAIN_EXPERIMENT)?;
    let store = ReplayStore::load(&root)?;
    let cases: Vec<&CaseDecisions> = main.cases.iter().filter(|c| c.has_physicians()).collect();

    let physicians = physician_outcome(&cases);
    println!(
        "{} cases x {patients} patients each; physicians: entropy {:.3} bits, autonomy share {:.3}",
        cases.len(),
        physicians.entropy,
        physicians.autonomy
    );
    println!(
        "{:<44} {:>8} {:>9} {:>9} {:>6}",
        "deployment", "JSD", "entropy", "autonomy", "miss"
    );

    let table = CaseTable::from_experiment(&main, None);
    let options = CalibrateOptions { folds: 5, seed };
    let mut single_best = f64::INFINITY;
    for member in &table.members {
        let e = ensemble(std::slice::from_ref(member), &[1.0], seed)?;
        let o = run(&e, &cases, &store, patients, &physicians_rates(&cases));
        single_best = single_best.min(o.jsd);
        print_row(&format!("single {member}"), &o);
    }
    let uniform = vec![1.0; table.members.len()];
    let o = run(
        &ensemble(&table.members, &uniform, seed)?,
        &cases,
        &store,
        patients,
        &physicians_rates(&cases),
    );
    print_row("uniform mixture of 12", &o);

    let cal = calibrate(&table, options);
    let o = run(
        &ensemble(&cal.members, &cal.weights, seed)?,
        &cases,
        &store,
        patients,
        &physicians_rates(&cases),
    );
    print_row("calibrated mixture of 12 (distributional)", &o);
    println!(
        "  best single member JSD {single_best:.4}; calibrate held-out JSD {:.4}",
        cal.heldout_calibrated
    );

    let steered = valuebench::read_experiment(&root, STEERED_EXPERIMENT)?;
    let mut with_steered = table.clone();
    for maker in steered
        .makers()
        .into_iter()
        .filter(|m| !valuebench::is_physician(m))
    {
        with_steered.add_member(format!("{maker}+autonomy"), &steered, &maker);
    }
    let cal_s = calibrate(&with_steered, options);
    let o = run(
        &ensemble(&cal_s.members, &cal_s.weights, seed)?,
        &cases,
        &store,
        patients,
        &physicians_rates(&cases),
    );
    print_row("calibrated mixture + autonomy-steered member", &o);
    println!("  calibrate held-out JSD {:.4}", cal_s.heldout_calibrated);

    let target = physicians.autonomy;
    let first_steered = table.members.len();
    if let Some((weights, share)) = steer_share(
        &with_steered,
        &cal_s.weights,
        first_steered,
        Value::Autonomy,
        target,
    ) {
        let o = run(
            &ensemble(&cal_s.members, &weights, seed)?,
            &cases,
            &store,
            patients,
            &physicians_rates(&cases),
        );
        print_row("autonomy-restored mixture (persona-steered)", &o);
        println!(
            "  fitted autonomy share {share:.3}; steered member weight {:.3}",
            weights[first_steered]
        );
    }
    Ok(())
}

fn print_row(name: &str, o: &Outcome) {
    println!(
        "{name:<44} {:>8.4} {:>9.3} {:>9.3} {:>6}",
        o.jsd, o.entropy, o.autonomy, o.unanswered
    );
}

fn ensemble(members: &[String], weights: &[f64], seed: u64) -> anyhow::Result<Ensemble> {
    let config = EnsembleConfig {
        name: "bench".into(),
        members: members.to_vec(),
        default_member: members
            .iter()
            .find(|m| !m.contains('+'))
            .cloned()
            .unwrap_or_default(),
        dilemma_mode: pluralis::route::ensemble::DilemmaMode::Distributional,
        weights: members
            .iter()
            .cloned()
            .zip(weights.iter().copied())
            .collect(),
        seed,
        overton_k: 3,
        overton_deadline_ms: 1000,
        profiles: None,
    };
    // A single steered member cannot be its own default; the bench never sends ordinary traffic.
    Ensemble::new(config).map_err(anyhow::Error::msg)
}

fn physicians_rates(cases: &[&CaseDecisions]) -> Vec<Option<f64>> {
    cases
        .iter()
        .map(|c| {
            let (a, b, r) = c.physician_counts();
            valid_rate([a, b, r])
        })
        .collect()
}

fn physician_outcome(cases: &[&CaseDecisions]) -> Outcome {
    let counts: Vec<(u64, u64)> = cases
        .iter()
        .map(|c| {
            let (a, b, _) = c.physician_counts();
            (a as u64, b as u64)
        })
        .collect();
    summarise(cases, &counts, &physicians_rates(cases), 0)
}

/// Send every case as `patients` different patients through the ensemble and the replay store.
fn run(
    ensemble: &Ensemble,
    cases: &[&CaseDecisions],
    store: &ReplayStore,
    patients: usize,
    reference: &[Option<f64>],
) -> Outcome {
    let base_system = cases
        .first()
        .and_then(|c| c.system_prompt.clone())
        .unwrap_or_default();
    let mut counts = Vec::with_capacity(cases.len());
    let mut unanswered = 0;
    for case in cases {
        let user = case.user_prompt.as_deref().unwrap_or("");
        let (mut c1, mut c2) = (0u64, 0u64);
        for p in 0..patients {
            let key = format!("patient-{p}-case-{}", case.case_id);
            let decision = ensemble.route(true, key.as_bytes());
            let system = match decision.spec.steer {
                Some(v) => format!("{base_system} {}", steering_sentence(v)),
                None => base_system.clone(),
            };
            match store.answer(&decision.spec.model, Some(&system), user, key.as_bytes()) {
                Ok(a) => match a.answer.choice {
                    Choice::Choice1 => c1 += 1,
                    Choice::Choice2 => c2 += 1,
                    Choice::Refusal => {}
                },
                Err(_) => unanswered += 1,
            }
        }
        counts.push((c1, c2));
    }
    summarise(cases, &counts, reference, unanswered)
}

fn summarise(
    cases: &[&CaseDecisions],
    counts: &[(u64, u64)],
    reference: &[Option<f64>],
    unanswered: usize,
) -> Outcome {
    let (mut jsd, mut entropy, mut n) = (0.0, 0.0, 0);
    let mut patterns = Vec::new();
    for ((case, &(c1, c2)), q) in cases.iter().zip(counts).zip(reference) {
        patterns.push(PatternCounts {
            deltas: case.case.deltas(),
            choice_1: c1,
            choice_2: c2,
        });
        let (Some(p), Some(q)) = (valid_rate([c1 as u32, c2 as u32, 0]), q) else {
            continue;
        };
        jsd += bernoulli_jsd(p, *q);
        entropy += binary_entropy(p);
        n += 1;
    }
    let fit = fit_glm(&rows_per_case(&patterns));
    let profile = softmax_profile(&fit.beta, PAPER_TEMPERATURE);
    Outcome {
        jsd: jsd / n.max(1) as f64,
        entropy: entropy / n.max(1) as f64,
        autonomy: profile[Value::Autonomy.index()],
        unanswered,
    }
}
