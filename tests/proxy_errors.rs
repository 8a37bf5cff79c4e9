//! Client-side errors: auth, limits, bad JSON, missing model, unknown model and paths. Each is
//! OpenAI-shaped, has the contract's status, and never reaches the upstream.

mod common;
use common::*;
use sha2::{Digest, Sha256};

const CHAT: &str = "/v1/chat/completions";

#[tokio::test]
async fn auth_is_required_when_configured() {
    let upstream = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    std::env::set_var("ERR_CLIENT_KEYS", "k-env-1, k-env-2");
    let hashed = hex::encode(Sha256::digest(b"k-hashed"));
    let extra = format!("[auth]\nkeys_env = \"ERR_CLIENT_KEYS\"\nkey_sha256 = [\"{hashed}\"]\n");
    let proxy = proxy(policy(&[("u", &upstream.base_url(), &["m1"], "")], &extra)).await;
    let addr = proxy.local_addr();
    let body = r#"{"model":"m1","messages":[]}"#;

    let missing = send(addr, "POST", CHAT, &[], body).await;
    assert_eq!(missing.status, 401);
    assert_eq!(error_code(&missing), "invalid_api_key");
    let wrong = send(
        addr,
        "POST",
        CHAT,
        &[("authorization", "Bearer nope")],
        body,
    )
    .await;
    assert_eq!(wrong.status, 401);
    let models = send(addr, "GET", "/v1/models", &[], "").await;
    assert_eq!(models.status, 401);
    assert_eq!(upstream.calls(), 0);

    for key in ["k-env-1", "k-env-2", "k-hashed"] {
        let auth = format!("Bearer {key}");
        let ok = send(addr, "POST", CHAT, &[("authorization", &auth)], body).await;
        assert_eq!(ok.status, 200, "key {key}");
    }
    assert_eq!(upstream.calls(), 3);
    // health and metrics stay open for probes and scrapers
    assert_eq!(send(addr, "GET", "/healthz", &[], "").await.status, 200);
    assert_eq!(send(addr, "GET", "/metrics", &[], "").await.status, 200);
}

#[tokio::test]
async fn bad_requests_get_openai_errors_and_never_reach_upstream() {
    let upstream = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let proxy = proxy(policy(
        &[("u", &upstream.base_url(), &["m1"], "")],
        "[limits]\nmax_body_bytes = 100\n",
    ))
    .await;
    let addr = proxy.local_addr();
    let cases: Vec<(&str, &str, String, u16, &str)> = vec![
        ("POST", CHAT, "{not json".into(), 400, "invalid_json"),
        (
            "POST",
            CHAT,
            r#"{"messages":[]}"#.into(),
            400,
            "missing_field",
        ),
        (
            "POST",
            CHAT,
            r#"{"model":"gpt-9"}"#.into(),
            404,
            "model_not_found",
        ),
        (
            "POST",
            CHAT,
            format!(r#"{{"model":"m1","pad":"{}"}}"#, "x".repeat(200)),
            413,
            "body_too_large",
        ),
        ("POST", "/v1/nothing", "{}".into(), 404, "not_found"),
        ("GET", CHAT, String::new(), 405, "method_not_allowed"),
        ("POST", "/healthz", String::new(), 405, "method_not_allowed"),
    ];
    for (method, path, body, status, code) in cases {
        let got = send(addr, method, path, &[], body).await;
        assert_eq!(got.status, status, "{method} {path}: {}", got.text());
        assert_eq!(error_code(&got), code, "{method} {path}");
        assert!(got.header("x-request-id").is_some());
    }
    let got = post(addr, CHAT, r#"{"model":"gpt-9"}"#).await;
    assert_eq!(got.json()["error"]["param"], "model");
    assert_eq!(upstream.calls(), 0);
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_refused() {
    use http_body_util::{BodyExt, StreamBody};
    use hyper::body::Frame;
    let upstream = mock(|_, _| Reply::Json(200, chat_completion_json("m1"))).await;
    let proxy = proxy(policy(
        &[("u", &upstream.base_url(), &["m1"], "")],
        "[limits]\nmax_body_bytes = 1000\n",
    ))
    .await;
    // no content-length: the limit must hold while reading
    let frames: Vec<Result<Frame<bytes::Bytes>, std::convert::Infallible>> = (0..20)
        .map(|_| Ok(Frame::data(bytes::Bytes::from(vec![b' '; 100]))))
        .collect();
    let body = StreamBody::new(futures_util::stream::iter(frames)).boxed();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let request = http::Request::post(format!("http://{}{CHAT}", proxy.local_addr()))
        .body(body)
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(upstream.calls(), 0);
}

#[test]
fn shipped_example_policies_are_valid() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            pluralis::config::Policy::from_toml_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}
