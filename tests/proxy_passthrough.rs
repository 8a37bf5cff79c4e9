//! Pass-through fidelity: bodies, usage and unknown fields reach the upstream and come back
//! unchanged; headers are filtered; request ids; models, health and metrics endpoints.

mod common;
use common::*;

#[tokio::test]
async fn chat_completion_round_trips_byte_for_byte() {
    let upstream = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    std::env::set_var("PT_UPSTREAM_KEY", "sk-upstream-secret");
    let proxy = proxy(policy(
        &[(
            "u",
            &upstream.base_url(),
            &["m1"],
            "api_key_env = \"PT_UPSTREAM_KEY\"",
        )],
        "",
    ))
    .await;
    let request = r#"{"model":"m1","messages":[{"role":"user","content":"hi"}],"temperature":0.3,"some_future_field":{"a":[1,2]}}"#;
    let got = send(
        proxy.local_addr(),
        "POST",
        "/v1/chat/completions?api-version=1",
        &[
            ("x-request-id", "req-abc"),
            ("openai-beta", "x"),
            ("cookie", "c=1"),
            ("x-pluralis-tenant", "cardiology"),
            ("x-pluralis-conversation", "conv-7"),
        ],
        request,
    )
    .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.text(), chat_completion_json("m1"));
    assert_eq!(got.json()["usage"]["total_tokens"], 4);
    assert_eq!(got.header("x-request-id"), Some("req-abc"));
    assert_eq!(got.header("x-pluralis-upstream"), Some("u"));
    assert_eq!(upstream.calls(), 1);
    let received = upstream.last();
    assert_eq!(received.body, request.as_bytes());
    assert_eq!(received.path, "/v1/chat/completions?api-version=1");
    assert_eq!(
        received.headers["authorization"],
        "Bearer sk-upstream-secret"
    );
    assert_eq!(received.headers["x-request-id"], "req-abc");
    assert_eq!(received.headers["openai-beta"], "x");
    assert!(received.headers.get("cookie").is_none());
    // The proxy's control headers are not sent to a vendor.
    assert!(received.headers.get("x-pluralis-tenant").is_none());
    assert!(received.headers.get("x-pluralis-conversation").is_none());
    proxy.shutdown().await;
}

#[tokio::test]
async fn client_credentials_are_not_forwarded_and_ids_are_generated() {
    let upstream = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let got = send(
        proxy.local_addr(),
        "POST",
        "/v1/chat/completions",
        &[("authorization", "Bearer client-key")],
        r#"{"model":"m1","messages":[]}"#,
    )
    .await;
    assert_eq!(got.status, 200);
    assert!(upstream.last().headers.get("authorization").is_none());
    let id = got.header("x-request-id").unwrap().to_string();
    assert!(id.starts_with("req_") && id.len() > 10, "{id}");
    assert_eq!(upstream.last().headers["x-request-id"], id.as_str());
}

#[tokio::test]
async fn completions_and_embeddings_reach_their_paths() {
    let upstream = mock(|_, r| Reply::Json(200, format!(r#"{{"path":"{}"}}"#, r.path))).await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["e1"], "")], "")).await;
    let got = post(
        proxy.local_addr(),
        "/v1/embeddings",
        r#"{"model":"e1","input":"x"}"#,
    )
    .await;
    assert_eq!(got.json()["path"], "/v1/embeddings");
    let got = post(
        proxy.local_addr(),
        "/v1/completions",
        r#"{"model":"e1","prompt":"x"}"#,
    )
    .await;
    assert_eq!(got.json()["path"], "/v1/completions");
    assert_eq!(upstream.calls(), 2);
}

#[tokio::test]
async fn models_health_and_metrics() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let b = mock(|_, _| Reply::Json(200, "{}".into())).await;
    let proxy = proxy(policy(
        &[
            ("a", &a.base_url(), &["m1", "m2"], ""),
            ("b", &b.base_url(), &["m3", "m1"], ""),
        ],
        "",
    ))
    .await;
    let addr = proxy.local_addr();
    let models = send(addr, "GET", "/v1/models", &[], "").await.json();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["m1", "m2", "m3"]);
    assert_eq!(models["data"][2]["owned_by"], "b");
    let health = send(addr, "GET", "/healthz", &[], "").await;
    assert_eq!(health.status, 200);

    post(
        addr,
        "/v1/chat/completions",
        r#"{"model":"m1","messages":[]}"#,
    )
    .await;
    post(
        addr,
        "/v1/chat/completions",
        r#"{"model":"nope","messages":[]}"#,
    )
    .await;
    let metrics = send(addr, "GET", "/metrics", &[], "").await.text();
    assert!(
        metrics.contains(r#"pluralis_requests_total{model="m1",status="200"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"pluralis_requests_total{model="unknown",status="404"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("pluralis_time_to_first_byte_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("pluralis_upstream_request_duration_seconds_count{upstream=\"a\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("pluralis_in_flight_requests"), "{metrics}");
    assert_eq!(b.calls(), 0);
}

#[tokio::test]
async fn upstream_client_errors_pass_through_unchanged() {
    let body = r#"{"error":{"message":"bad temperature","type":"invalid_request_error","param":"temperature","code":null}}"#;
    let upstream = mock(move |_, _| Reply::Json(400, body.into())).await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let got = post(
        proxy.local_addr(),
        "/v1/chat/completions",
        r#"{"model":"m1"}"#,
    )
    .await;
    assert_eq!(got.status, 400);
    assert_eq!(got.text(), body);
    assert_eq!(upstream.calls(), 1, "4xx is not retried");
}

#[tokio::test]
async fn http2_clients_are_served() {
    use http_body_util::{BodyExt, Full};
    let upstream = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], "")).await;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<bytes::Bytes>>();
    let request = http::Request::post(format!("http://{}/v1/chat/completions", proxy.local_addr()))
        .body(Full::new(bytes::Bytes::from_static(br#"{"model":"m1"}"#)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, chat_completion_json("m1").as_bytes());
}
