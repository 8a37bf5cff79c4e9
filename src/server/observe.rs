//! The response body wrapper every response goes through. It forwards each frame unchanged and
//! as soon as it arrives (never buffers), and on the side:
//! - records time to first byte, duration, bytes and the final `requests_total` count;
//! - feeds an optional [`ResponseObserver`] every data frame and, once, the end;
//! - enforces the idle timeout between upstream chunks;
//! - for SSE responses, turns an upstream failure mid-stream (error, idle timeout, or a clean
//!   end without `data: [DONE]`) into a final `data: {"error": ...}` event, so the client sees a
//!   failure instead of a truncated answer that looks complete.

use crate::body::{BoxError, ProxyBody};
use crate::error::ProxyError;
use crate::metrics::Metrics;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::time::Sleep;

/// How a response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamOutcome {
    /// The whole body was sent.
    Complete,
    /// The upstream body failed mid-way.
    UpstreamError,
    /// No upstream chunk within the upstream's `timeout_ms`.
    IdleTimeout,
    /// An SSE stream ended without `data: [DONE]`.
    Truncated,
    /// The client went away before the end.
    ClientGone,
}

impl StreamOutcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::UpstreamError => "upstream_error",
            Self::IdleTimeout => "idle_timeout",
            Self::Truncated => "truncated",
            Self::ClientGone => "client_gone",
        }
    }
}

/// A summary of a finished response, given to observers.
#[derive(Debug, Clone)]
pub struct ResponseSummary {
    pub outcome: StreamOutcome,
    pub status: u16,
    pub bytes: u64,
    pub time_to_first_byte: Option<Duration>,
    pub duration: Duration,
}

/// Sees a response as it streams, without holding it up. Must be cheap per call: it runs on
/// the response path. Heavy work belongs after `on_end` (e.g. hand off to a queue).
pub trait ResponseObserver: Send + 'static {
    /// Called with every data frame, in order, as it is forwarded.
    fn on_data(&mut self, chunk: &Bytes);
    /// Called exactly once when the response ends, however it ends.
    fn on_end(&mut self, summary: &ResponseSummary);
}

/// What to record when the response ends.
pub struct ResponseRecord {
    pub metrics: Arc<Metrics>,
    /// Bounded label: a model of the policy, or `"unknown"`/`"none"`.
    pub model_label: String,
    pub status: u16,
    pub started: Instant,
    pub request_id: String,
    pub upstream: Option<String>,
}

/// Upstream-specific behaviour of the wrapper.
pub struct UpstreamBodyPolicy {
    pub upstream: String,
    pub idle_timeout: Duration,
    /// The response is `text/event-stream`.
    pub sse: bool,
}

/// Keeps `pluralis_in_flight_requests` right even when a request is dropped half-way.
pub struct InFlightGuard(Arc<Metrics>);

impl InFlightGuard {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        metrics.in_flight_requests.inc();
        Self(metrics)
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.in_flight_requests.dec();
    }
}

/// Length of the stream tail kept to check for the `[DONE]` terminator.
const TAIL_BYTES: usize = 32;

pub struct ObservedBody {
    inner: ProxyBody,
    record: ResponseRecord,
    upstream: Option<UpstreamBodyPolicy>,
    idle: Option<Pin<Box<Sleep>>>,
    observer: Option<Box<dyn ResponseObserver>>,
    in_flight: Option<InFlightGuard>,
    first_byte: Option<Duration>,
    bytes: u64,
    tail: Vec<u8>,
    done: bool,
}

impl ObservedBody {
    pub fn new(
        inner: ProxyBody,
        record: ResponseRecord,
        upstream: Option<UpstreamBodyPolicy>,
        observer: Option<Box<dyn ResponseObserver>>,
        in_flight: InFlightGuard,
    ) -> Self {
        let idle = upstream
            .as_ref()
            .map(|u| Box::pin(tokio::time::sleep(u.idle_timeout)));
        Self {
            inner,
            record,
            upstream,
            idle,
            observer,
            in_flight: Some(in_flight),
            first_byte: None,
            bytes: 0,
            tail: Vec::with_capacity(TAIL_BYTES * 2),
            done: false,
        }
    }

    fn on_data(&mut self, data: &Bytes) {
        if self.first_byte.is_none() && !data.is_empty() {
            let ttfb = self.record.started.elapsed();
            self.first_byte = Some(ttfb);
            self.record
                .metrics
                .time_to_first_byte_seconds
                .with_label_values(&[&self.record.model_label])
                .observe(ttfb.as_secs_f64());
        }
        self.bytes += data.len() as u64;
        if let Some(observer) = self.observer.as_mut() {
            observer.on_data(data);
        }
        if self.upstream.as_ref().is_some_and(|u| u.sse) {
            let keep = data.len().min(TAIL_BYTES);
            self.tail.extend_from_slice(&data[data.len() - keep..]);
            if self.tail.len() > TAIL_BYTES {
                self.tail.drain(..self.tail.len() - TAIL_BYTES);
            }
        }
    }

    fn saw_done(&self) -> bool {
        self.tail.trim_ascii_end().ends_with(b"[DONE]")
    }

    fn finish(&mut self, outcome: StreamOutcome) {
        if self.done {
            return;
        }
        self.done = true;
        let record = &self.record;
        let duration = record.started.elapsed();
        let status = record.status.to_string();
        let metrics = &record.metrics;
        metrics
            .requests_total
            .with_label_values(&[&record.model_label, &status])
            .inc();
        metrics
            .request_duration_seconds
            .with_label_values(&[&record.model_label])
            .observe(duration.as_secs_f64());
        self.in_flight.take();
        let summary = ResponseSummary {
            outcome,
            status: record.status,
            bytes: self.bytes,
            time_to_first_byte: self.first_byte,
            duration,
        };
        if let Some(observer) = self.observer.as_mut() {
            observer.on_end(&summary);
        }
        tracing::info!(
            request_id = %record.request_id,
            model = %record.model_label,
            upstream = record.upstream.as_deref().unwrap_or("-"),
            status = record.status,
            outcome = outcome.label(),
            bytes = self.bytes,
            ttfb_ms = self.first_byte.map(|d| d.as_millis() as u64),
            duration_ms = duration.as_millis() as u64,
            "response finished"
        );
    }

    /// The upstream body failed: count it, end, and tell an SSE client with an error event.
    fn fail(
        &mut self,
        outcome: StreamOutcome,
        error: Option<BoxError>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let (upstream, sse) = match &self.upstream {
            Some(u) => (u.upstream.clone(), u.sse),
            None => (String::from("-"), false),
        };
        self.record
            .metrics
            .upstream_errors_total
            .with_label_values(&[&upstream, outcome.label()])
            .inc();
        self.finish(outcome);
        if sse {
            let event = if outcome == StreamOutcome::IdleTimeout {
                ProxyError::UpstreamTimeout {
                    upstream,
                    timeout_ms: self
                        .upstream
                        .as_ref()
                        .map_or(0, |u| u.idle_timeout.as_millis() as u64),
                }
            } else {
                ProxyError::UpstreamInterrupted { upstream }
            };
            return Poll::Ready(Some(Ok(Frame::data(event.to_sse_event()))));
        }
        let error = error.unwrap_or_else(|| format!("upstream {}", outcome.label()).into());
        Poll::Ready(Some(Err(error)))
    }
}

impl Body for ObservedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.on_data(data);
                }
                if let (Some(idle), Some(upstream)) = (this.idle.as_mut(), this.upstream.as_ref()) {
                    idle.as_mut()
                        .reset(tokio::time::Instant::now() + upstream.idle_timeout);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => this.fail(StreamOutcome::UpstreamError, Some(error)),
            Poll::Ready(None) => {
                if this.upstream.as_ref().is_some_and(|u| u.sse) && !this.saw_done() {
                    return this.fail(StreamOutcome::Truncated, None);
                }
                this.finish(StreamOutcome::Complete);
                Poll::Ready(None)
            }
            Poll::Pending => {
                if let Some(idle) = this.idle.as_mut() {
                    if idle.as_mut().poll(cx).is_ready() {
                        return this.fail(StreamOutcome::IdleTimeout, None);
                    }
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || (self.upstream.is_none() && self.inner.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        if self.upstream.as_ref().is_some_and(|u| u.sse) {
            SizeHint::default()
        } else {
            self.inner.size_hint()
        }
    }
}

impl Drop for ObservedBody {
    fn drop(&mut self) {
        // A body hyper never had to poll (e.g. empty) ended normally; otherwise the client left.
        let outcome = if self.inner.is_end_stream() {
            StreamOutcome::Complete
        } else {
            StreamOutcome::ClientGone
        };
        self.finish(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Seen {
        chunks: Vec<Bytes>,
        ends: Vec<StreamOutcome>,
    }

    struct Recorder(Arc<Mutex<Seen>>);

    impl ResponseObserver for Recorder {
        fn on_data(&mut self, chunk: &Bytes) {
            self.0.lock().unwrap().chunks.push(chunk.clone());
        }
        fn on_end(&mut self, summary: &ResponseSummary) {
            self.0.lock().unwrap().ends.push(summary.outcome);
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
    async fn dropping_early_reports_client_gone_and_releases_in_flight() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let body = observed(body_of(vec![Ok("data: a\n\n")]), true, &seen);
        let metrics = Arc::clone(&body.record.metrics);
        assert_eq!(metrics.in_flight_requests.get(), 1);
        drop(body);
        assert_eq!(metrics.in_flight_requests.get(), 0);
        assert_eq!(seen.lock().unwrap().ends, vec![StreamOutcome::ClientGone]);
    }
}
