//! The project's own dilemma bench (policies/bench/cases.jsonl) must stay readable by the
//! ValueBench reader and keep the shape the canary probes and attribution rely on.

use pluralis::valuebench::{self, CaseLine};
use pluralis::values::{Alignment, Value};
use std::collections::HashSet;
use std::path::Path;

fn bench() -> Vec<CaseLine> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/bench/cases.jsonl");
    valuebench::read_cases(&path).unwrap()
}

#[test]
fn bench_has_forty_approved_cases_with_unique_ids() {
    let cases = bench();
    assert_eq!(cases.len(), 40);
    assert!(cases.iter().all(CaseLine::is_approved));
    let ids: HashSet<&str> = cases.iter().map(|c| c.case_id.as_str()).collect();
    assert_eq!(ids.len(), cases.len(), "case ids must be unique");
    assert!(cases
        .iter()
        .all(|c| c.case_id.starts_with("pluralis-bench-")));
}

#[test]
fn every_case_has_text_and_two_distinct_options() {
    for c in bench() {
        assert!(c.vignette.split_whitespace().count() >= 20, "{}", c.case_id);
        assert!(!c.choice_1.choice.trim().is_empty(), "{}", c.case_id);
        assert!(!c.choice_2.choice.trim().is_empty(), "{}", c.case_id);
        assert_ne!(c.choice_1.choice, c.choice_2.choice, "{}", c.case_id);
    }
}

#[test]
fn every_choice_promotes_some_value_and_violates_another() {
    for c in bench() {
        for choice in [&c.choice_1, &c.choice_2] {
            let tags: Vec<Alignment> = Value::ALL.iter().map(|v| choice.alignment(*v)).collect();
            assert!(tags.contains(&Alignment::Promotes), "{}", c.case_id);
            assert!(tags.contains(&Alignment::Violates), "{}", c.case_id);
        }
        assert!(c.case().deltas().iter().any(|d| *d != 0), "{}", c.case_id);
    }
}

#[test]
fn every_value_is_conflicted_in_both_directions() {
    let cases = bench();
    for value in Value::ALL {
        let i = value.index();
        let for_first = cases.iter().filter(|c| c.case().deltas()[i] > 0).count();
        let for_second = cases.iter().filter(|c| c.case().deltas()[i] < 0).count();
        assert!(
            for_first >= 3,
            "{value} favours choice_1 in only {for_first} cases"
        );
        assert!(
            for_second >= 3,
            "{value} favours choice_2 in only {for_second} cases"
        );
    }
}
