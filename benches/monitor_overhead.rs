//! What the live monitor (decision log + attribution) adds to the proxy's latency under dilemma
//! load.
//!
//! The real server runs in-process on 127.0.0.1 in front of a loopback mock upstream that
//! answers every dilemma at once ("Recommendation: Choice 1/2 ..."). An open-loop client sends
//! the project's bench dilemmas to a two-member ensemble at a fixed rate (default 1,000 req/s)
//! and records each response's latency. Four servers are compared: no `[monitor]`; monitor with
//! `fsync = "per_event"`; with `fsync = { interval_ms = 50 }` (other monitor settings at their
//! defaults: 5 s refits with 200 bootstrap draws); and the last without refits (the log's cost
//! alone). To keep a shared machine's drifting load out of the comparison, the setups take
//! turns in short rounds and each pools its rounds. Run with:
//!
//!     cargo bench --bench monitor_overhead
//!
//! Environment: `MONITOR_OVERHEAD_RATE` (req/s, default 1000), `MONITOR_OVERHEAD_SECS` (per
//! round, default 7), `MONITOR_OVERHEAD_ROUNDS` (default 3), `MONITOR_OVERHEAD_UPSTREAM_MS`
//! (the mock's answer time, default 0). Defaults take about 95 s.

#[path = "../tests/load/mod.rs"]
mod load;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use pluralis::config::Policy;
use pluralis::server::ServerHandle;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

fn reply(n: u64) -> Bytes {
    let choice = if n % 3 == 0 { 2 } else { 1 };
    let body = serde_json::json!({
        "id": format!("chatcmpl-bench-{n}"),
        "object": "chat.completion",
        "created": 1_700_000_000u64,
        "model": "bench/a",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": format!(
                "Recommendation: Choice {choice}. It weighs the patient's stated wishes against \
                 the risk of harm and is the more proportionate course here."
            )},
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": 180, "completion_tokens": 30, "total_tokens": 210},
    });
    Bytes::from(serde_json::to_vec(&body).expect("json"))
}

/// A mock upstream answering every request after `delay` (zero: at once).
async fn mock_upstream(delay: Duration) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let _ = socket.set_nodelay(true);
            let served = served.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let n = served.fetch_add(1, Ordering::Relaxed);
                    async move {
                        let _ = req.into_body().collect().await;
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
                        Ok::<_, Infallible>(
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(reply(n)))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    addr
}

struct Setup {
    label: &'static str,
    /// Keys of the `[monitor]` and `[monitor.log]` tables, or nothing for the monitor off.
    monitor: Option<(&'static str, &'static str)>,
}

const SETUPS: [Setup; 4] = [
    Setup {
        label: "monitor off",
        monitor: None,
    },
    Setup {
        label: "fsync per_event",
        monitor: Some(("", "fsync = \"per_event\"")),
    },
    Setup {
        label: "fsync every 50 ms",
        monitor: Some(("", "fsync = { interval_ms = 50 }")),
    },
    // The log alone: no refit (so no bootstrap) while measuring, to split the cost.
    Setup {
        label: "50 ms, no refits",
        monitor: Some((
            "refit_interval_ms = 3600000\nbootstrap_draws = 0",
            "fsync = { interval_ms = 50 }",
        )),
    },
];

async fn server(setup: &Setup, upstream: SocketAddr, data_dir: &Path) -> ServerHandle {
    let monitor = setup.monitor.map_or(String::new(), |(keys, log)| {
        format!(
            "[monitor]\n{keys}\n[monitor.log]\ndata_dir = {:?}\n{log}\n",
            data_dir.display().to_string()
        )
    });
    let policy = Policy::from_toml_str(&format!(
        "listen = \"127.0.0.1:0\"\n{monitor}\
         [[upstream]]\nname = \"mock\"\nkind = \"openai\"\nbase_url = \"http://{upstream}/v1\"\n\
         models = [\"bench/a\", \"bench/b\"]\ntimeout_ms = 10000\n\
         [[ensemble]]\nname = \"{}\"\nmembers = [\"bench/a\", \"bench/b\"]\n\
         default_member = \"bench/a\"\ndilemma_mode = \"distributional\"\n",
        load::ENSEMBLE
    ))
    .unwrap();
    pluralis::server::start(policy).await.unwrap()
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[derive(Default)]
struct Pooled {
    latencies: Vec<Duration>,
    started: usize,
    completed: usize,
    failed: usize,
    delayed: usize,
    seconds: f64,
    events_written: u64,
    events_dropped: u64,
    fsyncs: u64,
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: a short smoke run.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let rate: u32 = env_or("MONITOR_OVERHEAD_RATE", 1000);
    let secs: f64 = if smoke {
        0.2
    } else {
        env_or("MONITOR_OVERHEAD_SECS", 7.0)
    };
    let rounds: usize = if smoke {
        1
    } else {
        env_or("MONITOR_OVERHEAD_ROUNDS", 3)
    };
    let upstream_delay = Duration::from_millis(env_or("MONITOR_OVERHEAD_UPSTREAM_MS", 0));
    // Setup numbers (0-based, comma-separated) to run, e.g. "0,2" to profile one setup.
    let chosen: Vec<usize> = std::env::var("MONITOR_OVERHEAD_SETUPS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| (0..SETUPS.len()).collect());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let scratch = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    runtime.block_on(async {
        let upstream = mock_upstream(upstream_delay).await;
        let bodies = load::dilemma_bodies();
        let mut pooled: Vec<Pooled> = SETUPS.iter().map(|_| Pooled::default()).collect();
        for round in 0..rounds {
            for (i, setup) in SETUPS.iter().enumerate() {
                if !chosen.contains(&i) {
                    continue;
                }
                let data_dir = scratch.path().join(format!("{i}-{round}"));
                let proxy = server(setup, upstream, &data_dir).await;
                let url = format!("http://{}/v1/chat/completions", proxy.local_addr());
                let spec = |duration: Duration, prefix: &str| load::LoadSpec {
                    url: url.clone(),
                    rate_per_s: rate,
                    duration,
                    max_in_flight: 512,
                    bodies: bodies.clone(),
                    id_prefix: format!("{prefix}{i}-{round}-"),
                    conversations: 997,
                    timeout: Duration::from_secs(10),
                };
                // Warm the pools and the allocator before measuring.
                load::run(&spec(Duration::from_millis(300), "warm-")).await;
                let report = load::run(&spec(Duration::from_secs_f64(secs), "run-")).await;
                let p = &mut pooled[i];
                p.latencies.extend(report.latencies());
                p.started += report.started;
                p.completed += report.completed.len();
                p.failed += report.failed;
                p.delayed += report.delayed_starts;
                p.seconds += report.elapsed.as_secs_f64();
                if let Some(monitor) = proxy.state().load().monitor.clone() {
                    let _ = monitor.flush().await;
                    let state = monitor.refit_now();
                    p.events_written += state.log.written;
                    p.events_dropped += state.log.dropped;
                    p.fsyncs += state.log.fsyncs;
                }
                proxy.shutdown().await;
            }
        }
        println!(
            "monitor overhead: {rate} dilemma req/s offered, {rounds} x {secs} s per setup, \
             loopback mock upstream answering after {} ms",
            upstream_delay.as_millis()
        );
        println!(
            "{:>18} {:>9} {:>6} {:>6} {:>7} {:>17} {:>7} {:>7} {:>9} {:>7} {:>9}",
            "setup",
            "completed",
            "per s",
            "failed",
            "delayed",
            "events",
            "p50 ms",
            "p99 ms",
            "p50 added",
            "p99 ms+",
            "p99 added"
        );
        let mut base: Option<(f64, f64)> = None;
        for (i, (setup, p)) in SETUPS.iter().zip(&mut pooled).enumerate() {
            if !chosen.contains(&i) {
                continue;
            }
            assert!(p.completed > 0, "{}: no request completed", setup.label);
            p.latencies.sort();
            let p50 = ms(load::percentile(&p.latencies, 0.5));
            let p99 = ms(load::percentile(&p.latencies, 0.99));
            // The monitor-off server is the baseline when it ran.
            if setup.monitor.is_none() {
                base = Some((p50, p99));
            }
            let added = |value: f64, of: Option<f64>| match of {
                Some(b) if setup.monitor.is_some() => format!("{:+.1}%", (value / b - 1.0) * 100.0),
                _ => "-".to_owned(),
            };
            println!(
                "{:>18} {:>9} {:>6.0} {:>6} {:>7} {:>17} {:>7.3} {:>7.3} {:>9} {:>7} {:>9}",
                setup.label,
                p.completed,
                p.completed as f64 / p.seconds.max(1e-9),
                p.failed,
                p.delayed,
                if setup.monitor.is_some() {
                    format!("{}/{}/{}", p.events_written, p.events_dropped, p.fsyncs)
                } else {
                    "-".into()
                },
                p50,
                p99,
                added(p50, base.map(|b| b.0)),
                match base {
                    Some((_, b)) if setup.monitor.is_some() => format!("{:+.3}", p99 - b),
                    _ => "-".to_owned(),
                },
                added(p99, base.map(|b| b.1)),
            );
        }
        println!(
            "events = decisions written/dropped by the log and fsyncs, warm-up requests included; \
             p50/p99 added (percent) and p99 ms+ (milliseconds) are against the monitor-off \
             server of the same run; the target is p99 added under +5%"
        );
    });
}
