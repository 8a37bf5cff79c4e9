//! Fuzz the response wrapper that observes upstream streams: chunks (split at 0xff) go through
//! `ObservedBody` unchanged, the observer sees them all and one end, and an SSE stream is
//! complete exactly when its bytes end with `[DONE]` (else the client gets an error event).
//! First byte: bit 0 = SSE, bit 1 = the upstream fails after the last chunk.
#![no_main]

#[path = "shared/runtime.rs"]
mod runtime;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use libfuzzer_sys::fuzz_target;
use pluralis::body::BoxError;
use pluralis::metrics::Metrics;
use pluralis::server::observe::{
    InFlightGuard, ObservedBody, ResponseObserver, ResponseRecord, ResponseSummary, StreamOutcome,
    UpstreamBodyPolicy,
};
use runtime::runtime;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Seen {
    bytes: Vec<u8>,
    ends: Vec<StreamOutcome>,
}

struct Recorder(Arc<Mutex<Seen>>);

impl ResponseObserver for Recorder {
    fn on_data(&mut self, chunk: &Bytes) {
        self.0.lock().unwrap().bytes.extend_from_slice(chunk);
    }
    fn on_end(&mut self, summary: &ResponseSummary) {
        self.0.lock().unwrap().ends.push(summary.outcome);
    }
}

fn metrics() -> Arc<Metrics> {
    static METRICS: OnceLock<Arc<Metrics>> = OnceLock::new();
    Arc::clone(METRICS.get_or_init(|| Arc::new(Metrics::new().unwrap())))
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (sse, fails) = (flags & 1 != 0, flags & 2 != 0);
    let chunks: Vec<Bytes> = rest
        .split(|&b| b == 0xff)
        .map(Bytes::copy_from_slice)
        .collect();
    let sent: Vec<u8> = chunks.concat();
    let mut frames: Vec<Result<http_body::Frame<Bytes>, BoxError>> = chunks
        .into_iter()
        .map(|c| Ok(http_body::Frame::data(c)))
        .collect();
    if fails {
        frames.push(Err(BoxError::from("upstream reset")));
    }
    let inner = StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync();

    // The body arms its idle timer when built: on the request path that is inside the runtime.
    let _context = runtime().enter();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let metrics = metrics();
    let record = ResponseRecord {
        metrics: Arc::clone(&metrics),
        model_label: "m".into(),
        status: 200,
        started: Instant::now(),
        request_id: "r".into(),
        upstream: Some("u".into()),
    };
    let policy = UpstreamBodyPolicy {
        upstream: "u".into(),
        idle_timeout: Duration::from_secs(5),
        sse,
    };
    let mut body = ObservedBody::new(
        inner,
        record,
        Some(policy),
        Some(Box::new(Recorder(Arc::clone(&seen)))),
        InFlightGuard::new(metrics),
    );

    let (forwarded, ended_in_error) = runtime().block_on(async {
        let mut forwarded = Vec::new();
        let mut ended_in_error = false;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => forwarded.push(frame.into_data().unwrap_or_default()),
                Err(_) => {
                    ended_in_error = true;
                    break;
                }
            }
        }
        (forwarded, ended_in_error)
    });
    drop(body);

    let seen = seen.lock().unwrap();
    assert_eq!(seen.bytes, sent, "the observer sees every byte");
    assert_eq!(seen.ends.len(), 1, "one end: {:?}", seen.ends);
    let complete = !fails && (!sse || sent.trim_ascii_end().ends_with(b"[DONE]"));
    assert_eq!(
        seen.ends[0] == StreamOutcome::Complete,
        complete,
        "{:?}",
        seen.ends
    );
    let forwarded_bytes: Vec<u8> = forwarded.concat();
    if complete {
        assert_eq!(forwarded_bytes, sent);
        assert!(!ended_in_error);
    } else if sse {
        // The upstream's bytes, then one error event the client can read.
        assert!(!ended_in_error);
        let last = forwarded.last().expect("an error event");
        assert!(last.starts_with(b"data: {\"error\"") && last.ends_with(b"\n\n"));
        assert!(forwarded_bytes.starts_with(&sent));
    } else {
        assert!(ended_in_error);
        assert_eq!(forwarded_bytes, sent);
    }
});
