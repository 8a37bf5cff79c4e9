//! The trained dilemma detector routes ensemble traffic through the real proxy: free-form
//! dilemmas (no "Choice 1/Choice 2" labels) take the dilemma route, routine clinical questions
//! go to the default member, and the policy's `[detector]` threshold is honoured.

mod common;
use common::*;

const FREE_FORM: &str = "My 84-year-old father has advanced dementia and keeps pulling out his \
    feeding tube. The nursing home wants to restrain his hands so the tube stays in, but before \
    the dementia he always said he never wanted to be kept alive by machines. Should we let them \
    restrain him or stop the tube feeding?";
const ROUTINE: &str = "What is the usual adult dose of paracetamol?";

fn ensemble_policy(upstream: &MockUpstream, detector: &str) -> pluralis::config::Policy {
    let extra = format!(
        r#"{detector}
[[ensemble]]
name = "pluralis-ensemble"
members = ["a/x", "b/y"]
default_member = "b/y"
weights = {{ "a/x" = 1.0, "b/y" = 0.0 }}
"#
    );
    policy(&[("u", &upstream.base_url(), &["a/x", "b/y"], "")], &extra)
}

fn body(messages: serde_json::Value) -> String {
    serde_json::json!({"model": "pluralis-ensemble", "user": "p1", "messages": messages})
        .to_string()
}

async fn route(addr: std::net::SocketAddr, messages: serde_json::Value) -> (String, String) {
    let got = post(addr, "/v1/chat/completions", &body(messages)).await;
    assert_eq!(got.status, 200, "{}", got.text());
    (
        got.header("x-pluralis-dilemma").unwrap_or("-").to_owned(),
        got.header("x-pluralis-member").unwrap_or("-").to_owned(),
    )
}

#[tokio::test]
async fn free_form_dilemmas_route_as_dilemmas_and_routine_questions_do_not() {
    let up = mock(|_, _| Reply::Json(200, chat_completion_json("m"))).await;
    let proxy = proxy(ensemble_policy(&up, "")).await;
    let addr = proxy.local_addr();

    let user = |text: &str| serde_json::json!([{"role": "user", "content": text}]);
    assert_eq!(
        route(addr, user(FREE_FORM)).await,
        ("true".into(), "a/x".into())
    );
    assert_eq!(
        route(addr, user(ROUTINE)).await,
        ("false".into(), "b/y".into())
    );
    // Bare option labels without a clinical dilemma are not one.
    let labels = user("Choice 1: apples\nChoice 2: oranges");
    assert_eq!(route(addr, labels).await.0, "false");
    // Every message is scored: a dilemma stated earlier in the conversation still counts.
    let conversation = serde_json::json!([
        {"role": "system", "content": "You are a careful clinician."},
        {"role": "user", "content": FREE_FORM},
        {"role": "assistant", "content": "Could you tell me more about his current wishes?"},
        {"role": "user", "content": "He cannot say any more. What would you do?"}
    ]);
    assert_eq!(route(addr, conversation).await.0, "true");
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_policy_threshold_and_weight_file_are_used() {
    let up = mock(|_, _| Reply::Json(200, chat_completion_json("m"))).await;
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("w.bin");
    std::fs::write(&weights, pluralis::detect::EMBEDDED_WEIGHTS).unwrap();
    let strict = format!(
        "[detector]\nweights = {:?}\nthreshold = 0.999999\n",
        weights.display().to_string()
    );
    let proxy = proxy(ensemble_policy(&up, &strict)).await;
    let user = serde_json::json!([{"role": "user", "content": FREE_FORM}]);
    assert_eq!(route(proxy.local_addr(), user).await.0, "false");
    proxy.shutdown().await;

    // A weight file that is not one is refused when the state is built, naming the file.
    std::fs::write(&weights, b"garbage").unwrap();
    let error = pluralis::server::start(ensemble_policy(&up, &strict))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("w.bin"), "{error}");
}
