//! Fuzz the `sim` upstream on arbitrary request bodies: the request parse, the match against the
//! embedded bench's dilemmas, the steering read from system prompts and the JSON or SSE reply.
//! First byte: bit 0 = streamed request; the rest is the body.
#![no_main]

#[path = "shared/chat_reply.rs"]
mod chat_reply;

use libfuzzer_sys::fuzz_target;
use pluralis::upstream::sim::SimUpstream;
use pluralis::upstream::sim_model::{SimAgent, SimCases};
use std::sync::{Arc, OnceLock};

fn upstream() -> &'static SimUpstream {
    static UPSTREAM: OnceLock<SimUpstream> = OnceLock::new();
    UPSTREAM.get_or_init(|| {
        let cases = SimCases::embedded().expect("the embedded bench parses");
        let agent = SimAgent {
            name: "sim/a".into(),
            weights: [0.2, 0.4, 0.3, 0.1],
            temperature: 0.5,
        };
        SimUpstream::from_parts(vec![agent], Arc::new(cases), 7)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((stream, body)) = chat_reply::split_input(data) else {
        return;
    };
    chat_reply::check(stream, body, |request| upstream().reply(request));
});
