//! Fuzz the `x-pluralis-values` header parser and the profile match on its result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::route::values_header::{closest_profile, parse_values};

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    let Ok(stated) = parse_values(&header) else {
        return;
    };
    assert!(
        (stated.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{stated:?}"
    );
    assert!(stated.iter().all(|w| (0.0..=1.0).contains(w)), "{stated:?}");
    let profiles = [[0.25; 4], [1.0, 0.0, 0.0, 0.0], [0.1, 0.4, 0.4, 0.1]];
    let (index, divergence) = closest_profile(&stated, &profiles).expect("profiles given");
    assert!(index < profiles.len());
    assert!(divergence.is_finite() && divergence >= 0.0, "{divergence}");
});
