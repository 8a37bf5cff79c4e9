//! Property tests: no input makes the detector, the option extractor or the weight-file
//! decoder panic, and scores stay probabilities.

use pluralis::detect::{options, Detector, Model, EMBEDDED_WEIGHTS};
use proptest::prelude::*;
use std::sync::OnceLock;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::embedded().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn detect_never_panics(text in any::<String>(), role in "(user|system|assistant|x)") {
        let d = detector();
        let messages = [(role.as_str(), text.as_str())];
        let v = d.detect(&messages);
        prop_assert!((0.0..=1.0).contains(&v.score));
        let t = d.detect_text(&text);
        prop_assert_eq!(t.score, v.score);
    }

    #[test]
    fn structured_text_never_panics(
        parts in proptest::collection::vec(
            "(Choice|Option|Plan|should we|or|\\n|1\\.|2\\)|- |\\*\\*|:|\\?| |é|x{1,5})", 0..40)
    ) {
        let text: String = parts.concat();
        if let Some(o) = options::extract(&text) {
            prop_assert!(text.contains(o.first) && text.contains(o.second));
        }
        let d = detector();
        prop_assert!(d.detect_text(&text).score.is_finite());
    }

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Model::decode(&bytes);
        let mut damaged = EMBEDDED_WEIGHTS[..EMBEDDED_WEIGHTS.len().min(300)].to_vec();
        damaged.extend_from_slice(&bytes);
        let _ = Model::decode(&damaged);
    }
}
