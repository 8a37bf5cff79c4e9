//! Fuzz what the persona, steer and Overton modes read from outside: a member's chat completion
//! (Overton), the attribution report of recorded profiles, and the Overton write-up of any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::route::overton_answer::{answer_from_completion, compose, MemberOutcome};
use pluralis::route::profiles::RecordedProfiles;

fuzz_target!(|data: &[u8]| {
    if let Some(answer) = answer_from_completion(data) {
        let outcome = MemberOutcome {
            member: "m".into(),
            result: Ok(answer),
        };
        let reply = compose(Some(("first option", "second option")), &[outcome], 1);
        assert!(reply.unavailable.is_empty());
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(profiles) = RecordedProfiles::from_attribute_json(&text, "fuzz") {
        for p in profiles.physicians.iter().chain(profiles.models.values()) {
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{p:?}");
        }
    }
});
