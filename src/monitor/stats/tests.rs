use super::*;
use crate::monitor::log::{OptionTags, ValueTags};
use crate::values::{Alignment, Choice, Value};

pub(crate) fn tagged_event(
    member: &str,
    time_ms: u64,
    case: &str,
    choice: Choice,
) -> DecisionEvent {
    DecisionEvent {
        time_ms,
        request_id: "r".to_owned(),
        conversation: None,
        tenant: Some("t1".to_owned()),
        ensemble: Some("ens".to_owned()),
        member: member.to_owned(),
        route_mode: "distributional".to_owned(),
        persona: None,
        dilemma_score: 1.0,
        case_key: case.to_owned(),
        options: Some(OptionTags {
            choice_1: ValueTags::from_fn(|v| {
                if v == Value::Autonomy {
                    Alignment::Promotes
                } else {
                    Alignment::Neutral
                }
            }),
            choice_2: ValueTags::from_fn(|v| {
                if v == Value::Nonmaleficence {
                    Alignment::Promotes
                } else {
                    Alignment::Neutral
                }
            }),
        }),
        option_texts: None,
        decision: choice,
        confidence: 1.0,
        values_discussed: vec![Value::Autonomy, Value::Autonomy, Value::Justice],
        presents_both: choice == Choice::Choice1,
        latency_ms: 10,
        prompt_text: None,
        answer_text: None,
        judge: None,
    }
}

const T0: u64 = 1_800_000_000_000;

#[test]
fn counts_land_in_every_scope_by_pattern_and_choice() {
    let mut stats = Stats::default();
    stats.record(&tagged_event("a", T0, "c1", Choice::Choice1), T0);
    stats.record(&tagged_event("a", T0, "c1", Choice::Choice2), T0);
    stats.record(&tagged_event("b", T0, "c1", Choice::Choice1), T0);
    let all = stats.window(WindowName::All, T0);
    let a = &all[&Scope::Member("a".into())];
    assert_eq!(a.by_pattern[&[1, 0, -1, 0]], [1, 1, 0]);
    assert_eq!(
        all[&Scope::Deployment].by_pattern[&[1, 0, -1, 0]],
        [2, 1, 0]
    );
    assert_eq!(all[&Scope::Tenant("t1".into())].total(), 3);
    assert_eq!(all[&Scope::Ensemble("ens".into())].by_member["b"], 1);
    // Repeated mentions of a value count once.
    assert_eq!(a.mean_values_discussed(), Some(2.0));
    assert_eq!(a.overton_share(), Some(0.5));
}

#[test]
fn windows_slide_and_memory_stays_bounded() {
    let mut stats = Stats::default();
    let two_hours_ago = T0 - 2 * 3_600_000;
    stats.record(&tagged_event("a", two_hours_ago, "c1", Choice::Choice1), T0);
    stats.record(&tagged_event("a", T0, "c1", Choice::Choice1), T0);
    let member = Scope::Member("a".into());
    assert_eq!(stats.window(WindowName::Hour, T0)[&member].total(), 1);
    assert_eq!(stats.window(WindowName::Day, T0)[&member].total(), 2);
    assert_eq!(stats.window(WindowName::All, T0)[&member].total(), 2);
    // A day later the hour and day windows are empty, all-time is not.
    let later = T0 + 25 * 3_600_000;
    assert!(stats.window(WindowName::Day, later).is_empty());
    assert_eq!(stats.window(WindowName::All, later)[&member].total(), 2);

    // Three days of one event a minute: never more buckets than the window holds.
    let mut t = T0;
    for _ in 0..(3 * 24 * 60) {
        t += 60_000;
        stats.record(&tagged_event("a", t, "c1", Choice::Choice2), t);
    }
    assert!(stats.hour.live_buckets() <= 60);
    assert!(stats.day.live_buckets() <= 24);
    assert_eq!(stats.window(WindowName::Hour, t)[&member].total(), 60);
}

#[test]
fn case_entropy_and_case_cap() {
    let mut stats = Stats::new(2);
    for choice in [Choice::Choice1, Choice::Choice2] {
        stats.record(&tagged_event("a", T0, "c1", choice), T0);
        stats.record(&tagged_event("a", T0, "c2", Choice::Choice1), T0);
    }
    stats.record(&tagged_event("a", T0, "c3", Choice::Choice1), T0);
    assert_eq!(stats.cases.len(), 2);
    assert_eq!(stats.cases.untracked, 1);
    let entropy = |p: &[f64]| {
        let n: f64 = p.iter().sum();
        -p.iter()
            .filter(|v| **v > 0.0)
            .map(|v| v / n * (v / n).log2())
            .sum::<f64>()
    };
    let summary = stats.cases.entropy("a", entropy).unwrap();
    assert_eq!(summary.cases, 2);
    assert!((summary.mean_bits - 0.5).abs() < 1e-12);
    assert!(stats.cases.entropy("", entropy).is_some());
    assert!(stats.cases.entropy("nobody", entropy).is_none());
}

#[test]
fn pattern_labels_round_trip() {
    assert_eq!(pattern_label(&[2, -1, 0, -2]), "2,-1,0,-2");
    assert_eq!(parse_pattern("2,-1,0,-2"), Some([2, -1, 0, -2]));
    assert_eq!(parse_pattern("3,0,0,0"), None);
    assert_eq!(parse_pattern("1,0,0"), None);
}
