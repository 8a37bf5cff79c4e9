//! The parser against the labels recorded in the shared ValueBench folder (the paper's parser).
//! Skipped (with a note) where the folder is absent.

use pluralis::decide::{audit::audit_experiment, Decider};
use pluralis::valuebench;

#[test]
fn agrees_with_recorded_labels() {
    let Some(dir) = valuebench::shared_dir() else {
        eprintln!("skipped: ../shared/valuebench is absent (set PLURALIS_VALUEBENCH to run)");
        return;
    };
    let exp = valuebench::read_experiment(&dir, valuebench::MAIN_EXPERIMENT).unwrap();
    let audit = audit_experiment(&Decider::new(), &exp);
    assert_eq!(audit.overall.total, 6120);
    let rate = audit.overall.rate();
    eprintln!("agreement {:.4} over {}", rate, audit.overall.total);
    assert!(rate >= 0.985, "agreement {rate:.4} below the 0.985 target");
    // Every recorded refusal is an answer with no recommendation; the parser must find them.
    let refusals_missed = audit
        .disagreements
        .iter()
        .filter(|d| d.recorded == pluralis::values::Choice::Refusal)
        .count();
    assert_eq!(refusals_missed, 0);
}
