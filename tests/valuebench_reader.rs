//! Reads the shared ValueBench folder and checks its shape. Skipped (with a note) where absent.

use pluralis::valuebench::{self, is_physician};
use pluralis::values::Choice;

#[test]
fn reads_the_shared_valuebench_folder() {
    let Some(dir) = valuebench::shared_dir() else {
        eprintln!("skipped: ../shared/valuebench is absent (set PLURALIS_VALUEBENCH to run)");
        return;
    };
    let exp = valuebench::read_experiment(&dir, valuebench::MAIN_EXPERIMENT).unwrap();
    assert_eq!(exp.cases.len(), 51);
    let makers = exp.makers();
    let models: Vec<_> = makers.iter().filter(|m| !is_physician(m)).collect();
    let physicians: Vec<_> = makers.iter().filter(|m| is_physician(m)).collect();
    assert_eq!(models.len(), 12);
    assert_eq!(physicians.len(), 20);
    let runs: usize = exp
        .cases
        .iter()
        .flat_map(|c| c.makers.iter())
        .filter(|(m, _)| !is_physician(m))
        .map(|(_, r)| r.len())
        .sum();
    assert_eq!(runs, 6120);
    assert_eq!(exp.cases.iter().filter(|c| c.has_physicians()).count(), 50);
    let with_text = exp.cases[0].makers["openai/gpt-5.2"][0].content();
    assert!(with_text.is_some_and(|t| !t.is_empty()));
    let refusals = exp
        .cases
        .iter()
        .flat_map(|c| c.makers.values().flatten())
        .filter(|r| r.parsed_choice == Choice::Refusal)
        .count();
    assert!(refusals > 0);

    let cases = valuebench::read_cases(&dir.join("cases.jsonl")).unwrap();
    assert_eq!(cases.len(), 286);
    assert_eq!(cases.iter().filter(|c| c.is_approved()).count(), 51);

    let steered = valuebench::read_experiment(&dir, valuebench::STEERED_EXPERIMENT).unwrap();
    assert!(steered.cases.iter().any(|c| c
        .system_prompt
        .as_deref()
        .is_some_and(|s| s.contains("autonomy"))));
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let err =
        valuebench::read_experiment(std::path::Path::new("/nonexistent/vb"), "x").unwrap_err();
    assert!(err.to_string().contains("not a ValueBench folder"));
}
