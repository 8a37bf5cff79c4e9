//! Open-loop load driver for dilemma traffic on loopback, shared by the crash test
//! (`tests/monitor_crash.rs`) and the overhead bench (`benches/monitor_overhead.rs`).
//!
//! Requests are started on a fixed schedule (`rate_per_s`) whatever the previous ones are
//! doing, each on its own task over a pooled client with up to `max_in_flight` concurrent
//! requests, so a slow server shows as latency instead of a lower send rate. Every request
//! carries its own `x-request-id`; the report lists the ids whose response arrived whole.
#![allow(dead_code)]

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use pluralis::upstream::sim_model::{dilemma_prompt, SimCases, DILEMMA_SYSTEM_PROMPT};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The virtual model every load request asks for.
pub const ENSEMBLE: &str = "pluralis-ensemble";

/// One request body per case of the project's own bench (embedded in the binary), asking the
/// ensemble for a recommendation the way the demo does.
pub fn dilemma_bodies() -> Vec<Bytes> {
    let cases = SimCases::embedded().expect("embedded bench cases");
    cases
        .lines()
        .map(|line| {
            let body = serde_json::json!({
                "model": ENSEMBLE,
                "messages": [
                    {"role": "system", "content": DILEMMA_SYSTEM_PROMPT},
                    {"role": "user", "content": dilemma_prompt(&line.case())},
                ],
                "temperature": 0.7,
            });
            Bytes::from(serde_json::to_vec(&body).expect("json"))
        })
        .collect()
}

pub struct LoadSpec {
    /// e.g. `http://127.0.0.1:PORT/v1/chat/completions`.
    pub url: String,
    pub rate_per_s: u32,
    pub duration: Duration,
    pub max_in_flight: usize,
    /// Cycled through, one per request.
    pub bodies: Vec<Bytes>,
    /// Request ids are `{id_prefix}{n}`; conversations `{id_prefix}c{n % conversations}`.
    pub id_prefix: String,
    pub conversations: usize,
    /// Per-request deadline (a request past it counts as failed).
    pub timeout: Duration,
}

/// One response that arrived whole with status 200.
#[derive(Debug, Clone)]
pub struct Completed {
    pub id: String,
    pub latency: Duration,
    /// When it finished, from the start of the run.
    pub finished_at: Duration,
    /// The `x-pluralis-member` response header, when present.
    pub member: Option<String>,
    /// The proxy said it routed the request as a dilemma (`x-pluralis-dilemma: true`).
    pub dilemma: bool,
}

#[derive(Debug, Default)]
pub struct LoadReport {
    pub started: usize,
    pub completed: Vec<Completed>,
    /// Status other than 200, transport error, or timeout.
    pub failed: usize,
    /// Starts that had to wait for a free in-flight slot (the client, not the server, lagged).
    pub delayed_starts: usize,
    pub elapsed: Duration,
}

impl LoadReport {
    /// Latencies of the completed requests, sorted.
    pub fn latencies(&self) -> Vec<Duration> {
        let mut all: Vec<Duration> = self.completed.iter().map(|c| c.latency).collect();
        all.sort();
        all
    }

    pub fn completed_per_s(&self) -> f64 {
        self.completed.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The value at quantile `q` (0..=1) of sorted durations; zero when empty.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub fn client(max_in_flight: usize) -> Client<HttpConnector, Full<Bytes>> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(max_in_flight)
        .build(connector)
}

/// Runs the schedule for `spec.duration`, then waits (up to `spec.timeout`) for the requests
/// still in flight. The count is bounded: `rate_per_s * duration` requests at most.
pub async fn run(spec: &LoadSpec) -> LoadReport {
    assert!(spec.rate_per_s > 0 && !spec.bodies.is_empty() && spec.conversations > 0);
    let client = client(spec.max_in_flight);
    let slots = Arc::new(Semaphore::new(spec.max_in_flight));
    let completed = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let period = Duration::from_secs_f64(1.0 / f64::from(spec.rate_per_s));
    let total = (spec.duration.as_secs_f64() * f64::from(spec.rate_per_s)).round() as usize;
    let start = Instant::now();
    let mut delayed_starts = 0;
    let mut tasks = Vec::with_capacity(total);
    for n in 0..total {
        tokio::time::sleep_until((start + period * n as u32).into()).await;
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                delayed_starts += 1;
                slots.clone().acquire_owned().await.expect("semaphore open")
            }
        };
        let id = format!("{}{n}", spec.id_prefix);
        let request = Request::post(&spec.url)
            .header("content-type", "application/json")
            .header("x-request-id", &id)
            .header(
                "x-pluralis-conversation",
                format!("{}c{}", spec.id_prefix, n % spec.conversations),
            )
            .body(Full::new(spec.bodies[n % spec.bodies.len()].clone()))
            .expect("request");
        let (client, completed, failed) = (client.clone(), completed.clone(), failed.clone());
        let timeout = spec.timeout;
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let sent = Instant::now();
            let outcome = tokio::time::timeout(timeout, async {
                let response = client.request(request).await.ok()?;
                let ok = response.status() == http::StatusCode::OK;
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let member = header("x-pluralis-member");
                let dilemma = header("x-pluralis-dilemma").is_some_and(|v| v == "true");
                // Whole body read: the response completed.
                response.into_body().collect().await.ok()?;
                ok.then_some((member, dilemma))
            })
            .await;
            match outcome {
                Ok(Some((member, dilemma))) => completed.lock().unwrap().push(Completed {
                    id,
                    latency: sent.elapsed(),
                    finished_at: start.elapsed(),
                    member,
                    dilemma,
                }),
                _ => *failed.lock().unwrap() += 1,
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let completed = std::mem::take(&mut *completed.lock().unwrap());
    let failed = *failed.lock().unwrap();
    LoadReport {
        started: total,
        completed,
        failed,
        delayed_starts,
        elapsed: start.elapsed(),
    }
}
