//! Fuzz the `sim` upstream on arbitrary request bodies: the request parse, the match against the
//! embedded bench's dilemmas, the steering read from system prompts and the JSON or SSE reply.
//! First byte: bit 0 = streamed request; the rest is the body.
#![no_main]

use bytes::Bytes;
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use pluralis::upstream::sim::SimUpstream;
use pluralis::upstream::sim_model::{SimAgent, SimCases};
use pluralis::upstream::ForwardRequest;
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
        .expect("a sim body never fails")
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
