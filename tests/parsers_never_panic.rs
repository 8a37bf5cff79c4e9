//! "Never panics" properties for parsers of outside input that have no property test next to
//! their code: the policy loader, the ValueBench readers, the replay and sim upstreams' request
//! handling, the physician reference loader and the SSE observation of upstream streams. Each
//! has a cargo-fuzz twin in fuzz/.

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use pluralis::body::BoxError;
use pluralis::config::Policy;
use pluralis::metrics::Metrics;
use pluralis::monitor::online::Reference;
use pluralis::route::ensemble::Ensemble;
use pluralis::server::observe::{
    InFlightGuard, ObservedBody, ResponseObserver, ResponseRecord, ResponseSummary, StreamOutcome,
    UpstreamBodyPolicy,
};
use pluralis::upstream::replay::ReplayUpstream;
use pluralis::upstream::replay_store::ReplayStore;
use pluralis::upstream::sim::SimUpstream;
use pluralis::upstream::sim_model::{SimAgent, SimCases};
use pluralis::upstream::ForwardRequest;
use pluralis::valuebench::{parse_cases, parse_decision_file};
use proptest::prelude::*;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn policy_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    texts.sort();
    texts
}

fn check_policy(text: &str) {
    if let Ok(policy) = Policy::from_toml_str(text) {
        for config in &policy.ensembles {
            let ensemble = Ensemble::new(config.clone()).unwrap();
            let _ = ensemble.route(true, b"k");
        }
    }
}

/// Keys of `pluralis attribute --format json`, so generated text reaches the reference checks.
const REFERENCE_PIECES: &str = r#"(\{|\}|\[|\]|,|:|"temperature"|"decision_makers"|"kind"|"consensus"|"physician"|"profile"|"beta"|"physician_reference"|"min_share"|"max_share"|"physicians"|"jsd_p95"|"mean_entropy_bits"|"autonomy"|"beneficence"|"nonmaleficence"|"justice"|0.5|1|-1|1e308|null)"#;

fn sim_upstream() -> SimUpstream {
    let agent = SimAgent {
        name: "sim/a".into(),
        weights: [0.2, 0.4, 0.3, 0.1],
        temperature: 0.5,
    };
    SimUpstream::from_parts(vec![agent], Arc::new(SimCases::embedded().unwrap()), 7)
}

/// Schema words of decision files and `cases.jsonl`, so generated text gets past the first key.
const VALUEBENCH_PIECES: &str = r#"(\{|\}|\[|\]|,|:|"case_id"|"case"|"vignette"|"choice_1"|"choice_2"|"choice"|"autonomy"|"beneficence"|"nonmaleficence"|"justice"|"promotes"|"violates"|"neutral"|"models"|"runs"|"full_response"|"parsed_choice"|"refusal"|"x"|"human/p"|1|null|\n)"#;

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

/// Drives `chunks` (then an error when `fails`) through the wrapper; returns what the client
/// got, whether it ended in an error, and what the observer saw.
fn observe(chunks: &[Vec<u8>], sse: bool, fails: bool) -> (Vec<u8>, bool, Seen) {
    let mut frames: Vec<Result<http_body::Frame<Bytes>, BoxError>> = chunks
        .iter()
        .map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    if fails {
        frames.push(Err(BoxError::from("reset")));
    }
    let inner = StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync();
    // The body arms its idle timer when built: on the request path that is inside the runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _context = runtime.enter();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let metrics = Arc::new(Metrics::new().unwrap());
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
    let (client, errored) = runtime.block_on(async {
        let mut client = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => client.extend_from_slice(&frame.into_data().unwrap_or_default()),
                Err(_) => return (client, true),
            }
        }
        (client, false)
    });
    drop(body);
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    (client, errored, seen)
}

#[test]
fn sse_split_done_marker_is_seen_across_chunks() {
    let chunks = [
        b"data: {}\n\ndata: [DO".to_vec(),
        b"NE]".to_vec(),
        b"\n\n".to_vec(),
    ];
    let (client, errored, seen) = observe(&chunks, true, false);
    assert_eq!(seen.ends, [StreamOutcome::Complete]);
    assert_eq!(client, chunks.concat());
    assert!(!errored);
    // Cut before the marker's end: the client gets an error event after the upstream's bytes.
    let cut: Vec<Vec<u8>> = chunks[0].chunks(5).map(<[u8]>::to_vec).collect();
    let (client, _, seen) = observe(&cut, true, false);
    assert_eq!(seen.ends, [StreamOutcome::Truncated]);
    assert!(client.ends_with(b"\n\n") && client.windows(8).any(|w| w == b"\"error\":"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn policy_loader_never_panics(text in any::<String>()) {
        check_policy(&text);
    }

    #[test]
    fn damaged_real_policies_never_panic(at in any::<prop::sample::Index>(), cut in any::<bool>(), noise in "[\\[\\]=\"a-z0-9., \\n]{0,8}") {
        for text in policy_files() {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let damaged = if cut {
                format!("{}{noise}", &text[..i])
            } else {
                format!("{}{noise}{}", &text[..i], &text[i..])
            };
            check_policy(&damaged);
        }
    }

    #[test]
    fn valuebench_readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_cases(&String::from_utf8_lossy(&bytes), Path::new("x"));
        let _ = parse_decision_file(&bytes, Path::new("x"));
    }

    #[test]
    fn valuebench_readers_never_panic_on_schema_words(pieces in proptest::collection::vec(VALUEBENCH_PIECES, 0..60)) {
        let text = pieces.concat();
        if let Ok(cases) = parse_cases(&text, Path::new("x")) {
            for c in cases {
                prop_assert!(c.case().deltas().iter().all(|d| (-2..=2).contains(d)));
            }
        }
        let _ = parse_decision_file(text.as_bytes(), Path::new("x"));
    }

    #[test]
    fn replay_reply_never_panics(body in proptest::collection::vec(any::<u8>(), 0..256), stream in any::<bool>()) {
        let upstream = ReplayUpstream::from_store(Arc::new(ReplayStore::default()));
        let request = ForwardRequest {
            method: http::Method::POST,
            path: "/chat/completions".into(),
            headers: http::HeaderMap::new(),
            body: Bytes::from(body),
            stream,
        };
        let status = upstream.reply(&request).status().as_u16();
        prop_assert!(matches!(status, 200 | 400 | 404));
    }

    #[test]
    fn replay_reply_answers_any_chat_body(content in any::<String>(), model in "[a-z/.-]{0,12}", stream in any::<bool>()) {
        let upstream = ReplayUpstream::from_store(Arc::new(ReplayStore::default()));
        let body = serde_json::json!({"model": model, "messages": [{"role": "user", "content": content}]});
        let request = ForwardRequest {
            method: http::Method::POST,
            path: "/chat/completions".into(),
            headers: http::HeaderMap::new(),
            body: Bytes::from(body.to_string()),
            stream,
        };
        // An empty store knows no prompt: a short "no match" answer, never an error.
        prop_assert_eq!(upstream.reply(&request).status().as_u16(), 200);
    }

    #[test]
    fn sse_observation_never_panics_and_flags_truncation(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..24), 0..6),
        done in any::<bool>(),
        sse in any::<bool>(),
        fails in any::<bool>(),
    ) {
        let mut chunks = chunks;
        if done {
            chunks.push(b"data: [DONE]\n\n".to_vec());
        }
        let sent = chunks.concat();
        let (client, errored, seen) = observe(&chunks, sse, fails);
        prop_assert_eq!(&seen.bytes, &sent);
        prop_assert_eq!(seen.ends.len(), 1);
        let complete = !fails && (!sse || sent.trim_ascii_end().ends_with(b"[DONE]"));
        prop_assert_eq!(seen.ends[0] == StreamOutcome::Complete, complete);
        prop_assert!(client.starts_with(&sent));
        prop_assert_eq!(errored, fails && !sse);
    }

    #[test]
    fn reference_loader_never_panics(pieces in proptest::collection::vec(REFERENCE_PIECES, 0..80)) {
        let text = pieces.concat();
        if let Ok(r) = Reference::from_attribute_json(&text, "x") {
            prop_assert!((0..4).all(|i| r.physician_min[i] <= r.physician_max[i]));
        }
    }

    #[test]
    fn sim_reply_never_panics(body in proptest::collection::vec(any::<u8>(), 0..256), stream in any::<bool>()) {
        let request = ForwardRequest {
            method: http::Method::POST,
            path: "/chat/completions".into(),
            headers: http::HeaderMap::new(),
            body: Bytes::from(body),
            stream,
        };
        let status = sim_upstream().reply(&request).status().as_u16();
        prop_assert!(matches!(status, 200 | 400 | 404));
    }

    #[test]
    fn sim_reply_answers_any_chat_body_for_its_agent(system in any::<String>(), user in any::<String>(), stream in any::<bool>()) {
        let body = serde_json::json!({"model": "sim/a", "messages": [
            {"role": "system", "content": system}, {"role": "user", "content": user}]});
        let request = ForwardRequest {
            method: http::Method::POST,
            path: "/chat/completions".into(),
            headers: http::HeaderMap::new(),
            body: Bytes::from(body.to_string()),
            stream,
        };
        prop_assert_eq!(sim_upstream().reply(&request).status().as_u16(), 200);
    }
}
