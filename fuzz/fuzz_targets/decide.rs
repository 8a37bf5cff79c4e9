//! Fuzz the decision parser: options, answer and reasoning from arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::decide::{judge, Decider, OptionPair};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Split the input into option 1, option 2, answer and reasoning at 0x1f separators.
    let mut parts = text.split('\u{1f}');
    let o1 = parts.next().unwrap_or("");
    let o2 = parts.next().unwrap_or("");
    let answer = parts.next().unwrap_or("");
    let reasoning = parts.next();
    let d = Decider::new().decide_prepared(&OptionPair::new(o1, o2), answer, reasoning);
    assert!((0.0..=1.0).contains(&d.confidence));
    let _ = judge::parse_judge_reply(answer);
});
