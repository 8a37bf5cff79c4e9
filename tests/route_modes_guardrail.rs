//! The guardrail holds in every dilemma mode: a member whose monitored autonomy share fell below
//! the physician range is never drawn by persona mode, never consulted by Overton mode and never
//! chosen by steer mode, even for a patient whose stated values are closest to it. The monitor
//! is fed synthetic decisions (GLM choices from known weights, random value tags; no benchmark
//! text) and refitted before traffic starts.

mod common;
mod synthetic;
use common::*;
use pluralis::config::Policy;
use pluralis::monitor::log::DecisionEvent;
use pluralis::monitor::online::reference::DEFAULT_REFERENCE_FILE;
use pluralis::monitor::Monitor;
use pluralis::values::Value;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::io::Write;
use std::path::Path;

const DILEMMA: &str =
    "A patient refuses treatment.\nChoice 1: Treat anyway\nChoice 2: Respect the refusal";

fn record(monitor: &Monitor, member: &str, beta: [f64; 4], n: usize, rng: &mut ChaCha8Rng) {
    let rt = tokio::runtime::Handle::current();
    for i in 0..n {
        let tags = synthetic::random_tags(rng);
        let decision = synthetic::glm_choice(&tags, beta, rng);
        let event = DecisionEvent {
            time_ms: pluralis::monitor::runtime::now_ms(),
            request_id: format!("{member}-{i}"),
            conversation: None,
            tenant: None,
            ensemble: Some("persona-ensemble".into()),
            member: member.into(),
            route_mode: "persona".into(),
            persona: None,
            dilemma_score: 0.9,
            case_key: format!("synthetic-{}", i % 40),
            options: Some(tags),
            option_texts: None,
            decision,
            confidence: 0.9,
            values_discussed: vec![Value::Autonomy],
            presents_both: false,
            latency_ms: 100,
            prompt_text: None,
            answer_text: None,
            judge: None,
        };
        let _ = rt.block_on(monitor.record(event));
    }
}

fn physicians_file() -> tempfile::NamedTempFile {
    let doc = json!({"decision_makers": [
        {"id": "human/p1", "kind": "physician", "profile":
            {"autonomy": 0.5, "beneficence": 0.2, "nonmaleficence": 0.2, "justice": 0.1}}]});
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(doc.to_string().as_bytes()).unwrap();
    file
}

fn guarded_policy(mocks: [&MockUpstream; 3], log_dir: &Path, profiles: &Path) -> Policy {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_REFERENCE_FILE);
    let mut text = format!(
        "listen = \"127.0.0.1:0\"\n[monitor]\nbootstrap_draws = 20\nreference_file = {:?}\n\
         [monitor.log]\ndata_dir = {:?}\n",
        reference.display().to_string(),
        log_dir.display().to_string()
    );
    for (mock, (name, model)) in mocks
        .iter()
        .zip([("ua", "a/x"), ("ub", "b/y"), ("uc", "c/z")])
    {
        text.push_str(&format!(
            "[[upstream]]\nname = \"{name}\"\nkind = \"openai\"\nbase_url = \"{}\"\n\
             models = [\"{model}\"]\n",
            mock.base_url()
        ));
    }
    for mode in ["persona", "overton", "steer"] {
        text.push_str(&format!(
            "[[ensemble]]\nname = \"{mode}-ensemble\"\nmembers = [\"a/x\", \"b/y\", \"c/z\"]\n\
             default_member = \"b/y\"\ndilemma_mode = \"{mode}\"\nprofiles = {:?}\n\
             weights = {{ \"a/x\" = 0.8, \"b/y\" = 0.1, \"c/z\" = 0.1 }}\n",
            profiles.display().to_string()
        ));
    }
    Policy::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn body(model: &str, user: &str) -> String {
    json!({"model": model, "user": user, "messages": [{"role": "user", "content": DILEMMA}]})
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guarded_members_leave_persona_overton_and_steer_routing() {
    let mocks = [
        mock(|_, _| Reply::Json(200, chat_completion_json("a/x"))).await,
        mock(|_, _| Reply::Json(200, chat_completion_json("b/y"))).await,
        mock(|_, _| Reply::Json(200, chat_completion_json("c/z"))).await,
    ];
    let dir = tempfile::tempdir().unwrap();
    let profiles = physicians_file();
    let policy = guarded_policy(
        [&mocks[0], &mocks[1], &mocks[2]],
        dir.path(),
        profiles.path(),
    );
    let proxy = pluralis::server::start(policy).await.unwrap();
    let monitor = proxy
        .state()
        .load()
        .monitor
        .clone()
        .expect("monitor started");
    let m = monitor.clone();
    tokio::task::spawn_blocking(move || {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // a/x gives autonomy almost no weight: below every physician, so guarded.
        record(&m, "a/x", [0.05, 0.6, 1.4, 0.2], 400, &mut rng);
        record(&m, "b/y", [0.9, 0.5, 0.6, 0.1], 400, &mut rng);
        record(&m, "c/z", [0.8, 0.7, 0.4, 0.2], 400, &mut rng);
        m.refit_now();
    })
    .await
    .unwrap();
    assert!(monitor.guardrail_active("a/x"), "a/x is guarded");
    assert!(!monitor.guardrail_active("b/y") && !monitor.guardrail_active("c/z"));

    let addr = proxy.local_addr();
    let path = "/v1/chat/completions";
    for i in 0..12 {
        let user = format!("patient-{i}");
        let got = send(addr, "POST", path, &[], body("persona-ensemble", &user)).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-pluralis-route"), Some("persona"));
        assert_ne!(got.header("x-pluralis-member"), Some("a/x"));

        let got = send(addr, "POST", path, &[], body("overton-ensemble", &user)).await;
        assert_eq!(got.status, 200, "{}", got.text());
        let consulted = got.header("x-pluralis-member").unwrap();
        assert!(!consulted.split(',').any(|m| m == "a/x"), "{consulted}");
        assert_eq!(consulted.split(',').count(), 2, "{consulted}");
    }
    // The stated values closest to a/x's monitored profile still do not reach a/x.
    let values = ("x-pluralis-values", "beneficence=0.3,nonmaleficence=0.7");
    let got = send(addr, "POST", path, &[values], body("steer-ensemble", "p")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-pluralis-route"), Some("steer"));
    assert_eq!(got.header("x-pluralis-profile-source"), Some("monitor"));
    assert_ne!(got.header("x-pluralis-member"), Some("a/x"));
    assert_eq!(mocks[0].calls(), 0, "the guarded member was never called");
    proxy.shutdown().await;
}
