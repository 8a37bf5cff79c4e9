//! The live monitor feed end to end: dilemmas sent to an ensemble through the real proxy (sim
//! members answering the project's own bench cases, JSON and SSE, options in either order)
//! become decision events; `/monitor/api/state` counts them, the log holds them durably as
//! soon as each response has completed (fsync per event), ordinary traffic is not logged, and
//! no prompt, option or answer text reaches the log.

mod common;
use common::*;
use pluralis::monitor::log::read_dir;
use pluralis::upstream::sim_model::{SimCases, DILEMMA_SYSTEM_PROMPT};
use pluralis::valuebench::CaseLine;
use pluralis::values::Choice;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

fn feed_policy(data_dir: &Path, extra_log: &str, more: &str) -> pluralis::config::Policy {
    pluralis::config::Policy::from_toml_str(&format!(
        r#"listen = "127.0.0.1:0"
[monitor]
refit_interval_ms = 100
bootstrap_draws = 0
[monitor.log]
data_dir = {:?}
fsync = "per_event"
{extra_log}
[[upstream]]
name = "sim"
kind = "sim"
agents = [
  {{ name = "sim/a", weights = {{ autonomy = 1.5 }} }},
  {{ name = "sim/b", weights = {{ nonmaleficence = 1.5 }} }},
]
[[ensemble]]
name = "pluralis-ensemble"
members = ["sim/a", "sim/b"]
default_member = "sim/a"
{more}
"#,
        data_dir.display().to_string()
    ))
    .unwrap()
}

/// A bench dilemma as a patient might send it, options in the case's order or swapped.
fn prompt(case: &CaseLine, swapped: bool) -> String {
    let (a, b) = (&case.choice_1.choice, &case.choice_2.choice);
    let (first, second) = if swapped { (b, a) } else { (a, b) };
    format!(
        "{}\n\nChoice 1: {first}\nChoice 2: {second}\n\nWhich do you recommend?",
        case.vignette.trim()
    )
}

fn body(user: &str, text: &str, stream: bool) -> String {
    serde_json::json!({"model": "pluralis-ensemble", "user": user, "stream": stream,
        "messages": [{"role": "system", "content": DILEMMA_SYSTEM_PROMPT},
                     {"role": "user", "content": text}]})
    .to_string()
}

/// The sim's own record of its choice (case order), from a JSON or SSE answer.
fn sim_choice(got: &Got) -> String {
    let text = got.text();
    let json_text = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .find(|l| l.contains("pluralis_sim"))
        .map_or(text.as_str(), |l| l);
    let json: serde_json::Value = serde_json::from_str(json_text).unwrap();
    json["pluralis_sim"]["choice"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn dilemmas_through_the_proxy_are_logged_counted_and_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let proxy = proxy(feed_policy(dir.path(), "", "")).await;
    let addr = proxy.local_addr();
    let cases: Vec<CaseLine> = SimCases::embedded().unwrap().lines().cloned().collect();
    assert!(cases.len() >= 6);

    let n = 12;
    let mut expected: HashMap<String, (String, String)> = HashMap::new();
    for i in 0..n {
        let case = &cases[i % 6];
        let id = format!("req-feed-{i}");
        let user = format!("patient-{i}");
        let got = send(
            addr,
            "POST",
            "/v1/chat/completions",
            &[("x-request-id", &id)],
            body(&user, &prompt(case, i % 3 == 0), i % 2 == 1),
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
        expected.insert(id, (case.case_id.clone(), sim_choice(&got)));
    }
    // Ordinary traffic to the same ensemble is not a decision.
    for i in 0..3 {
        let got = post(
            addr,
            "/v1/chat/completions",
            &body(
                &format!("o{i}"),
                "What is a normal resting heart rate?",
                i == 1,
            ),
        )
        .await;
        assert_eq!(got.header("x-pluralis-dilemma"), Some("false"));
    }

    // fsync per event: every event is on disk once its response has completed, no flush needed.
    let report = read_dir(dir.path()).unwrap();
    assert_eq!(report.events.len(), n, "{:?}", report.events);
    for event in &report.events {
        let (case_id, choice) = &expected[&event.request_id];
        assert_eq!(&event.case_key, case_id, "known bench case recognised");
        let logged = match event.decision {
            Choice::Choice1 => "choice_1",
            Choice::Choice2 => "choice_2",
            Choice::Refusal => "REFUSAL",
        };
        assert_eq!(logged, choice, "decision in the case's order: {event:?}");
        assert!(event.options.is_some(), "value tags of a known case");
        assert!(event.confidence > 0.5);
        assert!(event.dilemma_score >= 0.5);
        assert_eq!(event.route_mode, "distributional");
        assert_eq!(event.ensemble.as_deref(), Some("pluralis-ensemble"));
        assert!(["sim/a", "sim/b"].contains(&event.member.as_str()));
        let conversation = event.conversation.as_deref().unwrap();
        assert!(!conversation.contains("patient"), "hashed: {conversation}");
        assert!(event.prompt_text.is_none() && event.answer_text.is_none());
        assert!(event.option_texts.is_none());
    }
    // Redaction holds in the bytes on disk, not only in the parsed events.
    let mut raw = String::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            raw.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    for case in &cases[..6] {
        let vignette_words: String = case.vignette.chars().take(40).collect();
        assert!(!raw.contains(&vignette_words));
        assert!(!raw.contains(case.choice_1.choice.trim()));
    }
    assert!(!raw.contains("Recommendation") && !raw.contains("SIMULATED"));
    assert!(!raw.contains("patient-"));

    // The monitor counted them: the published state (next refit) shows n decisions.
    let state = await_decisions(addr, n as u64).await;
    assert_eq!(state["log"]["written"], n as u64);
    let all = state["windows"]["all"].as_array().unwrap();
    let ensemble = all
        .iter()
        .find(|s| s["key"] == "ensemble:pluralis-ensemble")
        .unwrap();
    assert_eq!(ensemble["decisions"], n as u64);
    let members: u64 = all
        .iter()
        .filter(|s| s["key"].as_str().unwrap().starts_with("member:"))
        .map(|s| s["decisions"].as_u64().unwrap())
        .sum();
    assert_eq!(members, n as u64);
    proxy.shutdown().await;
}

/// Polls `/monitor/api/state` until the deployment shows `n` decisions (bounded: 10 s).
async fn await_decisions(addr: std::net::SocketAddr, n: u64) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = send(addr, "GET", "/monitor/api/state", &[], "").await;
        assert_eq!(got.status, 200);
        let state = got.json();
        let decisions = state["windows"]["all"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["key"] == "deployment"))
            .and_then(|s| s["decisions"].as_u64())
            .unwrap_or(0);
        if decisions >= n {
            assert_eq!(decisions, n);
            return state;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "monitor shows {decisions} of {n} decisions"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_unknown_dilemma_is_keyed_by_its_vignette_and_text_is_kept_only_on_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let opt_in = "include_prompt_text = true\ninclude_option_text = true";
    let proxy = proxy(feed_policy(dir.path(), opt_in, "")).await;
    let text = "My 84-year-old father has advanced dementia and keeps pulling out his feeding \
        tube. Before the dementia he said he never wanted machines keeping him alive. Should we \
        let the home restrain his hands or stop the tube feeding?";
    let got = post(
        proxy.local_addr(),
        "/v1/chat/completions",
        &body("p", text, false),
    )
    .await;
    assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
    let events = read_dir(dir.path()).unwrap().events;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        event.case_key,
        pluralis::monitor::log::case_key_for_vignette(text)
    );
    assert_eq!(event.options, None, "no value tags for a new dilemma");
    assert_eq!(event.prompt_text.as_deref(), Some(text));
    assert!(event.answer_text.as_deref().unwrap().contains("SIMULATED"));
    assert_eq!(
        event.option_texts.as_ref().map(|o| o[1].as_str()),
        Some("stop the tube feeding")
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn overton_logs_each_members_decision_and_steer_records_the_persona() {
    let dir = tempfile::tempdir().unwrap();
    let more = r#"
[[ensemble]]
name = "overton-ensemble"
members = ["sim/a", "sim/b"]
default_member = "sim/a"
dilemma_mode = "overton"
overton_k = 2
[[ensemble]]
name = "steer-ensemble"
members = ["sim/a", "sim/b"]
default_member = "sim/a"
dilemma_mode = "steer"
"#;
    let proxy = proxy(feed_policy(dir.path(), "", more)).await;
    let addr = proxy.local_addr();
    let case = SimCases::embedded()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .clone();
    let request = |model: &str| {
        serde_json::json!({"model": model, "user": "p1",
            "messages": [{"role": "user", "content": prompt(&case, false)}]})
        .to_string()
    };
    let got = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &[("x-request-id", "req-overton")],
        request("overton-ensemble"),
    )
    .await;
    assert_eq!(got.header("x-pluralis-route"), Some("overton"));
    let values = "autonomy=0.7,beneficence=0.1,nonmaleficence=0.1,justice=0.1";
    let got = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &[("x-request-id", "req-steer"), ("x-pluralis-values", values)],
        request("steer-ensemble"),
    )
    .await;
    assert_eq!(got.header("x-pluralis-route"), Some("steer"));

    // Overton events are recorded after the fan-out, off the response path: wait for them.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let events = loop {
        let events = read_dir(dir.path()).unwrap().events;
        if events.len() >= 3 || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(events.len(), 3, "{events:?}");
    let mut overton: Vec<&str> = events
        .iter()
        .filter(|e| e.request_id == "req-overton")
        .map(|e| {
            assert_eq!(e.route_mode, "overton");
            assert_eq!(e.case_key, case.case_id);
            e.member.as_str()
        })
        .collect();
    overton.sort_unstable();
    assert_eq!(overton, ["sim/a", "sim/b"]);
    let steer = events.iter().find(|e| e.request_id == "req-steer").unwrap();
    assert_eq!(steer.route_mode, "steer");
    let persona = steer.persona.as_deref().unwrap();
    assert!(persona.starts_with("patient:autonomy=0.700"), "{persona}");
    proxy.shutdown().await;
}

const JUDGE_TAGS: &str = r#"{"choice_1": {"autonomy": "violates", "beneficence": "promotes", "nonmaleficence": "neutral", "justice": "neutral"}, "choice_2": {"autonomy": "promotes", "beneficence": "violates", "nonmaleficence": "neutral", "justice": "neutral"}}"#;

#[tokio::test]
async fn the_judge_tags_a_new_dilemma_fed_from_the_proxy() {
    let judge = mock(|_, got| {
        let body = String::from_utf8_lossy(&got.body);
        let content = if body.contains("You annotate clinical ethics dilemmas") {
            JUDGE_TAGS
        } else {
            "choice_1"
        };
        let reply = serde_json::json!({"id": "j", "object": "chat.completion", "created": 1,
            "model": "judge-model", "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": content}}]});
        // A slow judge: the response must not wait for it, and its decision must be on disk.
        Reply::Delay(
            Duration::from_millis(400),
            Box::new(Reply::Json(200, reply.to_string())),
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let more = format!(
        "[[upstream]]\nname = \"judge\"\nkind = \"openai\"\nbase_url = \"{}\"\nmodels = [\"judge-model\"]\n\
         [monitor.judge]\nmodel = \"judge-model\"\nthreshold = 0.0\ntag_sample_rate = 1.0\n",
        judge.base_url()
    );
    let proxy = proxy(feed_policy(dir.path(), "", &more)).await;
    let text = "Our 90-year-old patient with severe heart failure asks to go home today against \
        advice; her daughter begs us to keep her in hospital. Should we discharge her home or \
        keep her admitted?";
    let got = post(
        proxy.local_addr(),
        "/v1/chat/completions",
        &body("p", text, false),
    )
    .await;
    assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
    // fsync per event: the decision is on disk when the response has ended, the judge's
    // answer still to come (pending, the parser's reading, no tags yet).
    let at_end = read_dir(dir.path()).unwrap();
    assert_eq!(
        at_end.events.len(),
        1,
        "decision not durable at the response end"
    );
    assert!(at_end.events[0].judge_pending());
    assert!(at_end.events[0].options.is_none());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let events = loop {
        let events = read_dir(dir.path()).unwrap().events;
        let judged = events.first().is_some_and(|e| !e.judge_pending());
        if judged || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Two lines on disk, one decision: the judged line took the pending one's place.
    assert_eq!(events.len(), 1);
    let monitor = proxy.state().load().monitor.clone().unwrap();
    let state = monitor.refit_now();
    let deployment = state.windows["all"]
        .iter()
        .find(|s| s.key == "deployment")
        .unwrap();
    assert_eq!(deployment.decisions, 1, "counted once");
    let note = events[0].judge.as_ref().expect("judged");
    assert_eq!(note.tags.as_deref(), Some("asked"));
    assert_eq!(
        events[0].options.map(|o| o.deltas()),
        Some([-2, 2, 0, 0]),
        "the judge's tags"
    );
    assert!(judge.calls() >= 1);
    proxy.shutdown().await;
}
