//! Proxy overhead: latency added by pluralis on the pass-through path.
//!
//! A mock upstream on 127.0.0.1 answers a fixed chat completion. The same request load is sent
//! once straight to the upstream and once through the proxy, at a fixed concurrency; the added
//! latency is the proxied percentile minus the direct percentile. Run with:
//!
//!     cargo bench --bench proxy_overhead
//!
//! Environment: `OVERHEAD_REQUESTS` (per run, default 20000), `OVERHEAD_CONCURRENCY`
//! (comma-separated, default "1,32").

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use pluralis::config::Policy;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const REPLY: &str = r#"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"I recommend the second option because it respects the patient's stated wishes while keeping her safe."},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":22,"total_tokens":142}}"#;
const REQUEST: &str = r#"{"model":"bench-model","messages":[{"role":"system","content":"You are a helpful clinical assistant."},{"role":"user","content":"What is the usual adult dose of amoxicillin for uncomplicated community-acquired pneumonia?"}],"temperature":0.2}"#;

async fn mock_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let _ = socket.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|req: Request<Incoming>| async move {
                    let _ = req.into_body().collect().await;
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(REPLY.as_bytes())))
                            .unwrap(),
                    )
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    addr
}

fn client() -> Client<HttpConnector, Full<Bytes>> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .build(connector)
}

/// Send `total` requests from `concurrency` workers; returns every request's latency, sorted.
async fn load(url: String, total: usize, concurrency: usize) -> Vec<Duration> {
    let client = client();
    let per_worker = total / concurrency;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let req = Request::post(&url)
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from_static(REQUEST.as_bytes())))
                    .unwrap();
                let start = Instant::now();
                let resp = client.request(req).await.expect("request failed");
                assert!(resp.status().is_success(), "status {}", resp.status());
                let _ = resp.into_body().collect().await.unwrap();
                times.push(start.elapsed());
            }
            times
        }));
    }
    let mut all = Vec::with_capacity(total);
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort();
    all
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a tiny smoke load.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let total: usize = if smoke {
        64
    } else {
        env_or("OVERHEAD_REQUESTS", 20_000)
    };
    let levels: Vec<usize> = std::env::var("OVERHEAD_CONCURRENCY")
        .unwrap_or_else(|_| "1,32".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .filter(|&c| c > 0)
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let upstream = mock_upstream().await;
        let policy = Policy::from_toml_str(&format!(
            "listen = \"127.0.0.1:0\"\n[[upstream]]\nname = \"mock\"\nkind = \"openai\"\n\
             base_url = \"http://{upstream}/v1\"\nmodels = [\"bench-model\"]\ntimeout_ms = 10000\n"
        ))
        .unwrap();
        let proxy = pluralis::server::start(policy).await.unwrap();
        let direct_url = format!("http://{upstream}/v1/chat/completions");
        let proxied_url = format!("http://{}/v1/chat/completions", proxy.local_addr());
        println!("proxy overhead, {total} requests per run, loopback mock upstream");
        println!(
            "{:>11} {:>12} {:>12} {:>13} {:>13} {:>12} {:>12}",
            "concurrency", "direct p50", "direct p99", "proxied p50", "proxied p99", "added p50", "added p99"
        );
        for &concurrency in &levels {
            // Warm both paths (connection pools, allocator) before measuring.
            load(direct_url.clone(), concurrency * 20, concurrency).await;
            load(proxied_url.clone(), concurrency * 20, concurrency).await;
            let direct = load(direct_url.clone(), total, concurrency).await;
            let proxied = load(proxied_url.clone(), total, concurrency).await;
            let (d50, d99) = (percentile(&direct, 0.5), percentile(&direct, 0.99));
            let (p50, p99) = (percentile(&proxied, 0.5), percentile(&proxied, 0.99));
            println!(
                "{concurrency:>11} {:>10.1}µs {:>10.1}µs {:>11.1}µs {:>11.1}µs {:>10.1}µs {:>10.1}µs",
                micros(d50),
                micros(d99),
                micros(p50),
                micros(p99),
                micros(p50) - micros(d50),
                micros(p99) - micros(d99),
            );
        }
        proxy.shutdown().await;
    });
}
