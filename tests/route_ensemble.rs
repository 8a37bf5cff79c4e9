//! Ensembles end to end through the real proxy: detection, sticky distributional draws, the
//! member's model and steering in the upstream body, and the explaining response headers.

mod common;
use common::*;
use std::collections::HashMap;

const DILEMMA: &str =
    "A patient refuses treatment.\nChoice 1: Treat anyway\nChoice 2: Respect the refusal";

fn ensemble_policy(a: &MockUpstream, b: &MockUpstream) -> pluralis::config::Policy {
    policy(
        &[
            ("ua", &a.base_url(), &["a/x"], ""),
            ("ub", &b.base_url(), &["b/y"], ""),
        ],
        "",
    )
    .with_ensembles(
        r#"
[[ensemble]]
name = "pluralis-ensemble"
members = ["a/x", "b/y", "a/x+autonomy"]
default_member = "b/y"
dilemma_mode = "distributional"
weights = { "a/x" = 0.3, "b/y" = 0.3, "a/x+autonomy" = 0.4 }
"#,
    )
}

trait WithEnsembles {
    fn with_ensembles(self, toml_text: &str) -> Self;
}

impl WithEnsembles for pluralis::config::Policy {
    fn with_ensembles(mut self, toml_text: &str) -> Self {
        #[derive(serde::Deserialize)]
        struct Only {
            ensemble: Vec<pluralis::route::ensemble::EnsembleConfig>,
        }
        let only: Only = toml::from_str(toml_text).unwrap();
        self.ensembles = only.ensemble;
        self.validate().unwrap();
        self
    }
}

fn body(user: &str, content: &str) -> String {
    serde_json::json!({"model": "pluralis-ensemble", "user": user,
        "messages": [{"role": "user", "content": content}]})
    .to_string()
}

#[tokio::test]
async fn ordinary_requests_go_to_the_default_member_and_dilemmas_are_spread() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("a/x"))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("b/y"))).await;
    let proxy = proxy(ensemble_policy(&a, &b)).await;
    let addr = proxy.local_addr();

    let got = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &[],
        body("u1", "What is a normal heart rate?"),
    )
    .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-pluralis-dilemma"), Some("false"));
    assert_eq!(got.header("x-pluralis-route"), Some("default"));
    assert_eq!(got.header("x-pluralis-member"), Some("b/y"));
    let sent: serde_json::Value = serde_json::from_slice(&b.last().body).unwrap();
    assert_eq!(sent["model"], "b/y");
    assert_eq!(
        sent["messages"].as_array().unwrap().len(),
        1,
        "ordinary traffic is not steered"
    );

    let mut members: HashMap<String, usize> = HashMap::new();
    for i in 0..60 {
        let user = format!("patient-{i}");
        let got = send(
            addr,
            "POST",
            "/v1/chat/completions",
            &[],
            body(&user, DILEMMA),
        )
        .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
        assert_eq!(got.header("x-pluralis-route"), Some("distributional"));
        let member = got.header("x-pluralis-member").unwrap().to_owned();
        // Sticky: the same patient gets the same member again.
        let again = send(
            addr,
            "POST",
            "/v1/chat/completions",
            &[],
            body(&user, DILEMMA),
        )
        .await;
        assert_eq!(again.header("x-pluralis-member"), Some(member.as_str()));
        if member == "a/x+autonomy" {
            let sent: serde_json::Value = serde_json::from_slice(&a.last().body).unwrap();
            assert_eq!(sent["model"], "a/x");
            assert_eq!(sent["messages"][0]["role"], "system");
            assert!(sent["messages"][0]["content"]
                .as_str()
                .unwrap()
                .contains("autonomy"));
        }
        *members.entry(member).or_default() += 1;
    }
    assert_eq!(members.len(), 3, "all three members drawn: {members:?}");
    assert_eq!(a.calls() + b.calls(), 121);
    proxy.shutdown().await;
}

#[tokio::test]
async fn invalid_ensembles_are_rejected_with_their_fields() {
    let text = r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "u"
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["a/x"]
[[ensemble]]
name = "a/x"
members = ["a/x", "c/z"]
default_member = "c/z"
"#;
    let err = pluralis::config::Policy::from_toml_str(text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("ensemble[0].name"), "{err}");
    assert!(err.contains("no upstream serves model `c/z`"), "{err}");
}

#[tokio::test]
async fn replay_ensemble_streams_recorded_answers_of_the_drawn_member() {
    let Some(root) = pluralis::valuebench::shared_dir() else {
        eprintln!("skipped: no shared ValueBench folder");
        return;
    };
    let exp = pluralis::valuebench::read_experiment(&root, "physician_recommendation").unwrap();
    let case = &exp.cases[0];
    let text = format!(
        r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "replay"
kind = "replay"
dir = {dir:?}
models = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5"]
[[ensemble]]
name = "pluralis-ensemble"
members = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5+autonomy"]
default_member = "openai/gpt-5.2"
"#,
        dir = root.display().to_string()
    );
    let proxy = proxy(pluralis::config::Policy::from_toml_str(&text).unwrap()).await;
    let mut steered_seen = false;
    for i in 0..12 {
        let request = serde_json::json!({"model": "pluralis-ensemble", "stream": true,
            "user": format!("patient-{i}"), "messages": [
            {"role": "system", "content": case.system_prompt.clone().unwrap()},
            {"role": "user", "content": case.user_prompt.clone().unwrap()}]});
        let got = send(
            proxy.local_addr(),
            "POST",
            "/v1/chat/completions",
            &[],
            request.to_string(),
        )
        .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
        let member = got.header("x-pluralis-member").unwrap().to_owned();
        let sse = got.text();
        assert!(sse.ends_with("data: [DONE]\n\n"), "{sse}");
        let first: serde_json::Value =
            serde_json::from_str(sse.lines().next().unwrap().strip_prefix("data: ").unwrap())
                .unwrap();
        assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
        let steered = first["pluralis_replay"]["steered"].as_bool().unwrap();
        assert_eq!(steered, member.ends_with("+autonomy"), "{member}");
        assert_eq!(first["pluralis_replay"]["case_id"], case.case_id.as_str());
        steered_seen |= steered;
    }
    assert!(steered_seen, "no steered member drawn in 12 patients");
    proxy.shutdown().await;
}
