//! Streaming: chunks are forwarded as they arrive (never buffered), `[DONE]` and the usage chunk
//! are kept, and a stream the upstream cuts or stalls ends with an SSE error event.

mod common;
use common::*;
use std::time::Duration;

fn chunk(content: &str) -> String {
    event(&format!(
        r#"{{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m1","choices":[{{"index":0,"delta":{{"content":"{content}"}},"finish_reason":null}}]}}"#
    ))
}

const ROLE_CHUNK: &str = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#;
const USAGE_CHUNK: &str = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#;

const STREAM_REQUEST: &str = r#"{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#;

#[tokio::test]
async fn first_chunk_arrives_before_a_slow_upstream_finishes() {
    let upstream = mock(|_, _| Reply::Sse {
        events: vec![
            (Duration::ZERO, event(ROLE_CHUNK)),
            (Duration::from_millis(10), chunk("Hel")),
            (Duration::from_millis(600), chunk("lo")),
            (Duration::ZERO, event(USAGE_CHUNK)),
            (Duration::ZERO, DONE.to_string()),
        ],
        cut: false,
    })
    .await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let got = post(proxy.local_addr(), "/v1/chat/completions", STREAM_REQUEST).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("text/event-stream"));
    let finished = upstream
        .stream_finished
        .lock()
        .unwrap()
        .expect("upstream finished");
    let first = got.chunks.first().expect("at least one chunk").0;
    assert!(
        finished.duration_since(first) >= Duration::from_millis(400),
        "first chunk reached the client only {:?} before the upstream finished",
        finished.duration_since(first)
    );
    let expected = [
        event(ROLE_CHUNK),
        chunk("Hel"),
        chunk("lo"),
        event(USAGE_CHUNK),
        DONE.to_string(),
    ]
    .concat();
    assert_eq!(got.text(), expected, "stream changed in transit");
    // the client's stream_options reached the upstream untouched
    assert_eq!(upstream.last().body, STREAM_REQUEST.as_bytes());
    assert!(got.error.is_none());
}

#[tokio::test]
async fn stream_cut_by_upstream_ends_with_an_error_event_not_done() {
    let upstream = mock(|_, _| Reply::Sse {
        events: vec![
            (Duration::ZERO, event(ROLE_CHUNK)),
            (Duration::ZERO, chunk("Hel")),
        ],
        cut: true,
    })
    .await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let got = post(proxy.local_addr(), "/v1/chat/completions", STREAM_REQUEST).await;
    assert_eq!(got.status, 200);
    let text = got.text();
    assert!(text.starts_with(&event(ROLE_CHUNK)), "{text}");
    assert!(!text.contains("[DONE]"), "{text}");
    let last = text.trim_end().rsplit("\n\n").next().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(last.strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(json["error"]["code"], "upstream_interrupted");
    assert_eq!(upstream.calls(), 1, "a started stream is never retried");
    let metrics = send(proxy.local_addr(), "GET", "/metrics", &[], "")
        .await
        .text();
    assert!(
        metrics.contains(r#"pluralis_upstream_errors_total{kind="upstream_error",upstream="u"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn stream_ending_without_done_is_reported_as_truncated() {
    let upstream = mock(|_, _| Reply::Sse {
        events: vec![(Duration::ZERO, chunk("Hel"))],
        cut: false,
    })
    .await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let got = post(proxy.local_addr(), "/v1/chat/completions", STREAM_REQUEST).await;
    let text = got.text();
    assert!(text.starts_with(&chunk("Hel")));
    assert!(text.contains(r#""code":"upstream_interrupted""#), "{text}");
}

#[tokio::test]
async fn stalled_stream_times_out_with_an_error_event() {
    let upstream = mock(|_, _| Reply::Sse {
        events: vec![
            (Duration::ZERO, chunk("Hel")),
            (Duration::from_secs(5), DONE.to_string()),
        ],
        cut: false,
    })
    .await;
    let proxy = proxy(policy(
        &[("u", &upstream.base_url(), &["m1"], "timeout_ms = 300")],
        "",
    ))
    .await;
    let started = std::time::Instant::now();
    let got = post(proxy.local_addr(), "/v1/chat/completions", STREAM_REQUEST).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let text = got.text();
    assert!(text.contains(r#""code":"upstream_timeout""#), "{text}");
    assert!(!text.contains("[DONE]"));
}
