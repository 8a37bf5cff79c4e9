//! Fuzz the replay upstream on arbitrary request bodies: the prompt match against the recorded
//! benchmark prompts (the shared ValueBench folder when present, else an empty store) and the
//! JSON or SSE reply built from it. First byte: bit 0 = streamed request.
#![no_main]

use bytes::Bytes;
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use pluralis::upstream::replay::ReplayUpstream;
use pluralis::upstream::replay_store::{normalise, ReplayStore};
use pluralis::upstream::ForwardRequest;
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

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let stream = flags & 1 != 0;
    let normalised = normalise(&String::from_utf8_lossy(body));
    assert_eq!(normalise(&normalised), normalised);

    let request = ForwardRequest {
        method: http::Method::POST,
        path: "/chat/completions".into(),
        headers: http::HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
        stream,
    };
    let response = upstream().reply(&request);
    let status = response.status().as_u16();
    assert!(matches!(status, 200 | 400 | 404), "status {status}");
    let bytes = runtime()
        .block_on(response.into_body().collect())
        .expect("a replay body never fails")
        .to_bytes();
    if status != 200 || !stream {
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("a JSON reply");
        return;
    }
    let text = std::str::from_utf8(&bytes).expect("an SSE reply is UTF-8");
    assert!(text.ends_with("data: [DONE]\n\n"));
    for line in text.lines().filter_map(|l| l.strip_prefix("data: ")) {
        if line != "[DONE]" {
            serde_json::from_str::<serde_json::Value>(line).expect("each event is JSON");
        }
    }
});
