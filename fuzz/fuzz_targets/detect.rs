//! Fuzz dilemma detection: the score and the option extraction on arbitrary text, alone and as
//! a message list (messages split at 0x1e, role and content at 0x1f).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::detect::{options, Detector};
use std::sync::OnceLock;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::embedded().expect("the embedded weights decode"))
}

/// `part` is a sub-slice of `whole` (options are spans of the request text).
fn within(whole: &str, part: &str) -> bool {
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    p >= w && p + part.len() <= w + whole.len()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let d = detector();

    let alone = d.detect_text(&text);
    assert!((0.0..=1.0).contains(&alone.score), "score {}", alone.score);
    let single = [("user", text.as_ref())];
    let as_request = d.detect(&single);
    assert_eq!(alone.score.to_bits(), as_request.score.to_bits());

    if let Some(o) = options::extract(&text) {
        assert!(within(&text, o.first) && within(&text, o.second));
        assert!(o.first.len() >= 3 && o.second.len() >= 3);
    }

    let messages: Vec<(&str, &str)> = text
        .split('\u{1e}')
        .map(|m| m.split_once('\u{1f}').unwrap_or(("user", m)))
        .collect();
    let v = d.detect(&messages);
    assert!((0.0..=1.0).contains(&v.score), "score {}", v.score);
    if let Some(o) = v.options {
        assert!(within(&text, o.first) && within(&text, o.second));
    }
});
