//! Reliability: retries with backoff on 5xx/429/connect errors, timeouts, the circuit breaker
//! and fallback, each asserted by the mocks' call counts.

mod common;
use common::*;
use std::time::Duration;

const CHAT: &str = "/v1/chat/completions";
const BODY: &str = r#"{"model":"m1","messages":[]}"#;

fn failing_then_ok(failures: usize, status: u16) -> impl Fn(usize, &Received) -> Reply {
    move |n, _| {
        if n < failures {
            Reply::Json(status, r#"{"error":{"message":"busy"}}"#.into())
        } else {
            Reply::Json(200, chat_completion_json("m1"))
        }
    }
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried() {
    for status in [500, 503, 429] {
        let upstream = mock(failing_then_ok(2, status)).await;
        let proxy = proxy(policy(
            &[("u", &upstream.base_url(), &["m1"], "retries = 2")],
            "",
        ))
        .await;
        let got = post(proxy.local_addr(), CHAT, BODY).await;
        assert_eq!(got.status, 200, "status {status}");
        assert_eq!(upstream.calls(), 3, "status {status}");
        let metrics = send(proxy.local_addr(), "GET", "/metrics", &[], "")
            .await
            .text();
        assert!(
            metrics.contains(r#"pluralis_upstream_retries_total{upstream="u"} 2"#),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn exhausted_retries_give_502_with_the_upstream_status() {
    let upstream = mock(failing_then_ok(usize::MAX, 503)).await;
    let proxy = proxy(policy(
        &[("u", &upstream.base_url(), &["m1"], "retries = 1")],
        "",
    ))
    .await;
    let got = post(proxy.local_addr(), CHAT, BODY).await;
    assert_eq!(got.status, 502);
    assert_eq!(error_code(&got), "upstream_status");
    assert_eq!(got.header("x-pluralis-upstream-status"), Some("503"));
    assert!(got.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("503"));
    assert!(
        !got.text().contains("busy"),
        "upstream body must not leak: {}",
        got.text()
    );
    assert_eq!(upstream.calls(), 2);
}

#[tokio::test]
async fn upstream_refusing_the_proxy_key_is_a_502_without_its_message() {
    let upstream = mock(|_, _| {
        Reply::Json(
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-...1234"}}"#.into(),
        )
    })
    .await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let got = post(proxy.local_addr(), CHAT, BODY).await;
    assert_eq!(got.status, 502);
    assert!(!got.text().contains("sk-"), "{}", got.text());
    assert_eq!(upstream.calls(), 1, "auth failures are not retried");
}

#[tokio::test]
async fn slow_upstream_times_out_with_504_after_retries() {
    let upstream = mock(|_, _| {
        Reply::Delay(
            Duration::from_secs(3),
            Box::new(Reply::Json(200, chat_completion_json("m1"))),
        )
    })
    .await;
    let proxy = proxy(policy(
        &[(
            "u",
            &upstream.base_url(),
            &["m1"],
            "timeout_ms = 150\nretries = 1",
        )],
        "",
    ))
    .await;
    let started = std::time::Instant::now();
    let got = post(proxy.local_addr(), CHAT, BODY).await;
    assert_eq!(got.status, 504);
    assert_eq!(error_code(&got), "upstream_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // both attempts reached the mock (it counts on arrival)
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(upstream.calls(), 2);
}

#[tokio::test]
async fn unreachable_upstream_is_a_502() {
    let dead = dead_addr().await;
    let proxy = proxy(policy(
        &[("u", &format!("http://{dead}/v1"), &["m1"], "retries = 2")],
        "",
    ))
    .await;
    let got = post(proxy.local_addr(), CHAT, BODY).await;
    assert_eq!(got.status, 502);
    assert_eq!(error_code(&got), "upstream_connect");
    let metrics = send(proxy.local_addr(), "GET", "/metrics", &[], "")
        .await
        .text();
    assert!(
        metrics
            .contains(r#"pluralis_upstream_errors_total{kind="upstream_connect",upstream="u"} 3"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn breaker_opens_after_consecutive_failures_and_skips_the_upstream() {
    let upstream = mock(failing_then_ok(usize::MAX, 500)).await;
    let proxy = proxy(policy(
        &[(
            "u",
            &upstream.base_url(),
            &["m1"],
            "retries = 0\nbreaker_failures = 2\nbreaker_open_ms = 300",
        )],
        "",
    ))
    .await;
    let addr = proxy.local_addr();
    assert_eq!(post(addr, CHAT, BODY).await.status, 502);
    assert_eq!(post(addr, CHAT, BODY).await.status, 502);
    let open = post(addr, CHAT, BODY).await;
    assert_eq!(open.status, 503);
    assert_eq!(error_code(&open), "upstream_unavailable");
    assert_eq!(
        upstream.calls(),
        2,
        "an open breaker sends nothing upstream"
    );
    let metrics = send(addr, "GET", "/metrics", &[], "").await.text();
    assert!(
        metrics.contains(r#"pluralis_upstream_breaker_state{upstream="u"} 1"#),
        "{metrics}"
    );
    // after the open period one probe goes through
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(post(addr, CHAT, BODY).await.status, 502);
    assert_eq!(upstream.calls(), 3);
}

#[tokio::test]
async fn fallback_serves_when_the_primary_fails_or_is_open() {
    let primary = mock(failing_then_ok(usize::MAX, 500)).await;
    let backup = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let other = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let proxy = proxy(policy(
        &[
            (
                "primary",
                &primary.base_url(),
                &["m1"],
                "retries = 1\nbreaker_failures = 1\nbreaker_open_ms = 60000\nfallback = [\"other\", \"backup\"]",
            ),
            ("other", &other.base_url(), &["m2"], ""),
            ("backup", &backup.base_url(), &["m1"], ""),
        ],
        "",
    ))
    .await;
    let addr = proxy.local_addr();
    let got = post(addr, CHAT, BODY).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-pluralis-upstream"), Some("backup"));
    assert_eq!(primary.calls(), 2);
    assert_eq!(backup.calls(), 1);
    assert_eq!(
        other.calls(),
        0,
        "fallbacks not serving the model are skipped"
    );
    // breaker now open on primary: straight to backup
    let got = post(addr, CHAT, BODY).await;
    assert_eq!(got.status, 200);
    assert_eq!(primary.calls(), 2);
    assert_eq!(backup.calls(), 2);
}
