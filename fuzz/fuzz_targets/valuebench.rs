//! Fuzz the ValueBench readers from bytes: `cases.jsonl` text and one decision file, plus the
//! accessors later stages call on what they return.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::valuebench::{parse_cases, parse_decision_file, CaseDecisions};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz-input");
    if let Ok(cases) = parse_cases(&String::from_utf8_lossy(data), path) {
        for line in &cases {
            let deltas = line.case().deltas();
            assert!(deltas.iter().all(|d| (-2..=2).contains(d)), "{deltas:?}");
            let _ = line.is_approved();
        }
    }
    let Ok(file) = parse_decision_file(data, path) else {
        return;
    };
    let decisions = CaseDecisions {
        case_id: file.case_id.clone(),
        case: file.case.clone(),
        system_prompt: file.system_prompt.clone(),
        user_prompt: file.user_prompt.clone(),
        makers: file
            .models
            .iter()
            .map(|(maker, runs)| (maker.clone(), runs.runs.clone()))
            .collect(),
    };
    let mut total = 0u32;
    for (maker, runs) in &decisions.makers {
        let (a, b, r) = decisions.counts(maker);
        assert_eq!((a + b + r) as usize, runs.len());
        total += a + b + r;
        for run in runs {
            let _ = (run.content(), run.reasoning());
        }
    }
    let (a, b, r) = decisions.physician_counts();
    assert!(a + b + r <= total);
    let _ = decisions.case.deltas();
});
