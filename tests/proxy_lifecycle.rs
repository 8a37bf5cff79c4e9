//! Lifecycle: graceful shutdown drains a stream in flight (and gives up after the drain
//! timeout), and reload swaps the policy atomically or keeps the old one on error.

mod common;
use common::*;
use std::time::{Duration, Instant};

const STREAM: &str = r#"{"model":"m1","stream":true,"messages":[]}"#;

fn slow_stream(gap: Duration) -> impl Fn(usize, &Received) -> Reply {
    move |_, _| Reply::Sse {
        events: vec![
            (
                Duration::ZERO,
                event(r#"{"choices":[{"delta":{"content":"a"}}]}"#),
            ),
            (gap, event(r#"{"choices":[{"delta":{"content":"b"}}]}"#)),
            (Duration::ZERO, DONE.to_string()),
        ],
        cut: false,
    }
}

#[tokio::test]
async fn shutdown_waits_for_a_stream_in_flight_then_refuses_connections() {
    let upstream = mock(slow_stream(Duration::from_millis(500))).await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let addr = proxy.local_addr();
    let request = tokio::spawn(async move { post(addr, "/v1/chat/completions", STREAM).await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = Instant::now();
    let shutdown = tokio::spawn(proxy.shutdown());
    let got = request.await.unwrap();
    assert_eq!(got.status, 200);
    assert!(
        got.text().ends_with(DONE),
        "stream was cut by shutdown: {}",
        got.text()
    );
    tokio::time::timeout(Duration::from_secs(5), shutdown)
        .await
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "shutdown did not wait"
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting"
    );
}

#[tokio::test]
async fn shutdown_gives_up_after_the_drain_timeout() {
    let upstream = mock(slow_stream(Duration::from_secs(10))).await;
    let proxy = proxy(policy(
        &[("u", &upstream.base_url(), &["m1"], "")],
        "[limits]\nshutdown_drain_ms = 200\n",
    ))
    .await;
    let addr = proxy.local_addr();
    let request = tokio::spawn(async move { post(addr, "/v1/chat/completions", STREAM).await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), proxy.shutdown())
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    request.abort();
}

#[tokio::test]
async fn reload_swaps_policy_or_keeps_the_old_one_on_error() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("m2"))).await;
    let proxy = proxy(policy(&[("a", &a.base_url(), &["m1"], "")], "")).await;
    let addr = proxy.local_addr();
    let chat = |model: &str| format!(r#"{{"model":"{model}","messages":[]}}"#);
    assert_eq!(
        post(addr, "/v1/chat/completions", &chat("m1")).await.status,
        200
    );

    proxy
        .reload(policy(&[("b", &b.base_url(), &["m2"], "")], ""))
        .unwrap();
    assert_eq!(
        post(addr, "/v1/chat/completions", &chat("m2")).await.status,
        200
    );
    assert_eq!(
        post(addr, "/v1/chat/completions", &chat("m1")).await.status,
        404
    );
    assert_eq!((a.calls(), b.calls()), (1, 1));

    // a policy whose state cannot be built (key variable unset) is refused; the old one serves
    let broken = policy(
        &[(
            "a",
            &a.base_url(),
            &["m1"],
            "api_key_env = \"LIFECYCLE_UNSET_VARIABLE\"",
        )],
        "",
    );
    assert!(proxy.reload(broken).is_err());
    assert_eq!(
        post(addr, "/v1/chat/completions", &chat("m2")).await.status,
        200
    );
    let metrics = send(addr, "GET", "/metrics", &[], "").await.text();
    assert!(
        metrics.contains(r#"pluralis_policy_reloads_total{result="ok"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"pluralis_policy_reloads_total{result="error"} 1"#),
        "{metrics}"
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_stream_in_flight_keeps_its_state_across_a_reload() {
    let a = mock(slow_stream(Duration::from_millis(300))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("m2"))).await;
    let proxy = proxy(policy(&[("a", &a.base_url(), &["m1"], "")], "")).await;
    let addr = proxy.local_addr();
    let request = tokio::spawn(async move { post(addr, "/v1/chat/completions", STREAM).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    proxy
        .reload(policy(&[("b", &b.base_url(), &["m2"], "")], ""))
        .unwrap();
    let got = request.await.unwrap();
    assert!(got.text().ends_with(DONE), "{}", got.text());
}
