//! Overton mode: one dilemma, k members consulted concurrently under a deadline, one answer.
//!
//! The fan-out is an in-process [`Upstream`] built per request ([`fan_out_handle`]), so the
//! server's ordinary path (dispatch, response headers, observed body, streaming) serves it
//! unchanged. Each member goes through the normal [`dispatch`] (its own retries, fallbacks and
//! breaker) with a non-streamed request; whatever has not answered by the deadline is listed as
//! unavailable. The gathering runs in its own task, so members already asked finish (and their
//! upstream calls are not cut) even if the client leaves. The answer is synthesised as a
//! `chat.completion` or, when the client asked for a stream, as valid SSE chunks.

use super::overton_answer::{answer_from_completion, compose, MemberOutcome, Unavailable};
use super::sticky::{unit_from_key, WeightedMembers};
use crate::body::ProxyBody;
use crate::config::UpstreamConfig;
use crate::metrics::Metrics;
use crate::upstream::dispatch::Settled;
use crate::upstream::synth::{unix_now, SynthAnswer};
use crate::upstream::{dispatch, ForwardRequest, Upstream, UpstreamError, UpstreamHandle};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Response header: consulted members that gave no answer (timed out or failed), comma-separated.
pub const UNAVAILABLE_HEADER: HeaderName = HeaderName::from_static("x-pluralis-unavailable");
/// Name of the in-process upstream in metrics and `x-pluralis-upstream`.
pub const FAN_OUT_UPSTREAM: &str = "overton";
/// Largest member answer read, in bytes (a chat completion is far smaller).
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// Time allowed past the deadline to write the answer before dispatch gives up on the fan-out.
const COMPOSE_GRACE_MS: u64 = 2_000;
/// Mixed into the seed so the consulted set is independent of other draws on the same key.
const OVERTON_SALT: u64 = 0x6f76_6572_746f_6e00; // "overton\0"

/// Up to `k` distinct members (indices into `names`), drawn by weight without replacement,
/// reproducibly from (conversation key, seed). Zero-weight and excluded members are never
/// consulted.
pub fn pick_members(
    names: &[String],
    weights: &[f64],
    k: usize,
    conversation: &[u8],
    seed: u64,
    excluded: impl Fn(&str) -> bool,
) -> Vec<usize> {
    let mut remaining: Vec<(usize, f64)> = names
        .iter()
        .zip(weights)
        .enumerate()
        .filter(|(_, (name, w))| **w > 0.0 && !excluded(name))
        .map(|(i, (_, w))| (i, *w))
        .collect();
    let mut picked = Vec::new();
    for round in 0..k as u64 {
        let Ok(table) = WeightedMembers::new(remaining.iter().map(|(i, w)| (i.to_string(), *w)))
        else {
            break;
        };
        let u = unit_from_key(conversation, seed ^ OVERTON_SALT ^ round);
        let at = table.pick(u);
        picked.push(remaining.remove(at).0);
    }
    picked
}

/// One member to consult: its policy name, the upstreams serving its model, and its body.
pub struct Consulted {
    pub member: String,
    pub candidates: Vec<Arc<UpstreamHandle>>,
    pub body: Bytes,
}

/// Everything one fan-out needs.
pub struct FanOut {
    pub members: Vec<Consulted>,
    pub deadline: Duration,
    /// The two options the request states, when it states them.
    pub options: Option<(String, String)>,
    /// The model name the client asked for (the ensemble), reported in the answer.
    pub model: String,
    pub metrics: Arc<Metrics>,
    /// The monitor feed and the dilemma's context, when the policy runs a monitor.
    pub feed: Option<(super::feed::Feed, super::feed::DilemmaContext)>,
}

/// The per-request upstream handle that runs `fan_out` when dispatched.
pub fn fan_out_handle(fan_out: FanOut) -> Result<Arc<UpstreamHandle>, String> {
    let timeout_ms = u64::try_from(fan_out.deadline.as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(COMPOSE_GRACE_MS);
    // Built through serde so fields added to the upstream table later keep their defaults.
    let config: UpstreamConfig = serde_json::from_value(serde_json::json!({
        "name": FAN_OUT_UPSTREAM,
        "kind": "openai",
        "models": [fan_out.model],
        "timeout_ms": timeout_ms,
        "retries": 0,
        "breaker_failures": 0,
    }))
    .map_err(|e| e.to_string())?;
    let client = Arc::new(FanOutUpstream(Arc::new(fan_out)));
    Ok(Arc::new(UpstreamHandle::with_client(config, client)))
}

struct FanOutUpstream(Arc<FanOut>);

impl Upstream for FanOutUpstream {
    fn send(
        &self,
        request: ForwardRequest,
    ) -> BoxFuture<'static, Result<Response<ProxyBody>, UpstreamError>> {
        let fan_out = Arc::clone(&self.0);
        let task = tokio::spawn(async move { gather_and_answer(&fan_out, &request).await });
        Box::pin(async move {
            task.await
                .map_err(|e| UpstreamError::Transport(format!("overton fan-out task: {e}")))
        })
    }
}

async fn gather_and_answer(fan_out: &FanOut, request: &ForwardRequest) -> Response<ProxyBody> {
    let deadline = Instant::now() + fan_out.deadline;
    let asks = fan_out
        .members
        .iter()
        .map(|m| ask(m, request, deadline, &fan_out.metrics));
    let outcomes: Vec<MemberOutcome> = futures_util::future::join_all(asks).await;
    if let Some((feed, ctx)) = &fan_out.feed {
        feed_decisions(feed, ctx, &outcomes).await;
    }
    let deadline_ms = u64::try_from(fan_out.deadline.as_millis()).unwrap_or(u64::MAX);
    if outcomes.iter().all(|o| o.result.is_err()) {
        let all_late = outcomes
            .iter()
            .all(|o| o.result == Err(Unavailable::TimedOut));
        let status = if all_late {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        return error_response(status, &outcomes);
    }
    let options = fan_out
        .options
        .as_ref()
        .map(|(a, b)| (a.as_str(), b.as_str()));
    let reply = compose(options, &outcomes, deadline_ms);
    let request_id = request
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0");
    let answer = SynthAnswer {
        id: format!("chatcmpl-overton-{request_id}"),
        model: fan_out.model.clone(),
        created: unix_now(),
        content: reply.content,
        finish_reason: "stop".into(),
        usage: reply.usage,
        provenance: Some(("pluralis_overton".into(), reply.record)),
    };
    let mut response = crate::upstream::replay::respond(&answer, request.stream);
    if !reply.unavailable.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&reply.unavailable.join(",")) {
            response.headers_mut().insert(UNAVAILABLE_HEADER, v);
        }
    }
    response
}

/// Each member's answer is one decision for the monitor; durable before the composed answer
/// is sent when the log's fsync policy asks for it, else recorded in the background.
async fn feed_decisions(
    feed: &super::feed::Feed,
    ctx: &super::feed::DilemmaContext,
    outcomes: &[MemberOutcome],
) {
    let answered = outcomes.iter().filter_map(|o| {
        let answer = o.result.as_ref().ok()?;
        let ctx = super::feed::DilemmaContext {
            member: o.member.clone(),
            ..ctx.clone()
        };
        let text = super::feed::AnswerText {
            content: answer.content.clone(),
            reasoning: answer.reasoning.clone(),
        };
        Some((ctx, text))
    });
    if feed.monitor.wants_durable_events() {
        let records = answered.map(|(ctx, text)| feed.record_durable(ctx, text));
        futures_util::future::join_all(records).await;
    } else {
        answered.for_each(|(ctx, text)| feed.emit(ctx, text));
    }
}

/// Ask one member, non-streamed, and read its answer, all before `deadline`.
async fn ask(
    member: &Consulted,
    request: &ForwardRequest,
    deadline: Instant,
    metrics: &Metrics,
) -> MemberOutcome {
    let forward = ForwardRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        headers: request.headers.clone(),
        body: member.body.clone(),
        stream: false,
    };
    let attempt = async {
        let dispatched = dispatch(&member.candidates, &forward, metrics)
            .await
            .map_err(|_| Unavailable::Failed)?;
        if !dispatched.response.status().is_success() {
            return Err(Unavailable::Failed);
        }
        let body = read_limited(dispatched.response.into_body()).await?;
        answer_from_completion(&body).ok_or(Unavailable::Failed)
    };
    let result = match tokio::time::timeout_at(deadline, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Unavailable::TimedOut),
    };
    if let Err(why) = result {
        tracing::warn!(member = %member.member, outcome = why.as_str(), "overton member unavailable");
    }
    MemberOutcome {
        member: member.member.clone(),
        result,
    }
}

/// The whole body, or Failed when it errors or passes [`MAX_ANSWER_BYTES`].
async fn read_limited(mut body: ProxyBody) -> Result<Vec<u8>, Unavailable> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Unavailable::Failed)?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > MAX_ANSWER_BYTES {
                return Err(Unavailable::Failed);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// The OpenAI-shaped error when no consulted member answered, naming each and why; marked
/// [`Settled`] so dispatch hands it to the client unchanged (with the route headers).
fn error_response(status: StatusCode, outcomes: &[MemberOutcome]) -> Response<ProxyBody> {
    let named: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let why = o.result.as_ref().err().map_or("answered", |u| u.as_str());
            format!("{} ({why})", o.member)
        })
        .collect();
    let body = serde_json::json!({"error": {
        "message": format!("no consulted member answered: {}", named.join(", ")),
        "type": "upstream_error", "param": null, "code": "no_member_answered"}});
    let mut response = Response::new(crate::body::full(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let members: Vec<&str> = outcomes.iter().map(|o| o.member.as_str()).collect();
    if let Ok(v) = HeaderValue::from_str(&members.join(",")) {
        response.headers_mut().insert(UNAVAILABLE_HEADER, v);
    }
    response.extensions_mut().insert(Settled);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("m{i}")).collect()
    }

    #[test]
    fn picks_k_distinct_members_reproducibly() {
        let n = names(5);
        let w = [1.0, 1.0, 0.0, 2.0, 1.0];
        for i in 0..200 {
            let key = format!("p{i}");
            let picked = pick_members(&n, &w, 3, key.as_bytes(), 0, |_| false);
            assert_eq!(picked.len(), 3);
            assert!(!picked.contains(&2), "zero weight never consulted");
            let mut dedup = picked.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(dedup.len(), 3);
            assert_eq!(
                picked,
                pick_members(&n, &w, 3, key.as_bytes(), 0, |_| false)
            );
        }
        let all = pick_members(&n, &w, 9, b"k", 0, |m| m == "m0");
        assert_eq!(all.len(), 3, "k above the eligible count consults them all");
        assert!(!all.contains(&0));
        assert!(pick_members(&n, &w, 3, b"k", 0, |_| true).is_empty());
    }

    #[test]
    fn heavier_members_are_consulted_more_often() {
        let n = names(3);
        let w = [1.0, 1.0, 8.0];
        let mut heavy = 0;
        for i in 0..1000 {
            let key = format!("p{i}");
            if pick_members(&n, &w, 1, key.as_bytes(), 1, |_| false) == [2] {
                heavy += 1;
            }
        }
        assert!((730..870).contains(&heavy), "{heavy} of 1000 at weight 0.8");
    }
}
