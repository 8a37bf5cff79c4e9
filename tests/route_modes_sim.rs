//! Steering moves decisions: persona and steer ensembles over SIMULATED agents (kind `sim`, known
//! value weights, GLM choices) answer the project's embedded bench. The same patient asked
//! directly and through the ensemble gets the same agent; the ensemble's steering sentence must
//! raise the probability the agent gives the option that better respects autonomy.

mod common;
use common::*;
use pluralis::config::Policy;
use pluralis::upstream::sim_model::{dilemma_prompt, SimCases, DILEMMA_SYSTEM_PROMPT};
use pluralis::values::Value;
use serde_json::{json, Value as Json};
use std::io::Write;

/// Autonomy-heavy physicians; the agents' recorded profiles for steer mode.
fn profiles_file() -> tempfile::NamedTempFile {
    let profile = |p: [f64; 4]| json!({"autonomy": p[0], "beneficence": p[1], "nonmaleficence": p[2], "justice": p[3]});
    let doc = json!({"decision_makers": [
        {"id": "human/p1", "kind": "physician", "profile": profile([0.7, 0.1, 0.1, 0.1])},
        {"id": "human/p2", "kind": "physician", "profile": profile([0.6, 0.2, 0.1, 0.1])},
        {"id": "sim/cautious", "kind": "model", "profile": profile([0.1, 0.4, 0.4, 0.1])},
        {"id": "sim/deferent", "kind": "model", "profile": profile([0.5, 0.2, 0.2, 0.1])},
    ]});
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(doc.to_string().as_bytes()).unwrap();
    file
}

fn sim_policy(file: &tempfile::NamedTempFile) -> Policy {
    let text = format!(
        r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "sim"
kind = "sim"
agents = [
  {{ name = "sim/cautious", weights = {{ autonomy = 0.2, beneficence = 1.0, nonmaleficence = 1.0, justice = 0.3 }} }},
  {{ name = "sim/deferent", weights = {{ autonomy = 0.8, beneficence = 0.5, nonmaleficence = 0.5, justice = 0.3 }} }},
]
[[ensemble]]
name = "persona-ensemble"
members = ["sim/cautious"]
default_member = "sim/cautious"
dilemma_mode = "persona"
profiles = {path:?}
[[ensemble]]
name = "steer-ensemble"
members = ["sim/cautious", "sim/deferent"]
default_member = "sim/cautious"
dilemma_mode = "steer"
profiles = {path:?}
"#,
        path = file.path().display().to_string()
    );
    Policy::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// `pluralis_sim` of one answer to one bench case.
async fn ask(
    addr: std::net::SocketAddr,
    model: &str,
    headers: &[(&str, &str)],
    prompt: &str,
) -> (Json, Option<String>) {
    let request = json!({"model": model, "user": "patient-1", "messages": [
        {"role": "system", "content": DILEMMA_SYSTEM_PROMPT},
        {"role": "user", "content": prompt}]});
    let got = send(
        addr,
        "POST",
        "/v1/chat/completions",
        headers,
        request.to_string(),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text());
    let member = got.header("x-pluralis-member").map(str::to_owned);
    (got.json()["pluralis_sim"].clone(), member)
}

/// Mean probability, over the bench cases where the options differ on autonomy, that the agent
/// takes the option better aligned with autonomy; and whether every answer was steered.
async fn autonomy_rate(
    addr: std::net::SocketAddr,
    model: &str,
    headers: &[(&str, &str)],
    expect_member: Option<&str>,
) -> (f64, bool) {
    let cases = SimCases::embedded().unwrap();
    let (mut sum, mut n, mut all_steered) = (0.0, 0, true);
    for line in cases.lines() {
        let case = line.case();
        let delta = case.deltas()[Value::Autonomy.index()];
        if delta == 0 {
            continue;
        }
        let (sim, member) = ask(addr, model, headers, &dilemma_prompt(&case)).await;
        assert_eq!(sim["simulation"], true);
        assert_eq!(
            sim["case_id"],
            line.case_id.as_str(),
            "prompt matched its case"
        );
        if let Some(expected) = expect_member {
            assert_eq!(member.as_deref(), Some(expected));
        }
        let p1 = sim["p_choice_1"].as_f64().unwrap();
        sum += if delta > 0 { p1 } else { 1.0 - p1 };
        n += 1;
        all_steered &= sim["steered"] == true;
    }
    assert!(n >= 10, "only {n} bench cases differ on autonomy");
    (sum / n as f64, all_steered)
}

#[tokio::test]
async fn persona_and_steer_steering_move_simulated_decisions_toward_autonomy() {
    let file = profiles_file();
    let proxy = proxy(sim_policy(&file)).await;
    let addr = proxy.local_addr();

    let (cautious, steered) = autonomy_rate(addr, "sim/cautious", &[], None).await;
    assert!(!steered, "a direct request is not steered");
    let (persona, steered) =
        autonomy_rate(addr, "persona-ensemble", &[], Some("sim/cautious")).await;
    assert!(steered, "every persona answer was steered");
    assert!(
        persona > cautious + 0.1,
        "persona steering: autonomy rate {persona:.3} vs unsteered {cautious:.3}"
    );

    let (deferent, _) = autonomy_rate(addr, "sim/deferent", &[], None).await;
    let values = [(
        "x-pluralis-values",
        "autonomy=0.8,beneficence=0.1,nonmaleficence=0.05,justice=0.05",
    )];
    let (stated, steered) =
        autonomy_rate(addr, "steer-ensemble", &values, Some("sim/deferent")).await;
    assert!(steered);
    assert!(
        stated > deferent + 0.05,
        "steer mode: autonomy rate {stated:.3} vs unsteered {deferent:.3}"
    );
    eprintln!(
        "autonomy-favoured rate: sim/cautious {cautious:.3} -> persona {persona:.3}; \
         sim/deferent {deferent:.3} -> steer {stated:.3}"
    );

    // A patient who puts benefit and harm first is sent to the cautious agent.
    let cases = SimCases::embedded().unwrap();
    let first = cases.lines().next().unwrap().case();
    let values = [(
        "x-pluralis-values",
        "beneficence=0.5,nonmaleficence=0.4,justice=0.1",
    )];
    let (_, member) = ask(addr, "steer-ensemble", &values, &dilemma_prompt(&first)).await;
    assert_eq!(member.as_deref(), Some("sim/cautious"));
    proxy.shutdown().await;
}
