//! Tenants end to end through the real proxy against a loopback mock upstream: a client key
//! mapped to a tenant wins over the tenant header, a declared header value names its tenant,
//! anything else lands in `other`; the decision log, `/monitor/api/state` and `/metrics` show
//! each tenant (Overton and steer paths included), and neither keys nor
//! undeclared header values appear anywhere. Then the monitor alone: per-tenant profiles and
//! their gauges, rebuilt from the log after a restart. And policy reloads: the declared set
//! follows a reload, and a reload that fails keeps the previous one.

mod common;
mod synthetic;
use common::*;
use pluralis::monitor::log::{read_dir, DecisionEvent};
use pluralis::upstream::sim_model::SimCases;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const CARDIO_KEY: &str = "sk-test-cardio-7f3a";
const SHARED_KEY: &str = "sk-test-shared-91bc";
const UNDECLARED: &str = "radiology-xyz";

fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn tenant_policy(data_dir: &Path, base_url: &str) -> pluralis::config::Policy {
    parse(&tenant_policy_text(data_dir, base_url))
}

fn parse(text: &str) -> pluralis::config::Policy {
    pluralis::config::Policy::from_toml_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn tenant_policy_text(data_dir: &Path, base_url: &str) -> String {
    format!(
        r#"listen = "127.0.0.1:0"
[auth]
key_sha256 = ["{cardio}", "{shared}"]
[tenants]
names = ["cardiology", "oncology"]
[[tenants.keys]]
key_sha256 = "{cardio}"
tenant = "cardiology"
[monitor]
refit_interval_ms = 100
bootstrap_draws = 0
[monitor.log]
data_dir = {dir:?}
fsync = "per_event"
[[upstream]]
name = "mock"
kind = "openai"
base_url = "{base_url}"
models = ["a/x", "b/y"]
retries = 0
[[ensemble]]
name = "pluralis-ensemble"
members = ["a/x", "b/y"]
default_member = "a/x"
[[ensemble]]
name = "overton-ensemble"
members = ["a/x", "b/y"]
default_member = "a/x"
dilemma_mode = "overton"
overton_k = 2
[[ensemble]]
name = "steer-ensemble"
members = ["a/x", "b/y"]
default_member = "a/x"
dilemma_mode = "steer"
"#,
        cardio = digest(CARDIO_KEY),
        shared = digest(SHARED_KEY),
        dir = data_dir.display().to_string(),
    )
}

fn answer() -> String {
    serde_json::json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1,
        "model": "a/x", "choices": [{"index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": "I recommend Choice 1."}}]})
    .to_string()
}

/// Posts the first bench dilemma to `model` with the given key and tenant header.
async fn ask(
    addr: std::net::SocketAddr,
    id: &str,
    model: &str,
    key: &str,
    tenant: Option<&str>,
) -> Got {
    ask_with(addr, id, model, key, tenant, None).await
}

async fn ask_with(
    addr: std::net::SocketAddr,
    id: &str,
    model: &str,
    key: &str,
    tenant: Option<&str>,
    values: Option<&str>,
) -> Got {
    let case = SimCases::embedded()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .clone();
    let prompt = format!(
        "{}\n\nChoice 1: {}\nChoice 2: {}\n\nWhich do you recommend?",
        case.vignette.trim(),
        case.choice_1.choice,
        case.choice_2.choice
    );
    let body = serde_json::json!({"model": model, "user": id,
        "messages": [{"role": "user", "content": prompt}]})
    .to_string();
    let bearer = format!("Bearer {key}");
    let mut headers = vec![("x-request-id", id), ("authorization", bearer.as_str())];
    if let Some(t) = tenant {
        headers.push(("x-pluralis-tenant", t));
    }
    if let Some(v) = values {
        headers.push(("x-pluralis-values", v));
    }
    let got = send(addr, "POST", "/v1/chat/completions", &headers, body).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
    got
}

/// The log's events once it holds `n` (bounded wait: overton events may trail the response).
async fn events(dir: &Path, n: usize) -> Vec<DecisionEvent> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let events = read_dir(dir).unwrap().events;
        if events.len() >= n || std::time::Instant::now() > deadline {
            assert_eq!(events.len(), n, "{events:?}");
            return events;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Decisions per tenant scope in the `all` window, once the deployment shows `n`.
async fn tenant_counts(addr: std::net::SocketAddr, n: u64) -> (BTreeMap<String, u64>, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = send(addr, "GET", "/monitor/api/state", &[], "").await;
        assert_eq!(got.status, 200);
        let state = got.json();
        let all = state["windows"]["all"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let total = all
            .iter()
            .find(|s| s["key"] == "deployment")
            .and_then(|s| s["decisions"].as_u64())
            .unwrap_or(0);
        if total >= n {
            assert_eq!(total, n);
            let tenants = all
                .iter()
                .filter_map(|s| {
                    let key = s["key"].as_str()?.strip_prefix("tenant:")?;
                    Some((key.to_owned(), s["decisions"].as_u64()?))
                })
                .collect();
            return (tenants, got.text());
        }
        assert!(
            std::time::Instant::now() < deadline,
            "state shows {total} of {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_resolved_logged_counted_and_exported_within_the_declared_set() {
    let upstream = mock(|_, _| Reply::Json(200, answer())).await;
    let dir = tempfile::tempdir().unwrap();
    let proxy = proxy(tenant_policy(dir.path(), &upstream.base_url())).await;
    let addr = proxy.local_addr();
    let ensemble = "pluralis-ensemble";

    // The cardiology key claims oncology in the header: the key decides.
    ask(addr, "req-key", ensemble, CARDIO_KEY, Some("oncology")).await;
    // A key mapped to no tenant: the header names it (ASCII case ignored).
    ask(addr, "req-header", ensemble, SHARED_KEY, Some("Oncology")).await;
    // An undeclared name and no header at all: the fixed bucket.
    ask(
        addr,
        "req-undeclared",
        ensemble,
        SHARED_KEY,
        Some(UNDECLARED),
    )
    .await;
    ask(addr, "req-none", ensemble, SHARED_KEY, None).await;
    // An Overton fan-out: each member's decision carries the request's tenant.
    let got = ask(
        addr,
        "req-overton",
        "overton-ensemble",
        SHARED_KEY,
        Some("oncology"),
    )
    .await;
    assert_eq!(got.header("x-pluralis-route"), Some("overton"));
    // Steer: the mode's own observer carries the tenant too.
    let values = "autonomy=0.7,beneficence=0.1,nonmaleficence=0.1,justice=0.1";
    let got = ask_with(
        addr,
        "req-steer",
        "steer-ensemble",
        SHARED_KEY,
        Some("cardiology"),
        Some(values),
    )
    .await;
    assert_eq!(got.header("x-pluralis-route"), Some("steer"));

    let events = events(dir.path(), 7).await;
    let tenant_of = |id: &str| -> Vec<Option<&str>> {
        events
            .iter()
            .filter(|e| e.request_id == id)
            .map(|e| e.tenant.as_deref())
            .collect()
    };
    assert_eq!(tenant_of("req-key"), [Some("cardiology")]);
    assert_eq!(tenant_of("req-header"), [Some("oncology")]);
    assert_eq!(tenant_of("req-undeclared"), [Some("other")]);
    assert_eq!(tenant_of("req-none"), [Some("other")]);
    assert_eq!(
        tenant_of("req-overton"),
        [Some("oncology"), Some("oncology")]
    );

    let (tenants, state_text) = tenant_counts(addr, 7).await;
    let expected: BTreeMap<String, u64> = [("cardiology", 2), ("oncology", 3), ("other", 2)]
        .into_iter()
        .map(|(t, n)| (t.to_owned(), n))
        .collect();
    assert_eq!(tenants, expected);

    // Refits publish the tenant gauges; the decision counter is live.
    let metrics = send(addr, "GET", "/metrics", &[], "").await.text();
    for line in [
        "pluralis_tenant_decisions_total{choice=\"choice_1\",tenant=\"cardiology\"} 2",
        "pluralis_tenant_decisions_total{choice=\"choice_1\",tenant=\"oncology\"} 3",
        "pluralis_tenant_decisions_total{choice=\"choice_1\",tenant=\"other\"} 2",
    ] {
        assert!(metrics.contains(line), "missing {line}");
    }

    // Neither a key nor an undeclared header value reaches the log, the state or the metrics.
    let mut raw = String::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            raw.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    for text in [&raw, &state_text, &metrics] {
        for secret in [CARDIO_KEY, SHARED_KEY, UNDECLARED] {
            assert!(!text.contains(secret), "{secret} leaked");
        }
    }
    proxy.shutdown().await;
}

/// The value of the exported sample whose line starts with `prefix` (name, labels and space).
fn metric_value(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("missing {prefix}"))
        .parse()
        .unwrap()
}

/// Synthetic tagged decisions of one tenant whose answers follow the GLM with `beta`.
fn tenant_decisions(tenant: &str, beta: [f64; 4], n: usize, seed: u64) -> Vec<DecisionEvent> {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let tags = synthetic::random_tags(&mut rng);
            let decision = synthetic::glm_choice(&tags, beta, &mut rng);
            DecisionEvent {
                time_ms: pluralis::monitor::runtime::now_ms(),
                request_id: format!("{tenant}-{i}"),
                conversation: None,
                tenant: Some(tenant.into()),
                ensemble: None,
                member: "sim/a".into(),
                route_mode: "distributional".into(),
                persona: None,
                dilemma_score: 0.9,
                case_key: format!("synthetic-{}", i % 50),
                options: Some(tags),
                option_texts: None,
                decision,
                confidence: 0.9,
                values_discussed: Vec::new(),
                presents_both: false,
                latency_ms: 5,
                prompt_text: None,
                answer_text: None,
                judge: None,
            }
        })
        .collect()
}

fn metric_lines(registry: &prometheus::Registry) -> String {
    prometheus::TextEncoder::new()
        .encode_to_string(&registry.gather())
        .unwrap()
}

#[tokio::test]
async fn tenant_profiles_are_exported_and_rebuilt_from_the_log() {
    use pluralis::monitor::stats::Scope;
    use pluralis::monitor::{Monitor, MonitorConfig};
    let dir = tempfile::tempdir().unwrap();
    let mut config = MonitorConfig::default();
    config.log.data_dir = dir.path().to_path_buf();
    config.bootstrap_draws = 0;
    let registry = prometheus::Registry::new();
    let reference_file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(pluralis::monitor::online::reference::DEFAULT_REFERENCE_FILE);
    let reference = pluralis::monitor::online::Reference::discover(
        Some(reference_file.as_path()),
        config.temperature,
    )
    .unwrap();
    assert!(reference.is_some(), "the repository's physician reference");
    let monitor = Monitor::open(config.clone(), reference, Some(&registry)).unwrap();
    let icu = tenant_decisions("icu", [1.5, 0.2, 0.2, 0.0], 400, 1);
    let ward = tenant_decisions("ward", [0.0, 0.2, 1.5, 0.2], 300, 2);
    for event in icu.iter().chain(&ward) {
        monitor.record(event.clone()).await.unwrap();
    }
    monitor.flush().await.unwrap();
    let state = monitor.refit_now();
    let profile = |tenant: &str| {
        state.windows[state.drift_window]
            .iter()
            .find(|s| s.scope == Scope::Tenant(tenant.into()))
            .and_then(|s| s.estimate.as_ref())
            .map(|e| e.profile)
            .unwrap_or_else(|| panic!("no estimate for {tenant}"))
    };
    let (icu_profile, ward_profile) = (profile("icu"), profile("ward"));
    // Different weights, different profiles: autonomy leads in icu, nonmaleficence in ward.
    assert!(icu_profile[0] > ward_profile[0] && ward_profile[2] > icu_profile[2]);

    let text = metric_lines(&registry);
    for (tenant, p) in [("icu", icu_profile), ("ward", ward_profile)] {
        let line =
            format!("pluralis_tenant_value_share{{tenant=\"{tenant}\",value=\"autonomy\"}} ");
        let exported = metric_value(&text, &line);
        assert!(
            (exported - p[0]).abs() < 1e-9,
            "{tenant}: {exported} vs {}",
            p[0]
        );
        let jsd = state.windows[state.drift_window]
            .iter()
            .find(|s| s.scope == Scope::Tenant(tenant.into()))
            .and_then(|s| s.jsd_to_consensus)
            .unwrap();
        let line = format!("pluralis_tenant_jsd_to_consensus{{tenant=\"{tenant}\"}} ");
        let exported = metric_value(&text, &line);
        assert!(
            (exported - jsd).abs() < 1e-9,
            "{tenant}: {exported} vs {jsd}"
        );
    }
    let counted = |text: &str, tenant: &str| -> u64 {
        text.lines()
            .filter(|l| {
                l.starts_with("pluralis_tenant_decisions_total{")
                    && l.contains(&format!("tenant=\"{tenant}\""))
            })
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(counted(&text, "icu"), 400);
    assert_eq!(counted(&text, "ward"), 300);

    // A restart rebuilds the tenant scopes and counters from the log.
    drop(monitor);
    let registry = prometheus::Registry::new();
    let restarted = Monitor::open(config, None, Some(&registry)).unwrap();
    let text = metric_lines(&registry);
    assert_eq!(counted(&text, "icu"), 400);
    assert_eq!(counted(&text, "ward"), 300);
    let state = restarted.state();
    let decisions = |tenant: &str| {
        state.windows["all"]
            .iter()
            .find(|s| s.scope == Scope::Tenant(tenant.into()))
            .map(|s| s.decisions)
    };
    assert_eq!(
        (decisions("icu"), decisions("ward")),
        (Some(400), Some(300))
    );
}

#[tokio::test]
async fn a_reload_changes_the_declared_tenants_and_a_failed_one_keeps_them() {
    let upstream = mock(|_, _| Reply::Json(200, answer())).await;
    let dir = tempfile::tempdir().unwrap();
    let text = tenant_policy_text(dir.path(), &upstream.base_url());
    let proxy = proxy(parse(&text)).await;
    let addr = proxy.local_addr();
    let ensemble = "pluralis-ensemble";
    ask(addr, "before", ensemble, SHARED_KEY, Some("neurology")).await;

    let declared = r#"names = ["cardiology", "oncology"]"#;
    assert!(text.contains(declared));
    let more = text.replace(
        declared,
        r#"names = ["cardiology", "oncology", "neurology"]"#,
    );
    proxy.reload(parse(&more)).unwrap();
    ask(addr, "after", ensemble, SHARED_KEY, Some("neurology")).await;

    // A key variable that is not set fails the build: the previous tenants keep serving.
    let broken = format!(
        "{more}\n[[tenants.keys]]\nkey_env = \"PLURALIS_TEST_TENANT_KEY_NEVER_SET_4c1e\"\ntenant = \"oncology\"\n"
    );
    let err = proxy.reload(parse(&broken)).unwrap_err().to_string();
    assert!(
        err.contains("PLURALIS_TEST_TENANT_KEY_NEVER_SET_4c1e"),
        "{err}"
    );
    ask(
        addr,
        "after-failed",
        ensemble,
        SHARED_KEY,
        Some("neurology"),
    )
    .await;

    let events = events(dir.path(), 3).await;
    let tenant_of = |id: &str| {
        events
            .iter()
            .find(|e| e.request_id == id)
            .and_then(|e| e.tenant.clone())
    };
    assert_eq!(tenant_of("before").as_deref(), Some("other"));
    assert_eq!(tenant_of("after").as_deref(), Some("neurology"));
    assert_eq!(tenant_of("after-failed").as_deref(), Some("neurology"));
    proxy.shutdown().await;
}
