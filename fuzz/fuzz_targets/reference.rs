//! Fuzz the physician reference loader (`pluralis attribute --format json` output the monitor
//! reads from `reference_file`): no panic, and an accepted reference has an ordered physician
//! range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::monitor::online::Reference;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(reference) = Reference::from_attribute_json(&text, "fuzz-input") else {
        return;
    };
    for v in 0..4 {
        let (min, max) = (reference.physician_min[v], reference.physician_max[v]);
        assert!(min <= max, "range {min}..{max}");
    }
    // What the guardrail asks of it must answer for any share, finite or not.
    for value in pluralis::values::Value::ALL {
        for share in [0.0, 0.25, 1.0, f64::NAN] {
            let _ = reference.below_range(value, share);
        }
    }
});
