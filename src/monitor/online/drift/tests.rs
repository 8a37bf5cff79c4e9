use super::*;
use crate::monitor::stats::Tally;
use crate::values::Choice;

/// A dilemma whose choice_1 promotes `favoured` and whose choice_2 is neutral on everything.
fn event(member: &str, favoured: Value, choice: Choice) -> DecisionEvent {
    use crate::monitor::log::{OptionTags, ValueTags};
    use crate::values::Alignment::*;
    let tags = OptionTags {
        choice_1: ValueTags::from_fn(|v| if v == favoured { Promotes } else { Neutral }),
        choice_2: ValueTags::from_fn(|_| Neutral),
    };
    let mut e = crate::monitor::stats::tests::tagged_event(member, 0, "c", choice);
    e.options = Some(tags);
    e
}

fn estimate_from(events: &[DecisionEvent]) -> ProfileEstimate {
    let mut tally = Tally::default();
    events.iter().for_each(|e| tally.add(e));
    let mut rng = rand::rngs::mock::StepRng::new(0, 0);
    estimate(&tally, 0.262, 0, &mut rng).unwrap()
}

/// `n` decisions over the four values' dilemmas: the autonomy option is taken with
/// probability `p_autonomy`, the others half the time.
fn stream(member: &str, n: usize, p_autonomy: f64) -> Vec<DecisionEvent> {
    (0..n)
        .map(|i| {
            let favoured = Value::ALL[i % 4];
            let p = if favoured == Value::Autonomy {
                p_autonomy
            } else {
                0.5
            };
            let frac = ((i / 4) % 10) as f64 / 10.0;
            let c = if frac < p {
                Choice::Choice1
            } else {
                Choice::Choice2
            };
            event(member, favoured, c)
        })
        .collect()
}

#[test]
fn first_stable_window_becomes_the_baseline_and_drift_alerts() {
    let config = DriftConfig {
        min_decisions: 160,
        threshold_jsd: 0.05,
        ..DriftConfig::default()
    };
    let mut tracker = DriftTracker::new(config, 0.262);
    let first = stream("m", 200, 0.7);
    first.iter().for_each(|e| tracker.observe(e));
    let baseline = tracker.members["m"].baseline.clone().unwrap();
    assert_eq!(baseline.source, BaselineSource::FirstStableWindow);
    // Later events do not move the baseline.
    stream("m", 300, 0.1)
        .iter()
        .for_each(|e| tracker.observe(e));
    assert_eq!(tracker.members["m"].baseline.as_ref().unwrap(), &baseline);

    let same = estimate_from(&stream("m", 400, 0.7));
    assert_eq!(tracker.evaluate("m", Some(&same), 1), None);
    assert!(tracker.members["m"].jsd.unwrap() < 1e-9);

    let drifted = estimate_from(&stream("m", 400, 0.2));
    let change = tracker.evaluate("m", Some(&drifted), 2).unwrap();
    assert!(change.raised && change.jsd > 0.05);
    // Still drifted: no new change; recovered: cleared.
    assert_eq!(tracker.evaluate("m", Some(&drifted), 3), None);
    let back = tracker.evaluate("m", Some(&same), 4).unwrap();
    assert!(!back.raised);
    assert_eq!(tracker.history.len(), 4);
}

#[test]
fn too_little_evidence_never_alerts() {
    let config = DriftConfig {
        min_decisions: 160,
        threshold_jsd: 0.01,
        ..DriftConfig::default()
    };
    let mut tracker = DriftTracker::new(config, 0.262);
    stream("m", 200, 0.9)
        .iter()
        .for_each(|e| tracker.observe(e));
    let small = estimate_from(&stream("m", 20, 0.1));
    assert_eq!(tracker.evaluate("m", Some(&small), 1), None);
    assert!(tracker.members["m"].jsd.unwrap() > 0.01);
    assert!(!tracker.members["m"].alert);
}

#[test]
fn pinned_baseline_wins_and_is_normalised() {
    let mut shares = BTreeMap::new();
    for v in Value::ALL {
        shares.insert(v, 2.0);
    }
    let config = DriftConfig {
        baselines: [("m".to_owned(), shares)].into(),
        ..DriftConfig::default()
    };
    assert!(config.validate().is_empty());
    let mut tracker = DriftTracker::new(config, 0.262);
    stream("m", 500, 0.9)
        .iter()
        .for_each(|e| tracker.observe(e));
    let b = tracker.members["m"].baseline.clone().unwrap();
    assert_eq!(b.source, BaselineSource::Pinned);
    assert_eq!(b.profile, [0.25; 4]);
}
