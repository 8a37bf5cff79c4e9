//! Persona and steer ensembles end to end through the real proxy against loopback mocks: the
//! steering system prompt that reaches the member, stickiness, the explaining headers, the
//! member steer mode picks for a clear `x-pluralis-values`, and the 400 for a bad one.

mod common;
use common::*;
use pluralis::config::Policy;
use pluralis::route::values_header::parse_values;
use serde_json::{json, Value as Json};
use std::collections::HashSet;
use std::io::Write;

const DILEMMA: &str =
    "A patient refuses treatment.\nChoice 1: Treat anyway\nChoice 2: Respect the refusal";

/// Three distinct physicians and two model profiles, in `pluralis attribute --format json` shape.
const PANEL: [[f64; 4]; 3] = [
    [0.7, 0.1, 0.1, 0.1],
    [0.2, 0.5, 0.2, 0.1],
    [0.1, 0.2, 0.3, 0.4],
];

fn profile(p: [f64; 4]) -> Json {
    json!({"autonomy": p[0], "beneficence": p[1], "nonmaleficence": p[2], "justice": p[3]})
}

fn profiles_file() -> tempfile::NamedTempFile {
    let mut makers: Vec<Json> = PANEL
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"id": format!("human/p{i}"), "kind": "physician", "profile": profile(*p)}))
        .collect();
    makers.push(json!({"id": "a/x", "kind": "model", "profile": profile([0.65, 0.15, 0.1, 0.1])}));
    makers.push(json!({"id": "b/y", "kind": "model", "profile": profile([0.1, 0.6, 0.2, 0.1])}));
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let doc = json!({"temperature": 0.262, "decision_makers": makers});
    file.write_all(doc.to_string().as_bytes()).unwrap();
    file
}

fn modes_policy(
    a: &MockUpstream,
    b: &MockUpstream,
    mode: &str,
    file: &tempfile::NamedTempFile,
) -> Policy {
    let text = format!(
        r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "ua"
kind = "openai"
base_url = "{a}"
models = ["a/x"]
[[upstream]]
name = "ub"
kind = "openai"
base_url = "{b}"
models = ["b/y"]
[[ensemble]]
name = "pluralis-ensemble"
members = ["a/x", "b/y"]
default_member = "b/y"
dilemma_mode = "{mode}"
profiles = {path:?}
"#,
        a = a.base_url(),
        b = b.base_url(),
        path = file.path().display().to_string(),
    );
    Policy::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn body(user: &str, content: &str) -> String {
    json!({"model": "pluralis-ensemble", "user": user,
        "messages": [{"role": "user", "content": content}]})
    .to_string()
}

/// The system message the member received on its latest call.
fn sent_system(a: &MockUpstream, b: &MockUpstream, member: &str) -> Option<String> {
    let last = if member == "a/x" { a.last() } else { b.last() };
    let sent: Json = serde_json::from_slice(&last.body).unwrap();
    assert_eq!(sent["model"], member);
    let first = &sent["messages"][0];
    (first["role"] == "system").then(|| first["content"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn persona_steers_the_member_with_a_sticky_panel_persona() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("a/x"))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("b/y"))).await;
    let file = profiles_file();
    let proxy = proxy(modes_policy(&a, &b, "persona", &file)).await;
    let addr = proxy.local_addr();
    let path = "/v1/chat/completions";

    let plain = send(
        addr,
        "POST",
        path,
        &[],
        body("u0", "What is a normal pulse?"),
    )
    .await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("x-pluralis-route"), Some("default"));
    assert_eq!(plain.header("x-pluralis-persona"), None);
    assert_eq!(
        sent_system(&a, &b, "b/y"),
        None,
        "ordinary traffic unsteered"
    );

    let mut personas = HashSet::new();
    for i in 0..24 {
        let user = format!("patient-{i}");
        let got = send(addr, "POST", path, &[], body(&user, DILEMMA)).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-pluralis-dilemma"), Some("true"));
        assert_eq!(got.header("x-pluralis-route"), Some("persona"));
        let member = got.header("x-pluralis-member").unwrap().to_owned();
        let persona = got.header("x-pluralis-persona").unwrap().to_owned();
        let shares = parse_values(&persona).unwrap();
        assert!(
            PANEL
                .iter()
                .any(|p| p.iter().zip(shares).all(|(x, y)| (x - y).abs() < 1e-3)),
            "{persona} is one of the panel's physicians"
        );
        let system = sent_system(&a, &b, &member).expect("persona system prompt");
        assert!(system.contains("one physician of a panel"), "{system}");
        let line = system
            .lines()
            .find_map(|l| l.strip_prefix("Value priorities: "))
            .expect("machine-readable priorities line");
        let stated = parse_values(line).unwrap();
        assert!(stated.iter().zip(shares).all(|(x, y)| (x - y).abs() < 0.01));

        let again = send(addr, "POST", path, &[], body(&user, DILEMMA)).await;
        assert_eq!(again.header("x-pluralis-member"), Some(member.as_str()));
        assert_eq!(again.header("x-pluralis-persona"), Some(persona.as_str()));
        personas.insert(persona);
    }
    assert!(
        personas.len() >= 2,
        "24 patients drew one persona: {personas:?}"
    );
    assert_eq!(a.calls() + b.calls(), 49);
    proxy.shutdown().await;
}

#[tokio::test]
async fn persona_mode_without_a_panel_is_refused_at_start() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("a/x"))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("b/y"))).await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let models_only = json!({"decision_makers": [
        {"id": "a/x", "kind": "model", "profile": profile([0.25; 4])}]});
    file.write_all(models_only.to_string().as_bytes()).unwrap();
    let err = match pluralis::server::start(modes_policy(&a, &b, "persona", &file)).await {
        Ok(_) => panic!("persona mode started without physicians"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("physician"), "{err}");
}

#[tokio::test]
async fn steer_picks_the_closest_member_and_states_the_patients_values() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("a/x"))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("b/y"))).await;
    let file = profiles_file();
    let proxy = proxy(modes_policy(&a, &b, "steer", &file)).await;
    let addr = proxy.local_addr();
    let path = "/v1/chat/completions";

    let cases = [
        (
            "autonomy=0.7,beneficence=0.1,nonmaleficence=0.1,justice=0.1",
            "a/x",
        ),
        ("beneficence=0.6, nonmaleficence=0.3, justice=0.1", "b/y"),
    ];
    for (i, (values, expected)) in cases.iter().enumerate() {
        let got = send(
            addr,
            "POST",
            path,
            &[("x-pluralis-values", values)],
            body(&format!("p{i}"), DILEMMA),
        )
        .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-pluralis-route"), Some("steer"));
        assert_eq!(got.header("x-pluralis-member"), Some(*expected));
        assert_eq!(got.header("x-pluralis-profile-source"), Some("recorded"));
        let persona = parse_values(got.header("x-pluralis-persona").unwrap()).unwrap();
        let stated = parse_values(values).unwrap();
        assert!(persona
            .iter()
            .zip(stated)
            .all(|(x, y)| (x - y).abs() < 1e-3));
        let system = sent_system(&a, &b, expected).expect("steering system prompt");
        assert!(system.contains("as the patient does"), "{system}");
        assert!(system.contains("Value priorities: "), "{system}");
    }

    // No stated values: the weighted draw, said so in the route header, not steered.
    let got = send(addr, "POST", path, &[], body("p9", DILEMMA)).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-pluralis-route"), Some("distributional"));
    assert_eq!(got.header("x-pluralis-persona"), None);
    let member = got.header("x-pluralis-member").unwrap().to_owned();
    assert_eq!(sent_system(&a, &b, &member), None);

    // Ordinary traffic with values still goes to the default member, unsteered.
    let got = send(
        addr,
        "POST",
        path,
        &[("x-pluralis-values", "autonomy=1")],
        body("p10", "What is a normal pulse?"),
    )
    .await;
    assert_eq!(got.header("x-pluralis-route"), Some("default"));
    assert_eq!(got.header("x-pluralis-member"), Some("b/y"));
    proxy.shutdown().await;
}

#[tokio::test]
async fn steer_refuses_a_bad_values_header_naming_it() {
    let a = mock(|_, _| Reply::Json(200, chat_completion_json("a/x"))).await;
    let b = mock(|_, _| Reply::Json(200, chat_completion_json("b/y"))).await;
    let file = profiles_file();
    let proxy = proxy(modes_policy(&a, &b, "steer", &file)).await;
    let addr = proxy.local_addr();
    for bad in [
        "autonomy=lots",
        "greed=1",
        "autonomy=0,justice=0",
        "autonomy",
    ] {
        for content in [DILEMMA, "What is a normal pulse?"] {
            let got = send(
                addr,
                "POST",
                "/v1/chat/completions",
                &[("x-pluralis-values", bad)],
                body("p", content),
            )
            .await;
            assert_eq!(got.status, 400, "{bad}");
            assert_eq!(error_code(&got), "invalid_header");
            let error = &got.json()["error"];
            assert_eq!(error["param"], "x-pluralis-values");
            assert_eq!(error["type"], "invalid_request_error");
            assert!(error["message"]
                .as_str()
                .unwrap()
                .contains("x-pluralis-values"));
        }
    }
    assert_eq!(a.calls() + b.calls(), 0, "refused before any upstream call");
    proxy.shutdown().await;
}
