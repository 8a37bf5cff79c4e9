//! Fuzz the detector weight-file decoder: no panic, a decoded model re-encodes to itself, and
//! any decodable weight file scores text as a probability.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::detect::{Detector, Model, EMBEDDED_WEIGHTS};

fn check(bytes: &[u8]) {
    let Ok(model) = Model::decode(bytes) else {
        return;
    };
    assert_eq!(Model::decode(&model.encode()).as_ref(), Ok(&model));
    let score = Detector::new(model)
        .detect_text("Option A: discharge home. Option B: admit for observation. Which?")
        .score;
    assert!((0.0..=1.0).contains(&score), "score {score}");
}

fuzz_target!(|data: &[u8]| {
    check(data);
    // Damage the real file's tail: reaches the bucket table, which random bytes rarely do.
    let keep = EMBEDDED_WEIGHTS.len().min(61 + data.len() % 64);
    let mut damaged = EMBEDDED_WEIGHTS[..keep].to_vec();
    damaged.extend_from_slice(data);
    check(&damaged);
});
