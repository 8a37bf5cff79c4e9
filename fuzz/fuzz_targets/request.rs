//! Fuzz what the proxy reads from a client's request body: the lenient parse (`model`,
//! `stream`), the message list, the sticky key, the member rewrite and dilemma detection.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::detect::Detector;
use pluralis::route::detector::{DilemmaDetector, Trained};
use pluralis::route::steer::{conversation_key, member_body, messages};
use pluralis::server::request::{parse_body, Endpoint};
use std::sync::{Arc, OnceLock};

fn detector() -> &'static Trained {
    static DETECTOR: OnceLock<Trained> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        let weights = Detector::embedded().expect("the embedded weights decode");
        Trained::new(Arc::new(weights), None)
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = Endpoint::from_path(&String::from_utf8_lossy(data));
    let Ok((json, model, stream)) = parse_body(data) else {
        return;
    };
    assert!(!model.is_empty());
    assert_eq!(
        stream,
        json.get("stream") == Some(&serde_json::Value::Bool(true))
    );

    let listed: Vec<(&str, &str)> = messages(&json).collect();
    let verdict = detector().detect(&listed);
    assert!(
        (0.0..=1.0).contains(&verdict.score),
        "score {}",
        verdict.score
    );
    assert_eq!(verdict.dilemma, verdict.score >= detector().threshold());
    let _ = conversation_key(None, &json);
    let _ = conversation_key(Some(model.as_str()), &json);

    // The member body is valid JSON naming the member, with the steering sentence added.
    for steering in [None, Some("Prefer the patient's stated wishes.")] {
        let body = member_body(&json, "fuzz/member", steering);
        let (_, member, member_stream) = parse_body(&body).expect("member body parses");
        assert_eq!(member, "fuzz/member");
        assert_eq!(member_stream, stream);
    }
});
