//! The proxy's Prometheus metrics, in a registry owned by this struct (not the global one), so
//! several servers can run in one process (tests) and later stages register beside them via
//! [`Metrics::registry`]. Names follow ../shared/STYLE.md: `pluralis_` prefix, `_total` counters,
//! base units in names, bounded labels (model names come from the policy, unknown ones are
//! folded into `"unknown"`; errors are labelled by static kind, never by message).

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Buckets for whole-request and upstream durations, in seconds. LLM calls range from a few
/// milliseconds (cached, embeddings, errors) to minutes (long generations), so the buckets are
/// roughly logarithmic from 5 ms to 5 min.
pub const DURATION_BUCKETS_SECONDS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

/// Buckets for time to first byte, in seconds: what a streaming user waits before text appears;
/// finer below one second, where interactive quality is decided.
pub const TTFB_BUCKETS_SECONDS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0, 30.0,
];

/// All metrics of the proxy core.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// `pluralis_requests_total{model,status}`: responses sent, by HTTP status.
    pub requests_total: IntCounterVec,
    /// `pluralis_request_duration_seconds{model}`: from request head to the last body byte.
    pub request_duration_seconds: HistogramVec,
    /// `pluralis_time_to_first_byte_seconds{model}`: from request head to first body byte sent.
    pub time_to_first_byte_seconds: HistogramVec,
    /// `pluralis_upstream_request_duration_seconds{upstream}`: one attempt, until response head.
    pub upstream_request_duration_seconds: HistogramVec,
    /// `pluralis_upstream_errors_total{upstream,kind}`: failed attempts and broken streams.
    pub upstream_errors_total: IntCounterVec,
    /// `pluralis_upstream_retries_total{upstream}`: attempts after the first.
    pub upstream_retries_total: IntCounterVec,
    /// `pluralis_upstream_fallbacks_total{upstream}`: requests moved off this upstream.
    pub upstream_fallbacks_total: IntCounterVec,
    /// `pluralis_upstream_breaker_state{upstream}`: 0 closed, 1 open, 2 half-open.
    pub upstream_breaker_state: IntGaugeVec,
    /// `pluralis_in_flight_requests`: requests whose response has not finished.
    pub in_flight_requests: IntGauge,
    /// `pluralis_policy_reloads_total{result}`: `ok` or `error`.
    pub policy_reloads_total: IntCounterVec,
}

impl Metrics {
    /// Create and register all metrics. Fails only on a programming error (duplicate names).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let counter =
            |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, prometheus::Error> {
                let metric = IntCounterVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(metric.clone()))?;
                Ok(metric)
            };
        let histogram = |name: &str,
                         help: &str,
                         labels: &[&str],
                         buckets: &[f64]|
         -> Result<HistogramVec, prometheus::Error> {
            let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
            let metric = HistogramVec::new(opts, labels)?;
            registry.register(Box::new(metric.clone()))?;
            Ok(metric)
        };
        let requests_total = counter(
            "pluralis_requests_total",
            "Responses sent to clients, by model and HTTP status.",
            &["model", "status"],
        )?;
        let request_duration_seconds = histogram(
            "pluralis_request_duration_seconds",
            "Time from request head to the end of the response body.",
            &["model"],
            DURATION_BUCKETS_SECONDS,
        )?;
        let time_to_first_byte_seconds = histogram(
            "pluralis_time_to_first_byte_seconds",
            "Time from request head to the first response body byte.",
            &["model"],
            TTFB_BUCKETS_SECONDS,
        )?;
        let upstream_request_duration_seconds = histogram(
            "pluralis_upstream_request_duration_seconds",
            "Time of one upstream attempt until its response head.",
            &["upstream"],
            DURATION_BUCKETS_SECONDS,
        )?;
        let upstream_errors_total = counter(
            "pluralis_upstream_errors_total",
            "Failed upstream attempts and interrupted upstream bodies, by kind.",
            &["upstream", "kind"],
        )?;
        let upstream_retries_total = counter(
            "pluralis_upstream_retries_total",
            "Upstream attempts after the first one.",
            &["upstream"],
        )?;
        let upstream_fallbacks_total = counter(
            "pluralis_upstream_fallbacks_total",
            "Requests that left this upstream for a fallback.",
            &["upstream"],
        )?;
        let upstream_breaker_state = IntGaugeVec::new(
            Opts::new(
                "pluralis_upstream_breaker_state",
                "Circuit breaker state: 0 closed, 1 open, 2 half-open.",
            ),
            &["upstream"],
        )?;
        registry.register(Box::new(upstream_breaker_state.clone()))?;
        let in_flight_requests = IntGauge::new(
            "pluralis_in_flight_requests",
            "Requests whose response has not finished.",
        )?;
        registry.register(Box::new(in_flight_requests.clone()))?;
        let policy_reloads_total = counter(
            "pluralis_policy_reloads_total",
            "Policy reloads, by result.",
            &["result"],
        )?;
        Ok(Self {
            registry,
            requests_total,
            request_duration_seconds,
            time_to_first_byte_seconds,
            upstream_request_duration_seconds,
            upstream_errors_total,
            upstream_retries_total,
            upstream_fallbacks_total,
            upstream_breaker_state,
            in_flight_requests,
            policy_reloads_total,
        })
    }

    /// The registry, for later stages to register their own metrics in the same `/metrics`.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Text exposition format for `GET /metrics`.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::warn!(error = %err, "metrics encoding failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}
