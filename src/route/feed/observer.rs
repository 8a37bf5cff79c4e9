//! Collects a dilemma's answer as it streams to the client (each frame kept by reference, no
//! copy; bounded) and, when it is complete, hands it to the feed, which reads it off the
//! response path. The client's bytes are never held; under
//! `fsync = "per_event"` only the end of the response waits for the event to be durable.

use super::{answer, DilemmaContext, Feed};
use crate::server::observe::{ResponseObserver, ResponseSummary, StreamOutcome};
use bytes::Bytes;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::oneshot;

/// Answers longer than this are not parsed (their decision is not logged); bounds memory per
/// stream.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// Longest the end of a response waits for its event to be durable; past it the client gets
/// its end anyway and a warning is logged (a stuck disk must not stop the service).
pub const MAX_HOLD: Duration = Duration::from_secs(5);

pub(super) struct FeedObserver {
    feed: Feed,
    ctx: Option<DilemmaContext>,
    /// The frames seen so far (shared with the client's, not copied).
    body: Vec<Bytes>,
    body_len: usize,
    too_long: bool,
    durable: bool,
    pending: Option<oneshot::Receiver<()>>,
}

impl FeedObserver {
    pub(super) fn boxed(feed: Feed, ctx: DilemmaContext) -> Box<dyn ResponseObserver> {
        let durable = feed.monitor.wants_durable_events();
        Box::new(FeedObserver {
            feed,
            ctx: Some(ctx),
            body: Vec::new(),
            body_len: 0,
            too_long: false,
            durable,
            pending: None,
        })
    }
}

impl ResponseObserver for FeedObserver {
    fn on_data(&mut self, chunk: &Bytes) {
        if self.too_long {
            return;
        }
        if self.body_len + chunk.len() > MAX_ANSWER_BYTES {
            self.too_long = true;
            self.body = Vec::new();
            return;
        }
        self.body_len += chunk.len();
        self.body.push(chunk.clone());
    }

    fn on_end(&mut self, summary: &ResponseSummary) {
        let Some(ctx) = self.ctx.take() else { return };
        if summary.status != 200 || summary.outcome != StreamOutcome::Complete || self.too_long {
            tracing::debug!(
                request_id = %ctx.request_id,
                status = summary.status,
                outcome = summary.outcome.label(),
                too_long = self.too_long,
                "dilemma answer incomplete: no decision logged"
            );
            return;
        }
        let body = std::mem::take(&mut self.body);
        if !self.durable || summary.client_left {
            let stream = ctx.stream;
            self.feed.emit_body(ctx, body, stream);
            return;
        }
        let Some(answer) = answer::read(&super::concat(body), ctx.stream) else {
            tracing::debug!(request_id = %ctx.request_id, "dilemma answer unreadable: no decision logged");
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (done, pending) = oneshot::channel();
        let feed = self.feed.clone();
        // The record runs in its own task: if the client goes away while the end is held, the
        // event is still written.
        runtime.spawn(async move {
            feed.record_durable(ctx, answer).await;
            let _ = done.send(());
        });
        self.pending = Some(pending);
    }

    fn holds_end(&self) -> bool {
        self.durable
    }

    fn hold_end(&mut self) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        let pending = self.pending.take()?;
        Some(Box::pin(async move {
            if tokio::time::timeout(MAX_HOLD, pending).await.is_err() {
                tracing::warn!(
                    "decision log slower than {} ms: response ended before its event was durable",
                    MAX_HOLD.as_millis()
                );
            }
        }))
    }
}
