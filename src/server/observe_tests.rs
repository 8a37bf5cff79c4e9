//! Tests of the response body wrapper.
use super::*;
use http_body_util::{BodyExt, StreamBody};
use std::sync::Mutex;

#[derive(Default)]
struct Seen {
    chunks: Vec<Bytes>,
    ends: Vec<StreamOutcome>,
    client_left: Vec<bool>,
}

struct Recorder(Arc<Mutex<Seen>>);

impl ResponseObserver for Recorder {
    fn on_data(&mut self, chunk: &Bytes) {
        self.0.lock().unwrap().chunks.push(chunk.clone());
    }
    fn on_end(&mut self, summary: &ResponseSummary) {
        let mut seen = self.0.lock().unwrap();
        seen.ends.push(summary.outcome);
        seen.client_left.push(summary.client_left);
    }
}

fn body_of(frames: Vec<Result<&'static str, &'static str>>) -> ProxyBody {
    let frames = frames.into_iter().map(|f| match f {
        Ok(text) => Ok(Frame::data(Bytes::from(text))),
        Err(e) => Err(BoxError::from(e)),
    });
    StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync()
}

fn observed(inner: ProxyBody, sse: bool, seen: &Arc<Mutex<Seen>>) -> ObservedBody {
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
    let observer: Box<dyn ResponseObserver> = Box::new(Recorder(Arc::clone(seen)));
    ObservedBody::new(
        inner,
        record,
        Some(policy),
        Some(observer),
        InFlightGuard::new(metrics),
    )
}

#[tokio::test]
async fn observer_sees_every_chunk_and_one_end() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let body = observed(
        body_of(vec![Ok("data: a\n\n"), Ok("data: [DO"), Ok("NE]\n\n")]),
        true,
        &seen,
    );
    let out = body.collect().await.unwrap().to_bytes();
    assert_eq!(
        out, "data: a\n\ndata: [DONE]\n\n",
        "a [DONE] split across chunks is seen"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.chunks.len(), 3);
    assert_eq!(seen.ends, vec![StreamOutcome::Complete]);
}

/// Found by the `sse_observe` fuzz target: a terminator followed by more whitespace than the
/// kept tail used to be missed.
#[tokio::test]
async fn done_is_seen_behind_any_amount_of_whitespace_but_not_across_a_gap() {
    let ends = |chunks: Vec<&'static str>| async move {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let chunks = chunks.into_iter().map(Ok).collect();
        let _ = observed(body_of(chunks), true, &seen).collect().await;
        let ends = seen.lock().unwrap().ends.clone();
        ends
    };
    let padding: &'static str = Box::leak(" \r\n".repeat(40).into_boxed_str());
    let one_chunk: &'static str = Box::leak(format!("data: [DONE]{padding}").into_boxed_str());
    assert_eq!(
        ends(vec!["data: a\n\n", one_chunk]).await,
        [StreamOutcome::Complete]
    );
    assert_eq!(
        ends(vec!["data: [DONE]\n", padding, padding, "\n"]).await,
        [StreamOutcome::Complete]
    );
    let split = ends(vec!["data: [DO", "\n\n", "NE]\n\n"]).await;
    assert_eq!(split.len(), 1);
    assert_ne!(
        split[0],
        StreamOutcome::Complete,
        "whitespace between halves is not [DONE]"
    );
}

#[tokio::test]
async fn sse_error_becomes_an_error_event_and_json_error_stays_an_error() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let body = observed(body_of(vec![Ok("data: a\n\n"), Err("boom")]), true, &seen);
    let out = body.collect().await.unwrap().to_bytes();
    let text = String::from_utf8(out.to_vec()).unwrap();
    assert!(text.starts_with("data: a\n\ndata: {\"error\""), "{text}");
    assert_eq!(
        seen.lock().unwrap().ends,
        vec![StreamOutcome::UpstreamError]
    );

    let seen = Arc::new(Mutex::new(Seen::default()));
    let body = observed(body_of(vec![Ok("{\"a\":"), Err("boom")]), false, &seen);
    assert!(body.collect().await.is_err());
    assert_eq!(
        seen.lock().unwrap().ends,
        vec![StreamOutcome::UpstreamError]
    );
}

#[tokio::test]
async fn client_leaving_releases_in_flight_and_observer_still_gets_the_whole_answer() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut body = observed(
        body_of(vec![
            Ok("data: a\n\n"),
            Ok("data: b\n\n"),
            Ok("data: [DONE]\n\n"),
        ]),
        true,
        &seen,
    );
    let first = body.frame().await.unwrap().unwrap();
    assert_eq!(first.into_data().unwrap(), "data: a\n\n");
    let metrics = Arc::clone(&body.record.metrics);
    assert_eq!(metrics.in_flight_requests.get(), 1);
    drop(body);
    assert_eq!(metrics.in_flight_requests.get(), 0);
    for _ in 0..100 {
        if !seen.lock().unwrap().ends.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.chunks.len(),
        3,
        "the rest of the answer was drained for the observer"
    );
    assert_eq!(seen.ends, vec![StreamOutcome::Complete]);
    assert_eq!(seen.client_left, vec![true]);
}

/// Holds the end of the response until `release` fires.
struct Holder(Option<tokio::sync::oneshot::Receiver<()>>);

impl ResponseObserver for Holder {
    fn on_data(&mut self, _: &Bytes) {}
    fn on_end(&mut self, _: &ResponseSummary) {}
    fn holds_end(&self) -> bool {
        true
    }
    fn hold_end(&mut self) -> Option<HoldEnd> {
        let rx = self.0.take()?;
        Some(Box::pin(async move {
            let _ = rx.await;
        }))
    }
}

#[tokio::test]
async fn a_held_end_waits_for_the_observer_and_hides_the_length() {
    use http_body_util::Full;
    let (release, rx) = tokio::sync::oneshot::channel();
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
        sse: false,
    };
    let inner = Full::new(Bytes::from_static(b"{\"a\":1}"))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut body = ObservedBody::new(
        inner,
        record,
        Some(policy),
        Some(Box::new(Holder(Some(rx)))),
        InFlightGuard::new(metrics),
    );
    // No exact length: the client must wait for the end, which the observer holds.
    assert_eq!(body.size_hint().exact(), None);
    let data = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(data, "{\"a\":1}");
    let held = tokio::time::timeout(Duration::from_millis(50), body.frame()).await;
    assert!(held.is_err(), "the end waits for the observer");
    assert!(!body.is_end_stream());
    release.send(()).unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), body.frame()).await;
    assert!(end.unwrap().is_none());
    assert!(body.is_end_stream());
}
