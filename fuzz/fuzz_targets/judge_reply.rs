//! Fuzz the judge model's replies: the value-tag JSON reader, the decision-label reader, and
//! the chat-completion text extraction, on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::decide::judge::parse_judge_reply;
use pluralis::monitor::judge::client::reply_text;
use pluralis::monitor::judge::tags::{parse_tag_reply, tag_prompt};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(tags) = parse_tag_reply(&text) {
        assert!(tags.deltas().iter().all(|d| (-2..=2).contains(d)));
    }
    let _ = parse_judge_reply(&text);
    let _ = reply_text(data);
    let max = data.first().map_or(0, |b| usize::from(*b) * 4);
    assert_eq!(tag_prompt(&text, "a", "b", max).len(), 2);
});
