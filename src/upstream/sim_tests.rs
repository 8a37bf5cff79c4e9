use super::*;
use crate::config::Policy;
use crate::route::steer::steering_sentence;
use crate::upstream::sim_model::{dilemma_prompt, DILEMMA_SYSTEM_PROMPT};
use crate::valuebench::CaseLine;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;

fn upstream(agents: &[(&str, [f64; 4])]) -> SimUpstream {
    let agents = agents
        .iter()
        .map(|(name, weights)| SimAgent {
            name: (*name).into(),
            weights: *weights,
            temperature: 1.0,
        })
        .collect();
    SimUpstream::from_parts(agents, Arc::new(SimCases::embedded().unwrap()), 7)
}

fn bench() -> Vec<CaseLine> {
    SimCases::embedded().unwrap().lines().cloned().collect()
}

/// Cases where the two options differ on autonomy, with the autonomy-promoting option.
fn autonomy_conflicts() -> Vec<(CaseLine, Choice)> {
    bench()
        .into_iter()
        .filter_map(|c| {
            let d = c.case().deltas()[Value::Autonomy.index()];
            (d != 0).then_some((
                c,
                if d > 0 {
                    Choice::Choice1
                } else {
                    Choice::Choice2
                },
            ))
        })
        .collect()
}

fn forward(body: Json, stream: bool) -> ForwardRequest {
    ForwardRequest {
        method: Method::POST,
        path: "/chat/completions".into(),
        headers: HeaderMap::new(),
        body: Bytes::from(body.to_string()),
        stream,
    }
}

async fn text(response: Response<ProxyBody>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn a_strongly_autonomous_agent_takes_the_autonomy_option() {
    let sim = upstream(&[("auto", [20.0, 0.5, 0.5, 0.5])]);
    let conflicts = autonomy_conflicts();
    assert!(conflicts.len() >= 10, "bench has autonomy conflicts");
    for (case, autonomy_option) in &conflicts {
        let prompt = dilemma_prompt(&case.case());
        for k in 0..20 {
            let d = sim
                .decide(
                    "auto",
                    DILEMMA_SYSTEM_PROMPT,
                    &prompt,
                    format!("p{k}").as_bytes(),
                )
                .unwrap();
            assert_eq!(d.case_id, case.case_id);
            assert_eq!(d.choice, *autonomy_option, "{}", case.case_id);
        }
    }
}

/// Choice rate of `agent` on a case over `n` patients.
fn rate(sim: &SimUpstream, agent: &str, system: &str, case: &CaseLine, n: usize) -> (f64, f64) {
    let prompt = dilemma_prompt(&case.case());
    let mut ones = 0;
    let mut p = f64::NAN;
    for k in 0..n {
        let d = sim
            .decide(agent, system, &prompt, format!("patient-{k}").as_bytes())
            .unwrap();
        p = d.p_choice_1;
        ones += usize::from(d.choice == Choice::Choice1);
    }
    (ones as f64 / n as f64, p)
}

#[test]
fn empirical_choice_rates_match_the_glm() {
    let weights = [0.8, 1.1, 0.6, -0.3];
    let sim = upstream(&[("glm", weights)]);
    let n = 400;
    for case in bench() {
        let (observed, p) = rate(&sim, "glm", DILEMMA_SYSTEM_PROMPT, &case, n);
        let eta: f64 = weights
            .iter()
            .zip(case.case().deltas())
            .map(|(w, d)| w * f64::from(d))
            .sum();
        assert!((p - 1.0 / (1.0 + (-eta).exp())).abs() < 1e-12);
        let tolerance = 4.0 * (p * (1.0 - p) / n as f64).sqrt() + 0.01;
        assert!(
            (observed - p).abs() <= tolerance,
            "{}: observed {observed}, p {p}",
            case.case_id
        );
    }
}

#[test]
fn steering_raises_the_autonomy_option_rate() {
    let sim = upstream(&[("doc", [0.1, 1.0, 1.0, 0.5])]);
    let steered_system = format!(
        "{DILEMMA_SYSTEM_PROMPT} {}",
        steering_sentence(Value::Autonomy)
    );
    let (mut plain, mut steered) = (0.0, 0.0);
    let conflicts = autonomy_conflicts();
    for (case, autonomy_option) in &conflicts {
        let toward = |(r, _): (f64, f64)| {
            if *autonomy_option == Choice::Choice1 {
                r
            } else {
                1.0 - r
            }
        };
        plain += toward(rate(&sim, "doc", DILEMMA_SYSTEM_PROMPT, case, 100));
        steered += toward(rate(&sim, "doc", &steered_system, case, 100));
    }
    let n = conflicts.len() as f64;
    assert!(
        steered / n > plain / n + 0.1,
        "plain {} steered {}",
        plain / n,
        steered / n
    );
    let case = &conflicts[0].0;
    let prompt = dilemma_prompt(&case.case());
    assert!(
        sim.decide("doc", &steered_system, &prompt, b"k")
            .unwrap()
            .steered
    );
    assert!(!sim.decide("doc", "", &prompt, b"k").unwrap().steered);
}

#[tokio::test]
async fn answers_as_json_and_valid_sse_labelled_as_simulation() {
    let sim = upstream(&[("doc", [0.5, 0.5, 0.5, 0.5])]);
    let case = &bench()[0];
    let req = json!({"model": "doc", "user": "patient-3", "messages": [
        {"role": "system", "content": DILEMMA_SYSTEM_PROMPT},
        {"role": "user", "content": dilemma_prompt(&case.case())}]});
    let response = sim.reply(&forward(req.clone(), false));
    assert_eq!(response.status(), StatusCode::OK);
    let v: Json = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(v["object"], "chat.completion");
    let content = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(content.starts_with("Recommendation: Choice "), "{content}");
    assert!(content.contains("SIMULATED"));
    let sim_field = &v[SIM_FIELD];
    assert_eq!(sim_field["simulation"], true);
    assert_eq!(sim_field["agent"], "doc");
    assert_eq!(sim_field["case_id"], case.case_id.as_str());
    assert_eq!(sim_field["steered"], false);
    let p = sim_field["p_choice_1"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
    let number = if sim_field["choice"] == "choice_1" {
        "1"
    } else {
        "2"
    };
    assert!(content.starts_with(&format!("Recommendation: Choice {number}: ")));

    let sse = text(sim.reply(&forward(req, true))).await;
    assert!(sse.ends_with("data: [DONE]\n\n"));
    let mut streamed = String::new();
    for event in sse.split("\n\n").filter(|e| !e.is_empty()) {
        let data = event.strip_prefix("data: ").unwrap();
        if data == "[DONE]" {
            continue;
        }
        let chunk: Json = serde_json::from_str(data).unwrap();
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk[SIM_FIELD]["simulation"], true);
        if let Some(c) = chunk["choices"][0]["delta"]["content"].as_str() {
            streamed.push_str(c);
        }
    }
    assert_eq!(streamed, content);
}

#[tokio::test]
async fn unknown_prompts_and_agents() {
    let sim = upstream(&[("doc", [0.5, 0.5, 0.5, 0.5])]);
    let other = json!({"model": "doc", "messages": [{"role": "user", "content": "hello"}]});
    let response = sim.reply(&forward(other, false));
    assert_eq!(response.status(), StatusCode::OK);
    let v: Json = serde_json::from_str(&text(response).await).unwrap();
    assert!(v[SIM_FIELD]["case_id"].is_null());
    assert!(v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .contains("SIMULATED"));
    let nobody = json!({"model": "nobody", "messages": [{"role": "user", "content": "hello"}]});
    assert_eq!(
        sim.reply(&forward(nobody, false)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sim.reply(&ForwardRequest {
            body: Bytes::from_static(b"{"),
            ..forward(json!({}), false)
        })
        .status(),
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn policy_builds_a_sim_upstream_serving_its_agents() {
    let policy = Policy::from_toml_str(
        r#"
        [[upstream]]
        name = "sim"
        kind = "sim"
        seed = 3
        agents = [
          { name = "sim/a", weights = { autonomy = 1.0, beneficence = 0.5 } },
          { name = "sim/b", weights = { nonmaleficence = 1.0 }, temperature = 2.0 },
        ]
        "#,
    )
    .unwrap();
    assert_eq!(policy.upstreams[0].models, ["sim/a", "sim/b"]);
    assert!(crate::upstream::build(&policy.upstreams[0]).is_ok());

    let bad = Policy::from_toml_str(
        r#"
        [[upstream]]
        name = "sim"
        kind = "sim"
        models = ["sim/x"]
        agents = [{ name = "sim/a", weights = {}, temperature = 0.0 }]
        "#,
    )
    .unwrap_err()
    .to_string();
    assert!(bad.contains("upstream[0].agents[0].temperature"), "{bad}");
    assert!(bad.contains("upstream[0].models[0]"), "{bad}");
    let none = Policy::from_toml_str("[[upstream]]\nname = \"s\"\nkind = \"sim\"\n")
        .unwrap_err()
        .to_string();
    assert!(none.contains("upstream[0].agents"), "{none}");
}
