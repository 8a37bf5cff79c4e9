//! Routing overhead: the time `route::plan` takes for a request to an ensemble (detection,
//! sticky draw, body rewrite with steering, explaining headers) against the plain model lookup
//! every pass-through request pays, for each dilemma mode (Overton: building the plan and its
//! fan-out handle; the members' answers are network time). The difference is what routing adds
//! per request. Run:
//!
//!     cargo bench --bench route_plan
//!
//! The request is a realistic dilemma (vignette and two options, ~1.5 KB); each iteration uses a
//! different patient so the draw is not cached anywhere.

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use http::HeaderMap;
use pluralis::config::Policy;
use pluralis::metrics::Metrics;
use pluralis::route;
use pluralis::server::request::{ApiRequest, Endpoint};
use pluralis::state::AppState;
use std::sync::Arc;

const POLICY: &str = r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "u"
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5", "z-ai/glm-4.6"]
[[ensemble]]
name = "pluralis-ensemble"
members = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5", "z-ai/glm-4.6", "anthropic/claude-opus-4.5+autonomy"]
default_member = "openai/gpt-5.2"
weights = { "openai/gpt-5.2" = 0.2, "x-ai/grok-4" = 0.1, "anthropic/claude-opus-4.5" = 0.2, "z-ai/glm-4.6" = 0.1, "anthropic/claude-opus-4.5+autonomy" = 0.4 }
"#;

/// The persona, steer and Overton ensembles over the same members (`{profiles}`: a file).
const MODES: &str = r#"
[[ensemble]]
name = "persona-ensemble"
members = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5", "z-ai/glm-4.6"]
default_member = "openai/gpt-5.2"
dilemma_mode = "persona"
profiles = "{profiles}"
[[ensemble]]
name = "steer-ensemble"
members = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5", "z-ai/glm-4.6"]
default_member = "openai/gpt-5.2"
dilemma_mode = "steer"
profiles = "{profiles}"
[[ensemble]]
name = "overton-ensemble"
members = ["openai/gpt-5.2", "x-ai/grok-4", "anthropic/claude-opus-4.5", "z-ai/glm-4.6"]
default_member = "openai/gpt-5.2"
dilemma_mode = "overton"
overton_k = 3
"#;

/// Made-up profiles in `pluralis attribute --format json` shape: 20 physicians, 4 models.
fn profiles_json() -> String {
    let profile = |a: f64| {
        let rest = (1.0 - a) / 3.0;
        serde_json::json!({"autonomy": a, "beneficence": rest, "nonmaleficence": rest, "justice": rest})
    };
    let mut makers: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({"id": format!("human/p{i}"), "kind": "physician",
            "profile": profile(0.2 + 0.02 * f64::from(i))})
        })
        .collect();
    for (i, m) in [
        "openai/gpt-5.2",
        "x-ai/grok-4",
        "anthropic/claude-opus-4.5",
        "z-ai/glm-4.6",
    ]
    .iter()
    .enumerate()
    {
        makers.push(serde_json::json!({"id": m, "kind": "model",
            "profile": profile(0.1 + 0.1 * i as f64)}));
    }
    serde_json::json!({"decision_makers": makers}).to_string()
}

/// An original dilemma of benchmark size (not from ValueBench).
fn dilemma_text() -> String {
    let vignette = "A 71-year-old woman with advanced heart failure and intact decision-making \
        capacity is admitted with worsening breathlessness. She asks to go home today with \
        hospice support, saying she has had enough of hospital stays. Her cardiologist believes \
        a short course of intravenous diuretics over three days would likely relieve her \
        symptoms and could give her several good months. Her daughter pleads for her to stay. ";
    format!(
        "{}\nChoice 1: Recommend she stays for three days of intravenous treatment\nChoice 2: Arrange discharge home with hospice support today",
        vignette.repeat(3)
    )
}

fn request(model: &str, user: &str, content: &str) -> ApiRequest {
    let json = serde_json::json!({
        "model": model, "user": user, "temperature": 1.0,
        "messages": [
            {"role": "system", "content": "You are an experienced physician providing medical advice to your patient."},
            {"role": "user", "content": content},
        ],
    });
    ApiRequest {
        endpoint: Endpoint::ChatCompletions,
        request_id: "bench".into(),
        headers: HeaderMap::new(),
        query: None,
        body: Bytes::from(json.to_string()),
        json,
        model: model.into(),
        stream: false,
    }
}

fn with_values(mut r: ApiRequest) -> ApiRequest {
    r.headers.insert(
        "x-pluralis-values",
        http::HeaderValue::from_static(
            "autonomy=0.5,beneficence=0.2,nonmaleficence=0.2,justice=0.1",
        ),
    );
    r
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let profiles = dir.path().join("profiles.json");
    std::fs::write(&profiles, profiles_json()).unwrap();
    let modes = MODES.replace("{profiles}", &profiles.display().to_string());
    let policy = Policy::from_toml_str(&format!("{POLICY}{modes}")).unwrap();
    let state = AppState::build(policy, Arc::new(Metrics::new().unwrap())).unwrap();
    let dilemma = dilemma_text();
    let ordinary = "What is the usual adult dose of paracetamol for a fever?";
    let mut patient = 0u64;
    let mut next = move || {
        patient += 1;
        format!("patient-{patient}")
    };

    let mut group = c.benchmark_group("route_plan");
    group.bench_function("passthrough_lookup", |b| {
        b.iter_batched(
            || request("openai/gpt-5.2", &next(), &dilemma),
            |r| route::plan(&state, &r).map(|p| p.body.len()).unwrap_or(0),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("ensemble_ordinary", |b| {
        b.iter_batched(
            || request("pluralis-ensemble", &next(), ordinary),
            |r| route::plan(&state, &r).map(|p| p.body.len()).unwrap_or(0),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("ensemble_dilemma_distributional", |b| {
        b.iter_batched(
            || request("pluralis-ensemble", &next(), &dilemma),
            |r| route::plan(&state, &r).map(|p| p.body.len()).unwrap_or(0),
            BatchSize::SmallInput,
        )
    });
    for (name, model) in [
        ("ensemble_dilemma_persona", "persona-ensemble"),
        ("ensemble_dilemma_overton_plan", "overton-ensemble"),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || request(model, &next(), &dilemma),
                |r| route::plan(&state, &r).map(|p| p.body.len()).unwrap_or(0),
                BatchSize::SmallInput,
            )
        });
    }
    group.bench_function("ensemble_dilemma_steer", |b| {
        b.iter_batched(
            || with_values(request("steer-ensemble", &next(), &dilemma)),
            |r| route::plan(&state, &r).map(|p| p.body.len()).unwrap_or(0),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
