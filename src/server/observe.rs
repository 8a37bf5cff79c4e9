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
    /// The client left before the end; the observer was still fed the rest of the upstream's
    /// answer (see [`ObservedBody`]'s drop), so `outcome` tells how the upstream ended.
    pub client_left: bool,
}

/// Sees a response as it streams, without holding it up. Must be cheap per call: it runs on
/// the response path. Heavy work belongs after `on_end` (e.g. hand off to a queue).
pub trait ResponseObserver: Send + 'static {
    /// Called with every data frame, in order, as it is forwarded.
    fn on_data(&mut self, chunk: &Bytes);
    /// Called exactly once when the response ends, however it ends.
    fn on_end(&mut self, summary: &ResponseSummary);
    /// True when this observer may hold the end of the response ([`Self::hold_end`]); the
    /// body then reports no exact length, so the client cannot see the end before it comes.
    fn holds_end(&self) -> bool {
        false
    }
    /// Called right after `on_end` when the whole body was sent: the end of the response
    /// (chunk terminator, HTTP/2 end of stream) waits for the returned future. Data frames are
    /// never held. Used to make a record durable before the client sees the response complete.
    fn hold_end(&mut self) -> Option<HoldEnd> {
        None
    }
}

/// A future the end of a response waits for.
pub type HoldEnd = Pin<Box<dyn Future<Output = ()> + Send>>;

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
    /// The end of the body waits for this (see [`ResponseObserver::hold_end`]).
    hold: Option<HoldEnd>,
    in_flight: Option<InFlightGuard>,
    first_byte: Option<Duration>,
    bytes: u64,
    tail: Vec<u8>,
    /// The stream's bytes after `tail` so far are whitespace.
    whitespace_pending: bool,
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
            hold: None,
            in_flight: Some(in_flight),
            first_byte: None,
            bytes: 0,
            tail: Vec::with_capacity(TAIL_BYTES * 2),
            whitespace_pending: false,
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
            self.keep_tail(data);
        }
    }

    /// Keeps the last bytes of the stream with its trailing whitespace left out, so that any
    /// amount of whitespace after `[DONE]` still leaves the terminator in view. Whitespace
    /// between two chunks' contents is kept as one space, so the tail never joins text the
    /// stream kept apart.
    fn keep_tail(&mut self, data: &[u8]) {
        let content = data.trim_ascii_end();
        if content.is_empty() {
            self.whitespace_pending |= !data.is_empty();
            return;
        }
        if std::mem::take(&mut self.whitespace_pending) {
            self.tail.push(b' ');
        }
        let keep = content.len().min(TAIL_BYTES);
        self.tail
            .extend_from_slice(&content[content.len() - keep..]);
        if self.tail.len() > TAIL_BYTES {
            self.tail.drain(..self.tail.len() - TAIL_BYTES);
        }
        self.whitespace_pending = content.len() < data.len();
    }

    fn saw_done(&self) -> bool {
        self.tail.ends_with(b"[DONE]")
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
            client_left: false,
        };
        if let Some(observer) = self.observer.as_mut() {
            observer.on_end(&summary);
        }
        // Probes and scrapes (local 200s) would drown the access log; keep them at debug.
        let level_info = record.upstream.is_some() || record.status >= 400;
        if !level_info {
            tracing::debug!(request_id = %record.request_id, status = record.status, "local response");
            return;
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
        if let Some(hold) = this.hold.as_mut() {
            if hold.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.hold = None;
            return Poll::Ready(None);
        }
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
                this.hold = this.observer.as_mut().and_then(|o| o.hold_end());
                if this.hold.is_some() {
                    return Pin::new(this).poll_frame(cx);
                }
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
        self.hold.is_none()
            && (self.done || (self.upstream.is_none() && self.inner.is_end_stream()))
    }

    fn size_hint(&self) -> SizeHint {
        let holds = self.observer.as_ref().is_some_and(|o| o.holds_end());
        if holds || self.upstream.as_ref().is_some_and(|u| u.sse) {
            SizeHint::default()
        } else {
            self.inner.size_hint()
        }
    }
}

impl Drop for ObservedBody {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // A body hyper never had to poll (e.g. empty) ended normally; otherwise the client left.
        if self.inner.is_end_stream() {
            self.finish(StreamOutcome::Complete);
            return;
        }
        // The client left mid-answer. An answer that reached a provider still runs to completion
        // for the observer (so its decision is logged), in a detached task bounded by the idle
        // timeout; without an observer there is nobody to feed, so the upstream is dropped.
        let observer = self.observer.take();
        self.finish(StreamOutcome::ClientGone);
        if let (Some(observer), Some(upstream), Ok(runtime)) = (
            observer,
            self.upstream.as_ref(),
            tokio::runtime::Handle::try_current(),
        ) {
            let inner = std::mem::replace(&mut self.inner, crate::body::empty());
            let drained = drain_for_observer(
                inner,
                observer,
                upstream.idle_timeout,
                self.record.status,
                self.record.started,
                self.first_byte,
                self.bytes,
            );
            runtime.spawn(drained);
        }
    }
}

/// Feed the rest of an upstream body to the observer after the client left.
async fn drain_for_observer(
    mut inner: ProxyBody,
    mut observer: Box<dyn ResponseObserver>,
    idle_timeout: Duration,
    status: u16,
    started: Instant,
    first_byte: Option<Duration>,
    mut bytes: u64,
) {
    use http_body_util::BodyExt;
    let outcome = loop {
        match tokio::time::timeout(idle_timeout, inner.frame()).await {
            Err(_) => break StreamOutcome::IdleTimeout,
            Ok(None) => break StreamOutcome::Complete,
            Ok(Some(Err(_))) => break StreamOutcome::UpstreamError,
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    bytes += data.len() as u64;
                    observer.on_data(data);
                }
            }
        }
    };
    observer.on_end(&ResponseSummary {
        outcome,
        status,
        bytes,
        time_to_first_byte: first_byte,
        duration: started.elapsed(),
        client_left: true,
    });
}

#[cfg(test)]
#[path = "observe_tests.rs"]
mod tests;
