//! Send a request to the first healthy candidate upstream, with per-attempt timeouts, retries
//! with jittered backoff, the circuit breaker, and fallback to the next candidate.
//!
//! Retries and fallback only happen before a response head is handed back: once the caller has
//! a response, its body streams to the client and is never replayed (a stream that breaks later
//! ends with an error event, see `server::observe`). Upstream 4xx other than 429 are the client's
//! business and are passed through unchanged, except 401/403 (the proxy's own key was refused),
//! which become 502 so provider messages about the key never reach clients.

use super::{ForwardRequest, UpstreamHandle};
use crate::body::ProxyBody;
use crate::error::ProxyError;
use crate::metrics::Metrics;
use http::Response;
use rand::Rng;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Response extension an in-process upstream sets on an answer it already settled (Overton's
/// fan-out, whose members had their own retries and fallbacks): passed to the client as it is,
/// whatever its status, never retried, so its error body (which names the members) arrives.
#[derive(Debug, Clone, Copy)]
pub struct Settled;

/// A response head from one upstream, ready to stream to the client.
pub struct Dispatched {
    pub upstream: Arc<UpstreamHandle>,
    pub response: Response<ProxyBody>,
    /// Attempts made in total, across candidates.
    pub attempts: u32,
}

/// Backoff before retry number `retry` (1-based): half of `min(max, base * 2^(retry-1))` plus a
/// uniform jitter over the other half, so concurrent clients spread out but never retry at once.
pub fn backoff(retry: u32, base_ms: u64, max_ms: u64, rng: &mut impl Rng) -> Duration {
    let exp = base_ms.saturating_mul(1u64 << retry.saturating_sub(1).min(30));
    let cap = exp.min(max_ms);
    let half = cap / 2;
    Duration::from_millis(half + rng.gen_range(0..=cap - half))
}

/// Try `candidates` in order (primary first, then fallbacks).
pub async fn dispatch(
    candidates: &[Arc<UpstreamHandle>],
    request: &ForwardRequest,
    metrics: &Metrics,
) -> Result<Dispatched, ProxyError> {
    let mut attempts = 0;
    let mut last_error = ProxyError::Internal {
        detail: "no upstream candidates".into(),
    };
    for (index, upstream) in candidates.iter().enumerate() {
        if index > 0 {
            if let Some(previous) = candidates.get(index - 1) {
                metrics
                    .upstream_fallbacks_total
                    .with_label_values(&[previous.name()])
                    .inc();
            }
        }
        let name = upstream.name();
        let breaker_gauge = metrics.upstream_breaker_state.with_label_values(&[name]);
        if !upstream.breaker.allow(Instant::now()) {
            breaker_gauge.set(upstream.breaker.state() as i64);
            last_error = ProxyError::UpstreamUnavailable {
                upstream: name.to_string(),
            };
            continue;
        }
        breaker_gauge.set(upstream.breaker.state() as i64);
        match try_upstream(upstream, request, metrics, &mut attempts).await {
            Ok(response) => {
                upstream.breaker.on_success();
                breaker_gauge.set(upstream.breaker.state() as i64);
                return Ok(Dispatched {
                    upstream: Arc::clone(upstream),
                    response,
                    attempts,
                });
            }
            Err(err) => {
                upstream.breaker.on_failure(Instant::now());
                breaker_gauge.set(upstream.breaker.state() as i64);
                tracing::warn!(upstream = name, error = err.label(), "upstream failed");
                last_error = err;
            }
        }
    }
    Err(last_error)
}

/// All attempts at one upstream. `Ok` is a response to pass on (2xx or a non-retryable 4xx).
async fn try_upstream(
    upstream: &UpstreamHandle,
    request: &ForwardRequest,
    metrics: &Metrics,
    attempts: &mut u32,
) -> Result<Response<ProxyBody>, ProxyError> {
    let config = &upstream.config;
    let name = upstream.name();
    let timeout = Duration::from_millis(config.timeout_ms);
    let mut last_error = None;
    for attempt in 0..=config.retries {
        if attempt > 0 {
            metrics
                .upstream_retries_total
                .with_label_values(&[name])
                .inc();
            let delay = backoff(
                attempt,
                config.backoff_ms,
                config.backoff_max_ms,
                &mut rand::thread_rng(),
            );
            tokio::time::sleep(delay).await;
        }
        *attempts += 1;
        let started = Instant::now();
        let result = tokio::time::timeout(timeout, upstream.client.send(request.clone())).await;
        metrics
            .upstream_request_duration_seconds
            .with_label_values(&[name])
            .observe(started.elapsed().as_secs_f64());
        let error = match result {
            Err(_elapsed) => ProxyError::UpstreamTimeout {
                upstream: name.to_string(),
                timeout_ms: config.timeout_ms,
            },
            Ok(Err(_transport)) => ProxyError::UpstreamConnect {
                upstream: name.to_string(),
            },
            Ok(Ok(response)) if response.extensions().get::<Settled>().is_some() => {
                return Ok(response);
            }
            Ok(Ok(response)) => {
                let status = response.status().as_u16();
                if status == 401 || status == 403 {
                    // Not retryable, and not the client's fault: report without the body.
                    metrics
                        .upstream_errors_total
                        .with_label_values(&[name, "auth_rejected"])
                        .inc();
                    return Err(ProxyError::UpstreamStatus {
                        upstream: name.to_string(),
                        status,
                    });
                }
                if status != 429 && status < 500 {
                    return Ok(response);
                }
                ProxyError::UpstreamStatus {
                    upstream: name.to_string(),
                    status,
                }
            }
        };
        metrics
            .upstream_errors_total
            .with_label_values(&[name, error.label()])
            .inc();
        last_error = Some(error);
    }
    Err(last_error.unwrap_or(ProxyError::Internal {
        detail: "no attempt made".into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use proptest::prelude::*;
    use rand::SeedableRng;

    proptest! {
        #[test]
        fn backoff_stays_within_half_cap_and_cap(retry in 1u32..64, base in 0u64..10_000, extra in 0u64..100_000, seed: u64) {
            let max = base + extra;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let delay = backoff(retry, base, max, &mut rng).as_millis() as u64;
            let cap = base.saturating_mul(1u64 << (retry - 1).min(30)).min(max);
            prop_assert!(delay <= cap);
            prop_assert!(delay >= cap / 2);
        }
    }

    #[test]
    fn backoff_grows_then_caps() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let first = backoff(1, 100, 1000, &mut rng).as_millis();
        assert!((50..=100).contains(&first));
        let capped = backoff(10, 100, 1000, &mut rng).as_millis();
        assert!((500..=1000).contains(&capped));
    }
}
