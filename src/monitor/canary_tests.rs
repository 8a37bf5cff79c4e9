use super::*;
use crate::monitor::config::ProbeVariant;
use crate::upstream::sim_model::SimCases;
use crate::values::Choice;

const ALL: [ProbeVariant; 3] = ProbeVariant::ALL;

#[test]
fn plan_is_bounded_and_walks_through_the_cases() {
    let (slots, next) = plan_round(10, &ALL, 2, 12, 0);
    assert_eq!(slots.len(), 12);
    assert_eq!(next, 2);
    // Every variant and sample of case 0, then of case 1.
    assert!(slots[..6].iter().all(|s| s.case == 0));
    assert_eq!(
        slots
            .iter()
            .filter(|s| s.variant == ProbeVariant::Swapped)
            .count(),
        4
    );
    let (again, next) = plan_round(10, &ALL, 2, 12, next);
    assert!(again.iter().all(|s| s.case == 2 || s.case == 3));
    assert_eq!(next, 4);
    // Wraps around at the end; a cut case still moves the cursor on.
    let (slots, next) = plan_round(10, &ALL, 2, 4, 9);
    assert!(slots.iter().all(|s| s.case == 9));
    assert_eq!(next, 0);
}

#[test]
fn plan_never_probes_a_case_twice_in_one_round() {
    for cases in 0..5 {
        for max in 0..40 {
            for cursor in 0..6 {
                let (slots, next) = plan_round(cases, &ALL, 2, max, cursor);
                assert!(slots.len() <= max as usize);
                assert!(slots.len() <= cases * 6);
                let mut seen: Vec<_> = slots
                    .iter()
                    .map(|s| (s.case, s.variant, s.sample))
                    .collect();
                seen.sort_by_key(|&(c, v, s)| (c, v.as_str(), s));
                seen.dedup();
                assert_eq!(seen.len(), slots.len());
                if cases > 0 {
                    assert!(next < cases);
                }
            }
        }
    }
    assert!(plan_round(5, &[], 2, 10, 0).0.is_empty());
}

#[test]
fn prompts_vary_wording_and_order_and_the_sim_reads_them() {
    let cases = SimCases::embedded().unwrap();
    for line in cases.lines() {
        let original = probe_prompt(line, ProbeVariant::Original);
        let swapped = probe_prompt(line, ProbeVariant::Swapped);
        let paraphrased = probe_prompt(line, ProbeVariant::Paraphrased);
        assert_eq!(swapped.shown[0], original.shown[1]);
        assert_eq!(swapped.shown[1], original.shown[0]);
        assert!(swapped.swapped && !original.swapped && !paraphrased.swapped);
        assert_ne!(paraphrased.user, original.user);
        assert_ne!(paraphrased.system, original.system);
        for (prompt, swapped) in [(&original, false), (&swapped, true), (&paraphrased, false)] {
            let found = cases.find(&prompt.user).unwrap();
            assert_eq!(found.case.case_id, line.case_id);
            assert_eq!(found.swapped, swapped);
        }
    }
}

#[test]
fn decisions_map_back_to_the_case_order() {
    assert_eq!(to_case_terms(Choice::Choice1, true), Choice::Choice2);
    assert_eq!(to_case_terms(Choice::Choice2, true), Choice::Choice1);
    assert_eq!(to_case_terms(Choice::Refusal, true), Choice::Refusal);
    assert_eq!(to_case_terms(Choice::Choice1, false), Choice::Choice1);
}

#[test]
fn answer_is_read_from_the_completion() {
    let completion = serde_json::json!({"choices": [{"message": {"role": "assistant",
        "content": "Option B.", "reasoning_content": "weighing"}}]});
    assert_eq!(
        answer_of(&completion),
        Some(("Option B.", Some("weighing")))
    );
    assert_eq!(answer_of(&serde_json::json!({"choices": []})), None);
    let body = probe_body(
        "m",
        &probe_prompt(
            &SimCases::embedded()
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .clone(),
            ProbeVariant::Original,
        ),
        "u1",
    );
    let json: Json = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["model"], "m");
    assert_eq!(json["user"], "u1");
    assert_eq!(json["stream"], false);
}

#[test]
fn loads_the_embedded_bench_or_a_valuebench_folder() {
    assert_eq!(load_cases(None).unwrap().len(), 40);
    let dir = tempfile::tempdir().unwrap();
    assert!(load_cases(Some(dir.path())).is_err());
    std::fs::write(dir.path().join("cases.jsonl"), EMBEDDED_BENCH).unwrap();
    assert_eq!(load_cases(Some(dir.path())).unwrap().len(), 40);
    assert_eq!(
        load_cases(Some(&dir.path().join("cases.jsonl")))
            .unwrap()
            .len(),
        40
    );
}
