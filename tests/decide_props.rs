//! The decision parser never panics and keeps its output contract on arbitrary text.

use pluralis::decide::{judge, Decider, OptionPair};
use proptest::prelude::*;

/// Text built from pieces the parser reacts to, glued with arbitrary (often non-ASCII) bytes,
/// so the patterns fire near char boundaries.
fn answer() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Choice 1".to_owned()),
        Just("Option B".to_owned()),
        Just("I recommend ".to_owned()),
        Just("not ".to_owned()),
        Just("—".to_owned()),
        Just("选择 2。".to_owned()),
        Just("**".to_owned()),
        Just("\n".to_owned()),
        Just("if I must choose, 2.".to_owned()),
        Just("both are equally valid".to_owned()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decide_never_panics(o1 in any::<String>(), o2 in any::<String>(), a in answer(),
                           r in proptest::option::of(answer())) {
        let d = Decider::new().decide_prepared(&OptionPair::new(&o1, &o2), &a, r.as_deref());
        prop_assert!((0.0..=1.0).contains(&d.confidence));
        if let Some(e) = &d.evidence {
            let field = match e.source {
                pluralis::decide::Source::Content => a.as_str(),
                pluralis::decide::Source::Reasoning => r.as_deref().unwrap_or(""),
            };
            prop_assert!(field.get(e.span.clone()).is_some(), "span off char boundaries");
            prop_assert!(e.snippet.len() <= 2 * 200 + 8);
        }
        let _ = judge::judge_prompt(&o1, &o2, &a);
    }

    #[test]
    fn judge_reply_never_panics(s in any::<String>()) {
        let _ = judge::parse_judge_reply(&s);
    }
}
