//! Routing overhead: the time `route::plan` takes for a request to an ensemble (detection,
//! sticky draw, body rewrite with steering, explaining headers) against the plain model lookup
//! every pass-through request pays. The difference is what routing adds per request. Run:
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

fn bench(c: &mut Criterion) {
    let policy = Policy::from_toml_str(POLICY).unwrap();
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
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
