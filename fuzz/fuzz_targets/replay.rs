//! Fuzz the replay upstream on arbitrary request bodies: the prompt match against the recorded
//! benchmark prompts (the shared ValueBench folder when present, else an empty store) and the
//! JSON or SSE reply built from it. First byte: bit 0 = streamed request.
#![no_main]

#[path = "shared/chat_reply.rs"]
mod chat_reply;

use libfuzzer_sys::fuzz_target;
use pluralis::upstream::replay::ReplayUpstream;
use pluralis::upstream::replay_store::{normalise, ReplayStore};
use pluralis::valuebench;
use std::sync::{Arc, OnceLock};

fn upstream() -> &'static ReplayUpstream {
    static UPSTREAM: OnceLock<ReplayUpstream> = OnceLock::new();
    UPSTREAM.get_or_init(|| {
        let store = valuebench::shared_dir()
            .map(|dir| ReplayStore::load(&dir).expect("the shared folder loads"))
            .unwrap_or_default();
        ReplayUpstream::from_store(Arc::new(store))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((stream, body)) = chat_reply::split_input(data) else {
        return;
    };
    let normalised = normalise(&String::from_utf8_lossy(body));
    assert_eq!(normalise(&normalised), normalised);
    chat_reply::check(stream, body, |request| upstream().reply(request));
});
